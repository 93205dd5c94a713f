"""The page and web view behind the sealed message view: what they refuse.

- every navigation except loading the page's own body (a clicked link is reported instead);
- new windows (a ``target=_blank`` click is caught and reported like an ordinary click);
- permission and full-screen requests, file-system access;
- context-menu entries that could load, save or open anything.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWebEngineCore import QWebEngineFullScreenRequest, QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMenu

from desktop_app.core.sealed import url_refused_by_csp
from desktop_app.ui.sealed_profile import sealed_profile

log = logging.getLogger(__name__)
NavType = QWebEnginePage.NavigationType


class SealedPage(QWebEnginePage):
    link_clicked = Signal(QUrl)
    refused_by_csp = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(sealed_profile(), parent)
        self.own_body_url: QUrl | None = None
        if hasattr(self, "permissionRequested"):  # Qt 6.8+
            self.permissionRequested.connect(lambda permission: permission.deny())
        else:
            self.featurePermissionRequested.connect(self._deny_feature)
        self.fullScreenRequested.connect(_reject_full_screen)
        self.fileSystemAccessRequested.connect(lambda request: request.reject())

    def _deny_feature(self, origin: QUrl, feature: QWebEnginePage.Feature) -> None:
        self.setFeaturePermission(origin, feature, QWebEnginePage.PermissionPolicy.PermissionDeniedByUser)

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        if is_main_frame and nav_type is NavType.NavigationTypeTyped and url == self.own_body_url:
            return True
        if nav_type is NavType.NavigationTypeLinkClicked:
            self.link_clicked.emit(url)
        log.debug("refused navigation to %s (%s)", url.toString(), nav_type.name)
        return False

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        """A ``target=_blank`` click asks for a new window first. It gets a page that only reports the
        link it was meant to show (like an ordinary click) and refuses to load anything."""
        catcher = _NewWindowCatcher(self)
        catcher.link_clicked.connect(self.link_clicked)
        return catcher

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str, line: int, source: str
    ) -> None:
        # Chromium's own reports (CSP refusals, blocked loads) arrive here; never Qt warnings.
        refused = url_refused_by_csp(message)
        if refused is not None:
            self.refused_by_csp.emit(refused)
        log.debug("console (%s) %s:%s %s", level.name, source, line, message)


class _NewWindowCatcher(QWebEnginePage):
    link_clicked = Signal(QUrl)

    def __init__(self, opener: SealedPage) -> None:
        super().__init__(sealed_profile(), opener)
        self.link_clicked_seen = False

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        if nav_type is NavType.NavigationTypeLinkClicked and not self.link_clicked_seen:
            self.link_clicked_seen = True
            self.link_clicked.emit(QUrl(url))
        self.deleteLater()
        return False

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> None:  # type: ignore[override]
        return None  # Qt reads "no page" as "no new window"; the stub does not allow for it


class SealedWebView(QWebEngineView):
    """Only the context-menu entries that cannot load, save or open anything."""

    SAFE_ACTIONS = (
        QWebEnginePage.WebAction.Copy,
        QWebEnginePage.WebAction.CopyLinkToClipboard,
        QWebEnginePage.WebAction.SelectAll,
    )

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for web_action in self.SAFE_ACTIONS:
            action = self.pageAction(web_action)
            if action.isEnabled():
                menu.addAction(action)
        if not menu.isEmpty():
            menu.popup(event.globalPos())


def _reject_full_screen(request: QWebEngineFullScreenRequest) -> None:
    request.reject()
