"""The accounting of disclosures (45 CFR 164.528): the client-facing accounting lists what the law
asks for and leaves out the excluded kinds (authorized, treatment/payment/operations, to the
client); the full log keeps every entry with its consent state, override reason and Part 2
notice; the six-year window; the catalogue builds it."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.i18n import format_date
from app.models.consent import Disclosure, InfoType, ReleaseFields, SignatureKind
from app.models.contacts import ContactFields, ContactKind
from app.reports import disclosures_report
from app.reports.disclosures_report import DEFAULT_SECTIONS, Exclusion, exclusion
from app.reports.engine import Letterhead
from app.services.accounting import accounting_data, build_disclosures
from app.services.clock import FixedClock
from app.services.reporting import ReportRequest, kind
from app.services.session import Session
from tests.conftest import person

T = InfoType
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
HASH = hashlib.sha256(b"%PDF synthetic").hexdigest()
STROKES = json.dumps({"strokes": [{"points": [[0.1, 0.5], [0.4, 0.2], [0.8, 0.6]]}]})
LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street", "", None, "Jordan Ellis",
                        "MSW, CCM")


def squashed(data: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return "".join(unicodedata.normalize("NFC", text).split())


def sq(text: str) -> str:
    return "".join(text.split())


def _release(contact_id: str, **extra: object) -> ReleaseFields:
    values: dict[str, object] = {
        "contact_id": contact_id, "information": (T.DEMOGRAPHICS, T.CARE_PLAN), "purposes": ("Coordination of care",),
        "signed_on": TODAY - timedelta(days=30), "expires_on": TODAY + timedelta(days=300),
        "disclosers": "This program", "signature_kind": SignatureKind.PAD, "signature_strokes": STROKES}
    values.update(extra)
    return ReleaseFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def vault(session: Session, clock: FixedClock) -> dict[str, str]:
    """A client with one disclosure of each kind, and one from seven years ago."""
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    consents = session.consents

    def contact(name: str, org: str, **extra: str) -> str:
        return session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, name, organisation=org, **extra)).id

    psychiatrist = contact("Dr Imani Okafor", "Riverside Community Health")
    court = contact("Clerk of the Court", "Multnomah County Circuit Court", address_line1="1200 SW 1st Ave",
                    city="Portland", region="OR", postal_code="97204")
    clinic = contact("Ольга Петрова", "Eastside Primary Care")
    recovery = contact("Nguyễn Thị Ánh", "Harbor Recovery Program")
    general = consents.create(client.id, _release(psychiatrist))
    part2 = consents.create(client.id, _release(recovery, information=(T.SUBSTANCE_USE,), part2=True,
                                                recipient_name="Nguyễn Thị Ánh"))
    clock.current = NOW - timedelta(days=7 * 365)
    consents.record_disclosure(client.id, contact_id=court, description="Ancient records", content_hash=HASH,
                               purpose="Old subpoena", legal_basis="Court order (45 CFR 164.512(e))")
    clock.current = NOW - timedelta(days=40)
    consents.record_disclosure(
        client.id, contact_id=court, description="Care plan and safety plan (PDF)", content_hash=HASH,
        purpose="Response to a court order", legal_basis="Disclosed without authorization",
        overridden_reason="Court order received; copy kept in the paper file (45 CFR 164.512(e))",
        sections=(T.CARE_PLAN, T.SAFETY_PLAN))
    clock.current = NOW - timedelta(days=20)
    consents.record_disclosure(client.id, contact_id=psychiatrist, description="Client summary report (PDF)",
                               content_hash=HASH, purpose="Coordination of care", legal_basis="Client authorization",
                               consent_id=general.id, sections=(T.DEMOGRAPHICS, T.CARE_PLAN))
    clock.current = NOW - timedelta(days=10)
    consents.record_disclosure(client.id, contact_id=clinic, description="Referral letter (PDF)", content_hash=HASH,
                               purpose="Primary-care follow-up", legal_basis="Treatment (45 CFR 164.506)",
                               sections=(T.DEMOGRAPHICS,))
    consents.record_disclosure(client.id, recipient="Zoë Ødegård", description="Copy of my care plan",
                               content_hash=HASH, purpose="The client's own copy",
                               legal_basis="Right of access (45 CFR 164.524)", sections=(T.CARE_PLAN,))
    consents.record_disclosure(client.id, contact_id=recovery, description="Substance-use history (PDF)",
                               content_hash=HASH, purpose="Continuity of treatment",
                               legal_basis="Client's Part 2 consent", consent_id=part2.id,
                               sections=(T.SUBSTANCE_USE,))
    clock.current = NOW
    return {"client": client.id}


def test_the_accounting_lists_only_what_the_law_asks_for(session: Session, vault: dict[str, str]) -> None:
    data = accounting_data(session, vault["client"])
    assert data.start == date(2020, 11, 26) and data.end == TODAY
    assert len(data.entries) == 5  # the seven-year-old one is outside the window
    assert [e.disclosure.recipient for e in data.listed] == ["Clerk of the Court · Multnomah County Circuit Court"]
    assert {e.excluded for e in data.left_out} == {Exclusion.AUTHORIZATION, Exclusion.TREATMENT_PAYMENT_OPERATIONS,
                                                   Exclusion.TO_CLIENT}

    # the builder's default is the client-facing sections (the full log only when asked for)
    text = squashed(build_disclosures(session, ReportRequest("disclosures", vault["client"]), LETTERHEAD, NOW))
    assert text == squashed(kind("disclosures").build(
        session, ReportRequest("disclosures", vault["client"], sections=DEFAULT_SECTIONS), LETTERHEAD, NOW))
    assert sq("Accounting of disclosures") in text and sq("Zoë Ødegård") in text
    assert sq(format_date(NOW.date() - timedelta(days=40))) in text
    for fact in ("Clerk of the Court", "1200 SW 1st Ave", "Portland, OR 97204", "Care plan and safety plan (PDF)",
                 "Response to a court order", "Disclosures listed1", "Not listed (excluded by law)4"):
        assert sq(fact) in text, fact
    # excluded kinds are absent from the client's accounting, and the full log is not printed by default
    for absent in ("Dr Imani Okafor", "Ольга Петрова", "Nguyễn Thị Ánh", "Referral letter", "Copy of my care plan",
                   "Ancient records", "Full disclosure log"):
        assert sq(absent) not in text, absent


def test_the_full_log_keeps_every_entry_with_consent_state_and_part2_notice(
        session: Session, vault: dict[str, str]) -> None:
    request = ReportRequest("disclosures", vault["client"], sections=("full_log",))
    text = squashed(kind("disclosures").build(session, request, LETTERHEAD, NOW))
    for name in ("Dr Imani Okafor", "Ольга Петрова", "Nguyễn Thị Ánh", "Clerk of the Court", "Zoë Ødegård"):
        assert sq(name) in text, name
    assert "Ancient records" not in text
    assert sq("Overridden — Court order received; copy kept in the paper file") in text
    assert sq("Valid release on file covered everything sent") in text
    assert sq("Yes — re-disclosure notice version 1 sent") in text
    assert sq("Not listed: under the client's valid authorization") in text
    assert sq("Not listed: for treatment, payment or health-care operations") in text
    assert sq("Not listed: to the client") in text
    assert sq("Legal basisClient's Part 2 consent") in text
    assert sq("5 entries, oldest first") in text
    assert sq("Disclosures listed") not in text  # only the chosen section


def test_a_longer_period_reaches_older_entries(session: Session, vault: dict[str, str]) -> None:
    data = accounting_data(session, vault["client"], start=date(2019, 1, 1), end=date(2020, 1, 1))
    assert [e.disclosure.description for e in data.entries] == ["Ancient records"]
    with pytest.raises(ValueError, match="starts after it ends"):
        accounting_data(session, vault["client"], start=TODAY, end=TODAY - timedelta(days=1))


def test_an_empty_log_says_so(session: Session) -> None:
    client = session.clients.create(person())
    text = squashed(kind("disclosures").build(session, ReportRequest("disclosures", client.id), LETTERHEAD, NOW))
    assert sq("No disclosures that must be accounted for were made in this period.") in text
    assert sq("Disclosures listed0") in text


def test_sections_are_declared_for_the_catalogue() -> None:
    assert kind("disclosures").sections == disclosures_report.SECTIONS == ("summary", "accounting", "full_log")
    assert set(disclosures_report.section_labels()) == set(disclosures_report.SECTIONS)
    assert set(kind("disclosures").info_types().values()) == {InfoType.DEMOGRAPHICS}


BASE = Disclosure("d1", "c1", "k1", "Someone", "Report", HASH, "Care", "Client authorization", "r1", True, "",
                  (T.DEMOGRAPHICS,), False, "", "Fax", "me", NOW)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, Exclusion.AUTHORIZATION),
    ({"consent_valid": False, "overridden_reason": "Emergency; ED needed the plan"}, None),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Payment"}, Exclusion.TREATMENT_PAYMENT_OPERATIONS),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Health care operations"},
     Exclusion.TREATMENT_PAYMENT_OPERATIONS),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Emergency treatment without authorization"}, None),
    ({"consent_valid": False, "legal_basis": "Serious threat to safety (164.512(j))"}, None),
    ({"legal_basis": "Client authorization", "overridden_reason": "Also court order 164.512(e)"}, None),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "164.512(k)(5)(i)"}, Exclusion.CORRECTIONAL),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "National security (164.512(k)(2))"},
     Exclusion.NATIONAL_SECURITY),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Limited data set"}, Exclusion.LIMITED_DATA_SET),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Family involved in the client's care"},
     Exclusion.DIRECTORY_OR_INVOLVED),
    ({"consent_id": None, "consent_valid": False, "contact_id": None, "recipient": "ana quintero",
      "legal_basis": "Request"}, Exclusion.TO_CLIENT),
    ({"consent_id": None, "consent_valid": False, "legal_basis": "Public health reporting"}, None),
])
def test_the_exclusion_rule(changes: dict[str, object], expected: Exclusion | None) -> None:
    assert exclusion(replace(BASE, **changes), ["Ana Quintero"]) is expected  # type: ignore[arg-type]
