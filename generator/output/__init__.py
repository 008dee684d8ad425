"""The output layer: where a build writes, what it reuses from earlier builds, and how the result
is published. Nothing else in the package touches staging folders, stored files or trash.

One build goes through it in four steps:

1. `Output(target, ...)` picks the folder MkDocs writes into: a fresh staging folder beside the
   target for an atomic build, or the target itself under `mkdocs serve`. `clear()` empties it
   (its old contents move aside and are deleted in the background).
2. `plan(wanted)` takes every reusable file the build needs (output path -> key, see `keys`) and
   splits it into files the store already holds (`Plan.reuse`) and files to produce
   (`Plan.produce`: MkDocs or the card painter writes them).
3. `restore(plan, skip)` copies the reused files into the folder, in a process of its own, while
   MkDocs writes the rest. Copies, never links: a published file shares nothing with the cache.
4. `commit(produced)` waits for the copies, keeps a copy of each produced file in the store, and
   swaps the staging folder in; `abort()` throws the staging folder away and leaves the published
   site as it was.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .copier import Copying
from .fs import leftover_trash, move_to_trash, remove_in_background
from .store import FileStore

__all__ = ["Output", "OutputError", "Plan"]


class OutputError(Exception):
    """The output folder or the store could not be written; the message says which and why."""


@dataclass
class Plan:
    """Reusable files of one build by output path (relative to the site folder): the key of each,
    split into those whose stored copy is reused and those that must be produced."""

    reuse: dict[str, str] = field(default_factory=dict)
    produce: dict[str, str] = field(default_factory=dict)


class Output:
    def __init__(self, target: Path, *, store: Path | None, staged: bool, copy_in_process: bool = False):
        self.target = target.resolve()
        self.staged = staged
        self.store = FileStore(store, "") if store is not None else None
        self.copy_in_process = copy_in_process
        self.folder = self.target.with_name(f".{self.target.name}.staging-{os.getpid()}") if staged else self.target
        self.plan_made = Plan()
        """The plan of this build (see `plan`)."""
        self._copying: Copying | None = None
        self._trash: list[Path | None] = []

    # 1 ---------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Empty the folder MkDocs writes into (MkDocs would delete its files one by one)."""
        try:
            if self.staged:
                self._trash.extend(self._leftover_staging())
                self._trash.append(move_to_trash(self.folder))
                self._trash.extend(leftover_trash(self.target.parent))
                self.folder.mkdir(parents=True)
            elif self.folder.is_dir():
                # moved out of the folder, not just renamed in it: nothing to delete may be served
                self._trash.extend(move_to_trash(entry, into=self.folder.parent) for entry in self.folder.iterdir())
        except OSError as exc:
            raise OutputError(f"could not prepare the output folder {self.folder}: {exc}") from None

    def _leftover_staging(self) -> list[Path | None]:
        """Staging folders of builds that stopped without cleaning up (their process is gone)."""
        found: list[Path | None] = []
        for path in self.target.parent.glob(f".{self.target.name}.staging-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                found.append(move_to_trash(path))
        return found

    # 2 ---------------------------------------------------------------------------------------
    def plan(self, wanted: Mapping[str, str]) -> Plan:
        if self.store is None:
            self.plan_made = Plan(produce=dict(wanted))
        else:
            has = self.store.has
            self.plan_made = Plan(reuse={p: k for p, k in wanted.items() if has(k)},
                                  produce={p: k for p, k in wanted.items() if not has(k)})
        return self.plan_made

    # 3 ---------------------------------------------------------------------------------------
    def restore(self, skip: Collection[str] = ()) -> None:
        """Copy every reused file not in `skip` (output paths MkDocs writes itself) into the folder."""
        if self.store is None:
            return
        root, store = str(self.folder), self.store
        jobs = [(store.path(key), f"{root}/{path}") for path, key in self.plan_made.reuse.items() if path not in skip]
        job_file = store.folder.with_name(f"copy-{os.getpid()}.jobs")
        try:
            self._copying = Copying(jobs, job_file, in_process=self.copy_in_process)
        except OSError as exc:
            raise OutputError(f"could not copy unchanged files from the cache: {exc}") from None

    def settle(self) -> None:
        """Wait until every reused file is in the folder."""
        copying, self._copying = self._copying, None
        if copying is not None:
            try:
                copying.wait()
            except OSError as exc:
                raise OutputError(f"could not copy unchanged files from the cache: {exc}") from None

    # 4 ---------------------------------------------------------------------------------------
    def commit(self, produced: Mapping[str, str]) -> None:
        """Keep a copy of each produced file (output path -> key), then publish the folder."""
        self.settle()
        try:
            if self.store is not None:
                for path, key in produced.items():
                    if not self.store.has(key):
                        self.store.put_file(key, f"{self.folder}/{path}")
                self.store.prune([*self.plan_made.reuse.values(), *self.plan_made.produce.values()])
            if self.staged:
                self._trash.append(move_to_trash(self.target))
                os.replace(self.folder, self.target)
        except OSError as exc:
            raise OutputError(f"could not publish the site to {self.target}: {exc}") from None
        finally:
            self._clean()

    def abort(self) -> None:
        """Throw away what this build wrote; the published site stays as it was."""
        if self._copying is not None:
            self._copying.abort()
            self._copying = None
        if self.staged:
            self._trash.append(move_to_trash(self.folder))
        self._clean()

    def _clean(self) -> None:
        trash, self._trash = self._trash, []
        remove_in_background(trash)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
