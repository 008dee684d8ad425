"""Golden tests of the core: claim YAML in, page HTML and ClaimReview out, without MkDocs.

The cases live in tests/golden/project (a small publication); the expected output in
tests/golden/expected. After an intended change, regenerate with UPDATE_GOLDEN=1 and review
the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.corpus import Project, load_corpus
from generator.render import Renderer, SiteInfo

GOLDEN = Path(__file__).parent / "golden"
SITE = SiteInfo(name="Golden Desk", url="https://golden.example.org/", description="Golden tests")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    corpus, diagnostics = load_corpus(Project(GOLDEN / "project"))
    assert not diagnostics.errors, diagnostics
    return Renderer(corpus, SITE)


def _pages(renderer: Renderer) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid in renderer.corpus.claims:
        page = renderer.claim_page(cid)
        out[f"claim-{cid}.html"] = page.html
        out[f"claim-{cid}.jsonld.json"] = json.dumps(json.loads(page.jsonld), indent=2, ensure_ascii=False) + "\n"
    for page in renderer.index_pages():
        out[page.src_uri.replace("/", "-").removesuffix(".md") + ".html"] = page.html
    out["fragment-verdict-table.html"] = renderer.verdict_table("methodology.md")
    out["fragment-latest.html"] = renderer.latest("index.md")
    out["fragment-search-filters.html"] = renderer.search_filters()
    return out


def test_golden_outputs_match(renderer: Renderer) -> None:
    produced = _pages(renderer)
    expected_dir = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        for old in expected_dir.glob("*"):
            old.unlink()
        for name, text in produced.items():
            (expected_dir / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in expected_dir.glob("*")}
    assert sorted(produced) == sorted(expected), "set of golden files differs; run with UPDATE_GOLDEN=1"
    for name in sorted(produced):
        assert produced[name] == expected[name], f"{name} differs from its golden copy"


def test_claim_review_matches_what_the_page_shows(renderer: Renderer) -> None:
    page = renderer.claim_page("trump-meeting-arranged")
    data = json.loads(page.jsonld)
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    assert data["url"] == "https://golden.example.org/claims/trump-meeting-arranged/"
    assert data["claimReviewed"] == "Trump began arranging a Putin–Zelensky meeting"
    assert data["reviewRating"] == {"@type": "Rating", "ratingValue": 3, "bestRating": 5, "worstRating": 1,
                                    "alternateName": "Disputed"}
    assert data["datePublished"] == "2026-11-20" and data["dateModified"] == "2026-11-22"
    claim = data["itemReviewed"]
    assert claim["author"] == {"@type": "Person", "name": "Donald Trump", "jobTitle": "President of the United States"}
    assert claim["datePublished"] == "2025-08-18"
    assert claim["appearance"]["url"] == "https://meduza.io/en/feature/2025/08/20/worlds-apart"
    for shown in ("Disputed", "Donald Trump", "Trump began arranging a Putin–Zelensky meeting", "20 November 2026",
                  "22 November 2026"):
        assert shown in page.html


def test_untrusted_text_is_escaped_in_html_and_json(renderer: Renderer) -> None:
    page = renderer.claim_page("trump-meeting-arranged")
    assert "&lt;angle brackets&gt;" in page.html and "<angle" not in page.html
    assert "<" not in page.jsonld and ">" not in page.jsonld


def test_source_without_url_is_named_not_linked(renderer: Renderer) -> None:
    html = renderer.claim_page("trump-meeting-arranged").html
    assert "RadarOnline: Peace-off!" in html and "original URL not recorded" in html
    assert "the source does not give the date of the statement" in html


def test_external_source_is_marked_unverified(renderer: Renderer) -> None:
    html = renderer.claim_page("witkoff-article-5").html
    assert 'href="https://www.themoscowtimes.com/2025/08/20/lavrov-says' in html
    assert "Not archived: quotes from this source could not be verified offline." in html
