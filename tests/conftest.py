"""Shared fixtures: a copy of the publication in a temporary folder, and a real MkDocs build of it.

Also the one place that decides what the suite runs on and what it may skip:

- the engine (`FACTCHECK_ENGINE=mkdocs|properdocs`, default MkDocs if installed): selected here, before any
  test module imports `mkdocs`, so in-process builds use it; subprocesses run `engine_command(...)`;
- outside tools (Java, Chromium, the Node web checkers): tests ask for them through `need()` and the
  fixtures below, which provision what they can (`npm ci` in tools/web) and otherwise skip with one line
  naming the command that enables them;
- `FACTCHECK_REQUIRE_ALL=1` (set by .ci/run) turns every skip, whatever its cause, into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Generator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator import compat

REPO = Path(__file__).resolve().parent.parent
ENGINE = compat.select()
REQUIRE_ALL = "FACTCHECK_REQUIRE_ALL"
WEB_TOOLS = REPO / "tools" / "web"


def engine_command(*args: str) -> list[str]:
    """The command line running the selected engine's CLI (`python -m mkdocs ...` or `python -m properdocs ...`);
    every test that runs the engine by name goes through this."""
    return [*compat.command(ENGINE), *args]


def need(available: object, reason: str) -> None:
    """Skip the calling test unless `available` is truthy. `reason` is one line naming what is missing and
    the command that provides it; under FACTCHECK_REQUIRE_ALL=1 the skip becomes a failure."""
    if not available:
        pytest.skip(reason)


def _require_all() -> bool:
    return os.environ.get(REQUIRE_ALL, "").strip() not in ("", "0")


def _refuse_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skipped report into a failure that still says why it would have skipped."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"{reason}\n{REQUIRE_ALL}=1 (set by .ci/run) refuses skipped tests: provide what is missing"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    if isinstance(report, pytest.TestReport) and report.skipped and not hasattr(report, "wasxfail") \
            and _require_all():
        _refuse_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, object, object]:
    report = yield
    if isinstance(report, pytest.CollectReport) and report.skipped and _require_all():
        _refuse_skip(report)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Last line of defence: a run with FACTCHECK_REQUIRE_ALL=1 that still counted a skip fails."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if _require_all() and skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _no_spare_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that replaces no site leaves a spare for the next one, made by a detached process
    (generator/output/spare.py). Tests delete, copy and commit caches right after their builds,
    so the spare is made only in the tests that test it (they set FACTCHECK_WITHOUT back)."""
    monkeypatch.setenv("FACTCHECK_WITHOUT", "spare-maker")


@pytest.fixture(scope="session")
def web_tools() -> Path:
    """tools/web/node_modules (Nu Html Checker, axe-core at the versions package-lock.json pins), installed
    with `npm ci` on first use when missing and npm is available."""
    modules = WEB_TOOLS / "node_modules"
    if not (modules / ".package-lock.json").is_file():
        npm = shutil.which("npm")
        need(npm, "needs Node's npm for the web checkers: apt-get install npm (then tests run `npm ci` in tools/web)")
        result = subprocess.run([str(npm), "ci", "--no-audit", "--no-fund"], cwd=WEB_TOOLS, capture_output=True,
                                text=True, timeout=600, check=False)
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        need(result.returncode == 0, f"`npm ci` in tools/web failed ({last}); run it by hand: cd tools/web && npm ci")
    return modules


@pytest.fixture(scope="session")
def nu_checker(request: pytest.FixtureRequest) -> list[str]:
    """The command running the Nu Html Checker (vnu.jar from tools/web) with Java."""
    java = shutil.which("java")
    need(java, "needs Java for the Nu Html Checker: apt-get install default-jre-headless")
    jar = request.getfixturevalue("web_tools") / "vnu-jar" / "build" / "dist" / "vnu.jar"
    need(jar.is_file(), f"{jar.relative_to(REPO)} is missing: cd tools/web && npm ci")
    return [str(java), "-jar", str(jar)]


PUBLICATION_PARTS = ["mkdocs.yml", "content", "claims", "data", "seeds", "theme_overrides", "admin"]


def copy_publication(target: Path, *, claims: bool = True) -> Path:
    """Copy the repository's publication files (not the generator) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PUBLICATION_PARTS:
        source = REPO / part
        if part == "claims" and not claims:
            (target / "claims").mkdir(exist_ok=True)
            continue
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def mkdocs_build(root: Path, site_dir: Path | None = None, **overrides) -> Path:
    """Run the real build in-process with the selected engine, strict, as `mkdocs build --strict` does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = site_dir or root / "site"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True, **overrides)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site


@pytest.fixture
def publication(tmp_path: Path) -> Path:
    return copy_publication(tmp_path / "pub")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own publication, built once per test session."""
    root = copy_publication(tmp_path_factory.mktemp("built") / "pub")
    return mkdocs_build(root)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self.blockquotes = 0
        self._in_jsonld = False
        self._buffer: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "blockquote":
            self.blockquotes += 1
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_jsonld, self._buffer = True, []
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content", "")
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs.get("href")

    def handle_data(self, data):
        if self._in_jsonld:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_jsonld:
            self.jsonld.append("".join(self._buffer))
            self._in_jsonld = False


def parse_page(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def claim_reviews(path: Path) -> list[dict]:
    """Every JSON-LD block of a page, parsed strictly."""
    return [json.loads(block) for block in parse_page(path).jsonld]


def text_of(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path -> bytes), for comparing whole sites."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
