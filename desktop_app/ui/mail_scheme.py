"""The ``tempinbox-mail:`` URL scheme that serves message bodies and their ``cid:`` parts.

URLs look like ``tempinbox-mail://<token>/body`` and ``tempinbox-mail://<token>/cid/<content-id>``.
The token is random per displayed message (not the message id), so one message cannot guess the
address of another message's parts; the handler also refuses a part asked for by another page.

Scheme flags: none on purpose. Not ``LocalScheme``/``LocalAccessAllowed`` (that would put the page
in the "local content" class that may read ``file:``), not ``SecureScheme`` (then remote images,
once the user allows them, would be auto-upgraded or refused as mixed content). With no flags
Chromium itself refuses ``file:`` loads ("Not allowed to load local resource"), tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from desktop_app.core.sealed.html_policy import (
    MAIL_SCHEME,
    content_id_from_path,
    content_security_policy,
    normalise_content_id,
)

SCHEME_NAME = MAIL_SCHEME.encode("ascii")
BODY_PATH = "/body"


def register_mail_scheme() -> None:
    """Declare the scheme to Chromium. Must run before the QApplication exists; calling it again
    (tests' conftest and the app bootstrap both do) is harmless."""
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME_NAME)).name() == QByteArray(SCHEME_NAME):
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_mail_scheme() must be called before the QApplication is created")
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME_NAME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag(0))
    QWebEngineUrlScheme.registerScheme(scheme)


@dataclass
class ServedMessage:
    """What one sealed page may fetch from the scheme. ``html`` is already prepared
    (:func:`desktop_app.core.sealed.html_policy.prepare_html`)."""

    token: str
    html: str
    parts: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @classmethod
    def build(cls, token: str, html: str, inline_parts: Mapping[str, tuple[str, bytes]]) -> ServedMessage:
        parts = {normalise_content_id(cid): part for cid, part in inline_parts.items()}
        return cls(token, html, parts)


class MailSchemeHandler(QWebEngineUrlSchemeHandler):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._served: dict[str, ServedMessage] = {}

    def publish(self, message: ServedMessage) -> None:
        self._served[message.token] = message

    def withdraw(self, token: str) -> None:
        self._served.pop(token, None)

    def is_published(self, token: str) -> bool:
        return token in self._served

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        message = self._served.get(url.host())
        if message is None or job.requestMethod() != QByteArray(b"GET"):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        initiator = job.initiator()
        if url.path() == BODY_PATH:
            # PySide maps this QMultiMap's values to lists (a bare QByteArray would be sent one
            # character per header line); its type stub says otherwise, hence Any.
            headers: Any = {
                QByteArray(b"Content-Security-Policy"): [QByteArray(content_security_policy().encode())],
                QByteArray(b"X-Content-Type-Options"): [QByteArray(b"nosniff")],
            }
            job.setAdditionalResponseHeaders(headers)
            self._reply(job, "text/html;charset=utf-8", message.html.encode("utf-8"))
            return
        content_id = content_id_from_path(url.path())
        part = message.parts.get(content_id) if content_id is not None else None
        # A part is only for the page it belongs to (initiator is that page's origin).
        if part is None or initiator.scheme() != MAIL_SCHEME or initiator.host() != message.token:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        content_type, data = part
        self._reply(job, content_type, data)

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, content_type: str, data: bytes) -> None:
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(content_type.encode("ascii", "replace")), buffer)
