"""The "Open link…" bar and its prompt: a deceptive link is never offered; the offered one's prompt
gets its anchor text (the same warnings as a click in the body), has "Copy link", and says so clearly
when no browser opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_app.core.sealed.link_policy import analyse_link
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.link_prompt import NO_BROWSER_TEXT, LinkPrompt
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sealed_view import _worst_analysis
from tests.ui.fakes import FakeController, FakeHtmlView, make_message, make_summary

A = "quiet.otter@example.com"
PHISHING = '<p>News</p><a href="https://paypal.com.account-verify.example/verify?t=1">Verify your account</a>'
HONEST = '<p>Welcome</p><a href="http://example.org/confirm?t=abcdef">Confirm example.org address</a>'


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    fake = FakeController(AppSignals())
    made = MainWindow(fake, fake.signals, html_view_factory=FakeHtmlView)
    made.allow_close()
    made.show()
    yield made
    made.close()
    made.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def show(window: MainWindow, html: str) -> None:
    message = make_message(make_summary(1, subject="Please verify"), text=" ", html=html)
    window.pane.show_message(A, message, {}, None)


def test_a_phishing_link_is_not_offered(window) -> None:  # type: ignore[no-untyped-def]
    show(window, PHISHING)
    assert window.pane.link is None and not window.pane.open_link.isVisibleTo(window.pane)


def test_the_bars_prompt_warns_like_a_click_in_the_body(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    show(window, HONEST)
    assert window.pane.open_link.isVisibleTo(window.pane)
    assert window.pane.link_text == "Confirm example.org address"
    window.pane.open_link.click()
    prompt = window._link_prompt
    assert isinstance(prompt, LinkPrompt)
    in_body = _worst_analysis(window.pane.link or "", [window.pane.link_text])
    assert prompt.analysis == in_body == analyse_link(window.pane.link or "", window.pane.link_text)
    prompt.reject()


def test_copy_link_and_a_clear_message_when_no_browser_opens(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def no_browser(url: QUrl) -> bool:
        asked.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", no_browser)
    show(window, HONEST)
    window.pane.open_link.click()
    prompt = window._link_prompt
    prompt.copy_button.click()
    assert QGuiApplication.clipboard().text() == "http://example.org/confirm?t=abcdef"
    assert prompt.open_button is not None
    prompt.open_button.click()
    assert asked == ["http://example.org/confirm?t=abcdef"]
    qtbot.waitUntil(lambda: prompt.failure is not None and prompt.failure.isVisible())
    assert prompt.failure is not None and prompt.failure.text() == NO_BROWSER_TEXT
    prompt.failure.close()
