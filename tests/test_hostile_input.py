"""Hostile input: every fixture in tests/hostile is run against the validator and a full build.

An attack or mistake either fails with a specific, positioned error (and the previous site is
left untouched) or is accepted and published inert (escaped text, JSON-LD that cannot be
broken out of).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from generator.corpus import Project, load_corpus
from generator.yamlsafe import MAX_DEPTH, MAX_FILE_BYTES

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
    corpus, diagnostics = load_corpus(Project(empty_publication))
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


# Deep nesting, written by the test (the 100,000-level files are 200 KB each). Every shape must be
# refused by the real `factcheck validate` with exit code 1 and the position where the limit is
# crossed; PyYAML's recursive composer used to die with a segmentation fault on such files.
# Each entry: the text that replaces the claim's analysis line, and the line and column where the
# value nested one level too deep starts (relative to the line of the base claim's analysis; the
# root mapping is the first level, so the 33rd bracket under `analysis` is the first one refused).
BASE_TEXT = BASE_CASE.read_bytes().replace(b"\r\n", b"\n").decode("utf-8")
NESTING_LINE = BASE_TEXT.splitlines().index("analysis: Plain analysis.") + 1
LIMIT = MAX_DEPTH


def _block(unit: str, levels: int) -> str:
    return "analysis:\n" + "".join(" " * (i + 1) + unit + "\n" for i in range(levels)) + " " * (levels + 1) + "x\n"


DEEP_NESTING = {
    "deep-flow-sequence": ("analysis: " + "[" * 40 + "]" * 40 + "\n", NESTING_LINE, 11 + LIMIT),
    "deep-flow-mapping": ("analysis: " + "{k: " * 40 + "x" + "}" * 40 + "\n", NESTING_LINE, 11 + 4 * LIMIT),
    "deep-block-sequence": (_block("-", 40), NESTING_LINE + LIMIT + 1, LIMIT + 2),
    "deep-block-mapping": (_block("k:", 40), NESTING_LINE + LIMIT + 1, LIMIT + 2),
    "deep-compact-sequence": ("analysis:\n  " + "- " * 40 + "x\n", NESTING_LINE + 1, 3 + 2 * LIMIT),
    # five levels of block collections, a flow sequence, then flow mappings and sequences in turn:
    # the 33rd level is the 13th `[` after `- [`, 5 columns apart from column 16
    "deep-mixed": ("analysis:\n  - - k:\n" + " " * 8 + "- [" + "{k: [" * 20 + "]}" * 20 + "]\n",
                   NESTING_LINE + 2, 16 + 5 * 13),
    "flow-sequence-100000-levels": ("analysis: " + "[" * 100_000 + "]" * 100_000 + "\n", NESTING_LINE,
                                    11 + LIMIT),
    "unclosed-flow-sequence-100000-levels": ("analysis: " + "[" * 100_000 + "\n", NESTING_LINE, 11 + LIMIT),
    "flow-mapping-100000-levels": ("analysis: {k: " + "{k: " * 50_000 + "x" + "}" * 50_001 + "\n",
                                   NESTING_LINE, 11 + 4 * LIMIT),
    "compact-sequence-100000-levels": ("analysis:\n  " + "- " * 100_000 + "x\n", NESTING_LINE + 1,
                                       3 + 2 * LIMIT),
}


def run_validate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `factcheck validate` in its own process, so that a crash shows as a signal."""
    return subprocess.run([sys.executable, "-m", "generator.cli", "--root", str(root), "validate", "--no-cache",
                           *args], capture_output=True, text=True, timeout=120, check=False)


def assert_refused_at(result: subprocess.CompletedProcess[str], rel: str, line: int, column: int | None) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"exit {result.returncode} (a negative code is a signal): {output[-2000:]}"
    assert "Traceback" not in output, output[-2000:]
    where = f"{rel}:{line}:" if column is None else f"{rel}:{line}:{column}:"
    refused = [row for row in result.stdout.splitlines() if row.startswith(where)]
    assert refused, f"no diagnostic at {where}: {output[-2000:]}"
    assert f"nested more than {MAX_DEPTH} levels deep" in refused[0], refused[0]
    assert "hint:" in refused[0], "the message says how to fix it"


@pytest.mark.parametrize("name", sorted(DEEP_NESTING))
def test_deep_nesting_is_refused_by_the_cli(empty_publication: Path, name: str) -> None:
    text, line, column = DEEP_NESTING[name]
    target = empty_publication / "claims" / f"{name}.yaml"
    target.write_text(BASE_TEXT.replace("analysis: Plain analysis.\n", text), encoding="utf-8")
    assert target.stat().st_size <= MAX_FILE_BYTES
    assert_refused_at(run_validate(empty_publication), f"claims/{name}.yaml", line, column)


def test_nesting_just_under_the_limit_is_read(tmp_path: Path) -> None:
    """The limit is exact: one level less is parsed (and then rejected by the model, not the loader)."""
    pub = copy_publication(tmp_path / "pub")
    depth = LIMIT - 1  # with the root mapping and the innermost value, MAX_DEPTH + 1 values deep
    (pub / "claims" / "nested.yaml").write_text(
        BASE_TEXT.replace("analysis: Plain analysis.", "analysis: " + "[" * depth + "x" + "]" * depth),
        encoding="utf-8")
    result = run_validate(pub)
    assert result.returncode == 1
    assert "nested more than" not in result.stdout
    assert f"claims/nested.yaml:{NESTING_LINE}:" in result.stdout and "analysis" in result.stdout


@pytest.mark.parametrize(("rel", "prefix"), [("data/topics.yaml", "deep-topic:\n  name: "),
                                             ("data/speakers.yaml", "deep-speaker:\n  name: "),
                                             ("seeds/meduza-2025-08-20.yaml", "deep: ")])
def test_deep_nesting_in_data_and_seed_files_is_refused(tmp_path: Path, rel: str, prefix: str) -> None:
    pub = copy_publication(tmp_path / "pub")
    path = pub / rel
    original = path.read_text(encoding="utf-8")
    line = original.count("\n") + prefix.count("\n") + 1
    path.write_text(original + prefix + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    # a seed's notes are one level down, a topic's or speaker's name two: the first `[` refused is
    # the 33rd or the 32nd
    column = len(prefix.rsplit("\n", 1)[-1]) + 1 + (LIMIT if rel.startswith("seeds") else LIMIT - 1)
    assert_refused_at(run_validate(pub), rel, line, column)
