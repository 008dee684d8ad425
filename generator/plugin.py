"""The MkDocs plugin: hands the generated pages of a publication to MkDocs.

Everything about claims (loading, checking, rendering) lives in the MkDocs-free core (`build`,
`render`); where files are written, reused and published lives in `output`; cache keys come from
`keys`. This module only connects them to MkDocs' events:

- on_config (last): resolve the folders and site settings; send an atomic build to a staging
  folder (`output.Output`).
- on_pre_build: empty the folder MkDocs writes into at once (the old files are deleted in the
  background).
- on_files (early, so other plugins see the generated pages): load, validate and render the
  publication; hand MkDocs every generated page whose written file is not already stored, and copy
  the stored ones into the site while MkDocs works.
- on_page_markdown / on_page_content / on_post_page: give MkDocs the pre-rendered body of each
  generated page, fill the `<!-- factcheck:... -->` markers of hand-written pages, add the Open
  Graph and ClaimReview head tags to every page, and correct theme markup the Nu Html Checker rejects.
- on_post_build (last): check that every claim became a page, write the sitemap of every page,
  draw share cards, build the search index, and publish the staging folder, unless a strict build
  logged a warning.
- on_build_error: throw the staging folder away; the published site stays as it was.
"""

from __future__ import annotations

import gzip
import logging
import re
import sys
import time
import types
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler, get_build_date, get_build_timestamp
from mkdocs.utils.templates import TemplateContext

from . import checkcache, compat, gcpolicy, keys, memory, search, tuning, urls
from .build import Build, BuildError
from .cards import CardPainter, drawn_with
from .html import compiled_templates, plain_text, theme_text
from .output import Output, OutputError, spare
from .pagecache import StoredPage
from .pageshell import PageShells
from .render import GeneratedPage, head_html
from .search import SearchIndex, SearchIndexError
from .theme_fixes import fix_theme_markup

log = logging.getLogger("mkdocs.plugins.factcheck")
MARKER = re.compile(r"<!--\s*factcheck:([a-z-]+)\s*-->")
REUSABLE = frozenset({"claim", "topic", "speaker", "verdict", "source"})
BODY_PLACEHOLDER = "<!-- factcheck: page body, <h1 included -->"
OLD_SEARCH_UI = re.compile(r"""(?:src|href)\s*=\s*["'][^"']*pagefind-ui\.(?:js|css)""")
"""How the search page of earlier versions loaded Pagefind's ready-made interface."""


class FactcheckConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' Config is untyped
    enabled = c.Type(bool, default=True)
    """Generate the fact-check pages. When false, the plugin does nothing at all."""
    claims_dir = c.Type(str, default="claims")
    """Folder of claim YAML files, relative to mkdocs.yml."""
    data_dir = c.Type(str, default="data")
    """Folder of speakers.yaml, topics.yaml and verdicts.yaml."""
    seeds_dir = c.Type(str, default="seeds")
    """Folder of archived source articles (<id>.yaml + <id>.txt)."""
    cache = c.Type(bool, default=True)
    """Keep checked claims, rendered pages and share cards between builds, so that a rebuild only
    redoes what changed. Keys cover content, code, libraries, theme and configuration."""
    cache_dir = c.Type(str, default=".factcheck-cache")
    """Where the cache lives, relative to mkdocs.yml. Keep it between CI runs; never commit it."""
    search_index = c.Choice(("build", "always", "never"), default="build")
    """Run Pagefind over the output: on `mkdocs build` only (default), also on `mkdocs serve`, or never."""
    share_cards = c.Type(bool, default=True)
    """Draw an Open Graph image per claim (on a second core while MkDocs renders)."""
    atomic = c.Type(bool, default=True)
    """Build into a staging folder and publish it whole, only when the build succeeds."""
    page_shell = c.Type(bool, default=True)
    """Put generated pages in a shell of the theme's page, derived from the theme and checked, instead
    of running the theme's templates for each (`generator/pageshell.py`). Turn off for a theme override
    that shows generated pages of one folder differently by their own wording."""
    only = c.ListOfItems(c.Type(str), default=[])
    """Build only these claim files (paths); used by `factcheck preview`."""


class FactcheckPlugin(BasePlugin[FactcheckConfig]):  # type: ignore[no-untyped-call]  # as above
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.build: Build | None = None
        self.output: Output | None = None
        self.produced: dict[str, str] = {}
        self.painter: CardPainter | None = None
        self.search: SearchIndex | None = None
        self.sitemap: dict[str, str] = {}
        self.collector: tuple[int, int, int] | None = None
        self.warnings: CountHandler | None = None
        self.shells: PageShells | None = None
        self.page_keys: dict[str, str] = {}
        """Source path -> key of each reusable generated page of this build (see `_page_keys`)."""

    # lifecycle ---------------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        checkcache.remember_shards(command == "serve")
        if self.config.enabled and tuning.on("gc-policy"):
            gcpolicy.resume()
            self.collector = gcpolicy.relax()

    def on_shutdown(self) -> None:
        if self.search is not None:  # a build stopped by Ctrl-C (on_build_error sees exceptions only)
            self.search.stop()
            self.search = None
        if self.collector is not None:
            gcpolicy.restore(self.collector)
            self.collector = None
            if self.command == "build":
                gcpolicy.leave()

    @event_priority(-100)  # last: stage whatever output folder the other plugins settled on
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.build, self.output, self.produced, self.painter, self.sitemap = None, None, {}, None, {}
        self.search, self.page_keys = None, {}
        self.pacer = memory.Pacer()
        self.shells = PageShells(fixed=fix_theme_markup) if self.config.page_shell and tuning.on("page-shell") else None
        if not self.config.enabled:
            return config
        if not config.site_url:
            raise PluginError("factcheck: set `site_url` in mkdocs.yml; canonical URLs and ClaimReview need it")
        root = Path(config.config_file_path).resolve().parent
        self.build = Build.from_settings(
            root=root, claims_dir=self.config.claims_dir, data_dir=self.config.data_dir,
            seeds_dir=self.config.seeds_dir, cache_dir=self.config.cache_dir if self.config.cache else None,
            site_name=config.site_name, site_url=config.site_url, description=config.site_description or "",
            directory_urls=config.use_directory_urls, language=config.theme.get("language", "en") or "en")
        if self.config.only:
            self.build.only = [Path(p) for p in self.config.only]
        self.build.serving = self.command == "serve"
        try:
            self.build.check_cache_is_local()
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        if config.strict:
            self.warnings = CountHandler()
            self.warnings.setLevel(logging.WARNING)
            logging.getLogger(compat.active() or "mkdocs").addHandler(self.warnings)
        cache = self.build.cache_dir
        self.output = Output(Path(config.site_dir), store=cache / "output" if cache is not None else None,
                             staged=self.config.atomic and self.command == "build",
                             copy_in_process=not tuning.on("copier"), keep_in_place=tuning.on("keep-in-place"),
                             make_spare=tuning.on("spare-maker") and spare.wanted(), survey=tuning.on("survey"))
        config.site_dir = str(self.output.folder)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.output is not None:
            try:
                self.output.clear()
            except OutputError as exc:
                raise PluginError(f"factcheck: {exc}") from None

    # pages -------------------------------------------------------------------------------------
    @event_priority(50)  # early: other plugins see the generated pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self.build is None or self.output is None:
            return files
        build = self.build
        try:
            publication = build.corpus.publication
            everywhere = [  # what every page may show besides its own content: the footer, and the notices
                publication.model_dump(mode="json") if publication else None,  # of `_notice`
                [d.text() for d in build.problems], build.drafts if build.only is not None else []]
            build.build_keys = _build_keys(config, files, everywhere)
            indexing = self._indexing()
            pages = build.render(background=True, order=search.order(len(build.corpus.claims)) if indexing else None,
                                 claims_done=self._start_search if indexing else None)
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        memory.give_back()  # what rendering the index pages freed
        for warning in build.diagnostics.warnings:
            log.info("factcheck: %s", warning.text())
        for draft in build.drafts:
            log.info("factcheck: %s", f"not published (draft): {draft}" if build.only is None else f"draft: {draft}")
        if build.problems:
            # Not through MkDocs' logger: under `mkdocs serve` with strict mode, a logged warning
            # would abort the build and leave the server waiting for a good one.
            print(f"factcheck: {len(build.problems)} error(s) in content; serving the last good version:\n"
                  + "\n".join(d.text() for d in build.problems), file=sys.stderr, flush=True)
        site = build.site
        wanted = self._page_keys(pages)
        cards = build.card_fields() if self.config.share_cards else {}
        wanted.update(self._card_keys(cards))
        if self.search is not None:  # the files of the bundles an earlier build indexed
            wanted.update(self.search.reused())
        plan = self.output.plan(wanted)
        for src, page in pages.items():
            if page.kind in REUSABLE and site.output_file(src) in plan.reuse:
                continue
            files.append(File.generated(config, src, content="", inclusion=InclusionLevel.NOT_IN_NAV
                                        if page.kind in REUSABLE else InclusionLevel.UNDEFINED))
        # The painter writes each card to the store too, unless this build leaves a spare, whose
        # maker stores the new files after the build (as it does the pages).
        cards_into_store = not self.output.stores_later()
        self.produced = {path: key for path, key in plan.produce.items() if not (cards_into_store and path in cards)}
        try:
            assets = build.write_assets()
        except BuildError as exc:  # e.g. an unsafe admin/config.yml (generator/cms.py)
            raise PluginError(str(exc)) from None
        for path, written in assets.items():
            files.append(File.generated(config, path, abs_src_path=str(written)))
        try:
            self.output.restore(skip={f.dest_uri for f in files})
        except OutputError as exc:
            raise PluginError(f"factcheck: {exc}") from None
        # After `restore` has put the kept folders back: a painter that made `cards/` first would
        # keep the earlier cards from being kept in place (or meet that folder moved onto its own).
        self._start_cards(cards, {p: k for p, k in plan.produce.items() if p in cards}, into_store=cards_into_store)
        log.info("factcheck: %d unchanged file(s) reused from the cache (%d of them kept in place), %d to write",
                 len(plan.reuse), self.output.kept_in_place, len(plan.produce))
        return files

    def _indexing(self) -> bool:
        when = self.config.search_index
        return when == "always" or (when == "build" and self.command == "build")

    def _page_keys(self, pages: dict[str, GeneratedPage | StoredPage]) -> dict[str, str]:
        """Output path -> key of each reusable page among `pages`; each key is made once a build
        (the search index asks for the claim pages' before the plan asks for every page's)."""
        assert self.build is not None
        build, made = self.build, self.page_keys
        for src, page in pages.items():
            if page.kind in REUSABLE and src not in made:
                made[src] = build.keys.for_output("page", src, page.content_key)
        return {build.site.output_file(src): made[src] for src in pages if src in made}

    def _card_keys(self, cards: dict[str, dict[str, str]]) -> dict[str, str]:
        """Output path -> key of each share card, from what it shows and how cards are drawn."""
        assert self.build is not None
        if not cards:
            return {}
        drawing, build_keys = keys.value_digest(drawn_with()), self.build.keys
        return {path: build_keys.for_content("card", drawing, keys.value_digest(fields))
                for path, fields in cards.items()}

    def _start_search(self) -> None:
        """Start indexing as soon as the claim pages are known, while the index pages render and
        before the unchanged files are back (bundles are moved into the site at the end): the
        bodies at hand (stored, or rendered here) are sent now, those a worker is still rendering
        as MkDocs writes their pages."""
        assert self.build is not None and self.output is not None
        store = self.output.store
        self.search = self.build.search_index(self._page_keys(self.build.pages),
                                              stored=store.has if store is not None else lambda key: False)
        self.search.start(self.output.folder, hold=self.build.rendering())
        for path in sorted(self.search.wanted):
            found = self.build.claim_body(path)
            if found is not None:
                self.search.add(path, *found)

    def _start_cards(self, cards: dict[str, dict[str, str]], missing: dict[str, str], *, into_store: bool) -> None:
        if not cards or self.output is None:
            return
        store = self.output.store
        jobs: list[tuple[dict[str, str], str | None, str]]
        if store is None:  # no cache: draw every card straight into the site
            jobs = [(fields, None, f"{self.output.folder}/{path}") for path, fields in cards.items()]
        else:
            jobs = [(cards[path], store.path(key) if into_store else None, f"{self.output.folder}/{path}")
                    for path, key in missing.items()]
        self.painter = CardPainter(jobs)
        self.painter.start()

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Refuse a search page made for the single index of earlier versions (it would load files
        the site no longer has), and a file that would land in the search index's folder: a
        hand-written page, a theme file or another plugin's (every plugin has added its files by
        now). Pagefind would fail on it, or a reused bundle would silently replace it."""
        if self.build is None or self.config.search_index == "never":
            return nav
        outdated = sorted(f.src_uri for f in files.documentation_pages()
                          if not f.generated_by and OLD_SEARCH_UI.search(f.content_string))
        if outdated:
            raise PluginError(f"factcheck: {', '.join(outdated)}: loads Pagefind's ready-made interface "
                              "(pagefind-ui.js), which the search index no longer has: it is split in bundles "
                              f"({search.FOLDER}/bundles.json) that this version's search page reads. Take the "
                              "search page of a new publication (`factcheck init NEW-FOLDER`): its "
                              "content/search.md, theme_overrides/assets/factcheck/search.js and "
                              "factcheck.css; nothing was published.")
        inside = sorted(f.abs_src_path or f.src_uri for f in files if f.dest_uri.startswith(f"{search.FOLDER}/"))
        if inside:
            raise PluginError(f"factcheck: {', '.join(inside)}: would be published in {search.FOLDER}/, where the "
                              "search index goes. Move it to another folder, or turn the search index off "
                              "(`search_index: never` under the factcheck plugin in mkdocs.yml); "
                              "nothing was published.")
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Keep the theme's compiled templates between builds (Jinja2 checks each template's source), and
        let generated pages be put in a shell of the theme's page (`pageshell`)."""
        if self.build is not None and self.build.cache_dir is not None:
            env.bytecode_cache = compiled_templates(self.build.cache_dir)
        if self.build is not None and self.shells is not None:
            self.shells.install(env)
        return env

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.build is None:
            return markdown
        generated = self.build.pages.get(page.file.src_uri)
        if generated is not None:
            page.meta["title"] = theme_text(generated.title)
            if self.shells is not None and generated.kind in REUSABLE:
                self.shells.take(page)
            if tuning.on("skip-markdown"):
                page.render = types.MethodType(_render_nothing, page)  # type: ignore[method-assign]
            return ""
        fragments = self.build.renderer.fragments(page.file.src_uri)

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in fragments:
                raise PluginError(f"{page.file.src_uri}: unknown marker factcheck:{name}; "
                                  f"known markers: {', '.join(sorted(fragments))}")
            return "\n\n" + fragments[name]() + "\n\n"

        return MARKER.sub(fill, markdown)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """A generated page's body stands in MkDocs' page as a short placeholder until the page is
        written (on_post_page): MkDocs keeps every page's content from reading to writing, and ten
        thousand claim pages would otherwise all sit in memory at once. The placeholder holds
        `<h1` so that the theme does not add a heading of its own, exactly as for the real body."""
        if self.build is None or page.file.src_uri not in self.build.pages:
            return html
        return BODY_PLACEHOLDER if tuning.on("placeholder") else _body(self.build.pages[page.file.src_uri])

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext | None:
        if self.build is not None:
            context["factcheck_footer"] = self.build.renderer.footer()  # type: ignore[typeddict-unknown-key]
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.build is None:
            return output
        src = page.file.src_uri
        generated = self.build.pages.get(src)
        if self.search is not None and self.search.holding and not self.build.rendering():
            self.search.release()  # the claim renderer's workers are done: Pagefind may have their memory
        if generated is not None and self.search is not None \
                and (path := self.build.site.output_file(src)) in self.search.wanted:
            self.search.add(path, generated.html)
        if generated is not None and tuning.on("placeholder"):
            body = _body(generated)
            before, found, after = output.partition(BODY_PLACEHOLDER)
            if not found:
                raise PluginError(f"factcheck: the theme did not show the content of {src}; "
                                  "a theme override must keep `{{ page.content }}`")
            output = before + body + after
        if page.canonical_url and page.update_date:
            self.sitemap[page.canonical_url] = str(page.update_date)
        output = _add_head(output, self._head(page))
        release = getattr(generated, "release", None)
        if release is not None and tuning.on("placeholder"):  # the page is written: its body is not kept
            release()
        self.pacer.written()
        notice = self._notice(src)
        output = _add_to_body(output, notice) if notice else output
        return output if self.shells is not None and self.shells.took(src) else fix_theme_markup(output)

    def _notice(self, src: str) -> str:
        """What an editor previewing the site must see first: content errors while serving, and the
        DRAFT banner on a draft's page. Published builds never carry either."""
        assert self.build is not None
        build, parts = self.build, []
        if build.problems:
            items = "".join(f"<li><code>{escape(d.path)}:{d.line}:{d.column}</code> {escape(d.severity.value)}: "
                            f"{escape(d.field + ': ' if d.field else '')}{escape(d.message)}</li>"
                            for d in build.problems)
            parts.append(f'<div class="fc-editor-notice" role="alert"><p><strong>{len(build.problems)} error(s) in '
                         f"content.</strong> This preview shows the last version without errors; fix the files "
                         f"below and it updates.</p><ul>{items}</ul></div>")
        page = build.pages.get(src)
        if page is not None and page.kind == "claim" and build.corpus.claim_paths.get(Path(src).stem) in build.drafts:
            parts.append('<div class="fc-editor-notice fc-draft" role="note"><p><strong>DRAFT</strong> — '
                         "not published: this claim still has TODO text or is marked draft: true.</p></div>")
        return "".join(parts)

    def _head(self, page: Page) -> str:
        assert self.build is not None
        build, site, src = self.build, self.build.site, page.file.src_uri
        generated = build.pages.get(src)
        if generated is not None:
            title, description = generated.title, generated.description
        else:
            title = plain_text(page.title or site.name)
            description = plain_text(str(page.meta.get("description") or site.description))
        image = urls.absolute(site.url, urls.card_path(Path(src).stem)) \
            if generated is not None and generated.kind == "claim" and self.config.share_cards else ""
        return head_html(generated, site=site, title=title, description=description,
                         canonical=page.canonical_url or urls.absolute(site.url, page.url),
                         kind="article" if generated is not None and generated.kind == "claim" else "website",
                         image=image)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str | None:
        return fix_theme_markup(output_content) if template_name.endswith(".html") else output_content

    # publishing --------------------------------------------------------------------------------
    @event_priority(-100)  # last: other plugins' files are in the staging folder before it is published
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.build is None or self.output is None:
            return
        build, output = self.build, self.output
        site_dir = Path(config.site_dir)
        try:
            output.settle()
            build.finish()
            if "sitemap.xml" in config.theme.static_templates:
                self._write_sitemap(site_dir)
            if self.painter is not None:
                memory.give_back()  # before the build draws its share of the cards, beside Pagefind
                self.painter.finish()
            build.check_output(site_dir)
            if self.search is not None:
                started = time.perf_counter()
                produced = self.search.finish()
                output.add_produced(produced)
                self.produced.update(produced)
                log.info("factcheck: search index: %d bundle(s), %d indexed again (waited %.1f s for Pagefind)",
                         len(self.search.bundles), len(self.search.stale), time.perf_counter() - started)
        except (BuildError, OutputError, RuntimeError, SearchIndexError) as exc:
            raise PluginError(f"factcheck: {exc}") from None
        if self.shells is not None and self.shells.templates:
            log.info("factcheck: %d generated page(s) put in a shell of the theme's page, %d rendered by the theme",
                     *self.shells.counts())
        counted = self._stop_counting()
        if counted:
            raise PluginError(f"factcheck: {counted} warning(s) in strict mode; nothing was published")
        try:
            output.commit(self.produced)
        except OutputError as exc:
            raise PluginError(f"factcheck: {exc}") from None
        config.site_dir = str(output.target)
        self.output = None

    def _write_sitemap(self, site_dir: Path) -> None:
        """The sitemap of every page, reused ones included (MkDocs lists only the pages it wrote)."""
        assert self.build is not None
        site, stamp = self.build.site, str(get_build_date())
        for src in self.build.pages:
            self.sitemap.setdefault(site.canonical(src), stamp)
        rows = "".join(f"    <url>\n         <loc>{escape(url)}</loc>\n         <lastmod>{date}</lastmod>\n    </url>\n"
                       for url, date in sorted(self.sitemap.items()))
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n').encode()
        (site_dir / "sitemap.xml").write_bytes(text)
        with gzip.GzipFile(site_dir / "sitemap.xml.gz", "wb", mtime=get_build_timestamp()) as handle:
            handle.write(text)

    def _stop_counting(self) -> int:
        counter, self.warnings = self.warnings, None
        if counter is None:
            return 0
        logging.getLogger(compat.active() or "mkdocs").removeHandler(counter)
        return sum(count for name, count in counter.get_counts() if logging.getLevelName(name) >= logging.WARNING)

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_counting()
        if self.build is not None:
            self.build.abort()
        if self.painter is not None:
            self.painter.stop()
            self.painter = None
        if self.search is not None:
            self.search.stop()
            self.search = None
        if self.output is not None:
            self.output.abort()
            self.output = None

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer | None:
        if self.build is not None:
            for path in self.build.project.watched_paths():
                if path.exists():
                    server.watch(str(path))
        return server


def _build_keys(config: MkDocsConfig, files: Files, everywhere: object) -> keys.BuildKeys:
    """The keys of this build: code, libraries (with the theme's, plugins' and Markdown
    extensions'), theme overrides, the configuration with every hand-written page (the navigation
    every page shows), and `everywhere`: the data every page shows (the publication's footer)."""
    plugins = {name: _plugin_settings(plugin) for name, plugin in config.plugins.items()}
    settings = {key: value for key, value in config.items() if key not in {"plugins", "theme", "site_dir"}}
    theme = {"name": config.theme.name, **dict(config.theme)}
    pages = {f.src_uri: f.content_bytes for f in files.documentation_pages()}
    modules = [type(config).__module__] + [type(p).__module__ for p in config.plugins.values()
                                           if not isinstance(p, ModuleType)] + [
        e if isinstance(e, str) else type(e).__module__ for e in config.markdown_extensions]
    if config.theme.name:
        modules.append(config.theme.name)
    return keys.BuildKeys.derive(modules=modules, theme_dir=config.theme.custom_dir,
                                 config=[settings, plugins, theme, keys.mapping_digest(pages), everywhere])


def _plugin_settings(plugin: object) -> object:
    """What of a plugin goes into the build keys: its settings, or for an MkDocs hook (a Python
    file of the project, loaded as a module) its code, which no installed version covers."""
    if isinstance(plugin, ModuleType):
        source = getattr(plugin, "__file__", None)
        return {"hook": keys.digest(Path(source).read_bytes()) if source else plugin.__name__}
    settings = getattr(plugin, "config", None)
    return dict(settings) if isinstance(settings, Config) else type(plugin).__qualname__


def _render_nothing(page: Page, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` for a generated page, whose body is HTML already (it stands in MkDocs' page as
    an empty Markdown source, then as a placeholder): what MkDocs' Markdown gives for no source, a
    page with no content, headings or anchors, without building a Markdown parser with every
    extension for it (2 s of a cold build's 11,571 pages; switch `skip-markdown`)."""
    page.content, page.toc = "", get_toc([])
    page.present_anchor_ids, page.links_to_anchors = set(), {}


def _body(page: GeneratedPage | StoredPage) -> str:
    return page.html if "<h1" in page.html else f"<h1>{escape(page.title)}</h1>\n{page.html}"


NOTICE_STYLE = ("<style>.fc-editor-notice{margin:0;padding:.6rem 1rem;background:#fff3cd;color:#3d2e00;"
                "border-bottom:2px solid #b38600;font:16px/1.4 sans-serif}.fc-editor-notice ul{margin:.3rem 0 0}"
                ".fc-draft{background:#ffe0e0;border-color:#b00020;color:#4a0010}</style>")


def _add_to_body(output: str, notice: str) -> str:
    """`notice` at the top of the page's body (an editor's preview only)."""
    match = re.search(r"<body[^>]*>", output)
    if match is None:
        return output
    return f"{output[:match.end()]}{NOTICE_STYLE}{notice}{output[match.end():]}"


def _add_head(output: str, head: str) -> str:
    """The Open Graph, Twitter and ClaimReview tags, at the end of the page's head, whatever the theme."""
    before, found, after = output.partition("</head>")
    return f"{before}{head}{found}{after}" if found else output
