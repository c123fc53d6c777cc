"""Screening and assessment results: the latest score on each instrument (with its band, date,
positive/negative and the score before it), item-level answers where they matter (the suicide
item, the C-SSRS, positive screens), the assessment's life domains and findings, "about the
person", diagnoses, medications and hospital history, and the risk tier with the evidence for
each domain ("why this tier").

Substance-use information — AUDIT-C and DAST-10, the substance-use life domain, F10–F19
diagnoses, overdoses and withdrawals, alcohol-related harm, the substance-use risk domain — is
kept in its own section, "substance_use", so a release without 42 CFR Part 2 consent can leave it
out whole. The helpers for scores and tiers here are shared by the care plan, transition summary
and referral letter. Handed an `AssessmentReportData`; returns PDF bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.i18n import _
from app.models.assessment import (
    Assessment,
    AssessmentDocument,
    Diagnosis,
    EventKind,
    LifeDomain,
    about_labels,
    adherence_labels,
    housing_labels,
    need_labels,
    overall_adherence,
    rating_text,
    strength_labels,
    support_labels,
)
from app.models.client import Client
from app.models.consent import InfoType
from app.models.instruments import Instrument
from app.models.risk import Domain, TierRecord
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
    para,
    render,
    section,
    styles,
)

SECTIONS = ("scores", "item_answers", "domains", "about", "history", "risk_tier", "substance_use")
#: What a new report of this kind ticks by default: everything but the 42 CFR Part 2 section,
#: which is sent only when asked for (and covered by a Part 2 consent).
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "substance_use")
SECTION_INFO = {
    "scores": InfoType.SCREENING_RESULTS,
    "item_answers": InfoType.SCREENING_RESULTS,
    "domains": InfoType.ASSESSMENT,
    "about": InfoType.ASSESSMENT,
    "history": InfoType.ASSESSMENT,
    "risk_tier": InfoType.ASSESSMENT,
    "substance_use": InfoType.SUBSTANCE_USE,
}

#: Instruments whose results are substance-use information (42 CFR Part 2 gating).
SUBSTANCE_INSTRUMENTS = frozenset({"auditc", "dast10"})
#: Instruments whose item answers are always worth printing (the suicide item, the C-SSRS).
ITEM_INSTRUMENTS = frozenset({"phq9", "cssrs_screener"})
SUBSTANCE_EVENTS = frozenset({EventKind.OVERDOSE, EventKind.WITHDRAWAL})
#: Medications that are substance-use treatment in themselves (their names disclose it).
SUBSTANCE_MEDICATIONS = ("acamprosate", "buprenorphine", "disulfiram", "lofexidine", "methadone", "naloxone",
                         "naltrexone", "sublocade", "suboxone", "subutex", "vivitrol", "zubsolv")


def section_labels() -> dict[str, str]:
    return {
        "scores": _("Latest screening results"),
        "item_answers": _("Item-level answers"),
        "domains": _("Life domains and findings"),
        "about": _("About the person"),
        "history": _("Diagnoses, medications and hospital history"),
        "risk_tier": _("Risk tier and why"),
        "substance_use": _("Substance use (42 CFR Part 2)"),
    }


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """One instrument's latest administration, and the valid one before it (for the change)."""

    instrument: Instrument
    latest: Administration
    previous: Administration | None = None

    @property
    def substance(self) -> bool:
        return self.instrument.id in SUBSTANCE_INSTRUMENTS


@dataclass(frozen=True, slots=True)
class AssessmentReportData:
    """Everything the report shows, gathered by app/services/report_data_clinical.py.
    `assessment` None: no completed assessment yet (the screens and tier still print)."""

    client: Client
    as_of: date
    assessment: Assessment | None = None
    screens: tuple[ScreenResult, ...] = ()
    tier: TierRecord | None = None


# -- shared helpers: scores ---------------------------------------------------------------------


def score_text(instrument: Instrument, admin: Administration) -> str:
    """"13 of 27", "64%", "Moderate" (C-SSRS risk), or why there is no score."""
    if admin.risk:
        return admin.risk.replace("_", " ").capitalize()
    if not admin.valid or admin.total is None:
        return _("Not scored (too many items missing)")
    if instrument.bands_on == "percent" and admin.percent is not None:
        return f"{admin.percent}%"
    text = (_("{total} of {max}").format(total=admin.total, max=instrument.range[1])
            if instrument.range is not None else str(admin.total))
    if admin.prorated:
        text += " " + _("(prorated)")
    return text


def result_text(admin: Administration) -> str:
    """The band and, where the band doesn't already say so, positive or negative."""
    parts = [admin.band or ""]
    if admin.positive is not None and "screen" not in (admin.band or "").casefold():
        parts.append(_("screen positive") if admin.positive else _("screen negative"))
    return "; ".join(p for p in parts if p) or "—"


def _value(instrument: Instrument, admin: Administration) -> int | None:
    return admin.percent if instrument.bands_on == "percent" else admin.total


def change_text(result: ScreenResult) -> str:
    """The previous score and its date, with the change ("was 18 on 2 Oct (−5)")."""
    prev = result.previous
    if prev is None:
        return _("First time given")
    now_value, prev_value = _value(result.instrument, result.latest), _value(result.instrument, prev)
    if prev.risk:
        return _("{value} on {date}").format(value=prev.risk.replace("_", " ").capitalize(),
                                            date=day(prev.administered_on))
    if now_value is None or prev_value is None:
        return _("{date}").format(date=day(prev.administered_on))
    delta = now_value - prev_value
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return _("{value} on {date} ({sign}{delta})").format(
        value=prev_value, date=day(prev.administered_on), sign=sign, delta=abs(delta))


def scores_table(results: Sequence[ScreenResult], width: float, *, with_change: bool = True) -> Flowable:
    """Instrument, date, score, band/result (and the previous score) — one row per instrument."""
    if with_change:
        return grid([_("Instrument"), _("Date"), _("Score"), _("Result"), _("Before")],
                    [[r.instrument.short_name, day(r.latest.administered_on), score_text(r.instrument, r.latest),
                      result_text(r.latest), change_text(r)] for r in results],
                    [width * 0.17, width * 0.16, width * 0.15, width * 0.27, width * 0.25])
    return grid([_("Instrument"), _("Date"), _("Score"), _("Result")],
                [[r.instrument.short_name, day(r.latest.administered_on), score_text(r.instrument, r.latest),
                  result_text(r.latest)] for r in results],
                [width * 0.22, width * 0.2, width * 0.2, width * 0.38])


def answer_label(instrument: Instrument, admin: Administration, item_id: str) -> str:
    if item_id in admin.declined:
        return _("Declined to answer")
    value = admin.answers.get(item_id)
    if value is None:
        return _("Not answered")
    try:
        item = instrument.item(item_id)
    except KeyError:
        return str(value)
    label = next((o.label for o in item.options if o.value == value), "")
    return _("{value} · {label}").format(value=value, label=label) if label and not item.is_yes_no else (
        label or str(value))


def flag_messages(instrument: Instrument, admin: Administration) -> list[str]:
    messages = {f.id: f.message for f in instrument.flags}
    return [messages.get(flag, flag) for flag in admin.flags]


def items_block(result: ScreenResult, width: float) -> list[Flowable]:
    """One administration's item answers as a table, with any flags raised."""
    inst, admin = result.instrument, result.latest
    rows = [[item.text, answer_label(inst, admin, item.id)] for item in inst.items
            if item.id in admin.answers or item.id in admin.declined]
    s = styles()
    title = _("{instrument}, {date}").format(instrument=inst.short_name, date=day(admin.administered_on))
    body: list[Flowable] = []
    if rows:
        body.append(grid([_("Question"), _("Answer")], rows, [width * 0.7, width * 0.3]))
    else:
        body.append(empty(_("No item answers were kept for this administration.")))
    for message in flag_messages(inst, admin):
        body.append(para("⚠ " + message, s.cell_bold))
    return [para(title, keep_with_next(s.h3)), *body]


def keep_with_next(style: ParagraphStyle) -> ParagraphStyle:
    """A heading style that stays on the page of what follows it."""
    return ParagraphStyle(f"{style.name}-kwn", parent=style, keepWithNext=1)


def useful_items(result: ScreenResult) -> bool:
    """Whether a result's item answers are worth printing: the suicide item and the C-SSRS,
    positive screens and anything that raised a flag."""
    admin = result.latest
    return bool(result.instrument.id in ITEM_INSTRUMENTS or admin.positive or admin.flags or admin.risk) and bool(
        admin.answers or admin.declined)


# -- shared helpers: the risk tier --------------------------------------------------------------


def tier_line(tier: TierRecord) -> str:
    text = _("{tier} (assessed {date})").format(tier=tier.tier.label, date=day(tier.assessed_on))
    if tier.overridden:
        text += " — " + _("clinician override of {computed}").format(computed=tier.result.tier.label)
    return text


def tier_block(tier: TierRecord | None, width: float, *, include_substance: bool,
               evidence: bool = True) -> list[Flowable]:
    """The tier, each domain's points with the evidence and its date, the floors applied, any
    override and the rule version. Without `include_substance` the substance-use domain is left
    out (and so is the total, which would give it away)."""
    if tier is None:
        return [empty(_("Not yet stratified."))]
    result = tier.result
    rows = [(_("Risk tier"), tier_line(tier))]
    if tier.overridden:
        rows.append((_("Override reason"), tier.override_reason))
    if include_substance:
        rows.append((_("Total points"), _("{total} of 21 (tier from the total: {tier})").format(
            total=result.total, tier=result.tier_from_total.label)))
    if result.floors:
        rows.append((_("Floors applied"), "\n".join(_("At least {tier}: {reason}").format(
            tier=f.tier.label, reason=f.reason) for f in result.floors)))
    rows.append((_("Rule version"), _("{version} (a transparent starting point, not a validated tool)").format(
        version=result.rule_version)))
    out: list[Flowable] = [facts(rows, width)]
    if evidence:
        domains = [d for d in result.domains if include_substance or d.domain is not Domain.SUBSTANCE]
        table = grid([_("Domain"), _("Points"), _("Why"), _("Date")],
                     [[d.domain.label, str(d.points) if d.recorded else _("0 (nothing on file)"), d.evidence,
                       day(d.on) if d.on else ""] for d in domains],
                     [width * 0.2, width * 0.12, width * 0.5, width * 0.18])
        out += [Spacer(1, 4), table]
        if not include_substance:
            out.append(para(_("The substance-use domain is left out of this report (42 CFR Part 2)."),
                            styles().muted))
    return out


# -- substance-use findings ---------------------------------------------------------------------


def substance_diagnosis(d: Diagnosis) -> bool:
    """F10–F19: mental and behavioural disorders due to psychoactive substance use."""
    code = d.icd10.strip().upper()
    return len(code) >= 3 and code[:2] == "F1" and code[2].isdigit()


def substance_medication(name: str) -> bool:
    """A medication used to treat substance use (naltrexone, buprenorphine, methadone …)."""
    folded = name.casefold()
    return any(word in folded for word in SUBSTANCE_MEDICATIONS)


def substance_findings(document: AssessmentDocument | None) -> list[tuple[str, str]]:
    """(label, text) rows for the assessment's substance-use findings."""
    if document is None:
        return []
    rows: list[tuple[str, str]] = []
    rating = document.domain(LifeDomain.SUBSTANCE_USE)
    if not rating.empty:
        rows.append((_("Need"), rating_text(rating.need, need_labels())))
        rows.append((_("Strength"), rating_text(rating.strength, strength_labels())))
        if rating.narrative:
            rows.append((_("Findings"), rating.narrative))
    if document.facts.alcohol_harm is not None:
        rows.append((_("Alcohol-related harm"), _("Yes") if document.facts.alcohol_harm else _("No")))
    for d in document.diagnoses:
        if substance_diagnosis(d):
            rows.append((_("Diagnosis"), f"{d.text} ({d.icd10})" if d.icd10 else d.text))
    for m in document.medications:
        if substance_medication(m.name):
            rows.append((_("Medication"), " · ".join(p for p in (m.name, m.dose, m.prescriber) if p)))
    for e in document.events:
        if e.kind in SUBSTANCE_EVENTS:
            rows.append((e.kind.label, " · ".join(p for p in (day(e.on), e.where, e.note) if p)))
    return rows


def substance_block(screens: Sequence[ScreenResult], document: AssessmentDocument | None,
                    tier: TierRecord | None, width: float, *, items: bool = True) -> list[Flowable]:
    """Substance-use screens (with their answers), assessment findings and the risk domain."""
    s = styles()
    out: list[Flowable] = []
    substance = [r for r in screens if r.substance]
    if substance:
        out.append(scores_table(substance, width))
        if items:
            for r in substance:
                if r.latest.answers:
                    out += items_block(r, width)
    findings = substance_findings(document)
    if findings:
        out += [Spacer(1, 4), facts(findings, width)]
    if tier is not None:
        d = next((d for d in tier.result.domains if d.domain is Domain.SUBSTANCE), None)
        if d is not None:
            out += [Spacer(1, 4), facts([(_("Risk domain points"), _("{points} of 3 — {why}").format(
                points=d.points, why=d.evidence))], width)]
    if not out:
        return [empty(_("No substance-use screens or findings recorded."))]
    out.append(para(_("This section holds substance-use information. It may be disclosed only with the "
                      "client's written consent under 42 CFR Part 2."), s.muted))
    return out


# -- the report ---------------------------------------------------------------------------------


def _domains_table(document: AssessmentDocument, width: float) -> Flowable:
    rows = []
    for domain in LifeDomain:
        if domain is LifeDomain.SUBSTANCE_USE:
            continue
        r = document.domain(domain)
        if r.empty:
            continue
        rows.append([domain.label, rating_text(r.need, need_labels()), rating_text(r.strength, strength_labels()),
                     r.narrative])
    if not rows:
        return empty(_("No life domains were rated."))
    return grid([_("Life domain"), _("Need"), _("Strength"), _("Findings")], rows,
                [width * 0.18, width * 0.17, width * 0.19, width * 0.46])


def _risk_facts(document: AssessmentDocument) -> list[tuple[str, str]]:
    f = document.facts
    rows: list[tuple[str, str]] = []
    if f.housing is not None:
        rows.append((_("Housing"), housing_labels()[f.housing]))
    adherence = overall_adherence(document)
    if adherence is not None:
        rows.append((_("Medication adherence"), adherence_labels()[adherence]))
    if f.support is not None:
        rows.append((_("Social support"), support_labels()[f.support]))
    if f.psychosis_or_mania is not None:
        rows.append((_("Psychosis or mania"), _("Noted") if f.psychosis_or_mania else _("Not noted")))
    return rows


def _history(document: AssessmentDocument, width: float) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = []
    diagnoses = [d for d in document.diagnoses if not substance_diagnosis(d)]
    out.append(para(_("Diagnoses"), s.h3))
    out.append(grid([_("Diagnosis"), _("ICD-10")], [[d.text, d.icd10] for d in diagnoses],
                    [width * 0.8, width * 0.2]) if diagnoses else empty(_("None recorded.")))
    medications = [m for m in document.medications if not substance_medication(m.name)]
    out.append(para(_("Medications (as reported)"), s.h3))
    out.append(grid([_("Medication"), _("Dose"), _("Prescriber"), _("How it is taken")],
                    [[m.name, m.dose, m.prescriber, adherence_labels()[m.adherence] if m.adherence else ""]
                     for m in medications],
                    [width * 0.28, width * 0.2, width * 0.24, width * 0.28])
               if medications else empty(_("None recorded.")))
    events = [e for e in document.events if e.kind not in SUBSTANCE_EVENTS]
    out.append(para(_("Hospital, emergency and crisis history"), s.h3))
    out.append(grid([_("Date"), _("What"), _("Where"), _("Note")],
                    [[day(e.on), e.kind.label, e.where, e.note] for e in sorted(events, key=lambda e: e.on or date.min)],
                    [width * 0.16, width * 0.28, width * 0.24, width * 0.32])
               if events else empty(_("None recorded.")))
    risk = _risk_facts(document)
    if risk:
        out += [para(_("Circumstances"), s.h3), facts(risk, width)]
    return out


def build_pdf(
    data: AssessmentReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The screening and assessment results as PDF bytes. `sections` (names from SECTIONS)
    leaves the others out; None prints them all."""
    chosen = choose_sections(SECTIONS, sections)
    client = data.client
    assessment = data.assessment
    document = assessment.document if assessment is not None else None
    if assessment is not None:
        subtitle = _("Assessment of {date} (version {n}, {status}) · scores as of {today}").format(
            date=day(assessment.assessed_on), n=assessment.version, status=assessment.status.label.lower(),
            today=day(data.as_of))
    else:
        subtitle = _("Scores as of {today} · no completed assessment yet").format(today=day(data.as_of))
    meta = ReportMeta(
        title=_("Screening and assessment results"), subtitle=subtitle, letterhead=letterhead,
        generated_at=generated_at, identify=identify,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
    )
    width = content_width()
    general = [r for r in data.screens if not r.substance]
    story: list[Flowable] = []

    if "scores" in chosen:
        body: Flowable = scores_table(general, width) if general else empty(_("No screening instruments recorded yet."))
        story += section(_("Latest screening results"), body)

    if "item_answers" in chosen:
        useful = [r for r in general if useful_items(r)]
        if useful:
            blocks: list[Flowable] = []
            for r in useful:
                blocks += items_block(r, width)
            story += section(_("Item-level answers"), *blocks)
        else:
            story += section(_("Item-level answers"),
                             empty(_("No positive screens, flags or suicide-risk items to show.")))

    if "domains" in chosen:
        story += section(_("Life domains and findings"), _domains_table(document, width) if document
                         else empty(_("No completed assessment yet.")))

    if "about" in chosen:
        if document is None:
            story += section(_("About the person"), empty(_("No completed assessment yet.")))
        else:
            labels = about_labels()
            rows = [(labels[name], getattr(document.about, name)) for name in labels]
            rows = [r for r in rows if r[1]]
            story += section(_("About the person"), facts(rows, width) if rows else empty(_("Nothing written yet.")))

    if "history" in chosen:
        story += section(_("Diagnoses, medications and hospital history"),
                         *(_history(document, width) if document else [empty(_("No completed assessment yet."))]))

    if "risk_tier" in chosen:
        story += section(_("Risk tier and why"),
                         *tier_block(data.tier, width, include_substance="substance_use" in chosen))

    if "substance_use" in chosen:
        story += section(_("Substance use (42 CFR Part 2)"),
                         *substance_block(data.screens, document, data.tier, width))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)

