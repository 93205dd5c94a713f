from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop_app.core.events import ConnectionState
from desktop_app.ui.controller import AppSignals, ProviderCredit
from desktop_app.ui.dialogs import DeleteAddressDialog, LoginDialog, NewAddressDialog
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.main_window import MainWindow
from tests.core.notice_helpers import new_message
from tests.ui.fakes import (
    FakeController,
    FakeHtmlView,
    make_attachment,
    make_message,
    make_summary,
)
from tests.ui.windows import shown_window

# The offscreen platform plugin warns on every top-level window it shows.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1, A2, A3 = "quiet.otter@example.com", "brisk.heron@mail.test", "calm.lynx@example.com"


@pytest.fixture
def fake(qtbot) -> FakeController:
    return FakeController(AppSignals())


def _window(qtbot, fake: FakeController) -> MainWindow:  # type: ignore[no-untyped-def]
    return shown_window(qtbot, fake, activate=True)


@pytest.fixture
def window(qtbot, fake: FakeController) -> Iterator[MainWindow]:
    fake.add_address(A1, "Shop sign-up", unread=3, state_kind="live", state_text="live", used=1_234_567)
    fake.add_address(A2, "", state_kind="retrying", state_text="retrying in 4 s")
    fake.messages[A1] = [make_summary(i, attachments=i == 2) for i in range(5)]
    fake._sort(A1)
    fake.messages[A2] = [make_summary(100, subject="Only one")]
    yield _window(qtbot, fake)


def test_empty_state_offers_a_new_address(qtbot, fake: FakeController) -> None:
    window = _window(qtbot, fake)
    assert window.sidebar.stack.currentWidget() is window.sidebar.empty
    assert "No addresses yet" in window.sidebar.empty_label.text()
    assert not window.copy_action.isEnabled()
    qtbot.mouseClick(window.sidebar.empty_button, Qt.MouseButton.LeftButton)
    assert isinstance(window._dialog, NewAddressDialog)
    assert fake.called("request_domains")
    window._dialog.reject()


def test_addresses_appear_and_the_first_one_is_shown(window: MainWindow, fake: FakeController) -> None:
    assert window.sidebar.model.rowCount() == 3  # "All addresses" above the two
    assert window.current_address() == A1
    assert fake.current == A1
    assert window.model.address == A1 and window.model.rowCount() == 5
    assert window.address_title.text() == A1
    assert window.windowTitle().startswith("Shop sign-up")
    assert window.state_label.text() == "Live"


def test_selecting_another_address_loads_its_messages(
    qtbot, window: MainWindow, fake: FakeController
) -> None:
    window.sidebar.select(A2)
    assert fake.called("select_address")[-1] == (A2,)
    assert window.model.rowCount() == 1
    assert window.model.data(window.model.index(0, 1)) == "Only one"
    assert window.state_label.text() == "Reconnecting"  # the countdown is in the offline banner
    fake.signals.connection_changed.emit(A2, ConnectionState("live"))
    assert window.state_label.text() == "Live"


def test_opening_a_message_shows_it_with_its_code(window: MainWindow, fake: FakeController) -> None:
    first = fake.messages[A1][0]
    fake.bodies[first.id] = make_message(
        first,
        text="Your verification code is 482913.",
        html="<p>Your verification code is <b>482913</b></p>",
    )
    second = fake.messages[A1][1]
    fake.bodies[second.id] = make_message(
        second,
        html="<p>Please confirm your email address</p>"
        "<a href='https://accounts.example.com/verify-email?token=abcdef123456'>Verify email</a>",
    )
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    assert fake.called("open_message")[-1] == (A1, first.id)
    pane = window.pane
    assert pane.subject.text() == first.subject
    assert pane.code == "482913" and not pane.code_bar.isHidden()
    assert pane.open_link.isHidden()
    assert isinstance(pane.html_view, FakeHtmlView) and pane.html_view.shown[-1][0] == first.id
    pane.copy_code.click()
    assert fake.called("copy_to_clipboard")[-1] == ("482913", "the code", True)
    assert "Copied the code" in window.statusBar().currentMessage()
    window.list_view.setCurrentIndex(window.model.index(1, 0))
    assert pane.code is None and pane.copy_code.isHidden()
    assert pane.link == "https://accounts.example.com/verify-email?token=abcdef123456"
    assert not pane.open_link.isHidden()


def test_sender_text_is_never_rendered_as_rich_text(window: MainWindow, fake: FakeController) -> None:
    hostile = make_summary(50, subject="<img src=http://evil/x.png>", name="<b>Bank</b>")
    fake.deliver(A1, hostile)
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    assert window.pane.subject.textFormat() == Qt.TextFormat.PlainText
    assert window.pane.subject.text() == "<img src=http://evil/x.png>"
    assert window.pane.sender_label.textFormat() == Qt.TextFormat.PlainText
    assert window.pane.sender_label.text() == "<b>Bank</b>"


def test_new_message_goes_on_top_and_keeps_the_selection(window: MainWindow, fake: FakeController) -> None:
    window.list_view.setCurrentIndex(window.model.index(2, 0))
    selected = window.current_message_id()
    opened = len(fake.called("open_message"))
    fake.deliver(A1, make_summary(99, subject="Fresh"))
    assert window.model.data(window.model.index(0, 1)) == "Fresh"
    assert window.current_message_id() == selected
    assert window.list_view.currentIndex().row() == 3
    assert len(fake.called("open_message")) == opened  # the open message was not reloaded
    # Mail for another address does not touch this list.
    fake.deliver(A2, make_summary(98, subject="Elsewhere"))
    assert window.model.rowCount() == 6


def test_search_is_debounced_and_filtered_by_the_data_source(
    qtbot, window: MainWindow, fake: FakeController
) -> None:
    fake.deliver(A1, make_summary(60, subject="Your verification code"))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "verif")
    assert window.model.search == ""  # not on every keystroke
    qtbot.waitUntil(lambda: window.model.search == "verif")
    assert window.model.rowCount() == 1
    assert fake.list_calls[-1][3] == "verif"
    # A new matching message while searching shows up too.
    fake.deliver(A1, make_summary(61, subject="Another verification"))
    assert window.model.rowCount() == 2
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and window.model.search == ""
    assert window.model.rowCount() == 7


def test_empty_search_result_says_so(qtbot, window: MainWindow) -> None:
    window.search.setText("nothing matches this")
    qtbot.waitUntil(lambda: window.model.search == "nothing matches this")
    assert not window.empty_list.isHidden() and window.list_view.isHidden()
    assert "No messages match" in window.empty_list.text()


def test_copy_address_shortcut(qtbot, window: MainWindow, fake: FakeController) -> None:
    qtbot.keyClick(
        window.list_view,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert fake.called("copy_to_clipboard")[-1] == (A1, A1, False)
    assert window.statusBar().currentMessage() == f"Copied {A1} to the clipboard"
    # What the window shows is what gets copied, even if the app's "current" moved elsewhere.
    fake.current = A2
    window.copy_button.click()
    assert fake.called("copy_to_clipboard")[-1] == (A1, A1, False)


def test_keyboard_navigation_and_delete(qtbot, window: MainWindow, fake: FakeController) -> None:
    window.list_view.setFocus()  # focusing an empty selection makes the first message current
    assert window.list_view.currentIndex().row() == 0
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    assert window.list_view.currentIndex().row() == 2
    qtbot.keyClick(window.list_view, Qt.Key.Key_K)
    assert window.list_view.currentIndex().row() == 1
    qtbot.keyClick(window.list_view, Qt.Key.Key_Down)
    assert window.list_view.currentIndex().row() == 2
    doomed = window.current_message_id()
    qtbot.keyClick(window.list_view, Qt.Key.Key_Delete)
    assert fake.called("delete_message")[-1] == (A1, doomed)
    assert window.model.row_of(doomed) == -1
    assert "Deleting" in window.statusBar().currentMessage()  # done only when the service says so
    # The next message is selected and opened.
    assert window.current_message_id() is not None
    assert fake.called("open_message")[-1][1] == window.current_message_id()


def test_ctrl_l_focuses_addresses_and_ctrl_n_opens_the_dialog(
    qtbot, window: MainWindow, fake: FakeController
) -> None:
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.sidebar.view.hasFocus()
    qtbot.keyClick(window.sidebar.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window._dialog, NewAddressDialog)
    assert window._dialog.domain.count() == 2
    window._dialog.reject()


def test_a_search_that_filters_the_open_message_out_clears_the_pane(
    qtbot, window: MainWindow, fake: FakeController
) -> None:
    """Issue 10: a pane still showing a message the search hid would read as a match."""
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    shown = window.current_message_id()
    assert window.pane.message is not None and window.pane.message.id == shown
    deletes = len(fake.called("delete_message"))
    window.search.setText("no such text")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert window.pane.message is None
    window.delete_current_message()  # Delete key with nothing on show and no row: nothing happens
    assert len(fake.called("delete_message")) == deletes


def test_a_search_that_still_lists_the_open_message_keeps_it(
    qtbot, window: MainWindow, fake: FakeController
) -> None:
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    shown = window.current_message_id()
    subject = window.model.summary_at(0).subject  # type: ignore[union-attr]
    window.search.setText(subject)
    qtbot.waitUntil(lambda: window.model.rowCount() >= 1)
    assert window.model.row_of(shown) >= 0  # type: ignore[arg-type]
    assert window.pane.message is not None and window.pane.message.id == shown


def test_mark_unread_and_message_removed_elsewhere(window: MainWindow, fake: FakeController) -> None:
    fake.set_seen(A1, fake.messages[A1][0].id, True)
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    assert window.pane.mark_unread.isEnabled()
    window.pane.mark_unread.click()
    message_id = window.current_message_id()
    assert fake.called("set_seen")[-1] == (A1, message_id, False)
    assert window.model.data(window.model.index(0, 1), Qt.ItemDataRole.FontRole).bold()
    assert not window.pane.mark_unread.isEnabled()
    fake.signals.message_removed.emit(A1, message_id)
    assert window.model.row_of(message_id) == -1


def test_show_address_request_selects_it(window: MainWindow, fake: FakeController) -> None:
    fake.signals.show_address_requested.emit(A2)
    assert window.current_address() == A2 and window.model.address == A2
    assert fake.current == A2
    fake.infos.append(fake.infos[0].__class__(address=A3))  # known to the store, not yet to the window
    fake.signals.show_address_requested.emit(A3)
    assert window.current_address() == A3


def test_show_message_request_pages_until_found(qtbot, fake: FakeController) -> None:
    fake.add_address(A1)
    fake.add_address(A3)
    fake.messages[A3] = [make_summary(i) for i in range(450)]
    fake._sort(A3)
    window = _window(qtbot, fake)
    fake.signals.show_message_requested.emit(A3, "m000007")
    assert window.current_address() == A3
    assert window.current_message_id() == "m000007"
    assert window.pane.message is not None and window.pane.message.id == "m000007"


def test_save_attachment_sanitises_and_warns_for_programs(
    qtbot, window: MainWindow, fake: FakeController, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fake.messages[A1][0]
    fake.bodies[first.id] = make_message(
        first,
        attachments=[make_attachment("../../.bashrc", "text/plain"), make_attachment("invoice.pdf.exe")],
    )
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    suggested: list[str] = []
    warnings: list[str] = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda _p, _t, path, *_a: (suggested.append(path), ("/tmp/x", ""))[1]),
    )
    choice = {"button": "Cancel"}

    def fake_exec(box: QMessageBox) -> int:
        warnings.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "").startswith(choice["button"]):
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    pane = window.pane
    assert pane.attachments.count() == 2
    pane.attachments.chip(0).save.click()
    assert suggested[-1].endswith("/bashrc") and "/.." not in suggested[-1]
    assert fake.called("save_attachment")[-1] == (A1, first.id, "att-../../.bashrc", "/tmp/x")
    assert not warnings

    assert "program or script" in pane.attachments.chip(1).text()
    assert pane.attachments.chip(1).warning.isVisible() and not pane.attachments.chip(0).warning.isVisible()
    pane.attachments.chip(1).save.click()  # warned, and Cancel is chosen
    assert "pretends to be a .pdf" in warnings[-1]
    assert len(suggested) == 1 and len(fake.called("save_attachment")) == 1
    choice["button"] = "Save anyway"
    pane.attachments.chip(1).save.click()
    assert len(suggested) == 2 and suggested[-1].endswith("invoice.pdf.exe")
    assert fake.called("save_attachment")[-1][2] == "att-invoice.pdf.exe"


def test_save_eml(window: MainWindow, fake: FakeController, monkeypatch: pytest.MonkeyPatch) -> None:
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    suggested: list[str] = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda _p, _t, path, *_a: (suggested.append(path), ("/tmp/m.eml", ""))[1]),
    )
    window.pane.save_eml.click()
    assert suggested[-1].endswith("Message 4.eml")
    assert fake.called("save_eml")[-1] == (A1, window.current_message_id(), "/tmp/m.eml")


def test_open_link_asks_first(qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    window.open_link("http://192.168.1.5/login")
    prompt = window._link_prompt
    assert isinstance(prompt, LinkPrompt) and prompt.isVisible()
    assert prompt.url_view.toPlainText() == "http://192.168.1.5/login"
    assert any("IP address" in label.text() for label in prompt.warning_labels)
    qtbot.keyClick(prompt, Qt.Key.Key_Return)  # Enter cancels
    assert not opened
    window.open_link("https://example.com/verify")
    assert window._link_prompt.open_button is not None
    window._link_prompt.open_button.click()
    assert opened == ["https://example.com/verify"]


def test_delete_address_needs_explicit_confirmation(
    window: MainWindow, fake: FakeController, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = {"code": DeleteAddressDialog.DialogCode.Rejected}
    monkeypatch.setattr(DeleteAddressDialog, "exec", lambda self: result["code"])
    window.sidebar.delete_requested.emit(A1)
    assert not fake.called("delete_address")
    result["code"] = DeleteAddressDialog.DialogCode.Accepted
    window.sidebar.delete_requested.emit(A1)
    assert fake.called("delete_address") == [(A1,)]


def test_context_menu_offers_copy_rename_delete(window: MainWindow, fake: FakeController) -> None:
    menu = window.sidebar.context_menu_for(A2)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:5] == [
        "Copy address",
        "Add label…",  # A2 has none: nothing to rename yet
        "Why hasn't my mail arrived?…",
        "Expect mail…",
        "Delete address…",
    ]
    menu.actions()[0].trigger()
    assert fake.called("copy_to_clipboard")[-1] == (A2, A2, False)
    labelled = [a.text() for a in window.sidebar.context_menu_for(A1).actions()]
    assert "Rename label…" in labelled and "Add label…" not in labelled


def test_address_updates_keep_the_selection(window: MainWindow, fake: FakeController) -> None:
    window.sidebar.select(A2)
    fake.infos[0] = fake.infos[0].__class__(address=A1, label="Renamed", unread=9)
    fake.signals.addresses_changed.emit()
    assert window.current_address() == A2
    assert window.sidebar.model.info(A1).label == "Renamed"  # type: ignore[union-attr]
    fake.infos.pop(1)
    fake.signals.addresses_changed.emit()
    assert window.current_address() is None or window.current_address() == A1


def test_credit_link_follows_the_provider(qtbot, fake: FakeController) -> None:
    window = _window(qtbot, fake)
    assert window.credit.isVisible() and "mail.tm" in window.credit.text()
    window.credit.linkActivated.emit("https://mail.tm")
    assert fake.called("open_external") == [("https://mail.tm",)]
    other = FakeController(AppSignals(), credit=ProviderCredit("Local (this computer)", None))
    window2 = _window(qtbot, other)
    assert not window2.credit.isVisible()


def test_close_hides_to_tray_or_asks(qtbot, window: MainWindow, fake: FakeController, monkeypatch) -> None:
    window._quit_confirmed = False  # undo the test helper's allow_close()
    fake.tray = True
    window.close()
    assert window.isHidden() and not fake.called("quit")
    window.show()
    fake.tray = False
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    window.close()
    assert window.isVisible() and not fake.called("quit")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    window.close()
    assert fake.called("quit") and not window.isVisible()


def test_login_dialog_from_the_menu(window: MainWindow, fake: FakeController) -> None:
    window.login_action.trigger()
    assert isinstance(window._dialog, LoginDialog)
    dialog = window._dialog
    dialog.address.setText("Old.Box@Example.com")
    dialog.password.setText("secret")
    dialog._ok.click()
    assert fake.called("login_address") == [("old.box@example.com", "secret", "", "mail.tm")]
    fake.signals.address_add_failed.emit("Wrong address or password.")
    assert dialog.feedback.text() == "Wrong address or password." and dialog.isVisible()
    fake.add_address("old.box@example.com")
    fake.signals.address_added.emit("old.box@example.com")
    assert window._dialog is None
    assert window.current_address() == "old.box@example.com"


def test_a_catch_up_is_asked_once_at_the_end(qtbot, window: MainWindow, fake: FakeController) -> None:
    bar = window.list_view.verticalScrollBar()
    window._maybe_load_older(bar.maximum())
    window._maybe_load_older(bar.maximum())
    assert fake.called("catch_up") == [(A1,)]
    assert not window.model.canFetchMore(QModelIndex())


def test_options_menu_offers_do_not_disturb_and_clearing_codes(qtbot, fake: FakeController) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, fake)
    seen: list[tuple[str, bool]] = []
    window.do_not_disturb_toggled.connect(lambda on: seen.append(("dnd", on)))
    window.clear_codes_toggled.connect(lambda on: seen.append(("clear", on)))
    window.dnd_action.trigger()
    window.clear_codes_action.trigger()
    window.dnd_action.trigger()
    assert seen == [("dnd", True), ("clear", True), ("dnd", False)]
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Options" in menus


def test_in_app_banner_is_part_of_the_window_and_hidden_until_a_notice(qtbot, fake: FakeController) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.notice import message_notice

    window = _window(qtbot, fake)
    assert window.banner.isHidden()
    window.banner.show_notice(message_notice(new_message(A1, "m1", "a@b.test", "Hello")))
    assert window.banner.isVisible() and window.banner.title.text() == "Hello"


def test_first_start_says_no_address_once_and_offers_login_as_a_link(qtbot, fake: FakeController) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, fake)
    assert window.address_title.text() == ""  # the empty list below says "No address selected"
    assert not window.reading.search.isEnabled() and not window.copy_button.isEnabled()
    link = window.sidebar.empty_login
    assert link.isVisible() and "<a href=" in link.text()
    with qtbot.waitSignal(window.sidebar.login_requested, timeout=2000):
        qtbot.mouseClick(link, Qt.MouseButton.LeftButton, pos=link.rect().center())


def test_clicking_a_button_in_the_message_keeps_j_and_k_in_the_list(qtbot, fake: FakeController) -> None:  # type: ignore[no-untyped-def]
    fake.add_address(A1)
    fake.messages[A1] = [make_summary(i, subject=f"Code {i}") for i in range(3)]
    fake._sort(A1)
    for summary in fake.messages[A1]:
        fake.bodies[summary.id] = make_message(summary, text=f"Your code is 48291{summary.id[-1]}.")
    window = _window(qtbot, fake)
    window.select_address(A1)
    window.list_view.setFocus()
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    first = window.reading.current_message_id()
    copy = window.pane.code_bar.copy_code
    qtbot.waitUntil(copy.isVisible)
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert window.list_view.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_J)
    assert window.reading.current_message_id() not in (None, first)


def test_adding_a_label_asks_under_its_own_title(
    window: MainWindow, fake: FakeController, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menu says "Add label…" for an address without one; its dialog said "Rename label"."""
    from PySide6.QtWidgets import QInputDialog

    asked: list[tuple[str, str]] = []

    def answer(_parent: object, title: str, prompt: str, **kwargs: object) -> tuple[str, bool]:
        asked.append((title, str(kwargs.get("text", ""))))
        return " Work ", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    next(a for a in window.sidebar.context_menu_for(A2).actions() if a.text() == "Add label…").trigger()
    window.sidebar.rename_requested.emit(A1)
    assert asked == [("Add label", ""), ("Rename label", "Shop sign-up")]
    assert fake.called("rename_address")[0] == (A2, "Work")
