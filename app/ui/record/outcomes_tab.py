"""The Outcomes tab (stage 9, evaluation): is the work working for this client?

For the chosen period: each instrument's score trend (the same chart as Trends) with the goals
and objectives it measures and how each stands; the goal attainment scale (−2 … +2) at each
review, in words as well as numbers; and plan versus actual for each intervention. "Report…"
asks for the outcomes report (`report_requested("outcomes")`; the record connects it).

The figures come from `app.services.evaluation.client_outcomes`; see ClientOutcomes for what
each one counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_number, ngettext
from app.models.evaluation import (
    ClientOutcomes,
    GoalAttainment,
    LinkedObjective,
    PlanActual,
    ScoreTrend,
)
from app.services import instruments
from app.services.errors import ValidationError
from app.services.session import Session
from app.ui import theme
from app.ui.pages.caseload import PeriodPicker, Preset, period_text
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, link_button, muted_label
from app.ui.widgets.score_chart import ChartPoint, Scale, ScoreChart, change_sentence, scale_for

MAX_REVIEW_COLUMNS = 6  # the latest reviews shown side by side; older ones stay in the report


def outcome_presets() -> list[Preset]:
    return [
        ("90", _("Last 90 days"), lambda t: (t - timedelta(days=90), t)),
        ("182", _("Last 6 months"), lambda t: (t - timedelta(days=182), t)),
        ("365", _("Last 12 months"), lambda t: (t - timedelta(days=365), t)),
        ("730", _("Last 2 years"), lambda t: (t - timedelta(days=730), t)),
    ]


def gas_text(gas: int | None) -> str:
    """A goal-attainment rating in words as well as its number: "+1 (more than expected)"."""
    if gas is None:
        return _("not rated")
    words = {-2: _("much less than expected"), -1: _("less than expected"), 0: _("as expected"),
             1: _("more than expected"), 2: _("much more than expected")}[gas]
    number = "0" if gas == 0 else ("+" if gas > 0 else "−") + str(abs(gas))
    return _("{number} ({words})").format(number=number, words=words)


def gas_short(gas: int | None) -> str:
    """The rating for a narrow column: "+1 more", "0 as expected", "−2 much less"."""
    if gas is None:
        return _("not rated")
    words = {-2: _("much less"), -1: _("less"), 0: _("as expected"), 1: _("more"), 2: _("much more")}[gas]
    number = "0" if gas == 0 else ("+" if gas > 0 else "−") + str(abs(gas))
    return _("{number} {words}").format(number=number, words=words)


def gas_change_text(goal: GoalAttainment) -> str:
    rated = goal.rated
    if len(rated) < 2:
        return "—"
    first, latest = rated[0].gas or 0, rated[-1].gas or 0
    diff = latest - first
    if diff == 0:
        return _("no change")
    amount = ("+" if diff > 0 else "−") + str(abs(diff))
    return _("{amount} (better)").format(amount=amount) if diff > 0 else _("{amount} (worse)").format(amount=amount)


def objective_text(link: LinkedObjective, short_name: str) -> str:
    target = link.target.describe(short_name)
    if link.target_on is not None:
        target = _("{target} by {date}").format(target=target, date=format_date(link.target_on))
    state = link.state.label if link.state is not None else _("not measured in this period")
    return _("Goal: {goal}\nObjective: {objective} — target {target} · {state}").format(
        goal=link.goal_text, objective=link.objective_text, target=target, state=state)


def _fit_height(table: QTableWidget) -> None:
    """Show every row (the tab scrolls, not the table)."""
    table.resizeRowsToContents()
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 4
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(height)


def _table(headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(True)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip or text)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, tooltip or text)
    return item


class TrendCard(Card):
    """One instrument: its name, the change in words, the chart, and the objectives it measures."""

    def __init__(self, trend: ScoreTrend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend = trend
        instrument = instruments.catalog().get(trend.instrument_id)
        scale = scale_for(instrument) if instrument is not None else Scale(
            trend.low, trend.high, (), trend.higher_is_better, "", percent=trend.percent)
        head = QHBoxLayout()
        self.title = QLabel(trend.short_name)
        self.title.setFont(theme.scaled_font(self, 1.15, bold=True))
        head.addWidget(self.title)
        name = muted_label(trend.name)
        name.setWordWrap(False)
        head.addWidget(name, 1)
        self.body.addLayout(head)
        self.change = muted_label(self._change_text(scale))
        self.body.addWidget(self.change)
        self.chart = ScoreChart()
        self.chart.setMinimumHeight(190)
        self.chart.setMaximumHeight(240)
        points = [ChartPoint(p.on, p.value, trend.band_of(p.value)) for p in trend.points]
        self.chart.set_series(trend.short_name, scale, points)
        self.body.addWidget(self.chart)
        if trend.objectives:
            for link in trend.objectives:
                label = QLabel(objective_text(link, trend.short_name))
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setAccessibleName(label.text())
                self.body.addWidget(label)
        else:
            self.body.addWidget(muted_label(_("Not tied to a goal of the care plan. Add an objective measured by "
                                              "{instrument} to follow it against a target.").format(
                instrument=trend.short_name)))
        self.setAccessibleName(_("{instrument} trend").format(instrument=trend.short_name))
        self.setAccessibleDescription(self.chart.summary)

    def _change_text(self, scale: Scale) -> str:
        t = self.trend
        if not t.points:
            return _("No score in this period. Record a {instrument} in Screening to see the trend.").format(
                instrument=t.short_name)
        first, latest = t.points[0], t.points[-1]
        if len(t.points) == 1:
            return _("One score in this period: {score} on {date}.").format(
                score=self._with_band(scale, latest.value), date=format_date(latest.on))
        return _("{first} on {start} → {latest} on {end}: {change}.").format(
            first=self._with_band(scale, first.value), start=format_date(first.on),
            latest=self._with_band(scale, latest.value), end=format_date(latest.on),
            change=change_sentence(scale, first.value, latest.value))

    def _with_band(self, scale: Scale, value: int) -> str:
        band = self.trend.band_of(value)
        shown = scale.text(value)
        return _("{score} ({band})").format(score=shown, band=band) if band else shown


class OutcomesTab(RecordTab):
    report_requested = Signal(str)  # a report kind: "outcomes" (the record connects it)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.outcomes: ClientOutcomes | None = None
        self.trend_cards: list[TrendCard] = []

        bar = QHBoxLayout()
        bar.setSpacing(SPACING * 2)
        self.period = PeriodPicker(outcome_presets(), "365", lambda: self.session.clock.today())
        self.period.changed.connect(self.refresh)
        bar.addWidget(self.period, 1)
        self.report_button = QPushButton(_("Report…"))
        self.report_button.setIcon(theme.icon("mdi6.file-chart-outline"))
        self.report_button.setAccessibleName(_("Make the outcomes report"))
        self.report_button.setToolTip(_("Make the outcomes report for this client: preview, save or print"))
        self.report_button.setAutoDefault(False)
        self.report_button.clicked.connect(lambda: self.report_requested.emit("outcomes"))
        bar.addWidget(self.report_button)
        self.layout_.addLayout(bar)
        self.period_label = muted_label("")
        self.layout_.addWidget(self.period_label)
        self.error = Banner("error")
        self.layout_.addWidget(self.error)

        self.stack = QStackedWidget()
        self.scroll = QScrollArea()
        self.scroll.setAccessibleName(_("Outcomes"))
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, SPACING, 0)
        content.setSpacing(SPACING)

        content.addWidget(self._heading(_("Score trends and the goals they measure")))
        self.trends_box = QWidget()
        self.trends_grid = QGridLayout(self.trends_box)
        self.trends_grid.setContentsMargins(0, 0, 0, 0)
        self.trends_grid.setSpacing(SPACING * 2)
        content.addWidget(self.trends_box)
        self.no_trends = muted_label(_("No scores in this period. Record a PHQ-9, GAD-7 or another measure in "
                                       "Screening, and tie it to a goal with an objective in the care plan."))
        self.screening_link = link_button(_("Go to Screening"))
        self.screening_link.clicked.connect(lambda: self.navigate.emit("screening"))
        content.addWidget(self.no_trends)
        content.addWidget(self.screening_link)

        content.addSpacing(SPACING)
        content.addWidget(self._heading(_("Goal attainment over reviews")))
        content.addWidget(muted_label(_(
            "Goal attainment scale at each plan review: −2 much less than expected, −1 less, 0 as expected, "
            "+1 more, +2 much more than expected.")))
        self.goals_table = _table([_("Goal"), _("Status")], _("Goal attainment over reviews"))
        content.addWidget(self.goals_table)
        self.no_goals = muted_label("")
        content.addWidget(self.no_goals)
        self.plan_link = link_button(_("Go to the care plan"))
        self.plan_link.clicked.connect(lambda: self.navigate.emit("care_plan"))
        content.addWidget(self.plan_link)

        content.addSpacing(SPACING)
        content.addWidget(self._heading(_("Plan versus actual")))
        content.addWidget(muted_label(_(
            "Contacts the care plan's interventions planned over the period, against the signed notes that "
            "addressed their goal and completed follow-ups linked to their objective.")))
        self.plan_table = _table([_("Intervention"), _("Goal"), _("How often"), _("Planned"), _("Actual"),
                                  _("As planned (way)"), _("Last")], _("Plan versus actual"))
        content.addWidget(self.plan_table)
        self.no_plan = muted_label(_("No interventions in the care plan in force. Add interventions with how often "
                                     "they happen (e.g. “weekly”) to compare the plan with what was done."))
        content.addWidget(self.no_plan)
        content.addStretch(1)
        self.scroll.setWidget(self.content)
        self.stack.addWidget(self.scroll)

        actions = QWidget()
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        self.empty_screening = QPushButton(_("Record a screen"))
        self.empty_screening.clicked.connect(lambda: self.navigate.emit("screening"))
        self.empty_plan = QPushButton(_("Open the care plan"))
        self.empty_plan.clicked.connect(lambda: self.navigate.emit("care_plan"))
        row.addWidget(self.empty_screening)
        row.addWidget(self.empty_plan)
        self.empty = EmptyState(
            _("No outcomes to show yet"),
            _("Outcomes appear here once scores are recorded (for example a PHQ-9 or GAD-7 in Screening) and "
              "the care plan is signed with goals — objectives measured by an instrument tie a score to a goal — "
              "and its reviews rate each goal from −2 to +2. Try a longer period if there is older work."))
        self.empty.layout().insertWidget(self.empty.layout().count() - 1, actions, 0,
                                         Qt.AlignmentFlag.AlignHCenter)
        self.empty.text.setMaximumWidth(640)
        self.empty.layout().setAlignment(self.empty.text, Qt.AlignmentFlag.AlignHCenter)
        self.stack.addWidget(self.empty)
        self.layout_.addWidget(self.stack, 1)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(theme.scaled_font(label, 1.15, bold=True))
        label.setAccessibleName(text)
        return label

    # -- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.client is None:
            return
        from app.services.evaluation import client_outcomes

        start, end = self.period.period()
        try:
            outcomes = client_outcomes(self.session, self.client.id, start, end)
        except ValidationError as exc:
            self.period.show_error(exc.problems.get("start", str(exc)))
            return
        self.error.setVisible(False)
        self.show_outcomes(outcomes)

    def show_outcomes(self, o: ClientOutcomes) -> None:
        self.outcomes = o
        self.period_label.setText(_("{period} · {trends} · {goals} · {reviews}").format(
            period=period_text(o.start, o.end),
            trends=ngettext("{n} measure", "{n} measures", len(o.trends)).format(n=len(o.trends)),
            goals=ngettext("{n} goal", "{n} goals", len(o.goals)).format(n=len(o.goals)),
            reviews=ngettext("{n} review", "{n} reviews", len(o.review_dates)).format(n=len(o.review_dates))))
        if not o.trends and not o.goals and not o.plan_vs_actual:
            self.stack.setCurrentWidget(self.empty)
            self._clear_trends()
            return
        self.stack.setCurrentWidget(self.scroll)
        self._show_trends(o.trends)
        self._show_goals(o)
        self._show_plan(o.plan_vs_actual)

    def _clear_trends(self) -> None:
        for card in self.trend_cards:
            self.trends_grid.removeWidget(card)
            card.deleteLater()
        self.trend_cards = []

    def _show_trends(self, trends: Sequence[ScoreTrend]) -> None:
        self._clear_trends()
        for i, trend in enumerate(trends):
            card = TrendCard(trend)
            self.trends_grid.addWidget(card, i // 2, i % 2)
            self.trend_cards.append(card)
        for column in (0, 1):
            self.trends_grid.setColumnStretch(column, 1)
        self.trends_box.setVisible(bool(trends))
        self.no_trends.setVisible(not trends)
        self.screening_link.setVisible(not trends)

    def _show_goals(self, o: ClientOutcomes) -> None:
        table = self.goals_table
        reviews = list(o.review_dates)[-MAX_REVIEW_COLUMNS:]
        skipped = len(o.review_dates) - len(reviews)
        headers = [_("Goal"), _("Status")]
        headers += [_("Review\n{date}").format(date=format_date(d, "short")) for d in reviews]
        headers.append(_("Change"))
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(o.goals))
        colours = theme.colors()
        for row, goal in enumerate(o.goals):
            status = goal.lifecycle.label
            if goal.achievement is not None:
                status = _("{lifecycle} · {achievement}").format(lifecycle=status, achievement=goal.achievement.label)
            if goal.target_on is not None:
                status += "\n" + _("target {date}").format(date=format_date(goal.target_on))
            table.setItem(row, 0, _item(goal.text, _("{goal} (need: {need})").format(goal=goal.text, need=goal.need_text)
                                        if goal.need_text else goal.text))
            table.setItem(row, 1, _item(status))
            ratings = list(goal.ratings)[-len(reviews):] if reviews else []
            for col, rating in enumerate(ratings, start=2):
                item = _item(gas_short(rating.gas), _("Review of {date}: {rating}").format(
                    date=format_date(rating.reviewed_on), rating=gas_text(rating.gas)))
                if rating.gas is not None and rating.gas != 0:
                    item.setBackground(QColor(colours.info_bg if rating.gas > 0 else colours.warning_bg))
                table.setItem(row, col, item)
            table.setItem(row, len(headers) - 1, _item(gas_change_text(goal)))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(headers)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        _fit_height(table)
        table.setVisible(bool(o.goals))
        if not o.goals:
            self.no_goals.setText(_("No signed care plan with goals yet. Goals and their ratings at each review "
                                    "appear here once the plan is signed and reviewed."))
        elif not o.review_dates:
            self.no_goals.setText(_("No plan review in this period. Record a review in the Care plan tab to rate "
                                    "each goal from −2 to +2, or choose a longer period."))
        elif skipped:
            self.no_goals.setText(ngettext("{n} older review is left out here; the outcomes report lists it.",
                                           "{n} older reviews are left out here; the outcomes report lists them.",
                                           skipped).format(n=skipped))
        else:
            self.no_goals.setText("")
        self.no_goals.setVisible(bool(self.no_goals.text()))
        self.plan_link.setVisible(not o.goals or not o.review_dates)

    def _show_plan(self, rows: Sequence[PlanActual]) -> None:
        table = self.plan_table
        table.setRowCount(len(rows))
        for row, p in enumerate(rows):
            if p.planned is None:
                planned = _("not a rate")
                planned_tip = _("“{text}” can't be counted as planned contacts.").format(text=p.frequency or "—")
            else:
                planned = _("≈ {n}").format(n=format_number(round(p.planned, 1)))
                planned_tip = ngettext("{n} day in force in the period", "{n} days in force in the period",
                                       p.days_in_force).format(n=p.days_in_force)
            actual = format_number(p.actual)
            if p.ratio is not None:
                actual = _("{n} ({percent} % of plan)").format(n=actual, percent=format_number(round(p.ratio * 100)))
            if p.modality is not None:
                way = _("{n} of {total} {modality}").format(n=p.same_modality, total=p.actual,
                                                           modality=p.modality.label.lower())
            else:
                way = "—"
            cells = [
                _item(p.action, _("{action} ({status})").format(action=p.action, status=p.status.label)),
                _item(p.goal_text, _("{goal} — {objective}").format(goal=p.goal_text, objective=p.objective_text)),
                _item(p.frequency or "—"),
                _item(planned, planned_tip),
                _item(actual),
                _item(way),
                _item(format_date(p.last_on, "short") if p.last_on else "—"),
            ]
            for col, item in enumerate(cells):
                table.setItem(row, col, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in range(2, table.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        _fit_height(table)
        table.setVisible(bool(rows))
        self.no_plan.setVisible(not rows)

    def clear(self) -> None:
        self.outcomes = None
        self._clear_trends()
        self.goals_table.setRowCount(0)
        self.plan_table.setRowCount(0)
        self.period_label.setText("")
        super().clear()

