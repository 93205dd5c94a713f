"""The sealed HTML message view: hostile mail is rendered, but cannot run code, phone home or navigate.

Layers (see :mod:`desktop_app.core.sealed.html_policy` for the request rules):
- the shared off-the-record :class:`~desktop_app.ui.sealed_profile.SealedProfile` (JavaScript,
  plugins, local file access, window opening, DNS prefetch off; cookies refused; an interceptor that
  blocks everything remote unless this message's "Load remote content" was pressed);
- the body is served from our own scheme with a strict CSP, under a random token per display;
- :class:`~desktop_app.ui.sealed_page.SealedPage` refuses every navigation except loading its own
  body; a clicked link becomes a :class:`~desktop_app.ui.link_prompt.LinkPrompt`; new windows,
  permissions, full screen refused.

Over 300 lines: the view and its page's hooks share the per-message token; every decision is in
``core/sealed/``.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEngineLoadingInfo, QWebEnginePage, QWebEngineScript
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.sealed import MAIL_SCHEME, LinkAnalysis, analyse_link, prepare_html
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.mail_scheme import BODY_PATH, ServedMessage
from desktop_app.ui.remote_bar import RemoteContentBar
from desktop_app.ui.sealed_page import SealedPage, SealedWebView
from desktop_app.ui.sealed_profile import PageTraffic, existing_sealed_profile, sealed_profile

log = logging.getLogger(__name__)

# A failed load of the page's own body (refused, or the renderer went away) is tried again this often,
# this long apart, before the view says so and offers "Try again".
LOAD_RETRIES = 2
LOAD_RETRY_DELAY_MS = 150
# A load of the own body that neither ends nor makes progress for this long is tried again (counted
# with the failures above): a stalled load would otherwise leave the view white until the next open.
LOAD_STALL_MS = 20_000  # a 2 MB mail on a loaded 2-core machine must never come near it
# The loading indicator appears only for a body that takes longer than this (no flicker on fast ones).
LOADING_INDICATOR_DELAY_MS = 200
LOAD_FAILED_TEXT = "This message could not be displayed."
_ABORTED = -3  # net::ERR_ABORTED: a newer load of the same page replaced this one, nothing failed

# Texts of the anchors pointing at a URL, read in the app's own JS world (page scripts stay off).
_ANCHOR_TEXTS_JS = """JSON.stringify((function (href) {
  return Array.from(document.querySelectorAll('a[href], area[href]'))
    .filter(function (a) { return a.href === href; })
    .map(function (a) { return (a.innerText || a.textContent || '').trim(); });
})(%s))"""


# What the page shows, read in the app's own JS world for the debug IPC command (end-to-end tests).
_RENDERED_JS = """JSON.stringify({url: location.href,
  text: document.body ? document.body.innerText.slice(0, 4000) : ''})"""


class SealedMessageView(QWidget):
    """Remote-content bar + web view. The main window calls :meth:`show_message` / :meth:`clear`."""

    blocked_changed = Signal(int, list)  # total blocked, hosts (most blocked first)
    link_activated = Signal(str)  # the real destination of a clicked link
    loadFinished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.remote_bar = RemoteContentBar(self)
        self.loading = QProgressBar(self)
        self.loading.setRange(0, 0)  # busy: a body has no meaningful percentage
        self.loading.setTextVisible(False)
        self.loading.setMaximumHeight(4)
        self.loading.setAccessibleName("Loading the message")
        self.loading.setVisible(False)
        self.load_failed_bar = _LoadFailedBar(self)
        self.view = SealedWebView(self)
        self.view.setAccessibleName("Message body")
        self.page = SealedPage(self.view)
        self.view.setPage(self.page)
        self.link_prompt: LinkPrompt | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.remote_bar)
        layout.addWidget(self.load_failed_bar)
        layout.addWidget(self.loading)
        layout.addWidget(self.view, 1)
        self._token: str | None = None
        self._traffic: PageTraffic | None = None
        self._blocked_update = QTimer(self, singleShot=True, interval=0)
        self._blocked_update.timeout.connect(self._publish_blocked)
        self.remote_bar.load_requested.connect(self.load_remote_content)
        self.page.link_clicked.connect(self._on_link_clicked)
        self.page.refused_by_csp.connect(self._on_refused_by_csp)
        self.view.loadFinished.connect(self.loadFinished)
        self.page.loadingChanged.connect(self._on_loading_changed)
        self.page.renderProcessTerminated.connect(self._on_renderer_gone)
        self._show_loading = QTimer(self, singleShot=True, interval=LOADING_INDICATOR_DELAY_MS)
        self._show_loading.timeout.connect(lambda: self.loading.setVisible(True))
        self._retry = QTimer(self, singleShot=True, interval=LOAD_RETRY_DELAY_MS)
        self._retry.timeout.connect(self._reload_own_body)
        self._stall = QTimer(self, singleShot=True)
        self._stall.timeout.connect(self._on_load_stalled)
        self.page.loadProgress.connect(self._on_load_progress)
        self._failed_loads = 0
        self.load_failed_bar.retry_requested.connect(self._load_body)
        # The profile outlives this widget: take the message off the scheme when the widget goes.
        self._shown_tokens: list[str] = []
        self.destroyed.connect(partial(_withdraw_all, self._shown_tokens))

    # -- public API -------------------------------------------------------------------------
    def show_message(self, message_id: str, html: str, inline_parts: Mapping[str, tuple[str, bytes]]) -> None:
        """Render ``html`` sealed. ``inline_parts`` maps Content-ID → (content type, bytes)."""
        log.debug("showing message %s sealed", message_id)
        self._retire()
        token = secrets.token_hex(8)
        profile = sealed_profile()
        self._token = token
        self._shown_tokens[:] = [token]
        self._traffic = PageTraffic(self._blocked_update.start)
        profile.scheme_handler.publish(ServedMessage.build(token, prepare_html(html, token), inline_parts))
        profile.interceptor.attach(token, self._traffic)
        self._publish_blocked()
        self._load_body()

    def show_text_as_html(self, message_id: str, text: str) -> None:
        body = f'<pre style="white-space: pre-wrap; font: inherit">{html_lib.escape(text)}</pre>'
        self.show_message(message_id, body, {})

    def clear(self) -> None:
        # A navigation to an empty body, not a document emptied in place: an in-place clear (withdraw,
        # stop, empty via script) saved ~25 ms a warm open but left the pane blank once in 96 opens of
        # the reading e2e, as the Chromium race this view works around (a stale URL labelling the next
        # request); with the navigation, 52 reading-e2e runs and 25 reading benchmarks showed no blank.
        # See docs/performance.md.
        self.show_message("", "", {})

    def load_remote_content(self) -> None:
        """Allow remote images, style sheets and fonts for the message on show, and reload it."""
        if self._traffic is None or self._traffic.remote_allowed:
            return
        self._traffic.remote_allowed = True
        self._traffic.blocked.clear()
        self._publish_blocked()
        self._load_body()

    @property
    def remote_allowed(self) -> bool:
        return self._traffic is not None and self._traffic.remote_allowed

    def blocked_counts(self) -> dict[str, int]:
        return dict(self._traffic.blocked) if self._traffic is not None else {}

    def debug_state(self, done: Callable[[dict[str, Any]], None]) -> None:
        """What is on screen, for the debug IPC command: the rendered DOM text of the page, and the
        colours that cover at least 2 % of a grab of the view (what the user actually sees)."""
        image = (
            self.view.grab()
            .toImage()
            .scaled(
                QSize(64, 64), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
        )
        colours: Counter[str] = Counter(
            image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
        )
        total = max(1, image.width() * image.height())
        state: dict[str, Any] = {
            "visible": self.view.isVisible(),
            "loading": self.body_loading,
            "load_failed": self.load_failed_bar.isVisible(),
            "own_body_url": self.page.own_body_url.toString() if self.page.own_body_url else None,
            "colours": [c for c, n in colours.most_common() if n / total >= 0.02],
        }

        def rendered(result: object) -> None:
            page = json.loads(result) if isinstance(result, str) and result else {}
            done({**state, "url": page.get("url", ""), "text": page.get("text", "")})

        self.page.runJavaScript(_RENDERED_JS, QWebEngineScript.ScriptWorldId.ApplicationWorld, rendered)

    # -- internals ------------------------------------------------------------------------
    @property
    def body_loading(self) -> bool:
        """True from the start of the own body's load until it has finished (or finally failed)."""
        return self._show_loading.isActive() or self.loading.isVisible() or self._retry.isActive()

    def _load_body(self) -> None:
        url = QUrl(f"{MAIL_SCHEME}://{self._token}{BODY_PATH}")
        self.page.own_body_url = url
        self._failed_loads = 0
        self._retry.stop()
        self.load_failed_bar.setVisible(False)
        self._show_loading.start()
        self._arm_stall()
        self.page.load(url)

    def _reload_own_body(self) -> None:
        if self.page.own_body_url is not None and self._token is not None:
            self._arm_stall()
            self.page.load(self.page.own_body_url)

    def _arm_stall(self) -> None:
        # Only while nothing remote may load: Qt reports a load finished after every subresource,
        # and one remote image that hangs must not have the message reloaded (and fetched again).
        if not self.remote_allowed:
            self._stall.start(LOAD_STALL_MS)

    def _on_load_progress(self, _percent: int) -> None:
        if self._stall.isActive():
            self._stall.start(LOAD_STALL_MS)  # still moving (a 2 MB body takes a while): not stalled

    def _on_load_stalled(self) -> None:
        log.warning("the message body made no progress for %d ms", LOAD_STALL_MS)
        self._load_failed_again()

    def _on_loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        if info.url() != self.page.own_body_url:
            return  # an earlier message's load, cut short by this one
        status = info.status()
        if status is QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus:
            self._failed_loads = 0  # a later crash of the renderer gets its own retries
            self._loading_done()
        elif status is QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus and info.errorCode() != _ABORTED:
            log.info("loading the message body failed (%s)", info.errorString())
            self._load_failed_again()

    def _on_renderer_gone(self, status: QWebEnginePage.RenderProcessTerminationStatus, code: int) -> None:
        """A renderer killed (out of memory, a crash on a hostile mail) leaves a white view for good:
        load the body again, which starts a new renderer, as for a failed load."""
        log.warning("the message renderer ended (%s, exit code %d)", status.name, code)
        if self._token is not None and self.page.own_body_url is not None:
            self._load_failed_again()

    def _load_failed_again(self) -> None:
        """One more failed, stalled or renderer-less load of the own body: try again, or say so."""
        self._stall.stop()
        self._failed_loads += 1
        if self._failed_loads <= LOAD_RETRIES:
            log.info("trying the message body again (%d of %d)", self._failed_loads, LOAD_RETRIES)
            self._retry.start()
            return
        log.warning("no message body after %d tries", self._failed_loads)
        self._loading_done()
        self.load_failed_bar.setVisible(True)

    def _loading_done(self) -> None:
        self._stall.stop()
        self._show_loading.stop()
        self.loading.setVisible(False)

    def _retire(self) -> None:
        if self._token is not None:
            profile = sealed_profile()
            profile.scheme_handler.withdraw(self._token)
            profile.interceptor.detach(self._token)
        self._token = None
        self._shown_tokens.clear()
        self._traffic = None
        if self.link_prompt is not None:
            self.link_prompt.reject()
            self.link_prompt = None

    def _publish_blocked(self) -> None:
        counts = self.blocked_counts()
        hosts = sorted(counts, key=lambda host: (-counts[host], host))
        self.remote_bar.show_blocked(counts, remote_allowed=self.remote_allowed)
        self.blocked_changed.emit(sum(counts.values()), hosts)

    def _on_refused_by_csp(self, refused: str) -> None:
        url = QUrl(refused)
        scheme = url.scheme().lower()
        if self._traffic is None or scheme in {MAIL_SCHEME, "data", "about", "blob", ""}:
            return
        self._traffic.count_blocked("local files" if scheme == "file" else url.host() or f"{scheme}:")

    def _on_link_clicked(self, url: QUrl) -> None:
        href = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.link_activated.emit(href)
        token = self._token
        script = _ANCHOR_TEXTS_JS % _js_string(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))

        def show(result: object) -> None:
            if token != self._token:
                return  # another message is on show by now
            # Arrays do not survive the trip from JavaScript; the script returns JSON text.
            texts = json.loads(result) if isinstance(result, str) and result else []
            candidates = [str(text) for text in texts] if isinstance(texts, list) else []
            self._show_link_prompt(_worst_analysis(href, candidates or [""]))

        self.page.runJavaScript(script, QWebEngineScript.ScriptWorldId.ApplicationWorld, show)

    def _show_link_prompt(self, analysis: LinkAnalysis) -> None:
        if self.link_prompt is not None:
            self.link_prompt.reject()
        self.link_prompt = LinkPrompt(analysis, self)
        self.link_prompt.open()


class _LoadFailedBar(QFrame):
    """Shown only when the message's own body failed to load even after the automatic retries."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Message display failed")
        self.label = QLabel(LOAD_FAILED_TEXT, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton("Try again", self)
        self.retry_button.setAccessibleName("Try displaying the message again")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        self.setVisible(False)


def _withdraw_all(tokens: list[str]) -> None:
    profile = existing_sealed_profile()  # never create one while the app shuts down
    if profile is None:
        return
    for token in tokens:
        profile.scheme_handler.withdraw(token)
        profile.interceptor.detach(token)


def _worst_analysis(href: str, texts: list[str]) -> LinkAnalysis:
    """Several anchors may share an href; warn about the most suspicious text among them."""
    return max((analyse_link(href, text) for text in texts), key=lambda analysis: len(analysis.warnings))


def _js_string(value: str) -> str:
    return json.dumps(value)
