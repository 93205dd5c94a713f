"""One-time codes and verification links found in a mail.

extract  extract() and the two texts it reads: a summary's (subject, intro) or a message's body
html     the text and anchors of an HTML part, for mail without a useful text part
links    which link is the verification link (ranked; deceptive ones never win)
"""

from __future__ import annotations

from desktop_app.core.codes.extract import (
    Extraction,
    extract,
    extract_from_message,
    extract_from_summary,
    find_codes,
)

__all__ = ["Extraction", "extract", "extract_from_message", "extract_from_summary", "find_codes"]
