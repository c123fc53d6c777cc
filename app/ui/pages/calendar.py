"""The calendar: month, week (time grid) and agenda views of every client's follow-ups.

The page owns the period shown and the data: it reads one window of occurrences for the view
(month: its six weeks; week: seven days; agenda: fourteen days), names the clients as discreet
mode allows, marks double bookings and hands the views ready-made `CalendarEntry`s. The views
paint and report; what is done to a follow-up (edit, move, complete, missed, cancel) goes through
`app.ui.follow_up_actions`, then the page reloads.

Keys on the page: M / W / A switch view, PgUp / PgDn move a period, T returns to today,
N or Ctrl+N plans a follow-up (the window's Ctrl+N, new client, waits while the calendar has the
focus).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QHideEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date, ngettext
from app.models.client import RosterRow
from app.models.follow_ups import FollowUpType, Occurrence, Status, zone
from app.models.risk import Tier
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import follow_up_actions, theme
from app.ui.theme import SPACING
from app.ui.widgets.calendar_agenda import AgendaView
from app.ui.widgets.calendar_month import (
    CONFLICT_MARK,
    STATUS_MARKS,
    CalendarEntry,
    MonthView,
    badge_colours,
    first_weekday,
    mark_clashes,
    tier_letter,
    type_colour,
    week_start,
)
from app.ui.widgets.calendar_week import WeekView
from app.ui.widgets.common import Banner, EmptyState, PageHeader, muted_label, primary_button

MONTH, WEEK, AGENDA = "month", "week", "agenda"
VIEWS = (MONTH, WEEK, AGENDA)
AGENDA_DAYS = 14
_VIEW_KEYS = {Qt.Key.Key_M: MONTH, Qt.Key.Key_W: WEEK, Qt.Key.Key_A: AGENDA}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first.replace(day=min(day.day, (following - first).days))


def _interval(first: date, last: date) -> str:
    from babel.dates import format_interval

    return str(format_interval(first, last, "yMMMd", locale=current_locale()))


@contextmanager
def _bulk() -> Iterator[None]:
    """Tens of thousands of small objects are made at once (a month of a large caseload): the
    cyclic garbage collector would walk the whole heap several times meanwhile for nothing (none
    of them form cycles), so it waits until they are made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _error_sentence(exc: VaultError) -> str:
    if isinstance(exc, ValidationError) and exc.problems:
        return next(iter(exc.problems.values()))
    return str(exc)


PREFETCH_DELAY_MS = 120  # idle time before the neighbouring periods are read
PREFETCH_NEXT_MS = 20  # and between the two (events waiting meanwhile go first)


class CalendarPage(QWidget):
    open_client = Signal(str)

    def __init__(self, session: Session | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session  # type: ignore[assignment]  # bound before use
        self.discreet = False
        self._view = WEEK
        self._selected: date | None = None  # the day the period is built around
        self._occurrences: list[Occurrence] = []
        self._names: dict[str, RosterRow] = {}
        self._zone = "UTC"
        self._today = date.today()
        self._entries: list[CalendarEntry] = []
        self._clashes = 0
        self._build()
        self._clock = QTimer(self)
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self._tick)
        # Once a period is on screen, the periods either side are read while the page is idle, so
        # "next" and "previous" show at once (the service keeps the windows it has read).
        self._prefetch = QTimer(self)
        self._prefetch.setSingleShot(True)
        self._prefetch.setInterval(PREFETCH_DELAY_MS)
        self._prefetch.timeout.connect(self._read_ahead)
        self._ahead: list[date] = []
        self._direction = 1  # which way the person is paging: that neighbour is read first

    # -- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        self.header = PageHeader(_("Calendar"))
        self.export_button = QPushButton(_("Export to calendar file…"))
        self.export_button.setIcon(theme.icon("mdi6.calendar-export-outline"))
        self.export_button.setToolTip(_("Save upcoming follow-ups as an .ics file for a personal calendar "
                                        "(clients named by code only unless you choose otherwise)"))
        self.export_button.setAccessibleName(_("Export to calendar file"))
        self.export_button.clicked.connect(self.export_calendar)
        self.header.add_action(self.export_button)
        self.new_button = self.header.add_action(primary_button(_("New follow-up")))
        self.new_button.setIcon(theme.icon("mdi6.plus", theme.colors().accent_text))
        self.new_button.setToolTip(_("Plan a follow-up (N or Ctrl+N)"))
        self.new_button.setAccessibleName(_("New follow-up"))
        self.new_button.clicked.connect(lambda: self.new_follow_up())
        layout.addWidget(self.header)

        bar = QHBoxLayout()
        bar.setSpacing(SPACING)
        self.today_button = QPushButton(_("Today"))
        self.today_button.setToolTip(_("Go to today (T)"))
        self.today_button.setAccessibleName(_("Go to today"))
        self.today_button.clicked.connect(self.go_today)
        self.prev_button = QPushButton()
        self.prev_button.setIcon(theme.icon("mdi6.chevron-left"))
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QPushButton()
        self.next_button.setIcon(theme.icon("mdi6.chevron-right"))
        self.next_button.clicked.connect(lambda: self.step(1))
        for button in (self.prev_button, self.next_button):
            button.setFixedWidth(44)
        self.title = QLabel()
        self.title.setObjectName("CalendarTitle")
        self.title.setFont(theme.scaled_font(self, 1.35, bold=True))
        self.title.setMinimumWidth(220)
        bar.addWidget(self.today_button)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(SPACING)
        bar.addWidget(self.title)
        bar.addStretch(1)
        self.view_group = QButtonGroup(self)
        self.view_group.setExclusive(True)
        self.view_buttons: dict[str, QPushButton] = {}
        switch = QHBoxLayout()
        switch.setSpacing(0)
        labels = {MONTH: (_("Month"), "M"), WEEK: (_("Week"), "W"), AGENDA: (_("Agenda"), "A")}
        for index, name in enumerate(VIEWS):
            text, key = labels[name]
            button = QPushButton(text)
            button.setCheckable(True)
            button.setObjectName("ViewSwitch")
            button.setToolTip(_("{view} view ({key})").format(view=text, key=key))
            button.setAccessibleName(_("{view} view").format(view=text))
            button.setProperty("position", "first" if index == 0 else "last" if index == len(VIEWS) - 1 else "middle")
            button.clicked.connect(lambda _checked=False, n=name: self.set_view(n))
            self.view_group.addButton(button)
            self.view_buttons[name] = button
            switch.addWidget(button)
        bar.addLayout(switch)
        layout.addLayout(bar)

        self.summary = muted_label()
        self.summary.setWordWrap(False)
        self.legend = QLabel()
        self.legend.setObjectName("CalendarLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        info = QHBoxLayout()
        info.setSpacing(SPACING * 2)
        info.addWidget(self.summary)
        info.addWidget(self.legend, 1)
        layout.addLayout(info)

        self.banner = Banner("warning")
        self.banner.add_button(_("Dismiss"), self.banner.hide)
        layout.addWidget(self.banner)

        self.stack = QStackedWidget()
        self.month_view = MonthView()
        self.week_view = WeekView()
        self.agenda_view = AgendaView()
        plan = primary_button(_("New follow-up"))
        plan.clicked.connect(lambda: self.new_follow_up())
        self.agenda_empty = EmptyState(
            _("Nothing planned in these {n} days").format(n=AGENDA_DAYS),
            _("Press N or use New follow-up to plan one. PgDn shows the next {n} days.").format(n=AGENDA_DAYS), plan)
        self.agenda_stack = QStackedWidget()
        self.agenda_stack.addWidget(self.agenda_view)
        self.agenda_stack.addWidget(self.agenda_empty)
        for widget in (self.month_view, self.week_view, self.agenda_stack):
            self.stack.addWidget(widget)
        layout.addWidget(self.stack, 1)
        self._style_switch()

        self.month_view.day_selected.connect(self._month_day_selected)
        self.month_view.day_activated.connect(lambda day: self._open_day(day, WEEK))
        self.month_view.more_requested.connect(lambda day: self._open_day(day, AGENDA))
        self.month_view.slot_activated.connect(self.new_follow_up)
        self.month_view.entry_activated.connect(self.edit_entry)
        self.month_view.context_requested.connect(self.show_actions)
        self.week_view.day_selected.connect(self._week_day_selected)
        self.week_view.more_requested.connect(lambda day: self._open_day(day, AGENDA))
        self.week_view.slot_activated.connect(self.new_follow_up)
        self.week_view.entry_activated.connect(self.edit_entry)
        self.week_view.context_requested.connect(self.show_actions)
        self.week_view.move_requested.connect(self.move_entry)
        self.week_view.cancel_requested.connect(lambda entry: self._act(follow_up_actions.cancel_occurrence, entry))
        self.agenda_view.entry_activated.connect(self.edit_entry)
        self.agenda_view.context_requested.connect(self.show_actions)
        self.agenda_view.cancel_requested.connect(lambda entry: self._act(follow_up_actions.cancel_occurrence, entry))
        self._show_view()

    def _style_switch(self) -> None:
        c = theme.colors()
        radius = {"first": "border-top-left-radius: 6px; border-bottom-left-radius: 6px;",
                  "middle": "",
                  "last": "border-top-right-radius: 6px; border-bottom-right-radius: 6px;"}
        bold = theme.scaled_font(self, 1.0, bold=True)
        for button in self.view_buttons.values():
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(button.text()) + 40)
            corners = radius[str(button.property("position"))]
            button.setStyleSheet(
                f"QPushButton {{ border-radius: 0px; {corners} padding: 6px 16px; }}"
                f"QPushButton:checked {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent};"
                f" font-weight: 600; }}")

    def _legend_html(self) -> str:
        c = theme.colors()
        parts = [f'<span style="color:{type_colour(kind).name()}">■</span>&nbsp;{kind.label}' for kind in FollowUpType]
        def badge(tier: Tier) -> str:
            bg, fg = badge_colours(tier)
            return (f'<span style="background-color:{bg.name()}; color:{fg.name()}; font-weight:600">'
                    f"&nbsp;{tier_letter(tier)}&nbsp;</span>")

        marks = [
            _("{letter} High tier").format(letter=badge(Tier.HIGH)),
            _("{letter} Crisis tier").format(letter=badge(Tier.CRISIS)),
            f"{STATUS_MARKS[Status.COMPLETED]} {Status.COMPLETED.label}",
            f"{STATUS_MARKS[Status.MISSED]} {Status.MISSED.label}",
            f"{STATUS_MARKS[Status.CANCELLED]} {Status.CANCELLED.label}",
            "! " + _("Overdue"),
            f"{CONFLICT_MARK} " + _("Double-booked"),
        ]
        items = "&nbsp;&nbsp; ".join(parts)
        keys = "&nbsp;&nbsp; ".join(marks)
        return f'<span style="color:{c.muted}">{items}<br>{keys}</span>'

    # -- the period ----------------------------------------------------------------------------

    def view_name(self) -> str:
        return self._view

    def selected_day(self) -> date:
        return self._selected or self._current_today()

    def _current_today(self) -> date:
        if self.session is not None:
            return self.session.clock.today()
        return date.today()

    def shown_range(self) -> tuple[date, date]:
        """The first and last day the current view shows."""
        return self._range_for(self.selected_day())

    def _range_for(self, day: date) -> tuple[date, date]:
        """The first and last day the current view shows around `day`."""
        if self._view == MONTH:
            first = week_start(day.replace(day=1), first_weekday())
            return first, first + timedelta(days=41)
        if self._view == WEEK:
            first = week_start(day, first_weekday())
            return first, first + timedelta(days=6)
        return day, day + timedelta(days=AGENDA_DAYS - 1)

    def set_view(self, name: str) -> None:
        """Show "month", "week" or "agenda" around the selected day."""
        if name not in VIEWS:
            raise ValueError(name)
        self._view = name
        self._show_view()
        self.reload()
        self.focus_view()

    def go_to(self, day: date) -> None:
        """Show the period holding `day`, with `day` selected."""
        self._selected = day
        self.reload()

    def go_today(self) -> None:
        self.go_to(self._current_today())
        self.focus_view()

    def step(self, periods: int) -> None:
        """Move by whole months, weeks or agenda spans."""
        self._direction = -1 if periods < 0 else 1
        self.go_to(self._stepped(self.selected_day(), periods))

    def _stepped(self, day: date, periods: int) -> date:
        if self._view == MONTH:
            return _add_months(day, periods)
        if self._view == WEEK:
            return day + timedelta(days=7 * periods)
        return day + timedelta(days=AGENDA_DAYS * periods)

    def _read_ahead(self) -> None:
        """Read one neighbouring period (next first, then previous), then wait for the next idle turn."""
        if not self._ahead or self.session is None or not self.session.is_open or not self.isVisible():
            self._ahead = []
            return
        first, last = self._range_for(self._ahead.pop(0))
        with _bulk():
            found = self.session.follow_ups.occurrences(first - timedelta(days=1), last + timedelta(days=1))
        missing = {o.client_id for o in found} - self._names.keys()
        if missing:
            self._names.update((row.id, row) for row in self.session.clients.rows(missing))
        if self._ahead:
            self._prefetch.start(PREFETCH_NEXT_MS)

    def _show_view(self) -> None:
        self.view_buttons[self._view].setChecked(True)
        self.stack.setCurrentIndex(VIEWS.index(self._view))
        unit = {MONTH: (_("Previous month"), _("Next month")), WEEK: (_("Previous week"), _("Next week")),
                AGENDA: (_("Previous {n} days").format(n=AGENDA_DAYS), _("Next {n} days").format(n=AGENDA_DAYS))}
        back, forward = unit[self._view]
        self.prev_button.setAccessibleName(back)
        self.prev_button.setToolTip(_("{what} (PgUp)").format(what=back))
        self.next_button.setAccessibleName(forward)
        self.next_button.setToolTip(_("{what} (PgDn)").format(what=forward))

    def current_view(self) -> QWidget:
        return {MONTH: self.month_view, WEEK: self.week_view, AGENDA: self.agenda_view}[self._view]

    def focus_view(self) -> None:
        """Give the keyboard to the current view."""
        if self._view == AGENDA and self.agenda_stack.currentWidget() is not self.agenda_view:
            self.new_button.setFocus()
            return
        self.current_view().setFocus()

    # -- data ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the shown period."""
        if self.session is None or not self.session.is_open:
            return
        self._today = self.session.clock.today()
        if self._selected is None:
            self._selected = self._today
        first, last = self.shown_range()
        self._zone = self.session.follow_ups.default_zone()
        # A day either side: a follow-up planned in another zone may fall on a shown day here.
        with _bulk():
            self._occurrences = self.session.follow_ups.occurrences(first - timedelta(days=1),
                                                                    last + timedelta(days=1))
        # Client names are kept while the page stays in view (paging through months re-reads only
        # the clients not seen yet); leaving the page forgets them, so an edited name shows on return.
        missing = {o.client_id for o in self._occurrences} - self._names.keys()
        if missing:
            self._names.update((row.id, row) for row in self.session.clients.rows(missing))
        read_only = self.session.read_only
        self.new_button.setEnabled(not read_only)
        self.week_view.read_only = read_only
        self.legend.setText(self._legend_html())
        with _bulk():
            self._fill()
        if self.isVisible():
            self._clock.start()
            day = self.selected_day()
            self._ahead = [self._stepped(day, self._direction), self._stepped(day, -self._direction)]
            self._prefetch.start(PREFETCH_DELAY_MS)

    def _who(self, client_id: str, code: str) -> str:
        """The client as discreet mode allows: the name, or initials (the code when neither)."""
        row = self._names.get(client_id)
        if row is None:
            return code
        if self.discreet:
            return row.initials or row.client_code
        return row.display_name

    def _fill(self) -> None:
        """Entries for the shown period from what was read, into the current view."""
        first, last = self.shown_range()
        display = zone(self._zone)
        today = self._today
        clients: dict[str, tuple[str, str]] = {}  # client id → (who, code): once per client, not per entry
        names, zone_name, scheduled = self._names, self._zone, Status.SCHEDULED
        entries: list[CalendarEntry] = []
        append = entries.append
        for occ in self._occurrences:
            if occ.all_day or occ.tz == zone_name:
                start, end = occ.start, occ.end
            else:
                start = occ.starts_at.astimezone(display).replace(tzinfo=None)
                end = occ.ends_at.astimezone(display).replace(tzinfo=None)
            day = start.date()
            if not first <= day <= last:
                continue
            client = clients.get(occ.client_id)
            if client is None:
                row = names.get(occ.client_id)
                code = occ.client_code or (row.client_code if row is not None else "")
                client = clients[occ.client_id] = (self._who(occ.client_id, code), code)
            append(CalendarEntry(occ, start, end, client[0], client[1],
                                 occ.status is scheduled and day < today and occ.overdue(today)))
        self._clashes = mark_clashes(entries)
        self._entries = entries
        day = self.selected_day()
        weekday = first_weekday()
        now = self.session.clock.now().astimezone(display).replace(tzinfo=None) if self.session is not None else None
        if self._view == MONTH:
            self.title.setText(self._month_title(day))
            self.month_view.empty_text = "" if self._entries else _(
                "Nothing planned this month — press N or double-click a day to plan a follow-up.")
            self.month_view.set_period(day, weekday, self._entries, today, day)
        elif self._view == WEEK:
            self.title.setText(_interval(first, last))
            self.week_view.empty_text = "" if self._entries else _(
                "Nothing planned this week — press N or double-click a time to plan a follow-up.")
            self.week_view.set_week(first, weekday, self._entries, today, now, day)
        else:
            self.title.setText(_interval(first, last))
            self.agenda_view.agenda.set_entries(self._entries, today)
            self.agenda_stack.setCurrentWidget(self.agenda_view if self._entries else self.agenda_empty)
            self.agenda_view.select_day(day)
        self.title.setAccessibleName(self.title.text())
        self._summarise()

    @staticmethod
    def _month_title(day: date) -> str:
        title = format_date(day, "LLLL y")
        return title[:1].upper() + title[1:]

    def _summarise(self) -> None:
        cancelled = Status.CANCELLED
        planned = overdue = 0
        for entry in self._entries:
            planned += entry.occ.status is not cancelled
            overdue += entry.overdue
        clashes = self._clashes
        parts = [ngettext("{n} follow-up", "{n} follow-ups", planned).format(n=planned)]
        if overdue:
            parts.append(ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue))
        if clashes:
            parts.append(ngettext("{n} double-booked", "{n} double-booked", clashes).format(n=clashes))
        self.summary.setText(" · ".join(parts))

    def set_discreet(self, on: bool) -> None:
        """Initials instead of names (the calendar shows client codes or initials)."""
        if on == self.discreet:
            return
        self.discreet = on
        if self._occurrences:
            self._fill()

    def clear(self) -> None:
        """Drop every occurrence shown (on lock)."""
        self._clock.stop()
        self._prefetch.stop()
        self._ahead = []
        self._occurrences, self._names, self._entries = [], {}, []
        self.month_view.clear()
        self.week_view.clear()
        self.agenda_view.agenda.clear()
        self.agenda_view.setAccessibleDescription("")
        self.banner.hide()
        self.summary.clear()

    def entries(self) -> list[CalendarEntry]:
        """What the current view was given (for tests and the benchmark)."""
        return list(self._entries)

    # -- following the views -------------------------------------------------------------------

    def _month_day_selected(self, day: date) -> None:
        self._selected = day
        if day.month != self.month_view.month.month or day.year != self.month_view.month.year:
            self.reload()

    def _week_day_selected(self, day: date) -> None:
        self._selected = day
        if day not in self.week_view.days:
            self.reload()

    def _open_day(self, day: date, view: str) -> None:
        self._selected = day
        self.set_view(view)

    # -- acting on follow-ups ------------------------------------------------------------------

    def _act(self, action: Callable[[QWidget, Session, Occurrence], bool], entry: CalendarEntry) -> None:
        try:
            changed = action(self, self.session, entry.occ)
        except VaultError as exc:
            self.banner.show_message(_error_sentence(exc), "warning")
            return
        if changed:
            self.banner.hide()
            self.reload()
            self._reselect(entry)

    def _reselect(self, entry: CalendarEntry) -> None:
        if self._view == WEEK:
            found = self.week_view.entry(entry.key)
            if found is not None:
                self.week_view.select_entry(found)
        elif self._view == AGENDA:
            self.agenda_view.select_key(entry.key)

    def edit_entry(self, entry: CalendarEntry) -> None:
        self._act(follow_up_actions.edit_occurrence, entry)

    def move_entry(self, entry: CalendarEntry, start: datetime, end: datetime) -> None:
        """A block was dragged to `start`–`end` (wall times here): move that occurrence only, or
        as follow_up_actions asks, in the follow-up's own zone."""
        occ = entry.occ
        if not occ.all_day and occ.tz != self._zone:
            here, there = zone(self._zone), zone(occ.tz)
            start = start.replace(tzinfo=here).astimezone(there).replace(tzinfo=None)
            end = end.replace(tzinfo=here).astimezone(there).replace(tzinfo=None)
        self._act(lambda parent, session, o: follow_up_actions.move_occurrence(parent, session, o, start, end), entry)

    def show_actions(self, entry: CalendarEntry, where: QPoint) -> None:
        """The follow-up's menu: open the record, edit, complete into a note, missed, cancel."""
        menu = QMenu(self)
        menu.setAccessibleName(_("Follow-up actions"))
        future = entry.day > self._today
        read_only = self.session is None or self.session.read_only
        open_record = menu.addAction(theme.icon("mdi6.account-outline"), _("Open record"))
        edit = menu.addAction(theme.icon("mdi6.pencil-outline"), _("Edit…"))
        menu.addSeparator()
        complete = menu.addAction(theme.icon("mdi6.check"), _("Complete and write the note…"))
        missed = menu.addAction(theme.icon("mdi6.close"), _("Mark missed…"))
        cancel = menu.addAction(theme.icon("mdi6.cancel"), _("Cancel this follow-up…"))
        edit.setEnabled(not read_only)
        complete.setEnabled(not read_only and not future and entry.status in (Status.SCHEDULED, Status.MISSED))
        missed.setEnabled(not read_only and not future and entry.status is Status.SCHEDULED)
        cancel.setEnabled(not read_only and entry.status is Status.SCHEDULED)
        if future:
            complete.setToolTip(_("It is still to come."))
        chosen = menu.exec(where)
        if chosen is open_record:
            self.open_client.emit(entry.occ.client_id)
        elif chosen is edit:
            self.edit_entry(entry)
        elif chosen is complete:
            self._act(follow_up_actions.complete_into_note, entry)
        elif chosen is missed:
            self._act(follow_up_actions.mark_missed, entry)
        elif chosen is cancel:
            self._act(follow_up_actions.cancel_occurrence, entry)

    def _default_start(self) -> datetime:
        day = self.selected_day()
        if day == self._today and self.session is not None:
            now = self.session.clock.now().astimezone(zone(self._zone)).replace(tzinfo=None)
            hour = min(22, max(9, now.hour + 1))
            return datetime.combine(day, time(hour, 0))
        return datetime.combine(day, time(9, 0))

    def new_follow_up(self, start: datetime | None = None, all_day: bool = False) -> None:
        """Plan a follow-up (the client is chosen in the editor), starting at `start` or on the
        selected day."""
        if self.session is None or self.session.read_only:
            return
        from app.ui.dialogs.follow_up_editor import FollowUpEditorDialog

        dialog = FollowUpEditorDialog(self.session, self, start=start or self._default_start(), all_day=all_day)
        saved: list[bool] = []
        dialog.saved.connect(lambda: saved.append(True))
        follow_up_actions.run_dialog(dialog)  # closed (its draft kept) if the vault locks meanwhile
        dialog.deleteLater()
        if saved and self.session.is_open:
            self.reload()

    def export_calendar(self) -> None:
        from app.ui.dialogs.export_ics import ExportIcsDialog

        dialog = ExportIcsDialog(self.session, self)
        follow_up_actions.run_dialog(dialog)
        dialog.deleteLater()

    # -- keys and time -------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Ctrl+N plans a follow-up while the focus is on the calendar (elsewhere: new client)."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._is_new(event):
            event.accept()
            return True
        return super().event(event)

    @staticmethod
    def _is_new(event: QKeyEvent) -> bool:
        return QKeySequence(event.keyCombination()) == QKeySequence(QKeySequence.StandardKey.New)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self._is_new(event) or (plain and key == Qt.Key.Key_N):
            self.new_follow_up()
        elif plain and key in _VIEW_KEYS:
            self.set_view(_VIEW_KEYS[key])
        elif plain and key == Qt.Key.Key_T:
            self.go_today()
        elif plain and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.step(-1 if key == Qt.Key.Key_PageUp else 1)
            self.focus_view()
        else:
            super().keyPressEvent(event)

    def _tick(self) -> None:
        if not self.isVisible() or self.session is None or not self.session.is_open:
            self._clock.stop()
            return
        now = self.session.clock.now().astimezone(zone(self._zone)).replace(tzinfo=None)
        self.week_view.set_now(now)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._names = {}
        self._clock.stop()
        self._prefetch.stop()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.session is not None and self._occurrences:
            self._clock.start()
