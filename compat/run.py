"""``make compat``: four published mail.tm clients, unchanged, against a default ``temp-inbox serve``.

Each client is installed at a pinned version into a scratch folder (``COMPAT_DIR``, default
``/tmp/temp-inbox-compat``; never the project's venv: two of them ship a module called ``mailtm``),
then runs create → login → receive → read → seen → source → delete with its own calls
(``compat/py_flow.py``, ``compat/mailjs_flow.mjs``). A step the client has no call for is shown as
"–". Prints a table, writes ``compat-results.json`` in the scratch folder, and exits 1 when any step
failed. Needs the package registries once (then the scratch folder is reused); loopback only after.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRATCH = Path(os.environ.get("COMPAT_DIR", "/tmp/temp-inbox-compat"))


@dataclass(frozen=True)
class Client:
    name: str  # what py_flow.py calls it, or "mailjs"
    package: str  # as its registry knows it
    version: str
    language: str


CLIENTS = [
    Client("pymailtm", "pymailtm", "1.1.1", "python"),
    Client("MailTm", "MailTm", "0.0.81", "python"),
    Client("mailtm-python", "mailtm-python", "0.1.0", "python"),
    Client("mailjs", "@cemalgnlts/mailjs", "3.1.2", "node"),
]
STEPS = [
    "create",
    "login",
    "hub open",
    "receive",
    "read",
    "seen",
    "source",
    "delete message",
    "delete account",
]


def install(client: Client) -> list[str]:
    """The command that runs the client's flow, after installing it into its own folder once."""
    home = SCRATCH / client.name
    marker = home / f".installed-{client.version}"
    if client.language == "python":
        python = home / "bin" / "python"
        if not marker.exists():
            shutil.rmtree(home, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", f"{client.package}=={client.version}"], check=True
            )
            marker.touch()
        return [str(python), str(HERE / "py_flow.py"), client.name]
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise SystemExit("make compat needs node and npm for the JavaScript client")
    if not marker.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        (home / "package.json").write_text('{"name": "compat", "private": true, "type": "module"}\n')
        spec = f"{client.package}@{client.version}"
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", spec], cwd=home, check=True)
        marker.touch()
    # Node resolves packages from the script's own folder: run a copy next to node_modules.
    shutil.copy(HERE / "mailjs_flow.mjs", home / "mailjs_flow.mjs")
    return ["node", str(home / "mailjs_flow.mjs")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str, str]:
    http, smtp = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    extra = os.environ.get("COMPAT_SERVE_ARGS", "").split()
    argv = [sys.executable, "-m", "desktop_app", "serve", "--memory", "--http", http, "--smtp", smtp, *extra]
    with open(SCRATCH / "serve.log", "wb") as log:  # the child keeps its own copy of the handle
        server = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=HERE.parent)
    api = f"http://{http}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{api}/domains", timeout=5) as answer:
                if answer.status == 200:
                    return server, api, smtp
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"temp-inbox serve did not answer /domains; see {SCRATCH / 'serve.log'}")


def run_flow(argv: list[str], api: str, smtp: str) -> list[dict[str, object]]:
    env = {**os.environ, "COMPAT_API": api, "COMPAT_SMTP": smtp, "COMPAT_PYTHON": sys.executable}
    env["HOME"] = str(SCRATCH / "home")  # pymailtm keeps its last account in ~/.pymailtm
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return [{"step": "run", "ok": False, "detail": "no result after 180 s"}]
    for line in reversed(done.stdout.splitlines()):
        if line.startswith('{"steps"'):
            return list(json.loads(line)["steps"])
    return [{"step": "run", "ok": False, "detail": (done.stderr or done.stdout)[-500:]}]


def main() -> int:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    commands = {client.name: install(client) for client in CLIENTS}
    server, api, smtp = start_server()
    results: dict[str, list[dict[str, object]]] = {}
    try:
        for client in CLIENTS:
            results[client.name] = run_flow(commands[client.name], api, smtp)
    finally:
        server.terminate()
        server.wait(30)
    marks = {True: "ok", False: "FAIL", None: "–"}
    widths = [len(s) + 2 for s in STEPS]
    print(f"{'client':<28}" + "".join(f"{s:>{w}}" for s, w in zip(STEPS, widths, strict=True)))
    failed = 0
    for client in CLIENTS:
        by_step = {str(s["step"]): s for s in results[client.name]}
        cells = [marks[by_step[s]["ok"]] if s in by_step else "" for s in STEPS]  # type: ignore[index]
        row = "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        print(f"{client.package + ' ' + client.version:<28}" + row)
        for s in results[client.name]:
            if s["ok"] is False:
                failed += 1
                print(f"  {client.name} {s['step']}: {s.get('detail')}")
    serve_args = os.environ.get("COMPAT_SERVE_ARGS", "") or "(defaults)"
    summary = {"serve_args": serve_args, "clients": [c.__dict__ for c in CLIENTS], "results": results}
    (SCRATCH / "compat-results.json").write_text(json.dumps(summary, indent=2))
    print(
        f"temp-inbox serve {serve_args}: {'every step passed' if not failed else f'{failed} step(s) failed'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
