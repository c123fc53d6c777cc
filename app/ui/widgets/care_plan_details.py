"""The side panel of the care-plan editor: the fields of the item chosen in the outline —
"about the person", when the plan is done, a need, a goal, a measurable step or an action.

Every change is sent at once (`node_edited`, `about_edited`, `plan_edited`), so the outline and
the autosaved draft follow the typing. A date that can't be read yet is kept as typed (in
`raw_dates`, by item and field) and said next to its field; nothing typed is thrown away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, parse_date
from app.models.assessment import AboutPerson, LifeDomain, about_hints, about_labels
from app.models.care_plan import (
    DEFAULT_REVIEW_DAYS,
    MAX_REVIEW_DAYS,
    MIN_REVIEW_DAYS,
    Comparison,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    InstrumentTarget,
    Intervention,
    InterventionStatus,
    ItemKind,
    Modality,
    Need,
    NeedSource,
    Node,
    Objective,
    ObjectiveStatus,
    Priority,
    Responsible,
    Tracking,
    item_key,
)
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_text import KIND_ICONS, tracking_text
from app.ui.widgets.common import FieldGrid, muted_label
from app.ui.widgets.inputs import DateField


def _text_box(lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    metrics = box.fontMetrics()
    box.setFixedHeight(metrics.lineSpacing() * lines + 16)
    return box


def _combo(choices: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for value, label in choices:
        combo.addItem(label, value)
    return combo


def _set_combo(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class _Form(QWidget):
    """One kind of item's fields: a heading and a FieldGrid."""

    def __init__(self, icon: str, heading: str, columns: int = 2) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        head = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setPixmap(theme.icon(icon, theme.colors().accent).pixmap(20, 20))
        head.addWidget(self.icon)
        self.heading = QLabel(heading)
        self.heading.setFont(theme.scaled_font(self, 1.15, bold=True))
        head.addWidget(self.heading, 1)
        layout.addLayout(head)
        self.note = muted_label("")
        self.note.setVisible(False)
        layout.addWidget(self.note)
        self.grid = FieldGrid(columns=columns)
        layout.addWidget(self.grid)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addStretch(1)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


class CarePlanDetails(QWidget):
    """Edits the chosen item. `node_edited(node, coalesce_key)`: the item with its new values
    (a key for typing, '' for a choice); `about_edited(about, key)`; `plan_edited(key)`: the
    discharge criteria, start date or review interval (read them back with `plan_values()`)."""

    node_edited = Signal(object, str)
    about_edited = Signal(object, str)
    plan_edited = Signal(str)

    def __init__(self, instruments: list[tuple[str, str, bool]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instruments = instruments
        self.names = {i: n for i, n, _b in instruments}
        self.node: Node | None = None
        self.raw_dates: dict[str, str] = {}
        self._loading = False
        self.tracking: Tracking | None = None
        self.today: Callable[[], date] = date.today  # the session's clock, set by the editor
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, SPACING, 0)
        holder_layout.addWidget(self.stack)
        self.scroll_area.setWidget(holder)
        outer.addWidget(self.scroll_area)
        self.empty = muted_label(_("Choose an item in the outline to see and change its details here."))
        self.stack.addWidget(self.empty)
        self._build_about()
        self._build_plan()
        self._build_need()
        self._build_goal()
        self._build_objective()
        self._build_intervention()
        self.grids = {"about": self.about_form.grid, "plan": self.plan_form.grid, ItemKind.NEED: self.need_form.grid,
                      ItemKind.GOAL: self.goal_form.grid, ItemKind.OBJECTIVE: self.objective_form.grid,
                      ItemKind.INTERVENTION: self.intervention_form.grid}

    # -- building ------------------------------------------------------------------------------

    def _build_about(self) -> None:
        form = _Form("mdi6.account-heart-outline", _("About the person"), columns=1)
        self.about: dict[str, QPlainTextEdit] = {}
        hints = about_hints()
        for name, label in about_labels().items():
            box = _text_box(2)
            box.setPlaceholderText(hints[name])
            form.grid.add(name, label, box, required=name == "what_matters")
            box.textChanged.connect(lambda n=name: self._about_changed(n))
            self.about[name] = box
        self.about_form = form
        self.stack.addWidget(form)

    def _build_plan(self) -> None:
        form = _Form("mdi6.flag-checkered", _("When the plan is done"), columns=2)
        self.discharge = _text_box(3)
        self.discharge.setPlaceholderText(_("In the client's words, e.g. when I have my own place and see my kids "
                                            "every weekend"))
        form.grid.add("discharge_criteria", _("How we will know the plan is done"), self.discharge, required=True,
                      span=2)
        self.discharge.textChanged.connect(lambda: self._plan_changed("discharge_criteria"))
        self.start_on = DateField()
        self.start_on.edit.setPlaceholderText(_("The day it is signed"))
        form.grid.add("start_on", _("Start date"), self.start_on, hint=_("Leave empty to start on the day it is signed."))
        self.start_on.edit.textEdited.connect(lambda _t: self._plan_changed("start_on"))
        self.review_days = QSpinBox()
        self.review_days.setRange(MIN_REVIEW_DAYS, MAX_REVIEW_DAYS)
        self.review_days.setValue(DEFAULT_REVIEW_DAYS)
        self.review_days.setSuffix(_(" days"))
        form.grid.add("review_days", _("Review it together every"), self.review_days,
                      hint=_("The first review is due this long after the plan is signed."))
        self.review_days.valueChanged.connect(lambda _v: self._plan_changed("review_days"))
        self.plan_form = form
        self.stack.addWidget(form)

    def _build_need(self) -> None:
        form = _Form(KIND_ICONS[ItemKind.NEED], ItemKind.NEED.label)
        self.need_words = QLineEdit()
        self.need_words.setPlaceholderText(_("e.g. I'm scared of losing my flat"))
        form.grid.add("title", ItemKind.NEED.title_label, self.need_words, required=True, span=2)
        self.need_domain = _combo([("", _("Choose a life domain")), *((d.value, d.label) for d in LifeDomain)])
        form.grid.add("domain", _("Life domain"), self.need_domain)
        self.need_priority = _combo([(p.value, p.label) for p in Priority])
        form.grid.add("priority", _("Priority"), self.need_priority)
        self.need_summary = _text_box(3)
        form.grid.add("summary", _("Clinical summary"), self.need_summary, span=2)
        self.need_source = _combo([(s.value, s.label) for s in NeedSource])
        form.grid.add("source", _("Where it came from"), self.need_source)
        self.need_source_note = QLineEdit()
        self.need_source_note.setPlaceholderText(_("e.g. the PHQ-9 of 3 October"))
        form.grid.add("source_note", _("Details"), self.need_source_note)
        self.need_words.textEdited.connect(lambda _t: self._node_changed("title"))
        self.need_summary.textChanged.connect(lambda: self._node_changed("summary"))
        self.need_source_note.textEdited.connect(lambda _t: self._node_changed("source_note"))
        for combo in (self.need_domain, self.need_priority, self.need_source):
            combo.currentIndexChanged.connect(lambda _i: self._node_changed(""))
        self.need_form = form
        self.stack.addWidget(form)

    def _build_goal(self) -> None:
        form = _Form(KIND_ICONS[ItemKind.GOAL], ItemKind.GOAL.label)
        self.goal_words = QLineEdit()
        self.goal_words.setPlaceholderText(_("e.g. Keep my flat"))
        form.grid.add("title", ItemKind.GOAL.title_label, self.goal_words, required=True, span=2)
        self.goal_smart = _text_box(3)
        self.goal_smart.setPlaceholderText(_("Specific, measurable, achievable, relevant and dated, e.g. rent arrears "
                                             "cleared through a payment plan by 1 March"))
        form.grid.add("smart", _("SMART restatement"), self.goal_smart, required=True, span=2)
        self.goal_target = DateField()
        form.grid.add("target_on", _("Target date"), self.goal_target, required=True)
        self.goal_lifecycle = _combo([(v.value, v.label) for v in GoalLifecycle])
        form.grid.add("lifecycle", _("Status"), self.goal_lifecycle)
        self.goal_achievement = _combo([("", _("Not assessed yet")), *((v.value, v.label) for v in GoalAchievement)])
        form.grid.add("achievement", _("Achievement"), self.goal_achievement)
        self.goal_words.textEdited.connect(lambda _t: self._node_changed("title"))
        self.goal_smart.textChanged.connect(lambda: self._node_changed("smart"))
        self.goal_target.edit.textEdited.connect(lambda _t: self._node_changed("target_on"))
        self.goal_target.edit.editingFinished.connect(lambda: self._date_finished(self.goal_target, "target_on"))
        for combo in (self.goal_lifecycle, self.goal_achievement):
            combo.currentIndexChanged.connect(lambda _i: self._node_changed(""))
        self.goal_form = form
        self.stack.addWidget(form)

    def _build_objective(self) -> None:
        form = _Form(KIND_ICONS[ItemKind.OBJECTIVE], ItemKind.OBJECTIVE.label)
        self.objective_step = QLineEdit()
        self.objective_step.setPlaceholderText(_("e.g. Apply for rent assistance"))
        form.grid.add("title", ItemKind.OBJECTIVE.title_label, self.objective_step, required=True, span=2)
        self.objective_tracked = QCheckBox(_("Measured by a questionnaire score, which tracks itself"))
        form.grid.add("tracked", _("Tracking"), self.objective_tracked, span=2)
        self.objective_instrument = _combo([(i, n) for i, n, _b in self.instruments])
        form.grid.add("instrument", _("Questionnaire"), self.objective_instrument)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.objective_comparison = _combo([(c.value, c.label) for c in Comparison])
        self.objective_comparison.setAccessibleName(_("Score comparison"))
        row_layout.addWidget(self.objective_comparison, 1)
        self.objective_value = QSpinBox()
        self.objective_value.setRange(0, 100)
        self.objective_value.setAccessibleName(_("Target score"))
        row_layout.addWidget(self.objective_value)
        form.grid.add("instrument_target", _("Target score"), row)
        self.objective_comparison.setAccessibleName(_("Target score: comparison"))
        self.objective_value.setAccessibleName(_("Target score: value"))
        self.objective_tracking = muted_label("")
        form.grid.add("tracking", _("Scores so far"), self.objective_tracking, span=2)
        self.objective_measure = QLineEdit()
        self.objective_measure.setPlaceholderText(_("e.g. Application sent"))
        form.grid.add("measure", _("Measure"), self.objective_measure)
        self.objective_target = QLineEdit()
        self.objective_target.setPlaceholderText(_("e.g. Yes, with all documents"))
        form.grid.add("target", _("Target"), self.objective_target)
        self.objective_baseline = QLineEdit()
        form.grid.add("baseline", _("Baseline (where it starts)"), self.objective_baseline)
        self.objective_target_on = DateField()
        form.grid.add("target_on", _("Target date"), self.objective_target_on, required=True)
        self.objective_status = _combo([(v.value, v.label) for v in ObjectiveStatus])
        form.grid.add("status", _("Status"), self.objective_status)
        self.objective_step.textEdited.connect(lambda _t: self._node_changed("title"))
        for edit, name in ((self.objective_measure, "measure"), (self.objective_target, "target"),
                           (self.objective_baseline, "baseline")):
            edit.textEdited.connect(lambda _t, n=name: self._node_changed(n))
        self.objective_target_on.edit.textEdited.connect(lambda _t: self._node_changed("target_on"))
        self.objective_target_on.edit.editingFinished.connect(
            lambda: self._date_finished(self.objective_target_on, "target_on"))
        self.objective_tracked.toggled.connect(self._tracked_toggled)
        for combo in (self.objective_instrument, self.objective_comparison, self.objective_status):
            combo.currentIndexChanged.connect(lambda _i: self._node_changed(""))
        self.objective_instrument.currentIndexChanged.connect(lambda _i: self._instrument_chosen())
        self.objective_value.valueChanged.connect(lambda _v: self._node_changed("instrument_value"))
        self.objective_form = form
        self.stack.addWidget(form)

    def _build_intervention(self) -> None:
        form = _Form(KIND_ICONS[ItemKind.INTERVENTION], ItemKind.INTERVENTION.label)
        self.action = QLineEdit()
        self.action.setPlaceholderText(_("e.g. Call the landlord together"))
        form.grid.add("title", ItemKind.INTERVENTION.title_label, self.action, required=True, span=2)
        self.responsible = _combo([(r.value, r.label) for r in Responsible])
        form.grid.add("responsible", _("Who does it"), self.responsible)
        self.responsible_name = QLineEdit()
        self.responsible_name.setPlaceholderText(_("e.g. Dr. Okafor, or her sister Inés"))
        form.grid.add("responsible_name", _("Their name"), self.responsible_name)
        self.frequency = QLineEdit()
        self.frequency.setPlaceholderText(_("e.g. weekly, or once"))
        form.grid.add("frequency", _("How often"), self.frequency)
        self.modality = _combo([("", _("Not set")), *((m.value, m.label) for m in Modality)])
        form.grid.add("modality", _("How"), self.modality)
        self.action_start = DateField()
        form.grid.add("start_on", _("Starts"), self.action_start)
        self.action_end = DateField()
        form.grid.add("end_on", _("Ends"), self.action_end)
        self.action_status = _combo([(v.value, v.label) for v in InterventionStatus])
        form.grid.add("status", _("Status"), self.action_status)
        self.referral = muted_label("")
        form.grid.add("referral", _("Referral"), self.referral)
        self.action.textEdited.connect(lambda _t: self._node_changed("title"))
        self.responsible_name.textEdited.connect(lambda _t: self._node_changed("responsible_name"))
        self.frequency.textEdited.connect(lambda _t: self._node_changed("frequency"))
        for field_, name in ((self.action_start, "start_on"), (self.action_end, "end_on")):
            field_.edit.textEdited.connect(lambda _t, n=name: self._node_changed(n))
            field_.edit.editingFinished.connect(lambda f=field_, n=name: self._date_finished(f, n))
        for combo in (self.responsible, self.modality, self.action_status):
            combo.currentIndexChanged.connect(lambda _i: self._node_changed(""))
        self.intervention_form = form
        self.stack.addWidget(form)

    # -- showing -------------------------------------------------------------------------------

    def clear(self) -> None:
        self.node = None
        self.tracking = None
        self.stack.setCurrentWidget(self.empty)

    def show_about(self, about: AboutPerson, note: str = "") -> None:
        self._loading = True
        self.node = None
        for name, box in self.about.items():
            if box.toPlainText() != getattr(about, name):
                box.setPlainText(getattr(about, name))
        self.about_form.set_note(note)
        self.stack.setCurrentWidget(self.about_form)
        self._loading = False

    def show_plan(self, discharge: str, start_text: str, review_days: int) -> None:
        self._loading = True
        self.node = None
        if self.discharge.toPlainText() != discharge:
            self.discharge.setPlainText(discharge)
        self.start_on.set_text(start_text)
        self.review_days.setValue(review_days)
        self.stack.setCurrentWidget(self.plan_form)
        self._loading = False

    def plan_values(self) -> tuple[str, str, int]:
        """Discharge criteria, the start date as typed, the review interval in days."""
        return self.discharge.toPlainText(), self.start_on.text(), self.review_days.value()

    def show_node(self, node: Node, tracking: Tracking | None = None) -> None:
        """Show an item's fields (a date typed but not yet readable comes back as typed)."""
        self._loading = True
        same = self.node is not None and self.node.id == node.id
        self.node = node
        self.tracking = tracking
        if isinstance(node, Need):
            self._set_line(self.need_words, node.client_words)
            _set_combo(self.need_domain, node.domain.value if node.domain else "")
            _set_combo(self.need_priority, node.priority.value)
            self._set_text(self.need_summary, node.summary)
            _set_combo(self.need_source, node.source.value)
            self._set_line(self.need_source_note, node.source_note)
            self.need_form.set_note(_("Suggested by the assessment or a screen.") if node.suggestion else "")
            self.stack.setCurrentWidget(self.need_form)
        elif isinstance(node, Goal):
            self._set_line(self.goal_words, node.client_words)
            self._set_text(self.goal_smart, node.smart)
            self._set_date(self.goal_target, node.id, "target_on", node.target_on, same)
            _set_combo(self.goal_lifecycle, node.lifecycle.value)
            _set_combo(self.goal_achievement, node.achievement.value if node.achievement else "")
            self.stack.setCurrentWidget(self.goal_form)
        elif isinstance(node, Objective):
            self._set_line(self.objective_step, node.step)
            target = node.instrument
            self.objective_tracked.setChecked(target is not None)
            if target is not None:
                _set_combo(self.objective_instrument, target.instrument_id)
                _set_combo(self.objective_comparison, target.comparison.value)
                self.objective_value.setValue(target.value)
            self._set_line(self.objective_measure, node.measure)
            self._set_line(self.objective_target, node.target)
            self._set_line(self.objective_baseline, node.baseline)
            self._set_date(self.objective_target_on, node.id, "target_on", node.target_on, same)
            _set_combo(self.objective_status, node.status.value)
            self._show_tracking()
            self.stack.setCurrentWidget(self.objective_form)
        elif isinstance(node, Intervention):
            self._set_line(self.action, node.action)
            _set_combo(self.responsible, node.responsible.value)
            self._set_line(self.responsible_name, node.responsible_name)
            self._set_line(self.frequency, node.frequency)
            _set_combo(self.modality, node.modality.value if node.modality else "")
            self._set_date(self.action_start, node.id, "start_on", node.start_on, same)
            self._set_date(self.action_end, node.id, "end_on", node.end_on, same)
            _set_combo(self.action_status, node.status.value)
            self.referral.setText(_("Linked to a referral") if node.referral_id else _("No referral linked yet"))
            self._sync_responsible()
            self.stack.setCurrentWidget(self.intervention_form)
        self._loading = False

    def _set_line(self, edit: QLineEdit, text: str) -> None:
        if edit.text() != text:
            edit.setText(text)

    def _set_text(self, box: QPlainTextEdit, text: str) -> None:
        if box.toPlainText() != text:
            box.setPlainText(text)

    def _set_date(self, field_: DateField, item_id: str, name: str, value: date | None, same: bool) -> None:
        raw = self.raw_dates.get(item_key(item_id, name))
        text = raw if raw is not None else (date_example(value) if value else "")
        if field_.text() != text and not (same and field_.edit.hasFocus()):
            field_.set_text(text)

    def _show_tracking(self) -> None:
        tracked = self.objective_tracked.isChecked()
        grid = self.objective_form.grid
        for name in ("instrument", "instrument_target", "tracking"):
            for widget in (grid.inputs[name], grid.labels[name]):
                widget.setVisible(tracked)
        if self.tracking is not None and tracked:
            self.objective_tracking.setText(tracking_text(self.tracking, self.names.get(
                self.tracking.target.instrument_id, self.tracking.target.instrument_id)))
        else:
            self.objective_tracking.setText(_("The latest score is compared with the target each time the "
                                              "questionnaire is given."))

    def set_tracking(self, tracking: Tracking | None) -> None:
        """The scores so far of the objective on show (after its target changed)."""
        self.tracking = tracking
        if isinstance(self.node, Objective):
            self._show_tracking()

    def _sync_responsible(self) -> None:
        named = self.responsible.currentData() in (Responsible.TEAM_MEMBER.value, Responsible.FAMILY.value)
        self.responsible_name.setEnabled(named)

    def focus_first(self) -> None:
        """Put the cursor in the chosen item's first field."""
        page = self.stack.currentWidget()
        targets: dict[QWidget, QWidget] = {
            self.about_form: self.about["what_matters"], self.plan_form: self.discharge,
            self.need_form: self.need_words, self.goal_form: self.goal_words,
            self.objective_form: self.objective_step, self.intervention_form: self.action,
        }
        target = targets.get(page)
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def field_widget(self, name: str) -> QWidget | None:
        """The input of a field of the form on show ('title', 'smart', 'what_matters' …)."""
        page = self.stack.currentWidget()
        for form in (self.about_form, self.plan_form, self.need_form, self.goal_form, self.objective_form,
                     self.intervention_form):
            if form is page:
                return form.grid.inputs.get(name)
        return None

    # -- errors --------------------------------------------------------------------------------

    def set_errors(self, problems: dict[str, str]) -> None:
        """Show the sentences for the form on show: keys are field names of that form."""
        for grid in self.grids.values():
            grid.clear_errors()
        page = self.stack.currentWidget()
        grid = next((g for g in self.grids.values() if g.parentWidget() is page), None)
        if grid is None:
            return
        for name, message in problems.items():
            grid.set_error(name, message)

    # -- changes -------------------------------------------------------------------------------

    def _about_changed(self, name: str) -> None:
        if self._loading:
            return
        about = AboutPerson(**{n: box.toPlainText() for n, box in self.about.items()})
        self.about_edited.emit(about, f"about.{name}")

    def _plan_changed(self, name: str) -> None:
        if not self._loading:
            self.plan_edited.emit(f"plan.{name}")

    def _tracked_toggled(self, _on: bool) -> None:
        self._show_tracking()
        self._node_changed("")

    def _instrument_chosen(self) -> None:
        if self._loading:
            return
        higher_better = next((b for i, _n, b in self.instruments if i == self.objective_instrument.currentData()), False)
        _set_combo(self.objective_comparison, Comparison.AT_LEAST.value if higher_better else Comparison.BELOW.value)

    def _date(self, field_: DateField, name: str, old: date | None) -> date | None:
        """The field's date; a text that isn't a date yet is kept as typed and the old value stays."""
        assert self.node is not None
        key = item_key(self.node.id, name)
        text = field_.text().strip()
        if not text:
            self.raw_dates.pop(key, None)
            return None
        try:
            value = parse_date(text)
        except ValueError:
            self.raw_dates[key] = field_.text()
            return old
        self.raw_dates.pop(key, None)
        return value

    def _date_finished(self, field_: DateField, name: str) -> None:
        """Leaving a date field: say so if it can't be read."""
        if self.node is None:
            return
        page_grid = next((g for g in self.grids.values() if g.parentWidget() is self.stack.currentWidget()), None)
        if page_grid is None:
            return
        if item_key(self.node.id, name) in self.raw_dates:
            try:
                parse_date(field_.text())
            except ValueError as exc:
                page_grid.set_error(name, str(exc))
        else:
            page_grid.set_error(name, None)

    def _node_changed(self, key: str) -> None:
        if self._loading or self.node is None:
            return
        node = self._read(self.node)
        self.node = node
        self.node_edited.emit(node, item_key(node.id, key) if key else "")

    def _read(self, node: Node) -> Node:
        if isinstance(node, Need):
            domain = self.need_domain.currentData()
            return replace(node, client_words=self.need_words.text(), domain=LifeDomain(domain) if domain else None,
                           priority=Priority(self.need_priority.currentData()), summary=self.need_summary.toPlainText(),
                           source=NeedSource(self.need_source.currentData()),
                           source_note=self.need_source_note.text())
        if isinstance(node, Goal):
            achievement = self.goal_achievement.currentData()
            return replace(node, client_words=self.goal_words.text(), smart=self.goal_smart.toPlainText(),
                           target_on=self._date(self.goal_target, "target_on", node.target_on),
                           lifecycle=GoalLifecycle(self.goal_lifecycle.currentData()),
                           achievement=GoalAchievement(achievement) if achievement else None)
        if isinstance(node, Objective):
            target = None
            if self.objective_tracked.isChecked() and self.objective_instrument.currentData():
                since = node.instrument.since if node.instrument else None
                target = InstrumentTarget(str(self.objective_instrument.currentData()),
                                          Comparison(self.objective_comparison.currentData()),
                                          self.objective_value.value(), since or self.today())
            return replace(node, step=self.objective_step.text(), measure=self.objective_measure.text(),
                           target=self.objective_target.text(), baseline=self.objective_baseline.text(),
                           target_on=self._date(self.objective_target_on, "target_on", node.target_on),
                           status=ObjectiveStatus(self.objective_status.currentData()), instrument=target)
        assert isinstance(node, Intervention)
        self._sync_responsible()
        modality = self.modality.currentData()
        return replace(node, action=self.action.text(), responsible=Responsible(self.responsible.currentData()),
                       responsible_name=self.responsible_name.text(), frequency=self.frequency.text(),
                       modality=Modality(modality) if modality else None,
                       start_on=self._date(self.action_start, "start_on", node.start_on),
                       end_on=self._date(self.action_end, "end_on", node.end_on),
                       status=InterventionStatus(self.action_status.currentData()))
