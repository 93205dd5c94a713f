"""The pure side of live push: byte stream → lines → SSE frames → hub updates, and the backoff."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.api.backoff import Backoff
from desktop_app.core.events import ConnectionState
from desktop_app.core.live.mercure import (
    AccountPushed,
    Ignored,
    MessageGone,
    MessagePushed,
    SseFrame,
    SseFrameDecoder,
    SseLineSplitter,
    Unreadable,
    last_json_object,
    parse_hub_data,
)
from tests.integration.support import message_event

ACCOUNT_EVENT = {
    "@context": "/contexts/Account",
    "@id": "/accounts/acc1",
    "@type": "Account",
    "id": "acc1",
    "address": "Me@Example.org",
    "quota": 40000000,
    "used": 11766,
    "isDisabled": False,
    "isDeleted": False,
    "createdAt": "2026-11-22T12:00:00+00:00",
    "updatedAt": "2026-11-22T12:00:00+00:00",
}


def frames_of(stream: bytes, chunk_sizes: list[int] | None = None) -> list[SseFrame]:
    splitter, decoder = SseLineSplitter(), SseFrameDecoder()
    chunks: list[bytes] = []
    if chunk_sizes is None:
        chunks = [stream]
    else:
        position = 0
        for size in chunk_sizes:
            chunks.append(stream[position : position + size])
            position += size
        chunks.append(stream[position:])
    frames = []
    for chunk in chunks:
        for line in splitter.feed(chunk):
            decoded = decoder.feed(line)
            if decoded is not None:
                frames.append(decoded)
    return frames


SAMPLE_STREAM = (
    b":\n\n"
    b'id: urn:uuid:1\ndata: {"a": 1}\n\n'
    b": heartbeat\r\n\r\n"
    b'id: urn:uuid:2\r\ndata: 2\r\ndata: {"b": "\xc3\xa9"}\r\n\r\n'
    b"retry: 5000\n\n"
    b"data: no id\rdata: second\r\r"
)


def test_frames_from_a_stream_with_every_line_ending() -> None:
    frames = frames_of(SAMPLE_STREAM)
    assert [(f.event_id, f.data) for f in frames] == [
        ("urn:uuid:1", '{"a": 1}'),
        ("urn:uuid:2", '2\n{"b": "é"}'),
        # the last-event-id buffer persists, as the SSE spec says
        ("urn:uuid:2", "no id\nsecond"),
    ]


@given(st.lists(st.integers(min_value=0, max_value=12), max_size=40))
def test_chunk_boundaries_never_change_the_frames(sizes: list[int]) -> None:
    assert frames_of(SAMPLE_STREAM, sizes) == frames_of(SAMPLE_STREAM)


def test_a_message_event_is_pushed_with_its_summary() -> None:
    update = parse_hub_data(json.dumps(message_event("m1", seen=True)))
    assert isinstance(update, MessagePushed)
    assert update.summary.id == "m1"
    assert update.summary.account_id == "acc1"
    assert update.summary.seen is True


def test_the_2025_glitch_with_json_after_the_2_is_read() -> None:
    update = parse_hub_data("2\n" + json.dumps(message_event("m2")))
    assert isinstance(update, MessagePushed)
    assert update.summary.id == "m2"


def test_the_2025_glitch_alone_is_unreadable_so_the_caller_catches_up() -> None:
    assert isinstance(parse_hub_data("2"), Unreadable)
    assert isinstance(parse_hub_data(""), Unreadable)
    assert isinstance(parse_hub_data('{"truncated": '), Unreadable)
    assert isinstance(parse_hub_data('{"no": "type"}'), Unreadable)


def test_the_last_json_object_wins() -> None:
    assert last_json_object('{"a": 1}\n{"b": {"c": 2}}') == {"b": {"c": 2}}
    assert last_json_object("2\n[1, 2]") is None
    assert last_json_object('x {"a": "}"} y') == {"a": "}"}


def test_a_bare_id_is_a_hard_delete() -> None:
    assert parse_hub_data('{"@id": "/messages/abc"}') == MessageGone("abc")
    assert parse_hub_data('{"@id": "/messages/abc", "@type": "Message"}') == MessageGone("abc")


def test_a_soft_deleted_message_is_gone() -> None:
    payload = message_event("m3") | {"isDeleted": True}
    assert parse_hub_data(json.dumps(payload)) == MessageGone("m3")


def test_an_account_event_carries_usage() -> None:
    update = parse_hub_data(json.dumps(ACCOUNT_EVENT))
    assert isinstance(update, AccountPushed)
    assert (update.account.used, update.account.quota, update.account.address) == (
        11766,
        40000000,
        "me@example.org",
    )


def test_unknown_types_are_ignored_not_fatal() -> None:
    assert isinstance(parse_hub_data('{"@type": "Domain", "@id": "/domains/x"}'), Ignored)
    assert isinstance(parse_hub_data('{"@id": "/accounts/acc1"}'), Ignored)


def test_a_message_without_an_id_is_unreadable() -> None:
    payload = message_event("m4")
    del payload["id"], payload["@id"]
    assert isinstance(parse_hub_data(json.dumps(payload)), Unreadable)


def test_backoff_doubles_with_jitter_up_to_the_cap_and_resets() -> None:
    low, high = Backoff(1.0, 60.0, rng=lambda: 0.0), Backoff(1.0, 60.0, rng=lambda: 0.999999)
    lows = [low.next_delay() for _ in range(9)]
    highs = [high.next_delay() for _ in range(9)]
    assert lows == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert [round(h) for h in highs] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    low.reset()
    assert low.next_delay() == 0.5


def test_connection_state_text() -> None:
    assert ConnectionState("retrying", reason="server error", retry_in=3.6).describe() == (
        "retrying in 4 s (server error)"
    )
    assert ConnectionState("failed", reason="wrong password").describe() == "failed: wrong password"
    assert ConnectionState("live").describe() == "live"
