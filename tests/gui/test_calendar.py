"""The Calendar page, driven like a user: switching views and moving through periods with the
keyboard, follow-ups on the right day, one occurrence of a weekly series dragged to another day
(only that one moves), a block's end dragged longer, a double-click on an empty time opening the
editor there, and discreet mode keeping names out of everything painted or read aloud."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.models.follow_ups import FollowUpFields, FollowUpType, Status
from app.models.recurrence import Frequency, Recurrence
from app.ui.pages.calendar import CalendarPage
from app.ui.widgets.calendar_month import first_weekday, week_start
from app.ui.widgets.calendar_week import WeekView
from tests.gui.conftest import Gui, visible_texts
from tests.gui.test_accessibility import unnamed

TODAY = date(2026, 11, 26)  # the session clock's day (tests/conftest.py): a Thursday


class FakeEditor(QObject):
    """Stands in for FollowUpEditorDialog: records how it was opened instead of showing."""

    saved = Signal()
    opened: list[dict[str, Any]] = []

    def __init__(self, session: object, parent: object = None, **kwargs: Any) -> None:
        super().__init__()
        FakeEditor.opened.append(kwargs)

    def exec(self) -> int:
        return 0


@pytest.fixture
def fake_editor(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    import app.ui.dialogs.follow_up_editor as editor_module
    import app.ui.follow_up_actions as actions_module

    FakeEditor.opened = []
    monkeypatch.setattr(editor_module, "FollowUpEditorDialog", FakeEditor)
    monkeypatch.setattr(actions_module, "FollowUpEditorDialog", FakeEditor, raising=False)
    yield FakeEditor.opened


def client_id(gui: Gui, first_name: str = "Zoë") -> str:
    return next(r.id for r in gui.controller.session.clients.roster() if r.first_name == first_name)


def plan(gui: Gui, start: datetime, minutes: int = 60, *, first_name: str = "Zoë", all_day: bool = False,
         recurrence: Recurrence | None = None, kind: FollowUpType = FollowUpType.HOME_VISIT) -> str:
    session = gui.controller.session
    end = start + timedelta(minutes=minutes) if not all_day else start
    fields = FollowUpFields(kind, start, end, session.follow_ups.default_zone(), all_day=all_day,
                            recurrence=recurrence)
    return session.follow_ups.schedule(client_id(gui, first_name), fields).id


def open_calendar(gui: Gui) -> CalendarPage:
    workspace = gui.controller.workspace
    workspace.go("calendar")
    page = workspace.calendar
    gui.qtbot.waitUntil(page.isVisible)
    gui.qtbot.waitUntil(lambda: page.current_view().hasFocus())
    return page


def painted(view: Any) -> list[str]:
    (view.viewport() if isinstance(view, WeekView) else view).repaint()
    return list(view.painted_texts)


def answer_this_one(qtbot: Any) -> QTimer:
    """Moving one occurrence of a series may ask "this one or this and following" (and warn of a
    double booking): answer "this one" whenever such a question is up."""
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            return
        for button in box.findChildren(QAbstractButton):
            words = button.text().replace("&", "").lower()
            if "this one" in words or "only this" in words:
                button.click()
                return
        qtbot.keyClick(box, Qt.Key.Key_Return)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(30)
    return timer


def drag(gui: Gui, view: WeekView, start: QPoint, end: QPoint) -> None:
    viewport = view.viewport()
    gui.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    gui.qtbot.mouseMove(viewport, start + QPoint(0, 12))  # past the drag distance
    gui.qtbot.mouseMove(viewport, end)
    gui.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def test_views_and_periods_with_the_keyboard(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    plan(gui, datetime(2026, 11, 27, 10, 0))
    page = open_calendar(gui)
    weekday = first_weekday()
    this_week = week_start(TODAY, weekday)

    assert page.view_name() == "week"
    assert page.shown_range() == (this_week, this_week + timedelta(days=6))
    assert page.week_view.days[0] == this_week
    first_title = page.title.text()

    gui.key(Qt.Key.Key_PageDown)
    assert page.shown_range()[0] == this_week + timedelta(days=7)
    assert page.title.text() != first_title
    assert page.entries() == []
    assert page.week_view.empty_text.startswith("Nothing planned this week")
    gui.key(Qt.Key.Key_PageUp)
    gui.key(Qt.Key.Key_PageUp)
    assert page.shown_range()[0] == this_week - timedelta(days=7)
    gui.key(Qt.Key.Key_T)
    assert page.shown_range()[0] == this_week
    assert [e.day for e in page.entries()] == [date(2026, 11, 27)]

    gui.key(Qt.Key.Key_M)
    assert page.view_name() == "month" and page.month_view.hasFocus()
    assert page.title.text() == "November 2026"
    first, last = page.shown_range()
    assert first <= date(2026, 11, 1) and (last - first).days == 41 and first.weekday() == weekday
    gui.key(Qt.Key.Key_PageDown)
    assert page.title.text() == "December 2026"
    gui.key(Qt.Key.Key_T)
    assert page.title.text() == "November 2026" and page.month_view.selected == TODAY
    gui.key(Qt.Key.Key_Right)  # the selected day moves; Enter opens it in the week view
    assert page.month_view.selected == date(2026, 11, 27)
    gui.key(Qt.Key.Key_Down)
    assert page.month_view.selected == date(2026, 12, 4)
    assert page.title.text() == "December 2026"  # the selection walked into December
    gui.key(Qt.Key.Key_Return)
    assert page.view_name() == "week" and page.week_view.selected_day == date(2026, 12, 4)
    assert page.shown_range()[0] == week_start(date(2026, 12, 4), weekday)

    gui.key(Qt.Key.Key_A)
    assert page.view_name() == "agenda"
    assert page.shown_range() == (date(2026, 12, 4), date(2026, 12, 17))
    gui.key(Qt.Key.Key_T)
    assert page.shown_range() == (TODAY, TODAY + timedelta(days=13))
    texts = visible_texts(page.agenda_view)
    assert "Ødegård, Zoë" in texts and "Home visit" in texts

    gui.key(Qt.Key.Key_W)
    assert page.view_name() == "week" and page.week_view.hasFocus()
    assert page.view_buttons["week"].isChecked()
    for view in ("month", "week", "agenda"):
        page.set_view(view)
        assert unnamed(page) == [], view


def test_follow_ups_are_shown_on_their_day(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    plan(gui, datetime(2026, 12, 1, 10, 0))
    plan(gui, datetime(2026, 12, 3, 0, 0), all_day=True, first_name="Ольга", kind=FollowUpType.PLAN_REVIEW)
    plan(gui, datetime(2026, 12, 1, 10, 30), 30, first_name="Nguyễn Thị", kind=FollowUpType.PHONE)
    page = open_calendar(gui)
    page.go_to(date(2026, 12, 1))
    week = page.week_view

    by_day = {(e.who, e.day, e.all_day) for e in page.entries()}
    assert by_day == {("Ødegård, Zoë", date(2026, 12, 1), False), ("Петрова, Ольга", date(2026, 12, 3), True),
                      ("Ánh, Nguyễn Thị", date(2026, 12, 1), False)}
    for entry in page.entries():
        rect = week.event_rect(entry.key)
        assert not rect.isEmpty()
        assert week.day_at(rect.center()) == entry.day
    # The two on 1 December overlap: side by side, both marked double-booked, said in words.
    tuesday = [e for e in page.entries() if e.day == date(2026, 12, 1)]
    assert all(e.conflict for e in tuesday)
    rects = [week.event_rect(e.key) for e in tuesday]
    assert not rects[0].intersects(rects[1])
    texts = painted(week)
    assert "Петрова, Ольга" in texts
    assert sum(1 for t in texts if t.startswith("⚠ ")) == 2  # the double-booking mark, on both
    assert "2 double-booked" in page.summary.text()

    gui.key(Qt.Key.Key_M)
    assert [e.occ.kind for e in page.month_view.entries_on(date(2026, 12, 3))] == [FollowUpType.PLAN_REVIEW]
    assert len(page.month_view.entries_on(date(2026, 12, 1))) == 2
    assert any("Петрова, Ольга" in t for t in painted(page.month_view))


def test_dragging_moves_only_that_occurrence_of_a_series(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    series = plan(gui, datetime(2026, 11, 25, 10, 0), recurrence=Recurrence(Frequency.WEEKLY, count=4))
    page = open_calendar(gui)
    page.go_to(date(2026, 12, 2))
    week = page.week_view
    entry = next(e for e in page.entries() if e.occ.follow_up_id == series)
    assert entry.start == datetime(2026, 12, 2, 10, 0)

    grab = week.event_rect(entry.key).center()
    target = datetime(2026, 12, 3, 14, 0)
    delta = week.point_for(target) - week.point_for(entry.start)
    answering = answer_this_one(gui.qtbot)
    drag(gui, week, grab, grab + delta)
    answering.stop()

    session = gui.controller.session
    occurrences = [o for o in session.follow_ups.occurrences(date(2026, 11, 20), date(2026, 12, 31))
                   if o.follow_up_id == series]
    assert [(o.original_start, o.start, o.end) for o in occurrences] == [
        (datetime(2026, 11, 25, 10, 0), datetime(2026, 11, 25, 10, 0), datetime(2026, 11, 25, 11, 0)),
        (datetime(2026, 12, 2, 10, 0), datetime(2026, 12, 3, 14, 0), datetime(2026, 12, 3, 15, 0)),
        (datetime(2026, 12, 9, 10, 0), datetime(2026, 12, 9, 10, 0), datetime(2026, 12, 9, 11, 0)),
        (datetime(2026, 12, 16, 10, 0), datetime(2026, 12, 16, 10, 0), datetime(2026, 12, 16, 11, 0)),
    ]
    # The calendar shows it where it went, still selected.
    moved = week.entry(entry.key)
    assert moved is not None and moved.start == datetime(2026, 12, 3, 14, 0)
    assert week.day_at(week.event_rect(entry.key).center()) == date(2026, 12, 3)
    assert week.selected_key == entry.key
    said = week.accessibleDescription().replace("\u202f", " ")  # babel puts a narrow space before PM
    assert "Home visit with Ødegård, Zoë" in said and "Thursday, December 3, 2026, 2:00 PM to 3:00 PM" in said


def test_dragging_the_bottom_edge_changes_the_end(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    plan(gui, datetime(2026, 12, 2, 11, 0), 60)
    page = open_calendar(gui)
    page.go_to(date(2026, 12, 2))
    week = page.week_view
    (entry,) = page.entries()

    rect = week.event_rect(entry.key)
    edge = QPoint(rect.center().x(), rect.bottom() - 2)
    drag(gui, week, edge, QPoint(edge.x(), week.point_for(datetime(2026, 12, 2, 12, 45)).y()))

    (occ,) = gui.controller.session.follow_ups.occurrences(date(2026, 12, 2), date(2026, 12, 2))
    assert (occ.start, occ.end) == (datetime(2026, 12, 2, 11, 0), datetime(2026, 12, 2, 12, 45))
    assert occ.status is Status.SCHEDULED
    assert page.entries()[0].end == datetime(2026, 12, 2, 12, 45)


def test_double_click_plans_at_that_time_and_enter_edits(gui: Gui, client_vault: Path,
                                                          fake_editor: list[dict[str, Any]]) -> None:
    gui.unlock(client_vault)
    series = plan(gui, datetime(2026, 12, 2, 9, 0), 45)
    page = open_calendar(gui)
    page.go_to(date(2026, 12, 2))
    week = page.week_view

    slot = week.point_for(datetime(2026, 12, 4, 15, 0)) + QPoint(0, 4)
    gui.qtbot.mouseDClick(week.viewport(), Qt.MouseButton.LeftButton, pos=slot)
    assert fake_editor == [{"start": datetime(2026, 12, 4, 15, 0), "all_day": False}]

    # The keyboard: the selected day is now Friday 4; Left to Wednesday, Down to its follow-up.
    week.setFocus()
    gui.key(Qt.Key.Key_Left)
    gui.key(Qt.Key.Key_Left)
    assert week.selected_day == date(2026, 12, 2)
    gui.key(Qt.Key.Key_Down)
    selected = week.selected_entry()
    assert selected is not None and selected.occ.follow_up_id == series
    gui.key(Qt.Key.Key_Return)
    assert fake_editor[-1]["follow_up_id"] == series
    assert fake_editor[-1]["original_start"] == datetime(2026, 12, 2, 9, 0)

    gui.key(Qt.Key.Key_N)  # a new one on the selected day
    assert fake_editor[-1] == {"start": datetime(2026, 12, 2, 9, 0), "all_day": False}
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N here: a follow-up, not a client
    assert len(fake_editor) == 4 and "start" in fake_editor[-1]
    assert gui.controller.workspace.editor is None


def test_discreet_mode_keeps_names_out_of_the_calendar(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    plan(gui, datetime(2026, 11, 27, 10, 0))
    workspace = gui.controller.workspace
    page = open_calendar(gui)
    week = page.week_view
    week.setFocus()
    gui.key(Qt.Key.Key_Right)  # Friday 27
    gui.key(Qt.Key.Key_Down)  # its follow-up
    assert "Ødegård, Zoë" in week.accessibleDescription()
    assert any("Ødegård" in t for t in painted(week))

    workspace.set_discreet(True)
    texts = painted(week)
    assert any("Z.Ø." in t for t in texts) and not any("Ødegård" in t or "Zoë" in t for t in texts)
    description = week.accessibleDescription()
    assert "Z.Ø." in description and "Ødegård" not in description and "Zoë" not in description
    for view in ("month", "agenda"):
        page.set_view(view)
        shown = "\n".join(painted(page.month_view)) if view == "month" else visible_texts(page.agenda_view)
        shown += page.current_view().accessibleDescription()
        assert "Z.Ø." in shown, view
        assert "Ødegård" not in shown and "Zoë" not in shown, view

    workspace.set_discreet(False)
    assert "Ødegård, Zoë" in visible_texts(page.agenda_view)


def test_lock_clears_what_the_calendar_shows(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    plan(gui, datetime(2026, 11, 27, 10, 0))
    page = open_calendar(gui)
    assert page.entries()
    page.clear()
    assert page.entries() == [] and page.week_view.entries() == []
    assert not any("Ødegård" in t for t in painted(page.week_view))
    assert page.week_view.accessibleDescription() == ""

