"""Synthetic follow-ups for demo vaults: recurring and one-off contacts, in the past (mostly
completed, some missed or cancelled, one now and then moved) and in the future (scheduled),
at most `per_client` follow-up rows per client — about 50,000 for a 2,000-client vault — written
with bulk inserts inside the caller's transaction. A few mileage entries come with the home
visits. Reproducible from the caller's random generator."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.client import Client, Stage
from app.models.follow_ups import (
    FollowUp,
    FollowUpFields,
    FollowUpType,
    MileageEntry,
    OccurrenceChange,
    Status,
)
from app.models.recurrence import Frequency, Recurrence, last_date, occurrence_starts
from app.models.timefmt import to_iso
from app.services.follow_ups import local_zone_name
from app.store.db import Connection
from app.store.follow_ups_repo import FollowUpRepository

if TYPE_CHECKING:
    from faker import Faker

DEFAULT_PER_CLIENT = 25
_QUIET = (Stage.REFERRED, Stage.SCREENING, Stage.CLOSED)
_KINDS = ((FollowUpType.HOME_VISIT, 30), (FollowUpType.PHONE, 35), (FollowUpType.OFFICE, 12),
          (FollowUpType.TELEHEALTH, 10), (FollowUpType.PLAN_REVIEW, 4), (FollowUpType.RESCREENING, 5),
          (FollowUpType.OTHER, 4))
_MINUTES = {FollowUpType.HOME_VISIT: 60, FollowUpType.PHONE: 20, FollowUpType.OFFICE: 45, FollowUpType.TELEHEALTH: 30,
            FollowUpType.PLAN_REVIEW: 60, FollowUpType.RESCREENING: 30, FollowUpType.POST_TRANSITION: 20,
            FollowUpType.OTHER: 30}
_PLACES = {FollowUpType.HOME_VISIT: ("Client's home", "Client's apartment", "Shelter visiting room"),
           FollowUpType.PHONE: ("Phone",), FollowUpType.OFFICE: ("Office, room 2", "Office"),
           FollowUpType.TELEHEALTH: ("Video call",), FollowUpType.PLAN_REVIEW: ("Office", "Client's home"),
           FollowUpType.RESCREENING: ("Office", "Phone"), FollowUpType.OTHER: ("Office",)}
_PURPOSES = ("Check in on the week", "Medication and sleep", "Rent arrears and the landlord letter",
             "Benefits form together", "Practise the coping plan", "Go over the care-plan goals",
             "Re-screen PHQ-9 and GAD-7", "Prepare for the clinic appointment", "Food bank and budget",
             "Talk about the job centre visit")
_OFFICE_PLACES = ("Office", "Clinic", "Food bank", "Pharmacy", "Benefits office")


def demo_follow_ups(conn: Connection, rng: random.Random, fake: Faker, clients: Iterable[Client], today: date,
                    new_id: Callable[[], str], *, now: datetime | None = None, actor: str = "demo",
                    per_client: int = DEFAULT_PER_CLIENT, tz: str | None = None) -> int:
    """Write the clients' follow-ups; returns how many follow-up rows (series count once)."""
    zone = tz or local_zone_name()
    stamp = to_iso(now or datetime.combine(today, time(12)))
    repo = FollowUpRepository(conn)
    kinds = [k for k, _w in _KINDS]
    weights = [w for _k, w in _KINDS]
    rows: list[FollowUp] = []
    changes: list[OccurrenceChange] = []
    miles: list[MileageEntry] = []
    written = 0

    def flush() -> None:
        repo.insert_many(rows, stamp)
        repo.put_changes(changes, stamp)
        rows.clear()
        changes.clear()

    def outcome(when: datetime) -> Status | None:
        if when.date() >= today:
            return None
        roll = rng.random()
        if roll < 0.8:
            return Status.COMPLETED
        if roll < 0.9:
            return Status.MISSED
        if roll < 0.95:
            return Status.CANCELLED
        return None  # left scheduled: overdue, waiting to be recorded

    for client in clients:
        if client.archived_at is not None:
            continue
        quiet = client.stage in _QUIET
        count = rng.randint(1, 4) if quiet else rng.randint(max(1, per_client - 10), per_client)
        begin = max(client.fields.referral_date or today - timedelta(days=365), today - timedelta(days=365))
        span = max(1, (today - begin).days)
        made = 0
        if not quiet and count > 2:  # one recurring contact, started in the last three months
            kind = rng.choice((FollowUpType.HOME_VISIT, FollowUpType.PHONE, FollowUpType.OFFICE))
            first = today - timedelta(days=rng.randint(7, 90))
            start = datetime.combine(first, time(rng.randint(9, 16), rng.choice((0, 30))))
            rec = rng.choice((Recurrence(Frequency.WEEKLY), Recurrence(Frequency.WEEKLY, interval=2),
                              Recurrence(Frequency.WEEKLY, interval=2, count=12),
                              Recurrence(Frequency.MONTHLY_BY_WEEKDAY), Recurrence(Frequency.WEEKLY, interval=8)))
            fields = FollowUpFields(kind, start, start + timedelta(minutes=_MINUTES[kind]), zone,
                                    location=rng.choice(_PLACES[kind]), purpose=rng.choice(_PURPOSES), recurrence=rec)
            series = FollowUp(new_id(), client.id, fields, last_date(rec, start), created_by=actor)
            rows.append(series)
            made += 1
            for when in occurrence_starts(rec, start, start, datetime.combine(today, time()) - timedelta(seconds=1)):
                status = outcome(when)
                if status is not None:
                    changes.append(OccurrenceChange(series.id, when, status, id=new_id()))
            upcoming = occurrence_starts(rec, start, datetime.combine(today + timedelta(days=1), time()),
                                         datetime.combine(today + timedelta(days=60), time()))
            if upcoming and rng.random() < 0.3:  # one moved by an hour or a day
                when = rng.choice(upcoming)
                shift = timedelta(hours=1) if rng.random() < 0.5 else timedelta(days=1)
                changes.append(OccurrenceChange(series.id, when, Status.SCHEDULED, when + shift,
                                                when + shift + fields.duration, id=new_id()))
        for _i in range(count - made):
            kind = rng.choices(kinds, weights)[0]
            future = rng.random() < (0.5 if quiet else 0.2)
            day = today + timedelta(days=rng.randint(0, 60)) if future else begin + timedelta(days=rng.randrange(span))
            all_day = kind is FollowUpType.OTHER and rng.random() < 0.5
            start = datetime.combine(day, time() if all_day else time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))))
            end = start if all_day else start + timedelta(minutes=_MINUTES[kind])
            fields = FollowUpFields(kind, start, end, zone, all_day, rng.choice(_PLACES[kind]), rng.choice(_PURPOSES))
            one = FollowUp(new_id(), client.id, fields, day, created_by=actor)
            rows.append(one)
            status = outcome(start)
            if status is not None:
                changes.append(OccurrenceChange(one.id, start, status, id=new_id()))
            if kind is FollowUpType.HOME_VISIT and status is Status.COMPLETED and rng.random() < 0.3:
                miles.append(MileageEntry(new_id(), day, rng.choice(_OFFICE_PLACES), "Client's home",
                                          round(rng.uniform(1.5, 25.0), 1), "Home visit", client.client_code))
        written += count
        if len(rows) >= 5000:
            flush()
    flush()
    repo.add_mileage_many(miles, stamp)
    return written
