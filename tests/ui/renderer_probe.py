"""Run as a script by ``test_webengine_memory.py``: a real message pane with the sealed view, in a
process of its own (so no other test's pages or profiles share its QtWebEngine processes). Prints one
JSON line: the renderer processes alive before any message, the distinct renderers seen while three
messages (three sites: each is served under its own random host) are shown in turn, and whether Mesa's
GL libraries were loaded into this process."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.desktop.platform_env import prepare_qt_environment

prepare_qt_environment()

import PySide6.QtWebEngineWidgets  # noqa: E402, F401
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.ui.mail_scheme import register_mail_scheme  # noqa: E402

register_mail_scheme()
app = QApplication([sys.argv[0]])

from desktop_app.ui.message_pane import MessagePane  # noqa: E402
from tests.ui.fakes import make_message, make_summary  # noqa: E402


def renderers() -> set[int]:
    found = set()
    todo = [str(Path("/proc/self").resolve().name)]
    children: dict[str, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                continue
            children.setdefault(ppid, []).append(entry.name)
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"QtWebEngineProcess" in cmdline and b"--type=renderer" in cmdline:
            found.add(int(pid))
    return found


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


pane = MessagePane()
pane.resize(800, 600)
pane.show()
pane.clear()  # what the window does when the list changes: must not load a page yet
pump(1.5)
before = sorted(renderers())
seen: set[int] = set()
for n in range(3):
    view = pane.html_view
    done: list[bool] = []
    view.loadFinished.connect(done.append)  # type: ignore[attr-defined]
    message = make_message(make_summary(n), html=f"<p>message {n}</p>")
    pane.show_message("a@example.com", message, {}, None)
    end = time.monotonic() + 30
    while not done and time.monotonic() < end:
        pump(0.02)
        seen |= renderers()
    view.loadFinished.disconnect(done.append)  # type: ignore[attr-defined]
    pump(0.5)
    seen |= renderers()
maps = Path("/proc/self/maps").read_text()
# The window goes to the tray: the pane is hidden and lets its HTML view go, and with its page the
# renderer process ends; shown again, the message is back on a new renderer.
pane.hide()
end = time.monotonic() + 30
while renderers() and time.monotonic() < end:
    pump(0.1)
after_hide = sorted(renderers())
restored: list[bool] = []
pane.show()
pane.html_view.loadFinished.connect(restored.append)  # type: ignore[attr-defined]
end = time.monotonic() + 30
while not restored and time.monotonic() < end:
    pump(0.02)
print(
    json.dumps(
        {
            "before": before,
            "seen": sorted(seen),
            "mesa_loaded": "libLLVM" in maps or "swrast_dri" in maps or "llvmpipe" in maps,
            "after_hide": after_hide,
            "restored": restored == [True] and len(renderers()) == 1,
            "platform": app.platformName(),
        }
    ),
    flush=True,
)
# The result is out; QtWebEngine's teardown order (pages before the profile) is not what is probed.
os._exit(0)
