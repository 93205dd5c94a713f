"""What every benchmark shares: the machine's description, percentiles, a mail server process, accounts
on it, the real app in a private desktop session, a D-Bus notification sink that stamps each ``Notify``,
and the memory of a process tree read from ``/proc``.

Everything runs on loopback; every process started here is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from desktop_app.instance.ipc import socket_name  # noqa: E402
from tests.e2e.desktop_session import DesktopSession  # noqa: E402
from tests.processes import stop_process  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"


# --- figures ------------------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); the worst value for q=1."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float], digits: int = 3) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {
        "n": len(values),
        "median": round(median, digits),
        "p99": round(percentile(ordered, 0.99), digits),
        "worst": round(ordered[-1], digits),
        "best": round(ordered[0], digits),
    }


def compile_app_bytecode() -> int:
    """Write the bytecode of the app's own modules (``__pycache__``, git-ignored), as installing it does
    (pip compiles every module of a wheel). Without it a launch compiles ~120 modules from source (about
    0.1 s of a 0.4 s start here) whenever the environment sets ``PYTHONDONTWRITEBYTECODE`` (this
    machine's does) or the tree is fresh: a cost no installed app pays. Returns the modules compiled."""
    package = REPO / "desktop_app"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return sum(1 for _ in package.rglob("__pycache__/*.pyc"))


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except ImportError:  # pragma: no cover
        qt = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "qt": qt,
        "load_at_start": round(os.getloadavg()[0], 2),
    }


# --- memory of a process tree ------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (QtWebEngineProcess zygotes, renderers, GPU/utility)."""
    tree = _children()
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(tree.get(p, []))
    return found


def _role(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    args = [a.decode(errors="replace") for a in argv if a]
    if len(args) == 1:  # Chromium rewrites its command line as one string (its process title)
        args = args[0].split()
    if not args:
        return "?"
    if "QtWebEngineProcess" in args[0]:
        kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "?")
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), "")
        return f"webengine {kind}" + (f" ({sub.rsplit('.', 1)[-1]})" if sub else "")
    if "desktop_app" in args:
        return "app (python)"
    return Path(args[0]).name


def process_memory(pid: int) -> dict[str, Any] | None:
    """VmRSS, VmHWM (the process's own peak), its anonymous/file/shmem parts and PSS, in MiB."""
    try:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
        )
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return None
    pss = 0
    for line in rollup:
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    mib = lambda key: round(int(status.get(key, "0 kB").split()[0]) / 1024, 1)  # noqa: E731
    return {
        "pid": pid,
        "role": _role(pid),
        "rss": mib("VmRSS"),
        "hwm": mib("VmHWM"),
        "anon": mib("RssAnon"),
        "file": mib("RssFile"),
        "shmem": mib("RssShmem"),
        "pss": round(pss / 1024, 1),
    }


def tree_memory(pid: int) -> list[dict[str, Any]]:
    return [m for p in descendants(pid) if (m := process_memory(p)) is not None]


class TreeSampler:
    """Samples the tree's total RSS and PSS every ``interval`` s: the peak of the sum (processes that
    peak at different moments are not added up), plus every process ever seen with its own VmHWM."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self.peak_footprint = 0.0
        self.peak_at: list[dict[str, Any]] = []
        self.seen: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def sample(self) -> None:
        tree = tree_memory(self.pid)
        for m in tree:
            old = self.seen.get(m["pid"])
            if old is None or m["hwm"] >= old["hwm"]:
                self.seen[m["pid"]] = m
        rss = sum(m["rss"] for m in tree)
        if rss > self.peak_rss:
            self.peak_rss = rss
            self.peak_at = tree
        self.peak_pss = max(self.peak_pss, sum(m["pss"] for m in tree))
        if rss >= self.peak_rss:  # the footprint at the moment of the RSS peak (reading smaps is slow)
            self.peak_footprint = tree_footprint(m["pid"] for m in tree)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)


# --- the mail server ---------------------------------------------------------------------------


class MailServer:
    """``temp-inbox serve`` in its own process (so its memory and CPU are not the app's), in memory or
    on a data directory, on free loopback ports."""

    def __init__(self, data: Path | None = None, *extra: str) -> None:
        argv = [
            sys.executable,
            "-m",
            "desktop_app",
            "serve",
            "--http",
            "127.0.0.1:0",
            "--smtp",
            "127.0.0.1:0",
        ]
        argv += ["--data", str(data)] if data is not None else ["--memory"]
        self.proc = subprocess.Popen(
            [*argv, *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("temp-inbox serve did not start")
        info = json.loads(line)
        self.api: str = info["api"]
        self.hub: str = info["hub"]
        host, port = info["smtp"].rsplit(":", 1)
        self.smtp = (host, int(port))

    def stop(self) -> None:
        stop_process(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> MailServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_accounts(api: str, count: int, prefix: str = "bench") -> list[tuple[str, str]]:
    """``count`` accounts through the REST API, returned as (address, password)."""
    import httpx

    with httpx.Client(base_url=api, timeout=30) as http:
        domain = http.get("/domains").json()["hydra:member"][0]["domain"]
        accounts = []
        for i in range(count):
            address = f"{prefix}{i:04d}-{secrets.token_hex(3)}@{domain}"
            password = secrets.token_urlsafe(12)
            http.post("/accounts", json={"address": address, "password": password}).raise_for_status()
            accounts.append((address, password))
    return accounts


def export_file(path: Path, server: MailServer, accounts: list[tuple[str, str]]) -> Path:
    """A Temp Inbox export document (format of ``desktop_app/core/accounts/transfer.py``) for ``accounts``."""
    from desktop_app.core.accounts.transfer import FORMAT, VERSION

    document = {
        "format": FORMAT,
        "version": VERSION,
        "addresses": [
            {
                "address": address,
                "provider": {"id": "custom", "name": "bench", "api_url": server.api, "hub_url": server.hub},
                "password": password,
            }
            for address, password in accounts
        ],
    }
    path.write_text(json.dumps(document))
    return path


# --- the app -----------------------------------------------------------------------------------


def command(data: Path, name: str, args: dict[str, Any] | None = None, timeout: float = 60) -> Any:
    """One request on the running instance's socket (the protocol in ``desktop_app/instance/ipc.py``)."""
    path = Path(tempfile.gettempdir()) / socket_name(data)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall((json.dumps({"command": name, "args": args or {}}) + "\n").encode())
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
            lines = answer.split(b"\n")
            for line in lines[:-1]:
                reply = json.loads(line)
                if "progress" not in reply:
                    if not reply.get("ok"):
                        raise RuntimeError(f"{name}: {reply}")
                    return reply
    raise RuntimeError(f"{name}: no answer")


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def live_count(data: Path) -> int:
    return sum(1 for a in command(data, "list")["addresses"] if a["live"] == "live")


APP_ENV = {
    "TEMP_INBOX_NOTICE_WINDOW": "0",
    "TEMP_INBOX_NOTICE_PER_MINUTE": "1000000",
    "TEMP_INBOX_LOG": "WARNING",
}


@contextmanager
def desktop(root: Path, *, display: bool = True) -> Iterator[DesktopSession]:
    """Xvfb (xcb) or offscreen, a private D-Bus session and keyring; no dunst: the sink owns
    ``org.freedesktop.Notifications``."""
    with DesktopSession(root, dunst=False, display=display) as session:
        yield session


class NotifySink:
    """A separate process that owns ``org.freedesktop.Notifications`` on the session bus and prints
    ``<monotonic ns>\\t<summary>\\t<body>`` the moment each ``Notify`` arrives (``notify_sink.py``)."""

    def __init__(self, session: DesktopSession) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "benchmarks" / "notify_sink.py"),
                session.env["DBUS_SESSION_BUS_ADDRESS"],
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the notification sink did not start")
        self.calls: list[tuple[int, str, str]] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            stamp, summary, body = ([*line.rstrip("\n").split("\t"), "", ""])[:3]
            with self._cond:
                self.calls.append((int(stamp), summary, body))
                self._cond.notify_all()

    def wait_for(self, needle: str, timeout: float) -> int | None:
        """The stamp of the first call whose summary or body contains ``needle``."""

        def found() -> int | None:
            return next((s for s, summ, body in self.calls if needle in summ or needle in body), None)

        with self._cond:
            self._cond.wait_for(lambda: found() is not None, timeout)
            return found()

    def count(self) -> int:
        with self._cond:
            return len(self.calls)

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            stop_process(self.proc)


def start_app(
    session: DesktopSession,
    data: Path,
    server: MailServer | None,
    *args: str,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[Any]:
    provider = ["--api-url", server.api, "--hub-url", server.hub] if server is not None else []
    return session.start_listening_app(data, *provider, *args, extra_env={**APP_ENV, **(env or {})})


def quit_app(data: Path, app: subprocess.Popen[Any]) -> None:
    try:
        command(data, "quit", timeout=20)
        app.wait(30)
    except Exception:
        pass
    finally:
        if app.poll() is None:
            stop_process(app)


def import_accounts(data: Path, file: Path, *, session_only: bool = True) -> None:
    command(data, "import", {"file": str(file), "session_only": session_only}, timeout=300)


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime of the processes, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def tcp_connections(pid: int, port: int) -> int:
    """Established TCP connections of process ``pid`` to ``port`` on loopback (from /proc/net/tcp and
    the process's socket inodes)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == "01" and remote_port == port and fields[9] in inodes:
                count += 1
    return count


def mapping_breakdown(pid: int, top: int = 12) -> list[tuple[str, float]]:
    """Where a process's resident memory is, by mapping (``/proc/PID/smaps``): each file's Rss, and
    anonymous memory split into [heap], thread stacks/arenas ([anon]) and the rest, in MiB."""
    totals: dict[str, int] = {}
    name = "?"
    try:
        lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            name = fields[5] if len(fields) > 5 else "[anon]"
            name = Path(name).name if name.startswith("/") else name
        elif fields[0] == "Rss:":
            totals[name] = totals.get(name, 0) + int(fields[1])
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    return [(n, round(kb / 1024, 1)) for n, kb in ordered[:top]]


# --- a window appearing on the X screen ----------------------------------------------------------


class MapWatcher:
    """Stamps (monotonic ns) the first top-level window mapped on ``display`` after ``__init__``: an X
    client of its own (libxcb through ctypes) that listens for MapNotify on the root window, so the
    stamp is the moment the X server maps the app's window, with no polling."""

    MAP_NOTIFY = 19
    CW_EVENT_MASK = 1 << 11
    SUBSTRUCTURE_NOTIFY = 1 << 19

    def __init__(self, display: str) -> None:
        import ctypes
        import ctypes.util

        class ScreenIterator(ctypes.Structure):
            _fields_ = [
                ("data", ctypes.POINTER(ctypes.c_uint32)),
                ("rem", ctypes.c_int),
                ("index", ctypes.c_int),
            ]

        self._ct = ctypes
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
        xcb.xcb_connect.restype = ctypes.c_void_p
        xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        xcb.xcb_get_setup.restype = ctypes.c_void_p
        xcb.xcb_get_setup.argtypes = [ctypes.c_void_p]
        xcb.xcb_setup_roots_iterator.restype = ScreenIterator
        xcb.xcb_setup_roots_iterator.argtypes = [ctypes.c_void_p]
        xcb.xcb_change_window_attributes.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_uint32),
        ]
        xcb.xcb_flush.argtypes = [ctypes.c_void_p]
        xcb.xcb_get_file_descriptor.argtypes = [ctypes.c_void_p]
        xcb.xcb_poll_for_event.restype = ctypes.POINTER(ctypes.c_uint8)
        xcb.xcb_poll_for_event.argtypes = [ctypes.c_void_p]
        xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
        self._libc = ctypes.CDLL(None)
        self._libc.free.argtypes = [ctypes.c_void_p]
        self._xcb = xcb
        xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
        for _ in range(100):  # a fresh Xvfb may have its socket before it accepts clients
            self._conn = xcb.xcb_connect(display.encode(), None)
            if not xcb.xcb_connection_has_error(self._conn):
                break
            xcb.xcb_disconnect(self._conn)
            time.sleep(0.1)
        else:
            raise RuntimeError(f"cannot connect to the X display {display}")
        root = xcb.xcb_setup_roots_iterator(xcb.xcb_get_setup(self._conn)).data[0]
        mask = (ctypes.c_uint32 * 1)(self.SUBSTRUCTURE_NOTIFY)
        xcb.xcb_change_window_attributes(self._conn, root, self.CW_EVENT_MASK, mask)
        xcb.xcb_flush(self._conn)
        self._fd = xcb.xcb_get_file_descriptor(self._conn)

    def wait(self, timeout: float) -> int | None:
        import select

        deadline = time.monotonic() + timeout
        try:
            while True:
                event = self._xcb.xcb_poll_for_event(self._conn)
                while event:
                    kind = event[0] & 0x7F
                    override_redirect = event[12]
                    self._libc.free(event)
                    if kind == self.MAP_NOTIFY and not override_redirect:
                        return time.monotonic_ns()
                    event = self._xcb.xcb_poll_for_event(self._conn)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                select.select([self._fd], [], [], left)
        finally:
            self._xcb.xcb_disconnect(self._conn)


def file_and_anon(pid: int) -> tuple[dict[str, int], int]:
    """A process's resident pages by mapped file (kB) and its resident non-file memory (kB)."""
    files: dict[str, int] = {}
    other = 0
    name: str | None = None
    try:
        lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    except OSError:
        return {}, 0
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and not fields[0].endswith(":"):
            name = fields[5] if len(fields) > 5 and fields[5].startswith("/") else None
        elif fields[0] == "Rss:":
            if name is None:
                other += int(fields[1])
            else:
                files[name] = files.get(name, 0) + int(fields[1])
    return files, other


def tree_footprint(pids: Iterable[int]) -> float:
    """The tree's memory with each shared file counted once (MiB): every process's non-file resident
    memory, plus for each mapped file the most any one process of the tree has resident. Unlike PSS it
    does not depend on other programs mapping the same libraries; unlike summed RSS it does not count
    ``libQt6WebEngineCore.so`` once per process. (An estimate: two processes may hold different pages of
    one file.)"""
    most: dict[str, int] = {}
    other = 0
    for pid in pids:
        files, anon = file_and_anon(pid)
        other += anon
        for name, kb in files.items():
            most[name] = max(most.get(name, 0), kb)
    return round((other + sum(most.values())) / 1024, 1)
