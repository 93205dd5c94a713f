"""The tempinbox-mail: scheme, the profile's settings, and what the page can and cannot reach."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlScheme,
)

from desktop_app.core.sealed.html_policy import MAIL_SCHEME, QT_RESOURCE_KINDS
from desktop_app.desktop import platform_env
from desktop_app.ui.mail_scheme import SCHEME_NAME, register_mail_scheme
from desktop_app.ui.sealed_profile import SEALED_ATTRIBUTES, sealed_profile
from desktop_app.ui.sealed_view import SealedMessageView
from tests.ui.sealed_helpers import PIXEL_PNG, run_js

WIDTHS_JS = "JSON.stringify(Array.from(document.images).map(function (i) { return [i.id, i.naturalWidth]; }))"


@pytest.fixture
def sealed(qtbot) -> SealedMessageView:  # type: ignore[no-untyped-def]
    view = SealedMessageView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    return view


def show(qtbot, view: SealedMessageView, html: str, parts=None) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.loadFinished, timeout=10_000):
        view.show_message("m", html, parts or {})


def widths(qtbot, view: SealedMessageView) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {name: width for name, width in json.loads(run_js(qtbot, view.page, WIDTHS_JS))}  # type: ignore[arg-type]


def test_cid_images_render_from_the_scheme(qtbot, sealed) -> None:  # type: ignore[no-untyped-def]
    html = (
        '<img id="plain" src="cid:logo@example.com">'
        '<img id="encoded" src="CID:Logo%40Example.com">'
        "<div style=\"background: url('cid:logo@example.com')\">bg</div>"
        '<img id="missing" src="cid:nothing@example.com">'
    )
    show(qtbot, sealed, html, {"<logo@example.com>": ("image/png", PIXEL_PNG)})
    qtbot.waitUntil(lambda: widths(qtbot, sealed).get("plain") == 1)
    assert widths(qtbot, sealed) == {"plain": 1, "encoded": 1, "missing": 0}
    assert sealed.page.url().scheme() == MAIL_SCHEME


def test_one_message_cannot_load_another_messages_parts(qtbot) -> None:  # type: ignore[no-untyped-def]
    first, second = SealedMessageView(), SealedMessageView()
    for view in (first, second):
        qtbot.addWidget(view)
        view.show()
    show(qtbot, first, '<img id="own" src="cid:secret">', {"secret": ("image/png", PIXEL_PNG)})
    qtbot.waitUntil(lambda: widths(qtbot, first).get("own") == 1)
    stolen = first.page.url().toString().replace("/body", "/cid/secret")
    show(qtbot, second, f'<img id="stolen" src="{stolen}">')
    qtbot.wait(300)
    assert widths(qtbot, second) == {"stolen": 0}


def test_messages_are_withdrawn_when_replaced_or_the_view_goes(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = SealedMessageView()
    view.show()
    handler = sealed_profile().scheme_handler
    show(qtbot, view, "<p>first</p>")
    first = view.page.url().host()
    assert handler.is_published(first)
    show(qtbot, view, "<p>second</p>")
    second = view.page.url().host()
    assert second != first  # a fresh token per display
    assert not handler.is_published(first) and handler.is_published(second)
    view.deleteLater()
    qtbot.waitUntil(lambda: not handler.is_published(second))


def test_page_cannot_read_local_files(qtbot, sealed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    picture = tmp_path / "local.png"
    picture.write_bytes(PIXEL_PNG)
    html = (
        f'<img id="file" src="{picture.as_uri()}">'
        f'<iframe id="frame" src="{tmp_path.as_uri()}/"></iframe>'
        f'<img id="control" src="data:image/png;base64,{base64.b64encode(PIXEL_PNG).decode()}">'
    )
    show(qtbot, sealed, html)
    qtbot.waitUntil(lambda: widths(qtbot, sealed).get("control") == 1)  # images do render here
    qtbot.wait(300)
    assert widths(qtbot, sealed)["file"] == 0
    frame_text = run_js(
        qtbot,
        sealed.page,
        "(function () { var d = document.getElementById('frame').contentDocument;"
        " return String(d && d.body && d.body.innerText); })()",
    )
    assert "local.png" not in str(frame_text)


def test_profile_is_sealed() -> None:
    profile = sealed_profile()
    assert profile is sealed_profile()  # one shared profile
    assert profile.isOffTheRecord()
    settings = profile.settings()
    for attribute, value in SEALED_ATTRIBUTES.items():
        assert settings.testAttribute(attribute) is value, attribute
    for attribute in (
        QWebEngineSettings.WebAttribute.JavascriptEnabled,
        QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls,
        QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows,
        QWebEngineSettings.WebAttribute.DnsPrefetchEnabled,
        QWebEngineSettings.WebAttribute.PluginsEnabled,
    ):
        assert settings.testAttribute(attribute) is False, attribute
    assert (
        settings.unknownUrlSchemePolicy()
        is QWebEngineSettings.UnknownUrlSchemePolicy.DisallowUnknownUrlSchemes
    )
    assert profile.persistentCookiesPolicy() is QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    assert not profile.isSpellCheckEnabled()


def test_scheme_is_registered_without_local_or_secure_flags() -> None:
    scheme = QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME_NAME))
    assert scheme.name() == QByteArray(SCHEME_NAME)
    assert scheme.flags() == QWebEngineUrlScheme.Flag(0)
    register_mail_scheme()  # a second call (app bootstrap after conftest) is harmless


def test_every_qt_resource_type_has_a_policy_kind() -> None:
    names = {member.name for member in QWebEngineUrlRequestInfo.ResourceType}
    missing = names - set(QT_RESOURCE_KINDS) - {"ResourceTypeLast"}
    assert not missing, f"map these in html_policy.QT_RESOURCE_KINDS: {sorted(missing)}"


@pytest.mark.parametrize(("euid", "sandbox_off"), [(1000, False), (0, True)])
def test_chromium_sandbox_stays_on_unless_root(monkeypatch, euid: int, sandbox_off: bool) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(platform_env.os, "geteuid", lambda: euid)
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "")
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    platform_env.prepare_qt_environment()
    flags = platform_env.os.environ["QTWEBENGINE_CHROMIUM_FLAGS"].split()
    assert ("--no-sandbox" in flags) is sandbox_off


def test_text_is_shown_as_text_and_clear_empties(qtbot, sealed) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(sealed.loadFinished, timeout=10_000):
        sealed.show_text_as_html("t", "<b>not bold</b> & <script>x</script>")
    text = run_js(qtbot, sealed.page, "document.body.innerText")
    assert text == "<b>not bold</b> & <script>x</script>"
    with qtbot.waitSignal(sealed.loadFinished, timeout=10_000):
        sealed.clear()
    assert run_js(qtbot, sealed.page, "document.body ? document.body.innerText : ''") == ""
    assert not sealed.remote_bar.isVisible()
