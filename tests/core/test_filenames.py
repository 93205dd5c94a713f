from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.sealed.filenames import MAX_NAME_BYTES, assess_filename, sanitize_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\evil.dll", "evil.dll"),
        ("/absolute/path/photo.jpg", "photo.jpg"),
        (".bashrc", "bashrc"),
        ("...hidden", "hidden"),
        ("name.", "name"),
        ("a..b.txt", "a.b.txt"),
        ("tab\tand\nnewline.txt", "tab_and_newline.txt"),
        ("bell\x07.txt", "bell_.txt"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),  # right-to-left override hides ".exe"
        ('what?*<>|":.txt', "what_______.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("console.txt", "console.txt"),
        ("", "attachment"),
        ("..", "attachment"),
        ("   ", "attachment"),
        ("/", "attachment"),
        ("Café résumé.pdf", "Café résumé.pdf"),
    ],
)
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_names_are_capped_and_keep_their_extension() -> None:
    name = "x" * 500 + ".pdf"
    safe = sanitize_filename(name)
    assert len(safe.encode()) <= MAX_NAME_BYTES
    assert safe.endswith(".pdf")


def test_long_multibyte_names_are_not_cut_inside_a_character() -> None:
    safe = sanitize_filename("ж" * 300 + ".txt")
    assert len(safe.encode()) <= MAX_NAME_BYTES
    safe.encode("utf-8").decode("utf-8")  # would raise on a broken sequence
    assert safe.endswith(".txt")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_input_gives_a_single_safe_component(raw: str) -> None:
    safe = sanitize_filename(raw)
    assert safe
    assert "/" not in safe and "\\" not in safe
    assert ".." not in safe
    assert not safe.startswith(".")
    assert not any(c in safe for c in "\x00\n\r\t")
    assert all(c not in string.whitespace or c == " " for c in safe)
    assert len(safe.encode()) <= MAX_NAME_BYTES


@pytest.mark.parametrize(
    "name",
    ["setup.exe", "run.BAT", "x.cmd", "a.com", "s.scr", "a.js", "a.vbs", "a.jar", "a.msi", "a.ps1", "a.sh",
     "Thing.app", "a.apk", "launcher.desktop", "shortcut.lnk"],
)  # fmt: skip
def test_executable_types_are_risky(name: str) -> None:
    risk = assess_filename(name)
    assert risk.risky
    assert "program or script" in risk.reason


def test_double_extension_is_called_out() -> None:
    risk = assess_filename("invoice.pdf.exe")
    assert risk.risky
    assert "pretends to be a .pdf" in risk.reason


def test_executable_content_type_with_harmless_name_is_risky() -> None:
    assert assess_filename("document", "application/x-msdownload").risky


@pytest.mark.parametrize(
    "name", ["invoice.pdf", "photo.jpeg", "notes.txt", "archive.zip", "exe", "my.exe.pdf"]
)
def test_ordinary_files_are_not_risky(name: str) -> None:
    assert not assess_filename(name, "application/pdf").risky
