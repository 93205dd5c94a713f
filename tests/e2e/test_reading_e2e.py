"""Reading mail, end to end, judged by what is on screen: the real app (local server, Xvfb, D-Bus,
dunst) gets 32 messages (HTML, text-only, mixed, a 2 MB one, non-ASCII); the test steps through them
with real key presses (``j``/``k`` from xdotool, 0.3 s apart) and with ``temp-inbox show ID``, and for
every HTML message reads the pane through the ``debug-pane`` IPC command: the rendered DOM text of the
sealed view and the colours of a grab of the view must be that message's own. No blank is allowed."""

from __future__ import annotations

import json
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from desktop_app.instance.ipc import socket_name
from desktop_app.settings import DEBUG_IPC_ENV
from tests.e2e.desktop_session import DesktopSession, missing_tools

pytestmark = pytest.mark.e2e

STEP_S = 0.3  # the rhythm of a user flipping through mail
SHOW_BOUND_S = 30.0  # generous: how long one message may take to be on screen on a loaded machine
COUNT = 32


def poll(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        ok, last = predicate()
        if ok:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last seen: {last!r}"[:3000])


def command(data: Path, name: str, args: dict[str, Any] | None = None, timeout: float = 20) -> Any:
    """One request on the instance's socket (the protocol in ``desktop_app/instance/ipc.py``)."""
    path = Path(tempfile.gettempdir()) / socket_name(data)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall((json.dumps({"command": name, "args": args or {}}) + "\n").encode())
        answer = b""
        while b"\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    reply = json.loads(answer.split(b"\n", 1)[0])
    assert reply["ok"], reply
    return reply


def colour(n: int) -> str:
    """A colour no other message uses, for the block at the top of HTML message ``n``."""
    return f"#{40 + n * 6:02x}{200 - n * 5:02x}{90 + n * 3:02x}"


def build(n: int, to: str) -> tuple[EmailMessage, dict[str, Any]]:
    """Message ``n`` and what the pane must show for it."""
    kind = ("html", "text", "mixed", "html")[n % 4]
    if n == 13:
        kind = "huge"
    if n == 22:
        kind = "unicode"
    marker = f"marker-{n:02d}"
    message = EmailMessage()
    message["From"] = f"Sender {n} <sender{n}@example.test>"
    message["To"] = to
    message["Subject"] = f"Message {n:02d} ({kind})" + (" — Grüße, 日本語" if kind == "unicode" else "")
    block = f'<div style="background:{colour(n)};height:260px">{marker}</div>'
    text = f"Plain {marker}: just text.\n"
    if kind == "text":
        message.set_content(text)
    elif kind == "mixed":
        message.set_content(text)
        message.add_alternative(f"<html><body>{block}<p>Mixed HTML part.</p></body></html>", subtype="html")
    elif kind == "huge":
        filler = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "</p>\n"
        body = block + filler * (2_000_000 // len(filler))
        message.set_content(f"<html><body>{body}</body></html>", subtype="html")
    elif kind == "unicode":
        message.set_content(
            f"<html><body>{block}<p>Grüße aus Köln — 日本語のテキスト — ✓</p></body></html>", subtype="html"
        )
    else:
        message.set_content(f"<html><body>{block}<p>HTML only.</p></body></html>", subtype="html")
    return message, {"kind": kind, "marker": marker, "colour": colour(n), "subject": message["Subject"]}


def pane_shows(state: dict[str, Any], message_id: str, want: dict[str, Any]) -> bool:
    pane = state["pane"]
    if state["current"] != message_id or pane["message_id"] != message_id:
        return False
    if want["kind"] == "text":
        return pane["tab"] == "Text" and want["marker"] in pane["text"]
    html = pane["html"]
    return (
        pane["tab"] == "HTML"
        and html["visible"]
        and want["marker"] in html["text"]
        and html["url"] == html["own_body_url"]
        and want["colour"] in html["colours"]
        and (want["kind"] != "unicode" or "日本語のテキスト" in html["text"])
    )


def describe(state: dict[str, Any] | None, message_id: str) -> str:
    """A failure's whole story in a few lines: which row is current, which message the pane holds,
    and what its views show (the rendered text cut short, not the 32 rows)."""
    if not state:
        return "no state was read"
    subjects = {row_id: subject for row_id, subject in state["rows"]}
    pane = state["pane"]
    html = dict(pane.get("html") or {})
    html["text"] = str(html.get("text", ""))[:120]
    return (
        f"wanted {message_id} ({subjects.get(message_id)}); list current {state['current']} "
        f"({subjects.get(state['current'])}), list focused {state.get('list_focused')}; pane holds "
        f"{pane['message_id']} ({subjects.get(pane['message_id'])}), tab {pane['tab']!r}, placeholder "
        f"{pane.get('placeholder')!r}, text {pane['text'][:80]!r}; html {html}"
    )


def xdotool(session: DesktopSession, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=session.env, check=True, timeout=10)


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="make test installs xdotool")
def test_every_message_opened_by_key_or_show_is_on_screen(tmp_path: Path) -> None:
    assert missing_tools() == []
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, "--local", extra_env={DEBUG_IPC_ENV: "1"})
        try:
            info = command(data, "info")["info"]
            address = command(data, "new")["address"]["address"]
            host, port = info["smtp"].rsplit(":", 1)
            expected: dict[str, dict[str, Any]] = {}  # subject → what the pane must show
            with smtplib.SMTP(host, int(port), timeout=60) as smtp:
                for n in range(COUNT):
                    message, want = build(n, address)
                    smtp.send_message(message)
                    expected[want["subject"]] = want
            state = poll(
                lambda: (len((s := command(data, "debug-pane")["state"])["rows"]) == COUNT, s),
                120,
                f"{COUNT} messages in the list",
            )
            rows = [(message_id, expected[subject]) for message_id, subject in state["rows"]]
            # One SMTP session sent them in order, most within the same second: the list is newest
            # first by true arrival (live pushes and catch-up pages interleave here).
            assert [subject for _, subject in state["rows"]] == list(expected)[::-1]
            assert {want["kind"] for _, want in rows} == {"html", "text", "mixed", "huge", "unicode"}

            # Click the first row: it takes the keyboard focus the way a user's click does.
            xdotool(
                session, "search", "--sync", "--onlyvisible", "--name", "Temp Inbox", "windowfocus", "--sync"
            )
            x, y, _w, _h = state["list_rect"]
            xdotool(session, "mousemove", "--sync", str(x + 40), str(y + 8), "click", "1")
            blanks: list[str] = []
            seen = 0

            def check(message_id: str, want: dict[str, Any], how: str) -> None:
                nonlocal seen
                try:
                    poll(
                        lambda: (pane_shows(s := command(data, "debug-pane")["state"], message_id, want), s),
                        SHOW_BOUND_S,
                        f"{want['subject']} on screen ({how})",
                    )
                    seen += 1
                except AssertionError:
                    last = command(data, "debug-pane")["state"]
                    shot = tmp_path / "session" / f"blank-{len(blanks)}.png"
                    if shutil.which("import"):
                        subprocess.run(["import", "-window", "root", str(shot)], env=session.env, timeout=30)
                    blanks.append(
                        f"{want['subject']} not on screen after {SHOW_BOUND_S} s ({how}): "
                        f"{describe(last, message_id)}; screenshot {shot}"
                    )

            check(*rows[0], "click")
            # Down the list with j, up again with k: one key press every 0.3 s at the most; each
            # message is polled until its own content is on screen.
            order = list(range(1, COUNT)) + list(range(COUNT - 2, -1, -1))
            previous = 0
            for index in order:
                started = time.monotonic()
                xdotool(session, "key", "j" if index > previous else "k")
                check(*rows[index], "j" if index > previous else "k")
                previous = index
                time.sleep(max(0.0, STEP_S - (time.monotonic() - started)))
            # A burst at 0.3 s without waiting in between, then the last one must be there.
            for _ in range(8):
                xdotool(session, "key", "j")
                time.sleep(STEP_S)
            check(*rows[8], "burst of j")
            # temp-inbox show ID for every message, newest to oldest.
            for message_id, want in rows:
                result = session.cli(data, "show", message_id)
                assert result.returncode == 0, result.stderr
                check(message_id, want, "show")
            if blanks:
                log = (tmp_path / "session" / "app.log").read_text(errors="replace")
                tail = "\n".join(log.splitlines()[-40:])
                raise AssertionError(
                    f"{len(blanks)} blank of {seen + len(blanks)} opens:\n"
                    + "\n".join(blanks)
                    + f"\napp log:\n{tail}"
                )
            assert seen == 1 + len(order) + 1 + COUNT
            (tmp_path / "session" / "checked.txt").write_text(f"{seen} opens on screen\n")
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(5)
        log = (tmp_path / "session" / "app.log").read_text(errors="replace")
        assert "Traceback" not in log, log
        # Every body loaded at the first go: a refused or failed own-body load would have been
        # recovered by the retry (so the screen checks alone could not see the old race), but it
        # must not happen at all.
        assert "loading the message body failed" not in log, log
        assert "trying the message body again" not in log, log  # nor a stalled load, nor a lost renderer
