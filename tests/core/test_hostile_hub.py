"""A hostile or broken hub (issue 9, defects 5 and 9): the reader stays linear and bounded, never raises,
and the stream (and its reconnects) survive."""

from __future__ import annotations

import time

import pytest

from desktop_app.core.live import mercure
from desktop_app.core.live.mercure import (
    SseFrame,
    SseFrameDecoder,
    SseLineSplitter,
    Unreadable,
    header_safe_event_id,
    last_json_object,
    parse_hub_data,
)
from tests.core.corpus import hub as corpus
from tests.core.test_live import run_subscription
from tests.integration.support import FakeMailClient, ScriptedHub, frame, message_event


def frames(data: bytes | list[bytes]) -> list[SseFrame]:
    splitter, decoder = SseLineSplitter(), SseFrameDecoder()
    out: list[SseFrame] = []
    for chunk in [data] if isinstance(data, bytes) else data:
        for line in splitter.feed(chunk):
            found = decoder.feed(line)
            if found is not None:
                out.append(found)
    return out


def test_a_32_mb_line_is_dropped_in_linear_time_and_the_stream_goes_on() -> None:
    chunks = corpus.long_line_chunks()
    started = time.monotonic()
    result = frames([*chunks, b"\n\n", b'data: {"@id": "/messages/m1"}\n\n'])
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed  # "not frozen": well under a second now, 28 s before
    assert result[0].oversized and result[0].data == ""
    assert result[1] == SseFrame(data='{"@id": "/messages/m1"}')


def test_a_long_line_is_not_buffered_whole() -> None:
    splitter = SseLineSplitter()
    for chunk in corpus.long_line_chunks(8 * 1024 * 1024):
        assert splitter.feed(chunk) == []
    assert sum(len(p) for p in splitter._pieces) <= mercure.MAX_LINE_BYTES
    assert splitter.feed(b"\n") == [None]
    assert splitter.feed(b"ok\n") == ["ok"]


def test_too_many_data_lines_drop_the_event() -> None:
    result = frames(corpus.many_data_lines() + b"data: 1\n\n")
    assert result[0].oversized and result[0].data == ""
    assert result[1] == SseFrame(data="1")


def test_too_much_data_drops_the_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mercure, "MAX_EVENT_BYTES", 100)
    result = frames(b"data: " + b"x" * 60 + b"\ndata: " + b"y" * 60 + b"\n\ndata: z\n\n")
    assert [f.oversized for f in result] == [True, False]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert frames([b"data: a\r", b"\n", b"\r", b"\ndata: b\r\n\r\n"]) == [
        SseFrame(data="a"),
        SseFrame(data="b"),
    ]


def test_last_json_object_on_a_million_braces_is_bounded() -> None:
    started = time.monotonic()
    assert last_json_object(corpus.braces()) is None
    assert time.monotonic() - started < 10  # "not frozen": milliseconds now, minutes before


def test_last_json_object_still_reads_the_glitch_shapes() -> None:
    assert last_json_object('2\n{"a": 1}') == {"a": 1}
    assert last_json_object('{"a": 1} {"b": 2}') == {"b": 2}


def test_parse_hub_data_never_raises() -> None:
    update = parse_hub_data(corpus.deep_in_an_object())
    assert isinstance(update, Unreadable)


@pytest.mark.parametrize("path", corpus.stream_files(), ids=lambda p: p.name)
def test_corpus_streams_never_raise(path: object) -> None:
    data = path.read_bytes()  # type: ignore[attr-defined]
    for size in (1, 7, len(data)):
        result = frames([data[i : i + size] for i in range(0, len(data), size)])
        assert result
        for found in result:
            assert parse_hub_data(found.data) is not None


@pytest.mark.parametrize(
    ("event_id", "safe"),
    [
        ("urn:uuid:41", True),
        ("café-1", False),
        ("a\x7fb", False),
        ("\u202e", False),
        ("", False),
        ("a ", False),
        (" a", False),
        ("x" * 2000, False),
    ],
)
def test_header_safe_event_id(event_id: str, safe: bool) -> None:
    assert header_safe_event_id(event_id) is safe


async def test_a_non_ascii_event_id_does_not_break_reconnecting() -> None:
    hub = ScriptedHub()
    async with run_subscription(hub, FakeMailClient()) as (sub, recorder, _task):
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("m1"), "urn:uuid:41"))
        stream.send(frame(message_event("m2"), "café-42"))
        await recorder.until(lambda: len(recorder.updates) == 2)
        stream.send(None)
        await hub.wait_streams(2)  # before the fix httpx refused the header and no request went out
        assert hub.requests[1].headers["last-event-id"] == "urn:uuid:41"
        await recorder.until(lambda: recorder.kinds().count("live") == 2)
        assert sub.connections == 2


async def test_an_oversized_event_is_reported_unreadable_and_the_stream_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mercure, "MAX_LINE_BYTES", 1000)
    hub = ScriptedHub()
    async with run_subscription(hub, FakeMailClient()) as (sub, recorder, _task):
        stream = await hub.wait_streams(1)
        stream.send(b"data: " + b"x" * 5000 + b"\n\n")
        stream.send(frame(message_event("m1"), "1"))
        await recorder.until(lambda: len(recorder.updates) == 2)
        assert isinstance(recorder.updates[0], Unreadable)
        assert not isinstance(recorder.updates[1], Unreadable)
        assert sub.connections == 1
