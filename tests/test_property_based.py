"""Property-based checks: whatever a mutated claim file holds, the validator reports, it never crashes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.corpus import Project, load_corpus

from .conftest import REPO, copy_publication

VALID = sorted((REPO / "claims").glob("*.yaml"))[0]
VALID_BYTES = VALID.read_bytes()
VALID_DATA = yaml.safe_load(VALID_BYTES)


@pytest.fixture(scope="module")
def publication(tmp_path_factory) -> Path:
    pub = copy_publication(tmp_path_factory.mktemp("prop") / "pub", claims=False)
    return pub


def _check(pub: Path, content: bytes) -> None:
    target = pub / "claims" / "mutated.yaml"
    target.write_bytes(content)
    started = time.perf_counter()
    corpus, diagnostics = load_corpus(Project(pub))
    elapsed = time.perf_counter() - started
    mine = [d for d in diagnostics if d.path == "claims/mutated.yaml"]
    assert "mutated" in corpus.claims or any(d.severity.value == "error" for d in mine), \
        "a claim that is not published must be explained by an error naming its file"
    for diagnostic in mine:
        assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.message
    assert elapsed < 2.0


PROFILE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROFILE
@given(position=st.integers(0, len(VALID_BYTES)), noise=st.binary(min_size=1, max_size=12))
def test_byte_insertions_never_crash_the_validator(publication: Path, position: int, noise: bytes) -> None:
    _check(publication, VALID_BYTES[:position] + noise + VALID_BYTES[position:])


@PROFILE
@given(start=st.integers(0, len(VALID_BYTES)), length=st.integers(1, 200))
def test_truncations_and_deletions_never_crash_the_validator(publication: Path, start: int, length: int) -> None:
    _check(publication, VALID_BYTES[:start] + VALID_BYTES[start + length:])


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40),
                     st.dates().map(str))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                       max_leaves=12)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


ALL_PATHS = [p for p in _paths(VALID_DATA) if p]


@PROFILE
@given(path=st.sampled_from(ALL_PATHS), value=_values)
def test_structural_replacements_never_crash_the_validator(publication: Path, path: tuple, value) -> None:
    import copy

    data = copy.deepcopy(VALID_DATA)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _check(publication, yaml.safe_dump(data, allow_unicode=True).encode())


@PROFILE
@given(path=st.sampled_from(ALL_PATHS))
def test_deleting_any_field_is_reported_or_harmless(publication: Path, path: tuple) -> None:
    import copy

    data = copy.deepcopy(VALID_DATA)
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    _check(publication, yaml.safe_dump(data, allow_unicode=True).encode())
