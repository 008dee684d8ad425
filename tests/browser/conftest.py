"""Headless Chromium (Debian's /usr/bin/chromium, no browser download) driving built sites over HTTP."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


class WatchedBrowser:
    """Chromium that a test cannot hang on. Opening a tab has no time limit in Playwright, and once in
    a long run Chromium never answered it (no renderer process started) and the suite waited for good.
    So a watchdog kills this Chromium when a tab has not opened within `patience` seconds; the call
    then fails, and Chromium is launched again and the tab opened once more, in a context with the
    same options. Tests use it as Playwright's browser: `new_context(...)`, then `new_page()`."""

    def __init__(self, playwright: Any, patience: float = 90.0):
        self._playwright, self.patience = playwright, patience
        self.relaunches = 0
        self.killed = False
        """Whether the watchdog has killed this Chromium since it was launched."""
        self._instance, self.marker = self._launch()

    def _launch(self) -> tuple[Any, bytes]:
        """Chromium, started with a switch of its own (Chromium ignores switches it does not know),
        by which its processes are found when it must be killed."""
        marker = f"--factcheck-watched={uuid.uuid4().hex}"
        instance = self._playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, marker])
        return instance, marker.encode()

    def new_context(self, **options: Any) -> _WatchedContext:
        return _WatchedContext(self, options)

    def watched(self, call: Callable[[], Any]) -> Any:
        """`call()`, with this Chromium killed if it has not returned within `patience` seconds."""
        timer = threading.Timer(self.patience, self.kill)
        timer.daemon = True
        timer.start()
        try:
            return call()
        finally:
            timer.cancel()

    def processes(self) -> list[int]:
        """This Chromium's processes now: the one started with its switch, and every process below it."""
        main = [pid for pid in _descendants() if self.marker in _arguments(pid)]
        return [pid for root in main for pid in [root, *_descendants(root)]]

    def kill(self) -> None:
        self.killed = True
        for pid in self.processes():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def relaunch(self) -> None:
        with contextlib.suppress(Exception):  # it is gone already
            self._instance.close()
        self._instance, self.marker = self._launch()
        self.killed = False
        self.relaunches += 1

    def close(self) -> None:
        self._instance.close()


class _WatchedContext:
    """A Playwright browser context whose `new_page()` is watched (see `WatchedBrowser`)."""

    def __init__(self, browser: WatchedBrowser, options: dict[str, Any]):
        self._browser, self._options = browser, options
        self._context = browser._instance.new_context(**options)

    def new_page(self) -> Any:
        from playwright.sync_api import Error

        try:
            return self._browser.watched(self._context.new_page)
        except Error as error:
            if not self._browser.killed:
                raise
            print(f"Chromium did not open a tab ({error}); launching it again", file=sys.stderr)
            self._browser.relaunch()
            self._context = self._browser._instance.new_context(**self._options)
            return self._browser.watched(self._context.new_page)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _descendants(root: int | None = None) -> set[int]:
    """Every process below `root` (default: this one), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, grew = {os.getpid() if root is None else root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found - {os.getpid() if root is None else root}


def _arguments(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


@pytest.fixture(scope="session")
def browser() -> Iterator[WatchedBrowser]:
    need(CHROMIUM and Path(CHROMIUM).exists(), "needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = WatchedBrowser(playwright)
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
