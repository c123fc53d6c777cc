"""Comprehensive assessments through the service: drafts, completion as read-only versions,
starting from the last version, the case stage, the audit trail and the risk facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.models.assessment import (
    AboutPerson,
    AssessmentDocument,
    AssessmentStatus,
    Diagnosis,
    DomainRating,
    EventKind,
    HospitalEvent,
    LifeDomain,
    Medication,
    RiskFacts,
)
from app.models.client import Stage
from app.models.risk import Adherence, Domain, Housing, Observed, Support
from app.services.errors import NotFound, ValidationError
from app.services.session import Session
from app.store.errors import StorageError
from tests.conftest import person

TODAY = date(2026, 11, 26)
CLIENT_WORDS = "Seeing my grandson every Sunday"


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person(referral_date=date(2026, 10, 1))).id


def document(on: date = date(2026, 11, 20), need: int = 1) -> AssessmentDocument:
    return AssessmentDocument(
        assessed_on=on,
        domains={d: DomainRating(need, 2, f"{d.label}: synthetic narrative") for d in LifeDomain},
        about=AboutPerson(what_matters=CLIENT_WORDS, barriers="The bus costs too much"),
        diagnoses=(Diagnosis("Major depressive disorder, recurrent, moderate", "F33.1"),),
        medications=(Medication("Fluoxetine", "20 mg mornings", "Dr. Test Prescriber", Adherence.AS_PRESCRIBED),),
        events=(HospitalEvent(EventKind.ED_VISIT, date(2026, 8, 3), "County General"),
                HospitalEvent(EventKind.PSYCHIATRIC_DISCHARGE, date(2026, 11, 1), "Riverside unit")),
        facts=RiskFacts(Housing.SHELTER, Adherence.AS_PRESCRIBED, Support.LIMITED, False, False),
    )


def test_start_save_and_complete_a_first_assessment(session: Session, client_id: str) -> None:
    assert session.assessments.latest(client_id) is None
    assert session.assessments.risk_facts(client_id) is None
    draft = session.assessments.start(client_id)
    assert (draft.version, draft.status, draft.supersedes) == (1, AssessmentStatus.DRAFT, None)
    assert draft.document == AssessmentDocument(assessed_on=TODAY)
    assert session.assessments.start(client_id).id == draft.id  # one draft at a time
    half = AssessmentDocument(assessed_on=TODAY, about=AboutPerson(what_matters=CLIENT_WORDS))
    saved = session.assessments.save_draft(draft.id, half)
    assert saved.document.about.what_matters == CLIENT_WORDS
    session.assessments.save_draft(draft.id, replace(half, about=AboutPerson(what_matters=CLIENT_WORDS + " ")))
    assert session.assessments.draft(client_id) is not None
    assert session.assessments.versions(client_id) == []

    done = session.assessments.complete(draft.id, document())
    assert done.completed and done.completed_by == session.actor and done.completed_at is not None
    assert done.document == document().normalised()
    assert session.assessments.draft(client_id) is None
    assert session.assessments.latest(client_id) == done
    assert session.assessments.versions(client_id) == [done]
    assert session.assessments.get(done.id) == done


def test_completing_moves_an_early_case_to_assessing_once(session: Session, client_id: str) -> None:
    assert session.clients.get(client_id).stage is Stage.REFERRED
    draft = session.assessments.start(client_id)
    session.assessments.complete(draft.id, document())
    assert session.clients.get(client_id).stage is Stage.ASSESSING
    history = session.clients.stage_history(client_id)
    assert history[-1].to_stage is Stage.ASSESSING and history[-1].on == date(2026, 11, 20)
    assert history[-1].note == "Comprehensive assessment completed"
    # A second version neither moves the case nor adds to its history.
    session.assessments.complete(session.assessments.start(client_id).id)
    assert len(session.clients.stage_history(client_id)) == len(history)


def test_completing_never_moves_a_case_backwards(session: Session, client_id: str) -> None:
    session.clients.change_stage(client_id, Stage.PLANNING, date(2026, 11, 10))
    session.assessments.complete(session.assessments.start(client_id).id, document())
    assert session.clients.get(client_id).stage is Stage.PLANNING


def test_the_stage_change_is_never_dated_before_the_last_one(session: Session, client_id: str) -> None:
    session.clients.change_stage(client_id, Stage.SCREENING, date(2026, 11, 24))
    session.assessments.complete(session.assessments.start(client_id).id, document(on=date(2026, 11, 20)))
    history = session.clients.stage_history(client_id)
    assert (history[-1].to_stage, history[-1].on) == (Stage.ASSESSING, date(2026, 11, 24))


def test_a_new_assessment_starts_from_the_last_completed_version(session: Session, client_id: str) -> None:
    first = session.assessments.complete(session.assessments.start(client_id).id, document())
    second = session.assessments.start(client_id)
    assert (second.version, second.supersedes, second.status) == (2, first.id, AssessmentStatus.DRAFT)
    assert second.assessed_on == TODAY
    assert second.document == replace(first.document, assessed_on=TODAY)
    changed = replace(second.document, facts=replace(second.document.facts, housing=Housing.STABLE))
    done = session.assessments.complete(second.id, changed)
    assert [v.version for v in session.assessments.versions(client_id)] == [2, 1]
    assert session.assessments.get(first.id).document.facts.housing is Housing.SHELTER  # old version untouched
    assert session.assessments.latest(client_id) == done


def test_a_completed_version_is_read_only(session: Session, client_id: str) -> None:
    done = session.assessments.complete(session.assessments.start(client_id).id, document())
    for attempt in (lambda: session.assessments.save_draft(done.id, document(need=3)),
                    lambda: session.assessments.complete(done.id, document(need=3)),
                    lambda: session.assessments.discard_draft(done.id)):
        with pytest.raises(ValidationError, match="was completed"):
            attempt()
    # The database refuses it too, whatever the caller.
    with pytest.raises(StorageError), session.write() as conn:
        conn.execute("UPDATE assessments SET document = '{}' WHERE id = ?", (done.id,))
    assert session.assessments.get(done.id) == done


def test_completion_is_validated_and_nothing_changes_on_failure(session: Session, client_id: str) -> None:
    draft = session.assessments.start(client_id)
    bad = replace(document(), assessed_on=TODAY + timedelta(days=2),
                  diagnoses=(Diagnosis("Depression", "F321"),),
                  domains={LifeDomain.HOUSING: DomainRating(2)})
    with pytest.raises(ValidationError) as caught:
        session.assessments.complete(draft.id, bad)
    problems = caught.value.problems
    assert problems["assessed_on"] == "The assessment date is in the future. Check the date."
    assert "F32.1" in problems["diagnoses.0.icd10"]
    assert "domains.food.need" in problems and "domains.housing.need" not in problems
    assert "need attention" in str(caught.value)
    still = session.assessments.get(draft.id)
    assert still.status is AssessmentStatus.DRAFT and still.document == AssessmentDocument(assessed_on=TODAY)
    assert session.clients.get(client_id).stage is Stage.REFERRED
    # A draft keeps anything that can be kept, even what would stop completion.
    kept = session.assessments.save_draft(draft.id, bad)
    assert kept.document.diagnoses == (Diagnosis("Depression", "F321"),)
    with pytest.raises(ValidationError) as out_of_range:
        session.assessments.save_draft(draft.id, AssessmentDocument(TODAY, {LifeDomain.FOOD: DomainRating(5)}))
    assert set(out_of_range.value.problems) == {"domains.food.need"}


def test_a_draft_can_be_discarded_and_its_number_is_reused(session: Session, client_id: str) -> None:
    draft = session.assessments.start(client_id)
    session.assessments.discard_draft(draft.id)
    assert session.assessments.draft(client_id) is None
    with pytest.raises(NotFound):
        session.assessments.get(draft.id)
    assert session.assessments.start(client_id).version == 1


def test_unknown_ids(session: Session) -> None:
    with pytest.raises(NotFound):
        session.assessments.get("nope")
    with pytest.raises(NotFound):
        session.assessments.start("nope")


def test_the_audit_trail_names_the_steps_but_holds_no_client_words(session: Session, client_id: str) -> None:
    draft = session.assessments.start(client_id)
    session.assessments.save_draft(draft.id, document())
    session.assessments.complete(draft.id)
    entries = [e for e in session.audit_repo().latest(20) if e.action.startswith("assessment.")]
    assert {e.action for e in entries} == {"assessment.start", "assessment.complete"}
    for entry in entries:
        assert entry.object_id == draft.id
        for secret in (CLIENT_WORDS, "Fluoxetine", "F33.1", "County General", "shelter"):
            assert secret not in entry.detail


def test_risk_facts_come_from_the_latest_completed_version(session: Session, client_id: str) -> None:
    session.assessments.complete(session.assessments.start(client_id).id, document())
    facts = session.assessments.risk_facts(client_id)
    assert facts is not None and facts.as_of == TODAY
    assert facts.housing == Observed(Housing.SHELTER, date(2026, 11, 20), "Assessment")
    assert facts.support == Observed(Support.LIMITED, date(2026, 11, 20), "Assessment")
    assert facts.ed_or_crisis_contacts == (date(2026, 8, 3),)
    assert facts.psychiatric_discharge == date(2026, 11, 1)
    # A draft in progress does not change the facts until it is completed.
    draft = session.assessments.start(client_id)
    session.assessments.save_draft(draft.id, replace(draft.document, facts=RiskFacts(housing=Housing.UNSHELTERED)))
    assert session.assessments.risk_facts(client_id) == facts
    # The risk service reads them when handed them.
    result = session.risk.compute(client_id, facts)
    assert result.points(Domain.HOUSING) == 2 and result.points(Domain.SUPPORT) == 2
    assert any("discharge" in f.reason for f in result.floors)


def test_demo_clients_past_assessment_have_a_valid_completed_one(session: Session) -> None:
    from app.models.assessment import validate
    from app.services import demo

    demo.populate(session, 40, seed=7)
    order = list(Stage)
    assessed = 0
    for row in session.clients.roster(include_archived=True):
        latest = session.assessments.latest(row.id)
        if order.index(row.stage) < order.index(Stage.STRATIFYING):
            assert latest is None
            continue
        assert latest is not None and latest.version == 1
        assert validate(latest.document, TODAY) == {}
        record = session.risk.history(row.id)[-1]
        housing = next(d for d in record.result.domains if d.domain is Domain.HOUSING)
        assert "(Assessment)" in housing.evidence
        assessed += 1
    assert assessed > 10
