"""Rendered page bodies kept between builds, and claim pages rendered on other cores.

The renderer (`render.Renderer`) says how each page looks; this module decides whether a page
must be rendered at all. A page's key (`PageKeys`) covers everything it shows: its own data, the
data of every speaker, topic, verdict level and source it mentions, the verdict scale, the site
settings, and the code and libraries (`keys.BuildKeys.content`). A page whose key is stored is read
back rather than rendered; the rest are rendered, on worker processes when there are many.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from . import keys, urls, workers
from .output.fs import atomic_write
from .render import GeneratedPage, SiteInfo

if TYPE_CHECKING:
    from .corpus import Corpus
    from .render import Renderer

PARALLEL_RENDER = 300
_TITLE = 3  # position of the title in an index entry: [key, src_uri, kind, title]


def read_page(file: Path) -> dict[str, str]:
    """A stored page: its `key` and fields, as `ClaimCache.put` wrote them. A pickle rather than
    JSON: a claim page's fields are 20 KB of HTML full of quotation marks, which JSON escapes one
    by one (a tenth of the claim renderer's time went to encoding them, and reading them back took
    38 µs a page of the build's page loop). The folder is the build's own, as the check cache is.
    Raises OSError or ValueError if the file is missing, torn or not a stored page."""
    with open(file, "rb") as handle:
        try:
            data = pickle.load(handle)
        except Exception as exc:  # torn or foreign: never trusted
            raise ValueError(f"{file}: not a stored page ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise ValueError(f"{file}: not a stored page")
    return data


class PageKeys:
    """The key of every generated page of one build, from the corpus and `keys.BuildKeys`."""

    def __init__(self, corpus: Corpus, site: SiteInfo, build_keys: keys.BuildKeys):
        self.corpus = corpus
        self.site = site
        self.build_keys = build_keys
        self._claim_keys: dict[str, str] = {}
        self._item_keys: dict[str, str] = {}

    @cached_property
    def scale_bounds(self) -> tuple[int, int]:
        values = [v.value for v in self.corpus.verdicts.values()] or [1]
        return min(values), max(values)

    @cached_property
    def context(self) -> str:
        """What every page shares: code, libraries, site settings and the ends of the verdict scale."""
        return self.build_keys.for_content("page", keys.value_digest([self.site.__dict__, self.scale_bounds]))

    @cached_property
    def entities(self) -> dict[str, dict[str, str]]:
        """A digest of every speaker, topic, verdict level and archived source, computed once per build."""
        return {name: {k: keys.value_digest(v.model_dump(mode="json")) for k, v in table.items()}
                for name, table in (("speakers", self.corpus.speakers), ("topics", self.corpus.topics),
                                    ("verdicts", self.corpus.verdicts), ("seeds", self.corpus.seeds))}

    @cached_property
    def scale(self) -> str:
        return keys.value_digest([v.model_dump(mode="json") for v in self.corpus.verdict_order()])

    def claim(self, cid: str) -> str:
        """Everything a claim page shows: the claim and every entity it refers to. The references
        are found in the claim's data (every `speaker`, `source` and topic, wherever they appear),
        so a new field that cites a source is covered without a change here."""
        key = self._claim_keys.get(cid)
        if key is None:
            claim = self.corpus.claims[cid]
            speakers, seeds = _referenced(claim, set(), set())
            found = self.entities
            own = self.corpus.claim_digests.get(cid) or keys.value_digest(claim.model_dump(mode="json"))
            key = self._claim_keys[cid] = keys.digest(
                self.context, cid, own, *(found["speakers"].get(s, s) for s in sorted(speakers)),
                "topics", *(found["topics"].get(t, t) for t in claim.topics),
                found["verdicts"][claim.verdict.rating], "seeds", *(found["seeds"].get(s, s) for s in sorted(seeds)))
        return key

    def item(self, cid: str) -> str:
        """What a claim contributes to a list on an index page: the whole claim (a list entry may
        show any of its fields), its speaker and its verdict level."""
        key = self._item_keys.get(cid)
        if key is None:
            claim = self.corpus.claims[cid]
            own = self.corpus.claim_digests.get(cid) or keys.value_digest(claim.model_dump(mode="json"))
            key = self._item_keys[cid] = keys.digest(cid, own, self.entities["speakers"][claim.statement.speaker],
                                                     self.entities["verdicts"][claim.verdict.rating])
        return key

    def listing(self, *parts: Any, ids: Iterable[str] = ()) -> str:
        """Key of an index page: its own inputs, the verdict scale, and the list entries it shows."""
        return keys.digest(self.scale, keys.value_digest(parts), *map(self.item, ids))

    def page(self, *parts: Any) -> str:
        return keys.digest(self.context, keys.value_digest(parts))


def _referenced(value: Any, speakers: set[str], sources: set[str]) -> tuple[set[str], set[str]]:
    """Every string value of a field called `speaker` and of one called `source`, anywhere in a
    model, added to the two sets (walked field by field, once: several times cheaper than dumping it)."""
    if isinstance(value, BaseModel):
        for field_name, child in value.__dict__.items():
            if isinstance(child, str):
                if field_name == "speaker":
                    speakers.add(child)
                elif field_name == "source":
                    sources.add(child)
            elif isinstance(child, (BaseModel, list)):
                _referenced(child, speakers, sources)
    elif isinstance(value, list):
        for child in value:
            if isinstance(child, (BaseModel, list)):
                _referenced(child, speakers, sources)
    return speakers, sources


def _render_chunk(jobs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Render claim pages in a worker and store each in the cache folder; return (id, key, title)
    of each, so that page bodies never travel back to (or stay in) the parent."""
    renderer, cache = workers.state()
    done = []
    for cid, key in jobs:
        page = renderer.claim_page(cid)
        cache.put(cid, key, page)
        done.append((cid, key, page.title))
    return done


def _renders(renderer: Renderer, cid: str) -> Callable[[], GeneratedPage]:
    return lambda: renderer.claim_page(cid)


def _waits(running: BackgroundRender, cid: str) -> Callable[[], None]:
    return lambda: running.wait_for(cid)


def _render_plain(jobs: list[tuple[str, str]]) -> list[GeneratedPage]:
    renderer = workers.state()[0]
    return [renderer.claim_page(cid) for cid, _ in jobs]


class BackgroundRender:
    """Claim pages rendered by worker processes while the caller (MkDocs) gets on with its own work,
    handed over in the order they were queued, which is the order MkDocs writes pages in.

    The workers store each page in the cache folder; `wait_for` blocks only if MkDocs gets ahead
    of them. On a 2-core machine this puts claim rendering on the core MkDocs leaves idle."""

    CHUNK = 25

    def __init__(self, renderer: Renderer, cache: ClaimCache, jobs: list[tuple[str, str]], count: int):
        self.renderer = renderer
        self.cache = cache
        self.done: set[str] = set()
        self.pool = workers.fork_pool(count, (renderer, cache))
        chunks = [jobs[i:i + self.CHUNK] for i in range(0, len(jobs), self.CHUNK)]
        self.unfinished = len(chunks)
        """Chunks the workers have not finished (counted down by the pool's result thread)."""
        self.results = [self.pool.apply_async(_render_chunk, (chunk,), callback=self._finished) for chunk in chunks]
        self.taken = 0
        self.pool.close()  # each worker exits once the queue is empty, rather than idling till `finish`

    def _finished(self, _batch: object) -> None:
        self.unfinished -= 1

    def working(self) -> bool:
        """Whether the workers are still rendering (and holding their memory)."""
        return self.unfinished > 0

    def _take_next(self) -> bool:
        if self.taken == len(self.results):
            return False
        for done_cid, key, title in self.results[self.taken].get():
            self.cache.record(done_cid, key, urls.claim_src(done_cid), "claim", title)
            self.done.add(done_cid)
        self.taken += 1
        return True

    def wait_for(self, cid: str) -> None:
        while cid not in self.done:
            if not self._take_next():
                raise RuntimeError(f"claim page {cid} was never rendered")

    def finish(self) -> None:
        while self._take_next():
            pass
        self.pool.join()

    def abort(self) -> None:
        self.pool.terminate()
        self.pool.join()



class StoredPage:
    """A page from the cache whose body is read from disk only when something asks for it, and can be
    released again once written: a rebuild that reuses a page never reads it, and a build holds
    the body of one page at a time rather than of every page."""

    FIELDS = ("title", "description", "html", "jsonld", "image")
    title: str
    description: str
    html: str
    jsonld: str
    image: str

    def __init__(self, src_uri: str, kind: str, content_key: str, load: Callable[[], dict[str, str]],
                 *, rendering: bool = False, file: Path | None = None):
        self.src_uri, self.kind, self.content_key = src_uri, kind, content_key
        self._load = load
        self.rendering = rendering
        """Being rendered by a worker: reading the body may wait for it."""
        self.file = file
        """The cache file holding it (`read_page`: its `key` and fields), when it is there already."""

    def __getattr__(self, name: str) -> str:
        if name not in StoredPage.FIELDS:
            raise AttributeError(name)
        data = self._load()
        for field_name in StoredPage.FIELDS:
            self.__dict__.setdefault(field_name, data.get(field_name, ""))
        return str(self.__dict__[name])

    def release(self) -> None:
        """Forget the body (it is read again if asked for); the title stays."""
        for field_name in StoredPage.FIELDS[1:]:
            self.__dict__.pop(field_name, None)


class ClaimCache:
    """Rendered pages (claims and index pages) kept between builds, keyed by everything a page
    depends on. An index file lists the key of every stored page, so that finding out which pages
    are unchanged reads one file rather than one per page."""

    INDEX = "stored-pages.json"
    SUFFIX = ".pickle"
    LEGACY_INDEX = "rendered-index.json"
    """The index of earlier versions, which stored pages as JSON beside it: where it is found, the
    first save deletes those pages and it."""

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
        return self.folder / f"{cid}{self.SUFFIX}"

    def get(self, cid: str, key: str, render: Callable[[], GeneratedPage] | None = None
            ) -> GeneratedPage | StoredPage | None:
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
                data = read_page(self._file(cid))
                if data.pop("key") == key:
                    return data
            except (OSError, ValueError):
                pass
            if render is None:
                raise RuntimeError(f"cached page {cid} is missing from {self.folder}")
            page = render()
            self.put(cid, key, page)
            return page.as_dict()

        page = StoredPage(listed[1], listed[2], key, load, file=self._file(cid))
        if len(listed) > _TITLE:
            page.title = listed[_TITLE]
        return page

    def pending(self, cid: str, key: str, *, src_uri: str, kind: str, title: str,
                ready: Callable[[], None]) -> StoredPage:
        """A page being rendered elsewhere into the folder; reading its body first calls `ready`."""
        assert self.folder is not None

        def load() -> dict[str, str]:
            ready()
            data = read_page(self._file(cid))
            if data.pop("key") != key:
                raise RuntimeError(f"cached page {cid} was overwritten during the build")
            return data

        page = StoredPage(src_uri, kind, key, load, rendering=True)
        page.title = title
        return page

    def put(self, cid: str, key: str, page: GeneratedPage) -> None:
        page.content_key = key
        self._used.add(cid)
        data = page.as_dict()
        if self.folder is None:
            self._memory[cid] = (key, data)
            return
        atomic_write(self._file(cid), pickle.dumps({"key": key, **data}, protocol=pickle.HIGHEST_PROTOCOL))
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
            atomic_write(self.folder / self.INDEX, json.dumps(self._index, ensure_ascii=False).encode())
            self._dirty = False
            if (self.folder / self.LEGACY_INDEX).exists():
                for old in self.folder.glob("*.json"):
                    if old.name != self.INDEX:
                        old.unlink(missing_ok=True)




class PageCache:
    """Pages of one build: from the `ClaimCache` where their key is stored, rendered otherwise."""

    def __init__(self, folder: Path | None, corpus: Corpus, site: SiteInfo, build_keys: keys.BuildKeys | None = None):
        self.store = ClaimCache(folder)
        self.keys = PageKeys(corpus, site, build_keys or keys.BuildKeys.derive())
        self.background: BackgroundRender | None = None

    def page(self, src: str, key_parts: tuple[Any, ...], render: Callable[[], GeneratedPage]
             ) -> GeneratedPage | StoredPage:
        """An index page: stored under a key made of `key_parts`, or rendered and stored."""
        cache_id = "_" + keys.digest(src)[:24]
        key = self.keys.page(src, *key_parts)
        cached = self.store.get(cache_id, key, render)
        if cached is not None:
            return cached
        self.store.put(cache_id, key, render())
        stored = self.store.get(cache_id, key, render)  # read back when written: no body held till then
        assert stored is not None
        return stored

    def claim_pages(self, renderer: Renderer, ids: list[str], *, background: bool) -> list[GeneratedPage | StoredPage]:
        """Every claim page: from the cache where nothing changed, otherwise rendered, on every core
        when many need rendering and the platform can fork. With `background`, pages may still be
        rendering when this returns (reading a body waits for it; `finish` waits for all)."""
        keys_of = {cid: self.keys.claim(cid) for cid in ids}
        store = self.store
        pages: dict[str, GeneratedPage | StoredPage | None] = {
            cid: store.get(cid, keys_of[cid], _renders(renderer, cid)) for cid in ids}
        missing = [(cid, keys_of[cid]) for cid, page in pages.items() if page is None]
        many = len(missing) >= PARALLEL_RENDER and workers.can_fork()
        if many and store.folder is not None and background:
            self.background = running = BackgroundRender(renderer, store, missing, max(1, workers.cores() - 1))
            for cid, key in missing:
                pages[cid] = store.pending(cid, key, src_uri=urls.claim_src(cid), kind="claim",
                                           title=renderer.corpus.claims[cid].claim, ready=_waits(running, cid))
        elif many and store.folder is not None:
            with workers.fork_pool(workers.cores(), (renderer, store)) as pool:
                for batch in pool.imap(_render_chunk, workers.chunks(missing, workers.cores() * 4)):
                    for cid, key, title in batch:
                        store.record(cid, key, urls.claim_src(cid), "claim", title)
                        pages[cid] = store.get(cid, key, _renders(renderer, cid))
        else:
            for done in workers.run_here((renderer, store), _render_plain, missing):
                cid = done.src_uri[len("claims/"):-len(".md")]
                store.put(cid, keys_of[cid], done)
                pages[cid] = done
        return [page for page in pages.values() if page is not None]

    def finish(self) -> None:
        if self.background is not None:
            self.background.finish()
            self.background = None
        self.store.save()

    def abort(self) -> None:
        if self.background is not None:
            self.background.abort()
            self.background = None
