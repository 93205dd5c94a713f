"""Temp Inbox: disposable email inboxes on the desktop."""

__version__ = "0.1.0"
APP_NAME = "Temp Inbox"
APP_ID = "io.github.tempinbox.TempInbox"
