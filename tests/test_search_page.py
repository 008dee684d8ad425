"""The search page as built: our own interface over Pagefind's JS API (no ready-made Pagefind UI),
filters whose options are exactly the values the claim pages record for Pagefind, and the index
layout the page reads (pagefind/bundles.json and the bundles it lists). tests/browser/test_search.py
drives it in Chromium."""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from generator.corpus import Project, load_corpus
from generator.html import markdown_html

from .conftest import REPO

FILTERS = ("verdict", "topic", "speaker")


class _Filters(HTMLParser):
    """The text of every element marked data-pagefind-filter, and the options of every <select>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.recorded: dict[str, list[str]] = defaultdict(list)
        self.options: dict[str, list[str]] = defaultdict(list)
        self.selects: dict[str, str] = {}
        self._open: list[tuple[str, int, list[str]]] = []
        self._depth = 0
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._depth += 1
        if "data-pagefind-filter" in attrs:
            self._open.append((attrs["data-pagefind-filter"], self._depth, []))
        if tag == "select":
            self._select = attrs.get("data-fc-filter")
            self.selects[attrs.get("name", "")] = attrs.get("id", "")
        if tag == "option" and self._select:
            self.options[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][1] == self._depth:
            name, _, text = self._open.pop()
            self.recorded[name].append(" ".join("".join(text).split()))
        if tag == "select":
            self._select = None
        self._depth -= 1

    def handle_data(self, data):
        for _, _, text in self._open:
            text.append(data)


def _parse(path: Path) -> _Filters:
    parser = _Filters()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_search_page_uses_our_interface_and_no_ready_made_pagefind_ui(built_site: Path) -> None:
    page = (built_site / "search" / "index.html").read_text(encoding="utf-8")
    assert "pagefind-ui" not in page and "pagefind.js" not in page
    assert '<script type="module" src="../assets/factcheck/search.js"></script>' in page
    assert (built_site / "assets" / "factcheck" / "search.js").is_file()
    assert 'id="fc-search-unavailable" hidden' in page and "<noscript>" in page
    parsed = _parse(built_site / "search" / "index.html")
    assert parsed.selects == {name: f"fc-search-{name}" for name in FILTERS}
    for name in FILTERS:
        assert f'<label for="fc-search-{name}">' in page
        assert parsed.options[name][0] == ""
    assert not list(built_site.rglob("pagefind-ui*")), "Pagefind's ready-made interface is published"


def test_filter_options_are_exactly_the_values_claim_pages_record(built_site: Path) -> None:
    options = _parse(built_site / "search" / "index.html").options
    recorded: dict[str, set[str]] = defaultdict(set)
    claims = sorted((built_site / "claims").glob("*/index.html"))
    assert claims
    for path in claims:
        found = _parse(path).recorded
        assert sorted(found) == sorted(FILTERS), path
        assert len(found["verdict"]) == len(found["speaker"]) == 1 and found["topic"], path
        for name, values in found.items():
            recorded[name].update(values)
    # Every rating of the scale is offered (one no claim has yet says so with "No results"); the
    # topics and speakers offered are those of the published claims.
    assert set(options["verdict"][1:]) >= recorded["verdict"]
    assert options["verdict"][1:] == [v["label"] for v in yaml.safe_load((REPO / "data" / "verdicts.yaml").read_text())]
    for name in ("topic", "speaker"):
        assert set(options[name][1:]) == recorded[name], name
        assert len(options[name]) == len(set(options[name])), f"{name}: an option is listed twice"
    assert options["topic"][1:] == sorted(options["topic"][1:], key=str.casefold)
    assert options["speaker"][1:] == sorted(options["speaker"][1:], key=str.casefold)


def test_the_index_is_laid_out_as_the_search_page_reads_it(built_site: Path) -> None:
    """search.js reads pagefind/bundles.json, imports the first bundle's pagefind.js and merges the others."""
    listing = json.loads((built_site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    assert list(listing) == ["bundles"] and listing["bundles"]
    for bundle in listing["bundles"]:
        assert isinstance(bundle, str) and bundle.endswith("/") and not bundle.startswith(("/", "."))
        folder = built_site / "pagefind" / bundle
        for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind"):
            assert (folder / name).is_file(), f"{bundle}{name}"
        assert list(folder.glob("*.pf_meta")) and (folder / "fragment").is_dir() and (folder / "index").is_dir()
        assert (folder / "filter").is_dir(), "the claim pages' filters are recorded"


def test_factcheck_init_ships_the_same_search_page() -> None:
    shipped = REPO / "generator" / "templates" / "init" / "files" / "content" / "search.md"
    assert shipped.read_text(encoding="utf-8") == (REPO / "content" / "search.md").read_text(encoding="utf-8")


FURNITURE = ["Fact-check", "Our verdict:", "Based on statements up to", "More claims rated",
             "How our verdict scale works", "Claim by", "Checked on", ", said on", "Quoted in", ", published",
             "Not a quotation:", "Translated from", "Archived copy checked", "Every fact-check citing this article",
             "No corrections have been made", "Spotted an error?"]
"""What claim pages say around each claim: not indexed, so that a search for "published" or
"verdict" does not list every claim (and Pagefind has a tenth fewer words to index)."""


def _indexed(site: Path) -> dict[str, dict[str, Any]]:
    """Each indexed page's record in Pagefind's fragment files (address -> record: the indexed
    text, its filters and metadata)."""
    records = {}
    for path in sorted((site / "pagefind").glob("*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        records[record["url"]] = record
    return records


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text).split()).casefold()


def test_search_indexes_what_a_claim_says_and_not_the_page_around_it(built_site: Path) -> None:
    corpus, _ = load_corpus(Project(REPO))
    records = _indexed(built_site)
    assert sorted(records) == sorted(f"/claims/{cid}/" for cid in corpus.claims)
    for cid, claim in corpus.claims.items():
        record = records[f"/claims/{cid}/"]
        text = _words(record["content"])
        speaker = corpus.speakers[claim.statement.speaker]
        analysis = Markup(markdown_html(claim.analysis)).striptags()
        indexed = [claim.claim, claim.verdict.summary, " ".join(analysis.split()[:12])]
        for statement in [claim.statement, *claim.counter_statements]:
            who = corpus.speakers[statement.speaker]
            source = corpus.seeds[statement.source] if isinstance(statement.source, str) else statement.source
            indexed += [who.name, who.role, source.outlet, source.title, statement.context or "",
                        statement.date_note or "", " ".join(statement.quote.split("[")[0].split()[:6])]
        for said in indexed:
            assert _words(said) in text, f"{cid}: {said!r} is not indexed"
        for furniture in FURNITURE:
            assert furniture not in record["content"], f"{cid}: {furniture!r} is indexed"
        label = corpus.verdicts[claim.verdict.rating].label
        assert record["meta"] == {"title": claim.claim, "verdict": label, "speaker": speaker.name}, cid
        assert record["filters"]["verdict"] == [label] and record["filters"]["speaker"] == [speaker.name], cid
        assert sorted(record["filters"]["topic"]) == sorted(corpus.topics[t].name for t in claim.topics), cid
