"""Hostile MIME for the client's inline-part parser (issue 9, defect 1)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.inbox import Inbox
from desktop_app.core.sealed import inline_parts as module
from desktop_app.core.sealed.inline_parts import inline_parts, inline_parts_async
from tests.core.corpus import mail
from tests.core.store_helpers import PROVIDER, message, store_with
from tests.core.test_secrets import DictKeyring

ROOT = Path(__file__).resolve().parents[2]

# Measured in a child process so the figure is this parse's own peak, not the test runner's. The address
# space is capped well above what the bounded parser needs, so the old quadratic parser fails fast (with
# a MemoryError and a big peak) instead of taking gigabytes of a shared machine.
_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, resource.RLIM_INFINITY))
sys.path.insert(0, sys.argv[1])
from desktop_app.core.sealed.inline_parts import inline_parts
from tests.core.corpus import mail
raw = getattr(mail, sys.argv[2])()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
parts = inline_parts(raw)
elapsed = time.monotonic() - start
# VmHWM is this process image's own peak; ru_maxrss would carry over the forked pytest parent's peak
# (390 MB with QtWebEngine loaded in a full run) across exec.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"size": len(raw), "peak_mb": peak / 1024, "before_mb": before / 1024,
                  "seconds": elapsed, "cids": sorted(parts)}))
"""


@pytest.mark.parametrize("builder", ["encoded_word_bomb", "content_type_bomb", "content_id_bomb"])
def test_encoded_word_bomb_is_cheap(builder: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT), builder],
        capture_output=True,
        text=True,
        timeout=120,  # minutes with the old parser; the assertion below is the real bound
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert figures["size"] > 400_000
    assert figures["peak_mb"] < 400, figures  # 30 MB; policy.default hit the 1.5 GB cap (6 GB uncapped)
    assert figures["seconds"] < 20, figures  # "not frozen": ~0.02 s bounded, minutes before
    assert figures["cids"] == ["logo@x"]


def test_deep_nesting_has_no_inline_parts() -> None:
    assert inline_parts(mail.deep_multipart(2_000)) == {}
    assert inline_parts(mail.deep_multipart(module.MAX_DEPTH + 5)) == {}


def test_shallow_nesting_is_still_read() -> None:
    assert inline_parts(mail.deep_multipart(3)) == {"deep@x": ("image/png", b"x")}


def test_too_many_parts_has_no_inline_parts() -> None:
    assert inline_parts(mail.many_parts(module.MAX_PARTS + 10)) == {}
    assert len(inline_parts(mail.many_parts(10))) == 10


def test_oversized_source_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "MAX_SOURCE_BYTES", 1_000)
    assert inline_parts(mail.many_parts(100)) == {}


def test_overlong_content_id_is_ignored() -> None:
    raw = (
        b"Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n"
        b"Content-ID: <" + b"x" * 5_000 + b">\r\n\r\nx\r\n--b--\r\n"
    )
    assert inline_parts(raw) == {}


def test_corpus_mail_files_never_raise() -> None:
    files = mail.files("*.eml")
    assert files, "the corpus has mail files"
    for path in files:
        assert isinstance(inline_parts(path.read_bytes()), dict), path.name


def test_async_variant_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    original = module.inline_parts

    def spy(raw: bytes) -> dict[str, tuple[str, bytes]]:
        seen.append(threading.get_ident())
        return original(raw)

    monkeypatch.setattr(module, "inline_parts", spy)
    parts = asyncio.run(inline_parts_async(mail.encoded_word_bomb(100)))
    assert parts == {"logo@x": ("image/png", b"\x89PNG\r\n\x1a\n")}
    assert seen and seen[0] != threading.get_ident()


async def test_opening_a_hostile_mail_parses_it_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Inbox.load_message`` (the window's "open this mail") with the encoded-word bomb as raw source."""
    threads: list[int] = []
    original = module.inline_parts

    def spy(raw: bytes) -> dict[str, tuple[str, bytes]]:
        threads.append(threading.get_ident())
        return original(raw)

    monkeypatch.setattr(module, "inline_parts", spy)
    store = store_with("me@example.org")
    base = message("m1")
    store.save_message("me@example.org", replace(base, html=('<img src="cid:logo@x">',)))
    store.save_raw("m1", mail.content_type_bomb())
    inbox = Inbox(store, PasswordVault(DictKeyring()), PROVIDER)
    loaded = await inbox.load_message("me@example.org", "m1")
    assert loaded.inline_parts == {"logo@x": ("image/png", b"\x89PNG\r\n\x1a\n")}
    assert threads and threading.get_ident() not in threads
    store.close()
