"""The mail-service picker of the address dialogs, over the fake controller (issue 12): what it lists,
what it selects, the "Other server…" form (its check, its warning, its keys) and where the address
goes. The same dialogs against two real servers are in ``test_provider_dialogs_live.py``."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.api.providers import MAILGW, custom_provider
from desktop_app.ui import texts
from desktop_app.ui.controller import AppSignals, ProviderCredit
from desktop_app.ui.dialogs import LoginDialog, NewAddressDialog
from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

KEPT = custom_provider("https://api.example.org")
NOBODY = "Nobody answered."


@pytest.fixture
def fake() -> FakeController:
    fake = FakeController(AppSignals())
    fake.provider_list.append(KEPT)
    fake.provider_domains = {"mail.tm": ["tm.example"], MAILGW.id: ["gw.example"], KEPT.id: ["kept.example"]}
    return fake


def _items(dialog: NewAddressDialog | LoginDialog) -> list[str]:
    combo = dialog.picker.combo
    return [combo.itemText(i) for i in range(combo.count())]


def _new_address(qtbot: QtBot, fake: FakeController) -> tuple[MainWindow, NewAddressDialog]:
    window = shown_window(qtbot, fake)
    window.new_action.trigger()
    dialog = window._dialog
    assert isinstance(dialog, NewAddressDialog)
    qtbot.waitExposed(dialog)
    return window, dialog


def _login(qtbot: QtBot, fake: FakeController) -> LoginDialog:
    window = shown_window(qtbot, fake)
    window.login_action.trigger()
    dialog = window._dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _choose(dialog: NewAddressDialog | LoginDialog, text: str) -> None:
    index = dialog.picker.combo.findText(text)
    assert index >= 0, _items(dialog)
    dialog.picker.combo.setCurrentIndex(index)


def test_both_dialogs_list_every_provider_then_other_server(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    expected = ["mail.tm", "mail.gw", "api.example.org", "", texts.OTHER_SERVER]  # "" is the separator
    assert _items(dialog) == expected
    assert dialog.picker.combo.currentText() == "mail.tm"  # the default provider, listed first
    assert dialog.windowTitle() == "New address on mail.tm"
    assert dialog.domain.currentText() == "tm.example"
    assert fake.called("request_domains") == [("mail.tm",)]
    assert not dialog.picker.api_url.isVisible()  # the server fields wait for "Other server…"
    dialog.reject()
    assert _items(_login(qtbot, fake)) == expected


def test_the_default_provider_is_selected_whichever_it_is(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.provider_list.insert(0, KEPT)  # started with --api-url: it comes first, as providers() says
    _window, dialog = _new_address(qtbot, fake)
    assert dialog.picker.combo.currentText() == "api.example.org"
    assert fake.called("request_domains") == [(KEPT.id,)]


def test_switching_provider_reloads_its_domains_and_creates_there(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    fake.answer_domains = False  # the next answer is on its way
    _choose(dialog, "mail.gw")
    assert fake.called("request_domains")[-1] == (MAILGW.id,)
    assert dialog.domain.currentText() == texts.LOADING_DOMAINS and not dialog.create_button.isEnabled()
    assert dialog.windowTitle() == "New address on mail.gw"
    fake.signals.domains_loaded.emit(MAILGW.id, ["gw.example"])
    assert dialog.domain.currentText() == "gw.example" and dialog.create_button.isEnabled()
    dialog.create_button.click()
    assert fake.called("create_address") == [(None, "gw.example", "", "Gen3rated-Passw0rd-xyz", MAILGW.id)]


def test_a_late_answer_for_a_provider_no_longer_chosen_is_ignored(qtbot: QtBot, fake: FakeController) -> None:
    fake.answer_domains = False
    _window, dialog = _new_address(qtbot, fake)
    _choose(dialog, "mail.gw")
    fake.signals.domains_loaded.emit(MAILGW.id, ["gw.example"])
    fake.signals.domains_loaded.emit("mail.tm", ["tm.example"])  # mail.tm's answer, after all
    fake.signals.domains_failed.emit("mail.tm", NOBODY)
    assert dialog.domain.currentText() == "gw.example" and dialog.domains_error.isHidden()
    assert dialog.create_button.isEnabled()


def test_retry_asks_the_provider_chosen(qtbot: QtBot, fake: FakeController) -> None:
    fake.domains_error = NOBODY
    _window, dialog = _new_address(qtbot, fake)
    _choose(dialog, "api.example.org")
    assert dialog.domains_error.text() == texts.DOMAINS_FAILED.format(reason=NOBODY)
    fake.domains_error = None
    dialog.retry_domains_button.click()
    assert fake.called("request_domains")[-1] == (KEPT.id,)
    assert dialog.domain.currentText() == "kept.example"


def test_other_server_refused_keeps_the_dialog_and_says_why(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    fake.add_provider_error, fake.answer_add_provider = NOBODY, False
    _choose(dialog, texts.OTHER_SERVER)
    picker = dialog.picker
    assert picker.api_url.isVisible() and picker.hub_url.isVisible() and picker.check_button.isVisible()
    assert picker.smtp.isVisible() and picker.smtp.placeholderText() == texts.PROBE_SMTP_PLACEHOLDER
    assert dialog.windowTitle() == texts.NEW_ADDRESS_ANYWHERE_TITLE
    assert not dialog.create_button.isEnabled() and dialog.validation.text() == texts.ADD_SERVER_FIRST
    picker.check_button.click()  # nothing typed yet: said, not sent
    assert picker.status.text() == texts.TYPE_API_URL and not fake.called("add_provider")
    qtbot.keyClicks(picker.api_url, "https://nothing.example")
    assert picker.status.isHidden()  # edited: the old remark goes
    picker.check_button.click()
    assert fake.called("add_provider") == [("https://nothing.example", "", "")]
    assert picker.status.text() == texts.CHECKING_SERVER.format(url="https://nothing.example")
    assert not picker.check_button.isEnabled() and picker.api_url.isReadOnly()  # busy
    assert picker.smtp.isReadOnly()
    fake.signals.provider_add_failed.emit(NOBODY)
    assert picker.status.isVisible() and picker.status.text() == NOBODY
    assert picker.check_button.isEnabled() and not picker.api_url.isReadOnly()
    assert _items(dialog).count("nothing.example") == 0 and picker.choosing_other()
    assert not dialog.create_button.isEnabled()


def test_other_server_accepted_is_kept_selected_and_used(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    _choose(dialog, texts.OTHER_SERVER)
    picker = dialog.picker
    qtbot.keyClicks(picker.api_url, "https://api.new.example/")
    qtbot.keyClicks(picker.hub_url, "https://hub.new.example/.well-known/mercure")
    qtbot.keyClicks(picker.smtp, " 127.0.0.1:2525 ")
    picker.check_button.click()
    added = custom_provider("https://api.new.example", "https://hub.new.example/.well-known/mercure")
    assert fake.called("add_provider") == [
        ("https://api.new.example/", "https://hub.new.example/.well-known/mercure", "127.0.0.1:2525")
    ]
    assert dialog.picker.combo.currentText() == "api.new.example"  # selected, above the separator
    assert _items(dialog)[-3:] == ["api.new.example", "", texts.OTHER_SERVER]
    combo = dialog.picker.combo
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) == "https://api.new.example"
    assert not picker.api_url.isVisible() and picker.status.isHidden()
    assert fake.called("request_domains")[-1] == (added.id,)
    assert dialog.domain.currentText() == "example.com" and dialog.create_button.isEnabled()
    dialog.create_button.click()
    assert fake.called("create_address")[-1][-1] == added.id
    # Kept: the next dialog lists it.
    dialog.reject()
    _window, again = _new_address(qtbot, fake)
    assert "api.new.example" in _items(again)


def test_a_known_url_is_not_listed_twice(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    _choose(dialog, texts.OTHER_SERVER)
    qtbot.keyClicks(dialog.picker.api_url, "https://api.example.org")
    dialog.picker.check_button.click()
    assert _items(dialog).count("api.example.org") == 1
    assert dialog.picker.current_id() == KEPT.id


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://mail.example.org", True),
        ("HTTP://10.0.0.7:8025", True),
        ("http://127.0.0.1:8025", False),
        ("http://localhost:8025", False),
        ("http://[::1]:8025", False),
        ("https://mail.example.org", False),
    ],
)
def test_plain_http_to_another_host_is_warned_about(
    qtbot: QtBot, fake: FakeController, url: str, warned: bool
) -> None:
    dialog = _login(qtbot, fake)
    _choose(dialog, texts.OTHER_SERVER)
    qtbot.keyClicks(dialog.picker.api_url, url)
    assert dialog.picker.in_clear.isVisible() is warned
    if warned:
        assert "unencrypted" in dialog.picker.in_clear.text()
        _choose(dialog, "mail.gw")  # the fields go, and their warning with them
        assert not dialog.picker.in_clear.isVisible()


def _active(qtbot: QtBot, dialog: QWidget) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def test_keyboard_tab_reaches_the_picker_and_enter_checks_then_creates(
    qtbot: QtBot, fake: FakeController
) -> None:
    _window, dialog = _new_address(qtbot, fake)
    _active(qtbot, dialog)
    picker = dialog.picker
    picker.combo.setFocus()
    qtbot.keyClick(picker.combo, Qt.Key.Key_Tab)  # the hidden server fields are skipped
    assert dialog.random_choice.hasFocus()
    qtbot.keyClick(dialog.random_choice, Qt.Key.Key_Backtab)
    assert picker.combo.hasFocus()
    _choose(dialog, texts.OTHER_SERVER)
    assert picker.api_url.hasFocus()  # where the user types next
    qtbot.keyClicks(picker.api_url, "https://api.keys.example")
    qtbot.keyClick(picker.api_url, Qt.Key.Key_Return)  # Enter checks the server, creates nothing
    assert fake.called("add_provider") == [("https://api.keys.example", "", "")]
    assert not fake.called("create_address")
    assert picker.combo.currentText() == "api.keys.example"
    qtbot.keyClick(dialog.label, Qt.Key.Key_Return)  # now Enter creates, on that server
    assert fake.called("create_address")[-1][-1] == custom_provider("https://api.keys.example").id


def test_enter_on_the_picker_creates_on_the_provider_shown(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address(qtbot, fake)
    _active(qtbot, dialog)
    _choose(dialog, "mail.gw")
    dialog.picker.combo.setFocus()
    qtbot.keyClick(dialog.picker.combo, Qt.Key.Key_Return)
    assert fake.called("create_address") == [(None, "gw.example", "", "Gen3rated-Passw0rd-xyz", MAILGW.id)]


def test_login_goes_to_the_chosen_provider_and_waits_for_other_server(
    qtbot: QtBot, fake: FakeController
) -> None:
    dialog = _login(qtbot, fake)
    _active(qtbot, dialog)
    assert dialog.address.hasFocus()  # the log-in starts with the address; Shift+Tab reaches the picker
    qtbot.keyClick(dialog.address, Qt.Key.Key_Backtab)
    assert dialog.picker.combo.hasFocus()
    dialog.address.setText("old.box@gw.example")
    dialog.password.setText("secret")
    _choose(dialog, texts.OTHER_SERVER)
    assert not dialog._ok.isEnabled()
    _choose(dialog, "mail.gw")
    assert dialog._ok.isEnabled()
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert fake.called("login_address") == [("old.box@gw.example", "secret", "", MAILGW.id)]


def test_a_new_address_like_another_keeps_its_provider(qtbot: QtBot, fake: FakeController) -> None:
    fake.add_address("quiet.otter@gw.example", provider_name="mail.gw")
    window = shown_window(qtbot, fake)
    window.open_new_address_like("quiet.otter@gw.example")
    dialog = window._dialog
    assert isinstance(dialog, NewAddressDialog)
    assert dialog.picker.combo.currentText() == "mail.gw"
    assert fake.called("request_domains") == [(MAILGW.id,)]  # only the provider shown is asked
    assert dialog.local_part.text() == "quiet.otter"


def test_a_check_answered_after_its_dialog_closed_reaches_no_other_dialog(
    qtbot: QtBot, fake: FakeController
) -> None:
    window, dialog = _new_address(qtbot, fake)
    fake.answer_add_provider = False
    _choose(dialog, texts.OTHER_SERVER)
    qtbot.keyClicks(dialog.picker.api_url, "https://api.slow.example")
    dialog.picker.check_button.click()
    window.login_action.trigger()  # the user moves on before the answer
    login = window._dialog
    assert isinstance(login, LoginDialog) and login is not dialog
    _choose(login, texts.OTHER_SERVER)  # and is typing another server there, unchecked
    fake.signals.provider_add_failed.emit(NOBODY)
    assert login.picker.status.isHidden() and NOBODY in window.statusBar().currentMessage()
    slow = custom_provider("https://api.slow.example")
    fake.signals.provider_added.emit(slow)
    assert login.picker.combo.findData(slow.id) >= 0  # kept, so listed…
    assert login.picker.choosing_other()  # …but not chosen for the user


def test_an_address_on_mail_gw_brings_its_credit_link_beside_mail_tms(
    qtbot: QtBot, fake: FakeController
) -> None:
    window = shown_window(qtbot, fake)
    assert window.credit.isVisible() and "mail.gw" not in window.credit.text()
    fake.more_credits.append(ProviderCredit("mail.gw", "https://mail.gw"))
    fake.add_address("quiet.otter@gw.example", provider_name="mail.gw")  # made with the picker
    text = window.credit.text()
    assert 'href="https://mail.tm"' in text and 'href="https://mail.gw"' in text
    assert ">mail.tm</a> and <a" in text
    window.credit.linkActivated.emit("https://mail.gw")
    assert fake.called("open_external") == [("https://mail.gw",)]


def test_the_whole_password_shows_beside_the_longer_labels(qtbot: QtBot) -> None:
    wide = "WWWWmmmmWWWWmmmmWWWWmmmmWWWWmmmm"  # 32 characters, as generated, of the widest letters
    dialog = NewAddressDialog(wide, lambda _t: None)  # one short provider name: the narrowest form
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.password
    field.end(False)  # where a read-only field's cursor sits: at the end, scrolled there if cut
    field.grab()  # painted, as on screen: painting is when the field scrolls to its cursor
    left = QPoint(field.contentsRect().left() + 4, field.height() // 2)
    assert field.cursorPositionAt(left) == 0  # the first character is on screen
