"""Hostile input: every fixture in tests/hostile is run against the validator and a full build.

An attack or mistake either fails with a specific, positioned error (and the previous site is
left untouched) or is accepted and published inert (escaped text, JSON-LD that cannot be
broken out of).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from generator.corpus import Project, load_corpus
from generator.yamlsafe import MAX_FILE_BYTES

from .conftest import claim_reviews, copy_publication, mkdocs_build

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
CASES = {**EXPECTED["cases"], **EXPECTED["made"]}
BASE_CASE = HOSTILE / "cases" / "crlf-line-endings.yaml"


def test_suite_is_complete() -> None:
    files = {p.stem for p in (HOSTILE / "cases").glob("*.yaml")}
    assert files == set(EXPECTED["cases"]), "every fixture file needs an expected outcome and vice versa"
    assert len(CASES) >= 40


def install_case(pub: Path, name: str) -> str:
    """Put the fixture into the publication's claims folder; return its path relative to the root."""
    spec = CASES[name]
    claims = pub / "claims"
    if name in EXPECTED["cases"]:
        target = claims / f"{name}.yaml"
        shutil.copyfile(HOSTILE / "cases" / f"{name}.yaml", target)
        return f"claims/{target.name}"
    base = BASE_CASE.read_bytes().replace(b"\r\n", b"\n")
    existing = sorted(claims.glob("*.yaml"))[0].stem
    filename = spec.get("filename", f"{name}.yaml").format(existing=existing)
    target = claims / filename
    if name == "oversized-file":
        target.write_bytes(base + b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    elif name == "value-flood":
        target.write_bytes(base + b"flood:\n" + b"".join(b"  - %d\n" % i for i in range(25_000)))
    elif name == "symlink-outside-repository":
        outside = pub.parent / "outside.yaml"
        outside.write_bytes(base)
        target.symlink_to(outside)
    elif name == "same-id-as-yml":
        shutil.copyfile(claims / f"{existing}.yaml", target)
    else:
        target.write_bytes(base)
    return f"claims/{filename}"


@pytest.fixture
def empty_publication(tmp_path: Path) -> Path:
    return copy_publication(tmp_path / "pub")


@pytest.mark.parametrize("name", sorted(CASES))
def test_validator_outcome(empty_publication: Path, name: str) -> None:
    rel = install_case(empty_publication, name)
    started = time.perf_counter()
    corpus, diagnostics = load_corpus(Project(empty_publication))
    elapsed = time.perf_counter() - started
    mine = [d for d in diagnostics.errors if d.path == rel]
    expected = CASES[name]
    if "error" in expected:
        want = expected["error"]
        matching = [d for d in mine if d.code == want["code"] and want["message"] in d.message
                    and ("field" not in want or d.field == want["field"])
                    and ("line" not in want or d.line == want["line"])
                    and ("hint" not in want or want["hint"] in d.hint)]
        assert matching, f"{name}: expected {want}, got {[d.text() for d in mine]}"
    else:
        assert not mine, [d.text() for d in mine]
        assert Path(rel).stem in corpus.claims
    assert elapsed < 5, f"validator took {elapsed:.1f}s on {name}"


@pytest.mark.parametrize("name", sorted(n for n, spec in CASES.items() if "error" in spec))
def test_build_fails_naming_the_file_and_keeps_the_previous_site(empty_publication: Path, name: str, caplog) -> None:
    site = empty_publication / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    rel = install_case(empty_publication, name)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(empty_publication)
    assert f"{rel}:" in caplog.text and CASES[name]["error"]["message"] in caplog.text
    assert (site / "index.html").read_text() == "the previous site"
    assert [p.name for p in empty_publication.iterdir() if "staging" in p.name] == []


@pytest.fixture(scope="module")
def accepted_site(tmp_path_factory) -> Path:
    pub = copy_publication(tmp_path_factory.mktemp("accepted") / "pub")
    for name, spec in EXPECTED["cases"].items():
        if "accepted" in spec:
            install_case(pub, name)
    return mkdocs_build(pub)


@pytest.mark.parametrize("name", sorted(n for n, spec in CASES.items() if "accepted" in spec))
def test_accepted_input_is_published_inert(accepted_site: Path, name: str) -> None:
    spec = CASES[name]["accepted"]
    page = accepted_site / "claims" / name / "index.html"
    html = page.read_text(encoding="utf-8")
    for needle in spec.get("html_has", []):
        assert needle in html, needle
    for needle in spec.get("html_lacks", []):
        assert needle not in html, needle
    reviews = claim_reviews(page)
    assert len(reviews) == 1
    if "claim_reviewed" in spec:
        assert reviews[0]["claimReviewed"] == spec["claim_reviewed"]


def test_no_claim_is_silently_dropped(empty_publication: Path) -> None:
    before = len(list((empty_publication / "claims").glob("*.yaml")))
    site = mkdocs_build(empty_publication)
    assert len(list((site / "claims").glob("*/index.html"))) == before


def test_symlinked_claims_folder_outside_the_repository_is_refused(tmp_path: Path) -> None:
    pub = copy_publication(tmp_path / "pub")
    outside = tmp_path / "elsewhere"
    shutil.move(str(pub / "claims"), outside)
    os.symlink(outside, pub / "claims")
    _, diagnostics = load_corpus(Project(pub))
    assert any(d.code == "symlink" for d in diagnostics.errors), [d.text() for d in diagnostics]
