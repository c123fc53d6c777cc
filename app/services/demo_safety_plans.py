"""Synthetic safety plans for demo vaults: invented words, names and numbers, signatures drawn by
a formula. Reproducible from the caller's random generator.

`demo_safety_plan()` makes a client's versions (sometimes an older signed version that a newer
one superseded, sometimes a draft being written); `store_demo_safety_plans()` writes them through
the repository, walking each version through the same transitions the service uses."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.safety_plan import (
    Contact,
    EmergencyDepartment,
    Likelihood,
    MeansStep,
    PlanContent,
    PlanStatus,
    Professional,
    SafetyPlan,
    Section,
    StepNote,
)
from app.models.signature import Signature, SignerRole, Stroke, drawn, verbally_agreed
from app.store.db import Connection
from app.store.safety_plan_repo import SafetyPlanRepository

if TYPE_CHECKING:
    from faker import Faker

_WARNING_SIGNS = [
    "Staying in bed past noon", "Not answering my phone", "Thinking everyone would be better off without me",
    "Drinking alone at night", "Arguments at home that keep going round", "Feeling trapped when the rent is due",
    "Replaying bad memories over and over", "Skipping meals", "Two nights without sleep",
    "Cancelling plans with friends", "Feeling numb, like nothing matters", "Getting angry over small things",
]
_COPING = [
    "Walk the dog round the block", "Headphones on, my calm playlist", "A long hot shower", "Colouring or drawing",
    "Cook something simple", "Breathe in for 4, out for 6, ten times", "Watch a comedy I know by heart",
    "Pray or sit quietly", "Write down three things that went OK today", "Water the plants on the balcony",
    "Play a puzzle game on my phone", "Hold an ice cube until the feeling passes",
]
_PLACES = [
    "Public library, second floor", "Community centre drop-in", "Coffee shop on Main Street", "Church on Sunday",
    "The park by the river", "The gym on 5th Avenue", "Peer support group, Thursdays",
]
_RELATIONS = ["sister", "brother", "friend", "neighbour", "cousin", "aunt", "sponsor", "partner"]
_WORTH = [
    "My kids", "Seeing my granddaughter grow up", "My dog, who needs me", "Finishing my GED",
    "My garden in the spring", "Getting back to work at the bakery", "My little brother",
    "Playing music again", "My faith", "The trip to see my mother next summer",
]
_MEANS = [
    ("Spare medicines", "my {relation}"), ("Car keys at night", "my {relation}"),
    ("Firearm, stored away from home", "my {relation}, locked at their place"),
    ("Old prescriptions", "returned to the pharmacy"), ("Alcohol in the house", "poured away"),
]
_BARRIERS = {
    Section.COPING: ["Might not feel like moving", "Hard to remember when I'm upset"],
    Section.DISTRACTIONS: ["The library closes at 6", "No bus money some weeks"],
    Section.HELPERS: ["Don't want to be a burden", "Might not pick up late at night"],
    Section.PROFESSIONALS: ["Worried about going to hospital", "Phone credit runs out"],
}
_VERBAL_REASONS = ["Agreed by phone; will sign at the next visit", "Hand injury, can't hold a pen today",
                   "Prefers not to sign; agreed to every step"]


def _phone(fake: Faker) -> str:
    return str(fake.numerify("(###) 555-####"))


def synthetic_strokes(rng: random.Random, aspect: float = 3.0, pressure: bool = False) -> list[Stroke]:
    """A made-up signature: a looped capital, a run of cursive loops, sometimes a flourish."""
    strokes: list[Stroke] = []
    base = rng.uniform(0.62, 0.7)
    x0 = rng.uniform(0.08, 0.14)
    # A capital: a tall loop.
    tall = [(x0 + 0.035 * math.sin(t / 10 * math.pi) + 0.002 * t, base - 0.5 * math.sin(t / 20 * math.pi))
            for t in range(21)]
    strokes.append(_stroke(tall, pressure, rng))
    # Cursive: a prolate cycloid gives joined loops like handwriting.
    loops = rng.randint(5, 9)
    width = rng.uniform(0.5, 0.68)
    a, b = width / (loops * 2 * math.pi), rng.uniform(0.012, 0.02) / 0.6 * aspect / 3
    height = rng.uniform(0.16, 0.26)
    points = []
    for i in range(loops * 16 + 1):
        t = i / 16 * 2 * math.pi
        x = x0 + 0.05 + a * t - b * math.sin(t)
        y = base - height / 2 * (1 - math.cos(t)) * (0.7 + 0.3 * math.sin(t / 3))
        points.append((x, y))
    strokes.append(_stroke(points, pressure, rng))
    if rng.random() < 0.5:
        end = points[-1][0]
        flourish = [(x0 + (end - x0) * i / 12, base + 0.1 + 0.03 * math.sin(i / 12 * math.pi)) for i in range(13)]
        strokes.append(_stroke(flourish, pressure, rng))
    return strokes


def _stroke(points: list[tuple[float, float]], pressure: bool, rng: random.Random) -> Stroke:
    if not pressure:
        return Stroke.of(points)
    start = rng.uniform(0.3, 0.5)
    return Stroke.of(points, [min(1.0, start + 0.4 * math.sin(i / len(points) * math.pi)) for i in range(len(points))])


def _content(rng: random.Random, fake: Faker, today: date) -> PlanContent:
    city = str(fake.city())
    relation = rng.choice(_RELATIONS)
    means_what, means_who = rng.choice(_MEANS)
    steps = {}
    for section, options in _BARRIERS.items():
        if rng.random() < 0.5:
            steps[section] = StepNote(rng.choice(options), rng.choice(list(Likelihood)))
    return PlanContent(
        worth_living_for=rng.choice(_WORTH),
        warning_signs=tuple(rng.sample(_WARNING_SIGNS, rng.randint(2, 4))),
        coping=tuple(rng.sample(_COPING, rng.randint(2, 4))),
        distractions=(Contact(str(fake.first_name()), _phone(fake)), Contact("", "", rng.choice(_PLACES)))[
            : rng.randint(1, 2)],
        helpers=tuple(Contact(f"{fake.first_name()} ({rng.choice(_RELATIONS)})", _phone(fake))
                      for _ in range(rng.randint(1, 3))),
        professionals=(
            Professional(str(fake.name()), "Case manager", _phone(fake), _phone(fake)),
            Professional(f"Dr. {fake.last_name()}", "Psychiatrist", _phone(fake), ""),
        )[: rng.randint(1, 2)],
        emergency_department=EmergencyDepartment(f"{city} General Hospital", str(fake.street_address()),
                                                 _phone(fake)),
        local_crisis_line=f"{city} mobile crisis team {_phone(fake)}" if rng.random() < 0.4 else "",
        means=(MeansStep(means_what, means_who.format(relation=relation),
                         today + timedelta(days=rng.randint(0, 3))),) if rng.random() < 0.75 else (),
        steps=steps,
    )


def _signatures(rng: random.Random, client_name: str, manager: str, at: datetime) -> tuple[Signature, ...]:
    if rng.random() < 0.15:
        client = verbally_agreed(SignerRole.CLIENT, client_name, at, rng.choice(_VERBAL_REASONS))
    else:
        client = drawn(SignerRole.CLIENT, client_name, at, synthetic_strokes(rng, pressure=rng.random() < 0.3))
    return client, drawn(SignerRole.CASE_MANAGER, manager, at, synthetic_strokes(rng))


def demo_safety_plan(
    rng: random.Random,
    fake: Faker,
    client_id: str,
    today: date,
    new_id: Callable[[], str],
    *,
    client_name: str = "",
    case_manager: str = "",
) -> list[SafetyPlan]:
    """A client's safety-plan versions, oldest first: one signed plan in force; in about 40% an
    older version it superseded; in about 10% a draft being written. Review dates fall both
    before and after `today`, so some plans are due for review."""
    client_name = client_name or str(fake.name())
    case_manager = case_manager or str(fake.name())
    plans: list[SafetyPlan] = []
    activated_on = today - timedelta(days=rng.randint(0, 50))
    older = rng.random() < 0.4
    if older:
        first_on = activated_on - timedelta(days=rng.randint(20, 120))
        first_at = datetime.combine(first_on, time(rng.randint(14, 22), rng.randint(0, 59)), UTC)
        plans.append(SafetyPlan(
            id=new_id(), client_id=client_id, version=1, status=PlanStatus.SUPERSEDED,
            content=_content(rng, fake, first_on), review_on=first_on + timedelta(days=30),
            signatures=_signatures(rng, client_name, case_manager, first_at), activated_at=first_at,
            copy_given_on=first_on, created_by="demo", created_at=first_at - timedelta(minutes=40),
        ))
    at = datetime.combine(activated_on, time(rng.randint(14, 22), rng.randint(0, 59)), UTC)
    content = _content(rng, fake, activated_on)
    if plans:
        previous = plans[-1]
        plans[-1] = replace(previous, superseded_at=at)
        content = replace(content, worth_living_for=previous.content.worth_living_for,
                          warning_signs=previous.content.warning_signs + content.warning_signs[:1])
    plans.append(SafetyPlan(
        id=new_id(), client_id=client_id, version=len(plans) + 1, status=PlanStatus.ACTIVE, content=content,
        review_on=activated_on + timedelta(days=rng.choice((14, 30, 30, 45))),
        signatures=_signatures(rng, client_name, case_manager, at), activated_at=at,
        copy_given_on=activated_on if rng.random() < 0.8 else None, created_by="demo",
        created_at=at - timedelta(minutes=35),
    ))
    if rng.random() < 0.1:
        draft_at = datetime.combine(today, time(15, 0), UTC)
        plans.append(SafetyPlan(
            id=new_id(), client_id=client_id, version=len(plans) + 1, status=PlanStatus.DRAFT,
            content=replace(content, coping=content.coping + (rng.choice(_COPING),)),
            review_on=today + timedelta(days=30), created_by="demo", created_at=draft_at,
        ))
    return plans


def store_demo_safety_plans(conn: Connection, plans: Sequence[SafetyPlan], by: str = "demo") -> None:
    """Write a client's versions (oldest first) inside the caller's transaction: each signed
    version is added as a draft, supersedes the one before it and is signed, as in the app."""
    repo = SafetyPlanRepository(conn)
    previous: SafetyPlan | None = None
    for plan in plans:
        created = plan.created_at or plan.activated_at or datetime.now(UTC)
        repo.add(replace(plan, status=PlanStatus.DRAFT, signatures=(), activated_at=None, superseded_at=None,
                         copy_given_on=None), created)
        if plan.status is PlanStatus.DRAFT or plan.activated_at is None:
            continue
        if previous is not None and previous.superseded_at is not None:
            repo.supersede(previous.id, plan.id, previous.superseded_at)
        repo.activate(plan.id, plan.signatures, by, plan.activated_at, plan.copy_given_on)
        previous = plan
