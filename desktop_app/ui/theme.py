"""Light or dark: follow the system colour scheme, or the user's choice in Options.

Qt reports the desktop's preference through ``QStyleHints.colorScheme()`` (Qt ≥ 6.5) and signals its
changes. Some platforms also hand Qt a matching palette; many (plain X11, Xvfb, minimal window
managers) hand it none, and Fusion then draws its light default whatever the scheme says. So the
palette is chosen here: the platform's own when it matches the wanted scheme, otherwise the app's
``light_palette()`` / ``dark_palette()`` (both checked for WCAG contrast by the tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from desktop_app.settings import COLOR_SCHEME
from desktop_app.ui import texts
from desktop_app.ui.style import dark_palette, is_dark, light_palette

log = logging.getLogger(__name__)

Choice = Literal["system", "light", "dark"]
CHOICES: tuple[Choice, ...] = ("system", "light", "dark")
SETTING = COLOR_SCHEME.key


class ThemeManager(QObject):
    """Owns the application palette. ``applied`` carries the scheme now shown ("light"/"dark")."""

    applied = Signal(str)

    def __init__(
        self,
        app: QApplication,
        *,
        settings: QSettings | None = None,
        system_scheme: Callable[[], Qt.ColorScheme] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._settings = settings
        hints = app.styleHints()
        self._system_scheme = system_scheme or hints.colorScheme
        stored = str(settings.value(SETTING, "system")) if settings is not None else "system"
        self._choice: Choice = next((c for c in CHOICES if c == stored), "system")
        self._shown: str | None = None
        # The platform may update its palette after announcing the new scheme: apply once the
        # event loop has delivered both.
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.apply)
        hints.colorSchemeChanged.connect(self._system_changed)

    @property
    def choice(self) -> Choice:
        return self._choice

    @property
    def shown(self) -> str | None:
        return self._shown

    def set_choice(self, choice: Choice) -> None:
        if choice not in CHOICES:
            raise ValueError(f"unknown colour scheme {choice!r}")
        self._choice = choice
        if self._settings is not None:
            self._settings.setValue(SETTING, choice)
        self.apply()

    def wanted(self) -> str:
        if self._choice != "system":
            return self._choice
        return "dark" if self._system_scheme() == Qt.ColorScheme.Dark else "light"

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self._pending.start()

    def apply(self) -> None:
        self._pending.stop()
        wanted = self.wanted()
        hints = self._app.styleHints()
        # An explicit choice is also asked of the platform (Qt ≥ 6.8), so native dialogs and web
        # content follow where the platform supports it; "system" hands the decision back.
        try:
            if self._choice == "system":
                hints.unsetColorScheme()
            else:
                hints.setColorScheme(Qt.ColorScheme.Dark if wanted == "dark" else Qt.ColorScheme.Light)
        except AttributeError:  # pragma: no cover - Qt < 6.8
            pass
        # An empty palette resets the application to what the platform (or the style) provides.
        self._app.setPalette(QPalette())
        base = self._app.palette()
        platform_gives_one = base != self._app.style().standardPalette()
        if wanted == "dark" and not is_dark(base):
            self._app.setPalette(dark_palette())
        elif wanted == "light" and (is_dark(base) or not platform_gives_one):
            self._app.setPalette(light_palette())
        log.debug("colour scheme %s (%s), platform palette: %s", wanted, self._choice, platform_gives_one)
        self._shown = wanted
        self.applied.emit(wanted)


def add_scheme_menu(menu: QMenu, theme: ThemeManager) -> QActionGroup:
    """Options → Colour scheme → Follow the system / Light / Dark, checked as the theme says."""
    submenu = menu.addMenu(texts.SCHEME_MENU)
    group = QActionGroup(submenu)
    group.setExclusive(True)
    for choice in CHOICES:
        action = QAction(texts.SCHEME_CHOICES[choice], group)
        action.setCheckable(True)
        action.setChecked(choice == theme.choice)
        action.setData(choice)
        action.triggered.connect(lambda _checked=False, c=choice: theme.set_choice(c))
        submenu.addAction(action)
    return group
