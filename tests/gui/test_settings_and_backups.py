"""Settings pages, backups from the app (now, daily, on quit), restore, and CSV import."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui


def test_settings_save_validate_and_take_effect(gui: Gui, client_vault: Path, tmp_path: Path) -> None:
    gui.unlock(client_vault)
    gui.controller.show_settings()
    dialog = gui.controller.dialogs[-1]
    practice = dialog.pages[0]
    gui.qtbot.keyClicks(practice.name, "Jordan Rivera")
    gui.qtbot.keyClicks(practice.credentials, "LCSW")
    practice.logo.setText(str(tmp_path / "missing.png"))
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "PNG or JPEG" in practice.grid.errors["logo"].text()  # told what to do, nothing lost
    assert practice.name.text() == "Jordan Rivera"
    practice.logo.clear()
    dialog.security.autolock.setValue(3)
    dialog.backup.folder.setText(str(tmp_path / "usb-backups"))
    dialog.backup.daily.setValue(3)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    settings = gui.services.settings
    assert (settings.case_manager_name, settings.autolock_minutes, settings.backup_keep_daily) == ("Jordan Rivera", 3, 3)
    assert gui.services.settings_store.load() == settings
    assert "3 min" in gui.window.lock_label.text()
    assert gui.controller.idle.timeout == 180
    entry = gui.controller.session.audit_repo().latest(1)[0]
    assert entry.action == "settings.change" and "autolock_minutes" in entry.detail and "Jordan" not in entry.detail
    gui.idle_clock.advance(181)
    gui.qtbot.waitUntil(lambda: gui.controller.session is None, timeout=3000)


def test_autolock_cannot_be_set_outside_one_to_thirty(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    gui.controller.show_settings()
    spin = gui.controller.dialogs[-1].security.autolock
    spin.setValue(0)
    assert spin.value() == 1
    spin.setValue(600)
    assert spin.value() == 30


def test_remember_is_refused_on_an_insecure_store(gui: Gui, client_vault: Path) -> None:
    from app.services.device_keys import DeviceKeyStore

    gui.services.device_keys = DeviceKeyStore(object(), frozenset())  # an untrusted backend
    gui.unlock(client_vault)
    gui.controller.show_settings()
    security = gui.controller.dialogs[-1].security
    assert not security.remember.isEnabled()
    assert "no secure credential store" in security.remember_note.text()


def test_backup_now_daily_and_on_quit(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    folder = gui.services.backups.folder()
    # The first unlock of the day backs up by itself.
    gui.qtbot.waitUntil(lambda: len(list(folder.glob("*.wpbackup"))) == 1, timeout=20000)
    gui.services.clock.advance(seconds=5)
    gui.window.actions_["backup"].trigger()
    gui.qtbot.waitUntil(lambda: len(list(folder.glob("*.wpbackup"))) == 2, timeout=20000)
    gui.qtbot.waitUntil(lambda: "verified" in gui.window.statusBar().currentMessage(), timeout=5000)
    gui.services.clock.advance(seconds=5)
    gui.window.close()  # quitting backs up first
    gui.qtbot.waitUntil(lambda: not gui.window.isVisible(), timeout=20000)
    assert len(list(folder.glob("*.wpbackup"))) == 3
    assert gui.controller.session is None


def test_restore_from_the_app_keeps_the_previous_vault(
    gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    backup = gui.services.backups.backup_now(session).path
    session.clients.create(session.clients.get(session.clients.roster()[0].id).fields)  # a 4th client
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Ok)
    gui.window.actions_["restore"].trigger()
    assert gui.controller.session is None  # locked before restoring
    dialog = gui.controller.dialogs[-1]
    dialog.backup.setText(str(backup))
    gui.qtbot.keyClicks(dialog.passphrase.edit, "wrong passphrase for sure")
    gui.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: dialog.grid.errors["passphrase"].isVisible(), timeout=20000)
    dialog.passphrase.clear()
    gui.qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    gui.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert "Restored" in gui.controller.unlock_page.reason.text()
    kept = list(client_vault.parent.glob("vault.before-restore-*"))
    assert len(kept) == 1
    gui.unlock(client_vault)
    assert gui.controller.session.clients.count() == 3


def test_csv_import_reports_bad_rows_and_imports_nothing_until_clean(gui: Gui, client_vault: Path, tmp_path: Path) -> None:
    gui.unlock(client_vault)
    bad = tmp_path / "roster.csv"
    bad.write_text("first_name,last_name,date_of_birth\nIvo,Brandt,1970-05-06\nMira,,1985-13-40\n", "utf-8")
    gui.controller.show_import()
    dialog = gui.controller.dialogs[-1]
    gui.qtbot.keyClicks(dialog.path, str(bad))
    gui.qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert "Nothing was imported" in dialog.banner.label.text()
    problems = dialog.problems.toPlainText()
    assert "Line 3: date_of_birth" in problems and "Line 3: last_name" in problems
    assert not dialog.import_button.isEnabled()
    bad.write_text("first_name,last_name,date_of_birth\nIvo,Brandt,1970-05-06\nMira,Solano,1985-12-04\n", "utf-8")
    gui.qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "2 clients are ready" in dialog.banner.label.text()
    gui.qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert gui.controller.session.clients.count() == 5
    assert gui.controller.workspace.clients.model.total() == 5
