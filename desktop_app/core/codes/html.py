"""HTML mail reduced to what code and link extraction need: visible text and the anchors.

Only the standard library's tolerant ``html.parser`` is used; nothing is fetched or run. Text inside
``<style>``, ``<script>`` and ``<template>`` is dropped so that CSS colours and script
literals never look like one-time codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Largest HTML body we look at: extraction runs on the path from "mail arrived" to "notification shown",
# so its cost must stay bounded even for a hostile multi-megabyte body.
MAX_HTML_CHARS = 300_000

# Dropped before parsing: cheaper for the regex engine than for the parser's per-tag Python callbacks.
_INVISIBLE = re.compile(
    r"<(style|script|template|noscript)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
_SKIPPED = frozenset({"style", "script", "template", "noscript", "svg", "math"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Anchor:
    href: str
    text: str


@dataclass(frozen=True)
class HtmlContent:
    text: str
    anchors: tuple[Anchor, ...]


class _TextAndAnchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.anchors: list[Anchor] = []
        self._skip_depth = 0
        self._href: str | None = None
        self._anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "a":
            self._close_anchor()
            href = dict(attrs).get("href")
            self._href = href.strip() if href else None
            self._anchor_text = []
        elif tag == "img" and self._href is not None:
            # A button drawn as an image still tells what it is for through its alt text.
            alt = dict(attrs).get("alt")
            if alt:
                self._anchor_text.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "a":
            self._close_anchor()
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor_text.append(data)

    def _close_anchor(self) -> None:
        if self._href is not None:
            self.anchors.append(Anchor(self._href, " ".join("".join(self._anchor_text).split())))
        self._href = None
        self._anchor_text = []

    def close(self) -> None:
        super().close()
        self._close_anchor()


def html_content(html: str) -> HtmlContent:
    """Visible text (blocks separated by newlines) and every ``<a href>`` with its text."""
    parser = _TextAndAnchors()
    parser.feed(_INVISIBLE.sub(" ", html[:MAX_HTML_CHARS]))
    parser.close()
    return HtmlContent("".join(parser.parts), tuple(parser.anchors))
