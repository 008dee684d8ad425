"""Copy files into a site folder in a process of its own.

A rebuild hands MkDocs only the pages that changed; every other page is copied from the store into
the new site, one folder and one file per page: tens of thousands of short system calls. In a
thread of the building process each would wait for the interpreter lock that MkDocs holds while it
renders, so the copies are made by a separate interpreter started on this file, which imports
nothing but the standard library:

    python -I -S copier.py JOB_FILE

JOB_FILE holds `source NUL destination NUL` pairs. A failure is printed on stderr and ends the
process with status 1. `Copying` starts and waits for such a process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def copy_all(jobs: Sequence[tuple[str, str]]) -> None:
    made: set[str] = set()
    for source, dest in jobs:
        parent = os.path.dirname(dest)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        shutil.copyfile(source, dest)


def read_jobs(path: str) -> list[tuple[str, str]]:
    with open(path, "rb") as handle:
        parts = handle.read().decode("utf-8").split("\0")
    return list(zip(parts[0:-1:2], parts[1::2], strict=True))


def write_jobs(path: str, jobs: Sequence[tuple[str, str]]) -> None:
    with open(path, "wb") as handle:
        handle.write("".join(f"{source}\0{dest}\0" for source, dest in jobs).encode("utf-8"))


class Copying:
    """A running copier process (or, with `in_process`, copies made at once)."""

    def __init__(self, jobs: Sequence[tuple[str, str]], job_file: Path, *, in_process: bool = False):
        self.job_file = job_file
        self.process: subprocess.Popen[bytes] | None = None
        if in_process or not jobs:
            copy_all(jobs)
            return
        write_jobs(str(job_file), jobs)
        self.process = subprocess.Popen([sys.executable, "-I", "-S", __file__, str(job_file)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> None:
        """Wait for every copy; raise OSError if the process could not make them."""
        if self.process is None:
            return
        _, errors = self.process.communicate()
        self.job_file.unlink(missing_ok=True)
        if self.process.returncode != 0:
            raise OSError(errors.decode(errors="replace").strip() or f"exit status {self.process.returncode}")

    def abort(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
            self.job_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    try:
        copy_all(read_jobs(argv[0]))
    except OSError as exc:
        print(f"{exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
