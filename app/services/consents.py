"""Releases of information per client and recipient, and the accounting of disclosures.

A release is recorded once as signed and never changed; it can be revoked (once), and an expiry
event can be marked as having happened. `status` and `coverage` answer "may this recipient get
these sections today?"; `record_disclosure` writes the accounting entry for every export, print
or FHIR file sent to a recipient, in the same transaction as its audit entry (ids only)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from app import RESOURCES_DIR
from app.i18n import _
from app.models.consent import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    Coverage,
    Disclosure,
    InfoType,
    Release,
    ReleaseFields,
    ReleaseStatus,
    combined_status,
    coverage,
    six_years_before,
    validate_release,
    validate_revocation,
)
from app.services.errors import NotFound, ValidationError
from app.store.consents_repo import ConsentRepository

if TYPE_CHECKING:
    from app.services.session import Session

PART2_DIR = RESOURCES_DIR / "part2"
_NOTICE_FILE = re.compile(r"redisclosure_notice_v(\d+)\.txt")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@lru_cache(maxsize=4)
def load_redisclosure_notice(folder: Path = PART2_DIR) -> tuple[str, str]:
    """(version, text) of the newest re-disclosure notice file in `folder`. The first line is the
    header "Version: N …"; the rest is the notice."""
    files = sorted(((int(m.group(1)), p) for p in folder.iterdir() if (m := _NOTICE_FILE.fullmatch(p.name))),
                   key=lambda pair: pair[0])
    if not files:
        raise FileNotFoundError(f"no re-disclosure notice in {folder}")
    number, path = files[-1]
    header, _sep, body = path.read_text(encoding="utf-8").partition("\n")
    match = re.match(r"Version:\s*(\S+)", header)
    return (match.group(1) if match else str(number)), body.strip()


class ConsentService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> ConsentRepository:
        return ConsentRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- releases: reading -----------------------------------------------------------------------

    def get(self, release_id: str) -> Release:
        release = self._repo.get(release_id)
        if release is None:
            raise NotFound(_("The release of information"))
        return release

    def for_client(self, client_id: str) -> list[Release]:
        """Every release the client signed, newest first (revoked and expired ones included)."""
        return self._repo.for_client(client_id)

    def status(self, client_id: str, contact_id: str, on: date | None = None) -> ReleaseStatus:
        """none, valid, expired or revoked for one recipient on `on` (today by default): valid if
        any release to them is; otherwise the state of the most recently signed one."""
        return combined_status(self._repo.for_recipient(client_id, contact_id), on or self._today())

    def coverage(self, client_id: str, contact_id: str, sections: Iterable[InfoType | str],
                 on: date | None = None) -> Coverage:
        """Which of the requested sections a valid release to this recipient covers, and which not.
        Psychotherapy notes are covered only by a separate authorization; substance-use records
        only by a Part 2 consent."""
        return coverage(self._repo.for_recipient(client_id, contact_id), sections, on or self._today())

    def expiring(self, today: date | None = None, within_days: int = 30) -> list[Release]:
        """Caseload-wide: releases not revoked whose expiry date falls within the next
        `within_days` days (today included), soonest first — for Today."""
        start = today or self._today()
        return self._repo.expiring(start, start + timedelta(days=within_days))

    def redisclosure_notice(self) -> tuple[str, str]:
        """(version, text) of the 42 CFR Part 2 re-disclosure notice that goes with Part 2 information."""
        return load_redisclosure_notice()

    # -- releases: writing -----------------------------------------------------------------------

    def create(self, client_id: str, fields: ReleaseFields) -> Release:
        """Record a signed release. ValidationError (field → sentence) for a missing element."""
        self._session.clients.get(client_id)
        problems = validate_release(fields, self._today())
        clean = fields.normalised()
        if "contact_id" not in problems:
            try:
                self._session.contacts.get(clean.contact_id)
            except NotFound:
                problems["contact_id"] = _("That contact is no longer in the directory. Choose another.")
        if clean.attachment_id and "signature" not in problems:
            try:
                attachment = self._session.attachments.get(clean.attachment_id)
            except NotFound:
                problems["signature"] = _("The scanned form is no longer attached. Attach it again.")
            else:
                if attachment.client_id != client_id:
                    problems["signature"] = _("The scanned form belongs to another client. Attach this client's form.")
        if problems:
            raise ValidationError(problems)
        now = self._session.clock.now()
        release = Release(str(uuid.uuid4()), client_id, clean, created_by=self._session.actor, created_at=now)
        with self._session.write() as conn:
            ConsentRepository(conn).add(release, now)
            self._session.audit("release.create", "release", release.id,
                                f"client={client_id},contact={clean.contact_id},part2={int(clean.part2)}")
        return self.get(release.id)

    def revoke(self, release_id: str, on: date, how: str) -> Release:
        """Revoke from `on` (not in the future), saying how (e.g. "in writing, letter of 3 May")."""
        current = self.get(release_id)
        problems = validate_revocation(current, on, how, self._today())
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            if not ConsentRepository(conn).revoke(release_id, on, how.strip(), self._session.clock.now()):
                message = _("This release was changed in the meantime. Close it and open it again.")
                raise ValidationError({"revoked_on": message}, message)
            self._session.audit("release.revoke", "release", release_id, f"client={current.client_id}")
        return self.get(release_id)

    def record_expiry_event(self, release_id: str, on: date) -> Release:
        """Mark that the event ending the release (e.g. end of treatment) happened on `on`."""
        current = self.get(release_id)
        problems: dict[str, str] = {}
        if not current.fields.expiry_event:
            problems["event_occurred_on"] = _("This release ends on a date, not an event.")
        elif current.event_occurred_on is not None:
            problems["event_occurred_on"] = _("The ending event was recorded already.")
        elif on > self._today():
            problems["event_occurred_on"] = _("The event date can't be in the future.")
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            ConsentRepository(conn).set_event_occurred(release_id, on, self._session.clock.now())
            self._session.audit("release.expiry_event", "release", release_id, f"client={current.client_id}")
        return self.get(release_id)

    # -- disclosures -----------------------------------------------------------------------------

    def record_disclosure(
        self, client_id: str, *, contact_id: str | None = None, recipient: str = "", description: str,
        content_hash: str, purpose: str, legal_basis: str, consent_id: str | None = None,
        overridden_reason: str | None = None, sections: Iterable[InfoType | str] = (), method: str = "",
    ) -> Disclosure:
        """Write one entry of the accounting of disclosures (who = the signed-in user, when = now).

        `consent_valid` is decided here: the given release is valid today, is to this recipient
        and covers every section. If it does not, an `overridden_reason` is required and kept.
        Part 2 sections record the re-disclosure notice version sent with them."""
        self._session.clients.get(client_id)
        today = self._today()
        chosen = tuple(dict.fromkeys(InfoType(s) for s in sections))
        override = (overridden_reason or "").strip()
        problems: dict[str, str] = {}
        name = recipient.strip()
        if contact_id:
            try:
                contact = self._session.contacts.get(contact_id)
            except NotFound:
                problems["contact_id"] = _("That contact is no longer in the directory. Choose another.")
            else:
                org = contact.fields.organisation
                name = name or (f"{contact.name} · {org}" if org and org != contact.name else contact.name)
        if not name:
            problems["recipient"] = _("Name the recipient, or choose one from the directory.")
        if not description.strip():
            problems["description"] = _("Describe briefly what was disclosed.")
        if not _SHA256.fullmatch(content_hash):
            problems["content_hash"] = _("The content fingerprint is missing or malformed (a SHA-256 hex digest).")
        if not purpose.strip():
            problems["purpose"] = _("Write the purpose of the disclosure.")
        if not legal_basis.strip():
            problems["legal_basis"] = _("Say on what basis the information is disclosed (e.g. the client's "
                                        "authorization).")
        for field_name, value, limit in (("recipient", name, MAX_TEXT * 2), ("description", description, MAX_LONG_TEXT),
                                         ("purpose", purpose, MAX_LONG_TEXT), ("legal_basis", legal_basis, MAX_TEXT),
                                         ("overridden_reason", override, MAX_LONG_TEXT), ("method", method, MAX_TEXT)):
            if len(value) > limit and field_name not in problems:
                problems[field_name] = _("Keep this under {n} characters.").format(n=limit)
        valid = False
        if consent_id is not None:
            release = self._repo.get(consent_id)
            if release is None or release.client_id != client_id:
                problems["consent_id"] = _("That release isn't on this client's record. Choose another.")
            elif contact_id is not None and release.fields.contact_id != contact_id:
                problems["consent_id"] = _("That release is for a different recipient. Choose theirs.")
            else:
                valid = (release.status(today) is ReleaseStatus.VALID and contact_id is not None
                         and coverage([release], chosen, today).complete)
        if not valid and not override and "consent_id" not in problems:
            if consent_id is not None:
                problems["overridden_reason"] = _("The release doesn't cover this disclosure today. Leave out what "
                                                  "it doesn't cover, or give the reason for disclosing anyway.")
            elif any(s.part2 or s is InfoType.PSYCHOTHERAPY_NOTES for s in chosen):
                problems["overridden_reason"] = _("Substance-use records and psychotherapy notes need the client's "
                                                  "release. Choose it, or give the reason for disclosing anyway.")
        if problems:
            raise ValidationError(problems)
        part2 = any(s.part2 for s in chosen)
        now = self._session.clock.now()
        entry = Disclosure(
            id=str(uuid.uuid4()), client_id=client_id, contact_id=contact_id or None, recipient=name,
            description=description.strip(), content_hash=content_hash, purpose=purpose.strip(),
            legal_basis=legal_basis.strip(), consent_id=consent_id, consent_valid=valid, overridden_reason=override,
            sections=chosen, part2=part2, notice_version=self.redisclosure_notice()[0] if part2 else "",
            method=method.strip(), disclosed_by=self._session.actor, disclosed_at=now)
        with self._session.write() as conn:
            ConsentRepository(conn).add_disclosure(entry, now)
            self._session.audit(
                "disclosure.record", "disclosure", entry.id,
                f"client={client_id},contact={contact_id or '-'},consent={consent_id or '-'},"
                f"valid={int(valid)},overridden={int(bool(override))},part2={int(part2)}")
        stored = self._repo.get_disclosure(entry.id)
        assert stored is not None
        return stored

    def disclosures(self, client_id: str | None = None, since: date | datetime | None = None) -> list[Disclosure]:
        """The accounting of disclosures, newest first: one client's, or everyone's when None;
        by default the last six years."""
        start = since if since is not None else six_years_before(self._today())
        if not isinstance(start, datetime):
            start = datetime.combine(start, time.min, tzinfo=self._session.clock.now().tzinfo)
        return self._repo.disclosures(client_id, start)
