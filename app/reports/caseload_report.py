"""The caseload report for a period: active clients by risk tier, overdue follow-ups, average
change in PHQ-9 and GAD-7 since intake, goals achieved, post-transition engagement within 7 and
30 days, and one row per client. De-identified (Identify.CODE) it prints client codes only —
never a name. Handed a `CaseloadDashboard` (app.services.evaluation.caseload_dashboard);
returns PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.i18n import _
from app.models.consent import InfoType
from app.models.evaluation import CaseloadDashboard, CaseloadRow, ScoreChange, tier_label
from app.models.risk import Tier
from app.reports.engine import (
    FONT,
    FONT_BOLD,
    INK,
    RULE,
    SHADE,
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
    register_fonts,
    render,
    section,
    styles,
)

SECTIONS = ("summary", "tiers", "outcomes", "clients")
SECTION_INFO = {
    "summary": InfoType.CARE_PLAN,
    "tiers": InfoType.SCREENING_RESULTS,
    "outcomes": InfoType.SCREENING_RESULTS,
    "clients": InfoType.DEMOGRAPHICS,
}
_TIER_COLOURS = {
    Tier.CRISIS: colors.HexColor("#B42318"), Tier.HIGH: colors.HexColor("#DC6803"),
    Tier.MODERATE: colors.HexColor("#CA8504"), Tier.LOW: colors.HexColor("#3B7D4F"), None: colors.HexColor("#98A2B3"),
}


def section_labels() -> dict[str, str]:
    """What each section is called, for a "choose sections" list."""
    return {
        "summary": _("At a glance"),
        "tiers": _("Risk tiers"),
        "outcomes": _("Change in PHQ-9 and GAD-7 since intake"),
        "clients": _("Client by client"),
    }


def _share(part: int, whole: int) -> str:
    if whole <= 0:
        return "—"
    return _("{part} of {whole} ({percent:.0f}%)").format(part=part, whole=whole, percent=100 * part / whole)


def _signed(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{abs(value):.{digits}f}" if isinstance(value, float) else str(abs(value))
    if value == 0:
        return text
    return ("+" if value > 0 else "−") + text


def tier_chart(data: CaseloadDashboard, width: float) -> Drawing:
    """Horizontal bars: clients per tier, most urgent first."""
    register_fonts()
    rows = list(data.tiers)
    bar_h, gap, label_w, number_w = 11, 5, 34 * mm, 30 * mm
    height = len(rows) * (bar_h + gap) + 4
    drawing = Drawing(width, height)
    most = max((n for _t, n in rows), default=0) or 1
    span = width - label_w - number_w
    for index, (tier, count) in enumerate(rows):
        y = height - (index + 1) * (bar_h + gap)
        drawing.add(String(0, y + 2.5, tier_label(tier), fontName=FONT, fontSize=8.5, fillColor=INK))
        drawing.add(Rect(label_w, y, span, bar_h, fillColor=colors.HexColor("#F0F4F8"), strokeColor=None))
        if count:
            drawing.add(Rect(label_w, y, max(span * count / most, 1.5), bar_h, fillColor=_TIER_COLOURS[tier],
                             strokeColor=None))
        share = f"{100 * count / data.active_clients:.0f}%" if data.active_clients else "—"
        drawing.add(String(label_w + span + 6, y + 2.5, f"{count:,} · {share}", fontName=FONT_BOLD, fontSize=8.5,
                           fillColor=INK))
    return drawing


def _change_rows(change: ScoreChange) -> list[str]:
    better = _("lower is better") if not change.higher_is_better else _("higher is better")
    if change.n == 0:
        return [change.short_name, "0", "—", "—", "—", "—"]
    return [_("{name} ({better})").format(name=change.short_name, better=better), f"{change.n:,}",
            f"{change.mean_baseline:.1f}" if change.mean_baseline is not None else "—",
            f"{change.mean_latest:.1f}" if change.mean_latest is not None else "—",
            _signed(change.mean_change), _("{better} better · {worse} worse").format(
                better=change.improved, worse=change.worsened)]


def _client_rows(rows: tuple[CaseloadRow, ...], identify: Identify) -> tuple[list[str], list[list[str]]]:
    header = [_("Client code")]
    if identify is Identify.FULL:
        header.append(_("Name"))
    header += [_("Tier"), _("Overdue"), _("PHQ-9 change"), _("GAD-7 change"), _("Goals achieved")]
    body = []
    for r in rows:
        line = [r.client_code]
        if identify is Identify.FULL:
            line.append(r.name)
        goals = _("{done} of {total}").format(done=r.goals_achieved, total=r.goals_total) if r.goals_total else "—"
        line += [tier_label(r.tier), str(r.overdue) if r.overdue else "0", _signed(r.phq9_change),
                 _signed(r.gad7_change), goals]
        body.append(line)
    return header, body


_ROW_HEIGHT = 14
_CELL_SIZE = 8.5


def client_table(header: list[str], body: list[list[str]], widths: list[float]) -> Table:
    """The client-by-client table, built for thousands of rows: plain text cells at a fixed row
    height (laying out a wrapping paragraph per cell takes seconds for 2,000 clients). A cell
    too long for its column (a long name) becomes a wrapping paragraph, its row as tall as it
    needs — never cropped."""
    s = styles()
    data: list[list[Any]] = [[Paragraph(esc(h), s.cell_bold) for h in header]]
    heights: list[float | None] = [None]
    for row in body:
        line: list[Any] = []
        tall = False
        for text, width in zip(row, widths, strict=True):
            if stringWidth(text, FONT, _CELL_SIZE) > width - 8:
                line.append(Paragraph(esc(text), s.cell))
                tall = True
            else:
                line.append(text)
        data.append(line)
        heights.append(None if tall else _ROW_HEIGHT)
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 1), (-1, -1), _CELL_SIZE),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def build_pdf(
    data: CaseloadDashboard,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The caseload report as PDF bytes. `identify` CODE prints client codes only (no names
    anywhere); `sections` (names from SECTIONS) leaves the others out, None prints them all."""
    chosen = choose_sections(SECTIONS, sections)
    s = styles()
    subtitle = _("From {start} to {end}").format(start=day(data.start), end=day(data.end))
    if identify is Identify.CODE:
        subtitle = _("{period} · de-identified: clients by code only").format(period=subtitle)
    meta = ReportMeta(title=_("Caseload"), subtitle=subtitle, letterhead=letterhead, generated_at=generated_at)
    width = content_width()
    story: list[Flowable] = []
    e = data.engagement

    if "summary" in chosen:
        engagement_7 = _share(e.within_7, e.eligible_7)
        engagement_30 = _share(e.within_30, e.eligible_30)
        rows = [
            (_("Active clients"), f"{data.active_clients:,}"),
            (_("Overdue follow-ups"), _("{n} follow-ups, {clients} clients").format(
                n=f"{data.overdue:,}", clients=f"{data.clients_overdue:,}")),
            (_("Goals achieved"), _("{total} of {goals} goals in the plans in force; {period} achieved in this "
                                    "period").format(total=f"{data.goals_achieved:,}", goals=f"{data.goals_total:,}",
                                                     period=f"{data.goals_achieved_in_period:,}")),
            (_("Transitions in period"), f"{e.transitions:,}"),
            (_("Engaged within 7 days"), engagement_7),
            (_("Engaged within 30 days"), engagement_30),
        ]
        story += section(_("At a glance"), facts(rows, width, label_width=48 * mm), Spacer(1, 2), para(
            _("Engaged: a check-in reaching the person, a signed contact note or a completed follow-up after "
              "the transition. Transitions whose 7 or 30 days have not passed count only once engaged. "
              "Overdue: follow-ups dated in the period still not done."), s.muted))

    if "tiers" in chosen:
        if data.active_clients:
            story += section(_("Risk tiers"), tier_chart(data, width))
        else:
            story += section(_("Risk tiers"), empty(_("No active clients.")))

    if "outcomes" in chosen:
        table = grid([_("Instrument"), _("Clients"), _("Intake (mean)"), _("Latest (mean)"), _("Change"),
                      _("Better or worse")], [_change_rows(c) for c in data.changes],
                     [width * w for w in (0.25, 0.1, 0.15, 0.15, 0.12, 0.23)])
        story += section(_("Change in PHQ-9 and GAD-7 since intake"), table, Spacer(1, 2), para(
            _("Per client: the first score ever against the latest score in the period; clients without a "
              "later score in the period are not counted."), s.muted))

    if "clients" in chosen:
        if data.rows:
            header, body = _client_rows(data.rows, identify)
            if identify is Identify.FULL:
                widths = [width * w for w in (0.11, 0.27, 0.13, 0.1, 0.12, 0.12, 0.15)]
            else:
                widths = [width * w for w in (0.2, 0.16, 0.12, 0.16, 0.16, 0.2)]
            intro = _("{n} active clients, most urgent tier first. Change: latest score in the period minus the "
                      "intake score (negative is better).").format(n=f"{len(data.rows):,}")
            story += section(_("Client by client"), para(intro, s.muted), Spacer(1, 3),
                             client_table(header, body, widths))
        else:
            story += section(_("Client by client"), empty(_("No active clients.")))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
