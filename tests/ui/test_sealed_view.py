"""The sealed view against the hostile corpus: zero connections to the tracker and no script, while
the same HTML in an ordinary view does reach the tracker (so these tests can fail)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView

from desktop_app.ui.sealed_view import SealedMessageView
from tests.ui.sealed_helpers import (
    CORPUS,
    GRACE_MS,
    PWNED_JS,
    QuietPage,
    hostile_html,
    run_js,
)

# Files whose scripts visibly run in an ordinary view (title or data-pwned changes): the proof that
# "no script ran" in the sealed view is a real observation, not a page that could never change.
SCRIPTED = {"script", "event_handlers"}


@pytest.fixture
def sealed(qtbot) -> SealedMessageView:  # type: ignore[no-untyped-def]
    view = SealedMessageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    return view


def show_sealed(qtbot, view: SealedMessageView, html: str, parts=None) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.loadFinished, timeout=30_000):
        view.show_message("msg-1", html, parts or {})


@pytest.fixture(scope="session")
def plain_profile(qapp) -> QWebEngineProfile:  # type: ignore[no-untyped-def]
    """Chromium's defaults, except that it does not ask for a favicon: that request comes from the
    view, not the message, and would make every file "hit". Parented to the app so it outlives pages."""
    profile = QWebEngineProfile(qapp)
    profile.settings().setAttribute(QWebEngineSettings.WebAttribute.AutoLoadIconsForPage, False)
    return profile


def unprotected_view(qtbot, profile: QWebEngineProfile) -> tuple[QWebEngineView, QuietPage]:  # type: ignore[no-untyped-def]
    view = QWebEngineView()
    qtbot.addWidget(view)
    page = QuietPage(profile, view)
    view.setPage(page)
    view.resize(800, 600)
    view.show()
    return view, page


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_message_makes_no_connection_and_runs_no_script(
    qtbot, tracker, sealed, plain_profile, name
) -> None:  # type: ignore[no-untyped-def]
    html = hostile_html(name, tracker)
    show_sealed(qtbot, sealed, html)
    qtbot.wait(GRACE_MS)
    assert tracker.connections == 0, tracker.requests
    assert json.loads(run_js(qtbot, sealed.page, PWNED_JS)) == ["sealed", None]  # type: ignore[arg-type]

    # Teeth: the very same HTML in an ordinary view phones home (and runs its scripts).
    _view, page = unprotected_view(qtbot, plain_profile)
    page.setHtml(html, QUrl(tracker.url + "/"))
    qtbot.waitUntil(lambda: tracker.connections > 0, timeout=30_000)
    assert all("favicon" not in line for line in tracker.requests)
    if name in SCRIPTED:
        qtbot.waitUntil(
            lambda: json.loads(run_js(qtbot, page, PWNED_JS)) != ["sealed", None],  # type: ignore[arg-type]
            timeout=30_000,
        )


def test_bar_reports_blocked_hosts(qtbot, tracker, sealed) -> None:  # type: ignore[no-untyped-def]
    html = hostile_html("remote_images", tracker)
    with qtbot.waitSignal(
        sealed.blocked_changed, timeout=10_000, check_params_cb=lambda total, _h: total > 0
    ):
        show_sealed(qtbot, sealed, html)
    qtbot.waitUntil(lambda: sealed.blocked_counts().get("127.0.0.1", 0) >= 5)
    total = sum(sealed.blocked_counts().values())
    qtbot.waitUntil(lambda: sealed.remote_bar.isVisible())
    assert sealed.remote_bar.label.text() == f"{total} remote resources blocked from 127.0.0.1"
    assert sealed.remote_bar.load_button.isVisible()
    assert tracker.connections == 0


def test_load_remote_content_loads_images_but_not_frames(qtbot, tracker, sealed) -> None:  # type: ignore[no-untyped-def]
    html = (
        f'<img id="pixel" src="{tracker.url}/pixel.png" width="20" height="20">'
        f'<iframe src="{tracker.url}/frame.html"></iframe>'
        f'<video src="{tracker.url}/video.mp4"></video>'
    )
    show_sealed(qtbot, sealed, html)
    qtbot.wait(GRACE_MS // 2)
    assert tracker.connections == 0
    with qtbot.waitSignal(sealed.loadFinished, timeout=10_000):
        qtbot.mouseClick(sealed.remote_bar.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "GET /pixel.png HTTP/1.1" in tracker.requests, timeout=10_000)
    natural_width = "document.getElementById('pixel').naturalWidth"
    qtbot.waitUntil(lambda: run_js(qtbot, sealed.page, natural_width) == 1, timeout=10_000)
    qtbot.wait(GRACE_MS // 2)
    assert tracker.requests == ["GET /pixel.png HTTP/1.1"]  # frames and media stay blocked
    assert sealed.remote_allowed

    # The allowance belongs to that message only.
    show_sealed(qtbot, sealed, html.replace("pixel.png", "other.png"))
    qtbot.wait(GRACE_MS // 2)
    assert not sealed.remote_allowed
    assert "GET /other.png HTTP/1.1" not in tracker.requests
