"""Give one instrument: the form, the date, a running score, then the result and what comes next.

The answers autosave as a draft while they are given; a save that fails keeps them on screen.
After saving, the dialog shows the result and offers the next step: the full PHQ-9 / GAD-7 after
a positive brief screen (items carried over), and for a suicide-risk flag the crisis line, the
C-SSRS screener, the safety plan and the alert review — nothing that can be missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_datetime
from app.models.client import Client
from app.models.instruments import Instrument
from app.models.screening import Administration, crisis_line
from app.services import instruments
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, muted_label, primary_button, set_default_button
from app.ui.widgets.inputs import DateField
from app.ui.widgets.instrument_form import InstrumentForm, ScoreBar, describe_score

CSSRS = "cssrs_screener"


def draft_form(instrument_id: str) -> str:
    return f"administer:{instrument_id}"


class AdministerDialog(DraftDialog):
    """`saved(admin)` after a save; `next_step(action, instrument_id, prefill)` when the user picks
    what comes next: ("give", id, answers) or ("safety_plan" | "review_alert", "", {})."""

    saved = Signal(object)
    next_step = Signal(str, str, object)

    def __init__(self, session: Session, client: Client, instrument: Instrument,
                 prefill: Mapping[str, int | None] | None = None, referral_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.referral_id = referral_id  # the open referral these screens answer, if any
        self.session = session
        self.client = client
        self.instrument = instrument
        self.admin: Administration | None = None
        self.setWindowTitle(_("Give the {name}").format(name=instrument.short_name))
        self.setModal(True)
        self.resize(860, 700)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(f"{instrument.short_name} · {instrument.name}")
        title.setFont(theme.scaled_font(self, 1.35, bold=True))
        title.setWordWrap(True)
        outer.addWidget(title)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.pages.addWidget(self._build_form(prefill))
        self.pages.addWidget(self._build_result())
        self.autosaver = DraftAutosaver(session, draft_form(instrument.id), client.id, self.collect, parent=self)
        self.autosaver.status.connect(self.draft_status.setText)
        self._restore_draft(prefill)
        self.form.changed.connect(self._changed)
        self.date.changed.connect(self._changed)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save)
        self._refresh()

    # -- the form ----------------------------------------------------------------------------

    def _build_form(self, prefill: Mapping[str, int | None] | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        self.banner = Banner("info")
        layout.addWidget(self.banner)
        self.error = Banner("error")
        layout.addWidget(self.error)
        top = QHBoxLayout()
        self.grid = FieldGrid(columns=1)
        self.date = DateField()
        self.date.set_value(self.session.clock.today())
        self.date.setAccessibleName(_("Date given"))
        self.grid.add("on", _("Date given"), self.date)
        self.date.setMaximumWidth(220)
        top.addWidget(self.grid)
        top.addStretch(1)
        self.draft_status = muted_label("")
        self.draft_status.setWordWrap(False)
        top.addWidget(self.draft_status, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)
        self.score_bar = ScoreBar()
        layout.addWidget(self.score_bar)
        self.form = InstrumentForm(self.instrument, sex=self.client.fields.sex_at_birth)
        if prefill:
            self.form.set_answers(prefill)
        self.form.finished.connect(lambda: self.save_button.setFocus(Qt.FocusReason.TabFocusReason))
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setWidgetResizable(True)
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(0, 0, SPACING, 0)
        inner.addWidget(self.form)
        scroll.setWidget(holder)
        self.scroll = scroll
        layout.addWidget(scroll, 1)
        for row in self.form.rows:
            row.installEventFilter(self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        self.save_button = primary_button(_("Save"))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        return page

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt override
        if event.type() == event.Type.FocusIn and watched in self.form.rows:
            self.scroll.ensureWidgetVisible(watched, 0, SPACING * 6)
        return super().eventFilter(watched, event)

    def collect(self) -> dict[str, Any]:
        return {"on": self.date.text(), "answers": self.form.answers(), "declined": list(self.form.declined())}

    def _restore_draft(self, prefill: Mapping[str, int | None] | None) -> None:
        draft = self.session.drafts.load(draft_form(self.instrument.id), self.client.id)
        if draft is None:
            return
        data = draft.data
        answers = {str(k): (v if isinstance(v, int) else None) for k, v in dict(data.get("answers", {})).items()}
        if not any(v is not None for v in answers.values()) and not data.get("declined"):
            return
        merged = dict(prefill or {}) | {k: v for k, v in answers.items() if v is not None}
        self.form.set_answers(merged, [str(d) for d in data.get("declined", [])])
        if isinstance(data.get("on"), str) and data["on"]:
            self.date.set_text(data["on"])
        self.banner.show_message(
            _("Answers you had not saved, from {when}, are back.").format(
                when=format_datetime(draft.saved_at, "short")), "info")
        self.banner.clear_buttons()
        self.banner.add_button(_("Start again"), self._start_again)

    def _start_again(self) -> None:
        self.form.set_answers({})
        self.autosaver.discard()
        self.banner.setVisible(False)
        self._refresh()
        self.form.focus_first()

    def _changed(self) -> None:
        if not self.session.read_only:
            self.autosaver.changed()
        self._refresh()

    def _refresh(self) -> None:
        self.score_bar.show_form(self.form)

    def has_answers(self) -> bool:
        return any(v is not None for v in self.form.answers().values()) or bool(self.form.declined())

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if self.pages.currentIndex() != 0:
            return
        self.error.setVisible(False)
        self.grid.clear_errors()
        try:
            on = self.date.value() or self.session.clock.today()
        except ValueError as exc:
            self.grid.set_error("on", str(exc))
            self.date.setFocus()
            return
        result = self.form.result()
        if not result.valid and not self._confirm_incomplete(result.problem):
            missing = self.form.first_unanswered()
            if missing is not None:
                missing.setFocus()
            return
        try:
            admin = self.session.screening.record(
                self.client.id, self.instrument.id, self.form.answers(), declined=self.form.declined(), on=on,
                referral_id=self.referral_id)
        except ValidationError as exc:
            if "on" in exc.problems:
                self.grid.set_error("on", exc.problems["on"])
            else:
                self.error.show_message(str(exc), "error")
            return
        except VaultError as exc:
            self.error.show_message(_("Not saved: {reason} Your answers are still here.").format(reason=exc), "error")
            return
        self.autosaver.discard()
        self.admin = admin
        self.saved.emit(admin)
        self._show_result(admin)

    def _confirm_incomplete(self, problem: str) -> bool:
        answer = QMessageBox.question(
            self, _("Save without a score?"),
            problem + "\n\n" + _("You can save the answers given so far; there will be no total."),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    # -- the result and the next step --------------------------------------------------------

    def _build_result(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, SPACING, 0, 0)
        layout.setSpacing(SPACING * 1.5)
        self.result_title = QLabel()
        self.result_title.setFont(theme.scaled_font(self, 1.25, bold=True))
        self.result_title.setWordWrap(True)
        layout.addWidget(self.result_title)
        self.result_alert = Banner("error")
        layout.addWidget(self.result_alert)
        self.crisis = QLabel()
        self.crisis.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.crisis.setWordWrap(True)
        self.crisis.setVisible(False)
        layout.addWidget(self.crisis)
        self.result_next = Banner("info")
        layout.addWidget(self.result_next)
        self.result_actions = QVBoxLayout()
        self.result_actions.setSpacing(SPACING)
        layout.addLayout(self.result_actions)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = QPushButton(_("Done"))
        self.done_button.clicked.connect(self.accept)
        row.addWidget(self.done_button)
        layout.addLayout(row)
        return page

    def _action(self, text: str, action: str, instrument_id: str = "",
                prefill: Mapping[str, int | None] | None = None, primary: bool = False) -> QPushButton:
        button = primary_button(text) if primary else QPushButton(text)
        button.setMinimumHeight(40)
        button.clicked.connect(lambda: self._choose(action, instrument_id, dict(prefill or {})))
        self.result_actions.addWidget(button)
        button.show()  # now, so it can take the focus straight away
        return button

    def _choose(self, action: str, instrument_id: str, prefill: dict[str, int | None]) -> None:
        self.accept()
        self.next_step.emit(action, instrument_id, prefill)

    def _show_result(self, admin: Administration) -> None:
        self.pages.setCurrentIndex(1)
        summary = describe_score(self.instrument, self.form.result())
        self.result_title.setText(_("{name} saved: {summary}").format(name=self.instrument.short_name, summary=summary))
        self.result_title.setAccessibleName(self.result_title.text())
        first: QPushButton | None = None
        if admin.flags:
            self.result_alert.show_message(
                _("Suicide-risk alert raised. It stays on this client and on Today until someone reviews it. "
                  "Ask the C-SSRS screener, make or review the safety plan, and give the crisis line:"), "error")
            self.crisis.setText(crisis_line(current_locale()))
            self.crisis.setAccessibleName(self.crisis.text())
            self.crisis.setVisible(True)
            if self.instrument.id != CSSRS:
                first = self._action(_("Ask the C-SSRS screener now"), "give", CSSRS, primary=True)
            button = self._action(_("Open the safety plan"), "safety_plan")
            first = first or button
            self._action(_("Review the alert now…"), "review_alert")
        else:
            self.result_alert.setVisible(False)
        catalog = instruments.catalog()
        follow = self.instrument.next_if_positive
        if admin.positive and follow and follow in catalog:
            full = catalog[follow]
            carried = {k: v for k, v in admin.answers.items() if any(i.id == k for i in full.items)}
            self.result_next.show_message(
                _("The {brief} is positive. Go on to the {full}? The answers to the first {n} items carry over.").format(
                    brief=self.instrument.short_name, full=full.short_name, n=len(carried)), "info")
            button = self._action(_("Continue to the {full}").format(full=full.short_name), "give", follow, carried,
                                  primary=first is None)
            first = first or button
        else:
            self.result_next.setVisible(False)
        target = first or self.done_button
        set_default_button(self, target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        if self.pages.currentIndex() == 0 and self.has_answers() and not self.session.read_only:
            box = QMessageBox(QMessageBox.Icon.Question, _("Stop giving the {name}?").format(
                name=self.instrument.short_name),
                _("The answers so far are kept as a draft; they come back the next time you give it."), parent=self)
            keep = box.addButton(_("Keep as draft"), QMessageBox.ButtonRole.AcceptRole)
            discard = box.addButton(_("Discard answers"), QMessageBox.ButtonRole.DestructiveRole)
            box.addButton(_("Go back"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(keep)
            box.exec()
            if box.clickedButton() is keep:
                self.autosaver.flush()
            elif box.clickedButton() is discard:
                self.autosaver.discard()
            else:
                return
        super().reject()

    def first_focus(self) -> QWidget | None:
        if self.pages.currentIndex() != 0:
            return None
        return self.form.first_unanswered() or self.form.rows[0]
