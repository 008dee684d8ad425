"""The MkDocs adapter: feeds generated pages to MkDocs and nothing more.

Events used:
- on_startup / on_shutdown: remember whether this is a build or `mkdocs serve`; run the garbage
  collector less often meanwhile (see `gcpolicy`).
- on_config: resolve the project folders and site settings; send the build to a staging folder.
- on_pre_build: hide the folders of generated pages from MkDocs' cleaning; move the rest of the
  previous output aside (deleted in the background once the build is done).
- on_files: load and validate the corpus, render pages, add them as generated files; keep the
  unchanged pages already in the output folder and link the other unchanged ones in.
- on_env: keep the theme's compiled templates in the cache folder.
- on_page_markdown / on_page_content: hand MkDocs the pre-rendered HTML of generated pages and
  fill the `<!-- factcheck:... -->` markers of hand-written pages.
- on_page_context: add Open Graph, Twitter and ClaimReview tags to the page head.
- on_template_context: list reused pages (see below) in the sitemap, where MkDocs would have.
- on_post_page / on_post_template: correct the theme's markup that the Nu Html Checker rejects.
- on_post_build: check that every claim became a page, then swap the staging folder into place
  (the replaced site becomes the next build's staging folder).
- on_build_error: set the staging folder aside, leaving the previous site untouched.
- on_serve: watch claims, data and seeds.

Generated pages outside the nav whose written HTML is already in the cache (`OutputStore`: same
content, same theme, configuration and navigation) are not handed to MkDocs at all. Where the
output folder already holds that very output (the previous `mkdocs serve` build, or the spare site
that `factcheck build` stages into), it stays; the rest is linked in by a second process while
MkDocs builds the changed pages. That is what makes a rebuild after one edit take seconds at 10,000
claims, for `mkdocs serve` and `factcheck build` alike.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import time
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin

from jinja2 import FileSystemBytecodeCache
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from . import gcpolicy, urls
from .build import (Build, BuildError, OutputStore, StagedOutput, clear_folder, output_context_key, output_file,
                    PAGE_FOLDERS, Restore, output_path, remove_in_background,
                    set_aside, take_back)
from .html import plain_text, theme_text
from .render import head_html
from .theme_fixes import fix_theme_markup

log = logging.getLogger("mkdocs.plugins.factcheck")
PREVIEW_ENV = "FACTCHECK_PREVIEW"
MARKER = re.compile(r"<!--\s*factcheck:([a-z-]+)\s*-->")
REUSABLE = ("claim", "topic", "speaker", "verdict", "source")
BODY_PLACEHOLDER = "<!-- factcheck: page body, <h1 included -->"
VERSIONED = ("mkdocs", "mkdocs-material", "markdown", "jinja2", "pymdown-extensions", "nh3")


class FactcheckConfig(Config):
    claims_dir = c.Type(str, default="claims")
    """Folder of claim YAML files, relative to mkdocs.yml."""
    data_dir = c.Type(str, default="data")
    """Folder of speakers.yaml, topics.yaml and verdicts.yaml."""
    seeds_dir = c.Type(str, default="seeds")
    """Folder of archived source articles (<id>.yaml + <id>.txt)."""
    cache_dir = c.Type(str, default=".factcheck-cache")
    """Folder for rendered-claim cache; keep it between CI runs. Empty string disables caching."""
    search_index = c.Choice(("build", "always", "never"), default="build")
    """Run Pagefind over the output: on `mkdocs build` only (default), also on `mkdocs serve`, or never."""
    share_cards = c.Type(bool, default=True)
    """Draw an Open Graph image per claim (cached by content, drawn on a second core)."""
    atomic = c.Type(bool, default=True)
    """Build into a staging folder and swap it into place only when the build succeeds."""


class SharedFragments:
    """Markup drawn once per build and reused by the theme (see `_nav_key` and main.html)."""

    def __init__(self) -> None:
        self._fragments: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._fragments.get(key)

    def put(self, key: str, markup: str) -> str:
        self._fragments[key] = markup
        return markup


class WarningCount(logging.Handler):
    """Counts warnings, as MkDocs does in strict mode, but before the site is swapped in: MkDocs
    itself aborts only after the post-build event, when a failed strict build would already be
    published."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class FactcheckPlugin(BasePlugin[FactcheckConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.build: Build | None = None
        self.staged: StagedOutput | None = None
        self.cleared: Path | None = None
        self.store: OutputStore | None = None
        self.reused: dict[str, str] = {}
        self.rendered: dict[str, str] = {}
        self.restoring: Restore | None = None
        self.nav_cache = SharedFragments()
        self.collector: tuple[int, int, int] | None = None
        self.warnings: WarningCount | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.collector = gcpolicy.relax()

    def on_shutdown(self) -> None:
        if self.collector is not None:
            gcpolicy.restore(self.collector)
            self.collector = None

    def on_config(self, config: Any) -> Any:
        self.store, self.reused, self.rendered = None, {}, {}
        root = Path(config.config_file_path).resolve().parent
        if not config.site_url:
            raise PluginError("factcheck: set `site_url` in mkdocs.yml; canonical URLs and ClaimReview need it")
        self.build = Build.from_settings(
            root=root, claims_dir=self.config.claims_dir, data_dir=self.config.data_dir,
            seeds_dir=self.config.seeds_dir, cache_dir=self.config.cache_dir or None,
            site_name=config.site_name, site_url=config.site_url, description=config.site_description or "",
            directory_urls=config.use_directory_urls, language=config.theme.get("language", "en") or "en")
        try:
            self.build.check_cache_is_local()
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        preview = os.environ.get(PREVIEW_ENV)
        if preview:
            self.build.only = [Path(p) for p in preview.split(os.pathsep)]
        if config.strict:
            self._stop_counting()
            self.warnings = WarningCount()
            logging.getLogger("mkdocs").addHandler(self.warnings)
        if self.config.atomic and self.command == "build":
            cache = self.build.cache_dir
            self.staged = StagedOutput(Path(config.site_dir), spare=cache / "spare-site" if cache is not None else None)
            config.site_dir = str(self.staged.staging)
        return config

    def on_pre_build(self, *, config: Any) -> None:
        """MkDocs empties the output folder next, one file at a time (under `mkdocs serve` it holds
        the whole previous site; in a build, the spare). Hide the folders of generated pages from
        it (unchanged pages in them are kept, see `on_files`) and move the rest aside, to be deleted
        in the background once this build is done."""
        assert self.build is not None
        site_dir = Path(config.site_dir)
        try:
            if self.build.cache_dir is not None and site_dir.is_dir():
                set_aside(site_dir, PAGE_FOLDERS)
            self.cleared = clear_folder(site_dir, self.staged.target if self.staged is not None else None)
        except OSError as exc:
            raise PluginError(f"factcheck: could not clear the output folder {site_dir}: {exc}") from None

    def on_files(self, files: Files, *, config: Any) -> Files:
        assert self.build is not None
        try:
            pages = self.build.render(background=True)
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        for warning in self.build.diagnostics.warnings:
            log.info("factcheck: %s", warning.text())
        self.store = self._output_store(files, config)
        for page in pages.values():
            if self.store is not None and page.kind in REUSABLE:
                key = self.store.key(page)
                if self.store.has(key):
                    self.reused[page.src_uri] = key
                    continue
                self.rendered[page.src_uri] = key
            files.append(File.generated(config, page.src_uri, content="",
                                        inclusion=InclusionLevel.NOT_IN_NAV if page.kind in REUSABLE
                                        else InclusionLevel.UNDEFINED))
        jobs: list[tuple[str, str]] = []
        if self.config.share_cards:
            self.build.start_cards()
        site_dir, site = config.site_dir, self.build.site
        # Files MkDocs itself will write (a hand-written page or a static file could share a path with
        # a generated one): never kept or linked, since MkDocs writes into an existing file in place,
        # which for a link would change the cached file too.
        written = {f.abs_dest_path for f in files}  # MkDocs gives these normalised
        wanted = {output_file(site_dir, site, src): key for src, key in self.reused.items()}
        wanted = {dest: key for dest, key in wanted.items() if os.path.normpath(dest) not in written}
        identities = self.store.identities(wanted) if self.store is not None else {}
        if self.build.painter is not None and self.store is not None:
            cards = self.build.painter.identities(site_dir)
            identities.update((dest, key) for dest, key in cards.items() if os.path.normpath(dest) not in written)
        try:
            present = take_back(site_dir, identities)  # without a cache: clears what an earlier build hid
        except OSError as exc:
            raise PluginError(f"factcheck: could not sort through the previous output: {exc}") from None
        jobs = [(key, dest) for dest, key in wanted.items() if dest not in present]
        if self.build.painter is not None:
            self.build.painter.in_place = present
        if jobs:
            assert self.store is not None
            self.restoring = self.store.start_restore(jobs, self.store.folder.with_name(f"restore-{os.getpid()}.jobs"))
        for path, written in self.build.write_assets().items():
            files.append(File.generated(config, path, abs_src_path=str(written)))
        return files

    def _output_store(self, files: Files, config: Any) -> OutputStore | None:
        assert self.build is not None
        if self.build.cache_dir is None:
            return None
        pages = {f.src_uri: Path(f.abs_src_path).read_bytes() for f in files.documentation_pages()
                 if f.abs_src_path and os.path.isfile(f.abs_src_path)}
        theme: dict[str, bytes] = {}
        custom = config.theme.custom_dir
        if custom and os.path.isdir(custom):
            theme = {p.relative_to(custom).as_posix(): p.read_bytes() for p in sorted(Path(custom).rglob("*"))
                     if p.is_file()}
        versions = {}
        for name in VERSIONED:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = ""
        key = output_context_key(config_text=Path(config.config_file_path).read_text(encoding="utf-8"),
                                 pages=pages, theme_files=theme, versions=versions,
                                 options={"site_url": config.site_url, **dict(self.config)})
        return OutputStore(self.build.cache_dir / "pages", key)

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Keep the theme's compiled templates between builds (Jinja2 checks each template's source)."""
        assert self.build is not None
        self.nav_cache = SharedFragments()
        if self.build.cache_dir is not None:
            folder = self.build.cache_dir / "jinja"
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(folder))
        return env

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        assert self.build is not None
        generated = self.build.pages.get(page.file.src_uri)
        if generated is not None:
            page.meta["title"] = theme_text(generated.title)
            return ""
        fragments = self.build.renderer.fragments(page.file.src_uri)

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in fragments:
                raise PluginError(f"{page.file.src_uri}: unknown marker factcheck:{name}; "
                                  f"known markers: {', '.join(sorted(fragments))}")
            return "\n\n" + fragments[name]() + "\n\n"

        return MARKER.sub(fill, markdown)

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        """A generated page's body stands in MkDocs' page as a short placeholder until the page is
        written (on_post_page): MkDocs keeps every page's content from reading to writing, and ten
        thousand claim pages would otherwise all sit in memory at once. The placeholder holds
        `<h1` so that the theme does not add a heading of its own, exactly as for the real body."""
        assert self.build is not None
        if page.file.src_uri not in self.build.pages:
            return html
        return BODY_PLACEHOLDER

    def on_page_context(self, context: dict, *, page: Any, config: Any, nav: Any) -> dict:
        assert self.build is not None
        generated = self.build.pages.get(page.file.src_uri)
        context["factcheck_nav"] = self.nav_cache
        context["factcheck_nav_key"] = self._nav_key(page) if generated is not None else ""
        site = self.build.site
        if generated is not None:
            title, description = generated.title, generated.description
        else:
            title = plain_text(page.title or site.name)
            description = plain_text(str(page.meta.get("description") or site.description))
        context["factcheck_head"] = head_html(
            generated, site=site, title=title, description=description,
            canonical=page.canonical_url or urls.absolute(site.url, page.url),
            kind="article" if generated is not None and generated.kind == "claim" else "website",
            image=self.build.share_image_url(page.file.src_uri))
        return context

    @staticmethod
    def _nav_key(page: Any) -> str:
        """Pages outside the navigation, without a table of contents, in the same folder, get the same
        navigation sidebar: its links are relative to the folder, and none of them is the page."""
        if page.toc or (page.meta or {}).get("hide") or not page.file.inclusion.is_not_in_nav():
            return ""
        folder = posixpath.dirname(page.url.rstrip("/"))
        return f"{folder}|{page.url.count('/')}"

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        assert self.build is not None
        if page.file.src_uri in self.rendered and os.path.lexists(page.file.abs_dest_path):
            os.unlink(page.file.abs_dest_path)
        generated = self.build.pages.get(page.file.src_uri)
        if generated is not None:
            body = generated.html
            if "<h1" not in body:
                body = f"<h1>{escape(generated.title)}</h1>\n{body}"
            before, found, after = output.partition(BODY_PLACEHOLDER)
            if not found:
                raise PluginError(f"factcheck: the theme did not show the content of {page.file.src_uri}; "
                                  "a theme override must keep `{{ page.content }}`")
            release = getattr(generated, "release", None)
            if release is not None:
                release()
            else:
                generated.html = ""
            output = before + body + after
        return fix_theme_markup(output)

    def on_template_context(self, context: dict, *, template_name: str, config: Any) -> dict:
        assert self.build is not None
        if template_name != "sitemap.xml" or not self.reused:
            return context
        listed = list(context["pages"])
        real = {f.src_uri: f for f in listed}
        stamp = next(f.page.update_date for f in listed if f.page is not None)
        base = config.site_url if config.site_url.endswith("/") else config.site_url + "/"

        def stand_in(src: str) -> Any:
            url = self.build.site.page_url(src)
            canonical = base + url if url[:1] not in ("/", ".") and ":" not in url else urljoin(base, url)
            return SimpleNamespace(src_uri=src, page=SimpleNamespace(is_link=False, canonical_url=canonical,
                                                                     abs_url=None, update_date=stamp))

        context["pages"] = [f for f in listed if f.src_uri not in self.build.pages] + [
            real[src] if src in real else stand_in(src) for src in self.build.pages if src in real or src in self.reused]
        return context

    def on_post_template(self, output_content: str, *, template_name: str, config: Any) -> str:
        return fix_theme_markup(output_content) if template_name.endswith(".html") else output_content

    def on_post_build(self, *, config: Any) -> None:
        assert self.build is not None
        site_dir = Path(config.site_dir)
        wanted = self.config.search_index
        self._wait_for_restore()
        try:
            self.build.finish()
        except RuntimeError as exc:
            raise PluginError(f"factcheck: {exc}") from None
        if self.store is not None:
            for src, key in self.rendered.items():
                self.store.remember(key, output_path(site_dir, self.build.site, src))
            self.store.prune({*self.reused.values(), *self.rendered.values()})
            log.info("factcheck: %d unchanged page(s) reused from the cache, %d rendered",
                     len(self.reused), len(self.rendered))
            if self.staged is not None:
                self.staged.start_spare(self.store, {**self.reused, **self.rendered}, self.build.site)
        try:
            self.build.check_output(site_dir)
            if self.config.share_cards:
                self.build.finish_cards(site_dir)
            if wanted == "always" or (wanted == "build" and self.command == "build"):
                started = time.perf_counter()
                indexed = self.build.index_search(site_dir)
                log.info("factcheck: Pagefind indexed %d page(s) in %.1f s", indexed, time.perf_counter() - started)
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        self._stop_counting()
        if self.warnings is not None and self.warnings.count:
            raise PluginError(f"factcheck: {self.warnings.count} warning(s) in strict mode; nothing was published")
        self.warnings = None
        if self.staged is not None:
            self.staged.commit()
            config.site_dir = str(self.staged.target)
            self.staged = None
        self._remove_cleared()

    def _remove_cleared(self) -> None:
        if self.cleared is not None:
            remove_in_background([self.cleared])
            self.cleared = None

    def _wait_for_restore(self) -> None:
        restoring, self.restoring = self.restoring, None
        if restoring is not None:
            try:
                restoring.wait()
            except OSError as exc:
                raise PluginError(f"factcheck: could not copy unchanged pages from the cache: {exc}") from None

    def _stop_counting(self) -> None:
        if self.warnings is not None:
            logging.getLogger("mkdocs").removeHandler(self.warnings)

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_counting()
        self.warnings = None
        if self.build is not None:
            self.build.abort()
        if self.restoring is not None:
            self.restoring.abort()
            self.restoring = None
        if self.staged is not None:
            self.staged.discard()
            self.staged = None
        self._remove_cleared()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        assert self.build is not None
        for path in self.build.project.watched_paths():
            if path.exists():
                server.watch(str(path))
        return server
