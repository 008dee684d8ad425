"""When each step of one `factcheck` command starts and ends, with the page faults so far.

    python benchmarks/phases.py build            # in a publication's folder: `factcheck build`, timed

Runs the command in this process, with the plugin's MkDocs events and the build's loading and
asset writing wrapped, and prints one line per step on stderr: seconds since the command started,
the process's minor page faults (each one a page of fresh memory; on a virtual machine that hands
freed memory back to its host, the dearest part of a rebuild after a long pause) and its peak
RSS. Nothing else differs from `factcheck build`. Used for the twelfth round of
docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import build, cli, plugin

STARTED = time.perf_counter()
EVENTS = ("on_config", "on_pre_build", "on_files", "on_nav", "on_env", "on_post_build")


def mark(step: str) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"phase {step:24s} {time.perf_counter() - STARTED:6.2f} s  {usage.ru_minflt:7d} faults  "
          f"{usage.ru_maxrss // 1024:4d} MB", file=sys.stderr, flush=True)


def timed(owner: type, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} starts")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"{label} ends")

    setattr(owner, name, wrapper)


def main() -> None:
    for event in EVENTS:
        timed(plugin.FactcheckPlugin, event, event)  # functools.wraps keeps MkDocs' event priority
    timed(build.Build, "load", "loading the claims")
    timed(build.Build, "write_assets", "feeds and open data")
    sys.argv = ["factcheck", *sys.argv[1:]]
    mark("imports done")
    cli.run()


if __name__ == "__main__":
    main()
