"""The browser tests cannot hang on a tab Chromium never opens: a call it does not answer is ended
by killing that Chromium, and the next tab is opened in a Chromium launched again
(tests/browser/conftest.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from .conftest import WatchedBrowser

pytestmark = pytest.mark.browser


def test_a_call_chromium_never_answers_ends_and_the_next_tab_opens_in_a_new_chromium(browser: Any) -> None:
    from playwright.sync_api import Error

    watched = WatchedBrowser(browser._playwright, patience=2.0)
    # Should the watchdog fail, this kills the Chromium later, and the test fails instead of hanging.
    backstop = threading.Timer(60, watched.kill)
    try:
        first = watched.processes()
        assert first, "the Chromium just launched is found by its switch"
        assert not set(first) & set(browser.processes()), "and only that one"
        context = watched.new_context(viewport={"width": 800, "height": 600})
        tab = context.new_page()
        backstop.start()
        with pytest.raises(Error):
            watched.watched(lambda: tab.evaluate("new Promise(() => {})"))  # never settles
        assert backstop.is_alive(), "the watchdog did not end the call: the backstop did"
        assert watched.killed and not watched.processes()
        again = context.new_page()  # fails on the dead Chromium, then opens in a new one
        assert watched.relaunches == 1 and watched.processes() and not watched.killed
        assert again.evaluate("window.innerWidth") == 800  # the new context kept the options
    finally:
        backstop.cancel()
        watched.close()
    context = browser.new_context()
    assert browser.processes() and context.new_page().evaluate("1 + 1") == 2  # the session's Chromium is untouched
    context.close()


def test_a_tab_that_fails_for_another_reason_is_not_retried(browser: Any) -> None:
    """Only a Chromium the watchdog killed is launched again; any other error is the test's."""
    from playwright.sync_api import Error

    context = browser.new_context()
    context.close()
    relaunches = browser.relaunches
    with pytest.raises(Error):
        context.new_page()  # on a closed context
    assert browser.relaunches == relaunches
