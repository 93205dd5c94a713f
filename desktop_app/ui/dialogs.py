"""Dialogs for the address lifecycle: new address, log in to an existing one, delete one.

The create and log-in dialogs stay open while the app works: they emit ``submitted``, show a busy
state, and are closed by the window when ``address_added`` arrives, or show the reason inline when
``address_add_failed`` does, so the user never retypes anything after a taken name or a typo: the
button then reads "Retry" until a field is edited. The new-address dialog likewise shows a failed list
of domains in place of the domain choice, with its own Retry (offline it used to wait forever).

Both ask on which mail service (``provider_picker``): the new-address dialog loads the domains of the
provider chosen, and ignores a late answer about one that is no longer chosen.

Over 300 lines: the new-address and login dialogs share their busy state, validation and error line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.api import DEFAULT, Provider
from desktop_app.ui import texts
from desktop_app.ui.lifetime_choice import LifetimeChoice
from desktop_app.ui.provider_picker import ProviderPicker

_LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_local_part(text: str) -> str | None:
    """``None`` when ``text`` can be the part before the @, else a short reason for the user."""
    if not text:
        return "Type a name, or choose a random one."
    if text != text.lower():
        return "Use lower-case letters: the service lower-cases addresses anyway."
    if len(text) < 3:
        return "Use at least 3 characters."
    if len(text) > 64:
        return "Use at most 64 characters."
    if ".." in text:
        return "Two dots in a row are not allowed."
    if not _LOCAL_PART.match(text):
        return "Use letters, digits, dots, hyphens and underscores; start and end with a letter or digit."
    return None


class _BusyDialog(QDialog):
    """Shared busy/error handling for dialogs that wait for the app."""

    picker: ProviderPicker

    def _init_feedback(self, buttons: QDialogButtonBox, ok: QPushButton) -> None:
        self._buttons = buttons
        self._ok = ok
        self._ok_text = ok.text()
        self.feedback = QLabel("", self)
        self.feedback.setWordWrap(True)
        self.feedback.setAccessibleName("Status")
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.hide()

    def set_busy(self, text: str) -> None:
        self._ok.setEnabled(False)
        self.feedback.setText(text)
        self.feedback.show()

    def show_error(self, text: str) -> None:
        self.feedback.setText(text)
        self.feedback.show()
        # The same input can work a second time (the service was down, a timeout): offer exactly that.
        self._ok.setText(texts.RETRY)
        self._revalidate()

    def _edited(self) -> None:
        """Input changed after a failure: the button does what it says again, not a retry."""
        self._ok.setText(self._ok_text)
        self._revalidate()

    def _revalidate(self) -> None:  # overridden
        self._ok.setEnabled(True)

    def _init_picker(
        self, providers: Sequence[Provider], starts_on_demand: Callable[[str], bool] | None
    ) -> ProviderPicker:
        """The mail-service choice; made before the other fields, so that Tab reaches it first.
        ``starts_on_demand``: whether a provider's server is started first (this computer's), so that
        the wait says so."""
        self._starts_on_demand = starts_on_demand or (lambda _provider_id: False)
        picker = ProviderPicker(providers, self)
        picker.other_shown.connect(self._other_server_shown)
        return picker

    def _other_server_shown(self, shown: bool) -> None:
        """While the server fields show, Enter checks the server; once it is added, Enter submits."""
        (self.picker.check_button if shown else self._ok).setDefault(True)
        self._edited()


class NewAddressDialog(_BusyDialog):
    # local part | None, domain | None, label, password, provider id
    submitted = Signal(object, object, str, str, str)
    # A provider's domains are wanted: it was chosen, or Retry was pressed after they failed to load.
    domains_requested = Signal(str)

    def __init__(
        self,
        password: str,
        copy_text: Callable[[str], None],
        parent: QWidget | None = None,
        *,
        providers: Sequence[Provider] = (DEFAULT,),
        starts_on_demand: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setMinimumWidth(480)  # the whole generated password must be visible
        self._copy_text = copy_text
        self._password = password
        self.picker = self._init_picker(providers, starts_on_demand)

        self.random_choice = QRadioButton("Random name", self)
        self.custom_choice = QRadioButton("Choose a name:", self)
        self.random_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.random_choice)
        group.addButton(self.custom_choice)
        self.local_part = QLineEdit(self)
        self.local_part.setPlaceholderText("e.g. quiet.otter")
        self.local_part.setAccessibleName("Name before the @")
        self.local_part.setEnabled(False)
        self.domain = QComboBox(self)
        self.domain.setAccessibleName("Domain")
        self.domain.addItem(texts.LOADING_DOMAINS)
        self.domain.setEnabled(False)
        self.domains_error = QLabel("", self)
        self.domains_error.setWordWrap(True)
        self.domains_error.setAccessibleName("Domains problem")
        self.domains_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_domains_button = QPushButton(texts.RETRY, self)
        self.retry_domains_button.setToolTip(texts.RETRY_DOMAINS_TIP)
        self.retry_domains_button.setAccessibleName(texts.RETRY_DOMAINS_TIP)
        self.retry_domains_button.setAutoDefault(False)  # Enter still means "Create address"
        self.retry_domains_button.clicked.connect(self._retry_domains)
        self.validation = QLabel("", self)
        self.validation.setAccessibleName("Name check")
        self.validation.setWordWrap(True)
        self.label = QLineEdit(self)
        self.label.setPlaceholderText("optional, e.g. Shop sign-up")
        self.label.setAccessibleName("Label")
        self.password = QLineEdit(password, self)
        self.password.setReadOnly(True)
        self.password.setAccessibleName("Generated password")
        # All of it visible, however wide the labels beside it grow ("Mail service:", "Delete
        # automatically:"): a password cut at its start is copied by hand wrong. 16 px: frame and margins.
        self.password.setMinimumWidth(self.password.fontMetrics().horizontalAdvance(password) + 16)
        copy = QPushButton("Copy", self)
        copy.setAccessibleName("Copy password")
        copy.clicked.connect(lambda: self._copy_text(self._password))
        # Said the same for every provider: no mail.tm-compatible service has a reset, and a custom
        # provider's "name" is often just host:port ("127.0.0.1:34031 has no password reset").
        note = QLabel(texts.NO_PASSWORD_RESET, self)
        note.setWordWrap(True)

        name_row = QHBoxLayout()
        name_row.addWidget(self.local_part, 1)
        name_row.addWidget(QLabel("@", self))
        name_row.addWidget(self.domain, 1)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(copy)
        form = QFormLayout()
        self.picker.place_in(form)
        form.addRow(self.random_choice)
        form.addRow(self.custom_choice)
        form.addRow(name_row)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.retry_domains_button)
        retry_row.addStretch(1)
        form.addRow(self.domains_error)
        form.addRow(retry_row)
        form.addRow(self.validation)
        form.addRow("Label:", self.label)
        form.addRow("Password:", password_row)
        self.lifetime = LifetimeChoice(self)
        form.addRow(texts.LIFETIME_LABEL, self.lifetime)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.addButton(texts.CREATE_ADDRESS, QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button = ok
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        self._init_feedback(buttons, ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)

        self.custom_choice.toggled.connect(self._mode_changed)
        self.local_part.textChanged.connect(self._edited)
        self.domain.currentIndexChanged.connect(self._edited)
        self.picker.provider_changed.connect(self._provider_changed)
        self.picker.other_shown.connect(self._other_server_chosen)
        self._domains_ready = False
        self._avoid_domain = ""
        self._show_domains_problem(None)
        self._update_title()
        self._revalidate()

    def provider_id(self) -> str | None:
        """The provider chosen; None while "Other server…" is chosen and its server not yet added."""
        return self.picker.current_id()

    def domains_arrived(self, provider_id: str, domains: list[str]) -> None:
        """A provider's domains: shown when it is still the one chosen, else a late answer, ignored."""
        if provider_id == self.provider_id():
            self.set_domains(domains)

    def domains_failed_for(self, provider_id: str, reason: str) -> None:
        if provider_id == self.provider_id():
            self.show_domains_error(reason)

    def _provider_changed(self, _provider_id: str) -> None:
        self._update_title()
        self._load_domains()

    def _other_server_chosen(self, shown: bool) -> None:
        if shown:  # no domains to offer until the server is added
            self._update_title()
            self._show_domains_problem(None)
            self._domains_ready = False
            self.domain.clear()
            self.domain.setEnabled(False)
            self._revalidate()

    def _update_title(self) -> None:
        name = self.picker.current_name()
        self.setWindowTitle(
            texts.NEW_ADDRESS_TITLE.format(provider=name) if name else texts.NEW_ADDRESS_ANYWHERE_TITLE
        )

    def expires_in(self) -> timedelta | None:
        """The lifetime chosen under "Delete automatically:" (None: never, the default)."""
        return self.lifetime.lifetime()

    def prefill_like(self, address: str) -> None:
        """The same name on another domain (the check's way out when a domain stops taking mail)."""
        local, _, domain = address.partition("@")
        self._avoid_domain = domain.lower()
        self.custom_choice.setChecked(True)
        self.local_part.setText(local)

    def set_domains(self, domains: list[str]) -> None:
        self._show_domains_problem(None)
        self.domain.clear()
        if domains:
            self.domain.addItems(domains)
            self.domain.setEnabled(True)
            self._domains_ready = True
            others = [i for i, d in enumerate(domains) if d.lower() != self._avoid_domain]
            if self._avoid_domain and others:
                self.domain.setCurrentIndex(others[0])
        else:
            self.domain.addItem("No domains available")
            self.domain.setEnabled(False)
            self._domains_ready = False
        self._revalidate()

    def show_domains_error(self, reason: str) -> None:
        """The domains could not be loaded: say why here, where the user waits, and offer Retry."""
        self.domain.clear()
        self.domain.addItem(texts.DOMAINS_UNAVAILABLE)
        self.domain.setEnabled(False)
        self._domains_ready = False
        self._show_domains_problem(texts.DOMAINS_FAILED.format(reason=reason))
        self._revalidate()
        self.adjustSize()  # the dialog is already open: grow to the wrapped reason, not clip it

    def _show_domains_problem(self, text: str | None) -> None:
        self.domains_error.setText(text or "")
        self.domains_error.setVisible(text is not None)
        self.retry_domains_button.setVisible(text is not None)

    def _retry_domains(self) -> None:
        self._load_domains()

    def _load_domains(self) -> None:
        provider_id = self.provider_id()
        if provider_id is None:
            return
        self._show_domains_problem(None)
        self._domains_ready = False
        self.domain.clear()
        starting = self._starts_on_demand(provider_id)
        self.domain.addItem(texts.STARTING_LOCAL if starting else texts.LOADING_DOMAINS)
        self.domain.setEnabled(False)
        self._revalidate()
        self.domains_requested.emit(provider_id)

    def _mode_changed(self, custom: bool) -> None:
        self.local_part.setEnabled(custom)
        if custom:
            self.local_part.setFocus()
        self._edited()

    def _revalidate(self) -> None:
        problem = validate_local_part(self.local_part.text()) if self.custom_choice.isChecked() else None
        blocked = not self._domains_ready
        if blocked and self.domains_error.isHidden():
            # Not "waiting" once the list failed: the reason and Retry above say what is going on.
            waiting = (
                texts.ADD_SERVER_FIRST if self.picker.choosing_other() else "Waiting for the list of domains…"
            )
            problem = problem or waiting
        self.validation.setText(problem or "")
        self.validation.setVisible(bool(problem))
        self._ok.setEnabled(problem is None and not blocked)

    def _submit(self) -> None:
        self._revalidate()
        if not self._ok.isEnabled():
            return
        local = self.local_part.text() if self.custom_choice.isChecked() else None
        domain = self.domain.currentText() if self._domains_ready else None
        provider_id = self.provider_id()
        if provider_id is None:
            return
        self.set_busy("Creating the address…")
        self.submitted.emit(local, domain, self.label.text().strip(), self._password, provider_id)


class LoginDialog(_BusyDialog):
    submitted = Signal(str, str, str, str)  # address, password, label, provider id

    def __init__(self, parent: QWidget | None = None, *, providers: Sequence[Provider] = (DEFAULT,)) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.LOG_IN_TITLE)
        self.setMinimumWidth(420)
        self.picker = self._init_picker(providers, None)
        self.address = QLineEdit(self)
        self.address.setPlaceholderText("name@domain")
        self.address.setAccessibleName("Address")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.label = QLineEdit(self)
        self.label.setAccessibleName("Label")
        self.label.setPlaceholderText("optional")
        form = QFormLayout()
        self.picker.place_in(form)
        form.addRow("Address:", self.address)
        form.addRow("Password:", self.password)
        form.addRow("Label:", self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.addButton(texts.LOG_IN, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        self._init_feedback(buttons, ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)
        self.address.textChanged.connect(self._edited)
        self.password.textChanged.connect(self._edited)
        self.picker.provider_changed.connect(lambda _id: self._edited())
        self._revalidate()
        self.address.setFocus()  # what every log-in starts with; the service is one Shift+Tab away

    def _revalidate(self) -> None:
        ok = bool(_EMAIL.match(self.address.text().strip())) and bool(self.password.text())
        self._ok.setEnabled(ok and self.picker.current_id() is not None)

    def _submit(self) -> None:
        provider_id = self.picker.current_id()
        if not self._ok.isEnabled() or provider_id is None:
            return
        self.set_busy("Logging in…")
        self.submitted.emit(
            self.address.text().strip().lower(), self.password.text(), self.label.text().strip(), provider_id
        )


class DeleteAddressDialog(QDialog):
    """Deleting is irreversible on the service; only the explicit "Delete forever" button confirms
    (Enter and Escape both cancel)."""

    def __init__(self, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete address")
        self.setMinimumWidth(440)
        text = QLabel(
            f"<p><b>Delete {_escape(address)} forever?</b></p>"
            "<p>The address and all its messages are deleted on the mail service. "
            "This cannot be undone: nobody, including you, can log in to it again, "
            "and mail sent to it will be lost.</p>",
            self,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(self)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton("Delete forever", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_button.setAccessibleName("Delete forever")
        self.delete_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.delete_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.cancel_button.setFocus()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
