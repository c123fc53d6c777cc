"""After a transition: record what a check-in found, then decide what next; re-engage a case;
close a case with its reason.

The outcome is structured (reached, engaged with the new provider, a visit within 7 and within 30
days, re-hospitalised or ED — yes, no or not known — barriers from a list plus free text, a note)
so reports can count it. "What next" re-engages (the case is re-tiered) or closes it in the same
save. The outcome form autosaves its typing as a draft, so a lock loses nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, format_date
from app.models.transitions import (
    Barrier,
    CheckIn,
    CheckInOutcome,
    NextStep,
    Party,
    Transition,
)
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_team_member import ask_discard
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    dialog_buttons,
    muted_label,
    primary_button,
    set_default_button,
)
from app.ui.widgets.inputs import DateField

FORM = "transition_check_in"
CLOSE_REASONS = ("Check-ins done; engaged with the new provider", "Goals achieved", "Moved out of the area",
                 "Declined further services", "Lost contact after repeated attempts", "Transferred to another service")
_MARKS = {True: "yes", False: "no", None: "unknown"}


class Choice(QWidget):
    """One answer from a few, as radio buttons in a row (arrow keys move between them).
    `value()` is the chosen option's value, or `unset` when none is chosen."""

    changed = Signal()

    def __init__(self, options: Sequence[tuple[Any, str]], *, unset: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unset = unset
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACING * 2)
        self.group = QButtonGroup(self)
        self.buttons: list[tuple[Any, QRadioButton]] = []
        for value, text in options:
            button = QRadioButton(text)
            self.group.addButton(button)
            row.addWidget(button)
            self.buttons.append((value, button))
            button.toggled.connect(lambda on: on and self.changed.emit())
        row.addStretch(1)
        self.setFocusProxy(self.buttons[0][1])

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleName(name)
        base = name.split(" — ")[0]
        for _value, button in self.buttons:
            button.setAccessibleName(f"{base}: {button.text()}")
            button.setAccessibleDescription(name.split(" — ", 1)[1] if " — " in name else "")

    def value(self) -> Any:
        for value, button in self.buttons:
            if button.isChecked():
                return value
        return self.unset

    def set_value(self, value: Any) -> None:
        for option, button in self.buttons:
            if option == value:
                button.setChecked(True)
                return
        self.group.setExclusive(False)
        for _option, button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)

    def button(self, value: Any) -> QRadioButton:
        return next(b for v, b in self.buttons if v == value)


def _yes_no_unknown() -> Choice:
    choice = Choice([(True, _("Yes")), (False, _("No")), (None, _("Not known"))], unset=None)
    choice.set_value(None)
    return choice


class QuestionGrid(QWidget):
    """Questions on the left, their answers lined up on the right, a sentence under an answer
    that needs attention. The same `inputs` / `set_error` / `clear_errors` as FieldGrid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(SPACING * 3)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.inputs: dict[str, Choice] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}

    def add(self, name: str, question: str, choice: Choice) -> Choice:
        row = len(self.inputs) * 2
        label = QLabel(question)
        label.setBuddy(choice)
        self.grid.addWidget(label, row, 0)
        self.grid.addWidget(choice, row, 1)
        error = QLabel()
        error.setObjectName("FieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        self.grid.addWidget(error, row + 1, 1)
        choice.setAccessibleName(question)
        self.inputs[name], self.errors[name], self.labels[name] = choice, error, label
        return choice

    def set_error(self, name: str, message: str | None) -> None:
        if name not in self.inputs:
            return
        self.errors[name].setText(message or "")
        self.errors[name].setVisible(bool(message))
        base = self.labels[name].text()
        self.inputs[name].setAccessibleName(f"{base} — {message}" if message else base)

    def clear_errors(self) -> None:
        for name in self.inputs:
            self.set_error(name, None)


def check_in_title(check_in: CheckIn, transition: Transition) -> str:
    """"Day 7 check-in with the client" / "… with Dr Okafor (receiving provider)"."""
    if check_in.party is Party.CLIENT:
        return _("Day {n} check-in with the client").format(n=check_in.offset_days)
    who = transition.receiving_name or _("the receiving provider")
    return _("Day {n} check-in with {who} (receiving provider)").format(n=check_in.offset_days, who=who)


class CheckInOutcomeDialog(OfferedDraftDialog):
    """`saved(CheckIn, NextStep)` once the service took the outcome."""

    saved = Signal(object, object)

    def __init__(self, session: Session, check_in: CheckIn, transition: Transition, *, auto_restore: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.check_in = check_in
        self.transition = transition
        self._edited = False
        self.setWindowTitle(_("Check-in outcome"))
        self.setModal(True)
        self.resize(780, 700)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(check_in_title(check_in, transition))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        title.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(muted_label(_("Due {due} · after the transition on {on} ({what})").format(
            due=format_date(check_in.due_on, "full"), on=format_date(transition.on, "long"),
            what=transition.headline)))
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        first = Card()
        self.grid = FieldGrid(columns=2)
        self.done_on = DateField()
        self.done_on.setMaximumWidth(240)
        self.grid.add("done_on", _("Date of the check-in"), self.done_on, required=True)
        who = _("the client") if check_in.party is Party.CLIENT else (transition.receiving_name or _("the provider"))
        self.reached = Choice([(True, _("Yes, we talked")), (False, _("No, not reached"))], unset=None)
        self.grid.add("reached", _("Did you reach {who}?").format(who=who), self.reached, required=True)
        first.body.addWidget(self.grid)
        outer.addWidget(first)

        found = Card()
        caption = QLabel(_("What you found"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        found.body.addWidget(caption)
        self.questions = QuestionGrid()
        self.engaged = self.questions.add("engaged", _("Engaged with the new provider?"), _yes_no_unknown())
        seven = (_("Mental-health visit within 7 days of leaving hospital?") if transition.fields.after_inpatient
                 else _("Mental-health visit within 7 days?"))
        self.visit_7 = self.questions.add("visit_7", seven, _yes_no_unknown())
        self.visit_30 = self.questions.add("visit_30", _("Mental-health visit within 30 days?"), _yes_no_unknown())
        self.readmitted = self.questions.add("readmitted_or_ed", _("Re-hospitalised or seen in an ED since?"),
                                             _yes_no_unknown())
        found.body.addWidget(self.questions)
        barriers = QLabel(_("Barriers to the new care"))
        found.body.addWidget(barriers)
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(2)
        self.barriers: dict[Barrier, QCheckBox] = {}
        for index, barrier in enumerate(Barrier):
            box = QCheckBox(barrier.label)
            box.setAccessibleName(_("Barrier: {what}").format(what=barrier.label))
            grid.addWidget(box, index // 4, index % 4)
            self.barriers[barrier] = box
        found.body.addLayout(grid)
        self.more_grid = FieldGrid(columns=1)
        self.barriers_other = QLineEdit()
        self.barriers_other.setMaxLength(500)
        self.barriers_other.setPlaceholderText(_("Anything else that gets in the way, in a few words"))
        self.more_grid.add("barriers_other", _("Other barriers"), self.barriers_other)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(48)
        self.more_grid.add("note", _("Note"), self.note)
        found.body.addWidget(self.more_grid)
        outer.addWidget(found)

        after = Card()
        next_label = QLabel(_("What next?"))
        next_label.setFont(theme.scaled_font(self, 1.05, bold=True))
        after.body.addWidget(next_label)
        self.next_step = Choice([(NextStep.NONE, _("Keep the check-ins going")),
                                 (NextStep.REENGAGE, _("Re-engage: reopen the case and re-tier")),
                                 (NextStep.CLOSE, _("Close the case"))], unset=NextStep.NONE)
        self.next_step.set_value(NextStep.NONE)
        self.next_step.setAccessibleName(_("What next?"))
        next_label.setBuddy(self.next_step)
        after.body.addWidget(self.next_step)
        self.reason_grid = FieldGrid(columns=1)
        self.reason = QLineEdit()
        self.reason.setMaxLength(1000)
        self.reason_grid.add("reason", _("Why"), self.reason)
        after.body.addWidget(self.reason_grid)
        outer.addWidget(after)
        outer.addStretch(1)

        row = QHBoxLayout()
        self.status = muted_label("")
        row.addWidget(self.status, 1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.cancel_button)
        self.save_button = primary_button(_("Save the outcome"))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        outer.addLayout(row)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        set_default_button(self, self.save_button)

        self.autosaver = DraftAutosaver(session, FORM, check_in.id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.apply(self._data(check_in.outcome))
        self.offer_draft(FORM, check_in.id, auto_restore)
        for choice in (self.reached, self.engaged, self.visit_7, self.visit_30, self.readmitted, self.next_step):
            choice.changed.connect(self._changed)
        for box in self.barriers.values():
            box.toggled.connect(self._changed)
        self.done_on.changed.connect(self._changed)
        self.barriers_other.textEdited.connect(self._changed)
        self.reason.textEdited.connect(self._changed)
        self.note.textChanged.connect(self._changed)
        self._show_reason()

    def _changed(self, *_args: Any) -> None:
        self._edited = True
        self.autosaver.changed()
        self._show_reason()

    def _show_reason(self) -> None:
        step = self.next_step.value()
        visible = step is not NextStep.NONE
        label = self.reason_grid.labels["reason"]
        text = _("Why close the case? *") if step is NextStep.CLOSE else _("Why re-engage? (optional)")
        label.setText(text)
        self.reason.setAccessibleName(text.rstrip(" *"))
        self.reason.setPlaceholderText(_("e.g. engaged with the new provider; check-ins done") if step is NextStep.CLOSE
                                       else _("e.g. not engaged with the new provider; back to weekly contact"))
        for widget in (label, self.reason):
            widget.setVisible(visible)

    # -- values --------------------------------------------------------------------------------

    def _data(self, outcome: CheckInOutcome | None) -> dict[str, Any]:
        if outcome is None:
            return {"done_on": date_example(self.session.clock.today()), "reached": "", "engaged": "unknown",
                    "visit_7": "unknown", "visit_30": "unknown", "readmitted_or_ed": "unknown", "barriers": [],
                    "barriers_other": "", "note": "", "next_step": NextStep.NONE.value, "reason": ""}
        return {"done_on": date_example(outcome.done_on) if outcome.done_on else "",
                "reached": _MARKS[outcome.reached], "engaged": _MARKS[outcome.engaged],
                "visit_7": _MARKS[outcome.visit_7], "visit_30": _MARKS[outcome.visit_30],
                "readmitted_or_ed": _MARKS[outcome.readmitted_or_ed], "barriers": [b.value for b in outcome.barriers],
                "barriers_other": outcome.barriers_other, "note": outcome.note, "next_step": NextStep.NONE.value,
                "reason": ""}

    def collect(self) -> dict[str, Any]:
        reached = self.reached.value()
        return {"done_on": self.done_on.text(), "reached": "" if reached is None else _MARKS[reached],
                "engaged": _MARKS[self.engaged.value()], "visit_7": _MARKS[self.visit_7.value()],
                "visit_30": _MARKS[self.visit_30.value()], "readmitted_or_ed": _MARKS[self.readmitted.value()],
                "barriers": [b.value for b, box in self.barriers.items() if box.isChecked()],
                "barriers_other": self.barriers_other.text(), "note": self.note.toPlainText(),
                "next_step": self.next_step.value().value, "reason": self.reason.text()}

    def apply(self, data: dict[str, Any]) -> None:
        values = {v: k for k, v in _MARKS.items()}
        self.done_on.set_text(str(data.get("done_on") or ""))
        reached = data.get("reached") or ""
        self.reached.set_value(values[reached] if reached in ("yes", "no") else "unset")
        for choice, key in ((self.engaged, "engaged"), (self.visit_7, "visit_7"), (self.visit_30, "visit_30"),
                            (self.readmitted, "readmitted_or_ed")):
            choice.set_value(values.get(str(data.get(key) or "unknown")))
        ticked = set(data.get("barriers") or [])
        for barrier, box in self.barriers.items():
            box.setChecked(barrier.value in ticked)
        self.barriers_other.setText(str(data.get("barriers_other") or ""))
        self.note.setPlainText(str(data.get("note") or ""))
        step = data.get("next_step") or NextStep.NONE.value
        self.next_step.set_value(NextStep(step) if step in NextStep._value2member_map_ else NextStep.NONE)
        self.reason.setText(str(data.get("reason") or ""))

    def has_changes(self) -> bool:
        return self._edited

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        self.error_banner.setVisible(False)
        for grid in self._grids():
            grid.clear_errors()
        problems: dict[str, str] = {}
        done_on: date | None = None
        try:
            done_on = self.done_on.value()
        except ValueError as exc:
            problems["done_on"] = str(exc)
        reached = self.reached.value()
        if reached is None:
            problems["reached"] = _("Say whether you reached them.")
        if self.next_step.value() is NextStep.CLOSE and not self.reason.text().strip():
            problems["reason"] = _("Say why the case is closing.")
        if problems:
            self.keep_typing()
            self.show_problems(problems)
            return
        outcome = CheckInOutcome(done_on, bool(reached), self.engaged.value(), self.visit_7.value(),
                                 self.visit_30.value(), self.readmitted.value(),
                                 tuple(b for b, box in self.barriers.items() if box.isChecked()),
                                 self.barriers_other.text(), self.note.toPlainText())
        step = self.next_step.value()
        saved = self.submit(lambda: self.session.transitions.record_check_in(
            self.check_in.id, outcome, next_step=step, reason=self.reason.text()))
        if saved is None:
            return
        self._edited = False
        self.saved.emit(saved, step)
        self.done(QDialog.DialogCode.Accepted)

    def show_problems(self, problems: dict[str, str]) -> None:
        first: QWidget | None = None
        leftover: list[str] = []
        for name, message in problems.items():
            grid = next((g for g in self._grids() if name in g.inputs), None)
            if grid is None:
                leftover.append(message)
                continue
            grid.set_error(name, message)
            first = first or grid.inputs[name]
        self.error_banner.show_message(leftover[0] if leftover else _(
            "Some answers need attention. Everything you typed is kept."), "error")
        if first is not None:
            first.setFocus()

    def _grids(self) -> tuple[FieldGrid | QuestionGrid, ...]:
        return (self.grid, self.questions, self.more_grid, self.reason_grid)

    def first_focus(self) -> QWidget | None:
        return self.reached.button(True) if self.reached.value() is None else self.done_on


class _SmallDialog(QDialog):
    """A short form: a date and a sentence. Esc asks before losing what was typed; a lock closes
    it without asking. `saved(object)` carries what was written."""

    saved = Signal(object)

    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(560, 320)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        self.layout_.setSpacing(SPACING)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        self.layout_.addWidget(heading)
        self.intro = muted_label(intro)
        self.layout_.addWidget(self.intro)
        self.error = Banner("error")
        self.layout_.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        self.on = DateField()
        self.on.setMaximumWidth(240)
        self._locking = False

    def typed(self) -> bool:
        raise NotImplementedError

    def show_problems(self, exc: ValidationError) -> None:
        for name, message in exc.problems.items():
            if name in self.grid.inputs:
                self.grid.set_error(name, message)
        shown = [m for n, m in exc.problems.items() if n not in self.grid.inputs]
        self.error.show_message(shown[0] if shown else str(exc), "error")

    def read_date(self) -> date | None:
        try:
            return self.on.value()
        except ValueError as exc:
            self.grid.set_error("on", str(exc))
            return None

    def start_save(self) -> tuple[bool, date | None]:
        """Clear the last attempt's errors and read the date: (False, None) when the typed date
        is not a date (the field says why), else (True, the date or None when left empty)."""
        self.grid.clear_errors()
        self.error.setVisible(False)
        on = self.read_date()
        return not (on is None and self.on.text().strip()), on

    def write(self, save: Callable[[], object]) -> None:
        """Run the save: a refusal shows by its fields, a storage failure in the banner (the typing
        stays either way); on success emit `saved` with what was written and close."""
        try:
            saved = save()
        except ValidationError as exc:
            self.show_problems(exc)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.saved.emit(saved)
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:
        if not self._locking and self.typed() and not ask_discard(self):
            return
        super().reject()

    def close_for_lock(self) -> None:
        self._locking = True
        self.reject()


class ReengageDialog(_SmallDialog):
    """`saved(Transition)` once the case is reopened."""

    def __init__(self, session: Session, transition: Transition, parent: QWidget | None = None) -> None:
        super().__init__(_("Re-engage the case"), _(
            "The case goes back to “Stratifying risk” so the risk tier is worked out again, and the check-ins "
            "still to do are no longer proposed."), parent)
        self.session = session
        self.transition = transition
        self.on.set_value(session.clock.today())
        self.grid.add("on", _("Re-engaged on"), self.on, required=True)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(72)
        self.note.setPlaceholderText(_("e.g. not engaged with the new provider; back to weekly contact"))
        self.grid.add("note", _("Why"), self.note)
        self.layout_.addWidget(self.grid)
        self.layout_.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, self.layout_, _("Re-engage"), self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def typed(self) -> bool:
        return bool(self.note.toPlainText().strip())

    def save(self) -> None:
        ok, on = self.start_save()
        if not ok:
            return
        self.write(lambda: self.session.transitions.reengage(self.transition.id, self.note.toPlainText(), on))


class CloseCaseDialog(_SmallDialog):
    """Close the case with its reason: the open transition closes with it (or a closure is
    recorded on its own). `saved(Transition)` once done."""

    def __init__(self, session: Session, client_id: str, transition: Transition | None, pending: int = 0,
                 parent: QWidget | None = None) -> None:
        intro = _("The case stage becomes “Closed”. You can re-engage it later from this tab.")
        if pending:
            intro += " " + _("{n} check-in(s) still to do will no longer be proposed.").format(n=pending)
        super().__init__(_("Close the case"), intro, parent)
        self.session = session
        self.client_id = client_id
        self.transition = transition
        self.on.set_value(session.clock.today())
        self.grid.add("on", _("Closed on"), self.on, required=True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(["", *CLOSE_REASONS])
        self.reason.lineEdit().setMaxLength(1000)
        self.reason.lineEdit().setPlaceholderText(_("Choose or type the reason"))
        self.grid.add("reason", _("Reason for closing"), self.reason, required=True)
        self.layout_.addWidget(self.grid)
        self.layout_.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, self.layout_, _("Close the case"), self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.reason.setFocus()

    def typed(self) -> bool:
        return bool(self.reason.currentText().strip())

    def save(self) -> None:
        ok, on = self.start_save()
        if not ok:
            return
        reason = self.reason.currentText()
        transitions = self.session.transitions
        self.write(lambda: transitions.close(self.transition.id, reason, on) if self.transition is not None
                   and self.transition.open else transitions.close_case(self.client_id, reason, on))
