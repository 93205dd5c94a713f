"""One address as every front end shows it: the sidebar, the tray menu and ``temp-inbox list``.

The state a user reads merges three sources that can disagree: the address book's record (failed,
half-created, session-only), why opening it failed at start-up, and the live connection. The merge is
a plain function so that the three front ends cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop_app.core.events import ConnectionState
from desktop_app.core.lifetime import ExpiryProblem, expiry_view
from desktop_app.core.store import AddressState, StoredAddress

DEFAULT_QUOTA = 40_000_000  # mail.tm's; a record read before the first usage report has none


def shown_state(
    record: StoredAddress, connection: ConnectionState, open_problem: str | None
) -> tuple[str, str]:
    """(kind, text) of the address: what the book knows beats what the connection says."""
    if record.state is AddressState.FAILED:
        return "failed", record.state_reason or "cannot log in"
    if open_problem is not None:
        return "failed", open_problem
    if record.state is AddressState.PENDING:
        return "connecting", "being created"
    if connection.kind == "stopped":
        return "offline", "cached mail only"
    return connection.kind, connection.describe()


@dataclass(frozen=True, slots=True)
class AddressRow:
    """One address, read from the store plus live state. ``state_kind`` is a ``ConnectionKind`` or
    ``offline`` (cached mail only)."""

    address: str
    label: str = ""
    unread: int = 0
    state_kind: str = "connecting"
    state_text: str = "connecting"
    used: int = 0
    quota: int = DEFAULT_QUOTA
    provider_name: str = ""
    # Its provider's id: what the window needs to know whether it lives on this computer's server.
    provider_id: str = field(default="", compare=False)
    # Its password lives in memory only (no keyring): it is gone when the app quits.
    session_only: bool = False
    # When it is deleted automatically (None: never), as the row says it ("deletes in 3 h", or that a
    # due deletion waits for a retry), the tooltip's exact time, and whether to draw it as a warning.
    expires_at: datetime | None = None
    expiry_text: str = ""
    expiry_detail: str = ""
    expiry_urgent: bool = False
    # What ``temp-inbox list`` prints besides: the book's state, the bare connection, the selection.
    # Left out of ==, which the sidebar uses to repaint only the rows that look different.
    book_state: AddressState = field(default=AddressState.ACTIVE, compare=False)
    connection_text: str = field(default="", compare=False)
    current: bool = field(default=False, compare=False)

    def as_listing(self) -> dict[str, object]:
        """What ``temp-inbox list --json`` prints for the address."""
        return {
            "address": self.address,
            "label": self.label,
            "unread": self.unread,
            "state": self.book_state.value,
            "live": self.connection_text,
            "current": self.current,
            "provider": self.provider_name,
            "expires": self.expires_at.isoformat() if self.expires_at else None,
            "expiry": self.expiry_text,
        }


def address_row(
    record: StoredAddress,
    connection: ConnectionState,
    *,
    open_problem: str | None,
    unread: int,
    provider_name: str,
    current: bool,
    now: datetime | None = None,
    expiry_problem: ExpiryProblem | None = None,
) -> AddressRow:
    kind, text = shown_state(record, connection, open_problem)
    expiry = (
        expiry_view(record.expires_at, now, expiry_problem)
        if record.expires_at is not None and now is not None
        else None
    )
    return AddressRow(
        address=record.address,
        label=record.label,
        unread=unread,
        state_kind=kind,
        state_text=text,
        used=record.used,
        quota=record.quota or DEFAULT_QUOTA,
        provider_name=provider_name,
        provider_id=record.provider_id,
        session_only=record.state is AddressState.SESSION_ONLY,
        book_state=record.state,
        connection_text=connection.describe(),
        current=current,
        expires_at=record.expires_at,
        expiry_text=expiry.text if expiry else "",
        expiry_detail=expiry.detail if expiry else "",
        expiry_urgent=expiry.urgent if expiry else False,
    )
