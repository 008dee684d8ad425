"""Share-card benchmark: the card drawing of the previous release (kept here as the baseline)
against generator/cards.py, in one process, on the same varied fields.

    python benchmarks/cards.py              # 500 cards each
    python benchmarks/cards.py -n 2000 --save /tmp/cards   # also write a few of each to look at

Prints milliseconds and bytes per card for each and their ratio. Figures, not assertions: run it
on a quiet machine, and compare runs of the same build of Pillow.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import PIL
import yaml
from PIL import Image, ImageDraw, ImageFont
from zlib_ng import zlib_ng

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator import cards  # noqa: E402

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


# ---- baseline: the card as drawn before (RGB canvas, every part drawn per card, JPEG q88) ----

def _old_wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, max_lines: int) -> list[str]:
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


def old_draw_card(*, site_name: str, claim: str, speaker: str, role: str, verdict: str, colour: str,
                  icon: str) -> bytes:
    font = cards._font
    width, height = 1200, 630
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 84), fill="#303f9f")
    draw.text((60, 24), f"{site_name} · Fact-check", font=font(30, True), fill="#ffffff")
    size = 60
    draw.text((60, 112), "Claim", font=font(28, True), fill="#555555")
    lines = _old_wrap(draw, claim, font(size, True), width - 120, 3)
    y = 156
    for line in lines:
        draw.text((60, y), line, font=font(size, True), fill="#1a1a1a")
        y += int(size * 1.25)
    draw.text((60, y + 10), f"Claim by {speaker}, {role}", font=font(30), fill="#444444")
    label_font = font(44, True)
    glyph = cards.GLYPHS.get(icon, "") if cards._font_file(True) else ""
    label = f"{glyph}  {verdict}" if glyph else verdict
    box_width = int(draw.textlength(label, font=label_font)) + 60
    top = height - 140
    draw.rounded_rectangle((60, top, 60 + box_width, top + 84), radius=42, fill=colour)
    draw.text((90, top + 16), label, font=label_font, fill="#ffffff")
    draw.text((60 + box_width + 24, top + 26), "Our verdict", font=font(30), fill="#444444")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, optimize=False)
    return out.getvalue()


# ---- fields ----

WORDS = ["the", "government", "said", "unemployment", "fell", "by", "half", "since", "2019", "while", "wages",
         "rose", "faster", "than", "any", "other", "country", "in", "region", "according", "to", "latest",
         "figures", "published", "ministry", "health", "budget", "deficit", "billion", "euros", "percent",
         "hospitals", "schools", "children", "were", "never", "promised", "a", "referendum", "on",
         "membership", "treaty", "signed", "last", "year"]
EXTRA = ["Кремль: встреча не готовится", "café", "naïve", "Zürich", "Łódź", "São Paulo", "€4.2bn", "“never”",
         "2,000,000", "—", "Ελλάδα", "Straße", "Київ", "İstanbul"]
SPEAKERS = [("José Сидоренко", "Minister of Labour"), ("Сергей Лавров", "Foreign Minister"),
            ("Ana María García-Löwe", "Member of Parliament"), ("Zelensky", "President of Ukraine"),
            ("Søren Kierkegård", "Spokesperson, Ministry of Finance"), ("Li Wei", "Mayor"),
            ("Dr. Chidimma Okonkwo-Adeyemi", "Chair of the Health Committee"), ("O'Brien", "Senator")]


def field_sets(count: int, seed: int = 7) -> list[dict[str, str]]:
    """Cards with claims of 3 to 70 words (some past the three lines a card shows), mixed scripts,
    every verdict of the sample scale in turn."""
    verdicts = yaml.safe_load((ROOT / "data" / "verdicts.yaml").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    result = []
    for i in range(count):
        length = rng.choice([3, 6, 10, 14, 18, 24, 30, 45, 70])
        words = [rng.choice(EXTRA) if rng.random() < 0.12 else rng.choice(WORDS) for _ in range(length)]
        speaker, role = rng.choice(SPEAKERS)
        verdict = verdicts[i % len(verdicts)]
        result.append({"site_name": "Factcheck Desk", "claim": " ".join(words).capitalize() + ".",
                       "speaker": speaker, "role": role, "verdict": verdict["label"], "colour": verdict["colour"],
                       "icon": verdict["icon"]})
    return result


def measure(variants: dict[str, Callable[..., bytes]], fields: list[dict[str, str]],
            rounds: int) -> dict[str, tuple[float, float]]:
    """Per variant: the median over `rounds` of CPU milliseconds per card (process time, so other
    work on the machine counts less), and the mean bytes per card. Rounds alternate between the
    variants, so a busy spell falls on both."""
    for draw in variants.values():
        draw(**fields[0])  # fonts and per-process parts, as a build's first card pays them
    times: dict[str, list[float]] = {name: [] for name in variants}
    sizes: dict[str, float] = {}
    for _ in range(rounds):
        for name, draw in variants.items():
            start = time.process_time()
            lengths = [len(draw(**f)) for f in fields]
            times[name].append((time.process_time() - start) * 1000 / len(fields))
            sizes[name] = sum(lengths) / len(lengths)
    return {name: (statistics.median(times[name]), sizes[name]) for name in variants}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=500, help="cards per round (default 500)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per variant, median kept (default 5)")
    parser.add_argument("--save", type=Path, help="folder to write the first five cards of each variant to")
    args = parser.parse_args()
    fields = field_sets(args.n)
    new_name = f"new ({cards.FORMAT})"
    results = measure({"old (JPEG)": old_draw_card, new_name: cards.draw_card}, fields, args.rounds)
    (old_ms, old_bytes), (new_ms, new_bytes) = results["old (JPEG)"], results[new_name]
    print(f"{args.n} cards x {args.rounds} rounds, Pillow {PIL.__version__}, zlib-ng {zlib_ng.ZLIBNG_RUNTIME_VERSION}")
    print(f"{'':14}{'ms/card':>9}{'KB/card':>9}")
    for name, (ms, size) in results.items():
        print(f"{name:14}{ms:9.2f}{size / 1000:9.1f}")
    print(f"{'new / old':14}{new_ms / old_ms:9.2f}{new_bytes / old_bytes:9.2f}")
    print(f"at 10,000 cards: {old_ms * 10:.1f} s and {old_bytes * 10 / 1e3:.0f} MB before, "
          f"{new_ms * 10:.1f} s and {new_bytes * 10 / 1e3:.0f} MB now")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(fields[:5]):
            (args.save / f"old-{i}.jpg").write_bytes(old_draw_card(**f))
            (args.save / f"new-{i}{cards.EXTENSION}").write_bytes(cards.draw_card(**f))


if __name__ == "__main__":
    main()
