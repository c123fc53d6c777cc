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

SKELETON: the signatures are the contract; the bodies are being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.models.consent import InfoType, ReleaseStatus
from app.reports.engine import Letterhead
from app.services.reporting import Progress, ReportRequest

if TYPE_CHECKING:
    from app.models.consent import Disclosure
    from app.services.session import Session


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

    def message(self) -> str:
        """One sentence for the user: covered, or naming what isn't and why (status)."""
        raise NotImplementedError


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


def check(session: Session, request: ReportRequest, contact_id: str | None = None) -> ExportCheck:
    raise NotImplementedError


def prepare(session: Session, request: ReportRequest, letterhead: Letterhead, *,
            contact_id: str | None = None, override_reason: str = "", purpose: str = "",
            legal_basis: str = "", progress: Progress | None = None) -> PreparedReport:
    raise NotImplementedError


def encrypt(pdf: bytes, password: str) -> bytes:
    raise NotImplementedError


def save(session: Session, prepared: PreparedReport, dest: Path, *, password: str | None = None) -> Path:
    raise NotImplementedError


def record_print(session: Session, prepared: PreparedReport) -> Disclosure | None:
    raise NotImplementedError
