"""Share cards: an Open Graph image per claim (claim, speaker, verdict), drawn at build time
with Pillow and cached by content so unchanged claims are not redrawn."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
CARD_VERSION = "1"
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts")]
GLYPHS = {"check": "✓", "info": "ℹ", "scale": "⚖", "question": "?", "cross": "✗"}


def card_path(cid: str) -> str:
    return f"cards/{cid}.jpg"


@cache
def _font_file(bold: bool) -> str | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return str(folder / name)
    return None


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = _font_file(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
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


def card_key(fields: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([CARD_VERSION, _font_file(True), fields], sort_keys=True,
                                     ensure_ascii=False).encode()).hexdigest()


def draw_missing(jobs: list[tuple[str, dict[str, str]]], folder: Path) -> int:
    """Draw every card whose key is not in `folder` yet; return how many were drawn."""
    drawn = 0
    folder.mkdir(parents=True, exist_ok=True)
    for _, fields in jobs:
        path = folder / f"{card_key(fields)}.jpg"
        if path.is_file():
            continue
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(draw_card(**fields))
        tmp.replace(path)
        drawn += 1
    return drawn


class CardPainter:
    """Draws missing cards in a second process while MkDocs renders pages on the first core,
    then places them in the output folder."""

    INLINE_LIMIT = 64

    def __init__(self, jobs: list[tuple[str, dict[str, str]]], folder: Path):
        self.jobs = jobs
        self.folder = folder
        # stored card file name -> inode number, as the folder listing gives it
        self.stored = {entry.name: entry.inode() for entry in os.scandir(folder)} if folder.is_dir() else {}
        self.keys = {cid: card_key(fields) for cid, fields in jobs}
        self.missing = [job for job in jobs if f"{self.keys[job[0]]}.jpg" not in self.stored]
        self.process: multiprocessing.process.BaseProcess | None = None
        self.in_place: set[str] = set()  # cards the output folder already holds (see `identities`)

    def identities(self, site_dir: str) -> dict[str, tuple[int, int]]:
        """(device, inode) of the stored card for each card path in the output folder, for cards
        already drawn: such a card found there (the same file) is kept rather than linked again."""
        if not self.folder.is_dir():
            return {}
        device = os.stat(self.folder).st_dev
        return {f"{site_dir}/{card_path(cid)}": (device, self.stored[f"{key}.jpg"])
                for cid, key in self.keys.items() if f"{key}.jpg" in self.stored}

    def start(self) -> None:
        if len(self.missing) > self.INLINE_LIMIT:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.process = multiprocessing.get_context(method).Process(
                target=draw_missing, args=(self.missing, self.folder), daemon=True)
            self.process.start()

    def stop(self) -> None:
        """Stop drawing (the build failed); cards already drawn stay in the cache."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()

    def finish(self, site_dir: Path) -> int:
        if self.process is not None:
            self.process.join()
            if self.process.exitcode != 0:
                raise RuntimeError(f"share-card process failed with exit code {self.process.exitcode}")
        draw_missing(self.missing, self.folder)
        out = site_dir / "cards"
        out.mkdir(parents=True, exist_ok=True)
        folder, root = str(self.folder), str(site_dir)
        for cid, _ in self.jobs:
            source, target = f"{folder}/{self.keys[cid]}.jpg", f"{root}/{card_path(cid)}"
            if target in self.in_place:
                continue
            try:
                os.link(source, target)
            except FileExistsError:
                os.unlink(target)
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        return len(self.missing)
