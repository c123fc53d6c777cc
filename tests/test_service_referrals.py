"""Referrals out: every allowed and refused status transition, dates, history, overdue on Today."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest

from app.models.client import Stage
from app.models.contacts import ContactFields, ContactKind
from app.models.screening import Urgency
from app.models.service_referral import (
    FINAL,
    TRANSITIONS,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralFields,
    default_due_on,
    transition_problem,
)
from app.services.clock import FixedClock
from app.services.errors import ValidationError
from app.services.session import Session
from app.store.db import DatabaseError
from tests.conftest import person

TODAY = date(2026, 11, 26)
S = ReferralStatus
ALLOWED = {
    (S.DRAFT, S.SENT), (S.DRAFT, S.CANCELLED),
    (S.SENT, S.ACCEPTED), (S.SENT, S.SCHEDULED), (S.SENT, S.DECLINED), (S.SENT, S.CANCELLED),
    (S.ACCEPTED, S.SCHEDULED), (S.ACCEPTED, S.COMPLETED), (S.ACCEPTED, S.DECLINED), (S.ACCEPTED, S.CANCELLED),
    (S.SCHEDULED, S.COMPLETED), (S.SCHEDULED, S.NO_SHOW), (S.SCHEDULED, S.CANCELLED),
}
# How to bring a referral to each status through allowed steps.
PATHS = {
    S.DRAFT: [], S.SENT: [S.SENT], S.ACCEPTED: [S.SENT, S.ACCEPTED], S.SCHEDULED: [S.SENT, S.SCHEDULED],
    S.COMPLETED: [S.SENT, S.ACCEPTED, S.COMPLETED], S.DECLINED: [S.SENT, S.DECLINED],
    S.NO_SHOW: [S.SENT, S.SCHEDULED, S.NO_SHOW], S.CANCELLED: [S.CANCELLED],
}


# -- the rules, pure ----------------------------------------------------------------------------


def test_the_transition_table_is_the_documented_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert FINAL == {S.COMPLETED, S.DECLINED, S.NO_SHOW, S.CANCELLED}
    assert all(TRANSITIONS[s] == () for s in FINAL)


@pytest.mark.parametrize(("current", "to"), sorted(product(S, S)))
def test_every_pair_is_allowed_or_refused_with_a_sentence(current: S, to: S) -> None:
    problem = transition_problem(current, to)
    if (current, to) in ALLOWED:
        assert problem is None
    else:
        assert problem is not None and problem.endswith(".") and len(problem.split()) >= 5


@pytest.mark.parametrize(("current", "to", "words"), [
    (S.DRAFT, S.ACCEPTED, "Mark it sent first"),
    (S.DRAFT, S.COMPLETED, "Mark it sent first"),
    (S.SENT, S.COMPLETED, "Mark it accepted or scheduled first"),
    (S.SENT, S.NO_SHOW, "mark the referral scheduled first"),
    (S.ACCEPTED, S.NO_SHOW, "mark the referral scheduled first"),
    (S.SENT, S.DRAFT, "can't go back to being a draft"),
    (S.COMPLETED, S.SCHEDULED, "completed, which is final"),
    (S.CANCELLED, S.SENT, "make a new referral"),
    (S.SCHEDULED, S.ACCEPTED, "can be marked: completed, no-show, cancelled"),
    (S.SENT, S.SENT, "already sent"),
    (S.SCHEDULED, S.SENT, "sent already; it is now scheduled"),
])
def test_refusals_say_what_to_do(current: S, to: S, words: str) -> None:
    assert words in (transition_problem(current, to) or "")


def test_overdue_means_due_date_passed_and_not_final() -> None:
    def referral(status: S, due: date | None) -> ServiceReferral:
        return ServiceReferral("r", "c", ServiceReferralFields("k", "Housing", "Rent arrears", due_on=due), status)

    yesterday = TODAY - timedelta(days=1)
    assert referral(S.SENT, yesterday).overdue(TODAY) and referral(S.SENT, yesterday).days_overdue(TODAY) == 1
    assert referral(S.DRAFT, yesterday).overdue(TODAY)
    assert not referral(S.SENT, TODAY).overdue(TODAY)  # due today is not overdue yet
    assert not referral(S.SENT, None).overdue(TODAY)
    for final in FINAL:
        assert not referral(final, yesterday).overdue(TODAY)


def test_default_due_dates_follow_urgency() -> None:
    assert default_due_on(Urgency.ROUTINE, TODAY) == TODAY + timedelta(days=14)
    assert default_due_on(Urgency.URGENT, TODAY) == TODAY + timedelta(days=3)
    assert default_due_on(Urgency.EMERGENCY, TODAY) == TODAY + timedelta(days=1)


# -- the service --------------------------------------------------------------------------------


@pytest.fixture
def client_and_contact(session: Session) -> tuple[str, str]:
    client = session.clients.create(person())
    contact = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing Services",
                                                   role="Supported housing"))
    return client.id, contact.id


def fields(contact_id: str, **overrides: object) -> ServiceReferralFields:
    values: dict[str, object] = {"contact_id": contact_id, "service": "Supported housing",
                                 "reason": "Two months behind on rent", "urgency": Urgency.URGENT}
    values.update(overrides)
    return ServiceReferralFields(**values)  # type: ignore[arg-type]


def test_the_service_enforces_every_transition(session: Session, client_and_contact: tuple[str, str]) -> None:
    """All 64 pairs, each on a referral brought to its starting status through allowed steps."""
    client_id, contact_id = client_and_contact
    service = session.service_referrals
    for current, to in product(S, S):
        referral = service.create(client_id, fields(contact_id))
        for status in PATHS[current]:
            service.move(referral.id, status)
        assert service.get(referral.id).status is current
        if (current, to) in ALLOWED:
            assert service.move(referral.id, to, note="By phone").status is to, (current, to)
            assert service.history(referral.id)[-1].to_status is to
            continue
        with pytest.raises(ValidationError) as caught:
            service.move(referral.id, to)
        assert caught.value.problems["status"] == transition_problem(current, to), (current, to)
        assert str(caught.value) == transition_problem(current, to)
        assert service.get(referral.id).status is current


def test_a_referral_moves_through_its_statuses_with_a_dated_history(session: Session, client_and_contact: tuple[str, str],
                                                                     clock: FixedClock) -> None:
    client_id, contact_id = client_and_contact
    service = session.service_referrals
    draft = service.create(client_id, fields(contact_id, urgency=Urgency.ROUTINE), note="Started at the visit")
    assert draft.status is S.DRAFT and draft.sent_on is None and draft.fields.due_on is None
    assert draft.to_name == "Harbor Housing Services"
    sent = service.move(draft.id, S.SENT, on=TODAY - timedelta(days=0))
    assert sent.sent_on == TODAY and sent.fields.due_on == TODAY + timedelta(days=14)  # from the urgency
    scheduled = service.move(draft.id, S.SCHEDULED, appointment_on=TODAY + timedelta(days=20), note="Intake booked")
    assert scheduled.appointment_on == TODAY + timedelta(days=20)
    assert scheduled.fields.due_on == TODAY + timedelta(days=20)  # the next thing to check is the appointment
    done = service.move(draft.id, S.COMPLETED, outcome="Moved into a studio flat")
    assert done.fields.outcome == "Moved into a studio flat" and done.status.final
    history = service.history(draft.id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, S.DRAFT), (S.DRAFT, S.SENT), (S.SENT, S.SCHEDULED), (S.SCHEDULED, S.COMPLETED)]
    assert history[0].note == "Started at the visit" and history[2].note == "Intake booked"
    assert all(h.on == TODAY and h.recorded_by == session.actor for h in history)
    with pytest.raises(ValidationError, match="final"):
        service.update(draft.id, fields(contact_id))
    audit = [e for e in session.audit_repo().entries() if e.object_type == "service_referral"]
    assert [e.detail for e in audit if e.action == "service_referral.move"] == [
        "from=draft,to=sent", "from=sent,to=scheduled", "from=scheduled,to=completed"]
    assert all("rent" not in e.detail.lower() and "Harbor" not in e.detail for e in audit)


def test_sending_at_creation_and_dates_checked(session: Session, client_and_contact: tuple[str, str]) -> None:
    client_id, contact_id = client_and_contact
    service = session.service_referrals
    yesterday = TODAY - timedelta(days=1)
    sent = service.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=5)), send_on=yesterday)
    assert sent.status is S.SENT and sent.sent_on == yesterday and sent.fields.due_on == TODAY + timedelta(days=5)
    assert [h.to_status for h in service.history(sent.id)] == [S.DRAFT, S.SENT]
    with pytest.raises(ValidationError) as caught:
        service.move(sent.id, S.ACCEPTED, on=TODAY + timedelta(days=1))
    assert "future" in caught.value.problems["on"]
    with pytest.raises(ValidationError) as caught:
        service.move(sent.id, S.ACCEPTED, on=yesterday - timedelta(days=3))
    assert "before the last change" in caught.value.problems["on"]
    with pytest.raises(ValidationError) as caught:
        service.move(sent.id, S.ACCEPTED, appointment_on=TODAY)
    assert "appointment_on" in caught.value.problems
    with pytest.raises(ValidationError) as caught:
        service.create(client_id, fields(contact_id), send_on=TODAY + timedelta(days=2))
    assert "future" in caught.value.problems["on"]


def test_bad_input_is_named_per_field_and_nothing_is_saved(session: Session, client_and_contact: tuple[str, str]) -> None:
    client_id, _contact_id = client_and_contact
    with pytest.raises(ValidationError) as caught:
        session.service_referrals.create(client_id, ServiceReferralFields("", " ", "", due_on=TODAY - timedelta(days=1)))
    assert set(caught.value.problems) == {"contact_id", "service", "reason", "due_on"}
    with pytest.raises(ValidationError) as caught:
        session.service_referrals.create(client_id, fields("no-such-contact"))
    assert "no longer in the directory" in caught.value.problems["contact_id"]
    assert session.service_referrals.for_client(client_id) == []


def test_an_overdue_referral_can_still_be_edited_without_moving_its_due_date(
    session: Session, client_and_contact: tuple[str, str], clock: FixedClock
) -> None:
    client_id, contact_id = client_and_contact
    referral = session.service_referrals.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=2)),
                                                send_on=TODAY)
    clock.advance(days=10)
    edited = session.service_referrals.update(referral.id, fields(contact_id, due_on=TODAY + timedelta(days=2),
                                                                  reason="Rent arrears; eviction notice"))
    assert edited.fields.reason == "Rent arrears; eviction notice"
    with pytest.raises(ValidationError) as caught:
        session.service_referrals.update(referral.id, fields(contact_id, due_on=TODAY + timedelta(days=5)))
    assert "already passed" in caught.value.problems["due_on"]


def test_overdue_referrals_across_the_caseload(session: Session, client_and_contact: tuple[str, str],
                                               clock: FixedClock) -> None:
    client_id, contact_id = client_and_contact
    other = session.clients.create(person(first_name="Ben", last_name="Ortiz")).id
    closed = session.clients.create(person(first_name="Cy", last_name="Pham")).id
    service = session.service_referrals
    late = service.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=3)), send_on=TODAY)
    later = service.create(other, fields(contact_id, due_on=TODAY + timedelta(days=1)))  # a draft, never sent
    on_time = service.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=30)), send_on=TODAY)
    done = service.create(other, fields(contact_id, due_on=TODAY + timedelta(days=1)), send_on=TODAY)
    service.move(done.id, S.ACCEPTED)
    service.move(done.id, S.COMPLETED)
    service.create(closed, fields(contact_id, due_on=TODAY + timedelta(days=1)), send_on=TODAY)
    session.clients.change_stage(closed, Stage.CLOSED)
    assert service.overdue() == []
    clock.advance(days=5)
    overdue = service.overdue()
    assert [r.id for r in overdue] == [later.id, late.id]  # most overdue first; final and closed left out
    assert overdue[0].days_overdue(clock.today()) == 4
    assert on_time.id not in {r.id for r in overdue}
    assert [r.id for r in service.for_client(client_id)] == [late.id, on_time.id]


def test_client_list_puts_open_referrals_first(session: Session, client_and_contact: tuple[str, str]) -> None:
    client_id, contact_id = client_and_contact
    service = session.service_referrals
    closed = service.create(client_id, fields(contact_id))
    service.move(closed.id, S.CANCELLED)
    open_later = service.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=9)))
    open_soon = service.create(client_id, fields(contact_id, due_on=TODAY + timedelta(days=2)))
    no_due = service.create(client_id, fields(contact_id))
    assert [r.id for r in service.for_client(client_id)] == [open_soon.id, open_later.id, no_due.id, closed.id]


def test_the_vault_refuses_to_reopen_a_final_referral(session: Session, client_and_contact: tuple[str, str]) -> None:
    client_id, contact_id = client_and_contact
    referral = session.service_referrals.create(client_id, fields(contact_id))
    session.service_referrals.move(referral.id, S.CANCELLED)
    with pytest.raises(DatabaseError, match="final status"), session.write() as conn:
        conn.execute("UPDATE service_referrals SET status = 'sent' WHERE id = ?", (referral.id,))
    with pytest.raises(DatabaseError, match="kept as written"), session.write() as conn:
        conn.execute("UPDATE service_referral_events SET to_status = 'sent' WHERE referral_id = ?", (referral.id,))


def test_a_referral_links_to_a_care_plan_intervention(session: Session, client_and_contact: tuple[str, str]) -> None:
    client_id, contact_id = client_and_contact
    referral = session.service_referrals.create(client_id, fields(contact_id, intervention_id="intervention-1"))
    assert referral.fields.intervention_id == "intervention-1"
    unlinked = session.service_referrals.update(referral.id, fields(contact_id, intervention_id=""))
    assert unlinked.fields.intervention_id is None
