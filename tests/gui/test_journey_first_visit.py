"""UI.md journey 1, the first home visit: a referral, a positive PHQ-2, a PHQ-9 with item 9 = 1,
the alert, the C-SSRS, a safety plan, the decision, an assessment, and a tier that explains itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.models.assessment import AssessmentDocument, DomainRating, LifeDomain, RiskFacts
from app.models.client import Stage
from app.models.risk import Adherence, Domain, Housing, Support, Tier
from app.models.safety_plan import Contact, PlanContent
from app.models.signature import SignerRole, Stroke, drawn
from tests.gui.conftest import Gui
from tests.gui.test_screening import DIGITS, open_record, press, wait_dialog

CTRL = Qt.KeyboardModifier.ControlModifier


def test_first_home_visit_from_referral_to_an_explained_tier(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    client_id = open_record(gui, "Zoë")
    session = gui.controller.session
    record = gui.controller.workspace.record
    tab = record.screening_tab
    record.tabs.setCurrentWidget(tab)

    # Stage 1: the referral.
    gui.qtbot.mouseClick(tab.referral_button, Qt.MouseButton.LeftButton)
    referral = tab.form_dialog
    gui.qtbot.waitUntil(lambda: referral.isAncestorOf(QApplication.focusWidget()))
    gui.qtbot.keyClicks(referral.reason, "Low mood; stopped going out since the winter")
    press(gui, Qt.Key.Key_S, modifiers=CTRL)
    assert session.clients.get(client_id).stage is Stage.SCREENING

    # PHQ-2 positive → PHQ-9 with items 1–2 carried over; item 9 = 1.
    tab.give("phq2")
    wait_dialog(gui, "phq2")
    press(gui, Qt.Key.Key_2, Qt.Key.Key_2)
    press(gui, Qt.Key.Key_S, modifiers=CTRL)
    press(gui, Qt.Key.Key_Return)  # "Continue to the PHQ-9"
    phq9 = wait_dialog(gui, "phq9")
    for value in (2, 1, 2, 1, 1, 2, 1):  # items 3–9
        press(gui, DIGITS[value])
    press(gui, Qt.Key.Key_1)  # item 10
    press(gui, Qt.Key.Key_S, modifiers=CTRL)
    assert phq9.result_alert.isVisible() and "988" in phq9.crisis.text()
    assert record.alert_banner.isVisible()

    # The alert offers the C-SSRS first: Q1 yes, Q2 no, Q6 no → Low.
    press(gui, Qt.Key.Key_Return)
    cssrs = wait_dialog(gui, "cssrs_screener")
    press(gui, Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_N)
    press(gui, Qt.Key.Key_S, modifiers=CTRL)
    assert "Low" in cssrs.result_title.text()
    assert tab.referral_values["screens"].text() == "PHQ-2, PHQ-9, C-SSRS screener (answers)"

    # The safety plan, written with the client and signed on the laptop (the tab's own tests drive
    # the editor and the pad; here the plan comes in through the service the tab uses).
    plans = session.safety_plans
    content = PlanContent(worth_living_for="Zoë's daughter", warning_signs=("Staying in bed all day",),
                          coping=("Call my sister and walk",), helpers=(Contact("Ingrid", "(555) 010-2233"),))
    today = session.clock.today()
    draft = plans.save_draft(client_id, content, today + timedelta(days=30))
    stroke = Stroke.of([(0.1, 0.6), (0.3, 0.4), (0.5, 0.6)])
    plans.activate(draft.id, [drawn(SignerRole.CLIENT, "Zoë", session.clock.now(), [stroke]),
                              drawn(SignerRole.CASE_MANAGER, "J. Rivera", session.clock.now(), [stroke])])
    record.navigate("safety_plan")
    assert record.tabs.currentWidget() is record.safety_plan_tab

    # The alert is reviewed; the decision enrols the client.
    record.navigate("review_alert")
    review = record.alert_dialog
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is review.note)
    gui.qtbot.keyClicks(review.note, "C-SSRS Low; safety plan written and signed; 988 given.")
    press(gui, Qt.Key.Key_Tab, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: not record.alert_banner.isVisible())
    record.tabs.setCurrentWidget(tab)
    gui.qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
    decision = tab.form_dialog
    gui.qtbot.waitUntil(lambda: decision.isAncestorOf(QApplication.focusWidget()))
    gui.qtbot.keyClicks(decision.reason, "Meets criteria; wants support")
    press(gui, Qt.Key.Key_S, modifiers=CTRL)
    assert session.clients.get(client_id).stage is Stage.ASSESSING

    # Stage 2: the assessment (its own tests drive the editor).
    document = AssessmentDocument(
        assessed_on=today, domains={d: DomainRating(1, 1, "") for d in LifeDomain},
        facts=RiskFacts(Housing.AT_RISK, Adherence.NOT_APPLICABLE, Support.ONE, False, False))
    session.assessments.complete(session.assessments.start(client_id).id, document)

    # Stage 3: the tier, computed from the screens and the assessment, explained, recorded.
    record.reload()
    record.tabs.setCurrentWidget(record.risk_tab)
    risk = record.risk_tab
    why = risk.why.table
    evidence = {why.item(r, 0).text(): why.item(r, 2).text() for r in range(why.rowCount())}
    assert "C-SSRS screener Low" in evidence[Domain.SUICIDE.label]
    assert "PHQ-9 14" in evidence[Domain.SYMPTOMS.label]
    assert "Housing at risk" in evidence[Domain.HOUSING.label] and "Assessment" in evidence[Domain.HOUSING.label]
    assert "PHQ-9 item 9 = 1" in risk.why.floors.text()  # item 9 = 1 keeps the tier at least Moderate
    assert risk.record_button.text() == "Record Moderate"
    gui.qtbot.mouseClick(risk.record_button, Qt.MouseButton.LeftButton)
    assert session.risk.current(client_id) is Tier.MODERATE
    assert session.clients.get(client_id).stage is Stage.STRATIFYING
    assert "Moderate" in record.tier_badge.text() and "Contact every 14 days" in risk.cadence.text()
