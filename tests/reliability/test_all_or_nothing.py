"""Multi-row saves are all or nothing (SECURITY.md test 13, across all features).

Each save below writes several rows in one transaction (a care plan's activation with its goals
and signatures, a transition with its check-ins and stage change, a note with its search index,
a three-chunk attachment, a batch of clients, a screening that raises a safety alert …). A SQLite
progress handler stops the save at points spread through its transaction — the same place a
crash or a pulled plug would stop it — and afterwards every table of the vault holds exactly what
it held before (rows, search index, audit trail), the audit chain and the integrity checks pass,
and the same save then goes through whole. (tests/test_crash_safety.py and test_notes_crash.py
kill a process at such points for clients and notes; the kill -9 loops here cover durability.)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import time as wall_time
from datetime import timedelta

import pytest

from app.models.care_plan import Agreement, GoalProgress
from app.models.client import Stage
from app.models.notes import ContactType, NoteFields, NoteFormat, NoteSection
from app.services.context import AppServices
from app.services.session import Session
from app.store import db
from tests.conftest import person
from tests.reliability.conftest import PNG_1PX, Ctx, context, table_counts, table_state

Save = Callable[[Session, Ctx], object]


def _care_plan_activation(s: Session, c: Ctx) -> Callable[[], object]:
    from tests.test_care_plans import document, signatures

    draft = s.care_plans.start_draft(c.client_id)
    s.care_plans.save_draft(draft.id, document())
    return lambda: s.care_plans.activate(draft.id, Agreement.SIGNED, signatures())


def _care_plan_review(s: Session, c: Ctx) -> Callable[[], object]:
    plan = s.care_plans.get(_care_plan_activation(s, c)().id)  # type: ignore[attr-defined]
    progress = [GoalProgress(g.id, 1, "Paid two months") for need in plan.document.needs for g in need.goals]
    return lambda: s.care_plans.record_review(plan.id, progress, attended="Client and case manager")


def _safety_plan_activation(s: Session, c: Ctx) -> Callable[[], object]:
    from tests.test_safety_plans import full_content, signatures

    draft = s.safety_plans.start_draft(c.client_id)
    s.safety_plans.save_draft(c.client_id, full_content(), c.today + timedelta(days=60))
    return lambda: s.safety_plans.activate(draft.id, signatures(s.clock.now()))


def _transition(s: Session, c: Ctx) -> Callable[[], object]:
    from tests.test_transitions import step_down

    client_id = s.clients.create(person(first_name="Zoë", last_name="Ødegård"), Stage.FOLLOWING_UP).id
    return lambda: s.transitions.record(client_id, step_down(c.contact_id, on=c.today - timedelta(days=1)))


def _note(s: Session, c: Ctx) -> Callable[[], object]:
    fields = NoteFields(ContactType.HOME_VISIT, c.today, wall_time(10, 30), 40, "Café", ("Client",), (),
                        NoteFormat.FREE, {NoteSection.NOTE: "Nguyễn Thị Ánh said the week went better."})
    return lambda: s.notes.save_draft(c.client_id, fields)


def _attachment(s: Session, c: Ctx) -> Callable[[], object]:
    data = PNG_1PX + os.urandom(2 * (1 << 20) + 4321)  # three chunks
    return lambda: s.attachments.add_bytes(c.client_id, data, "scan.png", title="Signed release")


def _create_many(s: Session, c: Ctx) -> Callable[[], object]:
    rows = [person(first_name=name, last_name=f"Batch{i}") for i, name in enumerate(("Ольга", "Zoë", "Ánh", "Ana"))]
    return lambda: s.clients.create_many(rows)


def _screening_with_alert(s: Session, c: Ctx) -> Callable[[], object]:
    answers: dict[str, int | None] = {str(i): 2 for i in range(1, 10)}  # item 9 above 0: a safety alert too
    return lambda: s.screening.record(c.client_id, "phq9", answers)


def _release(s: Session, c: Ctx) -> Callable[[], object]:
    from tests.test_consents import release

    return lambda: s.consents.create(c.client_id, release(c.contact_id))


SAVES: dict[str, Callable[[Session, Ctx], Callable[[], object]]] = {
    "care plan activation": _care_plan_activation,
    "care plan review": _care_plan_review,
    "safety plan activation": _safety_plan_activation,
    "transition with check-ins": _transition,
    "note and its index": _note,
    "three-chunk attachment": _attachment,
    "batch of clients": _create_many,
    "screening with a safety alert": _screening_with_alert,
    "release": _release,
}
EVERY = 25  # VM instructions between progress-handler calls


class Stopper:
    """Progress handler: counts its calls; returns non-zero (interrupt) on the `stop_at`-th.
    Notes the call count when a write transaction begins, so stops can be aimed inside it."""

    def __init__(self, stop_at: int = 0) -> None:
        self.stop_at = stop_at
        self.calls = 0
        self.began_at: int | None = None
        self.committed_at: int | None = None

    def __call__(self) -> int:
        self.calls += 1
        return 1 if self.calls == self.stop_at else 0


@contextlib.contextmanager
def armed(session: Session, stopper: Stopper) -> Iterator[None]:
    real_write = session.write

    @contextlib.contextmanager
    def write() -> Iterator[db.Connection]:
        if stopper.began_at is None:
            stopper.began_at = stopper.calls
        with real_write() as conn:
            yield conn
        stopper.committed_at = stopper.calls

    session.write = write  # type: ignore[method-assign]
    session.connection.set_progress_handler(stopper, EVERY)
    try:
        yield
    finally:
        session.connection.set_progress_handler(None, 0)
        del session.write


@pytest.mark.parametrize("name", list(SAVES))
def test_a_multi_row_save_stopped_midway_leaves_all_or_nothing(
    services: AppServices, demo_session: Session, name: str
) -> None:
    session = demo_session
    save = SAVES[name](session, context(session))

    conn = session.connection
    before = table_state(session)
    # Stop the save at call 1, 2, 3 … and then ever further apart, until it runs to the end.
    points: list[int] = []
    k = 1
    while True:
        stopper = Stopper(k)
        try:
            with armed(session, stopper):
                save()
        except db.DatabaseError:
            if stopper.committed_at is not None:
                break  # stopped while reading the result back, after COMMIT: all of it is saved
            after = table_state(session)
            assert after == before, f"{name}: stopped at call {k}, tables changed: " + str(
                sorted(t for t in before if before[t] != after.get(t)))
            # Even a BEGIN IMMEDIATE interrupted on its last instructions leaves no transaction
            # open, so the next save can start (Vault.transaction ends it).
            assert not conn.in_transaction, f"{name}: stopped at call {k}, a transaction was left open"
            points.append(k)
            k += 1 if k < 8 else max(1, k // 4)
            continue
        break
    assert stopper.committed_at is not None
    done = table_state(session)
    changed = {t for t in done if done[t] != before.get(t)}
    assert changed, f"{name}: the completed save changed nothing"
    assert len(changed - {"audit"}) >= 1 and "audit" in changed
    inside = [p for p in points if stopper.began_at is not None and p > stopper.began_at]
    print(f"{name}: stopped at {len(points)} points ({len(inside)} inside the transaction), "
          f"then saved whole; tables changed: {sorted(changed)}")
    assert len(inside) >= 3, f"{name}: the stops did not land inside the transaction"
    report = services.vaults.check(session)
    assert report.problems == [] and report.chain.ok


def test_every_kind_of_record_in_the_demo_vault(demo_session: Session) -> None:
    """The suite's demo vault really holds every kind of record the app keeps."""
    counts = table_counts(demo_session)
    for table in ("clients", "administrations", "assessments", "risk_assessments", "safety_plans", "care_plans",
                  "care_plan_reviews", "notes", "note_addenda", "note_errors", "attachments", "attachment_chunks", "follow_ups",
                  "transitions", "transition_check_ins", "releases", "disclosures", "contacts", "care_team_members",
                  "service_referrals", "referrals", "safety_alerts", "mileage", "stage_history", "audit"):
        assert counts.get(table, 0) > 0, f"the demo vault has no {table}"
