"""Turn a validated corpus into pages: HTML bodies plus head metadata, cached per claim."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import urls
from .corpus import Corpus
from .html import environment, script_json
from .jsonld import claim_review
from .model import ExternalSource, Statement

TEMPLATE_DIR = Path(__file__).parent / "templates"
GENERATOR_VERSION = "1"


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


@dataclass
class StatementView:
    statement: Statement
    speaker: Any
    speaker_href: str
    source: SourceView
    anchor: str


def _hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def templates_fingerprint() -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for module in ("render.py", "html.py", "jsonld.py", "urls.py", "feeds.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()


PARALLEL_RENDER = 300
_RENDERER: "Renderer | None" = None


def _render_chunk(jobs: list[tuple[str, str]]) -> list["GeneratedPage | tuple[str, str]"]:
    """Render claim pages in a worker. With a cache folder, the worker stores each page there and
    returns only its id and key, so page bodies never travel back to (or stay in) the parent."""
    assert _RENDERER is not None
    cache = _RENDERER.cache
    if cache.folder is None:
        return [_RENDERER._render_claim(cid) for cid, _ in jobs]
    done = []
    for cid, key in jobs:
        page = _RENDERER._render_claim(cid)
        cache.put(cid, key, page)
        done.append((cid, key, page.title))
    return done


class BackgroundRender:
    """Claim pages rendered by worker processes while the caller (MkDocs) gets on with its own work,
    handed over in the order they were queued, which is the order MkDocs writes pages in.

    The workers store each page in the cache folder; `wait_for` blocks only if MkDocs gets ahead
    of them. On a 2-core machine this puts claim rendering on the core MkDocs leaves idle."""

    CHUNK = 25

    def __init__(self, renderer: "Renderer", jobs: list[tuple[str, str]], workers: int):
        global _RENDERER
        self.renderer = renderer
        self.done: set[str] = set()
        _RENDERER = renderer
        try:
            self.pool = multiprocessing.get_context("fork").Pool(workers)
        finally:
            _RENDERER = None
        chunks = [jobs[i:i + self.CHUNK] for i in range(0, len(jobs), self.CHUNK)]
        self.results = self.pool.imap(_render_chunk, chunks)

    def wait_for(self, cid: str) -> None:
        while cid not in self.done:
            try:
                batch = next(self.results)
            except StopIteration:
                raise RuntimeError(f"claim page {cid} was never rendered") from None
            for done_cid, key, title in batch:
                self.renderer.cache.record(done_cid, key, urls.claim_src(done_cid), "claim", title)
                self.done.add(done_cid)

    def finish(self) -> None:
        for batch in self.results:
            for done_cid, key, title in batch:
                self.renderer.cache.record(done_cid, key, urls.claim_src(done_cid), "claim", title)
                self.done.add(done_cid)
        self.pool.close()
        self.pool.join()

    def abort(self) -> None:
        self.pool.terminate()
        self.pool.join()


class StoredPage:
    """A page from the cache whose body is read from disk only when something asks for it, and can be
    released again once written: a rebuild that reuses a page never reads it, and a build holds
    the body of one page at a time rather than of every page."""

    FIELDS = ("title", "description", "html", "jsonld", "image")

    def __init__(self, src_uri: str, kind: str, content_key: str, load: Callable[[], dict[str, str]]):
        self.src_uri, self.kind, self.content_key = src_uri, kind, content_key
        self._load = load

    def __getattr__(self, name: str) -> str:
        if name not in StoredPage.FIELDS:
            raise AttributeError(name)
        data = self._load()
        for field_name in StoredPage.FIELDS:
            self.__dict__.setdefault(field_name, data.get(field_name, ""))
        return getattr(self, name)

    def release(self) -> None:
        """Forget the body (it is read again if asked for); the title stays."""
        for field_name in StoredPage.FIELDS[1:]:
            self.__dict__.pop(field_name, None)


class ClaimCache:
    """Rendered pages (claims and index pages) kept between builds, keyed by everything a page
    depends on. An index file lists the key of every stored page, so that finding out which pages
    are unchanged reads one file rather than one per page."""

    INDEX = "rendered-index.json"

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._memory: dict[str, tuple[str, dict[str, str]]] = {}
        self._index: dict[str, list[str]] = {}
        self._used: set[str] = set()
        self._dirty = False
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            try:
                index = json.loads((folder / self.INDEX).read_text(encoding="utf-8"))
                if isinstance(index, dict):
                    self._index = index
            except (OSError, ValueError):
                self._index = {}

    def _file(self, cid: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{cid}.json"

    def get(self, cid: str, key: str, render: Callable[[], "GeneratedPage"] | None = None
            ) -> "GeneratedPage | StoredPage | None":
        """The stored page for `cid` if it was stored under `key`. With a folder, its body is read
        lazily; should the file have gone in between, `render` makes the page again."""
        self._used.add(cid)
        if self.folder is None:
            entry = self._memory.get(cid)
            if entry is None or entry[0] != key:
                return None
            return GeneratedPage(**entry[1], content_key=key)
        listed = self._index.get(cid)
        if not listed or listed[0] != key:
            return None

        def load() -> dict[str, str]:
            try:
                data = json.loads(self._file(cid).read_text(encoding="utf-8"))
                if data.pop("key") == key:
                    return data
            except (OSError, ValueError, KeyError):
                pass
            if render is None:
                raise RuntimeError(f"cached page {cid} is missing from {self.folder}")
            page = render()
            self.put(cid, key, page)
            return page.as_dict()

        page = StoredPage(listed[1], listed[2], key, load)
        if len(listed) > 3:
            page.title = listed[3]
        return page

    def pending(self, cid: str, key: str, src_uri: str, kind: str, title: str,
                ready: Callable[[], None]) -> "StoredPage":
        """A page being rendered elsewhere into the folder; reading its body first calls `ready`."""
        assert self.folder is not None

        def load() -> dict[str, str]:
            ready()
            data = json.loads(self._file(cid).read_text(encoding="utf-8"))
            if data.pop("key") != key:
                raise RuntimeError(f"cached page {cid} was overwritten during the build")
            return data

        page = StoredPage(src_uri, kind, key, load)
        page.title = title
        return page

    def put(self, cid: str, key: str, page: "GeneratedPage") -> None:
        page.content_key = key
        self._used.add(cid)
        data = page.as_dict()
        if self.folder is None:
            self._memory[cid] = (key, data)
            return
        write_json(self._file(cid), {"key": key, **data})
        self.record(cid, key, page.src_uri, page.kind, page.title)

    def record(self, cid: str, key: str, src_uri: str, kind: str, title: str) -> None:
        """Note in the index a page that was written to the folder (by this process or a worker)."""
        self._used.add(cid)
        if self._index.get(cid) != [key, src_uri, kind, title]:
            self._index[cid] = [key, src_uri, kind, title]
            self._dirty = True

    def save(self) -> None:
        """Write the index, dropping the pages this build did not ask for (deleted claims, old pages)."""
        if self.folder is None:
            return
        for cid in [c for c in self._index if c not in self._used]:
            del self._index[cid]
            self._file(cid).unlink(missing_ok=True)
            self._dirty = True
        if self._dirty:
            write_json(self.folder / self.INDEX, self._index)
            self._dirty = False


def write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


class Renderer:
    """Renders every generated page of a publication. Holds no MkDocs objects."""

    def __init__(self, corpus: Corpus, site: SiteInfo, cache: ClaimCache | None = None):
        self.corpus = corpus
        self.site = site
        self.cache = cache or ClaimCache(None)
        self.env = environment()
        self.background: BackgroundRender | None = None
        self._list_entries: dict[tuple[str, str, bool], Markup] = {}
        self.background_ok = False
        """Whether claim pages may be left rendering in the background (the caller will `finish`)."""

    @cached_property
    def fingerprint(self) -> str:
        return templates_fingerprint()

    @cached_property
    def scale_bounds(self) -> tuple[int, int]:
        values = [v.value for v in self.corpus.verdicts.values()] or [1]
        return min(values), max(values)

    # links -----------------------------------------------------------------
    def href(self, here: str, target_src: str) -> str:
        return urls.relative(self.site.page_url(here), self.site.page_url(target_src))

    def asset(self, here: str, path: str) -> str:
        return urls.relative(self.site.page_url(here), path)

    def _linker(self, here: str) -> Callable[[str], str]:
        return lambda target: self.href(here, target)

    # views -----------------------------------------------------------------
    def source_view(self, statement: Statement) -> SourceView:
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
    @cached_property
    def entity_keys(self) -> dict[str, dict[str, str]]:
        """A digest of every speaker, topic, verdict level and archived source, computed once per build."""
        return {name: {k: _hash(v.model_dump(mode="json")) for k, v in table.items()}
                for name, table in (("speakers", self.corpus.speakers), ("topics", self.corpus.topics),
                                    ("verdicts", self.corpus.verdicts), ("seeds", self.corpus.seeds))}

    @cached_property
    def scale_key(self) -> str:
        return _hash([v.model_dump(mode="json") for v in self.corpus.verdict_order()])

    def claim_key(self, cid: str) -> str:
        key = self._claim_keys.get(cid)
        if key is None:
            key = self._claim_keys[cid] = self._compute_claim_key(cid)
        return key

    @cached_property
    def _claim_keys(self) -> dict[str, str]:
        return {}

    def _compute_claim_key(self, cid: str) -> str:
        claim = self.corpus.claims[cid]
        statements = [claim.statement, *claim.counter_statements]
        seeds = sorted({s.source for s in statements if isinstance(s.source, str)})
        speakers = sorted({s.speaker for s in statements})
        keys = self.entity_keys
        digest = self.corpus.claim_digests.get(cid) or _hash(claim.model_dump(mode="json"))
        # Every part is an id or a hex digest, so joining them is unambiguous (and cheaper than JSON).
        return hashlib.sha256("\x1f".join([
            self.context_key, cid, digest, ",".join(keys["speakers"][s] for s in speakers),
            ",".join(keys["topics"][t] for t in claim.topics), keys["verdicts"][claim.verdict.rating],
            ",".join(keys["seeds"][s] for s in seeds)]).encode()).hexdigest()

    @cached_property
    def context_key(self) -> str:
        return _hash(self.fingerprint, self.site.__dict__, self.scale_bounds)

    @cached_property
    def _item_keys(self) -> dict[str, str]:
        return {}

    def item_key(self, cid: str) -> str:
        """What a claim contributes to a list on an index page (title, date, verdict, speaker)."""
        keys = self._item_keys
        if cid not in keys:
            claim = self.corpus.claims[cid]
            text = "\x1f".join([cid, claim.published.isoformat(), claim.verdict.rating,
                                 self.entity_keys["speakers"][claim.statement.speaker], claim.claim])
            keys[cid] = hashlib.sha256(text.encode()).hexdigest()
        return keys[cid]

    def list_key(self, *parts: Any, ids: Iterable[str] = ()) -> str:
        """Key of an index page: its own inputs, the verdict scale, and the list entries it shows."""
        item_key = self.item_key
        # The entries' keys are hex digests: joining them is unambiguous and cheaper than JSON.
        return hashlib.sha256("\x1f".join([self.scale_key, _hash(parts), *map(item_key, ids)]).encode()).hexdigest()

    def claim_page(self, cid: str) -> GeneratedPage | StoredPage:
        key = self.claim_key(cid)
        cached = self.cache.get(cid, key, lambda: self._render_claim(cid))
        if cached is not None:
            return cached
        page = self._render_claim(cid)
        self.cache.put(cid, key, page)
        return page

    def _render_claim(self, cid: str) -> GeneratedPage:
        claim = self.corpus.claims[cid]
        here = urls.claim_src(cid)
        verdict = self.corpus.verdicts[claim.verdict.rating]
        said = self.statement_view(here, claim.statement, "said")
        others = [self.statement_view(here, s, f"other-{i + 1}") for i, s in enumerate(claim.counter_statements)]
        sources = _unique_sources([said, *others])
        html = self.env.get_template("claim.html").render(
            claim=claim, cid=cid, verdict=verdict, said=said, others=others, sources=sources,
            topics=[(self.corpus.topics[t], self.href(here, urls.topic_src(t))) for t in claim.topics],
            methodology_href=self.href(here, urls.METHODOLOGY) + "#the-verdict-scale",
            corrections_policy_href=self.href(here, "corrections-policy.md"),
            verdict_href=self.href(here, urls.verdict_src(verdict.id)), scale=self.scale_bounds,
            source_href=lambda sid: self.href(here, urls.source_src(sid)))
        data = claim_review(cid, claim, self.corpus, self.site, self.scale_bounds)
        description = f"{verdict.label}: {claim.verdict.summary}"
        return GeneratedPage(here, claim.claim, _shorten(description), html, "claim", str(script_json(data)))

    # index pages --------------------------------------------------------------
    def _page(self, src: str, template: str, title: str, description: str, kind: str, *,
              key: str | None = None, **context: Any) -> GeneratedPage:
        """Render an index page; with a `key`, reuse the cached page when the key is unchanged.
        Context values given as `lazy(...)` are computed only when the page is rendered."""
        cache_id = "_" + hashlib.sha256(src.encode()).hexdigest()[:24]
        def render() -> GeneratedPage:
            values = {k: v.value() if isinstance(v, lazy) else v for k, v in context.items()}
            html = self.env.get_template(template).render(title=title, description=description,
                                                          link=self._linker(src), **values)
            return GeneratedPage(src, title, _shorten(description), html, kind)

        if key is not None:
            key = _hash(self.fingerprint, self.site.__dict__, src, template, title, description, kind, key)
            cached = self.cache.get(cache_id, key, render)
            if cached is not None:
                return cached  # type: ignore[return-value]
        page = render()
        if key is not None:
            self.cache.put(cache_id, key, page)
            stored = self.cache.get(cache_id, key, render)
            if stored is not None:  # read back when written: the body need not stay in memory till then
                return stored  # type: ignore[return-value]
        else:
            page.content_key = _hash(page.as_dict())
        return page

    def topic_pages(self) -> list[GeneratedPage]:
        by_topic = self.corpus.claims_by_topic()
        pages = []
        for tid, topic in sorted(self.corpus.topics.items()):
            src = urls.topic_src(tid)
            ids = by_topic.get(tid, [])
            pages.append(self._page(src, "topic.html", topic.name, topic.description or f"Fact-checks on {topic.name}",
                                    "topic", key=self.list_key(self.entity_keys["topics"][tid], ids=ids), topic=topic,
                                    items=lazy(self.claim_items, src, ids),
                                    feed_href=self.asset(src, f"feeds/topics/{tid}.xml")))
        src = urls.TOPICS_INDEX
        rows = [(topic, self.href(src, urls.topic_src(tid)), len(by_topic.get(tid, [])))
                for tid, topic in sorted(self.corpus.topics.items(), key=lambda kv: kv[1].name.casefold())]
        pages.append(self._page(src, "topics_index.html", "Topics", "Every topic we have fact-checked.",
                                "topics-index", rows=rows))
        return pages

    def speaker_pages(self) -> list[GeneratedPage]:
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
                                    key=self.list_key(self.entity_keys["speakers"][sid], ids, ids=[*ids, *responses]),
                                    speaker=speaker, items=lazy(self.claim_items, src, ids), tally=rows,
                                    responses=lazy(self.claim_items, src, responses)))
        src = urls.SPEAKERS_INDEX
        rows = [(speaker, self.href(src, urls.speaker_src(sid)), len(by_speaker.get(sid, [])),
                 len(appearances.get(sid, [])))
                for sid, speaker in sorted(self.corpus.speakers.items(), key=lambda kv: kv[1].name.casefold())]
        pages.append(self._page(src, "speakers_index.html", "Speakers",
                                "Everyone whose statements we have checked or quoted.", "speakers-index", rows=rows))
        return pages

    def verdict_pages(self) -> list[GeneratedPage]:
        by_verdict = self.corpus.claims_by_verdict()
        pages = []
        for verdict in self.corpus.verdict_order():
            src = urls.verdict_src(verdict.id)
            ids = by_verdict.get(verdict.id, [])
            pages.append(self._page(src, "verdict.html", f"Rated {verdict.label}", verdict.description, "verdict",
                                    key=self.list_key(verdict.id, ids=ids), verdict=verdict,
                                    items=lazy(self.claim_items, src, ids),
                                    methodology_href=self.href(src, urls.METHODOLOGY) + "#the-verdict-scale"))
        src = urls.VERDICTS_INDEX
        rows = [(v, self.href(src, urls.verdict_src(v.id)), len(by_verdict.get(v.id, [])))
                for v in self.corpus.verdict_order()]
        pages.append(self._page(src, "verdicts_index.html", "Fact-checks by verdict",
                                "Every fact-check, grouped by the verdict we reached.", "verdicts-index", rows=rows,
                                methodology_href=self.href(src, urls.METHODOLOGY) + "#the-verdict-scale"))
        return pages

    def source_pages(self) -> list[GeneratedPage]:
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
                                    "source", key=self.list_key(self.entity_keys["seeds"][sid], ids=ids), seed=seed,
                                    items=lazy(self.claim_items, here, ids), index_href=self.href(here, src)))
        external: dict[str, tuple[ExternalSource, list[str]]] = {}
        for cid, claim in self.corpus.claims.items():
            for statement in (claim.statement, *claim.counter_statements):
                if isinstance(statement.source, ExternalSource):
                    entry = external.setdefault(statement.source.url, (statement.source, []))
                    if cid not in entry[1]:
                        entry[1].append(cid)
        listed = [cid for _, ids in external.values() for cid in ids]
        key = self.list_key([(sid, self.entity_keys["seeds"][sid], len(by_seed.get(sid, []))) for sid, _ in ordered],
                            [(url, s.model_dump(mode="json"), ids) for url, (s, ids) in sorted(external.items())],
                            ids=listed)
        pages.append(self._page(src, "sources.html", "Sources",
                                "Every article our fact-checks cite, with the claims that cite it.", "sources", key=key,
                                seeds=[(sid, seed, len(by_seed.get(sid, [])), self.href(src, urls.source_src(sid)))
                                       for sid, seed in ordered],
                                external=lazy(lambda: [(s, self.claim_items(src, ids))
                                                       for _, (s, ids) in sorted(external.items())])))
        return pages

    def corrections_page(self) -> GeneratedPage:
        src = urls.CORRECTIONS_LOG
        entries = sorted(((c.date, cid, c) for cid, claim in self.corpus.claims.items() for c in claim.corrections),
                         key=lambda e: (-e[0].toordinal(), e[1]))
        key = self.list_key([(cid, correction.model_dump(mode="json")) for _, cid, correction in entries],
                            ids=[cid for _, cid, _ in entries])
        return self._page(src, "corrections.html", "Corrections log",
                          "Every correction we have made to a published fact-check, newest first.", "corrections",
                          key=key, rows=lazy(lambda: [(correction, self.claim_item(src, cid))
                                                      for _, cid, correction in entries]),
                          policy_href=self.href(src, "corrections-policy.md"))

    def index_pages(self) -> list[GeneratedPage]:
        return [*self.topic_pages(), *self.speaker_pages(), *self.verdict_pages(), *self.source_pages(),
                self.corrections_page()]

    def claim_pages(self) -> list[GeneratedPage | StoredPage]:
        """Every claim page: from the cache where nothing changed, otherwise rendered, on every core
        when many need rendering and the platform can fork."""
        ids = sorted(self.corpus.claims)
        keys = {cid: self.claim_key(cid) for cid in ids}
        pages: dict[str, GeneratedPage | StoredPage | None] = {
            cid: self.cache.get(cid, keys[cid], lambda cid=cid: self._render_claim(cid)) for cid in ids}
        missing = [(cid, keys[cid]) for cid, page in pages.items() if page is None]
        workers = min(os.cpu_count() or 1, 8)
        forking = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
        if len(missing) >= PARALLEL_RENDER and forking and self.cache.folder is not None and self.background_ok:
            self.background = BackgroundRender(self, missing, max(1, workers - 1))
            for cid, key in missing:
                pages[cid] = self.cache.pending(cid, key, urls.claim_src(cid), "claim", self.corpus.claims[cid].claim,
                                                lambda cid=cid: self.background.wait_for(cid))  # type: ignore[union-attr]
            return [pages[cid] for cid in ids]  # type: ignore[misc]
        if len(missing) >= PARALLEL_RENDER and forking:
            global _RENDERER
            _RENDERER = self
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    chunks = [missing[i::workers * 4] for i in range(workers * 4)]
                    rendered = [page for chunk in pool.imap(_render_chunk, chunks) for page in chunk]
            finally:
                _RENDERER = None
        else:
            rendered = [self._render_claim(cid) for cid, _ in missing]
        for done in rendered:
            if isinstance(done, tuple):
                cid, key, title = done
                self.cache.record(cid, key, urls.claim_src(cid), "claim", title)
                pages[cid] = self.cache.get(cid, key, lambda cid=cid: self._render_claim(cid))
                continue
            cid = done.src_uri[len("claims/"):-len(".md")]
            pages[cid] = done
            self.cache.put(cid, keys[cid], done)
        return [pages[cid] for cid in ids]  # type: ignore[misc]

    def all_pages(self) -> list[GeneratedPage | StoredPage]:
        """Every generated page. Claim pages may still be rendering in the background (see
        `BackgroundRender`) when this returns; `finish` waits for them and saves the cache index."""
        pages = [*self.claim_pages(), *self.index_pages()]
        self._list_entries.clear()
        if self.background is None:
            self.cache.save()
        return pages

    def finish(self) -> None:
        if self.background is not None:
            self.background.finish()
            self.background = None
        self.cache.save()

    def abort(self) -> None:
        if self.background is not None:
            self.background.abort()
            self.background = None

    # fragments for hand-written pages -------------------------------------------
    def latest(self, here: str, count: int = 10) -> str:
        items = [self.claim_item(here, cid) for cid, _ in self.corpus.sorted_claims()[:count]]
        return self.env.get_template("latest.html").render(items=items, link=self._linker(here))

    def verdict_table(self, here: str) -> str:
        low, high = self.scale_bounds
        return self.env.get_template("verdict_table.html").render(
            verdicts=self.corpus.verdict_order(), low=low, high=high, link=self._linker(here))

    def fragments(self, here: str) -> dict[str, Callable[[], str]]:
        from .docs import claim_format_reference
        return {"latest": lambda: self.latest(here), "verdict-table": lambda: self.verdict_table(here),
                "claim-format": lambda: claim_format_reference(self.env)}

    def verdict_css(self) -> str:
        return self.env.get_template("verdicts.css").render(verdicts=self.corpus.verdict_order())


class lazy:  # noqa: N801
    """A template value computed only if the page is rendered rather than served from the cache."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self.function, self.args = function, args

    def value(self) -> Any:
        return self.function(*self.args)


def _unique_sources(views: list[StatementView]) -> list[SourceView]:
    seen: dict[tuple, SourceView] = {}
    for view in views:
        key = (view.source.seed_id, view.source.url, view.source.title)
        seen.setdefault(key, view.source)
    return list(seen.values())


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def head_html(page: GeneratedPage | None, *, site: SiteInfo, title: str, description: str, canonical: str,
              kind: str = "website", image: str = "") -> Markup:
    """Open Graph, Twitter and structured-data tags for any page."""
    return Markup(environment().get_template("head.html").render(
        site=site, title=title, description=description, canonical=canonical, kind=kind, image=image,
        jsonld=Markup(page.jsonld) if page is not None and page.jsonld else ""))
