"""Unlocking, auto-lock by timer (injected clock), Ctrl+L, and nothing typed lost across a lock."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from app.ui.dialogs.client_editor import ClientEditorDialog
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, visible_texts


def open_db_files() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "vault.db" in target:
            found.append(target)
    return found


def test_wrong_passphrase_three_times_then_right(gui: Gui, client_vault: Path) -> None:
    gui.controller.start(client_vault)
    page = gui.controller.unlock_page
    for attempt in range(3):
        page.passphrase.clear()
        gui.qtbot.keyClicks(page.passphrase.edit, f"wrong passphrase number {attempt}")
        gui.qtbot.keyClick(page.passphrase.edit, Qt.Key.Key_Return)
        gui.qtbot.waitUntil(lambda: page.error.isVisible() and not page.progress.isVisible(), timeout=20000)
        assert "did not unlock" in page.error.text()
    assert "recovery key" in page.error.text().lower()
    assert page.passphrase.edit.hasSelectedText()  # ready to retype
    page.passphrase.clear()
    gui.qtbot.keyClicks(page.passphrase.edit, PASSPHRASE)
    gui.qtbot.keyClick(page.passphrase.edit, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None, timeout=20000)
    assert gui.window.actions_["lock"].isEnabled()
    assert "Unlocked" in gui.window.lock_label.text()
    assert gui.window.windowTitle() == "Waypoint"


def test_idle_lock_clears_everything_and_restores_unsaved_typing(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("clients")
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: workspace.editor is not None and workspace.editor.isVisible())
    editor = workspace.editor
    assert isinstance(editor, ClientEditorDialog)
    gui.qtbot.keyClicks(editor.inputs["first_name"], "Quillonia")
    gui.qtbot.keyClicks(editor.inputs["last_name"], "Zephyrine-Canarytest")
    gui.qtbot.keyClicks(editor.inputs["email"], "quill@example.org")
    assert "Ольга" in visible_texts()  # the roster is on screen before the lock

    gui.idle_clock.advance(9 * 60)
    gui.qtbot.wait(60)
    assert gui.controller.session is not None  # not yet: 10 minutes is the default
    gui.idle_clock.advance(61)
    gui.qtbot.waitUntil(lambda: gui.controller.session is None, timeout=5000)

    assert gui.window.stack.currentWidget() is gui.controller.unlock_page
    assert "without use" in gui.controller.unlock_page.reason.text()
    gui.qtbot.wait(50)  # let deleteLater run
    texts = visible_texts()
    for secret in ("Quillonia", "Canarytest", "Ольга", "Ødegård", "quill@example.org"):
        assert secret not in texts
    assert open_db_files() == []
    assert not gui.window.actions_["new_client"].isEnabled()

    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    gui.qtbot.waitUntil(lambda: workspace.editor is not None)
    editor = workspace.editor
    assert editor.inputs["first_name"].text() == "Quillonia"
    assert editor.inputs["last_name"].text() == "Zephyrine-Canarytest"
    assert editor.inputs["email"].text() == "quill@example.org"
    assert "restored" in editor.draft_banner.label.text()
    gui.qtbot.keyClicks(editor.inputs["date_of_birth"].edit, "1991-07-04")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    assert workspace.record.name.text() == "Quillonia Zephyrine-Canarytest"
    assert gui.controller.session.drafts.load("client", "new") is None


def test_ctrl_l_locks_at_once_and_activity_postpones_idle_lock(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    gui.idle_clock.advance(9 * 60)
    gui.qtbot.mouseMove(gui.controller.workspace.nav)  # activity resets the idle timer
    gui.qtbot.keyClick(gui.controller.workspace.nav, Qt.Key.Key_Down)
    gui.idle_clock.advance(5 * 60)
    gui.qtbot.wait(60)
    assert gui.controller.session is not None
    gui.key(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert gui.controller.session is None
    assert gui.window.stack.currentWidget() is gui.controller.unlock_page
    assert gui.window.lock_label.text() == "Locked"


def test_lock_also_closes_dialogs_and_clears_clipboard(gui: Gui, client_vault: Path) -> None:
    from PySide6.QtGui import QGuiApplication

    gui.unlock(client_vault)
    gui.controller.show_settings()
    dialog = gui.controller.dialogs[-1]
    assert dialog.isVisible()
    gui.controller.clipboard.copy("ABCD-EFGH")
    gui.controller.lock("manual")
    assert not dialog.isVisible()
    assert QGuiApplication.clipboard().text() == ""


def test_recovery_key_unlock_then_asks_for_a_new_passphrase(gui: Gui, services, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    created.session.close()
    gui.controller.start(vault_dir)
    page = gui.controller.unlock_page
    gui.qtbot.mouseClick(page.toggle_mode, Qt.MouseButton.LeftButton)
    assert page.recovery.isVisible()
    gui.qtbot.keyClicks(page.recovery, created.recovery_key.lower())
    gui.qtbot.keyClick(page.recovery, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None, timeout=20000)
    # Offered once the unlock-time checks have passed (they run in the background).
    gui.qtbot.waitUntil(lambda: bool(gui.controller.dialogs), timeout=10000)
    dialog = gui.controller.dialogs[-1]
    new = "a brand new passphrase for the vault"
    gui.qtbot.keyClicks(dialog.new.edit, new)
    gui.qtbot.keyClicks(dialog.confirm.edit, new)
    gui.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    gui.controller.lock()
    services.vaults.unlock(vault_dir, passphrase=new).close()


def test_remember_on_this_device_skips_the_prompt_at_launch_only(gui: Gui, client_vault: Path) -> None:
    gui.controller.start(client_vault)
    page = gui.controller.unlock_page
    gui.qtbot.waitUntil(lambda: page.remember.isEnabled())  # the in-memory store is trusted here
    page.remember.setChecked(True)
    gui.qtbot.keyClicks(page.passphrase.edit, PASSPHRASE)
    gui.qtbot.keyClick(page.passphrase.edit, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None, timeout=20000)
    gui.controller.lock("idle")
    gui.qtbot.wait(100)
    assert gui.controller.session is None  # an idle lock still needs the passphrase
    gui.controller.start(client_vault)  # next launch
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is not None, timeout=20000)


def test_a_damaged_vault_opens_read_only_with_a_restore_offer(gui: Gui, client_vault: Path) -> None:
    db = client_vault / "vault.db"
    data = bytearray(db.read_bytes())
    data[3 * 4096 + 500] ^= 0x01
    db.write_bytes(bytes(data))
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    assert workspace.damage.isVisible()
    assert "damaged" in workspace.damage.label.text()
    assert any(b.text().startswith("Restore") for b in workspace.damage.findChildren(type(workspace.clients.new_button)))
    workspace.new_client()
    assert workspace.editor is None
