"""A rebuild that keeps the cache writes exactly what a cold build of the same input writes.

Each test builds a synthetic publication with its own copy of the `generator` package (so that
the code itself can be edited), makes one kind of edit, rebuilds with the cache kept, and compares
the site byte for byte with a cold build of a copy that has no cache. Builds run `mkdocs build` in
a subprocess, as a user or CI does, with the package copy first on the import path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import generator
from generator.synth import synthesize

from .conftest import engine_command, tree

SOURCE_DATE_EPOCH = "1795392000"
PACKAGE = Path(generator.__file__).parent


class Project:
    """A synthetic publication, the package copy it builds with, and a folder for fake libraries."""

    def __init__(self, root: Path, code: Path, libraries: Path):
        self.root, self.code, self.libraries = root, code, libraries

    def build(self, root: Path | None = None) -> tuple[dict[str, bytes], int]:
        """Build `root` (default: the project) strictly; return the site and how many files were reused."""
        root = root or self.root
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
               "PYTHONPATH": os.pathsep.join([str(self.libraries), str(self.code)])}
        result = subprocess.run(engine_command("build", "--strict", "-f", str(root / "mkdocs.yml")),
                                capture_output=True, text=True, env=env, timeout=300, check=False, cwd=root)
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"{self.code}" in _imported_from(env, root), "the build must use the package copy"
        found = re.findall(r"(\d+) unchanged file\(s\) reused", result.stderr)
        return tree(root / "site"), int(found[-1])

    def cold(self, work: Path) -> dict[str, bytes]:
        copy = work / "cold"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(self.root, copy,
                        ignore=shutil.ignore_patterns("site", ".factcheck-cache", ".site*", ".factcheck-trash-*"))
        site, reused = self.build(copy)
        assert reused == 0
        return site


def _imported_from(env: dict[str, str], cwd: Path) -> str:
    return subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"],
                          capture_output=True, text=True, env=env, check=True, cwd=cwd).stdout


@pytest.fixture
def project(tmp_path: Path) -> Project:
    code, libraries = tmp_path / "code", tmp_path / "libraries"
    shutil.copytree(PACKAGE, code / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    libraries.mkdir()
    root = synthesize(24, tmp_path / "pub", seed=11, speakers=8, topics=4)
    return Project(root, code, libraries)


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_label(levels: list[dict], rating: str, label: str) -> None:
    next(level for level in levels if level["id"] == rating)["label"] = label


def first_seed(p: Project) -> Path:
    return sorted((p.root / "seeds").glob("*.txt"))[0]


def publish_newest(p: Project) -> None:
    """Move a claim's publication date to the newest of any claim: it moves up every list and feed."""
    newest = max(yaml.safe_load(f.read_text(encoding="utf-8"))["published"] for f in (p.root / "claims").glob("*.yaml"))
    edit_yaml(p.root / "claims" / "claim-00003.yaml", lambda d: d.update(published=newest))


def edit_source_text(p: Project) -> None:
    """Append a sentence to an archived source's text: quotes still verify, pages do not change."""
    path = first_seed(p)
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence added to the archived text.\n", encoding="utf-8")


def add_helper_module(p: Project) -> None:
    """A new module, imported by the templates' environment and used by a filter on claim pages."""
    (p.code / "generator" / "fc_helper.py").write_text('def stamp():\n    return "Helper text one"\n',
                                                       encoding="utf-8")
    replace_in(p.code / "generator" / "html.py", '    env.filters["markdown"] = markdown_html\n',
               '    from .fc_helper import stamp\n    env.globals["fc_stamp"] = stamp\n'
               '    env.filters["markdown"] = markdown_html\n')
    template = p.code / "generator" / "templates" / "claim.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n<p>{{ fc_stamp() }}</p>\n", encoding="utf-8")


REPO = PACKAGE.parent


def add_publication_file(p: Project) -> None:
    shutil.copy(REPO / "data" / "publication.yaml", p.root / "data" / "publication.yaml")


def edit_publication_summary(p: Project) -> None:
    """The publication's summary shows in every page's footer."""
    edit_yaml(p.root / "data" / "publication.yaml", lambda d: d.update(summary="An edited summary Ωmega."))


def fake_library_version(p: Project) -> None:
    """nh3 (the HTML sanitiser), as the build sees it, is now another version: its metadata comes
    first on the path. The code is the same, so the pages are too, but nothing may be reused."""
    from importlib import metadata

    dist = p.libraries / "nh3-999.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: nh3\nVersion: 999.0\n", encoding="utf-8")
    assert metadata.version("nh3") != "999.0"


HOOK = """\
def on_page_content(html, page, config, files):
    return html + "<p>Hook text one</p>"
"""


def add_hook(p: Project) -> None:
    """An MkDocs hook (a Python file of the project, named in mkdocs.yml) that adds to every page."""
    (p.root / "fc_hook.py").write_text(HOOK, encoding="utf-8")
    settings = p.root / "mkdocs.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\nhooks:\n  - fc_hook.py\n", encoding="utf-8")


EDITS: dict[str, tuple[Callable[[Project], None] | None, Callable[[Project], None], str | None]] = {
    # kind: (set-up before the first build, the edit, text the edit must put on some claim page)
    "claim": (None, lambda p: edit_yaml(p.root / "claims" / "claim-00003.yaml",
                                        lambda d: d["verdict"].update(summary="Edited: " + d["verdict"]["summary"])),
              "Edited: "),
    "claim date": (None, publish_newest, None),
    "topic": (None, lambda p: edit_yaml(p.root / "data" / "topics.yaml",
                                        lambda d: d["topic-02"].update(name="Renamed topic Ωmega")),
              "Renamed topic Ωmega"),
    "speaker": (None, lambda p: edit_yaml(p.root / "data" / "speakers.yaml",
                                          lambda d: d["speaker-004"].update(name="Renamed Speaker Ærø")),
                "Renamed Speaker Ærø"),
    "verdict scale": (None, lambda p: edit_yaml(p.root / "data" / "verdicts.yaml",
                                                lambda d: set_label(d, "disputed", "Contested Ξ")), "Contested Ξ"),
    "source text": (None, edit_source_text, None),
    "publication": (add_publication_file, edit_publication_summary, "An edited summary Ωmega."),
    "template": (None, lambda p: replace_in(p.code / "generator" / "templates" / "claim.html", "</h1>",
                                            " <small>(template edited)</small></h1>"), "(template edited)"),
    # how long a page description may be: a function the renderer calls on every page
    "function in a module": (None, lambda p: replace_in(p.code / "generator" / "render.py",
                                                        "def _shorten(text: str, limit: int = 200)",
                                                        "def _shorten(text: str, limit: int = 40)"), None),
    "new module": (add_helper_module, lambda p: replace_in(p.code / "generator" / "fc_helper.py", "Helper text one",
                                                           "Helper text two"), "Helper text two"),
    "dependency version": (None, fake_library_version, None),
    "hook": (add_hook, lambda p: replace_in(p.root / "fc_hook.py", "Hook text one", "Hook text two"),
             "Hook text two"),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_rebuild_after_an_edit_equals_a_cold_build(kind: str, project: Project, tmp_path: Path) -> None:
    setup, edit, shown = EDITS[kind]
    if setup is not None:
        setup(project)
    first, _ = project.build()
    again, reusable = project.build()
    assert again == first and reusable > 24, "an unchanged publication reuses every page and card"
    edit(project)
    incremental, reused = project.build()
    cold = project.cold(tmp_path / "work")
    assert incremental.keys() == cold.keys()
    stale = [name for name in cold if incremental[name] != cold[name]]
    assert stale == [], f"after the {kind} edit, stale files: {stale[:10]}"
    if shown is not None:
        assert any(shown.encode() in data for name, data in incremental.items() if name.startswith("claims/"))
    if kind not in {"source text", "dependency version"}:
        assert incremental != first, f"the {kind} edit shows on the site"
    if kind in {"template", "function in a module", "new module", "dependency version"}:
        assert reused == 0, f"a {kind} change reaches every key"
    elif kind == "hook":  # a hook's code is in every page's key; share cards are drawn without MkDocs
        assert reused == sum(1 for name in cold if name.startswith("cards/")) > 0
    elif kind == "claim":
        assert 0 < reused < reusable

