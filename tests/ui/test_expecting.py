"""Expecting mail in the window: "Expect mail…" from the address's menu, the waiting line on the
address (sidebar row and the header's bar) with its elapsed time moving on a clock the test drives,
gone on arrival and on "Stop waiting"; after a timeout, the check's verdict with its one action."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFormLayout
from pytestqt.qtbot import QtBot

from desktop_app.core.events import Expectation, ExpectationChanged
from desktop_app.core.health import HealthReport, verdict
from desktop_app.ui.address_list import WAITING_ROLE, fitted_waiting
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.expect_dialog import ExpectMailDialog
from desktop_app.ui.health_dialog import HealthDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.waiting_line import format_elapsed
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
A2 = "other.heron@example.com"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def window_with_clock(qtbot: QtBot) -> tuple[MainWindow, FakeController, Clock]:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    fake.add_address(A2)
    window = shown_window(qtbot, fake)
    clock = Clock(1000.0)
    window.expecting.board.clock = clock
    window.select_address(A1)
    return window, fake, clock


def start(fake: FakeController, expectation: Expectation) -> None:
    fake.waits.append(expectation)
    fake.signals.expectation_changed.emit(ExpectationChanged(expectation.address or "", expectation))


def end(fake: FakeController, expectation: Expectation, how: str, report: HealthReport | None = None) -> None:
    if expectation in fake.waits:
        fake.waits.remove(expectation)
    fake.signals.expectation_changed.emit(
        ExpectationChanged(expectation.address or "", expectation, how, report)  # type: ignore[arg-type]
    )


def row_line(window: MainWindow, address: str) -> str:
    model = window.sidebar.model
    return str(model.index(model.row_of(address)).data(WAITING_ROLE) or "")


def line_pixels(window: MainWindow, address: str, line_number: int) -> QImage:
    """The pixels of the row's line ``line_number`` (from 0), as the sidebar shows them."""
    view = window.sidebar.view
    rect = view.visualRect(window.sidebar.model.index(window.sidebar.model.row_of(address)))
    line = view.fontMetrics().height()
    margin = 8
    area = QRect(rect.left() + 30, rect.top() + margin + line_number * line, rect.width() - 40, line)
    return view.viewport().grab(area).toImage()


def row_height(window: MainWindow, address: str) -> int:
    return window.sidebar.view.visualRect(
        window.sidebar.model.index(window.sidebar.model.row_of(address))
    ).height()


def inked(image: QImage) -> int:
    """Pixels that differ clearly from the line's background (its left edge): drawn text."""
    background = image.pixelColor(0, image.height() // 2)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            distance = (
                abs(pixel.red() - background.red())
                + abs(pixel.green() - background.green())
                + abs(pixel.blue() - background.blue())
            )
            count += distance > 90
    return count


def test_elapsed_reads_as_minutes_and_seconds() -> None:
    assert [format_elapsed(s) for s in (0, 42.9, 65, 725, 3723)] == [
        "0:00",
        "0:42",
        "1:05",
        "12:05",
        "1:02:03",
    ]


def test_expect_mail_from_the_menu_asks_what_and_how_long(qtbot: QtBot) -> None:
    window, fake, _clock = window_with_clock(qtbot)
    menu = window.sidebar.context_menu_for(A1)
    assert "Stop waiting" not in [a.text() for a in menu.actions()]
    next(a for a in menu.actions() if a.text() == "Expect mail…").trigger()
    dialog = window.expecting.dialog
    assert isinstance(dialog, ExpectMailDialog) and dialog.isVisible()
    assert A1 in dialog.windowTitle()
    assert [dialog.timeout.itemText(i) for i in range(dialog.timeout.count())] == [
        "No limit",
        "1 minute",
        "5 minutes",
        "15 minutes",
    ]
    dialog.sender_edit.setText(" acme ")
    dialog.subject_edit.setText("verify")
    dialog.timeout.setCurrentText("1 minute")
    dialog.raise_window.setChecked(True)
    dialog.start_button.click()
    assert fake.called("expect_mail") == [(A1, "acme", "verify", 60.0, True)]
    qtbot.waitUntil(lambda: not dialog.isVisible())
    # "No limit" is no timeout.
    window.expecting.open(A2)
    second = window.expecting.dialog
    assert second is not None
    second.timeout.setCurrentText("No limit")
    second.raise_window.setChecked(False)
    second.start_button.click()
    assert fake.called("expect_mail")[-1] == (A2, "", "", None, False)


def test_the_waiting_line_shows_on_the_address_with_its_time_then_goes_on_arrival(qtbot: QtBot) -> None:
    window, fake, clock = window_with_clock(qtbot)
    bar = window.reading.waiting_bar
    height_before = row_height(window, A1)
    assert inked(line_pixels(window, A1, 1)) > 20  # the footer, under the address
    assert inked(line_pixels(window, A1, 2)) == 0
    wait = Expectation(1, A1, "acme", None, 60.0, "window", started=clock.now)
    clock.now += 42.4
    start(fake, wait)
    assert bar.isVisible() and bar.label.text() == "Waiting for mail from acme… 0:42"
    assert bar.stop_button.isVisible() and not bar.action_button.isVisible()
    qtbot.waitUntil(lambda: bar.stop_button.y() < bar.label.y() + bar.label.height())  # one line
    assert row_line(window, A1) == "Waiting for mail from acme… 0:42" and row_line(window, A2) == ""
    # Drawn right under the footer, with no blank line between: a row without a label has room for it
    # in its third line, so it keeps its height and the rows under it their places.
    qtbot.waitUntil(lambda: inked(line_pixels(window, A1, 2)) > 20)
    assert row_height(window, A1) == height_before
    assert inked(line_pixels(window, A2, 2)) == 0
    row = window.sidebar.model.row_of(A1)
    assert "Waiting for mail from acme" in window.sidebar.model.index(row).data(3)  # tooltip
    # Time moves (on the clock the test drives); the next tick shows it.
    assert window.expecting.board.timer.isActive()
    clock.now += 23
    window.expecting.board.timer.timeout.emit()
    assert bar.label.text() == "Waiting for mail from acme… 1:05"
    assert row_line(window, A1) == "Waiting for mail from acme… 1:05"
    # Another address shown: its header has no wait; back again, it has.
    window.select_address(A2)
    assert not bar.isVisible()
    window.select_address(A1)
    assert bar.isVisible()
    end(fake, wait, "arrived")
    assert not bar.isVisible() and row_line(window, A1) == ""
    assert not window.expecting.board.timer.isActive()
    qtbot.waitUntil(lambda: inked(line_pixels(window, A1, 2)) == 0)
    assert row_height(window, A1) == height_before


def test_a_labelled_row_grows_a_line_for_the_wait_right_under_its_footer(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop sign-up")
    fake.add_address(A2)
    window = shown_window(qtbot, fake)
    window.select_address(A1)
    height_before = row_height(window, A1)
    assert inked(line_pixels(window, A1, 2)) > 20  # label, address, then the footer
    start(fake, Expectation(2, A1, "acme", None, None, "window", started=0.0))
    qtbot.waitUntil(lambda: row_height(window, A1) > height_before)
    assert row_height(window, A1) == height_before + window.sidebar.view.fontMetrics().height()
    qtbot.waitUntil(lambda: inked(line_pixels(window, A1, 3)) > 20)


def test_stop_waiting_from_the_bar_and_from_the_menu(qtbot: QtBot) -> None:
    window, fake, clock = window_with_clock(qtbot)
    bar = window.reading.waiting_bar
    wait = Expectation(7, A1, None, "verify", None, "command", started=clock.now)
    start(fake, wait)
    assert bar.label.text() == "Waiting for mail with “verify” in the subject… 0:00 (temp-inbox wait)"
    bar.stop_button.click()
    assert fake.called("stop_waiting") == [(7,)]
    menu = window.sidebar.context_menu_for(A1)
    next(a for a in menu.actions() if a.text() == "Stop waiting").trigger()
    assert fake.called("stop_waiting") == [(7,), (7,)]
    end(fake, wait, "cancelled")
    assert not bar.isVisible() and row_line(window, A1) == ""
    assert "Stop waiting" not in [a.text() for a in window.sidebar.context_menu_for(A1).actions()]


def test_a_timeout_shows_the_checks_verdict_and_its_action(qtbot: QtBot) -> None:
    window, fake, clock = window_with_clock(qtbot)
    bar = window.reading.waiting_bar
    wait = Expectation(3, A1, "acme", None, 300.0, "window", started=clock.now)
    start(fake, wait)
    clock.now += 300
    end(fake, wait, "timed-out")
    assert bar.isVisible() and bar.label.text() == "No mail from acme in 5:00: checking why…"
    assert row_line(window, A1) == "No mail from acme in 5:00"
    report = HealthReport(A1, verdict("hub-down", detail="retrying in 4 s"))
    end(fake, wait, "checked", report)
    assert bar.label.text().startswith(
        "No mail from acme in 5:00. The live connection is down (retrying in 4 s)"
    )
    assert bar.action_button.isVisible() and bar.action_button.text() == "Reconnect now"
    # The verdict reads over its buttons, not squeezed beside them.
    qtbot.waitUntil(lambda: bar.action_button.y() >= bar.label.y() + bar.label.height())
    assert not bar.stop_button.isVisible()
    bar.action_button.click()
    assert fake.called("retry_now") == [(A1,)]
    bar.details_button.click()
    assert isinstance(window.health.dialog, HealthDialog) and window.health.dialog.address == A1
    window.health.dialog.reject()
    bar.dismiss_button.click()
    assert not bar.isVisible() and row_line(window, A1) == ""


@pytest.mark.parametrize(
    "text",
    ["Waiting for mail from nobody… 2:29", "Waiting for mail from acme with “verify” in the subject… 0:04"],
)
def test_the_rows_wait_line_keeps_its_time_with_one_ellipsis(qtbot: QtBot, text: str) -> None:
    """In a narrow sidebar the line read 'Waiting for m… nobody… 2:29': cut in its middle, beside
    its own '…'."""
    window, _fake, _clock = window_with_clock(qtbot)
    metrics = window.sidebar.view.fontMetrics()
    elapsed = text.rsplit(" ", 1)[1]
    least = metrics.horizontalAdvance(f"Wai… {elapsed}") + 4
    for width in range(least, metrics.horizontalAdvance(text) + 10):
        shown = fitted_waiting(metrics, text, width)
        assert metrics.elidedText(shown, Qt.TextElideMode.ElideRight, width) == shown, (width, shown)
        assert shown.endswith(f"… {elapsed}") and shown.count("…") == 1, (width, shown)
        assert text.startswith(shown.split("…")[0]), (width, shown)


def test_the_expect_dialog_reaches_each_field_by_an_alt_key(qtbot: QtBot) -> None:
    """Its labels read alike ("Sender contains:" beside "Subject contains:"; the first said "From
    (contains):") and each has a letter Alt reaches it by, as a keyboard user expects of a form."""
    window, _fake, _clock = window_with_clock(qtbot)
    menu = window.sidebar.context_menu_for(A1)
    next(a for a in menu.actions() if a.text() == "Expect mail…").trigger()
    dialog = window.expecting.dialog
    assert isinstance(dialog, ExpectMailDialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    form = dialog.layout().itemAt(0).layout()
    assert isinstance(form, QFormLayout)
    labels = [
        form.labelForField(w).text().replace("&", "") for w in (dialog.sender_edit, dialog.subject_edit)
    ]
    assert labels == ["Sender contains:", "Subject contains:"]
    for key, widget in (
        (Qt.Key.Key_U, dialog.subject_edit),
        (Qt.Key.Key_G, dialog.timeout),
        (Qt.Key.Key_S, dialog.sender_edit),
    ):
        qtbot.keyClick(QApplication.focusWidget() or dialog, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w)
    assert dialog.raise_window.isChecked()
    qtbot.keyClick(dialog.sender_edit, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.raise_window.isChecked())  # Alt+B clicks the check box
    dialog.reject()
