"""Files of an earlier build kept where they are, when they are provably what this tool wrote.

A rebuild after one edit needs the same ten thousand pages and cards as the build before. Copying
them from the store every time costs seconds, so the folder a build writes into starts as the site
of an earlier build (the spare, or the served folder itself) and a file there is kept only if:

- the manifest that build saved lists it under the key this build wants at that path, and
- its status is still what the manifest recorded: the same inode, size, modification time and
  change time. Any write to a file changes its change time (ctime), which no program can set back,
  so a file edited in place after it was published, or replaced, is never kept.

Every other file is deleted. MkDocs empties the output folder before it builds, but leaves hidden
entries alone, so `hide` moves the earlier files under a hidden name and `take_back` returns the
folders that hold reusable files once the build knows what it wants.
"""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Collection, Mapping
from pathlib import Path

from .fs import atomic_write, move_to_trash

HIDDEN = ".factcheck-previous"
Signature = tuple[int, int, int, int]
Manifest = dict[str, tuple[str, Signature]]
"""Output path -> (key, signature) of each file a build left in its folder."""


def signature(path: str) -> Signature | None:
    """Inode, size, modification and change time of a regular file; None for anything else."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def record(folder: Path, files: Mapping[str, str]) -> Manifest:
    """The manifest of `files` (output path -> key) as they are in `folder` now."""
    manifest: Manifest = {}
    root = str(folder)
    for path, key in files.items():
        found = signature(f"{root}/{path}")
        if found is not None:
            manifest[path] = (key, found)
    return manifest


def load(path: Path) -> Manifest:
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing, torn or foreign: nothing is kept
        return {}
    return data if isinstance(data, dict) else {}


def save(path: Path, manifest: Manifest) -> None:
    atomic_write(path, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))


def hide(folder: Path) -> Path | None:
    """Move everything in `folder` under its hidden subfolder, out of the way of MkDocs' cleaning.
    Returns the trash left by an earlier hidden subfolder, if any."""
    previous = folder / HIDDEN
    leftover = move_to_trash(previous, into=folder.parent)
    previous.mkdir()
    with os.scandir(folder) as entries:
        for entry in list(entries):
            if entry.name != HIDDEN:
                os.replace(entry.path, previous / entry.name)
    return leftover


def take_back(folder: Path, wanted: Mapping[str, str], manifest: Manifest, skip: Collection[str]) -> set[str]:
    """Return the hidden folders that hold wanted files to their places, keeping only the files
    that are wanted under the key their manifest entry records and whose status is unchanged (and
    that MkDocs will not write itself); delete every other file. Returns the output paths kept.
    What is left hidden is moved out of `folder` for the caller to delete (`leftovers`)."""
    previous = folder / HIDDEN
    kept: set[str] = set()
    if not previous.is_dir():
        return kept
    tops = {path.split("/", 1)[0] for path in wanted if "/" in path}
    with os.scandir(previous) as entries:
        candidates = [e for e in entries if e.name in tops and e.is_dir(follow_symlinks=False)]
    for entry in candidates:
        target = folder / entry.name
        if os.path.lexists(target):
            continue
        os.replace(entry.path, target)
        _sort_through(str(target), entry.name, wanted=wanted, manifest=manifest, skip=skip, kept=kept)
    return kept


def _sort_through(path: str, rel: str, *, wanted: Mapping[str, str], manifest: Manifest, skip: Collection[str],
                  kept: set[str]) -> bool:
    """Keep the valid files under `path` (output path `rel`); delete the rest. True if any was kept."""
    any_kept = False
    with os.scandir(path) as entries:
        for entry in list(entries):
            child = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if _sort_through(entry.path, child, wanted=wanted, manifest=manifest, skip=skip, kept=kept):
                    any_kept = True
                else:
                    os.rmdir(entry.path)
                continue
            known = manifest.get(child)
            key = wanted.get(child)
            if key is not None and child not in skip and known is not None and known[0] == key \
                    and known[1] == signature(entry.path):
                kept.add(child)
                any_kept = True
            else:
                os.unlink(entry.path)
    return any_kept


def leftovers(folder: Path) -> Path | None:
    """Move what `take_back` did not return out of `folder`, for deletion."""
    return move_to_trash(folder / HIDDEN, into=folder.parent)
