"""Start-up of the real app to its window on screen (issue 14, item 4): from launching the process to
the X server mapping its top-level window (``MapWatcher``: MapNotify on the root window, no polling),
beside a bare PySide6 window started the same way on the same screen (the floor).

Cases: an empty data directory; 50 addresses with 10,000 cached messages (200 each, full bodies), with
the server up and with it stopped (offline); with ``--big``, 500 addresses / 100,000 messages. The
addresses are imported once with their passwords in the session's keyring; the cache is filled through
the app's own ``Store``; every run starts from a copy of that data directory. Also measured: how long
after launch all 50 addresses are live again.

    python benchmarks/startup.py [--runs 5] [--big]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness as h

BARE = (
    "import PySide6.QtWidgets as w; a = w.QApplication([]); x = w.QMainWindow(); "
    "x.resize(900, 600); x.show(); a.exec()"
)


def launch_to_map(session: Any, argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.Popen[Any]]:
    watcher = h.MapWatcher(session.env["DISPLAY"])
    start = time.monotonic_ns()
    with open(session.root / "app.log", "ab") as log:
        proc = subprocess.Popen(
            argv, env={**session.env, **env}, cwd=h.REPO, stdout=log, stderr=subprocess.STDOUT
        )
    mapped = watcher.wait(60)
    if mapped is None:
        h.stop_process(proc)
        raise RuntimeError(f"no window mapped: {argv}")
    return (mapped - start) / 1e9, proc


def fill_cache(data: Path, addresses: list[str], per_address: int) -> None:
    from desktop_app.core.models import Address, Message, MessageSummary
    from desktop_app.core.paths import store_path
    from desktop_app.core.store import Store

    store = Store(store_path(data))
    base = datetime.now(UTC) - timedelta(days=1)
    try:
        for a, address in enumerate(addresses):
            summaries = [
                MessageSummary(
                    id=f"cached{a:04d}{n:05d}",
                    account_id="cached",
                    sender=Address(f"sender{n % 97}@example.test", f"Sender {n % 97}"),
                    subject=f"Cached message {n} for {address}",
                    intro=f"Your verification code is {100000 + n}.",
                    seen=n > 3,
                    created_at=base + timedelta(seconds=n),
                )
                for n in range(per_address)
            ]
            store.save_summaries(address, summaries)
            for summary in summaries:
                store.save_message(
                    address,
                    Message(
                        summary=summary,
                        text=f"{summary.intro}\n\nRegards",
                        html=(f"<p>{summary.intro}</p><p>Regards</p>",),
                    ),
                )
    finally:
        store.close()


def prepared_data(session: Any, root: Path, server: h.MailServer, count: int, per_address: int) -> Path:
    """A data directory with ``count`` addresses (passwords in the keyring) and their cached mail."""
    data = root / f"data-{count}"
    app = h.start_app(session, data, server)
    try:
        accounts = h.create_accounts(server.api, count)
        h.import_accounts(
            data, h.export_file(root / f"export-{count}.json", server, accounts), session_only=False
        )
        h.wait_until(lambda: h.live_count(data) == count, 300, f"{count} addresses live", 0.2)
    finally:
        h.quit_app(data, app)
    fill_cache(data, [a for a, _ in accounts], per_address)
    return data


def timed_starts(
    session: Any, template: Path | None, root: Path, server: h.MailServer | None, runs: int, live: int = 0
) -> dict[str, Any]:
    times, live_after = [], []
    for i in range(runs):
        data = root / f"run-{i}"
        shutil.rmtree(data, ignore_errors=True)
        if template is not None:
            shutil.copytree(template, data)
        provider = ["--api-url", server.api, "--hub-url", server.hub] if server else []
        argv = [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *provider]
        started = time.monotonic()
        seconds, proc = launch_to_map(session, argv, h.APP_ENV)
        times.append(seconds)
        try:
            h.wait_until(
                lambda d=data: (Path(tempfile.gettempdir()) / h.socket_name(d)).exists(), 60, "socket"
            )
            if live:
                h.wait_until(lambda d=data: h.live_count(d) == live, 120, "all live", 0.05)
                live_after.append(time.monotonic() - started)
        finally:
            h.quit_app(data, proc)
        shutil.rmtree(data, ignore_errors=True)
    result = {"s": h.summary(times, 3)}
    if live_after:
        result["all_live_s"] = h.summary(live_after, 2)
    return result


def run(runs: int, big: bool = False) -> dict[str, Any]:
    h.compile_app_bytecode()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-start-") as tmp:
        root = Path(tmp)
        with h.desktop(root / "session") as session, h.MailServer() as server:
            sink = h.NotifySink(session)  # or the bus would activate dunst for the app's first question
            bare = []
            for _ in range(runs):
                seconds, proc = launch_to_map(session, [sys.executable, "-c", BARE], {})
                bare.append(seconds)
                h.stop_process(proc)
            results["bare_pyside6_window"] = {"s": h.summary(bare, 3)}
            results["empty"] = timed_starts(session, None, root, server, runs)
            with h.MailServer() as server50:
                data50 = prepared_data(session, root, server50, 50, 200)
                results["50_addresses_10000_messages"] = timed_starts(
                    session, data50, root, server50, runs, live=50
                )
                server50.stop()  # offline: the same provider, nobody listening on its port
                results["50_addresses_10000_messages_offline"] = timed_starts(
                    session, data50, root, server50, runs
                )
            if big:
                data500 = prepared_data(session, root, server, 500, 200)
                results["500_addresses_100000_messages"] = timed_starts(session, data500, root, server, runs)
            sink.stop()
    floor = results["bare_pyside6_window"]["s"]["median"]
    for case in results.values():
        case["over_bare_window"] = round(case["s"]["median"] / floor, 2)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3 if h.QUICK else 5)
    parser.add_argument("--big", action="store_true", help="also 500 addresses / 100,000 messages (slow)")
    args = parser.parse_args()
    print(json.dumps(run(args.runs, args.big), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
