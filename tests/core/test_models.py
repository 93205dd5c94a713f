from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import (
    Account,
    Domain,
    Message,
    MessageSummary,
    Source,
    Token,
    format_datetime,
    parse_collection,
    parse_datetime,
)
from tests.core.mailtm_fixtures import load


def test_domain_collection_jsonld() -> None:
    members, total, has_next = parse_collection(load("domains_2024.json"), "Domains")
    assert total == 1 and has_next is False
    domain = Domain.from_json(members[0])
    assert domain.domain == "livinitlarge.net" and domain.usable


def test_domains_bare_array_and_missing_is_private() -> None:
    members, total, has_next = parse_collection(load("domains_mixed.json"), "Domains")
    assert total is None and has_next is None
    domains = [Domain.from_json(m) for m in members]
    assert [d.domain for d in domains if d.usable] == ["uniromax.com", "trimmed.example"]


def test_account_and_token() -> None:
    account = Account.from_json(load("account_201.json"))
    assert account.quota == 40_000_000 and account.used == 0
    assert account.created_at == datetime(2024, 10, 28, 20, 1, 19, tzinfo=UTC)
    token = Token.from_json(load("token.json"))
    assert token.id == account.id


def test_message_summary_list_2024() -> None:
    members, total, _ = parse_collection(load("messages_2024.json"), "Messages")
    summary = MessageSummary.from_json(members[0])
    assert total == 1
    assert summary.account_id == "671fed8fc747b11c3405311b"  # IRI stripped
    assert summary.sender.name == "Zaid Saheb"
    assert summary.source_url == "/sources/671feeeb08f0647ffd1cf7af"


def test_full_message_2021_shape() -> None:
    message = Message.from_json(load("message_2021.json"))
    assert message.summary.intro == ""  # absent in 2021
    assert message.summary.download_url is None  # null in 2021
    assert message.verifications.tls is None  # verifications was an array
    assert message.attachments[0].disposition == "attachment"
    assert message.html == ('<div dir="ltr">attached</div>',)
    assert message.retention_date == datetime(2021, 9, 21, 17, 44, 48, tzinfo=UTC)


def test_full_message_2024_shape() -> None:
    message = Message.from_json(load("message_2024.json"))
    assert message.summary.intro == "test"
    assert message.verifications.tls == "TLSv1.3 TLS_AES_256_GCM_SHA384"
    assert message.attachments[0].disposition == ""  # false in 2024
    assert message.summary.source_url is not None


def test_drift_variants() -> None:
    message = Message.from_json(load("message_drift.json"))
    assert message.id == "66b9d17cf26da89c18382e2d"  # taken from @id when id is missing
    assert message.summary.sender.address == "plain@sender.example"
    assert [a.address for a in message.summary.to] == ["one@x.example"]
    assert [a.address for a in message.cc] == ["cc1@x.example", "cc2@x.example"]
    assert message.cc[1].name == "Cee Two"
    assert message.html == ("<p>single string html</p>",)
    assert message.verifications.tls is None and message.verifications.spf
    assert message.attachments[0].size == 12
    assert message.summary.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_source() -> None:
    source = Source.from_json(load("source_2026.json"))
    assert source.data.startswith("Delivered-To:") and "\r\n" in source.data


@pytest.mark.parametrize(
    "payload",
    [None, [], "x", {}, {"domain": "x"}, {"id": "1"}, {"id": 5, "domain": "x"}],
)
def test_broken_domain_raises_one_clear_error(payload: object) -> None:
    with pytest.raises(ProtocolError):
        Domain.from_json(payload)


@pytest.mark.parametrize("payload", [{}, {"seen": True}, [], 3])
def test_broken_message_raises(payload: object) -> None:
    with pytest.raises(ProtocolError):
        Message.from_json(payload)


def test_collection_without_members_raises() -> None:
    with pytest.raises(ProtocolError):
        parse_collection({"hydra:totalItems": 3}, "Messages")


def test_date_format_round_trip() -> None:
    when = datetime(2024, 10, 28, 20, 1, 19, 123456, tzinfo=UTC)
    assert format_datetime(when) == "2024-10-28T20:01:19+00:00"
    assert parse_datetime(format_datetime(when)) == when.replace(microsecond=0)
    assert parse_datetime("not a date") == datetime(1970, 1, 1, tzinfo=UTC)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)


# The machine is shared with other work; time limits would make this flaky, not stricter.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(load("message_2024.json"))), json_values, max_size=20))
def test_parser_never_fails_with_anything_but_protocol_error(payload: dict[str, object]) -> None:
    with contextlib.suppress(ProtocolError):
        Message.from_json(payload)
