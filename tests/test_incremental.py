"""A rebuild that reuses the cache writes exactly what a cold build of the same input writes.

One synthetic publication is built, edited and rebuilt in place (cache kept between builds, as
CI keeps it); after each edit a copy without any cache is built cold, and the two sites must be
identical byte for byte. The edits are to one claim, a topic, a speaker and the verdict scale:
each must invalidate every page that shows what changed, and nothing may go stale."""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from generator.synth import synthesize
from tests.conftest import mkdocs_build

SOURCE_DATE_EPOCH = "1795392000"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cold_build(root: Path, work: Path) -> dict[str, bytes]:
    copy = work / "cold"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".factcheck-cache", ".site.*"))
    return tree(mkdocs_build(copy))


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def reused_pages(caplog: pytest.LogCaptureFixture) -> int:
    found = re.findall(r"(\d+) unchanged page\(s\) reused", caplog.text)
    caplog.clear()
    return int(found[-1])


def first_claim_with(root: Path, test) -> tuple[str, dict]:
    for path in sorted((root / "claims").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if test(data):
            return path.stem, data
    raise AssertionError("no such claim in the synthetic corpus")


def set_label(levels: list, rating: str, label: str) -> None:
    next(level for level in levels if level["id"] == rating)["label"] = label


EDITS = {
    "claim": lambda root: edit_yaml(root / "claims" / "claim-00003.yaml",
                                    lambda d: d["verdict"].update(summary="Edited: " + d["verdict"]["summary"])),
    "topic": lambda root: edit_yaml(root / "data" / "topics.yaml",
                                    lambda d: d["topic-02"].update(name="Renamed topic Ωmega")),
    "speaker": lambda root: edit_yaml(root / "data" / "speakers.yaml",
                                      lambda d: d["speaker-004"].update(name="Renamed Speaker Ærø")),
    "verdict scale": lambda root: edit_yaml(root / "data" / "verdicts.yaml",
                                            lambda d: set_label(d, "disputed", "Contested Ξ")),
}
SHOWN = {"claim": "Edited: ", "topic": "Renamed topic Ωmega", "speaker": "Renamed Speaker Ærø",
         "verdict scale": "Contested Ξ"}


@pytest.fixture
def publication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    root = synthesize(36, tmp_path / "pub", seed=11, speakers=12, topics=5)
    return root


def test_rebuilds_reuse_the_cache_and_match_a_cold_build_after_every_kind_of_edit(
        publication: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.factcheck")
    root, work = publication, tmp_path / "work"
    work.mkdir()
    first = tree(mkdocs_build(root))
    assert reused_pages(caplog) == 0
    again = tree(mkdocs_build(root))
    assert again == first
    claim_pages = sum(1 for name in first if name.startswith("claims/") and name.endswith("index.html"))
    reusable = reused_pages(caplog)
    assert reusable > claim_pages == 36

    for edit, apply in EDITS.items():
        apply(root)
        incremental = tree(mkdocs_build(root))
        reused = reused_pages(caplog)
        cold = cold_build(root, work)
        assert incremental.keys() == cold.keys(), edit
        differing = [name for name in cold if incremental[name] != cold[name]]
        assert not differing, f"after editing the {edit}, stale files: {differing[:10]}"
        shown = [name for name, data in incremental.items()
                 if name.startswith("claims/") and SHOWN[edit].encode() in data]
        assert shown, f"the {edit} edit reaches at least one claim page"
        assert incremental != first
        assert 0 < reused < reusable, f"the {edit} edit reuses the pages it does not touch"
        first = incremental


def test_changing_a_hand_written_page_rerenders_every_page_that_shows_the_navigation(publication: Path,
                                                                                    tmp_path: Path) -> None:
    root = publication
    mkdocs_build(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Methodology: methodology.md",
                                                                 "How we rate: methodology.md"), encoding="utf-8")
    incremental = tree(mkdocs_build(root))
    assert b"How we rate" in incremental["claims/claim-00000/index.html"]
    assert incremental == cold_build(root, tmp_path)
    assert os.environ["SOURCE_DATE_EPOCH"] == SOURCE_DATE_EPOCH


def test_a_first_build_leaves_a_spare_of_its_pages_and_the_next_builds_keep_unchanged_pages_in_place(
        publication: Path) -> None:
    root = publication
    site = mkdocs_build(root)
    spare = root / ".factcheck-cache" / "spare-site"
    assert (spare / "claims" / "claim-00000" / "index.html").read_bytes() == \
        (site / "claims" / "claim-00000" / "index.html").read_bytes()
    assert not (spare / "index.html").exists(), "the first spare holds generated pages only"
    mkdocs_build(root)  # takes the spare as staging folder; the first site becomes the spare
    unchanged = site / "claims" / "claim-00001" / "index.html"
    before = unchanged.stat().st_ino
    EDITS["claim"](root)
    mkdocs_build(root)
    assert unchanged.stat().st_ino == before, "an unchanged page stays where it was, not linked anew"
    assert not [p.name for p in root.iterdir() if ".staging" in p.name]
    deadline = time.monotonic() + 60
    while [p for p in root.iterdir() if "trash" in p.name] and time.monotonic() < deadline:
        time.sleep(0.1)  # the replaced output is deleted by a process of its own
    assert not [p.name for p in root.iterdir() if "trash" in p.name]


def test_a_tampered_spare_is_sorted_through_and_the_site_still_matches_a_cold_build(publication: Path,
                                                                                    tmp_path: Path) -> None:
    """Nothing in the spare is trusted: only files that are the cached output itself are kept."""
    root = publication
    mkdocs_build(root)
    mkdocs_build(root)
    spare = root / ".factcheck-cache" / "spare-site"
    page = spare / "claims" / "claim-00002" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.unlink()
    page.write_text(text.replace("</h1>", " (forged)</h1>", 1), encoding="utf-8")  # same path, new file
    (spare / "claims" / "claim-00004" / "stray.js").write_text("alert(1)", encoding="utf-8")
    (spare / "claims" / "claim-99999").mkdir()
    (spare / "claims" / "claim-99999" / "index.html").write_text("a claim that does not exist", encoding="utf-8")
    (spare / "claims" / "claim-00005" / "outside").symlink_to(tmp_path)
    (spare / "topics" / "index.html").write_text("stale list", encoding="utf-8")
    (spare / "leftover.html").write_text("not from this build", encoding="utf-8")
    (spare / ".factcheck-kept-notes.html").write_text("a file under the name of a hidden folder", encoding="utf-8")
    (spare / ".factcheck-kept-speakers").mkdir()  # as a build that failed half way would leave it
    (spare / ".factcheck-kept-speakers" / "junk.html").write_text("junk", encoding="utf-8")
    EDITS["claim"](root)
    incremental = tree(mkdocs_build(root))
    assert incremental == cold_build(root, tmp_path / "work")
    assert not any("forged" in name or "stray" in name or "99999" in name for name in incremental)


def test_serve_rebuilds_in_place_and_match_a_fresh_serve_build(publication: Path, tmp_path: Path) -> None:
    """Under `mkdocs serve` the output folder is rebuilt in place: unchanged pages stay."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    def serve_build(root: Path, site: Path) -> dict[str, bytes]:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            build(config, serve_url="http://127.0.0.1:8000/")
        finally:
            config.plugins.on_shutdown()
        return tree(site)

    root, site = publication, tmp_path / "served"
    first = serve_build(root, site)
    inodes = {name: (site / name).stat().st_ino for name in first if name.startswith(("claims/", "cards/"))}
    assert any(name.startswith("cards/") for name in inodes), "share cards are on in this publication"
    EDITS["speaker"](root)
    incremental = serve_build(root, site)
    assert incremental != first
    same = [name for name in inodes if incremental.get(name) == first[name]]
    assert len(same) > len(inodes) // 2 and any(name.startswith("cards/") for name in same)
    assert [name for name in same if (site / name).stat().st_ino != inodes[name]] == []
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("site", ".factcheck-cache"))
    assert incremental == serve_build(fresh, tmp_path / "fresh-served")
