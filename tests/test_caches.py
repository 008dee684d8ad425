"""The caches and the background work that make large publications fast change nothing that is
published or reported: each is compared with the plain path on the same input."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import corpus as corpus_module
from generator import pagecache as pagecache_module
from generator.cli import main
from generator.synth import synthesize
from tests.conftest import mkdocs_build, tree

SOURCE_DATE_EPOCH = "1795392000"


@pytest.fixture
def publication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    return synthesize(30, tmp_path / "pub", seed=5, speakers=10, topics=4)


def test_claims_rendered_in_the_background_match_claims_rendered_in_turn(
        publication: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = tree(mkdocs_build(publication, site_dir=tmp_path / "serial"))
    shutil.rmtree(publication / ".factcheck-cache")
    started = []
    real_init = pagecache_module.BackgroundRender.__init__

    def spy(self, renderer, cache, jobs, count):
        started.append(len(jobs))
        real_init(self, renderer, cache, jobs, count)

    monkeypatch.setattr(pagecache_module, "PARALLEL_RENDER", 1)
    monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pagecache_module.BackgroundRender, "__init__", spy)
    monkeypatch.setattr(pagecache_module.BackgroundRender, "CHUNK", 4)
    background = tree(mkdocs_build(publication, site_dir=tmp_path / "background"))
    assert started == [30], "every claim page went to the background workers"
    assert background.keys() == serial.keys()
    assert [name for name in serial if serial[name] != background[name]] == []


def _validate(root: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, list[dict]]:
    code = main(["--root", str(root), "validate", "--format", "json", *extra])
    report = json.loads(capsys.readouterr().out or "[]")
    return code, report


def _rename_speaker(root: Path, old: str, new: str) -> None:
    path = root / "data" / "speakers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"{old}:", f"{new}:", 1), encoding="utf-8")


def _claim(root: Path, index: int) -> Path:
    return sorted((root / "claims").glob("*.yaml"))[index]


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-processes"])
def test_validation_with_the_check_cache_reports_exactly_what_a_full_check_reports(
        publication: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, parallel: bool) -> None:
    if parallel:  # workers take files in interleaved chunks and return them out of order
        monkeypatch.setattr(corpus_module, "PARALLEL_THRESHOLD", 1)
    root = publication
    # Problems of every stage: YAML syntax, the model, cross-file references, a quote.
    _claim(root, 0).write_text("claim: [unclosed\n", encoding="utf-8")
    second = _claim(root, 1)
    second.write_text(second.read_text(encoding="utf-8").replace("rating: ", "rating: no-such-", 1), encoding="utf-8")
    third = _claim(root, 2)
    data = yaml.safe_load(third.read_text(encoding="utf-8"))
    data["statement"]["quote"] = "Words that no archived article contains."
    third.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    edits = [
        lambda: None,  # nothing changed: everything from the cache
        lambda: _claim(root, 3).write_text(_claim(root, 3).read_text(encoding="utf-8").replace(
            "summary: ", "summary: Edited. ", 1), encoding="utf-8"),
        # A data file changes: every claim is checked again against it, from the cached parse.
        lambda: _rename_speaker(root, "speaker-003", "speaker-003-renamed"),
        lambda: _claim(root, 0).write_text(_claim(root, 4).read_text(encoding="utf-8"), encoding="utf-8"),
    ]
    for step, edit in enumerate(edits):
        edit()
        expected_code, expected = _validate(root, capsys, "--no-cache")
        for attempt in ("fills or reads the cache", "reads the cache"):
            code, report = _validate(root, capsys)
            assert (code, report) == (expected_code, expected), f"step {step}: {attempt}"
        assert expected, "the publication has problems to report"
        if step == 2:
            assert any("unknown speaker 'speaker-003'" in d["message"] for d in expected)
    assert (root / ".factcheck-cache" / "checked").is_dir()


def test_a_committed_cache_is_not_read_by_validate(publication: Path, capsys: pytest.CaptureFixture) -> None:
    root = publication
    assert main(["--root", str(root), "validate"]) == 0
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-f", ".factcheck-cache"], cwd=root, check=True)
    capsys.readouterr()
    assert main(["--root", str(root), "validate"]) == 2
    assert "the cache folder is committed to the repository" in capsys.readouterr().err
    assert main(["--root", str(root), "validate", "--no-cache"]) == 0


def test_open_data_from_cached_entries_is_what_a_full_export_writes(publication: Path, tmp_path: Path) -> None:
    from generator.build import Build
    from generator.checkcache import CheckCache
    from generator.feeds import csv_export, datafeed, open_data_entries

    build = Build.from_settings(root=publication, site_name="Synthetic", site_url="https://example.org/",
                                cache_dir=None)
    corpus, renderer = build.corpus, build.renderer
    keys = {cid: renderer.keys.claim(cid) for cid in corpus.claims}
    fresh = open_data_entries(corpus, build.site, renderer.scale_bounds, keys, CheckCache(tmp_path / "od"))
    cached = open_data_entries(corpus, build.site, renderer.scale_bounds, keys, CheckCache(tmp_path / "od"))
    assert cached == fresh
    whole = datafeed(corpus, build.site, renderer.scale_bounds)
    assert datafeed(corpus, build.site, renderer.scale_bounds, cached) == whole
    assert len(json.loads(whole)["dataFeedElement"]) == len(corpus.claims) == 30
    assert csv_export(corpus, build.site, cached) == csv_export(corpus, build.site)


def test_atom_feeds_from_the_cache_are_what_fresh_feeds_are(publication: Path, tmp_path: Path) -> None:
    from generator.build import Build
    from generator.checkcache import CheckCache
    from generator.feeds import open_data_assets

    build = Build.from_settings(root=publication, site_name="Synthetic", site_url="https://example.org/",
                                cache_dir=None)
    corpus, renderer = build.corpus, build.renderer
    keys = {cid: renderer.keys.claim(cid) for cid in corpus.claims}

    def feeds(**cache) -> dict[str, bytes]:
        assets = open_data_assets(corpus, build.site, renderer.scale_bounds, **cache)
        return {path: b"".join(chunks) for path, chunks in assets.items() if path.startswith("feeds/")}

    fresh = feeds()
    assert len(fresh) == 1 + len(corpus.topics) and all(b"<entry>" in text for text in fresh.values())
    assert feeds(keys=keys, cache=CheckCache(tmp_path / "feeds")) == fresh
    stored = CheckCache(tmp_path / "feeds")
    assert len(stored.entries) == len(fresh)
    assert feeds(keys=keys, cache=stored) == fresh
    # Another site address changes every feed's id and links, even a topic's with no claims.
    from generator.render import SiteInfo

    moved = SiteInfo("Synthetic", "https://moved.example/")
    elsewhere = open_data_assets(corpus, moved, renderer.scale_bounds)
    from_cache = open_data_assets(corpus, moved, renderer.scale_bounds, keys=keys,
                                  cache=CheckCache(tmp_path / "feeds"), context="another context")
    assert {p: b"".join(c) for p, c in from_cache.items() if p.startswith("feeds/")} == \
        {p: b"".join(c) for p, c in elsewhere.items() if p.startswith("feeds/")}


def test_a_process_reuses_cache_shards_it_read_only_while_their_files_are_unchanged(tmp_path: Path) -> None:
    """`mkdocs serve` rebuilds in one process: unchanged shard files are not unpickled again, and a
    shard written by another process is read again. A one-off build keeps nothing."""
    import os
    import pickle

    from generator.checkcache import CheckCache, code_fingerprint, remember_shards

    folder = tmp_path / "checked"
    remember_shards(False)
    alone = CheckCache(tmp_path / "alone")
    alone.put("cd" * 32, {"claim": ["parsed"]})
    alone.save(prune=False)
    assert CheckCache(tmp_path / "alone").entries["cd" * 32] is not alone.entries["cd" * 32], "read from the file"
    remember_shards(True)
    first = CheckCache(folder)
    value = {"claim": ["parsed"]}
    first.put("ab" * 32, value)
    first.save(prune=False)
    again = CheckCache(folder)
    assert again.entries == {"ab" * 32: value}
    assert again.entries["ab" * 32] is value, "read from this process's memory"
    shard = next(folder.glob("shard-*.pickle"))
    temporary = shard.with_name("other-process.tmp")
    temporary.write_bytes(pickle.dumps({"code": code_fingerprint(), "entries": {"ab" * 32: "changed elsewhere"}}))
    os.replace(temporary, shard)
    assert CheckCache(folder).entries == {"ab" * 32: "changed elsewhere"}
    remember_shards(False)


def test_a_torn_or_foreign_stored_page_is_rendered_again(publication: Path, tmp_path: Path) -> None:
    """A page-cache file that is cut short, or holds something else than a stored page, is never
    published: the page is rendered again, as a cold build renders it."""
    cold = tree(mkdocs_build(publication, site_dir=tmp_path / "cold"))
    cache = publication / ".factcheck-cache"
    stored = sorted(path for path in (cache / "rendered").glob(f"*{pagecache_module.ClaimCache.SUFFIX}")
                    if not path.name.startswith("_"))  # claim pages (index pages are stored as _<key>)
    assert len(stored) == 30
    stored[0].write_bytes(stored[0].read_bytes()[:100])  # torn
    stored[1].write_bytes(pickle.dumps(["not", "a", "page"]))  # foreign
    stored[2].write_bytes(pickle.dumps({"key": 42, "html": "<p>not this</p>"}))
    shutil.rmtree(cache / "output")  # every page is written again, from the stored bodies
    again = tree(mkdocs_build(publication, site_dir=tmp_path / "again"))
    assert again.keys() == cold.keys()
    assert [name for name in cold if cold[name] != again[name]] == []


def test_templates_are_read_once_for_each_version_of_the_package(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's templates are not looked up on disk at every use; a build of another version of
    the package (its digest changed, as in `mkdocs serve` after a template was edited) reads them again."""
    from jinja2 import FileSystemLoader

    from generator import html

    env = html.environment()
    assert env.auto_reload is False
    monkeypatch.setattr(env, "loader", FileSystemLoader(str(tmp_path)))
    template = tmp_path / "page.html"
    template.write_text("first", encoding="utf-8")
    assert html.environment_for("digest one").get_template("page.html").render() == "first"
    template.write_text("edited", encoding="utf-8")
    assert html.environment_for("digest one").get_template("page.html").render() == "first"
    assert html.environment_for("digest two").get_template("page.html").render() == "edited"
    html.environment_for("")  # the next build reads the package's own templates again


def test_compiled_templates_are_kept_for_the_next_process_while_their_source_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cache, Jinja keeps the templates it compiled in a folder: a later process (here, a
    build of another digest, which forgets the templates in memory) compiles none that is unchanged,
    and an edited one again."""
    from jinja2 import Environment, FileSystemLoader

    from generator import html

    env = html.environment()
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(env, "loader", FileSystemLoader(str(tmp_path / "templates")))
    compiles: list[str | None] = []
    compile_source = Environment.compile

    def counted(self: Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiles.append(name)
        return compile_source(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counted)
    template, compiled = tmp_path / "templates" / "page.html", tmp_path / "cache" / "jinja"
    kept = html.compiled_templates(tmp_path / "cache")  # the folder `compiled`
    template.write_text("first {{ 1 + 1 }}", encoding="utf-8")
    assert html.environment_for("one", kept).get_template("page.html").render() == "first 2"
    assert compiles == ["page.html"] and len(list(compiled.iterdir())) == 1
    assert html.environment_for("two", kept).get_template("page.html").render() == "first 2"
    assert compiles == ["page.html"], "the compiled template was taken from the folder"
    template.write_text("edited {{ 2 + 2 }}", encoding="utf-8")
    assert html.environment_for("three", kept).get_template("page.html").render() == "edited 4"
    assert compiles == ["page.html", "page.html"]
    html.environment_for("")  # the next build reads the package's own templates again, with no folder
    assert env.bytecode_cache is None


def test_pages_stored_as_json_by_earlier_versions_are_deleted_once(tmp_path: Path) -> None:
    """Earlier versions stored pages as JSON beside their index: the first save deletes them."""
    folder = tmp_path / "rendered"
    folder.mkdir()
    for name in ("claim-1.json", "_index-page.json", pagecache_module.ClaimCache.LEGACY_INDEX):
        (folder / name).write_text("{}", encoding="utf-8")
    store = pagecache_module.ClaimCache(folder)
    store.record("claim-1", "key", "claims/claim-1.md", "claim", "A claim")
    store.save()
    assert sorted(path.name for path in folder.iterdir()) == [pagecache_module.ClaimCache.INDEX]
