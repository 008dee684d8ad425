"""Corrections are data: shown on the claim page, listed in the log, reflected in dateModified."""

from __future__ import annotations

from pathlib import Path

from .conftest import claim_reviews, mkdocs_build

UNCORRECTED = "zelensky-already-working-on-guarantees-content"  # a shipped claim with no corrections


def test_a_correction_is_published_everywhere_it_should_be(publication: Path) -> None:
    claim = publication / "claims" / f"{UNCORRECTED}.yaml"
    text = claim.read_text(encoding="utf-8")
    assert "corrections:" not in text and "published: 2026-11-23" in text
    text = text.replace("published: 2026-11-23", "published: 2026-11-20").rstrip("\n") + (
        "\ncorrections:\n  - date: 2026-11-23\n    text: Clarified which outlet reported the **no meeting** remark.\n")
    claim.write_text(text, encoding="utf-8")
    site = mkdocs_build(publication)
    page = site / "claims" / UNCORRECTED / "index.html"
    html = page.read_text(encoding="utf-8")
    assert 'Updated <time datetime="2026-11-23">23 November 2026</time>' in html
    assert "<strong>no meeting</strong>" in html and '<a href="#corrections">1 correction</a>' in html
    review = claim_reviews(page)[0]
    assert review["datePublished"] == "2026-11-20" and review["dateModified"] == "2026-11-23"
    log = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    assert f'href="../claims/{UNCORRECTED}/#corrections"' in log
    assert "Clarified which outlet reported the <strong>no meeting</strong> remark." in log


def test_uncorrected_claims_say_so_and_have_no_date_modified(built_site: Path) -> None:
    page = built_site / "claims" / UNCORRECTED / "index.html"
    assert "No corrections have been made to this fact-check." in page.read_text(encoding="utf-8")
    assert "dateModified" not in claim_reviews(page)[0]
    assert "corrections-policy/" in page.read_text(encoding="utf-8")
