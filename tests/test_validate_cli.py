"""`factcheck validate`: every problem in one run, positioned, in text, GitHub and JSON formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

HOSTILE = Path(__file__).parent / "hostile" / "cases"
BROKEN = {
    "not-utf8.yaml": "invalid-utf8.yaml",
    "empty.yaml": "empty-file.yaml",
    "a-list.yaml": "yaml-list-root.yaml",
    "two-documents.yaml": "multiple-documents.yaml",
    "typo-field.yaml": "unknown-field-onclick.yaml",
    "misquoted.yaml": "fabricated-quote.yaml",
}


@pytest.fixture
def broken_publication(publication: Path) -> Path:
    for name, source in BROKEN.items():
        shutil.copyfile(HOSTILE / source, publication / "claims" / name)
    return publication


def drop_url_note(root: Path) -> Path:
    """Make the RadarOnline source a source without a URL and without a reason: a warning."""
    path = root / "seeds" / "radaronline-2025-08-24.yaml"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("url_note:")), encoding="utf-8")
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", "--root", str(root), "validate", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_shipped_content_passes_strict(publication: Path) -> None:
    result = run(publication, "--strict")
    assert result.returncode == 0, result.stdout
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_clean_corpus_exits_zero_with_warnings_shown(publication: Path) -> None:
    result = run(drop_url_note(publication))
    assert result.returncode == 0
    assert "seeds/radaronline-2025-08-24.yaml:1:1: warning: url: source has no original URL" in result.stdout
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_strict_turns_warnings_into_errors(publication: Path) -> None:
    result = run(drop_url_note(publication), "--strict")
    assert result.returncode == 1
    assert "seeds/radaronline-2025-08-24.yaml:1:1: error: url:" in result.stdout


def test_every_broken_file_is_reported_in_one_run(broken_publication: Path) -> None:
    result = run(broken_publication)
    assert result.returncode == 1
    out = result.stdout
    assert "claims/not-utf8.yaml:17:17: error: file is not valid UTF-8 (byte 0xff)" in out
    assert "claims/empty.yaml:1:1: error: file is empty" in out
    assert "claims/a-list.yaml:1:1: error: file holds a list, but a mapping of fields is expected" in out
    assert "claims/two-documents.yaml:20:1: error: file holds more than one YAML document" in out
    assert "claims/typo-field.yaml:19:1: error: onclick: unknown field 'onclick'" in out
    assert ("claims/misquoted.yaml:6:10: error: statement.quote: "
            "quote does not appear verbatim in meduza-2025-08-20") in out
    assert "Traceback" not in result.stderr + out


def test_did_you_mean_for_a_misspelt_field(publication: Path) -> None:
    claim = sorted((publication / "claims").glob("*.yaml"))[0]
    text = claim.read_text(encoding="utf-8")
    claim.write_text(text.replace("  quote:", "  qoute:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(claim.read_text().splitlines(), 1) if "qoute:" in row)
    result = run(publication, str(claim))
    assert f"{claim.relative_to(publication)}:{line}:3: error: statement.qoute: unknown field 'qoute' " \
           f"(hint: did you mean 'quote'?)" in result.stdout
    assert "error: statement: missing required field 'quote'" in result.stdout


def test_github_format_prints_annotations(broken_publication: Path) -> None:
    result = run(drop_url_note(broken_publication), "--format", "github")
    assert result.returncode == 1
    assert "::error file=claims/empty.yaml,line=1,col=1::file is empty" in result.stdout
    assert "::warning file=seeds/radaronline-2025-08-24.yaml,line=1,col=1::url%3A" not in result.stdout
    assert ("::warning file=seeds/radaronline-2025-08-24.yaml,line=1,col=1::url: "
            "source has no original URL") in result.stdout


def test_json_format_is_machine_readable(broken_publication: Path) -> None:
    result = run(broken_publication, "--format", "json")
    data = json.loads(result.stdout)
    assert {"path", "line", "column", "severity", "message", "field", "hint", "code"} <= set(data[0])
    assert {d["path"] for d in data if d["severity"] == "error"} == {f"claims/{n}" for n in BROKEN}


def test_named_files_only_are_checked(broken_publication: Path) -> None:
    good = sorted(p for p in (broken_publication / "claims").glob("*.yaml") if p.name not in BROKEN)[0]
    assert run(broken_publication, str(good)).returncode == 0
    assert run(broken_publication, str(broken_publication / "claims" / "empty.yaml")).returncode == 1


def test_usage_errors_exit_two(publication: Path) -> None:
    assert run(publication, "claims/does-not-exist.yaml").returncode == 2
    assert main(["validate", "--format", "xml"]) == 2
    assert main(["frobnicate"]) == 2
