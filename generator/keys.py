"""Every cache key, derived from what an output depends on rather than listed by hand.

A cached result may be reused only when everything that produced it is unchanged. Four things
produce every page, feed, card and check result, and each has a digest here:

- the code: every file of the installed `generator` package, its templates and schemas included
  (`code_digest`), so a new helper module or an edited filter changes every key;
- the libraries: the name and version of every installed distribution that this project requires,
  transitively, and of those providing the site's theme, plugins and Markdown extensions
  (`distributions_digest`);
- the theme overrides folder, when the site has one (`tree_digest`);
- the configuration (`BuildKeys.config`, given by the caller).

`digest` is the one hashing style: SHA-256 over length-prefixed parts, so that no two different
lists of parts give the same input. Callers combine these with the digest of the content a result
shows (a claim, the data files it refers to); nothing else in the package hashes for a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DISTRIBUTION = "factcheck-desk"
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def digest(*parts: str | bytes) -> str:
    """SHA-256 of `parts`, each prefixed with its length: ("ab", "c") and ("a", "bc") differ."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(b"%d:" % len(data))
        hasher.update(data)
    return hasher.hexdigest()


def value_digest(value: Any) -> str:
    """Digest of a JSON-like value (a model dump, a dictionary of settings), independent of key order."""
    return digest(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")))


def _tree_files(folder: Path) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in files:
            if name.endswith(_SKIPPED_SUFFIXES):
                continue
            path = os.path.join(current, name)
            found.append((os.path.relpath(path, folder).replace(os.sep, "/"), path))
    return sorted(found)


_TREE_MEMO: dict[str, tuple[tuple[Any, ...], str]] = {}


def tree_digest(folder: Path | str | None) -> str:
    """Digest of every file under `folder` (names and bytes; caches of compiled Python left out).
    A folder that does not exist has the digest of an empty tree. The result is remembered while
    no file's size, modification time or inode changes, so asking again costs a listing."""
    if folder is None or not os.path.isdir(folder):
        return digest("no folder")
    root = os.path.realpath(folder)
    files = _tree_files(Path(root))
    signature = tuple((rel, _stat_signature(path)) for rel, path in files)
    known = _TREE_MEMO.get(root)
    if known is not None and known[0] == signature:
        return known[1]
    hasher = hashlib.sha256()
    for rel, path in files:
        with open(path, "rb") as handle:
            hasher.update(digest(rel, handle.read()).encode())
    result = hasher.hexdigest()
    _TREE_MEMO[root] = (signature, result)
    return result


def _stat_signature(path: str) -> tuple[int, int, int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def code_digest() -> str:
    """Digest of the whole installed `generator` package: modules, templates, schemas."""
    return tree_digest(PACKAGE_DIR)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;(.*))?$")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def _requirements(name: str, extras: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """The distributions `name` requires with `extras` requested: (name, extras) pairs. Markers
    other than `extra` are not evaluated: a requirement for another platform is simply not installed."""
    found = []
    for line in metadata.requires(name) or []:
        match = _REQUIREMENT.match(line)
        if match is None:
            continue
        marker = match.group(3) or ""
        wanted_extra = _EXTRA_MARKER.search(marker)
        if wanted_extra is not None and _canonical(wanted_extra.group(1)) not in extras:
            continue
        requested = frozenset(_canonical(e) for e in (match.group(2) or "").split(",") if e.strip())
        found.append((match.group(1), requested))
    return found


def _required_closure(root: str) -> set[str]:
    """`root` and every distribution it requires, transitively, as installed (with the extras that
    each requirement asks for, and no others)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    pending: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while pending:
        name, extras = pending.pop()
        name = _canonical(name)
        if (name, extras) in seen:
            continue
        try:
            requirements = _requirements(name, extras)
        except metadata.PackageNotFoundError:
            continue
        seen.add((name, extras))
        pending.extend(requirements)
    return {name for name, _ in seen}


@lru_cache(maxsize=16)
def _distributions(modules: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    names: set[str] = set(_required_closure(DISTRIBUTION))
    if modules:
        providers = metadata.packages_distributions()
        for module in modules:
            for provider in providers.get(module, ()):
                names |= _required_closure(provider)
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return tuple(sorted(versions.items()))


def distributions(modules: Iterable[str] = ()) -> dict[str, str]:
    """Name -> version of this project's distribution and everything it requires, and of the
    distributions providing `modules` (a theme, plugins, Markdown extensions) with what they require.
    Derived from installed metadata, so it is the same in every process that builds the same site;
    read once per process for each set of modules."""
    return dict(_distributions(tuple(sorted({m.partition(".")[0] for m in modules}))))


def distributions_digest(modules: Iterable[str] = ()) -> str:
    return value_digest(sorted(distributions(modules).items()))


def content_digest() -> str:
    """What every content result (a check, a claim body, a feed entry) depends on besides its
    content: the code and the libraries this project requires."""
    return digest("content", code_digest(), distributions_digest())


@dataclass(frozen=True)
class BuildKeys:
    """The digests every cached result of one build shares. `content` keys (checks, claim bodies,
    feeds, cards) depend on the code and libraries only; `output` keys (written pages) also on the
    theme overrides and the configuration, navigation included."""

    code: str
    distributions: str
    theme: str = ""
    config: str = ""

    @classmethod
    def derive(cls, *, modules: Iterable[str] = (), theme_dir: Path | str | None = None,
               config: Any = None) -> BuildKeys:
        """Keys for a build whose theme, plugins and extensions come from `modules`."""
        return cls(code=code_digest(), distributions=distributions_digest(modules),
                   theme=tree_digest(theme_dir) if theme_dir is not None else "",
                   config=value_digest(config) if config is not None else "")

    @cached_property  # asked for once for each of tens of thousands of keys
    def content(self) -> str:
        return digest("content", self.code, self.distributions)

    @cached_property
    def output(self) -> str:
        return digest("output", self.code, self.distributions, self.theme, self.config)

    def for_content(self, kind: str, *parts: str) -> str:
        """Key of a content result of `kind` (a claim body, a check, a feed entry) made from `parts`."""
        return digest(self.content, kind, *parts)

    def for_output(self, kind: str, *parts: str) -> str:
        """Key of a written file of `kind` (a page, a card) made from `parts`."""
        return digest(self.output, kind, *parts)


def mapping_digest(files: Mapping[str, bytes]) -> str:
    """Digest of named byte strings (hand-written pages, for instance), independent of order."""
    return digest(*(digest(name, files[name]) for name in sorted(files)))
