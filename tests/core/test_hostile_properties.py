"""Property tests (issue 9): the API parsers, the hub reader and the file-name sanitiser fed arbitrary
input. Only the project's own exceptions may come out, and nothing hangs.

Unlike ``test_models``' property test, values here include what JSON allows and Python keeps: NaN and
Infinity, huge integers, lone surrogates, numeric strings that are not ASCII digits."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop_app.core.errors import ProtocolError
from desktop_app.core.live.mercure import SseFrame, SseFrameDecoder, SseLineSplitter, parse_hub_data
from desktop_app.core.models import (
    Account,
    Attachment,
    Domain,
    Message,
    MessageSummary,
    Source,
    Token,
    parse_collection,
)
from desktop_app.core.sealed.filenames import MAX_NAME_BYTES, assess_filename, sanitize_filename
from desktop_app.core.store import codec
from desktop_app.core.store.cache import AddressState, Store
from tests.core.store_helpers import PROVIDER

HOSTILE = settings(
    deadline=None, max_examples=100, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Random text alone rarely hits the few code points that matter, so known-hostile fragments are mixed in.
FRAGMENTS = ["\ud800", "\udfff", "\ud83d", "\u202e", "\x00", "/", "\\", "..", ".", " ", "CON", "com", "¹",
             "$", "CLOCK$", "https://[", "=?utf-8?q?a?=", "{", "[", "²", "é", "\r\n"]  # fmt: skip
any_text = st.lists(
    st.sampled_from(FRAGMENTS) | st.text(st.characters(exclude_categories=()), max_size=8), max_size=8
).map("".join)
_BAD_NUMBERS = st.sampled_from(
    [float("nan"), float("inf"), -1, 2**70, "²", "٣", "9" * 5_000, "-1", "1e9", " 7 ", "0x10"]
)
numbers = st.one_of(
    _BAD_NUMBERS,
    _BAD_NUMBERS,  # twice: weighted towards the values that once broke the parsers
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(),  # NaN and ±Infinity included
)
dates = any_text | st.sampled_from(
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2026-11-22T12:00:00Z", "2026-02-30"]
)
scalars = numbers | dates | any_text | st.none() | st.booleans()
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=5),
    max_leaves=20,
)
KEYS = [
    "@id", "@type", "id", "accountId", "msgid", "from", "to", "cc", "bcc", "subject", "intro", "seen",
    "isDeleted", "hasAttachments", "size", "downloadUrl", "sourceUrl", "createdAt", "updatedAt", "text",
    "html", "attachments", "flagged", "verifications", "retention", "retentionDate", "address", "quota",
    "used", "isDisabled", "token", "domain", "isActive", "isPrivate", "data", "filename", "contentType",
    "disposition", "transferEncoding", "related", "hydra:member", "hydra:totalItems", "hydra:view",
]  # fmt: skip
_NUMERIC = {"size", "quota", "used", "hydra:totalItems"}
_DATES = {"createdAt", "updatedAt", "retentionDate"}


def _value_for(key: str) -> st.SearchStrategy[object]:
    if key in _NUMERIC:
        return numbers
    if key in _DATES:
        return dates
    return json_values


# Every key the parsers read, each present or not, with values aimed at its type. Without an "id" every
# parser stops at once, so one is always there (``test_api_parsers_on_any_json_value`` covers the rest).
payloads = st.fixed_dictionaries(
    {"id": any_text.filter(bool)}, optional={key: _value_for(key) for key in KEYS if key != "id"}
)
attachments = st.lists(payloads, max_size=3)

PARSERS = (Message.from_json, MessageSummary.from_json, Account.from_json, Domain.from_json)
PARSERS += (Token.from_json, Attachment.from_json, Source.from_json)


@HOSTILE
@given(payloads, attachments)
def test_api_parsers_raise_only_protocol_errors(payload: dict[str, object], files: list[object]) -> None:
    payload = {**payload, "attachments": files} if files else payload
    for parse in PARSERS:
        with contextlib.suppress(ProtocolError):
            parse(payload)
    for what in (payload, [payload, 3], {"hydra:member": [payload], "hydra:totalItems": payload.get("size")}):
        with contextlib.suppress(ProtocolError):
            parse_collection(what, "collection")


@HOSTILE
@given(json_values)
def test_api_parsers_on_any_json_value(value: object) -> None:
    for parse in PARSERS:
        with contextlib.suppress(ProtocolError):
            parse(value)


@HOSTILE
@given(payloads, attachments)
# Found by a fresh-clone run: a lone surrogate in an attachment's disposition reached the cache raw.
@example(payload={"id": "["}, files=[{"id": "\ud800", "disposition": "\ud800"}])
def test_whatever_parses_can_be_cached_and_read_back(payload: dict[str, object], files: list[object]) -> None:
    try:
        message = Message.from_json({**payload, "attachments": files})
    except ProtocolError:
        return
    assert codec.message_from_text(codec.dumps(codec.message_to_json(message))) == message
    with Store() as store:
        store.save_provider(PROVIDER)
        store.add_address("me@example.org", PROVIDER.id, state=AddressState.ACTIVE)
        store.save_message("me@example.org", message)
        assert store.get_message(message.id) == message
        assert [s.id for s in store.list_summaries("me@example.org")] == [message.id]


sse_bytes = st.lists(
    st.sampled_from([b"data: ", b"id: ", b"event: ", b": hi", b"retry: 1", b"\n", b"\r", b"\r\n", b"{",
                     b"}", b'{"@type":"Message","id":"m1"}', b'{"@id":"/messages/m1"}', b"2", b"\x00",
                     b"\xff", b"\xe2\x80"])
    | st.binary(max_size=20),
    max_size=60,
).map(b"".join)  # fmt: skip


def _frames(chunks: list[bytes]) -> list[SseFrame]:
    splitter, decoder = SseLineSplitter(), SseFrameDecoder()
    found: list[SseFrame] = []
    for chunk in chunks:
        for line in splitter.feed(chunk):
            result = decoder.feed(line)
            if result is not None:
                found.append(result)
    return found


@HOSTILE
@given(sse_bytes, st.lists(st.integers(min_value=0, max_value=400), max_size=10))
def test_the_sse_reader_never_raises_and_ignores_chunk_boundaries(data: bytes, cuts: list[int]) -> None:
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    whole = _frames([data])
    assert _frames(chunks) == whole
    for found in whole:
        assert parse_hub_data(found.data) is not None


@HOSTILE
@given(any_text | st.text(max_size=300))
def test_parse_hub_data_never_raises(data: str) -> None:
    assert parse_hub_data(data) is not None


_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"}


@HOSTILE
@given(any_text | st.text(st.characters(exclude_categories=()), max_size=400), any_text)
def test_the_sanitiser_always_gives_a_safe_name(name: str, content_type: str) -> None:
    safe = sanitize_filename(name)
    assert safe and len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert not set(safe) & set('/\\:*?"<>|\x00')
    assert (not safe.startswith(".") and safe == safe.strip(" .")) or safe.startswith("_")
    assert ".." not in safe
    stem = safe.partition(".")[0].rstrip(" ").lower()
    assert stem not in _RESERVED
    assert not (stem[:3] in ("com", "lpt") and len(stem) == 4 and stem[3] in "0123456789¹²³")
    assess_filename(name, content_type)
