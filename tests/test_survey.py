"""The earlier site's listing made by a separate process (`generator/output/survey.py`), and how a
rebuild keeps files with it (`kept.take_back`, `kept.record`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator.output import Output, kept
from generator.output.survey import Listing, Survey, walk


def _tree(root: Path) -> None:
    for path, text in {"claims/a/index.html": "a", "claims/b/index.html": "b", "cards/a.png": "png",
                       "claims/deep/er/still/index.html": "deep", "top.html": "top"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "empty").mkdir()
    os.symlink(root / "claims", root / "cards" / "link-to-folder")
    os.symlink(root / "top.html", root / "claims" / "link.html")


def test_the_process_lists_exactly_what_a_walk_here_lists(tmp_path: Path) -> None:
    _tree(tmp_path)
    here = walk(str(tmp_path))
    there = Survey(str(tmp_path)).listing()
    assert isinstance(there, Listing)
    assert sorted(there.folders) == sorted(here.folders) == [
        "cards", "claims", "claims/a", "claims/b", "claims/deep", "claims/deep/er", "claims/deep/er/still", "empty"]
    assert there.files == here.files
    assert there.files["claims/a/index.html"] == kept.signature(str(tmp_path / "claims/a/index.html"))
    # links are entries, never followed: not files this tool wrote, so never kept
    assert there.files["cards/link-to-folder"] is None and there.files["claims/link.html"] is None


def test_a_survey_that_cannot_run_is_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    monkeypatch.setattr("generator.output.survey.sys.executable", str(tmp_path / "no-such-python"))
    survey = Survey(str(tmp_path))
    assert survey.process is None
    assert survey.listing().files == walk(str(tmp_path)).files


def test_a_survey_with_torn_output_is_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\nprintf 'not a pickle'\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr("generator.output.survey.sys.executable", str(broken))
    assert Survey(str(tmp_path)).listing().files == walk(str(tmp_path)).files


def _earlier_site(folder: Path) -> kept.Manifest:
    """A folder holding an earlier build's files, hidden as `clear` hides them, and its manifest."""
    files = {"claims/a/index.html": "ka", "claims/b/index.html": "kb", "claims/c/index.html": "kc",
             "cards/a.png": "kpa"}
    for path in files:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(path, encoding="utf-8")
    (folder / "claims" / "stray.html").write_text("not the tool's", encoding="utf-8")
    manifest = kept.record(folder, files)
    kept.hide(folder)
    return manifest


@pytest.mark.parametrize("listed", ["by the survey", "here"])
def test_take_back_keeps_what_is_wanted_unchanged_and_deletes_the_rest(tmp_path: Path, listed: str) -> None:
    folder = tmp_path / "site"
    manifest = _earlier_site(folder)
    time.sleep(0.01)  # past the file system's clock tick
    (folder / kept.HIDDEN / "claims/b/index.html").write_text("edited in place", encoding="utf-8")
    listing = Survey(str(folder / kept.HIDDEN)).listing() if listed == "by the survey" else None
    wanted = {"claims/a/index.html": "ka", "claims/b/index.html": "kb", "claims/c/index.html": "kc-new",
              "cards/a.png": "kpa"}
    taken = kept.take_back(folder, wanted, manifest, skip={"cards/a.png"}, listing=listing)
    assert sorted(taken) == ["claims/a/index.html"]
    assert taken["claims/a/index.html"] == kept.signature(str(folder / "claims/a/index.html"))
    # the edited page, the page under another key, the page MkDocs writes and the stray file are gone,
    # and so are the folders they left empty; the returned top folders stay
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if kept.HIDDEN not in p.parts) == [
        "cards", "claims", "claims/a", "claims/a/index.html"]


def test_a_kept_file_written_after_it_was_taken_back_is_not_kept_by_the_next_build(tmp_path: Path) -> None:
    """The manifest reuses the signature a kept file had when it was taken back: written since, the
    file no longer matches it, and the build after does not keep it."""
    folder = tmp_path / "site"
    manifest = _earlier_site(folder)
    wanted = {"claims/a/index.html": "ka", "claims/c/index.html": "kc"}
    taken = kept.take_back(folder, wanted, manifest, skip=())
    assert sorted(taken) == ["claims/a/index.html", "claims/c/index.html"]
    time.sleep(0.01)
    (folder / "claims/a/index.html").write_text("written during the build", encoding="utf-8")
    recorded = kept.record(folder, wanted, taken)
    assert recorded["claims/c/index.html"] == ("kc", kept.signature(str(folder / "claims/c/index.html")))
    assert recorded["claims/a/index.html"][1] != kept.signature(str(folder / "claims/a/index.html"))
    kept.hide(folder)
    again = kept.take_back(folder, wanted, recorded, skip=())
    assert sorted(again) == ["claims/c/index.html"]
    assert not (folder / "claims/a/index.html").exists()


def test_output_lists_the_earlier_site_in_a_process_of_its_own(tmp_path: Path) -> None:
    """A rebuild's `clear` starts the survey of the files it hid; `restore` keeps what it listed."""
    target, store = tmp_path / "site", tmp_path / "cache" / "output"
    output = Output(target, store=store, staged=False)
    output.clear()
    (target / "claims" / "a").mkdir(parents=True)
    (target / "claims" / "a" / "index.html").write_text("page a", encoding="utf-8")
    output.store.put_file("ka", str(target / "claims" / "a" / "index.html"))  # type: ignore[union-attr]
    output.plan({"claims/a/index.html": "ka"})
    output.restore()
    output.commit({})
    again = Output(target, store=store, staged=False)
    again.clear()
    assert again._survey is not None and again._survey.process is not None
    again.plan({"claims/a/index.html": "ka"})
    again.restore()
    assert again._survey is None and again.kept_in_place == 1
    again.commit({})
    assert (target / "claims" / "a" / "index.html").read_text(encoding="utf-8") == "page a"
