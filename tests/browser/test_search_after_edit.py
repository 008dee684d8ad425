"""Search in headless Chromium still finds a claim after it is edited and the site rebuilt with the
cache: the search page, reloaded, finds the claim by a word the edit added and no longer by the
word it removed, while claims of the bundles the rebuild took from the cache are still found."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from generator import search

from ..conftest import copy_publication, mkdocs_build

pytestmark = pytest.mark.browser

LABEL = "Words to search for, in claims, quotes, names and analysis:"
OLD, NEW = "Quokkaville", "Wombatburg"
"""Words no claim holds (nor any word Pagefind could take for them), added by the edits below."""
OTHER = "/claims/witkoff-russia-conceded-article-5-protection/"
LOG = re.compile(r"search index: (\d+) bundle\(s\), (\d+) indexed again")


def status_of(page: Any, what: str) -> str:
    """Wait until the live region reports the search for `what`; return its text."""
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(rf"^(\d+ results?|No results) for “{re.escape(what)}”"), timeout=15000)
    return str(status.inner_text())


def result_paths(page: Any) -> list[str]:
    return list(page.locator(".fc-result__link").evaluate_all("links => links.map(a => new URL(a.href).pathname)"))


def set_analysis_word(path: Path, word: str, replacing: str | None) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if replacing is None:
        data["analysis"] += f"\nThe talks were never held in {word}.\n"
    else:
        assert replacing in data["analysis"]
        data["analysis"] = data["analysis"].replace(replacing, word)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def build(root: Path, caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    caplog.clear()
    mkdocs_build(root)
    found = LOG.findall(caplog.text)
    assert len(found) == 1
    return int(found[0][0]), int(found[0][1])


def test_search_finds_a_claim_after_it_is_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve: Any,
                                                 page: Any, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(search, "BUNDLE_CLAIMS", 4)
    caplog.set_level("INFO", logger="mkdocs.plugins.factcheck")
    root = copy_publication(tmp_path / "pub")
    claims = sorted((root / "claims").glob("*.yaml"))
    count = search.bundle_count(len(claims))
    other = search.bundle_of(OTHER.split("/")[2], count)
    claim = next(path for path in claims if search.bundle_of(path.stem, count) != other)
    target = f"/claims/{claim.stem}/"
    set_analysis_word(claim, OLD, None)
    bundles, indexed = build(root, caplog)
    assert bundles > 1 and indexed == bundles, "a cold build of several bundles"
    base = serve(root / "site")

    page.goto(base + f"search/?q={OLD}")
    assert status_of(page, OLD) == f"1 result for “{OLD}”."
    assert result_paths(page) == [target]

    set_analysis_word(claim, NEW, OLD)
    assert build(root, caplog) == (bundles, 1), "the rebuild indexes the edited claim's bundle only"

    page.reload()
    assert status_of(page, OLD) == f"No results for “{OLD}”.", "the removed word no longer finds the claim"
    assert result_paths(page) == []
    box = page.get_by_label(LABEL)
    box.fill(NEW)
    box.press("Enter")
    assert status_of(page, NEW) == f"1 result for “{NEW}”."
    assert result_paths(page) == [target]
    page.locator(".fc-result__link").click()
    assert page.url == base + target.lstrip("/")
    assert NEW in page.locator("main").inner_text()

    page.goto(base + "search/?q=Witkoff")
    status_of(page, "Witkoff")
    assert OTHER in result_paths(page), "claims of the bundles taken from the cache are found too"
