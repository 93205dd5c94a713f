"""The user's addresses: the address book, their passwords, their names, their rows, import/export.

book      AddressBook: create, log in, settle half-created addresses, delete
secrets   PasswordVault over the OS keyring, with the visible session-only fallback
names     readable random local parts and passwords
rows      AddressRow, one address as the sidebar, the tray and ``temp-inbox list`` show it
all_addresses  the sidebar's "All addresses" entry and the names its list gives addresses
transfer  export to and import from a JSON file (owner-only; passwords only when asked)
"""

from __future__ import annotations

from desktop_app.core.accounts.all_addresses import AllAddresses, all_addresses, short_names
from desktop_app.core.accounts.book import AddressBook, OpenAddress
from desktop_app.core.accounts.names import generate_password
from desktop_app.core.accounts.rows import AddressRow, address_row
from desktop_app.core.accounts.secrets import KeyringStatus, PasswordVault
from desktop_app.core.accounts.transfer import PASSWORDS_WARNING, ExportReport, ImportReport

__all__ = [
    "PASSWORDS_WARNING",
    "AddressBook",
    "AddressRow",
    "AllAddresses",
    "ExportReport",
    "ImportReport",
    "KeyringStatus",
    "OpenAddress",
    "PasswordVault",
    "address_row",
    "all_addresses",
    "generate_password",
    "short_names",
]
