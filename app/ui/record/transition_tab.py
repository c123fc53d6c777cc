"""The client record's Transitions tab: the current level of care and the transitions so far on
the right; on the left the chosen transition (the open one first) with its check-ins — due date,
with whom, and the outcome or how soon or late it is — and what it recorded.

Keys: Ctrl+N records a transition; Enter on a check-in records its outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, ngettext
from app.models.client import Stage
from app.models.transitions import (
    DEFAULT_CHECK_IN_DAYS,
    DEFAULT_LEVELS,
    CheckIn,
    ChecklistItem,
    NextStep,
    Party,
    Transition,
    TransitionKind,
    TransitionStatus,
    level_label,
)
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.check_in_outcome import CheckInOutcomeDialog, CloseCaseDialog, ReengageDialog
from app.ui.dialogs.transition_editor import TransitionEditorDialog, days_text
from app.ui.pages.clients import RosterView, list_table
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, muted_label, primary_button

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def handoff_text(t: Transition) -> str:
    """The warm handoff in a line: with whom · when · how — notes."""
    h = t.fields.handoff
    if h.blank:
        return ""
    head = " · ".join(p for p in (h.with_whom, format_date(h.on, "medium") if h.on else "",
                                  h.method.label if h.method else "") if p)
    return f"{head} — {h.note}" if head and h.note else head or h.note


def ending_text(t: Transition) -> str:
    """How the transition ended, in a sentence ("" while open)."""
    ended = format_date(t.ended_on, "long") if t.ended_on else ""
    if t.status is TransitionStatus.CLOSED:
        return _("Closed on {date}: {reason}").format(date=ended, reason=t.closure_reason)
    if t.status is TransitionStatus.REENGAGED:
        text = _("Re-engaged on {date}.").format(date=ended)
        return f"{text} {t.reengage_note}" if t.reengage_note else text
    if t.status is TransitionStatus.SUPERSEDED:
        return _("Followed by a newer transition on {date}.").format(date=ended)
    return ""


class FactList(QWidget):
    """Captions with their values beneath, for a narrow column; empty values are left out. The
    labels are reused, so refilling it never shows the old rows beside the new."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)
        self.rows: list[tuple[QLabel, QLabel]] = []

    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        shown = [(c, v) for c, v in rows if v]
        while len(self.rows) < len(shown):
            caption = muted_label("")
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setContentsMargins(0, 0, 0, SPACING)
            caption.setBuddy(value)
            self.box.addWidget(caption)
            self.box.addWidget(value)
            self.rows.append((caption, value))
        for index, (caption, value) in enumerate(self.rows):
            visible = index < len(shown)
            caption.setText(shown[index][0] if visible else "")
            value.setText(shown[index][1] if visible else "")
            value.setAccessibleName(shown[index][0] if visible else "")
            caption.setVisible(visible)
            value.setVisible(visible)

    def texts(self) -> list[tuple[str, str]]:
        return [(c.text(), v.text()) for c, v in self.rows if v.isVisibleTo(self)]

    def clear(self) -> None:
        self.set_rows([])


class TransitionTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.levels: tuple[str, ...] = DEFAULT_LEVELS
        self.check_in_days: tuple[int, ...] = DEFAULT_CHECK_IN_DAYS
        self.transitions: list[Transition] = []
        self.check_ins: list[CheckIn] = []
        self.selected_id: str | None = None
        self.stage: Stage | None = None
        self.editor: TransitionEditorDialog | None = None
        self.outcome_dialog: CheckInOutcomeDialog | None = None
        self.reengage_dialog: ReengageDialog | None = None
        self.close_dialog: CloseCaseDialog | None = None

        self.layout_.addLayout(self._build_header())
        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.stack = QStackedWidget()
        page = QWidget()
        body = QHBoxLayout(page)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(SPACING * 2)
        body.addWidget(self._build_check_ins(), 1)
        body.addWidget(self._build_side())
        self.stack.addWidget(page)
        self.detail_page = page
        self.record_first = primary_button(_("Record a transition…"))
        self.record_first.clicked.connect(self.record_transition)
        self.empty = EmptyState(
            _("No transitions yet"),
            _("When the client steps up or down a level of care, goes into hospital, is transferred or discharged, "
              "record it here. Waypoint then plans check-ins with the client and the receiving provider."),
            self.record_first)
        self.stack.addWidget(self.empty)
        self.layout_.addWidget(self.stack, 1)

    # -- building ------------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        icon = QLabel()
        icon.setPixmap(theme.icon("mdi6.stairs", theme.colors().accent).pixmap(28, 28))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.level = QLabel()
        self.level.setFont(theme.scaled_font(self, 1.3, bold=True))
        texts.addWidget(self.level)
        self.level_note = muted_label("")
        texts.addWidget(self.level_note)
        row.addLayout(texts, 1)
        self.record_button = primary_button(_("Record a transition…"))
        self.record_button.setIcon(theme.icon("mdi6.swap-horizontal", theme.colors().accent_text))
        self.record_button.setToolTip(_("A change of level of care, an admission, a transfer or a discharge (Ctrl+N)"))
        self.record_button.clicked.connect(self.record_transition)
        row.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button = QPushButton(theme.icon("mdi6.folder-lock-outline"), _("Close the case…"))
        self.close_button.setToolTip(_("Close the case with a reason"))
        self.close_button.clicked.connect(self.close_case)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_check_ins(self) -> QWidget:
        card = Card()
        box = card.body
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title = QLabel()
        self.title.setFont(theme.scaled_font(self, 1.2, bold=True))
        titles.addWidget(self.title)
        self.subtitle = muted_label("")
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        self.outcome_button = primary_button(_("Record check-in outcome…"))
        self.outcome_button.setIcon(theme.icon("mdi6.phone-check-outline", theme.colors().accent_text))
        self.outcome_button.setToolTip(_("What the chosen check-in found, and what next (Enter)"))
        self.outcome_button.clicked.connect(self.record_outcome)
        head.addWidget(self.outcome_button, 0, Qt.AlignmentFlag.AlignTop)
        self.reengage_button = QPushButton(theme.icon("mdi6.backup-restore"), _("Re-engage…"))
        self.reengage_button.setToolTip(_("Reopen the case so the risk tier is worked out again"))
        self.reengage_button.clicked.connect(self.reengage)
        head.addWidget(self.reengage_button, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(head)
        self.status_banner = Banner("info")
        box.addWidget(self.status_banner)
        self.model = QStandardItemModel(0, 3)
        self.model.setHorizontalHeaderLabels([_("Due"), _("Check-in"), _("Outcome")])
        self.table: RosterView = list_table(self.model, _("Check-ins after the transition"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, header.ResizeMode.ResizeToContents)
        self.table.activated_row.connect(lambda _row: self.record_outcome())
        self.table.doubleClicked.connect(lambda _index: self.record_outcome())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        box.addWidget(self.table, 1)
        self.no_check_ins = muted_label(_("No check-ins go with a closure."))
        self.no_check_ins.setAlignment(Qt.AlignmentFlag.AlignTop)
        box.addWidget(self.no_check_ins, 1)
        return card

    def _build_side(self) -> QWidget:
        side = Card()
        side.setFixedWidth(380)
        caption = QLabel(_("Transitions"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        side.body.addWidget(caption)
        self.history = QListWidget()
        self.history.setObjectName("SettingsList")
        self.history.setAccessibleName(_("Transitions, newest first"))
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.currentItemChanged.connect(self._history_chosen)
        caption.setBuddy(self.history)
        side.body.addWidget(self.history)
        recorded = QLabel(_("What was recorded"))
        recorded.setFont(theme.scaled_font(self, 1.05, bold=True))
        side.body.addWidget(recorded)
        self.facts = FactList()
        scroll = QScrollArea()
        scroll.setAccessibleName(_("Transition details"))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(0, 0, SPACING, 0)
        inner.addWidget(self.facts)
        inner.addStretch(1)
        scroll.setWidget(holder)
        scroll.viewport().setAutoFillBackground(False)
        holder.setAutoFillBackground(False)
        scroll.setAccessibleName(_("What was recorded about the transition"))
        side.body.addWidget(scroll, 1)
        self.facts_scroll = scroll
        return side

    # -- settings ------------------------------------------------------------------------------

    def set_options(self, levels: Sequence[str], check_in_days: Sequence[int]) -> None:
        """The levels of care the editor offers and the check-in days it plans (from Settings)."""
        self.levels = tuple(levels) or DEFAULT_LEVELS
        self.check_in_days = tuple(check_in_days) or DEFAULT_CHECK_IN_DAYS

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        transitions = self.session.transitions
        self.transitions = transitions.for_client(client_id)
        self.stage = self.session.clients.get(client_id).stage
        ids = {t.id for t in self.transitions}
        if self.selected_id not in ids:  # the open transition first, else the latest
            shown = next((t for t in self.transitions if t.open), self.transitions[0] if self.transitions else None)
            self.selected_id = shown.id if shown is not None else None
        self._fill_header(transitions.current_level(client_id))
        self._fill_history()
        if self.selected_id is None:
            self.stack.setCurrentWidget(self.empty)
            self.check_ins = []
            self.model.removeRows(0, self.model.rowCount())
        else:
            self.stack.setCurrentWidget(self.detail_page)
            self._show_selected()
        writable = not self.session.read_only
        self.record_first.setVisible(writable)
        self.record_button.setVisible(writable and bool(self.transitions))
        self.close_button.setVisible(writable and self.stage is not Stage.CLOSED)

    def _fill_header(self, level: str | None) -> None:
        stage = self.stage.label if self.stage else ""
        latest = next((t for t in self.transitions if t.fields.kind is not TransitionKind.CLOSURE), None)
        if level and latest is not None:
            self.level.setText(_("Level of care: {level}").format(level=level_label(level)))
            self.level_note.setText(_("Since {date} · case stage: {stage}").format(
                date=format_date(latest.on, "long"), stage=stage))
        else:
            self.level.setText(_("Level of care not recorded yet"))
            self.level_note.setText(_("Case stage: {stage}").format(stage=stage))

    def _fill_history(self) -> None:
        self.history.blockSignals(True)
        self.history.clear()
        for t in self.transitions:
            text = _("{date} · {what}").format(date=format_date(t.on, "medium"), what=t.headline)
            item = QListWidgetItem(f"{text}\n{t.status.label}")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            icon = {TransitionStatus.OPEN: "mdi6.progress-clock", TransitionStatus.CLOSED: "mdi6.folder-lock-outline",
                    TransitionStatus.REENGAGED: "mdi6.backup-restore",
                    TransitionStatus.SUPERSEDED: "mdi6.arrow-right-bottom"}[t.status]
            item.setIcon(theme.icon(icon))
            item.setToolTip(ending_text(t) or t.status.label)
            self.history.addItem(item)
            if t.id == self.selected_id:
                self.history.setCurrentItem(item)
        self.history.blockSignals(False)
        rows = min(max(len(self.transitions), 1), 4)
        self.history.setFixedHeight(2 * self.history.frameWidth() + 8 + rows * max(
            self.history.sizeHintForRow(0), self.fontMetrics().height() * 2 + 18))

    def _history_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.selected_id = item.data(Qt.ItemDataRole.UserRole)
        self.stack.setCurrentWidget(self.detail_page)
        self._show_selected()

    def selected(self) -> Transition | None:
        return next((t for t in self.transitions if t.id == self.selected_id), None)

    def _show_selected(self) -> None:
        t = self.selected()
        if t is None:
            return
        today = self.session.clock.today()
        self.title.setText(t.headline)
        parts = [t.fields.kind.label, format_date(t.on, "long"), t.status.label]
        self.subtitle.setText(" · ".join(parts))
        self.check_ins = self.session.transitions.check_ins(t.id)
        self._fill_check_ins(t, today)
        self._fill_facts(t)
        self._status_banner(t, today)
        self._update_buttons()

    def _fill_check_ins(self, t: Transition, today: date) -> None:
        keep = self.selected_check_in()
        self.model.removeRows(0, self.model.rowCount())
        for k in self.check_ins:
            who = _("Client") if k.party is Party.CLIENT else (t.receiving_name or Party.PROVIDER.label)
            what = _("Day {n} · {who}").format(n=k.offset_days, who=who)
            full = ""
            if k.outcome is not None:
                state, full = k.state_text(today, short=True), k.state_text(today)
                icon = "mdi6.check-circle-outline"
                if k.outcome.done_on:
                    state = _("{outcome} ({date})").format(outcome=state, date=format_date(k.outcome.done_on, "short"))
                if k.outcome.note:
                    full = f"{full}\n{k.outcome.note}"
            elif not t.open:
                state, icon = _("Not done — the transition ended"), "mdi6.minus-circle-outline"
            else:
                state = k.state_text(today)
                icon = "mdi6.clock-alert-outline" if k.overdue(today) else "mdi6.clock-outline"
                if k.scheduled_for is not None:
                    state = _("{state} · scheduled {when}").format(state=state,
                                                                   when=format_datetime(k.scheduled_for, "short"))
            row = []
            for text in (format_date(k.due_on, "medium"), what, state):
                item = QStandardItem(text)
                item.setData(k.id, ID_ROLE)
                item.setToolTip(text)
                row.append(item)
            row[2].setToolTip(full or state)
            row[0].setIcon(theme.icon(icon))
            self.model.appendRow(row)
        self.table.setVisible(bool(self.check_ins))
        self.no_check_ins.setVisible(not self.check_ins)
        target = keep.id if keep is not None else next((k.id for k in self.check_ins if not k.done), None)
        for row_index in range(self.model.rowCount()):
            if self.model.item(row_index, 0).data(ID_ROLE) == target:
                self.table.selectRow(row_index)
                break

    def _fill_facts(self, t: Transition) -> None:
        f = t.fields
        meds = "\n".join(" — ".join(p for p in (m.name, m.dose, f"({m.note})" if m.note else "") if p)
                         for m in f.medications)
        missing = [item.label for item in ChecklistItem if item not in f.checklist]
        done = len(ChecklistItem) - len(missing)
        checklist = "" if f.kind is TransitionKind.CLOSURE else _("{done} of {total} done").format(
            done=done, total=len(ChecklistItem)) + (("\n" + _("Still to do: {items}").format(
                items="; ".join(missing))) if missing else "")
        self.facts.set_rows([
            (_("Reason"), f.reason),
            (_("Receiving provider"), t.receiving_text),
            (_("Warm handoff"), handoff_text(t)),
            (_("Medications (as reported, not reconciled)"), meds),
            (_("Pending appointments"), "\n".join(f.pending_appointments)),
            (_("Pending referrals"), "\n".join(f.pending_referrals)),
            (_("Crisis plan"), f.crisis_plan),
            (_("Client preferences"), f.preferences),
            (_("Information given"), f.information_given),
            (_("Services provided"), f.services_provided),
            (_("Condition and disposition"), f.condition),
            (_("Checklist"), checklist),
        ])

    def _status_banner(self, t: Transition, today: date) -> None:
        banner = self.status_banner
        if not t.open:
            text = ending_text(t)
            if text:
                banner.show_message(text, "info")
            else:
                banner.setVisible(False)
            return
        overdue = [k for k in self.check_ins if k.overdue(today)]
        done = [k for k in self.check_ins if k.outcome is not None]
        concern = next((k for k in reversed(done) if k.outcome is not None and k.outcome.worrying), None)
        if overdue:
            banner.show_message(ngettext(
                "{n} check-in is overdue. Get in touch, then record what you found.",
                "{n} check-ins are overdue. Get in touch, then record what you found.", len(overdue)).format(
                n=len(overdue)), "warning")
        elif concern is not None:
            banner.show_message(_("The day-{n} check-in found a concern. Re-engage the case if the client needs more "
                                  "support.").format(n=concern.offset_days), "warning")
        elif self.check_ins and len(done) == len(self.check_ins):
            banner.show_message(_("Every check-in is done. Close the case, or re-engage it if the client needs more "
                                  "support."), "info")
        else:
            pending = len(self.check_ins) - len(done)
            banner.show_message(ngettext("{n} check-in to do, planned {days} after the transition.",
                                         "{n} check-ins to do, planned {days} after the transition.", pending).format(
                n=pending, days=days_text(sorted({k.offset_days for k in self.check_ins}) or [0])), "info")

    def selected_check_in(self) -> CheckIn | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        wanted = self.model.item(index.row(), 0).data(ID_ROLE)
        return next((k for k in self.check_ins if k.id == wanted), None)

    def _update_buttons(self) -> None:
        t = self.selected()
        writable = not self.session.read_only
        latest = self.transitions[0] if self.transitions else None
        is_open = t is not None and t.open
        self.outcome_button.setVisible(writable and is_open and bool(self.check_ins))
        self.outcome_button.setEnabled(self.selected_check_in() is not None)
        self.reengage_button.setVisible(writable and t is not None and latest is not None and t.id == latest.id
                                        and t.status in (TransitionStatus.OPEN, TransitionStatus.CLOSED))

    # -- actions -------------------------------------------------------------------------------

    def new_item(self) -> None:
        """Ctrl+N on this tab."""
        self.record_transition()

    def record_transition(self) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        dialog = TransitionEditorDialog(self.session, self.client.id, self.client.display_name, levels=self.levels,
                                        check_in_days=self.check_in_days, parent=self.window())
        dialog.saved.connect(lambda t: self._saved(t.id))
        dialog.finished.connect(lambda _r: self._closed("editor"))
        self.editor = dialog
        dialog.open()

    def record_outcome(self) -> None:
        t, k = self.selected(), self.selected_check_in()
        if t is None or k is None or not t.open or self.session.read_only:
            return
        if self.outcome_dialog is not None:
            self.outcome_dialog.raise_()
            return
        dialog = CheckInOutcomeDialog(self.session, k, t, parent=self.window())
        dialog.saved.connect(lambda _k, step: self._after_outcome(t.id, step))
        dialog.finished.connect(lambda _r: self._closed("outcome_dialog"))
        self.outcome_dialog = dialog
        dialog.open()

    def reengage(self) -> None:
        t = self.selected()
        if t is None or self.session.read_only:
            return
        if self.reengage_dialog is not None:
            self.reengage_dialog.raise_()
            return
        dialog = ReengageDialog(self.session, t, self.window())
        dialog.saved.connect(lambda saved: self._saved(saved.id))
        dialog.finished.connect(lambda _r: self._closed("reengage_dialog"))
        self.reengage_dialog = dialog
        dialog.open()

    def close_case(self) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.close_dialog is not None:
            self.close_dialog.raise_()
            return
        open_one = next((t for t in self.transitions if t.open), None)
        pending = 0
        if open_one is not None:
            pending = sum(1 for k in self.session.transitions.check_ins(open_one.id) if not k.done)
        dialog = CloseCaseDialog(self.session, self.client.id, open_one, pending, self.window())
        dialog.saved.connect(lambda saved: self._saved(saved.id))
        dialog.finished.connect(lambda _r: self._closed("close_dialog"))
        self.close_dialog = dialog
        dialog.open()

    def _after_outcome(self, transition_id: str, step: NextStep) -> None:
        self._saved(transition_id)
        if step is NextStep.REENGAGE:
            self.message.show_message(_("The case is re-engaged and back at “Stratifying risk”: work out the risk "
                                        "tier again on the Risk tab."), "info")

    def _closed(self, name: str) -> None:
        """A dialog finished: forget it and free it (it holds the client's data)."""
        dialog = getattr(self, name)
        setattr(self, name, None)
        if dialog is not None:
            dialog.deleteLater()

    def _saved(self, transition_id: str) -> None:
        self.message.setVisible(False)
        self.selected_id = transition_id
        self.refresh()
        QTimer.singleShot(0, self.table.setFocus)
        self.changed.emit()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        for dialog in (self.editor, self.outcome_dialog, self.reengage_dialog, self.close_dialog):
            if dialog is not None:
                dialog.close_for_lock()
        self.transitions, self.check_ins = [], []
        self.selected_id = None
        self.stage = None
        self.model.removeRows(0, self.model.rowCount())
        self.history.clear()
        self.facts.clear()
        for label in (self.title, self.subtitle, self.level, self.level_note):
            label.clear()
        for banner in (self.message, self.status_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.stack.setCurrentWidget(self.empty)
        super().clear()

