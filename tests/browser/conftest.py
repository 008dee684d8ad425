"""Headless Chromium (Debian's /usr/bin/chromium, no browser download) driving built sites over HTTP."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import need

# Found on PATH (or named by $CHROMIUM), so hiding it from PATH shows what a machine without it does.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # `format` is the base class's parameter name
        pass


@pytest.fixture(scope="session")
def serve():
    """Serve a folder over HTTP on localhost; returns its base URL."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    need(CHROMIUM and Path(CHROMIUM).exists(), "needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def axe(web_tools: Path) -> Path:
    """axe-core's script, at the version tools/web/package-lock.json pins."""
    script = web_tools / "axe-core" / "axe.min.js"
    need(script.is_file(), "tools/web/node_modules/axe-core/axe.min.js is missing: cd tools/web && npm ci")
    return script


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
