"""A referral letter to the receiving provider: their name, organisation and address; the date;
who the client is; the reason for the referral; relevant history, latest scores and the risk
tier; the client's current goals; what we ask of them and by when; how to reach us (from the
letterhead); and a signature block.

The letter's frame (addressee, greeting, the sentence saying what is asked, our contact details
and the signature) always prints: it carries no more than the referral itself. The rest is in
sections the user may leave out; substance-use screens and findings are in their own section,
"substance_use" (42 CFR Part 2). Handed a `ReferralLetterData`; returns PDF bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import _
from app.models.assessment import AssessmentDocument, LifeDomain
from app.models.care_plan import CarePlan
from app.models.client import Client
from app.models.consent import InfoType
from app.models.contacts import Contact, ContactKind
from app.models.risk import TierRecord
from app.models.screening import Urgency
from app.models.service_referral import ServiceReferral
from app.reports.assessment_report import (
    SUBSTANCE_EVENTS,
    ScreenResult,
    scores_table,
    substance_block,
    substance_diagnosis,
    substance_medication,
    tier_line,
)
from app.reports.care_plan_report import _rule, goals_table
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
    para,
    render,
    section,
    styles,
)
from app.reports.transition_report import recipient_text

SECTIONS = ("reason", "client_contact", "history", "scores", "goals", "request", "substance_use")
#: What a new report of this kind ticks by default: everything but the 42 CFR Part 2 section,
#: which is sent only when asked for (and covered by a Part 2 consent).
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "substance_use")
SECTION_INFO = {
    "reason": InfoType.CARE_PLAN,
    "client_contact": InfoType.DEMOGRAPHICS,
    "history": InfoType.ASSESSMENT,
    "scores": InfoType.SCREENING_RESULTS,
    "goals": InfoType.CARE_PLAN,
    "request": InfoType.CARE_PLAN,
    "substance_use": InfoType.SUBSTANCE_USE,
}
RECENT_EVENTS_DAYS = 365


def section_labels() -> dict[str, str]:
    return {
        "reason": _("Reason for referral"),
        "client_contact": _("How to reach the client"),
        "history": _("Relevant history and risk tier"),
        "scores": _("Latest scores"),
        "goals": _("Current goals"),
        "request": _("What we ask of you"),
        "substance_use": _("Substance use (42 CFR Part 2)"),
    }


@dataclass(frozen=True, slots=True)
class ReferralLetterData:
    """One referral out and what the letter says around it, gathered by report_data_clinical.
    `supports_goal` is the care-plan goal the referral's intervention serves, in the client's
    words ('' when it is not linked)."""

    client: Client
    as_of: date
    referral: ServiceReferral
    recipient: Contact | None = None
    reasons_for_services: tuple[str, ...] = ()
    tier: TierRecord | None = None
    screens: tuple[ScreenResult, ...] = ()
    care_plan: CarePlan | None = None
    assessment: AssessmentDocument | None = None
    supports_goal: str = ""


def _addressee(data: ReferralLetterData) -> list[str]:
    r = data.recipient
    if r is None:
        return [recipient_text(data.referral) or _("The receiving provider")]
    f = r.fields
    lines = [f.name]
    if f.role and f.role != f.name:
        lines.append(f.role)
    if f.organisation and f.organisation != f.name:
        lines.append(f.organisation)
    lines += f.address.splitlines()
    return [line for line in lines if line]


def _greeting(data: ReferralLetterData) -> str:
    r = data.recipient
    if r is None or r.kind is ContactKind.ORGANISATION or not r.fields.name:
        return _("Dear colleague,")
    return _("Dear {name},").format(name=r.fields.name)


def _urgency_text(urgency: Urgency) -> str:
    return {Urgency.ROUTINE: _("This is a routine referral."),
            Urgency.URGENT: _("This is an urgent referral: please reply within a few days."),
            Urgency.EMERGENCY: _("This is an emergency referral: please reply today.")}[urgency]


def _history(data: ReferralLetterData, width: float) -> list[Flowable]:
    s = styles()
    rows: list[tuple[str, str]] = []
    if data.reasons_for_services:
        rows.append((_("Reason for services"), "\n".join(data.reasons_for_services)))
    rows.append((_("Current risk tier"), tier_line(data.tier) if data.tier else _("Not yet stratified")))
    doc = data.assessment
    if doc is not None:
        diagnoses = [d for d in doc.diagnoses if not substance_diagnosis(d)]
        if diagnoses:
            rows.append((_("Diagnoses"), "\n".join(f"{d.text} ({d.icd10})" if d.icd10 else d.text
                                                   for d in diagnoses)))
        mental = doc.domain(LifeDomain.MENTAL_HEALTH)
        if mental.narrative:
            rows.append((_("Mental health"), mental.narrative))
        medications = [m for m in doc.medications if not substance_medication(m.name)]
        if medications:
            rows.append((_("Medications (as reported)"), "\n".join(
                " · ".join(p for p in (m.name, m.dose, m.prescriber) if p) for m in medications)))
    out: list[Flowable] = [facts(rows, width)]
    if doc is not None:
        cutoff = data.as_of.toordinal() - RECENT_EVENTS_DAYS
        events = sorted((e for e in doc.events if e.kind not in SUBSTANCE_EVENTS and e.on is not None
                         and e.on.toordinal() >= cutoff), key=lambda e: e.on or date.min)
        if events:
            out += [para(_("Hospital, emergency and crisis care in the last 12 months"), s.h3),
                    grid([_("Date"), _("What"), _("Where")], [[day(e.on), e.kind.label, e.where] for e in events],
                         [width * 0.2, width * 0.4, width * 0.4])]
    return out


def build_pdf(
    data: ReferralLetterData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The referral letter as PDF bytes. `sections` leaves the others out; the letter's frame
    always prints."""
    chosen = choose_sections(SECTIONS, sections)
    referral, client = data.referral, data.client
    f = referral.fields
    who = client.legal_name if identify is Identify.FULL else _("our client {code}").format(code=client.client_code)
    meta = ReportMeta(
        title=_("Referral for {service}").format(service=f.service),
        subtitle=_("{urgency} referral · {date}").format(urgency=f.urgency.label, date=day(data.as_of)),
        letterhead=letterhead, generated_at=generated_at, identify=identify,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
    )
    width = content_width()
    s = styles()
    story: list[Flowable] = [para("\n".join(_addressee(data)), s.body), Spacer(1, 4),
                             para(day(data.as_of), s.muted), Spacer(1, 8), para(_greeting(data)), Spacer(1, 4),
                             para(_("I am writing to refer {client} to you for {service}. {urgency}").format(
                                 client=who, service=f.service, urgency=_urgency_text(f.urgency)))]
    h2 = s.h2_compact

    if "reason" in chosen:
        rows = [(_("Reason for referral"), f.reason), (_("Service asked for"), f.service),
                (_("Urgency"), f.urgency.label),
                (_("Referral sent"), day(referral.sent_on) if referral.sent_on else _("With this letter"))]
        story += section(_("Reason for referral"), facts(rows, width), style=h2)

    if "client_contact" in chosen and identify is Identify.FULL:
        c = client.fields
        place = " ".join(p for p in (c.city, c.region, c.postal_code) if p)
        rows = [(_("Preferred name"), c.preferred_name), (_("Pronouns"), c.pronouns),
                (_("Language"), c.language + (" — " + _("interpreter needed") if c.interpreter_needed else "")),
                (_("Phone"), " · ".join(p for p in (c.phone, c.phone_alt) if p)), (_("Email"), c.email),
                (_("Address"), "\n".join(p for p in (c.address_line1, c.address_line2, place) if p))]
        rows = [r for r in rows if r[1]]
        story += section(_("How to reach the client"), facts(rows, width) if rows
                         else empty(_("No contact details recorded; please reach the client through us.")), style=h2)

    if "history" in chosen:
        story += section(_("Relevant history"), *_history(data, width), style=h2)

    if "scores" in chosen:
        general = [r for r in data.screens if not r.substance]
        story += section(_("Latest scores"), scores_table(general, width, with_change=False) if general
                         else empty(_("No screening instruments recorded yet.")), style=h2)

    if "goals" in chosen:
        body: list[Flowable] = []
        if data.supports_goal:
            body.append(facts([(_("This referral supports the goal"), data.supports_goal)], width))
        if data.care_plan is not None:
            body += [Spacer(1, 3), goals_table(data.care_plan, width,
                                               include_substance="substance_use" in chosen)]
        else:
            body.append(empty(_("No care plan in force yet.")))
        story += section(_("Current goals"), *body, style=h2)

    if "request" in chosen:
        asks = [_("Please let us know whether you can offer {client} {service}.").format(client=who, service=f.service)]
        if f.due_on is not None:
            asks.append(_("We would be grateful for your reply by {date}.").format(date=day(f.due_on)))
        asks.append(_("Please tell us the date of the first appointment, so we can help with getting there, and "
                      "let us know if the client does not attend."))
        story += section(_("What we ask of you"), *[para(a) for a in asks], style=h2)

    if "substance_use" in chosen:
        story += section(_("Substance use (42 CFR Part 2)"),
                         *substance_block(data.screens, data.assessment, data.tier, width, items=False), style=h2)

    contact = " · ".join(p for p in (letterhead.phone, letterhead.address.replace("\n", ", ")) if p)
    closing: list[Flowable] = [Spacer(1, 8)]
    if contact:
        closing.append(para(_("You can reach me at {practice}: {contact}.").format(
            practice=letterhead.practice_name, contact=contact)))
    closing += [Spacer(1, 6), para(_("Yours sincerely,")), Spacer(1, 4), _rule(70 * mm, 12 * mm),
                para(letterhead.signed_by or _("Case manager"), s.cell_bold), para(letterhead.practice_name, s.muted)]
    story.append(KeepTogether(closing))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
