"""The demo generator for care teams and referrals: realistic, valid by the app's own rules, reproducible."""

from __future__ import annotations

import random
import uuid
from collections import Counter

from faker import Faker

from app.models.contacts import ContactKind, npi_problem, validate_contact
from app.models.service_referral import ReferralStatus, transition_problem
from app.services import demo
from app.services.demo_team import demo_care_teams
from app.services.session import Session
from app.store.clients_repo import ClientRepository
from tests.conftest import PASSPHRASE


def _run(session: Session, seed: int) -> None:
    clients = [session.clients.get(r.id) for r in ClientRepository(session.connection).roster(include_archived=True)]
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    with session.write() as conn:
        result = demo_care_teams(conn, rng, fake, clients, session.clock.today(),
                                 lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    assert result.contacts > 0 and result.members > 0 and result.referrals > 0


def test_demo_teams_and_referrals_follow_the_rules(session: Session) -> None:
    demo.populate(session, 120, seed=3)
    _run(session, 7)
    today = session.clock.today()
    contacts = session.contacts.directory(include_archived=True)
    assert {c.kind for c in contacts} == set(ContactKind)
    assert all(validate_contact(c.fields) == {} for c in contacts)
    assert any(c.fields.npi for c in contacts) and all(npi_problem(c.fields.npi) is None for c in contacts)
    assert any(c.archived for c in contacts)
    statuses: Counter[ReferralStatus] = Counter()
    for row in session.clients.roster(include_archived=True):
        for referral in session.service_referrals.for_client(row.id):
            statuses[referral.status] += 1
            history = session.service_referrals.history(referral.id)
            assert history[0].to_status is ReferralStatus.DRAFT and history[-1].to_status is referral.status
            for before, after in zip(history, history[1:], strict=False):
                assert transition_problem(before.to_status, after.to_status) is None
                assert before.on <= after.on <= today
            if referral.sent_on is not None:
                assert referral.fields.due_on is not None
        for member in session.contacts.team(row.id):
            last = member.fields.last_contact_on
            assert last is None or member.added_on <= last <= today
    assert set(statuses) == set(ReferralStatus)  # every status is there to look at
    assert session.service_referrals.overdue()  # and Today has something to show
    assert session.contacts.out_of_touch(30)


def test_the_same_seed_gives_the_same_teams(session: Session, services, vault_dir) -> None:  # type: ignore[no-untyped-def]
    demo.populate(session, 30, seed=5)
    _run(session, 11)
    first = sorted((c.name, c.fields.role) for c in session.contacts.directory(include_archived=True))
    other = services.vaults.create(vault_dir.parent / "other", PASSPHRASE, PASSPHRASE).session
    demo.populate(other, 30, seed=5)
    _run(other, 11)
    assert sorted((c.name, c.fields.role) for c in other.contacts.directory(include_archived=True)) == first
    other.close()
