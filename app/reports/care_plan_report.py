"""The person-centred care plan as a document to read and sign: the plan's dates, status and
discharge criteria; "about the person"; each need with its goals (the client's words and the
SMART restatement, target date, lifecycle and achievement status), objectives (measure,
baseline, target, tracking from scores) and interventions (who, how often, how, when, status,
linked referral); the reviews with goal attainment ratings; and the signatures — the client's
agreement drawn from its stored strokes, the case manager's line, and blank lines for others to
sign on paper.

Needs in the substance-use life domain (and objectives measured by AUDIT-C or DAST-10) go in their
own section, "substance_use", mapped to 42 CFR Part 2 information. Handed a `CarePlanReportData`;
returns PDF bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.graphics.shapes import Drawing, Line
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, format_datetime
from app.models.assessment import LifeDomain, about_labels
from app.models.care_plan import (
    Agreement,
    CarePlan,
    Goal,
    Need,
    Objective,
    PlanStatus,
    Review,
    Tracking,
    gas_labels,
)
from app.models.client import Client
from app.models.consent import InfoType
from app.models.signature import Signature, SignerRole
from app.reports.assessment_report import SUBSTANCE_INSTRUMENTS, keep_with_next
from app.reports.engine import (
    FONT,
    INK,
    RULE,
    SHADE,
    ClientIdentity,
    Identify,
    Letterhead,
    ReportMeta,
    choose_sections,
    content_width,
    day,
    empty,
    esc,
    facts,
    grid,
    para,
    render,
    section,
    styles,
)
from app.reports.safety_plan import signature_drawing

SECTIONS = ("overview", "about", "needs", "substance_use", "reviews", "signatures")
#: What a new report of this kind ticks by default: everything but the 42 CFR Part 2 section,
#: which is sent only when asked for (and covered by a Part 2 consent).
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "substance_use")
SECTION_INFO = {
    "overview": InfoType.CARE_PLAN,
    "about": InfoType.CARE_PLAN,
    "needs": InfoType.CARE_PLAN,
    "reviews": InfoType.CARE_PLAN,
    "substance_use": InfoType.SUBSTANCE_USE,
    "signatures": InfoType.CARE_PLAN,
}
BLANK_SIGNATURE_LINES = 2


def section_labels() -> dict[str, str]:
    return {
        "overview": _("Plan, dates and discharge criteria"),
        "about": _("About the person"),
        "needs": _("Needs, goals, objectives and interventions"),
        "reviews": _("Reviews and goal attainment"),
        "substance_use": _("Substance-use needs and goals (42 CFR Part 2)"),
        "signatures": _("Signatures"),
    }


@dataclass(frozen=True, slots=True)
class CarePlanReportData:
    """One version of the plan and what goes with it, gathered by report_data_clinical.
    `tracking` is by objective id; `instrument_names` by instrument id; `referrals` maps a
    referral id to a few words ("Supported housing → Harbor House"); `reviews` oldest first."""

    client: Client
    as_of: date
    plan: CarePlan
    reviews: tuple[Review, ...] = ()
    tracking: Mapping[str, Tracking] = field(default_factory=dict)
    instrument_names: Mapping[str, str] = field(default_factory=dict)
    referrals: Mapping[str, str] = field(default_factory=dict)


def substance_need(need: Need) -> bool:
    return need.domain is LifeDomain.SUBSTANCE_USE


def _substance_objective(objective: Objective) -> bool:
    return objective.instrument is not None and objective.instrument.instrument_id in SUBSTANCE_INSTRUMENTS


def goal_status(goal: Goal) -> str:
    text = goal.lifecycle.label
    if goal.achievement is not None:
        text += " · " + goal.achievement.label
    return text


def _measure(o: Objective, data: CarePlanReportData) -> tuple[str, str]:
    """(measure and target, baseline → latest) for an objective."""
    if o.instrument is not None:
        name = data.instrument_names.get(o.instrument.instrument_id, o.instrument.instrument_id)
        measure = o.instrument.describe(name)
        track = data.tracking.get(o.id)
        if track is None:
            return measure, o.baseline
        parts = []
        if track.baseline is not None:
            parts.append(_("Baseline {value} ({date})").format(value=track.baseline.value, date=day(track.baseline.on)))
        if track.latest is not None:
            parts.append(_("latest {value} ({date})").format(value=track.latest.value, date=day(track.latest.on)))
        parts.append(track.state.label)
        return measure, " · ".join(parts)
    measure = " — ".join(p for p in (o.measure, _("target: {t}").format(t=o.target) if o.target else "") if p)
    return measure, o.baseline


def _need_block(number: str, need: Need, data: CarePlanReportData, width: float, *,
                include_substance_objectives: bool) -> list[Flowable]:
    s = styles()
    title = " · ".join(p for p in (_("Need {n}").format(n=number), need.domain.label if need.domain else "",
                                   need.priority.label) if p)
    source = need.source.label + (f" — {need.source_note}" if need.source_note else "")
    rows = [(_("In the client's words"), need.client_words), (_("Clinical summary"), need.summary),
            (_("Source"), source)]
    out: list[Flowable] = [para(title, keep_with_next(s.h3)), facts([r for r in rows if r[1]], width)]
    if not need.goals:
        out.append(empty(_("No goals set for this need yet.")))
    for g_index, goal in enumerate(need.goals, start=1):
        g_number = f"{number}.{g_index}"
        g_rows = [(_("Goal, in the client's words"), goal.client_words), (_("SMART goal"), goal.smart),
                  (_("Target date"), day(goal.target_on) if goal.target_on else ""),
                  (_("Status"), goal_status(goal))]
        goal_table = Table([[para(_("Goal {n}").format(n=g_number), s.cell_bold)],
                            [facts([r for r in g_rows if r[1]], width - 16, 40 * mm)]],
                           colWidths=[width], hAlign="LEFT", splitInRow=1)
        goal_table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                                        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                                        ("LINEBEFORE", (0, 0), (0, -1), 2, RULE),
                                        ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        out += [Spacer(1, 3), goal_table]
        objectives = [o for o in goal.objectives if include_substance_objectives or not _substance_objective(o)]
        if objectives:
            rows_o = []
            interventions = []
            for o_index, o in enumerate(objectives, start=1):
                o_number = f"{g_number}.{o_index}"
                measure, baseline = _measure(o, data)
                rows_o.append([o_number, o.step, measure, baseline, day(o.target_on) if o.target_on else "",
                               o.status.label])
                for i in o.interventions:
                    who = i.responsible.label + (f" — {i.responsible_name}" if i.responsible_name else "")
                    when = " – ".join(day(d) for d in (i.start_on, i.end_on) if d) if (i.start_on or i.end_on) else ""
                    action = i.action
                    if i.referral_id and i.referral_id in data.referrals:
                        action += "\n" + _("Referral: {referral}").format(referral=data.referrals[i.referral_id])
                    interventions.append([o_number, action, who, i.frequency, i.modality.label if i.modality else "",
                                          when, i.status.label])
            out += [Spacer(1, 3), grid([_("No."), _("Objective (measurable step)"), _("Measure and target"),
                                        _("Baseline and progress"), _("By"), _("Status")], rows_o,
                                       [width * 0.07, width * 0.27, width * 0.2, width * 0.2, width * 0.13,
                                        width * 0.13])]
            if interventions:
                out += [Spacer(1, 3), grid([_("For"), _("Intervention"), _("Responsible"), _("How often"),
                                            _("How"), _("When"), _("Status")], interventions,
                                           [width * 0.07, width * 0.27, width * 0.17, width * 0.13, width * 0.11,
                                            width * 0.13, width * 0.12])]
    out.append(Spacer(1, 4))
    return out


def _needs(data: CarePlanReportData, width: float, *, substance: bool, include_substance: bool) -> list[Flowable]:
    out: list[Flowable] = []
    for n_index, need in enumerate(data.plan.document.needs, start=1):
        if substance_need(need) != substance:
            continue
        out += _need_block(str(n_index), need, data, width, include_substance_objectives=include_substance)
    return out


def _goal_names(plan: CarePlan) -> dict[str, tuple[str, str, bool]]:
    """goal id → (number, client's words, in a substance-use need)."""
    found = {}
    for n_index, need in enumerate(plan.document.needs, start=1):
        for g_index, goal in enumerate(need.goals, start=1):
            found[goal.id] = (f"{n_index}.{g_index}", goal.client_words or goal.smart, substance_need(need))
    return found


def _reviews(data: CarePlanReportData, width: float, include_substance: bool) -> list[Flowable]:
    s = styles()
    if not data.reviews:
        return [empty(_("No reviews recorded yet."))]
    goals = _goal_names(data.plan)
    labels = gas_labels()
    out: list[Flowable] = [para(_("Goal attainment is rated from −2 (much less than expected) to +2 (much more "
                                  "than expected); 0 is the expected outcome."), s.muted)]
    for review in data.reviews:
        rows = [(_("Who attended"), review.attended), (_("Changes agreed"), review.changes),
                (_("Next review"), day(review.next_review_on) if review.next_review_on else "")]
        progress = []
        for p in review.progress:
            number, words, is_substance = goals.get(p.goal_id, ("", _("A goal no longer in this version"), False))
            if is_substance and not include_substance:
                continue
            progress.append([number, words, labels.get(p.gas, "") if p.gas is not None else _("Not rated"), p.note])
        block: list[Flowable] = [para(_("Review of {date}").format(date=day(review.reviewed_on)),
                                      keep_with_next(s.h3)), facts([r for r in rows if r[1]], width)]
        if progress:
            block += [Spacer(1, 3), grid([_("Goal"), _("In the client's words"), _("Attainment"), _("Note")],
                                         progress, [width * 0.08, width * 0.4, width * 0.26, width * 0.26])]
        out += block
    return out


def _rule(width: float, height: float = 10 * mm) -> Drawing:
    """A line to sign on."""
    drawing = Drawing(width, height)
    drawing.add(Line(0, 2, width, 2, strokeColor=INK, strokeWidth=0.6))
    return drawing


def _mark(sig: Signature, width: float) -> Flowable:
    s = styles()
    if sig.verbal:
        return Paragraph(esc(_("Agreed verbally: {reason}").format(reason=sig.reason)), s.cell)
    if any(stroke.points for stroke in sig.strokes):
        drawing = signature_drawing(sig)
        if drawing.width > width:  # a very wide pad: scale it into the cell
            scale = width / drawing.width
            drawing.scale(scale, scale)
            drawing.width, drawing.height = width, drawing.height * scale
        return drawing
    return _rule(width)


def signatures_table(plan: CarePlan | None, signer: str, width: float, *, blank_lines: int = BLANK_SIGNATURE_LINES,
                     client_name: str = "", others: Sequence[tuple[str, str]] = (),
                     client_alias: str = "") -> Table:
    """Who signed, their name, the date and the mark: stored signatures drawn from their
    strokes; a line for the client (when `client_name` is given) and the case manager when they
    have not signed; a line for each of `others` (role, name); blank lines for anyone else.
    With `client_alias` (a de-identified copy) the client's signature shows the alias, not the
    name, and the drawn mark is withheld."""
    s = styles()
    pad = 14  # the cell's left and right padding, and a little air
    mark_w, name_w, date_w = width * 0.38 - pad, width * 0.28 - pad, width * 0.18 - pad
    rows: list[list[object]] = [[Paragraph(esc(h), s.cell_bold) for h in
                                 (_("Role"), _("Name"), _("Signature"), _("Date"))]]
    signatures = plan.signatures if plan is not None else ()
    for sig in signatures:
        name: str = sig.name
        mark: Flowable = _mark(sig, mark_w)
        if client_alias and sig.role is SignerRole.CLIENT:
            name = client_alias
            mark = Paragraph(esc(_("Signed (withheld in a de-identified copy)")), s.cell)
        rows.append([Paragraph(esc(sig.role.label), s.cell), Paragraph(esc(name), s.cell), mark,
                     Paragraph(esc(format_datetime(sig.signed_at, "short")), s.cell)])
    roles = {sig.role for sig in signatures}
    if SignerRole.CLIENT not in roles and client_name:
        rows.append([Paragraph(esc(SignerRole.CLIENT.label), s.cell), Paragraph(esc(client_name), s.cell),
                     _rule(mark_w), _rule(date_w)])
    if SignerRole.CASE_MANAGER not in roles:
        rows.append([Paragraph(esc(SignerRole.CASE_MANAGER.label), s.cell), Paragraph(esc(signer), s.cell),
                     _rule(mark_w), _rule(date_w)])
    for role, name in others:
        rows.append([Paragraph(esc(role), s.cell), Paragraph(esc(name), s.cell), _rule(mark_w), _rule(date_w)])
    for _n in range(blank_lines):
        rows.append([Paragraph(esc(_("Other (role)")), s.muted), _rule(name_w), _rule(mark_w),
                     _rule(date_w)])
    table = Table(rows, colWidths=[width * 0.16, width * 0.28, width * 0.38, width * 0.18], repeatRows=1,
                  splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                               ("TOPPADDING", (0, 1), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 1), (-1, -1), 4)]))
    return table


def build_pdf(
    data: CarePlanReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The care plan as PDF bytes. `sections` (names from SECTIONS) leaves the others out."""
    chosen = choose_sections(SECTIONS, sections)
    plan, client = data.plan, data.client
    include_substance = "substance_use" in chosen
    status = plan.status.label
    if plan.status is PlanStatus.DRAFT:
        status = _("Draft — not yet agreed")
    meta = ReportMeta(
        title=_("Care plan"),
        subtitle=_("Version {n} · {status} · review due {review}").format(
            n=plan.version, status=status, review=day(plan.review_on)),
        letterhead=letterhead, generated_at=generated_at, identify=identify,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
    )
    width = content_width()
    s = styles()
    story: list[Flowable] = []

    if "overview" in chosen:
        agreement = ""
        if plan.agreement is not None:
            agreement = plan.agreement.label
            if plan.activated_at is not None:
                agreement += " — " + day(plan.activated_at.date())
        rows = [(_("Status"), status), (_("Version"), str(plan.version)),
                (_("Start date"), day(plan.start_on)),
                (_("Review due"), day(plan.review_on) + (" — " + _("due now") if plan.due_for_review(data.as_of)
                                                         else "")),
                (_("Client agreement"), agreement or _("Not yet agreed")),
                (_("How we will know the plan is done (in the client's words)"), plan.document.discharge_criteria)]
        if plan.status_reason:
            rows.append((_("Status reason"), plan.status_reason))
        story += section(_("The plan"), facts(rows, width, 52 * mm))

    if "about" in chosen:
        labels = about_labels()
        about = plan.document.about
        rows = [(labels[name], getattr(about, name)) for name in labels]
        rows = [r for r in rows if r[1]]
        story += section(_("About the person"), facts(rows, width) if rows else empty(_("Nothing written yet.")))

    if "needs" in chosen:
        blocks = _needs(data, width, substance=False, include_substance=include_substance)
        story += section(_("Needs, goals, objectives and interventions"),
                         *(blocks or [empty(_("No needs in this plan yet."))]))

    if "substance_use" in chosen:
        blocks = _needs(data, width, substance=True, include_substance=True)
        if not blocks:
            blocks = [empty(_("No substance-use needs in this plan."))]
        else:
            blocks.append(para(_("This section holds substance-use information. It may be disclosed only with the "
                             "client's written consent under 42 CFR Part 2."), s.muted))
        story += section(_("Substance-use needs and goals"), *blocks)

    if "reviews" in chosen:
        story += section(_("Reviews and goal attainment"), *_reviews(data, width, include_substance))

    if "signatures" in chosen:
        name = client.legal_name if identify is Identify.FULL else client.client_code
        intro: list[Flowable] = []
        if plan.agreement is Agreement.SCANNED:
            intro.append(para(_("The client signed this version on paper; the scanned page is kept with the "
                                "record."), s.muted))
        elif not plan.signatures:
            intro.append(para(_("Not agreed yet: sign below to agree to this plan."), s.muted))
        alias = "" if identify is Identify.FULL else client.client_code
        story += section(_("Signatures"), *intro, signatures_table(plan, letterhead.signed_by, width,
                                                                   client_name=name, client_alias=alias),
                         para(_("By signing, the client agrees to this plan and to its review by the date above."),
                              s.muted))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)


def goals_table(plan: CarePlan, width: float, *, include_substance: bool) -> Flowable:
    """The plan's goals in one table (client's words and SMART, target, status), for the
    transition summary and the referral letter."""
    rows: list[Sequence[str]] = []
    for need in plan.document.needs:
        if substance_need(need) and not include_substance:
            continue
        for goal in need.goals:
            words = goal.client_words + (("\n" + goal.smart) if goal.smart else "")
            rows.append([words, day(goal.target_on) if goal.target_on else "", goal_status(goal)])
    if not rows:
        return empty(_("The care plan has no goals yet."))
    return grid([_("Goal (in the client's words; SMART)"), _("Target"), _("Status")], rows,
                [width * 0.6, width * 0.17, width * 0.23])

