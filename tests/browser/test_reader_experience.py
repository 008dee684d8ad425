"""A reader in headless Chromium: browse to a claim, search, switch to dark mode, filter lists,
and every page type passes axe-core with zero violations. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CLAIM = "claims/witkoff-russia-conceded-article-5-protection/"
PAGE_TYPES = {"home": "", "claim": CLAIM, "topic": "topics/security-guarantees/", "topics": "topics/",
              "speaker": "speakers/sergey-lavrov/", "speakers": "speakers/", "verdicts": "verdicts/",
              "verdict": "verdicts/contradicted/", "sources": "sources/", "methodology": "methodology/",
              "corrections": "corrections/", "corrections-policy": "corrections-policy/", "about": "about/",
              "contact": "contact/", "search": "search/", "open-data": "open-data/"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(built_site: Path, serve) -> str:
    return serve(built_site)


def test_reader_goes_from_home_to_a_claim_and_its_original_article(base: str, page) -> None:
    page.goto(base)
    page.get_by_role("link", name="Topics", exact=True).first.click()
    page.get_by_role("link", name="Postwar security guarantees for Ukraine").click()
    page.get_by_role("link", name="Russia conceded the US could offer Ukraine Article 5-like protection").click()
    assert page.url == base + CLAIM
    verdict = page.locator(".fc-verdict__rating")
    assert " ".join(verdict.inner_text().split()) == "Our verdict: Disputed"
    claim_file = Path(__file__).resolve().parents[2] / "claims" / f"{CLAIM.strip('/').split('/')[-1]}.yaml"
    quotes = claim_file.read_text(encoding="utf-8")
    assert page.locator(".fc-quote blockquote").count() == len(re.findall(r"(?m)^[ -]*quote:", quotes)) >= 3
    assert "We were able to win the following concession" in page.locator("#said blockquote").inner_text()
    original = page.locator("#said figcaption cite a")
    assert original.get_attribute("href") == "https://meduza.io/en/feature/2025/08/20/worlds-apart"
    with page.expect_request(lambda r: r.url.startswith("https://meduza.io/"), timeout=5000) as request:
        page.route("https://meduza.io/**", lambda route: route.fulfill(status=200, body="original article"))
        original.click()
    assert request.value.url == "https://meduza.io/en/feature/2025/08/20/worlds-apart"


def test_search_for_witkoff_finds_the_claim_with_its_verdict(base: str, page) -> None:
    page.goto(base)
    page.fill("#fc-q", "Witkoff")
    page.press("#fc-q", "Enter")
    page.wait_for_url("**/search/?q=Witkoff")
    title = "Russia conceded the US could offer Ukraine Article 5-like protection"
    result = page.locator(".fc-result").filter(has=page.get_by_role("link", name=title, exact=True))
    result.wait_for(timeout=10000)
    assert " ".join(result.locator(".fc-result__verdict").inner_text().split()) == "Verdict: Disputed"
    assert re.fullmatch(r"\d+ results? for “Witkoff”\.", page.get_by_role("status").inner_text())
    result.get_by_role("link", name=title).click()
    assert page.url.endswith(CLAIM)


def test_reader_switches_to_dark_mode(base: str, page) -> None:
    page.goto(base + CLAIM)
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    page.locator("label[title='Switch to dark mode']").click()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    page.reload()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"


def test_lists_can_be_filtered_on_the_page(base: str, page) -> None:
    page.goto(base + "topics/bilateral-summit/")
    items = page.locator(".fc-list__item")
    total = items.count()
    page.select_option("select", "accurate")
    visible = page.locator(".fc-list__item:not([hidden])")
    assert visible.count() == 1 and "no date had been set" in visible.inner_text()
    page.select_option("select", "")
    page.fill(".fc-filter input", "Lavrov")
    assert 0 < visible.count() < total
    assert f"of {total} shown" in page.inner_text(".fc-filter__count")


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_axe_finds_no_violations(base: str, page, axe: Path, kind: str) -> None:
    page.goto(base + PAGE_TYPES[kind])
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes) e.g. {v['nodes'][0]['html'][:160]}"
                  for v in result["violations"]]
    assert violations == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_in_either_colour_scheme(base: str, browser, axe: Path, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    tab = context.new_page()
    tab.goto(base + CLAIM)
    tab.add_script_tag(path=str(axe))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert [v["id"] for v in result["violations"]] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height,name", [(1280, 900, "desktop"), (390, 844, "mobile")])
def test_claim_page_screenshots(base: str, browser, artifacts: Path, scheme: str, width: int, height: int,
                                name: str) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.goto(base + CLAIM)
    expected = "slate" if scheme == "dark" else "default"
    assert tab.get_attribute("body", "data-md-color-scheme") == expected
    target = artifacts / f"claim-{scheme}-{name}.png"
    tab.screenshot(path=str(target), full_page=True)
    context.close()
    assert target.stat().st_size > 10_000
