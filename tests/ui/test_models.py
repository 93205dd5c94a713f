from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop_app.ui.address_list import (
    ADDRESS_ROLE,
    PROVIDER_ROLE,
    UNREAD_ROLE,
    USAGE_ROLE,
    AddressListModel,
)
from desktop_app.ui.controller import AddressInfo, AppSignals
from desktop_app.ui.message_list import (
    COL_ATTACHMENT,
    COL_FROM,
    COL_SUBJECT,
    COL_TIME,
    HAS_ATTACHMENTS_ROLE,
    INTRO_ROLE,
    MESSAGE_ID_ROLE,
    MessageListModel,
    MessageListView,
    format_received,
)
from desktop_app.ui.message_list import (
    UNREAD_ROLE as MSG_UNREAD_ROLE,
)
from tests.ui.fakes import FakeController, make_summary

ADDR = "quiet.otter@example.com"
Fail = QAbstractItemModelTester.FailureReportingMode.Fatal


@pytest.fixture
def fake(qtbot) -> FakeController:
    return FakeController(AppSignals())


def _fill(fake: FakeController, count: int, **kwargs: object) -> None:
    fake.messages[ADDR] = [make_summary(i, **kwargs) for i in range(count)]  # type: ignore[arg-type]
    fake._sort(ADDR)


def _model(fake: FakeController, page_size: int = 100) -> MessageListModel:
    return MessageListModel(fake.list_messages, fake.count_messages, page_size=page_size)


def test_only_the_first_page_of_5000_is_loaded(fake: FakeController) -> None:
    _fill(fake, 5000)
    model = _model(fake)
    tester = QAbstractItemModelTester(model, Fail)
    model.set_address(ADDR)
    assert model.total == 5000
    assert model.rowCount() == 100
    assert fake.list_calls == [(ADDR, 0, 100, "")]
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 200
    assert fake.list_calls[-1] == (ADDR, 100, 100, "")
    # Newest first, no duplicates across pages.
    ids = [model.data(model.index(r, 0), MESSAGE_ID_ROLE) for r in range(model.rowCount())]
    assert ids[0] == "m004999" and ids[-1] == "m004800"
    assert len(set(ids)) == 200
    del tester


def test_view_fetches_more_when_scrolled_to_the_end(fake: FakeController, qtbot) -> None:
    _fill(fake, 5000)
    model = _model(fake, page_size=50)
    view = MessageListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    model.set_address(ADDR)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() < 200
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 100)
    assert model.rowCount() < 5000


def test_model_passes_the_item_model_tester_through_changes(fake: FakeController) -> None:
    _fill(fake, 30, attachments=True)
    model = _model(fake, page_size=10)
    tester = QAbstractItemModelTester(model, Fail)
    model.set_address(ADDR)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 30
    model.insert_new([make_summary(100)])
    model.set_seen("m000100", True)
    model.remove("m000005")
    model.set_search("Message 1")
    model.set_address(None)
    assert model.rowCount() == 0
    del tester


def test_new_message_is_inserted_at_the_top_without_reset(fake: FakeController, qtbot) -> None:
    _fill(fake, 10)
    model = _model(fake)
    model.set_address(ADDR)
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    newest = make_summary(50)
    fake.messages[ADDR].insert(0, newest)
    assert model.insert_new([newest]) == 1
    assert inserted == [(0, 0)] and not resets
    assert model.data(model.index(0, COL_SUBJECT)) == "Message 50"
    assert model.total == 11
    # A duplicate (the live event and the catch-up both report it) is ignored.
    assert model.insert_new([newest]) == 0
    assert model.rowCount() == 11


def test_late_message_goes_to_its_date_position(fake: FakeController) -> None:
    _fill(fake, 10)
    model = _model(fake)
    model.set_address(ADDR)
    # Same time as message 4: the store breaks ties by id, descending, so it goes just before it.
    late = make_summary(99, minutes=4, subject="Late")
    model.insert_new([late])
    subjects = [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]
    assert subjects.index("Late") == subjects.index("Message 4") - 1 == subjects.index("Message 5") + 1
    fake.messages[ADDR].append(late)
    fake._sort(ADDR)
    assert [s.subject for s in fake.messages[ADDR]] == subjects


def test_old_message_beyond_loaded_pages_is_only_counted(fake: FakeController) -> None:
    _fill(fake, 300)
    model = _model(fake)
    model.set_address(ADDR)
    ancient = make_summary(1000, minutes=-500)
    assert model.insert_new([ancient]) == 0
    assert model.rowCount() == 100
    assert model.total == 301


def test_roles_unread_bold_intro_attachment_and_time(fake: FakeController) -> None:
    fake.messages[ADDR] = [
        make_summary(2, seen=False, attachments=True, intro="Your code is 123456"),
        make_summary(1, seen=True, subject=""),
    ]
    model = _model(fake, page_size=10)
    model.set_address(ADDR)
    unread, read = model.index(0, COL_SUBJECT), model.index(1, COL_SUBJECT)
    assert model.data(unread, MSG_UNREAD_ROLE) is True
    assert model.data(unread, Qt.ItemDataRole.FontRole).bold()
    assert model.data(read, Qt.ItemDataRole.FontRole) is None
    assert model.data(read) == "(no subject)"
    assert model.data(unread, INTRO_ROLE) == "Your code is 123456"
    assert model.data(unread, HAS_ATTACHMENTS_ROLE) is True
    assert model.data(model.index(0, COL_ATTACHMENT), Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(1, COL_ATTACHMENT), Qt.ItemDataRole.DecorationRole) is None
    assert model.data(model.index(0, COL_FROM)) == "Example Shop"
    assert "Unread" in model.data(unread, Qt.ItemDataRole.AccessibleTextRole)
    assert "has attachments" in model.data(unread, Qt.ItemDataRole.AccessibleTextRole)
    assert model.data(model.index(0, COL_TIME))
    model.set_seen("m000002", True)
    assert model.data(unread, Qt.ItemDataRole.FontRole) is None


def test_search_filters_through_the_data_source(fake: FakeController) -> None:
    _fill(fake, 20)
    index = [s.id for s in fake.messages[ADDR]].index("m000003")
    fake.messages[ADDR][index] = make_summary(3, subject="Your verification code")
    model = _model(fake)
    model.set_address(ADDR)
    model.set_search("verification")
    assert model.rowCount() == 1
    assert fake.list_calls[-1][3] == "verification"
    model.set_search("")
    assert model.rowCount() == 20


def test_format_received() -> None:
    now = datetime(2026, 11, 22, 15, 0).astimezone()
    assert format_received(now - timedelta(hours=2), now) == (now - timedelta(hours=2)).strftime("%H:%M")
    assert format_received(now - timedelta(days=1), now) == "Yesterday"
    assert format_received(datetime(2026, 3, 3, 12, tzinfo=UTC), now) == "3 Mar"
    assert format_received(datetime(2024, 3, 3, 12, tzinfo=UTC), now) == "3 Mar 2024"


def _info(address: str, **kw: object) -> AddressInfo:
    return AddressInfo(address=address, **kw)  # type: ignore[arg-type]


def test_address_model_updates_in_place(qtbot) -> None:
    model = AddressListModel()
    tester = QAbstractItemModelTester(model, Fail)
    model.set_addresses([_info("a@x.io"), _info("b@x.io", unread=2)])
    resets: list[int] = []
    changed: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    model.set_addresses([_info("a@x.io"), _info("b@x.io", unread=3), _info("c@x.io")])
    assert changed == [2, 0] and not resets  # b's row, then "All addresses" (row 0) adding up
    assert model.rowCount() == 4
    assert model.data(model.index(2), UNREAD_ROLE) == 3
    assert model.data(model.index(0), UNREAD_ROLE) == 3
    model.set_addresses([_info("c@x.io")])
    assert [model.data(model.index(r), ADDRESS_ROLE) for r in range(model.rowCount())] == ["c@x.io"]
    model.update_state("c@x.io", "retrying in 4 s", "retrying")
    text = model.data(model.index(0), Qt.ItemDataRole.AccessibleTextRole)
    # The state word, without the countdown frozen at the moment the state arrived (the offline banner
    # counts down live).
    assert "Reconnecting" in text and "4 s" not in text
    del tester


def test_address_accessible_text_reads_everything() -> None:
    model = AddressListModel()
    model.set_addresses(
        [_info("a@x.io", label="Shop", unread=4, state_kind="live", state_text="live", used=1_200_000)]
    )
    text = model.data(model.index(0), Qt.ItemDataRole.AccessibleTextRole)
    assert text == "Shop, a@x.io, 4 unread, Live, 1.2 MB of 40 MB used"
    model.set_addresses([_info("a@x.io", used=39_000_000)])
    assert model.data(model.index(0), USAGE_ROLE) == "39 MB of 40 MB (nearly full)"


def test_mail_from_the_same_second_is_listed_by_arrival_not_by_id(fake: FakeController) -> None:
    _fill(fake, 3)
    model = _model(fake)
    model.set_address(ADDR)
    burst = [make_summary(n, minutes=10, subject=f"Burst {n}") for n in (114, 96, 122, 7, 250)]
    for summary in burst:  # pushed one by one within one second; ids say nothing about the order
        model.insert_new([summary])
    page = [make_summary(n, minutes=10, subject=f"Page {n}") for n in (5, 300, 42)]  # newest first
    model.insert_new(page)
    subjects = [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]
    assert subjects[:8] == [
        "Page 5", "Page 300", "Page 42", "Burst 250", "Burst 7", "Burst 122", "Burst 96", "Burst 114",
    ]  # fmt: skip


def test_a_batch_from_the_same_second_takes_the_stores_arrival_order(fake: FakeController) -> None:
    from PySide6.QtCore import QPersistentModelIndex

    _fill(fake, 3)
    model = _model(fake)
    model.set_address(ADDR)
    selected = QPersistentModelIndex(model.index(1, COL_SUBJECT))
    selected_id = model.data(model.index(1, 0), MESSAGE_ID_ROLE)
    burst = [make_summary(n, minutes=10, subject=f"Burst {n}") for n in (114, 96, 122, 7)]  # as they arrived
    fake.messages[ADDR] = burst[::-1] + fake.messages[ADDR]  # the store: newest first by arrival
    model.insert_new(burst)  # pushed events, batched oldest first
    subjects = [model.data(model.index(r, COL_SUBJECT)) for r in range(model.rowCount())]
    assert subjects[:4] == ["Burst 7", "Burst 122", "Burst 96", "Burst 114"]
    assert model.data(model.index(selected.row(), 0), MESSAGE_ID_ROLE) == selected_id


def test_rows_name_their_provider_once_there_are_two(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = AddressListModel()
    tester = QAbstractItemModelTester(model, Fail)
    model.set_addresses([_info("a@x.io", provider_name="mail.tm"), _info("b@x.io", provider_name="mail.tm")])
    assert [model.data(model.index(r), PROVIDER_ROLE) for r in range(1, 3)] == ["", ""]
    repainted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: repainted.append((top.row(), bottom.row())))
    model.set_addresses(
        [_info("a@x.io", provider_name="mail.tm"), _info("b@x.io", provider_name="mail.tm"),
         _info("c@y.io", provider_name="127.0.0.1:8025")]
    )  # fmt: skip
    assert [model.data(model.index(r), PROVIDER_ROLE) for r in range(1, 4)] == [
        "mail.tm",
        "mail.tm",
        "127.0.0.1:8025",
    ]
    assert (0, 3) in repainted  # the rows already shown now name theirs too
    assert "on 127.0.0.1:8025" in model.data(model.index(3), Qt.ItemDataRole.ToolTipRole)
    del tester
