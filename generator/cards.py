"""Share cards: an Open Graph image per claim (claim, speaker, verdict), drawn at build time
with Pillow and cached by content so unchanged claims are not redrawn."""

from __future__ import annotations

import contextlib
import hashlib
import math
import mmap
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, TypeGuard, cast

from PIL import Image, ImageColor, ImageDraw, ImageFont, features
from zlib_ng import zlib_ng

from . import tuning
from .output.fs import atomic_write

WIDTH, HEIGHT = 1200, 630
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts")]
GLYPHS = {"check": "✓", "info": "ℹ", "scale": "⚖", "question": "?", "cross": "✗"}


@cache
def _font_file(bold: bool) -> str | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return str(folder / name)
    return None


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


# Lettering. Pillow shapes and rasterises a whole line each time it draws or measures one. Where
# a line is plain (letters of Latin, Greek, Cyrillic and Armenian, with spaces, digits,
# punctuation and common symbols: left to right, nothing to join, reorder or combine), a line is
# the glyphs of its characters side by side, each moved by its pair's kerning: so each glyph is
# rasterised once per process and each pair measured once, and a line is drawn by placing them
# (about three times faster, and the same pixels as Pillow's own drawing of the line without
# ligatures: tests/test_share_cards.py). Pillow shapes each script's run apart, so there is no
# kerning across a change of script (`_runs`). Any other line is drawn by Pillow, shaped in full,
# also without ligatures (fi, fl, ff...), so that the lines of a card are set alike.
NO_LIGATURES = ["-liga"]
SCRIPTS = {
    "Latin": (range(0x0041, 0x02B0), range(0x1E00, 0x1F00)),
    "Greek": (range(0x0370, 0x0400), range(0x1F00, 0x2000)),
    "Cyrillic": (range(0x0400, 0x0530),),
    "Armenian": (range(0x0530, 0x0590),),
}
"""Where the letters of each script drawn from cached glyphs are."""
COMMON = (range(0x0020, 0x02B0), range(0x2010, 0x205F), range(0x20A0, 0x20C1), range(0x2190, 0x2300))
"""Where the other characters drawn from cached glyphs are: Latin-1's punctuation and symbols,
general punctuation, currency signs, arrows and mathematical operators (no script of their own)."""


@cache
def _script(char: str) -> str | None:
    """The script of a character drawn from cached glyphs ("" for one of no script), or None if
    Pillow must draw its line: a mark, a control, right to left, or from anywhere else."""
    if unicodedata.category(char)[0] in "MC" or unicodedata.bidirectional(char) not in {
            "L", "EN", "ES", "ET", "CS", "ON", "WS"}:
        return None
    if unicodedata.category(char)[0] != "L":
        return "" if any(ord(char) in block for block in COMMON) else None
    return next((name for name, blocks in SCRIPTS.items() if any(ord(char) in block for block in blocks)), None)


def _plain(text: str) -> bool:
    """Whether `text` is drawn from cached glyphs: every character has a place there, and where the
    letters are of more than one script, no character is a bracket or a quotation mark libraqm
    pairs (`PAIRED`; see `_runs`)."""
    scripts = set(map(_script, text))
    if None in scripts:
        return False
    return len(scripts - {""}) <= 1 or not any(char in PAIRED or unicodedata.category(char) in {"Ps", "Pe"}
                                               for char in text)


PAIRED = frozenset("<>«»‘’“”\u2039\u203a")
"""Characters libraqm pairs across script runs besides brackets: a closing one takes the script of
its opening one. A line of several scripts holding one is drawn by Pillow."""


def _runs(text: str) -> list[str]:
    """The script run of each character as Pillow's shaper (libraqm) splits a line: a character of no
    script takes the script of the one before it (the first ones, that of the first letter). Runs are
    shaped apart: no kerning across them. (libraqm also pairs brackets and quotation marks, which
    `_plain` leaves out.)"""
    runs, current = [], ""
    for char in text:
        current = _script(char) or current
        runs.append(current)
    first = next((script for script in runs if script), "")
    return [script or first for script in runs]


class _Glyphs:
    """The glyphs of one font, each rasterised once, and the kerning of each pair, measured once."""

    def __init__(self, font: ImageFont.FreeTypeFont):
        self.font = font
        self.glyphs: dict[str, tuple[Image.Image | None, int, int, float]] = {}
        """character -> its coverage (None if it shows nothing), offset from the pen, advance"""
        self.kerning: dict[str, float] = {}

    def glyph(self, char: str) -> tuple[Image.Image | None, int, int, float]:
        found = self.glyphs.get(char)
        if found is None:
            advance, margin = self.font.getlength(char), 2 * int(self.font.size)
            canvas = Image.new("L", (int(advance) + 2 * margin, 2 * margin), 0)
            ImageDraw.Draw(canvas).text((margin, margin), char, font=self.font, fill=255)
            box = canvas.getbbox()
            found = ((canvas.crop(box), box[0] - margin, box[1] - margin, advance) if box
                     else (None, 0, 0, advance))
            self.glyphs[char] = found
        return found

    def kern(self, pair: str) -> float:
        found = self.kerning.get(pair)
        if found is None:
            found = (self.font.getlength(pair, features=NO_LIGATURES) - self.glyph(pair[0])[3]
                     - self.glyph(pair[1])[3])
            self.kerning[pair] = found
        return found

    def pens(self, text: str) -> tuple[list[float], float]:
        """Where each character's pen stands, and where the line ends (Pillow's 1/64 px)."""
        pens, pen = [], 0.0
        runs = _runs(text)
        for index, char in enumerate(text):
            if index and runs[index] == runs[index - 1]:
                pen += self.kern(text[index - 1:index + 1])
            pens.append(pen)
            pen += self.glyph(char)[3]
        return pens, pen

    def draw(self, image: Image.Image, xy: tuple[int, int], text: str, ink: int,
             blank: tuple[int, int, int] | None = None) -> int:
        """Draw as Pillow does: the glyphs' coverage composited into one mask ("over"), which then
        blends the ink into the image once. `blank` (left, top, value), when given, says that every
        pixel from column `left` and row `top` on is `value`. Returns the row below the line's ink."""
        pens, _ = self.pens(text)
        placed = []
        for char, pen in zip(text, pens, strict=True):
            coverage, left, top, _ = self.glyph(char)
            if coverage is not None:
                placed.append((math.floor(pen + 0.5) + left, top, coverage))  # Pillow rounds each pen
        if not placed:
            return xy[1]
        left = min(x for x, _, _ in placed)
        top = min(y for _, y, _ in placed)
        right = max(x + c.width for x, _, c in placed)
        bottom = max(y + c.height for _, y, c in placed)
        mask = Image.new("L", (right - left, bottom - top), 0)
        # Pillow's own paste, without the checks of `Image.paste` (a fifth of a card's time): every
        # image here is "L", loaded, and only this function's. Where a glyph meets none placed
        # before, its coverage is copied (the same as compositing it onto nothing), else composited.
        paste, reach = mask.im.paste, 0
        for x, y, coverage in placed:
            box = (x - left, y - top, x - left + coverage.width, y - top + coverage.height)
            if box[0] >= reach:
                paste(coverage.im, box)
            else:
                paste(255, box, coverage.im)
            reach = max(reach, box[2])
        box = (xy[0] + left, xy[1] + top, xy[0] + right, xy[1] + bottom)
        if blank is not None and box[0] >= blank[0] and box[1] >= blank[1]:
            low = high = blank[2]
        else:
            low, high = cast("tuple[int, int]", image.crop(box).getextrema())  # of an "L" image
        if low == high:  # one colour under the line: blend by lookup
            image.load()
            image.im.paste(mask.im.point(_blend(low, ink), "L"), box)
        else:
            image.paste(ink, box, mask)
        return box[3]


@cache
def _blend(background: int, ink: int) -> list[int]:
    """What Pillow's blend of `ink` into `background` gives at each coverage, 0 to 255."""
    coverage = Image.new("L", (256, 1))
    coverage.putdata(range(256))
    blended = Image.new("L", (256, 1), background)
    blended.paste(ink, (0, 0, 256, 1), coverage)
    return [int(value) for value in blended.tobytes()]


@cache
def _glyphs(font: ImageFont.FreeTypeFont) -> _Glyphs:
    return _Glyphs(font)


def _shaped(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> TypeGuard[ImageFont.FreeTypeFont]:
    """Whether Pillow shapes text in `font` (with libraqm), and so can leave ligatures out."""
    return isinstance(font, ImageFont.FreeTypeFont) and font.layout_engine == ImageFont.Layout.RAQM


def _placed(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str, image: Image.Image | None = None
            ) -> _Glyphs | None:
    """The glyph cache that draws `text` in `font` (on `image`, an "L" one), or None where Pillow
    draws the line."""
    if _shaped(font) and _plain(text) and (image is None or image.mode == "L"):
        return _glyphs(font)
    return None


def text_length(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    """The width of `text` as `draw_text` draws it."""
    glyphs = _placed(font, text)
    if glyphs:
        return glyphs.pens(text)[1]
    return font.getlength(text, features=NO_LIGATURES) if _shaped(font) else font.getlength(text)


def draw_text(image: Image.Image, xy: tuple[int, int], text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
              ink: int, *, blank: tuple[int, int, int] | None = None) -> int | None:
    """Draw one line of `text` with its top left (the ascender's) at `xy`, without ligatures (where
    Pillow can leave them out), so that every line of a card is set alike. `blank` (left, top,
    value): what the caller knows to be still untouched, if anything. Returns the row below the
    line's ink, or None where Pillow drew the line."""
    glyphs = _placed(font, text, image)
    if glyphs:
        return glyphs.draw(image, xy, text, ink, blank)
    ImageDraw.Draw(image).text(xy, text, font=font, fill=ink, features=NO_LIGATURES if _shaped(font) else None)
    return None


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int, max_lines: int
          ) -> list[str]:
    """Greedy word wrap: each line takes as many words as fit in `width` (one at least); past
    `max_lines`, the last line ends in an ellipsis. Rather than measuring the line once per word,
    it guesses each line's end from the text's mean character width and measures the lines around
    the guess (the result is the same: a line only gets wider with each word)."""
    words = text.split()
    if not words:
        return []

    def fits(start: int, end: int) -> bool:
        return text_length(font, " ".join(words[start:end])) <= width

    per_char = text_length(font, " ".join(words)) / len(" ".join(words)) or 1.0
    lines: list[str] = []
    start = 0
    while start < len(words) and len(lines) <= max_lines:
        end, chars = start + 1, len(words[start])
        while end < len(words) and (chars + 1 + len(words[end])) * per_char <= width:
            chars += 1 + len(words[end])
            end += 1
        if fits(start, end):
            while end < len(words) and fits(start, end + 1):
                end += 1
        else:
            while end > start + 1 and not fits(start, end):
                end -= 1
        lines.append(" ".join(words[start:end]))
        start = end
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and text_length(font, lines[-1] + "…") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += "…"
    return lines


# A card is drawn in palette indices: an "L" image whose values index three colour ramps (header
# blue to white, verdict colour to white, dark grey to white), saved as an 8-bit palette PNG. Each
# text is drawn on a background of its own ramp with an ink of the same ramp, so Pillow's
# anti-aliasing (a linear blend of the two values) lands on the ramp entry of the blended colour:
# letters are as smooth as on an RGB canvas (64 levels), with none of JPEG's ringing, and the few
# flat colours deflate to about a third of the JPEG. What every card of a site and verdict shares
# (header, "Claim", the verdict pill) is drawn and deflated once per process; a card draws and
# deflates only the band with its claim and speaker, between the two.
FORMAT, EXTENSION, MEDIA_TYPE = "PNG", ".png", "image/png"
RAMP = 64  # palette entries per ramp: a colour, then lighter blends, then white
HEADER, VERDICT, TEXT = 0, RAMP, 2 * RAMP  # first palette index of each ramp
WHITE = TEXT + RAMP - 1  # the page background
HEADER_COLOUR, TEXT_COLOUR = "#303f9f", "#1a1a1a"
MARGIN, CLAIM_TOP, CLAIM_SIZE, CLAIM_LINES = 60, 156, 60, 3
PILL_TOP = HEIGHT - 140
BAND = (144, 440)  # rows a card draws itself: below "Claim", to below the speaker line's descenders
BAND_LEVEL = 2
"""zlib-ng's level for a card's own rows (0.29 ms to deflate them, 16.1 KB). zlib-ng rather than zlib: zlib's
level 3 took 0.62 ms for 16.6 KB. Level 1 is faster still (0.22 ms) but larger (22.3 KB), and its
output depends on how the input is handed over. ISA-L was faster again, but its output for the same
rows differed between processes: a rebuild's stored card was not byte for byte the card a cold
build drew. zlib-ng's does not, wherever the rows are in memory (tests/test_share_cards.py), and a
card's key holds the digest of what it makes of sample rows (`drawn_with`)."""
SHARED_LEVEL = 9
"""zlib-ng's level for the rows every card of a site and verdict shares, deflated once a process."""


def _ramp(colour: str) -> bytes:
    red, green, blue = ImageColor.getrgb(colour)[:3]
    return bytes(round(c + (255 - c) * k / (RAMP - 1)) for k in range(RAMP) for c in (red, green, blue))


def _grey(value: str) -> int:
    """Index of a grey in the text ramp."""
    dark, level = ImageColor.getrgb(TEXT_COLOUR)[0], ImageColor.getrgb(value)[0]
    return TEXT + round((level - dark) * (RAMP - 1) / (255 - dark))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib_ng.crc32(data, zlib_ng.crc32(kind)))


_SIGNATURE_AND_HEADER = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0))
_END = _chunk(b"IEND", b"")


@lru_cache(maxsize=32)
def _palette(colour: str) -> bytes:
    """The three ramps, with the verdict's colour in the middle one."""
    return _ramp(HEADER_COLOUR) + _ramp(colour) + _ramp(TEXT_COLOUR)


def _scanlines(image: Image.Image) -> bytes:
    """PNG rows of an "L" image of palette indices: each row after a 0 byte (no filter)."""
    rows = Image.new("L", (image.width + 1, image.height), 0)
    rows.paste(image, (1, 0))
    return rows.tobytes()


@lru_cache(maxsize=32)
def _template(site_name: str, verdict: str, icon: str) -> Image.Image:
    """What every card of a site and verdict shows, in palette indices (the verdict colour is only
    in the palette). Not to be drawn on: copy it."""
    image = Image.new("L", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 84), fill=HEADER)
    draw_text(image, (MARGIN, 24), f"{site_name} · Fact-check", _font(30, True), HEADER + RAMP - 1)
    draw_text(image, (MARGIN, 112), "Claim", _font(28, True), _grey("#555555"))
    label_font = _font(44, True)
    glyph = GLYPHS.get(icon, "") if _font_file(True) else ""
    label = f"{glyph}  {verdict}" if glyph else verdict
    box_width = int(text_length(label_font, label)) + 60
    draw.rounded_rectangle((MARGIN, PILL_TOP, MARGIN + box_width, PILL_TOP + 84), radius=42, fill=VERDICT)
    draw_text(image, (MARGIN + 30, PILL_TOP + 16), label, label_font, VERDICT + RAMP - 1)
    draw_text(image, (MARGIN + box_width + 24, PILL_TOP + 26), "Our verdict", _font(30), _grey("#444444"))
    return image


@lru_cache(maxsize=32)
def _shared_rows(site_name: str, verdict: str, icon: str) -> tuple[bytes, int, bytes, bytes]:
    """The template's rows above and below the band, deflated once: the zlib stream's start (header
    and the rows above, flushed to a byte boundary), their Adler-32, and the rows below, raw (for
    the checksum) and deflated as the stream's last block."""
    template = _template(site_name, verdict, icon)
    above, below = (_scanlines(template.crop((0, top, WIDTH, bottom))) for top, bottom in ((0, BAND[0]),
                                                                                           (BAND[1], HEIGHT)))
    start = zlib_ng.compressobj(SHARED_LEVEL, zlib_ng.DEFLATED, 15)
    end = zlib_ng.compressobj(SHARED_LEVEL, zlib_ng.DEFLATED, -15)
    return (start.compress(above) + start.flush(zlib_ng.Z_FULL_FLUSH), zlib_ng.adler32(above), below,
            end.compress(below) + end.flush())


def _band(claim: str, speaker: str, role: str) -> Image.Image:
    """The claim and speaker lines, rows `BAND` of a card in palette indices, drawn one pixel to
    the right of the card's layout: column 0 is PNG's filter byte (0, none) of each row, so the
    image's bytes are the rows as PNG stores them."""
    band = Image.new("L", (1 + WIDTH, BAND[1] - BAND[0]), WHITE)
    ImageDraw.Draw(band).line((0, 0, 0, band.height), fill=0)
    font = _font(CLAIM_SIZE, True)
    y = CLAIM_TOP - BAND[0]
    below: int | None = 0  # the rows from here down are white, but for column 0
    for line in _wrap(claim, font, WIDTH - 2 * MARGIN, CLAIM_LINES):
        inked = draw_text(band, (1 + MARGIN, y), line, font, TEXT, blank=None if below is None else (1, below, WHITE))
        below = None if below is None or inked is None else max(below, inked)
        y += int(CLAIM_SIZE * 1.25)
    draw_text(band, (1 + MARGIN, y + 10), f"Claim by {speaker}, {role}", _font(30), _grey("#444444"),
              blank=None if below is None else (1, below, WHITE))
    return band


def card_image(*, site_name: str, claim: str, speaker: str, role: str, verdict: str, colour: str,
               icon: str) -> Image.Image:
    """The card as a Pillow palette image: the picture `draw_card` encodes (tests, previews)."""
    image = _template(site_name, verdict, icon).copy()
    image.paste(_band(claim, speaker, role).crop((1, 0, 1 + WIDTH, BAND[1] - BAND[0])), (0, BAND[0]))
    image.putpalette(_palette(colour))
    return image


def draw_card(*, site_name: str, claim: str, speaker: str, role: str, verdict: str, colour: str, icon: str) -> bytes:
    """The card as PNG bytes (8-bit palette, 1200×630); the same fields give the same bytes."""
    start, start_check, below, end = _shared_rows(site_name, verdict, icon)
    rows = _band(claim, speaker, role).tobytes()
    middle = _deflate(rows)
    check = zlib_ng.adler32(below, zlib_ng.adler32(rows, start_check))
    data = start + middle + end + struct.pack(">I", check)
    return _SIGNATURE_AND_HEADER + _chunk(b"PLTE", _palette(colour)) + _chunk(b"IDAT", data) + _END


def _deflate(rows: bytes, level: int = BAND_LEVEL) -> bytes:
    """Rows as raw deflate blocks, flushed to a byte boundary (more blocks follow)."""
    deflate = zlib_ng.compressobj(level, zlib_ng.DEFLATED, -15)
    return deflate.compress(rows) + deflate.flush(zlib_ng.Z_FULL_FLUSH)


def _sample_rows() -> bytes:
    """Rows like a card's own, the same on every machine: white, with stretches of ramp values."""
    rows = bytearray()
    for row in range(64):
        seed = hashlib.sha256(row.to_bytes(2, "big")).digest()
        line = bytearray([0]) + bytearray([WHITE]) * WIDTH
        for k in range(0, len(seed), 2):
            start, length = 1 + seed[k] * 4, seed[k + 1] % 48
            line[start:start + length] = bytes(TEXT + (seed[k] + i) % RAMP for i in range(length))
        rows += line
    return bytes(rows)


@cache
def drawn_with() -> list[str | None]:
    """What draws and compresses a card, for each card's key (other fonts or libraries, another
    picture or other bytes): the font files and their bytes, FreeType, libraqm, HarfBuzz, zlib-ng,
    and the digest of what it makes of sample rows at both levels a card uses (zlib-ng picks its
    code by the processor: should another one give other bytes, the cards it drew are not taken
    for these). The version is a string, whatever zlib-ng's type stubs say."""
    sample = _sample_rows()
    fonts = [_font_file(True), _font_file(False)]
    return [*fonts, *(hashlib.sha256(Path(f).read_bytes()).hexdigest() if f else None for f in fonts),
            *(features.version(name) for name in ("freetype2", "raqm", "harfbuzz")),
            str(zlib_ng.ZLIBNG_RUNTIME_VERSION),
            *(hashlib.sha256(_deflate(sample, level)).hexdigest() for level in (BAND_LEVEL, SHARED_LEVEL))]


def draw_into(jobs: list[tuple[dict[str, str], str | None, str]]) -> None:
    """Draw each card (fields, stored copy or None, output copy) and write it to both places."""
    for fields, stored, dest in jobs:
        data = draw_card(**fields)
        if stored is not None:
            atomic_write(Path(stored), data)
        atomic_write(Path(dest), data)


class _Meeting:
    """Where the painter and the build meet when both draw (see `CardPainter`): three numbers in a
    small file both map. The painter takes cards from the front, the build from the back; each
    writes which card it is about to take, then reads how far the other has come, and stops where
    they meet. The painter also writes how many cards it has drawn. The build reads that once the
    painter has exited and draws any card in between that neither took, so every card is drawn
    whatever order the two processes see each other's writes in."""

    TAKEN, LIMIT, PAINTED = 0, 1, 2
    """The painter is taking card TAKEN - 1; the build, card LIMIT; the painter has drawn PAINTED."""

    def __init__(self, fd: int, handle: IO[bytes] | None = None):
        self.fd, self.handle = fd, handle
        self.map = mmap.mmap(fd, 3 * 8)
        self.numbers = memoryview(self.map).cast("q")

    @classmethod
    def create(cls, count: int) -> _Meeting:
        """A new meeting over `count` cards, in a file of its own (closed by `close`)."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115  # closed by `close`
        handle.write(struct.pack("=3q", 0, count, 0))
        handle.flush()
        return cls(handle.fileno(), handle)

    def __getitem__(self, slot: int) -> int:
        return int(self.numbers[slot])

    def __setitem__(self, slot: int, value: int) -> None:
        self.numbers[slot] = value

    def close(self) -> None:
        self.numbers.release()
        self.map.close()
        if self.handle is not None:
            self.handle.close()


PAINTER_NICE = 19
"""How much the painter yields to the other processes of a build: it draws on a core that would
otherwise wait. The build's page loop feeds Pagefind, whose bundles run one after the other and
must wait for the last claim page, so those two go first; the cards left when the pages are
written are drawn by the build and the painter together, beside Pagefind's last bundle."""


class CardPainter:
    """Draws the cards a build lacks, in a second process (when there are many) at low priority
    while MkDocs renders pages and Pagefind indexes them. Each card goes to the store and, as a
    separate copy, to the output folder. The process is a fresh interpreter (`python -m
    generator.cards`) that gets the jobs on its standard input: a fork would carry the whole
    build's memory along.

    When the build is done with its own work and the painter is not, the build draws too, from
    the last card back, until the two meet (`_Meeting`): the last cards are drawn on every core
    free rather than by the painter alone while the build waits."""

    INLINE_LIMIT = 64

    def __init__(self, jobs: list[tuple[dict[str, str], str | None, str]]):
        self.jobs = jobs
        self.process: subprocess.Popen[bytes] | None = None
        self.errors: IO[bytes] | None = None
        self.meeting: _Meeting | None = None
        self.drawn_here = 0
        """Cards the build drew itself (the painter's share is the rest)."""

    def start(self) -> None:
        if len(self.jobs) > self.INLINE_LIMIT:
            # Its errors go to a file, not a pipe that could fill while the build waits for it; the
            # file is closed in `finish` or `stop`.
            self.errors = tempfile.TemporaryFile()  # noqa: SIM115
            if os.name == "posix" and tuning.on("card-share"):
                self.meeting = _Meeting.create(len(self.jobs))
            fds = (self.meeting.fd,) if self.meeting is not None else ()
            # Pillow keeps freed image memory for the next card instead of handing it back to the
            # system and faulting it in again: a tenth less time a card.
            self.process = subprocess.Popen([sys.executable, "-m", "generator.cards", *map(str, fds)],
                                            stdin=subprocess.PIPE, stderr=self.errors, pass_fds=fds,
                                            env={**os.environ, "PILLOW_BLOCKS_MAX": "16"})
            assert self.process.stdin is not None
            data = pickle.dumps(self.jobs, protocol=pickle.HIGHEST_PROTOCOL)
            with contextlib.suppress(BrokenPipeError):  # it stopped; `finish` says why
                self.process.stdin.write(struct.pack(">Q", len(data)) + data)
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()

    def stop(self) -> None:
        """Stop drawing (the build failed). Cards already drawn stay in the store, unless the painter
        was not writing to it (a build that leaves a spare stores them after it is done)."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdin is not None:
                with contextlib.suppress(OSError):  # a pipe to a process that is gone
                    self.process.stdin.close()
        self._close()

    def _close(self) -> None:
        if self.meeting is not None:
            self.meeting.close()
            self.meeting = None
        if self.errors is not None:
            self.errors.close()

    def finish(self) -> int:
        """Draw cards until meeting the painter, wait for it; return how many cards were drawn."""
        process = self.process
        if process is None:
            draw_into(self.jobs)
            return len(self.jobs)
        assert self.errors is not None
        try:
            meeting, lowest = self.meeting, len(self.jobs)
            if meeting is not None:
                while lowest > 0 and process.poll() is None:
                    meeting[_Meeting.LIMIT] = lowest - 1
                    if meeting[_Meeting.TAKEN] >= lowest:
                        break  # the painter has taken this card, or is taking it
                    lowest -= 1
                    draw_into([self.jobs[lowest]])
            process.wait()
            if process.returncode != 0:
                self.errors.seek(0)
                raise RuntimeError(f"share-card process failed with exit code {process.returncode}:\n"
                                   + self.errors.read().decode(errors="replace")[-2000:])
            if meeting is not None:
                between = self.jobs[meeting[_Meeting.PAINTED]:lowest]
                draw_into(between)  # what neither took: at most the card they met at
                self.drawn_here = len(self.jobs) - lowest + len(between)
        except OSError as exc:
            self.stop()
            raise RuntimeError(f"could not write share cards: {exc}") from None
        finally:
            self._close()
        return len(self.jobs)


def _read_exactly(fd: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            raise EOFError("the build stopped sending jobs")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _paint(shared: int | None) -> None:
    """The painter process: read the jobs (length, then pickle) from standard input and draw them
    in order, at low priority; with a shared file (`_Meeting`), stop where the build, drawing from
    the other end, has come."""
    stdin = sys.stdin.fileno()
    jobs = pickle.loads(_read_exactly(stdin, struct.unpack(">Q", _read_exactly(stdin, 8))[0]))
    if tuning.on("painter-priority"):  # once the build has handed over the jobs, which it waits to do
        with contextlib.suppress(OSError, AttributeError):  # no nice where there is none
            os.nice(PAINTER_NICE)
    meeting = _Meeting(shared) if shared is not None else None
    for index, job in enumerate(jobs):
        if meeting is not None:
            meeting[_Meeting.TAKEN] = index + 1
            if index >= meeting[_Meeting.LIMIT]:
                break  # the build has taken it
        draw_into([job])
        if meeting is not None:
            meeting[_Meeting.PAINTED] = index + 1


if __name__ == "__main__":
    _paint(int(sys.argv[1]) if len(sys.argv) > 1 else None)
