"""The output layer: where a build writes, what it reuses from earlier builds, and how the result
is published. Nothing else in the package touches staging folders, stored files or trash.

One build goes through it in four steps:

1. `Output(target, ...)` picks the folder MkDocs writes into: a staging folder beside the target
   for an atomic build (the site an earlier build replaced, the spare, when there is one), or the
   target itself under `mkdocs serve`. `clear()` hides what the folder holds from MkDocs'
   cleaning (see `kept`).
2. `plan(wanted)` takes every reusable file the build needs (output path -> key, see `keys`) and
   splits it into files the store already holds (`Plan.reuse`) and files to produce
   (`Plan.produce`: MkDocs or the card painter writes them).
3. `restore(skip)` keeps the reused files that are still in the folder, provably unchanged since
   this tool wrote them (`kept`; their status is taken by a separate process that `clear` started,
   see `survey`), deletes everything else there, and copies the missing ones from
   the store in a process of its own while MkDocs writes the rest. Copies, never links: a
   published file shares nothing with the cache.
4. `commit(produced)` waits for the copies, keeps a copy of each produced file in the store
   (after a cold build, the spare maker does that from the published site, see `spare`),
   records the folder's manifest, and swaps the staging folder in (the replaced site becomes the
   spare); `abort()` throws the staging folder away and leaves the published site as it was.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import kept, spare
from .copier import Copying
from .fs import delete_trash, leftover_trash, move_to_trash, process_alive
from .store import FileStore
from .survey import Survey

__all__ = ["Output", "OutputError", "Plan"]


class OutputError(Exception):
    """The output folder or the store could not be written; the message says which and why."""


@dataclass
class Plan:
    """Reusable files of one build by output path (relative to the site folder): the key of each,
    split into those whose stored copy is reused and those that must be produced."""

    reuse: dict[str, str] = field(default_factory=dict)
    produce: dict[str, str] = field(default_factory=dict)


# Manifests of folders served by this process (`mkdocs serve` rebuilds in one process).
_SERVED: dict[str, kept.Manifest] = {}


class Output:
    def __init__(self, target: Path, *, store: Path | None, staged: bool, copy_in_process: bool = False,
                 keep_in_place: bool = True, make_spare: bool = False, survey: bool = True):
        self.target = target.resolve()
        self.staged = staged
        self.store = FileStore(store) if store is not None else None
        self.copy_in_process = copy_in_process
        self.keep_in_place = keep_in_place and store is not None
        self.folder = self.target.with_name(f".{self.target.name}.staging-{os.getpid()}") if staged else self.target
        cache = self.cache = store.parent if store is not None else None
        self.spare = cache / spare.SPARE if cache is not None else None
        self.make_spare = make_spare and self.keep_in_place and staged
        """Leave a spare behind a build that replaced no site (see `spare`)."""
        self.manifests = cache / "manifests" if cache is not None else None
        self.manifest: kept.Manifest = {}
        """What the folder held from an earlier build (see `kept`)."""
        self.plan_made = Plan()
        """The plan of this build (see `plan`)."""
        self.survey = survey
        """List the hidden earlier files in a process of their own while the build goes on (see `survey`)."""
        self._survey: Survey | None = None
        self._copying: Copying | None = None
        self._in_place: dict[str, kept.Signature] = {}
        self._trash: list[Path | None] = []
        self.kept_in_place = 0

    # 1 ---------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Hide what the folder MkDocs writes into holds (MkDocs would delete it file by file)."""
        try:
            if self.cache is not None:
                spare.wait(self.cache)  # a spare still being made after the build before
            if self.store is not None:
                self.store.refresh()  # with what that spare maker stored
            if self.staged:
                self._trash.extend(self._leftover_staging())
                self._trash.append(move_to_trash(self.folder))
                self._trash.extend(leftover_trash(self.target.parent))
                self._take_spare()
            elif self.keep_in_place:
                self.manifest = _SERVED.pop(str(self.folder), {})
            if self.folder.is_dir() and self.keep_in_place:
                self._trash.append(kept.hide(self.folder))
                if self.survey and self.manifest:
                    self._survey = Survey(str(self.folder / kept.HIDDEN))
            elif self.folder.is_dir():
                # moved out of the folder, not just renamed in it: nothing to delete may be served
                self._trash.extend(move_to_trash(entry, into=self.folder.parent) for entry in self.folder.iterdir())
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"could not prepare the output folder {self.folder}: {exc}") from None

    def _take_spare(self) -> None:
        """Start from the site an earlier build replaced, with its manifest, when there is one."""
        if self.spare is None or self.manifests is None or not self.keep_in_place:
            return
        manifest = kept.load(self.manifests / "spare.pickle")
        if self.spare.is_dir() and not self.spare.is_symlink() and manifest:
            try:
                os.replace(self.spare, self.folder)
                self.manifest = manifest
            except OSError:  # another file system: no reuse in place, no harm
                self._trash.append(move_to_trash(self.spare))
        elif os.path.lexists(self.spare):
            self._trash.append(move_to_trash(self.spare))

    def _leftover_staging(self) -> list[Path | None]:
        """Staging folders of builds that stopped without cleaning up (their process is gone)."""
        found: list[Path | None] = []
        for path in self.target.parent.glob(f".{self.target.name}.staging-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
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

    def add_produced(self, files: Mapping[str, str]) -> None:
        """Files written after the plan was made (the search bundles, whose file names are known
        only once Pagefind has run): stored at `commit` and recorded like any produced file."""
        self.plan_made.produce.update(files)

    # 3 ---------------------------------------------------------------------------------------
    def restore(self, skip: Collection[str] = ()) -> None:
        """Put every reused file not in `skip` (output paths MkDocs writes itself) in the folder:
        kept in place where it provably is what this tool wrote, copied from the store otherwise."""
        if self.store is None:
            return
        root, store, reuse = str(self.folder), self.store, self.plan_made.reuse
        try:
            survey, self._survey = self._survey, None
            listing = survey.listing() if survey is not None else None
            in_place = self._in_place = kept.take_back(self.folder, reuse, self.manifest, skip, listing) \
                if self.keep_in_place else {}
            self._trash.append(kept.leftovers(self.folder))
            jobs = [(store.path(key), f"{root}/{path}") for path, key in reuse.items()
                    if path not in skip and path not in in_place]
            job_file = store.folder.with_name(f"copy-{os.getpid()}.jobs")
            self._copying = Copying(jobs, job_file, in_process=self.copy_in_process)
        except OSError as exc:
            raise OutputError(f"could not copy unchanged files from the cache: {exc}") from None
        self.kept_in_place = len(in_place)

    def settle(self) -> None:
        """Wait until every reused file is in the folder."""
        copying, self._copying = self._copying, None
        if copying is not None:
            try:
                copying.wait()
            except OSError as exc:
                raise OutputError(f"could not copy unchanged files from the cache: {exc}") from None

    # 4 ---------------------------------------------------------------------------------------
    def stores_later(self) -> bool:
        """Whether this build is to leave a spare (no site yet, see `commit`), whose maker also
        stores the new files: a producer need not write them to the store itself."""
        return self.make_spare and self.cache is not None and not os.path.lexists(self.target)

    def commit(self, produced: Mapping[str, str]) -> None:
        """Keep a copy of each produced file (output path -> key), then publish the folder."""
        self.settle()
        try:
            manifest = kept.record(self.folder, {**self.plan_made.reuse, **self.plan_made.produce}, self._in_place) \
                if self.keep_in_place else {}
            # A build that replaces no site leaves a spare (see `spare`); its maker also stores the
            # build's new files, from the published site. Every other build stores them itself.
            cache = self.cache if self.stores_later() else None
            spare_next = cache is not None and spare.can_start(cache, manifest)
            unstored: dict[str, str] = {}
            if self.store is not None:
                unstored = {path: key for path, key in produced.items() if not self.store.has(key)}
                if not spare_next:
                    self._store(unstored, self.folder)
                self.store.prune([*self.plan_made.reuse.values(), *self.plan_made.produce.values()])
            if self.staged:
                self._publish(manifest)
                if spare_next and cache is not None and self.store is not None and not spare.start(
                        cache, self.store.folder, manifest, site=self.target, unstored=unstored):
                    self._store(unstored, self.target)  # another build made a spare meanwhile
            elif self.keep_in_place:
                _SERVED[str(self.folder)] = manifest
        except OSError as exc:
            raise OutputError(f"could not publish the site to {self.target}: {exc}") from None
        finally:
            self._clean()

    def _store(self, files: Mapping[str, str], folder: Path) -> None:
        """Keep a copy of each of `files` (output path -> key), as it is in `folder`, in the store."""
        assert self.store is not None
        for path, key in files.items():
            self.store.put_file(key, f"{folder}/{path}")

    def _publish(self, manifest: kept.Manifest) -> None:
        """Swap the staging folder in; the replaced site becomes the spare, with its manifest."""
        replaced = self.target.exists() or self.target.is_symlink()
        if replaced and self.keep_in_place and self.spare is not None and self.manifests is not None \
                and not os.path.lexists(self.spare) and self.target.is_dir() and not self.target.is_symlink():
            os.replace(self.target, self.spare)
            site_manifest = self.manifests / "site.pickle"
            self.manifests.mkdir(parents=True, exist_ok=True)
            if site_manifest.exists():
                os.replace(site_manifest, self.manifests / "spare.pickle")
            else:
                (self.manifests / "spare.pickle").unlink(missing_ok=True)
        elif replaced:
            self._trash.append(move_to_trash(self.target))
        os.replace(self.folder, self.target)
        if self.keep_in_place and self.manifests is not None:
            kept.save(self.manifests / "site.pickle", manifest)

    def abort(self) -> None:
        """Throw away what this build wrote; the published site stays as it was."""
        if self._copying is not None:
            self._copying.abort()
            self._copying = None
        if self.staged:
            self._trash.append(move_to_trash(self.folder))
        self._clean()

    def _clean(self) -> None:
        if self._survey is not None:  # a build stopped before `restore`
            self._survey.stop()
            self._survey = None
        trash, self._trash = self._trash, []
        delete_trash(trash)

