"""The "All addresses" entry's rules: from two addresses on, unread counts added up, and the name each
row of the list across addresses gives its address."""

from __future__ import annotations

from desktop_app.core.accounts import AddressRow, all_addresses, short_names


def test_the_entry_appears_from_two_addresses_and_adds_unread_up() -> None:
    one = [AddressRow("ann@example.org", unread=3, state_kind="live")]
    assert all_addresses([]) is None and all_addresses(one) is None
    two = [*one, AddressRow("bob@example.org", unread=4, state_kind="retrying")]
    entry = all_addresses(two)
    assert entry is not None and (entry.addresses, entry.unread, entry.live) == (2, 7, 1)


def test_rows_name_the_label_else_the_local_part_else_the_whole_address() -> None:
    rows = [
        AddressRow("ann@example.org", label="Shopping"),
        AddressRow("bob@example.org"),
        AddressRow("cat@example.org"),
        AddressRow("cat@example.net"),
    ]
    assert short_names(rows) == {
        "ann@example.org": "Shopping",
        "bob@example.org": "bob",
        "cat@example.org": "cat@example.org",  # "cat" alone would not tell the two apart
        "cat@example.net": "cat@example.net",
    }
