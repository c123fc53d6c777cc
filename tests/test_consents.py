"""Releases of information and the disclosure log: covered, partly covered, expired, revoked,
Part 2, psychotherapy notes; a disclosure entry for each; the six-year window; ids-only audit."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest

from app.models.client import Stage
from app.models.consent import (
    Disclosure,
    InfoType,
    ReleaseFields,
    ReleaseStatus,
    SignatureKind,
    validate_release,
)
from app.models.contacts import ContactFields, ContactKind
from app.services.clock import FixedClock
from app.services.errors import ValidationError
from app.services.session import Session
from app.store.db import DatabaseError
from tests.conftest import person

TODAY = date(2026, 11, 26)
T = InfoType
STROKES = json.dumps({"strokes": [{"points": [[0.1, 0.5], [0.4, 0.2], [0.8, 0.6]]}]})
HASH = hashlib.sha256(b"%PDF-1.7 synthetic report").hexdigest()


def release(to: str, **overrides: object) -> ReleaseFields:
    values: dict[str, object] = {
        "contact_id": to, "information": (T.DEMOGRAPHICS, T.CARE_PLAN, T.SAFETY_PLAN),
        "purposes": ("Coordination of care",), "signed_on": TODAY - timedelta(days=30),
        "expires_on": TODAY + timedelta(days=335), "disclosers": "Waypoint case management",
        "signature_kind": SignatureKind.PAD, "signature_strokes": STROKES,
    }
    values.update(overrides)
    return ReleaseFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def ids(session: Session) -> tuple[str, str]:
    client = session.clients.create(person())
    contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Imani Okafor",
                                                   organisation="Riverside Community Health"))
    return client.id, contact.id


def disclose(session: Session, client_id: str, contact_id: str | None, **overrides: object) -> Disclosure:
    values: dict[str, object] = {"contact_id": contact_id, "description": "Client summary report (PDF)",
                                 "content_hash": HASH, "purpose": "Coordination of care",
                                 "legal_basis": "Client authorization", "sections": (T.DEMOGRAPHICS,)}
    values.update(overrides)
    return session.consents.record_disclosure(client_id, **values)  # type: ignore[arg-type]


# -- status and coverage -------------------------------------------------------------------------


def test_no_release_means_none_and_nothing_covered(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.NONE
    cov = session.consents.coverage(client_id, contact_id, [T.DEMOGRAPHICS])
    assert cov.status is ReleaseStatus.NONE and cov.covered == () and cov.not_covered == (T.DEMOGRAPHICS,)


def test_a_valid_release_covers_its_sections_and_only_those(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id))
    assert r.to_name == "Dr Imani Okafor" and r.created_by == session.actor
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.VALID
    full = session.consents.coverage(client_id, contact_id, ["demographics", T.CARE_PLAN])
    assert full.complete and full.covered == (T.DEMOGRAPHICS, T.CARE_PLAN) and full.release_ids == (r.id,)
    partly = session.consents.coverage(client_id, contact_id, [T.CARE_PLAN, T.PROGRESS_NOTES, T.ASSESSMENT])
    assert partly.covered == (T.CARE_PLAN,) and partly.not_covered == (T.PROGRESS_NOTES, T.ASSESSMENT)
    assert not partly.complete
    other = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing Services"))
    assert session.consents.status(client_id, other.id) is ReleaseStatus.NONE  # a release is per recipient


def test_expiry_date_is_the_last_valid_day(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id, expires_on=TODAY + timedelta(days=10)))
    last = TODAY + timedelta(days=10)
    assert session.consents.status(client_id, contact_id, last) is ReleaseStatus.VALID
    after = last + timedelta(days=1)
    assert session.consents.status(client_id, contact_id, after) is ReleaseStatus.EXPIRED
    cov = session.consents.coverage(client_id, contact_id, [T.DEMOGRAPHICS], after)
    assert cov.status is ReleaseStatus.EXPIRED and cov.not_covered == (T.DEMOGRAPHICS,)


def test_an_expiry_event_ends_the_release_once_recorded(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id, expires_on=None, expiry_event="End of treatment"))
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.VALID
    session.consents.record_expiry_event(r.id, TODAY)
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.EXPIRED
    assert session.consents.status(client_id, contact_id, TODAY - timedelta(days=1)) is ReleaseStatus.VALID


def test_revoked_from_the_day_of_revocation(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id))
    revoked = session.consents.revoke(r.id, TODAY - timedelta(days=2), "In writing, letter received at the office")
    assert revoked.revoked_on == TODAY - timedelta(days=2) and revoked.revoked_how.startswith("In writing")
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.REVOKED
    assert session.consents.status(client_id, contact_id, TODAY - timedelta(days=3)) is ReleaseStatus.VALID
    assert not session.consents.coverage(client_id, contact_id, [T.DEMOGRAPHICS]).covered
    with pytest.raises(ValidationError) as caught:
        session.consents.revoke(r.id, TODAY, "Again")
    assert "revoked already" in caught.value.problems["revoked_on"]
    with pytest.raises(DatabaseError):  # the signed form never changes, even below the service
        with session.write() as conn:
            conn.execute("UPDATE releases SET information = '[]' WHERE id = ?", (r.id,))


def test_a_newer_valid_release_wins_over_an_old_revoked_one(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    old = session.consents.create(client_id, release(contact_id, signed_on=TODAY - timedelta(days=200)))
    session.consents.revoke(old.id, TODAY - timedelta(days=100), "Verbally, then in writing")
    session.consents.create(client_id, release(contact_id, information=(T.PROGRESS_NOTES,)))
    assert session.consents.status(client_id, contact_id) is ReleaseStatus.VALID
    cov = session.consents.coverage(client_id, contact_id, [T.PROGRESS_NOTES, T.DEMOGRAPHICS])
    assert cov.covered == (T.PROGRESS_NOTES,) and cov.not_covered == (T.DEMOGRAPHICS,)


def test_substance_use_records_only_under_a_part2_consent(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id))
    assert session.consents.coverage(client_id, contact_id, [T.SUBSTANCE_USE]).not_covered == (T.SUBSTANCE_USE,)
    p2 = session.consents.create(client_id, release(contact_id, information=(T.SUBSTANCE_USE,), part2=True,
                                                    recipient_name="Dr Imani Okafor"))
    cov = session.consents.coverage(client_id, contact_id, [T.SUBSTANCE_USE, T.CARE_PLAN])
    assert cov.complete and cov.part2 and p2.id in cov.release_ids


def test_psychotherapy_notes_need_their_own_authorization(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    with pytest.raises(ValidationError) as caught:
        session.consents.create(client_id, release(contact_id, information=(T.DEMOGRAPHICS, T.PSYCHOTHERAPY_NOTES)))
    assert "authorization of their own" in caught.value.problems["information"]
    session.consents.create(client_id, release(contact_id, information=tuple(i for i in T if i not in
                                                                             (T.PSYCHOTHERAPY_NOTES,
                                                                              T.SUBSTANCE_USE))))
    general = session.consents.coverage(client_id, contact_id, [T.PSYCHOTHERAPY_NOTES, T.PROGRESS_NOTES])
    assert general.covered == (T.PROGRESS_NOTES,) and general.not_covered == (T.PSYCHOTHERAPY_NOTES,)
    session.consents.create(client_id, release(contact_id, information=(T.PSYCHOTHERAPY_NOTES,)))
    assert session.consents.coverage(client_id, contact_id, [T.PSYCHOTHERAPY_NOTES]).complete


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"contact_id": ""}, "contact_id", "who may receive"),
    ({"information": ()}, "information", "at least one kind"),
    ({"purposes": ("  ",)}, "purposes", "at least one purpose"),
    ({"signed_on": None}, "signed_on", "date the release was signed"),
    ({"signed_on": TODAY + timedelta(days=1)}, "signed_on", "can't be in the future"),
    ({"expires_on": None, "expiry_event": ""}, "expires_on", "expiry date or the event"),
    ({"expires_on": TODAY - timedelta(days=60)}, "expires_on", "before it was signed"),
    ({"disclosers": ""}, "disclosers", "who may disclose"),
    ({"signature_strokes": ""}, "signature", "sign on the pad"),
    ({"signature_kind": SignatureKind.VERBAL}, "signature", "why the agreement was verbal"),
    ({"signature_kind": SignatureKind.SCANNED}, "signature", "Attach the scanned"),
    ({"information": (T.SUBSTANCE_USE,)}, "part2", "42 CFR Part 2"),
    ({"part2": True, "recipient_name": "Dr Okafor"}, "information", "list the substance-use information"),
    ({"part2": True, "information": (T.SUBSTANCE_USE,)}, "recipient_name", "names the recipient"),
])
def test_each_missing_element_is_named_in_a_sentence(overrides: dict[str, object], field: str, words: str) -> None:
    problems = validate_release(release("k", **overrides), TODAY)
    assert words in problems[field] and problems[field].endswith(".")


def test_the_service_refuses_an_incomplete_release_and_writes_nothing(session: Session,
                                                                     ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    with pytest.raises(ValidationError) as caught:
        session.consents.create(client_id, release(contact_id, purposes=(), expires_on=None))
    assert set(caught.value.problems) == {"purposes", "expires_on"}
    with pytest.raises(ValidationError) as caught:
        session.consents.create(client_id, release("no-such-contact"))
    assert "no longer in the directory" in caught.value.problems["contact_id"]
    assert session.consents.for_client(client_id) == []


def test_verbal_and_scanned_signatures_are_kept(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    verbal = session.consents.create(client_id, release(contact_id, signature_kind=SignatureKind.VERBAL,
                                                        signature_strokes="", verbal_reason="Consent by phone"))
    scan = session.attachments.add_bytes(client_id, b"%PDF-1.4 synthetic signed form", "release.pdf")
    scanned = session.consents.create(client_id, release(contact_id, signature_kind=SignatureKind.SCANNED,
                                                         signature_strokes="", attachment_id=scan.id,
                                                         representative_authority="Guardian, court order 2024"))
    assert verbal.fields.verbal_reason == "Consent by phone"
    assert scanned.fields.attachment_id == scan.id
    assert scanned.fields.representative_authority == "Guardian, court order 2024"
    assert [r.id for r in session.consents.for_client(client_id)] != []


# -- disclosures ---------------------------------------------------------------------------------


def test_a_covered_disclosure_is_logged_as_valid(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id))
    entry = session.consents.record_disclosure(
        client_id, contact_id=contact_id, description="Care plan (PDF)", content_hash=HASH,
        purpose="Coordination of care", legal_basis="Client authorization", consent_id=r.id,
        sections=[T.DEMOGRAPHICS, T.CARE_PLAN], method="print")
    assert entry.consent_valid and entry.overridden_reason == "" and not entry.part2
    assert entry.recipient == "Dr Imani Okafor · Riverside Community Health"
    assert entry.disclosed_by == session.actor and entry.disclosed_at == session.clock.now()
    assert entry.content_hash == HASH and entry.sections == (T.DEMOGRAPHICS, T.CARE_PLAN)
    assert session.consents.disclosures(client_id) == [entry]


@pytest.mark.parametrize("case", ["partly", "expired", "revoked"])
def test_an_uncovered_disclosure_needs_and_keeps_an_override_reason(session: Session, clock: FixedClock,
                                                                     ids: tuple[str, str], case: str) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id, expires_on=TODAY + timedelta(days=5)))
    sections = [T.DEMOGRAPHICS, T.PROGRESS_NOTES] if case == "partly" else [T.DEMOGRAPHICS]
    if case == "expired":
        clock.advance(days=6)
    if case == "revoked":
        session.consents.revoke(r.id, TODAY, "In writing")
    args = {"consent_id": r.id, "sections": sections}
    with pytest.raises(ValidationError) as caught:
        disclose(session, client_id, contact_id, **args)
    assert "give the reason" in caught.value.problems["overridden_reason"]
    assert session.consents.disclosures(client_id) == []
    entry = disclose(session, client_id, contact_id, overridden_reason="Client in crisis; ED requested plan", **args)
    assert not entry.consent_valid and entry.overridden_reason == "Client in crisis; ED requested plan"
    assert session.consents.disclosures(client_id) == [entry]


def test_part2_disclosure_records_the_notice_version(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    p2 = session.consents.create(client_id, release(contact_id, information=(T.SUBSTANCE_USE,), part2=True,
                                                    recipient_name="Dr Imani Okafor"))
    version, text = session.consents.redisclosure_notice()
    assert version == "1" and text == "42 CFR part 2 prohibits unauthorized disclosure of these records."
    entry = disclose(session, client_id, contact_id, consent_id=p2.id, sections=[T.SUBSTANCE_USE])
    assert entry.part2 and entry.consent_valid and entry.notice_version == "1"


def test_sensitive_sections_without_a_release_need_a_reason(session: Session, ids: tuple[str, str]) -> None:
    client_id, _contact_id = ids
    for section in (T.SUBSTANCE_USE, T.PSYCHOTHERAPY_NOTES):
        with pytest.raises(ValidationError):
            disclose(session, client_id, None, recipient="County court", sections=[section],
                     legal_basis="Court order")
    entry = disclose(session, client_id, None, recipient="County court", legal_basis="Court order",
                     sections=[T.DEMOGRAPHICS])
    assert entry.contact_id is None and entry.recipient == "County court" and not entry.consent_valid


def test_a_disclosure_needs_its_elements(session: Session, ids: tuple[str, str]) -> None:
    client_id, _contact_id = ids
    with pytest.raises(ValidationError) as caught:
        disclose(session, client_id, None, description=" ", content_hash="abc", purpose="", legal_basis="")
    assert set(caught.value.problems) == {"recipient", "description", "content_hash", "purpose", "legal_basis"}


def test_disclosures_are_kept_as_written(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    entry = disclose(session, client_id, contact_id)
    for sql in ("UPDATE disclosures SET purpose = 'x' WHERE id = ?", "DELETE FROM disclosures WHERE id = ?"):
        with pytest.raises(DatabaseError):
            with session.write() as conn:
                conn.execute(sql, (entry.id,))


def test_the_accounting_covers_six_years_by_default(session: Session, clock: FixedClock,
                                                    ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    clock.advance(days=-(6 * 365 + 10))
    too_old = disclose(session, client_id, contact_id, description="Old letter")
    clock.advance(days=20)
    kept = disclose(session, client_id, contact_id, description="Assessment")
    clock.advance(days=6 * 365 - 10)
    recent = disclose(session, client_id, contact_id, description="Care plan")
    assert [d.description for d in session.consents.disclosures(client_id)] == ["Care plan", "Assessment"]
    since = session.consents.disclosures(client_id, since=date(2000, 1, 1))
    assert [d.id for d in since] == [recent.id, kept.id, too_old.id]
    other = session.clients.create(person(first_name="Tomasz", last_name="Wiśniewski"))
    disclose(session, other.id, contact_id)
    assert len(session.consents.disclosures(None)) == 3 and len(session.consents.disclosures(other.id)) == 1


def test_audit_entries_carry_ids_only(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    r = session.consents.create(client_id, release(contact_id, information_detail="PHQ-9 scores since March"))
    session.consents.revoke(r.id, TODAY, "Letter from the client")
    disclose(session, client_id, contact_id, overridden_reason="Client asked by phone", purpose="Housing application",
             consent_id=r.id)
    entries = [e for e in session.audit_repo().entries() if e.object_type in ("release", "disclosure")]
    assert [e.action for e in entries] == ["release.create", "release.revoke", "disclosure.record"]
    text = " ".join(f"{e.object_id} {e.detail}" for e in entries).lower()
    for secret in ("okafor", "riverside", "housing", "phone", "letter", "phq", "coordination", "care", "quintero"):
        assert secret not in text
    assert client_id in text and r.id in text


# -- Today ---------------------------------------------------------------------------------------


def test_expiring_lists_releases_ending_soon_caseload_wide(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    soon = session.consents.create(client_id, release(contact_id, expires_on=TODAY + timedelta(days=12)))
    session.consents.create(client_id, release(contact_id, expires_on=TODAY + timedelta(days=45)))
    session.consents.create(client_id, release(contact_id, expires_on=TODAY - timedelta(days=1)))
    gone = session.consents.create(client_id, release(contact_id, expires_on=TODAY + timedelta(days=3)))
    session.consents.revoke(gone.id, TODAY, "In writing")
    closed = session.clients.create(person(first_name="Mei", last_name="Lin"))
    session.consents.create(closed.id, release(contact_id, expires_on=TODAY + timedelta(days=5)))
    session.clients.change_stage(closed.id, Stage.CLOSED)
    assert [r.id for r in session.consents.expiring(TODAY)] == [soon.id]
    assert len(session.consents.expiring(TODAY, within_days=60)) == 2


def test_a_contact_named_on_a_release_is_archived_not_deleted(session: Session, ids: tuple[str, str]) -> None:
    client_id, contact_id = ids
    session.consents.create(client_id, release(contact_id))
    with pytest.raises(ValidationError) as refused:
        session.contacts.delete(contact_id)
    assert "1 release of information" in str(refused.value)
    assert session.contacts.usage(contact_id).releases == 1
