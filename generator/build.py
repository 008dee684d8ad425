"""One build of a publication, independent of MkDocs: load, validate, render, check the output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import linkfarm, urls
from .checkcache import CheckCache, committed_file
from .cards import CardPainter, card_path
from .corpus import PLACEHOLDER, Corpus, Project, claim_file_names, load_corpus
from .diagnostics import format_diagnostics
from .linkfarm import write_jobs
from .feeds import open_data_assets, open_data_entries
from .render import ClaimCache, GeneratedPage, Renderer, SiteInfo, templates_fingerprint
from .search import SearchIndexError, index_site


class BuildError(Exception):
    """Content or output problems that must stop the build; the message is for editors."""


@dataclass
class Build:
    project: Project
    site: SiteInfo
    cache_dir: Path | None = None
    only: list[Path] | None = None
    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    painter: CardPainter | None = None
    temporary_assets: Path | None = None

    @classmethod
    def from_settings(cls, *, root: Path, claims_dir: str = "claims", data_dir: str = "data", seeds_dir: str = "seeds",
                      cache_dir: str | None = ".factcheck-cache", site_name: str, site_url: str,
                      description: str = "", directory_urls: bool = True, language: str = "en") -> "Build":
        project = Project(root, claims_dir, data_dir, seeds_dir)
        url = site_url if site_url.endswith("/") else site_url + "/"
        site = SiteInfo(site_name, url, description, directory_urls, language)
        cache = (root / cache_dir) if cache_dir else None
        return cls(project, site, cache)

    def load(self) -> Corpus:
        corpus, diagnostics = load_corpus(self.project, only=self.only, cache_dir=self.cache_dir)
        self.diagnostics = diagnostics
        blocking = diagnostics.errors + [d for d in diagnostics.warnings if d.code == PLACEHOLDER]
        if blocking:
            raise BuildError(f"factcheck: {len(blocking)} error(s) in content; nothing was published.\n"
                             + format_diagnostics(blocking)
                             + "\nRun `factcheck validate` for the full report.")
        return corpus

    @cached_property
    def corpus(self) -> Corpus:
        return self.load()

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.corpus, self.site, ClaimCache(self.cache_dir))

    def render(self, *, background: bool = False) -> dict[str, GeneratedPage]:
        """Every generated page. With `background`, claim pages may still be rendering on other cores
        when this returns: reading a page's body waits for it, and `finish` must be called."""
        self.renderer.background_ok = background
        self.pages = {page.src_uri: page for page in self.renderer.all_pages()}
        return self.pages

    def finish(self) -> None:
        """Wait for background rendering and save the cache index (once MkDocs has copied the assets)."""
        if "renderer" in self.__dict__:
            self.renderer.finish()
        self._drop_temporary_assets()

    def abort(self) -> None:
        if "renderer" in self.__dict__:
            self.renderer.abort()
        if self.painter is not None:
            self.painter.stop()
        self._drop_temporary_assets()

    def _drop_temporary_assets(self) -> None:
        if self.temporary_assets is not None:
            shutil.rmtree(self.temporary_assets, ignore_errors=True)
            self.temporary_assets = None

    def assets(self) -> dict[str, Iterable[bytes]]:
        """Stylesheet, feeds and open data, by output path, as pieces of UTF-8 to write in turn."""
        renderer = self.renderer
        cached = self.cache_dir is not None and not self.only
        keys = {cid: renderer.claim_key(cid) for cid in self.corpus.claims}
        entries = open_data_entries(self.corpus, self.site, renderer.scale_bounds, keys,
                                    CheckCache(self.cache_dir / "open-data") if cached else None)
        feeds = CheckCache(self.cache_dir / "feeds") if cached else None
        return {"assets/factcheck/verdicts.css": [renderer.verdict_css().encode()],
                **open_data_assets(self.corpus, self.site, renderer.scale_bounds, entries, keys, feeds,
                                   renderer.context_key)}

    def write_assets(self) -> dict[str, Path]:
        """The assets written to files (in the cache folder, or a temporary one), by output path, so that
        MkDocs copies them rather than keeping tens of megabytes of feeds in memory until it does."""
        if self.cache_dir is not None:
            folder = self.cache_dir / "assets"
        else:
            folder = self.temporary_assets = Path(tempfile.mkdtemp(prefix="factcheck-assets-"))
        written = {}
        for path, chunks in self.assets().items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                handle.writelines(chunks)
            os.replace(temporary, target)
            written[path] = target
        return written

    def check_output(self, site_dir: Path) -> None:
        """Every claim file must have become a page: a claim is never silently dropped."""
        files = self.only if self.only is not None else claim_file_names(self.project)
        missing = []
        root = str(site_dir)
        for cid in self.corpus.claims:
            url = self.site.page_url(f"claims/{cid}.md")
            target = f"{root}/{url}index.html" if url.endswith("/") else f"{root}/{url}"
            if not os.path.isfile(target):
                missing.append(cid)
        if len(files) != len(self.corpus.claims) or missing:
            raise BuildError(f"factcheck: {len(files)} claim file(s) but {len(self.corpus.claims) - len(missing)} "
                             f"claim page(s) written; missing: {', '.join(sorted(missing)) or '(unreadable files)'}")


    def card_jobs(self) -> list[tuple[str, dict[str, str]]]:
        jobs = []
        for cid, claim in sorted(self.corpus.claims.items()):
            speaker = self.corpus.speakers[claim.statement.speaker]
            verdict = self.corpus.verdicts[claim.verdict.rating]
            jobs.append((cid, {"site_name": self.site.name, "claim": claim.claim, "speaker": speaker.name,
                               "role": speaker.role, "verdict": verdict.label, "colour": verdict.colour,
                               "icon": verdict.icon}))
        return jobs

    def start_cards(self) -> None:
        folder = (self.cache_dir or Path(tempfile.mkdtemp(prefix="factcheck-cards-"))) / "cards"
        self.painter = CardPainter(self.card_jobs(), folder)
        self.painter.start()

    def finish_cards(self, site_dir: Path) -> int:
        return self.painter.finish(site_dir) if self.painter is not None else 0

    def share_image_url(self, src_uri: str) -> str:
        page = self.pages.get(src_uri)
        if page is None or page.kind != "claim" or self.painter is None:
            return ""
        return urls.absolute(self.site.url, card_path(Path(src_uri).stem))

    def check_cache_is_local(self) -> None:
        """Refuse a cache folder that is committed to the repository (see `checkcache.committed_file`)."""
        if self.cache_dir is None:
            return
        first = committed_file(self.project.root, self.cache_dir)
        if first:
            raise BuildError(f"factcheck: the cache folder is committed to the repository ({first}, ...); "
                             f"nothing was published. Remove it with `git rm -r --cached "
                             f"{self.project.rel(self.cache_dir)}`: cached pages skip validation, so the cache "
                             "must never come from a commit or a pull request.")

    def index_search(self, site_dir: Path) -> int:
        try:
            return index_site(site_dir)
        except SearchIndexError as exc:
            raise BuildError(f"factcheck: search indexing failed; nothing was published.\n{exc}") from None


class OutputStore:
    """The final HTML of generated pages from earlier builds, kept in the cache folder and keyed by
    everything the written file depends on: the page's own content key plus a context key covering
    the theme, the configuration, the hand-written pages (the navigation) and the generator's code.

    A page whose key is stored is not handed to MkDocs again: its previous output is hard-linked
    (or copied) into the new site, which is therefore byte-for-byte what a cold build writes."""

    def __init__(self, folder: Path, context_key: str):
        self.folder = folder
        self.context_key = context_key
        folder.mkdir(parents=True, exist_ok=True)
        # stored file name -> inode number, as the folder listing gives it (no stat per file)
        self._stored = {entry.name: entry.inode() for entry in os.scandir(folder)}

    def key(self, page: GeneratedPage) -> str:
        return hashlib.sha256(f"{self.context_key}\0{page.src_uri}\0{page.content_key}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.html"

    def has(self, key: str) -> bool:
        return f"{key}.html" in self._stored

    def start_restore(self, pages: list[tuple[str, str]], job_file: Path) -> "Restore":
        """Link stored pages (key, destination) into a site being built, in another process (see
        `linkfarm`), while this one goes on building."""
        write_jobs(str(job_file), pages)
        process = subprocess.Popen([sys.executable, "-I", "-S", linkfarm.__file__, str(self.folder), str(job_file)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return Restore(process, job_file)

    def identities(self, wanted: dict[str, str]) -> dict[str, tuple[int, int]]:
        """(device, inode) of the stored page for each destination (path -> key), for `take_back`."""
        device = os.stat(self.folder).st_dev
        return {dest: (device, self._stored.get(f"{key}.html", -1)) for dest, key in wanted.items()}

    def remember(self, key: str, written: Path) -> None:
        if written.is_file() and not self.has(key):
            _replace_with_link(written, self._path(key))
            self._stored[f"{key}.html"] = os.stat(self._path(key)).st_ino

    def prune(self, keep: set[str], slack: float = 2.0) -> int:
        """Drop stored pages this build did not use, once the store holds `slack` times what a build needs."""
        stored = [name for name in os.listdir(self.folder) if name.endswith(".html")]
        if len(stored) <= max(len(keep) * slack, 64):
            return 0
        dropped = 0
        for name in stored:
            if name[:-len(".html")] not in keep:
                (self.folder / name).unlink(missing_ok=True)
                self._stored.pop(name, None)
                dropped += 1
        return dropped


class Restore:
    """A running `linkfarm` process."""

    def __init__(self, process: subprocess.Popen, job_file: Path):
        self.process = process
        self.job_file = job_file

    def wait(self) -> None:
        """Wait for every link; raise OSError if the process could not make them."""
        _, errors = self.process.communicate()
        self.job_file.unlink(missing_ok=True)
        if self.process.returncode != 0:
            raise OSError(errors.decode(errors="replace").strip() or f"exit status {self.process.returncode}")

    def abort(self) -> None:
        self.process.kill()
        self.process.communicate()
        self.job_file.unlink(missing_ok=True)


def _replace_with_link(source: Path, dest: Path) -> None:
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, dest)


def output_context_key(*, config_text: str, pages: dict[str, bytes], theme_files: dict[str, bytes],
                       versions: dict[str, str], options: dict) -> str:
    """Digest of what every generated page's written HTML shares: configuration, navigation and theme."""
    digest = hashlib.sha256(templates_fingerprint().encode())
    for module in ("plugin.py", "theme_fixes.py", "build.py", "cards.py", "html.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    digest.update(json.dumps([config_text, sorted(versions.items()), options], sort_keys=True, default=str).encode())
    for table in (pages, theme_files):
        for name in sorted(table):
            digest.update(name.encode() + b"\0" + hashlib.sha256(table[name]).digest())
    return digest.hexdigest()


def output_path(site_dir: Path, site: SiteInfo, src_uri: str) -> Path:
    url = site.page_url(src_uri)
    return site_dir / url / "index.html" if url.endswith("/") or url == "" else site_dir / url


def output_file(site_dir: str, site: SiteInfo, src_uri: str) -> str:
    """`output_path` as a string, for loops over every page."""
    url = site.page_url(src_uri)
    return f"{site_dir}/{url}index.html" if url.endswith("/") or url == "" else f"{site_dir}/{url}"


def _is_kept(entry: os.DirEntry) -> bool:
    return entry.name.startswith(KEPT) and entry.is_dir(follow_symlinks=False)


def clear_folder(folder: Path, named_after: Path | None = None) -> Path | None:
    """Empty `folder` at once (but for the folders `set_aside` hid): its contents move to a hidden
    sibling named after `named_after` (default: the folder), which is returned for the caller to
    delete (with `remove_in_background`) once the work that must not wait is done. Where they
    cannot move (the folder is a mount point), they are deleted here."""
    if not folder.is_dir():
        return None
    with os.scandir(folder) as listing:
        entries = [entry for entry in listing if not _is_kept(entry)]
    if not entries:
        return None
    name = (named_after or folder).name
    trash = folder.with_name(f".{name}.trash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        trash.mkdir()
    except OSError:
        trash = None
    for entry in entries:
        try:
            if trash is None:
                raise OSError("no trash folder")
            os.replace(entry.path, trash / entry.name)
        except FileNotFoundError:  # gone meanwhile
            pass
        except OSError:
            _delete_now(Path(entry.path))
    return trash


def _delete_now(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class StagedOutput:
    """Write a site into a staging folder beside the target, then swap it in whole.

    With a `spare` folder (in the cache folder), the site it replaces becomes the spare, and the
    spare becomes the next build's staging folder: its page folders are kept (see `set_aside`) and
    only what changed in them is replaced, which spares a rebuild from making ten thousand folders
    again and the build after from deleting them. A first build, which replaces nothing, makes a
    spare of links to its pages while it finishes. Nothing in the spare is trusted:
    `take_back` keeps a file only where it is the very file (by inode) that the cache
    holds for that page. A CI job that keeps the cache folder between runs keeps the spare too."""

    def __init__(self, target: Path, spare: Path | None = None):
        self.target = target.resolve()
        self.staging = self.target.with_name(f".{self.target.name}.staging-{os.getpid()}")
        self.spare = spare.parent.resolve() / spare.name if spare is not None else None
        self.making: tuple[Restore, Path] | None = None
        leftovers = sorted(self.target.parent.glob(f".{self.target.name}.previous*")) + sorted(
            self.target.parent.glob(f".{self.target.name}.trash-*")) + sorted(
            self.target.parent.glob(".factcheck-trash-*"))
        if self.staging.exists():
            leftovers.append(self._aside(self.staging))
        if self.spare is not None:
            leftovers += sorted(self.spare.parent.glob(f"{self.spare.name}.partial-*"))
            if self.spare.is_dir() and not self.spare.is_symlink():
                try:
                    os.replace(self.spare, self.staging)
                except OSError:  # on another file system than the site: no reuse, no harm
                    leftovers.append(self.spare)
            elif self.spare.is_symlink() or self.spare.exists():
                leftovers.append(self.spare)
        if leftovers:
            remove_in_background(leftovers)

    def _aside(self, path: Path) -> Path:
        moved = self.target.with_name(f".{self.target.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(path, moved)
        return moved

    def start_spare(self, store: "OutputStore", pages: dict[str, str], site: SiteInfo) -> None:
        """On a first build (no site to replace), link the pages (src_uri -> stored key) into a
        new spare in another process, while the build finishes."""
        if self.spare is None or self.target.exists() or self.spare.exists() or not pages:
            return
        partial = self.spare.with_name(f"{self.spare.name}.partial-{os.getpid()}")
        jobs = [(key, output_file(str(partial), site, src)) for src, key in pages.items() if store.has(key)]
        self.making = (store.start_restore(jobs, partial.with_name(f"{partial.name}.jobs")), partial)

    def _finish_spare(self) -> None:
        if self.making is None or self.spare is None:
            return
        (restore, partial), self.making = self.making, None
        try:
            restore.wait()
            os.replace(partial, self.spare)
        except OSError:  # a spare is an optimisation: without it the next build links every page
            self._discard_partial(partial)

    def _discard_partial(self, partial: Path) -> None:
        """Delete a spare being made under a name of its own, so a later build of this process can
        reuse the name at once."""
        assert self.spare is not None
        moved = self.spare.with_name(f"{self.spare.name}.partial-{os.getpid()}-{time.monotonic_ns()}")
        try:
            os.replace(partial, moved)
        except OSError:
            moved = partial
        remove_in_background([moved])

    def _keep_as_spare(self, path: Path) -> None:
        if self.spare is not None and not self.spare.exists():
            try:
                os.replace(path, self.spare)
                return
            except OSError:
                pass
        remove_in_background([self._aside(path)])

    def commit(self) -> None:
        replaced = None
        if self.target.exists():
            replaced = self._aside(self.target)
        os.replace(self.staging, self.target)
        self._finish_spare()
        if replaced is not None:
            self._keep_as_spare(replaced)

    def discard(self) -> None:
        """Keep what was staged as the spare (it is checked file by file before any reuse)."""
        if self.making is not None:
            restore, partial = self.making
            self.making = None
            restore.abort()
            self._discard_partial(partial)
        if self.staging.exists():
            self._keep_as_spare(self.staging)


KEPT = ".factcheck-kept-"
# The top folders of the files a rebuild may reuse: pages (claims, topics, speakers, verdicts,
# sources) and share cards.
PAGE_FOLDERS = tuple(sorted({make("x").split("/")[0] for make in (
    urls.claim_src, urls.topic_src, urls.speaker_src, urls.verdict_src, urls.source_src, card_path)}))


def set_aside(site_dir: Path, folders: Iterable[str]) -> None:
    """Before MkDocs empties the output folder: hide the folders that hold generated pages under
    names it leaves alone (it skips hidden entries), for `take_back` to sort through."""
    for name in folders:
        real, hidden = site_dir / name, site_dir / f"{KEPT}{name}"
        if not real.is_dir() or real.is_symlink():
            continue
        if hidden.exists() or hidden.is_symlink():  # left by a build that failed before taking it back
            _trash_outside(hidden)
        os.replace(real, hidden)


def take_back(site_dir: str, wanted: dict[str, tuple[int, int]]) -> set[str]:
    """Return the folders `set_aside` hid to their places, keeping only files that are, for a wanted
    destination, the very file the cache holds (its device and inode, from `wanted`); every other
    file and emptied folder goes. Returns the destinations already in place."""
    present: set[str] = set()
    if not os.path.isdir(site_dir):
        return present
    device = os.stat(site_dir).st_dev

    def sort_through(path: str, dest: str) -> bool:
        kept = False
        with os.scandir(path) as entries:
            for entry in list(entries):
                target = f"{dest}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if sort_through(entry.path, target):
                        kept = True
                    else:
                        os.rmdir(entry.path)
                    continue
                # The inode number comes with the folder listing: no stat per file.
                if wanted.get(target) == (device, entry.inode()) and entry.is_file(follow_symlinks=False):
                    present.add(target)
                    kept = True
                    continue
                os.unlink(entry.path)
        return kept

    prefixes = {dest[len(site_dir) + 1:].split("/", 1)[0] for dest in wanted if dest.startswith(site_dir + "/")}
    with os.scandir(site_dir) as listing:
        hidden = [entry for entry in listing if entry.name.startswith(KEPT)]
    for entry in hidden:
        name = entry.name[len(KEPT):]
        real = f"{site_dir}/{name}"
        if name not in prefixes or os.path.lexists(real) or not entry.is_dir(follow_symlinks=False):
            _trash_outside(Path(entry.path))
            continue
        sort_through(entry.path, real)
        os.replace(entry.path, real)
    return present


def _trash_outside(path: Path) -> None:
    """Delete an entry of an output folder: moved out of it (beside the folder) and deleted in the
    background, since nothing being deleted may still be inside the folder when it is published;
    deleted at once where it cannot move."""
    moved = path.parent.with_name(f".factcheck-trash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.replace(path, moved)
    except OSError:
        _delete_now(path)
        return
    remove_in_background([moved])


def remove_in_background(paths: list[Path]) -> None:
    """Delete folders without making the build wait: where the system has `rm`, in a process of its
    own (which neither holds this interpreter's lock nor ends with it), otherwise on a thread."""
    remover = shutil.which("rm") if os.name == "posix" else None
    if remover is not None:
        try:
            subprocess.Popen([remover, "-rf", "--", *map(str, paths)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            return
        except OSError:
            pass
    threading.Thread(target=_remove_each, args=(paths,), name="factcheck-clean", daemon=True).start()


def _remove_each(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
