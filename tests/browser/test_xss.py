"""A script-injection attempt, built into a real site and opened in Chromium, never runs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..conftest import copy_publication, mkdocs_build

HOSTILE = Path(__file__).resolve().parents[1] / "hostile" / "cases"
INJECTIONS = ["script-in-claim-text", "title-breakout-in-claim", "jsonld-breakout-in-claim", "html-comment-in-claim",
              "attribute-breakout-in-context", "attribute-breakout-in-outlet", "script-in-summary"]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    pub = copy_publication(tmp_path_factory.mktemp("xss") / "pub")
    for name in INJECTIONS:
        shutil.copyfile(HOSTILE / f"{name}.yaml", pub / "claims" / f"{name}.yaml")
    return mkdocs_build(pub)


@pytest.mark.browser
@pytest.mark.parametrize("name", INJECTIONS)
def test_injected_script_never_runs(hostile_site: Path, serve, page, name: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = serve(hostile_site)
    for url in (f"claims/{name}/", "", "topics/security-guarantees/", "speakers/donald-trump/"):
        page.goto(base + url)
        page.wait_for_load_state("load")
        for element in page.query_selector_all("[onmouseover], [onfocus], [onerror]"):
            element.hover()
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('[onmouseover],[onfocus],[onerror],[autofocus]').length") == 0
    claim_text = page.goto(base + f"claims/{name}/") and page.inner_text("h1")
    assert "A hostile test claim" in claim_text or "<" in claim_text


@pytest.mark.browser
def test_hostile_claims_stay_text_in_search_results(hostile_site: Path, serve, page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(serve(hostile_site) + "search/?q=alert")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d+ results? for “alert”"), timeout=15000)
    titles = page.locator(".fc-result__link").all_inner_texts()
    assert "<script>alert(document.domain)</script>" in titles
    assert "</title><script>alert('title')</script>" in titles
    results = page.locator("#fc-search-results")
    assert results.locator("script, img, iframe, [onerror], [onmouseover]").count() == 0
    assert set(results.locator(".fc-result__excerpt *").evaluate_all("nodes => nodes.map(n => n.tagName)")) <= {"MARK"}
    assert "<script>" in results.locator(".fc-result__excerpt").first.inner_text()
    for link in page.locator(".fc-result__link").all():
        link.hover()
        link.focus()
    page.wait_for_timeout(100)
    assert dialogs == []
