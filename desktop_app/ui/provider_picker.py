"""The mail-service choice of the new-address and log-in dialogs.

The known providers (the default one first), then "Other server…", which asks for an API URL, an
optional hub URL and an optional SMTP endpoint for the health check's test mail, and has them checked
before they join the list. The picker only asks: its dialog's window sends ``add_requested`` to the
controller and hands the answer back (``provider_added`` or ``show_add_error``), the way every other
answer reaches the address dialogs.

Its rows go into the dialog's own form, so that "Mail service:" lines up with the dialog's other labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop_app.core.api import LOCAL_ID, Provider, sends_in_clear
from desktop_app.ui import texts

# The item data of "Other server…": no provider's id (mail.tm, mail.gw, local, custom-<hash>) is this.
OTHER = "other-server"


class ProviderPicker(QObject):
    provider_changed = Signal(str)  # the id of the provider now chosen
    other_shown = Signal(bool)  # "Other server…" became (True) or stopped being (False) the choice
    # API URL, hub URL ("" for the usual place next to the API), SMTP host:port for test mail ("" none)
    add_requested = Signal(str, str, str)

    def __init__(self, providers: Sequence[Provider], parent: QWidget) -> None:
        super().__init__(parent)
        self.combo = QComboBox(parent)
        self.combo.setAccessibleName(texts.MAIL_SERVICE_NAME)
        for provider in providers:
            self._add_item(provider)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(texts.OTHER_SERVER, OTHER)
        self.combo.setItemData(self.combo.count() - 1, texts.OTHER_SERVER_TIP, Qt.ItemDataRole.ToolTipRole)

        self.api_url = QLineEdit(parent)
        self.api_url.setPlaceholderText(texts.API_URL_PLACEHOLDER)
        self.api_url.setAccessibleName(texts.API_URL_NAME)
        self.hub_url = QLineEdit(parent)
        self.hub_url.setPlaceholderText(texts.HUB_URL_PLACEHOLDER)
        self.hub_url.setAccessibleName(texts.HUB_URL_NAME)
        self.smtp = QLineEdit(parent)
        self.smtp.setPlaceholderText(texts.PROBE_SMTP_PLACEHOLDER)
        self.smtp.setAccessibleName(texts.PROBE_SMTP_NAME)
        self.smtp.setToolTip(texts.PROBE_SMTP_TIP)
        self.check_button = QPushButton(texts.CHECK_SERVER, parent)
        self.check_button.setToolTip(texts.CHECK_SERVER_TIP)
        self.check_button.clicked.connect(self._check)
        self._check_row = QWidget(parent)
        row = QHBoxLayout(self._check_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check_button)
        row.addStretch(1)
        self.in_clear = self._note(texts.SERVER_IN_CLEAR_NAME, parent)
        self.in_clear.setText(texts.SERVER_IN_CLEAR)
        self.status = self._note(texts.SERVER_CHECK_NAME, parent)
        self._checking = False
        self._form: QFormLayout | None = None

        self.combo.currentIndexChanged.connect(self._chosen)
        self.api_url.textChanged.connect(self._url_edited)
        self.hub_url.textChanged.connect(self._url_edited)
        self.smtp.textChanged.connect(self._url_edited)

    @staticmethod
    def _note(name: str, parent: QWidget) -> QLabel:
        label = QLabel("", parent)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def place_in(self, form: QFormLayout, row: int = 0) -> None:
        """Put the picker's rows into ``form`` from ``row`` on; the server fields show only when asked."""
        self._form = form
        form.insertRow(row, texts.MAIL_SERVICE, self.combo)
        form.insertRow(row + 1, texts.API_URL, self.api_url)
        form.insertRow(row + 2, texts.HUB_URL, self.hub_url)
        form.insertRow(row + 3, texts.PROBE_SMTP, self.smtp)
        form.insertRow(row + 4, "", self._check_row)
        form.insertRow(row + 5, self.in_clear)
        form.insertRow(row + 6, self.status)
        self._show_other(False)

    # -- what the dialog asks ----------------------------------------------------------------------

    def current_id(self) -> str | None:
        """The chosen provider's id; None while "Other server…" is chosen and not yet added."""
        data = self.combo.currentData()
        return None if data == OTHER or data is None else str(data)

    def current_name(self) -> str:
        return self.combo.currentText() if self.current_id() else ""

    def select(self, provider_id: str) -> bool:
        index = self.combo.findData(provider_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def checking(self) -> bool:
        """Whether a server check asked from here is waiting for its answer."""
        return self._checking

    def choosing_other(self) -> bool:
        return bool(self.combo.currentData() == OTHER)

    # -- the answers to add_requested --------------------------------------------------------------

    def provider_added(self, provider: Provider) -> None:
        """The server answered and is kept: it joins the list, and is chosen if the user still waits."""
        waiting = self._checking and self.choosing_other()
        self._set_checking(False)
        if self.combo.findData(provider.id) < 0:  # the URL of a known one (mail.tm's) is not listed twice
            self._add_item(provider, self._other_start())
        if waiting:
            self.status.clear()
            self.select(provider.id)

    def show_add_error(self, text: str) -> None:
        self._set_checking(False)
        self._say(text)

    # -- inside ------------------------------------------------------------------------------------

    def _add_item(self, provider: Provider, index: int | None = None) -> None:
        """One provider's entry (its API URL as the tooltip), at ``index`` or at the end."""
        at = self.combo.count() if index is None else index
        self.combo.insertItem(at, provider.name, provider.id)
        # This computer's server has a new URL each time it starts: what it is says more than where.
        tip = texts.THIS_COMPUTER_TIP if provider.id == LOCAL_ID else provider.api_url
        self.combo.setItemData(at, tip, Qt.ItemDataRole.ToolTipRole)

    def _other_start(self) -> int:
        """Where the separator before "Other server…" is: new providers go just above it."""
        return self.combo.count() - 2

    def _chosen(self, _index: int) -> None:
        other = self.choosing_other()
        self._show_other(other)
        if other:
            self.api_url.setFocus()
        self.other_shown.emit(other)
        provider_id = self.current_id()
        if provider_id is not None:
            self.provider_changed.emit(provider_id)

    def _show_other(self, on: bool) -> None:
        if self._form is None:
            return
        for widget in (self.api_url, self.hub_url, self.smtp, self._check_row):
            self._form.setRowVisible(widget, on)
        self._form.setRowVisible(self.status, on and bool(self.status.text()))
        self._form.setRowVisible(self.in_clear, on and sends_in_clear(self.api_url.text()))
        self._fit()

    def _url_edited(self) -> None:
        if not self._checking:
            self.status.clear()
        self._show_other(self.choosing_other())

    def _check(self) -> None:
        api = self.api_url.text().strip()
        if not api:
            self._say(texts.TYPE_API_URL)
            self.api_url.setFocus()
            return
        self._set_checking(True)
        self._say(texts.CHECKING_SERVER.format(url=api))
        self.add_requested.emit(api, self.hub_url.text().strip(), self.smtp.text().strip())

    def _set_checking(self, on: bool) -> None:
        """While the server is asked: the fields stay as typed, and one check runs at a time."""
        self._checking = on
        self.check_button.setEnabled(not on)
        self.api_url.setReadOnly(on)
        self.hub_url.setReadOnly(on)
        self.smtp.setReadOnly(on)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self._show_other(self.choosing_other())

    def _fit(self) -> None:
        """The dialog is open: grow to shown rows and wrapped text instead of clipping, shrink after."""
        dialog = self.parent()
        if isinstance(dialog, QWidget) and dialog.isVisible():
            dialog.adjustSize()
