"""One build of a publication, independent of MkDocs: load, validate, render, check the output."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import memory, urls
from .cards import CardPainter
from .checkcache import CheckCache, committed_file
from .corpus import Corpus, Project, claim_file_names, load_corpus
from .diagnostics import Diagnostic, format_diagnostics
from .feeds import open_data_assets, open_data_entries
from .keys import BuildKeys
from .output.fs import atomic_write
from .pagecache import PageCache, StoredPage
from .render import GeneratedPage, Renderer, SiteInfo
from .search import SearchIndex

# The last publication a `mkdocs serve` process built without errors, by project: shown again while
# an edit has errors, so that the preview never goes blank or stops answering.
_LAST_GOOD: dict[Project, Corpus] = {}


class BuildError(Exception):
    """Content or output problems that must stop the build; the message is for editors."""


@dataclass
class Build:
    project: Project
    site: SiteInfo
    cache_dir: Path | None = None
    only: list[Path] | None = None
    pages: dict[str, GeneratedPage | StoredPage] = field(default_factory=dict)
    painter: CardPainter | None = None
    temporary_assets: Path | None = None
    build_keys: BuildKeys | None = None
    """The code, library, theme and configuration digests (see `keys`); derived when not given."""
    serving: bool = False
    """Under `mkdocs serve`: content errors do not stop the build (see `load`)."""
    drafts: list[str] = field(default_factory=list)
    _claim_src: dict[str, str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def from_settings(cls, *, root: Path, claims_dir: str = "claims", data_dir: str = "data", seeds_dir: str = "seeds",
                      cache_dir: str | None = ".factcheck-cache", site_name: str, site_url: str,
                      description: str = "", directory_urls: bool = True, language: str = "en") -> Build:
        project = Project(root, claims_dir, data_dir, seeds_dir)
        url = site_url if site_url.endswith("/") else site_url + "/"
        site = SiteInfo(site_name, url, description, directory_urls, language)
        cache = (root / cache_dir) if cache_dir else None
        return cls(project, site, cache)

    def load(self) -> Corpus:
        """The claims to publish: every claim but drafts (which a preview shows). Content errors
        stop the build, except while serving: then the last good version of the publication is
        shown (or, on a first build, every claim without errors), and `problems` lists the errors."""
        corpus, diagnostics = load_corpus(self.project, only=self.only, cache_dir=self.cache_dir)
        memory.give_back()
        self.diagnostics = diagnostics
        self.drafts = sorted({d.path for d in diagnostics.drafts})
        errors = diagnostics.errors
        if errors and not self.serving:
            raise BuildError(f"factcheck: {len(errors)} error(s) in content; nothing was published.\n"
                             + format_diagnostics(errors) + "\nRun `factcheck validate` for the full report.")
        self.problems = errors
        left_out = set() if self.only is not None else set(self.drafts)
        if errors:
            last_good = _LAST_GOOD.get(self.project)
            if last_good is not None:
                return last_good
            left_out |= {d.path for d in errors}
        corpus = corpus.without(left_out) if left_out else corpus
        if self.serving and self.only is None:
            _LAST_GOOD[self.project] = corpus
        return corpus

    @cached_property
    def corpus(self) -> Corpus:
        return self.load()

    @cached_property
    def keys(self) -> BuildKeys:
        return self.build_keys or BuildKeys.derive()

    @cached_property
    def renderer(self) -> Renderer:
        folder = self.cache_dir / "rendered" if self.cache_dir is not None else None
        return Renderer(self.corpus, self.site, PageCache(folder, self.corpus, self.site, self.keys))

    def render(self, *, background: bool = False, order: Callable[[str], Any] | None = None,
               claims_done: Callable[[], None] | None = None) -> dict[str, GeneratedPage | StoredPage]:
        """Every generated page, claims sorted by `order` (a sort key of claim ids). `claims_done` is
        called once `pages` holds the claim pages, before the index pages are rendered (the search
        index starts there). With `background`, claim pages may still be rendering on other cores
        when this returns: reading a page's body waits for it, and `finish` must be called."""
        self.renderer.background_ok = background
        self.renderer.claim_order = order

        def claims_rendered(claims: list[GeneratedPage | StoredPage]) -> None:
            self.pages = {page.src_uri: page for page in claims}
            if claims_done is not None:
                claims_done()

        self.pages = {page.src_uri: page for page in self.renderer.all_pages(claims_rendered)}
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
            self.painter = None
        self._drop_temporary_assets()

    def _drop_temporary_assets(self) -> None:
        if self.temporary_assets is not None:
            shutil.rmtree(self.temporary_assets, ignore_errors=True)
            self.temporary_assets = None

    def assets(self) -> dict[str, Iterable[bytes]]:
        """Stylesheet, feeds and open data, by output path, as pieces of UTF-8 to write in turn."""
        renderer = self.renderer
        cache = self.cache_dir if not self.only else None
        keys = {cid: renderer.keys.claim(cid) for cid in self.corpus.claims}
        entries = open_data_entries(self.corpus, self.site, renderer.scale_bounds, keys,
                                    CheckCache(cache / "open-data") if cache is not None else None)
        feeds = CheckCache(cache / "feeds") if cache is not None else None
        return {"assets/factcheck/verdicts.css": [renderer.verdict_css().encode()],
                **open_data_assets(self.corpus, self.site, renderer.scale_bounds, entries=entries, keys=keys,
                                   cache=feeds, context=renderer.keys.context)}

    def write_assets(self) -> dict[str, Path]:
        """The assets written to files (in the cache folder, or a temporary one), by output path, so that
        MkDocs copies them rather than keeping tens of megabytes of feeds in memory until it does."""
        if self.cache_dir is not None:
            folder = self.cache_dir / "assets"
        else:
            folder = self.temporary_assets = Path(tempfile.mkdtemp(prefix="factcheck-assets-"))
        written = {}
        for path, chunks in self.assets().items():
            atomic_write(folder / path, chunks)
            written[path] = folder / path
        written.update(self._cms_files(folder))
        return written

    def _cms_files(self, folder: Path) -> dict[str, Path]:
        """The editing screen at /admin/ when the publication has admin/config.yml (see `cms`)."""
        from .cms import CmsConfigError, site_files

        try:
            return site_files(self.project, self.corpus, self.site.name, folder)
        except CmsConfigError as exc:
            raise BuildError(f"factcheck: {exc}\nnothing was published.") from None

    def check_output(self, site_dir: Path) -> None:
        """Every claim file must have become a page, unless it is a draft (or, while serving, has
        errors): a claim is never silently dropped."""
        files = self.only if self.only is not None else claim_file_names(self.project)
        missing = []
        root = str(site_dir)
        for cid in self.corpus.claims:
            if not os.path.isfile(f"{root}/{self.site.output_file(urls.claim_src(cid))}"):
                missing.append(cid)
        expected = len(files) - (len(self.drafts) if self.only is None else 0)
        if (len(self.corpus.claims) != expected and not self.problems) or missing:
            raise BuildError(f"factcheck: {expected} claim file(s) to publish but "
                             f"{len(self.corpus.claims) - len(missing)} claim page(s) written; "
                             f"missing: {', '.join(sorted(missing)) or '(unreadable files)'}")


    def card_fields(self) -> dict[str, dict[str, str]]:
        """What each claim's share card shows, by output path."""
        cards = {}
        for cid, claim in sorted(self.corpus.claims.items()):
            speaker = self.corpus.speakers[claim.statement.speaker]
            verdict = self.corpus.verdicts[claim.verdict.rating]
            cards[urls.card_path(cid)] = {
                "site_name": self.site.name, "claim": claim.claim, "speaker": speaker.name, "role": speaker.role,
                "verdict": verdict.label, "colour": verdict.colour, "icon": verdict.icon}
        return cards

    def share_image_url(self, src_uri: str) -> str:
        page = self.pages.get(src_uri)
        if page is None or page.kind != "claim" or self.painter is None:
            return ""
        return urls.absolute(self.site.url, urls.card_path(Path(src_uri).stem))

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

    def search_index(self, page_keys: Mapping[str, str], stored: Callable[[str], bool]) -> SearchIndex:
        """The search bundles of this build (see `search`); `page_keys`: output path -> key of each
        written page, `stored`: whether the file store holds a key."""
        pages, self._claim_src = {}, {}
        for cid in self.corpus.claims:
            src = urls.claim_src(cid)
            path = self.site.output_file(src)
            pages[cid] = (path, page_keys[path])
            self._claim_src[path] = src
        listings = self.cache_dir / "search" if self.cache_dir is not None else None
        return SearchIndex(pages, language=self.site.language, listings=listings, stored=stored)

    def rendering(self) -> bool:
        """Whether claim pages are still being rendered on other cores (see `PageCache.claim_pages`)."""
        background = self.renderer.cache.background if "renderer" in self.__dict__ else None
        return background is not None and background.working()

    def claim_body(self, path: str) -> tuple[str, str | None] | None:
        """What the search index is handed for the claim page at `path` (see `SearchIndex.add`):
        (cache file, key) when its body is stored, (body, None) when it was rendered here, None
        while a worker is still rendering it (it is sent as MkDocs writes the page)."""
        page = self.pages[self._claim_src[path]]
        if not isinstance(page, StoredPage):
            return page.html, None
        if page.rendering or page.file is None:
            return None
        return str(page.file), page.content_key
