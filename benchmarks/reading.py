"""Reading (issue 14, item 6): how long an HTML message takes to be on screen after ``show``.

The real app (Xvfb) gets 41 HTML messages; the benchmark asks the running instance to show each in
turn (the IPC ``show`` request, without the CLI process a user's ``temp-inbox show`` adds) and polls
``debug-pane`` until the sealed view holds that message's own body with its marker rendered in the
DOM and its colour in a grab of the view. The first is the first web page of the session (the renderer
process starts then); the rest are warm. Polling adds its own cost (a grab of the view per poll), so
the figures are upper bounds. Then ``j`` (xdotool key presses, as the e2e reading test does) steps
down the list: each step is timed until the next message is on screen, the key press's own
process start included.

    python benchmarks/reading.py [--messages 40]
"""

from __future__ import annotations

import argparse
import json
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness as h
from benchmarks.memory import message_ids


def colour(n: int) -> str:
    return f"#{40 + n * 5 % 200:02x}{200 - n * 3 % 150:02x}{90 + n * 2 % 100:02x}"


def html_mail(to: str, n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Sender {n} <sender{n}@example.test>"
    message["To"] = to
    message["Subject"] = f"Reading {n:03d}"
    message.set_content(f"Plain reading-{n:03d}.")
    block = f'<div style="background:{colour(n)};height:300px">reading-{n:03d}</div>'
    rows = "".join(f"<tr><td>row {i}</td><td>{i * n}</td></tr>" for i in range(30))
    message.add_alternative(f"<html><body>{block}<table>{rows}</table></body></html>", subtype="html")
    return message


def on_screen(data: Path, message_id: str, n: int) -> bool:
    pane = h.command(data, "debug-pane")["state"]["pane"]
    html = pane.get("html") or {}
    return (
        pane.get("message_id") == message_id
        and f"reading-{n:03d}" in str(html.get("text", ""))
        and html.get("url") == html.get("own_body_url")
        and colour(n) in html.get("colours", [])
    )


def xdotool(session: Any, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=session.env, check=True, timeout=10, capture_output=True)


def step_with_j(session: Any, data: Path, subjects: dict[str, int], steps: int) -> list[float]:
    """Click the list's first row (as a user's click takes the focus), then press ``j`` (xdotool) and
    time each step until the next message is on screen, one step every 0.3 s at the most."""
    if shutil.which("xdotool") is None:
        return []
    state = h.command(data, "debug-pane")["state"]
    rows = [message_id for message_id, _subject in state["rows"]]
    # The first row, shown (so the list is scrolled to the top), then clicked: it takes the focus.
    h.command(data, "show", {"message_id": rows[0]})
    h.wait_until(lambda: on_screen(data, rows[0], subjects[rows[0]]), 30, "the first row shown", 0.002)
    xdotool(session, "search", "--sync", "--onlyvisible", "--name", "Temp Inbox", "windowfocus", "--sync")
    x, y, _w, _h = state["list_rect"]
    xdotool(session, "mousemove", "--sync", str(x + 40), str(y + 8), "click", "1")
    h.wait_until(lambda: h.command(data, "debug-pane")["state"].get("list_focused"), 30, "the list focused")
    times = []
    for index in range(1, min(steps + 1, len(rows))):
        start = time.perf_counter()
        xdotool(session, "key", "j")
        message_id = rows[index]
        h.wait_until(lambda m=message_id: on_screen(data, m, subjects[m]), 30, f"row {index}", 0.002)
        elapsed = time.perf_counter() - start
        times.append(elapsed * 1000)
        time.sleep(max(0.0, 0.3 - elapsed))
    return times


def run(messages: int = 40) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-read-") as tmp:
        root = Path(tmp)
        with h.MailServer() as server, h.desktop(root / "session") as session:
            sink = h.NotifySink(session)
            data = root / "data"
            app = h.start_app(session, data, server, env={"TEMP_INBOX_DEBUG_IPC": "1"})
            try:
                ((address, password),) = h.create_accounts(server.api, 1, prefix="reader")
                h.import_accounts(data, h.export_file(root / "export.json", server, [(address, password)]))
                h.wait_until(lambda: h.live_count(data) == 1, 60, "the address live", 0.1)
                with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
                    for n in range(messages + 1):
                        smtp.send_message(html_mail(address, n))
                ids: list[str] = []

                def all_listed() -> bool:
                    ids[:] = message_ids(server.api, address, password)
                    return len(ids) >= min(30, messages + 1)

                h.wait_until(all_listed, 60, "the messages on the server")
                subjects = {}
                import httpx

                with httpx.Client(base_url=server.api, timeout=30) as http:
                    token = http.post("/token", json={"address": address, "password": password}).json()[
                        "token"
                    ]
                    auth = {"authorization": f"Bearer {token}"}
                    for page in (1, 2):
                        for m in http.get("/messages", params={"page": page}, headers=auth).json()[
                            "hydra:member"
                        ]:
                            subjects[m["id"]] = int(m["subject"].split()[-1])
                h.wait_until(lambda: sink.count() >= 1, 30, "the first notification")
                time.sleep(2.0)  # bodies fetched, the window idle
                times = []
                for message_id, n in list(subjects.items())[: messages + 1]:
                    start = time.perf_counter()
                    h.command(data, "show", {"message_id": message_id})
                    h.wait_until(
                        lambda mid=message_id, k=n: on_screen(data, mid, k), 30, f"message {n}", 0.002
                    )
                    times.append((time.perf_counter() - start) * 1000)
                    time.sleep(0.2)
                probe = []  # what one poll costs: the last message is on screen already
                for _ in range(20):
                    start = time.perf_counter()
                    on_screen(data, message_id, n)
                    probe.append((time.perf_counter() - start) * 1000)
                steps = step_with_j(session, data, subjects, steps=len(times) - 1)
                return {
                    "first_ms": round(times[0], 1),
                    "warm_ms": h.summary(times[1:], 1),
                    "j_step_ms": h.summary(steps, 1),
                    "one_poll_ms": h.summary(probe, 1),
                }
            finally:
                h.quit_app(data, app)
                sink.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20 if h.QUICK else 40)
    args = parser.parse_args()
    print(json.dumps(run(args.messages), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
