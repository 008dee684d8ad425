"""Shared fixtures: a copy of the publication in a temporary folder, and a real MkDocs build of it."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PUBLICATION_PARTS = ["mkdocs.yml", "content", "claims", "data", "seeds", "theme_overrides"]


def copy_publication(target: Path, *, claims: bool = True) -> Path:
    """Copy the repository's publication files (not the generator) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PUBLICATION_PARTS:
        source = REPO / part
        if part == "claims" and not claims:
            (target / "claims").mkdir(exist_ok=True)
            continue
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def mkdocs_build(root: Path, site_dir: Path | None = None, **overrides) -> Path:
    """Run the real MkDocs build in-process, strict, as `mkdocs build --strict` does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = site_dir or root / "site"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True, **overrides)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site


@pytest.fixture
def publication(tmp_path: Path) -> Path:
    return copy_publication(tmp_path / "pub")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own publication, built once per test session."""
    root = copy_publication(tmp_path_factory.mktemp("built") / "pub")
    return mkdocs_build(root)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self.blockquotes = 0
        self._in_jsonld = False
        self._buffer: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "blockquote":
            self.blockquotes += 1
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_jsonld, self._buffer = True, []
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content", "")
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs.get("href")

    def handle_data(self, data):
        if self._in_jsonld:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_jsonld:
            self.jsonld.append("".join(self._buffer))
            self._in_jsonld = False


def parse_page(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def claim_reviews(path: Path) -> list[dict]:
    """Every JSON-LD block of a page, parsed strictly."""
    return [json.loads(block) for block in parse_page(path).jsonld]


def text_of(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
