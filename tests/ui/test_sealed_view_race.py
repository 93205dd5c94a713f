"""Every open shows its body: the clear-then-load race (an empty page under one token, the next
message under another a moment later), recovery of a failed own-body load, the loading indicator."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob

from desktop_app.ui import sealed_view
from desktop_app.ui.sealed_profile import sealed_profile
from desktop_app.ui.sealed_view import LOAD_FAILED_TEXT, LOAD_RETRIES, SealedMessageView
from tests.ui.sealed_helpers import run_js

BODY_TEXT_JS = "document.body ? document.body.innerText : ''"


@pytest.fixture
def sealed(qtbot) -> SealedMessageView:  # type: ignore[no-untyped-def]
    view = SealedMessageView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    return view


def test_clear_then_show_always_shows_the_next_message(qtbot, sealed) -> None:  # type: ignore[no-untyped-def]
    """What the message pane does on every selection change: clear the view and hide it behind
    "Loading…", then show the next body from the cache a few milliseconds later. Chromium attributes
    the hidden view's next load to the page's previous (withdrawn) address about 1 time in 20."""
    shown: list[int] = []
    missed: list[str] = []
    for n in range(24):
        sealed.clear()
        sealed.hide()
        qtbot.wait(n % 4 * 10)
        sealed.show_message(f"m{n}", f"<p>message number {n}</p>", {})
        sealed.show()
        expected = f"message number {n}"
        try:
            qtbot.waitUntil(lambda e=expected: run_js(qtbot, sealed.page, BODY_TEXT_JS) == e, timeout=15_000)
        except qtbot.TimeoutError:
            where = run_js(qtbot, sealed.page, "location.href + ' | ' + document.body.innerText")
            missed.append(
                f"#{n}: shows {where!r}; own body {sealed.page.own_body_url.toString()}, loading "
                f"{sealed.body_loading}, failed bar {sealed.load_failed_bar.isVisible()}"
            )
            continue
        shown.append(n)
    assert shown == list(range(24)), f"blank after {24 - len(shown)} of 24 opens: {missed}"


def _fail_first_body_requests(monkeypatch, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The scheme handler answers the next ``count`` body requests with an error, as a refused or
    broken load would end."""
    handler = sealed_profile().scheme_handler
    real = handler.requestStarted
    seen: list[str] = []

    def flaky(job: QWebEngineUrlRequestJob) -> None:
        seen.append(job.requestUrl().toString())
        if job.requestUrl().path() == "/body" and len(seen) <= count:
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        real(job)

    monkeypatch.setattr(handler, "requestStarted", flaky)
    return seen


def test_a_failed_own_body_load_is_recovered(qtbot, sealed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = _fail_first_body_requests(monkeypatch, 1)
    sealed.show_message("m", "<p>recovered body</p>", {})
    qtbot.waitUntil(lambda: run_js(qtbot, sealed.page, BODY_TEXT_JS) == "recovered body", timeout=10_000)
    assert len(seen) == 2 and seen[0] == seen[1]
    # The page's text can be read a moment before Qt reports the load finished.
    qtbot.waitUntil(lambda: not sealed.body_loading, timeout=10_000)
    assert not sealed.load_failed_bar.isVisible()


def test_a_body_that_keeps_failing_says_so_and_can_be_tried_again(qtbot, sealed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = _fail_first_body_requests(monkeypatch, 1 + LOAD_RETRIES)
    sealed.show_message("m", "<p>at last</p>", {})
    qtbot.waitUntil(sealed.load_failed_bar.isVisible, timeout=10_000)
    assert sealed.load_failed_bar.label.text() == LOAD_FAILED_TEXT
    assert not sealed.body_loading and len(seen) == 1 + LOAD_RETRIES
    sealed.load_failed_bar.retry_button.click()
    qtbot.waitUntil(lambda: run_js(qtbot, sealed.page, BODY_TEXT_JS) == "at last", timeout=10_000)
    assert not sealed.load_failed_bar.isVisible()


def test_a_slow_body_shows_the_loading_indicator_until_it_is_there(qtbot, sealed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = sealed_profile().scheme_handler
    real = handler.requestStarted
    held: list[QWebEngineUrlRequestJob] = []
    monkeypatch.setattr(handler, "requestStarted", held.append)
    sealed.show_message("m", "<p>slow body</p>", {})
    qtbot.waitUntil(lambda: bool(held) and sealed.loading.isVisible(), timeout=10_000)
    assert sealed.body_loading
    real(held[0])
    qtbot.waitUntil(lambda: not sealed.loading.isVisible(), timeout=10_000)
    assert run_js(qtbot, sealed.page, BODY_TEXT_JS) == "slow body"


def test_a_renderer_that_dies_is_replaced_and_the_body_shown_again(qtbot, sealed) -> None:  # type: ignore[no-untyped-def]
    """A renderer process killed (out of memory, a Chromium crash on a hostile mail) leaves a white
    view for good unless the view loads its body again in a new one."""
    sealed.show_message("m", "<p>survives the renderer</p>", {})
    shown = lambda: run_js(qtbot, sealed.page, BODY_TEXT_JS) == "survives the renderer"  # noqa: E731
    qtbot.waitUntil(shown, timeout=15_000)
    pid = sealed.page.renderProcessPid()
    assert pid > 0
    with qtbot.waitSignal(sealed.page.renderProcessTerminated, timeout=15_000):
        os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: sealed.page.renderProcessPid() not in (0, pid), timeout=15_000)
    qtbot.waitUntil(shown, timeout=15_000)
    assert not sealed.load_failed_bar.isVisible()


def test_a_body_load_that_stalls_is_tried_again(qtbot, sealed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A load that never ends (its request never answered) would leave the view white until the next
    open; the watchdog loads the body again. The first request is held for good, so only the
    watchdog can bring the body."""
    monkeypatch.setattr(sealed_view, "LOAD_STALL_MS", 2_000)
    handler = sealed_profile().scheme_handler
    real = handler.requestStarted
    held: list[QWebEngineUrlRequestJob] = []

    def hold_first(job: QWebEngineUrlRequestJob) -> None:
        if not held:
            held.append(job)
            return
        real(job)

    monkeypatch.setattr(handler, "requestStarted", hold_first)
    sealed.show_message("m", "<p>after a stall</p>", {})
    qtbot.waitUntil(lambda: run_js(qtbot, sealed.page, BODY_TEXT_JS) == "after a stall", timeout=20_000)
    assert len(held) == 1 and not sealed.load_failed_bar.isVisible()
