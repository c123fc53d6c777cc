"""Synthetic releases of information and past disclosures for demo vaults: for a share of the
clients with a care team, releases to some members — most valid, some expired, some revoked, a
few 42 CFR Part 2 consents for substance-use records — and, for some, disclosures in the last six
years, nearly all under a release valid at the time and one or two overridden with a reason.

Everything is invented (faker and the caller's random generator); written in the caller's
transaction through the consents repository."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from app.models.client import Client
from app.models.consent import (
    Disclosure,
    InfoType,
    Release,
    ReleaseFields,
    SignatureKind,
    six_years_before,
)
from app.models.contacts import Contact, ContactKind
from app.services.consents import load_redisclosure_notice
from app.store.consents_repo import ConsentRepository
from app.store.contacts_repo import ContactRepository
from app.store.db import Connection

if TYPE_CHECKING:
    from faker import Faker

T = InfoType
CLIENT_SHARE = 0.55  # of the clients with a care team, how many signed releases
MEMBER_SHARE = 0.6  # of their team members, how many got a release
DISCLOSURE_SHARE = 0.3  # of the clients with releases, how many had information sent
MAX_OVERRIDES = 2


class DemoKind(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PART2 = "part2"


_WEIGHTS = {DemoKind.VALID: 62, DemoKind.EXPIRED: 16, DemoKind.REVOKED: 12, DemoKind.PART2: 10}
_GENERAL = (T.DEMOGRAPHICS, T.SCREENING_RESULTS, T.ASSESSMENT, T.CARE_PLAN, T.SAFETY_PLAN, T.PROGRESS_NOTES,
            T.TRANSITION_SUMMARY)
_PURPOSES = ("Coordination of care", "Continuity of treatment after discharge", "Housing application",
             "Benefits application", "Medication management", "At the client's request")
_DETAILS = ("", "", "PHQ-9 and GAD-7 scores since intake", "Current care plan and safety plan only",
            "Discharge summary and medication list")
_DISCLOSERS = ("Waypoint case management", "This program (community case management)")
_EXPIRY_EVENTS = ("End of treatment at this program", "Discharge from case management")
_VERBAL = ("Consent given by phone; form to be signed at the next visit", "Client agreed verbally during a "
           "home visit; no tablet available")
_REVOKED_HOW = ("In writing, letter received at the office", "Verbally by phone; noted and confirmed in writing",
                "Client asked in person at the visit to stop sharing")
_PART2_HINTS = ("recovery", "treatment", "substance", "addiction")
_DESCRIPTIONS = {
    "report": "Client summary report (PDF)", "plan": "Care plan and safety plan (PDF)",
    "fhir": "FHIR bundle for the receiving clinic", "fax": "Faxed referral summary",
}
_METHODS = ("Secure email", "Fax", "Printed, handed over", "FHIR file on encrypted USB")
_OVERRIDES = ("Imminent risk to the client's safety; the ED clinician needed the safety plan "
              "(45 CFR 164.512(j))",
              "Court order received; copy of the order kept in the paper file",
              "Medical emergency; the client could not consent and the hospital team needed the medication list")


def demo_consents(conn: Connection, rng: random.Random, fake: Faker, clients: Iterable[Client], today: date,
                  new_id: Callable[[], str], *, now: datetime, actor: str = "demo") -> int:
    """Write releases (and their revocations) and past disclosures for a share of the clients
    with a care team; returns how many releases were written. Every kind appears as soon as
    there are enough team members."""
    contacts = ContactRepository(conn)
    repo = ConsentRepository(conn)
    notice_version = load_redisclosure_notice()[0]
    oldest = six_years_before(today)
    seen: set[DemoKind] = set()
    overrides = 0
    disclosed = 0
    written = 0

    def at(day: date) -> datetime:
        return datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))), tzinfo=now.tzinfo)

    def strokes() -> str:
        points = [[round(0.05 + 0.9 * i / 11, 4), round(rng.uniform(0.25, 0.75), 4)] for i in range(12)]
        return json.dumps({"strokes": [{"points": points}]})

    def kind_for(contact: Contact) -> DemoKind:
        missing = [k for k in DemoKind if k not in seen]
        if missing:
            return missing[0]
        text = f"{contact.fields.organisation} {contact.fields.role}".lower()
        if any(h in text for h in _PART2_HINTS) and rng.random() < 0.6:
            return DemoKind.PART2
        return rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]

    def fields_for(contact: Contact, kind: DemoKind) -> ReleaseFields:
        if kind is DemoKind.EXPIRED:
            signed = today - timedelta(days=rng.randint(400, 1500))
            expires: date | None = signed + timedelta(days=rng.choice((180, 365)))
        else:
            signed = today - timedelta(days=rng.randint(30 if kind is DemoKind.REVOKED else 3, 330))
            expires = signed + timedelta(days=365)
        event = ""
        if kind is DemoKind.VALID and rng.random() < 0.2:
            expires, event = None, rng.choice(_EXPIRY_EVENTS)
        if kind is DemoKind.PART2:
            info: tuple[InfoType, ...] = (T.SUBSTANCE_USE, *rng.sample((T.DEMOGRAPHICS, T.CARE_PLAN), rng.randint(0, 2)))
        else:
            info = tuple(sorted(rng.sample(_GENERAL, rng.randint(2, 5)), key=_GENERAL.index))
        verbal = rng.random() < 0.15
        return ReleaseFields(
            contact_id=contact.id, information=info, information_detail=rng.choice(_DETAILS),
            purposes=tuple(rng.sample(_PURPOSES, rng.randint(1, 2))), signed_on=signed, expires_on=expires,
            expiry_event=event, disclosers=rng.choice(_DISCLOSERS),
            signature_kind=SignatureKind.VERBAL if verbal else SignatureKind.PAD,
            signature_strokes="" if verbal else strokes(), verbal_reason=rng.choice(_VERBAL) if verbal else "",
            part2=kind is DemoKind.PART2, recipient_name=contact.name if kind is DemoKind.PART2 else "",
            representative_authority=f"{fake.name()}, legal guardian (court order)" if rng.random() < 0.04 else "")

    def recipient(contact: Contact) -> str:
        org = contact.fields.organisation
        return f"{contact.name} · {org}" if org and org != contact.name else contact.name

    def disclose(client_id: str, contact: Contact, release: Release, until: date) -> int:
        f = release.fields
        assert f.signed_on is not None
        start = max(f.signed_on, oldest + timedelta(days=1))
        end = min(until, today - timedelta(days=1))
        if end < start:
            return 0
        day = start + timedelta(days=rng.randint(0, (end - start).days))
        sections = tuple(s for s in f.information if rng.random() < 0.7) or f.information[:1]
        part2 = any(s.part2 for s in sections)
        repo.add_disclosure(Disclosure(
            new_id(), client_id, contact.id, recipient(contact), rng.choice(list(_DESCRIPTIONS.values())),
            hashlib.sha256(rng.randbytes(32)).hexdigest(), rng.choice(f.purposes), "Client authorization",
            release.id, True, "", sections, part2, notice_version if part2 else "", rng.choice(_METHODS), actor,
            at(day)), now)
        return 1

    def override(client_id: str, contact: Contact) -> None:
        day = today - timedelta(days=rng.randint(1, 700))
        repo.add_disclosure(Disclosure(
            new_id(), client_id, contact.id, recipient(contact), _DESCRIPTIONS["plan"],
            hashlib.sha256(rng.randbytes(32)).hexdigest(), "Emergency treatment", "Disclosed without authorization",
            None, False, rng.choice(_OVERRIDES), (T.SAFETY_PLAN, T.CARE_PLAN), False, "", rng.choice(_METHODS[:2]),
            actor, at(day)), now)

    for client in clients:
        team = [m.contact for m in contacts.team(client.id) if m.contact.kind is not ContactKind.NATURAL_SUPPORT]
        if not team or (seen >= set(DemoKind) and rng.random() >= CLIENT_SHARE):
            continue
        chosen = [c for c in team if rng.random() < MEMBER_SHARE] or [rng.choice(team)]
        made: list[tuple[Contact, Release, date]] = []
        for contact in chosen:
            kind = kind_for(contact)
            seen.add(kind)
            fields = fields_for(contact, kind)
            release = Release(new_id(), client.id, fields, created_by=actor, created_at=now)
            repo.add(release, now)
            written += 1
            assert fields.signed_on is not None
            until = fields.expires_on or today
            if kind is DemoKind.REVOKED:
                span = max(1, (today - fields.signed_on).days)
                revoked_on = fields.signed_on + timedelta(days=rng.randint(1, span))
                repo.revoke(release.id, revoked_on, rng.choice(_REVOKED_HOW), now)
                until = revoked_on - timedelta(days=1)
            made.append((contact, release, until))
        if overrides < MAX_OVERRIDES and (overrides == 0 or rng.random() < 0.02):
            override(client.id, rng.choice(chosen))
            overrides += 1
        if disclosed == 0 or rng.random() < DISCLOSURE_SHARE:
            for contact, release, until in rng.sample(made, rng.randint(1, min(2, len(made)))):
                disclosed += disclose(client.id, contact, release, until)
    return written
