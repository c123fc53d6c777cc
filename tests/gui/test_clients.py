"""The roster and the client record, driven like a user: keyboard first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.roster_model import COL_NAME, COL_PHONE
from tests.gui.conftest import Gui, type_text


def roster_names(gui: Gui) -> list[str]:
    model = gui.controller.workspace.clients.model
    return [model.data(model.index(r, COL_NAME)) for r in range(model.rowCount())]


def test_add_a_client_with_the_keyboard(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    gui.key(Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert workspace.pages.currentWidget() is workspace.clients
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: workspace.editor is not None and workspace.editor.isVisible())
    editor = workspace.editor
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.inputs["first_name"], timeout=3000)
    gui.qtbot.keyClicks(editor.inputs["first_name"], "Rosalind")
    type_text(editor.inputs["last_name"], "Okonkwo-Björnsdóttir")
    gui.qtbot.keyClicks(editor.inputs["preferred_name"], "Roz")
    gui.qtbot.keyClicks(editor.inputs["date_of_birth"].edit, "07/04/1991")
    gui.qtbot.keyClicks(editor.inputs["phone"], "(555) 010-4477")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    record = workspace.record
    assert workspace.pages.currentWidget() is record
    assert record.name.text() == "Roz Okonkwo-Björnsdóttir"
    assert record.legal.text() == "Legal name: Rosalind Okonkwo-Björnsdóttir"
    assert "35 years" in record.facts.text()
    assert record.values["phone"].text() == "(555) 010-4477"
    assert "Referred" in record.stage_badge.text()
    gui.key(Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert workspace.pages.currentWidget() is workspace.clients
    assert "Okonkwo-Björnsdóttir, Roz" in roster_names(gui)


def test_bad_input_is_explained_next_to_the_field_and_nothing_typed_is_lost(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.new_client()
    editor = workspace.editor
    gui.qtbot.keyClicks(editor.inputs["first_name"], "Tamsin")
    gui.qtbot.keyClicks(editor.inputs["date_of_birth"].edit, "31/02/1990")
    gui.qtbot.keyClicks(editor.inputs["email"], "tamsin-at-example")
    gui.qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    errors = {name: label.text() for grid in editor.grids for name, label in grid.errors.items() if label.isVisible()}
    assert set(errors) == {"last_name", "date_of_birth", "email"}
    assert "MM/DD/YYYY" in errors["date_of_birth"]
    assert "3 field(s) need attention" in editor.error_banner.label.text()
    assert editor.inputs["date_of_birth"].text() == "31/02/1990"
    assert editor.inputs["email"].text() == "tamsin-at-example"
    assert gui.controller.session.clients.count() == 3


def test_cancel_asks_before_discarding_typed_text(gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.new_client()
    editor = workspace.editor
    gui.qtbot.keyClicks(editor.inputs["first_name"], "Half typed")
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.isVisible() and editor.inputs["first_name"].text() == "Half typed"
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    assert gui.controller.session.drafts.load("client", "new") is None


def test_edit_stage_and_archive_from_the_record(gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("clients")
    gui.qtbot.keyClicks(workspace.clients.search, "olga")  # Ольга does not fold to Latin
    assert roster_names(gui) == []
    assert workspace.clients.stack.currentWidget() is workspace.clients.no_match
    workspace.clients.search.clear()
    gui.qtbot.keyClicks(workspace.clients.search, "odeg")
    assert roster_names(gui) == ["Ødegård, Zoë"]
    assert workspace.clients.count.text() == "1 of 3 clients"
    gui.qtbot.keyClick(workspace.clients.search, Qt.Key.Key_Down)
    gui.qtbot.keyClick(workspace.clients.table, Qt.Key.Key_Return)
    assert workspace.record.name.text() == "Zoë Ødegård"

    gui.key(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    editor = workspace.editor
    editor.inputs["phone"].clear()
    gui.qtbot.keyClicks(editor.inputs["phone"], "(555) 222-9090")
    gui.qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    assert workspace.record.values["phone"].text() == "(555) 222-9090"

    gui.qtbot.mouseClick(workspace.record.stage_button, Qt.MouseButton.LeftButton)
    dialog = workspace.stage_dialog
    assert dialog is not None and dialog.stage.currentText() == "1. Screening"
    gui.qtbot.keyClicks(dialog.note, "PHQ-2 given at first visit")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: workspace.stage_dialog is None)
    assert "Screening" in workspace.record.stage_badge.text()
    history = workspace.record.history
    assert history.item(0, 2).text() == "Screening" and history.item(0, 3).text() == "PHQ-2 given at first visit"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    gui.qtbot.mouseClick(workspace.record.archive_button, Qt.MouseButton.LeftButton)
    assert workspace.record.archived_badge.isVisible()
    workspace.go("clients")
    workspace.clients.search.clear()
    assert "Ødegård, Zoë" not in roster_names(gui)
    workspace.clients.archived.setChecked(True)
    assert "Ødegård, Zoë" in roster_names(gui)


def test_sorting_filters_and_discreet_mode(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("clients")
    assert roster_names(gui) == ["Ánh, Nguyễn Thị", "Ødegård, Zoë", "Петрова, Ольга"]
    header = workspace.clients.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_NAME) + 20
    gui.qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert roster_names(gui)[0] == "Петрова, Ольга"
    workspace.clients.filter_stage(None)
    gui.key(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert sorted(roster_names(gui)) == ["N.Á.", "Z.Ø.", "О.П."]
    model = workspace.clients.model
    assert {model.data(model.index(r, COL_PHONE)) for r in range(3)} == {"•••"}
    from tests.gui.conftest import visible_texts

    assert "Ødegård" not in visible_texts(workspace.clients)


def test_today_counts_and_jumps_to_a_stage(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    today = workspace.today
    assert today.tiles[today.tiles.__iter__().__next__()].count == 3  # all referred
    assert "3 open cases" in today.total.text()
    from app.models.client import Stage

    gui.qtbot.mouseClick(today.tiles[Stage.REFERRED], Qt.MouseButton.LeftButton)
    assert workspace.pages.currentWidget() is workspace.clients
    assert workspace.clients.stage.currentText() == "Referred"
    workspace.open_client(workspace.clients.model.row_at(0).id)
    workspace.go("today")
    assert today.recent.count() == 1


def test_roster_shows_and_filters_by_tier(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    from app.models.risk import Tier
    from app.ui.roster_model import COL_TIER
    from tests.conftest import PASSPHRASE

    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    zoe = next(r for r in session.clients.roster() if r.first_name == "Zoë")
    session.screening.record(zoe.id, "cssrs_screener", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0})
    session.risk.record(zoe.id, session.risk.compute(zoe.id))
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("clients")
    model = workspace.clients.model
    tiers = {model.data(model.index(r, COL_NAME)): model.data(model.index(r, COL_TIER)) for r in range(model.rowCount())}
    assert tiers["Ødegård, Zoë"] == "▲ Crisis"
    assert tiers["Петрова, Ольга"] == "Not yet stratified"
    combo = workspace.clients.tier
    combo.setCurrentIndex(combo.findData(Tier.CRISIS.value))
    assert roster_names(gui) == ["Ødegård, Zoë"]
    combo.setCurrentIndex(combo.findData(""))
    assert "Ødegård, Zoë" not in roster_names(gui) and len(roster_names(gui)) == 2


def test_a_suicide_risk_alert_cannot_be_missed_until_reviewed(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PASSPHRASE

    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    olga = next(r for r in session.clients.roster() if r.first_name == "Ольга")
    session.screening.record(olga.id, "phq9", dict.fromkeys("12345678", 1) | {"9": 1})
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    today = workspace.today
    assert today.alerts_card.isVisible()
    assert "1 suicide-risk alert needs review" in today.alerts_title.text()
    assert "Петрова" in today.alerts.item(0).text() and "PHQ-9" in today.alerts.item(0).text()
    today.alerts.itemActivated.emit(today.alerts.item(0))
    record = workspace.record
    assert workspace.pages.currentWidget() is record
    assert record.alert_banner.isVisible()
    assert "not yet reviewed" in record.alert_banner.label.text() and "988" in record.alert_banner.label.text()
    gui.qtbot.mouseClick(record.review_button, Qt.MouseButton.LeftButton)
    dialog = record.alert_dialog
    gui.qtbot.keyClicks(dialog.note, "ok")
    gui.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.grid.errors["note"].isVisible()  # a sentence is required
    dialog.note.clear()
    gui.qtbot.keyClicks(dialog.note, "C-SSRS asked: Low. Safety plan reviewed with the client.")
    gui.qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert not record.alert_banner.isVisible()
    workspace.go("today")
    assert not today.alerts_card.isVisible()
    reviewed = gui.controller.session.screening.alerts(olga.id)[0]
    assert reviewed.reviewed_by and "Safety plan reviewed" in reviewed.review_note
