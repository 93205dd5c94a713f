"""The real window (with the real sealed HTML view) rendered light and dark, saved as screenshots.

Screenshots go to ``$TEMP_INBOX_SCREENSHOTS`` (default: the test's tmp dir) so a person can look at
them; the assertions check what a screenshot reveals mechanically: the dark palette really darkens
every pane (no hard-coded light colours), and the open message's HTML was drawn.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.style import dark_palette
from tests.ui.fakes import FakeController, make_attachment, make_message, make_summary

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1, A2, A3 = "quiet.otter@example.com", "brisk.heron@mail.test", "calm.lynx@example.com"

HTML = """
<div style="font-family: sans-serif; max-width: 520px">
  <h2 style="color:#1a73e8">Confirm your sign-up</h2>
  <p>Hi there, use this verification code to finish creating your account:</p>
  <p style="font-size: 28px; letter-spacing: 6px"><b>482913</b></p>
  <p><img src="https://tracker.example/pixel.gif" width="1" height="1">The code expires in 10 minutes.</p>
</div>
"""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("TEMP_INBOX_SCREENSHOTS", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def palette_restored(qapp: QApplication) -> Iterator[None]:
    original = QPalette(qapp.palette())
    yield
    qapp.setPalette(original)


def _populated(fake: FakeController) -> None:
    fake.add_address(A1, "Shop sign-up", unread=2, state_kind="live", state_text="live", used=1_234_567)
    fake.add_address(A2, "", state_kind="retrying", state_text="retrying in 4 s (server error 502)")
    fake.add_address(
        A3, "Forum", unread=12, state_kind="failed", state_text="wrong password", used=39_000_000
    )
    subjects = ["Confirm your sign-up", "Welcome aboard", "Your invoice", "Password reset requested"]
    fake.messages[A1] = [
        make_summary(i, subject=subjects[i % 4], seen=i % 3 == 0, attachments=i % 4 == 2) for i in range(9)
    ]
    fake._sort(A1)
    first = fake.messages[A1][0]
    fake.bodies[first.id] = make_message(
        first,
        text="Use this verification code: 482913",
        html=HTML,
        attachments=[make_attachment("terms.pdf"), make_attachment("invoice.pdf.exe")],
    )


def _lightness(image: QImage, widget: QWidget, window: QWidget) -> int:
    """Lightness of a pixel inside ``widget`` (near its bottom-left, where there is no text)."""
    point = widget.mapTo(window, QPoint(4, widget.height() - 4))
    return image.pixelColor(point).lightness()


@pytest.fixture
def windows(qtbot) -> Iterator[list[MainWindow]]:  # type: ignore[no-untyped-def]
    """Windows are deleted (not just closed) after the test: a web page that outlives the test
    would still be alive when the app, and with it the sealed profile, goes away at exit."""
    made: list[MainWindow] = []
    yield made
    for window in made:
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(10)


def _show(qtbot, window: MainWindow, windows: list[MainWindow]) -> None:  # type: ignore[no-untyped-def]
    windows.append(window)
    window.allow_close()
    window.resize(1180, 760)
    window.show()
    qtbot.waitExposed(window)


def test_screenshot_empty_state(qtbot, shots: Path, windows: list[MainWindow]) -> None:  # type: ignore[no-untyped-def]
    fake = FakeController(AppSignals())
    window = MainWindow(fake, fake.signals)
    _show(qtbot, window, windows)
    image = window.grab().toImage()
    image.save(str(shots / "window-empty.png"))
    assert window.sidebar.empty_button.isVisible()
    assert window.empty_list.isVisible()


def test_screenshots_light_and_dark(  # type: ignore[no-untyped-def]
    qtbot, qapp, shots: Path, palette_restored: None, windows: list[MainWindow]
) -> None:
    fake = FakeController(AppSignals())
    _populated(fake)
    window = MainWindow(fake, fake.signals)
    _show(qtbot, window, windows)
    view = window.pane.html_view
    with qtbot.waitSignal(view.loadFinished, timeout=10_000):  # type: ignore[attr-defined]
        window.list_view.setCurrentIndex(window.model.index(0, 0))
    assert window.pane.code == "482913"
    qtbot.waitUntil(lambda: view.blocked_counts() != {}, timeout=5000)  # type: ignore[attr-defined]
    qtbot.wait(200)  # let the web view paint its first frame
    light = window.grab().toImage()
    light.save(str(shots / "window-light.png"))

    qapp.setPalette(dark_palette())
    qtbot.wait(100)
    dark = window.grab().toImage()
    dark.save(str(shots / "window-dark.png"))

    # Mail HTML keeps its own (usually white) background, as in every mail client; everything
    # around it must follow the palette.
    for widget in (window.sidebar.view, window.list_view, window.pane.attachments, window.statusBar()):
        assert _lightness(light, widget, window) > 180, widget
        assert _lightness(dark, widget, window) < 80, widget
    # The credit link was re-coloured for the dark palette.
    assert dark_palette().color(QPalette.ColorRole.Link).name() in window.credit.text()
