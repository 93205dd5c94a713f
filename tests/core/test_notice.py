"""Notice batching (coalescing, rate limit, do-not-disturb) and text escaping, on a fake clock."""

from __future__ import annotations

from desktop_app.core.codes.extract import Extraction
from desktop_app.core.models import MessageSummary
from desktop_app.core.notice import (
    NewMessage,
    NoticeBatcher,
    NoticeKind,
    escape_markup,
    message_notice,
    plain_text,
)
from tests.core.notice_helpers import new_message


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def msg(n: int, address: str = "a@x.test", code: str | None = None) -> NewMessage:
    return new_message(address, f"m{n}", f"Sender {n} <s{n}@ex.com>", f"Subject {n}", Extraction(code=code))


def make(**kwargs: float) -> tuple[NoticeBatcher, FakeClock]:
    clock = FakeClock()
    return NoticeBatcher(clock=clock, **kwargs), clock  # type: ignore[arg-type]


def test_first_message_is_shown_at_once() -> None:
    batcher, _ = make()
    [notice] = batcher.push(msg(1, code="123456"))
    assert notice.kind is NoticeKind.MESSAGE
    assert (notice.title, notice.message_id, notice.code) == ("Subject 1", "m1", "123456")
    assert "Code: 123456" in notice.body
    assert batcher.due() is None  # nothing held back, so no timer is needed


def test_burst_of_50_gives_one_immediate_and_one_summary() -> None:
    batcher, clock = make(window=2.0)
    addresses = ["a@x.test", "b@x.test", "c@x.test"]
    shown = []
    for n in range(50):
        shown += batcher.push(msg(n, addresses[n % 3]))
        clock.advance(0.01)
    assert len(shown) == 1 and shown[0].message_id == "m0"
    due = batcher.due()
    assert due is not None and due == 1002.0
    assert batcher.flush() == []  # not yet
    clock.now = due
    [summary] = batcher.flush()
    assert summary.kind is NoticeKind.SUMMARY
    assert summary.title == "49 new messages in 3 addresses"
    assert summary.count == 49 and summary.message_id == "m49" and summary.address == "b@x.test"
    assert "Subject 49" in summary.body
    assert batcher.flush() == [] and batcher.due() is None


def test_summary_for_one_address_names_it_and_offers_latest_code() -> None:
    batcher, clock = make()
    batcher.push(msg(1))
    batcher.push(msg(2))
    batcher.push(msg(3, code="K7F-29Q"))
    clock.advance(2.0)
    [summary] = batcher.flush()
    assert summary.title == "2 new messages for a@x.test"
    assert summary.address == "a@x.test" and summary.code == "K7F-29Q"


def test_a_single_held_message_is_shown_as_itself() -> None:
    batcher, clock = make()
    batcher.push(msg(1))
    batcher.push(msg(2, code="9999"))
    clock.advance(2.0)
    [notice] = batcher.flush()
    assert notice.kind is NoticeKind.MESSAGE and notice.message_id == "m2" and notice.code == "9999"


def test_after_a_quiet_window_the_next_message_is_immediate_again() -> None:
    batcher, clock = make(window=2.0)
    assert len(batcher.push(msg(1))) == 1
    clock.advance(2.5)
    assert len(batcher.push(msg(2))) == 1


def test_a_long_flood_is_bounded_by_the_window_and_the_rate_limit() -> None:
    batcher, clock = make(window=2.0, max_per_minute=8)
    shown = []
    for n in range(3000):  # 5 minutes, 10 messages a second
        shown += batcher.push(msg(n))
        clock.advance(0.1)
        due = batcher.due()
        if due is not None and clock.now >= due:
            shown += batcher.flush()
    # Every message is either shown alone or counted in a summary: nothing silently lost.
    assert sum(n.count for n in shown) + batcher.pending == 3000
    assert 30 <= len(shown) <= 8 * 5 + 1  # keeps reporting, but never more than 8 a minute
    assert shown[0].kind is NoticeKind.MESSAGE and all(n.kind is NoticeKind.SUMMARY for n in shown[1:])


def test_rate_limit_holds_messages_until_a_slot_frees() -> None:
    batcher, clock = make(window=2.0, max_per_minute=3)
    for n in range(3):
        assert len(batcher.push(msg(n))) == 1
        clock.advance(3.0)  # each one after a quiet window
    assert batcher.push(msg(3)) == []
    assert batcher.due() == 1011.0  # first the window ends...
    clock.advance(2.0)
    assert batcher.flush() == []  # window over, but the minute is still full
    due = batcher.due()
    assert due == 1060.0
    clock.now = due
    [late] = batcher.flush()
    assert late.message_id == "m3"


def test_do_not_disturb_suppresses_popups_and_drops_held_ones() -> None:
    batcher, clock = make()
    batcher.push(msg(1))
    batcher.push(msg(2))
    batcher.do_not_disturb = True
    assert batcher.pending == 0 and batcher.due() is None
    assert batcher.push(msg(3)) == [] and batcher.suppressed == 1
    clock.advance(5)
    assert batcher.flush() == []
    batcher.do_not_disturb = False
    assert len(batcher.push(msg(4))) == 1


def test_markup_is_escaped_and_lines_cannot_be_forged() -> None:
    hostile = new_message(
        "me@x.test",
        "m1",
        'Eve <eve@x.test>\nCode: 000000 <a href="http://evil">',
        "<b>Urgent</b> & <img src=x>",
        Extraction(code="123456"),
    )
    notice = message_notice(hostile)
    # The summary is plain text, but some servers parse it: look-alike brackets keep it readable, inert.
    assert notice.title == "‹b›Urgent‹/b› & ‹img src=x›"
    assert "<" not in notice.markup_body and "&lt;a href" in notice.markup_body
    assert escape_markup("a & b <i>") == "a &amp; b &lt;i&gt;"
    assert notice.body.count("\n") == 2  # From, To, Code: the sender's newline did not add a line
    assert notice.body.splitlines()[2] == "Code: 123456"


def test_control_and_bidi_characters_are_removed() -> None:
    assert plain_text("pay\u202epal\x07.com") == "paypal.com"
    assert plain_text("x" * 2000, 10) == "x" * 9 + "…"


def test_from_summary_uses_display_name() -> None:
    summary = MessageSummary.from_json(
        {"id": "abc", "accountId": "acc", "from": {"address": "s@ex.com", "name": "Shop"}, "subject": "Hi"}
    )
    message = NewMessage("me@x.test", summary)
    assert (message.sender, message.subject, message.message_id) == ("Shop <s@ex.com>", "Hi", "abc")
    assert message_notice(message).title == "Hi"
    empty = message_notice(new_message("me@x.test", "m", "s@ex.com", "   "))
    assert empty.title == "(no subject)"


def test_subject_cannot_open_markup_in_the_summary() -> None:
    from desktop_app.core.notice import message_notice

    notice = message_notice(new_message("a@x.test", "m1", "s@x.test", "Win <b>big</b> <a href='x'>now</a>"))
    assert "<" not in notice.title and ">" not in notice.title
    assert notice.title == "Win ‹b›big‹/b› ‹a href='x'›now‹/a›"
