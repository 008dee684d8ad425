"""What each performance mechanism saves, measured on one rebuild after editing one claim.

    python benchmarks/mechanisms.py [--count 10000]

Writes a synthetic publication, builds it once (cold, default configuration but without the
search index, as the rebuild target says), then rebuilds after editing one claim: first with every
mechanism on, then with each one off in turn (`FACTCHECK_WITHOUT`, see `generator/tuning.py`).
Each rebuild is run twice and the faster kept. Prints seconds, peak RSS and the difference from
all-on for each; a mechanism that saves nothing measurable is a candidate for removal. Also
measures save-to-reload under `mkdocs serve` with everything on.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import serve_rebuild  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from generator.tuning import MECHANISMS  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795392000"}


def build(root: Path, without: str = "") -> tuple[float, int]:
    """Seconds and peak RSS (MB) of `factcheck build` with the named mechanism off."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
             "e = time.perf_counter() - t; sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else ''); "
             "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    out = subprocess.run([sys.executable, "-c", probe, "factcheck", "--root", str(root), "build"],
                         env={**ENV, "FACTCHECK_WITHOUT": without}, capture_output=True, text=True, check=False)
    elapsed, rss, code = out.stdout.split()
    if code != "0":
        raise SystemExit(out.stderr)
    return float(elapsed), int(rss) // 1024


def wait_for_background_deletion(root: Path) -> None:
    deadline = time.monotonic() + 120
    while any(p.name.startswith(".factcheck-trash-") for p in root.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)


def edit(root: Path, n: int) -> None:
    claim = sorted((root / "claims").glob("*.yaml"))[0]
    text = claim.read_text(encoding="utf-8")
    claim.write_text(re.sub(r"summary: (Edit \d+\. )?", f"summary: Edit {n}. ", text, count=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fc-mechanisms-"))
    root = work / "pub"
    subprocess.run(["factcheck", "synth", "--count", str(args.count), "--out", str(root)], check=True, env=ENV)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "plugins:\n  - factcheck\n", "plugins:\n  - factcheck:\n      search_index: never\n"), encoding="utf-8")
    cold, cold_rss = build(root)
    print(f"{args.count} claims; cold build without search: {cold:.1f} s, {cold_rss} MB", flush=True)
    n = 0
    rows = []
    for without in ["", *MECHANISMS]:
        best = (1e9, 0)
        for _ in range(2):
            n += 1
            edit(root, n)
            wait_for_background_deletion(root)
            best = min(best, build(root, without))
        rows.append((without or "(all on)", *best))
        print(f"  rebuild, {without or 'all on'} off" if without else "  rebuild, all on", f"{best[0]:.2f} s",
              f"{best[1]} MB", flush=True)
    base = rows[0][1]
    print("\n| mechanism turned off | rebuild after one edit | peak RSS | time it saves |")
    print("|---|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.2f} s | {rss} MB | {seconds - base:+.2f} s |")
    wait_for_background_deletion(root)
    first, reload = serve_rebuild.measure(root)
    print(f"\nmkdocs serve: first build {first:.1f} s; save to reload after one edit {reload:.2f} s")


if __name__ == "__main__":
    main()
