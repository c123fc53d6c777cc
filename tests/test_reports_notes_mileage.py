"""The progress-notes report and the mileage report: what a reader of the PDF sees."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pypdf import PdfReader

from app.i18n import format_date
from app.models.client import Client, ClientFields, Stage
from app.models.follow_ups import MileageEntry
from app.models.notes import (
    Addendum,
    ContactType,
    Note,
    NoteFields,
    NoteFormat,
    NoteSection,
    NoteStatus,
)
from app.reports import mileage_report, notes_report
from app.reports.engine import Identify, Letterhead
from app.reports.mileage_report import MileageReportData
from app.reports.notes_report import NotesReportData
from app.services.report_data import mileage_data, notes_data
from app.services.session import Session
from tests.conftest import person

LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street\nPortland, OR 97201",
                        "(503) 555-0142", None, "Jordan Ellis", "MSW, CCM")
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)
FORMATS = [NoteFormat.DAP, NoteFormat.SOAP, NoteFormat.BIRP, NoteFormat.FREE]


def pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return "\n".join(pages(data))


def make_client() -> Client:
    fields = ClientFields(first_name="Zoë", last_name="Ødegård", date_of_birth=date(1984, 5, 17))
    return Client("c-1", "K7QX3M", fields, Stage.IMPLEMENTING)


def make_note(n: int, on: date, fmt: NoteFormat = NoteFormat.SOAP, *, signed: bool = True, late: bool = False,
              addenda: tuple[Addendum, ...] = ()) -> Note:
    sections = {s: f"{s.heading} text of note {n}. " + "Talked about housing, sleep and the food bank. " * (n % 4 + 1)
                for s in fmt.sections}
    fields = NoteFields(ContactType.HOME_VISIT if n % 2 else ContactType.PHONE, on, time(9 + n % 8, 15), 30 + n % 4 * 15,
                        "Client's home", ("Client",), (), fmt, sections)
    return Note(f"n{n}", "c-1", fields, NoteStatus.SIGNED if signed else NoteStatus.DRAFT, late,
                created_at=NOW, created_by="Jordan Ellis",
                signed_at=datetime.combine(on, time(17, 0)) if signed else None,
                signed_by="Jordan Ellis" if signed else "", addenda=addenda, addenda_count=len(addenda))


def test_a_note_shows_date_type_duration_author_status_sections_and_addenda() -> None:
    addendum = Addendum("a1", "n1", "Landlord called back: arrears plan agreed.", datetime(2026, 11, 20, 10, 0),
                        "Jordan Ellis")
    notes = (make_note(1, date(2026, 11, 10), NoteFormat.DAP, late=True, addenda=(addendum,)),
             make_note(2, date(2026, 11, 12), NoteFormat.BIRP),
             make_note(3, date(2026, 11, 14), NoteFormat.SOAP, signed=False))
    data = NotesReportData(make_client(), date(2026, 11, 1), date(2026, 11, 30), notes)
    text = "".join(text_of(notes_report.build_pdf(data, LETTERHEAD, NOW, sections=notes_report.SECTIONS)).split())
    for expected in ("Progress notes", "Zoë Ødegård", "K7QX3M", format_date(date(2026, 11, 10)), "Home visit",
                     "Phone call", "45 min", "Jordan Ellis", "LATE ENTRY", "Data", "Assessment", "Plan",
                     "Behaviour", "Intervention", "Response", "Subjective", "Objective",
                     "Landlord called back: arrears plan agreed.", "Addendum", "Draft — not signed"):
        assert "".join(expected.split()) in text, expected


def test_drafts_and_addenda_are_left_out_unless_chosen() -> None:
    addendum = Addendum("a1", "n1", "Addendum words only.", datetime(2026, 11, 20, 10, 0), "Jordan Ellis")
    notes = (make_note(1, date(2026, 11, 10), addenda=(addendum,)),
             make_note(2, date(2026, 11, 12), signed=False))
    data = NotesReportData(make_client(), date(2026, 11, 1), date(2026, 11, 30), notes)
    default = text_of(notes_report.build_pdf(data, LETTERHEAD, NOW))
    assert "note 1." in default and "Addendum words only." in default
    assert "note 2." not in default and "(not included)" in default
    bare = text_of(notes_report.build_pdf(data, LETTERHEAD, NOW, sections=["signed"]))
    assert "note 1." in bare and "Addendum words only." not in bare and "Overview" not in bare
    with pytest.raises(ValueError, match="Unknown report section"):
        notes_report.build_pdf(data, LETTERHEAD, NOW, sections=["psychotherapy"])


def test_a_note_entered_in_error_shows_its_mark_and_withholds_its_text() -> None:
    from dataclasses import replace

    from app.models.notes import ErrorMark

    addendum = Addendum("a1", "n2", "Addendum to the wrong record.", datetime(2026, 11, 20, 10, 0), "Jordan Ellis")
    wrong = replace(make_note(2, date(2026, 11, 12), addenda=(addendum,)),
                    error=ErrorMark("Written in the wrong client's record", datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
                                    "Jordan Ellis"))
    notes = (make_note(1, date(2026, 11, 10)), wrong)
    data = NotesReportData(make_client(), date(2026, 11, 1), date(2026, 11, 30), notes)
    text = text_of(notes_report.build_pdf(data, LETTERHEAD, NOW))
    squashed = "".join(text.split())
    for expected in ("note 1.", "ENTERED IN ERROR", "Written in the wrong client's record",
                     "The text of this note is withheld", format_date(date(2026, 11, 12))):
        assert "".join(expected.split()) in squashed, expected
    assert "note 2." not in text and "Addendum to the wrong record." not in text
    # The overview counts the one signed note; the one in error is counted apart, and its time is not recorded.
    assert "\nSigned\n1\n" in text and "\nEntered in error\n1\n" in text
    assert f"Contact time recorded\n0 h {notes[0].fields.duration_min} min" in text


def test_de_identified_notes_report_names_the_client_by_code_only() -> None:
    data = NotesReportData(make_client(), date(2026, 11, 1), date(2026, 11, 30), (make_note(1, date(2026, 11, 3)),))
    text = text_of(notes_report.build_pdf(data, LETTERHEAD, NOW, identify=Identify.CODE))
    assert "K7QX3M" in text and "Ødegård" not in text


def test_a_200_note_report_paginates_cleanly() -> None:
    start = date(2025, 11, 27)
    notes = tuple(make_note(n, start + timedelta(days=n * 365 // 200), FORMATS[n % 4]) for n in range(200))
    data = NotesReportData(make_client(), start, TODAY, notes)
    texts = pages(notes_report.build_pdf(data, LETTERHEAD, NOW))
    total = len(texts)
    assert total > 1
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        body = re.sub(r"Page \d+ of \d+|Generated .*|Confidential.*", "", text)
        assert len(body.split()) > 30, f"page {number} is empty"
    whole = "\n".join(texts)
    for note in notes:
        assert format_date(note.fields.contact_on) in whole
        assert f"note {note.id[1:]}." in whole


def test_notes_data_gathers_the_period_with_addenda(session: Session) -> None:
    client = session.clients.create(person(first_name="Ольга", last_name="Петрова"))
    fields = NoteFields(ContactType.OFFICE, TODAY - timedelta(days=3), time(10, 0), 50, "Office", ("Client",), (),
                        NoteFormat.DAP, {NoteSection.DATA: "Came in about the benefits letter.",
                                         NoteSection.ASSESSMENT: "Calmer than last week.",
                                         NoteSection.PLAN: "Phone the benefits office on Monday."})
    signed = session.notes.sign(session.notes.save_draft(client.id, fields).id)
    session.notes.add_addendum(signed.id, "The letter was dated the 3rd, not the 13th.")
    session.notes.save_draft(client.id, NoteFields(ContactType.PHONE, TODAY - timedelta(days=1),
                                                   sections={NoteSection.NOTE: "Unfinished phone note."}))
    session.notes.save_draft(client.id, NoteFields(ContactType.PHONE, TODAY - timedelta(days=40),
                                                   sections={NoteSection.NOTE: "Too old for the period."}))
    data = notes_data(session, client.id, TODAY - timedelta(days=30), TODAY)
    assert [n.fields.contact_on for n in data.notes] == [TODAY - timedelta(days=3), TODAY - timedelta(days=1)]
    assert [a.text for a in data.notes[0].addenda] == ["The letter was dated the 3rd, not the 13th."]
    assert len(notes_data(session, client.id, TODAY - timedelta(days=30), TODAY, include_drafts=False).notes) == 1
    text = text_of(notes_report.build_pdf(data, LETTERHEAD, session.clock.now(), sections=notes_report.SECTIONS))
    assert "Ольга Петрова" in text and "Calmer than last week." in text
    assert "The letter was dated the 3rd, not the 13th." in text and "Unfinished phone note." in text
    assert "Too old for the period." not in text


def test_empty_period_says_so() -> None:
    data = NotesReportData(make_client(), date(2026, 11, 1), date(2026, 11, 30))
    assert "No notes for contacts in this period." in text_of(notes_report.build_pdf(data, LETTERHEAD, NOW))


# -- mileage -------------------------------------------------------------------------------------


def test_mileage_report_lists_journeys_and_the_total_by_client_code(session: Session) -> None:
    client = session.clients.create(person(first_name="Nguyễn Thị", last_name="Ánh"))
    other = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    logged = [(TODAY - timedelta(days=20), "Office", "Riverside flats", 12.4, "Home visit", client.client_code),
              (TODAY - timedelta(days=20), "Riverside flats", "Office", 12.4, "Return", client.client_code),
              (TODAY - timedelta(days=5), "Office", "Food bank", 7.3, "Delivery", other.client_code),
              (TODAY - timedelta(days=2), "Office", "Court house", 3.3, "Team meeting", "")]
    for on, origin, to, distance, purpose, code in logged:
        session.follow_ups.log_mileage(on, origin, to, distance, purpose, code)
    session.follow_ups.log_mileage(TODAY - timedelta(days=60), "Office", "Outside the period", 99.0, "", "")
    data = mileage_data(session, TODAY - timedelta(days=30), TODAY)
    assert data.total == pytest.approx(35.4)
    text = text_of(mileage_report.build_pdf(data, LETTERHEAD, session.clock.now()))
    squashed = "".join(text.split())
    for expected in ("Mileage report", "Riverside flats", "Food bank", "Court house", "Home visit", "Delivery",
                     client.client_code, other.client_code, "12.4", "7.3", format_date(TODAY - timedelta(days=20))):
        assert "".join(expected.split()) in squashed, expected
    assert squashed.count("35.4") == 2 and "35.4mi" in squashed  # the summary's total has the unit; the column is headed with it
    assert "Distance(mi)" in squashed and "Miles" in text
    assert "Outside the period" not in text
    for name in ("Nguyễn", "Ánh", "Zoë", "Ødegård", "Ana", "Quintero"):
        assert name not in text


def test_mileage_sections_and_empty_period() -> None:
    entries = (MileageEntry("m1", date(2026, 11, 2), "Office", "Clinic", 5.0, "Visit", "K7QX3M"),)
    data = MileageReportData(date(2026, 11, 1), date(2026, 11, 30), entries)
    summary_only = text_of(mileage_report.build_pdf(data, LETTERHEAD, NOW, sections=["summary"]))
    assert "5.0" in summary_only and "Clinic" not in summary_only
    empty = MileageReportData(date(2026, 11, 1), date(2026, 11, 30))
    assert "No journeys logged in this period." in text_of(mileage_report.build_pdf(empty, LETTERHEAD, NOW))


def test_the_mileage_report_prints_the_unit_and_the_locale_s_numbers() -> None:
    from dataclasses import replace

    from app.i18n import set_locale

    entries = (MileageEntry("m1", date(2026, 11, 2), "Office", "Clinic", 1234.5, "Visit", "K7QX3M"),)
    data = MileageReportData(date(2026, 11, 1), date(2026, 11, 30), entries)
    text = "".join(text_of(mileage_report.build_pdf(data, replace(LETTERHEAD, distance_unit="km"), NOW)).split())
    assert text.count("1,234.5") == 3 and "1,234.5km" in text and "Distance(km)" in text and "Kilometres" in text
    assert "(mi)" not in text and "Miles" not in text
    set_locale("es_ES")
    try:
        spanish = "".join(text_of(mileage_report.build_pdf(data, replace(LETTERHEAD, distance_unit="km"), NOW)).split())
    finally:
        set_locale("en_US")
    assert spanish.count("1.234,5") == 3 and "1.234,5km" in spanish  # as Spain writes numbers
