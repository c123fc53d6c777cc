"""Plan or change a follow-up: one-off or recurring; this occurrence or this and following.

The form: for whom (a search when the client isn't given), type, date, start and end or all
day, place and purpose, and how it repeats — daily, weekly or every N weeks on chosen days,
monthly on the same date or weekday — ending never, on a date or after a number of times, with
the rule said back in a sentence ("Every 8 weeks on Tuesday, 6 times").

Changing one occurrence of a series asks what changes: only this visit, or this and the
following ones (from the first visit: the whole series). A double booking is a warning, never a
block. A rule the service refuses shows its sentence under the repeat settings and everything
typed stays. Typing is autosaved as a draft, so a lock loses nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, format_date, ngettext, parse_date
from app.models.follow_ups import FollowUp, FollowUpFields, FollowUpType, Occurrence, Proposal, zone
from app.models.notes import parse_time
from app.models.recurrence import Frequency, Recurrence, describe, nth_of_month, weekday_name
from app.services.errors import NotFound, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.dialogs.note_editor import time_text
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    muted_label,
    primary_button,
    set_default_button,
)
from app.ui.widgets.inputs import DateField

FORM = "follow_up"
CONFLICT_DELAY_MS = 250

TYPE_ICONS = {
    FollowUpType.HOME_VISIT: "mdi6.home-outline", FollowUpType.PHONE: "mdi6.phone-outline",
    FollowUpType.OFFICE: "mdi6.office-building-outline", FollowUpType.TELEHEALTH: "mdi6.video-outline",
    FollowUpType.PLAN_REVIEW: "mdi6.clipboard-text-outline", FollowUpType.RESCREENING: "mdi6.clipboard-pulse-outline",
    FollowUpType.POST_TRANSITION: "mdi6.swap-horizontal", FollowUpType.OTHER: "mdi6.calendar-blank-outline",
}
DEFAULT_MINUTES = {
    FollowUpType.HOME_VISIT: 60, FollowUpType.PHONE: 20, FollowUpType.OFFICE: 45, FollowUpType.TELEHEALTH: 30,
    FollowUpType.PLAN_REVIEW: 60, FollowUpType.RESCREENING: 30, FollowUpType.POST_TRANSITION: 20,
    FollowUpType.OTHER: 30,
}
NONE = "none"  # "Does not repeat" in the repeat choice
ENDS_NEVER, ENDS_UNTIL, ENDS_COUNT = "never", "until", "count"
NTH_CHOICES = (1, 2, 3, 4, -1)


class Scope(StrEnum):
    """What an edit of one occurrence of a series changes."""

    ONE = "one"
    FOLLOWING = "following"
    ALL = "all"


def ordinal(nth: int) -> str:
    return {1: _("1st"), 2: _("2nd"), 3: _("3rd"), 4: _("4th"), -1: _("last")}.get(nth, str(nth))


def day_text(day: date) -> str:
    """"Tuesday, Nov 17, 2026": the weekday matters when planning visits."""
    return _("{weekday}, {date}").format(weekday=weekday_name(day.weekday()), date=format_date(day))


def when_text(occ: Occurrence) -> str:
    """"Tuesday, Nov 17, 2026, 10:00 AM" (or the day alone for an all-day follow-up)."""
    day = day_text(occ.start.date())
    return day if occ.all_day else _("{date}, {time}").format(date=day, time=time_text(occ.start.time()))


class FollowUpEditorDialog(OfferedDraftDialog):
    """New follow-up (client_id given, or chosen in the dialog when None; `start` prefills the
    time, `all_day` an all-day one), or an existing occurrence (`follow_up_id` + `original_start`).
    `proposal` schedules a proposed follow-up (accepted with what the form holds).
    Emits `saved` after anything was written; `follow_up` is then the series written."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *, client_id: str | None = None,
                 follow_up_id: str | None = None, original_start: datetime | None = None,
                 start: datetime | None = None, all_day: bool = False, proposal: Proposal | None = None,
                 auto_restore: bool = False) -> None:
        super().__init__(parent)
        self.session = session
        self.proposal = proposal
        self.follow_up: FollowUp | None = None
        self.series: FollowUp | None = None
        self.occurrence: Occurrence | None = None
        self.original_start = original_start.replace(tzinfo=None, second=0, microsecond=0) if original_start else None
        if follow_up_id is not None:
            self.series = session.follow_ups.get(follow_up_id)
            client_id = self.series.client_id
            if self.original_start is None:
                self.original_start = self.series.fields.start
            self.occurrence = session.follow_ups.occurrence(follow_up_id, self.original_start)
        elif proposal is not None:
            client_id = proposal.client_id
        self.client_id = client_id
        self.tz = self.series.fields.tz if self.series else session.follow_ups.default_zone()
        self._auto_weekdays = True  # the weekly days follow the date until chosen by hand
        self._length_from_type = self.series is None and proposal is None  # until an end is typed
        self._duration = timedelta(minutes=60)
        self._scope = Scope.ONE if self.recurring_edit else Scope.ALL
        if self.series is not None and self.original_start is not None:
            self.object_id = f"{self.series.id}@{self.original_start.isoformat()}"
        elif proposal is not None:
            self.object_id = f"proposal:{proposal.client_id}:{proposal.key}"
        else:
            self.object_id = f"new:{client_id or ''}"

        if self.series is not None:
            title = _("Change follow-up")
        elif proposal is not None:
            title = _("Schedule the proposed follow-up")
        else:
            title = _("New follow-up")
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(800, 720)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(heading)
        self.for_label = muted_label("")
        outer.addWidget(self.for_label)
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll, page = self.scrolling_form()
        self.scroll_area = scroll
        self.form.setSpacing(SPACING * 2)
        self._build_scope()
        self._build_client()
        self._build_when()
        self.conflict_banner = Banner("warning")
        self.form.addWidget(self.conflict_banner)
        self._build_repeat()
        self.form.addStretch(1)
        scroll.setWidget(page)
        outer.addWidget(scroll, 1)

        row = QHBoxLayout()
        self.status = muted_label("")
        row.addWidget(self.status, 1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("Close without saving (Esc)"))
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.cancel_button)
        primary = (_("Save changes") if self.series is not None
                   else _("Schedule it") if proposal is not None else _("Save follow-up"))
        self.save_button = primary_button(primary)
        self.save_button.setIcon(theme.icon("mdi6.calendar-check-outline", theme.colors().accent_text))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        outer.addLayout(row)
        set_default_button(self, None)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        self._conflict_timer = QTimer(self)
        self._conflict_timer.setSingleShot(True)
        self._conflict_timer.setInterval(CONFLICT_DELAY_MS)
        self._conflict_timer.timeout.connect(self.check_conflicts)

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self._show_client()
        self.apply(self._base_data(self._scope, start=start, all_day=all_day))
        self.initial = self.collect()
        self.offer_draft(FORM, self.object_id, auto_restore)
        self._connect()
        self._order_tabs()
        self._update_summary()
        self.check_conflicts()

    # -- what is being edited ------------------------------------------------------------------

    @property
    def recurring_edit(self) -> bool:
        return self.series is not None and self.series.recurring

    @property
    def first_occurrence(self) -> bool:
        return self.series is not None and self.original_start == self.series.fields.start

    @property
    def scope(self) -> Scope:
        return self._scope

    def _base_fields(self, scope: Scope, start: datetime | None, all_day: bool) -> FollowUpFields:
        """What the form starts from for a scope."""
        fu = self.session.follow_ups
        if self.series is not None and self.occurrence is not None and self.original_start is not None:
            if scope is Scope.ONE or not self.series.recurring:  # as it is now (moved, changed)
                occ = self.occurrence
                return replace(self.series.fields, kind=occ.kind, start=occ.start, end=occ.end,
                               location=occ.location, purpose=occ.purpose)
            if scope is Scope.FOLLOWING:
                return fu.following_fields(self.series.id, self.original_start)
            return self.series.fields
        if self.proposal is not None:
            return fu.proposal_fields(self.proposal, tz=self.tz)
        kind = FollowUpType.HOME_VISIT
        if start is None:
            now = self.session.clock.now().astimezone(zone(self.tz)).replace(tzinfo=None, second=0, microsecond=0)
            start = now.replace(minute=0) + timedelta(hours=1)
            if start.hour >= 18 or start.date() != now.date():
                start = datetime.combine(now.date() + timedelta(days=1), time(10, 0))
            elif start.hour < 8:
                start = start.replace(hour=9)
        start = start.replace(tzinfo=None, second=0, microsecond=0)
        if all_day:
            day = datetime.combine(start.date(), time())
            return FollowUpFields(kind, day, day, self.tz, all_day=True)
        return FollowUpFields(kind, start, start + timedelta(minutes=DEFAULT_MINUTES[kind]), self.tz)

    def _base_data(self, scope: Scope, *, start: datetime | None = None, all_day: bool = False) -> dict[str, Any]:
        return self.data_of(self._base_fields(scope, start, all_day))

    def data_of(self, f: FollowUpFields) -> dict[str, Any]:
        """Follow-up fields as the form holds them (dates and times as typed text)."""
        rec = f.recurrence
        weekdays = sorted(set(rec.weekdays or (f.start.weekday(),))) if rec is not None else [f.start.weekday()]
        ends = ENDS_NEVER
        if rec is not None and rec.count is not None:
            ends = ENDS_COUNT
        elif rec is not None and rec.until is not None:
            ends = ENDS_UNTIL
        return {
            "client_id": self.client_id or "", "scope": self._scope.value, "kind": f.kind.value,
            "date": date_example(f.start.date()), "all_day": f.all_day,
            "start_time": "" if f.all_day else time_text(f.start.time()),
            "end_time": "" if f.all_day else time_text(f.end.time()),
            "last_day": date_example(f.end.date()) if f.all_day and f.end.date() != f.start.date() else "",
            "location": f.location, "purpose": f.purpose,
            "repeat": rec.frequency.value if rec is not None else NONE,
            "interval": rec.interval if rec is not None else 1,
            "weekdays": weekdays, "nth": rec.nth if rec is not None and rec.nth is not None else 0,
            "ends": ends, "until": date_example(rec.until) if rec is not None and rec.until else "",
            "count": rec.count if rec is not None and rec.count is not None else 6,
        }

    # -- building ------------------------------------------------------------------------------

    def _build_scope(self) -> None:
        self.scope_card = Card()
        caption = QLabel(_("This visit is part of a series. What do you want to change?"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        caption.setWordWrap(True)
        self.scope_card.body.addWidget(caption)
        self.scope_group = QButtonGroup(self)
        self.scope_buttons: dict[Scope, QRadioButton] = {}
        row = QHBoxLayout()
        row.setSpacing(SPACING * 3)
        when = when_text(self.occurrence) if self.occurrence is not None else ""
        choices = [(Scope.ONE, _("Only this visit ({when})").format(when=when))]
        if self.first_occurrence:
            choices.append((Scope.ALL, _("The whole series")))
        else:
            choices.append((Scope.FOLLOWING, _("This and the following visits")))
        for scope, text in choices:
            button = QRadioButton(text)
            button.setAccessibleName(text)
            self.scope_group.addButton(button)
            self.scope_buttons[scope] = button
            row.addWidget(button)
        row.addStretch(1)
        self.scope_card.body.addLayout(row)
        self.scope_hint = muted_label("")
        self.scope_card.body.addWidget(self.scope_hint)
        self.scope_card.setVisible(self.recurring_edit)
        self.form.addWidget(self.scope_card)

    def _build_client(self) -> None:
        self.client_card = Card()
        caption = QLabel(_("Client *"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        self.client_card.body.addWidget(caption)
        self.client_search = QLineEdit()
        self.client_search.setPlaceholderText(_("Type a name or client code; Down to choose"))
        self.client_search.setClearButtonEnabled(True)
        self.client_search.addAction(theme.icon("mdi6.magnify"), QLineEdit.ActionPosition.LeadingPosition)
        self.client_search.setAccessibleName(_("Search for the client (required)"))
        caption.setBuddy(self.client_search)
        self.client_card.body.addWidget(self.client_search)
        self.client_list = QListWidget()
        self.client_list.setAccessibleName(_("Clients found"))
        self.client_list.setMaximumHeight(120)
        self.client_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.client_card.body.addWidget(self.client_list)
        self.client_hint = muted_label(_("Nobody is listed until you type, so no names show on screen by chance."))
        self.client_card.body.addWidget(self.client_hint)
        self.client_error = QLabel()
        self.client_error.setObjectName("FieldError")
        self.client_error.setWordWrap(True)
        self.client_error.setVisible(False)
        self.client_card.body.addWidget(self.client_error)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.client_search, activated=self._into_clients,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.client_card.setVisible(self.client_id is None)
        self.form.addWidget(self.client_card)

    def _build_when(self) -> None:
        card = Card()
        self.grid = FieldGrid(columns=3)
        self.kind = QComboBox()
        for kind in FollowUpType:
            self.kind.addItem(theme.icon(TYPE_ICONS[kind]), kind.label, kind.value)
        self.grid.add("kind", _("Type"), self.kind, required=True)
        self.date = DateField()
        self.grid.add("date", _("Date"), self.date, required=True)
        self.all_day = QCheckBox(_("No set time"))
        self.all_day.setToolTip(_("A task for the day (or several days), with no set time; it never clashes"))
        self.grid.add("all_day", _("All day"), self.all_day)
        example = time_text(time(10, 30))
        self.start_time = QLineEdit()
        self.start_time.setPlaceholderText(_("e.g. {time}").format(time=example))
        self.start_time.setMaxLength(12)
        self.grid.add("start_time", _("Starts at"), self.start_time, required=True,
                      hint=_("e.g. 10:30 or 2:15 pm"))
        self.end_time = QLineEdit()
        self.end_time.setPlaceholderText(_("e.g. {time}").format(time=time_text(time(11, 30))))
        self.end_time.setMaxLength(12)
        self.grid.add("end", _("Ends at"), self.end_time, required=True,
                      hint=_("Follows the start until you change it"))
        self.last_day = DateField()
        self.grid.add("last_day", _("Last day (if more than one)"), self.last_day)
        self.location = QLineEdit()
        self.location.setMaxLength(500)
        self.location.setPlaceholderText(_("e.g. the client's home, the clinic, by phone"))
        self.grid.add("location", _("Location"), self.location, span=3)
        self.purpose = QPlainTextEdit()
        self.purpose.setTabChangesFocus(True)
        self.purpose.setFixedHeight(64)
        self.purpose.setPlaceholderText(_("What the contact is for, in a few words"))
        self.grid.add("purpose", _("Purpose"), self.purpose, span=3)
        card.body.addWidget(self.grid)
        self.zone_label = muted_label(_("Times are in {zone}.").format(zone=self.tz))
        self.zone_label.setVisible(self.tz != self.session.follow_ups.default_zone())
        card.body.addWidget(self.zone_label)
        self.form.addWidget(card)

    def _build_repeat(self) -> None:
        self.repeat_card = Card()
        caption = QLabel(_("Repeats"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        self.repeat_card.body.addWidget(caption)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        self.repeat = QComboBox()
        self.repeat.addItem(_("Does not repeat"), NONE)
        self.repeat.addItem(_("Daily"), Frequency.DAILY.value)
        self.repeat.addItem(_("Weekly, or every few weeks"), Frequency.WEEKLY.value)
        self.repeat.addItem(_("Monthly on the same date"), Frequency.MONTHLY_BY_DATE.value)
        self.repeat.addItem(_("Monthly on the same weekday"), Frequency.MONTHLY_BY_WEEKDAY.value)
        self.repeat.setAccessibleName(_("Repeats"))
        caption.setBuddy(self.repeat)
        row.addWidget(self.repeat)
        self.every_label = QLabel(_("every"))
        row.addWidget(self.every_label)
        self.interval = QSpinBox()
        self.interval.setRange(1, 52)
        self.interval.setAccessibleName(_("Repeat every how many"))
        self.interval.setToolTip(_("1 to 52 — for example every 8 weeks"))
        row.addWidget(self.interval)
        self.unit_label = QLabel()
        row.addWidget(self.unit_label)
        row.addStretch(1)
        self.repeat_card.body.addLayout(row)

        self.days_row = QWidget()
        days = QHBoxLayout(self.days_row)
        days.setContentsMargins(0, 0, 0, 0)
        days.setSpacing(4)
        days.addWidget(QLabel(_("On")))
        self.day_buttons: list[QPushButton] = []
        for index in range(7):
            name = weekday_name(index)
            button = QPushButton(name[:3])
            button.setObjectName("Choice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setAccessibleName(name)
            button.setToolTip(name)
            self.day_buttons.append(button)
            days.addWidget(button)
        days.addStretch(1)
        self.repeat_card.body.addWidget(self.days_row)

        self.nth_row = QWidget()
        nth = QHBoxLayout(self.nth_row)
        nth.setContentsMargins(0, 0, 0, 0)
        nth.addWidget(QLabel(_("On the")))
        self.nth = QComboBox()
        self.nth.setAccessibleName(_("Which weekday of the month"))
        nth.addWidget(self.nth)
        nth.addStretch(1)
        self.repeat_card.body.addWidget(self.nth_row)

        self.ends_row = QWidget()
        ends = QHBoxLayout(self.ends_row)
        ends.setContentsMargins(0, 0, 0, 0)
        ends.setSpacing(SPACING)
        ends_label = QLabel(_("Ends"))
        ends.addWidget(ends_label)
        self.ends = QComboBox()
        self.ends.addItem(_("Never"), ENDS_NEVER)
        self.ends.addItem(_("On a date"), ENDS_UNTIL)
        self.ends.addItem(_("After a number of times"), ENDS_COUNT)
        self.ends.setAccessibleName(_("Ends"))
        ends_label.setBuddy(self.ends)
        ends.addWidget(self.ends)
        self.until = DateField()
        self.until.setAccessibleName(_("Last date of the series"))
        ends.addWidget(self.until)
        self.count = QSpinBox()
        self.count.setRange(1, 500)
        self.count.setSuffix(" " + _("times"))
        self.count.setAccessibleName(_("Number of times"))
        ends.addWidget(self.count)
        ends.addStretch(1)
        self.repeat_card.body.addWidget(self.ends_row)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setFont(theme.scaled_font(self, 1.0, bold=True))
        self.summary.setAccessibleName(_("Repeat summary"))
        self.repeat_card.body.addWidget(self.summary)
        self.repeat_error = QLabel()
        self.repeat_error.setObjectName("FieldError")
        self.repeat_error.setWordWrap(True)
        self.repeat_error.setVisible(False)
        self.repeat_card.body.addWidget(self.repeat_error)
        self.repeat_hint = muted_label(_("Only this visit changes; the series keeps its pattern. Choose "
                                         "“This and the following visits” to change how it repeats."))
        self.repeat_card.body.addWidget(self.repeat_hint)
        self.form.addWidget(self.repeat_card)

    def _connect(self) -> None:
        for button in self.scope_buttons.values():
            button.toggled.connect(self._scope_toggled)
        self.client_search.textChanged.connect(self._search_clients)
        self.client_list.currentItemChanged.connect(lambda *_a: self._changed())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.date.changed.connect(self._date_changed)
        self.all_day.toggled.connect(self._all_day_toggled)
        self.start_time.textEdited.connect(self._start_finished)
        self.end_time.textEdited.connect(self._end_typed)
        self.last_day.changed.connect(self._changed)
        self.location.textEdited.connect(self._changed)
        self.purpose.textChanged.connect(self._changed)
        self.repeat.currentIndexChanged.connect(self._repeat_changed)
        self.interval.valueChanged.connect(self._repeat_changed)
        for button in self.day_buttons:
            button.clicked.connect(self._day_clicked)
        self.nth.currentIndexChanged.connect(self._repeat_changed)
        self.ends.currentIndexChanged.connect(self._repeat_changed)
        self.until.changed.connect(self._repeat_changed)
        self.count.valueChanged.connect(self._repeat_changed)

    def _order_tabs(self) -> None:
        chain: list[QWidget] = [*self.scope_buttons.values(), self.client_search, self.client_list, self.kind,
                                self.date.edit, self.date.pick, self.all_day, self.start_time, self.end_time,
                                self.last_day.edit, self.last_day.pick, self.location, self.purpose, self.repeat,
                                self.interval, *self.day_buttons, self.nth, self.ends, self.until.edit,
                                self.until.pick, self.count, self.cancel_button, self.save_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- the client ----------------------------------------------------------------------------

    def _show_client(self) -> None:
        if self.client_id is None:
            self.for_label.setText(_("Choose the client, then when and how often."))
            return
        try:
            client = self.session.clients.get(self.client_id)
        except NotFound:
            self.for_label.setText("")
            return
        text = _("For {name} ({code})").format(name=client.display_name, code=client.client_code)
        if self.proposal is not None:
            text = _("{who} · proposed: {why}").format(who=text, why=self.proposal.source.label)
        self.for_label.setText(text)

    def _search_clients(self, text: str) -> None:
        self.client_list.clear()
        self.client_error.setVisible(False)
        if not text.strip():
            self.client_hint.setVisible(True)
            return
        rows = self.session.clients.search(text)[:50]
        for row in rows:
            item = QListWidgetItem(_("{name} — {code}").format(name=row.display_name, code=row.client_code))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.client_list.addItem(item)
        if rows:
            self.client_list.setCurrentRow(0)  # the best guess, so Tab after typing takes it
        self.client_hint.setText(_("No client matches “{text}”.").format(text=text.strip()) if not rows else
                                 ngettext("{n} client found.", "{n} clients found.", len(rows)).format(n=len(rows)))
        self.client_hint.setVisible(True)

    def _into_clients(self) -> None:
        if self.client_list.count():
            self.client_list.setFocus()

    def chosen_client(self) -> str | None:
        if self.client_id is not None:
            return self.client_id
        item = self.client_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    # -- reactions -----------------------------------------------------------------------------

    def _changed(self, *_args: Any) -> None:
        self.autosaver.changed()
        self._conflict_timer.start()

    def _scope_toggled(self, checked: bool) -> None:
        if not checked:
            return
        new = next(s for s, b in self.scope_buttons.items() if b.isChecked())
        if new is self._scope:
            return
        # Keep what was typed; what was left as it was follows the scope chosen.
        old_base, new_base = self._base_data(self._scope), self._base_data(new)
        current = self.collect()
        merged = {k: (new_base[k] if current.get(k) == old_base.get(k) else current.get(k)) for k in new_base}
        self._scope = new
        merged["scope"] = new.value
        self.apply(merged)
        self._sync_scope_widgets()
        self._changed()

    def _sync_scope_widgets(self) -> None:
        one = self.recurring_edit and self._scope is Scope.ONE
        self.scope_hint.setText(
            _("Only this visit changes. The others stay as they are.") if one else
            _("This visit and every later one change; the earlier ones stay as they were.")
            if self._scope is Scope.FOLLOWING else _("Every visit in the series changes."))
        for widget in (self.repeat, self.interval, self.nth, self.ends, self.until, self.count, *self.day_buttons):
            widget.setEnabled(not one)
        self.all_day.setEnabled(not one)
        self.repeat_hint.setVisible(one)
        self._sync_repeat_widgets()

    def _kind_changed(self, _index: int) -> None:
        if self._length_from_type and not self.all_day.isChecked():
            self._duration = timedelta(minutes=DEFAULT_MINUTES[FollowUpType(self.kind.currentData())])
            self._set_end_from_start()
        self._changed()

    def _date_changed(self) -> None:
        if self._auto_weekdays:
            try:
                day = parse_date(self.date.text())
            except ValueError:
                day = None
            if day is not None:
                self._set_weekdays([day.weekday()])
        self._update_summary()
        self._changed()

    def _all_day_toggled(self, on: bool) -> None:
        self._sync_time_widgets()
        if not on and not self.start_time.text().strip():
            self.start_time.setText(time_text(time(10, 0)))
            self._set_end_from_start()
        self._changed()

    def _sync_time_widgets(self) -> None:
        on = self.all_day.isChecked()
        for name in ("start_time", "end"):
            self.grid.inputs[name].setVisible(not on)
            self.grid.labels[name].setVisible(not on)
        for name in ("last_day",):
            self.grid.inputs[name].setVisible(on)
            self.grid.labels[name].setVisible(on)
        if on:
            self.grid.set_error("start_time", None)
            self.grid.set_error("end", None)

    def _start_finished(self, *_args: Any) -> None:
        """A new start keeps the length: the end moves with it (as soon as the time reads)."""
        self._set_end_from_start()
        self._changed()

    def _set_end_from_start(self) -> None:
        try:
            begin = parse_time(self.start_time.text())
        except ValueError:
            return
        end = (datetime.combine(date(2000, 1, 1), begin) + self._duration)
        if end.date() == date(2000, 1, 1):
            self.end_time.setText(time_text(end.time()))

    def _end_typed(self, _text: str) -> None:
        self._length_from_type = False
        self._remember_length()
        self._changed()

    def _remember_length(self) -> None:
        try:
            start = parse_time(self.start_time.text())
            end = parse_time(self.end_time.text())
        except ValueError:
            return
        span = datetime.combine(date(2000, 1, 1), end) - datetime.combine(date(2000, 1, 1), start)
        if span > timedelta(0):
            self._duration = span

    def _repeat_changed(self, *_args: Any) -> None:
        self._sync_repeat_widgets()
        self._update_summary()
        self._changed()

    def _day_clicked(self) -> None:
        self._auto_weekdays = False
        self._repeat_changed()

    def _set_weekdays(self, days: list[int]) -> None:
        for index, button in enumerate(self.day_buttons):
            button.setChecked(index in days)

    def _sync_repeat_widgets(self) -> None:
        value = self.repeat.currentData()
        repeats = value != NONE
        weekly = value == Frequency.WEEKLY.value
        for widget in (self.every_label, self.interval, self.unit_label, self.ends_row, self.summary):
            widget.setVisible(repeats)
        self.days_row.setVisible(weekly)
        self.nth_row.setVisible(value == Frequency.MONTHLY_BY_WEEKDAY.value)
        n = self.interval.value()
        self.unit_label.setText({
            Frequency.DAILY.value: ngettext("day", "days", n), Frequency.WEEKLY.value: ngettext("week", "weeks", n),
        }.get(value, ngettext("month", "months", n)))
        ends = self.ends.currentData()
        self.until.setVisible(repeats and ends == ENDS_UNTIL)
        self.count.setVisible(repeats and ends == ENDS_COUNT)
        self._fill_nth()

    def _fill_nth(self) -> None:
        """The weekday-of-month choices named for the date's weekday ("2nd Tuesday")."""
        try:
            day = parse_date(self.date.text())
        except ValueError:
            day = None
        wanted = self.nth.currentData()
        self.nth.blockSignals(True)
        self.nth.clear()
        if day is not None:
            self.nth.addItem(_("{nth} {day}, as on the first visit").format(
                nth=ordinal(nth_of_month(day)), day=weekday_name(day.weekday())), 0)
            for nth in NTH_CHOICES:
                self.nth.addItem(_("{nth} {day}").format(nth=ordinal(nth), day=weekday_name(day.weekday())), nth)
        else:
            self.nth.addItem(_("Same weekday as the first visit"), 0)
            for nth in NTH_CHOICES:
                self.nth.addItem(ordinal(nth), nth)
        self.nth.setCurrentIndex(max(0, self.nth.findData(wanted if wanted is not None else 0)))
        self.nth.blockSignals(False)

    def _update_summary(self) -> None:
        try:
            day = parse_date(self.date.text())
        except ValueError:
            day = self.session.clock.today()
        try:
            rec = self.read_recurrence(day)
        except ValueError as exc:
            self.summary.setText(str(exc))
            return
        self.summary.setText(describe(rec, day))
        self.summary.setAccessibleName(_("Repeat summary: {text}").format(text=self.summary.text()))

    # -- values --------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {
            "client_id": self.chosen_client() or "", "scope": self._scope.value, "kind": self.kind.currentData(),
            "date": self.date.text(), "all_day": self.all_day.isChecked(), "start_time": self.start_time.text(),
            "end_time": self.end_time.text(), "last_day": self.last_day.text(), "location": self.location.text(),
            "purpose": self.purpose.toPlainText(), "repeat": self.repeat.currentData(),
            "interval": self.interval.value(),
            "weekdays": [i for i, b in enumerate(self.day_buttons) if b.isChecked()],
            "nth": self.nth.currentData() or 0, "ends": self.ends.currentData(), "until": self.until.text(),
            "count": self.count.value(),
        }

    def apply(self, data: dict[str, Any]) -> None:
        widgets = (self.kind, self.date, self.all_day, self.repeat, self.interval, self.nth, self.ends, self.until,
                   self.count, self.purpose, *self.day_buttons)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            scope = data.get("scope")
            if self.recurring_edit and scope in {s.value for s in self.scope_buttons}:
                self._scope = Scope(scope)
                self.scope_buttons[self._scope].blockSignals(True)
                self.scope_buttons[self._scope].setChecked(True)
                self.scope_buttons[self._scope].blockSignals(False)
            self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind") or FollowUpType.HOME_VISIT.value)))
            self.date.set_text(str(data.get("date", "")))
            self.all_day.setChecked(bool(data.get("all_day")))
            self.start_time.setText(str(data.get("start_time", "")))
            self.end_time.setText(str(data.get("end_time", "")))
            self.last_day.set_text(str(data.get("last_day", "")))
            self.location.setText(str(data.get("location", "")))
            self.purpose.setPlainText(str(data.get("purpose", "")))
            self.repeat.setCurrentIndex(max(0, self.repeat.findData(data.get("repeat") or NONE)))
            self.interval.setValue(int(data.get("interval") or 1))
            self._set_weekdays([int(d) for d in data.get("weekdays") or []])
            self.ends.setCurrentIndex(max(0, self.ends.findData(data.get("ends") or ENDS_NEVER)))
            self.until.set_text(str(data.get("until", "")))
            self.count.setValue(int(data.get("count") or 6))
            self._fill_nth()
            self.nth.setCurrentIndex(max(0, self.nth.findData(int(data.get("nth") or 0))))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        client_id = data.get("client_id")
        if self.client_id is None and client_id:
            self._select_client(str(client_id))
        self._auto_weekdays = self._weekdays_follow_date()
        self._remember_length()
        self._sync_time_widgets()
        self._sync_scope_widgets()
        self._update_summary()

    def _weekdays_follow_date(self) -> bool:
        try:
            day = parse_date(self.date.text())
        except ValueError:
            return True
        return [i for i, b in enumerate(self.day_buttons) if b.isChecked()] in ([], [day.weekday()])

    def _select_client(self, client_id: str) -> None:
        rows = self.session.clients.rows([client_id])
        if not rows:
            return
        row = rows[0]
        self.client_search.blockSignals(True)
        self.client_search.setText(row.client_code)
        self.client_search.blockSignals(False)
        self.client_list.clear()
        item = QListWidgetItem(_("{name} — {code}").format(name=row.display_name, code=row.client_code))
        item.setData(Qt.ItemDataRole.UserRole, row.id)
        self.client_list.addItem(item)
        self.client_list.setCurrentRow(0)

    def has_changes(self) -> bool:
        return self.collect() != self.initial

    def read_recurrence(self, start: date) -> Recurrence | None:
        """The repeat settings as a rule (ValueError with a sentence for an unreadable end date)."""
        value = self.repeat.currentData()
        if value == NONE:
            return None
        frequency = Frequency(value)
        weekdays: tuple[int, ...] = ()
        if frequency is Frequency.WEEKLY:
            chosen = tuple(i for i, b in enumerate(self.day_buttons) if b.isChecked())
            weekdays = () if chosen in ((), (start.weekday(),)) else chosen
        until = count = None
        ends = self.ends.currentData()
        if ends == ENDS_UNTIL:
            until = self.until.value()
            if until is None:
                raise ValueError(_("Give the last date of the series, or choose another way for it to end."))
        elif ends == ENDS_COUNT:
            count = self.count.value()
        nth = self.nth.currentData() if frequency is Frequency.MONTHLY_BY_WEEKDAY else None
        return Recurrence(frequency, self.interval.value(), weekdays, until, count, nth or None)

    def read(self) -> tuple[FollowUpFields | None, dict[str, str]]:
        """The form as follow-up fields, and a sentence for each thing that can't be read."""
        problems: dict[str, str] = {}
        day = None
        try:
            day = parse_date(self.date.text())
        except ValueError as exc:
            problems["date"] = str(exc)
        all_day = self.all_day.isChecked()
        begin = finish = None
        last = None
        if all_day:
            try:
                last = self.last_day.value()
            except ValueError as exc:
                problems["last_day"] = str(exc)
        else:
            for name, edit in (("start_time", self.start_time), ("end", self.end_time)):
                try:
                    value = parse_time(edit.text())
                except ValueError as exc:
                    problems[name] = (_("Give a time, like 10:30 or 2:15 pm.") if not edit.text().strip()
                                      else str(exc))
                    continue
                if name == "start_time":
                    begin = value
                else:
                    finish = value
        rec = None
        if day is not None:
            try:
                rec = self.read_recurrence(day)
            except ValueError as exc:
                problems["recurrence.until"] = str(exc)
        if problems or day is None:
            return None, problems
        kind = FollowUpType(self.kind.currentData())
        if all_day:
            start = datetime.combine(day, time())
            end = datetime.combine(last or day, time())
        else:
            assert begin is not None and finish is not None
            start, end = datetime.combine(day, begin), datetime.combine(day, finish)
        base = self.series.fields if self.series is not None else None
        link_type = base.link_type if base else (self.proposal.link_type if self.proposal else None)
        link_id = base.link_id if base else (self.proposal.link_id if self.proposal else None)
        return FollowUpFields(kind, start, end, self.tz, all_day, self.location.text(), self.purpose.toPlainText(),
                              rec, link_type, link_id), {}

    # -- double bookings -----------------------------------------------------------------------

    def check_conflicts(self) -> None:
        """Warn (without blocking) when the time overlaps another scheduled follow-up."""
        if not self.session.is_open:
            return
        fields, _problems = self.read()
        if fields is None or fields.all_day or fields.end <= fields.start:
            self.conflict_banner.setVisible(False)
            return
        exclude = (self.series.id, self.original_start) if self.series is not None and self.original_start else None
        try:
            found = self.session.follow_ups.conflicts(fields.start, fields.end, fields.tz, exclude=exclude)
        except (ValueError, VaultError):
            found = []
        if not found:
            self.conflict_banner.setVisible(False)
            return
        items = "; ".join(_("{kind} with {code}, {start}–{end}").format(
            kind=o.kind.label, code=o.client_code or _("a client"), start=time_text(o.start.time()),
            end=time_text(o.end.time())) for o in found[:3])
        if len(found) > 3:
            items += " " + _("and {n} more").format(n=len(found) - 3)
        self.conflict_banner.show_message(ngettext(
            "Double booking on {date}: this overlaps {items}. You can still save it.",
            "Double booking on {date}: this overlaps {n} follow-ups — {items}. You can still save it.",
            len(found)).format(date=format_date(fields.start.date()), items=items, n=len(found)), "warning")

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        self._clear_problems()
        client_id = self.chosen_client()
        fields, unreadable = self.read()
        problems = dict(unreadable)
        if client_id is None:
            problems["client"] = _("Choose the client: type their name or client code, then pick them.")
        if problems or fields is None:
            self.keep_typing()
            self.show_problems(problems)
            return
        fu = self.session.follow_ups
        series, original = self.series, self.original_start

        def write() -> FollowUp:
            assert client_id is not None and fields is not None
            if series is None:
                if self.proposal is not None:
                    return fu.accept_proposal(self.proposal, fields)
                return fu.schedule(client_id, fields)
            assert original is not None
            one_off_kept = fields.recurrence is None and fields.all_day == series.fields.all_day
            if not series.recurring and not one_off_kept:  # it starts repeating: the rule is the series'
                return fu.update(series.id, fields)
            if self._scope is Scope.ONE or not series.recurring:  # its state (done, moved) stays with it
                fu.edit_occurrence(series.id, original, start=fields.start, end=fields.end, kind=fields.kind,
                                   location=fields.location, purpose=fields.purpose)
                return fu.get(series.id)
            if self._scope is Scope.FOLLOWING:
                return fu.edit_following(series.id, original, fields)
            return fu.update(series.id, fields)

        written = self.submit(write)
        if written is None:
            return
        self.follow_up = written
        self.saved.emit()
        self.done(QDialog.DialogCode.Accepted)

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        self.grid.clear_errors()
        self.repeat_error.setVisible(False)
        self.client_error.setVisible(False)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each sentence next to its field; the rest in the banner at the top."""
        first: QWidget | None = None
        leftover: list[str] = []
        repeat: list[str] = []
        for key, message in problems.items():
            name = key
            if key == "end" and self.all_day.isChecked():
                name = "last_day"
            if key.startswith("recurrence."):
                repeat.append(message)
                first = first or self.repeat
            elif key == "client":
                self.client_error.setText(message)
                self.client_error.setVisible(True)
                first = first or self.client_search
            elif name in self.grid.inputs and not self.grid.inputs[name].isHidden():
                self.grid.set_error(name, message)
                first = first or self.grid.inputs[name]
            else:
                leftover.append(message)
        if repeat:
            self.repeat_error.setText("\n".join(repeat))
            self.repeat_error.setVisible(True)
        count = len(problems)
        summary = ngettext("{n} thing needs attention before it can be saved. Everything you typed is kept.",
                           "{n} things need attention before it can be saved. Everything you typed is kept.",
                           count).format(n=count)
        self.error_banner.show_message("\n".join([summary, *leftover]), "error")
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first, 50, 80)
            target = self.repeat_error if first is self.repeat else first
            self.scroll_area.ensureWidgetVisible(target, 50, 80)
            first.setFocus()

    def done(self, result: int) -> None:
        self._conflict_timer.stop()
        super().done(result)

    def first_focus(self) -> QWidget | None:
        if self.error_banner.isVisible():
            return None
        if self.client_id is None:
            return self.client_search
        if self.recurring_edit:
            return self.scope_buttons[self._scope]
        return self.kind

    def focus_date(self) -> None:
        """Put the cursor in the date, all of it selected (moving a proposal to another day)."""
        self.date.edit.setFocus()
        self.date.edit.selectAll()
