"""Feeds and open data: Atom (site-wide and per topic), a schema.org DataFeed of every
ClaimReview, and a CSV export. Pure functions of the corpus; no MkDocs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from . import urls
from .jsonld import claim_review
from .model import Claim, ExternalSource

if TYPE_CHECKING:
    import datetime as dt

    from .checkcache import CheckCache
    from .corpus import Corpus
    from .render import SiteInfo

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
SITE_FEED = "feeds/all.xml"
DATAFEED = "open-data/claimreview-feed.json"
CSV_EXPORT = "open-data/claims.csv"


def topic_feed(tid: str) -> str:
    return f"feeds/topics/{tid}.xml"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom(corpus: Corpus, site: SiteInfo, ids: list[str] | None, *, title: str, feed_path: str,
         alternate_src: str) -> str:
    ET.register_namespace("", ATOM_NS)
    entries = corpus.sorted_claims(ids)[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = urls.absolute(site.url, feed_path)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=urls.absolute(site.url, feed_path))
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html",
                  href=site.canonical(alternate_src))
    updated = max((claim.modified for _, claim in entries), default=None)
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = _stamp(updated) if updated else "1970-01-01T00:00:00Z"
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    ET.SubElement(author, f"{{{ATOM_NS}}}name").text = site.name
    for cid, claim in entries:
        verdict = corpus.verdicts[claim.verdict.rating]
        speaker = corpus.speakers[claim.statement.speaker]
        url = site.canonical(urls.claim_src(cid))
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = f"{claim.claim} ({verdict.label})"
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=url)
        ET.SubElement(entry, f"{{{ATOM_NS}}}published").text = _stamp(claim.published)
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = _stamp(claim.modified)
        ET.SubElement(entry, f"{{{ATOM_NS}}}summary").text = (
            f"Verdict: {verdict.label}. Claim by {speaker.name}, {speaker.role}. {claim.verdict.summary.strip()}")
        ET.SubElement(entry, f"{{{ATOM_NS}}}category", term=verdict.id, label=verdict.label)
        for topic in claim.topics:
            ET.SubElement(entry, f"{{{ATOM_NS}}}category", term=topic, label=corpus.topics[topic].name)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


Entries = dict[str, tuple[bytes, bytes]]
"""Per claim: its ClaimReview feed entry (JSON) and its CSV line, as UTF-8."""


def datafeed_item(cid: str, claim: Claim, corpus: Corpus, site: SiteInfo, bounds: tuple[int, int]) -> bytes:
    """One claim's entry in the ClaimReview feed, as JSON."""
    item = {"@type": "DataFeedItem", "dateCreated": claim.published.isoformat(),
            "dateModified": claim.modified.isoformat(), "url": site.canonical(urls.claim_src(cid)),
            "item": [claim_review(cid, claim, corpus, site, bounds)]}
    return json.dumps(item, ensure_ascii=False).encode()


def datafeed_chunks(corpus: Corpus, site: SiteInfo, bounds: tuple[int, int],
                    entries: Entries | None = None) -> Iterator[bytes]:
    """The ClaimReview feed in the shape the Data Commons / Google Fact Check feed uses, in pieces
    (written one after the other, never joined in memory). `entries` may hold each claim's entry
    already made (see `open_data_entries`)."""
    modified = max((c.modified for c in corpus.claims.values()), default=None)
    data = {"@context": "https://schema.org", "@type": "DataFeed", "name": f"{site.name}: ClaimReview feed",
            "url": urls.absolute(site.url, DATAFEED), "publisher": {"@type": "Organization", "name": site.name,
                                                                   "url": site.url},
            **({"dateModified": modified.isoformat()} if modified else {}), "dataFeedElement": []}
    head = json.dumps(data, ensure_ascii=False)
    yield head[:-len("[]}")].encode() + b"["
    for number, (cid, claim) in enumerate(corpus.sorted_claims()):
        if number:
            yield b", "
        yield entries[cid][0] if entries else datafeed_item(cid, claim, corpus, site, bounds)
    yield b"]}\n"


def datafeed(corpus: Corpus, site: SiteInfo, bounds: tuple[int, int], entries: Entries | None = None) -> str:
    return b"".join(datafeed_chunks(corpus, site, bounds, entries)).decode()


CSV_COLUMNS = ["id", "url", "claim", "speaker", "speaker_role", "statement_date", "verdict", "rating_value",
               "summary", "topics", "published", "modified", "corrections", "source_outlet", "source_url"]


def _csv_line(values: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue().encode()


def csv_row(cid: str, claim: Claim, corpus: Corpus, site: SiteInfo) -> bytes:
    """One claim's line of the CSV export."""
    speaker = corpus.speakers[claim.statement.speaker]
    source = claim.statement.source
    outlet, url = (source.outlet, source.url) if isinstance(source, ExternalSource) else (
        corpus.seeds[source].outlet, corpus.seeds[source].url or "")
    verdict = corpus.verdicts[claim.verdict.rating]
    row = [cid, site.canonical(urls.claim_src(cid)), claim.claim, speaker.name, speaker.role,
           claim.statement.date.isoformat() if claim.statement.date else "", verdict.label, verdict.value,
           " ".join(claim.verdict.summary.split()), ";".join(claim.topics), claim.published.isoformat(),
           claim.modified.isoformat(), len(claim.corrections), outlet, url]
    return _csv_line([_defuse(str(v)) for v in row])


def csv_chunks(corpus: Corpus, site: SiteInfo, entries: Entries | None = None) -> Iterator[bytes]:
    yield _csv_line(CSV_COLUMNS)
    for cid, claim in corpus.sorted_claims():
        yield entries[cid][1] if entries else csv_row(cid, claim, corpus, site)


def csv_export(corpus: Corpus, site: SiteInfo, entries: Entries | None = None) -> str:
    return b"".join(csv_chunks(corpus, site, entries)).decode()


def _defuse(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def open_data_entries(corpus: Corpus, site: SiteInfo, bounds: tuple[int, int], keys: dict[str, str],
                      cache: CheckCache | None) -> Entries:
    """Each claim's feed entry and CSV line, from the cache when the claim's page key is unchanged."""
    entries: Entries = {}
    code = "entry"  # the claim keys cover the code and libraries (see `keys`)
    for cid, claim in corpus.claims.items():
        key = hashlib.sha256(f"{code}\x1f{keys[cid]}".encode()).hexdigest() if cache is not None else ""
        entry = cache.get(key) if cache is not None else None
        if entry is None:
            entry = (datafeed_item(cid, claim, corpus, site, bounds), csv_row(cid, claim, corpus, site))
            if cache is not None:
                cache.put(key, entry)
        entries[cid] = entry
    if cache is not None:
        cache.save(prune=True)
    return entries


def open_data_assets(corpus: Corpus, site: SiteInfo, bounds: tuple[int, int], *,
                     entries: Entries | None = None, keys: dict[str, str] | None = None,
                     cache: CheckCache | None = None, context: str = "") -> dict[str, Iterable[bytes]]:
    """Every feed and export, by output path, as pieces of UTF-8 to write in turn. With claim keys
    (see `Renderer.claim_key`, which cover everything a claim shows), a cache and a context key
    (the site settings), an Atom feed whose claims are unchanged is taken from the cache."""
    code = "feed"  # the context key covers the code and libraries (see `keys`)

    def feed(ids: list[str] | None, title: str, path: str, alternate_src: str) -> list[bytes]:
        if keys is None or cache is None:
            return [atom(corpus, site, ids, title=title, feed_path=path, alternate_src=alternate_src).encode()]
        shown = [cid for cid, _ in corpus.sorted_claims(ids)[:FEED_SIZE]]
        key = hashlib.sha256("\x1f".join([code, context, json.dumps(site.__dict__, sort_keys=True), title, path,
                                          alternate_src, *(keys[cid] for cid in shown)]).encode()).hexdigest()
        text = cache.get(key)
        if text is None:
            text = atom(corpus, site, ids, title=title, feed_path=path, alternate_src=alternate_src).encode()
            cache.put(key, text)
        return [text]

    assets: dict[str, Iterable[bytes]] = {
        SITE_FEED: feed(None, f"{site.name}: latest fact-checks", SITE_FEED, urls.HOME),
        DATAFEED: datafeed_chunks(corpus, site, bounds, entries), CSV_EXPORT: csv_chunks(corpus, site, entries)}
    by_topic = corpus.claims_by_topic()
    for tid, topic in corpus.topics.items():
        path = topic_feed(tid)
        assets[path] = feed(by_topic.get(tid, []), f"{site.name}: {topic.name}", path, urls.topic_src(tid))
    if cache is not None:
        cache.save(prune=True)
    return assets
