"""The assessment document: life domains, ratings, JSON versions, validation and risk facts."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.models.assessment import (
    SCHEMA_VERSION,
    AboutPerson,
    AssessmentDocument,
    Diagnosis,
    DomainRating,
    EventKind,
    HospitalEvent,
    LifeDomain,
    Medication,
    RecoveryDimension,
    RiskFacts,
    carry_forward,
    icd10_problem,
    need_labels,
    rating_text,
    risk_inputs,
    strength_labels,
    validate,
)
from app.models.risk import Adherence, Domain, Housing, Observed, Support, Tier, stratify

TODAY = date(2026, 11, 26)


def rated(need: int = 0, **domains: DomainRating) -> dict[LifeDomain, DomainRating]:
    ratings = {d: DomainRating(need, None, "") for d in LifeDomain}
    ratings.update({LifeDomain(k): v for k, v in domains.items()})
    return ratings


def full_document() -> AssessmentDocument:
    return AssessmentDocument(
        assessed_on=date(2026, 11, 20),
        domains=rated(1, housing=DomainRating(3, 1, "Notice to leave by January; landlord wants the flat back."),
                      social_supports=DomainRating(2, 3, "Sister visits on Sundays — “she keeps me going”.")),
        about=AboutPerson(what_matters="Getting my kids back on weekends", preferences="Texts, not calls; mornings",
                          strengths="I cook for the whole building", supports="Sister, the church food bank",
                          barriers="No bus on Sundays"),
        diagnoses=(Diagnosis("Major depressive disorder, single episode, moderate", "F32.1"),
                   Diagnosis("Generalised anxiety disorder", "")),
        medications=(Medication("Sertraline", "100 mg daily", "Dr. Test Prescriber", Adherence.OCCASIONAL_MISSES),),
        events=(HospitalEvent(EventKind.ED_VISIT, date(2026, 10, 30), "County General", "Panic attack"),
                HospitalEvent(EventKind.PSYCHIATRIC_ADMISSION, date(2026, 3, 2), "Riverside unit"),
                HospitalEvent(EventKind.PSYCHIATRIC_DISCHARGE, date(2026, 3, 16), "Riverside unit"),
                HospitalEvent(EventKind.OVERDOSE, date(2026, 7, 12))),
        facts=RiskFacts(Housing.AT_RISK, Adherence.OCCASIONAL_MISSES, Support.ONE, False, True),
    )


def test_the_sixteen_life_domains_have_labels_and_recovery_dimensions() -> None:
    assert len(LifeDomain) == 16
    labels = [d.label for d in LifeDomain]
    assert labels[0] == "Housing" and labels[-1] == "Spirituality and culture"
    assert len(set(labels)) == 16
    assert LifeDomain.HOUSING.recovery_dimension is RecoveryDimension.HOME
    assert {d.recovery_dimension for d in LifeDomain} == set(RecoveryDimension)


def test_ratings_read_as_a_number_and_words() -> None:
    assert set(need_labels()) == set(strength_labels()) == {0, 1, 2, 3}
    assert rating_text(2, need_labels()) == "2 · Moderate need"
    assert rating_text(3, strength_labels()) == "3 · Core strength"
    assert rating_text(None, need_labels()) == "Not rated"


def test_json_round_trip_carries_a_schema_number() -> None:
    document = full_document()
    text = document.to_json()
    data = json.loads(text)
    assert data["schema"] == SCHEMA_VERSION
    assert data["domains"]["housing"] == {"need": 3, "strength": 1,
                                          "narrative": "Notice to leave by January; landlord wants the flat back."}
    again = AssessmentDocument.from_json(text)
    assert again == document
    assert "“she keeps me going”" in text  # the client's words kept as written, not escaped


def test_old_and_newer_documents() -> None:
    # A minimal schema-1 document (fields added later must default sensibly).
    old = AssessmentDocument.from_dict({"schema": 1, "assessed_on": "2025-01-02"})
    assert old.assessed_on == date(2025, 1, 2) and old.domain(LifeDomain.FOOD) == DomainRating()
    assert old.facts == RiskFacts() and old.diagnoses == ()
    with pytest.raises(ValueError, match="newer version of Waypoint"):
        AssessmentDocument.from_dict({"schema": SCHEMA_VERSION + 1, "assessed_on": "2025-01-02"})
    with pytest.raises(ValueError, match="not an assessment"):
        AssessmentDocument.from_dict({"assessed_on": "2025-01-02"})


def test_a_new_assessment_starts_from_the_last() -> None:
    previous = full_document()
    new = carry_forward(previous, TODAY)
    assert new.assessed_on == TODAY
    assert new.domains == previous.domains and new.medications == previous.medications
    assert new.about == previous.about and new.facts == previous.facts


@pytest.mark.parametrize("code", ["F32.1", "F41.9", "f32.1", "Z59.0", "F20", "S72.001A", "C4A.0", " F43.10 ", ""])
def test_icd10_codes_that_are_accepted(code: str) -> None:
    assert icd10_problem(code) is None


@pytest.mark.parametrize(("code", "hint"), [
    ("F321", "Write the code with a dot after the third character: F32.1."),
    ("F41.", "is not an ICD-10 code"),
    ("depression", "is not an ICD-10 code"),
    ("32.1", "Codes look like F32.1 or F41.9"),
    ("F3.21", "is not an ICD-10 code"),
    ("F32.12345", "is not an ICD-10 code"),
])
def test_malformed_icd10_codes_are_explained(code: str, hint: str) -> None:
    problem = icd10_problem(code)
    assert problem is not None and hint in problem


def test_a_complete_document_validates() -> None:
    assert validate(full_document(), TODAY) == {}


def test_validation_sentences() -> None:
    document = AssessmentDocument(
        assessed_on=date(2026, 12, 1),
        domains=rated(0, housing=DomainRating(4, None), food=DomainRating(None, -1, "x")),
        diagnoses=(Diagnosis("", "F32.1"), Diagnosis("Depression", "F321")),
        medications=(Medication("", "10 mg"),),
        events=(HospitalEvent(EventKind.ED_VISIT, None), HospitalEvent(EventKind.OVERDOSE, date(2027, 1, 1)),
),
        facts=RiskFacts(adherence=Adherence.NOT_APPLICABLE),
    )
    problems = validate(document, TODAY)
    assert problems["assessed_on"] == "The assessment date is in the future. Check the date."
    assert problems["domains.housing.need"] == "Housing: a rating goes from 0 to 3, not 4."
    assert problems["domains.food.strength"] == "Food: a rating goes from 0 to 3, not -1."
    assert problems["domains.food.need"] == "Rate the need for Food (0 means no need)."
    assert problems["diagnoses.0.text"].startswith("Describe the diagnosis in words")
    assert "F32.1" in problems["diagnoses.1.icd10"]
    assert problems["medications.0.name"] == "Name the medication, or remove the row."
    assert "not applicable" in problems["facts.adherence"]
    assert problems["events.0.on"] == "Give the date of the emergency department visit, even if approximate."
    assert "future" in problems["events.1.on"]
    earlier = AssessmentDocument(assessed_on=date(2026, 11, 2), domains=rated(0),
                                 events=(HospitalEvent(EventKind.WITHDRAWAL, date(2026, 11, 20)),))
    assert validate(earlier, TODAY) == {
        "events.0.on": "This date is after the assessment date. Check both dates."}
    for sentence in problems.values():
        assert sentence.endswith((".", ")")) and sentence[0].isupper() or sentence.startswith("“")


def test_a_draft_only_refuses_what_cannot_be_kept() -> None:
    draft = AssessmentDocument(assessed_on=date(2027, 1, 1), domains={LifeDomain.LEGAL: DomainRating(7)},
                               diagnoses=(Diagnosis("", "nonsense"),))
    assert set(validate(draft, TODAY, completing=False)) == {"domains.legal.need"}


def test_normalised_strips_text_drops_empty_rows_and_upper_cases_codes() -> None:
    document = AssessmentDocument(
        assessed_on=TODAY, about=AboutPerson(what_matters="  my dog  "),
        diagnoses=(Diagnosis(" PTSD ", " f43.10 "), Diagnosis(" ", "")),
        medications=(Medication("", " ", ""), Medication(" Prazosin ", "1 mg"),
                     Medication("", adherence=Adherence.AS_PRESCRIBED)),
    ).normalised()
    assert document.about.what_matters == "my dog"
    assert document.diagnoses == (Diagnosis("PTSD", "F43.10"),)
    # A row with only "how it is taken" is kept, so completing asks for the medication's name.
    assert document.medications == (Medication("Prazosin", "1 mg"), Medication("", adherence=Adherence.AS_PRESCRIBED))


def test_risk_inputs_carry_the_facts_dated_the_assessment_day() -> None:
    document = full_document()
    inputs = risk_inputs(document, TODAY)
    on = document.assessed_on
    assert inputs.as_of == TODAY
    assert inputs.housing == Observed(Housing.AT_RISK, on, "Assessment")
    assert inputs.adherence == Observed(Adherence.OCCASIONAL_MISSES, on, "Assessment")
    assert inputs.support == Observed(Support.ONE, on, "Assessment")
    assert inputs.psychosis_or_mania == Observed(False, on, "Assessment")
    assert inputs.alcohol_harm == Observed(True, on, "Assessment")
    assert inputs.ed_or_crisis_contacts == (date(2026, 10, 30),)
    assert inputs.psychiatric_admissions == (date(2026, 3, 2),)
    assert inputs.psychiatric_discharge == date(2026, 3, 16)
    assert inputs.overdose_or_withdrawal == (date(2026, 7, 12),)
    assert inputs.phq9_total is None and inputs.cssrs is None  # scores come from screening
    result = stratify(inputs)
    # ED visit 27 days ago → 3; at risk → 1; occasional misses → 1; one support → 1.
    assert [result.points(d) for d in (Domain.ACUTE_CARE, Domain.HOUSING, Domain.ADHERENCE, Domain.SUPPORT)] == [3, 1, 1, 1]
    assert result.points(Domain.SUBSTANCE) == 0  # the overdose was more than 90 days ago
    assert result.tier is Tier.MODERATE


def test_risk_inputs_leave_unrecorded_facts_unrecorded() -> None:
    inputs = risk_inputs(AssessmentDocument(assessed_on=TODAY), TODAY)
    assert (inputs.housing, inputs.adherence, inputs.support, inputs.psychosis_or_mania, inputs.alcohol_harm) == (
        None, None, None, None, None)
    assert inputs.ed_or_crisis_contacts == () and inputs.psychiatric_discharge is None


def test_overall_adherence_falls_back_to_the_worst_medication() -> None:
    document = AssessmentDocument(assessed_on=TODAY, medications=(
        Medication("A", adherence=Adherence.AS_PRESCRIBED), Medication("B", adherence=Adherence.FREQUENT_MISSES),
        Medication("C")))
    assert risk_inputs(document, TODAY).adherence == Observed(Adherence.FREQUENT_MISSES, TODAY, "Assessment")


def test_a_discharge_after_as_of_is_not_used_and_the_latest_discharge_wins() -> None:
    document = AssessmentDocument(assessed_on=TODAY, events=(
        HospitalEvent(EventKind.PSYCHIATRIC_DISCHARGE, date(2026, 1, 5)),
        HospitalEvent(EventKind.PSYCHIATRIC_DISCHARGE, date(2026, 11, 10)),
        HospitalEvent(EventKind.CRISIS_CONTACT, date(2026, 11, 9)),
        HospitalEvent(EventKind.ED_VISIT, date(2026, 6, 1))))
    assert risk_inputs(document, date(2026, 11, 1)).psychiatric_discharge == date(2026, 1, 5)
    inputs = risk_inputs(document, TODAY)
    assert inputs.psychiatric_discharge == date(2026, 11, 10)
    assert inputs.ed_or_crisis_contacts == (date(2026, 6, 1), date(2026, 11, 9))
    assert any("discharge" in f.reason for f in stratify(inputs).floors)
