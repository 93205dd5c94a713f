"""The cache survives a killed process and opens files written by an older schema."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.core.models import Message, MessageSummary
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.core.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mailtm"

# The schema as the first release wrote it, spelled out here on purpose (not imported), so the test
# checks the migration against a real old file rather than against itself.
V1_SCHEMA = """
CREATE TABLE providers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, api_url TEXT NOT NULL, hub_url TEXT NOT NULL);
CREATE TABLE addresses (
    address TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers(id), account_id TEXT,
    label TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, state TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0, quota INTEGER NOT NULL DEFAULT 0);
CREATE TABLE messages (
    id TEXT PRIMARY KEY, address TEXT NOT NULL REFERENCES addresses(address) ON DELETE CASCADE,
    created_at TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, summary_json TEXT NOT NULL, full_json TEXT);
PRAGMA user_version = 1;
"""


def _v1_file(path: Path) -> tuple[dict[str, object], dict[str, object]]:
    listed = json.loads((FIXTURES / "messages_2024.json").read_text())["hydra:member"][0]
    full = json.loads((FIXTURES / "message_2024.json").read_text())
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    with conn:
        conn.execute(
            "INSERT INTO providers VALUES ('mail.tm', 'mail.tm', 'https://api.mail.tm', 'https://h')"
        )
        conn.execute(
            "INSERT INTO addresses VALUES ('newer@x.test', 'mail.tm', 'acc2', '', "
            "'2024-10-29T10:00:00+00:00', 'active', 10, 40000000)"
        )
        conn.execute(
            "INSERT INTO addresses VALUES ('older@x.test', 'mail.tm', 'acc1', 'shop', "
            "'2024-10-28T10:00:00+00:00', 'pending', 3079, 40000000)"
        )
        conn.execute(
            "INSERT INTO messages VALUES (?, 'older@x.test', ?, 0, ?, NULL)",
            (listed["id"], listed["createdAt"], json.dumps(listed)),
        )
        conn.execute(
            "INSERT INTO messages VALUES ('full1', 'newer@x.test', '2024-01-01', ?, ?, ?)",
            (int(full["seen"]), json.dumps({**full, "id": "full1"}), json.dumps({**full, "id": "full1"})),
        )
    conn.close()
    return listed, full


def test_a_v1_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    listed, full = _v1_file(path)
    with Store(path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # Address order, states and labels survive; the new columns get sensible values.
        addresses = store.list_addresses()
        assert [a.address for a in addresses] == ["older@x.test", "newer@x.test"]
        assert addresses[0].state is AddressState.PENDING and addresses[0].label == "shop"
        assert addresses[0].used == 3079 and addresses[0].state_reason == ""
        # Messages read back through the models, and search works on rows written before it existed.
        assert store.list_summaries("older@x.test") == [MessageSummary.from_json(listed)]
        assert store.count_summaries("older@x.test", search="zaid") == 1
        assert store.get_message("full1") == Message.from_json({**full, "id": "full1"})
        # Features that only exist in the new schema work on the migrated file.
        store.save_raw("full1", b"raw")
        assert store.get_raw("full1") == b"raw"
        assert store.get_provider("mail.tm").credit_url is None  # type: ignore[union-attr]
    with Store(path) as again:  # opening an up-to-date file migrates nothing
        assert again.count_summaries("older@x.test") == 1


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from desktop_app.core.store.cache import Store
    from tests.core.store_helpers import message, store_with, summary

    store = store_with("a@example.org", path=Path(sys.argv[1]))
    batch = 0
    while True:
        ids = [f"b{batch}-{i}" for i in range(10)]
        store.save_summaries("a@example.org", [summary(i, minutes=batch) for i in ids])
        store.save_message("a@example.org", message(f"full{batch}"))
        store.save_raw(f"full{batch}", bytes(range(256)) * 64)
        batch += 1
        print(batch, flush=True)
    """
)


@pytest.mark.parametrize("batches_before_kill", [1, 7, 40])
def test_killing_the_writer_mid_loop_leaves_a_readable_store(
    tmp_path: Path, batches_before_kill: int
) -> None:
    path = tmp_path / "cache.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        for _ in range(batches_before_kill):
            assert proc.stdout.readline(), "writer died early"
        os.kill(proc.pid, signal.SIGKILL)  # while it is in the middle of its next writes
    finally:
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    with Store(path) as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = store.known_message_ids("a@example.org")
        summaries = {i for i in ids if i.startswith("b")}
        fulls = {i for i in ids if i.startswith("full")}
        # Every batch of summaries is all there or not at all, and nothing committed was lost.
        batches = {i.split("-")[0] for i in summaries}
        assert len(summaries) == 10 * len(batches) >= 10 * batches_before_kill
        assert len(fulls) >= batches_before_kill
        for full_id in fulls:
            got = store.get_message(full_id)
            assert got is not None and got.text == "body of " + full_id
        # The store takes new writes after the crash.
        assert store.save_summaries("a@example.org", [*store.list_summaries("a@example.org", limit=1)]) == []
