"""schema.org ClaimReview for one claim, built from the same data the page shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import urls
from .model import Claim, ExternalSource

if TYPE_CHECKING:
    from .corpus import Corpus
    from .render import SiteInfo


def claim_review(cid: str, claim: Claim, corpus: Corpus, site: SiteInfo, bounds: tuple[int, int]) -> dict[str, Any]:
    verdict = corpus.verdicts[claim.verdict.rating]
    speaker = corpus.speakers[claim.statement.speaker]
    author: dict[str, Any] = {"@type": "Person" if speaker.kind == "person" else "Organization", "name": speaker.name}
    if speaker.kind == "person":
        author["jobTitle"] = speaker.role
    else:
        author["description"] = speaker.role
    if speaker.wikidata:
        author["sameAs"] = f"https://www.wikidata.org/wiki/{speaker.wikidata}"
    item: dict[str, Any] = {"@type": "Claim", "author": author}
    if claim.statement.date:
        item["datePublished"] = claim.statement.date.isoformat()
    item["appearance"] = appearance(claim, corpus)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": site.canonical(urls.claim_src(cid)),
        "claimReviewed": claim.claim,
        "datePublished": claim.published.isoformat(),
        "author": {"@type": "Organization", "name": site.name, "url": site.url},
        "reviewRating": {"@type": "Rating", "ratingValue": verdict.value, "bestRating": bounds[1],
                         "worstRating": bounds[0], "alternateName": verdict.label},
        "itemReviewed": item,
    }
    coverage = evidence_period(claim)
    if coverage:
        data["temporalCoverage"] = coverage
    if claim.modified != claim.published:
        data["dateModified"] = claim.modified.isoformat()
    return data


def evidence_period(claim: Claim) -> str | None:
    """The period of the statements the verdict weighs, as an ISO 8601 interval ending at the evidence
    cut-off (schema.org temporalCoverage); the cut-off alone when no statement is dated before it."""
    cutoff = claim.evidence_cutoff
    if cutoff is None:
        return None
    dated = [s.date for s in (claim.statement, *claim.counter_statements) if s.date and s.date < cutoff]
    return f"{min(dated).isoformat()}/{cutoff.isoformat()}" if dated else cutoff.isoformat()


def appearance(claim: Claim, corpus: Corpus) -> dict[str, Any]:
    source = claim.statement.source
    if isinstance(source, ExternalSource):
        out: dict[str, Any] = {"@type": "CreativeWork", "url": source.url,
                               "datePublished": source.published.isoformat(),
                               "publisher": {"@type": "Organization", "name": source.outlet}}
        if source.title:
            out["headline"] = source.title
        return out
    seed = corpus.seeds[source]
    out = {"@type": "NewsArticle", "headline": seed.title, "datePublished": seed.published.isoformat(),
           "publisher": {"@type": "Organization", "name": seed.outlet}}
    if seed.url:
        out["url"] = seed.url
    return out
