"""One build of a publication, independent of MkDocs: load, validate, render, check the output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import urls
from .checkcache import CheckCache, committed_file
from .cards import CardPainter, card_path
from .corpus import PLACEHOLDER, Corpus, Project, claim_file_names, load_corpus
from .diagnostics import format_diagnostics
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
        cache = CheckCache(self.cache_dir / "open-data") if self.cache_dir is not None and not self.only else None
        entries = open_data_entries(self.corpus, self.site, renderer.scale_bounds,
                                    {cid: renderer.claim_key(cid) for cid in self.corpus.claims}, cache)
        return {"assets/factcheck/verdicts.css": [renderer.verdict_css().encode()],
                **open_data_assets(self.corpus, self.site, renderer.scale_bounds, entries)}

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
        self._stored = set(os.listdir(folder))

    def key(self, page: GeneratedPage) -> str:
        return hashlib.sha256(f"{self.context_key}\0{page.src_uri}\0{page.content_key}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.html"

    def has(self, key: str) -> bool:
        return f"{key}.html" in self._stored

    def restore_all(self, pages: list[tuple[str, str]]) -> None:
        """Link stored pages (key, destination) into a site being built; destinations are new files."""
        folder = str(self.folder)
        for key, dest in pages:
            source = f"{folder}/{key}.html"
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            try:
                os.link(source, dest)
            except FileExistsError:
                _replace_with_link(Path(source), Path(dest))
            except OSError:
                shutil.copyfile(source, dest)

    def remember(self, key: str, written: Path) -> None:
        if written.is_file() and not self.has(key):
            _replace_with_link(written, self._path(key))
            self._stored.add(f"{key}.html")

    def prune(self, keep: set[str], slack: float = 2.0) -> int:
        """Drop stored pages this build did not use, once the store holds `slack` times what a build needs."""
        stored = [name for name in os.listdir(self.folder) if name.endswith(".html")]
        if len(stored) <= max(len(keep) * slack, 64):
            return 0
        dropped = 0
        for name in stored:
            if name[:-len(".html")] not in keep:
                (self.folder / name).unlink(missing_ok=True)
                self._stored.discard(name)
                dropped += 1
        return dropped


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


def clear_folder(folder: Path) -> None:
    """Empty `folder` at once: its contents move to a hidden sibling deleted on a background thread."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    trash = folder.with_name(f".{folder.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
    trash.mkdir()
    for entry in list(folder.iterdir()):
        os.replace(entry, trash / entry.name)
    threading.Thread(target=_remove_all, args=([trash],), name="factcheck-clean", daemon=True).start()


class StagedOutput:
    """Write a site into a staging folder beside the target, then swap it in whole.

    The site it replaces is kept beside the target as `.<name>.previous` until the next build,
    which deletes it on a background thread while it works: deleting ten thousand page folders
    takes seconds that would otherwise be added to every rebuild. Whatever the thread has not
    deleted when the process ends is deleted by the build after."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        self.staging = self.target.with_name(f".{self.target.name}.staging-{os.getpid()}")
        self.previous = self.target.with_name(f".{self.target.name}.previous")
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self._cleaner: threading.Thread | None = None
        old = sorted(self.target.parent.glob(f".{self.target.name}.previous*")) + sorted(
            self.target.parent.glob(f".{self.target.name}.trash-*"))
        if old:
            trash = []
            for number, path in enumerate(old):
                moved = path.with_name(f".{self.target.name}.trash-{os.getpid()}-{number}")
                try:
                    os.replace(path, moved)
                    trash.append(moved)
                except OSError:
                    trash.append(path)
            self._cleaner = threading.Thread(target=_remove_all, args=(trash,), name="factcheck-clean", daemon=True)
            self._cleaner.start()

    def commit(self) -> None:
        if self.target.exists():
            os.replace(self.target, self.previous)
        os.replace(self.staging, self.target)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
