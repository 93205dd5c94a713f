"""New mail to announce, built from the few fields a notification test cares about."""

from __future__ import annotations

from desktop_app.core.codes import Extraction
from desktop_app.core.models import Address, MessageSummary
from desktop_app.core.notice import NewMessage


def new_message(
    address: str, message_id: str, sender: str, subject: str, extraction: Extraction | None = None
) -> NewMessage:
    """``sender`` is shown exactly as given (it is the summary's address, with no display name)."""
    summary = MessageSummary(id=message_id, account_id="acc", sender=Address(sender), subject=subject)
    return NewMessage(address, summary, extraction)
