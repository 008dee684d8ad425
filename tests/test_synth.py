"""`factcheck synth`: a deterministic, valid, varied synthetic publication for scale work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from tests.conftest import tree

COUNT = 120


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "pub"
    assert main(["synth", "--count", str(COUNT), "--out", str(out), "--seed", "5"]) == 0
    return out


def test_same_seed_gives_the_same_corpus_and_another_seed_a_different_one(synthetic: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert main(["synth", "--count", str(COUNT), "--out", str(again), "--seed", "5"]) == 0
    assert main(["synth", "--count", str(COUNT), "--out", str(other), "--seed", "6"]) == 0
    assert tree(again) == tree(synthetic)
    first, second = tree(synthetic), tree(other)
    assert first.keys() == second.keys()
    assert first["claims/claim-00000.yaml"] != second["claims/claim-00000.yaml"]


def test_refuses_to_write_into_a_folder_that_is_not_empty(synthetic: Path, capsys) -> None:
    assert main(["synth", "--count", "3", "--out", str(synthetic)]) == 2
    assert "is not empty" in capsys.readouterr().err


def test_validates_as_it_is_with_every_quote_verified(synthetic: Path, tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "generator.cli", "validate"], cwd=synthetic,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 error(s)" in run.stderr
    assert len(list((synthetic / "claims").glob("*.yaml"))) == COUNT

    broken = tmp_path / "broken"
    assert main(["synth", "--count", "20", "--out", str(broken), "--seed", "5"]) == 0
    path = broken / "claims" / "claim-00007.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["counter_statements"][0]["quote"] += " and nobody ever said this"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "validate", "--format", "json"], cwd=broken,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "claims/claim-00007.yaml" in run.stdout and "counter_statements[0].quote" in run.stdout
    assert "does not appear verbatim" in run.stdout


def test_has_the_variety_of_a_real_archive(synthetic: Path) -> None:
    speakers = yaml.safe_load((synthetic / "data" / "speakers.yaml").read_text(encoding="utf-8"))
    topics = yaml.safe_load((synthetic / "data" / "topics.yaml").read_text(encoding="utf-8"))
    assert len(speakers) == 500 and len(topics) == 50
    names = " ".join(s["name"] for s in speakers.values()) + " ".join(t["name"] for t in topics.values())
    assert re.search(r"[\u0400-\u04ff]", names), "Cyrillic names"
    assert re.search(r"[éüøłçñå]", names), "accented Latin names"
    claims = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((synthetic / "claims").glob("*.yaml"))]
    counters = [len(c["counter_statements"]) for c in claims]
    assert min(counters) >= 1 and max(counters) >= 3
    assert 0 < sum(1 for c in claims if c["corrections"]) < COUNT / 3
    quote_words = [len(s["quote"].split()) for c in claims for s in [c["statement"], *c["counter_statements"]]]
    assert min(quote_words) <= 16 and max(quote_words) >= 45
    analysis_words = [len(c["analysis"].split()) for c in claims]
    assert min(analysis_words) <= 100 and max(analysis_words) >= 250
    assert len({c["verdict"]["rating"] for c in claims}) >= 4
    assert len({t for c in claims for t in c["topics"]}) >= 30
    config = yaml.safe_load((synthetic / "mkdocs.yml").read_text(encoding="utf-8"))
    assert Path(config["theme"]["custom_dir"]).is_dir()
    assert (synthetic / "content" / "index.md").is_file()
