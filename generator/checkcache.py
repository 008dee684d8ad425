"""Parsed and checked content kept between runs, keyed by what the files contain.

Checking 10,000 claim files means parsing 10,000 YAML documents, validating them and verifying
every quote; after an edit to one claim, all but one of those results are still right. This
cache keeps, for each claim file, the parsed claim and the problems found, under a key made of
the file's bytes, its path and the code that reads it (`keys.content_digest`). The problems found by the cross-file
checks (references, dates, quotes) are kept together with the digest of what they were checked
against (data files, archived sources and today's date); when that changes, claims are checked
again from the cached parse, without reading YAML.

The archived sources and data files themselves (the references) are cached the same way, under
the digest of every file in the data and seeds folders.

Entries live in a few shard files (by key prefix), so that a rebuild after one edit rewrites
two small files rather than one large one. The cache is a local build artefact: like the page
cache it must never come from a commit or a pull request,
because it is read with pickle (`committed_file` is how callers check).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import keys
from .diagnostics import Diagnostic
from .output.fs import atomic_write
from .yamlsafe import MAX_FILE_BYTES

SHARDS = 32


def code_fingerprint() -> str:
    """What every cached result depends on besides the file itself (see `keys.content_digest`)."""
    return keys.content_digest()


def file_digest(rel: str, content_sha: str, fingerprint: str | None = None) -> str:
    """Key of one content file: the code that reads it, its path in the project and its bytes' digest."""
    return keys.digest(fingerprint or code_fingerprint(), rel, content_sha)


class FileHashes:
    """SHA-256 of content files, read again only when a file's size, modification time or inode
    changed, as git's index does. A file modified less than two seconds before the table was
    written is always read again, so an edit made while a build ran is never missed."""

    RACY_NS = 2_000_000_000

    def __init__(self, path: Path | None):
        self.path = path
        self.table: dict[str, tuple[tuple[int, int, int], str]] = {}
        self.written = 0
        self.used: set[str] = set()
        self.changed = False
        if path is None:
            return
        try:
            with _no_gc(), open(path, "rb") as handle:
                data = pickle.load(handle)
            self.table, self.written = data["table"], int(data["written"])
        except Exception:  # missing, torn or foreign: every file is read
            self.table, self.written = {}, 0

    def sha(self, file: str, rel: str) -> str | None:
        """The digest of a regular file's bytes, or None for a symbolic link or an oversized file
        (which are left to the full checks). Raises OSError if the file cannot be read."""
        info = os.lstat(file)
        if stat.S_ISLNK(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        signature = (info.st_size, info.st_mtime_ns, info.st_ino)
        self.used.add(rel)
        known = self.table.get(rel)
        if known is not None and known[0] == signature and info.st_mtime_ns < self.written - self.RACY_NS:
            return known[1]
        with open(file, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        self.table[rel] = (signature, digest)
        self.changed = True
        return digest

    def save(self, *, prune: bool) -> None:
        if self.path is None:
            return
        if prune and len(self.used) != len(self.table):
            self.table = {rel: v for rel, v in self.table.items() if rel in self.used}
            self.changed = True
        if not self.changed and self.written:
            return
        atomic_write(self.path, pickle.dumps({"table": self.table, "written": time.time_ns()},
                                             protocol=pickle.HIGHEST_PROTOCOL))
        self.changed = False


@contextmanager
def _no_gc() -> Iterator[None]:
    """Loading a pickle of many small objects is several times faster without the cyclic collector,
    which otherwise runs over every object created so far again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Entry:
    """What one claim file gave: its id and claim (None if it could not be parsed), the problems found
    while parsing, and the problems found by cross-file checks against `checked_against`."""

    cid: str | None
    rel: str
    claim: Any
    parse_problems: list[Diagnostic]
    checked_against: str = ""
    check_problems: list[Diagnostic] = field(default_factory=list)


class Pickled:
    """A value held as the bytes it was pickled to, in the process that made it (see `put_pickled`),
    with `changes` to its attributes made since (see `put_changed`)."""

    __slots__ = ("_value", "changes", "data")
    _UNREAD = object()

    def __init__(self, data: bytes, changes: dict[str, Any] | None = None):
        self.data, self.changes, self._value = data, changes or {}, self._UNREAD

    def __getstate__(self) -> tuple[bytes, dict[str, Any]]:
        return self.data, self.changes

    def __setstate__(self, state: tuple[bytes, dict[str, Any]]) -> None:
        self.data, self.changes = state
        self._value = self._UNREAD

    def value(self) -> Any:
        if self._value is self._UNREAD:
            value = pickle.loads(self.data)
            for name, changed in self.changes.items():
                setattr(value, name, changed)
            self._value = value
        return self._value


# Shards this process has read or written, by path: (size, modification time, inode), code
# fingerprint, entries. `mkdocs serve` rebuilds in one process; a shard file that has not changed
# since is not unpickled again (which is most of loading the cache). Entries are results of pure
# functions of their keys, so sharing them between builds is sharing equal values.
_LOADED: dict[str, tuple[tuple[int, int, int], str, dict[str, Any]]] = {}
_REMEMBER = [False]


def remember_shards(on: bool) -> None:
    """Keep the shards read or written in memory for the next build of this process (`mkdocs
    serve`); a one-off build lets them go (tens of megabytes at 10,000 claims)."""
    _REMEMBER[0] = on
    if not on:
        _LOADED.clear()



class CheckCache:
    """A dictionary of entries by key, stored in shard files under `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.entries: dict[str, Any] = {}
        self.changed: set[int] = set()
        self.used: set[str] = set()
        self._load()

    @staticmethod
    def _shard(key: str) -> int:
        return int(key[:4], 16) % SHARDS

    def _path(self, shard: int) -> Path:
        return self.folder / f"shard-{shard:02d}.pickle"

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        fingerprint = code_fingerprint()
        with _no_gc():
            for shard in range(SHARDS):
                path = self._path(shard)
                try:
                    info = os.stat(path)
                except FileNotFoundError:
                    continue
                signature = (info.st_size, info.st_mtime_ns, info.st_ino)
                remembered = _LOADED.get(str(path))
                if remembered is not None and remembered[0] == signature and remembered[1] == fingerprint:
                    self.entries.update(remembered[2])
                    continue
                try:
                    with open(path, "rb") as handle:
                        data = pickle.load(handle)
                except Exception:  # a torn or foreign file is a cache miss, never an error
                    self.changed.add(shard)
                    continue
                if not isinstance(data, dict) or data.get("code") != fingerprint:
                    self.changed.add(shard)
                    continue
                self.entries.update(data["entries"])
                if _REMEMBER[0]:
                    _LOADED[str(path)] = (signature, fingerprint, data["entries"])

    def get(self, key: str) -> Any:
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value.value() if isinstance(value, Pickled) else value

    def put(self, key: str, value: Any) -> None:
        self.entries[key] = value
        self.used.add(key)
        self.changed.add(self._shard(key))

    def put_pickled(self, key: str, data: bytes) -> None:
        """Store the value that `data` pickles, as those bytes. Pickling a string in this process
        would keep a UTF-8 copy of it beside the string for as long as the string lives (CPython
        caches it): 24 MB held to the end of a build that checked 10,000 claims on workers, had it
        pickled their claims again to store them."""
        self.put(key, Pickled(data))

    def put_changed(self, key: str, value: Any, changes: dict[str, Any]) -> None:
        """Store `value`: the value under `key`, with `changes` made to its attributes. A value
        stored as bytes stays those bytes, with the changes beside them (see `put_pickled`)."""
        stored = self.entries.get(key)
        if isinstance(stored, Pickled):
            again = Pickled(stored.data, {**stored.changes, **changes})
            again._value = value
            self.put(key, again)
        else:
            self.put(key, value)

    def save(self, *, prune: bool) -> None:
        """Write the shards that changed; with `prune`, drop entries this run did not use."""
        if prune:
            for key in [k for k in self.entries if k not in self.used]:
                del self.entries[key]
                self.changed.add(self._shard(key))
        if not self.changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        shards: dict[int, dict[str, Any]] = {shard: {} for shard in self.changed}
        for key, value in self.entries.items():
            shard = self._shard(key)
            if shard in shards:
                shards[shard][key] = value
        fingerprint = code_fingerprint()
        for shard, entries in shards.items():
            path = self._path(shard)
            data = {"code": fingerprint, "entries": entries}
            atomic_write(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
            if _REMEMBER[0]:
                info = os.stat(path)
                _LOADED[str(path)] = ((info.st_size, info.st_mtime_ns, info.st_ino), fingerprint, entries)
        self.changed.clear()


def committed_file(root: Path, cache_dir: Path) -> str | None:
    """The first file of `cache_dir` that the repository at `root` tracks, if any. A cache must only
    ever come from this machine's own runs: cached pages are published without being checked again,
    and cached checks are read with pickle, which can run code."""
    if not (root / ".git").exists():
        return None
    try:
        tracked = subprocess.run(["git", "ls-files", "-z", "--", str(cache_dir)], cwd=root,
                                 capture_output=True, check=False, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return tracked.split(b"\0")[0].decode(errors="replace") if tracked else None
