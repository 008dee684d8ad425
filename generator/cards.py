"""Share cards: an Open Graph image per claim (claim, speaker, verdict), drawn at build time
with Pillow and cached by content so unchanged claims are not redrawn."""

from __future__ import annotations

import io
import multiprocessing
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

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


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int,
          max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and draw.textlength(lines[-1] + "…", font=font) > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += "…"
    return lines


def draw_card(*, site_name: str, claim: str, speaker: str, role: str, verdict: str, colour: str, icon: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 84), fill="#303f9f")
    draw.text((60, 24), f"{site_name} · Fact-check", font=_font(30, True), fill="#ffffff")
    size = 60
    draw.text((60, 112), "Claim", font=_font(28, True), fill="#555555")
    lines = _wrap(draw, claim, _font(size, True), WIDTH - 120, 3)
    y = 156
    for line in lines:
        draw.text((60, y), line, font=_font(size, True), fill="#1a1a1a")
        y += int(size * 1.25)
    draw.text((60, y + 10), f"Claim by {speaker}, {role}", font=_font(30), fill="#444444")
    label_font = _font(44, True)
    glyph = GLYPHS.get(icon, "") if _font_file(True) else ""
    label = f"{glyph}  {verdict}" if glyph else verdict
    box_width = int(draw.textlength(label, font=label_font)) + 60
    top = HEIGHT - 140
    draw.rounded_rectangle((60, top, 60 + box_width, top + 84), radius=42, fill=colour)
    draw.text((90, top + 16), label, font=label_font, fill="#ffffff")
    draw.text((60 + box_width + 24, top + 26), "Our verdict", font=_font(30), fill="#444444")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, optimize=False)
    return out.getvalue()


def font_files() -> list[str | None]:
    """The fonts a card is drawn with (part of each card's key: another font, another picture)."""
    return [_font_file(True), _font_file(False)]


def draw_into(jobs: list[tuple[dict[str, str], str | None, str]]) -> None:
    """Draw each card (fields, stored copy or None, output copy) and write it to both places."""
    for fields, stored, dest in jobs:
        data = draw_card(**fields)
        if stored is not None:
            atomic_write(Path(stored), data)
        atomic_write(Path(dest), data)


class CardPainter:
    """Draws the cards a build lacks, in a second process (when there are many) while MkDocs
    renders pages on the first core. Each card goes to the store and, as a separate copy, to the
    output folder."""

    INLINE_LIMIT = 64

    def __init__(self, jobs: list[tuple[dict[str, str], str | None, str]]):
        self.jobs = jobs
        self.process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> None:
        if len(self.jobs) > self.INLINE_LIMIT:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            context = multiprocessing.get_context(method)
            self.process = context.Process(target=draw_into, args=(self.jobs,), daemon=True)  # type: ignore[attr-defined]
            self.process.start()

    def stop(self) -> None:
        """Stop drawing (the build failed); cards already drawn stay in the store."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()

    def finish(self) -> int:
        """Wait for every card; return how many were drawn."""
        if self.process is not None:
            self.process.join()
            if self.process.exitcode != 0:
                raise RuntimeError(f"share-card process failed with exit code {self.process.exitcode}")
        else:
            draw_into(self.jobs)
        return len(self.jobs)
