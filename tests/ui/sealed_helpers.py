"""Test support for the sealed view: a tracker that counts TCP connections, the hostile corpus,
and a way to read the DOM from the app's own JavaScript world."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineScript

HOSTILE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
CORPUS = sorted(path.stem for path in HOSTILE_DIR.glob("*.html"))
GRACE_MS = 1000  # late connections (preconnect, lazy images) get this long after loadFinished

# 1×1 transparent PNG, a valid answer to any image request.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)


class Tracker:
    """A plain socket server on 127.0.0.1 that counts *accepted connections* (a preconnect opens one
    without ever sending a request) and records request lines. Answers every request with a PNG."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._connections = 0
        self._requests: list[str] = []
        self._thread = threading.Thread(target=self._accept_loop, name="tracker", daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._requests)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # shutdown() wakes the blocked accept(); close() alone does not
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self._connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(3)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            with self._lock:
                self._requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nCache-Control: no-store\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(PIXEL_PNG) + PIXEL_PNG
            )
        except OSError:
            pass
        finally:
            conn.close()


def hostile_html(name: str, tracker: Tracker) -> str:
    return (HOSTILE_DIR / f"{name}.html").read_text(encoding="utf-8").replace("{{TRACKER}}", tracker.url)


def run_js(qtbot, page: QWebEnginePage, script: str, timeout: int = 20_000) -> object:  # type: ignore[no-untyped-def]
    """Evaluate ``script`` in the ApplicationWorld (works with page JavaScript off) and return it.
    The bound is generous: the first call may wait for a renderer process to start on a loaded machine
    (it once took over 5 s with six test runs on two cores); only an answer that never comes fails."""
    results: list[object] = []
    page.runJavaScript(script, QWebEngineScript.ScriptWorldId.ApplicationWorld, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=timeout)
    return results[0]


PWNED_JS = 'JSON.stringify([document.title, document.documentElement.getAttribute("data-pwned")])'


class QuietPage(QWebEnginePage):
    """An ordinary page (default settings, JavaScript on) whose console chatter stays out of the
    Qt log, for the unprotected comparison view."""

    def __init__(self, profile: QWebEngineProfile, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(profile, parent)

    def javaScriptConsoleMessage(self, *args: object) -> None:
        pass
