"""The record's Follow-ups tab and the home-visit tools, driven like a user: an overdue visit
completed into a contact note that opens prefilled; proposals accepted through the editor and
dismissed after a confirmation; a missed contact at High tier; one visit of a series cancelled and
a series ended; a visit check-in that turns into an overdue warning as the clock moves on; the
mileage log's totals; the calendar file written and read back with icalendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.i18n import date_example, format_time
from app.models.follow_ups import FollowUpFields, FollowUpType, ProposalSource, Status
from app.models.notes import ContactType
from app.models.recurrence import Frequency, Recurrence
from app.models.risk import Tier
from app.services.calendar_export import Naming
from app.services.clock import FixedClock
from app.services.session import Session
from app.ui.dialogs.export_ics import ExportIcsDialog
from app.ui.dialogs.mileage_log import MileageLogDialog
from app.ui.dialogs.note_editor import NoteEditorDialog
from app.ui.follow_up_actions import MissedDialog
from app.ui.record.follow_ups_tab import CheckInDialog, FollowUpsTab
from tests.gui.conftest import Gui, type_text
from tests.gui.test_accessibility import unnamed
from tests.gui.test_follow_up_editor import client_ids, open_follow_ups, retype
from tests.test_care_plans import phq9

TODAY = date(2026, 11, 26)


def when_modal(gui: Gui, kind: type[QWidget], act: Callable[[QWidget], None], tries: int = 250) -> None:
    """Do `act` to the next modal window of type `kind` once it is up (the actions run dialogs
    with exec(), so the test answers them from the event loop, like a person would)."""
    def poll(left: int = tries) -> None:
        window = QApplication.activeModalWidget()
        if isinstance(window, kind) and window.isVisible():
            act(window)
        elif left:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, poll)


def activate(gui: Gui, dialog: QWidget) -> None:
    """What a window manager does for a dialog that opens (offscreen Qt has none)."""
    gui.qtbot.waitExposed(dialog)
    dialog.activateWindow()
    gui.qtbot.waitUntil(dialog.isActiveWindow)


def click(gui: Gui, box: QWidget, text: str) -> None:
    assert isinstance(box, QMessageBox)
    button = next(b for b in box.buttons() if b.text() == text)
    gui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def plan(session: Session, client_id: str, start: datetime, minutes: int = 45,
         kind: FollowUpType = FollowUpType.HOME_VISIT, rec: Recurrence | None = None) -> str:
    fields = FollowUpFields(kind, start, start + timedelta(minutes=minutes), session.follow_ups.default_zone(),
                            location="Flat 2, Canary Wharf", purpose="Go over the budget", recurrence=rec)
    return session.follow_ups.schedule(client_id, fields).id


def choose(gui: Gui, tab: FollowUpsTab, on: date) -> None:
    row = next(i for i, o in enumerate(tab.shown()) if o.start.date() == on)
    tab.table.setFocus()
    tab.table.selectRow(row)
    gui.qtbot.waitUntil(lambda: tab.selected() is not None and tab.selected().start.date() == on)


def test_an_overdue_visit_completed_into_a_prefilled_note(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    plan(session, zoe, datetime(2026, 11, 24, 10, 0))
    later = plan(session, zoe, datetime(2026, 12, 3, 14, 0), 20, FollowUpType.PHONE)
    tab = open_follow_ups(gui, zoe)
    assert unnamed(tab) == []
    assert tab.model.rowCount() == 2
    assert tab.model.item(0, 2).text() == "Overdue · 2 days" and "2 overdue" not in tab.summary.text()
    assert "1 overdue" in tab.summary.text()
    choose(gui, tab, date(2026, 12, 3))
    assert not tab.complete_button.isEnabled() and tab.day_hint.isVisible()  # still to come
    choose(gui, tab, date(2026, 11, 24))
    assert tab.complete_button.isEnabled() and "Overdue" in tab.details.value("status")

    seen: dict[str, object] = {}

    def write(editor: QWidget) -> None:
        assert isinstance(editor, NoteEditorDialog)
        seen.update(kind=editor.kind.currentData(), on=editor.contact_on.text(), start=editor.start_time.text(),
                    length=editor.duration.text(), place=editor.location.text())
        edit = next(iter(editor.section_edits.values()))
        edit.setFocus()
        type_text(edit, "Budget sheet done together; rent plan agreed.")
        gui.qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # kept as a draft note
        gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)

    when_modal(gui, NoteEditorDialog, write)
    gui.qtbot.mouseClick(tab.complete_button, Qt.MouseButton.LeftButton)  # returns once the note is closed
    assert seen == {"kind": ContactType.HOME_VISIT.value, "on": date_example(date(2026, 11, 24)),
                    "start": "10:00\u202fAM", "length": "45", "place": "Flat 2, Canary Wharf"}
    notes = session.notes.notes(zoe)
    assert [(n.fields.kind, n.fields.contact_on, n.fields.start_time) for n in notes] == [
        (ContactType.HOME_VISIT, date(2026, 11, 24), time(10))]
    assert session.follow_ups.occurrences(TODAY - timedelta(days=2), TODAY - timedelta(days=2))[0].status \
        is Status.COMPLETED
    assert "overdue" not in tab.summary.text() and [o.on for o in tab.upcoming] == [date(2026, 12, 3)]
    tab.recent_button.click()
    assert tab.model.rowCount() == 1 and tab.model.item(0, 2).text() == "Completed"

    # A note closed unwritten: asked, and "Leave it scheduled" leaves it as it was.
    session.clock.advance(days=8)  # type: ignore[attr-defined]
    tab.refresh()
    tab.upcoming_button.click()
    choose(gui, tab, date(2026, 12, 3))
    questions: list[str] = []

    def close_unwritten(editor: QWidget) -> None:
        gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)

    def leave(box: QWidget) -> None:
        questions.append(box.text())  # type: ignore[attr-defined]
        click(gui, box, "Leave it scheduled")

    when_modal(gui, NoteEditorDialog, close_unwritten)
    when_modal(gui, QMessageBox, leave)
    tab.complete()
    assert questions and "No note was written" in questions[0]
    assert session.follow_ups.occurrence(later, datetime(2026, 12, 3, 14)).status is Status.SCHEDULED
    assert len(session.notes.notes(zoe)) == 1


def test_proposals_are_accepted_through_the_editor_or_dismissed(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    phq9(session, zoe, 16, date(2026, 11, 20))
    session.risk.record(zoe, session.risk.compute(zoe), override=Tier.HIGH, reason="Threats from a partner")
    tab = open_follow_ups(gui, zoe)
    assert tab.proposals_card.isVisible()
    sources = [p.source for p in tab.proposals]
    assert sources == [ProposalSource.CADENCE, ProposalSource.RESCREEN]
    rows = [tab.proposal_rows.itemAt(i).widget() for i in range(tab.proposal_rows.count())]
    assert "Home visit, due Thursday, Nov 26, 2026" in rows[0].title.text()
    assert tab.model.rowCount() == 0  # nothing was put in the calendar by itself

    gui.qtbot.mouseClick(rows[0].move_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    editor = tab.editor
    assert editor is not None and editor.windowTitle() == "Schedule the proposed follow-up"
    gui.qtbot.waitUntil(editor.date.edit.hasFocus)
    assert editor.kind.currentData() == FollowUpType.HOME_VISIT.value and editor.start_time.text() == "10:00\u202fAM"
    type_text(editor.date.edit, date_example(date(2026, 11, 27)))
    retype(gui, editor.start_time, "14:30")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    [fu] = session.follow_ups.for_client(zoe)
    assert fu.fields.start == datetime(2026, 11, 27, 14, 30) and fu.proposal_key.startswith("cadence:")
    assert [p.source for p in tab.proposals] == [ProposalSource.RESCREEN]
    assert tab.model.rowCount() == 1

    rows = [tab.proposal_rows.itemAt(i).widget() for i in range(tab.proposal_rows.count())]
    asked: list[str] = []

    def dismiss(box: QWidget) -> None:
        asked.append(box.text())  # type: ignore[attr-defined]
        click(gui, box, "Dismiss")

    when_modal(gui, QMessageBox, dismiss)
    gui.qtbot.mouseClick(rows[0].dismiss_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: not tab.proposals_card.isVisible())
    assert "won't be proposed again" in asked[0]
    assert session.follow_ups.proposals(zoe) == []
    assert len(session.follow_ups.for_client(zoe)) == 1  # dismissing schedules nothing


def test_missed_at_high_tier_and_a_series_cancelled_or_ended(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    session.risk.record(zoe, session.risk.compute(zoe), override=Tier.HIGH, reason="Threats from a partner")
    series = plan(session, zoe, datetime(2026, 11, 19, 9, 0), 30, FollowUpType.PHONE,
                  Recurrence(Frequency.WEEKLY, count=6))
    tab = open_follow_ups(gui, zoe)
    choose(gui, tab, date(2026, 11, 19))
    told: list[str] = []

    def missed(dialog: QWidget) -> None:
        assert isinstance(dialog, MissedDialog)
        told.append(dialog.outreach.label.text() if dialog.outreach.isVisible() else "")
        dialog.reason.setFocus()
        gui.qtbot.keyClick(dialog.reason, Qt.Key.Key_Down)  # the first reason offered
        gui.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    when_modal(gui, MissedDialog, missed)
    gui.qtbot.mouseClick(tab.missed_button, Qt.MouseButton.LeftButton)
    assert "High tier" in told[0] and "outreach list" in told[0]
    got = session.follow_ups.occurrence(series, datetime(2026, 11, 19, 9))
    assert got.status is Status.MISSED
    assert [o.on for o in session.follow_ups.outreach(TODAY)] == [date(2026, 11, 19)]
    assert tab.shown() == tab.upcoming and date(2026, 11, 19) not in {o.on for o in tab.upcoming}

    choose(gui, tab, date(2026, 12, 3))
    when_modal(gui, QMessageBox, lambda box: click(gui, box, "Cancel only this one"))
    gui.qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert session.follow_ups.occurrence(series, datetime(2026, 12, 3, 9)).status is Status.CANCELLED
    assert tab.model.item(next(i for i, o in enumerate(tab.shown()) if o.on == date(2026, 12, 3)), 2).text() \
        == "Cancelled"

    choose(gui, tab, date(2026, 12, 10))
    when_modal(gui, QMessageBox, lambda box: click(gui, box, "End the series here"))
    tab.cancel()
    assert session.follow_ups.get(series).last_on == date(2026, 12, 3)
    assert [o.on for o in tab.upcoming] == [date(2026, 11, 26), date(2026, 12, 3)]


def test_a_visit_check_in_turns_into_an_overdue_warning(gui: Gui, client_vault: Path, clock: FixedClock) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    tab = open_follow_ups(gui, zoe)
    assert tab.check_in_button.isVisible() and not tab.visit_banner.isVisible()
    defaults: list[int] = []

    def check_in(dialog: QWidget) -> None:
        assert isinstance(dialog, CheckInDialog)
        defaults.append(dialog.minutes.value())
        gui.qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)

    when_modal(gui, CheckInDialog, check_in)
    gui.qtbot.mouseClick(tab.check_in_button, Qt.MouseButton.LeftButton)
    assert defaults == [60]
    start = clock.now()
    assert tab.visit_banner.isVisible() and not tab.check_in_button.isVisible()
    back = format_time(start + timedelta(minutes=60))
    assert tab.visit_banner.label.text() == f"Checked in at {format_time(start)} — expected back by {back}."
    assert tab.visit_banner.property("kind") == "info"

    tab.visit_timer.setInterval(20)  # the 30-second refresh, sooner
    clock.advance(minutes=72)
    gui.qtbot.waitUntil(lambda: tab.visit_banner.property("kind") == "error")
    text = tab.visit_banner.label.text()
    assert text.startswith("Overdue by 12 minutes") and format_time(start + timedelta(minutes=60)) in text
    assert not tab.visit_banner.icon.pixmap().isNull()  # an icon as well as the words and the colour
    assert [v.client_id for v in session.follow_ups.checked_in_overdue()] == [zoe]

    gui.qtbot.mouseClick(tab.check_out_button, Qt.MouseButton.LeftButton)
    assert not tab.visit_banner.isVisible() and tab.check_in_button.isVisible()
    assert session.follow_ups.open_visits() == []


def test_the_mileage_log_totals_a_period(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    session.follow_ups.log_mileage(date(2026, 10, 30), "Office", "Clinic", 5.0, "Case conference")
    gui.controller.show_mileage()
    dialog = gui.controller.dialogs[-1]
    assert isinstance(dialog, MileageLogDialog)
    activate(gui, dialog)
    assert unnamed(dialog) == []
    assert dialog.stack.currentWidget() is dialog.empty and dialog.total_label.text() == "0.0 mi"

    # Problems are said next to their fields, all at once.
    dialog.distance.setFocus()
    type_text(dialog.distance, "far")
    gui.qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    errors = {k: e.text() for k, e in dialog.grid.errors.items() if e.isVisible()}
    assert set(errors) == {"from_place", "to_place", "distance"} and "not a distance" in errors["distance"]
    assert dialog.distance.text() == "far"

    for start, end, miles, code in (("Office", "Client's home", "12.4", "AB12CD"),
                                    ("Client's home", "Office", "12.4", "AB12CD")):
        retype(gui, dialog.from_place, start)
        retype(gui, dialog.to_place, end)
        retype(gui, dialog.distance, miles)
        retype(gui, dialog.purpose, "Home visit")
        retype(gui, dialog.client_code, code)
        gui.qtbot.keyClick(dialog.client_code, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 2 and dialog.total_label.text() == "24.8 mi"
    assert dialog.trips_label.text().startswith("2 journeys")
    assert dialog.from_place.text() == "Office"  # the next journey starts where the last one ended

    dialog.period.setFocus()
    gui.qtbot.keyClick(dialog.period, Qt.Key.Key_Down)  # last month
    assert dialog.total_label.text() == "5.0 mi" and dialog.model.rowCount() == 1
    gui.qtbot.keyClick(dialog.period, Qt.Key.Key_Down)  # chosen dates
    assert dialog.period_from.isVisible() and dialog.period_from.text() == date_example(date(2026, 10, 1))
    retype(gui, dialog.period_to.edit, date_example(date(2026, 11, 30)))
    assert dialog.total_label.text() == "29.8 mi" and dialog.model.rowCount() == 3

    dialog.table.setFocus()
    dialog.table.selectRow(0)
    when_modal(gui, QMessageBox, lambda box: click(gui, box, "Remove"))
    gui.qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert dialog.total_label.text() == "24.8 mi"
    assert session.follow_ups.mileage_total(date(2026, 10, 1), date(2026, 11, 30)).trips == 2


def test_the_mileage_log_uses_the_unit_chosen_in_settings(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    gui.controller.session.follow_ups.log_mileage(date(2026, 11, 20), "Office", "Clinic", 1234.5, "Case conference")
    # US English on the test machine: miles, as the region has it.
    gui.controller.show_settings()
    settings_dialog = gui.controller.dialogs[-1]
    region = settings_dialog.pages[1]
    assert region.distance_unit.currentText() == "As in the region (miles)"
    region.distance_unit.setFocus()
    gui.qtbot.keyClick(region.distance_unit, Qt.Key.Key_End)  # Kilometres
    gui.qtbot.mouseClick(settings_dialog.save_button, Qt.MouseButton.LeftButton)
    assert not settings_dialog.isVisible()
    assert gui.services.settings.distance_unit == "km" and gui.services.settings_store.load().distance_unit == "km"

    gui.controller.show_mileage()
    dialog = gui.controller.dialogs[-1]
    assert isinstance(dialog, MileageLogDialog)
    assert dialog.total_label.text() == "1,234.5 km"
    assert dialog.model.headerData(3, Qt.Orientation.Horizontal) == "Distance (km)"
    assert dialog.grid.labels["distance"].text().startswith("Distance (km)")


def test_the_calendar_file_names_clients_by_code_and_parses(gui: Gui, client_vault: Path, tmp_path: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    ids = client_ids(session)
    zoe = session.clients.get(ids["Zoë"])
    plan(session, zoe.id, datetime(2026, 11, 30, 10), rec=Recurrence(Frequency.WEEKLY, count=3))
    plan(session, ids["Ольга"], datetime(2027, 3, 1, 10))  # beyond 30 days: not exported
    gui.controller.show_export_ics()
    dialog = gui.controller.dialogs[-1]
    assert isinstance(dialog, ExportIcsDialog)
    activate(gui, dialog)
    assert unnamed(dialog) == []
    assert dialog.days.value() == 30 and dialog.naming_group.checkedButton().text() == "Client code (recommended)"
    assert Path(dialog.path.edit.text()).name == "waypoint-follow-ups.ics"
    dest = tmp_path / "mine" / "week.ics"
    dest.parent.mkdir()
    retype(gui, dialog.path.edit, str(dest))
    gui.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result.isVisible() and dialog.result.label.text().startswith("3 follow-ups written to")
    assert dialog.close_button.text() == "Close"

    calendar = Calendar.from_ical(dest.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert {str(e["SUMMARY"]) for e in events} == {f"Home visit — {zoe.client_code}"}
    raw = dest.read_text()
    assert "Zoë" not in raw and "Canary" not in raw and "budget" not in raw

    # A full name only after a warning sentence.
    assert not dialog.full_warning.isVisible()
    dialog.naming[Naming.CODE].setFocus()
    gui.qtbot.keyClick(dialog.naming[Naming.CODE], Qt.Key.Key_Down)  # initials
    assert dialog.chosen_naming() is Naming.INITIALS and not dialog.full_warning.isVisible()
    gui.qtbot.keyClick(dialog.naming[Naming.INITIALS], Qt.Key.Key_Down)  # full name
    assert dialog.full_warning.isVisible() and "readable by anyone" in dialog.full_warning.label.text()


def test_a_lock_while_completing_keeps_the_typing_and_leaves_the_visit_open(gui: Gui, client_vault: Path) -> None:
    from app.services.notes import DRAFT_FORM, NEW_PREFIX

    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    visit = plan(session, zoe, datetime(2026, 11, 26, 9, 0))
    tab = open_follow_ups(gui, zoe)
    choose(gui, tab, TODAY)

    def type_then_lock(editor: QWidget) -> None:
        assert isinstance(editor, NoteEditorDialog)
        edit = next(iter(editor.section_edits.values()))
        edit.setFocus()
        type_text(edit, "Half a note when the battery died")
        gui.controller.lock("idle")

    when_modal(gui, NoteEditorDialog, type_then_lock)
    tab.complete()  # returns when the lock has closed the note without asking anything
    assert gui.controller.session is None and QApplication.activeModalWidget() is None

    gui.unlock(client_vault)
    session = gui.controller.session
    assert session.follow_ups.occurrence(visit, datetime(2026, 11, 26, 9)).status is Status.SCHEDULED
    draft = session.drafts.load(DRAFT_FORM, NEW_PREFIX + zoe)
    assert draft is not None and "battery died" in str(draft.data)
