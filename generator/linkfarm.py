"""Link stored pages into a site folder, in a process of its own.

A rebuild hands MkDocs only the pages that changed; every other page's stored output is
hard-linked into the new site, one folder and one link per page. Those are tens of thousands of
short system calls. In a thread of the building process, each would wait for the interpreter
lock that MkDocs holds while it renders (a few milliseconds every time), so the links are made
by a separate interpreter started on this file, which imports nothing but the standard library:

    python -I -S linkfarm.py STORE_FOLDER JOB_FILE

JOB_FILE holds `key NUL destination NUL` pairs; the stored page `STORE_FOLDER/key.html` becomes
`destination`. A failure is printed on stderr and ends the process with status 1.
"""

from __future__ import annotations

import os
import shutil
import sys


def link_all(folder: str, jobs: list[tuple[str, str]]) -> None:
    """Make each destination (a new file) a link to the stored page, or a copy where links fail."""
    made: set[str] = set()
    for key, dest in jobs:
        source = f"{folder}/{key}.html"
        parent = os.path.dirname(dest)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        try:
            os.link(source, dest)
        except FileExistsError:
            temporary = f"{dest}.{os.getpid()}.tmp"
            os.link(source, temporary)
            os.replace(temporary, dest)
        except OSError:
            shutil.copyfile(source, dest)


def read_jobs(path: str) -> list[tuple[str, str]]:
    with open(path, "rb") as handle:
        parts = handle.read().decode("utf-8").split("\0")
    return list(zip(parts[0:-1:2], parts[1::2]))


def write_jobs(path: str, jobs: list[tuple[str, str]]) -> None:
    with open(path, "wb") as handle:
        handle.write("".join(f"{key}\0{dest}\0" for key, dest in jobs).encode("utf-8"))


def main(argv: list[str]) -> int:
    folder, job_file = argv
    try:
        link_all(folder, read_jobs(job_file))
    except OSError as exc:
        print(f"{exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
