"""Review the plan in force with the client: progress on each goal on the goal attainment scale
(−2 … +2, 0 being the outcome expected), what changes, who attended, and when the next review
is. The typing is autosaved, so closing loses nothing; recording it moves the review date on."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, parse_date
from app.models.care_plan import (
    GAS_LEVELS,
    CarePlan,
    GoalLifecycle,
    GoalProgress,
    review_on_after,
    short,
)
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_text import gas_text
from app.ui.widgets.common import Banner, Card, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.inputs import DateField

FORM = "care_plan_review"


class CarePlanReviewDialog(DraftDialog):
    recorded = Signal(object)  # Review

    def __init__(self, session: Session, plan: CarePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.setWindowTitle(_("Review the care plan"))
        self.setModal(True)
        self.resize(880, 640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Review the care plan"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        layout.addWidget(title)
        since = plan.activated_at.date() if plan.activated_at else None
        layout.addWidget(muted_label(_(
            "Version {n}, in force since {date}. Rate each goal with the client on the goal attainment scale: 0 is "
            "the outcome you expected by now; +1 and +2 are better than expected, −1 and −2 worse.").format(
            n=plan.version, date=format_date(since))))
        self.draft_banner = Banner("info")
        layout.addWidget(self.draft_banner)
        self.error = Banner("error")
        layout.addWidget(self.error)

        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(0, 0, SPACING, 0)
        form.setSpacing(SPACING)
        self.grid = FieldGrid(columns=2)
        self.reviewed_on = DateField()
        self.grid.add("reviewed_on", _("Date of the review"), self.reviewed_on, required=True)
        self.attended = QLineEdit()
        self.attended.setPlaceholderText(_("e.g. the client, her sister, and me"))
        self.grid.add("attended", _("Who attended"), self.attended, required=True)
        form.addWidget(self.grid)

        goals_card = Card()
        heading = QLabel(_("Progress on each goal"))
        heading.setFont(theme.scaled_font(self, 1.1, bold=True))
        goals_card.body.addWidget(heading)
        self.progress_error = QLabel()
        self.progress_error.setObjectName("FieldError")
        self.progress_error.setWordWrap(True)
        self.progress_error.setVisible(False)
        goals_card.body.addWidget(self.progress_error)
        rows = QGridLayout()
        rows.setHorizontalSpacing(SPACING * 2)
        rows.setVerticalSpacing(4)
        self.gas: dict[str, QComboBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        goals = [g for g in plan.document.goals() if g.lifecycle is not GoalLifecycle.CANCELLED]
        for row, goal in enumerate(goals):
            words = QLabel(goal.client_words or goal.smart or _("(goal without words)"))
            words.setWordWrap(True)
            words.setFont(theme.scaled_font(self, 1.0, bold=True))
            text = QVBoxLayout()
            text.setSpacing(0)
            text.addWidget(words)
            if goal.smart:
                text.addWidget(muted_label(goal.smart))
            rows.addLayout(text, row * 2, 0, 1, 2)
            combo = QComboBox()
            combo.addItem(_("Not rated this time"), None)
            for level in GAS_LEVELS:
                combo.addItem(gas_text(level), level)
            combo.setAccessibleName(_("Goal attainment: {goal}").format(goal=short(goal.client_words or goal.smart, 60)))
            rows.addWidget(combo, row * 2 + 1, 0)
            note = QLineEdit()
            note.setPlaceholderText(_("What happened, in a few words"))
            note.setAccessibleName(_("Note on the goal: {goal}").format(goal=short(goal.client_words or goal.smart, 60)))
            rows.addWidget(note, row * 2 + 1, 1)
            self.gas[goal.id] = combo
            self.notes[goal.id] = note
        rows.setColumnStretch(1, 1)
        goals_card.body.addLayout(rows)
        if not goals:
            goals_card.body.addWidget(muted_label(_("This version has no goals to rate.")))
        form.addWidget(goals_card)

        self.after = FieldGrid(columns=2)
        self.changes = QPlainTextEdit()
        self.changes.setTabChangesFocus(True)
        self.changes.setFixedHeight(self.changes.fontMetrics().lineSpacing() * 3 + 16)
        self.changes.setPlaceholderText(_("What changes from now on — a new version of the plan can be started "
                                          "after the review"))
        self.after.add("changes", _("What changes"), self.changes, span=2)
        self.next_review = DateField()
        self.after.add("next_review_on", _("Next review by"), self.next_review, required=True)
        form.addWidget(self.after)
        form.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        self.status = muted_label("")
        layout.addWidget(self.status)
        self.cancel_button, self.record_button = dialog_buttons(self, layout, _("Record the review"), self.record,
                                                                cancel=_("Close"))
        self.cancel_button.setToolTip(_("Close; what you typed is kept for next time (Esc)"))
        QShortcut(QKeySequence.StandardKey.Save, self, self.record)

        today = session.clock.today()
        self.reviewed_on.set_value(today)
        self.next_review.set_value(review_on_after(today, plan.review_days))
        self.autosaver = DraftAutosaver(session, FORM, plan.id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self._restore_typing()
        for edit in (self.attended, *self.notes.values()):
            edit.textEdited.connect(self.autosaver.changed)
        for field_ in (self.reviewed_on, self.next_review):
            field_.edit.textEdited.connect(self.autosaver.changed)
        self.changes.textChanged.connect(self.autosaver.changed)
        for combo in self.gas.values():
            combo.currentIndexChanged.connect(self.autosaver.changed)

    def first_focus(self) -> QWidget | None:
        return self.attended

    # -- values --------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        return {"reviewed_on": self.reviewed_on.text(), "attended": self.attended.text(),
                "gas": {k: c.currentData() for k, c in self.gas.items()},
                "notes": {k: e.text() for k, e in self.notes.items()}, "changes": self.changes.toPlainText(),
                "next_review_on": self.next_review.text()}

    def _restore_typing(self) -> None:
        typed = self.session.drafts.load(FORM, self.plan.id)
        if typed is None:
            return
        data = typed.data
        self.reviewed_on.set_text(str(data.get("reviewed_on", "")))
        self.attended.setText(str(data.get("attended", "")))
        for goal_id, value in (data.get("gas") or {}).items():
            if goal_id in self.gas:
                self.gas[goal_id].setCurrentIndex(max(0, self.gas[goal_id].findData(value)))
        for goal_id, text in (data.get("notes") or {}).items():
            if goal_id in self.notes:
                self.notes[goal_id].setText(str(text))
        self.changes.setPlainText(str(data.get("changes", "")))
        self.next_review.set_text(str(data.get("next_review_on", "")))
        self.draft_banner.show_message(_("What you typed on {when} was restored.").format(
            when=format_datetime(typed.saved_at, "short")))

    def record(self) -> None:
        self.error.setVisible(False)
        self.grid.clear_errors()
        self.after.clear_errors()
        self.progress_error.setVisible(False)
        problems: dict[str, str] = {}
        dates: dict[str, date | None] = {}
        for name, field_ in (("reviewed_on", self.reviewed_on), ("next_review_on", self.next_review)):
            try:
                dates[name] = parse_date(field_.text()) if field_.text().strip() else None
            except ValueError as exc:
                problems[name] = str(exc)
        if problems:
            self._show(problems, _("A date can't be read. Everything you typed is kept."))
            return
        progress = [GoalProgress(goal_id, combo.currentData(), self.notes[goal_id].text())
                    for goal_id, combo in self.gas.items()]
        try:
            review = self.session.care_plans.record_review(
                self.plan.id, progress, attended=self.attended.text(), changes=self.changes.toPlainText(),
                on=dates["reviewed_on"], next_review_on=dates["next_review_on"])
        except ValidationError as exc:
            self._show(exc.problems, str(exc))
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.autosaver.discard()
        self.recorded.emit(review)
        self.accept()

    def _show(self, problems: dict[str, str], summary: str) -> None:
        self.error.show_message(summary, "error")
        first: QWidget | None = None
        for key, message in problems.items():
            if key in ("reviewed_on", "attended"):
                self.grid.set_error(key, message)
                first = first or self.grid.inputs[key]
            elif key == "next_review_on":
                self.after.set_error(key, message)
                first = first or self.next_review
            elif key.startswith("progress"):
                self.progress_error.setText(message)
                self.progress_error.setVisible(True)
                goal_id = key.partition(".")[2]
                first = first or self.gas.get(goal_id) or next(iter(self.gas.values()), None)
        if first is not None:
            first.setFocus()

    def reject(self) -> None:
        """Close; the typing is kept (it comes back next time)."""
        self.autosaver.flush()
        super().reject()

