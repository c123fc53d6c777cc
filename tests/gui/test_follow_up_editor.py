"""The follow-up editor, driven like a user: an every-8-weeks visit set up with the keyboard and
checked against the service's occurrences; one visit of a series changed alone, then "this and
the following"; a rule that can't be saved says why beside the repeat settings and keeps what
was typed; a double booking is a warning that does not stop the save."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.i18n import date_example
from app.models.follow_ups import FollowUpFields, FollowUpType
from app.models.recurrence import Frequency, Recurrence
from app.services.session import Session
from app.ui.dialogs.follow_up_editor import FollowUpEditorDialog, Scope
from app.ui.record.follow_ups_tab import FollowUpsTab
from tests.gui.conftest import Gui, type_text
from tests.gui.test_accessibility import unnamed

TODAY = date(2026, 11, 26)
TUESDAY = date(2026, 12, 1)


def client_ids(session: Session) -> dict[str, str]:
    return {r.first_name: r.id for r in session.clients.roster()}


def open_follow_ups(gui: Gui, client_id: str) -> FollowUpsTab:
    workspace = gui.controller.workspace
    workspace.open_record_tab(client_id, "follow_ups")
    tab = workspace.record.follow_ups_tab
    gui.qtbot.waitUntil(tab.isVisible)
    return tab


def retype(gui: Gui, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Select what the field holds and type over it, as a person does."""
    widget.setFocus()
    gui.qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.keyClick(widget, Qt.Key.Key_Delete)
    type_text(widget, text)


def show(gui: Gui, dialog: FollowUpEditorDialog) -> None:
    dialog.show()
    gui.qtbot.waitExposed(dialog)
    dialog.activateWindow()
    gui.qtbot.waitUntil(dialog.isActiveWindow)


def press(gui: Gui, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        gui.qtbot.keyClick(QApplication.focusWidget(), key)


def weekly(session: Session, client_id: str, start: datetime, count: int = 6) -> str:
    fields = FollowUpFields(FollowUpType.HOME_VISIT, start, start + timedelta(hours=1),
                            session.follow_ups.default_zone(), location="Client's home", purpose="Check in",
                            recurrence=Recurrence(Frequency.WEEKLY, count=count))
    return session.follow_ups.schedule(client_id, fields).id


def test_an_every_eight_weeks_visit_set_up_with_the_keyboard(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    tab = open_follow_ups(gui, zoe)
    assert tab.stack.currentWidget() is tab.empty
    tab.table.setFocus()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # on Follow-ups: a follow-up, not a client
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    editor = tab.editor
    assert editor is not None and gui.controller.workspace.editor is None
    assert unnamed(editor) == []
    assert not editor.client_card.isVisible() and "Zoë" in editor.for_label.text()
    gui.qtbot.waitUntil(editor.kind.hasFocus)
    assert editor.kind.currentData() == FollowUpType.HOME_VISIT.value

    press(gui, Qt.Key.Key_Tab)
    assert editor.date.edit.hasFocus()
    retype(gui, editor.date.edit, date_example(TUESDAY))
    editor.start_time.setFocus()
    retype(gui, editor.start_time, "10:00")
    press(gui, Qt.Key.Key_Tab)  # the end follows: a home visit lasts an hour
    assert editor.end_time.hasFocus() and editor.end_time.text() == "11:00\u202fAM"
    type_text(editor.location, "Client's home")
    editor.purpose.setFocus()
    type_text(editor.purpose, "Depot injection reminder and a walk")

    editor.repeat.setFocus()
    press(gui, Qt.Key.Key_Down, 2)  # Does not repeat → Daily → Weekly
    assert editor.repeat.currentData() == Frequency.WEEKLY.value
    assert editor.day_buttons[1].isChecked() and editor.day_buttons[1].isVisible()  # Tuesday, from the date
    press(gui, Qt.Key.Key_Tab)
    assert editor.interval.hasFocus()
    retype(gui, editor.interval.lineEdit(), "8")
    assert editor.unit_label.text() == "weeks"
    editor.ends.setFocus()
    press(gui, Qt.Key.Key_Down, 2)  # Never → On a date → After a number of times
    assert editor.count.isVisible() and not editor.until.isVisible()
    retype(gui, editor.count.lineEdit(), "6")
    assert editor.summary.text() == "Every 8 weeks on Tuesday, 6 times"

    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)

    got = session.follow_ups.occurrences(TODAY, date(2027, 12, 31), zoe)
    assert [o.on for o in got] == [TUESDAY + timedelta(weeks=8 * i) for i in range(6)]
    assert all(o.start.time() == time(10) and o.duration_min == 60 and o.recurring for o in got)
    assert got[0].purpose == "Depot injection reminder and a walk" and got[0].location == "Client's home"
    series = session.follow_ups.get(got[0].follow_up_id).fields.recurrence
    assert series == Recurrence(Frequency.WEEKLY, interval=8, count=6)
    # The tab shows those of the next six months, the series marked.
    assert tab.stack.currentWidget() is tab.table and tab.model.rowCount() == 4
    assert tab.model.item(0, 0).toolTip().endswith("part of a series")


def test_this_one_then_this_and_the_following(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    series = weekly(session, zoe, datetime(2026, 12, 1, 10))

    # Only this visit: the 15th moves to 2 pm, the rest stay.
    one = FollowUpEditorDialog(session, gui.window, follow_up_id=series, original_start=datetime(2026, 12, 15, 10))
    show(gui, one)
    assert one.scope is Scope.ONE and one.scope_buttons[Scope.ONE].isChecked()
    assert set(one.scope_buttons) == {Scope.ONE, Scope.FOLLOWING}
    assert not one.repeat.isEnabled() and one.repeat_hint.isVisible()  # the pattern belongs to the series
    assert one.date.text() == date_example(date(2026, 12, 15))
    retype(gui, one.start_time, "14:00")
    press(gui, Qt.Key.Key_Tab)
    assert one.end_time.text() == "3:00\u202fPM"
    gui.qtbot.keyClick(one, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: not one.isVisible())

    def shown() -> list[tuple[date, time, FollowUpType]]:
        return [(o.on, o.start.time(), o.kind) for o in session.follow_ups.occurrences(TODAY, date(2027, 1, 31), zoe)]

    home = FollowUpType.HOME_VISIT
    assert shown() == [(date(2026, 12, 1), time(10), home), (date(2026, 12, 8), time(10), home),
                       (date(2026, 12, 15), time(14), home), (date(2026, 12, 22), time(10), home),
                       (date(2026, 12, 29), time(10), home), (date(2027, 1, 5), time(10), home)]

    # This and the following: from the 22nd on they become phone calls; the count carries on.
    following = FollowUpEditorDialog(session, gui.window, follow_up_id=series,
                                     original_start=datetime(2026, 12, 22, 10))
    show(gui, following)
    following.scope_buttons[Scope.FOLLOWING].setFocus()
    gui.qtbot.keyClick(following.scope_buttons[Scope.FOLLOWING], Qt.Key.Key_Space)
    assert following.scope is Scope.FOLLOWING and following.repeat.isEnabled()
    assert following.count.value() == 3  # three visits are left from the 22nd
    following.kind.setFocus()
    press(gui, Qt.Key.Key_Down)  # Home visit → Phone call
    assert following.kind.currentData() == FollowUpType.PHONE.value
    following.save()
    gui.qtbot.waitUntil(lambda: not following.isVisible())
    phone = FollowUpType.PHONE
    assert shown() == [(date(2026, 12, 1), time(10), home), (date(2026, 12, 8), time(10), home),
                       (date(2026, 12, 15), time(14), home), (date(2026, 12, 22), time(10), phone),
                       (date(2026, 12, 29), time(10), phone), (date(2027, 1, 5), time(10), phone)]
    assert session.follow_ups.get(series).last_on == date(2026, 12, 15)


def test_a_rule_that_cannot_be_saved_says_why_and_keeps_the_typing(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    editor = FollowUpEditorDialog(session, gui.window)  # from the calendar: the client is chosen here
    show(gui, editor)
    assert editor.client_card.isVisible() and editor.client_list.count() == 0  # no names until typed
    gui.qtbot.waitUntil(editor.client_search.hasFocus)
    type_text(editor.client_search, "Ødegård")
    assert editor.client_list.count() == 1 and "Zoë" in editor.client_list.item(0).text()
    retype(gui, editor.date.edit, date_example(TUESDAY))
    retype(gui, editor.start_time, "9:30")
    press(gui, Qt.Key.Key_Tab)
    editor.purpose.setFocus()
    type_text(editor.purpose, "Benefits form together")
    editor.repeat.setFocus()
    press(gui, Qt.Key.Key_Down, 2)  # weekly
    gui.qtbot.mouseClick(editor.day_buttons[1], Qt.MouseButton.LeftButton)  # not on Tuesdays …
    gui.qtbot.mouseClick(editor.day_buttons[3], Qt.MouseButton.LeftButton)  # … but Thursdays
    assert editor.summary.text() == "Every week on Thursday"
    editor.save()

    assert editor.isVisible() and editor.repeat_error.isVisible()
    assert "Tuesday, which is not one of the chosen days" in editor.repeat_error.text()
    assert editor.error_banner.isVisible()
    assert editor.purpose.toPlainText() == "Benefits form together" and editor.start_time.text() == "9:30"
    assert editor.day_buttons[3].isChecked() and editor.chosen_client() is not None
    zoe = client_ids(session)["Zoë"]
    assert session.follow_ups.for_client(zoe) == []

    # An end date before the first visit: the service's sentence, beside the repeat settings.
    gui.qtbot.mouseClick(editor.day_buttons[1], Qt.MouseButton.LeftButton)
    editor.ends.setFocus()
    press(gui, Qt.Key.Key_Down)  # On a date
    retype(gui, editor.until.edit, date_example(date(2026, 11, 1)))
    editor.save()
    assert "before the first visit" in editor.repeat_error.text()
    assert session.follow_ups.for_client(zoe) == []

    retype(gui, editor.until.edit, date_example(date(2027, 1, 31)))
    editor.save()
    gui.qtbot.waitUntil(lambda: not editor.isVisible())
    got = session.follow_ups.occurrences(TODAY, date(2027, 3, 1), zoe)
    assert [o.on.weekday() for o in got] == [1, 3] * 9  # Tuesdays and Thursdays until the end of January
    assert got[-1].on == date(2027, 1, 28)


def test_a_double_booking_is_a_warning_not_a_block(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    ids = client_ids(session)
    other = session.clients.get(ids["Ольга"])
    tz = session.follow_ups.default_zone()
    nine = datetime(2026, 12, 7, 9)
    session.follow_ups.schedule(other.id, FollowUpFields(FollowUpType.PHONE, nine, nine + timedelta(hours=1), tz))

    tab = open_follow_ups(gui, ids["Zoë"])
    tab.new_item()
    editor = tab.editor
    assert editor is not None
    gui.qtbot.waitExposed(editor)
    retype(gui, editor.date.edit, date_example(nine.date()))
    retype(gui, editor.start_time, "11:00")
    press(gui, Qt.Key.Key_Tab)
    gui.qtbot.wait(2 * 250)
    assert not editor.conflict_banner.isVisible()  # back to back is fine
    retype(gui, editor.start_time, "9:30")
    press(gui, Qt.Key.Key_Tab)
    gui.qtbot.waitUntil(editor.conflict_banner.isVisible)
    text = editor.conflict_banner.label.text()
    assert "Double booking" in text and other.client_code in text and "Phone call" in text
    assert "Ольга" not in text  # a code, never another client's name
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert [o.start for o in session.follow_ups.occurrences(nine.date(), nine.date())] == [
        nine, datetime(2026, 12, 7, 9, 30)]


def test_moving_a_visit_of_a_series_asks_what_moves_and_warns_of_a_double_booking(gui: Gui,
                                                                                   client_vault: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui.follow_up_actions import move_occurrence
    from tests.gui.test_follow_ups_tab import click, when_modal

    gui.unlock(client_vault)
    session = gui.controller.session
    ids = client_ids(session)
    zoe, olga = ids["Zoë"], ids["Ольга"]
    series = weekly(session, zoe, datetime(2026, 12, 1, 10))
    tz = session.follow_ups.default_zone()
    two = datetime(2026, 12, 9, 14)
    session.follow_ups.schedule(olga, FollowUpFields(FollowUpType.PHONE, two, two + timedelta(hours=1), tz))
    asked: list[str] = []

    def answer(*labels: str) -> None:
        def act(box) -> None:  # type: ignore[no-untyped-def]
            asked.append(box.text())
            click(gui, box, labels[0])
            if labels[1:]:
                answer(*labels[1:])
        when_modal(gui, QMessageBox, act)

    occ = session.follow_ups.occurrence(series, datetime(2026, 12, 8, 10))
    answer("Only this one", "Move anyway")
    assert move_occurrence(gui.window, session, occ, datetime(2026, 12, 9, 14, 30), datetime(2026, 12, 9, 15, 30))
    assert "part of a series" in asked[0] and "overlaps" in asked[1]
    assert session.clients.get(olga).client_code in asked[1]
    mine = [(o.on, o.start.time()) for o in session.follow_ups.occurrences(TODAY, date(2027, 1, 31), zoe)]
    assert (date(2026, 12, 8), time(10)) not in mine and (date(2026, 12, 9), time(14, 30)) in mine

    # This and the following, to Wednesdays: the later visits follow; nothing to warn about.
    asked.clear()
    occ = session.follow_ups.occurrence(series, datetime(2026, 12, 15, 10))
    answer("This and the following")
    assert move_occurrence(gui.window, session, occ, datetime(2026, 12, 16, 10), datetime(2026, 12, 16, 11))
    assert len(asked) == 1
    mine = [o.on for o in session.follow_ups.occurrences(TODAY, date(2027, 1, 31), zoe)]
    assert mine == [date(2026, 12, 1), date(2026, 12, 9), date(2026, 12, 16), date(2026, 12, 23),
                    date(2026, 12, 30), date(2027, 1, 6)]  # still six in all

    # Cancelled at the question: nothing moves.
    occ = session.follow_ups.occurrences(date(2026, 12, 23), date(2026, 12, 23), zoe)[0]
    when_modal(gui, QMessageBox, lambda box: gui.qtbot.keyClick(box, Qt.Key.Key_Escape))
    assert not move_occurrence(gui.window, session, occ, datetime(2026, 12, 24, 10), datetime(2026, 12, 24, 11))
    assert [o.on for o in session.follow_ups.occurrences(date(2026, 12, 23), date(2026, 12, 24), zoe)] == [
        date(2026, 12, 23)]


def test_a_moved_one_off_opens_where_it_now_is_and_keeps_its_place(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    ten = datetime(2026, 12, 2, 10)
    one_off = session.follow_ups.schedule(zoe, FollowUpFields(FollowUpType.OFFICE, ten, ten + timedelta(minutes=45),
                                                               session.follow_ups.default_zone())).id
    session.follow_ups.edit_occurrence(one_off, ten, start=datetime(2026, 12, 3, 11))  # dragged in the calendar
    editor = FollowUpEditorDialog(session, gui.window, follow_up_id=one_off, original_start=ten)
    show(gui, editor)
    assert not editor.scope_card.isVisible()
    assert editor.date.text() == date_example(date(2026, 12, 3)) and editor.start_time.text() == "11:00\u202fAM"
    editor.purpose.setFocus()
    type_text(editor.purpose, "Bring the housing form")
    editor.save()
    gui.qtbot.waitUntil(lambda: not editor.isVisible())
    [occ] = session.follow_ups.occurrences(TODAY, date(2026, 12, 31), zoe)
    assert (occ.start, occ.end, occ.purpose) == (datetime(2026, 12, 3, 11), datetime(2026, 12, 3, 11, 45),
                                                 "Bring the housing form")
