"""The clinical reports — screening and assessment results, the care plan, the transition /
discharge summary and the referral letter — built through the report catalogue from records
made with the services, read back as PDF text."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.i18n import format_date
from app.models.assessment import (
    AboutPerson,
    AssessmentDocument,
    Diagnosis,
    DomainRating,
    EventKind,
    HospitalEvent,
    LifeDomain,
    Medication,
    RiskFacts,
)
from app.models.care_plan import (
    Agreement,
    Comparison,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalProgress,
    InstrumentTarget,
    Intervention,
    InterventionStatus,
    Modality,
    Need,
    NeedSource,
    Objective,
    ObjectiveStatus,
    PlanDocument,
    Priority,
    Responsible,
)
from app.models.client import Stage
from app.models.consent import InfoType, ReleaseFields, SignatureKind
from app.models.contacts import ContactFields
from app.models.risk import Adherence, Housing, Support
from app.models.screening import ReferralFields, Urgency
from app.models.service_referral import ServiceReferralFields
from app.models.signature import SignerRole, Stroke, drawn, verbally_agreed
from app.models.transitions import Handoff, HandoffMethod, TransitionFields, TransitionKind
from app.models.transitions import Medication as ReportedMedication
from app.reports import care_plan_report
from app.reports.engine import Identify, Letterhead
from app.services.errors import NotFound
from app.services.report_data_clinical import NothingToReport, care_plan_data
from app.services.reporting import ReportRequest, kind
from app.services.session import Session
from tests.conftest import person
from tests.test_safety_plans import full_content
from tests.test_safety_plans import signatures as safety_signatures

NAMES = [("Nguyễn Thị", "Ánh"), ("Zoë", "Ødegård"), ("Ольга", "Петрова")]
LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street\nPortland, OR 97201",
                        "(503) 555-0142", None, "Jordan Ellis", "MSW, CCM")
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
KINDS = ("assessment", "care-plan", "transition", "referral")
STROKE = Stroke.of([(0.05, 0.6), (0.15, 0.3), (0.25, 0.7), (0.4, 0.35), (0.6, 0.65), (0.9, 0.4)])
INTAKE_REASON = "Low mood after losing work at the cannery"


# -- reading PDFs ----------------------------------------------------------------------------------


def pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return "\n".join(pages(data))


def squashed(text: str) -> str:
    return "".join(text.split())


def contains(text: str, fact: str) -> bool:
    """A fact is in the text even where a table cell wrapped it over two lines."""
    return squashed(fact) in squashed(text)


def build(session: Session, key: str, client_id: str, **extra: object) -> bytes:
    """Every section unless `sections` says otherwise (the catalogue's default leaves Part 2 out)."""
    extra.setdefault("sections", kind(key).sections)
    return kind(key).build(session, ReportRequest(key, client_id, **extra), LETTERHEAD)  # type: ignore[arg-type]


# -- a client with a full record, made through the services ---------------------------------------


@dataclass(frozen=True)
class Record:
    client_id: str
    name: str
    code: str
    provider_id: str
    assessment_id: str
    plan_id: str
    referral_id: str
    transition_id: str


def _answers(values: list[int]) -> dict[str, int | None]:
    return {str(n): v for n, v in enumerate(values, start=1)}


def assessment_document(on: date) -> AssessmentDocument:
    domains = {d: DomainRating(0, 1, "") for d in LifeDomain}
    domains[LifeDomain.MENTAL_HEALTH] = DomainRating(2, 1, "Low mood since the layoff; sleeps badly")
    domains[LifeDomain.HOUSING] = DomainRating(2, 2, "Two months behind on rent")
    domains[LifeDomain.SUBSTANCE_USE] = DomainRating(2, 1, "Drinks most nights to get to sleep")
    return AssessmentDocument(
        assessed_on=on, domains=domains,
        about=AboutPerson("Keeping my flat", "Texts, not calls", "I don't give up", "My sister Inés", "Forms"),
        diagnoses=(Diagnosis("Major depressive disorder, single episode, moderate", "F32.1"),
                   Diagnosis("Alcohol use disorder, mild", "F10.10")),
        medications=(Medication("Sertraline", "100 mg daily", "Dr Okafor", Adherence.OCCASIONAL_MISSES),
                     Medication("Naltrexone", "50 mg daily", "Dr Okafor")),
        events=(HospitalEvent(EventKind.ED_VISIT, on - timedelta(days=50), "Riverside General", "Panic, sent home"),
                HospitalEvent(EventKind.WITHDRAWAL, on - timedelta(days=40), "Home", "Shakes after stopping")),
        facts=RiskFacts(Housing.AT_RISK, Adherence.OCCASIONAL_MISSES, Support.ONE, False, True),
    )


def plan_document() -> PlanDocument:
    return PlanDocument(
        about=AboutPerson("Keeping my flat and my job search going", "Texts in the morning", "Stubborn",
                          "Sister Inés; the library", "Forms and phone queues"),
        discharge_criteria="Rent paid up and sleeping most nights",
        needs=(
            Need("n1", LifeDomain.HOUSING, "I might lose my flat", "Rent arrears of two months",
                 NeedSource.ASSESSMENT, priority=Priority.HIGH, goals=(
                     Goal("g1", "Keep my flat", "Arrears paid in full by 1 March 2027", date(2027, 3, 1),
                          GoalLifecycle.ACTIVE, GoalAchievement.IMPROVING, objectives=(
                              Objective("o1", "Pay £50 extra a month", "Rent statements", "Arrears at zero",
                                        "Two months behind", date(2027, 3, 1), ObjectiveStatus.IN_PROGRESS,
                                        interventions=(Intervention(
                                            "i1", "Call the landlord together", Responsible.CASE_MANAGER, "",
                                            "Fortnightly", Modality.PHONE, TODAY, date(2027, 3, 1),
                                            InterventionStatus.IN_PROGRESS),)),
                              Objective("o2", "Mood good enough to job hunt", target_on=date(2027, 2, 1),
                                        status=ObjectiveStatus.IN_PROGRESS,
                                        instrument=InstrumentTarget("phq9", Comparison.BELOW, 10, TODAY),
                                        interventions=(Intervention(
                                            "i2", "Psychiatry medication review", Responsible.TEAM_MEMBER,
                                            "Dr Amara Okafor", "Monthly", Modality.VIDEO),)),
                          )),)),
            Need("n2", LifeDomain.SUBSTANCE_USE, "I drink to sleep", "AUDIT-C positive", NeedSource.SCREENING,
                 goals=(Goal("g2", "Only drink at weekends", "No more than 2 drinking days a week by February",
                             date(2027, 2, 1), GoalLifecycle.ACTIVE, objectives=(
                                 Objective("o3", "Keep a drinks diary", "Diary", "Every day", "None kept",
                                           date(2027, 1, 1)),)),)),
        ),
    )


def make_record(session: Session, first: str = "Ana", last: str = "Quintero") -> Record:
    provider = session.contacts.create(ContactFields(
        name="Dr Amara Okafor", role="Psychiatrist", organisation="Riverside CMHC", phone="(503) 555-0199",
        address_line1="40 Mill Road", city="Salem", region="OR", postal_code="97301"))
    client = session.clients.create(person(first_name=first, last_name=last, pronouns="she/her",
                                           referral_date=TODAY - timedelta(days=130)))
    cid = client.id
    session.screening.add_referral(cid, ReferralFields(TODAY - timedelta(days=120), "Primary care",
                                                      reason=INTAKE_REASON))
    session.screening.record(cid, "phq9", _answers([3, 3, 2, 2, 2, 2, 2, 2, 0, 1]), on=TODAY - timedelta(days=60))
    session.screening.record(cid, "phq9", _answers([2, 2, 1, 1, 1, 2, 1, 1, 1, 1]), on=TODAY - timedelta(days=6))
    session.screening.record(cid, "gad7", _answers([2, 2, 1, 1, 1, 1, 1]), on=TODAY - timedelta(days=6))
    session.screening.record(cid, "auditc", _answers([3, 2, 2]), on=TODAY - timedelta(days=30), sex="female")
    session.screening.record(cid, "dast10", _answers([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]), on=TODAY - timedelta(days=30))
    assessment = session.assessments.start(cid, on=TODAY - timedelta(days=10))
    assessment = session.assessments.complete(assessment.id, assessment_document(TODAY - timedelta(days=10)))
    session.risk.record(cid, session.risk.compute(cid))
    draft = session.care_plans.start_draft(cid)
    session.care_plans.save_draft(draft.id, plan_document())
    plan = session.care_plans.activate(draft.id, Agreement.SIGNED, [
        drawn(SignerRole.CLIENT, f"{first} {last}", NOW, [STROKE]),
        drawn(SignerRole.CASE_MANAGER, "Jordan Ellis", NOW, [STROKE])])
    session.care_plans.record_review(plan.id, [GoalProgress("g1", 1, "Paid extra two months running"),
                                               GoalProgress("g2", -1, "Still most nights")],
                                     attended="Ana, her sister and me", changes="Add a benefits check")
    safety = session.safety_plans.start_draft(cid)
    session.safety_plans.save_draft(cid, full_content(), TODAY + timedelta(days=60))
    session.safety_plans.activate(safety.id, safety_signatures())
    referral = session.service_referrals.create(cid, ServiceReferralFields(
        provider.id, "Outpatient psychiatry", "Medication review: low mood despite sertraline", Urgency.URGENT,
        due_on=TODAY + timedelta(days=5), intervention_id="i2"), send_on=TODAY)
    session.care_plans.link_referral(cid, "i2", referral.id)
    session.consents.create(cid, ReleaseFields(
        provider.id, (InfoType.TRANSITION_SUMMARY, InfoType.SCREENING_RESULTS, InfoType.CARE_PLAN),
        purposes=("Coordination of care",), signed_on=TODAY - timedelta(days=3), expires_on=TODAY + timedelta(days=365),
        disclosers="This program", signature_kind=SignatureKind.VERBAL, verbal_reason="Agreed by phone"))
    transition = session.transitions.record(cid, TransitionFields(
        kind=TransitionKind.LEVEL_OF_CARE, from_level="intensive", to_level="maintenance", on=TODAY - timedelta(days=1),
        reason="Goals mostly met; wants fewer visits", receiving_contact_id=provider.id,
        handoff=Handoff("Dr Okafor's nurse", TODAY - timedelta(days=2), HandoffMethod.PHONE, "Intake booked together"),
        medications=(ReportedMedication("Sertraline", "100 mg every morning", "says she misses some doses"),
                     ReportedMedication("Buprenorphine", "8 mg daily", "from the clinic")),
        pending_appointments=("Psychiatry review 2 Dec at Riverside CMHC",),
        pending_referrals=("Peer support group — waiting list",), crisis_plan="Call the county team first",
        preferences="Spanish-speaking clinician if possible", information_given="Crisis numbers and the new address",
        services_provided="Weekly home visits and benefits help", condition="Stable, hopeful about work"))
    return Record(cid, f"{first} {last}", client.client_code, provider.id, assessment.id, plan.id, referral.id,
                  transition.id)


@pytest.fixture
def record(session: Session) -> Record:
    return make_record(session)


# -- screening and assessment results ---------------------------------------------------------------


def test_assessment_report_shows_scores_answers_findings_and_why_this_tier(session: Session, record: Record) -> None:
    text = text_of(build(session, "assessment", record.client_id))
    tier = session.risk.history(record.client_id)[-1]
    for fact in ("Screening and assessment results", "PHQ-9", "12 of 27", "Moderate", "screen positive",
                 format_date(TODAY - timedelta(days=6)), "18 on " + format_date(TODAY - timedelta(days=60)) + " (−6)",
                 "Thoughts that you would be better off dead", "1 · Several days",
                 "Low mood since the layoff", "Two months behind on rent", "Keeping my flat",
                 "Major depressive disorder", "F32.1", "Sertraline", "Emergency department visit", "Riverside General",
                 "Risk tier and why", tier.tier.label, tier.result.rule_version, "Housing at risk",
                 "Substance use (42 CFR Part 2)", "AUDIT-C", "DAST-10", "Drinks most nights to get to sleep",
                 "Alcohol use disorder, mild (F10.10)", "Naltrexone", "Withdrawal", "Alcohol-related harm"):
        assert contains(text, fact), fact


def test_substance_use_is_only_in_its_own_section(session: Session, record: Record) -> None:
    report = kind("assessment")
    assert report.info_types()["substance_use"] is InfoType.SUBSTANCE_USE
    others = tuple(s for s in report.sections if s != "substance_use")
    assert InfoType.SUBSTANCE_USE not in report.info_for(others)
    text = text_of(build(session, "assessment", record.client_id, sections=others))
    for leaked in ("AUDIT-C", "DAST-10", "F10.10", "Naltrexone", "Drinks most nights", "Withdrawal",
                   "Substance use not screened", "DAST"):
        assert not contains(text, leaked), leaked
    assert contains(text, "The substance-use domain is left out of this report (42 CFR Part 2).")
    assert contains(text, "Sertraline") and contains(text, "F32.1")
    for key in ("care-plan", "transition", "referral"):
        k = kind(key)
        assert k.info_types()["substance_use"] is InfoType.SUBSTANCE_USE
        rest = tuple(s for s in k.sections if s != "substance_use")
        body = text_of(build(session, key, record.client_id, sections=rest))
        for leaked in ("AUDIT-C", "DAST-10", "Only drink at weekends", "Buprenorphine", "F10.10"):
            assert not contains(body, leaked), (key, leaked)


def test_assessment_sections_leave_out_what_is_not_chosen(session: Session, record: Record) -> None:
    text = text_of(build(session, "assessment", record.client_id, sections=("scores",)))
    assert contains(text, "PHQ-9") and contains(text, "12 of 27")
    for left_out in ("Item-level answers", "Life domains", "Sertraline", "Risk tier and why", "Keeping my flat"):
        assert not contains(text, left_out), left_out
    with pytest.raises(ValueError, match="Unknown report section"):
        build(session, "assessment", record.client_id, sections=("diagnosis",))


# -- the care plan ---------------------------------------------------------------------------------


def test_care_plan_report_has_the_whole_plan_and_its_reviews(session: Session, record: Record) -> None:
    text = text_of(build(session, "care-plan", record.client_id))
    for fact in ("Care plan", "Version 1", "Active", "Rent paid up and sleeping most nights",
                 "Keeping my flat and my job search going", "Sister Inés; the library",
                 "Need 1 · Housing · High priority", "I might lose my flat", "Rent arrears of two months",
                 "Keep my flat", "Arrears paid in full by 1 March 2027", format_date(date(2027, 3, 1)),
                 "Active · Improving", "Pay £50 extra a month", "Rent statements", "target: Arrears at zero",
                 "Two months behind", "PHQ-9 below 10", "latest 12", "Call the landlord together", "Fortnightly",
                 "Phone", "Case manager", "Dr Amara Okafor", "Monthly", "Video",
                 "Referral: Outpatient psychiatry → Dr Amara Okafor · Riverside CMHC",
                 "Review of " + format_date(TODAY), "Ana, her sister and me", "Add a benefits check",
                 "+1 · Somewhat more than expected", "Paid extra two months running",
                 "Substance-use needs and goals", "Only drink at weekends", "−1 · Somewhat less than expected",
                 "Signatures", "Signed on screen", "Ana Quintero", "Jordan Ellis", "Other (role)"):
        assert contains(text, fact), fact


def _line_ops(data: bytes) -> int:
    """How many straight-line segments the last page draws (a drawn signature adds many)."""
    page = PdfReader(io.BytesIO(data)).pages[-1]
    return len(re.findall(r"(?<=\d) l\b", page.get_contents().get_data().decode("latin-1")))


def test_care_plan_signature_is_drawn_from_its_strokes(session: Session, record: Record) -> None:
    data = care_plan_data(session, record.client_id)
    signed = care_plan_report.build_pdf(data, LETTERHEAD, NOW, sections=("signatures",))
    verbal_plan = replace(data.plan, agreement=Agreement.VERBAL, signatures=(
        verbally_agreed(SignerRole.CLIENT, "Ana Quintero", NOW, "Agreed on a video call"),))
    verbal = care_plan_report.build_pdf(replace(data, plan=verbal_plan), LETTERHEAD, NOW, sections=("signatures",))
    assert _line_ops(signed) >= _line_ops(verbal) + len(STROKE.points) - 1
    verbal_text = text_of(verbal)
    assert contains(verbal_text, "Agreed verbally: Agreed on a video call")
    # the case manager has not signed the verbal version: a line with their name to sign on
    # (the name is in the letterhead too)
    signer = squashed("Jordan Ellis, MSW, CCM")
    assert squashed(verbal_text).count(signer) == 2 and squashed(text_of(signed)).count(signer) == 1
    assert "Needs, goals" not in verbal_text and "Review of" not in verbal_text


def test_a_draft_plan_prints_for_signing_and_no_plan_says_what_to_do(session: Session) -> None:
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    with pytest.raises(NothingToReport, match="no care plan yet"):
        build(session, "care-plan", client.id)
    draft = session.care_plans.start_draft(client.id)
    session.care_plans.save_draft(draft.id, plan_document())
    with pytest.raises(NotFound, match="still a draft"):
        build(session, "care-plan", client.id)
    text = text_of(build(session, "care-plan", client.id, subject_id=draft.id))
    assert contains(text, "Draft — not yet agreed") and contains(text, "Not agreed yet: sign below")
    assert contains(text, "Zoë Ødegård") and contains(text, "Keep my flat")


# -- the transition / discharge summary -----------------------------------------------------------


def test_transition_summary_has_every_element(session: Session, record: Record) -> None:
    text = text_of(build(session, "transition", record.client_id))
    tier = session.risk.history(record.client_id)[-1]
    for fact in (
        "Transition / discharge summary", format_date(TODAY - timedelta(days=1)), "Level-of-care change",
        "Intensive → Maintenance", INTAKE_REASON, "Goals mostly met; wants fewer visits",  # dates, type, reasons
        "Dr Amara Okafor · Psychiatrist · Riverside CMHC", "40 Mill Road", "Salem, OR 97301",  # receiving provider
        "Weekly home visits and benefits help", "Stable, hopeful about work", "Crisis numbers and the new address",
        "Dr Okafor's nurse", "Phone call, together", "Intake booked together", "Day 3", "Day 90",  # follow-up
        tier.tier.label, "PHQ-9", "12 of 27", format_date(TODAY - timedelta(days=6)), "GAD-7",  # tier, scores
        "Keep my flat", "Active · Improving",  # goal status
        "as reported, not reconciled", "Sertraline", "100 mg every morning",  # medications
        "Call the county team first", "County mobile crisis team (555) 010-7000", "Sister — Inés",  # safety plan
        "Riverside General ED",
        "Psychiatry review 2 Dec at Riverside CMHC", "Peer support group — waiting list",  # pending
        "Outpatient psychiatry", "Spanish-speaking clinician if possible",  # open referral, preferences
        "Release of information on file", "Valid", "Coordination of care", "Transition summary",  # release
        "Receiving provider", "Jordan Ellis, MSW, CCM",  # signature block
        "Buprenorphine", "AUDIT-C",  # substance use, in its own section
    ):
        assert contains(text, fact), fact


def test_transition_without_a_release_or_provider_says_so(session: Session) -> None:
    client = session.clients.create(person(), Stage.FOLLOWING_UP)
    with pytest.raises(NothingToReport, match="no transition or discharge recorded"):
        build(session, "transition", client.id)
    other = session.contacts.create(ContactFields(name="Harbor House", organisation="Harbor House"))
    session.transitions.record(client.id, TransitionFields(
        TransitionKind.DISCHARGE, "standard", "discharged", TODAY, "Moved out of the area",
        receiving_contact_id=other.id))
    text = text_of(build(session, "transition", client.id, sections=("release", "medications", "safety_plan")))
    assert contains(text, "No release of information on file for Harbor House")
    assert contains(text, "No medications reported.") and contains(text, "No signed safety plan.")
    assert "Services provided" not in text


# -- the referral letter ---------------------------------------------------------------------------


def test_referral_letter_to_the_receiving_provider(session: Session, record: Record) -> None:
    text = text_of(build(session, "referral", record.client_id))
    for fact in ("Referral for Outpatient psychiatry", "Dr Amara Okafor", "Riverside CMHC", "40 Mill Road",
                 "Salem, OR 97301", "Dear Dr Amara Okafor,", "I am writing to refer Ana Quintero",
                 "This is an urgent referral", "Medication review: low mood despite sertraline",
                 format_date(TODAY), INTAKE_REASON, "Major depressive disorder", "PHQ-9", "12 of 27",
                 "This referral supports the goal", "Keep my flat", "What we ask of you",
                 "reply by " + format_date(TODAY + timedelta(days=5)), "(503) 555-0142", "1200 Harbor Street",
                 "Yours sincerely", "Jordan Ellis, MSW, CCM", "she/her", "(555) 201-3344"):
        assert contains(text, fact), fact


def test_referral_letter_by_client_code_names_nobody(session: Session, record: Record) -> None:
    text = text_of(build(session, "referral", record.client_id, identify=Identify.CODE))
    assert record.code in text and "Quintero" not in text and "(555) 201-3344" not in text
    assert contains(text, "Dear Dr Amara Okafor,")


@pytest.mark.parametrize("key", KINDS)
def test_a_de_identified_copy_names_the_client_by_code_only(session: Session, record: Record, key: str) -> None:
    text = text_of(build(session, key, record.client_id, identify=Identify.CODE))
    assert record.code in text
    for identifying in ("Quintero", "(555) 201-3344", format_date(date(1984, 5, 17))):
        assert not contains(text, identifying), identifying


def test_every_section_has_a_label_and_an_information_type() -> None:
    for key in KINDS:
        k = kind(key)
        assert set(k.section_labels()) == set(k.sections)
        assert all(isinstance(info, InfoType) for info in k.info_types().values())
        assert all(label and label != section for section, label in k.section_labels().items())
        module = sys.modules[k.module]
        assert module.DEFAULT_SECTIONS == tuple(s for s in k.sections if s != "substance_use")


def test_no_referral_out_says_what_to_do(session: Session) -> None:
    client = session.clients.create(person())
    with pytest.raises(NotFound, match="no referral out yet"):
        build(session, "referral", client.id)
    with pytest.raises(NotFound, match="no screening results or completed assessment"):
        build(session, "assessment", client.id)


# -- for every kind --------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last"), NAMES)
def test_unicode_names_round_trip_through_every_clinical_report(session: Session, first: str, last: str) -> None:
    rec = make_record(session, first, last)
    for key in KINDS:
        assert f"{first} {last}" in text_of(build(session, key, rec.client_id)), key


@pytest.mark.parametrize("key", KINDS)
def test_an_unknown_or_someone_elses_subject_is_not_found(session: Session, record: Record, key: str) -> None:
    with pytest.raises(NotFound) as caught:
        build(session, key, record.client_id, subject_id="no-such-record")
    message = str(caught.value)
    assert message.endswith(".") and "could not be found" in message and "Traceback" not in message
    other = make_record(session, "Zoë", "Ødegård")
    subject = {"assessment": other.assessment_id, "care-plan": other.plan_id, "transition": other.transition_id,
               "referral": other.referral_id}[key]
    with pytest.raises(NotFound):
        build(session, key, record.client_id, subject_id=subject)
    assert "Ødegård" in text_of(build(session, key, other.client_id, subject_id=subject))


@pytest.mark.parametrize("key", KINDS)
def test_each_kind_prints_only_the_chosen_section(session: Session, record: Record, key: str) -> None:
    one = {"assessment": ("history", "Sertraline", "12 of 27"),
           "care-plan": ("about", "Sister Inés; the library", "Call the landlord together"),
           "transition": ("preferences", "Spanish-speaking clinician", "Weekly home visits"),
           "referral": ("goals", "Keep my flat", "12 of 27")}[key]
    text = text_of(build(session, key, record.client_id, sections=(one[0],)))
    assert contains(text, one[1]) and not contains(text, one[2])


def _assert_paginated(data: bytes, markers: list[str], long_name: str) -> None:
    texts = pages(data)
    total = len(texts)
    assert total >= 3
    assert f"Page {total} of {total}" in texts[-1]
    whole = squashed("".join(texts))
    for marker in markers:
        assert marker in whole, marker
    assert long_name in squashed(texts[0])  # wrapped, not cropped
    furniture = ("Page ", "Generated", "Confidential", "received this in error", "Riverbend Community Mental Health",
                 long_name[:20])
    for number, text in enumerate(texts, start=1):
        body = [line for line in text.splitlines() if line.strip() and not any(f in line for f in furniture)]
        assert len(body) >= 3, f"page {number} has no content"


def test_long_plans_and_summaries_paginate_without_blank_pages(session: Session) -> None:
    long_name = "Wolfeschlegelsteinhausenbergerdorff" * 2
    rec = make_record(session, "Anneliese", long_name)
    data = care_plan_data(session, rec.client_id)
    goals = tuple(Goal(f"lg{n}", f"Goal{n}marker " + "I want to get back to work and keep my flat. " * 8,
                       f"SMART{n} " + "Apply to three jobs a week with the employment worker. " * 5,
                       date(2027, 3, 1), GoalLifecycle.ACTIVE, objectives=(
                           Objective(f"lo{n}", "Step " * 30, "Measure " * 10, "Target", "Baseline", date(2027, 2, 1),
                                     interventions=(Intervention(f"li{n}", "Action " * 40, frequency="Weekly"),)),))
                  for n in range(12))
    plan = replace(data.plan, document=replace(data.plan.document, needs=(
        *data.plan.document.needs, Need("long", LifeDomain.EMPLOYMENT, "Work " * 50, goals=goals))))
    pdf = care_plan_report.build_pdf(replace(data, plan=plan), LETTERHEAD, NOW)
    _assert_paginated(pdf, [f"Goal{n}marker" for n in range(12)] + [f"SMART{n}" for n in range(12)], long_name)

    lines = tuple(f"Appointment{n} " + "with the housing panel at the civic centre, second floor " * 2
                  for n in range(45))
    session.transitions.record(rec.client_id, TransitionFields(
        TransitionKind.DISCHARGE, "maintenance", "discharged", TODAY, "Finished. " * 200,
        services_provided="Home visits, benefits help and a lot more. " * 60, pending_appointments=lines))
    pdf = build(session, "transition", rec.client_id)
    _assert_paginated(pdf, [f"Appointment{n}" for n in range(45)], long_name)


def test_clinical_reports_import_no_qt() -> None:
    code = ("import sys, app.reports.assessment_report, app.reports.care_plan_report, "
            "app.reports.transition_report, app.reports.referral_letter, app.services.report_data_clinical; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_catalogue_leaves_substance_use_out_unless_asked(session: Session) -> None:
    """By default ("minimum necessary") no report kind prints the 42 CFR Part 2 section."""
    for key in ("summary", "assessment", "care-plan", "transition", "referral", "outcomes"):
        assert "substance_use" in kind(key).sections
        assert "substance_use" not in kind(key).default_sections, key
