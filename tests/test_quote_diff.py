"""A quote that is not verbatim in its source is shown with what differs, word by word,
against the source as it is written there (curly quotes and dashes kept)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.quotes import SourceText, normalise, normalise_with_positions, word_diff

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def source(seed: str) -> SourceText:
    return SourceText((SEEDS / f"{seed}.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", sorted(p.stem for p in SEEDS.glob("*.txt")))
def test_positions_map_every_normalised_character_back_to_the_source(seed: str) -> None:
    raw = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    text, origin = normalise_with_positions(raw)
    assert text == normalise(raw)
    assert len(origin) == len(text) and origin == sorted(origin)
    for char, index in zip(text, origin, strict=True):
        assert char == " " or char in normalise(raw[index]), (char, raw[index])


def test_one_changed_word_is_marked() -> None:
    result = source("moscow-times-2025-08-20").check(
        "seriously discussing security guarantees without involving Russia is an illusion")
    assert not result.found
    assert result.diff == ("seriously discussing security guarantees without involving Russia is "
                           "[-an illusion-]{+a utopia+}")


def test_a_capital_letter_is_marked() -> None:
    result = source("meduza-2025-08-20").check("Presidential aide Yuri Ushakov said Trump and putin had merely")
    assert result.diff == "Presidential aide Yuri Ushakov said Trump and [-putin-]{+Putin+} had merely"


def test_a_comma_for_a_full_stop_is_marked() -> None:
    result = source("meduza-2025-08-20").check("Moscow has made no such pledge, Meduza examines the differences")
    assert result.diff == "Moscow has made no such pledge[-,-]{+.+} Meduza examines the differences"


def test_an_em_dash_and_curly_quotes_are_shown_as_in_the_source() -> None:
    quote = ("seriously discussing security guarantees without involving Russia is a utopia, a road to nowhere,\" "
             "Lavrov said")
    result = source("moscow-times-2025-08-20").check(quote)
    assert result.diff == ("seriously discussing security guarantees without involving Russia is a utopia"
                           "[-,-]{+—+} a road to nowhere,” Lavrov said")
    assert "— a road to nowhere,” Lavrov said" in result.closest
    assert "-" not in result.closest.replace("U.S.", "")


def test_a_missing_opening_quote_mark_is_an_insertion() -> None:
    result = source("meduza-2025-08-20").check("Trump and Putin had merely discussed the idea that it would be")
    assert result.diff == "Trump and Putin had merely {+“+}discussed the idea that it would be"


def test_normalisation_is_unchanged_straight_quotes_and_hyphens_still_match() -> None:
    text = source("moscow-times-2025-08-20")
    assert text.check("\"I am confident that in the West, and especially in the U.S., they fully understand that "
                      "seriously discussing security guarantees without involving Russia is a utopia - a road to "
                      "nowhere,\" Lavrov said").found
    assert not text.check("seriously discussing security guarantees without involving russia").found
    assert not text.check("seriously  discussing security guarantees, without involving Russia").found


def test_bare_dots_standing_for_an_elision_point_to_square_brackets() -> None:
    text = source("moscow-times-2025-08-20")
    quote = "I am confident that in the West... seriously discussing security guarantees without involving Russia"
    result = text.check(quote)
    assert not result.found
    assert "[...]" in result.elision_hint and "the quote is found" in result.elision_hint
    assert text.check(quote.replace("...", " [...] ")).found
    unicode_dots = text.check("I am confident … a road to nowhere")
    assert "[...]" in unicode_dots.elision_hint


def test_dots_that_are_not_the_only_problem_get_the_general_elision_hint() -> None:
    result = source("moscow-times-2025-08-20").check("I am certain that in the West... a road to nowhere")
    assert result.elision_hint.startswith("if the dots mark words you left out, write them as [...]")


def test_a_bracketed_elision_gets_no_elision_hint() -> None:
    result = source("moscow-times-2025-08-20").check("I am certain that in the West [...] a road to nowhere")
    assert not result.found and result.elision_hint == ""


def test_an_unrelated_quote_shows_the_passage_without_a_diff() -> None:
    result = source("meduza-2025-08-20").check("Penguins are excellent swimmers in the cold southern oceans")
    assert not result.found and result.diff == "" and result.closest


def test_word_diff_marks_deletions_and_insertions_in_order() -> None:
    assert word_diff("a b c d", "a x c d") == "a [-b-]{+x+} c d"
    assert word_diff("a b c", "a c") == "a [-b-] c"
    assert word_diff("a c", "a b c") == "a {+b+} c"


def test_the_validator_hint_carries_the_diff_in_text_and_github_formats(publication: Path, capsys) -> None:
    claim = publication / "claims" / "trump-europe-to-provide-guarantees-with-us-coordination.yaml"
    text = claim.read_text(encoding="utf-8")
    assert "Russia is a utopia — a road to" in text
    claim.write_text(text.replace("Russia is a utopia — a road to", "Russia is an illusion — a road to"),
                     encoding="utf-8")
    assert main(["--root", str(publication), "validate", "--no-cache", str(claim)]) == 1
    out = capsys.readouterr().out
    assert "quote does not appear verbatim in moscow-times-2025-08-20 (hint:" in out  # the whole quote: no "(the part"
    assert "[-an illusion-]{+a utopia+}" in out
    assert main(["--root", str(publication), "validate", "--no-cache", "--format", "github", str(claim)]) == 1
    annotation = next(line for line in capsys.readouterr().out.splitlines() if "verbatim" in line)
    where = r"^::error file=claims/trump-europe-to-provide-guarantees-with-us-coordination\.yaml,line=\d+"
    assert re.match(where, annotation)
    assert "[-an illusion-]{+a utopia+}" in annotation and "—" in annotation
