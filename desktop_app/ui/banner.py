"""The in-app banner: the last fallback for a notification when the desktop offers none.

A slim bar (placed by the main window above its content) with the notice's text as plain text —
sender and subject come from strangers, so they are never interpreted as rich text — a "Copy code"
button when a code was found, "Open", and a close button. It hides itself after a while.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

from desktop_app.core.notice import Notice, single_line
from desktop_app.ui import texts

AUTO_HIDE_MS = 15_000


class NotificationBanner(QFrame):
    copy_code_clicked = Signal(str)
    open_clicked = Signal(str, str)  # address, message id
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None, *, auto_hide_ms: int = AUTO_HIDE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.setAccessibleName(texts.BANNER_NAME)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self._notice: Notice | None = None

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long subject or notice must not widen the window past the screen: the label takes the
        # width it is given and cuts the rest (the whole text is in its tooltip).
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(80)  # its full width when there is room, cut when there is not
        self.copy_button = QPushButton(texts.NOTIFY_COPY_CODE, self)
        self.copy_button.setAccessibleName(texts.NOTIFY_COPY_CODE)
        self.open_button = QPushButton(texts.NOTIFY_OPEN, self)
        self.open_button.setAccessibleName(texts.BANNER_OPEN_NAME)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(texts.BANNER_DISMISS_NAME)
        self.close_button.setToolTip(texts.BANNER_DISMISS)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.open_button)
        layout.addWidget(self.close_button)

        self._auto_hide = QTimer(self)
        self._auto_hide.setSingleShot(True)
        self._auto_hide.setInterval(auto_hide_ms)
        self._auto_hide.timeout.connect(self.dismiss)
        self.copy_button.clicked.connect(self._copy)
        self.open_button.clicked.connect(self._open)
        self.close_button.clicked.connect(self.dismiss)
        self.hide()

    @property
    def notice(self) -> Notice | None:
        return self._notice

    def show_notice(self, notice: Notice) -> None:
        self._notice = notice
        self.title.setText(single_line(notice.title, 100))
        self.title.setToolTip(self.title.text())
        self.detail.setText(" · ".join(single_line(line, 100) for line in notice.body.splitlines() if line))
        self.detail.setToolTip(self.detail.text())
        self.copy_button.setVisible(bool(notice.code))
        if notice.code:
            self.copy_button.setToolTip(texts.BANNER_COPY_CODE_TIP.format(code=notice.code))
        self.open_button.setVisible(bool(notice.address or notice.message_id))
        self.show()
        self._auto_hide.start()

    def dismiss(self) -> None:
        self._auto_hide.stop()
        if not self.isHidden():
            self.hide()
            self.dismissed.emit()

    def _copy(self) -> None:
        if self._notice is not None and self._notice.code:
            self.copy_code_clicked.emit(self._notice.code)

    def _open(self) -> None:
        if self._notice is not None:
            self.open_clicked.emit(self._notice.address or "", self._notice.message_id or "")
            self.dismiss()
