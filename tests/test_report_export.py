"""Consent-checked export: what a recipient's releases cover decides what goes out; sections not
covered are left out (or included on a recorded reason); Part 2 information carries the
re-disclosure notice; every save and print to a recipient is in the accounting of disclosures;
files are private (0600), neutrally named, optionally AES-256 encrypted; the audit trail holds ids only."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from app.i18n import _
from app.models.consent import InfoType, ReleaseFields, ReleaseStatus, SignatureKind
from app.models.contacts import ContactFields, ContactKind
from app.reports.engine import ClientIdentity, Letterhead, ReportMeta, content_width, facts, render
from app.services import report_export, reporting
from app.services.errors import ValidationError
from app.services.reporting import ReportKind, ReportRequest
from app.services.session import Session
from tests.conftest import person

TODAY = date(2026, 11, 26)
T = InfoType
STROKES = json.dumps({"strokes": [{"points": [[0.1, 0.5], [0.4, 0.2], [0.8, 0.6]]}]})
LETTERHEAD = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street", "(503) 555-0142")
ALL_SUMMARY = (T.DEMOGRAPHICS, T.SCREENING_RESULTS, T.CARE_PLAN, T.SAFETY_PLAN)
NOT_PART2 = ("identity", "status", "scores", "trends", "goals", "team", "safety_plan", "follow_ups")

# -- a small kind with a Part 2 section, so the notice can be tested on its own -------------------

SECTIONS = ("identity", "substance_use")
SECTION_INFO = {"identity": InfoType.DEMOGRAPHICS, "substance_use": InfoType.SUBSTANCE_USE}
SUBSTANCE_TEXT = "AUDIT-C score 7, attends the Harbor recovery group"


def section_labels() -> dict[str, str]:
    return {"identity": "Identity", "substance_use": "Substance use"}


def build_part2(session: Session, request: ReportRequest, letterhead: Letterhead, generated_at: datetime,
                progress: object = None) -> bytes:
    assert request.client_id is not None
    client = session.clients.get(request.client_id)
    chosen = set(request.sections or SECTIONS)
    story = []
    if "identity" in chosen:
        story.append(facts([("Client code", client.client_code)], content_width()))
    if "substance_use" in chosen:
        story.append(facts([("Substance use", SUBSTANCE_TEXT)], content_width()))
    meta = ReportMeta("Part 2 test report", letterhead, generated_at,
                      ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth))
    return render(meta, story)


@pytest.fixture
def part2_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(reporting.KINDS, "part2-test", ReportKind(
        "part2-test", lambda: "Part 2 test report", __name__, f"{__name__}:build_part2"))
    return "part2-test"


# -- helpers -------------------------------------------------------------------------------------


def text_of(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        reader.decrypt(password)
    text = "\n".join(p.extract_text() for p in reader.pages)
    return "".join(unicodedata.normalize("NFC", text).split())


def squash(text: str) -> str:
    return "".join(text.split())


def release(to: str, information: tuple[InfoType, ...] = ALL_SUMMARY, **overrides: object) -> ReleaseFields:
    values: dict[str, object] = {
        "contact_id": to, "information": information, "purposes": ("Coordination of care",),
        "signed_on": TODAY - timedelta(days=30), "expires_on": TODAY + timedelta(days=335),
        "disclosers": "Waypoint case management", "signature_kind": SignatureKind.PAD, "signature_strokes": STROKES,
    }
    values.update(overrides)
    return ReleaseFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to save reports into."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def ids(session: Session) -> tuple[str, str]:
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Imani Okafor",
                                                   organisation="Riverside Community Health"))
    return client.id, contact.id


def summary(client_id: str, sections: tuple[str, ...] | None = NOT_PART2) -> ReportRequest:
    """The face sheet without its Part 2 section (that one is tested with the kind above)."""
    return ReportRequest("summary", client_id, sections)


def label(section: str) -> str:
    return reporting.kind("summary").section_labels()[section]


# -- check ---------------------------------------------------------------------------------------


def test_without_a_recipient_everything_counts_as_covered(session: Session, ids: tuple[str, str]) -> None:
    client_id, _contact = ids
    checked = report_export.check(session, summary(client_id, None))
    assert checked.status is ReleaseStatus.NONE and checked.fully_covered and checked.contact_id is None
    assert checked.covered == reporting.kind("summary").default_sections and checked.recipient == ""
    assert "not checked" in checked.message()


def test_a_valid_release_covering_every_section(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id))
    checked = report_export.check(session, summary(client_id), contact_id)
    assert checked.status is ReleaseStatus.VALID and checked.fully_covered
    assert checked.recipient == "Dr Imani Okafor · Riverside Community Health"
    assert checked.release_ids == (r.id,) and not checked.part2
    assert checked.message() == "A valid release to Dr Imani Okafor · Riverside Community Health covers every " \
                                "chosen section."


def test_a_partly_covering_release_names_the_sections_it_does_not_cover(session: Session,
                                                                       ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS, T.CARE_PLAN)))
    checked = report_export.check(session, summary(client_id), contact_id)
    assert checked.covered == ("identity", "goals", "team", "follow_ups")
    assert checked.not_covered == ("status", "scores", "trends", "safety_plan")
    assert checked.not_covered_info == (T.SCREENING_RESULTS, T.SAFETY_PLAN)
    message = checked.message()
    assert label("scores") in message and label("trends") in message and "(valid)" in message
    assert label("goals") not in message


@pytest.mark.parametrize("ended", ["expired", "revoked"])
def test_an_expired_or_revoked_release_covers_nothing(session: Session, ids: tuple[str, str], ended: str) -> None:
    client_id, contact_id = ids
    if ended == "expired":
        session.consents.create(client_id, release(contact_id, signed_on=TODAY - timedelta(days=400),
                                                   expires_on=TODAY - timedelta(days=1)))
    else:
        r = session.consents.create(client_id, release(contact_id))
        session.consents.revoke(r.id, TODAY, "In writing")
    checked = report_export.check(session, summary(client_id), contact_id)
    assert checked.status is ReleaseStatus(ended) and checked.covered == ()
    assert f"(release: {ended})" in checked.message()
    with pytest.raises(ValueError, match=f"nothing is left to send.*{ended}|{ended}.*nothing is left to send"):
        report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id)


def test_kinds_never_sent_to_a_recipient_refuse_one(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    with pytest.raises(ValueError, match="not sent to a recipient"):
        report_export.check(session, ReportRequest("safety-card", client_id), contact_id)
    with pytest.raises(ValueError, match="not sent to a recipient"):
        report_export.check(session, ReportRequest("mileage"), contact_id)


def test_unknown_kinds_and_sections_are_sentences(session: Session, ids: tuple[str, str]) -> None:
    client_id, _contact = ids
    with pytest.raises(ValueError, match="There is no report called horoscope"):
        report_export.check(session, ReportRequest("horoscope", client_id))
    with pytest.raises(ValueError, match="Unknown report section astrology. Choose from: identity"):
        report_export.check(session, summary(client_id, ("identity", "astrology")))
    with pytest.raises(ValueError, match="Choose the client"):
        report_export.check(session, ReportRequest("summary"))


# -- prepare -------------------------------------------------------------------------------------


def test_prepare_leaves_out_what_is_not_covered_and_names_the_recipient(session: Session,
                                                                      ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS,)))
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id)
    assert prepared.included == ("identity",) and "scores" in prepared.left_out
    assert prepared.overridden_reason == "" and prepared.notice_version == ""
    assert prepared.sha256 == hashlib.sha256(prepared.pdf).hexdigest()
    assert prepared.legal_basis == "Client's authorization (release of information)"
    assert prepared.purpose == "Coordination of care"  # from the release
    text = text_of(prepared.pdf)
    assert squash("Prepared for Dr Imani Okafor · Riverside Community Health") in text
    assert squash(label("identity")) in text and squash(label("scores")) not in text


def test_an_override_reason_includes_everything_and_is_kept(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS,)))
    reason = "Emergency room asked for the safety plan during a crisis"
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id,
                                     override_reason=f"  {reason} ", purpose="Crisis care")
    assert prepared.included == NOT_PART2 and prepared.left_out == ()
    assert prepared.overridden_reason == reason and prepared.purpose == "Crisis care"
    assert "without a covering release" in prepared.legal_basis
    assert squash("Safety plan") in text_of(prepared.pdf)


def test_the_default_name_is_neutral(session: Session, ids: tuple[str, str]) -> None:
    client_id, _contact = ids
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD)
    local = session.clock.now().astimezone()
    assert prepared.default_name == f"waypoint-summary-{local:%Y%m%d-%H%M}.pdf"
    assert "Ødegård" not in prepared.default_name and client_id not in prepared.default_name


def test_part2_information_carries_the_redisclosure_notice(session: Session, ids: tuple[str, str],
                                                          part2_kind: str, out: Path) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS, T.SUBSTANCE_USE), part2=True,
                                               recipient_name="Dr Imani Okafor"))
    request = ReportRequest(part2_kind, client_id)
    checked = report_export.check(session, request, contact_id)
    assert checked.fully_covered and checked.part2
    prepared = report_export.prepare(session, request, LETTERHEAD, contact_id=contact_id)
    version, notice = session.consents.redisclosure_notice()
    assert prepared.notice_version == version == "1" and prepared.part2
    text = text_of(prepared.pdf)
    assert squash(SUBSTANCE_TEXT) in text and squash(notice) in text
    report_export.save(session, prepared, out)
    entry = session.consents.disclosures(client_id)[0]
    assert entry.part2 and entry.notice_version == "1" and entry.consent_valid
    assert entry.sections == (T.DEMOGRAPHICS, T.SUBSTANCE_USE)


def test_part2_information_without_a_part2_consent_is_left_out(session: Session, ids: tuple[str, str],
                                                              part2_kind: str) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS,)))
    prepared = report_export.prepare(session, ReportRequest(part2_kind, client_id), LETTERHEAD,
                                     contact_id=contact_id)
    assert prepared.left_out == ("substance_use",) and prepared.notice_version == ""
    text = text_of(prepared.pdf)
    assert squash(SUBSTANCE_TEXT) not in text and "42CFR" not in text


# -- save, encrypt, print ------------------------------------------------------------------------


def test_save_writes_a_private_file_and_records_the_disclosure(session: Session, ids: tuple[str, str],
                                                              out: Path) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id))
    prepared = report_export.prepare(session, summary(client_id, ("identity", "goals")), LETTERHEAD,
                                     contact_id=contact_id)
    path = report_export.save(session, prepared, out)
    assert path == out / prepared.default_name and path.read_bytes() == prepared.pdf
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in out.iterdir()] == [path.name]  # no temp file left behind
    entry = session.consents.disclosures(client_id)[0]
    assert entry.contact_id == contact_id and entry.consent_id == r.id and entry.consent_valid
    assert entry.method == "saved" and entry.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.sections == (T.DEMOGRAPHICS, T.CARE_PLAN) and entry.overridden_reason == ""
    assert entry.legal_basis == "Client's authorization (release of information)"
    assert entry.description == f"Client summary (PDF): {label('identity')}, {label('goals')}"
    assert entry.recipient == "Dr Imani Okafor · Riverside Community Health"


def test_every_save_and_print_is_a_disclosure_entry(session: Session, ids: tuple[str, str], out: Path) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id))
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id)
    report_export.save(session, prepared, out / "one.pdf")
    report_export.save(session, prepared, out / "two.pdf", password="correct horse")
    printed = report_export.record_print(session, prepared)
    assert printed is not None and printed.method == "printed" and printed.content_hash == prepared.sha256
    methods = sorted(e.method for e in session.consents.disclosures(client_id))
    assert methods == ["printed", "saved", "saved, password-protected"]


def test_an_override_is_recorded_with_its_reason(session: Session, ids: tuple[str, str], out: Path) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS,)))
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id,
                                     override_reason="Client asked verbally in session; form to follow")
    report_export.save(session, prepared, out)
    entry = session.consents.disclosures(client_id)[0]
    assert not entry.consent_valid and entry.consent_id == r.id
    assert entry.overridden_reason == "Client asked verbally in session; form to follow"
    assert set(entry.sections) == set(ALL_SUMMARY)


def test_a_disclosure_without_purpose_writes_nothing(session: Session, ids: tuple[str, str], out: Path) -> None:
    client_id, contact_id = ids  # no release: the purpose can't come from one
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id,
                                     override_reason="Court order")
    with pytest.raises(ValidationError) as caught:
        report_export.save(session, prepared, out)
    assert "purpose" in caught.value.problems
    assert list(out.iterdir()) == [] and session.consents.disclosures(client_id) == []


def test_an_encrypted_pdf_opens_only_with_its_password(session: Session, ids: tuple[str, str],
                                                      out: Path) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id))
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id)
    path = report_export.save(session, prepared, out / "out.pdf", password="tiger lily 42")
    data = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted and reader.decrypt("wrong") == 0
    with pytest.raises(FileNotDecryptedError):
        PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Ødegård" in unicodedata.normalize("NFC", PdfReader(io.BytesIO(data), password="tiger lily 42")
                                                   .pages[0].extract_text())
    assert b"Riverbend" in prepared.pdf and b"Riverbend" not in data  # even the metadata is encrypted
    entry = session.consents.disclosures(client_id)[0]
    assert entry.method == "saved, password-protected"
    assert entry.content_hash == hashlib.sha256(data).hexdigest() != prepared.sha256  # the bytes written
    with pytest.raises(ValueError, match="Enter a password"):
        report_export.encrypt(prepared.pdf, "")


def test_without_a_recipient_only_the_audit_trail_records_the_export(session: Session, ids: tuple[str, str],
                                                                    out: Path) -> None:
    client_id, _contact = ids
    prepared = report_export.prepare(session, summary(client_id, ("identity",)), LETTERHEAD)
    report_export.save(session, prepared, out)
    assert report_export.record_print(session, prepared) is None
    assert session.consents.disclosures(client_id) == []
    exports = [e for e in session.audit_repo().entries() if e.action == "report.export"]
    assert len(exports) == 2 and exports[0].object_id == client_id
    assert "method=saved" in exports[0].detail and "method=printed" in exports[1].detail
    assert "kind=summary" in exports[0].detail and "sections=identity," in exports[0].detail


def test_audit_entries_carry_ids_only(session: Session, ids: tuple[str, str], out: Path) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS,)))
    prepared = report_export.prepare(session, summary(client_id), LETTERHEAD, contact_id=contact_id,
                                     override_reason="Sensitive-reason-canary", purpose="Purpose-canary")
    report_export.save(session, prepared, out)
    report_export.record_print(session, prepared)
    details = " ".join(f"{e.action} {e.object_id} {e.detail}" for e in session.audit_repo().entries())
    for secret in ("canary", "Okafor", "Riverside", "Ødegård", "Zoë", "Coordination", str(out)):
        assert secret not in details
    assert details.count("report.export") == 2 and details.count("disclosure.record") == 2


def test_saving_into_a_missing_folder_is_a_sentence(session: Session, ids: tuple[str, str], out: Path) -> None:
    client_id, _contact = ids
    prepared = report_export.prepare(session, summary(client_id, ("identity",)), LETTERHEAD)
    with pytest.raises(ValueError, match=_("doesn't exist")):
        report_export.save(session, prepared, out / "nowhere" / "x.pdf")


def test_two_releases_that_together_cover_the_report_each_get_their_entry(session: Session, ids: tuple[str, str],
                                                                         out: Path) -> None:
    client_id, contact_id = ids
    first = session.consents.create(client_id, release(contact_id, (T.DEMOGRAPHICS, T.CARE_PLAN)))
    second = session.consents.create(client_id, release(contact_id, (T.SAFETY_PLAN,),
                                                        purposes=("Crisis planning",)))
    request = summary(client_id, ("identity", "goals", "safety_plan"))
    assert report_export.check(session, request, contact_id).fully_covered
    prepared = report_export.prepare(session, request, LETTERHEAD, contact_id=contact_id)
    assert prepared.purpose == "Coordination of care; Crisis planning"
    path = report_export.save(session, prepared, out)
    entries = {e.consent_id: e for e in session.consents.disclosures(client_id)}
    assert set(entries) == {first.id, second.id} and all(e.consent_valid for e in entries.values())
    assert entries[first.id].sections == (T.DEMOGRAPHICS, T.CARE_PLAN)
    assert entries[second.id].sections == (T.SAFETY_PLAN,)
    assert {e.content_hash for e in entries.values()} == {hashlib.sha256(path.read_bytes()).hexdigest()}
