"""The care plan, driven like a user: an outline built with the keyboard alone, signed on the pad
with simulated strokes, changed into a new version and compared side by side with the old one;
suggested needs accepted or dismissed; a review with goal attainment; a lock while writing; a
read-only vault. The outline itself is also driven on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTreeWidgetItem, QTreeWidgetItemIterator
from pytestqt.qtbot import QtBot

from app.models.assessment import AboutPerson, AssessmentDocument, DomainRating, LifeDomain
from app.models.care_plan import (
    Agreement,
    Goal,
    GoalLifecycle,
    Intervention,
    Need,
    Objective,
    PlanDocument,
    PlanStatus,
)
from app.models.signature import SignerRole, Stroke, drawn
from app.services.clock import FixedClock
from app.store.db import IntegrityCheck
from app.ui.dialogs.care_plan_editor import CarePlanEditorDialog
from app.ui.dialogs.care_plan_sign import SignCarePlanDialog
from app.ui.record.care_plan_tab import CarePlanTab
from app.ui.widgets.plan_outline import ABOUT, PLAN, PlanOutline
from tests.gui.conftest import Gui, type_text
from tests.gui.test_safety_plan import draw

TODAY = date(2026, 11, 26)
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def open_tab(gui: Gui, first_name: str = "Zoë") -> tuple[CarePlanTab, str]:
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.care_plan_tab)
    gui.qtbot.waitUntil(record.care_plan_tab.isVisible)
    return record.care_plan_tab, client_id


def wait_editor(gui: Gui, tab: CarePlanTab) -> CarePlanEditorDialog:
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    assert tab.editor is not None
    return tab.editor


def wait_sign(gui: Gui, tab: CarePlanTab) -> SignCarePlanDialog:
    gui.qtbot.waitUntil(lambda: tab.sign_dialog is not None and tab.sign_dialog.isVisible())
    assert tab.sign_dialog is not None
    return tab.sign_dialog


def focus() -> object:
    return QApplication.focusWidget()


def typed(gui: Gui, text: str) -> None:
    """Type into whatever has the focus, as a keyboard does."""
    widget = QApplication.focusWidget()
    assert widget is not None
    type_text(widget, text)


def plan_document() -> PlanDocument:
    return PlanDocument(
        about=AboutPerson("Ver a mis nietos", "Texts", "I cook well", "Mi hija", "The bus"),
        discharge_criteria="When I have my own place",
        needs=(Need("n1", LifeDomain.HOUSING, "I might lose my flat", goals=(
            Goal("g1", "Keep my flat", "Arrears paid by 1 March 2027", date(2027, 3, 1), GoalLifecycle.ACTIVE,
                 objectives=(Objective("o1", "Payment plan agreed", "Plan in writing", "Signed", target_on=date(2027, 1, 15),
                                       interventions=(Intervention("i1", "Call the landlord together"),)),)),)),),
    )


def signed_plan(gui: Gui, client_id: str) -> None:
    plans = gui.controller.session.care_plans
    draft = plans.start_draft(client_id)
    plans.save_draft(draft.id, plan_document())
    stroke = Stroke.of([(0.1, 0.6), (0.3, 0.4), (0.5, 0.6)])
    now = gui.controller.session.clock.now()
    plans.activate(draft.id, Agreement.SIGNED, [drawn(SignerRole.CLIENT, "Zoë", now, [stroke]),
                                                drawn(SignerRole.CASE_MANAGER, "J. Rivera", now, [stroke])])


# -- the whole journey ---------------------------------------------------------------------------


def test_build_a_plan_with_the_keyboard_only_then_sign_it_on_the_pad(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    assert tab.stack.currentWidget() is tab.empty and tab.start_button.isVisible()
    assert "No care plan yet" in tab.empty.title.text()
    tab.start_button.setFocus()
    gui.key(Qt.Key.Key_N, CTRL)  # Ctrl+N on the Care plan tab starts the plan (not a new client)
    editor = wait_editor(gui, tab)
    outline = editor.outline
    gui.qtbot.waitUntil(outline.hasFocus)
    assert outline.current_id() == PLAN

    # Enter starts a need and types straight into it; Enter again, then Tab makes the next a goal …
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: isinstance(focus(), QLineEdit))
    typed(gui, "Me da miedo perder mi piso")
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: len(outline.document().needs) == 2 and isinstance(focus(), QLineEdit))
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.waitUntil(lambda: len(outline.document().needs) == 1 and isinstance(focus(), QLineEdit))
    typed(gui, "Keep my flat")
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: len(outline.document().goals()) == 2 and isinstance(focus(), QLineEdit))
    gui.key(Qt.Key.Key_Tab)  # … an objective of that goal …
    gui.qtbot.waitUntil(lambda: len(outline.document().objectives()) == 1 and isinstance(focus(), QLineEdit))
    typed(gui, "Payment plan agreed")
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: len(outline.document().objectives()) == 2 and isinstance(focus(), QLineEdit))
    gui.key(Qt.Key.Key_Tab)  # … and an intervention under it.
    gui.qtbot.waitUntil(lambda: len(outline.document().interventions()) == 1 and isinstance(focus(), QLineEdit))
    typed(gui, "Call the landlord together")
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: len(outline.document().interventions()) == 2 and isinstance(focus(), QLineEdit))
    gui.key(Qt.Key.Key_Escape)  # an empty new item goes again
    gui.qtbot.waitUntil(lambda: len(outline.document().interventions()) == 1 and outline.hasFocus())

    doc = outline.document()
    need = doc.needs[0]
    assert need.client_words == "Me da miedo perder mi piso"
    goal = need.goals[0]
    assert goal.client_words == "Keep my flat"
    assert goal.objectives[0].step == "Payment plan agreed"
    assert goal.objectives[0].interventions[0].action == "Call the landlord together"

    # Delete removes, Ctrl+Z brings it back.
    gui.key(Qt.Key.Key_Delete)
    assert doc.interventions() and not outline.document().interventions()
    assert "Ctrl+Z" in editor.status.text()
    gui.key(Qt.Key.Key_Z, CTRL)
    assert outline.document().interventions()[0].action == "Call the landlord together"

    # The goal's details, from the keyboard: ↑ ↑ to the goal, Ctrl+Tab to its fields, Tab between them.
    assert outline.current_id() == goal.objectives[0].interventions[0].id
    gui.key(Qt.Key.Key_Up)
    gui.key(Qt.Key.Key_Up)
    assert outline.current_id() == goal.id
    gui.key(Qt.Key.Key_Tab, CTRL)
    assert focus() is editor.details.goal_words
    gui.key(Qt.Key.Key_Tab)
    assert focus() is editor.details.goal_smart
    typed(gui, "Arrears paid through a payment plan by 1 March 2027")
    gui.key(Qt.Key.Key_Tab)
    assert focus() is editor.details.goal_target.edit
    typed(gui, "03/01/2027")
    gui.key(Qt.Key.Key_F6)  # back to the outline
    assert outline.hasFocus()
    gui.key(Qt.Key.Key_F4)  # the status, in place: ↓ chooses, Enter keeps it
    gui.qtbot.waitUntil(lambda: focus() is not outline and focus() is not None)
    gui.key(Qt.Key.Key_Down)
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(outline.hasFocus)
    goal = outline.document().goals()[0]
    assert goal.smart.startswith("Arrears paid") and goal.target_on == date(2027, 3, 1)
    assert goal.lifecycle is GoalLifecycle.ACTIVE

    # The objective's measure and date; the intervention as it is; about the person; the plan.
    gui.key(Qt.Key.Key_Down)
    assert outline.current_id() == goal.objectives[0].id
    gui.key(Qt.Key.Key_Tab, CTRL)
    assert focus() is editor.details.objective_step
    gui.key(Qt.Key.Key_Tab)
    assert focus() is editor.details.objective_tracked
    gui.key(Qt.Key.Key_Tab)
    assert focus() is editor.details.objective_measure
    typed(gui, "Plan in writing")
    gui.key(Qt.Key.Key_Tab)
    typed(gui, "Signed by both")
    gui.key(Qt.Key.Key_Tab)
    gui.key(Qt.Key.Key_Tab)
    assert focus() is editor.details.objective_target_on.edit
    typed(gui, "01/15/2027")
    gui.key(Qt.Key.Key_F6)
    gui.key(Qt.Key.Key_Home)
    assert outline.current_id() == ABOUT
    gui.key(Qt.Key.Key_Tab, CTRL)
    assert focus() is editor.details.about["what_matters"]
    typed(gui, "Ver crecer a mis nietos")
    gui.key(Qt.Key.Key_F6)
    gui.key(Qt.Key.Key_Down)
    assert outline.current_id() == PLAN
    gui.key(Qt.Key.Key_Tab, CTRL)
    assert focus() is editor.details.discharge
    typed(gui, "Cuando tenga mi propio piso")
    gui.key(Qt.Key.Key_S, CTRL)
    assert "Draft saved" in editor.status.text()
    draft = gui.controller.session.care_plans.draft(client_id)
    assert draft is not None and draft.document.about.what_matters == "Ver crecer a mis nietos"
    assert draft.document.objectives()[0].target_on == date(2027, 1, 15)

    # Sign: the client and the case manager sign on the pads.
    gui.qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    dialog = wait_sign(gui, tab)
    assert dialog.client_box.name.text() == "Zoë Ødegård"
    draw(gui.qtbot, dialog.client_box.pad, [(40, 80), (90, 50), (140, 95), (200, 60)])
    draw(gui.qtbot, dialog.manager_box.pad, [(50, 70), (120, 40), (190, 90)])
    dialog.manager_box.name.setText("J. Rivera")
    gui.qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.sign_dialog is None)

    plan = gui.controller.session.care_plans.current(client_id)
    assert plan is not None and plan.status is PlanStatus.ACTIVE and plan.agreement is Agreement.SIGNED
    signature = plan.signature(SignerRole.CLIENT)
    assert signature is not None and len(signature.strokes[0].points) == 4
    assert plan.review_on == TODAY + timedelta(days=90)
    assert "now in force" in tab.message.label.text()
    assert "Version 1 · active" in tab.status.text()
    assert tab.review_button.isVisible() and tab.change_button.isVisible() and not tab.sign_button.isVisible()
    texts = [item.text(0) for item in _iterate(tab.outline)]
    assert "Keep my flat" in texts and "Me da miedo perder mi piso" in texts
    tab.outline.select(PLAN)
    assert len(tab.view.signature_pads) == 2 and tab.view.signature_pads[0].canvas.is_read_only()


def _iterate(tree: PlanOutline) -> list[QTreeWidgetItem]:
    found = []
    iterator = QTreeWidgetItemIterator(tree)
    while iterator.value():
        found.append(iterator.value())
        iterator += 1
    return found


def test_a_change_makes_a_new_version_and_the_two_are_compared_side_by_side(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    signed_plan(gui, client_id)
    tab.refresh()
    assert not tab.version_combo.isVisible()
    gui.qtbot.mouseClick(tab.change_button, Qt.MouseButton.LeftButton)
    editor = wait_editor(gui, tab)
    outline = editor.outline
    assert outline.document() == plan_document()  # a new version starts from the plan in force
    outline.select("i1")
    gui.qtbot.waitUntil(outline.hasFocus)
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: isinstance(focus(), QLineEdit))
    typed(gui, "Go to the tenants' advice clinic")
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: len(outline.document().interventions()) == 3)
    gui.key(Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: len(outline.document().interventions()) == 2)
    outline.select("g1")
    gui.key(Qt.Key.Key_F4)
    gui.qtbot.waitUntil(lambda: focus() is not outline)
    gui.key(Qt.Key.Key_Down)  # active → on hold
    gui.key(Qt.Key.Key_Return)
    gui.qtbot.waitUntil(outline.hasFocus)
    gui.key(Qt.Key.Key_Escape)  # close: the draft is kept
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert tab.draft_banner.isVisible() and tab.sign_button.isVisible()
    assert tab.version_combo.isVisible() and tab.version_combo.count() == 2

    dialog = tab.open_diff()
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    assert dialog.old.currentText() == "Version 1 (active)" and dialog.new.currentText() == "Version 2 (draft)"
    assert "1 added · 0 removed · 1 changed" in dialog.summary.text()
    rows = {dialog.tree.topLevelItem(i).text(0): dialog.tree.topLevelItem(i)
            for i in range(dialog.tree.topLevelItemCount())}
    added = next(item for text, item in rows.items() if text.startswith("Added intervention"))
    assert "Go to the tenants' advice clinic" in added.text(0) and "Payment plan agreed" in added.text(0)
    changed = next(item for text, item in rows.items() if text.startswith("Changed goal"))
    status = changed.child(0)
    assert (status.text(0), status.text(1), status.text(2)) == ("Status", "Active", "On hold")
    dialog.accept()


def test_suggested_needs_are_added_written_or_dismissed(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    tab, client_id = open_tab(gui)
    started = session.assessments.start(client_id)
    domains = {d: DomainRating(0, 1, "") for d in LifeDomain}
    domains[LifeDomain.HOUSING] = DomainRating(3, 1, "Notice to leave")
    domains[LifeDomain.FOOD] = DomainRating(2, 0, "Food bank weekly")
    session.assessments.complete(started.id, AssessmentDocument(TODAY, domains=domains, about=AboutPerson("Mi familia")))
    session.screening.record(client_id, "phq9", {str(i): 2 for i in range(1, 10)} | {"9": 0})
    tab.refresh()
    assert "3 suggested needs" in tab.empty.text.text()
    editor = tab.open_editor()
    assert editor is not None
    gui.qtbot.waitUntil(lambda: editor.isVisible() and editor.outline.hasFocus())
    assert [r.suggestion.key for r in editor.suggestion_rows] == ["assessment:housing", "assessment:food",
                                                                  "screen:phq9"]
    assert editor.document().about.what_matters == "Mi familia"
    gui.qtbot.mouseClick(editor.suggestion_rows[0].write_button, Qt.MouseButton.LeftButton)  # add and write
    assert focus() is editor.details.need_words
    typed(gui, "Me van a echar del piso")
    gui.qtbot.mouseClick(editor.suggestion_rows[0].dismiss_button, Qt.MouseButton.LeftButton)  # food: dismissed
    assert [r.suggestion.key for r in editor.suggestion_rows] == ["screen:phq9"]
    need = editor.document().needs[0]
    assert need.domain is LifeDomain.HOUSING and need.client_words == "Me van a echar del piso"
    assert "Notice to leave" in need.summary
    gui.key(Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    again = tab.open_editor()
    assert again is not None
    assert [r.suggestion.key for r in again.suggestion_rows] == ["screen:phq9"]  # dismissed stays dismissed
    again.reject()


def test_a_review_rates_each_goal(gui: Gui, client_vault: Path, clock: FixedClock) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    signed_plan(gui, client_id)
    clock.current = datetime(2026, 11, 26, 15, 0, tzinfo=UTC) + timedelta(days=91)
    tab.refresh()
    assert tab.review_banner.isVisible() and "has come" in tab.review_banner.label.text()
    gui.qtbot.mouseClick(tab.review_now, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.review_dialog is not None and tab.review_dialog.isVisible())
    dialog = tab.review_dialog
    assert dialog is not None
    gui.qtbot.waitUntil(lambda: focus() is dialog.attended)
    gui.key(Qt.Key.Key_S, CTRL)  # nothing filled in yet: the sentences say what is missing
    assert dialog.grid.errors["attended"].isVisible() and dialog.progress_error.isVisible()
    dialog.attended.setFocus()
    typed(gui, "Zoë, her sister and me")
    combo = dialog.gas["g1"]
    combo.setFocus()
    for _n in range(5):  # not rated → −2 → −1 → 0 → +1 → +2
        gui.key(Qt.Key.Key_Down)
    assert combo.currentData() == 2
    gui.key(Qt.Key.Key_S, CTRL)
    gui.qtbot.waitUntil(lambda: tab.review_dialog is None)
    (review,) = gui.controller.session.care_plans.reviews(client_id)
    assert review.gas("g1") == 2 and review.attended == "Zoë, her sister and me"
    assert not tab.review_banner.isVisible() and "is recorded" in tab.message.label.text()
    assert "GAS +2" in next(item.text(1) for item in _iterate(tab.outline) if item.text(0) == "Keep my flat")


def test_a_lock_while_writing_keeps_the_typing(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, _client_id = open_tab(gui)
    editor = tab.open_editor()
    assert editor is not None
    gui.qtbot.waitUntil(editor.outline.hasFocus)
    editor.outline.select(ABOUT)
    editor.details.focus_first()
    type_text(editor.details.about["what_matters"], "Ver crecer a mis nietos")
    gui.controller.lock()
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is None or tab.editor is None)
    assert not editor.isVisible() and tab.outline.topLevelItemCount() == 0
    gui.unlock(client_vault)
    tab, _client_id = open_tab(gui)
    again = tab.open_editor()
    assert again is not None and again.document().about.what_matters == "Ver crecer a mis nietos"
    again.reject()


def test_a_read_only_vault_shows_the_plan_but_offers_no_changes(
    gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    signed_plan(gui, client_id)
    monkeypatch.setattr(gui.controller.session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    tab.refresh()
    assert tab.outline.node("g1") is not None
    assert not any(b.isVisible() for b in (tab.review_button, tab.change_button, tab.sign_button))
    assert tab.open_editor() is None and tab.open_review() is None


# -- the outline on its own ---------------------------------------------------------------------


@pytest.fixture
def outline(qtbot: QtBot) -> PlanOutline:
    widget = PlanOutline()
    qtbot.addWidget(widget)
    widget.set_editable(True)
    widget.set_document(plan_document(), "g1")
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    return widget


def test_the_outline_moves_indents_and_undoes_with_keys(qtbot: QtBot, outline: PlanOutline) -> None:
    messages: list[str] = []
    outline.message.connect(messages.append)
    qtbot.keyClick(outline, Qt.Key.Key_Tab)  # the first goal has nothing above it to go under
    assert "nothing above it" in messages[-1]
    qtbot.keyClick(outline, Qt.Key.Key_Return)  # a new goal below; Esc while it is empty takes it out again
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit) and len(outline.document().goals()) == 2)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: outline.hasFocus() and len(outline.document().goals()) == 1)
    assert not outline.can_redo()

    qtbot.keyClick(outline, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter: a new objective inside the goal
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit) and len(outline.document().objectives()) == 2)
    type_text(QApplication.focusWidget(), "Rent paid on time")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)  # Shift+Tab: one level out — a goal now
    qtbot.waitUntil(lambda: len(outline.document().goals()) == 2 and isinstance(QApplication.focusWidget(), QLineEdit))
    assert outline.document().goals()[1].client_words == "Rent paid on time"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # still being typed in: it stays
    qtbot.waitUntil(outline.hasFocus)
    moved = outline.document().goals()[1].id
    assert outline.current_id() == moved
    qtbot.keyClick(outline, Qt.Key.Key_Up, CTRL)  # Ctrl+↑: above "Keep my flat"
    assert [g.id for g in outline.document().goals()] == [moved, "g1"]
    qtbot.keyClick(outline, Qt.Key.Key_Right, CTRL)  # Ctrl+→ can't: it is first now
    assert "nothing above it" in messages[-1]
    qtbot.keyClick(outline, Qt.Key.Key_Down, CTRL)
    qtbot.keyClick(outline, Qt.Key.Key_Tab)  # under "Keep my flat": an objective now
    assert [o.id for o in outline.document().objectives()] == ["o1", moved]
    outline.undo()
    outline.undo()
    assert [g.id for g in outline.document().goals()] == [moved, "g1"]
    outline.redo()
    assert [g.id for g in outline.document().goals()] == ["g1", moved]
    qtbot.keyClick(outline, Qt.Key.Key_Delete)
    assert [g.id for g in outline.document().goals()] == ["g1"] and "Ctrl+Z" in messages[-1]


def test_the_outline_is_read_only_in_the_record(qtbot: QtBot, outline: PlanOutline) -> None:
    outline.set_editable(False)
    before = outline.document()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Delete, Qt.Key.Key_F2):
        qtbot.keyClick(outline, key)
    qtbot.keyClick(outline, Qt.Key.Key_Up, CTRL)
    assert outline.document() == before
    assert outline.build_menu() is not None  # exists, but no menu is offered when read-only


def test_the_outline_marks_items_that_need_attention_in_words(qtbot: QtBot, outline: PlanOutline) -> None:
    outline.set_problems({"o1": "Give the step a target date."})
    item = outline._items["o1"]
    assert "Give the step a target date." in item.toolTip(0)
    assert "Give the step a target date." in str(item.data(0, Qt.ItemDataRole.AccessibleTextRole))
    replaced = replace(plan_document(), needs=())
    outline.set_document(replaced)
    assert outline.topLevelItemCount() == 2  # about the person, when the plan is done


def test_every_control_of_the_plan_and_its_dialogs_is_named(gui: Gui, client_vault: Path) -> None:
    from tests.gui.test_accessibility import unnamed

    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    signed_plan(gui, client_id)
    tab.refresh()
    assert unnamed(tab) == []
    for row in (ABOUT, PLAN, "n1", "g1", "o1", "i1"):
        tab.outline.select(row)
        assert unnamed(tab) == [], row
    editor = tab.open_editor()
    assert editor is not None
    for row in (ABOUT, PLAN, "n1", "g1", "o1", "i1"):
        editor.outline.select(row)
        assert unnamed(editor) == [], row
    editor.details.objective_tracked.setChecked(True)
    editor.outline.select("o1")
    assert unnamed(editor) == []
    editor.reject()
    for opener in (tab.open_review, tab.open_diff, lambda: tab.change_status(PlanStatus.REVOKED)):
        dialog = opener()
        assert dialog is not None
        assert unnamed(dialog) == [], type(dialog).__name__
        dialog.reject()
    tab._sign_plan(tab.versions[0].id)
    assert tab.sign_dialog is not None and unnamed(tab.sign_dialog) == []
    tab.sign_dialog.reject()


def test_a_client_who_signed_on_paper_has_the_scan_kept_with_the_plan(gui: Gui, client_vault: Path,
                                                                     tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    from app.models.attachments import Link, LinkType
    from tests.test_care_plans import document

    scan = tmp_path / "signed-page.pdf"
    page = canvas.Canvas(str(scan))
    page.drawString(72, 720, "Signed: Z. Ødegård")
    page.save()
    gui.unlock(client_vault)
    tab, client_id = open_tab(gui)
    session = gui.controller.session
    draft = session.care_plans.start_draft(client_id)
    session.care_plans.save_draft(draft.id, document())
    tab.refresh()
    tab._sign_plan(draft.id)
    dialog = wait_sign(gui, tab)
    dialog.paper.setChecked(True)
    assert dialog.scan_button.isVisible() and not dialog.client_box.pad.isEnabled()
    dialog.set_scan(scan)
    assert "signed-page.pdf" in dialog.scan_label.text()
    draw(gui.qtbot, dialog.manager_box.pad, [(50, 70), (120, 40), (190, 90)])
    gui.qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.sign_dialog is None)
    plan = session.care_plans.current(client_id)
    assert plan is not None and plan.agreement is Agreement.SCANNED and plan.attachment_id
    kept = session.attachments.get(plan.attachment_id)
    assert kept.link == Link(LinkType.CARE_PLAN, plan.id) and "Signed care plan" in kept.title
    assert session.attachments.read(kept.id) == scan.read_bytes()
