"""Screening and risk through the services: what is kept, what moves the case, what raises an alert."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models.client import Stage
from app.models.risk import Housing, Observed, RiskInputs, Support, Tier
from app.models.screening import Decision, ReferralFields, Urgency, crisis_line
from app.services.errors import NotFound, ValidationError
from app.services.session import Session
from tests.conftest import person

TODAY = date(2026, 11, 26)


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person(sex_at_birth="male", referral_date=date(2026, 11, 1))).id


def test_referral_and_decision_move_the_case(session: Session, client_id: str) -> None:
    referral = session.screening.add_referral(client_id, ReferralFields(
        date(2026, 11, 2), source="Primary care", referrer_name="Dr. Test Referrer", reason="Low mood, missed work",
        urgency=Urgency.URGENT))
    assert session.clients.get(client_id).stage is Stage.SCREENING
    decided = session.screening.decide(referral.id, Decision.ENROL, "Wants support; meets criteria", date(2026, 11, 20))
    assert decided.decision is Decision.ENROL and decided.decision_on == date(2026, 11, 20)
    assert session.clients.get(client_id).stage is Stage.ASSESSING
    history = session.clients.stage_history(client_id)
    assert [h.to_stage for h in history] == [Stage.REFERRED, Stage.SCREENING, Stage.ASSESSING]
    assert "Screening decision: Enrol" in history[-1].note
    actions = [e.action for e in session.audit_repo().latest(6)]
    assert "referral.decide" in actions and "referral.create" in actions


def test_decisions_need_a_reason_and_a_sensible_date(session: Session, client_id: str) -> None:
    referral = session.screening.add_referral(client_id, ReferralFields(date(2026, 11, 10), reason="Housing crisis"))
    with pytest.raises(ValidationError) as caught:
        session.screening.decide(referral.id, Decision.DECLINE, " ", date(2026, 11, 5))
    assert set(caught.value.problems) == {"reason", "on"}
    with pytest.raises(NotFound):
        session.screening.decide("nope", Decision.ENROL, "x")
    session.screening.decide(referral.id, Decision.REFER_ELSEWHERE, "Needs an eating-disorder service")
    assert session.clients.get(client_id).stage is Stage.CLOSED
    with pytest.raises(ValidationError):
        session.screening.add_referral(client_id, ReferralFields(date(2027, 1, 1), reason="Future"))


def test_an_administration_keeps_answers_score_version_and_who(session: Session, client_id: str) -> None:
    admin = session.screening.record(client_id, "phq9", {str(n): 2 for n in range(1, 9)} | {"9": 0},
                                     declined=["8"], on=date(2026, 11, 20))
    # Items 1–7 = 2 and item 9 = 0 answered, item 8 declined: 14 / 8 × 9 = 15.75 → 16.
    assert (admin.total, admin.band, admin.prorated, admin.valid) == (16, "Moderately severe", True, True)
    assert admin.declined == ("8",) and admin.answers["8"] is None
    assert admin.instrument_version == "1.0.0" and admin.recorded_by == session.actor
    stored = session.screening.history(client_id, "phq9")
    assert stored == [admin]
    entry = session.audit_repo().latest(1)[0]
    assert (entry.action, entry.detail) == ("screening.record", "instrument=phq9")


def test_bad_answers_are_refused_naming_the_item(session: Session, client_id: str) -> None:
    with pytest.raises(ValidationError, match="item 3: 7 is not an answer"):
        session.screening.record(client_id, "phq9", {"3": 7})
    assert session.screening.history(client_id) == []


def test_the_clients_sex_sets_the_auditc_threshold(session: Session, client_id: str) -> None:
    admin = session.screening.record(client_id, "auditc", {"1": 1, "2": 1, "3": 1})
    assert admin.sex_used == "male" and admin.positive is False
    assert session.screening.record(client_id, "auditc", {"1": 1, "2": 1, "3": 1}, sex="female").positive is True


def test_item9_raises_an_alert_until_reviewed(session: Session, client_id: str) -> None:
    session.screening.record(client_id, "phq9", {str(n): 0 for n in range(1, 9)} | {"9": 1})
    alerts = session.screening.open_alerts()
    assert [(a.client_id, a.flag, a.instrument_id) for a in alerts] == [(client_id, "suicide_risk", "phq9")]
    with pytest.raises(ValidationError, match="in a sentence"):
        session.screening.review_alert(alerts[0].id, "ok")
    reviewed = session.screening.review_alert(alerts[0].id, "C-SSRS asked: Low. Safety plan reviewed.")
    assert reviewed.reviewed_by == session.actor and reviewed.reviewed_at is not None
    assert session.screening.open_alerts() == [] and len(session.screening.alerts(client_id)) == 1
    assert crisis_line("en_US").startswith("988")


def test_cssrs_high_raises_an_alert_and_low_does_not(session: Session, client_id: str) -> None:
    session.screening.record(client_id, "cssrs_screener", {"q1": 1, "q2": 0, "q6": 0})
    assert session.screening.open_alerts(client_id) == []
    high = session.screening.record(client_id, "cssrs_screener", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0})
    assert high.risk == "High"
    assert [a.level for a in session.screening.open_alerts(client_id)] == ["High"]


def test_latest_is_per_instrument(session: Session, client_id: str) -> None:
    session.screening.record(client_id, "gad7", dict.fromkeys("1234567", 1), on=date(2026, 11, 1))
    later = session.screening.record(client_id, "gad7", dict.fromkeys("1234567", 2), on=date(2026, 11, 15))
    session.screening.record(client_id, "gad7", dict.fromkeys("1234567", 3), on=date(2026, 11, 10))
    assert session.screening.latest(client_id)["gad7"].id == later.id


def test_external_scores(session: Session, client_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        session.screening.record_external(client_id, "", date(2027, 1, 1))
    assert set(caught.value.problems) == {"tool", "on", "total"}
    session.screening.record_external(client_id, "LOCUS", date(2026, 11, 3), total="17", level="Level 3")
    assert [(e.tool, e.total, e.level) for e in session.screening.external_scores(client_id)] == [("LOCUS", "17", "Level 3")]


# -- risk -----------------------------------------------------------------------------------------

def test_risk_inputs_come_from_the_latest_scores(session: Session, client_id: str) -> None:
    session.screening.record(client_id, "phq9", dict.fromkeys("12345678", 2) | {"9": 2}, on=date(2026, 11, 20))
    session.screening.record(client_id, "k6", dict.fromkeys(("2", "4", "5", "8", "9", "10"), 3))
    result = session.risk.compute(client_id)
    assert result.tier is Tier.HIGH  # item 9 = 2 with no C-SSRS since is a floor
    assert any("no C-SSRS since" in f.reason for f in result.floors)
    session.screening.record(client_id, "cssrs_screener", {"q1": 1, "q2": 0, "q6": 0})
    later = session.risk.compute(client_id, RiskInputs(
        as_of=TODAY, housing=Observed(Housing.SHELTER, TODAY), support=Observed(Support.LIMITED, TODAY)))
    assert later.floors == ()  # a C-SSRS after the PHQ-9 lifts the item-9 floor
    # suicide 2 (item 9 = 2), symptoms 2 (PHQ-9 18, K6 18), housing 2 (shelter), support 2 (limited)
    assert later.total == 8 and later.tier is Tier.MODERATE


def test_record_overrides_history_roster_and_crisis_step_down(session: Session, client_id: str) -> None:
    computed = session.risk.compute(client_id)
    with pytest.raises(ValidationError, match="reason"):
        session.risk.record(client_id, computed, override=Tier.HIGH, reason="gut")
    record = session.risk.record(client_id, computed, override=Tier.HIGH, reason="Family reports threats from a partner")
    assert record.overridden and record.cadence is not None and record.cadence.contact_days == 7
    assert session.risk.current(client_id) is Tier.HIGH
    assert session.clients.roster()[0].tier is Tier.HIGH
    session.screening.record(client_id, "cssrs_screener", {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 0},
                            on=date(2026, 11, 20))
    crisis = session.risk.record(client_id, session.risk.compute(client_id))
    assert crisis.tier is Tier.CRISIS
    calmer = session.risk.compute(client_id)
    with pytest.raises(ValidationError, match="reassessment"):
        session.risk.record(client_id, calmer, override=Tier.HIGH, reason="Engaged, plan in place, family present")
    session.screening.record(client_id, "cssrs_screener", {"q1": 1, "q2": 0, "q6": 0})  # the reassessment
    stepped = session.risk.record(client_id, session.risk.compute(client_id), override=Tier.HIGH,
                                  reason="Engaged, plan in place, family present")
    assert stepped.tier is Tier.HIGH
    assert [r.tier for r in session.risk.history(client_id)] == [Tier.HIGH, Tier.CRISIS, Tier.HIGH]
    assert session.risk.counts() == {Tier.HIGH: 1}
    entry = session.audit_repo().latest(1)[0]
    assert entry.action == "risk.record" and "override" in entry.detail


def test_stored_evidence_reads_back(session: Session, client_id: str) -> None:
    session.screening.record(client_id, "gad7", dict.fromkeys("1234567", 3), on=TODAY - timedelta(days=2))
    record = session.risk.record(client_id, session.risk.compute(client_id))
    stored = session.risk.history(client_id)[0]
    assert stored.result.domains == record.result.domains and stored.result.total == record.result.total
    assert any("GAD-7 21" in d.evidence for d in stored.result.domains)
