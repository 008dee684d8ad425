"""Feeds and open data: what a feed reader, a ClaimReview harvester and a spreadsheet get."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import feedparser

from generator.corpus import Project, load_corpus

from .conftest import REPO, claim_reviews

CORPUS, _ = load_corpus(Project(REPO))


def test_site_feed_parses_and_lists_the_latest_fact_checks(built_site: Path) -> None:
    feed = feedparser.parse((built_site / "feeds" / "all.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == len(CORPUS.claims)
    newest_id, newest = CORPUS.sorted_claims()[0]
    entry = feed.entries[0]
    assert entry.link == f"https://factcheck-desk.example.org/claims/{newest_id}/"
    assert entry.title.startswith(newest.claim)
    assert CORPUS.verdicts[newest.verdict.rating].label in entry.summary


def test_each_topic_has_a_feed_of_exactly_its_claims(built_site: Path) -> None:
    by_topic = CORPUS.claims_by_topic()
    for tid in CORPUS.topics:
        feed = feedparser.parse((built_site / "feeds" / "topics" / f"{tid}.xml").read_bytes())
        assert not feed.bozo
        links = sorted(e.link.rstrip("/").rsplit("/", 1)[1] for e in feed.entries)
        assert links == sorted(by_topic.get(tid, []))
        page = (built_site / "topics" / tid / "index.html").read_text(encoding="utf-8")
        assert f'href="../../feeds/topics/{tid}.xml"' in page


def test_datafeed_carries_the_same_claim_reviews_as_the_pages(built_site: Path) -> None:
    data = json.loads((built_site / "open-data" / "claimreview-feed.json").read_text(encoding="utf-8"))
    assert data["@context"] == "https://schema.org" and data["@type"] == "DataFeed"
    items = data["dataFeedElement"]
    assert len(items) == len(CORPUS.claims)
    for item in items:
        assert item["@type"] == "DataFeedItem"
        review = item["item"][0]
        cid = review["url"].rstrip("/").rsplit("/", 1)[1]
        assert claim_reviews(built_site / "claims" / cid / "index.html") == [review]


def test_csv_export_has_a_row_per_claim(built_site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((built_site / "open-data" / "claims.csv").read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in rows) == sorted(CORPUS.claims)
    row = next(r for r in rows if r["id"] == "zelensky-no-date-for-leaders-meeting")
    assert row["verdict"] == "Accurate" and row["speaker"] == "Volodymyr Zelensky" and row["rating_value"] == "5"
    radar = [r for r in rows if r["source_outlet"] == "RadarOnline"]
    assert radar and all(r["source_url"] == "" for r in radar)


def test_open_data_is_linked_from_every_page(built_site: Path) -> None:
    claim_page = built_site / "claims" / "zelensky-no-date-for-leaders-meeting" / "index.html"
    for path in (built_site / "index.html", claim_page):
        html = path.read_text(encoding="utf-8")
        assert "open-data/" in html and "feeds/all.xml" in html
        assert 'type="application/atom+xml"' in html


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    from generator.feeds import _defuse

    assert _defuse("=HYPERLINK(\"http://evil\")").startswith("'=")
    assert _defuse("Plain text") == "Plain text"
