"""The browser tests cannot hang on Chromium: a call it never answers is ended by killing that
Chromium, and the next tab is opened in a Chromium launched again (tests/browser/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import WatchedBrowser, _is_browser_process

pytestmark = pytest.mark.browser


def test_a_call_chromium_never_answers_ends_and_the_next_tab_opens_in_a_new_chromium(browser: Any) -> None:
    from playwright.sync_api import Error

    watched = WatchedBrowser(browser._playwright, patience=2.0)
    try:
        first = watched.pid
        assert _is_browser_process(first)
        context = watched.new_context(viewport={"width": 800, "height": 600})
        tab = context.new_page()
        with pytest.raises(Error):
            watched.watched(lambda: tab.evaluate("new Promise(() => {})"))  # never settles
        assert not _is_browser_process(first), "the watchdog left the hung Chromium running"
        again = context.new_page()  # fails on the dead Chromium, then opens in a new one
        assert watched.relaunches == 1 and watched.pid != first
        assert again.evaluate("window.innerWidth") == 800  # the new context kept the options
    finally:
        watched.close()
    context = browser.new_context()
    assert context.new_page().evaluate("1 + 1") == 2  # the session's Chromium was left alone
    context.close()
