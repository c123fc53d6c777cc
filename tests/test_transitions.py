"""Transitions (stage 7) and post-transition check-ins (stage 8) on a real encrypted vault: what a
transition needs before it is saved, the case stage moving transitioning → post-transition →
stratifying (re-engaged) or closed, check-ins planned at the configured days with the client and
the receiving provider, their structured outcomes, proposals that appear and go once accepted or
done, the caseload-wide due list, the editor's prefill, the settings and the demo data — and no
reason, name or note in the audit trail."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from faker import Faker

from app.models.client import Stage
from app.models.contacts import ContactFields
from app.models.follow_ups import FollowUpFields, FollowUpType, ProposalSource
from app.models.service_referral import ServiceReferralFields
from app.models.transitions import (
    Barrier,
    CheckInOutcome,
    ChecklistItem,
    Handoff,
    HandoffMethod,
    Medication,
    NextStep,
    Party,
    TransitionFields,
    TransitionKind,
    TransitionStatus,
    level_label,
    outcome_summary,
    parse_check_in_days,
)
from app.services.demo_transitions import demo_transitions
from app.services.errors import ValidationError
from app.services.session import Session
from app.services.settings import Settings, SettingsStore
from tests.conftest import person
from tests.test_safety_plans import full_content, signatures

TODAY = date(2026, 11, 26)
SECRET = "Told me about her brother Emilio's arrest"


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person(referral_date=date(2026, 6, 1)), Stage.FOLLOWING_UP).id


@pytest.fixture
def provider_id(session: Session) -> str:
    return session.contacts.create(ContactFields(name="Dr Amara Okafor", role="Psychiatrist",
                                                 organisation="Riverside CMHC")).id


def step_down(provider: str | None = None, on: date = TODAY - timedelta(days=2), **extra: object) -> TransitionFields:
    values: dict[str, object] = dict(
        kind=TransitionKind.LEVEL_OF_CARE, from_level="intensive", to_level="maintenance", on=on,
        reason=SECRET, receiving_contact_id=provider,
        handoff=Handoff("Dr Okafor", on - timedelta(days=1), HandoffMethod.PHONE, "Intake booked together"),
        medications=(Medication("Sertraline", "100 mg every morning", "as she reports it"), Medication("", "", "")),
        pending_appointments=("Psychiatry review 2 Dec", "  "), pending_referrals=("Peer support — sent",),
        crisis_plan="988", preferences="Texts in the morning", information_given="Crisis numbers",
        services_provided="Weekly home visits", condition="Stable",
        checklist=frozenset({ChecklistItem.MEDICATIONS, ChecklistItem.RELEASE}),
    )
    values.update(extra)
    return TransitionFields(**values)  # type: ignore[arg-type]


def stage(session: Session, client_id: str) -> Stage:
    return session.clients.get(client_id).stage


def reached(on: date = TODAY, **extra: object) -> CheckInOutcome:
    return CheckInOutcome(on, True, **extra)  # type: ignore[arg-type]


# -- the model -----------------------------------------------------------------------------------


def test_check_in_days_are_read_from_a_comma_list_with_a_sentence_on_bad_input() -> None:
    assert parse_check_in_days("30, 3,7 90") == (3, 7, 30, 90)
    for bad, words in (("", "at least one"), ("3, seven", "whole numbers"), ("0, 7", "from 1 to 365"),
                       ("7, 7", "once"), (", ".join(str(n) for n in range(1, 10)), "up to 8")):
        with pytest.raises(ValueError, match=words):
            parse_check_in_days(bad)
    assert level_label("inpatient") == "Inpatient" and level_label("Step-down unit") == "Step-down unit"


def test_outcome_summary_marks_the_worrying_answers() -> None:
    text = outcome_summary(reached(engaged=False, visit_7=False, readmitted_or_ed=True))
    assert text.startswith("✓ Reached") and "⚠ not engaged" in text and "⚠ re-hospitalised or ED" in text
    assert outcome_summary(CheckInOutcome(TODAY, False)) == "✗ Not reached"


# -- recording -----------------------------------------------------------------------------------


def test_a_transition_needs_levels_a_date_and_a_reason_and_nothing_is_saved_until_it_has_them(
        session: Session, client_id: str) -> None:
    bad = step_down(from_level="", to_level="", on=TODAY + timedelta(days=1), reason=" ",
                    medications=(Medication("", "50 mg"),))
    with pytest.raises(ValidationError) as caught:
        session.transitions.record(client_id, bad)
    assert set(caught.value.problems) == {"from_level", "to_level", "on", "reason", "medications.0.name"}
    assert "future" in caught.value.problems["on"]
    with pytest.raises(ValidationError) as same:
        session.transitions.record(client_id, step_down(to_level="intensive"))
    assert "same as the old one" in same.value.problems["to_level"]
    assert session.transitions.for_client(client_id) == []
    assert stage(session, client_id) is Stage.FOLLOWING_UP


def test_a_transition_moves_the_case_and_plans_check_ins_with_the_client_and_the_provider(
        session: Session, client_id: str, provider_id: str) -> None:
    t = session.transitions.record(client_id, step_down(provider_id), check_in_days=(14, 2))
    assert stage(session, client_id) is Stage.TRANSITIONING
    assert session.clients.stage_history(client_id)[-1].on == TODAY - timedelta(days=2)
    assert t.open and t.receiving_name == "Dr Amara Okafor" and t.headline == "Intensive → Maintenance"
    f = t.fields
    assert f.medications == (Medication("Sertraline", "100 mg every morning", "as she reports it"),)
    assert f.pending_appointments == ("Psychiatry review 2 Dec",) and f.handoff.method is HandoffMethod.PHONE
    assert f.checklist == {ChecklistItem.MEDICATIONS, ChecklistItem.RELEASE}
    planned = [(k.offset_days, k.party, k.due_on) for k in session.transitions.check_ins(t.id)]
    on = TODAY - timedelta(days=2)
    assert planned == [(2, Party.CLIENT, on + timedelta(days=2)), (2, Party.PROVIDER, on + timedelta(days=2)),
                       (14, Party.CLIENT, on + timedelta(days=14)), (14, Party.PROVIDER, on + timedelta(days=14))]
    assert session.transitions.current_level(client_id) == "maintenance"


def test_default_check_ins_are_at_3_7_30_and_90_days_with_the_client_only_when_no_provider(
        session: Session, client_id: str) -> None:
    t = session.transitions.record(client_id, step_down(None, to_level="discharged",
                                                        kind=TransitionKind.DISCHARGE))
    got = session.transitions.check_ins(t.id)
    assert [k.offset_days for k in got] == [3, 7, 30, 90] and {k.party for k in got} == {Party.CLIENT}


def test_check_in_days_from_settings_are_checked(session: Session, client_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        session.transitions.record(client_id, step_down(), check_in_days=(0, 7))
    assert "check_in_days" in caught.value.problems


def test_the_first_outcome_moves_the_case_to_post_transition_and_outcomes_read_back(
        session: Session, client_id: str, provider_id: str) -> None:
    t = session.transitions.record(client_id, step_down(provider_id, on=TODAY - timedelta(days=9)))
    first, second = session.transitions.check_ins(t.id)[:2]
    assert first.overdue(TODAY) and first.state_text(TODAY) == "⚠ Overdue by 6 days"
    outcome = reached(TODAY - timedelta(days=1), engaged=True, visit_7=None, readmitted_or_ed=False,
                      barriers=(Barrier.WAIT_LIST, Barrier.TRANSPORT), barriers_other=" bus pass ran out ",
                      note=SECRET)
    done = session.transitions.record_check_in(first.id, outcome)
    assert stage(session, client_id) is Stage.POST_TRANSITION
    assert done.done and done.outcome == replace(outcome, barriers=(Barrier.TRANSPORT, Barrier.WAIT_LIST),
                                                 barriers_other="bus pass ran out")
    assert done.outcome is not None and done.outcome.visit_7 is None  # unknown stays unknown
    session.transitions.record_check_in(second.id, CheckInOutcome(TODAY, False))
    assert stage(session, client_id) is Stage.POST_TRANSITION
    assert session.transitions.check_in(second.id).state_text(TODAY) == "✗ Not reached"


def test_an_outcome_is_checked(session: Session, client_id: str) -> None:
    t = session.transitions.record(client_id, step_down())
    k = session.transitions.check_ins(t.id)[0]
    with pytest.raises(ValidationError) as caught:
        session.transitions.record_check_in(k.id, reached(TODAY + timedelta(days=1), visit_7=True, visit_30=False))
    assert set(caught.value.problems) == {"done_on", "visit_30"}
    with pytest.raises(ValidationError) as before:
        session.transitions.record_check_in(k.id, reached(TODAY - timedelta(days=5)))
    assert "before the transition" in before.value.problems["done_on"]
    with pytest.raises(ValidationError) as closing:
        session.transitions.record_check_in(k.id, reached(), next_step=NextStep.CLOSE)
    assert "reason" in closing.value.problems
    assert not session.transitions.check_in(k.id).done and stage(session, client_id) is Stage.TRANSITIONING


def test_reengage_reopens_the_case_for_re_tiering(session: Session, client_id: str, provider_id: str) -> None:
    t = session.transitions.record(client_id, step_down(provider_id, on=TODAY - timedelta(days=10)))
    k = session.transitions.check_ins(t.id)[0]
    session.transitions.record_check_in(k.id, reached(engaged=False, readmitted_or_ed=True),
                                        next_step=NextStep.REENGAGE, reason="ED visit; back to weekly contact")
    again = session.transitions.get(t.id)
    assert again.status is TransitionStatus.REENGAGED and again.ended_on == TODAY
    assert again.reengage_note == "ED visit; back to weekly contact"
    assert stage(session, client_id) is Stage.STRATIFYING
    assert session.transitions.open_for(client_id) is None
    assert [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.TRANSITION] == []
    with pytest.raises(ValidationError):
        session.transitions.record_check_in(session.transitions.check_ins(t.id)[2].id, reached())


def test_close_needs_a_reason_and_closes_the_case_which_can_be_re_engaged(session: Session, client_id: str) -> None:
    t = session.transitions.record(client_id, step_down(to_level="discharged", kind=TransitionKind.DISCHARGE))
    with pytest.raises(ValidationError) as caught:
        session.transitions.close(t.id, "  ")
    assert "why the case is closing" in caught.value.problems["reason"]
    closed = session.transitions.close(t.id, "Check-ins done; engaged with the GP")
    assert closed.status is TransitionStatus.CLOSED and closed.closure_reason == "Check-ins done; engaged with the GP"
    assert stage(session, client_id) is Stage.CLOSED
    with pytest.raises(ValidationError):
        session.transitions.close_case(client_id, "again")
    reopened = session.transitions.reengage(t.id, "Asked for help again")
    assert reopened.status is TransitionStatus.REENGAGED and stage(session, client_id) is Stage.STRATIFYING


def test_close_case_without_a_transition_records_a_closure(session: Session, client_id: str) -> None:
    closure = session.transitions.close_case(client_id, "Moved out of the area")
    assert closure.fields.kind is TransitionKind.CLOSURE and closure.status is TransitionStatus.CLOSED
    assert closure.closure_reason == "Moved out of the area" and closure.headline == "Case closed"
    assert stage(session, client_id) is Stage.CLOSED
    assert session.transitions.check_ins(closure.id) == []


def test_close_case_closes_the_open_transition(session: Session, client_id: str) -> None:
    t = session.transitions.record(client_id, step_down())
    closed = session.transitions.close_case(client_id, "Declined further services")
    assert closed.id == t.id and closed.status is TransitionStatus.CLOSED
    assert stage(session, client_id) is Stage.CLOSED


def test_a_new_transition_supersedes_the_open_one(session: Session, client_id: str) -> None:
    first = session.transitions.record(client_id, step_down(on=TODAY - timedelta(days=20)))
    k = session.transitions.check_ins(first.id)[0]
    session.transitions.record_check_in(k.id, reached(TODAY - timedelta(days=16)))
    assert stage(session, client_id) is Stage.POST_TRANSITION
    second = session.transitions.record(client_id, step_down(from_level="maintenance", to_level="inpatient"))
    assert session.transitions.get(first.id).status is TransitionStatus.SUPERSEDED
    assert session.transitions.open_for(client_id) == second
    assert stage(session, client_id) is Stage.TRANSITIONING
    assert [t.id for t in session.transitions.for_client(client_id)] == [second.id, first.id]


# -- proposals and the due list --------------------------------------------------------------------


def test_pending_check_ins_are_proposed_and_go_once_accepted_done_or_dismissed(
        session: Session, client_id: str, provider_id: str) -> None:
    t = session.transitions.record(client_id, step_down(provider_id, on=TODAY - timedelta(days=4)))

    def proposed() -> list:  # type: ignore[type-arg]
        return [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.TRANSITION]

    found = proposed()
    check_ins = session.transitions.check_ins(t.id)
    assert [p.source_id for p in found] == [k.id for k in check_ins if k.offset_days <= 30]  # 90 days: later
    assert all(p.kind is FollowUpType.POST_TRANSITION and p.link_type == "transition" and p.link_id == t.id
               for p in found)
    assert found == proposed()  # stable keys
    fu = session.follow_ups.accept_proposal(found[0])
    assert fu.fields.start.date() == TODAY  # overdue: proposed for today
    session.transitions.record_check_in(found[1].source_id, reached())
    session.follow_ups.dismiss_proposal(found[2])
    assert [p.source_id for p in proposed()] == [p.source_id for p in found[3:]]
    scheduled = session.transitions.check_in(found[0].source_id)
    listed = next(k for k in session.transitions.check_ins(t.id) if k.id == scheduled.id)
    assert listed.follow_up_id == fu.id and listed.scheduled_for == fu.fields.start


def test_due_check_ins_across_the_caseload_by_client_code(session: Session, client_id: str) -> None:
    other = session.clients.create(person(first_name="Bea", referral_date=date(2026, 6, 1)), Stage.IMPLEMENTING)
    a = session.transitions.record(client_id, step_down(on=TODAY - timedelta(days=5)))
    session.transitions.record(other.id, step_down(on=TODAY))
    due = session.transitions.due_check_ins(TODAY, days=7)
    assert [(d.client_code, d.check_in.offset_days, d.overdue(TODAY)) for d in due] == [
        (session.clients.get(client_id).client_code, 3, True),
        (session.clients.get(client_id).client_code, 7, False),
        (other.client_code, 3, False), (other.client_code, 7, False)]
    session.transitions.record_check_in(session.transitions.check_ins(a.id)[0].id, reached())
    assert len(session.transitions.due_check_ins(TODAY, days=7)) == 3
    session.transitions.close(a.id, "Moved away")
    assert {d.client_code for d in session.transitions.due_check_ins(TODAY, days=7)} == {other.client_code}


def test_the_editor_starts_from_the_level_appointments_referrals_and_safety_plan(
        session: Session, client_id: str, provider_id: str) -> None:
    session.follow_ups.schedule(client_id, FollowUpFields(
        FollowUpType.OFFICE, datetime(2026, 12, 3, 10), datetime(2026, 12, 3, 11), "America/Chicago",
        purpose="Benefits form"))
    session.service_referrals.create(client_id, ServiceReferralFields(provider_id, "Outpatient psychiatry",
                                                                      "Medication review"), send_on=TODAY)
    plans = session.safety_plans
    plans.activate(plans.save_draft(client_id, full_content(), TODAY + timedelta(days=30)).id, signatures())
    start = session.transitions.starting_fields(client_id)
    assert start.from_level == "" and start.on == TODAY
    assert len(start.pending_appointments) == 1 and "Benefits form" in start.pending_appointments[0]
    assert start.pending_referrals == ("Outpatient psychiatry — Dr Amara Okafor · Riverside CMHC (sent)",)
    assert "Dr. Okafor — Psychiatrist — (555) 010-4000, after hours (555) 010-4001" in start.crisis_plan
    assert "County mobile crisis team" in start.crisis_plan and "Riverside General ED" in start.crisis_plan
    session.transitions.record(client_id, step_down())
    assert session.transitions.starting_fields(client_id).from_level == "maintenance"


def test_the_audit_trail_names_ids_only(session: Session, client_id: str, provider_id: str) -> None:
    t = session.transitions.record(client_id, step_down(provider_id))
    k = session.transitions.check_ins(t.id)[0]
    session.transitions.record_check_in(k.id, reached(note=SECRET), next_step=NextStep.CLOSE, reason=SECRET)
    entries = [e for e in session.audit_repo().entries() if e.action.startswith("transition.")]
    assert [e.action for e in entries] == ["transition.record", "transition.check_in", "transition.close"]
    text = json.dumps([(e.action, e.object_id, e.detail) for e in entries])
    assert "Emilio" not in text and "Okafor" not in text and "maintenance" not in text


# -- settings and demo ---------------------------------------------------------------------------


def test_settings_keep_levels_and_check_in_days_and_fall_back_on_bad_values(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    assert store.load().check_in_days == (3, 7, 30, 90) and store.load().levels_of_care[0] == "intensive"
    store.save(Settings(levels_of_care=("Low", "High", "Step-down unit"), check_in_days=(30, 2)))
    loaded = store.load()
    assert loaded.levels_of_care == ("Low", "High", "Step-down unit") and loaded.check_in_days == (2, 30)
    (tmp_path / "settings.json").write_text(json.dumps({"levels_of_care": ["one"], "check_in_days": [0, "x"]}))
    assert store.load().levels_of_care == Settings().levels_of_care
    assert store.load().check_in_days == (3, 7, 30, 90)


def test_demo_makes_open_re_engaged_and_closed_transitions_with_check_ins(session: Session) -> None:
    stages = [Stage.TRANSITIONING, Stage.POST_TRANSITION, Stage.EVALUATING, Stage.CLOSED, Stage.IMPLEMENTING]
    clients = [session.clients.create(person(first_name=f"N{i}", referral_date=date(2026, 1, 5)), stages[i % 5])
               for i in range(60)]
    session.contacts.create(ContactFields(name="Dr Lee", role="Psychiatrist"))
    with session.write() as conn:
        written = demo_transitions(conn, random.Random(5), Faker(), clients, TODAY, lambda: str(uuid.uuid4()),
                                   now=session.clock.now())
    every = [t for c in clients for t in session.transitions.for_client(c.id)]
    assert written == len(every) >= 48
    statuses = {t.status for t in every}
    assert statuses == {TransitionStatus.OPEN, TransitionStatus.CLOSED, TransitionStatus.REENGAGED}
    assert {t.fields.kind for t in every} == set(TransitionKind)
    check_ins = [k for t in every for k in session.transitions.check_ins(t.id)]
    assert any(k.done for k in check_ins) and any(k.overdue(TODAY) for k in check_ins)
    assert any(not k.done and k.due_on >= TODAY for k in check_ins)
    assert any(k.outcome is not None and k.outcome.worrying for k in check_ins)
    for c in clients:
        if c.stage is Stage.TRANSITIONING:
            open_one = session.transitions.open_for(c.id)
            assert open_one is not None and not any(k.done for k in session.transitions.check_ins(open_one.id))
    assert session.transitions.due_check_ins(TODAY, 7)


def test_the_receiving_provider_of_a_transition_is_archived_not_deleted(
        session: Session, client_id: str, provider_id: str) -> None:
    session.transitions.record(client_id, step_down(provider_id))
    with pytest.raises(ValidationError) as refused:
        session.contacts.delete(provider_id)
    assert "1 transition" in str(refused.value) and "Archive it instead" in str(refused.value)
    assert session.contacts.usage(provider_id).transitions == 1
