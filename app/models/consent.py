"""Releases of information (HIPAA 45 CFR 164.508(c), 42 CFR Part 2) and the disclosure log
(45 CFR 164.528). Pure dataclasses and rules.

A release lets one recipient (a contact in the directory) receive the listed kinds of
information for the listed purposes, from the signing date until an expiry date or event, unless
revoked. Two kinds of information need more than a general release:

- substance-use records (42 CFR Part 2) only under a Part 2 consent that lists them explicitly
  and names the recipient;
- psychotherapy notes only under a separate authorization that covers nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.i18n import _

MAX_TEXT = 200
MAX_LONG_TEXT = 2000
DISCLOSURE_YEARS = 6  # a client may ask for the accounting of the past six years


class InfoType(StrEnum):
    """What a release may cover; the values match report sections."""

    DEMOGRAPHICS = "demographics"
    SCREENING_RESULTS = "screening_results"
    ASSESSMENT = "assessment"
    CARE_PLAN = "care_plan"
    SAFETY_PLAN = "safety_plan"
    PROGRESS_NOTES = "progress_notes"
    TRANSITION_SUMMARY = "transition_summary"
    SUBSTANCE_USE = "substance_use"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"

    @property
    def label(self) -> str:
        return {
            InfoType.DEMOGRAPHICS: _("Demographics"), InfoType.SCREENING_RESULTS: _("Screening results"),
            InfoType.ASSESSMENT: _("Assessment"), InfoType.CARE_PLAN: _("Care plan"),
            InfoType.SAFETY_PLAN: _("Safety plan"), InfoType.PROGRESS_NOTES: _("Progress notes"),
            InfoType.TRANSITION_SUMMARY: _("Transition summary"),
            InfoType.SUBSTANCE_USE: _("Substance-use treatment records (42 CFR Part 2)"),
            InfoType.PSYCHOTHERAPY_NOTES: _("Psychotherapy notes"),
        }[self]

    @property
    def part2(self) -> bool:
        return self is InfoType.SUBSTANCE_USE


class SignatureKind(StrEnum):
    PAD = "pad"
    VERBAL = "verbal"
    SCANNED = "scanned"

    @property
    def label(self) -> str:
        return {SignatureKind.PAD: _("Signed on the pad"), SignatureKind.VERBAL: _("Verbal agreement"),
                SignatureKind.SCANNED: _("Scanned signed form")}[self]


class ReleaseStatus(StrEnum):
    NONE = "none"
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {ReleaseStatus.NONE: _("No release"), ReleaseStatus.VALID: _("Valid"),
                ReleaseStatus.EXPIRED: _("Expired"), ReleaseStatus.REVOKED: _("Revoked")}[self]


@dataclass(frozen=True, slots=True)
class ReleaseFields:
    """What the signed form says. '' / None means not given."""

    contact_id: str = ""
    information: tuple[InfoType, ...] = ()
    information_detail: str = ""  # the specific description, e.g. "PHQ-9 scores since March"
    purposes: tuple[str, ...] = ()
    signed_on: date | None = None
    expires_on: date | None = None
    expiry_event: str = ""
    disclosers: str = ""  # who may disclose
    signature_kind: SignatureKind = SignatureKind.PAD
    signature_strokes: str = ""  # app.models.signature.Signature.to_json(), as JSON text
    verbal_reason: str = ""
    attachment_id: str | None = None  # the scanned form
    part2: bool = False
    recipient_name: str = ""  # Part 2: the recipient by name
    treatment_conditioned: bool = False  # whether treatment is conditioned on signing
    representative_authority: str = ""  # who signed for the client, and by what authority

    def normalised(self) -> ReleaseFields:
        info = tuple(dict.fromkeys(InfoType(i) for i in self.information))
        purposes = tuple(dict.fromkeys(p.strip() for p in self.purposes if p.strip()))
        return ReleaseFields(
            self.contact_id.strip(), info, self.information_detail.strip(), purposes, self.signed_on,
            self.expires_on, self.expiry_event.strip(), self.disclosers.strip(), self.signature_kind,
            self.signature_strokes.strip(), self.verbal_reason.strip(), self.attachment_id or None, self.part2,
            self.recipient_name.strip(), self.treatment_conditioned, self.representative_authority.strip())


@dataclass(frozen=True, slots=True)
class Release:
    id: str
    client_id: str
    fields: ReleaseFields
    revoked_on: date | None = None
    revoked_how: str = ""
    event_occurred_on: date | None = None  # when the expiry event happened, once recorded
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # From the directory, for lists (not part of the release itself).
    to_name: str = field(default="", compare=False)
    to_organisation: str = field(default="", compare=False)

    def status(self, on: date) -> ReleaseStatus:
        """Revoked from the day of revocation; expired the day after the expiry date, or from the
        day the expiry event happened. NONE before it was signed."""
        f = self.fields
        if f.signed_on is None or f.signed_on > on:
            return ReleaseStatus.NONE
        if self.revoked_on is not None and self.revoked_on <= on:
            return ReleaseStatus.REVOKED
        if f.expires_on is not None and on > f.expires_on:
            return ReleaseStatus.EXPIRED
        if self.event_occurred_on is not None and self.event_occurred_on <= on:
            return ReleaseStatus.EXPIRED
        return ReleaseStatus.VALID

    @property
    def separate_psychotherapy(self) -> bool:
        return self.fields.information == (InfoType.PSYCHOTHERAPY_NOTES,)

    def covers(self, section: InfoType) -> bool:
        """Whether this release (valid or not) covers one section, by the special-category rules."""
        if section not in self.fields.information:
            return False
        if section is InfoType.PSYCHOTHERAPY_NOTES:
            return self.separate_psychotherapy
        if section.part2:
            return self.fields.part2
        return True


def combined_status(releases: Iterable[Release], on: date) -> ReleaseStatus:
    """One recipient's status: valid if any release is; otherwise that of the most recently
    signed one (revoked or expired); none if there is no signed release."""
    statuses = sorted(((r.fields.signed_on or date.min, r.status(on)) for r in releases), key=lambda p: p[0])
    signed = [s for _on, s in statuses if s is not ReleaseStatus.NONE]
    if ReleaseStatus.VALID in signed:
        return ReleaseStatus.VALID
    return signed[-1] if signed else ReleaseStatus.NONE


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which requested sections valid releases cover, and which release covers each."""

    status: ReleaseStatus
    covered: tuple[InfoType, ...]
    not_covered: tuple[InfoType, ...]
    release_ids: tuple[str, ...]  # the valid releases used, in the order first needed

    @property
    def complete(self) -> bool:
        return not self.not_covered

    @property
    def part2(self) -> bool:
        return any(s.part2 for s in self.covered)


def coverage(releases: Sequence[Release], sections: Iterable[InfoType | str], on: date) -> Coverage:
    valid = [r for r in releases if r.status(on) is ReleaseStatus.VALID]
    covered: list[InfoType] = []
    missing: list[InfoType] = []
    used: list[str] = []
    for section in dict.fromkeys(InfoType(s) for s in sections):
        by = next((r for r in valid if r.covers(section)), None)
        if by is None:
            missing.append(section)
            continue
        covered.append(section)
        if by.id not in used:
            used.append(by.id)
    return Coverage(combined_status(releases, on), tuple(covered), tuple(missing), tuple(used))


def validate_release(f: ReleaseFields, today: date) -> dict[str, str]:
    """Field → sentence for every element a valid authorization (and a Part 2 consent) needs."""
    problems: dict[str, str] = {}
    info = set(f.information)
    if not f.contact_id.strip():
        problems["contact_id"] = _("Choose who may receive the information from the directory.")
    if not info:
        problems["information"] = _("Tick at least one kind of information the client agrees to release.")
    elif InfoType.PSYCHOTHERAPY_NOTES in info and len(info) > 1:
        problems["information"] = _("Psychotherapy notes need an authorization of their own. Untick them here "
                                    "and record a separate release for them.")
    elif InfoType.SUBSTANCE_USE in info and not f.part2:
        problems["part2"] = _("Substance-use treatment records are protected by 42 CFR Part 2. Mark this as a "
                              "Part 2 consent, or untick them.")
    elif f.part2 and InfoType.SUBSTANCE_USE not in info:
        problems["information"] = _("A Part 2 consent must list the substance-use information explicitly. Tick "
                                    "substance-use treatment records.")
    if f.part2 and not f.recipient_name.strip():
        problems["recipient_name"] = _("A Part 2 consent names the recipient. Write the person's or program's name.")
    if not any(p.strip() for p in f.purposes):
        problems["purposes"] = _("Write at least one purpose of the release, e.g. “coordination of care”.")
    if any(len(p) > MAX_TEXT for p in f.purposes):
        problems["purposes"] = _("Keep each purpose under {n} characters.").format(n=MAX_TEXT)
    if f.signed_on is None:
        problems["signed_on"] = _("Enter the date the release was signed.")
    elif f.signed_on > today:
        problems["signed_on"] = _("The signing date can't be in the future.")
    if f.expires_on is None and not f.expiry_event.strip():
        problems["expires_on"] = _("Enter an expiry date or the event that ends the release (e.g. “end of "
                                   "treatment”).")
    elif f.expires_on is not None and f.signed_on is not None and f.expires_on < f.signed_on:
        problems["expires_on"] = _("The release can't expire before it was signed. Check the dates.")
    if not f.disclosers.strip():
        problems["disclosers"] = _("Say who may disclose the information (e.g. this program).")
    if f.signature_kind is SignatureKind.PAD and not f.signature_strokes.strip():
        problems["signature"] = _("Have the client sign on the pad, or choose verbal agreement or a scanned form.")
    elif f.signature_kind is SignatureKind.VERBAL and not f.verbal_reason.strip():
        problems["signature"] = _("Say why the agreement was verbal (e.g. consent given by phone).")
    elif f.signature_kind is SignatureKind.SCANNED and not f.attachment_id:
        problems["signature"] = _("Attach the scanned signed form.")
    for name, value, limit in (("information_detail", f.information_detail, MAX_LONG_TEXT),
                               ("expiry_event", f.expiry_event, MAX_TEXT), ("disclosers", f.disclosers, MAX_TEXT),
                               ("recipient_name", f.recipient_name, MAX_TEXT),
                               ("verbal_reason", f.verbal_reason, MAX_LONG_TEXT),
                               ("representative_authority", f.representative_authority, MAX_LONG_TEXT)):
        if len(value) > limit and name not in problems:
            problems[name] = _("Keep this under {n} characters.").format(n=limit)
    return problems


def validate_revocation(release: Release, on: date, how: str, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if release.revoked_on is not None:
        problems["revoked_on"] = _("This release was revoked already.")
    elif on > today:
        problems["revoked_on"] = _("The revocation date can't be in the future.")
    elif release.fields.signed_on is not None and on < release.fields.signed_on:
        problems["revoked_on"] = _("The release can't be revoked before it was signed. Check the date.")
    if not how.strip():
        problems["revoked_how"] = _("Say how the client revoked the release (e.g. in writing, letter dated …).")
    elif len(how) > MAX_LONG_TEXT:
        problems["revoked_how"] = _("Keep this under {n} characters.").format(n=MAX_LONG_TEXT)
    return problems


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One entry of the accounting of disclosures: what went to whom, when, why and on what basis.
    Written once, never changed."""

    id: str
    client_id: str
    contact_id: str | None
    recipient: str  # name and organisation as they were at the time
    description: str
    content_hash: str  # sha256 hex of the bytes sent
    purpose: str
    legal_basis: str
    consent_id: str | None
    consent_valid: bool  # a valid release covered every section at that moment
    overridden_reason: str
    sections: tuple[InfoType, ...]
    part2: bool
    notice_version: str  # the re-disclosure notice sent with Part 2 information, '' if none
    method: str
    disclosed_by: str
    disclosed_at: datetime


def six_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - DISCLOSURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - DISCLOSURE_YEARS, day=28)
