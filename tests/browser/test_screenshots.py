"""The site as readers see it: the home, claim, topic and speaker pages on a desktop and a phone, in
light and dark mode. Each view is saved to test-artifacts/screens/ for a person to look at, and
checked for what a screenshot shows at a glance: one search box, no empty table-of-contents column,
titles in a readable colour, nothing wider than the screen, and no axe-core violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PAGES = {"home": "", "claim": "claims/witkoff-russia-conceded-article-5-protection/",
         "topic": "topics/security-guarantees/", "speaker": "speakers/sergey-lavrov/"}
DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "mobile": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                      "device_scale_factor": 2}}
SCHEMES = {"light": "default", "dark": "slate"}

pytestmark = pytest.mark.browser

# WCAG contrast of the page title's colour on the page background (alpha composited), in the page.
TITLE_CONTRAST = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); const p = m[1].split(/[ ,/]+/).map(Number);
                         return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  let node = document.querySelector('.md-content h1'), back = null;
  const fore = parse(getComputedStyle(node).color);
  for (let n = node; n && !back; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor); if (c[3] > 0) back = c; }
  back = back || [255, 255, 255, 1];
  const mixed = fore.slice(0, 3).map((v, i) => v * fore[3] + back[i] * (1 - fore[3]));
  const [a, b] = [lum(mixed), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.fixture(scope="module")
def base(built_site: Path, serve: Any) -> str:
    return str(serve(built_site))


@pytest.fixture(scope="module")
def screens(artifacts: Path) -> Path:
    folder = artifacts / "screens"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("device", sorted(DEVICES))
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_as_readers_see_it(base: str, browser: Any, axe: Path, screens: Path, kind: str, device: str,
                                scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, **DEVICES[device])
    tab = context.new_page()
    try:
        tab.goto(base + PAGES[kind])
        assert tab.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
        target = screens / f"{kind}-{device}-{scheme}.png"
        tab.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000

        search_boxes = "form[role=search] input:visible"
        assert tab.locator(search_boxes).count() == 1
        width = tab.evaluate("() => document.documentElement.clientWidth")
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        toc = tab.locator(".md-sidebar--secondary")
        if device == "desktop" and tab.locator(".md-sidebar--secondary .md-nav__link").count() == 0:
            assert toc.count() == 0 or not toc.is_visible(), "an empty table-of-contents column is shown"
        assert tab.evaluate(TITLE_CONTRAST) >= 7, "the page title is not in a readable colour (WCAG AAA)"

        tab.add_script_tag(path=str(axe))
        result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [f"{v['id']}: {v['help']} e.g. {v['nodes'][0]['html'][:160]}" for v in result["violations"]]
        assert violations == []
    finally:
        context.close()


def test_home_page_shows_the_latest_fact_checks_as_cards_and_topics_as_sections(base: str, page: Any) -> None:
    page.goto(base)
    cards = page.locator(".fc-front").first.locator(".fc-card")
    assert cards.count() == 6
    first = cards.first
    assert first.locator(".fc-card__claim a").inner_text().strip()
    assert first.locator(".fc-badge__label").inner_text().strip()
    assert first.locator(".fc-card__who a").inner_text().strip()
    assert first.locator(".fc-card__quote").inner_text().strip()
    sections = page.locator(".fc-front--topic > h2")
    assert sections.count() >= 2
    sections.first.locator("a").click()
    assert "/topics/" in page.url


def test_search_page_has_one_search_box(base: str, page: Any) -> None:
    page.goto(base + "search/")
    page.get_by_label("Words to search for, in claims, quotes, names and analysis:").wait_for(timeout=10000)
    assert page.locator("input[type=search], form[role=search] input").count() == 1
    assert page.locator("form.fc-searchform").count() == 0
