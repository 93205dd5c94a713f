"""WCAG AA (4.5:1) for every text colour the app sets, in the light and the dark scheme.

Two sources are checked: the named pairs in ``style.TEXT_PAIRS`` (what the delegates paint with: rows,
muted intros, selection, unread badges, links, placeholders), taken from the palette the app really
applies; and the live widget tree of the main window in its empty and populated states, where each
visible label and button is measured with its own palette, colour group (a disabled label is still
text someone must read) and the background it is drawn on, plus any colour baked into rich text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop_app.core.events import ConnectionState
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.local_smtp import show_local_smtp
from desktop_app.ui.style import TEXT_PAIRS, contrast_ratio
from desktop_app.ui.theme import ThemeManager
from tests.ui.fakes import FakeController, make_attachment, make_message, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

AA = 4.5
A1 = "quiet.otter@example.com"
GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)


@pytest.fixture
def palette_restored(qapp: QApplication) -> Iterator[None]:
    original = QPalette(qapp.palette())
    yield
    qapp.setPalette(original)
    qapp.styleHints().unsetColorScheme()  # an explicit choice is also asked of the platform


def _applied(qapp: QApplication, scheme: str) -> QPalette:
    """The palette the app shows for ``scheme`` on this platform (offscreen gives none of its own)."""
    theme = ThemeManager(qapp, system_scheme=lambda: Qt.ColorScheme.Unknown)
    theme.set_choice(scheme)  # type: ignore[arg-type]
    return QPalette(qapp.palette())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_named_text_pair_reads(qapp: QApplication, palette_restored: None, scheme: str) -> None:
    palette = _applied(qapp, scheme)
    failures = []
    for group in GROUPS:
        palette.setCurrentColorGroup(group)
        for name, (fg, bg) in TEXT_PAIRS.items():
            ratio = contrast_ratio(fg(palette), bg(palette))
            if ratio < AA:
                pair = f"{fg(palette).name()} on {bg(palette).name()}"
                failures.append(f"{name} ({group.name}): {pair} = {ratio:.2f}")
    assert not failures, failures


def _background(widget: QWidget) -> QColor:
    """The colour behind ``widget``: the nearest ancestor (or itself) that paints its background."""
    current: QWidget | None = widget
    while current is not None:
        parent = current.parentWidget()
        if isinstance(current, QPushButton):
            return current.palette().color(QPalette.ColorRole.Button)
        if current.autoFillBackground() or (
            isinstance(parent, QAbstractScrollArea) and parent.viewport() is current
        ):
            return current.palette().color(current.backgroundRole())
        if current.isWindow():
            return current.palette().color(QPalette.ColorRole.Window)
        current = parent
    return QApplication.palette().color(QPalette.ColorRole.Window)  # pragma: no cover


def _text_colours(widget: QWidget) -> list[tuple[str, QColor]]:
    group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
    role = QPalette.ColorRole.ButtonText if isinstance(widget, QPushButton) else widget.foregroundRole()
    found = [(role.name, widget.palette().color(group, role))]
    if isinstance(widget, QLabel):
        found += [("rich text", QColor(c)) for c in re.findall(r"color:\s*(#[0-9a-fA-F]{6})", widget.text())]
    return found


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    return f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r} {text[:40]!r}"


def _unreadable(window: QWidget) -> list[str]:
    failures = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton) and not widget.isEnabled():
            continue  # WCAG exempts inactive controls; a label is never one
        if not isinstance(widget, QLabel | QAbstractButton) or not widget.text():
            continue
        bg = _background(widget)
        for name, fg in _text_colours(widget):
            ratio = contrast_ratio(fg, bg)
            if ratio < AA:
                failures.append(f"{_describe(widget)} {name}: {fg.name()} on {bg.name()} = {ratio:.2f}")
    return failures


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_on_screen_reads(qtbot, qapp: QApplication, palette_restored: None, scheme: str) -> None:
    _applied(qapp, scheme)
    # No address at all: the sidebar's and the list's empty states.
    empty = shown_window(qtbot, FakeController(AppSignals()))
    show_local_smtp(empty, "127.0.0.1:2525")
    assert empty.empty_list.isVisible()
    failures = _unreadable(empty)
    # An address without mail (local mode: the SMTP hint shows), then one with mail.
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", unread=2, state_kind="live", state_text="live", provider_id="local")
    quiet = shown_window(qtbot, fake)
    show_local_smtp(quiet, "127.0.0.1:2525")
    assert quiet.empty_list.smtp.isVisible()
    failures += _unreadable(quiet)
    fake.messages[A1] = [make_summary(i, attachments=i == 0) for i in range(3)]
    fake._sort(A1)
    first = fake.messages[A1][0]
    fake.bodies[first.id] = make_message(
        first,
        text="Your code is 482913. Confirm: https://shop.example/confirm?t=1",
        attachments=[make_attachment("terms.pdf")],
    )
    quiet.signals.messages_changed.emit(A1)
    assert quiet.list_view.isVisible()
    failures += _unreadable(quiet)
    # An open message: the pane's header, code, link bar and attachments.
    quiet.list_view.setCurrentIndex(quiet.model.index(0, 0))
    qtbot.waitUntil(lambda: quiet.pane.message is not None, timeout=30_000)
    failures += _unreadable(quiet)
    # The offline banner.
    fake.signals.connection_changed.emit(A1, ConnectionState("retrying", "connection lost", 12.0))
    assert quiet.connection_banner.isVisible()
    failures += _unreadable(quiet)
    assert not failures, failures
