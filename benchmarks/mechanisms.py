"""What each performance mechanism saves, measured on one rebuild after editing one claim.

    python benchmarks/mechanisms.py [--count 10000]

Writes a synthetic publication (default configuration without the search index, as the rebuild
target says) and measures `factcheck build` with every mechanism on, then with each one off in turn
(`FACTCHECK_WITHOUT`, see `generator/tuning.py`), in the scenario it is meant for: a cold build, a
rebuild after editing one claim, a refill (cache kept, no site and no spare, as in CI), or the
rebuild right after a cold build (once the editor has edited). Rebuilds run twice and the faster
is kept. `--only NAME ...` measures only those mechanisms; `--rounds N` alternates N runs with
the mechanism off and N all-on runs after the first, and compares medians (this machine drifts by
seconds over minutes). Prints seconds, peak memory (PSS of all processes together, sampled every
50 ms) and the difference from all-on; the memory mechanisms are measured on a cold build with the
search index on (the default configuration), where Pagefind runs beside the build. A
mechanism that saves nothing measurable is a candidate for removal. Also measures save-to-reload
under `mkdocs serve` with everything on. Before each run that starts without a site, it waits
`run.QUIET` seconds after deleting the last one (this machine's file system is slow to create
files for a minute after many were deleted).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import serve_rebuild  # noqa: E402
from run import quiet_file_system, timed  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from generator.tuning import MECHANISMS  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795392000"}


def build(root: Path, without: str = "", config: str = "mkdocs.yml") -> tuple[float, int]:
    """Seconds and peak memory (MB: PSS of all its processes together) of `factcheck build` with the
    named mechanism off."""
    elapsed, _, pss = timed(["factcheck", "build", "--config-file", config], root,
                            env={**ENV, "FACTCHECK_WITHOUT": without})
    return elapsed, pss // 1024


def wait_for_background_deletion(root: Path) -> None:
    """Wait for the previous build's deleted files to be gone, the spare a cold build leaves to be
    made, and everything written to reach the disk, so that one measurement does not pay for the
    last one's background work."""
    deadline = time.monotonic() + 120
    making = root / ".factcheck-cache" / "spare-making.pid"
    while (making.exists() or any(p.name.startswith(".factcheck-trash-") for p in root.iterdir())) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    os.sync()


def edit(root: Path, n: int) -> None:
    claim = sorted((root / "claims").glob("*.yaml"))[0]
    text = claim.read_text(encoding="utf-8")
    claim.write_text(re.sub(r"summary: (Edit \d+\. )?", f"summary: Edit {n}. ", text, count=1), encoding="utf-8")


def fresh(root: Path, *, cache: bool) -> None:
    """Delete the published site and the spare (and with `cache`, the whole cache folder), then let
    the file system forget the deletion before the next build (see `run.QUIET`)."""
    wait_for_background_deletion(root)
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".factcheck-cache" / ("" if cache else "spare-site"), ignore_errors=True)
    quiet_file_system()


# Each mechanism is measured where it is meant to help: a cold build (every page rendered), a
# rebuild after one edit, or a refill (a rebuild with the cache kept but neither site nor spare,
# as in CI).
SCENARIOS = {
    "cold": ("gc-policy", "placeholder", "page-shell", "card-share", "spare-maker", "skip-markdown"),
    "cold with search": ("share-values", "give-back", "pagefind-decay", "painter-priority"),
    "rebuild": ("keep-in-place", "survey", "copier"),
    "refill": ("copier",),
    "after-cold": ("spare-maker",),
}


EDITS = itertools.count(1)
SEARCH_CONFIG = "mkdocs.default.yml"
"""The publication's default configuration (search on); `mkdocs.yml` has the search index off."""


def run(root: Path, scenario: str, without: str) -> tuple[float, int]:
    best = (1e9, 0)
    for _ in range(1 if scenario.startswith("cold") else 2):
        edit(root, next(EDITS))
        if scenario.startswith("cold"):
            fresh(root, cache=True)
        elif scenario == "refill":
            fresh(root, cache=False)
        elif scenario == "after-cold":  # the rebuild after a cold build, once the editor has edited
            fresh(root, cache=True)
            build(root, without)
            wait_for_background_deletion(root)
            edit(root, next(EDITS))
        wait_for_background_deletion(root)
        best = min(best, build(root, without, SEARCH_CONFIG if scenario == "cold with search" else "mkdocs.yml"))
    return best


def _median(runs: list[tuple[float, int]]) -> tuple[float, int]:
    """The median time of `runs`, and their largest peak memory."""
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--only", nargs="*", default=[], help="measure only these mechanisms")
    parser.add_argument("--rounds", type=int, default=1,
                        help="off and all-on runs per mechanism, alternating; medians compared (default 1)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fc-mechanisms-"))
    try:
        measure(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path, args: argparse.Namespace) -> None:
    root = work / "pub"
    subprocess.run(["factcheck", "synth", "--count", str(args.count), "--out", str(root)], check=True, env=ENV)
    config = root / "mkdocs.yml"
    shutil.copyfile(config, root / SEARCH_CONFIG)  # the default configuration, for the memory mechanisms
    config.write_text(config.read_text(encoding="utf-8").replace(
        "plugins:\n  - factcheck\n", "plugins:\n  - factcheck:\n      search_index: never\n"), encoding="utf-8")
    print(f"{args.count} claims, default configuration without the search index", flush=True)
    assert {m for ms in SCENARIOS.values() for m in ms} == set(MECHANISMS), "every mechanism is measured"
    rows = []
    for scenario, every in SCENARIOS.items():
        mechanisms = [m for m in every if not args.only or m in args.only]
        if not mechanisms:
            continue
        if not scenario.startswith("cold") and scenario != "after-cold":
            # a spare and a served site exist, as after any earlier rebuild
            for _ in range(2):
                edit(root, next(EDITS))
                build(root)
        before = run(root, scenario, "")
        print(f"  {scenario}, all on: {before[0]:.2f} s, {before[1]} MB", flush=True)
        for mechanism in mechanisms:
            ons, offs = [before], []
            for _ in range(args.rounds):  # off, then all on again: each off run lies between two all-on runs
                offs.append(run(root, scenario, mechanism))
                print(f"  {scenario}, {mechanism} off: {offs[-1][0]:.2f} s, {offs[-1][1]} MB", flush=True)
                ons.append(run(root, scenario, ""))
                print(f"  {scenario}, all on: {ons[-1][0]:.2f} s, {ons[-1][1]} MB", flush=True)
            before = ons[-1]
            rows.append((mechanism, scenario, _median(ons), _median(offs)))
    print("\n| mechanism | measured on | all on | this one off | time it saves | memory it saves |")
    print("|---|---|---|---|---|---|")
    for mechanism, scenario, on, off in rows:
        print(f"| {mechanism} | {scenario} | {on[0]:.2f} s, {on[1]} MB | {off[0]:.2f} s, {off[1]} MB "
              f"| {off[0] - on[0]:+.2f} s | {off[1] - on[1]:+d} MB |")
    wait_for_background_deletion(root)
    for _ in range(2):
        edit(root, next(EDITS))
        build(root)
    first, reload = serve_rebuild.measure(root)
    print(f"\nmkdocs serve: first build {first:.1f} s; save to reload after one edit {reload:.2f} s")


if __name__ == "__main__":
    main()
