"""The safety plan, driven like a user: written with the keyboard, signed on the pad, changed into
a new version with the old one kept; the pad itself with a mouse, a pen and a finger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.models.safety_plan import Contact, PlanContent, PlanStatus, Section
from app.models.signature import SignerRole, Stroke, drawn
from app.store.db import IntegrityCheck
from app.ui.dialogs.safety_plan_editor import SafetyPlanEditorDialog
from app.ui.dialogs.safety_plan_sign import SignSafetyPlanDialog
from app.ui.record.safety_plan_tab import SafetyPlanTab
from app.ui.widgets.signature_pad import SignaturePad
from tests.gui.conftest import Gui, type_text

TODAY = date(2026, 11, 26)


def open_plan_tab(gui: Gui, first_name: str = "Zoë") -> tuple[SafetyPlanTab, str]:
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.safety_plan_tab)
    gui.qtbot.waitUntil(record.safety_plan_tab.isVisible)
    return record.safety_plan_tab, client_id


def wait_editor(gui: Gui, tab: SafetyPlanTab) -> SafetyPlanEditorDialog:
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    assert tab.editor is not None
    return tab.editor


def wait_sign(gui: Gui, tab: SafetyPlanTab) -> SignSafetyPlanDialog:
    gui.qtbot.waitUntil(lambda: tab.sign_dialog is not None and tab.sign_dialog.isVisible())
    assert tab.sign_dialog is not None
    return tab.sign_dialog


def draw(qtbot: QtBot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    canvas = pad.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for x, y in points[1:-1]:
        qtbot.mouseMove(canvas, QPoint(x, y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def signed_plan(gui: Gui, client_id: str) -> None:
    """A signed first version, written through the service (as another session would)."""
    session = gui.controller.session
    plans = session.safety_plans
    content = PlanContent(worth_living_for="Mi abuela Rosa", warning_signs=("Not sleeping",),
                          coping=("Walk by the river",), helpers=(Contact("Inés", "(555) 010-9876"),))
    draft = plans.save_draft(client_id, content, TODAY + timedelta(days=30))
    stroke = Stroke.of([(0.1, 0.6), (0.3, 0.4), (0.5, 0.6)])
    now = session.clock.now()
    plans.activate(draft.id, [drawn(SignerRole.CLIENT, "Zoë", now, [stroke]),
                              drawn(SignerRole.CASE_MANAGER, "J. Rivera", now, [stroke])])


# -- the whole journey ---------------------------------------------------------------------------


def test_write_a_plan_with_the_keyboard_sign_it_on_the_pad_and_see_it_in_force(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_plan_tab(gui)
    assert tab.stack.currentWidget() is tab.empty and tab.write_button.isVisible()
    gui.qtbot.mouseClick(tab.write_button, Qt.MouseButton.LeftButton)
    editor = wait_editor(gui, tab)
    qtbot = gui.qtbot

    type_text(editor.worth, "Mi nieta Sofía")
    signs = editor.lines[Section.WARNING_SIGNS]
    qtbot.keyClicks(signs.edits[0], "Lying awake going over things")
    qtbot.keyClick(signs.edits[0], Qt.Key.Key_Return)  # Enter adds a line and moves to it
    assert len(signs.edits) == 2
    qtbot.waitUntil(signs.edits[1].hasFocus)
    type_text(signs.edits[1], "Pensar que soy una carga")
    qtbot.keyClick(signs.edits[1], Qt.Key.Key_Return)
    qtbot.keyClick(signs.edits[2], Qt.Key.Key_Return)  # Enter on the empty last line moves on
    qtbot.waitUntil(editor.barriers[Section.WARNING_SIGNS].hasFocus)
    coping = editor.lines[Section.COPING]
    qtbot.keyClicks(coping.edits[0], "Headphones and a walk")

    helpers = editor.rows[Section.HELPERS]
    type_text(helpers.rows[0][0], "Inés (sister)")
    qtbot.keyClick(helpers.rows[0][0], Qt.Key.Key_Return)  # Enter moves along the row …
    qtbot.waitUntil(helpers.rows[0][1].hasFocus)
    qtbot.keyClicks(helpers.rows[0][1], "(555) 010-9876")
    qtbot.keyClick(helpers.rows[0][1], Qt.Key.Key_Return)  # … and at its end starts a new row
    assert len(helpers.rows) == 2
    qtbot.waitUntil(helpers.rows[1][0].hasFocus)

    means = editor.rows[Section.MEANS]
    qtbot.keyClicks(means.rows[0][0], "Spare medicines")
    type_text(means.rows[0][1], "Inés")
    qtbot.keyClicks(means.rows[0][2].edit, "11/28/2026")
    editor.likelihood[Section.HELPERS].setCurrentIndex(3)  # "Likely"
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    draft = gui.controller.session.safety_plans.draft(client_id)
    assert draft is not None and draft.content.warning_signs == ("Lying awake going over things",
                                                                  "Pensar que soy una carga")
    assert "Draft saved" in editor.status.text()

    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.editor is None)
    dialog = wait_sign(gui, tab)
    assert dialog.client_box.name.text() == "Zoë Ødegård"
    draw(qtbot, dialog.client_box.pad, [(40, 80), (90, 50), (140, 95), (200, 60), (260, 85)])
    assert len(dialog.client_box.pad.strokes()) == 1
    draw(qtbot, dialog.manager_box.pad, [(50, 70), (120, 40), (190, 90)])
    dialog.manager_box.name.setText("J. Rivera")
    dialog.copy_given.setChecked(True)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.sign_dialog is None)

    plan = gui.controller.session.safety_plans.current(client_id)
    assert plan is not None and plan.status is PlanStatus.ACTIVE and plan.copy_given_on == TODAY
    client_signature = plan.signature(SignerRole.CLIENT)
    assert client_signature is not None and len(client_signature.strokes[0].points) == 5
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in client_signature.strokes[0].points)
    assert plan.content.means[0].by_when == date(2026, 11, 28)
    assert tab.view.worth_label is not None and tab.view.worth_label.text() == "Mi nieta Sofía"
    assert tab.view.crisis_label is not None and "988" in tab.view.crisis_label.text()
    assert "now in force" in tab.message.label.text()
    assert "Version 1 · in force since" in tab.status.text()
    assert not tab.sign_button.isVisible() and not tab.copy_button.isVisible()
    assert len(tab.view.signature_pads) == 2 and tab.view.signature_pads[0].canvas.is_read_only()


def test_changing_the_plan_makes_a_new_version_and_the_old_one_stays_viewable(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_plan_tab(gui)
    signed_plan(gui, client_id)
    tab.refresh()
    first = gui.controller.session.safety_plans.current(client_id)
    assert first is not None and not tab.versions_panel.isVisible()
    gui.qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    editor = wait_editor(gui, tab)
    coping = editor.lines[Section.COPING]
    assert coping.lines()[0] == "Walk by the river"  # a new version starts from the plan in force
    gui.qtbot.keyClick(coping.edits[0], Qt.Key.Key_Return)  # on to the empty line kept ready at the end
    gui.qtbot.waitUntil(coping.edits[1].hasFocus)
    type_text(coping.edits[1], "Llamar a mi prima")
    gui.qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    dialog = wait_sign(gui, tab)

    # Keyboard only: the client agrees verbally, with the reason.
    dialog.client_box.verbal.setFocus()
    gui.qtbot.keyClick(dialog.client_box.verbal, Qt.Key.Key_Space)
    assert dialog.client_box.verbal.isChecked() and not dialog.client_box.pad.isEnabled()
    gui.qtbot.keyClicks(dialog.client_box.reason, "Agreed by phone")
    draw(gui.qtbot, dialog.manager_box.pad, [(50, 70), (120, 40), (190, 90)])
    gui.qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.sign_dialog is None)

    plans = gui.controller.session.safety_plans
    second = plans.current(client_id)
    assert second is not None and second.version == 2
    assert second.content.coping == ("Walk by the river", "Llamar a mi prima")
    assert second.signature(SignerRole.CLIENT).verbal  # type: ignore[union-attr]
    old = plans.get(first.id)
    assert old.status is PlanStatus.SUPERSEDED and old.content == first.content
    assert tab.versions_panel.isVisible() and tab.version_list.count() == 2
    assert "Version 1" in tab.version_list.item(1).text()

    tab.version_list.setCurrentRow(1)  # view the superseded version, read-only
    assert tab.shown is not None and tab.shown.id == first.id
    assert tab.past_banner.isVisible() and "kept exactly as it was signed" in tab.past_banner.label.text()
    coping_card = tab.view.section_cards[Section.COPING]
    assert "Llamar a mi prima" not in " ".join(w.text() for w in coping_card.findChildren(QLabel))
    gui.qtbot.mouseClick(tab.past_banner.buttons.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    assert tab.shown is not None and tab.shown.id == second.id and not tab.past_banner.isVisible()


def test_problems_are_shown_next_to_the_fields_and_nothing_typed_is_lost(
    gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_plan_tab(gui, "Ольга")
    tab.open_editor()
    editor = wait_editor(gui, tab)
    type_text(editor.lines[Section.COPING].edits[0], "Музыка в наушниках")
    means = editor.rows[Section.MEANS]
    gui.qtbot.keyClicks(means.rows[0][1], "My brother")
    gui.qtbot.keyClicks(means.rows[0][2].edit, "31/31/2026")
    gui.qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and tab.sign_dialog is None
    assert editor.lines[Section.WARNING_SIGNS].error.isVisible()
    assert "warning sign" in editor.lines[Section.WARNING_SIGNS].error.text()
    assert "at least one person" in editor.rows[Section.HELPERS].error.text()
    row_error = means.row_errors[0].text()
    assert "Say what is being made safer" in row_error and "is not a date" in row_error
    assert "4 things need attention" in editor.error_banner.label.text()
    assert editor.lines[Section.COPING].lines()[0] == "Музыка в наушниках"
    assert means.rows[0][2].text() == "31/31/2026"

    # Closing with a date that can't be read: warned once, then closed with the typing kept.
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.isVisible() and "close again" in editor.error_banner.label.text()
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: tab.editor is None)

    again = tab.open_editor()
    assert again is not None
    assert again.lines[Section.COPING].lines()[0] == "Музыка в наушниках"
    assert again.rows[Section.MEANS].rows[0][2].text() == "31/31/2026"
    assert "restored" in again.draft_banner.label.text()

    # Fix the date and close: kept as the plan's draft; the tab offers to continue or discard it.
    when = again.rows[Section.MEANS].rows[0][2].edit
    when.selectAll()
    gui.qtbot.keyClick(when, Qt.Key.Key_Delete)
    gui.qtbot.keyClicks(again.rows[Section.MEANS].rows[0][0], "Car keys")
    gui.qtbot.mouseClick(again.close_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    draft = gui.controller.session.safety_plans.draft(client_id)
    assert draft is not None and draft.content.coping == ("Музыка в наушниках",)
    assert tab.draft_banner.isVisible() and tab.sign_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    gui.qtbot.mouseClick(tab.discard_button, Qt.MouseButton.LeftButton)
    assert gui.controller.session.safety_plans.draft(client_id) is None
    assert tab.stack.currentWidget() is tab.empty


def test_a_lock_while_writing_keeps_the_typing(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    tab, _client_id = open_plan_tab(gui)
    editor = tab.open_editor()
    assert editor is not None
    type_text(editor.worth, "Ver crecer a mis nietos")
    gui.controller.lock()
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is None or tab.editor is None)
    assert not editor.isVisible() and tab.view.plan is None
    gui.unlock(client_vault)
    tab, _client_id = open_plan_tab(gui)
    editor = tab.open_editor()
    assert editor is not None and editor.worth.text() == "Ver crecer a mis nietos"


def test_a_read_only_vault_shows_the_plan_but_offers_no_changes(
    gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_plan_tab(gui)
    signed_plan(gui, client_id)
    monkeypatch.setattr(gui.controller.session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    tab.refresh()
    assert tab.view.worth_label is not None and tab.view.worth_label.text() == "Mi abuela Rosa"
    assert not any(b.isVisible() for b in (tab.edit_button, tab.sign_button, tab.copy_button))
    assert tab.open_editor() is None


# -- the signature pad on its own ------------------------------------------------------------------


@pytest.fixture
def pad(qtbot: QtBot) -> SignaturePad:
    widget = SignaturePad("Client signature")
    qtbot.addWidget(widget)
    widget.resize(420, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_pad_records_mouse_strokes_normalised_with_undo_and_clear(qtbot: QtBot, pad: SignaturePad) -> None:
    assert pad.is_empty and not pad.undo_button.isEnabled()
    assert "Agreed verbally" in pad.canvas.accessibleDescription()
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, [(30, 60), (80, 90), (130, 40)])
    draw(qtbot, pad, [(200, 70), (250, 70)])
    strokes = pad.strokes()
    assert [len(s.points) for s in strokes] == [3, 2] and strokes[0].pressure == ()
    area = pad.canvas.area()
    x, y = strokes[0].points[0]
    assert x == pytest.approx((30 - area.left()) / area.width(), abs=1e-3)
    assert y == pytest.approx((60 - area.top()) / area.height(), abs=1e-3)
    assert "2 strokes" in pad.canvas.accessibleDescription()
    qtbot.keyClick(pad.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pad.strokes()) == 1
    qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty


def test_a_kept_signature_is_shown_read_only(qtbot: QtBot, pad: SignaturePad) -> None:
    stroke = Stroke.of([(0.1, 0.5), (0.9, 0.5)])
    pad.show_signature(drawn(SignerRole.CLIENT, "Zoë", datetime(2026, 1, 1, tzinfo=UTC), [stroke], aspect=2.0))
    assert pad.aspect == 2.0 and not pad.tools.isVisible()
    draw(qtbot, pad, [(30, 60), (80, 90)])
    assert pad.strokes() == [stroke]
    pad.grab()  # paints without error


def test_the_pad_takes_a_pen_with_pressure(pad: SignaturePad) -> None:
    canvas = pad.canvas
    pen = QPointingDevice("test pen", 4242, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)

    def send(kind: QEvent.Type, x: float, y: float, pressure: float) -> bool:
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        event = QTabletEvent(kind, pen, QPointF(x, y), QPointF(canvas.mapToGlobal(QPoint(int(x), int(y)))), pressure,
                             0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(canvas, event)
        return event.isAccepted()

    assert send(QEvent.Type.TabletPress, 40, 50, 0.3)
    send(QEvent.Type.TabletMove, 90, 70, 0.8)
    send(QEvent.Type.TabletRelease, 140, 60, 0.5)
    (stroke,) = pad.strokes()
    assert len(stroke.points) == 3 and stroke.pressure == (0.3, 0.8, 0.5)
    pad.grab()  # the varying width paints


def test_the_pad_takes_a_finger(pad: SignaturePad) -> None:
    canvas = pad.canvas
    assert canvas.testAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    screen = QTest.createTouchDevice()
    QTest.touchEvent(canvas, screen).press(0, QPoint(60, 40)).commit()
    QTest.touchEvent(canvas, screen).move(0, QPoint(120, 70)).commit()
    QTest.touchEvent(canvas, screen).release(0, QPoint(180, 50)).commit()
    (stroke,) = pad.strokes()
    assert len(stroke.points) == 3
    assert stroke.points[0] == pytest.approx(canvas.to_unit(QPointF(60, 40)), abs=0.02)
