"""A reader's site, built by the real MkDocs from the repository's own claims."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from generator.corpus import Project, load_corpus

from .conftest import REPO, claim_reviews, mkdocs_build, parse_page

CORPUS, DIAGNOSTICS = load_corpus(Project(REPO))
CLAIM_IDS = sorted(CORPUS.claims)


def page(site: Path, url: str) -> Path:
    return site / url / "index.html"


def test_repository_content_is_valid() -> None:
    assert not DIAGNOSTICS.errors, "\n".join(d.text() for d in DIAGNOSTICS.errors)


def test_seed_content_covers_both_sides() -> None:
    speakers = {c.statement.speaker for c in CORPUS.claims.values()}
    topics = {t for c in CORPUS.claims.values() for t in c.topics}
    assert len(CORPUS.claims) >= 8 and len(topics) >= 3
    assert {"bilateral-summit", "security-guarantees"} <= topics
    assert {"donald-trump", "steve-witkoff", "volodymyr-zelensky"} <= speakers
    assert sum(c.statement.speaker == "sergey-lavrov" for c in CORPUS.claims.values()) >= 2
    assert speakers & {"karoline-leavitt", "white-house"}


@pytest.mark.parametrize("cid", CLAIM_IDS)
def test_every_claim_page_links_its_source_and_carries_one_claim_review(built_site: Path, cid: str) -> None:
    path = page(built_site, f"claims/{cid}")
    claim = CORPUS.claims[cid]
    parsed = parse_page(path)
    reviews = claim_reviews(path)
    assert len(reviews) == 1
    review = reviews[0]
    assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
    assert review["url"] == parsed.canonical == f"https://factcheck-desk.example.org/claims/{cid}/"
    assert review["claimReviewed"] == claim.claim
    verdict = CORPUS.verdicts[claim.verdict.rating]
    assert review["reviewRating"]["alternateName"] == verdict.label
    assert review["reviewRating"]["ratingValue"] == verdict.value
    assert review["author"]["name"] == "Fact-Check Desk"
    assert review["itemReviewed"]["author"]["name"] == CORPUS.speakers[claim.statement.speaker].name
    html = path.read_text(encoding="utf-8")
    assert f"fc-badge--{verdict.id}" in html and f'<span class="fc-badge__label">{verdict.label}</span>' in html
    statements = (claim.statement, *claim.counter_statements)
    assert parsed.blockquotes == len(statements) + sum(len(s.other_translations) for s in statements)
    for statement in (claim.statement, *claim.counter_statements):
        source = statement.source if not isinstance(statement.source, str) else CORPUS.seeds[statement.source]
        if source.url:
            assert source.url in parsed.links
    assert parsed.meta["og:title"] == claim.claim and parsed.meta["og:type"] == "article"


@pytest.mark.parametrize("tid", sorted(CORPUS.topics))
def test_every_topic_page_lists_exactly_its_claims_newest_first(built_site: Path, tid: str) -> None:
    html = page(built_site, f"topics/{tid}").read_text(encoding="utf-8")
    listed = re.findall(r'class="fc-list__claim" href="\.\./\.\./claims/([a-z0-9-]+)/"', html)
    expected = [cid for cid, _ in CORPUS.sorted_claims(c for c, claim in CORPUS.claims.items() if tid in claim.topics)]
    assert listed == expected


def test_claim_pages_stay_out_of_the_navigation(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    start, end = home.index('<article class="md-content__inner'), home.index("</article>")
    chrome = home[:start] + home[end:]
    assert 'href="claims/' in home[start:end]
    assert 'href="claims/' not in chrome
    assert 'href="topics/' in chrome


def test_every_page_has_open_graph_and_canonical_url(built_site: Path) -> None:
    """Every reader page (the editing screen at /admin/ is not one: it is kept out of search)."""
    pages = sorted(p for p in built_site.rglob("index.html") if p.relative_to(built_site).parts[0] != "admin")
    assert len(pages) > len(CLAIM_IDS)
    for path in pages:
        parsed = parse_page(path)
        assert parsed.canonical and parsed.canonical.startswith("https://factcheck-desk.example.org/"), path
        for key in ("og:title", "og:description", "og:url", "twitter:card"):
            assert parsed.meta.get(key), (path, key)


def test_methodology_table_is_generated_from_the_scale(built_site: Path) -> None:
    html = page(built_site, "methodology").read_text(encoding="utf-8")
    for verdict in CORPUS.verdicts.values():
        assert f'<tr id="verdict-{verdict.id}">' in html
        assert f"<td>{verdict.value}</td>" in html


def test_home_page_lists_latest_fact_checks(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    newest = CORPUS.sorted_claims()[0][0]
    assert f'href="claims/{newest}/"' in html


def test_speaker_page_tallies_verdicts(built_site: Path) -> None:
    html = page(built_site, "speakers/sergey-lavrov").read_text(encoding="utf-8")
    lavrov = [c for c in CORPUS.claims.values() if c.statement.speaker == "sergey-lavrov"]
    caption = html[html.index('<table class="fc-tally">'):html.index("</table>")]
    counts = [int(n) for n in re.findall(r"</td><td>(\d+)</td></tr>", caption)]
    assert sum(counts) == len(lavrov)


def test_sources_page_lists_each_archived_article(built_site: Path) -> None:
    html = page(built_site, "sources").read_text(encoding="utf-8")
    for sid, seed in CORPUS.seeds.items():
        assert f'id="{sid}"' in html
        if seed.url:
            assert f'href="{seed.url}"' in html
        else:
            assert "original URL was not recorded" in html


def test_each_archived_article_has_a_page_listing_the_claims_that_cite_it(built_site: Path) -> None:
    by_seed = CORPUS.claims_by_seed()
    index = page(built_site, "sources").read_text(encoding="utf-8")
    for sid in CORPUS.seeds:
        html = page(built_site, f"sources/{sid}").read_text(encoding="utf-8")
        cited = by_seed.get(sid, [])
        assert html.count('class="fc-list__item"') == len(cited), sid
        for cid in cited:
            assert f'href="../../claims/{cid}/"' in html
            claim_page = page(built_site, f"claims/{cid}").read_text(encoding="utf-8")
            assert f'href="../../sources/{sid}/">Every fact-check citing this article</a>' in claim_page
        count = len(cited)
        assert f'href="{sid}/">{count} fact-check{"s" if count != 1 else ""} cite' in index


def _break(publication: Path, name: str, text: str) -> None:
    (publication / "claims" / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name,text,expected", [
    ("missing-field.yaml", "claim: A claim\n",
     "claims/missing-field.yaml:1:1: error: missing required field 'statement'"),
    ("bad-yaml.yaml", "claim: [unclosed\n",
     "claims/bad-yaml.yaml:2:1: error: YAML syntax error: did not find expected ',' or ']' "
     "(hint: while parsing a flow sequence that starts at line 1, column 8)"),
])
def test_broken_claim_fails_the_build_naming_its_file(publication: Path, caplog, name, text, expected) -> None:
    (publication / "site").mkdir()
    (publication / "site" / "marker.txt").write_text("previous site")
    _break(publication, name, text)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(publication)
    assert expected in caplog.text
    assert (publication / "site" / "marker.txt").read_text() == "previous site"


def test_unknown_reference_fails_the_build_with_its_line(publication: Path, caplog) -> None:
    first = sorted((publication / "claims").glob("*.yaml"))[0]
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    data["statement"]["speaker"] = "sergei-lavrov"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    first.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sergei-lavrov" in row)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(publication)
    assert f"claims/{first.name}:{line}:" in caplog.text
    assert "unknown speaker 'sergei-lavrov'" in caplog.text and "did you mean 'sergey-lavrov'?" in caplog.text


def test_factcheck_cli_builds_into_a_chosen_folder(publication: Path, tmp_path: Path) -> None:
    from generator.cli import main

    out = tmp_path / "out"
    assert main(["--root", str(publication), "build", "--site-dir", str(out)]) == 0
    assert (out / "claims" / CLAIM_IDS[0] / "index.html").is_file()
    assert main(["--root", str(publication), "validate"]) == 0
    html = (out / "claims" / CLAIM_IDS[0] / "index.html").read_text()
    json.loads(html.split('application/ld+json">')[1].split("</script>")[0])
