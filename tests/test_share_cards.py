"""Share cards: an Open Graph image per claim page, drawn offline and reused when nothing changed."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from generator import cards, urls
from generator.cards import CardPainter
from generator.output import kept as output_kept

from .conftest import mkdocs_build, parse_page

SCALE = Path(__file__).resolve().parent.parent / "data" / "verdicts.yaml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_claim_page_points_to_its_own_card(built_site: Path) -> None:
    for page in sorted((built_site / "claims").glob("*/index.html")):
        cid = page.parent.name
        meta = parse_page(page).meta
        assert meta["og:image"] == f"https://factcheck-desk.example.org/{urls.card_path(cid)}"
        assert meta["twitter:card"] == "summary_large_image"
        image = Image.open(io.BytesIO((built_site / urls.card_path(cid)).read_bytes()))
        assert image.size == (1200, 630) and image.format == cards.FORMAT


def _stored_cards(store: Path) -> dict[str, int]:
    """Stored files that are PNG images (the store also holds pages), by name: modification time."""
    return {p.name: p.stat().st_mtime_ns for p in store.iterdir() if p.read_bytes()[:8] == PNG_SIGNATURE}


def _set_claim(path: Path, claim: str) -> None:
    """Give the claim file at `path` another claim text."""
    text = path.read_text(encoding="utf-8")
    assert "\nclaim: " in "\n" + text
    path.write_text(re.sub(r"(?m)^claim: .*$", f"claim: {claim}", text, count=1), encoding="utf-8")


def test_cards_are_cached_and_redrawn_only_when_their_claim_changes(publication: Path) -> None:
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache" / "output"
    first = _stored_cards(cache)
    assert len(first) == len(list((publication / "claims").glob("*.yaml")))
    _set_claim(publication / "claims" / "zelensky-no-date-for-leaders-meeting.yaml",
               "No date was set for a leaders' meeting")
    mkdocs_build(publication)
    second = _stored_cards(cache)
    new = set(second) - set(first)
    assert len(new) == 1
    assert all(second[name] == first[name] for name in first)


@pytest.mark.parametrize("in_process", [True, False], ids=["inline", "painter-process"])
def test_painter_writes_each_card_to_the_store_and_the_site_as_separate_files(tmp_path: Path, in_process: bool,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Few cards are drawn in the build's process; many by `python -m generator.cards` (its limit
    is lowered here so that two cards take that path)."""
    if not in_process:
        monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)
    fields = {"site_name": "Desk", "claim": "Кремль: встреча не готовится — café", "speaker": "Сергей Лавров",
              "role": "Foreign Minister", "verdict": "Disputed", "colour": "#6a1b9a", "icon": "scale"}
    jobs: list[tuple[dict[str, str], str | None, str]] = [
        (fields, str(tmp_path / "store" / "k1"), str(tmp_path / "site" / "cards" / "a.png")),
        ({**fields, "verdict": "Accurate", "icon": "check"}, None, str(tmp_path / "site" / "cards" / "b.png"))]
    painter = CardPainter(jobs)
    painter.start()
    assert (painter.process is None) == in_process
    assert painter.finish() == 2
    stored, published = tmp_path / "store" / "k1", tmp_path / "site" / "cards" / "a.png"
    assert stored.read_bytes() == published.read_bytes()
    assert stored.stat().st_ino != published.stat().st_ino
    assert Image.open(tmp_path / "site" / "cards" / "b.png").size == (1200, 630)


def _painter_jobs(tmp_path: Path, count: int) -> list[tuple[dict[str, str], str | None, str]]:
    base = {"site_name": "Desk", "speaker": "Сергей Лавров", "role": "Foreign Minister", "verdict": "Disputed",
            "colour": "#6a1b9a", "icon": "scale"}
    return [({**base, "claim": f"Claim number {n} — встреча"}, str(tmp_path / "store" / f"k{n}"),
             str(tmp_path / "site" / "cards" / f"c{n}.png")) for n in range(count)]


def _assert_drawn(jobs: list[tuple[dict[str, str], str | None, str]], tmp_path: Path) -> None:
    for fields, stored, dest in jobs:
        assert stored is not None
        assert Path(stored).read_bytes() == Path(dest).read_bytes() == cards.draw_card(**fields)
    assert not list((tmp_path / "site" / "cards").glob(".*.tmp"))


def test_the_build_and_the_painter_draw_from_both_ends_until_they_meet(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`finish` draws from the last card back while the painter goes on from the front. Every card
    is drawn, to both places, as `draw_card` draws it; each side draws some; the painter runs at low priority."""
    monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)
    jobs = _painter_jobs(tmp_path, 400)
    painter = CardPainter(jobs)
    painter.start()
    assert painter.meeting is not None and painter.process is not None
    deadline = time.monotonic() + 60
    while painter.meeting[cards._Meeting.PAINTED] < 3 and painter.process.poll() is None:
        assert time.monotonic() < deadline, "the painter drew nothing in a minute"
        time.sleep(0.01)
    assert os.getpriority(os.PRIO_PROCESS, painter.process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0)
                                                                      + cards.PAINTER_NICE)
    assert painter.finish() == 400
    assert 0 < painter.drawn_here <= 397, "the build drew nothing, or every card the painter had drawn"
    _assert_drawn(jobs, tmp_path)


def test_the_build_draws_what_neither_took_where_they_met(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the painter stop at a card the build did not take (each saw the other's mark on it),
    the build draws it once the painter has exited: here the painter is told from the start that
    the build has taken card 5 on, and has exited before the build draws anything."""
    monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)
    create = cards._Meeting.create

    def stopping_at_five(count: int) -> cards._Meeting:
        meeting = create(count)
        meeting[cards._Meeting.LIMIT] = 5
        return meeting

    monkeypatch.setattr(cards._Meeting, "create", stopping_at_five)
    jobs = _painter_jobs(tmp_path, 12)
    painter = CardPainter(jobs)
    painter.start()
    assert painter.process is not None and painter.process.wait(timeout=60) == 0
    assert sorted(p.name for p in (tmp_path / "site" / "cards").iterdir()) == sorted(f"c{n}.png" for n in range(5))
    assert painter.finish() == 12 and painter.drawn_here == 7
    _assert_drawn(jobs, tmp_path)


def test_without_the_share_the_painter_draws_every_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)
    monkeypatch.setenv("FACTCHECK_WITHOUT", "card-share")
    jobs: list[tuple[dict[str, str], str | None, str]] = [
        ({"site_name": "Desk", "claim": f"Claim {n}", "speaker": "A", "role": "B", "verdict": "Accurate",
          "colour": "#2e7d32", "icon": "check"}, None, str(tmp_path / f"c{n}.png")) for n in range(6)]
    painter = CardPainter(jobs)
    painter.start()
    assert painter.finish() == 6 and painter.drawn_here == 0
    assert all(Path(dest).read_bytes() == cards.draw_card(**fields) for fields, _, dest in jobs)


def test_a_painter_that_fails_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)
    painter = CardPainter([({"site_name": "Desk"}, None, str(tmp_path / "a.png"))])  # fields missing
    painter.start()
    assert painter.process is not None and painter.process.wait(timeout=60) == 1  # before the build draws it too
    with pytest.raises(RuntimeError, match=r"share-card process failed with exit code 1:(.|\n)*TypeError"):
        painter.finish()


def _sample_fields() -> list[dict[str, str]]:
    """A long claim with descenders and a Unicode speaker, once for each verdict of the sample scale."""
    claim = ("Я не обещал референдум, José said: unemployment fell by half since 2019 while wages grew "
             "quickly, jumping past every gypsum-quarrying region — according to figures nobody published")
    return [{"site_name": "Desk", "claim": claim, "speaker": "José Сидоренко", "role": "Deputy Minister (Ågypt)",
             "verdict": v["label"], "colour": v["colour"], "icon": v["icon"]}
            for v in yaml.safe_load(SCALE.read_text(encoding="utf-8"))]


def test_a_card_for_each_verdict_decodes_and_is_the_same_bytes_every_time() -> None:
    for fields in _sample_fields():
        data = cards.draw_card(**fields)
        assert data[:8] == PNG_SIGNATURE
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == cards.FORMAT and image.size == (cards.WIDTH, cards.HEIGHT) == (1200, 630)
        # the rows stitched from shared and per-card pieces are the picture drawn in one piece
        reference = cards.card_image(**fields)
        assert image.tobytes() == reference.tobytes() and image.getpalette() == reference.getpalette()
        assert cards.draw_card(**fields) == data
        assert cards.draw_card(**dict(fields)) == data  # another dict, same content


def _band_by_pillow(claim: str, speaker: str, role: str) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A card's band drawn line by line by Pillow itself, and the box of each line's ink alone."""
    band = Image.new("L", (1 + cards.WIDTH, cards.BAND[1] - cards.BAND[0]), cards.WHITE)
    ImageDraw.Draw(band).line((0, 0, 0, band.height), fill=0)
    font, y = cards._font(cards.CLAIM_SIZE, True), cards.CLAIM_TOP - cards.BAND[0]
    lines = [((1 + cards.MARGIN, y + n * int(cards.CLAIM_SIZE * 1.25)), line, font, cards.TEXT)
             for n, line in enumerate(cards._wrap(claim, font, cards.WIDTH - 2 * cards.MARGIN, cards.CLAIM_LINES))]
    lines.append(((1 + cards.MARGIN, y + len(lines) * int(cards.CLAIM_SIZE * 1.25) + 10), f"Claim by {speaker}, {role}",
                  cards._font(30), cards._grey("#444444")))
    boxes = []
    for xy, line, line_font, ink in lines:
        ImageDraw.Draw(band).text(xy, line, font=line_font, fill=ink, features=cards.NO_LIGATURES)
        alone = Image.new("L", band.size, 0)
        ImageDraw.Draw(alone).text(xy, line, font=line_font, fill=255, features=cards.NO_LIGATURES)
        boxes.append(alone.getbbox())
    return band, boxes


@pytest.mark.parametrize(("claim", "touching"), [
    ("Quite plain words of a claim that wrap onto a second line and then onto a third one, as claims do", False),
    ("gjpqy gjpqy gjpqy gjpqy gjpqy gjpqy gjpqy gjpqy ẤẦẨẪẬ ẤẦẨẪẬ ẤẦẨẪẬ ẤẦẨẪẬ ẤẦẨẪẬ ẤẦẨẪẬ Ǻ gjpqy", True)])
def test_a_cards_lines_are_blended_as_pillow_blends_them_even_where_they_touch(claim: str, touching: bool) -> None:
    """A card blends each line of glyphs into white without reading the rows below the lines before
    it; where a line's accents reach into the ink of the line above, it reads what is there."""
    reference, boxes = _band_by_pillow(claim, "Сергей Лавров", "Minister (Foreign)")
    assert any(above[3] > below[1] for above, below in itertools.pairwise(boxes)) == touching
    assert cards._band(claim, "Сергей Лавров", "Minister (Foreign)").tobytes() == reference.tobytes()


_DRAW_ELSEWHERE = """
import hashlib, json, os, sys
from generator import cards
heap = [os.urandom(n) for n in range(1000, 400_000, 3001)]  # another heap than the test's
jobs = json.loads(sys.stdin.read())
print(json.dumps([hashlib.sha256(cards.draw_card(**fields)).hexdigest() for fields in reversed(jobs)][::-1]))
"""


def test_a_card_is_the_same_bytes_whichever_process_draws_it_and_wherever_its_rows_lie() -> None:
    """A rebuild takes stored cards that other processes drew: they must be the bytes this one draws.
    (ISA-L, tried before zlib-ng, gave the same rows other bytes in another process.)"""
    jobs = [{**fields, "claim": f"{fields['claim']} {n}" * (1 + n % 3), "speaker": f"Speaker {n}"}
            for n, fields in enumerate(_sample_fields() * 4)]
    here = [hashlib.sha256(cards.draw_card(**fields)).hexdigest() for fields in jobs]
    root = Path(__file__).resolve().parent.parent
    elsewhere = subprocess.run([sys.executable, "-c", _DRAW_ELSEWHERE], input=json.dumps(jobs), text=True,
                               capture_output=True, check=False, cwd=root,
                               env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)})
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout) == here
    # The same rows at other addresses: zlib-ng copies its input into a window of its own, but a
    # compressor that reads it in place (as ISA-L does) could take another path at another address.
    rows = cards._band(jobs[0]["claim"], jobs[0]["speaker"], "Minister").tobytes()
    for offset in range(1, 40, 7):
        assert cards._deflate(memoryview(bytearray(offset) + rows)[offset:]) == cards._deflate(rows)


@pytest.mark.parametrize("level", [cards.BAND_LEVEL, cards.SHARED_LEVEL])
def test_a_cards_key_holds_what_its_compressor_makes_of_sample_rows(monkeypatch: pytest.MonkeyPatch,
                                                                   level: int) -> None:
    """Cards drawn where the compressor gives other bytes, at either level a card uses, are not
    taken for this one's."""
    before, deflate = cards.drawn_with(), cards._deflate

    def other_bytes(rows: bytes, at: int = cards.BAND_LEVEL) -> bytes:
        return deflate(rows, at) + (b"\0" if at == level else b"")

    monkeypatch.setattr(cards, "_deflate", other_bytes)
    cards.drawn_with.cache_clear()
    try:
        assert cards.drawn_with() != before
    finally:
        monkeypatch.undo()
        cards.drawn_with.cache_clear()
    assert cards.drawn_with() == before


def test_a_card_shows_the_verdict_colour_and_white_text_on_it() -> None:
    for fields in _sample_fields():
        image = Image.open(io.BytesIO(cards.draw_card(**fields))).convert("RGB")
        assert image.getpixel((80, cards.PILL_TOP + 42)) == Image.new("RGB", (1, 1), fields["colour"]).getpixel((0, 0))
        assert image.getpixel((600, 40)) == (0x30, 0x3F, 0x9F)
        assert (255, 255, 255) in {c for _, c in image.crop((90, cards.PILL_TOP, 400, cards.PILL_TOP + 84))
                                   .getcolors(256) or []}


def test_the_per_card_band_holds_all_of_its_text() -> None:
    """Nothing of the template lies in the band a card redraws, and the tallest claim and speaker
    lines (three lines, descenders) end above the band's last rows."""
    for fields in _sample_fields():
        template = cards._template(fields["site_name"], fields["verdict"], fields["icon"])
        assert template.crop((0, cards.BAND[0], cards.WIDTH, cards.BAND[1])).getextrema() == (cards.WHITE,) * 2
        band = cards._band(fields["claim"], "Jgyjpq Ąęįų", "gjpqy, Ågyptology (ąęį)")
        assert band.crop((1, 0, band.width, 4)).getextrema() == (cards.WHITE,) * 2
        assert band.crop((1, band.height - 8, band.width, band.height)).getextrema() == (cards.WHITE,) * 2
        assert band.crop((0, 0, 1, band.height)).getextrema() == (0, 0)  # PNG filter bytes


def _greedy_wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int,
                 max_lines: int) -> list[str]:
    """The word wrap cards were drawn with before: one measurement per word."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if cards.text_length(font, candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and cards.text_length(font, lines[-1] + "…") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += "…"
    return lines


_WORDS = st.lists(st.one_of(st.sampled_from(["a", "I", "the", "unemployment", "Сидоренко", "—", "€4.2bn", "W" * 30,
                                             "iiiiiiii", "WWWWWWWW", "ﬁnance", "Łódź", "2,000,000"]),
                            st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]),
                                    min_size=1, max_size=12)),
                  max_size=60)


@settings(max_examples=150, deadline=None)
@given(_WORDS, st.sampled_from([(60, True), (30, False)]))
def test_word_wrap_breaks_lines_where_one_measurement_per_word_did(words: list[str], font_key: tuple[int, bool]
                                                                   ) -> None:
    font = cards._font(*font_key)
    text = " ".join(words)
    assert cards._wrap(text, font, 1080, 3) == _greedy_wrap(text, font, 1080, 3)


def _alphabet(script: str, blocks: tuple[range, ...]) -> list[str]:
    return [chr(code) for block in blocks for code in block if cards._script(chr(code)) == script]


_COMMON = _alphabet("", cards.COMMON)
_PLAIN_TEXT = st.sampled_from([_alphabet(name, blocks) for name, blocks in cards.SCRIPTS.items()]).flatmap(
    lambda letters: st.text(alphabet=st.sampled_from(letters + _COMMON), min_size=1, max_size=40))


@settings(max_examples=200, deadline=None)
@given(_PLAIN_TEXT, st.sampled_from([(60, True), (30, False)]))
def test_a_plain_line_is_drawn_from_cached_glyphs_with_the_pixels_pillow_draws(text: str,
                                                                                font_key: tuple[int, bool]) -> None:
    """Letters of one script (Latin, Greek, Cyrillic or Armenian), spaces, digits, punctuation and
    symbols: glyphs placed one by one with their pairs' kerning give the very pixels and width of
    Pillow's drawing of the whole line (without ligatures), for any characters in any order."""
    font = cards._font(*font_key)
    assert cards._placed(font, text) is not None  # the glyph cache draws it, not Pillow
    ours, pillows = (Image.new("L", (2 * cards.WIDTH, 160), cards.WHITE) for _ in range(2))
    cards.draw_text(ours, (61, 40), text, font, cards.TEXT)
    ImageDraw.Draw(pillows).text((61, 40), text, font=font, fill=cards.TEXT, features=cards.NO_LIGATURES)
    assert ours.tobytes() == pillows.tobytes()
    assert cards.text_length(font, text) == font.getlength(text, features=cards.NO_LIGATURES)


_LETTERS = {name: _alphabet(name, blocks) for name, blocks in cards.SCRIPTS.items()}
_UNBRACKETED = [char for char in _COMMON if unicodedata.category(char) not in {"Ps", "Pe"} and char not in cards.PAIRED]
_MIXED_TEXT = st.lists(st.sampled_from(sorted(_LETTERS)), min_size=2, max_size=3, unique=True).flatmap(
    lambda scripts: st.lists(st.one_of(*(st.text(alphabet=st.sampled_from(_LETTERS[name]), min_size=1, max_size=8)
                                         for name in scripts),
                                       st.text(alphabet=st.sampled_from([*_UNBRACKETED, " "]), min_size=1, max_size=3)),
                             min_size=2, max_size=12).map("".join))


@settings(max_examples=200, deadline=None)
@given(_MIXED_TEXT, st.sampled_from([(60, True), (30, False)]))
@example("Лавров-Tolstoy", (60, True))  # "-T" is kerned when alone, not after Cyrillic
@example("Лавров \u2010Volga", (60, True))
@example("-Tolstoy Лавров", (60, True))  # a line's first characters join the first letter's run
def test_a_line_of_letters_of_several_scripts_is_drawn_from_cached_glyphs_as_pillow_draws_it(
        text: str, font_key: tuple[int, bool]) -> None:
    """Pillow shapes each script's run apart: a character of no script (a space, a comma, a quote
    mark) joins the run before it, and no pair is kerned across two runs. Drawn so from cached
    glyphs, a line mixing scripts has the very pixels and width of Pillow's drawing of it."""
    font = cards._font(*font_key)
    assert cards._placed(font, text) is not None
    ours, pillows = (Image.new("L", (3 * cards.WIDTH, 160), cards.WHITE) for _ in range(2))
    cards.draw_text(ours, (61, 40), text, font, cards.TEXT)
    ImageDraw.Draw(pillows).text((61, 40), text, font=font, fill=cards.TEXT, features=cards.NO_LIGATURES)
    assert ours.tobytes() == pillows.tobytes()
    assert cards.text_length(font, text) == font.getlength(text, features=cards.NO_LIGATURES)


@pytest.mark.parametrize("text", ["مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "Cafe\u0301 Zürich", "ok \u200fworld",
                                  "สวัสดี", "中文 text", "Ͱ(»)A", "Lavrov said (Лавров)",
                                  "Лавров “FIFA”", "Путин: ‘PAL’ это", "\u216b \u2102 \u212a"])
def test_a_line_with_script_pillow_must_shape_is_drawn_by_pillow(text: str) -> None:
    """Right-to-left text, joining or reordering scripts, combining marks and controls, letters of two
    scripts in one line with brackets or quotation marks (which Pillow's shaper pairs across script
    runs: the kerning of "A”" after Cyrillic is left out), and scripts
    left out to be safe are shaped by Pillow as a whole line, as before."""
    font = cards._font(60, True)
    assert cards._placed(font, text) is None
    ours, pillows = (Image.new("L", (2 * cards.WIDTH, 160), cards.WHITE) for _ in range(2))
    cards.draw_text(ours, (61, 40), text, font, cards.TEXT)
    ImageDraw.Draw(pillows).text((61, 40), text, font=font, fill=cards.TEXT, features=cards.NO_LIGATURES)
    assert ours.tobytes() == pillows.tobytes()
    assert cards.text_length(font, text) == font.getlength(text, features=cards.NO_LIGATURES)


def test_every_line_of_a_card_is_set_without_ligatures() -> None:
    """A line Pillow shapes (two scripts) leaves "fi" apart as a plain line does, so that the lines
    of one card are set alike."""
    font = cards._font(60, True)
    shaped, plain = "Official figures (Лавров)", "Official figures"
    assert cards._placed(font, shaped) is None and cards._placed(font, plain) is not None
    assert font.getlength("fi") != font.getlength("fi", features=cards.NO_LIGATURES), "the font has the ligature"
    assert cards.text_length(font, shaped) == font.getlength(shaped, features=cards.NO_LIGATURES) \
        != font.getlength(shaped)
    assert cards.text_length(font, plain) == font.getlength(plain, features=cards.NO_LIGATURES)


def test_lines_on_other_images_than_palette_indices_are_drawn_by_pillow() -> None:
    font = cards._font(30)
    for mode in ("P", "1", "RGB"):
        ours, pillows = (Image.new(mode, (600, 80), 0) for _ in range(2))
        cards.draw_text(ours, (10, 10), "Plain text", font, 1)
        ImageDraw.Draw(pillows).text((10, 10), "Plain text", font=font, fill=1, features=cards.NO_LIGATURES)
        assert ours.tobytes() == pillows.tobytes(), mode


def test_the_painter_starts_once_the_earlier_cards_are_back_in_place(publication: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A build starting from an earlier site keeps its unchanged cards in place (`Output.restore`
    moves the earlier `cards/` folder back). A painter already drawing would have made `cards/`
    first, and the earlier cards would be deleted and copied again (or the folder moved onto the
    painter's). Here, should a painter be running when the folders are put back, that waits until
    it has drawn a card: no painter may have started by then, and every unchanged card is kept
    in place."""
    monkeypatch.setattr(CardPainter, "INLINE_LIMIT", 0)  # one new card: drawn by the painter process
    claims = sorted((publication / "claims").glob("*.yaml"))
    mkdocs_build(publication)
    _set_claim(claims[0], "A first edited claim")
    mkdocs_build(publication)  # the first rebuild copies; the next starts from the site this one replaced
    original, kept_cards, started = output_kept.take_back, [], []
    start = CardPainter.start

    def start_and_note(painter: CardPainter) -> None:
        started.append(painter)
        start(painter)

    def take_back_after_a_drawn_card(folder: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while started and time.monotonic() < deadline and not list((folder / "cards").glob("*.png")):
            time.sleep(0.05)
        kept = original(folder, *args, **kwargs)
        kept_cards.extend(path for path in kept if path.startswith("cards/"))
        return kept

    monkeypatch.setattr(output_kept, "take_back", take_back_after_a_drawn_card)
    monkeypatch.setattr(CardPainter, "start", start_and_note)
    _set_claim(claims[1], "A second edited claim")
    site = mkdocs_build(publication)
    assert len(started) == 1, "the new card is drawn by a painter process"
    assert sorted(kept_cards) == sorted(f"cards/{p.stem}.png" for p in claims[2:])
    assert len(list((site / "cards").glob("*.png"))) == len(claims)
