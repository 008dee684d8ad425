"""The search index in bundles (generator/search.py), built by the real MkDocs and the real Pagefind.

- A rebuild with the cache indexes again only the bundles holding a changed claim page, and writes
  exactly what a cold build of the same input writes: the `pagefind/` tree, the share cards, the
  whole site. Edits covered: a claim's text, its analysis, its verdict and its speaker (which change
  Pagefind filter values), deleting, adding and replacing claims, growing past a bundle threshold
  and shrinking below one, and deleting every claim.
- Reverting an edit takes the earlier bundle back from the cache, indexing nothing.
- Two cold builds in separate processes (Pagefind lists filter values in hash-map order, which
  changes from run to run) write byte-identical `pagefind/` trees, filters included.
- When Pagefind fails, the build fails naming the bundle and Pagefind's own message, and the
  published site stays as it was.

A synthetic publication of 24 claims with six claims a bundle gives four bundles; a 25th claim
makes eight. Builds run in-process (`mkdocs_build`) so that `search.BUNDLE_CLAIMS` can be set;
the indexer and Pagefind run in processes of their own all the same.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator import pagecache, search
from generator.synth import synthesize

from .conftest import REPO, engine_command, mkdocs_build, tree

SOURCE_DATE_EPOCH = "1795392000"
CLAIMS = 24
PER_BUNDLE = 6
"""bundle_count(24) is 4 at six claims a bundle (6 * 4 == 24): a 25th claim doubles it."""
LOG = re.compile(r"search index: (\d+) bundle\(s\), (\d+) indexed again")
NEW_WORD = "Wombatburg"
FILTERS = ["speaker", "topic", "verdict"]
RENDER_CHUNK = pagecache._render_chunk


@dataclass
class Built:
    site: dict[str, bytes]
    bundles: int
    indexed: int
    """What the build log reports: bundles in the site, and how many of them Pagefind indexed."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Path:
    monkeypatch.setattr(search, "BUNDLE_CLAIMS", PER_BUNDLE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    caplog.set_level("INFO", logger="mkdocs.plugins.factcheck")
    return synthesize(CLAIMS, tmp_path / "pub", seed=11, speakers=8, topics=4)


def build(root: Path, caplog: pytest.LogCaptureFixture) -> Built:
    caplog.clear()
    site = mkdocs_build(root)
    found = LOG.findall(caplog.text)
    assert len(found) == 1, f"one search index line per build, got {found}"
    return Built(tree(site), int(found[0][0]), int(found[0][1]))


def cold(root: Path, work: Path, caplog: pytest.LogCaptureFixture) -> Built:
    """A build of a copy of `root` in a fresh folder, without the cache or the published site."""
    copy = work / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy,
                    ignore=shutil.ignore_patterns("site", ".factcheck-cache", ".site*", ".factcheck-trash-*"))
    built = build(copy, caplog)
    assert built.indexed == built.bundles, "a cold build indexes every bundle"
    return built


def part(site: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    return {name: data for name, data in site.items() if name.startswith(prefix)}


def assert_same(incremental: dict[str, bytes], cold_site: dict[str, bytes]) -> None:
    """The search index, the share cards and the whole site, byte for byte."""
    for prefix in (f"{search.FOLDER}/", "cards/", ""):
        mine, theirs = part(incremental, prefix), part(cold_site, prefix)
        what = prefix or "the site"
        assert sorted(mine.keys() ^ theirs.keys()) == [], f"{what}: files only in one build"
        assert [name for name in mine if mine[name] != theirs[name]] == [], f"{what}: files that differ"


def bundle_folders(site: dict[str, bytes]) -> list[str]:
    return sorted({name.split("/")[1] + "/" for name in site if name.count("/") >= 2
                   and name.startswith(f"{search.FOLDER}/")}, key=lambda folder: int(folder[:-1]))


def listed(site: dict[str, bytes]) -> list[str]:
    bundles: list[str] = json.loads(site[f"{search.FOLDER}/bundles.json"])["bundles"]
    return bundles


def fragments_with(site: dict[str, bytes], word: str) -> set[str]:
    """The bundles with a page whose indexed text (Pagefind's fragment files) holds `word`."""
    return {name.split("/")[1] for name, data in site.items()
            if "/fragment/" in name and word.lower().encode() in gzip.decompress(data).lower()}


def claim_ids(root: Path) -> set[str]:
    return {path.stem for path in (root / "claims").glob("*.yaml")}


def bundle_of(cid: str, claims: int) -> str:
    return str(search.bundle_of(cid, search.bundle_count(claims)))


def expected(before: set[str], after: set[str]) -> tuple[int, int]:
    """(bundles, bundles indexed again) the generator promises when claims come and go: a bundle is
    indexed again when it gained or lost a claim, and all of them are when their number changes."""
    count = search.bundle_count(len(after))
    present = {search.bundle_of(cid, count) for cid in after}
    if count != search.bundle_count(len(before)):
        return len(present), len(present)
    return len(present), len(present & {search.bundle_of(cid, count) for cid in before ^ after})


def edit_claim(root: Path, cid: str, change: Callable[[dict], None]) -> None:
    path = root / "claims" / f"{cid}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def other_rating(data: dict) -> str:
    return "accurate" if data["verdict"]["rating"] != "accurate" else "unsupported"


def other_speaker(data: dict) -> str:
    return "speaker-007" if data["statement"]["speaker"] != "speaker-007" else "speaker-006"


EDITS: dict[str, Callable[[dict], None]] = {
    "claim text": lambda d: d.update(claim=f"{d['claim']} in {NEW_WORD}"),
    "analysis": lambda d: d.update(analysis=f"{d['analysis']}\n\nNobody in {NEW_WORD} said so.\n"),
    "verdict": lambda d: d["verdict"].update(rating=other_rating(d)),
    "speaker": lambda d: d["statement"].update(speaker=other_speaker(d)),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_editing_one_claim_indexes_its_bundle_again_and_equals_a_cold_build(
        kind: str, project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = build(project, caplog)
    assert (first.bundles, first.indexed) == (4, 4)
    assert listed(first.site) == bundle_folders(first.site) == ["0/", "1/", "2/", "3/"]
    unchanged = build(project, caplog)
    assert (unchanged.bundles, unchanged.indexed) == (4, 0), "an unchanged publication indexes nothing"
    assert unchanged.site == first.site

    cid = "claim-00003"
    edit_claim(project, cid, EDITS[kind])
    incremental = build(project, caplog)
    assert (incremental.bundles, incremental.indexed) == (4, 1), "only the edited claim's bundle is indexed again"
    assert_same(incremental.site, cold(project, tmp_path / "work", caplog).site)

    edited = bundle_of(cid, CLAIMS)
    for folder in listed(first.site):
        prefix = f"{search.FOLDER}/{folder}"
        before, after = part(first.site, prefix), part(incremental.site, prefix)
        if folder == f"{edited}/":
            assert before != after, "the edited claim's bundle changed"
        else:
            assert before == after, f"bundle {folder} holds no edited page and stays as it was"
    if kind in ("claim text", "analysis"):
        assert fragments_with(first.site, NEW_WORD) == set()
        assert fragments_with(incremental.site, NEW_WORD) == {edited}, "the new text is indexed, in its bundle"


def delete(*cids: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for cid in cids:
            (root / "claims" / f"{cid}.yaml").unlink()
    return change


def add(*cids: str) -> Callable[[Path], None]:
    """New claims, copies of claim-00003 with a claim text of their own (the same quote, which its
    archived source holds)."""
    def change(root: Path) -> None:
        for cid in cids:
            data = yaml.safe_load((root / "claims" / "claim-00003.yaml").read_text(encoding="utf-8"))
            data["claim"] = f"A claim added as {cid} about {NEW_WORD}"
            (root / "claims" / f"{cid}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                          encoding="utf-8")
    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for each in changes:
            each(root)
    return change


EVERY = tuple(f"claim-{n:05d}" for n in range(CLAIMS))
CHANGES: dict[str, tuple[Callable[[Path], None], int]] = {
    # kind: (the change, the number of claims after it)
    "delete a claim": (delete("claim-00005"), CLAIMS - 1),
    "replace a claim": (both(delete("claim-00005"), add("claim-added-1")), CLAIMS),
    "add a claim past the threshold": (add("claim-added-1"), CLAIMS + 1),
    "shrink below a threshold": (delete(*EVERY[:13]), CLAIMS - 13),
    "delete every claim": (delete(*EVERY), 0),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_deleting_and_adding_claims_equals_a_cold_build(kind: str, project: Path, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    first = build(project, caplog)
    assert (first.bundles, first.indexed) == (4, 4)
    before = claim_ids(project)
    change, count = CHANGES[kind]
    change(project)
    after = claim_ids(project)
    assert len(after) == count
    incremental = build(project, caplog)
    bundles, indexed = expected(before, after)
    assert (incremental.bundles, incremental.indexed) == (bundles, indexed)
    if kind in ("delete a claim", "replace a claim"):
        assert incremental.bundles == 4 and 0 < incremental.indexed < 4, "only the changed bundles"
    if kind == "add a claim past the threshold":
        assert search.bundle_count(count) == 8 and incremental.bundles > 4, "the index was split again"
    if kind == "delete every claim":
        assert incremental.bundles == 0
    assert listed(incremental.site) == bundle_folders(incremental.site)
    inputs = project / ".factcheck-cache" / "search-input"
    kept = {entry.name.removesuffix(".json") for entry in inputs.iterdir()} if inputs.is_dir() else set()
    assert kept <= {f"{n}-of-{search.bundle_count(count)}" for n in range(search.bundle_count(count))}, \
        "Pagefind inputs of bundles the publication no longer has are dropped"
    assert_same(incremental.site, cold(project, tmp_path / "work", caplog).site)


def test_reverting_an_edit_takes_the_earlier_bundle_back_from_the_cache(project: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    first = build(project, caplog)
    path = project / "claims" / "claim-00003.yaml"
    original = path.read_text(encoding="utf-8")
    edit_claim(project, "claim-00003", EDITS["analysis"])
    edited = build(project, caplog)
    assert (edited.bundles, edited.indexed) == (4, 1)
    assert fragments_with(edited.site, NEW_WORD) == {bundle_of("claim-00003", CLAIMS)}
    path.write_text(original, encoding="utf-8")
    reverted = build(project, caplog)
    assert (reverted.bundles, reverted.indexed) == (4, 0), "every bundle is in the cache"
    assert reverted.site == first.site


# reproducible output ------------------------------------------------------------------------------

HARNESS = """
import runpy, sys
from generator import search
search.BUNDLE_CLAIMS = int(sys.argv[1])
sys.argv = sys.argv[2:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""
"""Runs the engine's command line (`python -m mkdocs ...`) with BUNDLE_CLAIMS set first."""


def build_in_a_process(root: Path) -> dict[str, bytes]:
    command = engine_command("build", "--strict", "-f", str(root / "mkdocs.yml"))
    assert command[1] == "-m"
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPO)]))}
    result = subprocess.run([command[0], "-c", HARNESS, str(PER_BUNDLE), *command[2:]], cwd=root, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert LOG.findall(result.stderr) == [("4", "4")], result.stderr[-3000:]
    return tree(root / "site")


def cbor_file(data: bytes) -> object:
    import cbor2

    raw = gzip.decompress(data)
    assert raw.startswith(b"pagefind_dcd")
    return cbor2.loads(raw[len(b"pagefind_dcd"):])


def test_two_cold_builds_in_separate_processes_write_the_same_index(tmp_path: Path) -> None:
    """Pagefind writes the values of each filter in hash-map order, which changes from process to
    process; `search.canonical` sorts them. Two builds of copies of one publication in fresh
    folders, each in a process of its own, give the same bytes, and every bundle has its filters."""
    synthesize(CLAIMS, tmp_path / "one", seed=11, speakers=8, topics=4)
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    one = part(build_in_a_process(tmp_path / "one"), f"{search.FOLDER}/")
    two = part(build_in_a_process(tmp_path / "two"), f"{search.FOLDER}/")
    assert sorted(one.keys() ^ two.keys()) == [], "the same file names"
    assert [name for name in one if one[name] != two[name]] == [], "the same bytes"

    folders = listed(one)
    assert folders == bundle_folders(one) and len(folders) == 4, "bundles.json lists every bundle folder"
    for folder in folders:
        inside = part(one, f"{search.FOLDER}/{folder}")
        filters = [name for name in inside if "/filter/" in name]
        assert len(filters) == len(FILTERS), f"bundle {folder}: a filter file for verdict, topic and speaker"
        entry = json.loads(inside[f"{search.FOLDER}/{folder}pagefind-entry.json"])
        meta = cbor_file(inside[f"{search.FOLDER}/{folder}pagefind.{entry['languages']['en']['hash']}.pf_meta"])
        assert isinstance(meta, list)
        named = meta[3]
        assert [name for name, _ in named] == FILTERS
        for name, chunk in named:
            content = cbor_file(inside[f"{search.FOLDER}/{folder}filter/{chunk}.pf_filter"])
            assert isinstance(content, list) and content[0] == name
            values = [str(value) for value, _ in content[-1]]
            assert values and values == sorted(values), f"bundle {folder}: {name} values, sorted"


def _render_slowly(jobs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Claim rendering in a worker, made slow enough that the indexer starts while it still works
    on any machine (module-level: the pool sends it to the worker by name)."""
    time.sleep(0.3)
    return RENDER_CHUNK(jobs)


def test_pagefind_waits_for_the_claim_renderer_and_the_index_is_the_same(
        project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """When claim pages are rendered on other cores while MkDocs writes (as at 10,000 claims; here
    forced at 24), the indexer holds Pagefind back until the renderer's workers have finished, then
    indexes every bundle: the site, search index included, is byte for byte what a build that
    renders every page itself writes."""
    plain = cold(project, tmp_path / "plain", caplog)
    holds: list[bool] = []
    releases: list[bool] = []
    start, release = search.SearchIndex.start, search.SearchIndex.release

    def start_and_note(index: search.SearchIndex, site: Path, *, hold: bool = False) -> None:
        holds.append(hold)
        start(index, site, hold=hold)

    def release_and_note(index: search.SearchIndex) -> None:
        releases.append(index.holding)
        release(index)

    monkeypatch.setattr(search.SearchIndex, "start", start_and_note)
    monkeypatch.setattr(search.SearchIndex, "release", release_and_note)
    monkeypatch.setattr(pagecache, "PARALLEL_RENDER", 2)
    monkeypatch.setattr(pagecache.BackgroundRender, "CHUNK", 4)
    monkeypatch.setattr(pagecache, "_render_chunk", _render_slowly)
    rendered_aside = cold(project, tmp_path / "aside", caplog)
    assert holds == [True], "the indexer was started holding Pagefind back"
    assert True in releases, "and let go once the renderer was done"
    assert (rendered_aside.bundles, rendered_aside.indexed) == (plain.bundles, plain.indexed) == (4, 4)
    assert_same(rendered_aside.site, plain.site)


# failures ---------------------------------------------------------------------------------------

BLOCKING_HOOK = """\
from pathlib import Path

from mkdocs.plugins import event_priority


@event_priority(-100)  # after the factcheck plugin has cleared the output folder
def on_files(files, config):
    folder = Path(config.site_dir) / "pagefind"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "{number}").write_text("not a folder", encoding="utf-8")
"""


def _fails_publishing_nothing(project: Path, caplog: pytest.LogCaptureFixture, first: Built) -> None:
    """Build `project` (one claim edited since `first`), which must stop: nothing published, no
    staging folder left behind."""
    from mkdocs.exceptions import Abort

    caplog.clear()
    with pytest.raises(Abort):
        mkdocs_build(project)
    assert tree(project / "site") == first.site, "nothing was published"
    assert not [p.name for p in project.iterdir() if p.name.startswith(".site")], "no staging folder left"


def _goes_through(project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Build `project` again, which must index the edited claim's bundle only and equal a cold build."""
    again = build(project, caplog)
    assert (again.bundles, again.indexed) == (4, 1)
    assert_same(again.site, cold(project, tmp_path / "work", caplog).site)


def test_when_pagefind_fails_the_build_fails_and_publishes_nothing(project: Path, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind stops with an error (here: a setting of its own it cannot read, from the
    environment). The error names the bundle and carries Pagefind's message; the published site
    stays as it was, and neither a staging folder nor a bundle written aside is left behind."""
    first = build(project, caplog)
    cid = "claim-00003"
    edit_claim(project, cid, EDITS["analysis"])
    number = bundle_of(cid, CLAIMS)
    monkeypatch.setenv("PAGEFIND_KEEP_INDEX_URL", "maybe")
    _fails_publishing_nothing(project, caplog, first)
    assert "factcheck: pagefind failed (" in caplog.text and f"on bundle {number}:" in caplog.text
    assert "Error loading Pagefind config" in caplog.text, "Pagefind's own message is shown"

    monkeypatch.delenv("PAGEFIND_KEEP_INDEX_URL")
    _goes_through(project, tmp_path, caplog)
    assert not list((project / "site").glob(".factcheck-search-*")), "no bundle left aside"


def test_when_another_plugin_writes_where_a_bundle_goes_the_build_fails_and_publishes_nothing(
        project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Another plugin (an MkDocs hook here) writes a file straight into the output folder where a
    bundle goes, after the files were checked. Pagefind writes the bundle aside and it cannot be
    put in its place: the error names the bundle and its folder; the published site stays as it
    was, and no staging folder (nor a bundle written aside) is left behind."""
    first = build(project, caplog)
    cid = "claim-00003"
    edit_claim(project, cid, EDITS["analysis"])
    number = bundle_of(cid, CLAIMS)
    settings = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "blocking_hook.py").write_text(BLOCKING_HOOK.format(number=number), encoding="utf-8")
    (project / "mkdocs.yml").write_text(settings + "\nhooks:\n  - blocking_hook.py\n", encoding="utf-8")
    _fails_publishing_nothing(project, caplog, first)
    assert f"factcheck: search bundle {number} goes to pagefind/{number}/ in the site, which is taken" in caplog.text

    (project / "mkdocs.yml").write_text(settings, encoding="utf-8")
    _goes_through(project, tmp_path, caplog)


def test_when_a_search_input_cannot_be_written_the_build_fails_and_publishes_nothing(
        project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A file stands where a stale bundle's Pagefind input folder goes (in the cache): the build
    fails naming the page it could not write, without a traceback, and publishes nothing; once the
    file is gone, the build goes through and equals a cold build."""
    from mkdocs.exceptions import Abort

    first = build(project, caplog)
    cid = "claim-00003"
    edit_claim(project, cid, EDITS["analysis"])
    inputs = project / ".factcheck-cache" / "search-input"
    blocker = inputs / f"{bundle_of(cid, CLAIMS)}-of-{search.bundle_count(CLAIMS)}"
    assert blocker.is_dir(), "the bundle's input folder is kept between builds"
    shutil.rmtree(blocker)
    blocker.write_text("not a folder", encoding="utf-8")
    caplog.clear()
    with pytest.raises(Abort):
        mkdocs_build(project)
    assert f"factcheck: could not write the search input of claims/{cid}/index.html" in caplog.text
    assert "Traceback" not in caplog.text
    assert tree(project / "site") == first.site, "nothing was published"

    blocker.unlink()
    again = build(project, caplog)
    assert (again.bundles, again.indexed) == (4, 1)
    assert_same(again.site, cold(project, tmp_path / "work", caplog).site)


@pytest.mark.parametrize("where", ["content", "theme_overrides"])
def test_a_file_where_the_search_index_goes_is_refused(project: Path, where: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """A hand-written page or a theme file under pagefind/ would collide with the index (Pagefind
    fails on it, or a reused bundle replaces it without a word): the build refuses it by name,
    says how to fix it and publishes nothing; once it is moved, the build goes through."""
    from mkdocs.exceptions import Abort

    first = build(project, caplog)
    if where == "theme_overrides":
        settings = (project / "mkdocs.yml").read_text(encoding="utf-8")
        overrides = project / "overrides"
        shutil.copytree(REPO / "theme_overrides", overrides)
        (overrides / search.FOLDER).mkdir()
        ours = f"custom_dir: {REPO / 'theme_overrides'}"
        assert ours in settings
        (project / "mkdocs.yml").write_text(settings.replace(ours, f"custom_dir: {overrides}"), encoding="utf-8")
        stray = overrides / search.FOLDER / "notes.txt"
    else:
        (project / "content" / search.FOLDER).mkdir()
        stray = project / "content" / search.FOLDER / "notes.txt"
    stray.write_text("my notes\n", encoding="utf-8")
    caplog.clear()
    with pytest.raises(Abort):
        mkdocs_build(project)
    assert f"factcheck: {stray}: would be published in {search.FOLDER}/, where the search index goes" in caplog.text
    assert "search_index: never" in caplog.text, "the message says how to go on"
    assert tree(project / "site") == first.site, "nothing was published"

    stray.rename(stray.parent.parent / "notes.txt")
    again = build(project, caplog)
    assert f"{search.FOLDER}/notes.txt" not in again.site


def test_a_search_page_made_for_the_single_index_is_refused(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A publication made by an earlier version has a search page that loads Pagefind's ready-made
    interface from the single index, which the site no longer has: its search would break without
    a word. The build names the page and what to copy instead, and publishes nothing."""
    from mkdocs.exceptions import Abort

    first = build(project, caplog)
    page = project / "content" / "search.md"
    current = page.read_text(encoding="utf-8")
    page.write_text("# Search\n\n<div id=\"search\"></div>\n"
                    '<link rel="stylesheet" href="../pagefind/pagefind-ui.css">\n'
                    '<script src="../pagefind/pagefind-ui.js"></script>\n', encoding="utf-8")
    caplog.clear()
    with pytest.raises(Abort):
        mkdocs_build(project)
    assert "factcheck: search.md: loads Pagefind's ready-made interface (pagefind-ui.js)" in caplog.text
    assert "factcheck init NEW-FOLDER" in caplog.text and "search.js" in caplog.text
    assert tree(project / "site") == first.site, "nothing was published"

    page.write_text(current + "\nEarlier versions loaded pagefind-ui.js.\n", encoding="utf-8")
    again = build(project, caplog)  # a mention is not a use
    assert b"Earlier versions loaded pagefind-ui.js." in again.site["search/index.html"]


@pytest.mark.parametrize("named", [None, "/opt/pagefind/bin/pagefind"])
def test_the_pagefind_binary_is_the_one_the_pagefind_package_picks(named: str | None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`search.pagefind_binary` repeats the lookup of the pagefind package without importing it
    (it imports asyncio); the two agree, with and without PAGEFIND_BINARY_PATH."""
    from pagefind.service import get_executable

    if named is None:
        monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    else:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", named)
    found = search.pagefind_binary()
    assert found == get_executable()
    assert found is not None and (named is not None or found.is_file())
