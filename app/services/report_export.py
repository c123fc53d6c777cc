"""Consent-checked export of reports: check a request against the releases on file, build the
PDF in memory (leaving out sections a valid release doesn't cover unless overridden with a
reason, and adding the 42 CFR Part 2 re-disclosure notice where Part 2 information goes out),
optionally encrypt it (AES-256), save it atomically (0600, neutral file name), and record every
export in the audit trail and — when it goes to a recipient — in the accounting of disclosures.

The flow, for the CLI and the report dialog alike:

    checked = check(session, request, contact_id)          # what is covered, what is not
    prepared = prepare(session, request, letterhead, contact_id=..., override_reason=...,
                       purpose=..., progress=...)          # bytes in memory; nothing recorded
    ...preview prepared.pdf...
    path = save(session, prepared, dest, password=None)    # writes the file, records the export
    record_print(session, prepared)                        # or: after the OS print dialog accepted

Nothing here logs or audits client data: audit entries carry ids, the kind and section keys.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.consent import InfoType, ReleaseStatus
from app.reports.engine import Delivery, Letterhead, choose_sections, delivering
from app.services import reporting
from app.services.errors import ValidationError
from app.services.reporting import Progress, ReportRequest
from app.store.files import atomic_write

if TYPE_CHECKING:
    from app.models.consent import Disclosure
    from app.services.session import Session


METHOD_SAVED = "saved"
METHOD_SAVED_ENCRYPTED = "saved, password-protected"
METHOD_PRINTED = "printed"


def default_legal_basis() -> str:
    """The legal basis recorded when a valid release covers what goes out."""
    return _("Client's authorization (release of information)")


def override_legal_basis() -> str:
    """The legal basis recorded when sections go out on the user's word, without a covering release."""
    return _("Disclosed without a covering release; the reason is recorded")


@dataclass(frozen=True, slots=True)
class ExportCheck:
    """A request checked against the releases to one recipient, today."""

    kind: str
    recipient: str  # the recipient as shown ("Name · Organisation"), '' without one
    contact_id: str | None
    status: ReleaseStatus  # NONE when there is no recipient
    sections: tuple[str, ...]  # the sections asked for
    covered: tuple[str, ...]  # sections a valid release covers (all of them without a recipient)
    not_covered: tuple[str, ...]  # sections no valid release covers
    not_covered_info: tuple[InfoType, ...]
    part2: bool  # Part 2 (substance-use) information would go out
    release_ids: tuple[str, ...] = ()

    @property
    def fully_covered(self) -> bool:
        return not self.not_covered

    def section_names(self, sections: tuple[str, ...]) -> str:
        """The sections as the user knows them, comma-separated."""
        labels = reporting.kind(self.kind).section_labels()
        return ", ".join(labels.get(s, s) for s in sections)

    def message(self) -> str:
        """One sentence for the user: covered, or naming what isn't and why (status)."""
        if self.contact_id is None:
            return _("No recipient is chosen, so the report is not checked against releases of information.")
        if self.fully_covered:
            return _("A valid release to {recipient} covers every chosen section.").format(recipient=self.recipient)
        if not self.covered:
            return _("No valid release to {recipient} covers this report (release: {status}). Not covered: "
                     "{sections}. Record a release, or give a reason to send it anyway.").format(
                recipient=self.recipient, status=self.status.label.lower(),
                sections=self.section_names(self.not_covered))
        return _("The release to {recipient} ({status}) doesn't cover: {sections}. These sections will be left "
                 "out unless you give a reason to include them.").format(
            recipient=self.recipient, status=self.status.label.lower(),
            sections=self.section_names(self.not_covered))


@dataclass(frozen=True, slots=True)
class PreparedReport:
    """A built report, in memory, with what is needed to record it when it leaves."""

    request: ReportRequest
    check: ExportCheck
    pdf: bytes
    included: tuple[str, ...]  # the sections actually printed
    left_out: tuple[str, ...]  # sections dropped for want of consent
    overridden_reason: str  # '' unless uncovered sections were included on the user's word
    purpose: str
    legal_basis: str
    notice_version: str  # the Part 2 notice version appended, '' if none
    sha256: str
    generated_at: datetime
    default_name: str  # neutral file name, no client name: e.g. "waypoint-summary-20261127-0942.pdf"
    extra: Mapping[str, str] = field(default_factory=dict)
    # The releases the disclosure rests on, each with the information it covers: one entry in the
    # accounting per release (a recipient may hold two releases that together cover the report).
    # (None, everything) without a release; empty without a recipient.
    consents: tuple[tuple[str | None, tuple[InfoType, ...]], ...] = ()

    @property
    def contact_id(self) -> str | None:
        return self.check.contact_id

    @property
    def info_types(self) -> tuple[InfoType, ...]:
        """What the printed sections disclose, in first-seen order."""
        return reporting.kind(self.request.kind).info_for(self.included)

    @property
    def part2(self) -> bool:
        return any(i.part2 for i in self.info_types)

    def description(self) -> str:
        """For the accounting of disclosures: the report's name and its sections (no client data)."""
        k = reporting.kind(self.request.kind)
        labels = k.section_labels()
        return _("{report} (PDF): {sections}").format(
            report=k.label, sections=", ".join(labels.get(s, s) for s in self.included))


def recipient_label(session: Session, contact_id: str) -> str:
    """The recipient as shown and recorded: "Name · Organisation" (or the name alone)."""
    contact = session.contacts.get(contact_id)
    org = contact.fields.organisation
    return f"{contact.name} · {org}" if org and org != contact.name else contact.name


def _sections(kind: reporting.ReportKind, request: ReportRequest) -> tuple[str, ...]:
    """The sections asked for, in the kind's order; ValueError with a sentence for unknown ones."""
    asked = kind.default_sections if request.sections is None else request.sections
    chosen = choose_sections(kind.sections, asked)
    if not chosen:
        raise ValueError(_("Choose at least one section for the report."))
    return tuple(s for s in kind.sections if s in chosen)


def check(session: Session, request: ReportRequest, contact_id: str | None = None) -> ExportCheck:
    """Which of the requested sections a valid release to `contact_id` covers today.

    Without a recipient every section counts as covered (status NONE). ValueError with a
    sentence for an unknown kind or section, a missing client, or a recipient for a kind that is
    never sent to one (pocket card, caseload, accounting, mileage)."""
    k = reporting.kind(request.kind)
    sections = _sections(k, request)
    info = k.info_types()
    if k.needs_client and not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    if not contact_id:
        return ExportCheck(k.key, "", None, ReleaseStatus.NONE, sections, sections, (), (),
                           any(info[s].part2 for s in sections))
    if not k.to_recipient:
        raise ValueError(_("A {report} is not sent to a recipient. Leave the recipient out.").format(
            report=k.label.lower()))
    if not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    recipient = recipient_label(session, contact_id)
    cov = session.consents.coverage(request.client_id, contact_id, k.info_for(sections))
    covered = tuple(s for s in sections if info[s] in cov.covered)
    missing = tuple(s for s in sections if info[s] not in cov.covered)
    return ExportCheck(
        k.key, recipient, contact_id, cov.status, sections, covered, missing,
        tuple(dict.fromkeys(info[s] for s in missing)), any(info[s].part2 for s in sections), cov.release_ids)


def _consents_for(session: Session, checked: ExportCheck, client_id: str, info: tuple[InfoType, ...],
                  overridden: bool) -> tuple[tuple[str | None, tuple[InfoType, ...]], ...]:
    """Which release each piece of information goes out under: one valid release covering all
    of it when there is one; otherwise, when not overridden, the releases that together cover it
    (each with its part); on an override, the first release used (or none) for everything."""
    if checked.contact_id is None:
        return ()
    today = session.clock.today()
    mine = [r for r in session.consents.for_client(client_id) if r.fields.contact_id == checked.contact_id]
    valid = [r for r in mine if r.status(today) is ReleaseStatus.VALID]
    used = {rid: n for n, rid in enumerate(checked.release_ids)}
    ordered = sorted(valid, key=lambda r: used.get(r.id, len(used)))  # those coverage picked first
    single = next((r for r in ordered if all(r.covers(i) for i in info)), None)
    if single is not None:
        return ((single.id, info),)
    if overridden or not ordered:
        return ((checked.release_ids[0] if checked.release_ids else None, info),)
    parts: dict[str, list[InfoType]] = {}
    for item in info:
        by = next(r for r in ordered if r.covers(item))
        parts.setdefault(by.id, []).append(item)
    return tuple((rid, tuple(items)) for rid, items in parts.items())


def default_name(kind: str, generated_at: datetime) -> str:
    """A neutral file name: the kind and the local time, never the client's name."""
    return f"waypoint-{kind}-{generated_at.astimezone():%Y%m%d-%H%M}.pdf"


def prepare(session: Session, request: ReportRequest, letterhead: Letterhead, *,
            contact_id: str | None = None, override_reason: str = "", purpose: str = "",
            legal_basis: str = "", progress: Progress | None = None) -> PreparedReport:
    """Build the report in memory for `contact_id` (or for no one). Sections no valid release
    covers are left out unless `override_reason` is given; Part 2 information carries the
    re-disclosure notice; a recipient is named ("Prepared for …"). Records nothing.

    `purpose` defaults to the purposes of the release used; `legal_basis` to the client's
    authorization when a valid release covers everything, or to an override statement.
    ValueError with a sentence when nothing would be left."""
    k = reporting.kind(request.kind)
    checked = check(session, request, contact_id)
    reason = override_reason.strip()
    if checked.not_covered and not reason:
        included, left_out = checked.covered, checked.not_covered
    else:
        included, left_out = checked.sections, ()
    if not included:
        raise ValueError(_("No valid release to {recipient} covers any chosen section (release: {status}), so "
                         "nothing is left to send. Record a release, or give a reason to send it anyway.").format(
            recipient=checked.recipient, status=checked.status.label.lower()))
    info = k.info_for(included)
    part2 = any(i.part2 for i in info)
    notices: tuple[tuple[str, str], ...] = ()
    notice_version = ""
    if part2:
        notice_version, notice_text = session.consents.redisclosure_notice()
        notices = ((_("Notice to the recipient: 42 CFR Part 2"), notice_text),)
    consents: tuple[tuple[str | None, tuple[InfoType, ...]], ...] = ()
    if checked.contact_id is not None and request.client_id:
        consents = _consents_for(session, checked, request.client_id, info, bool(checked.not_covered and reason))
    if checked.contact_id is not None:
        used = [session.consents.get(rid) for rid, _info in consents if rid is not None]
        purposes = dict.fromkeys(p for r in used for p in r.fields.purposes)
        purpose = purpose.strip() or "; ".join(purposes)
        if not legal_basis.strip():
            legal_basis = default_legal_basis() if used and not (checked.not_covered and reason) \
                else override_legal_basis()
    generated_at = session.clock.now()
    built = dataclasses.replace(request, sections=included)
    delivery = Delivery(checked.recipient, notices) if (checked.recipient or notices) else None
    with delivering(delivery) if delivery is not None else contextlib.nullcontext():
        pdf = k.build(session, built, letterhead, generated_at, progress)
    return PreparedReport(
        request=built, check=checked, pdf=pdf, included=included, left_out=left_out,
        overridden_reason=reason if checked.not_covered else "", purpose=purpose.strip(),
        legal_basis=legal_basis.strip(), notice_version=notice_version, sha256=hashlib.sha256(pdf).hexdigest(),
        generated_at=generated_at, default_name=default_name(k.key, generated_at), consents=consents)


def encrypt(pdf: bytes, password: str) -> bytes:
    """The PDF protected with AES-256: it opens only with `password`. ValueError for an empty one."""
    from pypdf import PdfReader, PdfWriter

    if not password:
        raise ValueError(_("Enter a password to protect the PDF."))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _target(prepared: PreparedReport, dest: Path) -> Path:
    dest = Path(dest).expanduser()
    if dest.is_dir():
        return dest / prepared.default_name
    if not dest.parent.is_dir():
        raise ValueError(_("The folder {folder} doesn't exist. Choose another place to save.").format(
            folder=dest.parent))
    return dest


def _record(session: Session, prepared: PreparedReport, content_hash: str, method: str) -> Disclosure | None:
    """The audit entry (ids, kind and section keys only) and, for a recipient, the disclosure."""
    entry: Disclosure | None = None
    request = prepared.request
    if prepared.contact_id is not None and request.client_id:
        for consent_id, info in prepared.consents or ((None, prepared.info_types),):
            recorded = session.consents.record_disclosure(
                request.client_id, contact_id=prepared.contact_id, recipient=prepared.check.recipient,
                description=prepared.description(), content_hash=content_hash, purpose=prepared.purpose,
                legal_basis=prepared.legal_basis, consent_id=consent_id,
                overridden_reason=prepared.overridden_reason or None, sections=info, method=method)
            entry = entry or recorded
    method_key = {METHOD_SAVED: "saved", METHOD_SAVED_ENCRYPTED: "saved-encrypted"}.get(method, "printed")
    detail = _audit_detail(request.kind, prepared, method_key)
    session.record("report.export", "client" if request.client_id else "report", request.client_id or "", detail)
    return entry


def _audit_detail(kind: str, prepared: PreparedReport, method: str) -> str:
    """kind, recipient id, section keys (or their count when too many to fit), no free text."""
    def joined(sections: tuple[str, ...]) -> str:
        return ":".join(sections) or "-"

    for sections in (joined(prepared.included), str(len(prepared.included))):
        detail = ",".join((
            f"kind={kind}", f"contact={prepared.contact_id or '-'}", f"sections={sections}",
            f"left_out={len(prepared.left_out)}", f"overridden={int(bool(prepared.overridden_reason))}",
            f"part2={int(prepared.part2)}", f"method={method}"))
        if len(detail) <= 200:
            break
    return detail.lower()


def _check_recordable(prepared: PreparedReport) -> None:
    """Catch before any byte is written what would stop the disclosure entry being recorded."""
    if prepared.contact_id is None:
        return
    problems: dict[str, str] = {}
    if not prepared.purpose:
        problems["purpose"] = _("Write the purpose of the disclosure.")
    if not prepared.legal_basis:
        problems["legal_basis"] = _("Say on what basis the information is disclosed (e.g. the client's "
                                    "authorization).")
    if problems:
        raise ValidationError(problems, next(iter(problems.values())))


def save(session: Session, prepared: PreparedReport, dest: Path, *, password: str | None = None) -> Path:
    """Write the report to `dest` (a file, or a folder for the neutral default name) atomically and
    privately (0600), AES-256 encrypted when `password` is given; then record the export in the
    audit trail and, for a recipient, in the accounting of disclosures (hash of the bytes written).
    If the disclosure can't be recorded, the file is removed again and the error raised."""
    _check_recordable(prepared)
    target = _target(prepared, dest)
    data = encrypt(prepared.pdf, password) if password is not None else prepared.pdf
    atomic_write(target, data)
    method = METHOD_SAVED_ENCRYPTED if password is not None else METHOD_SAVED
    try:
        _record(session, prepared, hashlib.sha256(data).hexdigest(), method)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
    return target


def record_print(session: Session, prepared: PreparedReport) -> Disclosure | None:
    """Record that the report was printed (after the OS print dialog was accepted): the audit
    entry and, for a recipient, the disclosure entry (method "printed"). Returns the disclosure."""
    _check_recordable(prepared)
    return _record(session, prepared, prepared.sha256, METHOD_PRINTED)
