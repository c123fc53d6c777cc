"""First run as a user: create a vault, see the recovery key, save the kit, confirm, arrive."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui


def test_create_vault_end_to_end(gui: Gui, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gui.controller.start(None)
    assert gui.window.stack.currentWidget() is gui.controller.welcome
    gui.qtbot.mouseClick(gui.controller.welcome.create_button, Qt.MouseButton.LeftButton)
    page = gui.controller.create_page
    assert page is not None and gui.window.stack.currentWidget() is page
    folder = tmp_path / "My vault"
    page.folder.setText(str(folder))

    # Too short: a sentence next to the field, nothing created.
    gui.qtbot.keyClicks(page.passphrase.edit, "too short")
    gui.qtbot.mouseClick(page.create, Qt.MouseButton.LeftButton)
    assert "at least 15 characters" in page.fields.errors["passphrase"].text()
    assert not folder.exists()

    # Mismatch: named on the confirmation field.
    page.passphrase.clear()
    gui.qtbot.keyClicks(page.passphrase.edit, PASSPHRASE)
    gui.qtbot.keyClicks(page.confirm.edit, PASSPHRASE + "x")
    gui.qtbot.mouseClick(page.create, Qt.MouseButton.LeftButton)
    assert "different" in page.fields.errors["confirm"].text()
    meter = page.passphrase.meter
    assert meter is not None
    gui.qtbot.waitUntil(lambda: meter.value() >= 3)  # the strength hint follows typing

    page.confirm.clear()
    gui.qtbot.keyClicks(page.confirm.edit, PASSPHRASE)
    gui.qtbot.keyClick(page.confirm.edit, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=20000)
    key = page.key_label.text()
    assert len(key.split("-")) == 8
    assert not page.done.isEnabled()

    kit = tmp_path / "kit.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(kit), "PDF files (*.pdf)"))
    gui.qtbot.mouseClick(page.save_kit, Qt.MouseButton.LeftButton)
    assert kit.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(kit.stat().st_mode) == 0o600
    assert "saved" in page.kit_status.text()

    page.stored.setChecked(True)
    gui.qtbot.mouseClick(page.done, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None)
    assert page.key_label.text() == ""  # the key is not kept on screen
    workspace = gui.controller.workspace
    assert workspace.today.empty.isVisible()
    assert gui.services.settings.last_vault == str(folder.absolute())
    assert {p.name for p in folder.iterdir()} >= {"vault.db", "vault.key"}


def test_generated_passphrase_fills_both_fields(gui: Gui) -> None:
    gui.controller.start(None)
    gui.controller.show_create()
    page = gui.controller.create_page
    assert page is not None
    gui.qtbot.mouseClick(page.generate, Qt.MouseButton.LeftButton)
    assert page.passphrase.text() == page.confirm.text()
    assert len(page.passphrase.text()) >= 15
    assert page.passphrase.text() in page.passphrase.hint.text()


def test_later_runs_open_the_last_vaults_unlock_screen(gui: Gui, client_vault: Path) -> None:
    from dataclasses import replace

    gui.services.update_settings(replace(gui.services.settings, last_vault=str(client_vault)))
    gui.controller.start(None)
    assert gui.window.stack.currentWidget() is gui.controller.unlock_page
    assert str(client_vault) in gui.controller.unlock_page.vault_label.text()


def test_demo_opens_a_fresh_vault_of_synthetic_clients(gui: Gui) -> None:
    gui.controller.start(demo=True)
    page = gui.controller.unlock_page
    gui.qtbot.waitUntil(lambda: page.demo_note.isVisible(), timeout=60000)
    note = page.demo_note.text()
    assert "synthetic" in note
    passphrase = note.split("Passphrase: ")[1]
    gui.qtbot.keyClicks(page.passphrase.edit, passphrase)
    gui.qtbot.keyClick(page.passphrase.edit, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None, timeout=20000)
    today = gui.controller.workspace.today
    assert sum(tile.count for tile in today.tiles.values()) > 40  # archived closed cases not counted
    assert today.recent.count() >= 1
    demo_folder = gui.services.paths.demo_vault_dir
    gui.controller.lock()
    gui.controller.start(demo=True)  # a second start replaces the demo vault with a fresh one
    gui.qtbot.waitUntil(lambda: page.demo_note.isVisible() and page.demo_note.text() != note, timeout=60000)
    assert demo_folder.exists()


def test_demo_never_replaces_a_real_vault(gui: Gui, services) -> None:  # type: ignore[no-untyped-def]
    created = services.vaults.create(services.paths.demo_vault_dir, PASSPHRASE, PASSPHRASE)
    created.session.close()
    gui.controller.start(demo=True)
    page = gui.controller.unlock_page
    gui.qtbot.waitUntil(lambda: page.error.isVisible(), timeout=30000)
    assert "real vault" in page.error.text()
    services.vaults.unlock(services.paths.demo_vault_dir, passphrase=PASSPHRASE).close()
