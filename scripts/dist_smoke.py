"""`make dist-test`: a smoke test of what ships, the frozen app in dist/ and the .deb.

1. The frozen `temp-inbox --local --data-dir TMP` under Xvfb with a private D-Bus session, keyring,
   dunst and a tray host (tests/e2e/desktop_session.py): it listens, shows its window (screenshots in
   dist/smoke/), `temp-inbox new --json` makes an address, a mail sent to its SMTP port raises an
   org.freedesktop.Notifications.Notify call (seen by dbus-monitor), `wait --json` and `show` find it,
   and `temp-inbox quit` ends it with status 0.
2. A command with no instance running (`temp-inbox --local new --json`) starts one in the background
   from the frozen binary, and `quit` ends it.
3. The frozen `temp-inbox serve` answers GET /domains and exits 0 on SIGTERM.
4. As root: `apt-get install ./dist/temp-inbox_VERSION_amd64.deb`, `/usr/bin/temp-inbox --version`,
   the installed desktop entry validates, then the package is purged again.

Every process it starts is stopped by PID. Exit status 0 when every step passed.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from desktop_app import APP_ID, __version__  # noqa: E402
from desktop_app.instance.ipc import socket_name  # noqa: E402
from tests.e2e.desktop_session import (  # noqa: E402
    DesktopSession,
    missing_tools,
    read_line_within,
    wait_until,
)
from tests.processes import stop_process  # noqa: E402

FROZEN = REPO / "dist" / "temp-inbox" / "temp-inbox"
DEB = REPO / "dist" / f"temp-inbox_{__version__}_amd64.deb"
OUT = REPO / "dist" / "smoke"


class FrozenSession(DesktopSession):
    """The e2e desktop session, with the frozen binary in place of `python -m desktop_app`."""

    def app_argv(self, data_dir: Path, *args: str) -> list[str]:
        return [str(FROZEN), "--data-dir", str(data_dir), *args]


def step(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            start = time.monotonic()
            print(f"dist-test: {name} …", flush=True)
            result = fn(*args)
            print(f"dist-test: {name}: ok ({time.monotonic() - start:.1f} s)", flush=True)
            return result

        return run

    return wrap


def cli_json(session: DesktopSession, data: Path, *args: str, timeout: float = 60) -> Any:
    result = session.cli(data, *args, "--json", timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout)


def send(smtp: str, to: str, subject: str, text: str, html: str | None = None) -> None:
    host, port = smtp.rsplit(":", 1)
    message = EmailMessage()
    message["From"] = "Acme Accounts <no-reply@acme.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.send_message(message)


def x(session: DesktopSession, *argv: str) -> str:
    return subprocess.run(
        argv, env=session.env, capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()


def visible_window(session: DesktopSession) -> str:
    """The id of the app's visible window, once there is one."""
    found = wait_until(
        lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Temp Inbox"],
            env=session.env,
            capture_output=True,
            text=True,
        ).stdout.split(),
        30,
        "a visible Temp Inbox window",
    )
    return str(found[0])


def screenshot(session: DesktopSession, name: str) -> Path:
    """The app's window (and the whole screen beside it) as PNGs in dist/smoke/."""
    window = visible_window(session)
    path = OUT / f"{name}.png"
    x(session, "/usr/bin/import", "-window", window, str(path))
    x(session, "/usr/bin/import", "-window", "root", str(OUT / f"{name}-screen.png"))
    colours = int(x(session, "/usr/bin/convert", str(path), "-format", "%k", "info:"))
    size = x(session, "/usr/bin/convert", str(path), "-format", "%wx%h", "info:")
    print(f"dist-test:   {path.relative_to(REPO)}: {size}, {colours} colours", flush=True)
    assert colours > 100, f"{path} looks blank ({colours} colours)"
    return path


@step("the frozen app: window, new --json, mail by SMTP, D-Bus notification, quit")
def frozen_app(root: Path) -> None:
    data = root / "data"
    with FrozenSession(root / "session") as session:
        app = session.start_listening_app(data, "--local", timeout=90)
        try:
            info = cli_json(session, data, "info")
            assert info["keyring"].endswith("SecretService.Keyring") and info["keyring_usable"], info
            window = visible_window(session)
            x(session, "xdotool", "windowsize", window, "1100", "680")
            time.sleep(1.0)  # a window being resized: let it repaint before it is photographed
            screenshot(session, "window-empty")

            created = cli_json(session, data, "new")
            address = created["address"]
            assert address.endswith("@temp-inbox.test") and created["session_only"] is False, created

            send(
                info["smtp"],
                address,
                "Welcome to Acme",
                "Thanks for signing up.",
                "<h2>Welcome to Acme</h2><p>Thanks for signing up. Your account is ready.</p>",
            )
            waiter = session.cli_started(data, "wait", "--from", "acme", "--timeout", "90", "--json")
            assert waiter.stderr is not None
            ready = read_line_within(waiter.stderr, 90)
            assert ready.startswith("Waiting for a matching message"), ready
            send(
                info["smtp"],
                address,
                "Your Acme sign-in code",
                "Your verification code is 735102.",
                "<h2 style='color:#2359d8'>Sign in to Acme</h2>"
                "<p>Your verification code is</p><p style='font-size:28px'><b>735102</b></p>"
                "<p>It expires in 10 minutes. If you did not ask for it, ignore this mail.</p>"
                "<img src='https://tracker.example/pixel.gif' width='1' height='1'>",
            )
            stdout, stderr = waiter.communicate(timeout=120)
            assert waiter.returncode == 0, stderr
            message = json.loads(stdout)
            assert message["code"] == "735102", message
            calls = wait_until(
                lambda: [c for c in session.notify_calls() if "Acme sign-in code" in c], 60, "a Notify call"
            )
            assert 'string "Temp Inbox"' in calls[0] and "735102" in calls[0], calls[0]
            print(f"dist-test:   Notify seen on D-Bus ({len(session.notify_calls())} calls)", flush=True)

            shown = session.cli(data, "show", message["id"])
            assert shown.returncode == 0, shown.stderr
            time.sleep(3.0)  # the sealed view loads the body asynchronously; nothing to wait on from outside
            screenshot(session, "window")

            assert session.cli(data, "quit").returncode == 0
            status = app.wait(60)
            assert status == 0, f"the frozen app exited with {status}"
        finally:
            stop_process(app)
    log = (root / "session" / "app.log").read_text(errors="replace")
    (OUT / "app.log").write_text(log)
    assert "Traceback" not in log, log


@step("a command starts the frozen instance in the background")
def background_instance(root: Path) -> None:
    data = root / "data-background"
    with FrozenSession(root / "session-background", dunst=False) as session:
        try:
            created = cli_json(session, data, "--local", "new", timeout=120)
            assert created["address"].endswith("@temp-inbox.test"), created
            assert session.cli(data, "quit").returncode == 0
            wait_until(
                lambda: not (Path(tempfile.gettempdir()) / socket_name(data)).exists(),
                60,
                "the background instance to quit",
            )
        finally:
            log = data / "instance.log"
            if log.exists():
                (OUT / "instance.log").write_text(log.read_text(errors="replace"))
    assert "Traceback" not in (data / "instance.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@step("the frozen `temp-inbox serve` answers /domains")
def serve(root: Path) -> None:
    http, smtp = free_port(), free_port()
    with open(root / "serve.log", "wb") as log:
        proc = subprocess.Popen(
            [str(FROZEN), "serve", "--http", f"127.0.0.1:{http}", "--smtp", f"127.0.0.1:{smtp}", "--memory"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=root,
        )
    try:

        def domains() -> Any:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http}/domains", timeout=5) as response:
                    return json.loads(response.read())
            except OSError:
                assert proc.poll() is None, (root / "serve.log").read_text(errors="replace")
                return None

        answer = wait_until(domains, 60, "GET /domains")
        members = answer.get("hydra:member", answer) if isinstance(answer, dict) else answer
        assert any(d.get("domain") == "temp-inbox.test" for d in members), answer
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(30)
        assert status == 0, f"serve exited with {status}: {(root / 'serve.log').read_text(errors='replace')}"
    finally:
        stop_process(proc)


@step("the .deb: apt-get install, /usr/bin/temp-inbox --version, purge")
def deb() -> None:
    assert DEB.is_file(), f"{DEB} is missing (make dist)"
    query = ["dpkg-query", "-W", "-f=${Status}", "temp-inbox"]
    already = subprocess.run(query, capture_output=True, text=True)
    assert "installed" not in already.stdout, "temp-inbox is already installed here: remove it first"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "install", "-y", "-q", str(DEB)], env=env, check=True, timeout=600)
        version = subprocess.run(
            ["/usr/bin/temp-inbox", "--version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
        assert version == f"temp-inbox {__version__}", version
        print(f"dist-test:   /usr/bin/temp-inbox --version: {version}", flush=True)
        for path in (
            f"/usr/share/applications/{APP_ID}.desktop",
            f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
            f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
            *(f"/usr/share/icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in (16, 32, 48, 128, 256, 512)),
        ):
            assert Path(path).is_file(), f"{path} is not installed"
        subprocess.run(["desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop"], check=True)
    finally:
        subprocess.run(["apt-get", "purge", "-y", "-q", "temp-inbox"], env=env, timeout=600)
    assert not Path("/usr/bin/temp-inbox").exists() and not Path("/opt/temp-inbox").exists()


def main() -> int:
    assert FROZEN.is_file(), f"{FROZEN} is missing (make dist)"
    assert missing_tools() == [], f"missing: {missing_tools()} (scripts/system-deps.sh --test)"
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="temp-inbox-dist-test-") as tmp:
        root = Path(tmp)
        frozen_app(root)
        background_instance(root)
        serve(root)
    if os.geteuid() == 0:
        deb()
    else:
        print("dist-test: the .deb step needs root (apt-get install): run make dist-test as root", flush=True)
        return 1
    took = time.monotonic() - start
    print(f"dist-test: all passed in {took:.0f} s; screenshots in {OUT.relative_to(REPO)}/", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
