"""The editorial model: stances, the evidence cut-off, dated statements, translations, elisions,
and the validator rules that keep them honest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import Markup

from generator.corpus import Project, load_corpus
from generator.diagnostics import Diagnostics
from generator.render import Renderer, SiteInfo

SITE = SiteInfo(name="Editorial Desk", url="https://desk.example.org/")

BASE = """\
claim: Trump began the arrangements for a Putin–Zelensky meeting
statement:
  speaker: donald-trump
  date: 2025-08-18
  source: meduza-2025-08-20
  quote: I called President Putin and began the arrangements for a meeting
counter_statements:
  - speaker: sergey-lavrov
    date: 2025-08-20
    date_note: Meduza dates the remarks August 20.
    source: meduza-2025-08-20
    stance: contradicts
    translated_from: ru
    quote: >-
      We are open to any format, but when it comes to meetings at the highest level, we believe they
      must be prepared with the utmost care at every stage.
    other_translations:
      - source: moscow-times-2025-08-20
        quote: >-
          We are open to any formats. But when it comes to meetings at the highest level, they must be
          prepared with the utmost care at every stage beforehand
  - speaker: donald-trump
    source: asianet-newsable-2025-08-21
    reported: true
    stance: adds-context
    quote: He informed Putin about the discussions and began making arrangements
verdict:
  rating: disputed
  summary: The two sides describe the call differently.
evidence_cutoff: 2025-08-20
topics: [bilateral-summit]
published: 2026-11-23
analysis: Analysis.
"""


def check(publication: Path, text: str) -> tuple[Diagnostics, str]:
    (publication / "claims" / "editorial-case.yaml").write_text(text, encoding="utf-8")
    _, diagnostics = load_corpus(Project(publication), only=[publication / "claims" / "editorial-case.yaml"])
    return diagnostics, "claims/editorial-case.yaml"


def errors(diagnostics: Diagnostics, rel: str) -> list[tuple[str, str, int]]:
    return [(d.code, d.field, d.line) for d in diagnostics.errors if d.path == rel]


def test_a_well_formed_claim_validates(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE)
    assert errors(diagnostics, rel) == []


def test_a_counter_statement_needs_a_stance(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("    stance: contradicts\n", ""))
    found = [d for d in diagnostics.errors if d.code == "missing-stance"]
    assert [(d.path, d.field, d.line) for d in found] == [(rel, "counter_statements[0]", 8)]
    assert "contradicts, supports or adds-context" in found[0].hint


def test_an_unknown_stance_is_refused(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("stance: contradicts", "stance: refutes"))
    assert any(d.field == "counter_statements[0].stance" for d in diagnostics.errors if d.path == rel)


def test_the_claimant_cannot_contradict_his_own_claim(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("stance: adds-context", "stance: contradicts"))
    assert errors(diagnostics, rel) == [("claimant-contradicts", "counter_statements[1].stance", 25)]


def test_the_evidence_cut_off_is_required(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("evidence_cutoff: 2025-08-20\n", ""))
    assert [(code, field) for code, field, _ in errors(diagnostics, rel)] == [("missing-cutoff", "verdict")]


@pytest.mark.parametrize(("cutoff", "field"), [
    ("2025-08-17", "evidence_cutoff"),  # before the claim was made
    ("2026-11-24", "evidence_cutoff"),  # after publication
    ("2025-08-19", "counter_statements[0].date"),  # a statement weighed is later than the cut-off
])
def test_the_cut_off_lies_between_the_claim_and_publication(publication: Path, cutoff: str, field: str) -> None:
    diagnostics, rel = check(publication, BASE.replace("evidence_cutoff: 2025-08-20", f"evidence_cutoff: {cutoff}"))
    assert ("cutoff-order", field) in [(code, f) for code, f, _ in errors(diagnostics, rel)]


def test_translations_are_checked_like_quotes(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("at every stage beforehand", "at each stage beforehand"))
    assert ("quote-mismatch", "counter_statements[0].other_translations[0].quote") in [
        (code, field) for code, field, _ in errors(diagnostics, rel)]


def test_other_translations_need_the_original_language(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("    translated_from: ru\n", ""))
    assert [(code, field) for code, field, _ in errors(diagnostics, rel)] == [
        ("translation", "counter_statements[0].other_translations")]


def test_an_unknown_language_is_named(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("translated_from: ru", "translated_from: rx"))
    assert [(code, field) for code, field, _ in errors(diagnostics, rel)] == [
        ("unknown-language", "counter_statements[0].translated_from")]


def test_a_date_note_needs_a_date(publication: Path) -> None:
    diagnostics, rel = check(publication, BASE.replace("    date: 2025-08-20\n", ""))
    assert [(code, field) for code, field, _ in errors(diagnostics, rel)] == [
        ("date-note", "counter_statements[0].date_note")]


@pytest.fixture
def page(publication: Path) -> str:
    diagnostics, rel = check(publication, BASE)
    assert errors(diagnostics, rel) == []
    corpus, _ = load_corpus(Project(publication))
    return Renderer(corpus, SITE).claim_page("editorial-case").html


def test_statements_are_grouped_under_headings_that_say_what_they_do(page: str) -> None:
    assert '<h2 id="contradicting">What contradicts the claim</h2>' in page
    assert '<h2 id="context">Context</h2>' in page
    assert "What the other side said" not in page
    contradicting, context = page.index('id="contradicting"'), page.index('id="context"')
    assert contradicting < page.index("We are open to any format") < context < page.index("He informed Putin")


def test_dates_say_what_they_are(page: str) -> None:
    assert 'said on <time datetime="2025-08-18">18 August 2025</time>' in page
    assert 'Checked on <time datetime="2026-11-23">23 November 2026</time>' in page
    assert 'Based on statements up to <time datetime="2025-08-20">20 August 2025</time>.' in page
    assert "How we date it: Meduza dates the remarks August 20." in Markup(page).striptags()


def test_two_outlets_translations_are_shown_together(page: str) -> None:
    assert "Translated from Russian by Meduza" in page
    assert "The same remark as translated from Russian by The Moscow Times" in page
    remark = page[page.index('id="other-1"'):page.index('id="other-2"')]
    assert "We are open to any format," in remark and "We are open to any formats." in remark


def test_quotes_cut_mid_sentence_carry_an_elision_mark(page: str) -> None:
    assert "<p>I called President Putin and began the arrangements for a meeting …</p>" in page
    assert "<p>We are open to any format, but" in page and "at every stage.</p>" in page


def test_a_paraphrase_is_not_presented_as_a_quotation(page: str) -> None:
    assert "Not a quotation: Asianet Newsable’s paraphrase of what was said" in page


def test_a_rating_resting_on_a_paraphrase_says_so_beside_the_verdict(publication: Path) -> None:
    text = BASE.replace("  date: 2025-08-18\n  source: meduza-2025-08-20\n  quote: I called President Putin and began "
                        "the arrangements for a meeting\n",
                        "  source: asianet-newsable-2025-08-21\n  reported: true\n  quote: He informed Putin about the "
                        "discussions\n").replace("    stance: adds-context\n", "    stance: supports\n")
    diagnostics, rel = check(publication, text)
    assert errors(diagnostics, rel) == []
    corpus, _ = load_corpus(Project(publication))
    html = Renderer(corpus, SITE).claim_page("editorial-case").html
    verdict = html[html.index('class="fc-verdict '):html.index('class="fc-verdict__summary"')]
    assert "This rating rests on Asianet Newsable’s paraphrase of what Donald Trump said" in verdict


def test_claim_review_carries_the_evidence_period(publication: Path) -> None:
    check(publication, BASE)
    corpus, _ = load_corpus(Project(publication))
    data = json.loads(Renderer(corpus, SITE).claim_page("editorial-case").jsonld)
    assert data["temporalCoverage"] == "2025-08-18/2025-08-20"
    assert data["itemReviewed"]["datePublished"] == "2025-08-18"
