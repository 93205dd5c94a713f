"""After a restart: say that last session's session-only addresses are gone (they were kept in
memory only, for want of a keyring), instead of letting them disappear from the sidebar unexplained."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.notice import Notice, NoticeKind
from desktop_app.ui import texts

SHOWN = 3  # addresses named in the notice; the rest are counted


def session_only_gone_notice(addresses: Sequence[str]) -> Notice | None:
    if not addresses:
        return None
    named = ", ".join(addresses[:SHOWN])
    if len(addresses) > SHOWN:
        named += f" and {len(addresses) - SHOWN} more"
    one = len(addresses) == 1
    return Notice(
        kind=NoticeKind.SUMMARY,
        title=texts.SESSION_ONLY_GONE_TITLE.format(addresses=named),
        body=texts.SESSION_ONLY_GONE_BODY.format(
            kept="It was kept" if one else "They were kept",
            its="its" if one else "their",
            it="it" if one else "they",
        ),
    )
