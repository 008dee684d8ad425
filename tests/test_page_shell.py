"""Generated pages put in a shell of the theme's page (generator/pageshell.py) are the pages the
theme renders, byte for byte; where a theme override shows more of a page than the shell follows,
its pages are rendered by the theme, or the build stops and publishes nothing.

Each test builds the same publication with the shell and without it (`FACTCHECK_WITHOUT`), with
no cache, so that every page is rendered, and compares the whole sites."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from generator import pageshell
from generator.synth import synthesize

from .conftest import REPO, copy_publication, mkdocs_build, tree

SHELL_LOG = "put in a shell of the theme's page"


def _without_cache(root: Path) -> Path:
    """No cache, so that every page is rendered, in both builds; its own copy of the theme overrides."""
    settings = root / "mkdocs.yml"
    text = settings.read_text(encoding="utf-8").replace("  - factcheck\n", "  - factcheck:\n      cache: false\n", 1)
    text = text.replace(f"custom_dir: {REPO / 'theme_overrides'}", "custom_dir: theme_overrides")
    settings.write_text(text, encoding="utf-8")
    if not (root / "theme_overrides").exists():
        shutil.copytree(REPO / "theme_overrides", root / "theme_overrides")
    return root


def _both(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          caplog: pytest.LogCaptureFixture) -> tuple[dict[str, bytes], dict[str, bytes], str]:
    """The site built with the shell, the site built by the theme alone, and the shell's log line."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.factcheck"):
        shelled = tree(mkdocs_build(root, tmp_path / "shelled"))
    line = next((r.getMessage() for r in caplog.records if SHELL_LOG in r.getMessage()), "")
    monkeypatch.setenv("FACTCHECK_WITHOUT", "spare-maker,page-shell")
    rendered = tree(mkdocs_build(root, tmp_path / "rendered"))
    return shelled, rendered, line


def _filled(line: str) -> int:
    return int(line.split("factcheck: ", 1)[1].split(maxsplit=1)[0])


def _rendered(line: str) -> int:
    return int(line.rsplit(", ", 1)[1].split(maxsplit=1)[0])


def test_the_publication_in_shells_equals_the_theme_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    root = _without_cache(copy_publication(tmp_path / "pub"))
    shelled, rendered, line = _both(root, tmp_path, monkeypatch, caplog)
    assert shelled.keys() == rendered.keys()
    assert [name for name in rendered if shelled[name] != rendered[name]] == []
    claims = sum(1 for name in rendered if name.startswith("claims/") and name.endswith("/index.html"))
    assert claims > 10 and _filled(line) >= claims - pageshell.CHECKED, line


def test_many_claims_in_shells_equal_the_theme_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """More pages than `SAMPLE`, so that sampled pages are checked too; titles with markup
    characters, which the theme prints escaped in one place and as they are in another."""
    root = _without_cache(synthesize(3 * pageshell.SAMPLE, tmp_path / "pub", seed=11, speakers=20, topics=6))
    claim = sorted((root / "claims").glob("*.yaml"))[-1]
    data = yaml.safe_load(claim.read_text(encoding="utf-8"))
    data["claim"] = 'Tom & Jerry said "<b>no</b>" — it isn’t so'
    claim.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shelled, rendered, line = _both(root, tmp_path, monkeypatch, caplog)
    assert [name for name in rendered if shelled[name] != rendered[name]] == []
    assert b"Tom &amp; Jerry" in rendered[f"claims/{claim.stem}/index.html"]
    assert _filled(line) > 3 * pageshell.SAMPLE - 2 * pageshell.CHECKED, line
    groups = 5  # claims, topics, speakers, verdicts, sources
    assert _rendered(line) >= groups * pageshell.CHECKED + (3 * pageshell.SAMPLE - 2) // pageshell.SAMPLE, \
        "sampled pages were rendered by the theme too"


def test_a_theme_showing_each_pages_address_gets_pages_rendered_by_the_theme(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    root = _without_cache(synthesize(12, tmp_path / "pub", seed=12, speakers=5, topics=3))
    main = root / "theme_overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + '\n{% block footer %}{{ super() }}{% if page and page.file %}'
                    '<p class="fc-where">{{ page.file.src_uri }}</p>{% endif %}{% endblock %}\n', encoding="utf-8")
    shelled, rendered, line = _both(root, tmp_path, monkeypatch, caplog)
    assert [name for name in rendered if shelled[name] != rendered[name]] == []
    first = sorted(name for name in rendered if name.startswith("claims/") and name.endswith("/index.html"))[0]
    assert f'<p class="fc-where">{first[:-len("/index.html")]}.md</p>'.encode() in rendered[first]
    assert _filled(line) == 0, line


def test_a_theme_that_writes_into_a_pages_metadata_keeps_no_marker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A theme override may write into `page.meta` while it renders (as this repository's
    main.html does): what it wrote while the shell's markers stood in for the values is undone."""
    root = _without_cache(synthesize(12, tmp_path / "pub", seed=14, speakers=5, topics=3))
    main = root / "theme_overrides" / "main.html"
    main.write_text('{%- if page and page.meta and not page.meta.description -%}'
                    '{%- set _ = page.meta.update({"description": page.meta.title}) -%}{%- endif -%}\n'
                    + main.read_text(encoding="utf-8"), encoding="utf-8")
    shelled, rendered, line = _both(root, tmp_path, monkeypatch, caplog)
    assert [name for name in rendered if shelled[name] != rendered[name]] == []
    assert not [name for name, data in shelled.items() if b"fcshell" in data]
    first = sorted(name for name in rendered if name.startswith("claims/") and name.endswith("/index.html"))[0]
    assert b'<meta name="description" content="' in rendered[first]
    assert _filled(line) > 0, line


def test_a_theme_deciding_by_a_pages_wording_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """Pages that differ from the first ones by what the shell does not see (here a word of their
    title): a sampled one stops the build, which names it and publishes nothing. Every other page
    is sampled here; `page_shell: false` builds."""
    root = _without_cache(synthesize(12, tmp_path / "pub", seed=13, speakers=5, topics=3))
    for claim in sorted((root / "claims").glob("*.yaml"))[4:]:
        data = yaml.safe_load(claim.read_text(encoding="utf-8"))
        data["claim"] = f"Quokkaville will host the summit, {claim.stem} says"
        claim.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    main = root / "theme_overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + '\n{% block footer %}{{ super() }}'
                    '{% if page and "Quokkaville" in page.meta.title %}<p class="fc-special">Local</p>{% endif %}'
                    '{% endblock %}\n', encoding="utf-8")
    monkeypatch.setattr(pageshell, "SAMPLE", 2)
    with pytest.raises(Abort):
        mkdocs_build(root, tmp_path / "stopped")
    assert re.search(r"factcheck: claims/claim-\d+\.md: the theme shows this page differently from "
                     r"claims/claim-\d+\.md in more than its title", caplog.text), caplog.text
    assert not (tmp_path / "stopped").exists(), "nothing was published"
    settings = root / "mkdocs.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("cache: false", "cache: false\n      page_shell: false"), encoding="utf-8")
    site = mkdocs_build(root, tmp_path / "site")
    assert b'<p class="fc-special">Local</p>' in (site / "claims" / claim.stem / "index.html").read_bytes()


@pytest.mark.parametrize("shell", ["in shells", "rendered by the theme"])
def test_generated_pages_skip_markdown_and_the_site_is_the_same(shell: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated page's body is HTML already: MkDocs' Markdown is not run on it (switch
    `skip-markdown`), and every file of the site is what it is when Markdown runs."""
    from markdown import Markdown

    root = _without_cache(copy_publication(tmp_path / "pub"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    parsers = []
    original_init = Markdown.__init__

    def counted(self: Markdown, *args: object, **kwargs: object) -> None:
        parsers.append(1)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Markdown, "__init__", counted)
    without = "spare-maker" if shell == "in shells" else "spare-maker,page-shell"
    monkeypatch.setenv("FACTCHECK_WITHOUT", without)
    skipped = tree(mkdocs_build(root, tmp_path / "skipped"))
    parsers_skipping = len(parsers)
    monkeypatch.setenv("FACTCHECK_WITHOUT", f"{without},skip-markdown")
    converted = tree(mkdocs_build(root, tmp_path / "converted"))
    claims = sum(1 for name in converted if name.startswith("claims/") and name.endswith("/index.html"))
    assert len(parsers) - 2 * parsers_skipping >= claims > 10, "no parser for a claim page"
    assert skipped.keys() == converted.keys()
    assert [name for name in converted if skipped[name] != converted[name]] == []
