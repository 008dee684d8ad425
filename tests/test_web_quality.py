"""Web quality of the built site, measured with real tools: the Nu Html Checker and a crawl of
every internal link (and fragment) in every page."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

PAGE_TYPES = ["index.html", "claims/witkoff-russia-conceded-article-5-protection/index.html",
              "topics/bilateral-summit/index.html", "topics/index.html", "speakers/sergey-lavrov/index.html",
              "speakers/index.html", "verdicts/index.html", "verdicts/disputed/index.html", "sources/index.html",
              "methodology/index.html", "corrections/index.html", "corrections-policy/index.html",
              "about/index.html", "contact/index.html", "search/index.html", "open-data/index.html", "404.html"]


def test_nu_html_checker_finds_no_errors(built_site: Path, nu_checker: list[str]) -> None:
    pages = [str(built_site / p) for p in PAGE_TYPES] + [str(p) for p in sorted(built_site.rglob("*.html"))]
    result = subprocess.run([*nu_checker, "--errors-only", "--format", "json", "--stdout",
                             *dict.fromkeys(pages)], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors[:20])
    assert result.returncode == 0


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") in ("canonical", "alternate")
                                        and attrs[name].startswith("http")):
                self.targets.append(attrs[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _resolve(site: Path, page: Path, target: str) -> Path:
    path = unquote(urlsplit(target).path)
    resolved = (page.parent / path).resolve() if not path.startswith("/") else (site / path.lstrip("/")).resolve()
    return resolved / "index.html" if resolved.is_dir() else resolved


def test_every_internal_link_and_fragment_resolves(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    parsed = {page.resolve(): _parse(page) for page in pages}
    broken = []
    checked = 0
    for page, links in parsed.items():
        for target in links.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "data:")):
                continue
            url, fragment = urldefrag(target)
            destination = _resolve(built_site, page, url) if url else page
            checked += 1
            if not destination.exists():
                broken.append(f"{page.relative_to(built_site.resolve())}: {target}")
            elif fragment and destination.suffix == ".html" and destination in parsed \
                    and fragment not in parsed[destination].ids:
                broken.append(f"{page.relative_to(built_site.resolve())}: {target} (no such anchor)")
    assert broken == [], "\n".join(broken[:30])
    assert checked > 500


def test_every_claim_links_out_only_over_https_or_http(built_site: Path) -> None:
    for page in sorted((built_site / "claims").glob("*/index.html")):
        for target in _parse(page).targets:
            scheme = urlsplit(target).scheme
            assert scheme in ("", "http", "https", "mailto"), (page, target)
