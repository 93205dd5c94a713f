"""Address > Export… / Import…: the dialogs, the warning about passwords, the outcome shown."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.accounts.transfer import PASSWORDS_WARNING, ExportReport, ImportReport
from desktop_app.core.api.providers import local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from desktop_app.ui import transfer_dialogs
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.transfer_dialogs import ExportDialog, export_summary, import_summary
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.ui.fakes import FakeController
from tests.ui.test_app_glue import settled
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@dataclass
class TransferFake(FakeController):
    def export_addresses(
        self, path: str, with_passwords: bool, on_done: Callable[[str], None], on_error: Callable[[str], None]
    ) -> None:
        self._record("export_addresses", path, with_passwords, on_done, on_error)

    def import_addresses(
        self, path: str, on_done: Callable[[str], None], on_error: Callable[[str], None]
    ) -> None:
        self._record("import_addresses", path, on_done, on_error)


def _boxes(window: MainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_the_address_menu_offers_export_and_import(qtbot: QtBot) -> None:
    window = shown_window(qtbot, TransferFake(AppSignals()))
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Address"]
    texts = [a.text() for a in menu.actions()]
    assert "Export addresses…" in texts and "Import addresses…" in texts


def test_the_warning_is_shown_whenever_passwords_are_included(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(str(tmp_path / "a.json"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.warning.isVisible()
    dialog.passwords_box.setChecked(True)
    assert dialog.warning.isVisible() and dialog.warning.text() == PASSWORDS_WARNING
    assert dialog.choice() == (str(tmp_path / "a.json"), True)
    dialog.path_edit.setText("  ")
    assert not dialog.export_button.isEnabled()


def test_export_asks_then_tells(qtbot: QtBot, tmp_path: Path) -> None:
    fake = TransferFake(AppSignals())
    window = shown_window(qtbot, fake)
    window.export_action.trigger()
    (dialog,) = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    dialog.path_edit.setText(str(tmp_path / "out.json"))
    dialog.passwords_box.setChecked(True)
    dialog.export_button.click()
    ((path, with_passwords, on_done, _on_error),) = fake.called("export_addresses")
    assert (path, with_passwords) == (str(tmp_path / "out.json"), True)
    on_done("Exported 2 addresses.")  # type: ignore[operator]
    (box,) = _boxes(window)
    assert box.text() == "Exported 2 addresses." and box.windowTitle() == "Addresses exported"
    box.close()


def test_a_refused_import_says_nothing_was_imported(qtbot: QtBot, monkeypatch: Any, tmp_path: Path) -> None:
    fake = TransferFake(AppSignals())
    window = shown_window(qtbot, fake)
    chosen = str(tmp_path / "in.json")
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (chosen, ""))
    window.import_action.trigger()
    ((path, _on_done, on_error),) = fake.called("import_addresses")
    assert path == chosen
    on_error("in.json cannot be imported: entry 2 has no valid “address”.")  # type: ignore[operator]
    (box,) = _boxes(window)
    assert box.windowTitle() == "Nothing was imported" and "entry 2" in box.text()
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()


def test_cancelling_the_file_choice_imports_nothing(qtbot: QtBot, monkeypatch: Any) -> None:
    fake = TransferFake(AppSignals())
    window = shown_window(qtbot, fake)
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    window.import_action.trigger()
    assert fake.called("import_addresses") == []


def test_the_outcome_texts_name_what_happened() -> None:
    assert export_summary(ExportReport(count=1), "/x/a.json") == "Exported 1 address to /x/a.json."
    report = ImportReport(
        added=["a@t.test", "b@t.test"],
        skipped=[("c@t.test", "already in your list")],
        without_password=["b@t.test"],
        kept_saved_password=[],
    )
    text = import_summary(report)
    assert text.startswith("Added 2 addresses: a@t.test, b@t.test.")
    assert "Skipped 1: c@t.test (already in your list)." in text
    assert "no password for b@t.test" in text
    assert "Kept" not in text and "automatic" not in text
    dated = import_summary(
        ImportReport(added=["a@t.test"], expiry_passed=["a@t.test"], with_expiry=["b@t.test"])
    )
    assert "1 had an automatic deletion already past or minutes away in the file (a@t.test): " in dated
    assert "imported kept" in dated and "Set it again if you want." in dated
    assert "Deleted automatically at the time the file gives: b@t.test" in dated


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(rate_limit=None) as running:
        yield running


async def test_the_window_controller_exports_and_imports_for_real(
    qtbot: QtBot, server: LocalMailServer, tmp_path: Path
) -> None:
    provider = local_provider(server.api_url, server.hub_url)
    outcomes: list[tuple[str, str]] = []

    def done(text: str) -> None:
        outcomes.append(("done", text))

    def failed(text: str) -> None:
        outcomes.append(("failed", text))

    path = tmp_path / "addresses.json"
    for_real: list[str] = []
    for name in ("first", "fresh"):
        store = Store(None)
        inbox = Inbox(store, PasswordVault(DictKeyring()), provider, sync_settings=FAST_SYNC)
        controller = InboxController(inbox, AppSignals())
        try:
            if name == "first":
                for_real.append((await inbox.create_address()).address)
                controller.export_addresses(str(path), True, done, failed)
            else:
                bad = tmp_path / "bad.json"
                document = json.loads(path.read_text())
                bad.write_text(json.dumps({**document, "addresses": [*document["addresses"], {"x": 1}]}))
                controller.import_addresses(str(bad), done, failed)
                await settled(controller.tasks)
                assert inbox.addresses() == []  # one bad entry: nothing at all
                controller.import_addresses(str(path), done, failed)
            await settled(controller.tasks)
            if name == "fresh":
                assert [r.address for r in inbox.addresses()] == for_real
                assert inbox.is_open(for_real[0])
        finally:
            controller.close()
            assert await inbox.aclose(2.0)
            store.close()
    assert [kind for kind, _ in outcomes] == ["done", "failed", "done"]
    assert outcomes[0][1] == f"Exported 1 address to {path}."
    assert "entry 2" in outcomes[1][1]
    assert outcomes[2][1] == f"Added 1 address: {for_real[0]}."
