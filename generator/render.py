"""Turn a validated corpus into pages: HTML bodies plus head metadata, cached per claim."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import urls
from .corpus import Corpus
from .html import compiled_templates, environment, environment_for, markdown_html, script_json
from .jsonld import claim_review
from .keys import value_digest
from .model import LANGUAGES, ExternalSource, Stance, Statement, Translation, closes_mid_sentence, opens_mid_sentence

if TYPE_CHECKING:
    from .pagecache import PageCache, StoredPage



@dataclass(frozen=True)
class SiteInfo:
    """Publication-wide settings the pages need (from mkdocs.yml or the command line)."""

    name: str
    url: str
    description: str = ""
    directory_urls: bool = True
    language: str = "en"

    def page_url(self, src_uri: str) -> str:
        return urls.page_url(src_uri, self.directory_urls)

    def output_file(self, src_uri: str) -> str:
        return urls.output_file(src_uri, self.directory_urls)

    def canonical(self, src_uri: str) -> str:
        return urls.absolute(self.url, self.page_url(src_uri))


@dataclass
class GeneratedPage:
    src_uri: str
    title: str
    description: str
    html: str
    kind: str
    jsonld: str = ""
    image: str = ""
    content_key: str = ""
    """Digest of everything the page depends on (set by the Renderer); equal keys, equal pages."""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "content_key"}


@dataclass
class SourceView:
    """A statement's source, resolved for display."""

    outlet: str
    title: str
    published: Any
    url: str | None
    seed_id: str | None


def quote_paragraphs(quote: str) -> list[str]:
    """The quote's paragraphs, with an elision mark where it starts or stops mid-sentence."""
    paragraphs = quote.strip().split("\n\n")
    if opens_mid_sentence(quote) and not paragraphs[0].lstrip("\"'“‘(").startswith(("...", "…", "[")):
        paragraphs[0] = "… " + paragraphs[0]
    if closes_mid_sentence(quote):
        paragraphs[-1] = paragraphs[-1] + " …"
    return paragraphs


@dataclass
class TranslationView:
    """Another outlet's translation of a quoted remark."""

    quote: str
    source: SourceView

    @property
    def paragraphs(self) -> list[str]:
        return quote_paragraphs(self.quote)


@dataclass
class StatementView:
    statement: Statement
    speaker: Any
    speaker_href: str
    source: SourceView
    anchor: str
    translations: list[TranslationView] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return quote_paragraphs(self.statement.quote)

    @property
    def language(self) -> str | None:
        """The language the speaker used, when the quote is the outlet's translation."""
        code = self.statement.translated_from
        return LANGUAGES.get(code, code) if code else None


STANCE_ORDER: tuple[Stance, ...] = ("contradicts", "supports", "adds-context")


class Renderer:
    """Renders every generated page of a publication. Holds no MkDocs objects."""

    def __init__(self, corpus: Corpus, site: SiteInfo, cache: PageCache | None = None):
        from .pagecache import PageCache

        self.corpus = corpus
        self.site = site
        self.cache = cache or PageCache(None, corpus, site)
        self.keys = self.cache.keys
        store = self.cache.store.folder  # in the cache folder
        self.env = environment_for(self.keys.build_keys.code, compiled_templates(store.parent if store else None))
        self._list_entries: dict[tuple[str, str, bool], Markup] = {}
        self._footer: Markup | None = None
        self.background_ok = False
        """Whether claim pages may be left rendering in the background (the caller will `finish`)."""
        self.claim_order: Callable[[str], Any] | None = None
        """Sort key of claim ids: the order claim pages are rendered and handed to MkDocs in."""

    @property
    def scale_bounds(self) -> tuple[int, int]:
        return self.keys.scale_bounds

    # links -----------------------------------------------------------------
    def href(self, here: str, target_src: str) -> str:
        return urls.relative(self.site.page_url(here), self.site.page_url(target_src))

    def asset(self, here: str, path: str) -> str:
        return urls.relative(self.site.page_url(here), path)

    def _linker(self, here: str) -> Callable[[str], str]:
        return lambda target: self.href(here, target)

    # views -----------------------------------------------------------------
    def source_view(self, statement: Statement | Translation) -> SourceView:
        source = statement.source
        if isinstance(source, ExternalSource):
            return SourceView(source.outlet, source.title or source.outlet, source.published, source.url, None)
        seed = self.corpus.seeds[source]
        return SourceView(seed.outlet, seed.title, seed.published, seed.url, source)

    def statement_view(self, here: str, statement: Statement, anchor: str) -> StatementView:
        return StatementView(statement, self.corpus.speakers[statement.speaker],
                             self.href(here, urls.speaker_src(statement.speaker)),
                             self.source_view(statement), anchor)

    def claim_item(self, here: str, cid: str) -> dict[str, Any]:
        claim = self.corpus.claims[cid]
        item = {"id": cid, "claim": claim, "href": self.href(here, urls.claim_src(cid)),
                "verdict": self.corpus.verdicts[claim.verdict.rating],
                "speaker": self.corpus.speakers[claim.statement.speaker],
                "speaker_href": self.href(here, urls.speaker_src(claim.statement.speaker)),
                "verdict_href": self.href(here, urls.verdict_src(claim.verdict.rating))}
        item["li"] = lambda show_speaker: self._list_entry(item, show_speaker)
        return item

    def _list_entry(self, item: dict[str, Any], show_speaker: bool) -> Markup:
        """A claim's entry in a list, drawn once per build for each link target and form."""
        key = (item["id"], item["href"], bool(show_speaker))
        entry = self._list_entries.get(key)
        if entry is None:
            macro = self.env.get_template("_macros.html").module.claim_list_item  # type: ignore[attr-defined]
            entry = self._list_entries[key] = Markup(macro(item, show_speaker))
        return entry

    def claim_items(self, here: str, ids: list[str] | None = None) -> list[dict[str, Any]]:
        return [self.claim_item(here, cid) for cid, _ in self.corpus.sorted_claims(ids)]

    # claim pages -------------------------------------------------------------
    def claim_page(self, cid: str) -> GeneratedPage:
        claim = self.corpus.claims[cid]
        here = urls.claim_src(cid)
        verdict = self.corpus.verdicts[claim.verdict.rating]

        def view(statement: Statement, anchor: str) -> StatementView:
            shown = self.statement_view(here, statement, anchor)
            shown.translations = [TranslationView(t.quote, self.source_view(t)) for t in statement.other_translations]
            return shown

        said = view(claim.statement, "said")
        others = [view(s, f"other-{i + 1}") for i, s in enumerate(claim.counter_statements)]
        groups = [(stance, [v for v, s in zip(others, claim.counter_statements, strict=True) if s.stance == stance])
                  for stance in (*STANCE_ORDER, None)]
        sources = _unique_sources([said, *others])
        html = self.env.get_template("claim.html").render(
            claim=claim, cid=cid, verdict=verdict, said=said, others=others, sources=sources,
            groups=[(stance, views) for stance, views in groups if views],
            topics=[(self.corpus.topics[t], self.href(here, urls.topic_src(t))) for t in claim.topics],
            methodology_href=self.href(here, urls.METHODOLOGY) + "#the-verdict-scale",
            rules_href=self.href(here, urls.METHODOLOGY) + "#how-we-reach-a-verdict",
            corrections_policy_href=self.href(here, "corrections-policy.md"),
            verdict_href=self.href(here, urls.verdict_src(verdict.id)), scale=self.scale_bounds,
            source_href=lambda sid: self.href(here, urls.source_src(sid)))
        data = claim_review(cid, claim, self.corpus, self.site, self.scale_bounds)
        description = f"{verdict.label}: {claim.verdict.summary}"
        return GeneratedPage(here, claim.claim, _shorten(description), html, "claim", str(script_json(data)))

    # index pages --------------------------------------------------------------
    def _page(self, src: str, template: str, title: str, description: str, kind: str, *,
              key: str | None = None, **context: Any) -> GeneratedPage | StoredPage:
        """Render an index page; with a `key` (see `PageKeys.listing`), the cache may serve it.
        Context values given as `lazy(...)` are computed only when the page is rendered."""
        def render() -> GeneratedPage:
            values = {k: v.value() if isinstance(v, lazy) else v for k, v in context.items()}
            html = self.env.get_template(template).render(title=title, description=description,
                                                          link=self._linker(src), **values)
            return GeneratedPage(src, title, _shorten(description), html, kind)

        if key is None:
            page = render()
            page.content_key = value_digest(page.as_dict())
            return page
        return self.cache.page(src, (template, title, description, kind, key), render)

    def topic_pages(self) -> list[GeneratedPage | StoredPage]:
        by_topic, listing, entities = self.corpus.claims_by_topic(), self.keys.listing, self.keys.entities
        pages: list[GeneratedPage | StoredPage] = []
        for tid, topic in sorted(self.corpus.topics.items()):
            src = urls.topic_src(tid)
            ids = by_topic.get(tid, [])
            pages.append(self._page(src, "topic.html", topic.name, topic.description or f"Fact-checks on {topic.name}",
                                    "topic", key=listing(entities["topics"][tid], ids=ids), topic=topic,
                                    items=lazy(self.claim_items, src, ids),
                                    feed_href=self.asset(src, f"feeds/topics/{tid}.xml")))
        src = urls.TOPICS_INDEX
        rows = [(topic, self.href(src, urls.topic_src(tid)), len(by_topic.get(tid, [])))
                for tid, topic in sorted(self.corpus.topics.items(), key=lambda kv: kv[1].name.casefold())]
        pages.append(self._page(src, "topics_index.html", "Topics", "Every topic we have fact-checked.",
                                "topics-index", rows=rows))
        return pages

    def speaker_pages(self) -> list[GeneratedPage | StoredPage]:
        by_speaker = self.corpus.claims_by_speaker()
        appearances = self.corpus.speaker_appearances()
        pages = []
        for sid, speaker in sorted(self.corpus.speakers.items()):
            src = urls.speaker_src(sid)
            ids = by_speaker.get(sid, [])
            tally = Counter(self.corpus.claims[c].verdict.rating for c in ids)
            rows = [(v, tally[v.id], self.href(src, urls.verdict_src(v.id))) for v in self.corpus.verdict_order()
                    if tally[v.id]]
            responses = appearances.get(sid, [])
            pages.append(self._page(src, "speaker.html", speaker.name,
                                    f"Fact-checks of statements by {speaker.name}, {speaker.role}.", "speaker",
                                    key=self.keys.listing(self.keys.entities["speakers"][sid], ids,
                                                          ids=[*ids, *responses]),
                                    speaker=speaker, items=lazy(self.claim_items, src, ids), tally=rows,
                                    responses=lazy(self.claim_items, src, responses)))
        src = urls.SPEAKERS_INDEX
        listed = [(speaker, self.href(src, urls.speaker_src(sid)), len(by_speaker.get(sid, [])),
                 len(appearances.get(sid, [])))
                for sid, speaker in sorted(self.corpus.speakers.items(), key=lambda kv: kv[1].name.casefold())]
        pages.append(self._page(src, "speakers_index.html", "Speakers",
                                "Everyone whose statements we have checked or quoted.", "speakers-index", rows=listed))
        return pages

    def verdict_pages(self) -> list[GeneratedPage | StoredPage]:
        by_verdict = self.corpus.claims_by_verdict()
        pages = []
        for verdict in self.corpus.verdict_order():
            src = urls.verdict_src(verdict.id)
            ids = by_verdict.get(verdict.id, [])
            pages.append(self._page(src, "verdict.html", f"Rated {verdict.label}", verdict.description, "verdict",
                                    key=self.keys.listing(verdict.id, ids=ids), verdict=verdict,
                                    items=lazy(self.claim_items, src, ids),
                                    methodology_href=self.href(src, urls.METHODOLOGY) + "#the-verdict-scale"))
        src = urls.VERDICTS_INDEX
        rows = [(v, self.href(src, urls.verdict_src(v.id)), len(by_verdict.get(v.id, [])))
                for v in self.corpus.verdict_order()]
        pages.append(self._page(src, "verdicts_index.html", "Fact-checks by verdict",
                                "Every fact-check, grouped by the verdict we reached.", "verdicts-index", rows=rows,
                                methodology_href=self.href(src, urls.METHODOLOGY) + "#the-verdict-scale"))
        return pages

    def source_pages(self) -> list[GeneratedPage | StoredPage]:
        """A page per archived article listing the fact-checks that cite it, and an index of every
        source. (One page listing every claim under every source would grow to tens of megabytes.)"""
        src = urls.SOURCES_INDEX
        by_seed = self.corpus.claims_by_seed()
        ordered = sorted(self.corpus.seeds.items(), key=lambda kv: (kv[1].published, kv[0]))
        pages = []
        for sid, seed in ordered:
            here = urls.source_src(sid)
            ids = by_seed.get(sid, [])
            pages.append(self._page(here, "source.html", seed.title, f"Fact-checks citing {seed.outlet}: {seed.title}",
                                    "source", key=self.keys.listing(self.keys.entities["seeds"][sid], ids=ids),
                                    seed=seed,
                                    items=lazy(self.claim_items, here, ids), index_href=self.href(here, src)))
        external: dict[str, tuple[ExternalSource, list[str]]] = {}
        for cid, claim in self.corpus.claims.items():
            for statement in (claim.statement, *claim.counter_statements):
                if isinstance(statement.source, ExternalSource):
                    entry = external.setdefault(statement.source.url, (statement.source, []))
                    if cid not in entry[1]:
                        entry[1].append(cid)
        listed = [cid for _, ids in external.values() for cid in ids]
        seeds = self.keys.entities["seeds"]
        key = self.keys.listing([(sid, seeds[sid], len(by_seed.get(sid, []))) for sid, _ in ordered],
                            [(url, s.model_dump(mode="json"), ids) for url, (s, ids) in sorted(external.items())],
                            ids=listed)
        pages.append(self._page(src, "sources.html", "Sources",
                                "Every article our fact-checks cite, with the claims that cite it.", "sources", key=key,
                                seeds=[(sid, seed, len(by_seed.get(sid, [])), self.href(src, urls.source_src(sid)))
                                       for sid, seed in ordered],
                                external=lazy(lambda: [(s, self.claim_items(src, ids))
                                                       for _, (s, ids) in sorted(external.items())])))
        return pages

    def corrections_page(self) -> GeneratedPage | StoredPage:
        src = urls.CORRECTIONS_LOG
        entries = sorted(((c.date, cid, c) for cid, claim in self.corpus.claims.items() for c in claim.corrections),
                         key=lambda e: (-e[0].toordinal(), e[1]))
        key = self.keys.listing([(cid, correction.model_dump(mode="json")) for _, cid, correction in entries],
                            ids=[cid for _, cid, _ in entries])
        return self._page(src, "corrections.html", "Corrections log",
                          "Every correction we have made to a published fact-check, newest first.", "corrections",
                          key=key, rows=lazy(lambda: [(correction, self.claim_item(src, cid))
                                                      for _, cid, correction in entries]),
                          policy_href=self.href(src, "corrections-policy.md"))

    def index_pages(self) -> list[GeneratedPage | StoredPage]:
        return [*self.topic_pages(), *self.speaker_pages(), *self.verdict_pages(), *self.source_pages(),
                self.corrections_page()]

    def claim_pages(self) -> list[GeneratedPage | StoredPage]:
        return self.cache.claim_pages(self, sorted(self.corpus.claims, key=self.claim_order),
                                      background=self.background_ok)

    def all_pages(self, claims_done: Callable[[list[GeneratedPage | StoredPage]], None] | None = None
                  ) -> list[GeneratedPage | StoredPage]:
        """Every generated page; `claims_done` is handed the claim pages before the index pages are
        rendered. Claim pages may still be rendering in the background (see
        `PageCache.claim_pages`) when this returns; `finish` waits for them and saves the cache."""
        claims = self.claim_pages()
        if claims_done is not None:
            claims_done(claims)
        pages = [*claims, *self.index_pages()]
        self._list_entries.clear()
        if self.cache.background is None:
            self.cache.store.save()
        return pages

    def finish(self) -> None:
        self.cache.finish()

    def abort(self) -> None:
        self.cache.abort()

    # fragments for hand-written pages -------------------------------------------
    def latest(self, here: str, count: int = 10) -> str:
        items = [self.claim_item(here, cid) for cid, _ in self.corpus.sorted_claims()[:count]]
        return self.env.get_template("latest.html").render(items=items, link=self._linker(here))

    def verdict_table(self, here: str) -> str:
        low, high = self.scale_bounds
        return self.env.get_template("verdict_table.html").render(
            verdicts=self.corpus.verdict_order(), low=low, high=high, link=self._linker(here))

    def front_page(self, here: str, latest: int = 6, per_topic: int = 3) -> str:
        """The latest fact-checks as cards, then a section per topic with its newest ones."""
        by_topic = self.corpus.claims_by_topic()
        sections = []
        for tid, topic in sorted(self.corpus.topics.items(), key=lambda kv: kv[1].name.casefold()):
            ids = by_topic.get(tid, [])
            if ids:
                newest = [self.claim_item(here, cid) for cid, _ in self.corpus.sorted_claims(ids)[:per_topic]]
                sections.append((tid, topic, self.href(here, urls.topic_src(tid)), newest, len(ids)))
        return self.env.get_template("front.html").render(
            latest=[self.claim_item(here, cid) for cid, _ in self.corpus.sorted_claims()[:latest]],
            sections=sections, opening=_opening)

    def search_filters(self) -> str:
        """The search page's filters: every verdict in scale order, and the topics and speakers of the
        published claims by name, each option's value the text Pagefind records for that filter."""
        claims = self.corpus.claims.values()
        topics = {self.corpus.topics[t].name for claim in claims for t in claim.topics}
        speakers = {self.corpus.speakers[claim.statement.speaker].name for claim in claims}
        return self.env.get_template("search_filters.html").render(
            verdicts=self.corpus.verdict_order(), topics=sorted(topics, key=_by_name),
            speakers=sorted(speakers, key=_by_name))

    def publication_part(self, part: str) -> str:
        """One part of the transparency statement (data/publication.yaml), for the About, Contact,
        corrections-policy and suggest-a-claim pages."""
        return self.env.get_template("publication.html").render(publication=self.corpus.publication, part=part)

    def footer(self) -> Markup:
        """Who publishes the site, for the footer of every page (drawn once per build)."""
        if self._footer is None:
            publication = self.corpus.publication
            summary = markdown_html(publication.summary).striptags() if publication and publication.summary else ""
            self._footer = Markup(self.env.get_template("footer.html").render(
                name=publication.name if publication else self.site.name, summary=summary,
                draft=publication is None or publication.draft))
        return self._footer

    def fragments(self, here: str) -> dict[str, Callable[[], str]]:
        from .docs import claim_format_reference
        parts: dict[str, Callable[[], str]] = {
            "latest": lambda: self.latest(here), "front-page": lambda: self.front_page(here),
            "verdict-table": lambda: self.verdict_table(here), "search-filters": self.search_filters,
            "claim-format": lambda: claim_format_reference(self.env)}
        for part in PUBLICATION_PARTS:
            parts[f"publication-{part}"] = lambda part=part: self.publication_part(part)  # type: ignore[misc]
        return parts

    def verdict_css(self) -> str:
        return self.env.get_template("verdicts.css").render(verdicts=self.corpus.verdict_order())


PUBLICATION_PARTS = ("summary", "organisation", "ownership", "funding", "team", "contact", "corrections", "submit")


def _by_name(name: str) -> tuple[str, str]:
    return name.casefold(), name


def _opening(quote: str, words: int = 24) -> str:
    """The first words of a quote, with an ellipsis where it is cut (never inside a word)."""
    parts = quote.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:—–-") + " …"


class lazy:
    """A template value computed only if the page is rendered rather than served from the cache."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self.function, self.args = function, args

    def value(self) -> Any:
        return self.function(*self.args)


def _unique_sources(views: list[StatementView]) -> list[SourceView]:
    seen: dict[tuple[str | None, str | None, str], SourceView] = {}
    for view in views:
        for source in (view.source, *(t.source for t in view.translations)):
            seen.setdefault((source.seed_id, source.url, source.title), source)
    return list(seen.values())


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def head_html(page: GeneratedPage | StoredPage | None, *, site: SiteInfo, title: str, description: str, canonical: str,
              kind: str = "website", image: str = "") -> Markup:
    """Open Graph, Twitter and structured-data tags for any page."""
    return Markup(environment().get_template("head.html").render(
        site=site, title=title, description=description, canonical=canonical, kind=kind, image=image,
        jsonld=Markup(page.jsonld) if page is not None and page.jsonld else ""))
