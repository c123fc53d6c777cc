"""Idle lock on a demo vault with every kind of record on screen (SECURITY.md test 11).

The real window, offscreen, with the injected idle clock of tests/gui/conftest.py: a client's
record is opened on every tab (screening, assessment, risk, safety plan, trends, care plan, notes,
follow-ups, team, releases, documents, transitions, outcomes), the other pages are visited, and a
note is being typed when the clock passes ten idle minutes. Afterwards no database connection is
open (no file handle on the vault, no open Vault object), no client's name is in any widget
or item model, and after unlocking the note is there as it was typed.
"""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.models.notes import NoteFormat, NoteSection
from app.store.vault import Vault
from app.ui.dialogs.note_editor import NoteEditorDialog
from tests.gui.conftest import Gui, gui, visible_texts  # noqa: F401 - the fixture is used by name
from tests.gui.test_lock import open_db_files
from tests.helpers.typing import type_text

TYPED = "Nguyễn Thị Ánh: visita en casa, todo tranquilo — Ольга передала привет"


def open_vaults() -> int:
    """Vault objects anywhere in this process that still hold an open connection."""
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Vault) and obj.is_open)


def test_idle_lock_on_a_full_record_closes_everything_and_keeps_the_typing(gui: Gui, demo_vault: Path) -> None:  # noqa: F811
    gui.unlock(demo_vault)
    session = gui.controller.session
    roster = session.clients.roster(include_archived=True)
    names = {n for r in roster for n in (r.first_name, r.last_name) if len(n) >= 4}
    client_id = max(roster, key=lambda r: len(session.notes.notes(r.id))).id
    workspace = gui.controller.workspace
    for page in ("today", "clients", "contacts", "calendar", "caseload"):
        workspace.go(page)
        gui.qtbot.wait(10)
    workspace.open_client(client_id)
    record = workspace.record
    for tab in record.record_tabs:
        record.tabs.setCurrentWidget(tab)
        gui.qtbot.wait(10)
    record.navigate("notes")
    tab = record.notes_tab
    tab.new_button.click()
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    editor = tab.editor
    editor.format_buttons[NoteFormat.FREE].click()
    type_text(editor.section_edits[NoteSection.NOTE], TYPED)
    shown = visible_texts()
    assert any(name in shown for name in names)  # client data really is on screen before the lock
    assert open_db_files() and open_vaults() >= 1

    gui.idle_clock.advance(10 * 60 + 1)
    gui.qtbot.waitUntil(lambda: gui.controller.session is None, timeout=5000)
    gui.qtbot.wait(50)  # let deleteLater run
    assert "without use" in gui.controller.unlock_page.reason.text()
    assert open_db_files() == []  # no handle on vault.db, -wal or -shm
    assert open_vaults() == 0
    texts = visible_texts()
    leaked = sorted(name for name in names if name in texts)
    assert leaked == [], f"{len(leaked)} client names still in widgets or models after the lock"
    assert TYPED not in texts
    assert not any(isinstance(w, NoteEditorDialog) and w.isVisible() for w in QApplication.topLevelWidgets())

    gui.unlock(demo_vault)
    gui.controller.workspace.open_record_tab(client_id, "notes")
    tab = gui.controller.workspace.record.notes_tab
    assert tab.unfinished_banner.isVisible()
    tab.continue_button.click()
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    assert tab.editor.section_edits[NoteSection.NOTE].toPlainText() == TYPED  # 0 characters lost
