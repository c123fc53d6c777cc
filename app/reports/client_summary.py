"""The client summary (face sheet): who the client is, where the case stands, latest scores
with their bands and trends, the current care-plan goals, the care team, the safety plan's
status and the follow-ups coming up. Handed a `ClientSummaryData`; returns PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.i18n import _, format_datetime
from app.models.care_plan import CarePlan, Goal
from app.models.client import Client, sex_at_birth_labels
from app.models.consent import InfoType
from app.models.contacts import TeamMember
from app.models.follow_ups import Occurrence
from app.models.instruments import Instrument
from app.models.risk import TierRecord
from app.models.safety_plan import SafetyPlan
from app.models.screening import Administration
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
    render,
    section,
    trend_chart,
)

SECTIONS = ("identity", "status", "scores", "trends", "substance_use", "goals", "team", "safety_plan", "follow_ups")
SECTION_INFO = {
    "identity": InfoType.DEMOGRAPHICS, "status": InfoType.SCREENING_RESULTS, "scores": InfoType.SCREENING_RESULTS,
    "trends": InfoType.SCREENING_RESULTS, "substance_use": InfoType.SUBSTANCE_USE, "goals": InfoType.CARE_PLAN,
    "team": InfoType.CARE_PLAN, "safety_plan": InfoType.SAFETY_PLAN, "follow_ups": InfoType.CARE_PLAN,
}
# Substance-use screens print in their own section, so a release without 42 CFR Part 2 consent
# can leave them out while the other scores go.
SUBSTANCE_INSTRUMENTS = frozenset({"auditc", "dast10"})
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "substance_use")  # Part 2 information only when asked for


def section_labels() -> dict[str, str]:
    """What each section is called, for a "choose sections" list."""
    return {
        "identity": _("Identity and contact"),
        "status": _("Stage and risk tier"),
        "scores": _("Latest scores"),
        "trends": _("Score trends"),
        "substance_use": _("Substance-use screening"),
        "goals": _("Care plan goals"),
        "team": _("Care team"),
        "safety_plan": _("Safety plan"),
        "follow_ups": _("Upcoming follow-ups"),
    }


@dataclass(frozen=True, slots=True)
class ScoreHistory:
    """One instrument's latest administration and the client's valid scores on it, oldest first
    (the percent score where the instrument is read as a percentage)."""

    instrument: Instrument
    latest: Administration
    points: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ClientSummaryData:
    """Everything the face sheet shows, gathered by a service (app/services/report_data.py)."""

    client: Client
    as_of: date
    tier: TierRecord | None = None
    scores: tuple[ScoreHistory, ...] = ()
    care_plan: CarePlan | None = None
    team: tuple[TeamMember, ...] = ()
    safety_plan: SafetyPlan | None = None
    follow_ups: tuple[Occurrence, ...] = ()


def _goals(plan: CarePlan) -> list[Goal]:
    return [goal for need in plan.document.needs for goal in need.goals]


def _score_text(history: ScoreHistory) -> str:
    admin = history.latest
    if admin.risk:
        return admin.risk.replace("_", " ").capitalize()
    if not admin.valid or admin.total is None:
        return _("Not scored (too many items missing)")
    if history.instrument.bands_on == "percent" and admin.percent is not None:
        return f"{admin.percent}%"
    if history.instrument.range is not None:
        return _("{total} of {max}").format(total=admin.total, max=history.instrument.range[1])
    return str(admin.total)


def _band_text(admin: Administration) -> str:
    parts = [admin.band or ""]
    if admin.positive is not None and "screen" not in (admin.band or "").casefold():
        parts.append(_("screen positive") if admin.positive else _("screen negative"))
    return "; ".join(p for p in parts if p)


def _scores_table(scores: list[ScoreHistory], width: float) -> Flowable:
    return grid([_("Instrument"), _("Date"), _("Score"), _("Band")],
                [[h.instrument.short_name, day(h.latest.administered_on), _score_text(h), _band_text(h.latest)]
                 for h in scores],
                [width * 0.22, width * 0.2, width * 0.2, width * 0.38])


def _charts(scores: list[ScoreHistory], width: float) -> list[Flowable]:
    charts: list[Flowable] = []
    for h in scores:
        inst = h.instrument
        if not inst.bands or len(h.points) < 2:
            continue
        value_range = (0, 100) if inst.bands_on == "percent" else inst.range or (0, 1)
        charts += [trend_chart(inst.short_name, h.points, inst.bands, value_range,
                               higher_is_better=inst.higher_is_better, width=width), Spacer(1, 4)]
    return charts


def build_pdf(
    data: ClientSummaryData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The face sheet as PDF bytes. `sections` (names from SECTIONS) leaves the others out;
    None prints them all; `identify` CODE names the client by client code only."""
    chosen = choose_sections(SECTIONS, sections)
    client = data.client
    f = client.fields
    meta = ReportMeta(
        title=_("Client summary"),
        subtitle=_("As of {date}").format(date=day(data.as_of)),
        letterhead=letterhead,
        generated_at=generated_at,
        client=ClientIdentity(client.legal_name, client.client_code, f.date_of_birth),
        identify=identify,
    )
    width = content_width()
    story: list[Flowable] = []

    if "identity" in chosen and identify is Identify.FULL:
        rows = [
            (_("Preferred name"), f.preferred_name),
            (_("Pronouns"), f.pronouns),
            (_("Age"), str(client.age(data.as_of) or "")),
            (_("Sex at birth"), sex_at_birth_labels().get(f.sex_at_birth, "") if f.sex_at_birth else ""),
            (_("Gender identity"), f.gender_identity),
            (_("Language"), f.language + (" — " + _("interpreter needed") if f.interpreter_needed else "")),
            (_("Phone"), " · ".join(p for p in (f.phone, f.phone_alt) if p)),
            (_("Email"), f.email),
            (_("Address"), "\n".join(p for p in (f.address_line1, f.address_line2,
                                                 " ".join(x for x in (f.city, f.region, f.postal_code) if x)) if p)),
            (_("Emergency contact"), " · ".join(p for p in (f.emergency_name, f.emergency_relationship,
                                                           f.emergency_phone) if p)),
            (_("Referred"), day(f.referral_date) if f.referral_date else ""),
        ]
        story += section(_("Identity and contact"), facts([r for r in rows if r[1]], width))

    if "status" in chosen:
        tier = data.tier
        rows = [(_("Stage"), client.stage.label)]
        if tier is None:
            rows.append((_("Risk tier"), _("Not yet stratified")))
        else:
            text = _("{tier} (since {date})").format(tier=tier.tier.label, date=day(tier.assessed_on))
            if tier.overridden:
                text += " — " + _("clinician override of {computed}").format(computed=tier.result.tier.label)
            rows.append((_("Risk tier"), text))
        story += section(_("Stage and risk tier"), facts(rows, width))

    general = [h for h in data.scores if h.instrument.id not in SUBSTANCE_INSTRUMENTS]
    substance = [h for h in data.scores if h.instrument.id in SUBSTANCE_INSTRUMENTS]
    if "scores" in chosen:
        if general:
            story += section(_("Latest scores"), _scores_table(general, width))
        else:
            story += section(_("Latest scores"), empty(_("No screening instruments recorded yet.")))

    if "trends" in chosen:
        charts = _charts(general, width)
        if charts:
            story += section(_("Score trends"), *charts)

    if "substance_use" in chosen and substance:
        story += section(_("Substance-use screening"), _scores_table(substance, width), Spacer(1, 4),
                         *_charts(substance, width))

    if "goals" in chosen:
        plan = data.care_plan
        goals = _goals(plan) if plan is not None else []
        if plan is None:
            story += section(_("Care plan goals"), empty(_("No care plan in force.")))
        elif not goals:
            story += section(_("Care plan goals"), empty(_("The care plan has no goals yet.")))
        else:
            intro = facts([(_("Care plan"), _("Version {n}, {status}; review due {date}").format(
                n=plan.version, status=plan.status.label.lower(), date=day(plan.review_on)))], width)
            table = grid([_("Goal (in the client's words)"), _("Target"), _("Status")],
                         [[g.client_words + (("\n" + g.smart) if g.smart else ""), day(g.target_on),
                           g.lifecycle.label + (" · " + g.achievement.label if g.achievement else "")]
                          for g in goals],
                         [width * 0.6, width * 0.17, width * 0.23])
            story += section(_("Care plan goals"), intro, Spacer(1, 4), table)

    if "team" in chosen:
        if data.team:
            table = grid([_("Name"), _("Role"), _("Organisation"), _("Phone")],
                         [[m.contact.name, m.role, m.contact.fields.organisation, m.contact.fields.phone]
                          for m in data.team],
                         [width * 0.28, width * 0.24, width * 0.28, width * 0.2])
            story += section(_("Care team"), table)
        else:
            story += section(_("Care team"), empty(_("No one on the care team yet.")))

    if "safety_plan" in chosen:
        plan_ = data.safety_plan
        if plan_ is None:
            story += section(_("Safety plan"), empty(_("No signed safety plan.")))
        else:
            review = day(plan_.review_on)
            if plan_.due_for_review(data.as_of):
                review += " — " + _("due for review")
            rows = [
                (_("Status"), _("{status}, version {n}").format(status=plan_.status.label, n=plan_.version)),
                (_("Signed"), day(plan_.activated_at.date()) if plan_.activated_at else _("Not signed")),
                (_("Review"), review),
                (_("Copy given to client"), day(plan_.copy_given_on) if plan_.copy_given_on else _("Not recorded")),
            ]
            story += section(_("Safety plan"), facts(rows, width))

    if "follow_ups" in chosen:
        if data.follow_ups:
            table = grid([_("When"), _("Type"), _("Where"), _("Purpose")],
                         [[day(o.start.date()) if o.all_day else format_datetime(o.start, "short"),
                           o.kind.label, o.location, o.purpose] for o in data.follow_ups],
                         [width * 0.24, width * 0.2, width * 0.24, width * 0.32])
            story += section(_("Upcoming follow-ups"), table)
        else:
            story += section(_("Upcoming follow-ups"), empty(_("Nothing scheduled.")))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
