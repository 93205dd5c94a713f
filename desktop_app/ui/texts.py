"""User-facing texts of the window's state displays (empty states, banners, the local server line,
colour scheme choices), kept in one place so wording is reviewed and changed together."""

from __future__ import annotations

# --- empty states ---
NO_ADDRESS_TITLE = "No address selected"
NO_ADDRESS_BODY = "Create a disposable address, or pick one on the left, to see its mail here."
NO_MAIL_TITLE = "No mail yet"
NO_MAIL_BODY = "Mail to {address} appears here the moment it arrives."
NO_MATCH_TITLE = "Nothing found"
NO_MATCH_BODY = "No messages match “{search}”. Press Escape to clear the search."
NEW_ADDRESS_BUTTON = "New address…"
COPY_ADDRESS_BUTTON = "Copy address"

# --- the embedded local server (``--local``) ---
LOCAL_SMTP_LINE = "Local mail server — send to {smtp}"
LOCAL_SMTP_EMPTY = "Or send a test mail to it via SMTP at {smtp}"
LOCAL_SMTP_TOOLTIP = (
    "The embedded server accepts mail for your local addresses over SMTP at {smtp} "
    "(no TLS, no login). Point the app you are testing at it."
)
COPY_BUTTON = "Copy"
COPY_SMTP_TOOLTIP = "Copy {smtp} to the clipboard"

# --- colour scheme (Options menu) ---
SCHEME_MENU = "Colour scheme"
SCHEME_CHOICES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
