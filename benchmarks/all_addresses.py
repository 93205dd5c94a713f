""" "All addresses" (issue 12): every address's mail in one list over a big cache.

A cache file of 10,000 messages in 5 addresses (every fourth with a 20 kB body, as opened mail is
kept) is read as the window reads it: the count and the first page of the list across addresses (a
fresh connection each time, so the page cache of the connection does not help), a page near the end,
and the same two without the ``messages_by_time`` index (schema v4) for comparison; then the window's
own model (``MailListModel``, offscreen Qt) is pointed at "All addresses" and scrolled to the end page
by page, as ``fetchMore`` does when the user drags the scroll bar down.

    python benchmarks/all_addresses.py [--messages 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness as h

ADDRESSES = 5


def _fill(path: Path, messages: int) -> None:
    from desktop_app.core.api.providers import Provider
    from desktop_app.core.models import Address, Message, MessageSummary
    from desktop_app.core.store import AddressState, Store

    store = Store(path)
    provider = Provider(id="bench", name="Bench", api_url="http://127.0.0.1:1", hub_url="http://127.0.0.1:1")
    store.save_provider(provider)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    body = "x" * 20_000
    per = messages // ADDRESSES
    for a in range(ADDRESSES):
        address = f"bench{a}@example.test"
        store.add_address(address, provider.id, state=AddressState.ACTIVE, account_id=f"acc{a}")
        summaries = [
            MessageSummary(
                id=f"{a}-{n:06d}",
                account_id=f"acc{a}",
                sender=Address(f"sender{n % 97}@example.test", f"Sender {n % 97}"),
                subject=f"Message {n} to {a}",
                intro="A line of preview text",
                created_at=start + timedelta(seconds=n * ADDRESSES + a),
            )
            for n in range(per)
        ]
        store.save_summaries(address, summaries[::-1])
        for s in summaries[::4]:
            store.save_message(address, Message(summary=s, text=body, html=(f"<p>{body}</p>",)))
    store.close()


def _store_pages(path: Path, repeats: int) -> dict[str, Any]:
    from desktop_app.core.store import Store

    first: list[float] = []
    deep: list[float] = []
    for _ in range(repeats):
        store = Store(path)
        total = store.count_all_summaries()
        t0 = time.perf_counter()
        store.count_all_summaries()
        store.list_all_summaries(0, 100)
        t1 = time.perf_counter()
        store.list_all_summaries(max(0, total - 100), 100)
        t2 = time.perf_counter()
        store.close()
        first.append((t1 - t0) * 1000)
        deep.append((t2 - t1) * 1000)
    return {"first_page_ms": h.summary(first), "last_page_ms": h.summary(deep)}


def _model(path: Path, repeats: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.store import Store
    from desktop_app.ui.all_addresses_list import MailListModel
    from desktop_app.ui.controller import ALL_ADDRESSES

    app = QApplication.instance() or QApplication([])
    store = Store(path)

    def list_page(address: str, offset: int, limit: int, search: str, sort: Any, ascending: bool) -> Any:
        return store.list_summaries(address, offset, limit, search or None, sort=sort, ascending=ascending)

    def list_all(offset: int, limit: int, search: str, sort: Any, ascending: bool) -> Any:
        return store.list_all_summaries(offset, limit, search or None, sort=sort, ascending=ascending)

    opened: list[float] = []
    scrolled: list[float] = []
    for _ in range(repeats):
        model = MailListModel(
            list_page,
            lambda a, s: store.count_summaries(a, s or None),
            list_all,
            lambda s: store.count_all_summaries(s or None),
        )
        t0 = time.perf_counter()
        model.set_address(ALL_ADDRESSES)
        t1 = time.perf_counter()
        while model.canFetchMore():
            model.fetchMore()
        t2 = time.perf_counter()
        assert model.rowCount() == store.count_all_summaries()
        opened.append((t1 - t0) * 1000)
        scrolled.append((t2 - t1) * 1000)
    store.close()
    del app
    return {"open_ms": h.summary(opened), "scroll_to_end_ms": h.summary(scrolled)}


def measure(messages: int, repeats: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-all-addresses-"))
    try:
        path = root / "cache.sqlite3"
        _fill(path, messages)
        result: dict[str, Any] = {"messages": messages, "addresses": ADDRESSES}
        result["indexed"] = _store_pages(path, repeats)
        result["model"] = _model(path, max(1, repeats // 4))
        plain = root / "no-index.sqlite3"
        shutil.copy(path, plain)
        conn = sqlite3.connect(plain)
        conn.execute("DROP INDEX messages_by_time")
        conn.close()
        result["without_index"] = _store_pages(plain, repeats)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(messages: int = 10_000, repeats: int = 20) -> dict[str, Any]:
    """In a process of its own (offscreen Qt), so the suite's process never holds a QApplication."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, __file__, "--messages", str(messages), "--repeats", str(repeats), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    result = measure(args.messages, args.repeats)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
