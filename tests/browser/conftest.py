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
        self._instance, self.pid = self._launch()

    def _launch(self) -> tuple[Any, int]:
        before = _descendants()
        instance = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = [pid for pid in _descendants() - before if _is_browser_process(pid)]
        assert len(started) == 1, f"cannot tell which process is the Chromium just launched: {started}"
        return instance, started[0]

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

    def kill(self) -> None:
        """Kill this Chromium's processes (its renderers first, then the browser)."""
        for pid in [*sorted(_descendants(self.pid), reverse=True), self.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def relaunch(self) -> None:
        with contextlib.suppress(Exception):  # it is gone already
            self._instance.close()
        self._instance, self.pid = self._launch()
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


def _is_browser_process(pid: int) -> bool:
    """Chromium's main process (its helpers run the same program with a `--type=` argument)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return os.path.basename(arguments[0]) == b"chromium" and not any(a.startswith(b"--type=") for a in arguments)


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
