"""The Risk tab: the tier, why it is what it is, recording it, overriding it, and its history."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.models.client import Stage
from app.models.risk import Domain, Tier
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui


def _scores(services, vault: Path, first_name: str, item9: int = 0) -> str:  # type: ignore[no-untyped-def]
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    session.screening.record(client_id, "phq9", dict.fromkeys("12345678", 2) | {"9": item9})  # 16 (+ item 9)
    session.screening.record(client_id, "gad7", dict.fromkeys("1234567", 1))  # 7
    session.close()
    return client_id


def _open_risk(gui: Gui, client_id: str):  # type: ignore[no-untyped-def]
    gui.controller.workspace.open_client(client_id)
    record = gui.controller.workspace.record
    record.tabs.setCurrentWidget(record.risk_tab)
    return record, record.risk_tab


def test_why_this_tier_then_record_it(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    client_id = _scores(services, client_vault, "Zoë")
    gui.unlock(client_vault)
    record, tab = _open_risk(gui, client_id)
    assert "Not yet stratified" in tab.tier.text()
    assert tab.view_now.isChecked() and not tab.view_recorded.isEnabled()
    table = tab.why.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert len(rows) == 7
    symptoms = rows[Domain.SYMPTOMS.label]
    assert table.item(symptoms, 1).text().startswith("2") and "PHQ-9 16" in table.item(symptoms, 2).text()
    housing = rows[Domain.HOUSING.label]
    assert "counts as 0" in table.item(housing, 2).text()  # nothing on file is said, not hidden
    assert "Total 2 of 21" in tab.why.sum.text() and "Low" in tab.why.sum.text()
    assert tab.record_button.text() == "Record Low"
    gui.qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    assert "Low" in tab.tier.text() and tab.history.rowCount() == 1
    assert tab.view_recorded.isChecked() and "Contact every 30 days" in tab.cadence.text()
    assert "Low" in record.tier_badge.text()
    assert gui.controller.session.clients.get(client_id).stage is Stage.STRATIFYING
    assert gui.controller.session.risk.history(client_id)[0].cadence.contact_days == 30


def test_a_floor_is_explained(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    client_id = _scores(services, client_vault, "Ольга", item9=2)
    gui.unlock(client_vault)
    _record, tab = _open_risk(gui, client_id)
    assert "with no C-SSRS since" in tab.why.floors.text() and "So the tier is ● High" in tab.why.floors.text()
    assert tab.record_button.text() == "Record High"


def test_override_needs_a_reason_and_leaving_crisis_a_reassessment(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    client_id = _scores(services, client_vault, "Nguyễn Thị")
    gui.unlock(client_vault)
    record, tab = _open_risk(gui, client_id)
    gui.qtbot.mouseClick(tab.override_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    dialog.choices.button(list(Tier).index(Tier.CRISIS)).setChecked(True)
    gui.qtbot.keyClicks(dialog.reason, "too short")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "at least 10 characters" in dialog.grid.errors["reason"].text()
    assert dialog.reason.toPlainText() == "too short"  # kept
    gui.qtbot.keyClicks(dialog.reason, ": told me tonight she has a plan and the means.")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert "Crisis" in tab.tier.text() and "override of the computed Low" in tab.recorded.text()
    assert "Crisis" in record.tier_badge.text()
    assert "Override (computed Low)" in tab.history.item(0, 2).text()
    # Stepping down from Crisis needs a documented reassessment.
    gui.qtbot.mouseClick(tab.override_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    dialog.choices.button(list(Tier).index(Tier.HIGH)).setChecked(True)
    assert dialog.reassessed.isVisible()
    gui.qtbot.keyClicks(dialog.reason, "Safety plan in place; means removed by her brother.")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "reassessment" in dialog.grid.errors["tier_reassessed"].text()
    dialog.reassessed.setChecked(True)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and "High" in tab.tier.text()
    history = gui.controller.session.risk.history(client_id)
    assert [r.tier for r in history] == [Tier.CRISIS, Tier.HIGH] and history[-1].reassessment
    tab.history.selectRow(1)  # the older record: its evidence as it stood then
    assert tab.view_recorded.isChecked() and "Total 2 of 21" in tab.why.sum.text()
