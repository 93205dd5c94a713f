"""What a command prints when its reader stops early (``temp-inbox list | head -1``)."""

from __future__ import annotations

import os
import sys

import pytest

from desktop_app import cli


def test_a_reader_that_stops_early_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as `head` does after its lines
    stdout = open(write_end, "w", buffering=1)  # noqa: SIM115 - closed below, after the redirect
    monkeypatch.setattr(sys, "stdout", stdout)
    many = [{"address": f"a{i}@temp-inbox.test", "unread": 0, "provider": "local"} for i in range(5000)]
    try:
        code = cli._print_to_reader("list", {}, {"ok": True, "addresses": many})
        # stdout now writes to /dev/null: the flush at exit finds no closed pipe either.
        print("after", file=stdout)
        stdout.flush()
    finally:
        stdout.close()
    assert code == cli.EXIT_OK


def test_a_reader_that_reads_everything_gets_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    many = [{"address": f"a{i}@temp-inbox.test", "unread": 1, "provider": "local"} for i in range(3)]
    assert cli._print_to_reader("list", {}, {"ok": True, "addresses": many}) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [f"a{i}@temp-inbox.test" for i in range(3)]
