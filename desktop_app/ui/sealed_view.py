"""The sealed HTML message view: hostile mail is rendered, but cannot run code, phone home or navigate.

Layers (see :mod:`desktop_app.core.html_policy` for the request rules):
- the shared off-the-record :class:`~desktop_app.ui.sealed_profile.SealedProfile` (JavaScript,
  plugins, local file access, window opening, DNS prefetch off; cookies refused; an interceptor that
  blocks everything remote unless this message's "Load remote content" was pressed);
- the body is served from our own scheme with a strict CSP, under a random token per display;
- :class:`~desktop_app.ui.sealed_page.SealedPage` refuses every navigation except loading its own
  body; a clicked link becomes a :class:`~desktop_app.ui.link_prompt.LinkPrompt`; new windows,
  permissions, full screen refused.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import secrets
from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEngineScript
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.core.html_policy import MAIL_SCHEME, prepare_html
from desktop_app.core.link_policy import LinkAnalysis, analyse_link
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.mail_scheme import BODY_PATH, ServedMessage
from desktop_app.ui.remote_bar import RemoteContentBar
from desktop_app.ui.sealed_page import SealedPage, SealedWebView
from desktop_app.ui.sealed_profile import PageTraffic, existing_sealed_profile, sealed_profile

log = logging.getLogger(__name__)

# QtWebEngine very rarely drops the first load of a fresh page (about 1 in 300 under load): the view
# stays blank and loadFinished never comes. One retry after this long shows the message instead.
LOAD_RETRY_MS = 3000

# Texts of the anchors pointing at a URL, read in the app's own JS world (page scripts stay off).
_ANCHOR_TEXTS_JS = """JSON.stringify((function (href) {
  return Array.from(document.querySelectorAll('a[href], area[href]'))
    .filter(function (a) { return a.href === href; })
    .map(function (a) { return (a.innerText || a.textContent || '').trim(); });
})(%s))"""


class SealedMessageView(QWidget):
    """Remote-content bar + web view. The main window calls :meth:`show_message` / :meth:`clear`."""

    blocked_changed = Signal(int, list)  # total blocked, hosts (most blocked first)
    link_activated = Signal(str)  # the real destination of a clicked link
    loadFinished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.remote_bar = RemoteContentBar(self)
        self.view = SealedWebView(self)
        self.view.setAccessibleName("Message body")
        self.page = SealedPage(self.view)
        self.view.setPage(self.page)
        self.link_prompt: LinkPrompt | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.remote_bar)
        layout.addWidget(self.view, 1)
        self._token: str | None = None
        self._traffic: PageTraffic | None = None
        self._blocked_update = QTimer(self, singleShot=True, interval=0)
        self._blocked_update.timeout.connect(self._publish_blocked)
        self.remote_bar.load_requested.connect(self.load_remote_content)
        self.page.link_clicked.connect(self._on_link_clicked)
        self.page.refused_by_csp.connect(self._on_refused_by_csp)
        self.view.loadFinished.connect(self.loadFinished)
        self._load_watchdog = QTimer(self, singleShot=True, interval=LOAD_RETRY_MS)
        self._load_watchdog.timeout.connect(self._retry_stalled_load)
        self.view.loadFinished.connect(self._load_watchdog.stop)
        self._load_retried = False
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

    # -- internals ------------------------------------------------------------------------
    def _load_body(self) -> None:
        url = QUrl(f"{MAIL_SCHEME}://{self._token}{BODY_PATH}")
        self.page.own_body_url = url
        self._load_retried = False
        self._load_watchdog.start()
        self.page.load(url)

    def _retry_stalled_load(self) -> None:
        url = self.page.own_body_url
        if self._token is None or self._load_retried or url is None:
            return
        log.info("the message body did not finish loading in %d ms; loading it again", LOAD_RETRY_MS)
        self._load_retried = True
        self.page.load(url)

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
