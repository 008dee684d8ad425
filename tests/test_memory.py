"""What keeps a large build's memory down (generator/memory.py, the check cache's pickled entries,
Pagefind's allocator setting) changes nothing that is loaded or published."""

from __future__ import annotations

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


def test_sharing_twice_changes_nothing_and_keeps_models_frozen(publication: Path) -> None:
    corpus, _ = load_corpus(Project(publication))
    before = {cid: c.model_dump(mode="json") for cid, c in corpus.claims.items()}
    sharer = memory.Sharer()
    for claim in corpus.claims.values():
        sharer.share(claim)
    assert {cid: c.model_dump(mode="json") for cid, c in corpus.claims.items()} == before
    claim = next(iter(corpus.claims.values()))
    with pytest.raises(ValueError, match="frozen"):
        claim.claim = "changed"  # type: ignore[misc]


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


def test_a_build_without_the_memory_mechanisms_writes_the_same_site(publication: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    with_them = tree(mkdocs_build(publication, site_dir=tmp_path / "with"))
    monkeypatch.setenv("FACTCHECK_WITHOUT", "spare-maker,share-values,give-back,pagefind-decay")
    for leftover in (publication / ".factcheck-cache",):
        subprocess.run(["rm", "-rf", str(leftover)], check=True)
    without = tree(mkdocs_build(publication, site_dir=tmp_path / "without"))
    assert any(name.startswith(f"{search.FOLDER}/") for name in with_them), "the search index is compared too"
    assert with_them.keys() == without.keys()
    assert [name for name in with_them if with_them[name] != without[name]] == []


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
