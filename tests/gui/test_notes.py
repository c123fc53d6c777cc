"""Contact notes, driven like a user: a SOAP note written with the keyboard, signed (with the
confirmation), an addendum added, the client's notes searched; a note being typed when the vault
locks or the process is killed comes back from the Notes tab; the roster finds clients by the
words in their notes.

Run as `python -m tests.gui.test_notes VAULT FIRST_NAME` this module is also the child process of
the kill test: it types a note in the real app and SIGKILLs itself once the draft is saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.models.notes import ContactType, NoteFields, NoteFormat, NoteSection
from app.ui.dialogs.note_addendum import NoteAddendumDialog
from app.ui.dialogs.note_editor import NoteEditorDialog
from app.ui.record.notes_tab import HIT_ROLE, NotesTab
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text, visible_texts

TODAY = date(2026, 11, 26)
CHILD_TEXT = "Batería baja: visita en casa, habló de su hermana Inés"
CHILD_PASSPHRASE = "WAYPOINT_NOTES_CHILD_PASSPHRASE"


def open_notes(gui: Gui, first_name: str = "Zoë") -> tuple[NotesTab, str]:
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.notes_tab)
    gui.qtbot.waitUntil(record.notes_tab.isVisible)
    return record.notes_tab, client_id


def wait_editor(gui: Gui, tab: NotesTab) -> NoteEditorDialog:
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    assert tab.editor is not None
    return tab.editor


def answer_next_box(qtbot: QtBot, key: Qt.Key = Qt.Key.Key_Return, seen: list[str] | None = None) -> None:
    """Press `key` in the next message box (Enter: its default button) once it is up."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(box.text())
            qtbot.keyClick(box, key)
        else:
            QTimer.singleShot(20, press)

    QTimer.singleShot(0, press)


def tab_to(gui: Gui, widget: QWidget, limit: int = 30) -> None:
    """Press Tab until `widget` has the focus (as a person moves through a form)."""
    seen = []
    for _ in range(limit):
        if widget.hasFocus():
            return
        gui.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        seen.append(f"{type(focus).__name__}:{focus.accessibleName() if focus else ''}")
    raise AssertionError(f"{type(widget).__name__} never took the focus: {seen}")


# -- the whole journey -------------------------------------------------------------------------------


def test_a_soap_note_written_by_keyboard_signed_with_an_addendum_and_searched(gui: Gui, client_vault: Path) -> None:
    from tests.gui.test_accessibility import unnamed

    gui.unlock(client_vault)
    tab, client_id = open_notes(gui)
    qtbot = gui.qtbot
    assert tab.stack.currentWidget() is tab.empty and tab.write_button.isVisible()
    assert unnamed(tab) == []
    gui.controller.workspace.record.tabs.tabBar().setFocus()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # on the Notes tab: a note, not a client
    editor = wait_editor(gui, tab)
    assert gui.controller.workspace.editor is None
    assert unnamed(editor) == []
    qtbot.waitUntil(editor.kind.hasFocus)

    qtbot.keyClick(editor.kind, Qt.Key.Key_Down)  # Home visit → Phone call …
    qtbot.keyClick(editor.kind, Qt.Key.Key_Up)  # … and back
    assert editor.kind.currentData() == ContactType.HOME_VISIT.value
    assert editor.location.text() == "Client's home"
    tab_to(gui, editor.start_time)
    qtbot.keyClicks(editor.start_time, "10:30")
    qtbot.keyClick(editor.start_time, Qt.Key.Key_Tab)
    assert editor.duration.hasFocus()
    qtbot.keyClicks(editor.duration, "45")
    tab_to(gui, editor.participants)
    type_text(editor.participants, "Zoë, Inés (sister)")
    assert editor.format_buttons[NoteFormat.FREE].isChecked()  # a first note: free text
    tab_to(gui, editor.format_buttons[NoteFormat.SOAP])
    qtbot.keyClick(editor.format_buttons[NoteFormat.SOAP], Qt.Key.Key_Space)
    assert editor.format_buttons[NoteFormat.SOAP].isChecked() and not editor.format_buttons[NoteFormat.FREE].isChecked()
    assert list(editor.section_edits) == list(NoteFormat.SOAP.sections)
    words = {
        NoteSection.SUBJECTIVE: "Dice que duerme mejor; café con su hermana.",
        NoteSection.OBJECTIVE: "Kitchen clean. Eviction notice on the table.",
        NoteSection.ASSESSMENT: "Mood improving; tenancy at risk.",
        NoteSection.PLAN: "Call the landlord about the arrears on Friday.",
    }
    for section, text in words.items():
        tab_to(gui, editor.section_edits[section])
        type_text(editor.section_edits[section], text)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    notes = gui.controller.session.notes.notes(client_id)
    assert len(notes) == 1 and not notes[0].signed
    assert notes[0].fields.section(NoteSection.SUBJECTIVE) == words[NoteSection.SUBJECTIVE]
    assert notes[0].fields.participants == ("Zoë", "Inés (sister)")
    assert "Draft saved" in editor.status.text()

    tab_to(gui, editor.sign_button)
    asked: list[str] = []
    answer_next_box(qtbot, seen=asked)
    qtbot.keyClick(editor.sign_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.editor is None)
    assert "Signing locks the note" in asked[0]
    note = gui.controller.session.notes.get(notes[0].id)
    assert note.signed and note.signed_by == gui.controller.session.actor and not note.late_entry
    assert note.fields.start_time is not None and note.fields.duration_min == 45
    assert "signed and locked" in tab.message.label.text()
    assert tab.model.rowCount() == 1 and tab.shown is not None and tab.shown.id == note.id
    assert "Signed by" in tab.state_label.text() and "Locked" in tab.state_label.text()
    assert tab.addendum_button.isVisible() and not tab.edit_button.isVisible() and not tab.sign_button.isVisible()
    reading = tab.reader.toPlainText()
    assert "Subjective" in reading and words[NoteSection.PLAN] in reading and "Inés (sister)" in reading

    tab.addendum_button.setFocus()
    qtbot.keyClick(tab.addendum_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.addendum_dialog is not None and tab.addendum_dialog.isVisible())
    dialog = tab.addendum_dialog
    assert isinstance(dialog, NoteAddendumDialog) and unnamed(dialog) == []
    qtbot.waitUntil(dialog.text.hasFocus)
    type_text(dialog.text, "El casero llamó: plan de pagos acordado.")
    qtbot.keyClick(dialog.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.addendum_dialog is None)
    note = gui.controller.session.notes.get(note.id)
    assert [a.text for a in note.addenda] == ["El casero llamó: plan de pagos acordado."]
    assert "Addendum" in tab.reader.toPlainText() and "plan de pagos" in tab.reader.toPlainText()
    assert "1 addendum" in tab.model.data(tab.model.index(0), Qt.ItemDataRole.AccessibleTextRole)

    # Search this client's notes: accents folded, the words marked where they were found.
    tab.list.setFocus()
    gui.key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search.hasFocus()
    qtbot.keyClicks(tab.search, "casero acord")
    qtbot.waitUntil(lambda: tab.query is not None)
    assert tab.model.rowCount() == 1
    hit = tab.model.data(tab.model.index(0), HIT_ROLE)
    assert hit.where == "Addendum" and [t for t, marked in hit.extract if marked] == ["casero", "acordado"]
    assert "<b" in tab.reader.toHtml() and "1 note matches" in tab.count.text()
    tab.search.clear()
    type_text(tab.search, '"notice on the"')
    qtbot.waitUntil(lambda: tab.query is not None and len(tab.query.terms[0].words) == 3)
    assert tab.model.rowCount() == 1
    tab.search.clear()
    qtbot.keyClicks(tab.search, "hermano")
    qtbot.waitUntil(lambda: tab.list_stack.currentWidget() is tab.no_match)
    qtbot.keyClick(tab.search, Qt.Key.Key_Escape)  # clears the search
    qtbot.waitUntil(lambda: tab.list_stack.currentWidget() is tab.list and tab.model.rowCount() == 1)


def test_goals_addressed_are_picked_from_the_care_plan(gui: Gui, client_vault: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    goals = [("goal-1", "Keep my flat"), ("goal-2", "Sleep through the night")]
    monkeypatch.setattr(session.care_plans, "goal_choices", lambda _client_id: goals)
    tab, client_id = open_notes(gui)
    tab.new_note()
    editor = wait_editor(gui, tab)
    assert editor.goals.isVisible() and editor.goals.count() == 2
    gui.qtbot.waitUntil(editor.kind.hasFocus)
    tab_to(gui, editor.goals)
    gui.qtbot.keyClick(editor.goals, Qt.Key.Key_Down)  # to the second goal
    gui.qtbot.keyClick(editor.goals, Qt.Key.Key_Space)
    assert editor.checked_goals() == ["goal-2"]
    type_text(editor.section_edits[NoteSection.NOTE], "Talked about sleep.")
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)  # closing keeps it as a draft
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    note = session.notes.notes(client_id)[0]
    assert note.fields.goal_ids == ("goal-2",)
    assert "Sleep through the night" in tab.reader.toPlainText()
    goals.pop()  # the goal left the plan: the note still says a goal was addressed
    tab.refresh()
    assert "a goal no longer in the care plan" in tab.reader.toPlainText()


def test_sign_from_the_list_opens_the_draft_when_something_is_missing(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_notes(gui)
    session = gui.controller.session
    session.notes.save_draft(client_id, NoteFields(ContactType.PHONE, TODAY, format=NoteFormat.DAP,
                                                   sections={NoteSection.DATA: "Spoke about the rent."}))
    tab.refresh()
    assert tab.sign_button.isVisible() and "Draft, not signed yet" in tab.state_label.text()
    assert "1 draft" in tab.summary.text()
    tab.sign_button.click()
    editor = wait_editor(gui, tab)
    assert editor.current_format is NoteFormat.DAP
    assert editor.grid.errors["start_time"].isVisible() and editor.grid.errors["duration_min"].isVisible()
    assert editor.section_errors[NoteSection.PLAN].text() == "Write the Plan section, even briefly."
    assert "4 things need attention" in editor.error_banner.label.text()
    assert editor.section_edits[NoteSection.DATA].toPlainText() == "Spoke about the rent."
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)  # nothing changed: closes, the draft as it was
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert not session.notes.notes(client_id)[0].signed


def test_a_note_being_typed_survives_a_lock(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_notes(gui, "Ольга")
    tab.new_button.click()
    editor = wait_editor(gui, tab)
    editor.format_buttons[NoteFormat.FREE].click()
    type_text(editor.section_edits[NoteSection.NOTE], "Визит дома: всё спокойно")
    gui.qtbot.keyClicks(editor.start_time, "25:99")  # can't be read yet: kept as typed

    gui.idle_clock.advance(10 * 60 + 1)  # left alone: the idle lock
    gui.qtbot.waitUntil(lambda: gui.controller.session is None, timeout=5000)
    assert not any(isinstance(w, NoteEditorDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    gui.unlock(client_vault)
    tab, _client = open_notes(gui, "Ольга")
    assert tab.unfinished_banner.isVisible()
    assert "was not finished" in tab.unfinished_banner.label.text()
    assert tab.stack.currentWidget() is tab.empty  # nothing was saved as a note: it was only typed
    tab.continue_button.click()
    editor = wait_editor(gui, tab)
    assert editor.section_edits[NoteSection.NOTE].toPlainText() == "Визит дома: всё спокойно"
    assert editor.start_time.text() == "25:99"
    assert editor.draft_banner.isVisible() and "was restored" in editor.draft_banner.label.text()


def test_discarding_unfinished_typing_asks_first(gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.notes import DRAFT_FORM, NEW_PREFIX

    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    session.drafts.save(DRAFT_FORM, NEW_PREFIX + client_id, {"client_id": client_id, "format": "free",
                                                             "sections": {"note": "Leftover"}})
    tab, _client = open_notes(gui)
    assert tab.unfinished_banner.isVisible()
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    tab.drop_button.click()
    assert session.drafts.load(DRAFT_FORM, NEW_PREFIX + client_id) is not None
    tab.drop_button.click()
    assert session.drafts.load(DRAFT_FORM, NEW_PREFIX + client_id) is None
    assert not tab.unfinished_banner.isVisible()


def test_a_note_being_typed_survives_a_killed_process(gui: Gui, client_vault: Path, home: Path) -> None:
    # Not WAYPOINT_PASSPHRASE: importing this module imports tests/conftest.py, which removes that one.
    env = {**os.environ, CHILD_PASSPHRASE: PASSPHRASE, "WAYPOINT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run([sys.executable, "-m", "tests.gui.test_notes", str(client_vault), "Zoë"], env=env,
                           capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert "DRAFT SAVED" in child.stdout, child.stderr[-2000:]
    assert child.returncode == -signal.SIGKILL  # killed, not a clean exit: the battery died

    gui.unlock(client_vault)
    tab, _client = open_notes(gui)
    assert tab.unfinished_banner.isVisible()
    tab.continue_button.click()
    editor = wait_editor(gui, tab)
    assert editor.kind.currentData() == ContactType.HOME_VISIT.value
    assert editor.current_format is NoteFormat.FREE
    assert editor.section_edits[NoteSection.NOTE].toPlainText() == CHILD_TEXT
    assert editor.start_time.text() == "9:4"  # half-typed, as it was
    assert editor.participants.text() == "Zoë, Inés"


def test_the_roster_finds_clients_by_the_words_in_their_notes(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    roster = {r.first_name: r.id for r in session.clients.roster()}
    note = NoteFields(ContactType.COLLATERAL, TODAY, format=NoteFormat.FREE,
                      sections={NoteSection.NOTE: "Spoke with the pharmacist about the lithium levels."})
    session.notes.save_draft(roster["Ольга"], note)
    workspace = gui.controller.workspace
    workspace.go("clients")
    page = workspace.clients
    opened: list[tuple[str, str]] = []
    page.open_client_notes.connect(lambda client_id, text: opened.append((client_id, text)))
    page.focus_search()
    gui.qtbot.keyClicks(page.search, "lithium")
    assert page.model.rowCount() == 0 and "Search notes too" in page.no_match.text.text()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # the checkbox's mnemonic (it clicks after a moment)
    gui.qtbot.waitUntil(page.in_notes.isChecked)
    assert page.model.rowCount() == 1
    name = page.model.data(page.model.index(0, 0))
    assert name.startswith("Петрова, Ольга") and "found in 1 note" in name
    assert "1 found in their notes" in page.count.text()
    page.set_discreet(True)
    assert page.model.data(page.model.index(0, 0)).startswith("О.П.")  # discreet mode still hides the name
    page.set_discreet(False)
    page.search.setFocus()
    gui.qtbot.keyClick(page.search, Qt.Key.Key_Down)
    gui.qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert workspace.record.record is not None and workspace.record.record.client.id == roster["Ольга"]
    assert opened == [(roster["Ольга"], "lithium")]
    workspace.record.tabs.setCurrentWidget(workspace.record.notes_tab)
    workspace.record.notes_tab.search_for("lithium")
    assert workspace.record.notes_tab.model.rowCount() == 1


def test_a_read_only_vault_shows_notes_but_offers_no_changes(gui: Gui, client_vault: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    draft = session.notes.save_draft(client_id, NoteFields(ContactType.OFFICE, TODAY, format=NoteFormat.FREE,
                                                           sections={NoteSection.NOTE: "Came to the office."}))
    monkeypatch.setattr(type(session), "read_only", property(lambda _s: True))
    tab, _client = open_notes(gui)
    assert tab.shown is not None and tab.shown.id == draft.id
    for button in (tab.new_button, tab.edit_button, tab.sign_button, tab.discard_button, tab.addendum_button,
                   tab.error_button):
        assert not button.isVisible()
    assert tab.new_note() is None
    assert "Came to the office." in tab.reader.toPlainText()


def test_a_signed_note_is_marked_entered_in_error_with_a_reason(gui: Gui, client_vault: Path) -> None:
    from dataclasses import replace
    from datetime import time as clock_time

    from app.ui.dialogs.note_error import NoteErrorDialog
    from tests.gui.test_accessibility import unnamed

    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    fields = NoteFields(ContactType.OFFICE, TODAY, format=NoteFormat.FREE,
                        sections={NoteSection.NOTE: "Talked about Ольга's housing."})
    note = session.notes.save_draft(client_id, fields)
    assert not gui.controller.session.notes.get(note.id).signed
    tab, _client = open_notes(gui)
    assert tab.shown is not None and not tab.error_button.isVisible()  # a draft is discarded, not marked
    session.notes.save_draft(client_id, replace(fields, start_time=clock_time(9, 0), duration_min=20), note.id)
    session.notes.sign(note.id)
    tab.refresh()
    assert tab.shown is not None and tab.shown.signed
    assert tab.error_button.isVisible() and tab.addendum_button.isVisible() and not tab.error_banner.isVisible()

    tab.error_button.setFocus()
    gui.qtbot.keyClick(tab.error_button, Qt.Key.Key_Space)
    gui.qtbot.waitUntil(lambda: tab.error_dialog is not None and tab.error_dialog.isVisible())
    dialog = tab.error_dialog
    assert isinstance(dialog, NoteErrorDialog) and unnamed(dialog) == []
    assert "can't be undone" in visible_texts(dialog)
    # No reason: told what to give, and the dialog stays.
    gui.qtbot.mouseClick(dialog.mark_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Say why the note was entered in error" in dialog.error.label.text()
    assert not session.notes.get(note.id).entered_in_error
    # One of the usual reasons, chosen with the keyboard.
    dialog.reason.setFocus()
    gui.qtbot.keyClick(dialog.reason, Qt.Key.Key_Down)
    assert dialog.reason.currentText() == "Written in the wrong client's record"
    gui.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: tab.error_dialog is None)

    marked = session.notes.get(note.id)
    assert marked.error is not None and marked.error.reason == "Written in the wrong client's record"
    assert tab.error_banner.isVisible() and "Entered in error — Written in the wrong client's record" in \
        tab.error_banner.label.text()
    assert "marked entered in error" in tab.message.label.text()
    assert not tab.error_button.isVisible() and not tab.addendum_button.isVisible()
    assert "Ольга's housing" in tab.reader.toPlainText()  # still readable in the record
    spoken = tab.model.data(tab.model.index(tab.model.row_of(note.id)), Qt.ItemDataRole.AccessibleTextRole)
    assert "Entered in error" in spoken and "1 entered in error" in tab.summary.text()


# -- the child process of the kill test ---------------------------------------------------------------


def _child(vault: Path, first_name: str) -> None:
    from PySide6.QtTest import QTest

    from app.main import build_app
    from tests.helpers.typing import type_text as typing

    app, _services, window, controller = build_app()
    window.show()
    controller.start(vault)
    page = controller.unlock_page
    page.passphrase.setText(os.environ[CHILD_PASSPHRASE])
    page.submit()

    def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.01)

    wait_for(lambda: controller.workspace is not None and controller.session is not None)
    session = controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    workspace = controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.notes_tab)
    editor = record.notes_tab.new_note()
    assert editor is not None
    wait_for(editor.isVisible)
    editor.format_buttons[NoteFormat.FREE].click()
    QTest.keyClicks(editor.start_time, "9:4")
    typing(editor.participants, "Zoë, Inés")
    typing(editor.section_edits[NoteSection.NOTE], CHILD_TEXT)
    wait_for(lambda: editor.status.text().startswith("Draft saved"))
    print("DRAFT SAVED", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _child(Path(sys.argv[1]), sys.argv[2])
