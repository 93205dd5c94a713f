"""What the sealed view may do with hostile mail, as plain functions the Qt view only applies.

html_policy   the HTML prepared for the view, its CSP, and every resource request decided
link_policy   where a clicked link really goes, and whether its text lies about it
inline_parts  the ``cid:`` parts of a message's source, parsed off the event loop
headers       header fields unfolded and decoded, bounded against bombs
filenames     safe local names for saved attachments, and which deserve a warning
"""

from __future__ import annotations

from desktop_app.core.sealed.filenames import assess_filename, sanitize_filename
from desktop_app.core.sealed.headers import parse_headers
from desktop_app.core.sealed.html_policy import (
    MAIL_SCHEME,
    QT_RESOURCE_KINDS,
    ResourceKind,
    ResourceRequest,
    blocked_summary,
    content_id_from_path,
    content_security_policy,
    decide_request,
    normalise_content_id,
    prepare_html,
    url_refused_by_csp,
)
from desktop_app.core.sealed.inline_parts import inline_parts_async
from desktop_app.core.sealed.link_policy import LinkAnalysis, analyse_link, domain_in_text, same_site

__all__ = [
    "MAIL_SCHEME",
    "QT_RESOURCE_KINDS",
    "LinkAnalysis",
    "ResourceKind",
    "ResourceRequest",
    "analyse_link",
    "assess_filename",
    "blocked_summary",
    "content_id_from_path",
    "content_security_policy",
    "decide_request",
    "domain_in_text",
    "inline_parts_async",
    "normalise_content_id",
    "parse_headers",
    "prepare_html",
    "same_site",
    "sanitize_filename",
    "url_refused_by_csp",
]
