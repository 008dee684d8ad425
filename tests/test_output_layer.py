"""The output layer, the cache keys and the plugin's contract with MkDocs, tested directly and
through real builds: published files share nothing with the cache, serve rebuilds equal fresh
builds, a site without our theme overrides still gets its ClaimReview."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from generator import keys, urls
from generator.output import Output, kept, spare
from generator.quotes import SourceText
from generator.synth import synthesize
from tests.conftest import mkdocs_build, tree

SOURCE_DATE_EPOCH = "1795392000"


@pytest.fixture
def publication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    return synthesize(20, tmp_path / "pub", seed=7, speakers=6, topics=3)


def cold(root: Path, work: Path) -> dict[str, bytes]:
    copy = work / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy,
                    ignore=shutil.ignore_patterns("site", ".factcheck-cache", ".site*", ".factcheck-trash-*"))
    return tree(mkdocs_build(copy))


def store_digest(root: Path) -> str:
    store = root / ".factcheck-cache" / "output"
    return keys.digest(*(keys.digest(p.name, p.read_bytes()) for p in sorted(store.iterdir()) if p.is_file()))


# the output layer, directly ---------------------------------------------------------------------------
def test_plan_reuses_stored_files_and_produces_the_rest(tmp_path: Path) -> None:
    out = Output(tmp_path / "site", store=tmp_path / "store", staged=True)
    assert out.folder != out.target and out.folder.parent == out.target.parent
    assert out.store is not None
    (tmp_path / "page.html").write_text("stored page", encoding="utf-8")
    out.store.put_file("k1", str(tmp_path / "page.html"))
    plan = out.plan({"a/index.html": "k1", "b/index.html": "k2"})
    assert plan.reuse == {"a/index.html": "k1"} and plan.produce == {"b/index.html": "k2"}
    out.clear()
    out.restore(skip=set())
    (out.folder / "b").mkdir()
    (out.folder / "b" / "index.html").write_text("new page", encoding="utf-8")
    out.commit({"b/index.html": "k2"})
    site = tmp_path / "site"
    assert (site / "a" / "index.html").read_text(encoding="utf-8") == "stored page"
    assert out.store.has("k2") and Path(out.store.path("k2")).read_text(encoding="utf-8") == "new page"
    for name, key in (("a", "k1"), ("b", "k2")):
        assert (site / name / "index.html").stat().st_ino != os.stat(out.store.path(key)).st_ino
    assert not out.folder.exists()


def test_abort_leaves_the_published_site_as_it_was(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("published", encoding="utf-8")
    out = Output(site, store=None, staged=True)
    out.clear()
    (out.folder / "index.html").write_text("half written", encoding="utf-8")
    out.abort()
    assert (site / "index.html").read_text(encoding="utf-8") == "published"
    assert not out.folder.exists()


def test_restore_skips_files_that_mkdocs_writes_itself(tmp_path: Path) -> None:
    out = Output(tmp_path / "site", store=tmp_path / "store", staged=False)
    assert out.store is not None
    (tmp_path / "x").write_text("stored", encoding="utf-8")
    out.store.put_file("k", str(tmp_path / "x"))
    out.plan({"p/index.html": "k", "q/index.html": "k"})
    out.clear()
    out.restore(skip={"q/index.html"})
    out.settle()
    assert (out.folder / "p" / "index.html").is_file() and not (out.folder / "q").exists()


# urls ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("src", "directory_urls", "url", "output"), [
    ("index.md", True, "", "index.html"),
    ("claims/a-claim.md", True, "claims/a-claim/", "claims/a-claim/index.html"),
    ("claims/a-claim.md", False, "claims/a-claim.html", "claims/a-claim.html"),
    ("topics/index.md", True, "topics/", "topics/index.html"),
    ("topics/index.md", False, "topics/", "topics/index.html"),
])
def test_page_urls_and_output_files(src: str, directory_urls: bool, url: str, output: str) -> None:
    assert urls.page_url(src, directory_urls) == url
    assert urls.output_file(src, directory_urls) == output


@pytest.mark.parametrize(("here", "there", "link"), [
    ("claims/a/", "claims/b/", "../b/"),
    ("claims/a/", "topics/t/", "../../topics/t/"),
    ("", "claims/a/", "claims/a/"),
    ("topics/", "", "../"),
    ("claims/a/", "claims/a/", "./"),
])
def test_relative_links(here: str, there: str, link: str) -> None:
    assert urls.relative(here, there) == link


def test_card_and_absolute_urls() -> None:
    assert urls.card_path("x") == "cards/x.png"
    assert urls.absolute("https://example.org/", "claims/x/") == "https://example.org/claims/x/"
    assert urls.absolute("https://example.org", "") == "https://example.org/"


# the quote normaliser ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("quote", "found"), [
    ("He said “we are ready”.", True),
    ('He said "we are ready".', True),
    ("He said  \"we are\nready\".", True),
    ("ready — or not", True),
    ("ready - or not", True),
    ("He said [...] ready", True),
    ("He said we are not ready", False),
])
def test_quote_normaliser(quote: str, found: bool) -> None:
    text = SourceText("He said “we are ready”. Then: ready – or not.")
    assert text.check(quote).found is found


# key derivation ------------------------------------------------------------------------------------------
def test_digest_parts_are_unambiguous() -> None:
    assert keys.digest("ab", "c") != keys.digest("a", "bc")
    assert keys.digest("a") == keys.digest(b"a")
    assert keys.value_digest({"b": 1, "a": 2}) == keys.value_digest({"a": 2, "b": 1})


def test_tree_digest_covers_every_file_and_new_ones(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n", encoding="utf-8")
    first = keys.tree_digest(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text("<p>", encoding="utf-8")
    second = keys.tree_digest(tmp_path)
    (tmp_path / "templates" / "t.html").write_text("<p>!", encoding="utf-8")
    third = keys.tree_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    assert len({first, second, third}) == 3 and keys.tree_digest(tmp_path) == third
    assert keys.tree_digest(tmp_path / "missing") == keys.tree_digest(None)


def test_code_digest_is_the_whole_package() -> None:
    package = Path(keys.__file__).parent
    assert keys.code_digest() == keys.tree_digest(package)
    assert any(p.suffix == ".html" for p in (package / "templates").iterdir())


def test_distributions_follow_requirements_and_the_named_modules() -> None:
    found = keys.distributions()
    for name in ("factcheck-desk", "mkdocs", "pydantic", "pyyaml", "jinja2", "markupsafe", "pagefind-bin"):
        assert name in found, name
    assert "pytest" not in found, "development extras are not part of the build"
    assert "pymdown-extensions" in keys.distributions(["pymdownx"])
    build = keys.BuildKeys.derive(config={"a": 1})
    assert build.output != keys.BuildKeys.derive(config={"a": 2}).output
    assert build.content == keys.BuildKeys.derive(config={"a": 2}).content


# through real builds ------------------------------------------------------------------------------------
def test_a_published_file_written_in_place_never_comes_back_and_leaves_the_cache_alone(
        publication: Path, tmp_path: Path) -> None:
    site = mkdocs_build(publication)
    mkdocs_build(publication)
    before = store_digest(publication)
    page, card = site / "claims" / "claim-00001" / "index.html", site / "cards" / "claim-00001.png"
    for path in (page, card):
        with open(path, "r+b") as handle:  # in place: same file, same inode
            handle.seek(0)
            handle.write(b"POISONED")
    assert store_digest(publication) == before, "writing a published file does not touch the cache"
    for _ in range(2):
        built = tree(mkdocs_build(publication))
        assert not any(data.startswith(b"POISONED") for data in built.values())
        assert store_digest(publication) == before
    assert built == cold(publication, tmp_path / "work")


def serve_build(root: Path, site: Path) -> dict[str, bytes]:
    """One rebuild as `mkdocs serve` makes it (in this process, like the server's rebuilds)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
    finally:
        config.plugins.on_shutdown()
    return tree(site)


def test_serve_rebuilds_equal_a_fresh_serve_build(publication: Path, tmp_path: Path) -> None:
    site = tmp_path / "served"
    first = serve_build(publication, site)
    path = publication / "data" / "speakers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["speaker-003"]["name"] = "Renamed Speaker"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = serve_build(publication, site)
    assert again != first and any(b"Renamed Speaker" in v for v in again.values())
    fresh = tmp_path / "fresh"
    shutil.copytree(publication, fresh, ignore=shutil.ignore_patterns("site", ".factcheck-cache", ".factcheck-trash-*"))
    assert again == serve_build(fresh, tmp_path / "fresh-served")


def test_a_hand_written_page_change_reaches_every_page(publication: Path, tmp_path: Path) -> None:
    mkdocs_build(publication)
    config = publication / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Methodology: methodology.md",
                                                                 "How we rate: methodology.md"), encoding="utf-8")
    built = tree(mkdocs_build(publication))
    assert b"How we rate" in built["claims/claim-00000/index.html"]
    assert built == cold(publication, tmp_path / "work")


def test_without_our_theme_overrides_each_claim_page_has_exactly_one_claimreview(publication: Path) -> None:
    config = publication / "mkdocs.yml"
    text, count = re.subn(r"\n  custom_dir: [^\n]+", "", config.read_text(encoding="utf-8"))
    assert count == 1
    config.write_text(text, encoding="utf-8")
    site = mkdocs_build(publication)
    pages = sorted((site / "claims").glob("*/index.html"))
    assert len(pages) == 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert len(re.findall(r'"@type":\s*"ClaimReview"', html)) == 1, page
        assert html.count('property="og:title"') == 1


def test_with_the_plugin_disabled_nothing_is_generated(publication: Path) -> None:
    config = publication / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"plugins:\n  - factcheck\n", "plugins:\n  - factcheck:\n      enabled: false\n", text),
                      encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    loaded = load_config(str(config), strict=False)  # the generated pages the nav names are missing
    build(loaded)
    site = publication / "site"
    assert (site / "index.html").is_file()
    assert not (site / "claims").exists() and not (publication / ".factcheck-cache").exists()


def test_without_the_cache_option_nothing_is_kept(publication: Path, tmp_path: Path) -> None:
    config = publication / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"plugins:\n  - factcheck\n", "plugins:\n  - factcheck:\n      cache: false\n", text),
                      encoding="utf-8")
    built = tree(mkdocs_build(publication))
    assert not (publication / ".factcheck-cache").exists()
    assert hashlib.sha256(b"".join(built.values())).hexdigest() == hashlib.sha256(
        b"".join(cold(publication, tmp_path / "work").values())).hexdigest()


def test_a_rebuild_keeps_unchanged_files_in_place_and_never_a_tampered_one(publication: Path, tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """The third build starts from the first build's site (the spare): unchanged files stay where
    they are, and any file of the spare that was touched after it was written is replaced."""
    caplog.set_level("INFO", logger="mkdocs.plugins.factcheck")
    site = mkdocs_build(publication)
    first_page = (site / "claims" / "claim-00002" / "index.html")
    text = first_page.read_text(encoding="utf-8")
    mkdocs_build(publication)  # the first site becomes the spare
    spare = publication / ".factcheck-cache" / "spare-site"
    assert (spare / "claims" / "claim-00002" / "index.html").read_text(encoding="utf-8") == text
    forged = spare / "claims" / "claim-00002" / "index.html"
    forged.unlink()
    forged.write_text(text.replace("</h1>", " (forged)</h1>", 1), encoding="utf-8")  # same path, new file
    page = spare / "claims" / "claim-00003" / "index.html"
    stamp = page.stat()
    with open(page, "r+b") as handle:  # in place, same size, modification time set back
        handle.write(b"<")  # pages start with a newline: one byte changed
    os.utime(page, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    (spare / "claims" / "claim-00004" / "stray.js").write_text("alert(1)", encoding="utf-8")
    (spare / "claims" / "claim-00005" / "outside").symlink_to(tmp_path)
    (spare / "leftover.html").write_text("not from this build", encoding="utf-8")
    caplog.clear()
    built = tree(mkdocs_build(publication))
    kept = int(re.findall(r"\((\d+) of them kept in place\)", caplog.text)[-1])
    assert kept > 20, "most files stay in place"
    assert built == cold(publication, tmp_path / "work")
    assert not any("stray" in name or "outside" in name or "leftover" in name for name in built)


def test_serve_rebuilds_keep_files_in_place(publication: Path, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="mkdocs.plugins.factcheck")
    site = tmp_path / "served"
    serve_build(publication, site)
    serve_build(publication, site)
    page = site / "claims" / "claim-00001" / "index.html"
    inode = page.stat().st_ino
    caplog.clear()
    serve_build(publication, site)
    assert page.stat().st_ino == inode, "an unchanged page stays where it is under mkdocs serve"
    assert int(re.findall(r"\((\d+) of them kept in place\)", caplog.text)[-1]) > 20


# the spare after a cold build (generator/output/spare.py) ------------------------------------------
def reuse_figures(log: str) -> tuple[int, int]:
    """(files reused from the cache, of them kept in place) as the last build logged them."""
    reused, kept = re.findall(r"(\d+) unchanged file\(s\) reused from the cache \((\d+) of them kept in place\)",
                              log)[-1]
    return int(reused), int(kept)


def test_a_cold_build_leaves_a_spare_and_the_next_build_keeps_every_unchanged_file(
        publication: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that replaced no site starts a detached process that copies the site's files from the
    store into a spare. The next build waits for it, keeps every unchanged file in place instead of
    copying them all, and writes what a cold build writes. The spare's files are copies."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FACTCHECK_WITHOUT")
    caplog.set_level("INFO", logger="mkdocs.plugins.factcheck")
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache"
    spare.wait(cache)  # what the next build does first
    made = cache / spare.SPARE
    assert made.is_dir() and (cache / "manifests" / "spare.pickle").is_file()
    assert not spare.making(cache).exists() and not (cache / f"{spare.MAKING}.pid").exists()
    files = [p for p in made.rglob("*") if p.is_file()]
    assert len(files) > 40 and all(p.stat().st_nlink == 1 for p in files), "copies, never links to the store"
    _every_published_file_is_stored(publication)

    claim = publication / "claims" / "claim-00003.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    caplog.clear()
    built = tree(mkdocs_build(publication))
    reused, kept_here = reuse_figures(caplog.text)
    assert kept_here == reused > 40, "every unchanged file stays where the spare has it"
    assert built == cold(publication, tmp_path / "work")
    spare.wait(cache)
    _every_published_file_is_stored(publication)  # the rebuild's new files too (it leaves no maker)


def test_a_build_clears_what_a_stopped_spare_maker_left(publication: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A maker that stopped half-way (killed, the machine restarted) leaves a folder without a
    manifest and the number of a process that is gone: the next build throws both away and copies
    what it needs from the store."""
    import subprocess
    import sys

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FACTCHECK_WITHOUT")
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache"
    spare.wait(cache)
    shutil.rmtree(cache / spare.SPARE)
    (cache / "manifests" / "spare.pickle").unlink()
    half = spare.making(cache) / "claims" / "claim-00001"
    half.mkdir(parents=True)
    (half / "index.html").write_text("half written", encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (cache / f"{spare.MAKING}.pid").write_text(gone, encoding="utf-8")
    built = tree(mkdocs_build(publication))
    assert built == cold(publication, tmp_path / "work")
    assert b"half written" not in b"".join(built.values())
    assert not (cache / f"{spare.MAKING}.pid").exists() and not spare.making(cache).exists()


def test_in_ci_a_cold_build_leaves_no_spare(publication: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI job builds once: a spare would only be saved with the cache."""
    monkeypatch.delenv("FACTCHECK_WITHOUT")
    monkeypatch.setenv("CI", "true")
    mkdocs_build(publication)
    cache = publication / ".factcheck-cache"
    assert not (cache / spare.SPARE).exists() and not spare.making(cache).exists()
    _every_published_file_is_stored(publication)  # by the build itself


def _every_published_file_is_stored(publication: Path) -> None:
    """Each file of the site's manifest has a copy of its bytes in the store (not a link)."""
    cache, site = publication / ".factcheck-cache", publication / "site"
    manifest = kept.load(cache / "manifests" / "site.pickle")
    assert len(manifest) > 40
    for path, (key, _) in manifest.items():
        stored = cache / "output" / key
        assert stored.read_bytes() == (site / path).read_bytes(), path
        assert stored.stat().st_ino != (site / path).stat().st_ino


def test_a_file_edited_while_the_spare_maker_copies_it_is_not_stored(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The signature is checked again after the copy: an edit during the copy leaves it out."""
    store, page = tmp_path / "store", tmp_path / "index.html"
    store.mkdir()
    page.write_bytes(b"<p>as built</p>")
    signature = kept.signature(str(page))
    copy = shutil.copyfile

    def copy_then_edit(source: str, dest: str) -> str:
        copied = copy(source, dest)
        time.sleep(0.01)  # past the file system's clock tick
        with open(source, "r+b") as handle:  # an editor saves while the copy finishes
            handle.write(b"<p>EDITED!</p>")
        return copied

    monkeypatch.setattr(spare.shutil, "copyfile", copy_then_edit)
    assert spare.store(str(page), str(store / "k1"), signature) is False
    assert list(store.iterdir()) == [], "neither the copy nor its temporary file stays"


def test_a_spare_maker_whose_cache_was_deleted_writes_nothing_into_a_new_one(tmp_path: Path) -> None:
    """The cache deleted while its spare maker works, and made again by a new build: the maker
    sees that the cache is no longer its own, stores nothing there, leaves no spare, and leaves the
    new build's files alone."""
    import pickle

    site, cache = tmp_path / "site", tmp_path / ".factcheck-cache"
    (cache / "output").mkdir(parents=True)
    site.mkdir()
    (site / "a.html").write_bytes(b"<p>old build</p>")
    signature = kept.signature(str(site / "a.html"))
    fill = [(str(site / "a.html"), str(cache / "output" / "k1"), signature)]
    jobs = [(str(cache / "output" / "k1"), "a.html", "k1")]
    (cache / f"{spare.MAKING}.jobs").write_bytes(pickle.dumps((fill, jobs)))
    (cache / f"{spare.MAKING}.token").write_text("the new build's maker", encoding="ascii")
    spare.making(cache).mkdir()
    assert spare.main([str(cache), "the old maker"]) == 1
    assert list((cache / "output").iterdir()) == [] and not (cache / spare.SPARE).exists()
    assert (cache / f"{spare.MAKING}.token").read_text(encoding="ascii") == "the new build's maker"
    (cache / f"{spare.MAKING}.token").write_text("the old maker", encoding="ascii")  # its own cache after all
    assert spare.main([str(cache), "the old maker"]) == 0
    assert (cache / "output" / "k1").read_bytes() == b"<p>old build</p>" and (cache / spare.SPARE / "a.html").exists()
    assert not any((cache / name).exists() for name in spare.FILES)


def test_the_spare_maker_stores_a_published_file_only_as_the_build_wrote_it(tmp_path: Path) -> None:
    """After a cold build the spare maker copies the build's files into the store from the published
    site: a file edited in place since (same size, new content) is left out, for the next build
    to produce again; an untouched one is stored as a copy."""
    site, store = tmp_path / "site", tmp_path / "store"
    store.mkdir()
    (site / "a").mkdir(parents=True)
    untouched, edited = site / "a" / "index.html", site / "edited.html"
    untouched.write_bytes(b"<p>as built</p>")
    edited.write_bytes(b"<p>as built</p>")
    signatures = {p: kept.signature(str(p)) for p in (untouched, edited)}
    time.sleep(0.01)  # past the file system's clock tick, as any later edit is
    with open(edited, "r+b") as handle:  # in place: same inode, same size
        handle.write(b"<p>EDITED!</p>")
    assert spare.store(str(untouched), str(store / "k1"), signatures[untouched]) is True
    assert spare.store(str(edited), str(store / "k2"), signatures[edited]) is False
    assert (store / "k1").read_bytes() == b"<p>as built</p>" and not (store / "k2").exists()
    assert (store / "k1").stat().st_ino != untouched.stat().st_ino
    assert sorted(p.name for p in store.iterdir()) == ["k1"], "no temporary file left"
