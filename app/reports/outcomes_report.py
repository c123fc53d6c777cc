"""The outcomes report for one client and a period: each instrument's score trend (chart with
severity bands) tied to the goals and objectives it measures, each goal's attainment over the
plan's reviews, and plan versus actual for each intervention. Handed a `ClientOutcomes`
(app.services.evaluation.client_outcomes); returns PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import _
from app.models.care_plan import ScorePoint
from app.models.client import Client
from app.models.consent import InfoType
from app.models.evaluation import ClientOutcomes, GoalAttainment, PlanActual, ScoreTrend
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
    heading,
    para,
    render,
    section,
    styles,
    trend_chart,
)

SECTIONS = ("trends", "substance_use", "attainment", "plan_actual")
DEFAULT_SECTIONS = ("trends", "attainment", "plan_actual")  # Part 2 information only when asked for
SECTION_INFO = {
    "trends": InfoType.SCREENING_RESULTS,
    "substance_use": InfoType.SUBSTANCE_USE,
    "attainment": InfoType.CARE_PLAN,
    "plan_actual": InfoType.CARE_PLAN,
}
# Substance-use screens print in their own section, so a release without 42 CFR Part 2 consent
# can leave them out while the other trends go (as in the client summary).
SUBSTANCE_INSTRUMENTS = frozenset({"auditc", "dast10"})
MAX_REVIEW_COLUMNS = 5


def section_labels() -> dict[str, str]:
    """What each section is called, for a "choose sections" list."""
    return {
        "trends": _("Score trends tied to goals"),
        "substance_use": _("Substance-use screening trends"),
        "attainment": _("Goal attainment over reviews"),
        "plan_actual": _("Plan versus actual"),
    }


def gas_text(value: int | None) -> str:
    """A goal-attainment rating as printed: −2, −1, 0, +1, +2 (— when not rated)."""
    if value is None:
        return "—"
    return "0" if value == 0 else (f"+{value}" if value > 0 else f"−{abs(value)}")


def _signed(value: int) -> str:
    return "0" if value == 0 else (f"+{value}" if value > 0 else f"−{abs(value)}")


def _point_text(trend: ScoreTrend, point: ScorePoint | None) -> str:
    if point is None:
        return ""
    value = f"{point.value}%" if trend.percent else _("{score} of {max}").format(score=point.value, max=trend.high)
    band = trend.band_of(point.value)
    text = _("{value} on {date}").format(value=value, date=day(point.on))
    return _("{text} ({band})").format(text=text, band=band) if band else text


def _change_text(trend: ScoreTrend) -> str:
    change = trend.change
    if change is None:
        return _("Only one score in this period.") if trend.points else ""
    if change == 0:
        return _("No change")
    direction = _("better") if trend.improved else _("worse")
    unit = _("points") if not trend.percent else _("percentage points")
    return _("{change} {unit} ({direction})").format(change=_signed(change), unit=unit, direction=direction)


def _trend_block(trend: ScoreTrend, width: float) -> list[Flowable]:
    s = styles()
    title = _("{short} — {name}").format(short=trend.short_name, name=trend.name)
    rows = [(_("First in period"), _point_text(trend, trend.baseline))]
    if len(trend.points) > 1:
        rows.append((_("Latest"), _point_text(trend, trend.latest)))
    rows += [(_("Change"), _change_text(trend)), (_("Scores in period"), str(len(trend.points)))]
    block: list[Flowable] = [heading(title, s.h3)]
    if trend.points:
        block.append(facts([r for r in rows if r[1]], width, label_width=36 * mm))
    else:
        block.append(empty(_("No scores in this period.")))
    if len(trend.points) >= 2 and trend.bands:
        block += [Spacer(1, 3), trend_chart(
            _("{short}, {start} – {end}").format(short=trend.short_name, start=day(trend.points[0].on),
                                                end=day(trend.points[-1].on)),
            [(p.on, p.value) for p in trend.points], trend.bands, (trend.low, trend.high),
            higher_is_better=trend.higher_is_better, width=width)]
    if trend.objectives:
        lines = []
        for o in trend.objectives:
            target = o.target.describe(trend.short_name)
            if o.target_on is not None:
                target = _("{target} by {date}").format(target=target, date=day(o.target_on))
            state = o.state.label if o.state is not None else _("No score yet")
            lines.append(_("Goal “{goal}” — objective “{objective}”: {target}. {state}.").format(
                goal=o.goal_text, objective=o.objective_text, target=target, state=state))
        block += [Spacer(1, 2), para(_("Tied to the care plan"), s.label), *bullets(lines, s.small)]
    else:
        block.append(para(_("No objective of the care plan is measured by this instrument."), s.muted))
    return [KeepTogether(block[:3]), *block[3:], Spacer(1, 6)]


def _trends(trends: list[ScoreTrend], width: float, title: str, none_text: str) -> list[Flowable]:
    if not trends:
        return section(title, empty(none_text))
    story: list[Flowable] = [heading(title)]
    for trend in trends:
        story += _trend_block(trend, width)
    return story


def _attainment(goals: tuple[GoalAttainment, ...], width: float) -> list[Flowable]:
    title = _("Goal attainment over reviews")
    if not goals:
        return section(title, empty(_("No care-plan goals to show: the client has no signed plan.")))
    dates = sorted({r.reviewed_on for g in goals for r in g.ratings})
    shown = dates[-MAX_REVIEW_COLUMNS:]
    header = [_("Goal"), _("Status"), *[day(d) for d in shown], _("Latest")]
    rows = []
    for g in goals:
        by_date = {r.reviewed_on: r.gas for r in g.ratings}
        status = g.lifecycle.label + (f" · {g.achievement.label}" if g.achievement is not None else "")
        rows.append([g.text, status, *[gas_text(by_date.get(d)) for d in shown], gas_text(g.latest_gas)])
    fixed = 0.36 + 0.2
    rest = (1 - fixed) / (len(shown) + 1)
    widths = [width * 0.36, width * 0.2, *[width * rest] * (len(shown) + 1)]
    story = section(title, para(_("Goal attainment scale at each review in the period: −2 much less than "
                                  "expected · −1 somewhat less · 0 as expected · +1 somewhat more · +2 much "
                                  "more than expected."), styles().muted),
                    Spacer(1, 3), grid(header, rows, widths))
    if not dates:
        story.append(empty(_("No reviews of the plan in this period.")))
    elif len(dates) > len(shown):
        story.append(empty(_("Showing the last {n} of {total} reviews in the period.").format(
            n=len(shown), total=len(dates))))
    return story


def _expected(item: PlanActual) -> str:
    if not item.by_case_work:
        return _("the client's or family's to do")
    if item.planned is None:
        return _("not a rate")
    value = item.planned
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _plan_actual(data: ClientOutcomes, width: float) -> list[Flowable]:
    title = _("Plan versus actual")
    items = data.plan_vs_actual
    contacts = _("Signed contact notes in the period: {n}, of which {m} record the goals they addressed.").format(
        n=data.contacts, m=data.contacts_with_goals)
    if not items:
        return section(title, empty(_("No interventions to compare: the client has no signed plan, or none of "
                                      "its interventions was in force in this period.")))
    rows = []
    for i in items:
        how = " · ".join(p for p in (i.frequency, i.modality.label if i.modality else "") if p)
        actual = str(i.actual)
        if i.modality is not None and i.actual:
            actual = _("{n} ({same} {modality})").format(n=i.actual, same=i.same_modality,
                                                         modality=i.modality.label.lower())
        rows.append([_("{action}\nGoal: {goal}").format(action=i.action, goal=i.goal_text), how or "—",
                     i.status.label, str(i.days_in_force), _expected(i), actual,
                     day(i.last_on) if i.last_on else "—"])
    widths = [width * w for w in (0.3, 0.15, 0.11, 0.07, 0.13, 0.12, 0.12)]
    table = grid([_("Intervention"), _("Planned"), _("Status"), _("Days"), _("Expected"), _("Made"),
                  _("Last")], rows, widths)
    note = _("Made: days with a signed contact note recording work on the goal, or a completed follow-up "
             "linked to the objective (at most one a day). Expected: what the planned frequency implies over "
             "the days the intervention was in force in the period.")
    return section(title, para(contacts), Spacer(1, 3), table, Spacer(1, 3), para(note, styles().muted))


def build_pdf(
    data: ClientOutcomes,
    client: Client,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The outcomes report as PDF bytes. `sections` (names from SECTIONS) leaves the others out;
    None prints them all; `identify` CODE names the client by client code only."""
    chosen = choose_sections(SECTIONS, sections)
    meta = ReportMeta(
        title=_("Outcomes"),
        subtitle=_("From {start} to {end}").format(start=day(data.start), end=day(data.end)),
        letterhead=letterhead,
        generated_at=generated_at,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
        identify=identify,
    )
    width = content_width()
    story: list[Flowable] = []
    general = [t for t in data.trends if t.instrument_id not in SUBSTANCE_INSTRUMENTS]
    substance = [t for t in data.trends if t.instrument_id in SUBSTANCE_INSTRUMENTS]

    if "trends" in chosen:
        story += _trends(general, width, _("Score trends tied to goals"),
                         _("No scores in this period, and no objective measured by a score."))
    if "substance_use" in chosen and substance:
        story += _trends(substance, width, _("Substance-use screening trends"), "")
    if "attainment" in chosen:
        story += _attainment(data.goals, width)
    if "plan_actual" in chosen:
        story += _plan_actual(data, width)
    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
