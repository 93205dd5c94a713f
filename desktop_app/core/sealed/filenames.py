"""Safe local file names for attachments and saved messages, and which ones deserve a warning.

Attachment names come from hostile mail. A name must never choose the directory it is written to
(no separators, no ``..``), hide itself (leading dots), collide with a Windows device name, smuggle
control or bidi-override characters (``invoice‮fdp.exe`` displays as ``invoiceexe.pdf``), or be long
enough to break the file system. Executable and script types are flagged so the UI can warn before
saving; nothing here ever opens a file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

MAX_NAME_BYTES = 200  # below every common file system's 255-byte limit, leaving room for " (2)"
FALLBACK_NAME = "attachment"

# Types that run code when opened on at least one desktop platform.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "bat", "cmd", "com", "scr", "pif", "cpl", "msi", "msp", "dll",
        "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "reg",
        "jar", "sh", "bash", "zsh", "csh", "run", "bin", "command", "app",
        "apk", "deb", "rpm", "appimage", "desktop", "lnk", "url", "scf", "iso", "img",
        # Run scripts when opened: web pages and SVG in the browser (from a file: origin), Office files
        # with macros, help and console files, installers, interpreted scripts.
        "html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xht",
        "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm",
        "chm", "msc", "mst", "gadget", "inf", "ws", "application", "xbap", "jnlp", "settingcontent-ms",
        "dmg", "pkg", "mpkg", "workflow", "action", "terminal", "tool",
        "py", "pyw", "pyz", "pl", "rb", "php", "lua", "tcl", "ksh", "fish", "vb", "applescript", "scpt",
    }
)  # fmt: skip

# Windows refuses these as base names whatever the extension ("CON.txt" is the console), also with
# trailing spaces ("CON .txt") and with the superscript digits ¹²³ ("COM¹"), which it counts as digits.
_DIGITS = [*"0123456789", "¹", "²", "³"]
_RESERVED_STEMS = frozenset(
    {
        *("con", "prn", "aux", "nul", "conin$", "conout$", "clock$"),
        *(f"com{d}" for d in _DIGITS),
        *(f"lpt{d}" for d in _DIGITS),
    }
)
_FORBIDDEN = set('/\\:*?"<>|')
_DOCUMENT_EXTENSIONS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "txt",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "zip",
        "rtf",
        "odt",
    }
)


def _is_unsafe_char(char: str) -> bool:
    if char in _FORBIDDEN:
        return True
    # Cc: control characters; Cf: format characters such as the right-to-left override; Cs: a lone
    # surrogate, which no file system can store (and which would raise on encoding).
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _is_reserved(name: str) -> bool:
    stem = name.partition(".")[0].rstrip(" ").lower()
    return stem in _RESERVED_STEMS or unicodedata.normalize("NFKC", stem) in _RESERVED_STEMS


def sanitize_filename(name: str, *, fallback: str = FALLBACK_NAME) -> str:
    """A file name that is safe to offer in a save dialog, keeping as much of ``name`` as possible."""
    text = unicodedata.normalize("NFC", name or "")
    # Keep only the last path component a sender may have smuggled in ("../../.bashrc" → ".bashrc").
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join("_" if _is_unsafe_char(c) else c for c in text)
    text = " ".join(text.split())  # tabs/newlines were replaced above; collapse runs of spaces
    text = text.strip(" .")  # leading dots hide files; trailing dots/spaces are dropped by Windows
    while ".." in text:
        text = text.replace("..", ".")
    if not text:
        return fallback
    if _is_reserved(text):
        text = f"_{text}"
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        suffix = PurePath(text).suffix
        if len(suffix.encode("utf-8")) > 20:
            suffix = ""
        text = _truncate_utf8(text, MAX_NAME_BYTES - len(suffix.encode("utf-8"))).rstrip(" .") + suffix
    return text or fallback


@dataclass(frozen=True, slots=True)
class FileRisk:
    """Why saving a file deserves a warning; ``reason`` is user-facing text."""

    risky: bool
    reason: str = ""


def assess_filename(name: str, content_type: str = "") -> FileRisk:
    """Flag executable/script types, disguised double extensions and content-type mismatches."""
    safe = sanitize_filename(name)
    parts = safe.lower().split(".")
    ext = parts[-1] if len(parts) > 1 else ""
    if ext in EXECUTABLE_EXTENSIONS:
        if len(parts) > 2 and parts[-2] in _DOCUMENT_EXTENSIONS:
            return FileRisk(
                True,
                f"“{safe}” pretends to be a .{parts[-2]} file but is a .{ext} program. "
                "This is a common trick to get you to run malware.",
            )
        return FileRisk(
            True,
            f"“{safe}” is a program or script (.{ext}). Opening it can run code on your computer. "
            "Only keep it if you trust the sender and expected this file.",
        )
    kind = content_type.lower().split(";")[0].strip()
    if kind in _EXECUTABLE_CONTENT_TYPES:
        return FileRisk(
            True,
            f"“{safe}” is labelled as {kind}, which is a program, although its name does not say so.",
        )
    return FileRisk(False)


_EXECUTABLE_CONTENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-executable",
        "application/x-sh",
        "application/x-shellscript",
        "application/x-ms-shortcut",
        "application/java-archive",
        "application/vnd.android.package-archive",
        "application/x-msi",
        "application/hta",
        "application/x-desktop",
    }
)
