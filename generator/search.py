"""Full-text search with Pagefind, indexed in bundles.

Every claim belongs to one bundle, chosen by a hash of its id; each bundle is a Pagefind index of
its own (`pagefind/<n>/` in the site), listed in `pagefind/bundles.json`, and the search page
merges them in the reader's browser (Pagefind's `mergeIndex`). Pagefind cannot update an index,
and its time and memory grow with the pages it indexes at once, so:

- a rebuild indexes again only the bundles that hold a changed claim page, and
- the size of a bundle bounds the indexer's memory, however many claims are published.

Pagefind reads each claim's page body (the `data-pagefind-body` part, as the page shows it), not
the whole page with the theme's navigation around it. Its filter files list values in hash-map
order, which changes from run to run; `canonical` sorts them, so the same claims always give the
same bytes.
"""

from __future__ import annotations

import concurrent.futures
import gzip
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cbor2

from . import keys, tuning
from .output.fs import atomic_write
from .pagecache import read_page

FOLDER = "pagefind"
"""Where the search index goes in the site."""
BUNDLE_CLAIMS = 1250
"""Claims per bundle, at most on average: Pagefind needs ~0.17 MB and ~1 ms per claim page here, so a
bundle stays near 200 MB and a second of indexing. More bundles cost the first search more."""
PUBLISHED = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "index/", "fragment/", "filter/")
"""What the search page needs of Pagefind's output (with the `.pf_meta` and `wasm.*` files); its
ready-made interfaces are not used."""
_HEADER = b"pagefind_dcd"
ALLOCATOR_SETTING = "_RJEM_MALLOC_CONF"
_META_FILTERS = 3
"""In a `.pf_meta` file (a CBOR list): the position of the filters' [name, file] pairs."""


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def bundle_count(claims: int) -> int:
    """How many bundles for this many claims: a power of two, so that growth re-splits rarely."""
    count = 1
    while count * BUNDLE_CLAIMS < claims:
        count *= 2
    return count


def bundle_of(cid: str, count: int) -> int:
    return int(hashlib.sha256(cid.encode()).hexdigest()[:8], 16) % count


@dataclass
class Bundle:
    number: int
    key: str
    pages: dict[str, str]
    """Output path -> key of the claim pages it indexes."""
    count: int
    """How many bundles the publication has."""
    files: dict[str, str] | None = None
    """Its published files (path in the site -> key of their content), when a build kept them."""

    @property
    def folder(self) -> str:
        return f"{FOLDER}/{self.number}/"

    @property
    def input_name(self) -> str:
        """Its Pagefind input in the cache (`search-input/<name>/`, listed in `<name>.json`)."""
        return f"{self.number}-of-{self.count}"


class SearchIndex:
    """The search bundles of one build: which an earlier build left, and indexing the others.

    The build hands over each page body as it has it (`add`), which goes into the bundle's Pagefind
    input folder; Pagefind runs on a bundle, in a process of its own started from a thread, as soon
    as the folder holds all of its pages, while MkDocs goes on writing the next bundle's pages
    (`order` sorts claims so)."""

    def __init__(self, pages: Mapping[str, tuple[str, str]], *, language: str, listings: Path | None,
                 stored: Callable[[str], bool]):
        """`pages`: claim id -> (output path, key) of every claim page; `listings`: where the file list
        of each bundle is kept between builds (None: no cache); `stored`: whether the store holds a key."""
        self.language = language
        self.listings = listings
        self.inputs = listings.with_name("search-input") if listings is not None else None
        """Where each bundle's Pagefind input is kept between builds (see `_input`)."""
        count = bundle_count(len(pages))
        members: list[list[tuple[str, str]]] = [[] for _ in range(count)]
        for cid, (path, key) in sorted(pages.items()):
            members[bundle_of(cid, count)].append((path, key))
        self.bundles = [Bundle(n, keys.digest("search", language, str(count), str(n), *(f"{p}\0{k}" for p, k in paths)),
                               dict(paths), count) for n, paths in enumerate(members) if paths]
        """Bundles with at least one page (Pagefind refuses an empty one); none without claims."""
        for bundle in self.bundles:
            listed = self._listed(bundle.key)
            if listed is not None and all(stored(key) for key in listed.values()):
                bundle.files = listed
        self.stale = [b for b in self.bundles if b.files is None]
        """The bundles this build indexes (again)."""
        self.wanted = {path for b in self.stale for path in b.pages}
        """Claim pages whose body the indexer needs (see `add`)."""
        self._indexer: _Indexer | None = None
        self.holding = False
        """Pagefind waits for `release` before it runs."""
        self.site: Path | None = None

    def _listed(self, key: str) -> dict[str, str] | None:
        if self.listings is None:
            return None
        try:
            listed = json.loads((self.listings / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return listed if isinstance(listed, dict) else None

    def reused(self) -> dict[str, str]:
        """The files of the bundles an earlier build indexed (path in the site -> key)."""
        return {path: key for b in self.bundles if b.files is not None for path, key in b.files.items()}

    def start(self, site: Path, *, hold: bool = False) -> None:
        """Start indexing the stale bundles, for `site`. Pagefind writes each bundle into a hidden
        folder of the site (`.factcheck-search-<n>`), which nothing else touches, moved into
        `pagefind/` by `finish`: so indexing may start before the build has put the unchanged
        files back in the site, and nothing is written where they go until then. With `hold`,
        Pagefind runs only once `release` is called (or the build is done): Pagefind takes about
        180 MB a bundle, and the claim renderer's workers hold as much until they finish."""
        self.site = site
        self._drop_old_inputs()
        self.holding = False
        if not self.stale:
            return
        self._indexer = _Indexer(site, self.language, self.listings, self.inputs, self.stale, hold=hold)
        self.holding = hold

    def release(self) -> None:
        """Let Pagefind run (see `start`)."""
        if self.holding and self._indexer is not None:
            self.holding = False
            self._indexer.go()

    def _drop_old_inputs(self) -> None:
        """Pagefind inputs of bundles this build does not have (another number of bundles, or none)."""
        if self.inputs is None or not self.inputs.is_dir():
            return
        names = {b.input_name for b in self.bundles}
        for entry in self.inputs.iterdir():
            if entry.name.removesuffix(".json") in names:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def add(self, path: str, body: str, key: str | None = None) -> None:
        """The body of the claim page written at `path`; with `key`, `body` is instead the page-cache
        file that holds it under that key, read here. Only pages in `wanted` are taken, once each."""
        if self._indexer is not None and path in self.wanted:
            self.wanted.discard(path)
            self._indexer.add(path, body, key)

    def finish(self) -> dict[str, str]:
        """Wait for Pagefind, put the bundles it indexed and the list of all bundles in the site
        (which must hold the build's other files by now); return the files written there (path
        in the site -> key)."""
        assert self.site is not None, "finish before start"
        try:
            atomic_write(self.site / FOLDER / "bundles.json",
                         json.dumps({"bundles": [f"{b.number}/" for b in self.bundles]}).encode())
        except OSError as exc:
            raise SearchIndexError(f"could not write {FOLDER}/bundles.json: {exc}") from None
        indexer, self._indexer = self._indexer, None
        if indexer is None:
            return {}
        if self.wanted:
            indexer.stop()
            raise SearchIndexError(f"no body for {len(self.wanted)} page(s), e.g. {sorted(self.wanted)[0]}")
        return indexer.produced()

    def stop(self) -> None:
        """Stop indexing (the build failed)."""
        indexer, self._indexer = self._indexer, None
        if indexer is not None:
            indexer.stop()


def order(count: int) -> Callable[[str], tuple[int, str]]:
    """Sort key for claim ids: bundle by bundle, so that each bundle is complete early."""
    bundles = bundle_count(count)
    return lambda cid: (bundle_of(cid, bundles), cid)


# indexing -------------------------------------------------------------------------------------

ALLOCATOR_DECAY = "dirty_decay_ms:20,muzzy_decay_ms:0"
"""Pagefind's allocator (jemalloc) returns freed memory after 20 ms. By default it keeps it for ten
seconds, longer than a bundle takes: a bundle of 1,266 pages peaked at 215 MB. At once (0 ms) it
peaked at 184 MB, but took 1.8 s of CPU against 1.6 s: 180,000 page faults against 113,000, pages
given back and faulted in again moments later. After 20 ms: 177 MB, 1.6 s, 113,000 faults
(`_RJEM_MALLOC_CONF=... /usr/bin/time python -m pagefind --site BUNDLE-INPUT`; 50 ms: 180 MB,
100 ms: 190 MB)."""


@cache
def pagefind_command() -> list[str]:
    """How to run Pagefind: the binary `python -m pagefind` would pick, run itself rather than
    through that command, which starts an interpreter only to find the binary and run it in its
    place (40 ms of CPU a bundle). Looked up once a process."""
    found = pagefind_binary()
    return [str(found)] if found is not None else [sys.executable, "-m", "pagefind"]


def pagefind_binary() -> Path | None:
    """The binary `pagefind.service.get_executable` picks: `PAGEFIND_BINARY_PATH`, the extended
    build's package, the plain one's, one on the PATH. Looked up here in the same order (a test
    compares the two) because that module imports asyncio: 0.29 s of the interpreter lock, taken on
    the indexing thread while the build renders."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named is not None:
        return Path(named)
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        return Path(module.get_executable())
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found is not None else None


def pagefind_environment() -> dict[str, str]:
    """Pagefind's environment, with `ALLOCATOR_DECAY`, unless the caller set the allocator's."""
    environment = dict(os.environ)
    if tuning.on("pagefind-decay"):
        environment.setdefault(ALLOCATOR_SETTING, ALLOCATOR_DECAY)
    return environment


def _input(inputs: Path | None, temporary: Path, bundle: Bundle) -> tuple[Path, set[str]]:
    """The folder Pagefind reads a bundle from, and the pages it holds already as wanted. With a cache
    the folder is kept between builds, with a list of the key of each page in it; the list is removed
    while the folder changes, so a folder left half-changed is never trusted."""
    name, pages = bundle.input_name, bundle.pages
    if inputs is None:
        return temporary / name, set()
    source, listed = inputs / name, inputs / f"{name}.json"
    try:
        held = json.loads(listed.read_text(encoding="utf-8"))
        if not isinstance(held, dict):
            raise ValueError("not a listing")
    except (OSError, ValueError):
        held = {}
        shutil.rmtree(source, ignore_errors=True)
    listed.unlink(missing_ok=True)
    for path in set(held) - set(pages):
        (source / path).unlink(missing_ok=True)
    return source, {path for path, key in pages.items() if held.get(path) == key}


def _stored_body(file: Path, key: str) -> str:
    """The body a page-cache file holds (see `pagecache.ClaimCache`), if it is still under `key`."""
    try:
        data = read_page(file)
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"could not read the cached page {file}: {exc}; build again") from None
    if data.get("key") != key:
        raise SearchIndexError(f"the cached page {file} changed during the build; build again")
    return str(data["html"])


class _Indexer:
    """The stale bundles of one build: their input folders, filled page by page (`add`), and the
    Pagefind runs, one bundle at a time on a thread, each started once the bundle's input is
    complete, and not before the build lets Pagefind run (see `SearchIndex.start`)."""

    def __init__(self, site: Path, language: str, listings: Path | None, inputs: Path | None,
                 bundles: list[Bundle], *, hold: bool):
        self.site, self.language, self.listings, self.inputs = site, language, listings, inputs
        self.held = hold
        self.temporary: Path | None = None
        self.sources: dict[int, Path] = {}
        self.missing: dict[int, set[str]] = {}
        self.of_page: dict[str, Bundle] = {}
        self.waiting: list[Bundle] = []
        self.jobs: list[concurrent.futures.Future[dict[str, str]]] = []
        self.failed: SearchIndexError | None = None
        self.process: subprocess.Popen[str] | None = None
        self.stopped = False
        self.pagefind = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind")
        self.indexed = bundles
        """The bundles this build indexes, each written aside (`_aside`) until `produced`."""
        try:
            if inputs is None:
                self.temporary = Path(tempfile.mkdtemp(prefix="factcheck-search-"))
            for bundle in bundles:
                self.sources[bundle.number], held = _input(inputs, self.temporary or Path(), bundle)
                self.missing[bundle.number] = set(bundle.pages) - held
                self.of_page.update((page, bundle) for page in self.missing[bundle.number])
                if not self.missing[bundle.number]:
                    self._ready(bundle)
        except BaseException:  # a bundle may be indexing already: no one else could stop it
            self.stop()
            raise

    def add(self, path: str, body: str, key: str | None) -> None:
        bundle = self.of_page.pop(path, None)
        if bundle is None or self.failed is not None:
            return  # its folder holds it already, or indexing failed (`produced` says why)
        try:
            if key is not None:
                body = _stored_body(Path(body), key)
            target = self.sources[bundle.number] / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_document(body, self.language), encoding="utf-8")
        except (OSError, SearchIndexError) as exc:
            self.failed = exc if isinstance(exc, SearchIndexError) else SearchIndexError(
                f"could not write the search input of {path}: {exc}")
            return
        self.missing[bundle.number].discard(path)
        if not self.missing[bundle.number]:
            self._ready(bundle)

    def _ready(self, bundle: Bundle) -> None:
        self.waiting.append(bundle)
        self._start()

    def go(self) -> None:
        self.held = False
        self._start()

    def _start(self) -> None:
        if not self.held:
            self.jobs.extend(self.pagefind.submit(self._index, b) for b in self.waiting)
            self.waiting.clear()

    def _index(self, bundle: Bundle) -> dict[str, str]:
        """Run Pagefind on a bundle (on the thread), then make its output reproducible and list it."""
        if self.stopped:
            raise SearchIndexError("stopped")
        source, out = self.sources[bundle.number], self._aside(bundle)  # `Output.clear` left the site empty
        with subprocess.Popen([*pagefind_command(), "--site", str(source), "--output-path", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=pagefind_environment()) as process:
            self._started(process)
            stdout, stderr = process.communicate()
        self.process = None
        if process.returncode != 0:
            raise SearchIndexError(f"pagefind failed ({process.returncode}) on bundle {bundle.number}:\n{stdout}\n"
                                   f"{stderr}")
        if self.inputs is None:
            shutil.rmtree(source, ignore_errors=True)
        else:  # the folder holds exactly these pages: the next build rewrites only those that change
            listed = json.dumps(bundle.pages, sort_keys=True).encode()
            atomic_write(self.inputs / f"{bundle.input_name}.json", listed)
        canonical(out)
        files = {f"{bundle.folder}{file}": content_key(out / file) for file in publish(out)}
        if self.listings is not None:
            atomic_write(self.listings / f"{bundle.key}.json", json.dumps(files, sort_keys=True).encode())
        return files

    def _place(self, bundle: Bundle) -> None:
        target = self.site / bundle.folder
        if os.path.lexists(target):  # the build removed the bundle's old files: someone else wrote there
            raise SearchIndexError(f"search bundle {bundle.number} goes to {bundle.folder} in the site, which is taken "
                                   "(written by another plugin or hook?); nothing else may write there")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._aside(bundle), target)
        except OSError as exc:
            raise SearchIndexError(f"could not put search bundle {bundle.number} in the site: {exc}") from None

    def _aside(self, bundle: Bundle) -> Path:
        """Where Pagefind writes a bundle until `produced` moves it into the site: a hidden folder
        in the site itself (so on the same file system), which nothing else in a build touches."""
        return self.site / f".factcheck-search-{bundle.number}"

    def _started(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        if self.stopped:  # `stop` came between the check in `_index` and the start
            process.kill()

    def produced(self) -> dict[str, str]:
        """Wait for every bundle; the files Pagefind wrote (path in the site -> key)."""
        try:
            if self.failed is not None:
                raise self.failed
            self.go()  # the build is done
            produced: dict[str, str] = {}
            for job in self.jobs:
                produced.update(job.result())
            for bundle in self.indexed:
                self._place(bundle)
            return produced
        except BaseException:
            self.stop()
            raise
        finally:
            self._close()

    def stop(self) -> None:
        self.stopped = True
        process = self.process
        if process is not None:
            process.kill()
        self._close()

    def _close(self) -> None:
        self.pagefind.shutdown(wait=True, cancel_futures=True)
        for bundle in self.indexed:  # none are left after `produced` moved them
            shutil.rmtree(self._aside(bundle), ignore_errors=True)
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None


def _document(body: str, language: str) -> str:
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title></title></head>'
            f"<body>{body}</body></html>")


def publish(folder: Path) -> list[str]:
    """Delete what the search page does not use from Pagefind's output; list the rest (sorted)."""
    kept = []
    for entry in sorted(folder.rglob("*")):
        if not entry.is_file():
            continue
        name = entry.relative_to(folder).as_posix()
        if name.startswith(PUBLISHED) or name.endswith(".pf_meta") or (name.startswith("wasm.") and "/" not in name):
            kept.append(name)
        else:
            entry.unlink()
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not any(entry.iterdir()):
            entry.rmdir()
    return kept


def content_key(path: Path) -> str:
    return keys.digest("search-file", hashlib.sha256(path.read_bytes()).hexdigest())


# reproducible output ---------------------------------------------------------------------------

def _read(path: Path) -> object:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_HEADER):
        raise SearchIndexError(f"{path.name}: not a Pagefind file this version of factcheck can read")
    return cbor2.loads(data[len(_HEADER):])


def _write(folder: Path, prefix: str, suffix: str, value: object, digits: int) -> str:
    """Write `value` as Pagefind does (gzip of header + CBOR), named by its own digest; return the name."""
    data = _HEADER + cbor2.dumps(value)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def canonical(folder: Path) -> None:
    """Make Pagefind's output depend on its input only: filter values sorted, filters in name order,
    then the metadata and entry files renamed after their new content. Pagefind reads these
    files into maps, so their order means nothing to it."""
    entry_file = folder / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language, about in sorted(entry["languages"].items()):
        meta_file = folder / f"pagefind.{about['hash']}.pf_meta"
        meta = _read(meta_file)
        if not (isinstance(meta, list) and len(meta) > _META_FILTERS and isinstance(meta[_META_FILTERS], list)):
            raise SearchIndexError(f"{meta_file.name}: unexpected layout (Pagefind version changed?)")
        renamed = []
        for name, chunk in meta[_META_FILTERS]:
            path = folder / "filter" / f"{chunk}.pf_filter"
            value = _read(path)
            if isinstance(value, list) and value and isinstance(value[-1], list):  # [name, [[value, pages], ...]]
                value = [*value[:-1], sorted(value[-1], key=lambda item: str(item[0]))]
            path.unlink()
            digits = len(chunk) - len(language) - 1
            renamed.append([name, _write(folder / "filter", f"{language}_", ".pf_filter", value, digits)])
        meta[_META_FILTERS] = sorted(renamed, key=lambda item: str(item[0]))
        meta_file.unlink()
        digits = len(about["hash"]) - len(language) - 1
        about["hash"] = _write(folder, f"pagefind.{language}_", ".pf_meta", meta, digits)[len("pagefind."):]
    atomic_write(entry_file, json.dumps(entry, sort_keys=True, ensure_ascii=False).encode())
