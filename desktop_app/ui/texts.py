"""User-facing texts of the window's state displays (empty states, banners, the local server line,
colour scheme choices) and of its notifications, kept in one place so wording is reviewed and changed
together (``tests/ui/test_texts_in_one_place.py`` keeps the modules it names free of their own)."""

from __future__ import annotations

# --- empty states ---
NO_ADDRESS_TITLE = "No address selected"
NO_ADDRESS_BODY = "Create a disposable address, or pick one on the left, to see its mail here."
NO_MAIL_TITLE = "No mail yet"
NO_MAIL_BODY = "Mail to {address} appears here the moment it arrives."
ALL_ADDRESSES = "All addresses"
ALL_COUNT = "{count} message{s}{unread}"  # "5 messages, 2 unread"
ALL_UNREAD = ", {count} unread"
ALL_MATCHES = "{count} message{s} match{es}"  # while a search filters the list
# The one header of two-line rows, when the list is sorted by a column they do not show.
ORDER_NEWEST, ORDER_OLDEST = "Newest first", "Oldest first"
ORDER_SENDER_AZ, ORDER_SENDER_ZA = "Sender, A to Z", "Sender, Z to A"
NO_MAIL_ANYWHERE_BODY = "Mail to any of your addresses appears here the moment it arrives."
NO_MATCH_TITLE = "Nothing found"
NO_MATCH_BODY = "No messages match “{search}”. Press Escape to clear the search."
NEW_ADDRESS_BUTTON = "New address…"
COPY_ADDRESS_BUTTON = "Copy address"

# --- the embedded local server (``--local``) ---
LOCAL_SMTP_LINE = "Local mail server — send to {smtp}"
LOCAL_SMTP_STATUS = "Local mail server: send mail to your addresses on it via SMTP {smtp}"
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

# --- connection banner (the current address is not live) ---
OFFLINE_TITLE = "Offline"
RECONNECTING_IN = "Reconnecting in {seconds} s"
RECONNECTING_NOW = "Reconnecting…"
CANNOT_CONNECT = "Not connected"
OFFLINE_CACHED = "Showing the mail saved on this computer; new mail will not arrive"
RETRY_NOW = "Retry now"
RETRY_TOOLTIP = "Try to connect to the mail service now instead of waiting"

# --- status messages ---
CREATED_ADDRESS = "Created {address} and copied it to the clipboard."
LOGGED_IN = "Logged in to {address} and copied it to the clipboard."
COPIED_ADDRESS = "Copied {address} to the clipboard."
DELETING_MESSAGE = "Deleting “{subject}”…"
MESSAGE_DELETED = "Message deleted."
MESSAGE_NOT_DELETED = "The message was not deleted: {reason}"
NO_PASSWORD_RESET = (
    "There is no password reset for these addresses (the mail.tm API has none). Temp Inbox keeps this "
    "password in your system keyring; copy it somewhere safe if you want to use the address elsewhere."
)
NEW_ADDRESS_TITLE = "New address on {provider}"

# --- the address dialogs ---
LOADING_DOMAINS = "Loading domains…"
STARTING_LOCAL = "Starting the local server…"  # in the domain list: short enough to show whole
THIS_COMPUTER_TIP = (
    "Temp Inbox's own mail server on this computer: no internet needed, and other programs can send "
    "to your addresses on it over SMTP. It starts when chosen."
)
DOMAINS_FAILED = "The list of domains could not be loaded: {reason}"
DOMAINS_UNAVAILABLE = "Domains not loaded"
RETRY = "Retry"
RETRY_DOMAINS_TIP = "Ask the mail service for its domains again"
CREATE_ADDRESS = "Create address"
LOG_IN = "Log in"
LOG_IN_TITLE = "Log in to an existing address"

# --- the mail-service picker of the address dialogs ---
MAIL_SERVICE = "Mail service:"
MAIL_SERVICE_NAME = "Mail service"
OTHER_SERVER = "Other server…"
OTHER_SERVER_TIP = "Any mail.tm-compatible service: give the address of its API"
NEW_ADDRESS_ANYWHERE_TITLE = "New address"
API_URL = "API URL:"
API_URL_PLACEHOLDER = "https://api.example.org"
HUB_URL = "Hub URL:"
HUB_URL_PLACEHOLDER = "optional: the API URL + /.well-known/mercure"
API_URL_NAME = "API URL"  # the accessible names of the fields and notes, read without their colon
HUB_URL_NAME = "Hub URL"
PROBE_SMTP = "SMTP for test mail:"
PROBE_SMTP_NAME = "SMTP for test mail"
PROBE_SMTP_PLACEHOLDER = "optional: host:port, for example 127.0.0.1:2525"
PROBE_SMTP_TIP = (
    "Where “Why hasn’t my mail arrived?” may send this server a test mail and time its "
    "arrival. Only for a server you run; leave it empty otherwise."
)
SERVER_IN_CLEAR_NAME = "Unencrypted connection"
SERVER_CHECK_NAME = "Server check"
CHECK_SERVER = "Check and add"
CHECK_SERVER_TIP = "Ask the server for its domains, and keep it in the list when it answers"
CHECKING_SERVER = "Asking {url} for its domains…"
TYPE_API_URL = "Type the address of the server's API, for example https://api.example.org."
SERVER_IN_CLEAR = (
    "This is a plain http:// address: passwords sent to it travel unencrypted over the network. "
    "Use https:// unless the server is on a network you trust."
)
ADD_SERVER_FIRST = "Check and add the server first, or choose another mail service."
PROVIDER_GONE = "This mail service was removed from the list meanwhile. Choose another one."

# --- the credit line under the sidebar: "Powered by mail.tm and mail.gw", each name a link ---
POWERED_BY = "Powered by {names}"
POWERED_BY_JOIN = " and "

# --- notifications: the desktop's action buttons and the in-app banner ---
NOTIFY_COPY_CODE = "Copy code"
NOTIFY_OPEN = "Open"
NOTIFY_KEEP_ADDRESS = "Keep address"  # on the warning before an automatic deletion
BANNER_NAME = "New mail notification"
BANNER_COPY_CODE_TIP = "Copy {code} to the clipboard"
BANNER_OPEN_NAME = "Open message"
BANNER_DISMISS = "Dismiss"
BANNER_DISMISS_NAME = "Dismiss notification"

# --- session-only addresses (no keyring) ---
SESSION_ONLY_BADGE = "this session only"
SESSION_ONLY_DESCRIPTION = "kept for this session only: gone when Temp Inbox quits"
SESSION_ONLY_GONE_TITLE = "Gone after the restart: {addresses}"
SESSION_ONLY_GONE_BODY = (
    "{kept} for one session only (no keyring saved {its} password) and cannot be opened again."
)

# --- reading layout (Options menu) ---
SIDE_BY_SIDE_ACTION = "Message list beside the message"
SIDE_BY_SIDE_TIP = "List | message side by side, for wide windows (like Thunderbird's vertical view)"

# --- the message pane ---
NO_SUBJECT = "(no subject)"
UNKNOWN_SENDER = "(unknown sender)"
TO_LABEL = "To:"
CC_LABEL = "Cc:"
MARK_UNREAD = "Mark unread"
MARK_UNREAD_TIP = "Mark this message unread (Ctrl+U)"
DELETE_MESSAGE = "Delete"
DELETE_MESSAGE_TIP = "Delete this message (Delete)"
SAVE_EML = "Save .eml…"
SAVE_EML_TIP = "Save the whole message as an .eml file"
CODE_TITLE = "Code"
COPY_CODE = "Copy"
COPY_CODE_TIP = "Copy the code to the clipboard"
LINK_FOUND = "Verification link to {host}"
OPEN_LINK = "Open link…"
HEADERS_NAME, HEADERS_VALUE = "Name", "Value"
HEADERS_CUT = "(Only the first {fields} header fields or 64 kB of the header are shown.)"
NO_RAW_SOURCE = "(The raw source has not been downloaded yet.)"
RAW_SOURCE_LOADING = "(Downloading the raw source…)"
ATTACHMENTS_TITLE = "Attachments (save only; never opened):"
ATTACHMENT_DETAIL = "{size} · {type}"
ATTACHMENT_EXACT = "{name}, {size} bytes"
ATTACHMENT_RISKY = "⚠ program or script"
ATTACHMENT_RISKY_SUFFIX = "  — program or script"
SAVE_ATTACHMENT = "Save…"
SAVE_ATTACHMENT_NAMED = "Save {name}"

# --- "Why hasn't my mail arrived?" (the checks and verdicts are desktop_app.core.health's) ---
HEALTH_TITLE = "Why hasn't my mail arrived?"
HEALTH_MENU = "Why hasn't my mail arrived?…"
HEALTH_CHECKING = "Checking {address}…"
HEALTH_DONE = "Checked {address}"
HEALTH_CHECK_AGAIN = "Check again"
HEALTH_BUSY_NAME = "Checking"  # the accessible names of the panel's parts
HEALTH_CHECKS_NAME = "Checks"
HEALTH_VERDICT_NAME = "Verdict"
# The names of the checks as the user reads them.
CHECK_NAMES = {
    "password": "Password",
    "provider": "Mail service",
    "domain": "Domain",
    "login": "Log-in",
    "account": "Account",
    "quota": "Storage",
    "hub": "Live connection",
    "probe": "Delivery probe",
}

# --- how long the provider keeps a message (its retentionDate) ---
RETENTION_DAYS = "The provider deletes this message on {when} (in {days} day{s})."
RETENTION_TODAY = "The provider deletes this message today at {time}."
RETENTION_DUE = "The provider may delete this message at any moment."

# --- an address's menu ---
RENAME_LABEL, ADD_LABEL = "Rename label…", "Add label…"

# --- expecting mail (the waits are desktop_app.core.waiting's) ---
EXPECT_MENU = "Expect mail…"
EXPECT_TITLE = "Expect mail to {address}"
# "&": the letter Alt reaches each field by (underlined while Alt is held).
EXPECT_FROM = "&Sender contains:"
EXPECT_FROM_HINT = "any sender, e.g. acme or noreply@acme.com"
EXPECT_SUBJECT = "S&ubject contains:"
EXPECT_SUBJECT_HINT = "any subject, e.g. verify"
EXPECT_TIMEOUT = "&Give up after:"
EXPECT_TIMEOUTS = {"No limit": None, "1 minute": 60.0, "5 minutes": 300.0, "15 minutes": 900.0}
EXPECT_DEFAULT_TIMEOUT = "5 minutes"
EXPECT_RAISE = "&Bring the window to the front when it arrives"
EXPECT_START = "Start waiting"
EXPECT_EXPLAINED = (
    "When the mail arrives, its code or link is offered in a notification. If nothing comes in time, "
    "Temp Inbox checks the address and says why."
)
WAITING_LINE = "Waiting for {wanted}… {elapsed}"
WAITING_FROM_COMMAND = " (temp-inbox wait)"
STOP_WAITING = "Stop waiting"
STOP_WAITING_TIP = "Stop waiting for this mail"
WAIT_TIMED_OUT = "No {wanted} in {elapsed}"
WAIT_CHECKING = "No {wanted} in {elapsed}: checking why…"
WAIT_VERDICT = "No {wanted} in {elapsed}. {verdict}"
WAIT_NO_CHECK = "No {wanted} in {elapsed}. The address could not be checked."
WAIT_DETAILS = "Details…"
WAIT_DISMISS = "Dismiss"

# --- the health entry of the message-list header ---
HEALTH_BUTTON_TIP = "{state}. Why hasn't my mail arrived? Check this address"

# --- address lifetime (new-address dialog, the sidebar's menu, the status bar) ---
LIFETIME_LABEL = "Delete automatically:"
LIFETIME_NEVER = "Never"
LIFETIME_AFTER = "After {choice}"
LIFETIME_MENU = "Delete automatically"
LIFETIME_MENU_SET = "Change automatic deletion ({when})"
LIFETIME_KEEP = "Keep this address"
LIFETIME_TIP = "Deleted on the mail service and here, with its mail, when the time comes."
ADDRESS_KEPT = "{address} is kept: it will not be deleted automatically."
ADDRESS_EXPIRES = "{address} will be deleted automatically {when}."
ADDRESS_EXPIRED = "Deleted {address} automatically, as you asked."
ADDRESS_DELETED = "Deleted {address}."
ADDRESS_DELETED_HERE_ONLY = (
    "Removed {address} here with its mail; the mail service did not confirm a deletion there "
    "(no password saved, or it refused the saved one)."
)
ADDRESS_EXPIRED_HERE_ONLY = (
    "Removed {address} here, as you asked; it could not be deleted on the mail service: "
    "no password is saved for it."
)
