"""The catalogue of reports: every kind has sections, each section says what kind of information it
discloses (the consent check relies on it), the letterhead comes from settings, and an unknown kind
or section is refused with a sentence."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.models.consent import InfoType
from app.services import reporting
from app.services.reporting import KINDS, ReportRequest, letterhead_from
from app.services.session import Session
from app.services.settings import Settings
from tests.conftest import person

ISSUE_KINDS = ("summary", "assessment", "care-plan", "safety-plan", "safety-card", "notes", "transition",
               "referral", "outcomes", "caseload", "disclosures", "mileage")


def text_of(data: bytes) -> str:
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_catalogue_holds_every_kind_the_issue_names() -> None:
    assert tuple(KINDS) == ISSUE_KINDS
    assert {k for k, v in KINDS.items() if not v.needs_client} == {"caseload", "mileage"}


@pytest.mark.parametrize("key", ISSUE_KINDS)
def test_every_section_of_every_kind_has_a_label_and_an_information_type(key: str) -> None:
    kind = KINDS[key]
    assert kind.label and kind.sections
    labels = kind.section_labels()
    info = kind.info_types()
    for section in kind.sections:
        assert labels[section] and labels[section] != section, f"{key}: {section} has no label"
        assert isinstance(info[section], InfoType)
    assert set(kind.default_sections) <= set(kind.sections)
    assert kind.info_for(None)


def test_unknown_kind_is_refused_with_a_sentence_listing_the_kinds() -> None:
    with pytest.raises(ValueError, match="There is no report called diagnosis. Choose from: summary"):
        reporting.kind("diagnosis")


def test_letterhead_comes_from_settings_and_prints_on_the_report(session: Session, tmp_path: Path) -> None:
    settings = Settings(case_manager_name="Jordan Ellis", case_manager_credentials="MSW, CCM",
                        practice_name="Riverbend Community Mental Health", practice_address="1200 Harbor Street",
                        practice_phone="(503) 555-0142", practice_logo=str(tmp_path / "missing.png"))
    letterhead = letterhead_from(settings)
    assert letterhead.signed_by == "Jordan Ellis, MSW, CCM"
    assert letterhead.logo_path is None  # a logo that is not there is skipped, not a crash
    client = session.clients.create(person())
    pdf = KINDS["summary"].build(session, ReportRequest("summary", client.id), letterhead)
    text = text_of(pdf)
    for expected in ("Riverbend Community Mental Health", "1200 Harbor Street", "(503) 555-0142",
                     "Jordan Ellis, MSW, CCM", client.client_code):
        assert expected in text
    assert letterhead_from(None).practice_name == "Case management"
    assert letterhead_from(Settings()).practice_name == "Case management"


def test_a_client_report_without_a_client_says_so(session: Session) -> None:
    with pytest.raises(ValueError, match="Choose the client"):
        KINDS["summary"].build(session, ReportRequest("summary"), letterhead_from(None))
