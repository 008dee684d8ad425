"""Property-based checks: whatever a mutated claim file holds, the validator reports, it never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.corpus import Project, load_corpus
from generator.diagnostics import Diagnostic
from generator.yamlsafe import MAX_DEPTH, MAX_FILE_BYTES

from .conftest import REPO, copy_publication

VALID = sorted((REPO / "claims").glob("*.yaml"))[0]
VALID_BYTES = VALID.read_bytes()
VALID_DATA = yaml.safe_load(VALID_BYTES)


@pytest.fixture(scope="module")
def publication(tmp_path_factory) -> Path:
    pub = copy_publication(tmp_path_factory.mktemp("prop") / "pub", claims=False)
    return pub


def _check(pub: Path, content: bytes) -> list[Diagnostic]:
    target = pub / "claims" / "mutated.yaml"
    target.write_bytes(content)
    corpus, diagnostics = load_corpus(Project(pub))
    mine = [d for d in diagnostics if d.path == "claims/mutated.yaml"]
    assert "mutated" in corpus.claims or any(d.severity.value == "error" for d in mine), \
        "a claim that is not published must be explained by an error naming its file"
    for diagnostic in mine:
        assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.message
    return mine


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
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


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


# Nesting: random mixes of flow sequences, flow mappings, compact block sequences (`- - x`) and
# indented block mappings, a few thousand levels deep at most, written under the claim's analysis.
# A well-formed mix is refused for its depth exactly when it is too deep (and is otherwise read,
# then rejected by the model, since analysis must be text); a damaged one (cut short, or a stray
# character in it) gets whatever diagnostic applies. Nothing escapes as an exception or a crash.
_KINDS = st.sampled_from(["[", "{", "-", "k"])
# a random pattern repeated up to 1,000 times, then a random tail: from one level to about 3,000
_LEVELS = st.builds(lambda unit, times, tail: (unit * times)[:3000] + tail,
                    st.lists(_KINDS, min_size=1, max_size=30), st.integers(1, 1000), st.lists(_KINDS, max_size=30)) \
    | st.lists(_KINDS, min_size=MAX_DEPTH - 2, max_size=MAX_DEPTH + 1)  # and often right at the limit


def _nested(levels: list[str]) -> str:
    """`analysis:` holding the given collections, outermost first, around one scalar.

    Block collections are written until the first flow one; inside flow, `-` and `k` become flow
    collections too (block collections cannot appear inside flow ones)."""
    out = ["analysis:\n  "]
    column = 3  # 1-based column where the next node starts
    key_column = 0  # column of the last block mapping key, whose value has not started yet
    closers: list[str] = []
    for level in levels:
        if closers or level in "[{":
            opener = "[" if level in "[-" else "{k: "
            out.append((" " if key_column else "") + opener)
            key_column = 0
            closers.append("]" if opener == "[" else "}")
            continue
        if key_column:  # a block value goes on the next line, indented further than its key
            out.append("\n" + " " * key_column)
            column, key_column = key_column + 1, 0
        if level == "-":
            out.append("- ")
            column += 2
        else:
            out.append("k:")
            key_column = column
    out.append(" x" if key_column else "x")
    return "".join(out) + "".join(reversed(closers)) + "\n"


NESTING_PROFILE = settings(max_examples=150, deadline=None,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                  HealthCheck.data_too_large])


@NESTING_PROFILE
@example(levels=["["] * (MAX_DEPTH - 1), damage=None)  # the deepest that is read, and one more
@example(levels=["{"] * MAX_DEPTH, damage=None)
@example(levels=["-", "k"] * (MAX_DEPTH // 2), damage=None)
@example(levels=["k", "-", "["] * (MAX_DEPTH // 3), damage=None)
@given(levels=_LEVELS, damage=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.sampled_from(["", "]", "}", ":",
                                                                                                  "\t", "- ", "\n"]))))
def test_any_nesting_gets_a_clean_diagnostic_or_a_clean_parse(publication: Path, levels: list[str],
                                                              damage: tuple[float, str] | None) -> None:
    nested = _nested(levels)
    if damage is not None:
        cut = int(len(nested) * damage[0])
        nested = nested[:cut] + damage[1]
    text = VALID_BYTES.decode("utf-8").replace("analysis:", "previous_analysis:", 1) + nested
    mine = _check(publication, text.encode("utf-8"))
    too_deep = [d for d in mine if "levels deep" in d.message]
    if damage is None and len(text.encode("utf-8")) <= MAX_FILE_BYTES:
        # the root mapping is the first level and the scalar inside the last collection one more,
        # so MAX_DEPTH - 1 collections under analysis are the most that are read
        assert bool(too_deep) == (len(levels) >= MAX_DEPTH), [d.text() for d in mine]
    if too_deep:
        assert too_deep[0].code == "yaml-refused" and too_deep[0].hint and too_deep[0].field == "analysis"
