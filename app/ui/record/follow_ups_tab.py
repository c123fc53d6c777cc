"""The record's Follow-ups tab: this client's planned contacts, proposals, visit check-in.

- Upcoming (overdue ones first, marked with text and an icon) and Recent (completed, missed,
  cancelled), with the chosen one's details and what can be done next: edit, complete into a
  contact note, mark missed, cancel — through app/ui/follow_up_actions.py, as on the calendar.
- Proposed follow-ups (tier cadence, plan review, re-screening …) are drafts: accepted as they
  are or moved to another day through the editor, or dismissed after a confirmation. Nothing is
  put in the calendar without the case manager saying so.
- A home visit can be checked in with the expected length; the banner says when the case
  manager is due back, and turns into a clear warning (text and icon) once they are overdue.

Keys: Ctrl+N plans a follow-up; Enter on a row edits it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_time, ngettext
from app.models.follow_ups import FollowUp, FollowUpType, Occurrence, Proposal, Status, VisitCheck
from app.models.recurrence import describe
from app.services.errors import NotFound, ValidationError, VaultError
from app.services.session import Session
from app.ui import follow_up_actions as actions
from app.ui import theme
from app.ui.dialogs.follow_up_editor import TYPE_ICONS, FollowUpEditorDialog, day_text, when_text
from app.ui.dialogs.note_editor import time_text
from app.ui.pages.clients import RosterView, list_table
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    EmptyState,
    dialog_buttons,
    muted_label,
    primary_button,
)

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
VISIT_REFRESH_MS = 30_000
UPCOMING_DAYS = 180
LOOKBACK_DAYS = 120
PROPOSALS_SHOWN = 2
STATUS_ICONS = {
    Status.SCHEDULED: "mdi6.calendar-clock-outline", Status.COMPLETED: "mdi6.check-circle-outline",
    Status.MISSED: "mdi6.close-circle-outline", Status.CANCELLED: "mdi6.cancel",
    Status.RESCHEDULED: "mdi6.calendar-arrow-right",
}
OVERDUE_ICON = "mdi6.alert-outline"

Key = tuple[str, datetime]


def status_text(occ: Occurrence, today: date) -> str:
    """The status in words; an overdue one says so and by how long ("Overdue · 3 days")."""
    if occ.overdue(today):
        late = (today - (occ.end.date() if occ.all_day else occ.start.date())).days
        return ngettext("Overdue · {n} day", "Overdue · {n} days", late).format(n=late)
    return occ.status.label


def short_when(occ: Occurrence) -> str:
    """"Tue, Nov 17, 2026 · 10:00 AM" for a table cell."""
    day = format_date(occ.start.date())
    return day if occ.all_day else _("{date} · {time}").format(date=day, time=time_text(occ.start.time()))


class CheckInDialog(QDialog):
    """How long the home visit should take (the overdue warning comes after that)."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Check in to a home visit"))
        self.setModal(True)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Check in to a home visit"))
        title.setFont(theme.scaled_font(self, 1.3, bold=True))
        layout.addWidget(title)
        if what:
            layout.addWidget(muted_label(what))
        layout.addWidget(muted_label(_("Waypoint shows when you are due back, and warns clearly if you are still "
                                       "checked in after that. Check out when you leave.")))
        row = QHBoxLayout()
        caption = QLabel(_("Expected length"))
        row.addWidget(caption)
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 720)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" " + _("min"))
        self.minutes.setAccessibleName(_("Expected length in minutes"))
        caption.setBuddy(self.minutes)
        row.addWidget(self.minutes)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        dialog_buttons(self, layout, _("Check in now"), self.accept)
        self.minutes.setFocus()
        self.minutes.selectAll()


class ProposalRow(QWidget):
    """One proposed follow-up on one line: what, when due and why; Accept…, Move…, Dismiss."""

    def __init__(self, proposal: Proposal, writable: bool, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proposal = proposal
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        icon = QLabel()
        icon.setPixmap(theme.icon(TYPE_ICONS[proposal.kind]).pixmap(18, 18))
        layout.addWidget(icon)
        due = (_("due {day} — already due").format(day=format_date(proposal.due_on)) if proposal.due_on < today
               else _("due {day}").format(day=day_text(proposal.due_on)))
        self.title = QLabel(_("{kind}, {due}").format(kind=proposal.kind.label, due=due))
        self.title.setFont(theme.scaled_font(self, 1.0, bold=True))
        layout.addWidget(self.title)
        why = f"{proposal.source.label}. {proposal.reason}"
        self.reason = ElidedLabel(why)
        self.reason.setProperty("muted", True)
        self.reason.setToolTip(why)
        layout.addWidget(self.reason, 1)
        what = _("{kind} due {day}").format(kind=proposal.kind.label, day=format_date(proposal.due_on))
        self.accept_button = QPushButton(theme.icon("mdi6.calendar-check-outline"), _("Accept…"))
        self.accept_button.setToolTip(_("Put it in the calendar (you can change the time first)"))
        self.accept_button.setAccessibleName(_("Accept: {what}").format(what=what))
        self.move_button = QPushButton(_("Move…"))
        self.move_button.setToolTip(_("Schedule it on another day"))
        self.move_button.setAccessibleName(_("Move to another day: {what}").format(what=what))
        self.dismiss_button = QPushButton(_("Dismiss"))
        self.dismiss_button.setToolTip(_("Not needed: don't propose it again for this date"))
        self.dismiss_button.setAccessibleName(_("Dismiss: {what}").format(what=what))
        for button in (self.accept_button, self.move_button, self.dismiss_button):
            button.setAutoDefault(False)
            button.setVisible(writable)
            layout.addWidget(button)


class ElidedLabel(QLabel):
    """One line of text, cut with "…" when there is no room (the whole text in the tooltip)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full = text
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(text)
        self.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, self.width()))


class OccurrenceDetails(QWidget):
    """One occurrence, readably: type, when, then label–value rows (empty ones hidden). The rows
    are made once and reused, so changing the choice never leaves old text behind."""

    ROWS = ("status", "location", "purpose", "repeats", "moved")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.name = QLabel()
        self.name.setFont(theme.scaled_font(self, 1.25, bold=True))
        self.name.setWordWrap(True)
        layout.addWidget(self.name)
        self.summary = muted_label()
        layout.addWidget(self.summary)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(SPACING * 2)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        layout.addSpacing(4)
        layout.addLayout(self.grid)
        captions = {"status": _("Status"), "location": _("Location"), "purpose": _("Purpose"),
                    "repeats": _("Repeats"), "moved": _("Moved")}
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        for number, key in enumerate(self.ROWS):
            caption = muted_label(captions[key])
            caption.setWordWrap(False)
            caption.setAlignment(Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(caption, number, 0)
            self.grid.addWidget(value, number, 1)
            self.rows[key] = (caption, value)

    def set_values(self, values: dict[str, str]) -> None:
        for key, (caption, value) in self.rows.items():
            text = values.get(key, "")
            value.setText(text)
            caption.setVisible(bool(text))
            value.setVisible(bool(text))

    def value(self, key: str) -> str:
        return self.rows[key][1].text()

    def clear(self) -> None:
        self.name.clear()
        self.summary.clear()
        self.set_values({})


class FollowUpsTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.upcoming: list[Occurrence] = []
        self.recent: list[Occurrence] = []
        self.series: dict[str, FollowUp] = {}
        self.proposals: list[Proposal] = []
        self.visit: VisitCheck | None = None
        self.editor: FollowUpEditorDialog | None = None
        self._selected: Key | None = None
        self._show_all_proposals = False

        header = QHBoxLayout()
        header.setSpacing(SPACING)
        title = QLabel(_("Follow-ups"))
        title.setFont(theme.scaled_font(self, 1.3, bold=True))
        header.addWidget(title)
        self.summary = muted_label("")
        header.addWidget(self.summary, 1)
        self.check_in_button = QPushButton(theme.icon("mdi6.map-marker-check-outline"), _("Check in…"))
        self.check_in_button.setToolTip(_("Start a home visit now, with the time you expect to be back"))
        self.check_in_button.clicked.connect(self.check_in)
        header.addWidget(self.check_in_button)
        self.new_button = primary_button(_("New follow-up…"))
        self.new_button.setIcon(theme.icon("mdi6.calendar-plus", theme.colors().accent_text))
        self.new_button.setToolTip(_("Plan a contact or task, once or repeating (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_item)
        header.addWidget(self.new_button)
        self.layout_.addLayout(header)

        self.visit_banner = Banner("info")
        self.check_out_button = self.visit_banner.add_button(_("Check out"), self.check_out)
        self.check_out_button.setIcon(theme.icon("mdi6.exit-run"))
        self.layout_.addWidget(self.visit_banner)
        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self._build_proposals())

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        left = QVBoxLayout()
        left.setSpacing(SPACING)
        switch = QHBoxLayout()
        switch.setSpacing(4)
        self.view_group = QButtonGroup(self)
        self.upcoming_button = QPushButton(_("Upcoming"))
        self.recent_button = QPushButton(_("Recent"))
        for button, tip in ((self.upcoming_button, _("Overdue and planned follow-ups")),
                            (self.recent_button, _("Completed, missed and cancelled in the last four months"))):
            button.setObjectName("Choice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setToolTip(tip)
            self.view_group.addButton(button)
            switch.addWidget(button)
        self.upcoming_button.setChecked(True)
        self.view_group.buttonClicked.connect(lambda _b: self._fill_table())
        switch.addStretch(1)
        left.addLayout(switch)
        self.stack = QStackedWidget()
        self.model = QStandardItemModel(0, 4)
        self.model.setHorizontalHeaderLabels([_("When"), _("Type"), _("Status"), _("Purpose")])
        self.table: RosterView = list_table(self.model, _("Follow-ups of this client"))
        header_view = self.table.horizontalHeader()
        for column in (0, 1, 2):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header_view.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.activated_row.connect(lambda _row: self.edit())
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.stack.addWidget(self.table)
        self.plan_first = primary_button(_("Plan a follow-up…"))
        self.plan_first.clicked.connect(self.new_item)
        self.empty = EmptyState(_("Nothing planned"), _(
            "Plan the next home visit, call or review — once, or repeating every few weeks. Proposals above come "
            "from the risk tier and the care plan."), self.plan_first)
        self.stack.addWidget(self.empty)
        self.recent_empty = EmptyState(_("Nothing in the last four months"), _(
            "Completed, missed and cancelled follow-ups appear here."))
        self.stack.addWidget(self.recent_empty)
        left.addWidget(self.stack, 1)
        body.addLayout(left, 1)
        body.addWidget(self._build_detail())
        self.layout_.addLayout(body, 1)

        blank = QPixmap(16, 16)
        blank.fill(Qt.GlobalColor.transparent)
        self._blank = QIcon(blank)  # keeps the dates in line beside the series icon
        self.visit_timer = QTimer(self)
        self.visit_timer.setInterval(VISIT_REFRESH_MS)
        self.visit_timer.timeout.connect(self._show_visit)
        self.setTabOrder(self.check_in_button, self.new_button)
        self.setTabOrder(self.upcoming_button, self.recent_button)
        self.setTabOrder(self.recent_button, self.table)

    def _build_proposals(self) -> QWidget:
        self.proposals_card = Card()
        head = QHBoxLayout()
        caption = QLabel(_("Proposed"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        head.addWidget(caption)
        head.addWidget(muted_label(_("Suggested from the record — not in the calendar until you accept.")), 1)
        self.more_proposals = QPushButton()
        self.more_proposals.setProperty("link", True)
        self.more_proposals.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more_proposals.clicked.connect(self._toggle_proposals)
        head.addWidget(self.more_proposals)
        self.proposals_card.body.addLayout(head)
        self.proposal_rows = QVBoxLayout()
        self.proposal_rows.setSpacing(2)
        self.proposals_card.body.addLayout(self.proposal_rows)
        self.proposals_card.setVisible(False)
        return self.proposals_card

    def _build_detail(self) -> QWidget:
        self.detail = Card()
        self.detail.setFixedWidth(364)
        self.detail_stack = QStackedWidget()
        self.detail.body.addWidget(self.detail_stack, 1)
        self.pick_hint = muted_label(_("Choose a follow-up to see its details and what you can do next. "
                                       "Enter edits it."))
        self.pick_hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail_stack.addWidget(self.pick_hint)
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(SPACING)
        self.details = OccurrenceDetails()
        box.addWidget(self.details)
        self.complete_button = primary_button(_("Complete → note…"))
        self.complete_button.setIcon(theme.icon("mdi6.note-check-outline", theme.colors().accent_text))
        self.complete_button.setToolTip(_("Write the contact note; it is marked completed when the note is saved"))
        self.complete_button.clicked.connect(self.complete)
        box.addWidget(self.complete_button)
        row = QHBoxLayout()
        self.edit_button = QPushButton(theme.icon("mdi6.pencil-outline"), _("Edit…"))
        self.edit_button.setToolTip(_("Change the time, type, place or repeats (Enter)"))
        self.edit_button.clicked.connect(self.edit)
        row.addWidget(self.edit_button)
        self.missed_button = QPushButton(theme.icon("mdi6.close-circle-outline"), _("Missed…"))
        self.missed_button.setToolTip(_("It did not happen: say why"))
        self.missed_button.clicked.connect(self.missed)
        row.addWidget(self.missed_button)
        self.cancel_button = QPushButton(theme.icon("mdi6.cancel"), _("Cancel…"))
        self.cancel_button.setToolTip(_("Cancel this one, or end a series here"))
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        self.reopen_button = QPushButton(theme.icon("mdi6.undo-variant"), _("Back to scheduled"))
        self.reopen_button.setToolTip(_("Undo: show it as scheduled again"))
        self.reopen_button.clicked.connect(self.reopen)
        row.addWidget(self.reopen_button)
        row.addStretch(1)
        box.addLayout(row)
        self.day_hint = muted_label(_("It can be completed or marked missed on the day."))
        box.addWidget(self.day_hint)
        box.addStretch(1)
        scroll = QScrollArea()  # a short window: the details scroll, the buttons stay reachable
        scroll.setAccessibleName(_("Follow-up details"))
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        scroll.viewport().setAutoFillBackground(False)  # the card's own surface shows through
        page.setAutoFillBackground(False)
        self.detail_stack.addWidget(scroll)
        self.detail_page = scroll
        return self.detail

    # -- reading -------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.session.clock.today()

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        today = self.today
        svc = self.session.follow_ups
        try:
            found = svc.occurrences(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=UPCOMING_DAYS),
                                    client_id)
            self.series = {fu.id: fu for fu in svc.for_client(client_id)}
            self.proposals = [] if self.session.read_only else svc.proposals(client_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        overdue = [o for o in found if o.overdue(today)]
        ahead = [o for o in found if o.start.date() >= today]
        self.upcoming = overdue + ahead
        self.recent = sorted((o for o in found if o.start.date() < today and o.status is not Status.SCHEDULED),
                             key=lambda o: o.starts_at, reverse=True)
        writable = not self.session.read_only
        for button in (self.new_button, self.plan_first, self.check_in_button):
            button.setVisible(writable)
        self._fill_summary(today, overdue, ahead)
        self._fill_proposals()
        self._fill_table()
        self._show_visit()

    def _fill_summary(self, today: date, overdue: list[Occurrence], ahead: list[Occurrence]) -> None:
        parts = []
        if overdue:
            parts.append("⚠ " + ngettext("{n} overdue", "{n} overdue", len(overdue)).format(n=len(overdue)))
        upcoming = [o for o in ahead if o.status is Status.SCHEDULED]
        if upcoming:
            parts.append(_("next: {when}").format(when=when_text(upcoming[0])))
        elif not overdue:
            parts.append(_("nothing scheduled"))
        self.summary.setText(" · ".join(parts))
        self.upcoming_button.setText(_("Upcoming ({n})").format(n=len(self.upcoming)))
        self.recent_button.setText(_("Recent ({n})").format(n=len(self.recent)))
        self.upcoming_button.setAccessibleName(self.upcoming_button.text())
        self.recent_button.setAccessibleName(self.recent_button.text())

    def _fill_proposals(self) -> None:
        while self.proposal_rows.count():
            item = self.proposal_rows.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        writable = not self.session.read_only
        shown = self.proposals if self._show_all_proposals else self.proposals[:PROPOSALS_SHOWN]
        for proposal in shown:
            row = ProposalRow(proposal, writable, self.today)
            row.accept_button.clicked.connect(lambda _c=False, p=proposal: self.accept_proposal(p))
            row.move_button.clicked.connect(lambda _c=False, p=proposal: self.accept_proposal(p, move=True))
            row.dismiss_button.clicked.connect(lambda _c=False, p=proposal: self.dismiss_proposal(p))
            self.proposal_rows.addWidget(row)
        hidden = len(self.proposals) - PROPOSALS_SHOWN
        self.more_proposals.setVisible(hidden > 0)
        self.more_proposals.setText(_("Show fewer") if self._show_all_proposals
                                    else ngettext("Show {n} more", "Show {n} more", max(hidden, 0)).format(n=hidden))
        self.more_proposals.setAccessibleName(self.more_proposals.text())
        self.proposals_card.setVisible(bool(self.proposals))

    def _toggle_proposals(self) -> None:
        self._show_all_proposals = not self._show_all_proposals
        self._fill_proposals()

    def shown(self) -> list[Occurrence]:
        return self.upcoming if self.upcoming_button.isChecked() else self.recent

    def _fill_table(self) -> None:
        today = self.today
        rows = self.shown()
        self.model.removeRows(0, self.model.rowCount())
        for occ in rows:
            key = (occ.follow_up_id, occ.original_start.isoformat())
            when = QStandardItem(short_when(occ))
            when.setIcon(theme.icon("mdi6.repeat") if occ.recurring else self._blank)
            if occ.recurring:
                when.setToolTip(_("{when} — part of a series").format(when=short_when(occ)))
            kind = QStandardItem(theme.icon(TYPE_ICONS[occ.kind]), occ.kind.label)
            overdue = occ.overdue(today)
            status = QStandardItem(status_text(occ, today))
            status.setIcon(theme.icon(OVERDUE_ICON, theme.colors().danger) if overdue
                           else theme.icon(STATUS_ICONS[occ.status]))
            purpose = QStandardItem(occ.purpose or occ.location)
            items = [when, kind, status, purpose]
            for item in items:
                item.setData(key, KEY_ROLE)
                if not item.toolTip():
                    item.setToolTip(item.text())
            if occ.status is Status.CANCELLED:
                for item in items:
                    font = item.font()
                    font.setStrikeOut(True)
                    item.setFont(font)
            self.model.appendRow(items)
        for column in (0, 1, 2):  # fitted to what this list holds, the purpose takes the rest
            self.table.resizeColumnToContents(column)
        if rows:
            self.stack.setCurrentWidget(self.table)
        else:
            self.stack.setCurrentWidget(self.empty if self.upcoming_button.isChecked() else self.recent_empty)
        self._restore_selection()

    # -- selection and details ------------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            follow_up_id, start = current.data(KEY_ROLE)
            self._selected = (follow_up_id, datetime.fromisoformat(start))
        self._show_selected()

    def _restore_selection(self) -> None:
        if self._selected is not None:
            wanted = (self._selected[0], self._selected[1].isoformat())
            for row in range(self.model.rowCount()):
                if self.model.item(row, 0).data(KEY_ROLE) == wanted:
                    self.table.selectionModel().blockSignals(True)
                    self.table.selectRow(row)
                    self.table.selectionModel().blockSignals(False)
                    self._show_selected()
                    return
        self._selected = None
        self._show_selected()

    def selected(self) -> Occurrence | None:
        if self._selected is None:
            return None
        return next((o for o in self.shown() if (o.follow_up_id, o.original_start) == self._selected), None)

    def select(self, follow_up_id: str, original_start: datetime) -> None:
        """Show and choose one occurrence (after saving it, or from elsewhere)."""
        self._selected = (follow_up_id, original_start)
        if self.selected() is None:  # it is in the other list
            other = self.recent_button if self.upcoming_button.isChecked() else self.upcoming_button
            other.setChecked(True)
        self._fill_table()

    def _show_selected(self) -> None:
        occ = self.selected()
        if occ is None:
            self.detail_stack.setCurrentWidget(self.pick_hint)
            return
        today = self.today
        series = self.series.get(occ.follow_up_id)
        self.details.name.setText(occ.kind.label)
        when = when_text(occ)
        if not occ.all_day:
            when = _("{start} – {end}").format(start=when, end=time_text(occ.end.time()))
        elif occ.end.date() != occ.start.date():
            when = _("{start} – {end}").format(start=when, end=format_date(occ.end.date()))
        self.details.summary.setText(when)
        repeats = ""
        if series is not None and series.fields.recurrence is not None:
            repeats = describe(series.fields.recurrence, series.fields.start.date())
        moved = _("from {when}").format(when=format_date(occ.original_start.date())) if occ.moved else ""
        status = ("⚠ " + status_text(occ, today) + " — " + _("complete it into a note, or mark it missed")
                  if occ.overdue(today) else status_text(occ, today))
        self.details.set_values({"status": status, "location": occ.location, "purpose": occ.purpose,
                                 "repeats": repeats, "moved": moved})
        writable = not self.session.read_only
        scheduled = occ.status is Status.SCHEDULED
        due = occ.start.date() <= today
        self.complete_button.setVisible(writable and occ.status in (Status.SCHEDULED, Status.MISSED))
        self.complete_button.setEnabled(due)
        self.missed_button.setVisible(writable and scheduled)
        self.missed_button.setEnabled(due)
        self.cancel_button.setVisible(writable and scheduled)
        self.edit_button.setVisible(writable and occ.status is not Status.CANCELLED)
        self.reopen_button.setVisible(writable and not scheduled and occ.status is not Status.RESCHEDULED)
        self.day_hint.setVisible(writable and scheduled and not due)
        self.detail_stack.setCurrentWidget(self.detail_page)

    # -- actions on occurrences ------------------------------------------------------------------

    def new_item(self) -> None:
        """Ctrl+N on this tab: plan a follow-up for this client."""
        self._open_editor()

    def _open_editor(self, proposal: Proposal | None = None, move: bool = False) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        try:
            dialog = FollowUpEditorDialog(self.session, self.window(), client_id=self.client.id, proposal=proposal)
        except (NotFound, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        dialog.saved.connect(lambda d=dialog: self._editor_saved(d))
        dialog.finished.connect(lambda _r: self._editor_closed())
        self.editor = dialog
        dialog.open()
        if move:
            QTimer.singleShot(0, dialog.focus_date)

    def _editor_saved(self, dialog: FollowUpEditorDialog) -> None:
        fu = dialog.follow_up
        if fu is not None:
            self.upcoming_button.setChecked(True)
            self._selected = (fu.id, fu.fields.start)
        self._saved()

    def _editor_closed(self) -> None:
        dialog, self.editor = self.editor, None
        if dialog is not None:
            dialog.deleteLater()

    def _act(self, action: actions.OccurrenceAction) -> None:
        occ = self.selected()
        if occ is None or self.session.read_only:
            return
        if action(self.window(), self.session, occ):
            self._saved()
        if self.isVisible():
            self.table.setFocus()

    def edit(self) -> None:
        occ = self.selected()
        if occ is not None and occ.status is not Status.CANCELLED:
            self._act(actions.edit_occurrence)

    def complete(self) -> None:
        self._act(actions.complete_into_note)

    def missed(self) -> None:
        self._act(actions.mark_missed)

    def cancel(self) -> None:
        self._act(actions.cancel_occurrence)

    def reopen(self) -> None:
        occ = self.selected()
        if occ is None or self.session.read_only:
            return
        try:
            self.session.follow_ups.set_status(occ.follow_up_id, occ.original_start, Status.SCHEDULED)
        except (ValidationError, NotFound, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self._saved()

    def _saved(self) -> None:
        self.message.setVisible(False)
        if self.client is None:
            return
        self.refresh()
        self.changed.emit()

    # -- proposals -----------------------------------------------------------------------------

    def accept_proposal(self, proposal: Proposal, move: bool = False) -> None:
        self._open_editor(proposal, move=move)

    def dismiss_proposal(self, proposal: Proposal) -> None:
        if self.session.read_only:
            return
        answer = actions.ask(self, _("Dismiss this proposal?"), _(
            "The {kind} due {day} won't be proposed again for that date. A new due date — after a tier change or "
            "a completed contact — brings a new proposal.").format(kind=proposal.kind.label.lower(),
                                                                   day=day_text(proposal.due_on)),
            [(_("Dismiss"), QMessageBox.ButtonRole.DestructiveRole)], keep=_("Keep it"))
        if answer is None:
            return
        try:
            self.session.follow_ups.dismiss_proposal(proposal)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._saved()

    # -- home visits -----------------------------------------------------------------------------

    def _linked_visit(self) -> Occurrence | None:
        """The chosen home visit, if it is today's: the check-in is recorded against it."""
        occ = self.selected()
        if occ is not None and occ.kind is FollowUpType.HOME_VISIT and occ.start.date() == self.today:
            return occ
        return None

    def check_in(self) -> None:
        if self.client is None or self.session.read_only or self.visit is not None:
            return
        linked = self._linked_visit()
        what = _("For the {kind} planned at {time}.").format(kind=linked.kind.label.lower(),
                                                            time=time_text(linked.start.time())) if linked else ""
        dialog = CheckInDialog(what, self.window())
        result, locked = actions.run_dialog(dialog)
        minutes = dialog.minutes.value()
        dialog.deleteLater()
        if locked or result != QDialog.DialogCode.Accepted or self.client is None:
            return
        try:
            self.session.follow_ups.check_in(
                self.client.id, minutes, follow_up_id=linked.follow_up_id if linked else None,
                original_start=linked.original_start if linked else None)
        except (ValidationError, NotFound, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self._show_visit()
        self.changed.emit()

    def check_out(self) -> None:
        if self.visit is None:
            return
        try:
            self.session.follow_ups.check_out(self.visit.id)
        except (NotFound, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self._show_visit()
        self.changed.emit()

    def _show_visit(self) -> None:
        """The check-in banner: due back by …, or overdue (text and icon, not colour alone)."""
        if self.client is None or not self.session.is_open:
            self.visit_timer.stop()
            return
        try:
            visits = [v for v in self.session.follow_ups.open_visits() if v.client_id == self.client.id]
        except VaultError:
            visits = []
        self.visit = visits[-1] if visits else None
        writable = not self.session.read_only
        self.check_in_button.setVisible(writable and self.visit is None)
        if self.visit is None:
            self.visit_banner.setVisible(False)
            self.visit_timer.stop()
            return
        now = self.session.clock.now()
        since, due = format_time(self.visit.checked_in_at), format_time(self.visit.due_out_at)
        if self.visit.overdue(now):
            over = self.visit.minutes_over(now)
            span = ngettext("{n} minute", "{n} minutes", over).format(n=over) if over < 120 else \
                ngettext("{n} hour", "{n} hours", over // 60).format(n=over // 60)
            self.visit_banner.show_message(_(
                "Overdue by {span}: checked in at {since}, expected back by {due}. Check out now — or, if you need "
                "help, follow your team's safety procedure.").format(span=span, since=since, due=due), "error")
        else:
            self.visit_banner.show_message(_("Checked in at {since} — expected back by {due}.").format(
                since=since, due=due), "info")
        self.check_out_button.setAccessibleName(_("Check out of the home visit"))
        if not self.visit_timer.isActive():
            self.visit_timer.start()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        actions.close_for_lock()
        if self.editor is not None:
            self.editor.close_for_lock()  # finished → _editor_closed frees it
        self.visit_timer.stop()
        self.upcoming, self.recent, self.series, self.proposals = [], [], {}, []
        self.visit = None
        self._selected = None
        self.model.removeRows(0, self.model.rowCount())
        self._fill_proposals()
        self.details.clear()
        for banner in (self.visit_banner, self.message):
            banner.label.clear()
            banner.setVisible(False)
        self.summary.clear()
        self.detail_stack.setCurrentWidget(self.pick_hint)
        super().clear()
