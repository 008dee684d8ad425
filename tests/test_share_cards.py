"""Share cards: an Open Graph image per claim page, drawn offline and reused when nothing changed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from generator.cards import CardPainter

from .conftest import mkdocs_build, parse_page


def test_every_claim_page_points_to_its_own_card(built_site: Path) -> None:
    for page in sorted((built_site / "claims").glob("*/index.html")):
        cid = page.parent.name
        meta = parse_page(page).meta
        assert meta["og:image"] == f"https://factcheck-desk.example.org/cards/{cid}.jpg"
        assert meta["twitter:card"] == "summary_large_image"
        image = Image.open(io.BytesIO((built_site / "cards" / f"{cid}.jpg").read_bytes()))
        assert image.size == (1200, 630) and image.format == "JPEG"


def _stored_cards(store: Path) -> dict[str, int]:
    """Stored files that are JPEG images (the store also holds pages), by name: modification time."""
    return {p.name: p.stat().st_mtime_ns for p in store.iterdir() if p.read_bytes()[:3] == b"\xff\xd8\xff"}


def test_cards_are_cached_and_redrawn_only_when_their_claim_changes(publication: Path) -> None:
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache" / "output"
    first = _stored_cards(cache)
    assert len(first) == len(list((publication / "claims").glob("*.yaml")))
    claim = publication / "claims" / "zelensky-no-date-for-leaders-meeting.yaml"
    text = claim.read_text(encoding="utf-8")
    assert "\nclaim: " in "\n" + text
    claim.write_text(re.sub(r"(?m)^claim: .*$", "claim: No date was set for a leaders' meeting", text, count=1),
                     encoding="utf-8")
    mkdocs_build(publication)
    second = _stored_cards(cache)
    new = set(second) - set(first)
    assert len(new) == 1
    assert all(second[name] == first[name] for name in first)


def test_painter_writes_each_card_to_the_store_and_the_site_as_separate_files(tmp_path: Path) -> None:
    fields = {"site_name": "Desk", "claim": "Кремль: встреча не готовится — café", "speaker": "Сергей Лавров",
              "role": "Foreign Minister", "verdict": "Disputed", "colour": "#6a1b9a", "icon": "scale"}
    jobs: list[tuple[dict[str, str], str | None, str]] = [
        (fields, str(tmp_path / "store" / "k1"), str(tmp_path / "site" / "cards" / "a.jpg")),
        ({**fields, "verdict": "Accurate", "icon": "check"}, None, str(tmp_path / "site" / "cards" / "b.jpg"))]
    assert CardPainter(jobs).finish() == 2
    stored, published = tmp_path / "store" / "k1", tmp_path / "site" / "cards" / "a.jpg"
    assert stored.read_bytes() == published.read_bytes()
    assert stored.stat().st_ino != published.stat().st_ino
    assert Image.open(tmp_path / "site" / "cards" / "b.jpg").size == (1200, 630)
