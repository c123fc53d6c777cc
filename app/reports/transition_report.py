"""The transition / discharge summary, with every element of CASE_RECORD.md: the date and type of
the transition, the reason for services and for the change, the receiving provider; services
provided, condition and disposition, information given to the client and family; follow-up
arrangements (warm handoff and planned check-ins); the current risk tier and latest scores with
their dates; goal status; medications *as reported, not reconciled*; the safety plan and crisis
contacts; pending appointments and referrals; the client's preferences; the release on file for
the receiving provider; and a signature block.

Substance-use screens and findings have their own section, "substance_use" (42 CFR Part 2).
Handed a `TransitionReportData`; returns PDF bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.i18n import _, format_datetime
from app.models.assessment import AssessmentDocument
from app.models.care_plan import CarePlan
from app.models.client import Client
from app.models.consent import InfoType, Release, ReleaseStatus, combined_status
from app.models.contacts import Contact
from app.models.follow_ups import Occurrence
from app.models.risk import TierRecord
from app.models.safety_plan import SafetyPlan
from app.models.service_referral import ServiceReferral
from app.models.transitions import CheckIn, Transition, level_label
from app.reports.assessment_report import (
    ScreenResult,
    scores_table,
    substance_block,
    substance_medication,
    tier_line,
)
from app.reports.care_plan_report import goals_table, signatures_table
from app.reports.engine import (
    ClientIdentity,
    Identify,
    Letterhead,
    ReportMeta,
    bullets,
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
from app.reports.safety_plan import crisis_text

SECTIONS = ("transition", "course", "follow_up", "tier_scores", "goals", "medications", "safety_plan", "pending",
            "preferences", "release", "substance_use", "signature")
#: What a new report of this kind ticks by default: everything but the 42 CFR Part 2 section,
#: which is sent only when asked for (and covered by a Part 2 consent).
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "substance_use")
SECTION_INFO = {
    "transition": InfoType.TRANSITION_SUMMARY,
    "course": InfoType.TRANSITION_SUMMARY,
    "follow_up": InfoType.TRANSITION_SUMMARY,
    "tier_scores": InfoType.SCREENING_RESULTS,
    "goals": InfoType.CARE_PLAN,
    "medications": InfoType.TRANSITION_SUMMARY,
    "safety_plan": InfoType.SAFETY_PLAN,
    "pending": InfoType.TRANSITION_SUMMARY,
    "preferences": InfoType.TRANSITION_SUMMARY,
    "release": InfoType.TRANSITION_SUMMARY,
    "substance_use": InfoType.SUBSTANCE_USE,
    "signature": InfoType.TRANSITION_SUMMARY,
}


def section_labels() -> dict[str, str]:
    return {
        "transition": _("Transition, reason and receiving provider"),
        "course": _("Services provided, condition and information given"),
        "follow_up": _("Follow-up arrangements"),
        "tier_scores": _("Current risk tier and latest scores"),
        "goals": _("Goal status"),
        "medications": _("Medications (as reported, not reconciled)"),
        "safety_plan": _("Safety plan and crisis contacts"),
        "pending": _("Pending appointments and referrals"),
        "preferences": _("Client preferences"),
        "release": _("Release of information on file"),
        "substance_use": _("Substance use (42 CFR Part 2)"),
        "signature": _("Signature"),
    }


@dataclass(frozen=True, slots=True)
class TransitionReportData:
    """One transition and the record around it, gathered by report_data_clinical.
    `releases` are the client's releases to the receiving provider; `reasons_for_services` the
    reasons given on the referrals that started the case; `upcoming` our scheduled follow-ups."""

    client: Client
    as_of: date
    transition: Transition
    receiving: Contact | None = None
    reasons_for_services: tuple[str, ...] = ()
    check_ins: tuple[CheckIn, ...] = ()
    tier: TierRecord | None = None
    screens: tuple[ScreenResult, ...] = ()
    care_plan: CarePlan | None = None
    safety_plan: SafetyPlan | None = None
    open_referrals: tuple[ServiceReferral, ...] = ()
    upcoming: tuple[Occurrence, ...] = ()
    releases: tuple[Release, ...] = ()
    assessment: AssessmentDocument | None = None

    @property
    def release_status(self) -> ReleaseStatus:
        return combined_status(self.releases, self.as_of)


def provider_text(contact: Contact | None, fallback: str = "") -> str:
    """Name, role and organisation, address and phone of a contact, on several lines."""
    if contact is None:
        return fallback
    f = contact.fields
    lines = [" · ".join(dict.fromkeys(p for p in (f.name, f.role, f.organisation) if p)), f.address,
             " · ".join(p for p in (_("Phone {n}").format(n=f.phone) if f.phone else "",
                                    _("Fax {n}").format(n=f.fax) if f.fax else "", f.email) if p)]
    return "\n".join(line for line in lines if line)


def recipient_text(referral: ServiceReferral) -> str:
    """Who a referral went to: name and organisation ("Dr Lee · Riverside CMHC")."""
    return " · ".join(dict.fromkeys(p for p in (referral.to_name, referral.to_organisation) if p))


def _release_rows(data: TransitionReportData) -> list[list[str]]:
    rows = []
    for r in data.releases:
        f = r.fields
        expiry = day(f.expires_on) if f.expires_on else f.expiry_event
        status = r.status(data.as_of).label
        if r.revoked_on is not None:
            status += " " + _("({date})").format(date=day(r.revoked_on))
        info = ", ".join(i.label for i in f.information)
        if f.part2:
            info += "\n" + _("Part 2 consent")
        rows.append([status, day(f.signed_on), expiry or "—", info, "; ".join(f.purposes)])
    return rows


def _check_in_state(k: CheckIn, t: Transition, today: date) -> str:
    if k.done or t.open:
        return k.state_text(today)
    return _("Not done (check-ins ended: {status})").format(status=t.status.label.lower())


def _next_of_each(upcoming: Iterable[Occurrence]) -> list[Occurrence]:
    """The next occurrence of each follow-up: a weekly series is one line, not twelve."""
    seen: dict[str, Occurrence] = {}
    for o in sorted(upcoming, key=lambda o: o.start):
        seen.setdefault(o.follow_up_id, o)
    return list(seen.values())


def _occurrence_text(o: Occurrence) -> str:
    when = day(o.start.date()) if o.all_day else format_datetime(o.start, "short")
    text = " · ".join(p for p in (when, o.kind.label, o.location, o.purpose) if p)
    return text + (" " + _("(repeats)") if o.recurring else "")


def _lines_or_empty(lines: Iterable[str], nothing: str) -> list[Flowable]:
    items = [line for line in lines if line]
    return bullets(items) if items else [empty(nothing)]


def build_pdf(
    data: TransitionReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The transition / discharge summary as PDF bytes. `sections` leaves the others out."""
    chosen = choose_sections(SECTIONS, sections)
    t, client = data.transition, data.client
    f = t.fields
    receiving = provider_text(data.receiving, t.receiving_text)
    meta = ReportMeta(
        title=_("Transition / discharge summary"),
        subtitle=_("{kind} on {date} · {headline}").format(kind=f.kind.label, date=day(f.on), headline=t.headline),
        letterhead=letterhead, generated_at=generated_at, identify=identify,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
    )
    width = content_width()
    s = styles()
    include_substance = "substance_use" in chosen
    story: list[Flowable] = []

    if "transition" in chosen:
        levels = ""
        if f.from_level or f.to_level:
            levels = _("{before} → {after}").format(before=level_label(f.from_level) or "—",
                                                   after=level_label(f.to_level) or "—")
        rows = [(_("Date"), day(f.on)), (_("Type"), f.kind.label), (_("Level of care"), levels),
                (_("Reason for services"), "\n".join(data.reasons_for_services)),
                (_("Reason for this transition"), f.reason),
                (_("Receiving provider"), receiving or _("None recorded")),
                (_("Status"), t.status.label + (" — " + day(t.ended_on) if t.ended_on else ""))]
        story += section(_("Transition"), facts([r for r in rows if r[1]], width))

    if "course" in chosen:
        rows = [(_("Services provided"), f.services_provided or _("Not recorded")),
                (_("Condition and disposition at transition"), f.condition or _("Not recorded")),
                (_("Information given to the client and family"), f.information_given or _("Not recorded"))]
        story += section(_("Services, condition and information given"), facts(rows, width, 50 * mm))

    if "follow_up" in chosen:
        body: list[Flowable] = []
        h = f.handoff
        if h.blank:
            body.append(empty(_("No warm handoff recorded.")))
        else:
            body.append(facts([r for r in [(_("Warm handoff with"), h.with_whom), (_("When"), day(h.on) if h.on else ""),
                                           (_("How"), h.method.label if h.method else ""), (_("Note"), h.note)]
                               if r[1]], width))
        if data.check_ins:
            body += [Spacer(1, 4), grid([_("Check-in due"), _("With"), _("Day"), _("Outcome or state")],
                                        [[day(k.due_on), k.party.label, _("Day {n}").format(n=k.offset_days),
                                          _check_in_state(k, t, data.as_of)] for k in data.check_ins],
                                        [width * 0.2, width * 0.24, width * 0.12, width * 0.44])]
        else:
            body.append(empty(_("No check-ins planned.")))
        if f.after_inpatient:
            body.append(para(_("After a psychiatric stay: contact within 72 hours and a mental-health visit within "
                               "7 and 30 days."), s.muted))
        story += section(_("Follow-up arrangements"), *body)

    if "tier_scores" in chosen:
        body = [facts([(_("Current risk tier"), tier_line(data.tier) if data.tier else _("Not yet stratified"))],
                      width)]
        general = [r for r in data.screens if not r.substance]
        body += [Spacer(1, 3), scores_table(general, width, with_change=False) if general
                 else empty(_("No screening instruments recorded yet."))]
        story += section(_("Current risk tier and latest scores"), *body)

    if "goals" in chosen:
        plan = data.care_plan
        if plan is None:
            story += section(_("Goal status"), empty(_("No care plan in force.")))
        else:
            intro = para(_("Care plan version {n}, {status}").format(n=plan.version, status=plan.status.label.lower()),
                         s.muted)
            story += section(_("Goal status"), intro, goals_table(plan, width, include_substance=include_substance))

    if "medications" in chosen:
        body = [para(_("As reported by the client or the discharging service — not reconciled."), s.label)]
        medications = [m for m in f.medications if include_substance or not substance_medication(m.name)]
        if medications:
            body.append(grid([_("Medication"), _("Dose and how often"), _("Note")],
                             [[m.name, m.dose, m.note] for m in medications],
                             [width * 0.3, width * 0.3, width * 0.4]))
        else:
            body.append(empty(_("No medications reported.")))
        story += section(_("Medications (as reported, not reconciled)"), *body)

    if "safety_plan" in chosen:
        body = []
        if f.crisis_plan:
            body.append(facts([(_("Crisis plan"), f.crisis_plan)], width))
        sp = data.safety_plan
        if sp is None:
            body.append(empty(_("No signed safety plan.")))
        else:
            content = sp.content.normalised()
            rows = [(_("Safety plan"), _("Version {n}, {status}; review by {date}; copy given to client: {given}").format(
                n=sp.version, status=sp.status.label.lower(), date=day(sp.review_on),
                given=day(sp.copy_given_on) if sp.copy_given_on else _("not recorded"))),
                (_("Crisis line"), crisis_text(content))]
            ed = content.emergency_department
            if not ed.blank:
                rows.append((_("Emergency department"), ", ".join(p for p in (ed.name, ed.address, ed.phone) if p)))
            body.append(facts(rows, width))
            contacts = [[p.name, p.role, p.phone, p.after_hours] for p in content.professionals]
            contacts += [[c.name, _("Support person"), c.phone, ""] for c in content.helpers]
            if contacts:
                body += [Spacer(1, 3), grid([_("Crisis contact"), _("Role"), _("Phone"), _("After hours")], contacts,
                                            [width * 0.3, width * 0.26, width * 0.22, width * 0.22])]
        story += section(_("Safety plan and crisis contacts"), *body)

    if "pending" in chosen:
        appointments = list(f.pending_appointments)
        appointments += [_occurrence_text(o) for o in _next_of_each(data.upcoming)]
        referrals = list(f.pending_referrals)
        referrals += [" · ".join(p for p in (r.fields.service, recipient_text(r), r.status.label,
                                             _("answer due {date}").format(date=day(r.fields.due_on))
                                             if r.fields.due_on else "") if p) for r in data.open_referrals]
        story += section(_("Pending appointments and referrals"),
                         para(_("Appointments"), s.h3), *_lines_or_empty(appointments, _("None pending.")),
                         para(_("Referrals"), s.h3), *_lines_or_empty(referrals, _("None pending.")))

    if "preferences" in chosen:
        story += section(_("Client preferences"), para(f.preferences) if f.preferences
                         else empty(_("No preferences recorded.")))

    if "release" in chosen:
        if data.receiving is None and not t.receiving_text:
            body = [empty(_("No receiving provider is recorded, so no release applies."))]
        elif not data.releases:
            body = [para(_("No release of information on file for {provider}. Ask the client to sign one before "
                           "this summary is sent.").format(provider=t.receiving_text or receiving), s.cell_bold)]
        else:
            body = [facts([(_("Release status"), data.release_status.label)], width), Spacer(1, 3),
                    grid([_("Status"), _("Signed"), _("Expires"), _("Information"), _("Purpose")], _release_rows(data),
                         [width * 0.14, width * 0.15, width * 0.17, width * 0.32, width * 0.22])]
        story += section(_("Release of information on file"), *body)

    if "substance_use" in chosen:
        story += section(_("Substance use (42 CFR Part 2)"),
                         *substance_block(data.screens, data.assessment, data.tier, width, items=False))

    if "signature" in chosen:
        others = [(_("Receiving provider"), data.receiving.name if data.receiving else t.receiving_name)] if (
            data.receiving or t.receiving_name) else []
        story += section(_("Signature"), signatures_table(None, letterhead.signed_by, width, blank_lines=0,
                                                          others=others))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
