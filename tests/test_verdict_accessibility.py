"""Verdicts are readable by everyone: text and icon, never colour alone; WCAG AA contrast."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.corpus import Project, load_corpus

from .conftest import REPO

CORPUS, _ = load_corpus(Project(REPO))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("verdict", CORPUS.verdict_order(), ids=lambda v: v.id)
def test_badge_text_meets_wcag_aa(verdict) -> None:
    assert contrast(verdict.colour, "#ffffff") >= 4.5, f"{verdict.id}: {contrast(verdict.colour, '#ffffff'):.2f}"


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("verdict", CORPUS.verdict_order(), ids=lambda v: v.id)
def test_badges_carry_text_and_an_icon_in_light_and_dark_schemes(built_site: Path, verdict) -> None:
    html = (built_site / "verdicts" / "index.html").read_text(encoding="utf-8")
    badge = html[html.index(f'fc-badge--{verdict.id}'):]
    badge = badge[: badge.index("</a>")]
    assert '<svg class="fc-icon"' in badge and f'<span class="fc-badge__label">{verdict.label}</span>' in badge
    css = (built_site / "assets" / "factcheck" / "factcheck.css").read_text(encoding="utf-8")
    assert "color: #fff !important" in css
