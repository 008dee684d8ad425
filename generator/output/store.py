"""Files kept between builds under their keys: written pages and share cards."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .fs import atomic_write, copy_file


class FileStore:
    """A folder of files named by key (`<key><suffix>`). Files go in and come out as copies, so
    nothing outside the store ever shares an inode with it."""

    def __init__(self, folder: Path, suffix: str):
        self.folder = folder
        self.suffix = suffix
        folder.mkdir(parents=True, exist_ok=True)
        self._names = set(os.listdir(folder))

    def path(self, key: str) -> str:
        return f"{self.folder}/{key}{self.suffix}"

    def has(self, key: str) -> bool:
        return f"{key}{self.suffix}" in self._names

    def put_file(self, key: str, source: str) -> None:
        """Keep a copy of `source` under `key` (replacing the stored file whole)."""
        temporary = f"{self.folder}/.{key}.{os.getpid()}.tmp"
        copy_file(source, temporary)
        os.replace(temporary, self.path(key))
        self._names.add(f"{key}{self.suffix}")

    def put_bytes(self, key: str, data: bytes) -> None:
        atomic_write(Path(self.path(key)), data)
        self._names.add(f"{key}{self.suffix}")

    def prune(self, keep: Iterable[str], slack: float = 2.0) -> int:
        """Drop files no build asked for lately, once the store holds `slack` times what one build uses."""
        wanted = {f"{key}{self.suffix}" for key in keep}
        stored = [name for name in self._names if name.endswith(self.suffix)]
        if len(stored) <= max(len(wanted) * slack, 64):
            return 0
        dropped = 0
        for name in stored:
            if name not in wanted:
                (self.folder / name).unlink(missing_ok=True)
                self._names.discard(name)
                dropped += 1
        return dropped
