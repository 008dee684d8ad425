"""Files kept between builds under their keys: written pages and share cards."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .fs import copy_file


def put(folder: str, key: str, source: str, unchanged: Callable[[], bool] = lambda: True) -> bool:
    """Copy `source` into the store `folder` under `key`, through a temporary file, so that the
    stored file is replaced whole; only if `unchanged()` still holds once copied. No temporary
    file stays behind, whatever happens."""
    temporary = f"{folder}/.{key}.{os.getpid()}.tmp"
    try:
        copy_file(source, temporary)  # a copy, never a link
        if not unchanged():
            os.unlink(temporary)
            return False
        os.replace(temporary, f"{folder}/{key}")
    except BaseException:  # a full disk, a stop: no half copy stays in the store
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return True


class FileStore:
    """A folder of files named by their key. Files go in and come out as copies, so nothing
    outside the store ever shares an inode with it."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._names = set(os.listdir(folder))

    def refresh(self) -> None:
        """List the folder again (another process may have stored files since)."""
        self._names = set(os.listdir(self.folder))

    def path(self, key: str) -> str:
        return f"{self.folder}/{key}"

    def has(self, key: str) -> bool:
        return key in self._names

    def put_file(self, key: str, source: str) -> None:
        """Keep a copy of `source` under `key` (replacing the stored file whole)."""
        put(str(self.folder), key, source)
        self._names.add(key)

    def prune(self, keep: Iterable[str], slack: float = 2.0) -> int:
        """Drop files no build asked for lately, once the store holds `slack` times what one build uses."""
        wanted = set(keep)
        stored = [name for name in self._names if not name.startswith(".")]
        if len(stored) <= max(len(wanted) * slack, 64):
            return 0
        dropped = 0
        for name in stored:
            if name not in wanted:
                (self.folder / name).unlink(missing_ok=True)
                self._names.discard(name)
                dropped += 1
        return dropped
