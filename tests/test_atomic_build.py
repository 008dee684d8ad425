"""Nothing lost, nothing half-written: failed builds keep the old site, identical input gives identical output."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from generator.cli import main

from .conftest import copy_publication, mkdocs_build


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_the_previous_site_untouched(publication: Path, caplog) -> None:
    site = mkdocs_build(publication)
    before = tree_digest(site)
    first = sorted((publication / "claims").glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("rating: ", "rating: not-a-"), encoding="utf-8")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(publication)
    assert f"claims/{first.name}" in caplog.text
    assert tree_digest(site) == before
    assert not [p for p in publication.iterdir() if "staging" in p.name or "previous" in p.name]


def test_a_warning_in_strict_mode_publishes_nothing(publication: Path, caplog) -> None:
    """MkDocs aborts a strict build only after the post-build event; the site must not have been
    swapped in by then."""
    site = mkdocs_build(publication)
    before = tree_digest(site)
    page = publication / "content" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the archive](no-such-page.md).\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING), pytest.raises(Abort):
        mkdocs_build(publication)
    assert "no-such-page.md" in caplog.text and "nothing was published" in caplog.text
    assert tree_digest(site) == before
    assert not [p for p in publication.iterdir() if "staging" in p.name]


def test_factcheck_build_failure_exits_non_zero_and_keeps_the_site(publication: Path, tmp_path: Path, capsys,
                                                                   caplog) -> None:
    out = tmp_path / "out"
    assert main(["--root", str(publication), "build", "--site-dir", str(out)]) == 0
    before = tree_digest(out)
    (publication / "claims" / "broken.yaml").write_text("claim: [\n", encoding="utf-8")
    assert main(["--root", str(publication), "build", "--site-dir", str(out)]) == 1
    # MkDocs logs the error: on standard error, or to pytest's log capture when an earlier
    # in-process build left its handler on the logger
    assert "claims/broken.yaml:" in capsys.readouterr().err + caplog.text
    assert tree_digest(out) == before


def test_same_input_gives_byte_identical_output(publication: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763856000")
    first = tree_digest(mkdocs_build(publication, site_dir=tmp_path / "one"))
    second_pub = copy_publication(tmp_path / "again")
    second = tree_digest(mkdocs_build(second_pub, site_dir=tmp_path / "two"))
    assert first == second
    assert len(first) > 20


def test_every_claim_file_becomes_exactly_one_page(built_site: Path, publication: Path) -> None:
    files = sorted(p.stem for p in (publication / "claims").glob("*.yaml"))
    pages = sorted(p.parent.name for p in (built_site / "claims").glob("*/index.html"))
    assert files == pages


def test_a_committed_cache_is_refused(publication: Path, caplog) -> None:
    import subprocess

    mkdocs_build(publication)
    assert (publication / ".factcheck-cache").is_dir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=publication, check=True)
    subprocess.run([*git, "add", "-f", ".factcheck-cache"], cwd=publication, check=True)
    subprocess.run([*git, "commit", "-qm", "poison"], cwd=publication, check=True)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(publication)
    assert "the cache folder is committed to the repository" in caplog.text
    subprocess.run([*git, "rm", "-rq", "--cached", ".factcheck-cache"], cwd=publication, check=True)
    mkdocs_build(publication)
