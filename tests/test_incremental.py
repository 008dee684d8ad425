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
