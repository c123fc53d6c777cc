"""Evaluation (stage 9): one client's outcomes and the caseload dashboard, read from the vault
through the session's services (no Qt), plus the catalogue builders of the outcomes and
caseload reports (see app.services.reporting.KINDS).

Reading only: nothing here writes to the vault or the audit trail (exporting a report is
recorded by app.services.report_export). The caseload reads every client at once through
app.store.evaluation_repo (a few queries in all), so 2,000 clients stay quick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.care_plan import (
    CarePlan,
    Goal,
    GoalLifecycle,
    InterventionStatus,
    Modality,
    Objective,
    PlanDocument,
    PlanStatus,
    Responsible,
    ScorePoint,
    short,
    track,
)
from app.models.client import Stage
from app.models.evaluation import (
    ENGAGEMENT_DAYS,
    HEADLINE_INSTRUMENTS,
    CaseloadDashboard,
    CaseloadRow,
    ClientOutcomes,
    Engagement,
    GoalAttainment,
    GoalRating,
    LinkedObjective,
    PlanActual,
    ScoreChange,
    ScoreTrend,
    mean,
    parse_frequency,
    tier_order,
)
from app.models.follow_ups import Status
from app.models.notes import ContactType, Note
from app.models.risk import Tier
from app.reports.engine import Letterhead
from app.services import instruments
from app.services.errors import ValidationError
from app.store.evaluation_repo import EvaluationRepository, PlanRow

if TYPE_CHECKING:
    from app.services.reporting import Progress, ReportRequest
    from app.services.session import Session

DEFAULT_PERIOD_DAYS = 90
_FIRST = ("phq9", "gad7")
# How each planned modality shows in a contact note's type.
_MODALITY_CONTACT: dict[Modality, frozenset[ContactType]] = {
    Modality.IN_PERSON: frozenset({ContactType.OFFICE, ContactType.HOME_VISIT}),
    Modality.PHONE: frozenset({ContactType.PHONE}),
    Modality.VIDEO: frozenset({ContactType.TELEHEALTH}),
    Modality.HOME_VISIT: frozenset({ContactType.HOME_VISIT}),
}


def period(session: Session, start: date | None = None, end: date | None = None,
           days: int = DEFAULT_PERIOD_DAYS) -> tuple[date, date]:
    """The period start..end (inclusive): `end` defaults to today, `start` to `days` before end.
    ValidationError({'start': …}) when start comes after end."""
    end = end or session.clock.today()
    start = start or end - timedelta(days=days)
    if start > end:
        message = _("The period starts after it ends. Put the start date first.")
        raise ValidationError({"start": message}, message)
    return start, end


# -- one client ------------------------------------------------------------------------------------


def _plan_for(session: Session, client_id: str, end: date) -> CarePlan | None:
    """The plan in force (when signed by `end`), else the latest signed version (not revoked)
    signed by `end`."""
    current = session.care_plans.current(client_id)
    if current is not None and (current.activated_at is None or current.activated_at.date() <= end):
        return current
    for plan in session.care_plans.versions(client_id):  # newest first
        if plan.status is PlanStatus.REVOKED or plan.activated_at is None:
            continue
        if plan.activated_at.date() <= end:
            return plan
    return None


def _goal_text(goal: Goal) -> str:
    return short(goal.client_words or goal.smart, 90) or _("(goal without words yet)")


def _objective_text(objective: Objective) -> str:
    return short(objective.step or objective.measure, 90) or _("(step not written yet)")


def _where(doc: PlanDocument) -> tuple[dict[str, tuple[Goal, str]], dict[str, tuple[Goal, Objective]]]:
    """Each goal with its need's words; each intervention id with its goal and objective."""
    goals: dict[str, tuple[Goal, str]] = {}
    interventions: dict[str, tuple[Goal, Objective]] = {}
    for need in doc.needs:
        need_text = short(need.client_words or need.summary or (need.domain.label if need.domain else ""), 90)
        for goal in need.goals:
            goals[goal.id] = (goal, need_text)
            for objective in goal.objectives:
                for intervention in objective.interventions:
                    interventions[intervention.id] = (goal, objective)
    return goals, interventions


def _trends(session: Session, client_id: str, start: date, end: date, today: date,
            doc: PlanDocument | None) -> tuple[ScoreTrend, ...]:
    catalog = instruments.catalog()
    history: dict[str, list[ScorePoint]] = defaultdict(list)
    for admin in session.screening.history(client_id):
        instrument = catalog.get(admin.instrument_id)
        if instrument is None or instrument.method != "sum" or not admin.valid:
            continue
        value = admin.percent if instrument.bands_on == "percent" else admin.total
        if value is not None:
            history[admin.instrument_id].append(ScorePoint(admin.administered_on, value))
    linked: dict[str, list[LinkedObjective]] = defaultdict(list)
    if doc is not None:
        for goal in doc.goals():
            if goal.lifecycle is GoalLifecycle.CANCELLED:
                continue
            for objective in goal.objectives:
                target = objective.instrument
                if target is None:
                    continue
                upto = [p for p in history.get(target.instrument_id, []) if p.on <= end]
                state = track(target, upto, min(end, today), objective.target_on).state if upto else None
                linked[target.instrument_id].append(LinkedObjective(
                    goal.id, _goal_text(goal), objective.id, _objective_text(objective), target,
                    objective.target_on, state))
    wanted = {i for i, pts in history.items() if any(start <= p.on <= end for p in pts)} | set(linked)
    order = [i for i in _FIRST if i in wanted] + sorted(i for i in wanted if i not in _FIRST)
    trends = []
    for instrument_id in order:
        instrument = catalog.get(instrument_id)
        if instrument is None:
            continue
        percent = instrument.bands_on == "percent"
        low, high = (0, 100) if percent else instrument.range or (0, 1)
        points = tuple(sorted((p for p in history.get(instrument_id, []) if start <= p.on <= end),
                              key=lambda p: p.on))
        trends.append(ScoreTrend(instrument_id, instrument.short_name, instrument.name, points, low, high,
                                 instrument.higher_is_better, tuple(instrument.bands),
                                 tuple(linked.get(instrument_id, ())), percent))
    return tuple(trends)


def _attainment(session: Session, client_id: str, start: date, end: date,
                doc: PlanDocument | None) -> tuple[tuple[GoalAttainment, ...], tuple[date, ...]]:
    if doc is None:
        return (), ()
    reviews = sorted((r for r in session.care_plans.reviews(client_id) if start <= r.reviewed_on <= end),
                     key=lambda r: (r.reviewed_on, r.created_at or datetime.min))
    goals, _interventions = _where(doc)
    found = []
    for goal, need_text in goals.values():
        if goal.lifecycle is GoalLifecycle.CANCELLED:
            continue
        ratings = tuple(GoalRating(r.id, r.reviewed_on, r.gas(goal.id)) for r in reviews)
        found.append(GoalAttainment(goal.id, _goal_text(goal), need_text, goal.lifecycle, goal.achievement,
                                    goal.target_on, ratings))
    return tuple(found), tuple(r.reviewed_on for r in reviews)


def _plan_vs_actual(session: Session, client_id: str, start: date, end: date,
                    plan: CarePlan | None, notes: Sequence[Note]) -> tuple[PlanActual, ...]:
    """Per intervention in force in the period (see client_outcomes); `notes` are the client's
    signed, non-attempted contact notes dated in the period."""
    if plan is None:
        return ()
    doc = plan.document
    _goals, where = _where(doc)
    completed = [o for o in session.follow_ups.occurrences(start, end, client_id)
                 if o.status is Status.COMPLETED and o.link_type == "objective"]
    found = []
    for intervention in doc.interventions():
        if intervention.status is InterventionStatus.CANCELLED or intervention.id not in where:
            continue
        goal, objective = where[intervention.id]
        first = max(start, intervention.start_on or plan.start_on or start)
        last = min(end, intervention.end_on or end)
        days = (last - first).days + 1 if last >= first else 0
        if not days:
            continue
        rate = parse_frequency(intervention.frequency)
        by_case_work = intervention.responsible in (Responsible.CASE_MANAGER, Responsible.TEAM_MEMBER)
        planned = round(rate.expected(days), 1) if rate is not None and by_case_work else None
        counted: dict[date, ContactType] = {}
        for note in notes:
            on = note.fields.contact_on
            if first <= on <= last and goal.id in note.fields.goal_ids:
                counted.setdefault(on, note.fields.kind)
                if intervention.modality is not None and note.fields.kind in _MODALITY_CONTACT[intervention.modality]:
                    counted[on] = note.fields.kind
        actual = len(counted)
        same = sum(1 for k in counted.values()
                   if intervention.modality is not None and k in _MODALITY_CONTACT[intervention.modality])
        for occ in completed:
            if occ.link_id == objective.id and first <= occ.on <= last and occ.on not in counted:
                counted[occ.on] = occ.kind.contact_type
                actual += 1
                if intervention.modality is not None and occ.kind.contact_type in _MODALITY_CONTACT[intervention.modality]:
                    same += 1
        found.append(PlanActual(
            intervention.id, short(intervention.action, 90) or _("(action not written yet)"), goal.id,
            _goal_text(goal), _objective_text(objective), intervention.frequency, intervention.modality,
            intervention.status, intervention.responsible, days, planned, actual, same, max(counted) if counted else None))
    return tuple(found)


def client_outcomes(session: Session, client_id: str, start: date | None = None,
                    end: date | None = None) -> ClientOutcomes:
    """One client's outcomes over start..end (default: the last 90 days to today).

    * Trends: every instrument with a total score that the client has scores for in the period,
      or that an objective of the plan is measured by; points in the period, oldest first;
      each tied to the objectives (and their goals) measured by it, with how the objective stands
      on the latest score up to the end of the period.
    * Goal attainment: the goals of the plan in force (else the latest signed version — either
      signed by the end of the period; cancelled goals left out), with their lifecycle and achievement status and their GAS rating at each
      review of the client dated in the period.
    * Plan versus actual, per intervention of that plan (cancelled ones left out), over the days
      of the period it was in force (from its start date, else the plan's start, to its end
      date; interventions not in force in the period are left out): planned = the contacts its
      "how often" implies (None when that text is not a rate, or when the intervention is the
      client's or their family's to carry out); actual = the days in those bounds with a **signed** contact note (not an attempted
      contact) that records addressing the intervention's goal (the note's "goals addressed"),
      plus the days with a **completed** follow-up linked to the intervention's objective and no
      such note — at most one contact a day. Drafts, missed and cancelled follow-ups are not
      evidence. `same_modality` counts those made the way the intervention says (in person =
      office or home visit; video = telehealth).

    NotFound for an unknown client; ValidationError when start comes after end."""
    client = session.clients.get(client_id)
    start, end = period(session, start, end)
    today = session.clock.today()
    plan = _plan_for(session, client_id, end)
    doc = plan.document if plan is not None else None
    goals, review_dates = _attainment(session, client_id, start, end, doc)
    notes = [n for n in session.notes.notes(client_id)
             if n.counts and start <= n.fields.contact_on <= end and n.fields.kind is not ContactType.ATTEMPTED]
    return ClientOutcomes(
        client_id=client.id, client_code=client.client_code, start=start, end=end,
        plan_id=plan.id if plan is not None else None,
        trends=_trends(session, client_id, start, end, today, doc),
        goals=goals, review_dates=review_dates,
        plan_vs_actual=_plan_vs_actual(session, client_id, start, end, plan, notes),
        contacts=len(notes), contacts_with_goals=sum(1 for n in notes if n.fields.goal_ids),
    )


# -- the caseload ----------------------------------------------------------------------------------


def _goals(plans: Sequence[PlanRow], start: date, states: dict[str, dict[str, bool]]) -> tuple[int, int, int]:
    """(achieved, total, achieved in the period) from one client's signed versions, oldest first,
    and each version's goal states (goal id → achieved)."""
    if not plans:
        return 0, 0, 0
    at_end, before = _versions(plans, start)
    goals = states.get(at_end.id, {})
    achieved = sum(goals.values())
    if before is not None and before.id == at_end.id:
        return achieved, len(goals), 0
    earlier = states.get(before.id, {}) if before is not None else {}
    in_period = sum(1 for goal_id, done in goals.items() if done and not earlier.get(goal_id, False))
    return achieved, len(goals), in_period


def _versions(plans: Sequence[PlanRow], start: date) -> tuple[PlanRow, PlanRow | None]:
    """The version in force at the end of the period (the last signed by then) and the one in
    force when the period started (the last signed before it), if any."""
    return plans[-1], next((p for p in reversed(plans) if p.activated_on < start), None)


def _changes(scores: Iterable[tuple[str, str, date, int]], start: date, end: date,
             clients: set[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(client, instrument) → (intake score, latest score in the period), where both exist and
    the latest is a later administration than the intake one."""
    series: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
    for client_id, instrument_id, on, total in scores:
        if client_id in clients:
            series[(client_id, instrument_id)].append((on, total))
    found = {}
    for key, points in series.items():
        latest = next((i for i in range(len(points) - 1, 0, -1) if start <= points[i][0] <= end), None)
        if latest is not None:
            found[key] = (points[0][1], points[latest][1])
    return found


def _engagement(repo: EvaluationRepository, start: date, end: date, today: date) -> Engagement:
    rows = repo.transitions(start, end)
    within = {n: 0 for n in ENGAGEMENT_DAYS}
    eligible = {n: 0 for n in ENGAGEMENT_DAYS}
    for t in rows:
        evidence = [d for d in (t.check_in_on, t.note_on, t.follow_up_on) if d is not None]
        first = min(evidence) if evidence else None
        for n in ENGAGEMENT_DAYS:
            engaged = first is not None and (first - t.on).days <= n
            if engaged:
                within[n] += 1
            if engaged or t.on + timedelta(days=n) < today:
                eligible[n] += 1
    return Engagement(len(rows), within[7], within[30], eligible[7], eligible[30])


def caseload_dashboard(session: Session, start: date, end: date,
                       progress: Progress | None = None) -> CaseloadDashboard:
    """The caseload over start..end (inclusive) as of today: see CaseloadDashboard for what
    each figure counts. Reads in bulk (a few queries in all, not per client); `progress(done,
    total)` is called once per active client, done rising to total (and once with (0, total)
    before the first).

    Active clients: not archived, stage not closed; every figure but engagement is over them.
    Overdue: follow-up occurrences dated in the period, still scheduled, whose day has passed.
    PHQ-9/GAD-7 change since intake: per client, the first valid score ever versus the latest
    valid score dated in the period (clients with no later score in the period are not counted).
    Post-transition engagement: transitions of care (not case closures) dated in the period, of
    any client; engaged within N days when a check-in done with the person reached, a signed
    contact note (not attempted nor collateral) or a completed follow-up falls 1…N days after
    the transition date. A transition whose N days have not passed yet counts in the share only
    once engaged."""
    start, end = period(session, start, end)
    today = session.clock.today()
    repo = EvaluationRepository(session.connection)
    roster = [r for r in session.clients.roster() if r.stage is not Stage.CLOSED]
    ids = {r.id for r in roster}
    total = len(roster)
    if progress is not None:
        progress(0, total)

    overdue_by: dict[str, int] = defaultdict(int)
    last_day = min(end, today - timedelta(days=1))
    if last_day >= start:
        for occ in session.follow_ups.scheduled(start, last_day):
            if occ.client_id in ids and occ.overdue(today):
                overdue_by[occ.client_id] += 1

    changes = _changes(repo.scores(HEADLINE_INSTRUMENTS), start, end, ids)
    plans: dict[str, list[PlanRow]] = defaultdict(list)
    for plan in repo.signed_plans(end):
        if plan.client_id in ids:
            plans[plan.client_id].append(plan)
    wanted = [p.id for versions in plans.values() for p in _versions(versions, start) if p is not None]
    states = repo.goal_states(wanted)

    rows = []
    tier_counts: dict[Tier | None, int] = dict.fromkeys(tier_order(), 0)
    achieved_all = total_goals = achieved_period = 0
    for done, client in enumerate(roster, start=1):
        tier_counts[client.tier] = tier_counts.get(client.tier, 0) + 1
        achieved, goals_total, in_period = _goals(plans.get(client.id, ()), start, states)
        achieved_all += achieved
        total_goals += goals_total
        achieved_period += in_period
        phq = changes.get((client.id, "phq9"))
        gad = changes.get((client.id, "gad7"))
        name = f"{client.preferred_name or client.first_name} {client.last_name}".strip()
        rows.append(CaseloadRow(client.id, client.client_code, name, client.tier, overdue_by.get(client.id, 0),
                                phq[1] - phq[0] if phq else None, gad[1] - gad[0] if gad else None,
                                achieved, goals_total, in_period))
        if progress is not None:
            progress(done, total)

    catalog = instruments.catalog()
    score_changes = []
    for instrument_id in HEADLINE_INSTRUMENTS:
        pairs = [v for (c, i), v in changes.items() if i == instrument_id]
        instrument = catalog.get(instrument_id)
        better_up = instrument.higher_is_better if instrument else False
        deltas = [b - a for a, b in pairs]
        score_changes.append(ScoreChange(
            instrument_id, instrument.short_name if instrument else instrument_id, len(pairs),
            mean([a for a, _b in pairs]), mean([b for _a, b in pairs]), mean(deltas),
            sum(1 for d in deltas if d and (d > 0) == better_up), sum(1 for d in deltas if d and (d > 0) != better_up),
            better_up))

    rank = {t: i for i, t in enumerate(tier_order())}
    rows.sort(key=lambda r: (rank.get(r.tier, len(rank)), r.client_code))
    return CaseloadDashboard(
        start=start, end=end, as_of=today, active_clients=total,
        tiers=tuple((t, tier_counts.get(t, 0)) for t in tier_order()),
        overdue=sum(overdue_by.values()), clients_overdue=len(overdue_by),
        changes=tuple(score_changes), goals_achieved=achieved_all, goals_achieved_in_period=achieved_period,
        goals_total=total_goals, engagement=_engagement(repo, start, end, today), rows=tuple(rows),
    )


# -- the reports -----------------------------------------------------------------------------------


def build_outcomes(session: Session, request: ReportRequest, letterhead: Letterhead,
                   generated_at: datetime, progress: Progress | None = None) -> bytes:
    """The outcomes report (catalogue builder): request.client_id, period request.start/end
    (default the last 90 days), sections request.sections (default all)."""
    from app.reports import outcomes_report

    if not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    outcomes = client_outcomes(session, request.client_id, request.start, request.end)
    client = session.clients.get(request.client_id)
    return outcomes_report.build_pdf(outcomes, client, letterhead, generated_at, sections=request.sections,
                                     identify=request.identify)


def build_caseload(session: Session, request: ReportRequest, letterhead: Letterhead,
                   generated_at: datetime, progress: Progress | None = None) -> bytes:
    """The caseload report (catalogue builder): period request.start/end (default the last
    90 days); Identify.CODE prints client codes only, never names. `progress` is called per
    client while gathering."""
    from app.reports import caseload_report

    start, end = period(session, request.start, request.end)
    dashboard = caseload_dashboard(session, start, end, progress)
    return caseload_report.build_pdf(dashboard, letterhead, generated_at, sections=request.sections,
                                     identify=request.identify)
