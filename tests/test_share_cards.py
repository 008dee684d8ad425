"""Share cards: an Open Graph image per claim page, drawn offline and reused when nothing changed."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from generator.cards import CardPainter, card_key

from .conftest import mkdocs_build, parse_page


def test_every_claim_page_points_to_its_own_card(built_site: Path) -> None:
    for page in sorted((built_site / "claims").glob("*/index.html")):
        cid = page.parent.name
        meta = parse_page(page).meta
        assert meta["og:image"] == f"https://factcheck-desk.example.org/cards/{cid}.jpg"
        assert meta["twitter:card"] == "summary_large_image"
        image = Image.open(io.BytesIO((built_site / "cards" / f"{cid}.jpg").read_bytes()))
        assert image.size == (1200, 630) and image.format == "JPEG"


def test_cards_are_cached_and_redrawn_only_when_their_claim_changes(publication: Path) -> None:
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache" / "cards"
    first = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg")}
    claim = publication / "claims" / "zelensky-no-date-for-leaders-meeting.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace(
        "claim: No date has been set for a meeting of the leaders", "claim: No date was set for a leaders' meeting"),
        encoding="utf-8")
    mkdocs_build(publication)
    second = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg")}
    new = set(second) - set(first)
    assert len(new) == 1
    assert all(second[name] == first[name] for name in first)


def test_painter_draws_only_missing_cards(tmp_path: Path) -> None:
    fields = {"site_name": "Desk", "claim": "Кремль: встреча не готовится — café", "speaker": "Сергей Лавров",
              "role": "Foreign Minister", "verdict": "Disputed", "colour": "#6a1b9a", "icon": "scale"}
    jobs = [("a", fields), ("b", {**fields, "verdict": "Accurate", "icon": "check"})]
    out = tmp_path / "site"
    assert CardPainter(jobs, tmp_path / "cache").finish(out) == 2
    assert CardPainter(jobs, tmp_path / "cache").finish(out) == 0
    assert (tmp_path / "cache" / f"{card_key(fields)}.jpg").is_file()
    assert Image.open(out / "cards" / "a.jpg").size == (1200, 630)
