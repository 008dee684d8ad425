"""Drafts never break the site: left out of every build, reported as drafts, previewed with a banner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import copy_publication, mkdocs_build

CLAIM = "lavrov-putin-always-open-to-meeting-zelensky"


def write_draft(root: Path, name: str, *, draft: bool | None = None) -> Path:
    text = (root / "claims" / f"{CLAIM}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^analysis: \|\n(  .*\n|\n)+", "analysis: TODO write the analysis\n", text, count=1)
    text = re.sub(r"(?m)^analysis: (?!TODO).*$", "analysis: TODO write the analysis", text, count=1)
    assert "analysis: TODO" in text
    if draft is not None:
        text += f"draft: {str(draft).lower()}\n"
    path = root / "claims" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_publication(tmp_path / "pub")


def test_a_draft_passes_a_strict_build_and_is_not_published(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_draft(root, "unfinished-claim")
    caplog.set_level("INFO")
    site = mkdocs_build(root)
    assert (site / "claims" / CLAIM / "index.html").is_file()
    assert not (site / "claims" / "unfinished-claim").exists()
    assert "unfinished-claim" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "not published (draft): claims/unfinished-claim.yaml" in caplog.text


def test_a_claim_marked_draft_is_left_out_even_without_todo(root: Path) -> None:
    path = root / "claims" / "held-back.yaml"
    path.write_text((root / "claims" / f"{CLAIM}.yaml").read_text(encoding="utf-8") + "draft: true\n",
                    encoding="utf-8")
    site = mkdocs_build(root)
    assert not (site / "claims" / "held-back").exists()


def test_validate_reports_drafts_as_drafts_and_a_ready_claim_with_todo_as_an_error(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_draft(root, "unfinished-claim")
    assert main(["--root", str(root), "validate", "--strict"]) == 0
    captured = capsys.readouterr()
    assert "claims/unfinished-claim.yaml:" in captured.out and ": draft: analysis:" in captured.out
    assert "0 error(s)" in captured.err and "1 draft(s) not published" in captured.err
    write_draft(root, "said-to-be-ready", draft=False)
    assert main(["--root", str(root), "validate"]) == 1
    captured = capsys.readouterr()
    line = next(x for x in captured.out.splitlines() if "said-to-be-ready" in x)
    assert ": error: analysis: placeholder text in a claim marked ready" in line


def test_a_build_error_is_labelled_an_error_in_header_and_lines(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claim = root / "claims" / f"{CLAIM}.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("speaker: sergey-lavrov", "speaker: nobody", 1),
                     encoding="utf-8")
    assert main(["--root", str(root), "build", "--site-dir", str(root / "out")]) == 1
    err = capsys.readouterr().err
    assert "1 error(s) in content; nothing was published" in err
    assert re.search(rf"claims/{CLAIM}.yaml:\d+:\d+: error: ", err) and ": warning:" not in err


def test_preview_shows_a_draft_with_a_banner(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = write_draft(root, "unfinished-claim")
    assert main(["--root", str(root), "preview", str(draft), "--out", str(root / "preview")]) == 0
    page = (root / "preview" / "claims" / "unfinished-claim" / "index.html").read_text(encoding="utf-8")
    assert "<strong>DRAFT</strong>" in page and 'class="fc-editor-notice fc-draft"' in page
