"""Evaluation (stage 9) on a real encrypted vault built by hand: one client's outcomes (score
trends tied to goals, goal attainment over reviews, plan versus actual), the caseload dashboard
(tiers, overdue follow-ups, PHQ-9/GAD-7 change since intake, goals achieved, post-transition
engagement within 7 and 30 days), period filtering, progress, and the two PDFs as a reader sees
them (the de-identified caseload report names no client)."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader

from app.models.assessment import AboutPerson
from app.models.care_plan import (
    Agreement,
    Comparison,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalProgress,
    InstrumentTarget,
    Intervention,
    InterventionStatus,
    Modality,
    Need,
    Objective,
    PlanDocument,
    Responsible,
    TrackState,
)
from app.models.client import Stage
from app.models.evaluation import PlannedFrequency, parse_frequency
from app.models.follow_ups import FollowUpFields, FollowUpType, Status
from app.models.notes import ContactType, NoteFields, NoteSection
from app.models.risk import RiskResult, Tier
from app.models.transitions import CheckInOutcome, TransitionFields, TransitionKind
from app.reports.engine import Identify, Letterhead
from app.services.clock import FixedClock
from app.services.errors import NotFound, ValidationError
from app.services.evaluation import caseload_dashboard, client_outcomes
from app.services.reporting import KINDS, ReportRequest
from app.services.session import Session
from tests.conftest import person
from tests.test_care_plans import signatures

LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street", "", None, "Jordan Ellis", "MSW")
NAMES = {"a": ("Nguyễn Thị", "Ánh"), "b": ("Zoë", "Ødegård"), "c": ("Ольга", "Петрова"), "e": ("Tomás", "Oyelaran"),
         "d": ("Closed", "Casefile")}


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def squashed(text: str) -> str:
    return "".join(text.split())


# -- building the vault --------------------------------------------------------------------------


def _score(session: Session, instrument: str, items: int, client_id: str, total: int, on: date) -> None:
    answers: dict[str, int | None] = {}
    left = total
    for i in range(1, items + 1):
        answers[str(i)] = min(3, left) if i < 9 or instrument != "phq9" else 0
        left -= answers[str(i)] or 0
    assert left == 0
    session.screening.record(client_id, instrument, answers, on=on)


def phq9(session: Session, client_id: str, total: int, on: date) -> None:
    _score(session, "phq9", 9, client_id, total, on)


def gad7(session: Session, client_id: str, total: int, on: date) -> None:
    _score(session, "gad7", 7, client_id, total, on)


def plan_document(since: date, g1: GoalAchievement | None = None, g2: GoalAchievement | None = None) -> PlanDocument:
    target_on = since + timedelta(days=300)

    def goal(goal_id: str, words: str, achievement: GoalAchievement | None, *objectives: Objective,
             lifecycle: GoalLifecycle = GoalLifecycle.ACTIVE) -> Goal:
        if achievement is GoalAchievement.ACHIEVED:
            lifecycle = GoalLifecycle.COMPLETED
        return Goal(goal_id, words, f"{words} by the target date", target_on, lifecycle, achievement,
                    objectives=objectives)

    mood = Objective("o1", "Bring the PHQ-9 below 10", target_on=target_on,
                     instrument=InstrumentTarget("phq9", Comparison.BELOW, 10, since),
                     interventions=(
                         Intervention("i1", "Weekly check-in call", Responsible.CASE_MANAGER, frequency="Weekly",
                                      modality=Modality.PHONE, start_on=None, status=InterventionStatus.IN_PROGRESS),
                         Intervention("i2", "Walk with my sister", Responsible.FAMILY, frequency="Twice a week",
                                      status=InterventionStatus.IN_PROGRESS),
                         Intervention("i3", "Old idea", status=InterventionStatus.CANCELLED),
                     ))
    housing = Objective("o2", "Rent paid each month", measure="Rent receipts", target="Every month",
                        target_on=target_on)
    return PlanDocument(
        about=AboutPerson("Feeling like myself", "Texts", "Stubborn", "My sister", "Mornings"),
        discharge_criteria="When I sleep most nights",
        needs=(Need("n1", client_words="I feel low all the time", goals=(
            goal("g1", "Feel like myself again", g1, mood),
            goal("g2", "Keep my flat", g2, housing),
            goal("g3", "Dropped goal", None, lifecycle=GoalLifecycle.CANCELLED),
        )),),
    )


def sign_plan(session: Session, client_id: str, doc: PlanDocument, start_on: date) -> str:
    draft = session.care_plans.start_draft(client_id)
    session.care_plans.save_draft(draft.id, doc, start_on=start_on)
    return session.care_plans.activate(draft.id, Agreement.SIGNED, signatures()).id


def set_tier(session: Session, client_id: str, tier: Tier) -> None:
    session.risk.record(client_id, RiskResult(session.clock.today(), (), 0, tier, (), tier))


def note(session: Session, client_id: str, on: date, kind: ContactType = ContactType.PHONE,
         goals: tuple[str, ...] = (), sign: bool = True) -> None:
    fields = NoteFields(kind, on, time(10, 0), 30, goal_ids=goals, sections={NoteSection.NOTE: "Talked it through."})
    draft = session.notes.save_draft(client_id, fields)
    if sign:
        session.notes.sign(draft.id)


def follow_up(session: Session, client_id: str, on: date, status: Status | None = None,
              kind: FollowUpType = FollowUpType.PHONE, objective: str | None = None) -> None:
    start = datetime.combine(on, time(9, 0))
    fields = FollowUpFields(kind, start, start + timedelta(minutes=30), session.follow_ups.default_zone(),
                            link_type="objective" if objective else None, link_id=objective)
    fu = session.follow_ups.schedule(client_id, fields)
    if status is not None:
        session.follow_ups.set_status(fu.id, start, status)


def transition(session: Session, client_id: str, on: date) -> str:
    fields = TransitionFields(TransitionKind.LEVEL_OF_CARE, "intensive", "maintenance", on, "Doing better")
    return session.transitions.record(client_id, fields).id


@dataclass
class Vault:
    session: Session
    today: date
    ids: dict[str, str]


@pytest.fixture
def vault(session: Session, clock: FixedClock) -> Vault:
    """Five clients; plans first signed 120 days before "today", then today moves on.

    a (Nguyễn Thị Ánh): High; PHQ-9 20 at intake → 12 → 8, GAD-7 15 → 9; plan v1 nothing
       achieved, v2 (signed today) g1 achieved; transition 20 days ago, signed note 5 days after.
    b (Zoë Ødegård): Low; PHQ-9 10 → 14; plan v1 g1 already achieved, v2 g2 achieved; transition
       50 days ago, check-in reaching her 10 days after; one overdue follow-up, one completed.
    c (Ольга Петрова): not stratified; one PHQ-9 only; transition 3 days ago, nothing since.
    e: not stratified; transition 40 days ago, nothing since (an attempted contact only).
    d: closed — not on the caseload."""
    ids = {key: session.clients.create(person(first_name=first, last_name=last), Stage.IMPLEMENTING).id
           for key, (first, last) in NAMES.items()}
    t0 = clock.today()
    phq9(session, ids["a"], 20, t0 - timedelta(days=80))
    gad7(session, ids["a"], 15, t0 - timedelta(days=80))
    sign_plan(session, ids["a"], plan_document(t0), t0)
    sign_plan(session, ids["b"], plan_document(t0, g1=GoalAchievement.ACHIEVED), t0)
    sign_plan(session, ids["d"], plan_document(t0, g1=GoalAchievement.ACHIEVED), t0)
    follow_up(session, ids["b"], t0 - timedelta(days=2))  # overdue, but long before the period

    today = t0 + timedelta(days=120)
    first_plan = session.care_plans.current(ids["a"])
    assert first_plan is not None
    clock.advance(days=90)  # reviews of the first version, 30 and 2 days before "today"
    session.care_plans.record_review(first_plan.id, [GoalProgress("g1", -1), GoalProgress("g2", 0)],
                                     attended="Client and me")
    clock.advance(days=28)
    session.care_plans.record_review(first_plan.id, [GoalProgress("g1", 2)], attended="Client and me")
    clock.advance(days=2)
    assert clock.today() == today
    sign_plan(session, ids["a"], plan_document(t0, g1=GoalAchievement.ACHIEVED), t0)
    sign_plan(session, ids["b"], plan_document(t0, g1=GoalAchievement.ACHIEVED, g2=GoalAchievement.ACHIEVED), t0)
    set_tier(session, ids["a"], Tier.HIGH)
    set_tier(session, ids["b"], Tier.LOW)
    session.transitions.close_case(ids["d"], "Moved out of the area")

    phq9(session, ids["a"], 12, today - timedelta(days=60))
    phq9(session, ids["a"], 8, today - timedelta(days=10))
    gad7(session, ids["a"], 9, today - timedelta(days=10))
    phq9(session, ids["b"], 10, today - timedelta(days=30))
    phq9(session, ids["b"], 14, today - timedelta(days=5))
    phq9(session, ids["c"], 17, today - timedelta(days=20))

    transition(session, ids["a"], today - timedelta(days=20))
    note(session, ids["a"], today - timedelta(days=15), goals=("g1",))
    note(session, ids["a"], today - timedelta(days=8), ContactType.OFFICE, goals=("g1",))
    note(session, ids["a"], today - timedelta(days=3), goals=("g1",), sign=False)  # a draft is not evidence
    note(session, ids["a"], today - timedelta(days=6), ContactType.ATTEMPTED, goals=("g1",))
    note(session, ids["a"], today - timedelta(days=12), goals=("g2",))
    follow_up(session, ids["a"], today - timedelta(days=4), Status.COMPLETED, objective="o1")
    follow_up(session, ids["a"], today - timedelta(days=15), Status.COMPLETED, objective="o1")  # same day as a note

    b_transition = transition(session, ids["b"], today - timedelta(days=50))
    first = session.transitions.check_ins(b_transition)[0]
    session.transitions.record_check_in(first.id, CheckInOutcome(today - timedelta(days=40), True, engaged=True))
    follow_up(session, ids["b"], today - timedelta(days=3))  # overdue
    follow_up(session, ids["b"], today - timedelta(days=4), Status.COMPLETED)
    follow_up(session, ids["b"], today + timedelta(days=3))  # still to come

    transition(session, ids["c"], today - timedelta(days=3))
    transition(session, ids["e"], today - timedelta(days=40))
    note(session, ids["e"], today - timedelta(days=38), ContactType.ATTEMPTED)
    return Vault(session, today, ids)


# -- the caseload ----------------------------------------------------------------------------------


def test_the_caseload_dashboard_counts_what_a_case_manager_would_count(vault: Vault) -> None:
    s, today = vault.session, vault.today
    board = caseload_dashboard(s, today - timedelta(days=90), today)
    assert board.active_clients == 4  # the closed case is not on the caseload
    assert board.tiers == ((Tier.CRISIS, 0), (Tier.HIGH, 1), (Tier.MODERATE, 0), (Tier.LOW, 1), (None, 2))
    assert (board.overdue, board.clients_overdue) == (1, 1)

    phq, gad = board.change("phq9"), board.change("gad7")
    assert phq is not None and gad is not None
    assert phq.n == 2 and phq.mean_change == pytest.approx(-4.0)  # a: 20 → 8 (−12); b: 10 → 14 (+4)
    assert phq.mean_baseline == pytest.approx(15.0) and phq.mean_latest == pytest.approx(11.0)
    assert (phq.improved, phq.worsened) == (1, 1)
    assert gad.n == 1 and gad.mean_change == pytest.approx(-6.0)

    # a: g1 achieved in v2 (signed in the period); b: g1 was achieved before, g2 now. g3 is cancelled.
    assert (board.goals_achieved, board.goals_total, board.goals_achieved_in_period) == (3, 4, 2)

    e = board.engagement
    assert e.transitions == 4  # a, b, c, e (the closure of d is not a transition of care)
    assert (e.within_7, e.eligible_7) == (1, 3)  # a engaged at +5; c's 7 days have not passed
    assert (e.within_30, e.eligible_30) == (2, 3)  # b reached at +10; c can't be judged yet
    assert e.share_7 == pytest.approx(1 / 3) and e.share_30 == pytest.approx(2 / 3)

    rows = {r.client_id: r for r in board.rows}
    a, b, c = rows[vault.ids["a"]], rows[vault.ids["b"]], rows[vault.ids["c"]]
    assert (a.tier, a.phq9_change, a.gad7_change, a.goals_achieved, a.goals_total) == (Tier.HIGH, -12, -6, 1, 2)
    assert (b.overdue, b.phq9_change, b.gad7_change, b.goals_achieved) == (1, 4, None, 2)
    assert c.phq9_change is None and c.tier is None  # one score is no change
    assert a.name == "Nguyễn Thị Ánh" and vault.ids["d"] not in rows
    assert [r.tier for r in board.rows] == [Tier.HIGH, Tier.LOW, None, None]  # most urgent first


def test_the_period_chooses_the_scores_overdue_follow_ups_goals_and_transitions(vault: Vault) -> None:
    s, today = vault.session, vault.today
    week = caseload_dashboard(s, today - timedelta(days=7), today)
    phq = week.change("phq9")
    assert phq is not None and phq.n == 1 and phq.mean_change == pytest.approx(4.0)  # only b scored this week
    assert week.engagement.transitions == 1  # c's, 3 days ago
    assert week.goals_achieved_in_period == 2  # the new versions were signed today

    longer = caseload_dashboard(s, today - timedelta(days=200), today)
    assert longer.overdue == 2 and longer.clients_overdue == 1  # the old one before the plans counts now

    before = caseload_dashboard(s, today - timedelta(days=200), today - timedelta(days=100))
    assert before.goals_achieved_in_period == 1  # b's first version, with g1 achieved
    assert (before.goals_achieved, before.goals_total) == (1, 4)
    assert before.engagement.transitions == 0
    with pytest.raises(ValidationError) as caught:
        caseload_dashboard(s, today, today - timedelta(days=1))
    assert "start" in caught.value.problems


def test_progress_rises_once_per_client_up_to_the_total(vault: Vault) -> None:
    seen: list[tuple[int, int]] = []
    caseload_dashboard(vault.session, vault.today - timedelta(days=90), vault.today,
                       progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_the_de_identified_caseload_report_prints_codes_and_never_a_name(vault: Vault) -> None:
    s = vault.session
    seen: list[int] = []
    pdf = KINDS["caseload"].build(s, ReportRequest("caseload", identify=Identify.CODE), LETTERHEAD,
                                  progress=lambda done, total: seen.append(done))
    text = text_of(pdf)
    flat = squashed(text)
    for key in ("a", "b", "c", "e"):
        client = s.clients.get(vault.ids[key])
        assert client.client_code in text
        for part in (client.fields.first_name, client.fields.last_name):
            for word in part.split():
                assert word not in text and word not in flat
    assert s.clients.get(vault.ids["d"]).client_code not in text  # closed
    assert "Caseload" in text and "de-identified" in text
    assert "Active clients" in text and "1 of 3 (33%)" in text and "2 of 3 (67%)" in text
    assert "−4.0" in text and "−6.0" in text  # mean PHQ-9 and GAD-7 change
    assert seen[-1] == 4

    full = text_of(KINDS["caseload"].build(s, ReportRequest("caseload"), LETTERHEAD))
    assert "Ольга Петрова" in full and "Zoë Ødegård" in full  # the identified report names them


# -- one client ----------------------------------------------------------------------------------


def test_score_trends_are_tied_to_the_goals_they_measure(vault: Vault) -> None:
    s, today = vault.session, vault.today
    outcomes = client_outcomes(s, vault.ids["a"])
    assert (outcomes.start, outcomes.end) == (today - timedelta(days=90), today)
    phq = outcomes.trend("phq9")
    assert phq is not None and [p.value for p in phq.points] == [12, 8]  # the intake is before the period
    assert phq.change == -4 and phq.improved is True and (phq.low, phq.high) == (0, 27)
    assert phq.band_of(8) == "Mild" and phq.bands
    (linked,) = phq.objectives
    assert (linked.goal_id, linked.objective_id, linked.state) == ("g1", "o1", TrackState.MET)
    assert linked.goal_text == "Feel like myself again"
    gad = outcomes.trend("gad7")
    assert gad is not None and gad.change is None and gad.objectives == ()

    month = client_outcomes(s, vault.ids["a"], today - timedelta(days=30), today)
    month_phq = month.trend("phq9")
    assert month_phq is not None and [p.value for p in month_phq.points] == [8]
    with pytest.raises(NotFound):
        client_outcomes(s, "no-such-client")


def test_goal_attainment_over_the_reviews_in_the_period(vault: Vault) -> None:
    s, today = vault.session, vault.today
    outcomes = client_outcomes(s, vault.ids["a"])
    assert outcomes.review_dates == (today - timedelta(days=30), today - timedelta(days=2))
    goals = {g.goal_id: g for g in outcomes.goals}
    assert set(goals) == {"g1", "g2"}  # the cancelled goal is left out
    assert [r.gas for r in goals["g1"].ratings] == [-1, 2] and goals["g1"].latest_gas == 2
    assert [r.gas for r in goals["g2"].ratings] == [0, None] and goals["g2"].latest_gas == 0
    assert goals["g1"].achieved and goals["g1"].lifecycle is GoalLifecycle.COMPLETED
    assert outcomes.goals_achieved == 1
    recent = client_outcomes(s, vault.ids["a"], today - timedelta(days=10), today)
    assert [r.gas for r in {g.goal_id: g for g in recent.goals}["g1"].ratings] == [2]
    earlier = client_outcomes(s, vault.ids["a"], today - timedelta(days=200), today - timedelta(days=100))
    assert earlier.review_dates == () and earlier.goals_achieved == 0  # the version signed by then


def test_plan_versus_actual_counts_signed_contacts_and_completed_linked_follow_ups(vault: Vault) -> None:
    s, today = vault.session, vault.today
    outcomes = client_outcomes(s, vault.ids["a"])
    items = {p.intervention_id: p for p in outcomes.plan_vs_actual}
    assert set(items) == {"i1", "i2"}  # the cancelled one is left out
    call = items["i1"]
    # In force from the plan's start (before the period) through today: all 91 days, weekly.
    assert call.days_in_force == 91 and call.planned == pytest.approx(13.0)
    # Notes on g1 at −15 (phone) and −8 (office); the follow-up on o1 at −4 (phone); the one at
    # −15 shares a day with a note; the draft and the attempted contact don't count.
    assert call.actual == 3 and call.same_modality == 2 and call.last_on == today - timedelta(days=4)
    walk = items["i2"]
    assert walk.planned is None and not walk.by_case_work  # the family's to do: no contacts expected
    assert (outcomes.contacts, outcomes.contacts_with_goals) == (3, 3)

    fortnight = client_outcomes(s, vault.ids["a"], today - timedelta(days=13), today)
    call = {p.intervention_id: p for p in fortnight.plan_vs_actual}["i1"]
    assert call.days_in_force == 14 and call.planned == pytest.approx(2.0) and call.actual == 2


def test_a_note_entered_in_error_is_no_contact(vault: Vault) -> None:
    s, today = vault.session, vault.today
    office = next(n for n in s.notes.notes(vault.ids["a"]) if n.fields.contact_on == today - timedelta(days=8))
    s.notes.mark_entered_in_error(office.id, "Written in the wrong client's record")
    outcomes = client_outcomes(s, vault.ids["a"])
    call = {p.intervention_id: p for p in outcomes.plan_vs_actual}["i1"]
    assert call.actual == 2 and call.same_modality == 2  # the phone note at −15 and the follow-up at −4
    assert (outcomes.contacts, outcomes.contacts_with_goals) == (2, 2)


def test_the_outcomes_report_shows_trends_goals_and_plan_versus_actual(vault: Vault) -> None:
    s = vault.session
    pdf = KINDS["outcomes"].build(s, ReportRequest("outcomes", client_id=vault.ids["a"]), LETTERHEAD)
    text = text_of(pdf)
    flat = squashed(text)
    for fact in ("Outcomes", "Nguyễn Thị Ánh", "PHQ-9", "Feel like myself again", "Bring the PHQ-9 below 10",
                 "−4 points (better)", "Goal attainment over reviews", "+2", "−1", "Plan versus actual",
                 "Weekly check-in call", "Met"):
        assert squashed(fact) in flat, fact
    assert "Dropped goal" not in text

    coded = text_of(KINDS["outcomes"].build(s, ReportRequest("outcomes", client_id=vault.ids["a"],
                                                             identify=Identify.CODE,
                                                             sections=("attainment",)), LETTERHEAD))
    assert "Ánh" not in coded and s.clients.get(vault.ids["a"]).client_code in coded
    assert "Goal attainment" in coded and "Plan versus actual" not in coded and "PHQ-9 —" not in coded


def test_a_client_without_a_plan_or_scores_gets_a_clear_empty_report(session: Session) -> None:
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    outcomes = client_outcomes(session, client.id)
    assert outcomes.plan_id is None and outcomes.trends == () and outcomes.goals == ()
    text = text_of(KINDS["outcomes"].build(session, ReportRequest("outcomes", client_id=client.id), LETTERHEAD))
    assert "no signed plan" in text and "No scores in this period" in text
    empty_board = caseload_dashboard(session, session.clock.today() - timedelta(days=90), session.clock.today())
    assert empty_board.active_clients == 1 and empty_board.change("phq9") is not None
    assert empty_board.engagement.share_7 is None


# -- the rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "rate"), [
    ("Weekly", PlannedFrequency(1, 7)), ("every 2 weeks", PlannedFrequency(1, 14)),
    ("Every two weeks", PlannedFrequency(1, 14)), ("twice a month", PlannedFrequency(2, 30)),
    ("3 times per week", PlannedFrequency(3, 7)), ("3x/week", PlannedFrequency(3, 7)),
    ("Fortnightly", PlannedFrequency(1, 14)), ("Monthly", PlannedFrequency(1, 30)), ("daily", PlannedFrequency(1, 1)),
    ("every other week", PlannedFrequency(1, 14)), ("Once", PlannedFrequency(1, 0)),
    ("As needed", None), ("", None), ("when she calls", None),
])
def test_how_often_is_read_as_a_rate(text: str, rate: PlannedFrequency | None) -> None:
    assert parse_frequency(text) == rate


def test_expected_contacts_over_a_number_of_days() -> None:
    assert PlannedFrequency(1, 7).expected(28) == pytest.approx(4.0)
    assert PlannedFrequency(1, 0).expected(28) == 1.0 and PlannedFrequency(1, 0).expected(0) == 0.0
    assert replace(PlannedFrequency(2, 30), times=3).expected(30) == pytest.approx(3.0)


def test_a_long_name_wraps_in_the_identified_caseload_report_and_is_never_cropped(session: Session) -> None:
    long_last = "Wolfeschlegelsteinhausenbergerdorff-Ødegård-Петрова"
    session.clients.create(person(first_name="Nguyễn Thị Ánh Maria-Josefina", last_name=long_last))
    text = text_of(KINDS["caseload"].build(session, ReportRequest("caseload"), LETTERHEAD))
    assert squashed(f"Nguyễn Thị Ánh Maria-Josefina {long_last}") in squashed(text)
    coded = text_of(KINDS["caseload"].build(session, ReportRequest("caseload", identify=Identify.CODE), LETTERHEAD))
    assert "Wolfeschlegel" not in coded and "Nguyễn" not in coded
