"""The Transitions tab and its dialogs, driven like a user: a step-down recorded through the editor
with the keyboard (a refused save keeps the typing), its check-ins listed with the client and the
receiving provider; an outcome recorded and the case closed from the check-in; a case re-engaged;
the editor's typing surviving a lock; the settings for check-in days and levels of care."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.models.client import Stage
from app.models.contacts import ContactFields, MemberFields, Release
from app.models.transitions import Medication, TransitionFields, TransitionKind, TransitionStatus
from app.ui.record.transition_tab import TransitionTab
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text
from tests.gui.test_accessibility import unnamed

TODAY = date(2026, 11, 26)


def seed(services, vault: Path, *, transition_days_ago: int | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Dr Okafor on Zoë's care team (release on file); optionally a step-down some days ago."""
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    ids = {r.first_name: r.id for r in session.clients.roster()}
    ids["okafor"] = session.contacts.create(ContactFields(name="Dr Amara Okafor", role="Psychiatrist",
                                                          organisation="Riverside CMHC")).id
    session.contacts.add_member(ids["Zoë"], ids["okafor"], MemberFields(release=Release.YES))
    if transition_days_ago is not None:
        on = TODAY - timedelta(days=transition_days_ago)
        ids["transition"] = session.transitions.record(ids["Zoë"], TransitionFields(
            TransitionKind.LEVEL_OF_CARE, "intensive", "maintenance", on, "Stable for three months",
            receiving_contact_id=ids["okafor"], medications=(Medication("Sertraline", "100 mg"),))).id
    session.close()
    return ids


def open_tab(gui: Gui, client_id: str) -> TransitionTab:
    workspace = gui.controller.workspace
    workspace.open_record_tab(client_id, "transitions")
    tab = workspace.record.transition_tab
    gui.qtbot.waitUntil(tab.isVisible)
    return tab


def cell(tab: TransitionTab, row: int, column: int) -> str:
    return tab.model.item(row, column).text()


def test_record_a_step_down_with_the_keyboard_and_see_its_check_ins(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_tab(gui, ids["Zoë"])
    assert tab.stack.currentWidget() is tab.empty and tab.level.text() == "Level of care not recorded yet"
    assert unnamed(gui.controller.workspace) == []

    tab.record_first.setFocus()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N on this tab: a transition
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    dialog = tab.editor
    assert dialog is not None and unnamed(dialog) == []
    assert "3, 7, 30 and 90 days" in dialog.plan_note.text() and "the client" in dialog.plan_note.text()
    gui.qtbot.waitUntil(dialog.from_level.hasFocus)
    gui.key(Qt.Key.Key_Down)  # Choose… → Intensive
    gui.key(Qt.Key.Key_Tab)
    assert dialog.to_level.hasFocus()
    for _step in range(3):  # → Maintenance
        gui.key(Qt.Key.Key_Down)
    assert dialog.to_level.currentData() == "maintenance"
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # no reason yet: refused, next to the field
    assert dialog.isVisible() and "why the client's care is changing" in dialog.grid.errors["reason"].text().lower()
    assert dialog.reason.hasFocus()
    type_text(dialog.reason, "Stable for three months; wants fewer visits")
    type_text(dialog.picker.search, "okafor")
    assert dialog.picker.contact_id() == ids["okafor"]
    assert "release of information is on file" in dialog.receiving_note.text()
    assert dialog.handoff_with.text() == "Dr Amara Okafor"
    assert "the client and the receiving provider" in dialog.plan_note.text()
    type_text(dialog.medications.rows[0][0], "Sertraline")
    type_text(dialog.medications.rows[0][1], "100 mg every morning")
    dialog.checks[next(iter(dialog.checks))].setChecked(True)
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)

    session = gui.controller.session
    assert session.clients.get(ids["Zoë"]).stage is Stage.TRANSITIONING
    saved = session.transitions.open_for(ids["Zoë"])
    assert saved is not None and saved.fields.medications == (Medication("Sertraline", "100 mg every morning"),)
    assert tab.stack.currentWidget() is tab.detail_page and tab.title.text() == "Intensive → Maintenance"
    assert tab.level.text() == "Level of care: Maintenance"
    assert tab.model.rowCount() == 8
    assert [cell(tab, r, 1) for r in range(2)] == ["Day 3 · Client", "Day 3 · Dr Amara Okafor"]
    assert cell(tab, 0, 2) == "Due in 3 days" and cell(tab, 7, 1) == "Day 90 · Dr Amara Okafor"
    assert ("Medications (as reported, not reconciled)", "Sertraline — 100 mg every morning") in tab.facts.texts()
    assert "Transitioning" in gui.controller.workspace.record.stage_badge.text()  # the record's header follows


def test_record_an_outcome_then_close_the_case_from_the_check_in(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault, transition_days_ago=5)
    gui.unlock(client_vault)
    tab = open_tab(gui, ids["Zoë"])
    assert cell(tab, 0, 2) == "⚠ Overdue by 2 days" and cell(tab, 1, 2) == "⚠ Overdue by 2 days"
    assert tab.status_banner.isVisible() and "2 check-ins are overdue" in tab.status_banner.label.text()
    assert tab.selected_check_in() is not None and tab.selected_check_in().offset_days == 3  # the first to do

    tab.table.setFocus()
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: tab.outcome_dialog is not None and tab.outcome_dialog.isVisible())
    dialog = tab.outcome_dialog
    assert dialog is not None and unnamed(dialog) == []
    dialog.save()  # not said whether reached: asked for, nothing saved
    assert "Say whether you reached them" in dialog.grid.errors["reached"].text()
    gui.qtbot.mouseClick(dialog.reached.button(True), Qt.MouseButton.LeftButton)
    gui.qtbot.mouseClick(dialog.engaged.button(True), Qt.MouseButton.LeftButton)
    gui.qtbot.mouseClick(dialog.readmitted.button(False), Qt.MouseButton.LeftButton)
    gui.qtbot.mouseClick(dialog.next_step.button(dialog.next_step.buttons[2][0]), Qt.MouseButton.LeftButton)
    assert dialog.reason.isVisible()
    type_text(dialog.reason, "Engaged with Dr Okafor; client's choice")
    dialog.activateWindow()
    gui.qtbot.waitUntil(dialog.isActiveWindow)
    gui.qtbot.keyClick(dialog.reason, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S saves
    gui.qtbot.waitUntil(lambda: tab.outcome_dialog is None)

    session = gui.controller.session
    assert session.clients.get(ids["Zoë"]).stage is Stage.CLOSED
    t = session.transitions.get(ids["transition"])
    assert t.status is TransitionStatus.CLOSED and t.closure_reason == "Engaged with Dr Okafor; client's choice"
    assert cell(tab, 0, 2).startswith("✓ Reached · engaged")
    assert cell(tab, 1, 2) == "Not done — the transition ended"
    assert "Closed on" in tab.status_banner.label.text() and not tab.close_button.isVisible()
    assert not tab.outcome_button.isVisible() and tab.reengage_button.isVisible()  # a closed case can reopen


def test_re_engage_reopens_the_case_for_re_tiering(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault, transition_days_ago=10)
    gui.unlock(client_vault)
    tab = open_tab(gui, ids["Zoë"])
    gui.qtbot.mouseClick(tab.reengage_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.reengage_dialog is not None and tab.reengage_dialog.isVisible())
    dialog = tab.reengage_dialog
    assert dialog is not None and unnamed(dialog) == []
    type_text(dialog.note, "Not engaged with the new provider")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.reengage_dialog is None)
    session = gui.controller.session
    assert session.clients.get(ids["Zoë"]).stage is Stage.STRATIFYING
    assert tab.history.item(0).text().endswith("Re-engaged")
    assert "Re-engaged on" in tab.status_banner.label.text()
    assert "Not engaged with the new provider" in tab.status_banner.label.text()
    assert not tab.reengage_button.isVisible() and tab.close_button.isVisible()


def test_close_a_case_without_a_transition(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_tab(gui, ids["Ольга"])
    gui.qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.close_dialog is not None and tab.close_dialog.isVisible())
    dialog = tab.close_dialog
    assert dialog is not None
    dialog.save()
    assert "why the case is closing" in dialog.grid.errors["reason"].text()
    type_text(dialog.reason.lineEdit(), "Moved out of the area")
    dialog.save()
    gui.qtbot.waitUntil(lambda: tab.close_dialog is None)
    assert gui.controller.session.clients.get(ids["Ольга"]).stage is Stage.CLOSED
    assert tab.title.text() == "Case closed" and tab.no_check_ins.isVisible()


def test_the_editor_keeps_its_typing_through_a_lock_and_uses_the_settings(gui: Gui, client_vault: Path,
                                                                           services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_tab(gui, ids["Zoë"])
    tab.set_options(("Step-down unit", "Community team"), (5, 45))
    tab.record_transition()
    dialog = tab.editor
    assert dialog is not None
    assert [dialog.to_level.itemText(i) for i in range(dialog.to_level.count())] == [
        "Choose…", "Step-down unit", "Community team"]
    assert "5 and 45 days" in dialog.plan_note.text()
    type_text(dialog.reason, "Leaving the step-down unit")
    tab.clear()  # the lock
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert gui.controller.session.drafts.load("transition", f"new:{ids['Zoë']}") is not None
    tab.load(gui.controller.session.clients.get(ids["Zoë"]))
    tab.record_transition()
    dialog = tab.editor
    assert dialog is not None and dialog.draft_banner.isVisible()
    dialog.restore_button.click()
    assert dialog.reason.toPlainText() == "Leaving the step-down unit"
    dialog.from_level.setCurrentIndex(1)
    dialog.to_level.setCurrentIndex(2)
    dialog.save()
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert [cell(tab, r, 1) for r in range(tab.model.rowCount())] == ["Day 5 · Client", "Day 45 · Client"]
    assert tab.level.text() == "Level of care: Community team"


def test_check_in_days_and_levels_are_set_in_settings(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    gui.controller.show_settings()
    dialog = gui.controller.dialogs[-1]
    dialog.show_page(dialog.care)
    care = dialog.care
    assert care.check_in_days.text() == "3, 7, 30, 90"
    assert care.levels.toPlainText().splitlines()[0] == "Intensive"
    care.check_in_days.setText("3, seven")
    dialog.save()
    assert dialog.isVisible() and "whole numbers" in care.transition_grid.errors["check_in_days"].text()
    care.check_in_days.setText("2, 14, 60")
    care.levels.setPlainText("Intensive\nStep-down unit\nDischarged")
    dialog.save()
    settings = gui.services.settings
    assert settings.check_in_days == (2, 14, 60)
    assert settings.levels_of_care == ("intensive", "Step-down unit", "discharged")
