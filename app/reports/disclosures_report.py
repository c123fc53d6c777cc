"""The accounting of disclosures (45 CFR 164.528) for one client: what went to whom, when and why
over the period asked for (by default the past six years). Handed a `DisclosuresReportData`;
returns PDF bytes. It is given to the client, so every section discloses only what the client
already has (InfoType.DEMOGRAPHICS).

Which entries the client-facing accounting lists — `exclusion()` decides, from what the
disclosure log recorded at the time, and the rule is deliberately conservative: an entry is left
out only when the log *shows* one of the kinds HIPAA excludes (164.528(a)(1)); anything unclear is
listed, because listing too much is harmless and leaving out too much is not.

1. A citation in the legal basis or the override reason decides first: 164.506 (treatment,
   payment, health-care operations), 164.502(a)(1)(i) or 164.524 (to the client), 164.508 (an
   authorization — but only with a valid release on file, see 2), 164.510 (facility directory,
   people involved in the client's care), 164.512(k)(2) (national security), 164.512(k)(5)
   (correctional institutions), 164.514(e) (limited data set) are excluded; any other 164.512
   citation (emergencies, court orders, public health, law enforcement …) is listed.
2. Made under the client's authorization: a release was named *and* it was valid and covered every
   section at that moment (`consent_valid`). A disclosure made on an override — the release was
   missing, expired, revoked or didn't cover something — was not made under an authorization and
   is listed. (Part 2 disclosures made with the client's Part 2 consent fall here too.)
3. The legal basis (unless it mentions an authorization or consent, or says "without") says, in words, treatment / payment / health-care operations; to the client
   (right of access); facility directory or people involved in the client's care; national
   security or intelligence; correctional institution or custody; limited data set.
4. The recipient is the client (same name, not a directory contact).
Everything else is listed.

The "full_log" section is for the practice (audits, supervision): every entry with its legal
basis, whether a valid release covered it or it was overridden (and why), the information sent,
the Part 2 re-disclosure notice version, the method, who disclosed it, the content fingerprint,
and whether the accounting lists it (or which exclusion left it out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import _, format_datetime, ngettext
from app.models.client import Client
from app.models.consent import Disclosure, InfoType
from app.reports.engine import (
    ClientIdentity,
    Identify,
    Letterhead,
    ReportMeta,
    choose_sections,
    content_width,
    day,
    empty,
    facts,
    grid,
    heading,
    para,
    render,
    section,
    styles,
)

SECTIONS = ("summary", "accounting", "full_log")
DEFAULT_SECTIONS = ("summary", "accounting")  # the full log is for the practice, asked for explicitly
SECTION_INFO = dict.fromkeys(SECTIONS, InfoType.DEMOGRAPHICS)  # given to the client


def section_labels() -> dict[str, str]:
    """What each section is called, for a "choose sections" list."""
    return {
        "summary": _("About this accounting"),
        "accounting": _("Disclosures (accounting for the client)"),
        "full_log": _("Full disclosure log (for the practice)"),
    }


class Exclusion(StrEnum):
    """The kinds of disclosure HIPAA leaves out of the accounting (45 CFR 164.528(a)(1))."""

    TREATMENT_PAYMENT_OPERATIONS = "tpo"
    TO_CLIENT = "to_client"
    AUTHORIZATION = "authorization"
    DIRECTORY_OR_INVOLVED = "directory"
    NATIONAL_SECURITY = "national_security"
    CORRECTIONAL = "correctional"
    LIMITED_DATA_SET = "limited_data_set"

    @property
    def label(self) -> str:
        return {
            Exclusion.TREATMENT_PAYMENT_OPERATIONS: _("for treatment, payment or health-care operations"),
            Exclusion.TO_CLIENT: _("to the client"),
            Exclusion.AUTHORIZATION: _("under the client's valid authorization"),
            Exclusion.DIRECTORY_OR_INVOLVED: _("for a facility directory or to people involved in the client's care"),
            Exclusion.NATIONAL_SECURITY: _("for national security or intelligence"),
            Exclusion.CORRECTIONAL: _("to a correctional institution or custodial officials"),
            Exclusion.LIMITED_DATA_SET: _("as part of a limited data set"),
        }[self]


_CITATION = re.compile(r"164\.(\d{3})\s*((?:\(\w+\))*)")
_CITED: dict[tuple[str, str], Exclusion | None] = {
    # (section, leading paragraph marks) → exclusion; None = accountable
    ("506", ""): Exclusion.TREATMENT_PAYMENT_OPERATIONS,
    ("502", "(a)(1)(i)"): Exclusion.TO_CLIENT,
    ("524", ""): Exclusion.TO_CLIENT,
    ("510", ""): Exclusion.DIRECTORY_OR_INVOLVED,
    ("512", "(k)(2)"): Exclusion.NATIONAL_SECURITY,
    ("512", "(k)(5)"): Exclusion.CORRECTIONAL,
    ("514", "(e)"): Exclusion.LIMITED_DATA_SET,
    ("512", ""): None,
}
_WORDS: tuple[tuple[Exclusion, tuple[str, ...]], ...] = (
    (Exclusion.TREATMENT_PAYMENT_OPERATIONS, ("treatment", "payment", "health care operations",
                                              "health-care operations", "healthcare operations")),
    (Exclusion.TO_CLIENT, ("to the client", "to the individual", "right of access", "client's own copy")),
    (Exclusion.DIRECTORY_OR_INVOLVED, ("facility directory", "involved in the client's care",
                                       "involved in their care")),
    (Exclusion.NATIONAL_SECURITY, ("national security", "intelligence")),
    (Exclusion.CORRECTIONAL, ("correctional", "custody")),
    (Exclusion.LIMITED_DATA_SET, ("limited data set",)),
)


def _cited(text: str) -> tuple[bool, Exclusion | None]:
    """(whether a decisive citation was found, the exclusion it names or None = accountable)."""
    found: list[Exclusion | None] = []
    for match in _CITATION.finditer(text):
        part, marks = match.group(1), match.group(2).replace(" ", "")
        best: tuple[int, Exclusion | None] | None = None
        for (cited_part, cited_marks), result in _CITED.items():
            if part == cited_part and marks.startswith(cited_marks):
                if best is None or len(cited_marks) > best[0]:
                    best = (len(cited_marks), result)
        if best is not None:
            found.append(best[1])
    if not found:
        return False, None
    if None in found:  # an accountable basis cited anywhere wins: list it
        return True, None
    return True, found[0]


def exclusion(entry: Disclosure, client_names: Iterable[str] = ()) -> Exclusion | None:
    """Why HIPAA leaves this disclosure out of the client's accounting, or None when it is listed.
    The rule, in order, is in this module's docstring."""
    basis = entry.legal_basis.casefold()
    decided, cited = _cited(f"{entry.legal_basis} {entry.overridden_reason}")
    if decided and cited is not None:
        return cited
    if decided:
        return None
    if entry.consent_id is not None and entry.consent_valid:
        return Exclusion.AUTHORIZATION
    # Words decide only when the basis doesn't claim a consent: an authorization that wasn't valid
    # (or "without authorization") is no reason to leave an entry out.
    if not any(w in basis for w in ("without", "authori", "consent")):
        for kind, words in _WORDS:
            if any(word in basis for word in words):
                return kind
    names = {n.casefold().strip() for n in client_names if n.strip()}
    if entry.contact_id is None and entry.recipient.casefold().strip() in names:
        return Exclusion.TO_CLIENT
    return None


@dataclass(frozen=True, slots=True)
class LoggedDisclosure:
    """One disclosure log entry, the recipient's address as the directory has it ('' if not known)
    and whether the accounting lists it."""

    disclosure: Disclosure
    address: str = ""
    excluded: Exclusion | None = None

    @property
    def listed(self) -> bool:
        return self.excluded is None


@dataclass(frozen=True, slots=True)
class DisclosuresReportData:
    """The client's disclosure log for disclosures dated start..end, oldest first (gathered by
    app/services/accounting.accounting_data)."""

    client: Client
    start: date
    end: date
    entries: tuple[LoggedDisclosure, ...] = ()
    contact: str = ""  # whom the client may ask about this accounting

    @property
    def listed(self) -> tuple[LoggedDisclosure, ...]:
        return tuple(e for e in self.entries if e.listed)

    @property
    def left_out(self) -> tuple[LoggedDisclosure, ...]:
        return tuple(e for e in self.entries if not e.listed)


def _when(d: Disclosure) -> datetime:
    return d.disclosed_at.astimezone() if d.disclosed_at.tzinfo is not None else d.disclosed_at


def _consent_text(d: Disclosure) -> str:
    if d.consent_valid:
        return _("Valid release on file covered everything sent")
    if d.overridden_reason:
        return _("Overridden — {reason}").format(reason=d.overridden_reason)
    if d.consent_id is not None:
        return _("Release named but not valid for everything sent")
    return _("No release named")


def _part2_text(d: Disclosure) -> str:
    if not d.part2:
        return _("No")
    if d.notice_version:
        return _("Yes — re-disclosure notice version {version} sent").format(version=d.notice_version)
    return _("Yes — no re-disclosure notice recorded")


def build_pdf(
    data: DisclosuresReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The accounting of disclosures as PDF bytes. `sections` None prints them all (the catalogue
    passes DEFAULT_SECTIONS unless asked otherwise)."""
    chosen = choose_sections(SECTIONS, sections)
    client = data.client
    meta = ReportMeta(
        title=_("Accounting of disclosures"),
        subtitle=_("Disclosures from {start} to {end}").format(start=day(data.start), end=day(data.end)),
        letterhead=letterhead,
        generated_at=generated_at,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
        identify=identify,
    )
    width = content_width()
    s = styles()
    story: list[Flowable] = []
    listed, left_out = data.listed, data.left_out

    if "summary" in chosen:
        rows = [
            (_("Period"), _("{start} – {end}").format(start=day(data.start), end=day(data.end))),
            (_("Disclosures listed"), str(len(listed))),
            (_("Not listed (excluded by law)"), str(len(left_out))),
        ]
        if data.contact or letterhead.signed_by:
            rows.append((_("Questions"), data.contact or letterhead.signed_by))
        story += section(
            _("About this accounting"),
            facts(rows, width),
            Spacer(1, 4),
            para(_("This lists the times information about you was disclosed to others, as the HIPAA Privacy Rule "
                   "(45 CFR 164.528) requires: the date, who received it (and their address when we have it), what "
                   "was disclosed and why."), s.body),
            Spacer(1, 3),
            para(_("By law it does not list disclosures made for your treatment, for payment or for our health-care "
                   "operations; disclosures to you; disclosures you authorized in writing; disclosures to people "
                   "involved in your care; and a few others (national security, correctional institutions, "
                   "limited data sets). You may ask for one accounting free of charge every 12 months."), s.muted),
        )

    if "accounting" in chosen:
        if listed:
            widths = [width * w for w in (0.14, 0.3, 0.3, 0.26)]
            rows_ = []
            for entry in listed:
                d = entry.disclosure
                who = d.recipient + (f"\n{entry.address}" if entry.address else "")
                rows_.append([day(_when(d).date()), who, d.description, d.purpose])
            story += section(_("Disclosures"), grid([_("Date"), _("Recipient"), _("What was disclosed"),
                                                     _("Purpose")], rows_, widths))
        else:
            story += section(_("Disclosures"), empty(_(
                "No disclosures that must be accounted for were made in this period.")))

    if "full_log" in chosen:
        story.append(heading(_("Full disclosure log (for the practice)")))
        story.append(para(ngettext("{n} entry, oldest first. Every export, print or file sent to a recipient "
                                   "is logged here.",
                                   "{n} entries, oldest first. Every export, print or file sent to a recipient "
                                   "is logged here.", len(data.entries)).format(n=len(data.entries)), s.muted))
        if not data.entries:
            story.append(empty(_("Nothing was disclosed in this period.")))
        for entry in data.entries:
            d = entry.disclosure
            title = _("{when} — {recipient}").format(when=format_datetime(_when(d), "short"), recipient=d.recipient)
            accounting = (_("Listed") if entry.listed
                          else _("Not listed: {why}").format(why=entry.excluded.label if entry.excluded else ""))
            rows = [
                (_("Recipient address"), entry.address),
                (_("What was disclosed"), d.description),
                (_("Information sent"), ", ".join(s_.label for s_ in d.sections)),
                (_("Purpose"), d.purpose),
                (_("Legal basis"), d.legal_basis),
                (_("Consent"), _consent_text(d)),
                (_("42 CFR Part 2"), _part2_text(d)),
                (_("Method"), d.method),
                (_("Disclosed by"), d.disclosed_by),
                (_("Content fingerprint"), d.content_hash[:16] + "…" if d.content_hash else ""),
                (_("In the accounting"), accounting),
            ]
            story.append(KeepTogether([heading(title, s.h3), facts([r for r in rows if r[1]], width)]))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
