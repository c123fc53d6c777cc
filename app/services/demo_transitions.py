"""Synthetic transitions and post-transition check-ins for demo vaults, matching each client's
case stage: recent transitions with check-ins still to do (transitioning), check-ins partly done
and some overdue (post-transition), all done and ready to close (evaluating), closed cases (a
discharge closed after its check-ins, or a closure on its own), and, for some clients back in
active care, an earlier transition that ended in re-engagement. Written with bulk inserts inside
the caller's transaction; reproducible from the caller's random generator."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.client import Client, Stage
from app.models.contacts import ContactKind
from app.models.transitions import (
    DEFAULT_CHECK_IN_DAYS,
    Barrier,
    CheckIn,
    CheckInOutcome,
    ChecklistItem,
    Handoff,
    HandoffMethod,
    Medication,
    Transition,
    TransitionFields,
    TransitionKind,
    TransitionStatus,
    check_in_schedule,
    kind_for,
)
from app.store.contacts_repo import ContactRepository
from app.store.db import Connection
from app.store.transitions_repo import TransitionRepository

if TYPE_CHECKING:
    from faker import Faker

_ACTIVE = (Stage.STRATIFYING, Stage.PLANNING, Stage.IMPLEMENTING, Stage.FOLLOWING_UP)
_MOVES = (("intensive", "standard", 5), ("standard", "maintenance", 6), ("intensive", "maintenance", 2),
          ("maintenance", "intensive", 2), ("standard", "intensive", 3), ("standard", "inpatient", 2),
          ("inpatient", "intensive", 4), ("maintenance", "discharged", 3), ("standard", "transferred", 2))
_REASONS = {
    "standard": ("Symptoms settled; PHQ-9 under 10 for two months", "Goals mostly met; wants fewer visits"),
    "maintenance": ("Stable for three months and working part-time", "Care plan goals achieved; client's choice"),
    "intensive": ("Relapse after losing housing", "Stopped medication; sleep and mood worse", "Discharged from "
                  "hospital; needs close support for the first weeks"),
    "inpatient": ("Admitted after a crisis at home", "Voluntary admission for medication change"),
    "discharged": ("Goals met; client ready to manage with the GP", "Client moved to self-management"),
    "transferred": ("Moved to another county; transferred to the local CMHC", "Needs an ACT team; transferred"),
}
_MEDICATIONS = (("Sertraline", "100 mg every morning"), ("Quetiapine", "50 mg at night"),
                ("Lithium carbonate", "400 mg twice a day"), ("Mirtazapine", "15 mg at night"),
                ("Aripiprazole", "10 mg daily"), ("Buprenorphine/naloxone", "8/2 mg daily"),
                ("Propranolol", "10 mg when anxious, up to 3 a day"))
_MED_NOTES = ("", "", "says she misses some doses", "from the discharge letter", "client unsure of the dose")
_APPOINTMENTS = ("Psychiatry review at Riverside CMHC", "GP appointment for bloods", "Housing panel interview",
                 "First session with the new therapist", "Pharmacy medication review")
_REFERRALS = ("Peer support group — waiting list", "Supported employment — sent", "Benefits advice — accepted",
              "Food bank registration — sent")
_PREFERENCES = ("Prefers text messages in the morning; Spanish-speaking clinician if possible",
                "Wants her sister told about appointments", "Phone calls after 4 pm; no home visits",
                "Prefers a male clinician; needs step-free access")
_INFORMATION = ("Crisis numbers, the new clinic's address and a copy of the safety plan",
                "Medication list and the appointment letter", "How to reach us in the next 90 days")
_SERVICES = ("Home visits weekly, care coordination, benefits support, safety planning",
             "Phone check-ins, housing advocacy, help with appointments",
             "Intensive case management, crisis planning, medication support")
_CONDITIONS = ("Mood improved, sleeping better; no current suicidal thoughts", "Stable, engaged, hopeful about work",
               "Still low at times but coping; knows the crisis plan", "Unsettled after the move; agreed to check-ins")
_CLOSURES = ("Check-ins done; engaged with the new provider", "Moved out of the area", "Declined further services",
             "Goals achieved; discharged to the GP")
_REENGAGE = ("Not engaged with the new provider; back to weekly contact", "ED visit two weeks after the step-down",
             "Lost housing; asked for more support")
_CHECK_IN_NOTES = ("Settling in with the new team", "Left a voicemail; texted the crisis numbers",
                   "Provider confirms first appointment kept", "Going well; sleeping better", "")


def demo_transitions(conn: Connection, rng: random.Random, fake: Faker, clients: Iterable[Client], today: date,
                     new_id: Callable[[], str], *, now: datetime, actor: str = "demo") -> int:
    """Write transitions and check-ins for the clients whose stage calls for them; returns how
    many transitions were written."""
    contacts = ContactRepository(conn)
    providers = [c for c in contacts.all() if c.kind is not ContactKind.NATURAL_SUPPORT]
    transitions: list[Transition] = []
    check_ins: list[CheckIn] = []
    stamp = now

    def receiving(client_id: str) -> tuple[str | None, str]:
        """The receiving provider (from the client's care team when it has one) and the person
        the handoff was made with."""
        team = [m.contact for m in contacts.team(client_id) if m.contact.kind is not ContactKind.NATURAL_SUPPORT]
        pool = team or providers
        if not pool or rng.random() < 0.1:
            return None, ""
        chosen = rng.choice(pool)
        if chosen.kind is ContactKind.ORGANISATION:
            return chosen.id, f"{fake.name()}, intake worker"
        return chosen.id, chosen.name

    def fields_for(client_id: str, on: date, move: tuple[str, str] | None = None) -> TransitionFields:
        before, after = move or _pick_move(rng)
        contact_id, contact_name = receiving(client_id)
        meds = tuple(Medication(name, dose, rng.choice(_MED_NOTES))
                     for name, dose in rng.sample(_MEDICATIONS, rng.randint(0, 3)))
        handoff = Handoff()
        if contact_id is not None and rng.random() < 0.8:
            handoff = Handoff(contact_name, on - timedelta(days=rng.randint(0, 5)), rng.choice(list(HandoffMethod)),
                              rng.choice(("Introduced the client by phone; intake booked", "Joint visit at the clinic",
                                          "Sent the summary with the client's consent")))
        ticked = frozenset(item for item in ChecklistItem if rng.random() < 0.8)
        return TransitionFields(
            kind=kind_for(after), from_level=before, to_level=after, on=on, reason=rng.choice(_REASONS[after]),
            receiving_contact_id=contact_id, handoff=handoff, medications=meds,
            pending_appointments=tuple(f"{(on + timedelta(days=rng.randint(3, 30))).isoformat()} — {a}"
                                       for a in rng.sample(_APPOINTMENTS, rng.randint(0, 2))),
            pending_referrals=tuple(rng.sample(_REFERRALS, rng.randint(0, 2))),
            crisis_plan="988 Suicide & Crisis Lifeline — call or text 988\nCounty mobile crisis team (555) 010-7000",
            preferences=rng.choice(_PREFERENCES), information_given=rng.choice(_INFORMATION),
            services_provided=rng.choice(_SERVICES), condition=rng.choice(_CONDITIONS), checklist=ticked,
        )

    def outcome(due: date, *, worrying: bool = False) -> CheckInOutcome:
        done_on = min(today, due + timedelta(days=rng.choice((0, 0, 0, 1, 2))))
        if not worrying and rng.random() < 0.12:
            return CheckInOutcome(done_on, False, barriers=(rng.choice((Barrier.NO_PHONE, Barrier.HOUSING)),),
                                  note=rng.choice(_CHECK_IN_NOTES))
        engaged = not worrying and rng.random() < 0.9
        return CheckInOutcome(
            done_on, True, engaged=engaged, visit_7=engaged if rng.random() < 0.8 else None,
            visit_30=engaged or (rng.random() < 0.3 if not worrying else False),
            readmitted_or_ed=worrying and rng.random() < 0.6,
            barriers=() if engaged else tuple(rng.sample(list(Barrier), rng.randint(1, 2))),
            note=rng.choice(_CHECK_IN_NOTES))

    def plan(t: Transition, done_before: date | None, *, done_share: float = 1.0, worrying_at: int | None = None
             ) -> None:
        f = t.fields
        assert f.on is not None
        for due, offset, party in check_in_schedule(f.on, DEFAULT_CHECK_IN_DAYS, f.receiving_contact_id is not None):
            result = None
            if done_before is not None and due < done_before and rng.random() < done_share:
                result = outcome(due, worrying=worrying_at is not None and offset >= worrying_at)
            done_at = datetime.combine(result.done_on, time(15)) if result and result.done_on else None
            check_ins.append(CheckIn(new_id(), t.id, t.client_id, due, offset, party, None, result, done_at,
                                     actor if result else ""))

    for client in clients:
        stage = client.stage
        if stage is Stage.TRANSITIONING:
            t = Transition(new_id(), client.id, fields_for(client.id, today - timedelta(days=rng.randint(0, 6))),
                           created_by=actor)
            plan(t, None)
        elif stage is Stage.POST_TRANSITION:
            t = Transition(new_id(), client.id, fields_for(client.id, today - timedelta(days=rng.randint(8, 100))),
                           created_by=actor)
            plan(t, today, done_share=0.85)
        elif stage is Stage.EVALUATING:
            t = Transition(new_id(), client.id, fields_for(client.id, today - timedelta(days=rng.randint(95, 200))),
                           created_by=actor)
            plan(t, today)
        elif stage is Stage.CLOSED:
            on = today - timedelta(days=rng.randint(100, 300))
            if rng.random() < 0.65:
                move = rng.choice((("maintenance", "discharged"), ("standard", "transferred")))
                ended = on + timedelta(days=rng.randint(91, 99))
                t = Transition(new_id(), client.id, fields_for(client.id, on, move), TransitionStatus.CLOSED, ended,
                               rng.choice(_CLOSURES), created_by=actor)
                plan(t, ended)
            else:
                closure = TransitionFields(TransitionKind.CLOSURE, rng.choice(("standard", "maintenance")), "", on,
                                           rng.choice(_CLOSURES[1:3]))
                t = Transition(new_id(), client.id, closure, TransitionStatus.CLOSED, on, closure.reason,
                               created_by=actor)
        elif stage in _ACTIVE and rng.random() < 0.12:
            on = today - timedelta(days=rng.randint(60, 300))
            ended = on + timedelta(days=rng.randint(20, 45))
            move = rng.choice((("intensive", "standard"), ("standard", "maintenance"), ("inpatient", "standard")))
            t = Transition(new_id(), client.id, fields_for(client.id, on, move), TransitionStatus.REENGAGED, ended,
                           reengage_note=rng.choice(_REENGAGE), created_by=actor)
            plan(t, ended, worrying_at=7)
        else:
            continue
        transitions.append(t)
    repo = TransitionRepository(conn)
    repo.insert_many(transitions, stamp)
    repo.add_check_ins(check_ins, stamp)
    return len(transitions)


def _pick_move(rng: random.Random) -> tuple[str, str]:
    before, after, _w = rng.choices(_MOVES, weights=[w for _b, _a, w in _MOVES])[0]
    return before, after
