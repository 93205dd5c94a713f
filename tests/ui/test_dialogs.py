from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop_app.ui.dialogs import (
    DeleteAddressDialog,
    LoginDialog,
    NewAddressDialog,
    validate_local_part,
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("quiet.otter", None),
        ("a-b_c9", None),
        ("abc", None),
        ("", "Type a name"),
        ("ab", "at least 3"),
        ("Quiet", "lower-case"),
        ("a..b", "Two dots"),
        (".abc", "start and end"),
        ("abc-", "start and end"),
        ("has space", "letters, digits"),
        ("x@y", "letters, digits"),
        ("a" * 65, "at most 64"),
    ],
)
def test_validate_local_part(text: str, problem: str | None) -> None:
    result = validate_local_part(text)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def _new_dialog(qtbot) -> tuple[NewAddressDialog, list[str]]:
    copied: list[str] = []
    dialog = NewAddressDialog("S3cret-generated", copied.append)
    qtbot.addWidget(dialog)
    return dialog, copied


def test_new_address_waits_for_domains_then_creates_a_random_name(qtbot) -> None:
    dialog, _ = _new_dialog(qtbot)
    assert not dialog.create_button.isEnabled()
    assert "Waiting for the list of domains" in dialog.validation.text()
    dialog.set_domains(["example.com", "mail.test"])
    assert dialog.create_button.isEnabled()
    dialog.domain.setCurrentIndex(1)
    dialog.label.setText("  Forum ")
    with qtbot.waitSignal(dialog.submitted) as blocker:
        dialog.create_button.click()
    assert blocker.args == [None, "mail.test", "Forum", "S3cret-generated", "mail.tm"]
    assert not dialog.create_button.isEnabled()  # busy until the app answers
    assert dialog.feedback.text() == "Creating the address…"


def test_new_address_live_validation_of_a_custom_name(qtbot) -> None:
    dialog, _ = _new_dialog(qtbot)
    dialog.set_domains(["example.com"])
    dialog.custom_choice.setChecked(True)
    assert dialog.local_part.isEnabled()
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.local_part, "ab")
    assert "at least 3" in dialog.validation.text() and not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.local_part, "c.d")
    assert dialog.validation.isHidden() and dialog.create_button.isEnabled()
    with qtbot.waitSignal(dialog.submitted) as blocker:
        dialog.create_button.click()
    assert blocker.args[:2] == ["abc.d", "example.com"]
    dialog.show_error("This address is already taken. Pick another name.")
    assert "already taken" in dialog.feedback.text()
    assert dialog.create_button.isEnabled()  # the user can fix the name and retry


def test_new_address_without_domains_cannot_submit(qtbot) -> None:
    dialog, _ = _new_dialog(qtbot)
    dialog.set_domains([])
    assert dialog.domain.currentText() == "No domains available"
    assert not dialog.create_button.isEnabled()


def test_new_address_shows_and_copies_the_password(qtbot) -> None:
    dialog, copied = _new_dialog(qtbot)
    assert dialog.password.text() == "S3cret-generated" and dialog.password.isReadOnly()
    copy = next(
        b for b in dialog.findChildren(type(dialog.create_button)) if b.accessibleName() == "Copy password"
    )
    copy.click()
    assert copied == ["S3cret-generated"]
    note = " ".join(label.text() for label in dialog.findChildren(type(dialog.validation)))
    assert "no password reset" in note


def test_login_dialog_validates_and_lowercases(qtbot) -> None:
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    assert not dialog._ok.isEnabled()
    dialog.address.setText("not-an-address")
    dialog.password.setText("pw")
    assert not dialog._ok.isEnabled()
    dialog.address.setText("  Some.One@Example.COM ")
    assert dialog._ok.isEnabled()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    with qtbot.waitSignal(dialog.submitted) as blocker:
        dialog._ok.click()
    assert blocker.args == ["some.one@example.com", "pw", "", "mail.tm"]


def test_delete_dialog_says_irreversible_and_enter_cancels(qtbot) -> None:
    dialog = DeleteAddressDialog("quiet.otter@example.com")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert any("cannot be undone" in t and "quiet.otter@example.com" in t for t in labels)
    assert dialog.delete_button.text() == "Delete forever"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == DeleteAddressDialog.DialogCode.Rejected


def test_delete_dialog_accepts_only_on_the_explicit_button(qtbot) -> None:
    dialog = DeleteAddressDialog("quiet.otter@example.com")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == DeleteAddressDialog.DialogCode.Accepted
