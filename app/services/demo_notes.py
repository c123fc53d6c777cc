"""Synthetic contact notes for demo vaults: invented words, people and places, reproducible from
the caller's random generator, written fast enough for benchmark vaults of hundreds of thousands
of notes (bulk inserts through the repository; the full-text index follows by its triggers).

`demo_notes()` gives each client a history of contacts fitting their case stage — home visits,
calls, office and video visits, collateral contacts, the odd no-show — in every format, nearly all
signed, some late entries, a few with addenda, and now and then a draft still being written."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.client import Client, Stage
from app.models.notes import (
    Addendum,
    ContactType,
    ErrorMark,
    Note,
    NoteFields,
    NoteFormat,
    NoteSection,
    NoteStatus,
    error_reasons,
)
from app.store.care_plan_repo import CarePlanRepository
from app.store.db import Connection
from app.store.notes_repo import NoteRepository

if TYPE_CHECKING:
    from faker import Faker

DEFAULT_PER_CLIENT = 100  # on average over a caseload spread across the stages as demo.py spreads it
_CHUNK = 5000
_ERROR_RATE = 0.005  # signed notes later marked "entered in error" (about one client in two has one)
# How many notes a client at each stage has, relative to the average.
_STAGE_FACTOR = {
    Stage.REFERRED: 0.02, Stage.SCREENING: 0.05, Stage.ASSESSING: 0.2, Stage.STRATIFYING: 0.35, Stage.PLANNING: 0.6,
    Stage.IMPLEMENTING: 1.45, Stage.FOLLOWING_UP: 1.55, Stage.TRANSITIONING: 1.45, Stage.POST_TRANSITION: 1.25,
    Stage.EVALUATING: 1.35, Stage.CLOSED: 0.95,
}
_KINDS = ((ContactType.HOME_VISIT, 30), (ContactType.PHONE, 30), (ContactType.OFFICE, 13),
          (ContactType.TELEHEALTH, 10), (ContactType.COLLATERAL, 11), (ContactType.ATTEMPTED, 6))
_FORMATS = ((NoteFormat.SOAP, 35), (NoteFormat.DAP, 30), (NoteFormat.FREE, 25), (NoteFormat.BIRP, 10))
_MINUTES = {ContactType.HOME_VISIT: (30, 90), ContactType.PHONE: (5, 30), ContactType.OFFICE: (30, 60),
            ContactType.TELEHEALTH: (20, 50), ContactType.COLLATERAL: (10, 30), ContactType.ATTEMPTED: (0, 15)}
_LOCATIONS = {ContactType.HOME_VISIT: ("Client's home", "Client's apartment", "Outside the client's building"),
              ContactType.PHONE: ("Phone",), ContactType.OFFICE: ("Office, room 2", "Office"),
              ContactType.TELEHEALTH: ("Video call",), ContactType.COLLATERAL: ("Phone", "Office", "Clinic"),
              ContactType.ATTEMPTED: ("Client's home", "Phone", "Office")}
_RELATIONS = ("sister", "brother", "mother", "father", "daughter", "son", "partner", "neighbour", "friend")
_PROVIDERS = ("psychiatrist", "primary care nurse", "housing worker", "probation officer", "landlord",
              "pharmacist", "peer support worker", "benefits adviser", "school counsellor")
_MEDS = ("sertraline", "escitalopram", "lithium", "aripiprazole", "naltrexone", "prazosin", "quetiapine")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_PLACES = ("the food bank", "the library", "the community centre", "the pharmacy", "the benefits office",
           "the clinic", "the peer support group", "the job centre", "the church hall", "the park")
_SUBJECTIVE = (
    "Says {pron} slept better this week, about six hours most nights.", "Reports feeling low since the weekend.",
    "Worried about the rent; the landlord called again.", "Says the {med} is helping but {pron} feels tired.",
    "\"I just want to keep my flat,\" in {pos} words.", "Talked about missing {pos} {rel}.",
    "Reports two nights of drinking this week, fewer than last week.", "Says {pron} went to {place} on {day}.",
    "Anxious about the court date next month.", "Says the voices are quieter since the dose changed.",
    "Feels the benefits forms are too much to face alone.", "Happy about a visit from {pos} {rel} {name}.",
    "Says {pron} has not been eating much.", "Reports a panic attack on the bus on {day}.",
    "Proud of cooking a meal for {pos} {rel}.", "Says nobody listens at the clinic.",
)
_OBJECTIVE = (
    "Kitchen clean; food in the fridge.", "Appeared tired, good eye contact, speech normal.",
    "PHQ-9 given today, score {score}.", "Medication blister pack up to date.", "Flat cold; heating not on.",
    "Arrived on time, dressed for the weather.", "Tearful at times; calmer by the end of the visit.",
    "Eviction notice seen, dated last week.", "Letter from the benefits office reviewed together.",
    "Mail unopened on the table.", "Smelled of alcohol; speech clear.", "Sleep diary kept for five of seven days.",
)
_ASSESSMENT = (
    "Mood improving; goal of keeping the tenancy on track.", "Risk unchanged; safety plan still fits.",
    "Housing at risk; needs support with the arrears.", "Making progress on the food goal.",
    "Engaging well; motivated to return to work.", "Isolation remains the main concern.",
    "Medication adherence better than last month.", "Drinking is down; relapse risk around paydays.",
    "Anxiety limits getting to appointments.", "No thoughts of self-harm reported; protective factors strong.",
)
_PLAN = (
    "Home visit next {day} at {hour}.", "Call on {day} to check on the appointment.",
    "Referral to {place}; client agreed.", "Help complete the benefits form next visit.",
    "Speak with the {provider} about the {med} dose.", "Client to keep the sleep diary.",
    "Go with the client to {place} on {day}.", "Review the safety plan at the next visit.",
    "Ask the {provider} for a letter about the arrears.", "Next contact in one week.",
)
_BEHAVIOUR = (
    "Calm and chatty; made tea for us both.", "Quiet, answered in few words.", "Restless; paced during the visit.",
    "Tearful when talking about {pos} {rel}.", "Irritable at first, settled after ten minutes.",
    "Well groomed; engaged throughout.",
)
_INTERVENTION = (
    "Practised a breathing exercise together.", "Went through the budget line by line.",
    "Called the {provider} with the client on speaker.", "Problem-solving around getting to {place}.",
    "Reviewed the safety plan and the crisis line number.", "Motivational interviewing around drinking.",
    "Helped write a letter to the landlord.", "Role-played phoning the clinic.",
)
_RESPONSE = (
    "Used the breathing exercise and said it helped.", "Agreed to try it before the next visit.",
    "Said it felt good to have a plan.", "Was not ready to discuss it today.",
    "Made the call {themself} at the end.", "Asked for a copy to keep on the fridge.",
)
_COLLATERAL = (
    "Spoke with the {provider} about the client's appointments.", "Call from the client's {rel}, worried about sleep.",
    "The {provider} confirmed the referral was received.", "Left a message for the {provider} about the {med}.",
    "Landlord agreed to a payment plan if the client pays by {day}.",
)
_ATTEMPTED = (
    "No answer at the door; left a card with the next date.", "Called twice; voicemail full.",
    "Client did not come to the office appointment.", "Text sent; no reply yet.",
    "Neighbour said the client is staying with {pos} {rel} this week.",
)
_ADDENDA = (
    "Client called back: {day} confirmed.", "Correction: the appointment is at {hour}, not earlier.",
    "The {provider} returned the call; the referral is in place.", "Score entered in the screening record.",
    "Letter from the landlord arrived; copy scanned.", "Spoke with the {rel} as agreed; no new concerns.",
)


class _Writer:
    """Sentences from the banks above, with the gaps filled; fast (no faker per note)."""

    def __init__(self, rng: random.Random, names: Sequence[str]) -> None:
        self.rng = rng
        self.names = names

    def fill(self, template: str, pronoun: str) -> str:
        rng = self.rng
        pos = {"she": "her", "he": "his", "they": "their"}[pronoun]
        themself = {"she": "herself", "he": "himself", "they": "themself"}[pronoun]
        if "{" not in template:
            return template
        return template.format(pron=pronoun, pos=pos, themself=themself, rel=rng.choice(_RELATIONS),
                               name=rng.choice(self.names), med=rng.choice(_MEDS), day=rng.choice(_DAYS),
                               place=rng.choice(_PLACES), provider=rng.choice(_PROVIDERS),
                               score=rng.randint(3, 22), hour=f"{rng.randint(9, 16)}:{rng.choice(('00', '30'))}")

    def text(self, bank: Sequence[str], pronoun: str, low: int = 1, high: int = 3) -> str:
        return " ".join(self.fill(t, pronoun) for t in self.rng.sample(bank, self.rng.randint(low, high)))

    def sections(self, fmt: NoteFormat, kind: ContactType, pronoun: str) -> dict[NoteSection, str]:
        if kind is ContactType.ATTEMPTED:
            first = self.text(_ATTEMPTED, pronoun, 1, 2)
        elif kind is ContactType.COLLATERAL:
            first = self.text(_COLLATERAL, pronoun, 1, 2)
        else:
            first = ""
        if fmt is NoteFormat.FREE:
            body = first or " ".join(t for t in (self.text(_SUBJECTIVE, pronoun, 1, 2), self.text(_OBJECTIVE, pronoun, 0, 1),
                                                 self.text(_ASSESSMENT, pronoun, 0, 1)) if t)
            return {NoteSection.NOTE: f"{body.strip()}\n{self.text(_PLAN, pronoun, 1, 2)}"}
        plan = self.text(_PLAN, pronoun, 1, 2)
        if fmt is NoteFormat.SOAP:
            return {NoteSection.SUBJECTIVE: first or self.text(_SUBJECTIVE, pronoun),
                    NoteSection.OBJECTIVE: self.text(_OBJECTIVE, pronoun, 1, 2),
                    NoteSection.ASSESSMENT: self.text(_ASSESSMENT, pronoun, 1, 2), NoteSection.PLAN: plan}
        if fmt is NoteFormat.DAP:
            data = first or f"{self.text(_SUBJECTIVE, pronoun)} {self.text(_OBJECTIVE, pronoun, 1, 2)}"
            return {NoteSection.DATA: data, NoteSection.ASSESSMENT: self.text(_ASSESSMENT, pronoun, 1, 2),
                    NoteSection.PLAN: plan}
        return {NoteSection.BEHAVIOUR: first or self.text(_BEHAVIOUR, pronoun, 1, 2),
                NoteSection.INTERVENTION: self.text(_INTERVENTION, pronoun, 1, 2),
                NoteSection.RESPONSE: self.text(_RESPONSE, pronoun, 1, 2), NoteSection.PLAN: plan}


def _pronoun(client: Client) -> str:
    return {"she/her": "she", "he/him": "he"}.get(client.fields.pronouns, "they")


def _counts(rng: random.Random, clients: Sequence[Client], per_client: float, total: int | None) -> list[int]:
    weights = [_STAGE_FACTOR.get(c.stage, 1.0) * rng.uniform(0.4, 1.6) for c in clients]
    if total is None:
        return [round(per_client * w / 1.04) for w in weights]
    whole = sum(weights) or 1.0
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def demo_notes(conn: Connection, rng: random.Random, fake: Faker, clients: Iterable[Client], today: date,
               new_id: Callable[[], str], *, per_client: float = DEFAULT_PER_CLIENT, total: int | None = None,
               actor: str = "demo") -> int:
    """Write the clients' contact notes inside the caller's transaction; returns how many notes.

    Each client gets about `per_client` notes scaled by their stage (none to a few while referred
    or screening, most while services are under way), dated between their referral and `today`;
    with `total`, exactly that many notes are shared out the same way. Notes written while a signed
    care plan is in force mostly record the goals they worked on (for plan-versus-actual)."""
    people = list(clients)
    if not people:
        return 0
    names = [str(fake.first_name()) for _ in range(60)]
    writer = _Writer(rng, names)
    plans = CarePlanRepository(conn)
    repo = NoteRepository(conn)
    notes: list[Note] = []
    addenda: list[tuple[Addendum, str]] = []
    errors: list[tuple[str, ErrorMark]] = []
    written = 0
    kinds = [k for k, _w in _KINDS]
    kind_weights = [w for _k, w in _KINDS]
    formats = [f for f, _w in _FORMATS]
    format_weights = [w for _f, w in _FORMATS]
    for client, count in zip(people, _counts(rng, people, per_client, total), strict=True):
        if count <= 0:
            continue
        pronoun = _pronoun(client)
        start = client.fields.referral_date or today - timedelta(days=365)
        end = today if client.archived_at is None else min(today, client.archived_at.date())
        if client.stage is Stage.CLOSED:
            end = min(end, today - timedelta(days=rng.randint(14, 180)))
        span = max(1, (end - start).days)
        usual_format = rng.choices(formats, format_weights)[0]
        plan_goals = _plan_goals(plans, client.id)
        goal_rng = random.Random(client.id)  # its own stream: the rest of the demo stays as it was
        error_rng = random.Random(f"{client.id}:errors")  # likewise
        offsets = sorted(rng.randrange(span + 1) for _ in range(count))
        for number, offset in enumerate(offsets):
            on = start + timedelta(days=offset)
            kind = rng.choices(kinds, kind_weights)[0]
            fmt = usual_format if rng.random() < 0.85 else rng.choices(formats, format_weights)[0]
            starts = time(rng.randint(8, 17), rng.choice((0, 15, 30, 45)))
            low, high = _MINUTES[kind]
            participants: tuple[str, ...] = ("Client",) if kind is not ContactType.COLLATERAL else (
                f"{rng.choice(names)} ({rng.choice(_PROVIDERS + _RELATIONS)})",)
            if kind is ContactType.HOME_VISIT and rng.random() < 0.2:
                participants += (f"{rng.choice(names)} ({rng.choice(_RELATIONS)})",)
            goal_ids: tuple[str, ...] = ()
            if plan_goals is not None and on >= plan_goals[0] and goal_rng.random() < 0.7:
                goal_ids = tuple(goal_rng.sample(plan_goals[1], min(len(plan_goals[1]), goal_rng.choice((1, 1, 2)))))
            fields = NoteFields(kind, on, starts, rng.randint(low, high) // 5 * 5, rng.choice(_LOCATIONS[kind]),
                                participants, goal_ids, fmt, writer.sections(fmt, kind, pronoun))
            contact = datetime.combine(on, starts, UTC)
            late = rng.random() < 0.06
            if late:
                created = contact + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
            else:
                created = contact + timedelta(minutes=rng.randint(high, high + 240))
            latest = number == count - 1
            draft = latest and end == today and rng.random() < 0.08
            signed_at = None if draft else created + timedelta(minutes=rng.randint(5, 40))
            note = Note(new_id(), client.id, fields, NoteStatus.DRAFT if draft else NoteStatus.SIGNED,
                        late_entry=late and not draft, created_at=created, created_by=actor,
                        updated_at=signed_at or created, signed_at=signed_at, signed_by=actor if signed_at else "")
            notes.append(note)
            if signed_at is not None and rng.random() < 0.04:
                when = signed_at + timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 8))
                addenda.append((Addendum(new_id(), note.id, writer.fill(rng.choice(_ADDENDA), pronoun), when, actor), client.id))
            if signed_at is not None and error_rng.random() < _ERROR_RATE:
                marked = min(datetime.combine(today, time(12), UTC), signed_at + timedelta(days=error_rng.randint(0, 3)))
                errors.append((note.id, ErrorMark(error_rng.choice(error_reasons()), marked, actor)))
            if len(notes) >= _CHUNK:
                written += _flush(repo, notes, addenda, errors)
    return written + _flush(repo, notes, addenda, errors)


def _plan_goals(plans: CarePlanRepository, client_id: str) -> tuple[date, tuple[str, ...]] | None:
    """From when the client's signed plan is in force, and its goals' ids; None without one."""
    plan = plans.in_force(client_id)
    if plan is None or plan.start_on is None:
        return None
    goals = tuple(g.id for g in plan.document.goals())
    return (plan.start_on, goals) if goals else None


def _flush(repo: NoteRepository, notes: list[Note], addenda: list[tuple[Addendum, str]],
           errors: list[tuple[str, ErrorMark]]) -> int:
    count = repo.add_many(notes, notes[0].created_at or datetime.now(UTC)) if notes else 0
    if addenda:
        repo.add_addenda(addenda)
    for note_id, mark in errors:
        repo.mark_error(note_id, mark)
    notes.clear()
    addenda.clear()
    errors.clear()
    return count
