"""The demo generator: recurring and one-off follow-ups, past (completed, missed) and future, at
most 25 rows per client, all readable back through the service."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from app.models.client import Stage
from app.models.follow_ups import Status
from app.services.demo_follow_ups import demo_follow_ups
from app.services.session import Session
from tests.conftest import person


def test_demo_follow_ups(session: Session) -> None:
    clients = [session.clients.create(person(first_name=f"N{i}", referral_date=date(2026, 1, 5)), Stage.IMPLEMENTING)
               for i in range(12)]
    today = session.clock.today()
    with session.write() as conn:
        written = demo_follow_ups(conn, random.Random(3), Faker(), clients, today, lambda: __import__("uuid").uuid4().hex,
                                  tz="America/Chicago")
    assert 12 * 15 <= written <= 12 * 25
    per_client = [len(session.follow_ups.for_client(c.id)) for c in clients]
    assert max(per_client) <= 25 and sum(per_client) == written
    assert any(fu.recurring for c in clients for fu in session.follow_ups.for_client(c.id))
    got = session.follow_ups.occurrences(today - timedelta(days=365), today + timedelta(days=60))
    statuses = {o.status for o in got}
    assert {Status.COMPLETED, Status.MISSED, Status.SCHEDULED} <= statuses
    assert any(o.on > today for o in got) and any(o.recurring for o in got)
