"""The bar above a sealed message: what remote content was blocked, and the per-message switch."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.core.sealed import blocked_summary


class RemoteContentBar(QFrame):
    """Hidden while nothing was blocked. "Load remote content" applies to this message only and is
    forgotten as soon as another message is shown."""

    load_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteContentBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Blocked remote content")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # host names come from the mail
        self.load_button = QPushButton("Load remote content", self)
        self.load_button.setAccessibleName("Load remote content for this message")
        self.load_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click keeps j/k in the list
        self.load_button.setToolTip(
            "Load images, style sheets and fonts from the internet for this message only. "
            "The sender may learn that you opened it."
        )
        self.load_button.clicked.connect(self.load_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.load_button)
        self.setVisible(False)

    def show_blocked(self, counts: dict[str, int], *, remote_allowed: bool) -> None:
        text = blocked_summary(counts)
        if remote_allowed:
            # What is still blocked now (frames, pings…) is never loadable: no button.
            self.label.setText(text.replace("remote", "unsafe remote", 1) if text else "")
            self.load_button.setVisible(False)
        else:
            self.label.setText(text)
            self.load_button.setVisible(True)
        self.setVisible(bool(text))
