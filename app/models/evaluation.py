"""Evaluation (stage 9): is the work working? Pure values and rules, no Qt, no SQL.

Two views of the same question:

* one client's **outcomes** (`ClientOutcomes`): each instrument's score trend tied to the goals
  and objectives that are measured by it, each goal's attainment (GAS −2…+2) over the plan's
  reviews, and plan versus actual for each intervention;
* the **caseload dashboard** (`CaseloadDashboard`): tier distribution, overdue follow-ups,
  average change in PHQ-9 and GAD-7 since intake, goals achieved, post-transition engagement
  within 7 and 30 days, and one row per client.

The services in app/services/evaluation.py fill these from the vault; the reports in
app/reports/outcomes_report.py and caseload_report.py and the evaluation views draw them.
Everything here is a frozen value: build once, share freely, never mutate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.i18n import _
from app.models.care_plan import (
    GoalAchievement,
    GoalLifecycle,
    InstrumentTarget,
    InterventionStatus,
    Modality,
    Responsible,
    ScorePoint,
    TrackState,
)
from app.models.instruments import Band
from app.models.risk import Tier

# The two instruments whose change since intake the caseload dashboard reports.
HEADLINE_INSTRUMENTS = ("phq9", "gad7")
ENGAGEMENT_DAYS = (7, 30)


# -- one client's outcomes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkedObjective:
    """An objective of the care plan measured by the instrument, and the goal it serves.
    `state` is how the objective stands on the latest score in the period (None when the
    objective was not measured in the period)."""

    goal_id: str
    goal_text: str
    objective_id: str
    objective_text: str
    target: InstrumentTarget
    target_on: date | None = None
    state: TrackState | None = None

    @property
    def target_value(self) -> int:
        return self.target.value


@dataclass(frozen=True, slots=True)
class ScoreTrend:
    """One instrument's scores for the client in the period, oldest first.

    `baseline` is the first score in the period (the intake score when the period reaches back
    that far), `latest` the last; `change` is latest − baseline (None with fewer than two
    scores). Whether a change is good depends on `higher_is_better`: `improved` says it.
    `low`/`high` is the score range, `bands` the severity bands (for chart shading), and
    `objectives` the plan's objectives measured by this instrument, each with its goal."""

    instrument_id: str
    short_name: str
    name: str
    points: tuple[ScorePoint, ...]
    low: int
    high: int
    higher_is_better: bool = False
    bands: tuple[Band, ...] = ()  # app.models.instruments.Band: min, max, label (inclusive)
    objectives: tuple[LinkedObjective, ...] = ()
    percent: bool = False  # the points are percentages (WHO-5)

    @property
    def baseline(self) -> ScorePoint | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> ScorePoint | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> int | None:
        if len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[0].value

    @property
    def improved(self) -> bool | None:
        """True when the change goes the good way, False the bad way, None for no change/data."""
        change = self.change
        if not change:
            return None
        return (change > 0) == self.higher_is_better

    def band_of(self, value: int) -> str:
        return next((b.label for b in self.bands if b.min <= value <= b.max), "")


@dataclass(frozen=True, slots=True)
class GoalRating:
    """A goal's attainment at one review: −2 … +2, None when the review did not rate it."""

    review_id: str
    reviewed_on: date
    gas: int | None


@dataclass(frozen=True, slots=True)
class GoalAttainment:
    """A goal of the plan with its status and its rating at each review in the period, oldest
    first. `need_text` is the need it answers."""

    goal_id: str
    text: str
    need_text: str
    lifecycle: GoalLifecycle
    achievement: GoalAchievement | None
    target_on: date | None
    ratings: tuple[GoalRating, ...] = ()

    @property
    def rated(self) -> tuple[GoalRating, ...]:
        return tuple(r for r in self.ratings if r.gas is not None)

    @property
    def latest_gas(self) -> int | None:
        rated = self.rated
        return rated[-1].gas if rated else None

    @property
    def first_gas(self) -> int | None:
        rated = self.rated
        return rated[0].gas if rated else None

    @property
    def achieved(self) -> bool:
        return self.achievement is GoalAchievement.ACHIEVED


@dataclass(frozen=True, slots=True)
class PlannedFrequency:
    """A frequency read from the intervention's "how often" text: `times` per `every_days`
    days ("weekly" = 1 per 7; "twice a month" = 2 per 30); `every_days` 0 for a one-off
    ("once"). None from `parse_frequency` when the text can't be read as a rate ("as needed",
    "when in crisis")."""

    times: int
    every_days: int

    @property
    def one_off(self) -> bool:
        return self.every_days == 0

    def expected(self, days: int) -> float:
        """Contacts expected over `days` days at this rate (a one-off: its times, if days > 0)."""
        if days <= 0:
            return 0.0
        if self.one_off:
            return float(self.times)
        return self.times * days / self.every_days


@dataclass(frozen=True, slots=True)
class PlanActual:
    """Plan versus actual for one intervention over the part of the period it was in force.

    `planned` is the number of contacts the frequency implies over `days_in_force` (None when
    the frequency can't be read as a rate, or when the intervention is the client's or their
    family's to do — `by_case_work` False — so no contact with the case manager is expected);
    `actual` counts the evidence — see
    app.services.evaluation.client_outcomes for exactly what counts; `same_modality` is how
    many of those were made the way the plan says (in person, phone, video, home visit)."""

    intervention_id: str
    action: str
    goal_id: str
    goal_text: str
    objective_text: str
    frequency: str
    modality: Modality | None
    status: InterventionStatus
    responsible: Responsible
    days_in_force: int
    planned: float | None
    actual: int
    same_modality: int = 0
    last_on: date | None = None

    @property
    def by_case_work(self) -> bool:
        """Carried out through contacts by the case manager or a care-team member."""
        return self.responsible in (Responsible.CASE_MANAGER, Responsible.TEAM_MEMBER)

    @property
    def ratio(self) -> float | None:
        """actual / planned (None when nothing planned can be counted)."""
        if self.planned is None or self.planned <= 0:
            return None
        return self.actual / self.planned


@dataclass(frozen=True, slots=True)
class ClientOutcomes:
    """One client's outcomes for the period start..end (inclusive). `plan_id` is the plan the
    goals and interventions come from (the one in force, else the latest signed), None when
    the client has no signed plan. Interventions not in force on any day of the period are left
    out of `plan_vs_actual`."""

    client_id: str
    client_code: str
    start: date
    end: date
    plan_id: str | None
    trends: tuple[ScoreTrend, ...]
    goals: tuple[GoalAttainment, ...]
    review_dates: tuple[date, ...]
    plan_vs_actual: tuple[PlanActual, ...]
    contacts: int = 0  # signed contact notes in the period (attempted contacts left out)
    contacts_with_goals: int = 0  # … of which record the goals they addressed

    @property
    def goals_achieved(self) -> int:
        return sum(1 for g in self.goals if g.achieved)

    def trend(self, instrument_id: str) -> ScoreTrend | None:
        return next((t for t in self.trends if t.instrument_id == instrument_id), None)


# -- the caseload ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """Average change on one instrument since intake over the clients with two or more scores:
    per client, the first score ever (intake) versus the latest score dated in the period.
    `n` clients counted; `mean_change` None when n is 0. Negative is better for PHQ-9/GAD-7."""

    instrument_id: str
    short_name: str
    n: int
    mean_baseline: float | None
    mean_latest: float | None
    mean_change: float | None
    improved: int = 0  # clients whose score went the good way
    worsened: int = 0
    higher_is_better: bool = False


@dataclass(frozen=True, slots=True)
class Engagement:
    """Post-transition engagement: of the transitions of care dated in the period, how many were
    followed within 7 and within 30 days by a check-in reaching the person or a contact (a
    signed note, not attempted nor collateral, or a completed follow-up). `eligible_N` counts
    those engaged plus those whose N days have passed by today; the shares use it (a transition
    last week can't be judged on 30 days yet)."""

    transitions: int
    within_7: int
    within_30: int
    eligible_7: int
    eligible_30: int

    @property
    def share_7(self) -> float | None:
        return self.within_7 / self.eligible_7 if self.eligible_7 else None

    @property
    def share_30(self) -> float | None:
        return self.within_30 / self.eligible_30 if self.eligible_30 else None


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One client on the caseload report. `name` is for the identified view only: a
    de-identified report shows `client_code` and never reads `name`."""

    client_id: str
    client_code: str
    name: str
    tier: Tier | None
    overdue: int
    phq9_change: int | None
    gad7_change: int | None
    goals_achieved: int
    goals_total: int
    goals_achieved_in_period: int = 0


@dataclass(frozen=True, slots=True)
class CaseloadDashboard:
    """The caseload for the period start..end (inclusive), as of `as_of` (today).

    Active clients are those not closed nor archived. `tiers` counts them by current tier (None
    = not stratified yet), in the order Crisis, High, Moderate, Low, None. `overdue` counts the
    follow-up occurrences dated in the period, still scheduled, whose day had passed by `as_of`;
    `clients_overdue` the clients with one or more. `goals_achieved` / `goals_total` count the
    goals (not cancelled) of each client's latest signed version (not revoked) signed by the end
    of the period; `goals_achieved_in_period` those of them that became "achieved" in a version
    signed in the period (not achieved in the version in force when the period began).
    `changes` holds PHQ-9 then GAD-7. `rows` is ordered by tier (most urgent first), then
    client code."""

    start: date
    end: date
    as_of: date
    active_clients: int
    tiers: tuple[tuple[Tier | None, int], ...]
    overdue: int
    clients_overdue: int
    changes: tuple[ScoreChange, ...]
    goals_achieved: int
    goals_achieved_in_period: int
    goals_total: int
    engagement: Engagement
    rows: tuple[CaseloadRow, ...]

    def tier_count(self, tier: Tier | None) -> int:
        return next((n for t, n in self.tiers if t is tier), 0)

    def change(self, instrument_id: str) -> ScoreChange | None:
        return next((c for c in self.changes if c.instrument_id == instrument_id), None)


# -- rules -----------------------------------------------------------------------------------------

_WORD_TIMES = {"once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
               "six": 6, "seven": 7}
_UNIT_DAYS = {"day": 1, "daily": 1, "week": 7, "weekly": 7, "fortnight": 14, "fortnightly": 14,
              "month": 30, "monthly": 30, "quarter": 91, "quarterly": 91, "year": 365, "yearly": 365,
              "annually": 365}
_EVERY = re.compile(r"every\s+(?:(\d+|other|two|three|four|six)\s+)?(day|week|fortnight|month|quarter|year)s?")
_TIMES = re.compile(r"(\d+|once|twice|thrice|one|two|three|four|five|six|seven)\s*(?:x|times?)?\s*"
                    r"(?:a|an|per|each|every|/)\s*(day|week|fortnight|month|quarter|year)")
_ADJ = re.compile(r"\b(daily|weekly|fortnightly|biweekly|monthly|quarterly|yearly|annually)\b")


_ONCE = re.compile(r"(once|one time|one-off|one off|twice)(?: only)?\.?")


def parse_frequency(text: str) -> PlannedFrequency | None:
    """The rate a "how often" text states, or None: "weekly", "every 2 weeks", "twice a month",
    "3 times per week", "3x/week", "fortnightly", "monthly", "daily", "once" (a one-off). English only: other
    wording (and "as needed") is not counted as planned contacts."""
    t = " ".join(text.lower().split())
    if not t:
        return None
    m = _TIMES.search(t)
    if m:
        raw = m.group(1)
        times = int(raw) if raw.isdigit() else _WORD_TIMES[raw]
        return PlannedFrequency(times, _UNIT_DAYS[m.group(2)]) if times > 0 else None
    m = _EVERY.search(t)
    if m:
        raw = m.group(1)
        mult = 1 if raw is None else 2 if raw == "other" else int(raw) if raw.isdigit() else _WORD_TIMES[raw]
        return PlannedFrequency(1, mult * _UNIT_DAYS[m.group(2)]) if mult > 0 else None
    m = _ADJ.search(t)
    if m:
        word = m.group(1)
        return PlannedFrequency(1, 14) if word == "biweekly" else PlannedFrequency(1, _UNIT_DAYS[word])
    m = _ONCE.fullmatch(t)
    if m:
        return PlannedFrequency(1 if m.group(1) in ("once", "one time", "one-off", "one off") else 2, 0)
    return None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def tier_order() -> tuple[Tier | None, ...]:
    """Most urgent first, then clients not stratified yet."""
    return (Tier.CRISIS, Tier.HIGH, Tier.MODERATE, Tier.LOW, None)


def tier_label(tier: Tier | None) -> str:
    return tier.label if tier is not None else _("Not stratified")
