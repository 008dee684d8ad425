"""What keeps a large build's memory down (generator/memory.py, the check cache's pickled entries,
Pagefind's allocator setting) changes nothing that is loaded or published."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from generator import corpus as corpus_module
from generator import memory, search
from generator.checkcache import CheckCache, Pickled
from generator.corpus import Project, load_corpus
from generator.synth import synthesize
from tests.conftest import mkdocs_build, tree

SOURCE_DATE_EPOCH = "1795392000"


@pytest.fixture
def publication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    return synthesize(40, tmp_path / "pub", seed=3, speakers=6, topics=4)


def _dumps(root: Path, cache_dir: Path | None) -> dict[str, object]:
    corpus, diagnostics = load_corpus(Project(root), cache_dir=cache_dir)
    assert not diagnostics.errors
    return {cid: claim.model_dump(mode="json") for cid, claim in corpus.claims.items()}


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "on-workers"])
def test_shared_claims_equal_claims_read_without_sharing(publication: Path, tmp_path: Path, workers: bool,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if workers:
        monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    shared_cold = _dumps(publication, tmp_path / "cache")
    shared_warm = _dumps(publication, tmp_path / "cache")  # from the check cache
    monkeypatch.setenv("FACTCHECK_WITHOUT", "share-values")
    plain = _dumps(publication, None)
    assert len(plain) == 40
    assert shared_cold == plain
    assert shared_warm == plain


def test_equal_field_sets_and_short_strings_become_one_object(publication: Path) -> None:
    corpus, _ = load_corpus(Project(publication))
    claims = list(corpus.claims.values())
    verdict_sets = {id(c.verdict.__pydantic_fields_set__) for c in claims}
    verdict_values = {frozenset(c.verdict.__pydantic_fields_set__) for c in claims}
    assert len(verdict_sets) == len(verdict_values) < len(claims)
    ratings = [c.verdict.rating for c in claims]
    assert len({id(r) for r in ratings}) == len(set(ratings)) < len(ratings)
    long_texts = [c.analysis for c in claims if len(c.analysis) > memory.SHORT]
    assert long_texts, "long texts are left as they are"


def test_long_strings_stay_apart_and_copies_with_updates_are_refused(publication: Path) -> None:
    """Only short strings are shared; a shared field set is frozen, so pydantic's `model_copy` with
    `update` (which would add to it) fails instead of changing the sets of other claims."""
    long_text = "x" * (memory.SHORT + 1)
    values = [long_text, "".join(long_text), "short", "".join(["sh", "ort"])]
    assert values[0] is not values[1] and values[2] is not values[3]
    shared = memory.Sharer().share(values)
    assert shared is values
    assert values[0] is not values[1], "long strings are left as they are"
    assert values[2] is values[3], "equal short strings become one"
    corpus, _ = load_corpus(Project(publication))
    claim = next(iter(corpus.claims.values()))
    with pytest.raises(AttributeError):
        claim.model_copy(update={"claim": "changed"})


def test_rechecked_claims_are_stored_without_pickling_them_again(publication: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A new day (or a changed data file) checks every cached claim again: the new results are
    stored beside the bytes the workers pickled, so the claims are not pickled in this process
    either, and a third load reads the rechecked results back."""
    monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    cache = tmp_path / "cache"
    _, first_problems = load_corpus(Project(publication), cache_dir=cache)
    before = {key: value.value().checked_against for key, value in CheckCache(cache / "checked").entries.items()
              if isinstance(value, Pickled)}
    assert len(before) == 40, "every claim's entry is stored as the bytes a worker pickled"
    tomorrow = corpus_module.latest_today() + dt.timedelta(days=1)
    monkeypatch.setattr(corpus_module, "latest_today", lambda: tomorrow)
    again, again_problems = load_corpus(Project(publication), cache_dir=cache)
    texts = [c.analysis for c in again.claims.values() if not c.analysis.isascii()]
    assert texts and [t[:40] for t in texts if sys.getsizeof(t) != sys.getsizeof(t.encode().decode())] == []
    stored = {key: value for key, value in CheckCache(cache / "checked").entries.items() if key in before}
    assert stored.keys() == before.keys() and all(isinstance(value, Pickled) for value in stored.values())
    assert all(value.changes["checked_against"] != before[key] for key, value in stored.items())
    third, third_problems = load_corpus(Project(publication), cache_dir=cache)
    plain, plain_problems = load_corpus(Project(publication))
    for loaded, problems in ((again, again_problems), (third, third_problems)):
        assert {cid: c.model_dump() for cid, c in loaded.claims.items()} == \
            {cid: c.model_dump() for cid, c in plain.claims.items()}
        assert [d.text() for d in problems] == [d.text() for d in plain_problems]
    assert [d.text() for d in first_problems] == [d.text() for d in plain_problems]


def test_claims_from_workers_carry_no_utf8_copy_after_the_check_cache_is_saved(
        publication: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython keeps a UTF-8 copy beside a non-ASCII string once the string is pickled. The check
    cache stores the bytes the workers pickled, so the claims the build holds were never pickled
    in this process."""
    monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    corpus, _ = load_corpus(Project(publication), cache_dir=tmp_path / "cache")
    texts = [c.analysis for c in corpus.claims.values() if not c.analysis.isascii()]
    assert texts, "the synthetic publication has non-ASCII analyses"
    grown = [t[:40] for t in texts if sys.getsizeof(t) != sys.getsizeof(t.encode().decode())]
    assert grown == []
    pickle.dumps(texts[0])  # what the check cache did before: the string grows
    assert sys.getsizeof(texts[0]) > sys.getsizeof(texts[0].encode().decode())


def test_pickled_entries_round_trip_through_the_cache_files(tmp_path: Path) -> None:
    value = {"text": "безопасности", "n": [1, 2]}
    cache = CheckCache(tmp_path / "c")
    cache.put_pickled("ab12", pickle.dumps(value))
    cache.put("cd34", value)
    assert cache.get("ab12") == value
    cache.save(prune=False)
    again = CheckCache(tmp_path / "c")
    assert isinstance(again.entries["ab12"], Pickled)
    assert again.get("ab12") == value
    assert again.get("ab12") is again.get("ab12"), "decoded once"
    assert again.get("cd34") == value


def _build_twice(publication: Path, site: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """A cold build, then a build after editing one claim (it reads the others from the caches)."""
    subprocess.run(["rm", "-rf", str(publication / ".factcheck-cache")], check=True)
    claim = publication / "claims" / "claim-00002.yaml"
    original = claim.read_text(encoding="utf-8")
    cold = tree(mkdocs_build(publication, site_dir=site))
    claim.write_text(original.replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    try:
        warm = tree(mkdocs_build(publication, site_dir=site))
    finally:
        claim.write_text(original, encoding="utf-8")
    assert warm != cold
    return cold, warm


def test_a_build_without_the_memory_mechanisms_writes_the_same_site(publication: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    with_them = _build_twice(publication, tmp_path / "with")
    monkeypatch.setenv("FACTCHECK_WITHOUT", "spare-maker,share-values,give-back,pagefind-decay")
    without = _build_twice(publication, tmp_path / "without")
    for mine, theirs in zip(with_them, without, strict=True):
        assert any(name.startswith(f"{search.FOLDER}/") for name in mine), "the search index is compared too"
        assert mine.keys() == theirs.keys()
        assert [name for name in mine if mine[name] != theirs[name]] == []


def _pagefind(setting: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "in"
    (site / "a").mkdir(parents=True, exist_ok=True)
    (site / "a" / "index.html").write_text('<html lang="en"><body><main data-pagefind-body><h1>Wombat</h1>'
                                           "</main></body></html>", encoding="utf-8")
    environment = {**os.environ, search.ALLOCATOR_SETTING: setting}
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(tmp_path / "out")]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=environment)


def test_pagefind_reads_the_allocator_setting_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `abort_conf`, jemalloc stops on a setting it does not know: Pagefind stops on a made-up
    one, so the variable is the one it reads, and runs with ours, so ours is valid."""
    monkeypatch.delenv(search.ALLOCATOR_SETTING, raising=False)
    ours = search.pagefind_environment()[search.ALLOCATOR_SETTING]
    assert _pagefind(f"abort_conf:true,{ours}", tmp_path).returncode == 0
    assert _pagefind("abort_conf:true,no_such_option:1", tmp_path).returncode != 0
    monkeypatch.setenv(search.ALLOCATOR_SETTING, "narenas:1")
    assert search.pagefind_environment()[search.ALLOCATOR_SETTING] == "narenas:1", "a setting of the caller's stays"
    monkeypatch.delenv(search.ALLOCATOR_SETTING)
    monkeypatch.setenv("FACTCHECK_WITHOUT", "pagefind-decay")
    assert search.ALLOCATOR_SETTING not in search.pagefind_environment()


def test_the_build_runs_pagefind_with_the_allocator_setting(publication: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(search.ALLOCATOR_SETTING, raising=False)
    seen: list[str | None] = []
    popen = subprocess.Popen

    def noting(command: list[str], **options: object) -> subprocess.Popen[str]:
        if "--site" in command:  # a Pagefind run
            environment = options.get("env")
            seen.append(environment.get(search.ALLOCATOR_SETTING) if isinstance(environment, dict) else None)
        return popen(command, **options)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(search.subprocess, "Popen", noting)
    mkdocs_build(publication, site_dir=tmp_path / "site")
    assert seen and set(seen) == {search.pagefind_environment()[search.ALLOCATOR_SETTING]}
