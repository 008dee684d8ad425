"""File-system steps every writer of output or cache files shares, each written once here."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path

TRASH_PREFIX = ".factcheck-trash-"


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` to `path` through a temporary file beside it, so that a reader (or a build
    that stops half-way) sees the old file or the new one, never part of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def copy_file(source: str, dest: str) -> None:
    """Copy `source` to a new file `dest` (never a link: a published file must not share its inode
    with the cache, or a tool that edits it in place would edit the cache too)."""
    try:
        shutil.copyfile(source, dest)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(source, dest)


def trash_name(folder: Path) -> Path:
    """A fresh hidden name in `folder` for something about to be deleted."""
    return folder / f"{TRASH_PREFIX}{os.getpid()}-{time.monotonic_ns()}"


def leftover_trash(folder: Path) -> list[Path]:
    """Trash that an earlier process left in `folder` (it stopped before deleting it)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(TRASH_PREFIX))


def move_to_trash(path: Path, into: Path | None = None) -> Path | None:
    """Move `path` out of the way under a trash name in `into` (default: beside it), for
    `delete_trash`; where it cannot move, delete it now. Returns the trash path, or None
    if nothing is left to delete."""
    if not os.path.lexists(path):
        return None
    moved = trash_name(into or path.parent)
    try:
        os.replace(path, moved)
    except OSError:
        delete_now(path)
        return None
    return moved


def delete_now(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def delete_trash(paths: Iterable[Path | None]) -> None:
    """Delete what `move_to_trash` moved aside (None entries are skipped)."""
    for path in paths:
        if path is not None:
            delete_now(path)


def process_alive(pid: int) -> bool:
    """Whether a process runs under `pid` (to tell what a stopped build or helper left behind)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
