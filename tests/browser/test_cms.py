"""The editing screen, offline: Decap CMS at /admin/ of a real built site, its local backend
(`decap-server` from tools/cms, on 127.0.0.1) writing into a copy of the publication, driven in
Debian's Chromium. A claim created through the form must validate and build into a page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.cli import main

from ..conftest import REPO, copy_publication, mkdocs_build, need

CMS_TOOLS = REPO / "tools" / "cms"
SERVER = CMS_TOOLS / "node_modules" / "decap-server" / "dist" / "index.js"
CLAIM_ID = "lavrov-anchorage-meeting-browser"
SAID = "It was not discussed in Anchorage. It was raised later."
COUNTER = ("I think it’s going to be a good meeting, but the more important meeting will be the second meeting "
           "that we’re having.")


@pytest.fixture(scope="session")
def cms_tools() -> Path:
    """tools/cms/node_modules (decap-server at the version package-lock.json pins), installed with
    `npm ci` on first use when missing and npm is available."""
    if not SERVER.is_file():
        npm = shutil.which("npm")
        need(npm, "needs Node's npm for the CMS's local backend: apt-get install npm (then: cd tools/cms && npm ci)")
        result = subprocess.run([str(npm), "ci", "--no-audit", "--no-fund"], cwd=CMS_TOOLS, capture_output=True,
                                text=True, timeout=900, check=False)
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        need(result.returncode == 0, f"`npm ci` in tools/cms failed ({last}); run it by hand: cd tools/cms && npm ci")
    node = shutil.which("node")
    need(node, "needs Node.js for decap-server: apt-get install nodejs")
    return CMS_TOOLS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"decap-server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"decap-server did not listen on 127.0.0.1:{port}")


@dataclass
class Cms:
    publication: Path
    site: Path
    admin_url: str


@pytest.fixture(scope="module")
def cms(cms_tools: Path, serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cms]:
    """A built site whose /admin/ talks to decap-server, which writes into the publication copy."""
    publication = copy_publication(tmp_path_factory.mktemp("cms") / "pub")
    shutil.copytree(REPO / "admin", publication / "admin", dirs_exist_ok=True)
    site = mkdocs_build(publication, tmp_path_factory.mktemp("cms-site") / "site")
    port = _free_port()
    # Test-only configuration: the local backend instead of GitHub, and direct saves (the local
    # file-system backend has no pull requests), everything else exactly as generated.
    config = yaml.safe_load((site / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["name"] == "github" and config.pop("publish_mode") == "editorial_workflow"
    config["local_backend"] = {"url": f"http://127.0.0.1:{port}/api/v1", "allowed_hosts": ["127.0.0.1"]}
    (site / "admin" / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                               encoding="utf-8")
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(publication), "LOG_LEVEL": "warn"}
    server = subprocess.Popen([shutil.which("node") or "node", str(SERVER)], env=env, cwd=publication)
    try:
        _wait_for_port(port, server)
        yield Cms(publication, site, serve(site) + "admin/")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _field(page, name: str, nth: int = 0) -> str:
    """The element id of the `nth` form field called `name` (Decap numbers its field ids)."""
    label = page.locator(f"label[for^='{name}-field-']").nth(nth)
    return "#" + str(label.get_attribute("for"))


def _pick(page, name: str, typed: str, option: str, nth: int = 0) -> None:
    """Choose `option` in a relation or select widget by typing `typed` into it."""
    page.click(_field(page, name, nth))
    page.keyboard.type(typed)
    page.locator("[class*='option']", has_text=option).first.wait_for()
    page.keyboard.press("Enter")


def _fill_claim_form(page, cms: Cms) -> None:
    page.fill(_field(page, "id"), CLAIM_ID)
    page.fill(_field(page, "claim"), "A Putin–Zelensky meeting was not discussed in Anchorage (via the browser)")
    _pick(page, "speaker", "Lavrov", "Sergey Lavrov")
    page.fill(_field(page, "date"), "2025-08-24")
    _pick(page, "source", "Radar", "RadarOnline")
    page.fill(_field(page, "quote"), SAID)
    page.fill(_field(page, "context"), "Interview with NBC’s Meet the Press")
    # the counter-statements list starts with one item (min: 1)
    _pick(page, "speaker", "Trump", "Donald Trump", nth=1)
    _pick(page, "source", "Radar", "RadarOnline", nth=1)
    page.fill(_field(page, "quote", nth=1), COUNTER)
    _pick(page, "stance", "contra", "contradicts")
    _pick(page, "rating", "Unsupp", "Unsupported")
    page.fill(_field(page, "summary"), "Nothing in the public record shows what was discussed in Anchorage.")
    page.fill(_field(page, "evidence_cutoff"), "2025-08-24")
    _pick(page, "topics", "bilateral", "A bilateral Putin–Zelensky summit")
    page.fill(_field(page, "published"), "2025-09-01")
    editor = page.locator("[aria-label='markdown field']", has=page.locator("label[for^='analysis-field-']"))
    editor.locator("[contenteditable='true']").first.click()
    page.keyboard.type("The talks in Anchorage were not public.")
    page.keyboard.press("Enter")
    page.keyboard.type("We rate the claim unsupported.")


@pytest.mark.browser
def test_a_claim_created_in_the_browser_validates_and_becomes_a_page(cms: Cms, page, artifacts: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    page.goto(cms.admin_url)
    page.get_by_role("button", name="Login").click()
    page.goto(cms.admin_url + "#/collections/claims/new")
    page.locator("label[for^='id-field-']").wait_for()
    _fill_claim_form(page, cms)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "cms-claim-form-end.png"))
    page.locator(_field(page, "id")).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "cms-claim-form-top.png"))
    page.locator("label[for^='counter_statements-field-']").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "cms-claim-form-counter.png"))
    preview = page.frame_locator("iframe").first
    assert "Unsupported" in preview.locator(".fc-badge").inner_text()
    sides = preview.locator(".fc-sides").inner_text()
    assert "Sergey Lavrov" in sides and "What contradicts the claim" in sides and "Donald Trump" in sides

    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Publish now").click()
    written = cms.publication / "claims" / f"{CLAIM_ID}.yaml"
    deadline = time.monotonic() + 30
    while not written.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    page.screenshot(path=str(artifacts / "cms-claim-saved.png"))
    assert written.is_file(), f"the CMS wrote no {written.name}; files: {sorted(os.listdir(written.parent))}"
    (artifacts / "cms-claim-written.yaml").write_text(written.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["statement"]["speaker"] == "sergey-lavrov" and data["statement"]["source"] == "radaronline-2025-08-24"
    assert data["counter_statements"][0]["speaker"] == "donald-trump" and data["topics"] == ["bilateral-summit"]
    assert data["verdict"]["rating"] == "unsupported"

    capsys.readouterr()
    code = main(["--root", str(cms.publication), "validate", "--no-cache", "--format", "json", str(written)])
    report = json.loads(capsys.readouterr().out or "[]")
    assert [d for d in report if d.get("severity") == "error"] == [] and code == 0, report

    site = mkdocs_build(cms.publication, cms.publication.parent / "rebuilt")
    claim_page = (site / "claims" / CLAIM_ID / "index.html").read_text(encoding="utf-8")
    assert "via the browser" in claim_page and "It was not discussed in Anchorage." in claim_page
    assert [f for f in failed if "/admin/" in f] == [], failed


@pytest.mark.browser
def test_a_misquote_saved_by_the_cms_is_reported_with_file_and_line(cms: Cms,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    written = cms.publication / "claims" / f"{CLAIM_ID}.yaml"
    need(written.is_file(), "needs the claim written by the browser test above (run the whole module)")
    bad = cms.publication / "claims" / f"{CLAIM_ID}-misquoted.yaml"
    text = written.read_text(encoding="utf-8").replace("raised later", "raised much later").replace(
        f"id: {CLAIM_ID}\n", f"id: {bad.stem}\n")
    bad.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "raised much later" in row)
    capsys.readouterr()
    code = main(["--root", str(cms.publication), "validate", "--no-cache", "--format", "json", str(bad)])
    report = json.loads(capsys.readouterr().out or "[]")
    errors = [d for d in report if d.get("severity") == "error"]
    assert code != 0
    assert [(d["path"], d["line"], d["field"], d["code"]) for d in errors] == [
        (f"claims/{bad.name}", line, "statement.quote", "quote-mismatch")], errors
