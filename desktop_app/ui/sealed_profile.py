"""The one off-the-record QWebEngineProfile every sealed message page uses, and its interceptor.

Created lazily on first use and parented to the application, so it outlives every page.
The block decisions themselves live in :mod:`desktop_app.core.sealed.html_policy`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)

from desktop_app.core.sealed.html_policy import (
    MAIL_SCHEME,
    QT_RESOURCE_KINDS,
    ResourceKind,
    ResourceRequest,
    decide_request,
)
from desktop_app.ui.mail_scheme import SCHEME_NAME, MailSchemeHandler

log = logging.getLogger(__name__)
Attr = QWebEngineSettings.WebAttribute

# Attribute → value for every page of the profile. Anything not listed keeps Chromium's default,
# so the risky defaults (JavaScript, file access, window opening) are all listed explicitly.
SEALED_ATTRIBUTES: dict[QWebEngineSettings.WebAttribute, bool] = {
    Attr.JavascriptEnabled: False,
    Attr.JavascriptCanOpenWindows: False,
    Attr.JavascriptCanAccessClipboard: False,
    Attr.JavascriptCanPaste: False,
    Attr.AllowWindowActivationFromJavaScript: False,
    Attr.PluginsEnabled: False,
    Attr.PdfViewerEnabled: False,
    Attr.LocalContentCanAccessFileUrls: False,
    Attr.LocalContentCanAccessRemoteUrls: False,
    Attr.LocalStorageEnabled: False,
    Attr.DnsPrefetchEnabled: False,
    Attr.HyperlinkAuditingEnabled: False,
    Attr.WebRTCPublicInterfacesOnly: True,
    Attr.ScreenCaptureEnabled: False,
    Attr.PlaybackRequiresUserGesture: True,  # no autoplay
    Attr.FullScreenSupportEnabled: False,
    Attr.WebGLEnabled: False,
    Attr.Accelerated2dCanvasEnabled: False,
    Attr.AllowRunningInsecureContent: False,
    Attr.AllowGeolocationOnInsecureOrigins: False,
    Attr.AutoLoadIconsForPage: False,
    Attr.TouchIconsEnabled: False,
    Attr.NavigateOnDropEnabled: False,  # dropping a file on the view would navigate to file:
    Attr.ErrorPageEnabled: False,
    Attr.FocusOnNavigationEnabled: False,
    Attr.XSSAuditingEnabled: True,
}


class PageTraffic:
    """Per displayed message: whether remote content is allowed, and what was blocked (per host)."""

    def __init__(self, on_blocked: Callable[[], None]) -> None:
        self.remote_allowed = False
        self.blocked: Counter[str] = Counter()
        self._on_blocked = on_blocked

    def count_blocked(self, label: str) -> None:
        self.blocked[label] += 1
        self._on_blocked()


class SealedRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Asks :func:`decide_request` about every request of the profile; unknown pages get nothing.

    A page's own body (the main-frame document) is attributed by the token in its own URL: the
    first-party URL Qt reports is the view's *visible* URL, which for a hidden view (the pane shows
    "Loading…" over it) is still the previous, withdrawn page, so the body was refused and the pane
    stayed blank. Only :class:`~desktop_app.ui.sealed_page.SealedPage` starts such loads, and only of
    the body it was given. Everything else belongs to the document that asked: its first-party URL."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pages: dict[str, PageTraffic] = {}

    def attach(self, token: str, traffic: PageTraffic) -> None:
        self._pages[token] = traffic

    def detach(self, token: str) -> None:
        self._pages.pop(token, None)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        main_frame = info.resourceType() is QWebEngineUrlRequestInfo.ResourceType.ResourceTypeMainFrame
        page = url if main_frame else info.firstPartyUrl()
        traffic = self._pages.get(page.host()) if page.scheme() == MAIL_SCHEME else None
        request = ResourceRequest(
            scheme=url.scheme().lower(),
            host=url.host().lower(),
            kind=QT_RESOURCE_KINDS.get(info.resourceType().name, ResourceKind.OTHER),
            page_token=page.host() if traffic is not None else None,
        )
        decision = decide_request(request, remote_allowed=traffic is not None and traffic.remote_allowed)
        if decision.allow:
            return
        info.block(True)
        log.debug("blocked %s (%s)", url.toString(), request.kind.value)
        if traffic is not None and decision.counted_as is not None:
            traffic.count_blocked(decision.counted_as)


class SealedProfile(QWebEngineProfile):
    """Off the record (no storage name), nothing persisted, nothing remote by default."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        settings = self.settings()
        for attribute, value in SEALED_ATTRIBUTES.items():
            settings.setAttribute(attribute, value)
        settings.setUnknownUrlSchemePolicy(
            QWebEngineSettings.UnknownUrlSchemePolicy.DisallowUnknownUrlSchemes
        )
        self.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
        if hasattr(self, "setPersistentPermissionsPolicy"):  # Qt 6.8+; every request is denied anyway
            self.setPersistentPermissionsPolicy(QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime)
        self.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.setSpellCheckEnabled(False)
        self.setPushServiceEnabled(False)
        self.cookieStore().setCookieFilter(_refuse_cookie)
        self.scheme_handler = MailSchemeHandler(self)
        self.installUrlSchemeHandler(SCHEME_NAME, self.scheme_handler)
        self.interceptor = SealedRequestInterceptor(self)
        self.setUrlRequestInterceptor(self.interceptor)
        self.downloadRequested.connect(_cancel_download)


def _refuse_cookie(_request: object) -> bool:
    return False


def _cancel_download(download: QWebEngineDownloadRequest) -> None:
    log.info("refused a download from a message: %s", download.url().toString())
    download.cancel()


_profile: SealedProfile | None = None


def sealed_profile() -> SealedProfile:
    """The shared profile, created on first use (a QApplication must exist)."""
    global _profile
    if _profile is None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("the sealed profile needs a QApplication")
        _profile = SealedProfile(app)
        _profile.destroyed.connect(_forget_profile)
    return _profile


def existing_sealed_profile() -> SealedProfile | None:
    return _profile


def _forget_profile() -> None:
    global _profile
    _profile = None
