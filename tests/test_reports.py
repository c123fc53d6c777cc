"""The report engine, the client summary (face sheet) and the safety plan (full page and pocket
card): what a reader of the PDF sees, extracted as text."""

from __future__ import annotations

import io
import random
import subprocess
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from faker import Faker
from pypdf import PdfReader

from app.i18n import format_date
from app.models.care_plan import CarePlan, Goal, GoalLifecycle, Need, PlanDocument
from app.models.care_plan import PlanStatus as CarePlanStatus
from app.models.client import Client, ClientFields, Stage
from app.models.safety_plan import (
    Contact,
    Likelihood,
    MeansStep,
    PlanContent,
    PlanStatus,
    Professional,
    SafetyPlan,
    Section,
    StepNote,
)
from app.models.signature import SignerRole, verbally_agreed
from app.reports import client_summary, safety_plan
from app.reports.client_summary import ClientSummaryData
from app.reports.engine import Identify, Letterhead
from app.services.demo_safety_plans import demo_safety_plan
from app.services.report_data import summary_data
from app.services.session import Session
from tests.conftest import person

NAMES = [("Nguyễn Thị", "Ánh"), ("Zoë", "Ødegård"), ("Ольга", "Петрова")]
LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street\nPortland, OR 97201",
                        "(503) 555-0142", None, "Jordan Ellis", "MSW, CCM")
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return "\n".join(pages(data))


def squashed(text: str) -> str:
    """Without white space, so a wrapped line still reads as one."""
    return "".join(text.split())


def make_client(first: str = "Ana", last: str = "Quintero", code: str = "K7QX3M", **extra: object) -> Client:
    fields = ClientFields(first_name=first, last_name=last, date_of_birth=date(1984, 5, 17), phone="(555) 201-3344",
                          **extra)  # type: ignore[arg-type]
    return Client("c-1", code, fields, Stage.IMPLEMENTING)


def make_plan(**content: object) -> SafetyPlan:
    values: dict[str, object] = {
        "worth_living_for": "My daughter Mai and the garden",
        "warning_signs": ("Not sleeping for two nights", "Pulling away from friends"),
        "coping": ("Walk the dog around the lake",),
        "distractions": (Contact("Lan", "(555) 210-1000", "Community centre"),),
        "helpers": (Contact("Aunt Hoa", "(555) 210-2000"),),
        "professionals": (Professional("Dr Rivera", "Psychiatrist", "(555) 210-3000", "(555) 210-3999"),),
        "means": (MeansStep("Spare medicines", "Pharmacist", date(2026, 12, 1)),),
        "steps": {Section.COPING: StepNote("Hard to start when tired", Likelihood.LIKELY)},
    }
    values.update(content)
    signature = verbally_agreed(SignerRole.CLIENT, "Ana Quintero", NOW, "Phone session, agreed aloud")
    return SafetyPlan("p-1", "c-1", 2, PlanStatus.ACTIVE, PlanContent(**values),  # type: ignore[arg-type]
                      review_on=date(2026, 12, 24), signatures=(signature,), activated_at=NOW,
                      copy_given_on=TODAY)


# -- the engine: fonts, names, pagination -----------------------------------------------------------


@pytest.mark.parametrize(("first", "last"), NAMES)
def test_unicode_names_round_trip_through_every_report(first: str, last: str) -> None:
    client = make_client(first, last)
    plan = make_plan()
    for data in (client_summary.build_pdf(ClientSummaryData(client, TODAY), LETTERHEAD, NOW),
                 safety_plan.build_plan_pdf(plan, client, LETTERHEAD, NOW),
                 safety_plan.build_card_pdf(plan, client, LETTERHEAD, NOW)):
        assert f"{first} {last}" in text_of(data)


def test_fonts_are_embedded_dejavu_subsets() -> None:
    data = client_summary.build_pdf(ClientSummaryData(make_client(*NAMES[0]), TODAY), LETTERHEAD, NOW)
    embedded = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.append(str(font["/BaseFont"]))
    assert embedded, "no embedded TrueType font"
    assert all("+DejaVuSans" in name for name in embedded)  # a subset (ABCDEF+DejaVuSans)


def test_long_text_wraps_and_paginates_without_empty_pages() -> None:
    long_name = "Wolfeschlegelsteinhausenbergerdorff" * 3
    goals = tuple(Goal(f"g{n}", client_words=f"Goal {n}: " + "I want to get back to work and keep my flat. " * 12,
                       smart=f"Marker{n} " + "Apply to three jobs a week with the employment worker. " * 6,
                       target_on=date(2027, 3, 1), lifecycle=GoalLifecycle.ACTIVE) for n in range(14))
    plan = CarePlan("cp", "c-1", 1, CarePlanStatus.ACTIVE, PlanDocument(needs=(Need("n1", goals=goals),)),
                    review_on=date(2027, 2, 1))
    data = client_summary.build_pdf(ClientSummaryData(make_client("Anneliese", long_name), TODAY, care_plan=plan),
                                    LETTERHEAD, NOW)
    texts = pages(data)
    total = len(texts)
    assert total >= 3
    assert f"Page 2 of {total}" in texts[1]
    assert f"Page {total} of {total}" in texts[-1]
    assert long_name in squashed(texts[0])  # wrapped, not cropped
    for n in range(14):
        assert f"Marker{n}" in "".join(texts)
    furniture = ("Page ", "Generated", "Confidential", "received this in error", "Riverbend Community Mental Health",
                 long_name[:20])
    for number, text in enumerate(texts, start=1):
        body = [line for line in text.splitlines() if line.strip() and not any(f in line for f in furniture)]
        assert len(body) >= 3, f"page {number} has no content"


def test_footer_carries_confidentiality_and_generation_time() -> None:
    text = text_of(client_summary.build_pdf(ClientSummaryData(make_client(), TODAY), LETTERHEAD, NOW))
    assert "Confidential" in text and "Page 1 of 1" in text and "Generated" in text
    assert "Jordan Ellis, MSW, CCM" in text and "Portland, OR 97201" in text


# -- the client summary ------------------------------------------------------------------------------


def test_summary_of_a_recorded_client_shows_its_key_facts(session: Session) -> None:
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård", pronouns="she/her"))
    phq9 = {str(i): 2 for i in range(1, 10)}
    session.screening.record(client.id, "phq9", phq9, on=TODAY - timedelta(days=40))
    session.screening.record(client.id, "phq9", {**phq9, "1": 0, "2": 0, "3": 1}, on=TODAY - timedelta(days=5))
    session.risk.record(client.id, session.risk.compute(client.id))
    data = summary_data(session, client.id)
    text = text_of(client_summary.build_pdf(data, LETTERHEAD, session.clock.now()))
    assert "Zoë Ødegård" in text and client.client_code in text
    assert format_date(date(1984, 5, 17)) in text
    assert "she/her" in text
    assert "PHQ-9" in text and "13 of 27" in text and "Moderate" in text
    assert format_date(TODAY - timedelta(days=5)) in text
    assert "Score trends" in text
    assert data.tier is not None and data.tier.tier.label in text
    assert "No care plan in force." in text and "No signed safety plan." in text
    assert "No one on the care team yet." in text and "Nothing scheduled." in text


def test_summary_sections_leave_out_what_is_not_chosen() -> None:
    data = ClientSummaryData(make_client(), TODAY, safety_plan=make_plan())
    text = text_of(client_summary.build_pdf(data, LETTERHEAD, NOW, sections={"status", "safety_plan"}))
    assert "Stage and risk tier" in text and "Safety plan" in text
    for left_out in ("Identity and contact", "Latest scores", "Care team", "Upcoming follow-ups", "(555) 201-3344"):
        assert left_out not in text
    with pytest.raises(ValueError, match="Unknown report section"):
        client_summary.build_pdf(data, LETTERHEAD, NOW, sections={"diagnosis"})


def test_substance_use_screens_print_only_in_their_own_section(session: Session) -> None:
    """AUDIT-C and DAST-10 results go in "Substance-use screening" (42 CFR Part 2 gating), not
    among the other scores, so leaving that section out leaves them out."""
    client = session.clients.create(person())
    session.screening.record(client.id, "phq9", {str(i): 1 for i in range(1, 10)}, on=TODAY - timedelta(days=3))
    session.screening.record(client.id, "dast10", {str(i): 1 if i < 5 else 0 for i in range(1, 11)},
                             on=TODAY - timedelta(days=3))
    data = summary_data(session, client.id)
    everything = text_of(client_summary.build_pdf(data, LETTERHEAD, NOW))
    assert "Substance-use screening" in everything and "DAST-10" in everything and "PHQ-9" in everything
    without = text_of(client_summary.build_pdf(
        data, LETTERHEAD, NOW, sections=[s for s in client_summary.SECTIONS if s != "substance_use"]))
    assert "PHQ-9" in without
    assert "DAST" not in without and "Substance-use screening" not in without
    assert client_summary.SECTION_INFO["substance_use"].part2


def test_de_identified_summary_names_the_client_by_code_only() -> None:
    text = text_of(client_summary.build_pdf(ClientSummaryData(make_client(), TODAY), LETTERHEAD, NOW,
                                            identify=Identify.CODE))
    assert "K7QX3M" in text
    assert "Quintero" not in text and format_date(date(1984, 5, 17)) not in text


# -- the safety plan ---------------------------------------------------------------------------------


def test_full_safety_plan_has_all_six_steps_and_the_crisis_line() -> None:
    text = text_of(safety_plan.build_plan_pdf(make_plan(), make_client(), LETTERHEAD, NOW, locale="en_US"))
    for step in Section:
        assert step.heading in text
    for fact in ("My daughter Mai and the garden", "Not sleeping for two nights", "Walk the dog around the lake",
                 "Aunt Hoa", "Dr Rivera", "(555) 210-3999", "Spare medicines", "988",
                 "Hard to start when tired", "Likely", "Agreed verbally: Phone session, agreed aloud",
                 format_date(date(2026, 12, 24))):
        assert squashed(fact) in squashed(text), fact


def test_safety_plan_sections_and_demo_plans_render() -> None:
    text = text_of(safety_plan.build_plan_pdf(make_plan(), make_client(), LETTERHEAD, NOW,
                                              sections={"warning_signs", "professionals"}))
    assert "Not sleeping for two nights" in text and "988" in text
    assert "Spare medicines" not in text and "My daughter Mai" not in text and "Signatures" not in text
    rng = random.Random(3)
    counter = iter(range(1000))
    for plan in demo_safety_plan(rng, Faker(), "c-1", TODAY, lambda: f"id{next(counter)}"):
        data = safety_plan.build_plan_pdf(plan, make_client(), LETTERHEAD, NOW)
        assert plan.content.warning_signs[0] in text_of(data)


def test_pocket_card_is_one_page_with_the_steps_and_the_crisis_line() -> None:
    long_signs = tuple(f"Warning sign number {n} written out at some length by the client" for n in range(12))
    data = safety_plan.build_card_pdf(make_plan(warning_signs=long_signs), make_client(), LETTERHEAD, NOW,
                                      locale="en_US")
    texts = pages(data)
    assert len(texts) == 1
    text = squashed(texts[0])
    for fact in ("Mysafetyplan", "AnaQuintero", "988", "Aunt Hoa", "Spare medicines", "fold", long_signs[-1]):
        assert squashed(fact) in text, fact  # text shrinks to fit the panel; nothing is dropped
    nameless = text_of(safety_plan.build_card_pdf(make_plan(), make_client(), LETTERHEAD, NOW, show_name=False,
                                                  sections={"professionals"}))
    assert "Quintero" not in nameless and "Spare medicines" not in nameless and "988" in nameless


def test_reports_import_no_qt() -> None:
    code = ("import sys, app.reports.engine, app.reports.client_summary, app.reports.safety_plan, "
            "app.services.report_data; print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
