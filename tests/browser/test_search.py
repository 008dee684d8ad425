"""The search page in headless Chromium, against the Pagefind index a real build writes: a query,
each filter alone and with a query, the address that reproduces a search, more results on demand,
several bundles merged, what a first search downloads, and accessibility. Which claims a search
must find is read from the publication itself, not written down here."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from generator import search
from generator.corpus import Corpus, Project, load_corpus

from ..conftest import copy_publication, mkdocs_build

pytestmark = pytest.mark.browser

LABEL = "Words to search for, in claims, quotes, names and analysis:"
CLAIM = "claims/witkoff-russia-conceded-article-5-protection/"
KINDS = ("verdict", "topic", "speaker")

RESULTS = """items => items.map(li => {
  const text = (selector) => { const node = li.querySelector(selector); return node ? node.textContent : null; };
  return {path: new URL(li.querySelector('.fc-result__link').href).pathname, title: text('.fc-result__link'),
          verdict: text('.fc-result__verdict .fc-badge__label'), speaker: text('.fc-result__speaker'),
          excerpt: li.querySelector('.fc-result__excerpt').innerHTML};
})"""


@pytest.fixture(scope="module")
def base(built_site: Path, serve: Any) -> str:
    return str(serve(built_site))


@pytest.fixture(scope="module")
def corpus(built_site: Path) -> Corpus:
    loaded, diagnostics = load_corpus(Project(built_site.parent))
    assert not diagnostics.errors
    return loaded


def expected(corpus: Corpus, kind: str, value: str) -> set[str]:
    """The paths of the claims that a filter on `kind` = `value` (the text shown) must find."""
    if kind == "verdict":
        groups, names = corpus.claims_by_verdict(), {k: v.label for k, v in corpus.verdicts.items()}
    elif kind == "topic":
        groups, names = corpus.claims_by_topic(), {k: v.name for k, v in corpus.topics.items()}
    else:
        groups, names = corpus.claims_by_speaker(), {k: v.name for k, v in corpus.speakers.items()}
    return {f"/claims/{cid}/" for key, ids in groups.items() if names[key] == value for cid in ids}


def status_of(page: Any, what: str) -> str:
    """Wait until the live region reports the search described by `what`; return its text."""
    pattern = rf"^(\d+ results?|No results) for {re.escape(what)}(, showing the first \d+)?\.$"
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(pattern), timeout=15000)
    return str(status.inner_text())


def all_results(page: Any) -> list[dict[str, Any]]:
    """Every result of the search on screen, pressing "Show more results" until there are no more."""
    more = page.get_by_role("button", name="Show more results")
    while more.is_visible():
        shown = page.locator(".fc-result").count()
        more.click()
        expect(page.locator(".fc-result")).not_to_have_count(shown)
    results: list[dict[str, Any]] = page.locator(".fc-result").evaluate_all(RESULTS)
    total = re.match(r"^(\d+|No)", page.get_by_role("status").inner_text())
    assert total is not None and len(results) == (0 if total.group(1) == "No" else int(total.group(1)))
    return results


def paths(results: list[dict[str, Any]]) -> set[str]:
    return {r["path"] for r in results}


def options(page: Any, kind: str) -> list[str]:
    return list(page.locator(f"#fc-search-{kind} option").evaluate_all("o => o.map(x => x.value)"))


def test_typing_a_query_finds_the_claim_with_its_verdict_and_speaker(base: str, page: Any, corpus: Corpus) -> None:
    page.goto(base + "search/")
    box = page.get_by_label(LABEL)
    box.press_sequentially("Witkoff", delay=30)
    status_of(page, "“Witkoff”")
    assert page.url == base + "search/?q=Witkoff"
    claim = corpus.claims[CLAIM.split("/")[1]]
    entry = page.locator(".fc-result").filter(has=page.get_by_role("link", name=claim.claim, exact=True))
    assert entry.locator(".fc-result__verdict").inner_text().split() == [
        "Verdict:", *corpus.verdicts[claim.verdict.rating].label.split()]
    assert entry.locator(".fc-result__speaker").inner_text() == "Claim by Steve Witkoff"
    assert entry.locator(".fc-result__excerpt mark").first.inner_text().casefold() == "witkoff"
    entry.get_by_role("link").click()
    assert page.url == base + CLAIM


def test_a_search_with_no_match_says_so(base: str, page: Any) -> None:
    page.goto(base + "search/")
    page.get_by_label(LABEL).fill("xylophonequartz")
    page.get_by_label(LABEL).press("Enter")
    assert status_of(page, "“xylophonequartz”") == "No results for “xylophonequartz”."
    assert page.locator(".fc-result").count() == 0
    assert not page.get_by_role("button", name="Show more results").is_visible()
    page.get_by_label(LABEL).fill("")
    page.get_by_label(LABEL).press("Enter")
    expect(page.get_by_role("status")).to_have_text("")
    assert page.url == base + "search/"


def test_the_filters_offer_what_the_claims_record(base: str, page: Any, corpus: Corpus) -> None:
    page.goto(base + "search/")
    assert page.get_by_role("search").count() == 1
    for kind in KINDS:
        expect(page.get_by_label(kind.capitalize(), exact=True)).to_be_visible()
    assert options(page, "verdict") == ["", *[v.label for v in corpus.verdict_order()]]
    topics = {corpus.topics[t].name for claim in corpus.claims.values() for t in claim.topics}
    assert options(page, "topic") == ["", *sorted(topics, key=str.casefold)]
    speakers = {corpus.speakers[claim.statement.speaker].name for claim in corpus.claims.values()}
    assert options(page, "speaker") == ["", *sorted(speakers, key=str.casefold)]
    assert page.locator("#fc-search-verdict option").first.inner_text() == "All verdicts"


@pytest.mark.parametrize("kind", KINDS)
def test_each_filter_alone_lists_exactly_the_claims_it_names(base: str, page: Any, corpus: Corpus,
                                                            kind: str) -> None:
    page.goto(base + "search/")
    found_any = False
    for value in options(page, kind)[1:]:
        page.get_by_label(kind.capitalize(), exact=True).select_option(value)
        status_of(page, f"{kind} {value}")
        results = all_results(page)
        assert paths(results) == expected(corpus, kind, value), value
        found_any = found_any or bool(results)
        if kind == "verdict":
            assert {r["verdict"] for r in results} <= {value}
        if kind == "speaker":
            assert {r["speaker"] for r in results} <= {f"Claim by {value}"}
        assert parse_qs(urlsplit(page.url).query) == {kind: [value]}
    assert found_any


def test_filters_narrow_a_query(base: str, page: Any, corpus: Corpus) -> None:
    page.goto(base + "search/?q=guarantees")
    status_of(page, "“guarantees”")
    everything = paths(all_results(page))
    verdict = "Accurate"
    page.get_by_label("Verdict", exact=True).select_option(verdict)
    status_of(page, f"“guarantees”, verdict {verdict}")
    narrowed = all_results(page)
    assert {r["verdict"] for r in narrowed} == {verdict}
    assert paths(narrowed) == everything & expected(corpus, "verdict", verdict) != set()
    assert paths(narrowed) < everything
    assert page.url == base + "search/?q=guarantees&verdict=Accurate"
    speaker = next(r["speaker"] for r in narrowed).removeprefix("Claim by ")
    page.get_by_label("Speaker", exact=True).select_option(speaker)
    status_of(page, f"“guarantees”, verdict {verdict}, speaker {speaker}")
    assert paths(all_results(page)) == paths(narrowed) & expected(corpus, "speaker", speaker)


def test_the_address_reproduces_a_search(base: str, page: Any, corpus: Corpus) -> None:
    page.goto(base + "search/?q=guarantees")
    status_of(page, "“guarantees”")
    everything = paths(all_results(page))
    topic = "Postwar security guarantees for Ukraine"
    page.goto(base + f"search/?q=guarantees&verdict=Accurate&topic={quote(topic)}")
    status_of(page, f"“guarantees”, verdict Accurate, topic {topic}")
    assert page.get_by_label(LABEL).input_value() == "guarantees"
    assert page.get_by_label("Verdict", exact=True).input_value() == "Accurate"
    assert page.get_by_label("Topic", exact=True).input_value() == topic
    assert paths(all_results(page)) == (everything & expected(corpus, "verdict", "Accurate")
                                        & expected(corpus, "topic", topic)) != set()
    page.goto(base + "search/?speaker=Sergey+Lavrov&verdict=No+such+verdict")
    status_of(page, "speaker Sergey Lavrov")
    assert page.get_by_label("Verdict", exact=True).input_value() == ""
    assert paths(all_results(page)) == expected(corpus, "speaker", "Sergey Lavrov")


def test_more_results_are_shown_ten_at_a_time(base: str, page: Any, corpus: Corpus) -> None:
    fragments: list[str] = []
    page.on("request", lambda request: fragments.append(request.url) if "/fragment/" in request.url else None)
    page.goto(base + "search/?q=August")
    text = status_of(page, "“August”")
    total = int(text.split()[0])
    assert total > 10 and text.endswith(", showing the first 10.")
    assert page.locator(".fc-result").count() == 10
    page.wait_for_timeout(300)
    assert len(fragments) == 10, "data is loaded for the shown results only"
    more = page.get_by_role("button", name="Show more results")
    more.click()
    expect(page.locator(".fc-result")).to_have_count(min(total, 20))
    assert page.evaluate("document.activeElement.closest('.fc-result') === document.querySelectorAll('.fc-result')[10]")
    if total <= 20:
        assert not more.is_visible()
        assert page.get_by_role("status").inner_text() == f"{total} results for “August”."


def test_search_works_from_the_keyboard(base: str, page: Any) -> None:
    page.goto(base + "search/")
    page.keyboard.press("Tab")
    for _ in range(60):
        if page.evaluate("document.activeElement.id") == "fc-search-input":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.type("Lavrov")
    page.keyboard.press("Enter")
    status_of(page, "“Lavrov”")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Search"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "fc-search-verdict"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "no visible focus on the filter"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('fc-result__link')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_search_page_with_results_passes_axe(base: str, browser: Any, axe: Path, scheme: str, width: int) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(base + "search/?q=August&verdict=Accurate")
        status_of(tab, "“August”, verdict Accurate")
        tab.get_by_label(LABEL).focus()
        assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        tab.add_script_tag(path=str(axe))
        result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [f"{v['id']}: {v['help']} e.g. {v['nodes'][0]['html'][:160]}" for v in result["violations"]]
        assert violations == []
    finally:
        context.close()


def test_a_first_search_fetches_no_ready_made_interface_and_no_filter_file(base: str, page: Any) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    page.goto(base + "search/?q=Lavrov")
    status_of(page, "“Lavrov”")
    page.wait_for_timeout(300)
    assert "/pagefind/bundles.json" in fetched and "/pagefind/0/pagefind.js" in fetched
    assert [p for p in fetched if "-ui" in p or "/filter/" in p or "highlight" in p] == []
    page.get_by_label("Verdict", exact=True).select_option("Accurate")
    status_of(page, "“Lavrov”, verdict Accurate")
    assert any("/filter/" in p for p in fetched), "a filter file is fetched when a filter is used"


def test_without_an_index_the_page_says_search_is_unavailable(built_site: Path, serve: Any, page: Any,
                                                             tmp_path: Path) -> None:
    preview = tmp_path / "site"
    shutil.copytree(built_site, preview, ignore=shutil.ignore_patterns("pagefind"))
    page.goto(serve(preview) + "search/?q=Lavrov")
    expect(page.locator("#fc-search-unavailable")).to_be_visible()
    expect(page.locator("#fc-search")).to_be_hidden()


# --- an index in several bundles -----------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The publication built with four claims a bundle, so that its index is in four bundles."""
    root = copy_publication(tmp_path_factory.mktemp("bundled") / "pub")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "BUNDLE_CLAIMS", 4)
        return mkdocs_build(root)


def test_several_bundles_are_merged_into_one_search(bundled_site: Path, serve: Any, page: Any,
                                                     corpus: Corpus) -> None:
    bundles = json.loads((bundled_site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))["bundles"]
    assert len(bundles) == 4
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    page.goto(serve(bundled_site) + "search/?q=August")
    status_of(page, "“August”")
    every = {f"/claims/{cid}/" for cid in corpus.claims}
    assert paths(all_results(page)) == every
    for bundle in bundles:
        assert f"/pagefind/{bundle}pagefind-entry.json" in fetched
        assert any(p.startswith(f"/pagefind/{bundle}index/") for p in fetched), bundle
    assert [p for p in fetched if p.endswith("pagefind.js") or "/wasm." in p] == [
        f"/pagefind/{bundles[0]}pagefind.js", f"/pagefind/{bundles[0]}wasm.en.pagefind"]
    page.get_by_label("Verdict", exact=True).select_option("Unsupported")
    status_of(page, "“August”, verdict Unsupported")
    assert paths(all_results(page)) == expected(corpus, "verdict", "Unsupported")
