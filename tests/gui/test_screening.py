"""Screening in the client record, driven like a user: keyboard first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.models.client import Stage
from app.ui.dialogs.administer import AdministerDialog
from app.ui.widgets.instrument_form import ItemRow
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui


def open_record(gui: Gui, first_name: str) -> str:
    session = gui.controller.session
    assert session is not None
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    gui.controller.workspace.open_client(client_id)
    return client_id


def press(gui: Gui, *keys: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    for key in keys:
        gui.key(key, modifiers)


def wait_dialog(gui: Gui, instrument_id: str) -> AdministerDialog:
    tab = gui.controller.workspace.record.screening_tab
    gui.qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible()
                        and tab.dialog.instrument.id == instrument_id)
    dialog = tab.dialog
    assert dialog is not None
    gui.qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), ItemRow))
    return dialog


DIGITS = {0: Qt.Key.Key_0, 1: Qt.Key.Key_1, 2: Qt.Key.Key_2, 3: Qt.Key.Key_3}


def test_a_phq9_by_keyboard_alone_raises_the_alert_and_records_its_review(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Zoë")
    record = gui.controller.workspace.record
    assert not record.alert_banner.isVisible()
    record.setFocus()
    press(gui, Qt.Key.Key_G, modifiers=Qt.KeyboardModifier.ControlModifier)  # Ctrl+G: give a screen
    assert record.tabs.currentWidget() is record.screening_tab
    gui.qtbot.waitUntil(lambda: hasattr(record.screening_tab, "picker"))
    picker = record.screening_tab.picker
    gui.qtbot.waitUntil(picker.isVisible)
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.list)
    press(gui, Qt.Key.Key_Down, Qt.Key.Key_Return)  # PHQ-2 is first, the PHQ-9 next
    dialog = wait_dialog(gui, "phq9")
    answers = [1, 2, 1, 0, 1, 2, 1, 0, 1]  # item 9 = 1
    for number, value in enumerate(answers, start=1):
        assert QApplication.focusWidget() is dialog.form.rows[number - 1], f"item {number} has the focus"
        press(gui, DIGITS[value])
    assert dialog.form.flag_banner.isVisible()  # warned before saving
    assert "Total 9 of 27" in dialog.score_bar.score.text() and "Mild" in dialog.score_bar.score.text()
    press(gui, Qt.Key.Key_1)  # item 10, the unscored difficulty question, then focus moves on
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.save_button)
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == 1
    assert dialog.result_alert.isVisible() and "Suicide-risk alert raised" in dialog.result_alert.label.text()
    assert "988" in dialog.crisis.text()
    saved = gui.controller.session.screening.history(client_id, "phq9")
    assert [a.total for a in saved] == [9] and saved[0].answers["9"] == 1 and saved[0].flags
    assert record.alert_banner.isVisible() and "988" in record.alert_banner.label.text()
    # The C-SSRS is offered first; Tab twice reaches "Review the alert now…".
    assert QApplication.focusWidget().text() == "Ask the C-SSRS screener now"
    press(gui, Qt.Key.Key_Tab, Qt.Key.Key_Tab)
    assert QApplication.focusWidget().text() == "Review the alert now…"
    press(gui, Qt.Key.Key_Space)
    gui.qtbot.waitUntil(lambda: getattr(record, "alert_dialog", None) is not None and record.alert_dialog.isVisible())
    review = record.alert_dialog
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is review.note)
    gui.qtbot.keyClicks(review.note, "C-SSRS asked: Low. Safety plan written; 988 given.")
    press(gui, Qt.Key.Key_Tab, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: not review.isVisible())
    assert not record.alert_banner.isVisible()
    alert = gui.controller.session.screening.alerts(client_id)[0]
    assert alert.reviewed_by and alert.reviewed_at and "Safety plan written" in alert.review_note
    gui.controller.workspace.go("today")
    assert not gui.controller.workspace.today.alerts_card.isVisible()


def test_a_positive_phq2_goes_on_to_the_phq9_with_its_answers_carried_over(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Ольга")
    tab = gui.controller.workspace.record.screening_tab
    gui.controller.workspace.record.tabs.setCurrentWidget(tab)
    tab.give("phq2")
    dialog = wait_dialog(gui, "phq2")
    press(gui, Qt.Key.Key_2, Qt.Key.Key_3)
    assert "positive screen" in dialog.score_bar.score.text()
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert dialog.result_next.isVisible() and "PHQ-9" in dialog.result_next.label.text()
    assert QApplication.focusWidget().text() == "Continue to the PHQ-9"
    press(gui, Qt.Key.Key_Return)
    full = wait_dialog(gui, "phq9")
    assert full.form.answers()["1"] == 2 and full.form.answers()["2"] == 3
    assert QApplication.focusWidget() is full.form.rows[2]  # straight on to item 3
    assert [a.total for a in gui.controller.session.screening.history(client_id, "phq2")] == [5]
    assert tab.screens.rowCount() == 1 and "5" in tab.screens.item(0, 2).text()


def test_a_negative_brief_screen_stops_there(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    open_record(gui, "Ольга")
    tab = gui.controller.workspace.record.screening_tab
    tab.give("gad2")
    dialog = wait_dialog(gui, "gad2")
    press(gui, Qt.Key.Key_0, Qt.Key.Key_1, Qt.Key.Key_Return)
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == 1
    assert not dialog.result_next.isVisible() and not dialog.result_alert.isVisible()
    assert QApplication.focusWidget() is dialog.done_button


def test_declined_items_and_skip_rules_in_the_form(gui: Gui, client_vault: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, title, *_a: asked.append(title) or QMessageBox.StandardButton.Save)
    gui.unlock(client_vault)
    client_id = open_record(gui, "Ольга")
    tab = gui.controller.workspace.record.screening_tab
    tab.give("cssrs_screener")
    dialog = wait_dialog(gui, "cssrs_screener")
    rows = {row.item.id: row for row in dialog.form.rows}
    assert not rows["q3"].isVisible()  # asked only after a yes to Q2
    press(gui, Qt.Key.Key_Y, Qt.Key.Key_Y)  # Q1, Q2 yes
    assert rows["q3"].isVisible() and QApplication.focusWidget() is rows["q3"]
    press(gui, Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_D, Qt.Key.Key_N)  # Q3 yes, Q4 no, Q5 declined, Q6 no
    assert rows["q5"].declined and "Moderate" in dialog.score_bar.score.text()
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Save without a score?"]  # a declined question leaves the screener incomplete
    admin = gui.controller.session.screening.history(client_id, "cssrs_screener")[0]
    assert admin.declined == ("q5",) and admin.risk == "Moderate" and admin.flags  # Moderate raises an alert
    assert gui.controller.session.screening.open_alerts(client_id)


def test_answers_given_before_a_lock_come_back(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Ольга")
    tab = gui.controller.workspace.record.screening_tab
    tab.give("gad7")
    wait_dialog(gui, "gad7")
    press(gui, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_1)
    gui.controller.lock("idle")
    assert gui.controller.workspace is None
    gui.unlock(client_vault, PASSPHRASE)
    gui.controller.workspace.open_client(client_id)
    tab = gui.controller.workspace.record.screening_tab
    tab.give("gad7")
    dialog = wait_dialog(gui, "gad7")
    assert [dialog.form.answers()[i] for i in "123"] == [3, 2, 1]
    assert dialog.banner.isVisible() and "are back" in dialog.banner.label.text()
    assert QApplication.focusWidget() is dialog.form.rows[3]


def test_referral_then_decision_moves_the_case(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Nguyễn Thị")
    record = gui.controller.workspace.record
    tab = record.screening_tab
    record.tabs.setCurrentWidget(tab)
    assert tab.empty.isVisible()
    gui.qtbot.mouseClick(tab.referral_button, Qt.MouseButton.LeftButton)
    dialog = tab.form_dialog
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.received.edit)
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.grid.errors["reason"].isVisible()  # the reason is required
    gui.qtbot.keyClicks(dialog.reason, "Low mood since losing work")
    dialog.source.setCurrentText("Primary care")
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert gui.controller.session.clients.get(client_id).stage is Stage.SCREENING
    assert tab.referral_values["reason"].text() == "Low mood since losing work"
    assert "Screening" in record.stage_badge.text()
    gui.qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
    decision = tab.form_dialog
    gui.qtbot.waitUntil(lambda: decision.isAncestorOf(QApplication.focusWidget()))
    gui.qtbot.keyClicks(decision.reason, "Meets criteria and wants support")
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert not decision.isVisible()
    assert gui.controller.session.clients.get(client_id).stage is Stage.ASSESSING
    assert "Enrol" in tab.referral_values["decision"].text() and not tab.decide_button.isVisible()


def test_a_score_from_another_tool(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Nguyễn Thị")
    tab = gui.controller.workspace.record.screening_tab
    gui.controller.workspace.record.tabs.setCurrentWidget(tab)
    gui.qtbot.mouseClick(tab.external_button, Qt.MouseButton.LeftButton)
    dialog = tab.form_dialog
    gui.qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()))
    dialog.tool.setCurrentText("LOCUS")
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and "total, the level" in dialog.grid.errors["total"].text()
    gui.qtbot.keyClicks(dialog.level, "Level 3")
    press(gui, Qt.Key.Key_S, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert [e.level for e in gui.controller.session.screening.external_scores(client_id)] == ["Level 3"]
    assert tab.external.rowCount() == 1 and tab.external.item(0, 1).text() == "LOCUS"
