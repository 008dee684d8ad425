"""Where the time and memory of the default build go.

    python benchmarks/build_profile.py --count 10000

Writes a synthetic publication, then runs a cold `mkdocs build` (default configuration: share
cards and search on) twice: once sampling the memory of every process of the build every 50 ms
(grouped by role: the build itself, the claim renderer, the card painter, Pagefind), once under
cProfile. Prints the peak memory of each role at the moment the whole tree peaked, each role's
own peak, the CPU time of each role, and the functions of the build
process with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import ENV, _memory, _tree, settle  # noqa: E402


def role(pid: int, main: int) -> str:
    if pid == main:
        return "build (MkDocs + factcheck)"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if not command:
        return "?"  # exited, not yet reaped: its command line is gone (its CPU time is still there)
    for marker, name in (("generator.cards", "card painter"), ("pagefind", "Pagefind"),
                         ("generator.output.copier", "copier"), ("generator.output.spare", "spare maker")):
        if marker in command:
            return name
    return "claim renderer (fork)"


def sample(pub: Path) -> None:
    started = time.perf_counter()
    process = subprocess.Popen(["mkdocs", "build", "-q"], cwd=pub, env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak_total, at_peak, own_peak = 0, {}, {}
    cpu: dict[int, tuple[str, float, float]] = {}  # pid -> role, user and system seconds last seen
    while process.poll() is None:
        by_role: dict[str, int] = {}
        for pid in _tree(process.pid):
            name = role(pid, process.pid)
            if name == "?" and pid in cpu:
                name = cpu[pid][0]
            by_role[name] = by_role.get(name, 0) + _memory(pid)[1]
            used = _cpu(pid)
            if used is not None:
                cpu[pid] = (name, *used)
        total = sum(by_role.values())
        for name, pss in by_role.items():
            own_peak[name] = max(own_peak.get(name, 0), pss)
        if total > peak_total:
            peak_total, at_peak = total, dict(by_role, at=int((time.perf_counter() - started) * 1000))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    print(f"cold default build: {elapsed:.1f} s; peak PSS of all processes {peak_total / 1024:.0f} MB "
          f"at {at_peak.pop('at') / 1000:.1f} s")
    print("| process | PSS at the peak | own peak PSS |\n|---|---|---|")
    for name in sorted(own_peak, key=lambda n: -own_peak[n]):
        print(f"| {name} | {at_peak.get(name, 0) / 1024:.0f} MB | {own_peak[name] / 1024:.0f} MB |")
    print("\nCPU time by process (last seen, every 50 ms; a process's last moments are missed)")
    print("| process | processes | user | system |\n|---|---|---|---|")
    for name in sorted({n for n, _, _ in cpu.values()}):
        rows = [(u, s) for n, u, s in cpu.values() if n == name]
        print(f"| {name} | {len(rows)} | {sum(u for u, _ in rows):.1f} s | {sum(s for _, s in rows):.1f} s |")


def _cpu(pid: int) -> tuple[float, float] | None:
    """User and system seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def profile(pub: Path, top: int) -> None:
    from mkdocs.commands import build
    from mkdocs.config import load_config

    os.environ.update(ENV)
    os.chdir(pub)
    config = load_config("mkdocs.yml")
    config.plugins.on_startup(command="build", dirty=False)
    profiler = cProfile.Profile()
    profiler.enable()
    build.build(config)
    profiler.disable()
    config.plugins.on_shutdown()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\ncProfile of the build process (its own CPU time: {total:.1f} s; other processes not included)")
    print("| cumulative | function |\n|---|---|")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][3])  # type: ignore[attr-defined]
    shown = 0
    for (path, line, name), (_, _, _, cumulative, _) in rows:
        if name in {"<module>", "<built-in method builtins.exec>"} or cumulative < total * 0.02:
            continue
        print(f"| {cumulative:.1f} s | {name} ({Path(path).name}:{line}) |")
        shown += 1
        if shown == top:
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="factcheck-profile-") as tmp:
        pub = Path(tmp) / "pub"
        subprocess.run(["factcheck", "synth", "--count", str(args.count), "--out", str(pub)], check=True, env=ENV,
                       stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        sample(pub)
        settle(pub)  # the spare the build leaves is being made in the background: not in the next run
        for leftover in (pub / ".factcheck-cache", pub / "site"):
            shutil.rmtree(leftover)
        profile(pub, args.top)
        settle(pub)  # nor in the folder being deleted


if __name__ == "__main__":
    main()
