"""The MkDocs adapter: feeds generated pages to MkDocs and nothing more.

Events used:
- on_startup: remember whether this is a build or `mkdocs serve`.
- on_config: resolve the project folders and site settings; send the build to a staging folder.
- on_files: load and validate the corpus, render pages, add them as generated files.
- on_page_markdown / on_page_content: hand MkDocs the pre-rendered HTML of generated pages and
  fill the `<!-- factcheck:... -->` markers of hand-written pages.
- on_page_context: add Open Graph, Twitter and ClaimReview tags to the page head.
- on_post_page / on_post_template: correct the theme's markup that the Nu Html Checker rejects.
- on_post_build: check that every claim became a page, then swap the staging folder into place.
- on_build_error: discard the staging folder, leaving the previous site untouched.
- on_serve: watch claims, data and seeds.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from . import urls
from .build import Build, BuildError, StagedOutput
from .html import plain_text, theme_text
from .render import head_html
from .theme_fixes import fix_theme_markup

log = logging.getLogger("mkdocs.plugins.factcheck")
PREVIEW_ENV = "FACTCHECK_PREVIEW"
MARKER = re.compile(r"<!--\s*factcheck:([a-z-]+)\s*-->")


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


class FactcheckPlugin(BasePlugin[FactcheckConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.build: Build | None = None
        self.staged: StagedOutput | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: Any) -> Any:
        root = Path(config.config_file_path).resolve().parent
        if not config.site_url:
            raise PluginError("factcheck: set `site_url` in mkdocs.yml; canonical URLs and ClaimReview need it")
        self.build = Build.from_settings(
            root=root, claims_dir=self.config.claims_dir, data_dir=self.config.data_dir,
            seeds_dir=self.config.seeds_dir, cache_dir=self.config.cache_dir or None,
            site_name=config.site_name, site_url=config.site_url, description=config.site_description or "",
            directory_urls=config.use_directory_urls, language=config.theme.get("language", "en") or "en")
        preview = os.environ.get(PREVIEW_ENV)
        if preview:
            self.build.only = [Path(p) for p in preview.split(os.pathsep)]
        if self.config.atomic and self.command == "build":
            self.staged = StagedOutput(Path(config.site_dir))
            config.site_dir = str(self.staged.staging)
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        assert self.build is not None
        try:
            pages = self.build.render()
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        for warning in self.build.diagnostics.warnings:
            log.info("factcheck: %s", warning.text())
        for page in pages.values():
            files.append(File.generated(config, page.src_uri, content="",
                                        inclusion=InclusionLevel.NOT_IN_NAV if page.kind in
                                        ("claim", "topic", "speaker", "verdict") else InclusionLevel.UNDEFINED))
        if self.config.share_cards:
            self.build.start_cards()
        for path, content in self.build.assets().items():
            files.append(File.generated(config, path, content=content))
        return files

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
        assert self.build is not None
        generated = self.build.pages.get(page.file.src_uri)
        if generated is None:
            return html
        content, generated.html = generated.html, ""
        return content

    def on_page_context(self, context: dict, *, page: Any, config: Any, nav: Any) -> dict:
        assert self.build is not None
        generated = self.build.pages.get(page.file.src_uri)
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

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        return fix_theme_markup(output)

    def on_post_template(self, output_content: str, *, template_name: str, config: Any) -> str:
        return fix_theme_markup(output_content) if template_name.endswith(".html") else output_content

    def on_post_build(self, *, config: Any) -> None:
        assert self.build is not None
        site_dir = Path(config.site_dir)
        wanted = self.config.search_index
        try:
            self.build.check_output(site_dir)
            if self.config.share_cards:
                self.build.finish_cards(site_dir)
            if wanted == "always" or (wanted == "build" and self.command == "build"):
                self.build.index_search(site_dir)
        except BuildError as exc:
            raise PluginError(str(exc)) from None
        if self.staged is not None:
            self.staged.commit()
            config.site_dir = str(self.staged.target)
            self.staged = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.staged is not None:
            self.staged.discard()
            self.staged = None

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        assert self.build is not None
        for path in self.build.project.watched_paths():
            if path.exists():
                server.watch(str(path))
        return server
