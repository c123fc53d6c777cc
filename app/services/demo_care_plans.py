"""Synthetic care plans for demo vaults: invented words, dates and signatures, reproducible from
the caller's random generator.

`add_demo_care_plans()` gives each client who has a completed assessment and has reached the
planning stage a care plan built from that assessment (its "about the person", its domains with
the most need): a draft for clients still planning; for the others a signed plan — sometimes
with an older version it superseded, a draft of the next version, reviews with goal attainment,
a review date that has passed, or a plan on hold; closed cases have a completed (now and then a
revoked) plan. Everything is written through the repository, walking each version through the
transitions the service uses, inside the caller's transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.assessment import AboutPerson, Assessment, LifeDomain
from app.models.care_plan import (
    DEFAULT_REVIEW_DAYS,
    Agreement,
    CarePlan,
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
    NeedSource,
    Objective,
    ObjectiveStatus,
    PlanDocument,
    PlanStatus,
    Priority,
    Responsible,
    Review,
)
from app.models.client import Client, Stage
from app.models.signature import Signature, SignerRole, drawn, verbally_agreed
from app.services.demo_safety_plans import synthetic_strokes
from app.store.assessment_repo import AssessmentRepository
from app.store.care_plan_repo import CarePlanRepository
from app.store.db import Connection

if TYPE_CHECKING:
    from faker import Faker

# Per domain: what the client says, a goal in their words with its SMART restatement, a
# measurable step (step, measure, target), and what will be done (action, who, how often, how).
_Step = tuple[str, str, str]
_Action = tuple[str, Responsible, str, Modality | None]
_CONTENT: dict[LifeDomain, tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[_Step, ...], tuple[_Action, ...]]] = {
    LifeDomain.HOUSING: (
        ("I'm scared of losing my flat.", "I need somewhere that's mine.", "The landlord wants me out."),
        (("Keep my flat.", "Rent arrears cleared through a payment plan, and no notice to leave, by {date}."),
         ("Have my own place.", "Signed tenancy for a one-bedroom flat by {date}.")),
        (("Apply for emergency rent assistance", "Application submitted", "Yes, with all documents"),
         ("Agree a payment plan with the landlord", "Plan in writing", "Signed by both"),
         ("View at least two flats", "Flats viewed", "2 or more")),
        (("Help with the rent-assistance form", Responsible.CASE_MANAGER, "Once", Modality.HOME_VISIT),
         ("Call the landlord together", Responsible.CASE_MANAGER, "Once", Modality.PHONE),
         ("Refer to the housing agency", Responsible.CASE_MANAGER, "Once", Modality.PHONE),
         ("Look at listings every Sunday", Responsible.CLIENT, "Weekly", None)),
    ),
    LifeDomain.MENTAL_HEALTH: (
        ("I want to feel like myself again.", "Most days I can't get out of bed.", "The panic stops me going out."),
        (("Feel like myself again.", "PHQ-9 below 10 on two checks in a row by {date}."),
         ("Get to the shops without panicking.", "Go to the corner shop alone twice a week by {date}.")),
        (("Bring the PHQ-9 below 10", "PHQ-9 total", "below 10"),
         ("Keep every therapy appointment", "Appointments attended", "All of them for 8 weeks"),
         ("Take medication as prescribed", "Days missed in a month", "2 or fewer")),
        (("Weekly therapy", Responsible.TEAM_MEMBER, "Weekly", Modality.VIDEO),
         ("Medication review with the psychiatrist", Responsible.TEAM_MEMBER, "Monthly", Modality.IN_PERSON),
         ("Check-in call about mood", Responsible.CASE_MANAGER, "Every two weeks", Modality.PHONE),
         ("Use the pill organiser my sister set up", Responsible.CLIENT, "Daily", None)),
    ),
    LifeDomain.SUBSTANCE_USE: (
        ("I drink to get to sleep.", "I want to cut down on the weed."),
        (("Cut down on drinking.", "No more than two drinking days a week, for four weeks running, by {date}."),
         ("Stop using before bed.", "Sleep without using on five nights a week by {date}.")),
        (("Keep a drinking diary", "Days recorded", "Every day for a month"),
         ("Bring the AUDIT-C below 4", "AUDIT-C total", "below 4"),
         ("Go to a peer support group", "Meetings attended", "One a week")),
        (("Referral to the community alcohol service", Responsible.CASE_MANAGER, "Once", Modality.PHONE),
         ("Go to the Thursday SMART Recovery group", Responsible.CLIENT, "Weekly", Modality.IN_PERSON),
         ("Talk through the diary at each visit", Responsible.CASE_MANAGER, "Every two weeks", Modality.HOME_VISIT)),
    ),
    LifeDomain.INCOME: (
        ("The money runs out before the end of the month.", "My benefits stopped."),
        (("Get my benefits back.", "Benefits reinstated and paid into my account by {date}."),
         ("Make the money last the month.", "A weekly budget followed for six weeks by {date}.")),
        (("Ask for the benefits review", "Review requested", "Yes"),
         ("Set up a weekly budget", "Weeks on budget", "6 in a row")),
        (("Go to the welfare-rights clinic together", Responsible.CASE_MANAGER, "Once", Modality.IN_PERSON),
         ("Write down spending each evening", Responsible.CLIENT, "Daily", None)),
    ),
    LifeDomain.SOCIAL_SUPPORTS: (
        ("I don't see anyone most weeks.", "Things are bad with my family since the move."),
        (("See people again.", "Spend time with someone outside home at least twice a week by {date}."),),
        (("Go to the drop-in centre", "Visits", "Twice a week"),
         ("Call my sister", "Calls", "Every Sunday")),
        (("Introduce to the peer-support worker", Responsible.TEAM_MEMBER, "Once", Modality.IN_PERSON),
         ("My sister comes for Sunday lunch", Responsible.FAMILY, "Weekly", Modality.IN_PERSON)),
    ),
    LifeDomain.PHYSICAL_HEALTH: (
        ("I haven't seen a doctor in years.", "My back hurts all the time."),
        (("Get my health checked.", "Registered with a GP and an annual check done by {date}."),),
        (("Register with a GP", "Registered", "Yes"),
         ("Book the diabetes check", "Appointment attended", "Yes")),
        (("Help with the GP registration form", Responsible.CASE_MANAGER, "Once", Modality.HOME_VISIT),
         ("Remind me the day before appointments", Responsible.CASE_MANAGER, "As needed", Modality.PHONE)),
    ),
    LifeDomain.EMPLOYMENT: (
        ("I want to work again, any work.",),
        (("Get a job.", "Paid work of at least 10 hours a week by {date}."),),
        (("Update my CV", "CV ready", "Yes"), ("Apply for jobs", "Applications", "3 a week")),
        (("Referral to supported employment", Responsible.TEAM_MEMBER, "Weekly", Modality.IN_PERSON),
         ("Practise an interview", Responsible.CASE_MANAGER, "Once", Modality.VIDEO)),
    ),
    LifeDomain.FOOD: (
        ("Some days there's nothing to eat.",),
        (("Always have food in the house.", "Three meals a day on every day of the month by {date}."),),
        (("Sign up for food stamps", "Application made", "Yes"),),
        (("Food bank every Tuesday", Responsible.CLIENT, "Weekly", None),
         ("Help with the SNAP application", Responsible.CASE_MANAGER, "Once", Modality.HOME_VISIT)),
    ),
}
_GENERIC = (
    ("This is getting in the way of everything.", "I want things to be easier here."),
    (("Sort this out.", "A plan agreed and the first step done by {date}."),),
    (("Take the first step", "First step done", "Yes"),),
    (("Talk it through at each visit", Responsible.CASE_MANAGER, "Every two weeks", Modality.HOME_VISIT),),
)
_DISCHARGE = ("When I've kept my flat for six months and feel like myself.", "When I don't need the visits any more.",
              "When I'm working and the money lasts the month.", "When I can manage the appointments on my own.",
              "When I've been out of hospital for a year.")
_ATTENDED = ("The client and me", "The client, her sister and me", "The client, the psychiatrist (by phone) and me",
             "The client and his mother", "The client, the peer-support worker and me")
_CHANGES = ("Keep going as planned.", "Added a weekly call; the therapy moved to video.",
            "Housing goal met; new goal about work.", "Put the budgeting on hold until benefits restart.")
_REASONS_VERBAL = ("Agreed by phone; will sign at the next visit", "Hand injury, can't hold a pen today")
_HOLD = ("In hospital for a few weeks", "Away caring for a parent", "Asked for a pause over the holidays")
_STAGE_ORDER = list(Stage)


def _pick(rng: random.Random, values: Sequence[str]) -> str:
    return values[rng.randrange(len(values))]


def _at(on: date, rng: random.Random) -> datetime:
    return datetime.combine(on, time(rng.randint(14, 21), rng.randint(0, 59)), UTC)


def demo_care_plan_document(rng: random.Random, assessment: Assessment, start: date,
                            new_id: Callable[[], str]) -> PlanDocument:
    """A plan built from an assessment: its about-the-person, and needs for the domains it
    rates highest (goals, measurable steps and actions under each)."""
    doc = assessment.document
    rated = sorted(LifeDomain, key=lambda d: -(doc.domain(d).need or 0))
    chosen = [d for d in rated if (doc.domain(d).need or 0) >= 2][:3] or rated[:1]
    needs: list[Need] = []
    for domain in chosen:
        words, goals, steps, actions = _CONTENT.get(domain, _GENERIC)
        rating = doc.domain(domain)
        goal_list: list[Goal] = []
        for g in range(1 if rng.random() < 0.6 else 2):
            client_words, smart = goals[g % len(goals)]
            target = start + timedelta(days=rng.choice((60, 90, 120, 180)))
            objectives: list[Objective] = []
            for o in range(min(rng.randint(1, 2), len(steps))):
                step, measure, goal_target = steps[(g + o) % len(steps)]
                instrument = None
                if measure == "PHQ-9 total":
                    instrument = InstrumentTarget("phq9", Comparison.BELOW, 10, start)
                elif measure == "AUDIT-C total":
                    instrument = InstrumentTarget("auditc", Comparison.BELOW, 4, start)
                interventions = []
                for a in range(min(rng.randint(1, 2), len(actions))):
                    action, who, often, how = actions[(o + a + g) % len(actions)]
                    name = ""
                    if who is Responsible.TEAM_MEMBER:
                        name = rng.choice(("Dr. A. Sample", "NP R. Fictional", "P. Placeholder (peer support)"))
                    elif who is Responsible.FAMILY:
                        name = rng.choice(("Her sister", "His mother", "Their cousin"))
                    interventions.append(Intervention(
                        new_id(), action, who, name, often, how, start,
                        start + timedelta(days=rng.choice((14, 30, 90))) if often == "Once" else None,
                        rng.choice((InterventionStatus.IN_PROGRESS, InterventionStatus.SCHEDULED,
                                    InterventionStatus.NOT_STARTED))))
                objectives.append(Objective(
                    new_id(), step, "" if instrument else measure, "" if instrument else goal_target,
                    rng.choice(("Not yet", "None so far", "")) if not instrument else "",
                    min(target, start + timedelta(days=rng.choice((30, 45, 60)))),
                    ObjectiveStatus.IN_PROGRESS, instrument, tuple(interventions)))
            goal_list.append(Goal(new_id(), client_words, smart.format(date=target.strftime("%d %B %Y").lstrip("0")),
                                  target, GoalLifecycle.ACTIVE, GoalAchievement.IN_PROGRESS, tuple(objectives)))
        need_words = _pick(rng, words)
        needs.append(Need(new_id(), domain, need_words, rating.narrative, NeedSource.ASSESSMENT, "",
                          f"assessment:{domain.value}", Priority.HIGH if rating.need == 3 else Priority.MEDIUM,
                          tuple(goal_list)))
    about = doc.about if doc.about.what_matters else AboutPerson(what_matters="Feeling settled again")
    return PlanDocument(about=about, discharge_criteria=_pick(rng, _DISCHARGE), needs=tuple(needs))


def _progressed(rng: random.Random, document: PlanDocument, new_id: Callable[[], str]) -> PlanDocument:
    """The next version: achievement moved on, sometimes a goal completed and an action added."""
    needs = []
    for need in document.needs:
        goals = []
        for goal in need.goals:
            achievement = rng.choice((GoalAchievement.IMPROVING, GoalAchievement.IMPROVING, GoalAchievement.NO_CHANGE,
                                      GoalAchievement.WORSENING, GoalAchievement.ACHIEVED))
            lifecycle = GoalLifecycle.COMPLETED if achievement is GoalAchievement.ACHIEVED else goal.lifecycle
            objectives = goal.objectives
            if objectives and rng.random() < 0.5 and not any(
                    i.action.startswith("Check-in text") for i in objectives[0].interventions):
                first = objectives[0]
                extra = Intervention(new_id(), "Check-in text after each appointment", Responsible.CASE_MANAGER, "",
                                     "Weekly", Modality.PHONE, status=InterventionStatus.IN_PROGRESS)
                objectives = (replace(first, interventions=(*first.interventions, extra)), *objectives[1:])
            goals.append(replace(goal, achievement=achievement, lifecycle=lifecycle, objectives=objectives))
        needs.append(replace(need, goals=tuple(goals)))
    return replace(document, needs=tuple(needs))


class _Pens:
    """Signatures drawn once and reused: the case manager signs the same way every time, and
    each client picks one of a small pool (drawing a signature is the slowest part of a plan)."""

    def __init__(self, rng: random.Random, size: int = 24) -> None:
        self.manager = synthetic_strokes(rng)
        self.clients = [synthetic_strokes(rng, pressure=rng.random() < 0.3) for _ in range(size)]
        self._chosen: dict[str, int] = {}

    def sign(self, rng: random.Random, client: Client, manager: str, at: datetime) -> tuple[Agreement, tuple[Signature, ...]]:
        roll = rng.random()
        manager_signature = drawn(SignerRole.CASE_MANAGER, manager, at, self.manager)
        if roll < 0.1:
            return Agreement.SCANNED, (manager_signature,)
        if roll < 0.22:
            client_signature = verbally_agreed(SignerRole.CLIENT, client.display_name, at, _pick(rng, _REASONS_VERBAL))
            return Agreement.VERBAL, (client_signature, manager_signature)
        strokes = self.clients[self._chosen.setdefault(client.id, rng.randrange(len(self.clients)))]
        return Agreement.SIGNED, (drawn(SignerRole.CLIENT, client.display_name, at, strokes), manager_signature)


def add_demo_care_plans(conn: Connection, rng: random.Random, fake: Faker, clients: Sequence[Client], today: date,
                        new_id: Callable[[], str], *, case_manager: str = "") -> int:
    """Give each client with a completed assessment, at the planning stage or later, a care
    plan (see the module docstring); returns how many clients got one. `fake` names the case
    manager when none is given."""
    manager = case_manager or str(fake.name())
    assessments = AssessmentRepository(conn)
    repo = CarePlanRepository(conn)
    pens = _Pens(rng)
    made = 0
    for client in clients:
        if _STAGE_ORDER.index(client.stage) < _STAGE_ORDER.index(Stage.PLANNING):
            continue
        assessment = assessments.latest_completed(client.id)
        if assessment is None:
            continue
        made += 1
        assessed = assessment.document.assessed_on
        start = min(today, assessed + timedelta(days=rng.randint(3, 30)))
        document = demo_care_plan_document(rng, assessment, start, new_id)
        review_days = rng.choice((DEFAULT_REVIEW_DAYS, DEFAULT_REVIEW_DAYS, DEFAULT_REVIEW_DAYS, 60, 30))
        created = _at(start, rng) - timedelta(days=rng.randint(0, 3))
        current = CarePlan(new_id(), client.id, 1, PlanStatus.DRAFT, document, review_days=review_days,
                           created_by=manager, created_at=created)
        repo.add(current, created)
        if client.stage is Stage.PLANNING:
            continue  # still being written with the client
        _sign(repo, rng, pens, client, manager, current, start, review_days)
        # Reviews every `review_days` (the last four kept); now and then one leads to a new
        # version; about one plan in six has its latest review overdue.
        due = start + timedelta(days=review_days)
        reviewed: CarePlan | None = None
        while due <= today:
            if due + timedelta(days=review_days) > today and rng.random() < 0.18:
                break  # the review that is due now has not happened yet
            if due < today - timedelta(days=4 * review_days):
                due += timedelta(days=review_days)
                continue
            reviewed_on = min(today, due + timedelta(days=rng.randint(-7, 7)))
            _review(repo, rng, current, reviewed_on, new_id, review_days)
            due = reviewed_on + timedelta(days=review_days)
            reviewed = current
            if rng.random() < 0.2 and current.version < 4:
                newer = CarePlan(new_id(), client.id, current.version + 1, PlanStatus.DRAFT,
                                 _progressed(rng, current.document, new_id), start_on=start, review_days=review_days,
                                 based_on=current.id, created_by=manager, created_at=_at(reviewed_on, rng))
                repo.add(newer, _at(reviewed_on, rng))
                repo.supersede(current.id, newer.id, _at(reviewed_on, rng))
                current = newer
                _sign(repo, rng, pens, client, manager, current, reviewed_on, review_days)
        if reviewed is current:  # the next review, after the latest one (one write, not one per review)
            repo.set_review_on(current.id, due, _at(today, rng))
        if client.stage is Stage.CLOSED:
            ended = _at(min(today, start + timedelta(days=rng.randint(60, 300))), rng)
            if rng.random() < 0.85:
                repo.set_status(current.id, PlanStatus.ACTIVE, PlanStatus.COMPLETED, "Goals met; case closed", ended)
            else:
                repo.set_status(current.id, PlanStatus.ACTIVE, PlanStatus.REVOKED, "Client withdrew from services",
                                ended)
        elif rng.random() < 0.05:
            repo.set_status(current.id, PlanStatus.ACTIVE, PlanStatus.ON_HOLD, _pick(rng, _HOLD), _at(today, rng))
        elif rng.random() < 0.1:  # the next version is being written
            draft = CarePlan(new_id(), client.id, current.version + 1, PlanStatus.DRAFT,
                             _progressed(rng, current.document, new_id), start_on=start, review_days=review_days,
                             based_on=current.id, created_by=manager, created_at=_at(today, rng))
            repo.add(draft, _at(today, rng))
    return made


def _sign(repo: CarePlanRepository, rng: random.Random, pens: _Pens, client: Client, manager: str, plan: CarePlan,
          on: date, review_days: int) -> None:
    at = _at(on, rng)
    agreement, signatures = pens.sign(rng, client, manager, at)
    # A scanned page's attachment id is left empty: the attachments work links it.
    repo.activate(plan.id, agreement, signatures, None, plan.start_on or on, on + timedelta(days=review_days),
                  manager, at)


def _review(repo: CarePlanRepository, rng: random.Random, plan: CarePlan, on: date, new_id: Callable[[], str],
            review_days: int) -> None:
    progress = tuple(GoalProgress(g.id, rng.choice((-1, 0, 0, 1, 1, 2)), "") for g in plan.document.goals())
    review = Review(new_id(), plan.id, plan.client_id, on, progress, _pick(rng, _CHANGES), _pick(rng, _ATTENDED),
                    on + timedelta(days=review_days), plan.created_by, _at(on, rng))
    repo.add_review(review, _at(on, rng))
