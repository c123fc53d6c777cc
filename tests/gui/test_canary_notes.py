"""SECURITY.md test 1 for contact notes: a canary typed into a note (autosaved draft, signed
text, an addendum), then searched for from the Notes tab and from the roster, is found nowhere on
disk after a lock, an unlock and a quit — not in the vault folder (the database, its WAL and the
full-text index are encrypted), the app's home (debug logs, settings, temp, backups), the system
temp folder, or the user's cache and config folders."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Qt

from app.models.notes import NoteSection
from app.services.logs import configure_logging
from tests.gui.conftest import Gui, type_text
from tests.gui.test_canary_sweep import encodings, hits
from tests.gui.test_notes import open_notes, wait_editor

CANARY = "Qvxcanarynote"


def test_notes_written_signed_and_searched_leave_no_plaintext_anywhere(gui: Gui, client_vault: Path, tmp_path: Path,
                                                                       home: Path) -> None:
    started = time.time() - 1
    configure_logging(gui.services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)
    gui.unlock(client_vault)
    tab, client_id = open_notes(gui)
    tab.new_note()
    editor = wait_editor(gui, tab)
    gui.qtbot.keyClicks(editor.start_time, "10:30")
    gui.qtbot.keyClicks(editor.duration, "45")
    type_text(editor.section_edits[NoteSection.NOTE], f"Met {CANARY} at the café; rent arrears discussed.")
    gui.qtbot.waitUntil(lambda: "saved" in editor.status.text(), timeout=5000)  # the autosave ran
    gui.qtbot.keyClick(editor.section_edits[NoteSection.NOTE], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    editor.close_for_lock()
    session = gui.controller.session
    draft = next(n for n in session.notes.notes(client_id) if not n.signed)
    signed = session.notes.sign(draft.id)
    session.notes.add_addendum(signed.id, f"Later: {CANARY} called back.")

    tab.search_for(CANARY)
    gui.qtbot.waitUntil(lambda: tab.query is not None and tab.model.rowCount() == 1)
    workspace = gui.controller.workspace
    workspace.go("clients")
    workspace.clients.in_notes.setChecked(True)
    gui.qtbot.keyClicks(workspace.clients.search, CANARY)
    gui.qtbot.waitUntil(lambda: workspace.clients.model.note_hits(client_id) > 0, timeout=5000)

    gui.controller.lock()
    gui.unlock(client_vault)
    gui.controller.quit()  # backs up first, then closes
    gui.qtbot.waitUntil(lambda: gui.controller.session is None and not gui.window.isVisible(), timeout=30000)
    for handler in logging.getLogger().handlers:
        handler.flush()

    needles = encodings(CANARY)
    assert hits(tmp_path, needles) == []  # the vault folder, the app's home (logs, temp, backups)
    for temp in {Path(tempfile.gettempdir()), Path(tempfile.gettempdir()).resolve(), Path("/tmp")}:
        if temp.is_dir():
            assert hits(temp, needles, since=started) == []
    for folder in (".cache", ".config", ".local/share"):
        if (Path.home() / folder).is_dir():
            assert hits(Path.home() / folder, needles, since=started) == []
    assert any(gui.services.backups.folder().glob("*.wpbackup"))  # the quit really did write a backup
