"""Clicking a link in a sealed message: no navigation, a prompt with the real destination, and the
system browser only after the user confirms."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest
from PySide6.QtWidgets import QApplication, QMenu

from desktop_app.ui.sealed_profile import sealed_profile
from desktop_app.ui.sealed_view import SealedMessageView
from tests.ui.sealed_helpers import GRACE_MS, PWNED_JS, Tracker, run_js


@pytest.fixture
def opened(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Record what would be handed to the system browser instead of opening it."""
    urls: list[str] = []

    def record(url: QUrl) -> bool:
        urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", record)
    return urls


@pytest.fixture
def sealed(qtbot) -> SealedMessageView:  # type: ignore[no-untyped-def]
    view = SealedMessageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    return view


LINKS_HTML = """<html><head><title>sealed</title>
<style>a {{ display: block; font-size: 30px; margin: 20px; }}</style></head><body>
<a id="phish" href="https://login.evil-example.net/paypal">www.paypal.com</a>
<a id="ip" href="{tracker}/clicked" target="_blank">Your bank</a>
<a id="js" href="javascript:document.title='pwned'">Open invoice</a>
<a id="file" href="file:///etc/passwd">Local file</a>
</body></html>"""


def show(qtbot, view: SealedMessageView, tracker: Tracker) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.loadFinished, timeout=10_000):
        view.show_message("links", LINKS_HTML.format(tracker=tracker.url), {})


def click_element(  # type: ignore[no-untyped-def]
    qtbot, view: SealedMessageView, element_id: str, button: Qt.MouseButton = Qt.MouseButton.LeftButton
) -> None:
    rect = run_js(
        qtbot,
        view.page,
        f"(function () {{ var r = document.getElementById('{element_id}').getBoundingClientRect();"
        " return JSON.stringify([r.left + 5, r.top + r.height / 2]); })()",
    )
    x, y = json.loads(rect)  # type: ignore[arg-type]
    QTest.mouseClick(view.view.focusProxy(), button, pos=QPoint(int(x), int(y)))


def test_click_shows_real_destination_and_opens_only_after_confirm(qtbot, tracker, sealed, opened) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, sealed, tracker)
    body_url = sealed.page.url()
    with qtbot.waitSignal(sealed.link_activated, timeout=10_000) as activated:
        click_element(qtbot, sealed, "phish")
    assert activated.args == ["https://login.evil-example.net/paypal"]
    qtbot.waitUntil(lambda: sealed.link_prompt is not None and sealed.link_prompt.isVisible())
    prompt = sealed.link_prompt
    assert prompt is not None
    assert prompt.url_view.toPlainText() == "https://login.evil-example.net/paypal"
    assert prompt.analysis.has("text-mismatch")
    assert any("www.paypal.com" in label.text() for label in prompt.warning_labels)
    assert sealed.page.url() == body_url  # the click did not navigate
    assert opened == []  # nothing opened before the user confirms
    QTest.keyClick(prompt, Qt.Key.Key_Return)  # Enter means "Cancel", never "Open"
    assert opened == [] and not prompt.isVisible()
    prompt.open()

    assert prompt.open_button is not None
    qtbot.mouseClick(prompt.open_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://login.evil-example.net/paypal"]


def test_cancel_opens_nothing_and_ip_link_warns(qtbot, tracker, sealed, opened) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, sealed, tracker)
    click_element(qtbot, sealed, "ip")
    qtbot.waitUntil(lambda: sealed.link_prompt is not None and sealed.link_prompt.isVisible())
    prompt = sealed.link_prompt
    assert prompt is not None
    assert prompt.analysis.has("ip-address")
    assert prompt.analysis.href == f"{tracker.url}/clicked"
    prompt.reject()
    qtbot.wait(GRACE_MS)
    assert opened == []
    # Neither the click (target=_blank: no new window) nor pointer hover/press reached the host.
    assert tracker.connections == 0


def test_script_and_file_links_do_nothing(qtbot, tracker, sealed, opened) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, sealed, tracker)
    body_url = sealed.page.url()
    for element_id in ("js", "file"):
        click_element(qtbot, sealed, element_id)
    qtbot.wait(GRACE_MS // 2)
    assert json.loads(run_js(qtbot, sealed.page, PWNED_JS)) == ["sealed", None]  # type: ignore[arg-type]
    assert sealed.page.url() == body_url
    # If Chromium hands such a click to us at all, the prompt refuses to open it.
    if sealed.link_prompt is not None:
        assert not sealed.link_prompt.analysis.openable
        assert sealed.link_prompt.open_button is None
    assert opened == []


def test_download_links_are_cancelled(qtbot, tracker, sealed, opened) -> None:  # type: ignore[no-untyped-def]
    profile = sealed_profile()
    downloads: list[QWebEngineDownloadRequest] = []
    profile.downloadRequested.connect(downloads.append)
    try:
        html = (
            '<a id="own" download="invoice.exe" href="cid:payload" style="font-size:30px">Save</a><br>'
            f'<a id="remote" download href="{tracker.url}/payload.exe" style="font-size:30px">Save remote</a>'
        )
        with qtbot.waitSignal(sealed.loadFinished, timeout=10_000):
            sealed.show_message("dl", html, {"payload": ("application/octet-stream", b"MZ")})
        click_element(qtbot, sealed, "own")
        qtbot.waitUntil(lambda: bool(downloads))
        assert downloads[0].url().path() == "/cid/payload"
        cancelled = QWebEngineDownloadRequest.DownloadState.DownloadCancelled
        qtbot.waitUntil(lambda: downloads[0].state() is cancelled)  # cancel() settles asynchronously
        # A download link to elsewhere is just a link: prompt, no connection.
        click_element(qtbot, sealed, "remote")
        qtbot.waitUntil(lambda: sealed.link_prompt is not None)
        qtbot.wait(GRACE_MS // 2)
        assert tracker.connections == 0
        assert opened == []
        assert len(downloads) == 1
    finally:
        profile.downloadRequested.disconnect(downloads.append)


def test_context_menu_offers_only_copy_and_select(qtbot, tracker, sealed) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, sealed, tracker)
    before = set(QApplication.topLevelWidgets())

    def new_menus() -> list[QMenu]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w not in before]

    click_element(qtbot, sealed, "phish", Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: any(menu.isVisible() for menu in new_menus()))
    menu = next(menu for menu in new_menus() if menu.isVisible())
    texts = {action.text().replace("&", "") for action in menu.actions()}
    assert "Copy link address" in texts
    assert texts <= {"Copy", "Copy link address", "Select all"}
    menu.close()
    assert sealed.link_prompt is None  # a right click is not a click on the link
