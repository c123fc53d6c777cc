"""Demo releases and disclosures: on a small vault every kind appears (valid, expired, revoked,
Part 2, consented and overridden disclosures) and the consents service reads them back."""

from __future__ import annotations

import random
import uuid

import pytest
from faker import Faker

from app.models.consent import InfoType, ReleaseStatus, six_years_before
from app.models.contacts import ContactFields, ContactKind, MemberFields
from app.services.demo_consents import demo_consents
from app.services.session import Session
from tests.conftest import person


@pytest.mark.parametrize("seed", [7, 11, 2024])
def test_demo_vault_gets_every_kind_of_release_and_disclosure(session: Session, seed: int) -> None:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    clients = [session.clients.create(person(first_name=fake.first_name(), last_name=fake.last_name()))
               for _ in range(4)]
    for client in clients:
        for _ in range(3):
            contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, fake.name(),
                                                            role="Therapist", organisation=fake.company()))
            session.contacts.add_member(client.id, contact.id, MemberFields())
    family = session.contacts.create(ContactFields(ContactKind.NATURAL_SUPPORT, fake.name(), role="Sister"))
    session.contacts.add_member(clients[0].id, family.id, MemberFields())
    today = session.clock.today()

    with session.write() as conn:
        written = demo_consents(conn, rng, fake, clients, today, lambda: str(uuid.uuid4()),
                                now=session.clock.now(), actor=session.actor)

    releases = [r for c in clients for r in session.consents.for_client(c.id)]
    assert written == len(releases) >= 4
    assert all(r.fields.contact_id != family.id for r in releases)  # releases go to providers only
    statuses = {r.status(today) for r in releases}
    assert {ReleaseStatus.VALID, ReleaseStatus.EXPIRED, ReleaseStatus.REVOKED} <= statuses
    for r in releases:  # the service's per-recipient status agrees with the stored rows
        assert session.consents.status(r.client_id, r.fields.contact_id) in statuses
    part2 = [r for r in releases if r.fields.part2]
    assert part2 and all(InfoType.SUBSTANCE_USE in r.fields.information and r.fields.recipient_name for r in part2)
    assert any(r.status(today) is ReleaseStatus.VALID and session.consents.coverage(
        r.client_id, r.fields.contact_id, [InfoType.SUBSTANCE_USE]).complete for r in part2)
    revoked = [r for r in releases if r.revoked_on is not None]
    assert revoked and all(r.revoked_how for r in revoked)

    disclosures = session.consents.disclosures()
    consented = [d for d in disclosures if d.consent_valid]
    overridden = [d for d in disclosures if d.overridden_reason]
    assert consented and 1 <= len(overridden) <= 2
    assert all(not d.consent_valid and d.consent_id is None for d in overridden)
    by_id = {r.id: r for r in releases}
    oldest = six_years_before(today)
    for d in disclosures:
        assert oldest <= d.disclosed_at.date() < today and len(d.content_hash) == 64 and d.disclosed_by
        if d.consent_valid:  # the release was valid that day and covers every section sent
            release = by_id[d.consent_id or ""]
            assert release.status(d.disclosed_at.date()) is ReleaseStatus.VALID
            assert all(release.covers(s) for s in d.sections)
            assert (d.notice_version != "") == d.part2
    assert {d.client_id for d in disclosures} <= {c.id for c in clients}
