"""The folders and files of an earlier site, with each file's status, listed in a process of its own.

A rebuild keeps the earlier site's files that are provably unchanged (see `kept`), which takes
the status of every one of them: at 10,000 claims, a listing of 11,600 folders and an `lstat` of
32,000 files. In the building process that made taking them back 0.5 s of a rebuild on its one
busy core (0.15-0.3 s with the survey), while the other core was idle. So `Survey` starts a
separate interpreter on this file as soon as the earlier files are hidden, before the claims
are even loaded:

    python -I -S survey.py FOLDER

It imports nothing but the standard library and prints the listing of FOLDER, pickled as plain
lists and dicts, on its standard output; `Survey.listing` waits for it, and lists the folder in
this process instead when the survey could not be made. The listing is taken once the earlier site is hidden in the
build's own folder, where nothing but this build writes; a file written there afterwards would
not be seen, exactly as a file written after an in-process listing would not be.
"""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
from dataclasses import dataclass, field

Signature = tuple[int, int, int, int]


@dataclass
class Listing:
    """What a folder holds, by path relative to it: its folders, parents before children, and
    its other entries with the signature of each regular file (None for anything else)."""

    folders: list[str] = field(default_factory=list)
    files: dict[str, Signature | None] = field(default_factory=dict)


def signature_of(info: os.stat_result) -> Signature | None:
    """Inode, size, modification and change time of a regular file; None for anything else."""
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def signature(path: str) -> Signature | None:
    try:
        return signature_of(os.lstat(path))
    except OSError:
        return None


def walk(root: str) -> Listing:
    """The listing of `root`, made here. Symbolic links are entries, never followed."""
    listing = Listing()
    pending = [("", root)]
    while pending:
        rel, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                child = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    listing.folders.append(child)
                    pending.append((child, entry.path))
                else:
                    try:
                        listing.files[child] = signature_of(entry.stat(follow_symlinks=False))
                    except OSError:
                        listing.files[child] = None
    return listing


class Survey:
    """The listing of a folder, being made by a separate process."""

    def __init__(self, folder: str):
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None
        try:
            self.process = subprocess.Popen([sys.executable, "-I", "-S", __file__, folder], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self.process = None

    def listing(self) -> Listing:
        """The folder's listing: the process's, or made here if it failed."""
        process, self.process = self.process, None
        if process is not None:
            out, _ = process.communicate()
            if process.returncode == 0:
                try:  # plain lists and dicts: a class pickled by the script would be `__main__`'s
                    folders, files = pickle.loads(out)
                    return Listing(folders, files)
                except Exception:  # torn output: list the folder here
                    pass
        return walk(self.folder)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.communicate()


def main(argv: list[str]) -> int:
    try:
        listing = walk(argv[0])
    except OSError:
        return 1
    sys.stdout.buffer.write(pickle.dumps((listing.folders, listing.files), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
