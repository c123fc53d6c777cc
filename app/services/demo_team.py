"""Synthetic care teams and referrals out for demo vaults: a practice directory of invented
providers and organisations, each client's team (with a family member or friend for many), and
referrals in every status with their histories — some overdue, some members quiet too long.

Everything is invented (faker, 555 numbers, example.org addresses, NPIs made up with a valid check
digit). Reproducible from the caller's random generator; written in the caller's transaction
through the repositories, in batches, so thousands of clients take well under a second."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from app.models.client import Client, Stage
from app.models.contacts import (
    Contact,
    ContactFields,
    ContactKind,
    MemberFields,
    Release,
    npi_check_digit,
)
from app.models.screening import Urgency
from app.models.service_referral import (
    FINAL,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralFields,
    StatusChange,
    default_due_on,
)
from app.store.contacts_repo import ContactRepository
from app.store.db import Connection
from app.store.service_referrals_repo import ServiceReferralRepository

if TYPE_CHECKING:
    from faker import Faker

S = ReferralStatus
# (type of service, organisation name patterns, the services it takes referrals for, has an NPI)
_ORGANISATIONS = [
    ("Community mental health", ["{city} Community Mental Health Center", "{last} Behavioral Health"],
     ["Outpatient psychiatry", "Therapy or counselling", "Intensive outpatient programme"], True),
    ("Primary care clinic", ["{city} Family Health Clinic", "{last} Medical Group"], ["Primary care"], True),
    ("Supported housing", ["{city} Housing Authority", "{last} House Supported Living"], ["Supported housing"], False),
    ("Shelter", ["{city} Rescue Mission", "Safe Harbor Shelter of {city}"], ["Emergency shelter"], False),
    ("Substance use treatment", ["{city} Recovery Center", "New Dawn Treatment Services"],
     ["Substance use treatment"], True),
    ("Food pantry", ["{city} Food Bank", "St. {last} Community Pantry"], ["Food assistance"], False),
    ("Legal aid", ["{city} Legal Aid Society"], ["Legal aid"], False),
    ("Benefits office", ["County Benefits Office, {city}"], ["Benefits advice"], False),
    ("Peer support", ["{city} Peer Recovery Network"], ["Peer support"], False),
    ("Vocational services", ["{last} Works Employment Services"], ["Vocational services"], False),
]
# (role, weight, title, type of organisation they work at, has an NPI)
_ROLES = [
    ("Psychiatrist", 14, "Dr", "Community mental health", True),
    ("Primary care physician", 14, "Dr", "Primary care clinic", True),
    ("Nurse practitioner", 6, "", "Primary care clinic", True),
    ("Therapist (LCSW)", 12, "", "Community mental health", True),
    ("Psychologist", 4, "Dr", "Community mental health", True),
    ("Peer support specialist", 6, "", "Peer support", False),
    ("Housing case worker", 10, "", "Supported housing", False),
    ("Pharmacist", 4, "", "Primary care clinic", True),
    ("Probation officer", 3, "", "", False),
    ("Benefits advisor", 4, "", "Benefits office", False),
    ("Vocational counsellor", 3, "", "Vocational services", False),
]
# (relationship, usually shares the client's family name, "f" / "m" / "" for the names to draw from)
_RELATIONS = [("Mother", True, "f"), ("Father", True, "m"), ("Sister", True, "f"), ("Brother", True, "m"),
              ("Partner", False, ""), ("Daughter", True, "f"), ("Son", True, "m"), ("Friend", False, ""),
              ("Neighbour", False, ""), ("Aunt", True, "f"), ("Cousin", True, ""), ("Sponsor", False, "")]
_REASONS = {
    "Outpatient psychiatry": ["Medication review; sleep worse since the spring", "Needs a prescriber after moving"],
    "Therapy or counselling": ["Wants weekly talking therapy for grief", "Trauma-focused therapy, client asked"],
    "Intensive outpatient programme": ["Step-up after two ED visits this quarter"],
    "Primary care": ["No GP for two years; blood pressure unchecked", "Diabetes follow-up overdue"],
    "Supported housing": ["Two months behind on rent; eviction notice", "Staying on a friend's couch since May"],
    "Emergency shelter": ["Sleeping in the car; needs a bed tonight"],
    "Substance use treatment": ["Asked for help cutting down drinking", "Withdrawal support before detox"],
    "Food assistance": ["Runs out of food the last week of each month"],
    "Legal aid": ["Disputed eviction; hearing next month", "Help with a benefits appeal"],
    "Benefits advice": ["SSI application stalled", "Check eligibility for SNAP and Medicaid"],
    "Peer support": ["Would like someone with lived experience to talk to"],
    "Vocational services": ["Wants to get back to work part time"],
}
_OUTCOMES = {
    S.COMPLETED: ["Seen; plan agreed with the client", "Moved in; keys handed over", "Enrolled; attends weekly"],
    S.DECLINED: ["Service full; wait-list closed", "Client decided not to go ahead", "Outside their area"],
    S.NO_SHOW: ["Client missed the intake; two calls unanswered"],
    S.CANCELLED: ["No longer needed: need met elsewhere", "Sent to the wrong service by mistake"],
}
# How a referral reaches each status, and how often each is the one it has now.
_PATHS = {S.DRAFT: [], S.SENT: [S.SENT], S.ACCEPTED: [S.SENT, S.ACCEPTED], S.SCHEDULED: [S.SENT, S.SCHEDULED],
          S.COMPLETED: [S.SENT, S.ACCEPTED, S.SCHEDULED, S.COMPLETED], S.DECLINED: [S.SENT, S.DECLINED],
          S.NO_SHOW: [S.SENT, S.SCHEDULED, S.NO_SHOW], S.CANCELLED: [S.SENT, S.CANCELLED]}
_STATUS_WEIGHTS = {S.DRAFT: 5, S.SENT: 16, S.ACCEPTED: 10, S.SCHEDULED: 14, S.COMPLETED: 30, S.DECLINED: 8,
                   S.NO_SHOW: 7, S.CANCELLED: 10}
_STATUSES = list(_STATUS_WEIGHTS)
_STATUS_CUMULATIVE = list(accumulate(_STATUS_WEIGHTS.values()))
_URGENCIES = list(Urgency)
_NO_TEAM = {Stage.REFERRED, Stage.SCREENING}
_NO_REFERRALS = {Stage.REFERRED, Stage.SCREENING, Stage.ASSESSING, Stage.STRATIFYING}


@dataclass(frozen=True, slots=True)
class DemoTeams:
    contacts: int
    members: int
    referrals: int


def _phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) 555-{rng.randrange(10000):04d}"


def _npi(rng: random.Random, first: str) -> str:
    nine = first + "".join(rng.choice("0123456789") for _ in range(8))
    return nine + npi_check_digit(nine)


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:14] or "clinic"


def _directory(rng: random.Random, fake: Faker, clients: int, new_id: Callable[[], str]) -> list[Contact]:
    """Organisations of every type, then professionals who mostly work at one of them."""
    contacts: list[Contact] = []
    by_type: dict[str, list[Contact]] = {}
    per_type = max(1, min(6, 1 + clients // 400))
    for kind, patterns, _services, has_npi in _ORGANISATIONS:
        for _n in range(per_type):
            name = rng.choice(patterns).format(city=fake.city(), last=fake.last_name())
            org = Contact(new_id(), ContactFields(
                ContactKind.ORGANISATION, name, role=kind, phone=_phone(rng), fax=_phone(rng) if has_npi else "",
                email=f"referrals@{_slug(name)}.example.org", address_line1=str(fake.street_address()),
                city=str(fake.city()), region=str(fake.state_abbr()), postal_code=str(fake.postcode()),
                npi=_npi(rng, "2") if has_npi else "",
                notes=rng.choice(["", "", "Referrals by fax; call to confirm receipt", "Intake line open 9-12"])))
            contacts.append(org)
            by_type.setdefault(kind, []).append(org)
    roles, weights = [r[0] for r in _ROLES], [r[1] for r in _ROLES]
    details = {r[0]: r for r in _ROLES}
    for _n in range(min(400, 30 + clients // 8)):
        role = rng.choices(roles, weights)[0]
        _role, _weight, title, workplace, has_npi = details[role]
        first, last = str(fake.first_name()), str(fake.last_name())
        place: Contact | None = rng.choice(by_type[workplace]) if workplace in by_type else None
        contacts.append(Contact(new_id(), ContactFields(
            ContactKind.PROFESSIONAL, f"{title} {first} {last}".strip(), role=role,
            organisation=place.name if place else "", phone=place.fields.phone if place else _phone(rng),
            phone_alt=_phone(rng) if rng.random() < 0.4 else "", fax=place.fields.fax if place else "",
            email=f"{first[:1].lower()}.{_slug(last)}@{_slug(place.name if place else 'county')}.example.org",
            address_line1=place.fields.address_line1 if place else "", city=place.fields.city if place else "",
            region=place.fields.region if place else "", postal_code=place.fields.postal_code if place else "",
            npi=_npi(rng, "1") if has_npi else "")))
    return contacts


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def demo_care_teams(conn: Connection, rng: random.Random, fake: Faker, clients: Sequence[Client], today: date,
                    new_id: Callable[[], str], *, actor: str = "demo", now: datetime | None = None) -> DemoTeams:
    """Write the directory, the clients' care teams and their referrals out inside the caller's
    transaction; returns how many of each. Clients still being referred or screened have no team
    yet; referrals start once a client is being planned for."""
    now = now or datetime.combine(today, time(12), UTC)
    directory = _directory(rng, fake, len(clients), new_id)
    archived = {c.id for c in rng.sample(directory, len(directory) // 25)}
    directory = [Contact(c.id, c.fields, archived_at=now) if c.id in archived else c for c in directory]
    active = [c for c in directory if c.id not in archived]
    professionals = [c for c in active if c.kind is ContactKind.PROFESSIONAL]
    organisations = [c for c in active if c.kind is ContactKind.ORGANISATION]
    by_service: dict[str, list[Contact]] = {}
    for kind, _patterns, services, _has_npi in _ORGANISATIONS:
        for service in services:
            by_service[service] = [o for o in organisations if o.fields.role == kind]
    supports: list[Contact] = []
    members: list[tuple[str, str, str, MemberFields, date]] = []
    referrals: list[ServiceReferral] = []
    events: list[StatusChange] = []
    releases, release_weights = [Release.YES, Release.UNKNOWN, Release.NO], [55, 85, 100]  # cumulative
    # Faker is slow per call: names for natural supports come from a pool drawn once.
    first_names = {"f": [str(fake.first_name_female()) for _ in range(100)],
                   "m": [str(fake.first_name_male()) for _ in range(100)]}
    first_names[""] = first_names["f"] + first_names["m"]
    last_names = [str(fake.last_name()) for _ in range(200)]
    for client in clients:
        if client.stage in _NO_TEAM:
            continue
        start = client.fields.referral_date or today - timedelta(days=180)
        open_case = client.stage is not Stage.CLOSED and client.archived_at is None
        team = rng.sample(professionals, min(len(professionals), rng.choice((1, 2, 2, 3, 3, 4))))
        if rng.random() < 0.3 and organisations:
            team.append(rng.choice(organisations))
        if rng.random() < 0.45:
            relation, family, names = rng.choice(_RELATIONS)
            last = client.fields.last_name if family and rng.random() < 0.7 else rng.choice(last_names)
            first = rng.choice(first_names[names])
            support = Contact(new_id(), ContactFields(ContactKind.NATURAL_SUPPORT, f"{first} {last}",
                                                      role=relation, phone=_phone(rng)))
            supports.append(support)
            team.append(support)
        for contact in team:
            added = _day(rng, start, start + timedelta(days=60))
            added = min(added, today)
            last_contact: date | None
            if rng.random() < 0.06 and open_case:
                last_contact = today - timedelta(days=rng.randint(31, 80))  # quiet too long
            else:
                last_contact = today - timedelta(days=rng.randint(0, 27))
            if (today - added).days < 25 and rng.random() < 0.5:
                last_contact = None  # joined lately; nobody has been in touch yet
            if last_contact is not None and last_contact < added:
                last_contact = added
            role = "Prescriber" if contact.fields.role == "Psychiatrist" and rng.random() < 0.2 else ""
            members.append((new_id(), client.id, contact.id,
                            MemberFields(role, rng.choices(releases, cum_weights=release_weights)[0], last_contact), added))
        if client.stage in _NO_REFERRALS:
            continue
        for _n in range(rng.choices((0, 1, 2, 3), cum_weights=(25, 65, 90, 100))[0]):
            _referral(rng, client, today, start, by_service, professionals, new_id, actor, referrals, events,
                      open_case)
    ContactRepository(conn).add_many([*directory, *supports], now)
    ContactRepository(conn).add_members(members, now)
    referral_repo = ServiceReferralRepository(conn)
    referral_repo.add_many(referrals, now)
    referral_repo.add_events(events, now)
    return DemoTeams(len(directory) + len(supports), len(members), len(referrals))


def _referral(rng: random.Random, client: Client, today: date, start: date, by_service: dict[str, list[Contact]],
              professionals: list[Contact], new_id: Callable[[], str], actor: str, referrals: list[ServiceReferral],
              events: list[StatusChange], open_case: bool) -> None:
    service = rng.choice([s for s, orgs in by_service.items() if orgs])
    to = rng.choice(by_service[service])
    if service in ("Outpatient psychiatry", "Primary care") and rng.random() < 0.4:
        wanted = "Psychiatrist" if service == "Outpatient psychiatry" else "Primary care physician"
        named = [p for p in professionals if p.fields.role == wanted]
        if named:
            to = rng.choice(named)
    status = rng.choices(_STATUSES, cum_weights=_STATUS_CUMULATIVE)[0]
    if not open_case and not status.final:
        status = S.COMPLETED
    urgency = rng.choices(_URGENCIES, cum_weights=(72, 95, 100))[0]
    # Open referrals are recent; closed ones may be from any time since the referral in.
    begin = today - timedelta(days=rng.randint(1, 35)) if not status.final else _day(rng, start, today)
    day, previous = begin, None
    referral_id = new_id()
    sent_on = due_on = appointment_on = None
    history: list[StatusChange] = [StatusChange(new_id(), referral_id, None, S.DRAFT, day, "", actor)]
    for step in _PATHS[status]:
        day = min(today, day + timedelta(days=rng.randint(0 if step is S.SENT else 1, 10)))
        note = rng.choice(_OUTCOMES[step]) if step in _OUTCOMES and rng.random() < 0.8 else ""
        history.append(StatusChange(new_id(), referral_id, previous or S.DRAFT, step, day, note, actor))
        previous = step
        if step is S.SENT:
            sent_on, due_on = day, default_due_on(urgency, day)
        elif step is S.ACCEPTED:
            due_on = day + timedelta(days=rng.randint(7, 21))
        elif step is S.SCHEDULED:
            appointment_on = day + timedelta(days=rng.randint(2, 30))
            due_on = appointment_on
    if status is S.DRAFT and rng.random() < 0.3:
        due_on = today + timedelta(days=rng.randint(-4, 14))
    outcome = history[-1].note if status in FINAL else ""
    created = datetime.combine(begin, time(rng.randint(14, 21), rng.randint(0, 59)), UTC)
    referrals.append(ServiceReferral(
        referral_id, client.id, ServiceReferralFields(to.id, service, rng.choice(_REASONS[service]), urgency, due_on,
                                                      None, outcome),
        status, sent_on, appointment_on, actor, created))
    events.extend(history)
