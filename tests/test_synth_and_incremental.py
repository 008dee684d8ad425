"""Scale correctness: synthetic corpora are valid and reproducible; a rebuild that reuses the cache
writes exactly what a cold build of the same input writes, including after changes to a topic,
a speaker and the verdict scale, which must invalidate every page that shows them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.corpus import Project, load_corpus
from generator.synth import synthesize

pytestmark = pytest.mark.scale


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_synthetic_corpus_is_valid_varied_and_reproducible(tmp_path: Path) -> None:
    one = synthesize(60, tmp_path / "one", seed=3)
    two = synthesize(60, tmp_path / "two", seed=3)
    other = synthesize(60, tmp_path / "other", seed=4)
    assert digest(one / "claims") == digest(two / "claims") and digest(one / "seeds") == digest(two / "seeds")
    assert digest(one / "claims") != digest(other / "claims")
    corpus, diagnostics = load_corpus(Project(one))
    assert not diagnostics.errors, [d.text() for d in diagnostics.errors[:5]]
    assert len(corpus.claims) == 60 and len(corpus.speakers) == 500 and len(corpus.topics) == 50
    names = " ".join(s.name for s in corpus.speakers.values())
    assert any("\u0400" <= ch <= "\u04ff" for ch in names) and any(ch in names for ch in "éüøłç")
    counters = [len(c.counter_statements) for c in corpus.claims.values()]
    assert min(counters) >= 1 and max(counters) >= 3
    assert any(c.corrections for c in corpus.claims.values())


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_rebuild_with_cache_is_byte_identical_to_a_cold_build(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    pub = synthesize(40, tmp_path / "pub", seed=5)
    assert main(["--root", str(pub), "build", "--site-dir", str(tmp_path / "first")]) == 0
    corpus, _ = load_corpus(Project(pub))
    claim_id, claim = sorted(corpus.claims.items())[0]
    topic, speaker, rating = claim.topics[0], claim.statement.speaker, claim.verdict.rating

    _edit(pub / "data" / "topics.yaml", lambda d: d[topic].update(name="A renamed topic"))
    _edit(pub / "data" / "speakers.yaml", lambda d: d[speaker].update(role="A new role"))
    _edit(pub / "data" / "verdicts.yaml",
          lambda d: next(v for v in d if v["id"] == rating).update(label="Relabelled"))
    _edit(pub / "claims" / f"{claim_id}.yaml", lambda d: d["verdict"].update(summary="An edited summary."))

    assert main(["--root", str(pub), "build", "--site-dir", str(tmp_path / "incremental")]) == 0
    cold = tmp_path / "cold"
    synthesize(0, cold, seed=5)
    for part in ("claims", "data", "seeds"):
        for path in (pub / part).iterdir():
            (cold / part / path.name).write_bytes(path.read_bytes())
    assert not (cold / ".factcheck-cache").exists()
    assert main(["--root", str(cold), "build", "--site-dir", str(tmp_path / "cold-site")]) == 0

    incremental, from_scratch = digest(tmp_path / "incremental"), digest(tmp_path / "cold-site")
    assert incremental == from_scratch
    page = (tmp_path / "incremental" / "claims" / claim_id / "index.html").read_text(encoding="utf-8")
    assert "A renamed topic" in page and "A new role" in page and "Relabelled" in page
    assert "An edited summary." in page
    assert digest(tmp_path / "first") != incremental
