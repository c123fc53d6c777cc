"""The safety plan, printed two ways: a full page (the six steps, the one thing worth living for,
the crisis line, barriers and likelihood, signatures, review date) and a wallet-size pocket card
(four 85 × 55 mm panels on one page, with cut and fold lines). Handed a SafetyPlan; returns PDF
bytes built in memory."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from reportlab.graphics.shapes import Drawing, PolyLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, current_locale, format_datetime
from app.models.client import Client
from app.models.consent import InfoType
from app.models.safety_plan import PlanContent, SafetyPlan, Section
from app.models.screening import crisis_line
from app.models.signature import Signature
from app.reports.engine import (
    ACCENT,
    FONT,
    FONT_BOLD,
    INK,
    MUTED,
    RULE,
    SHADE,
    ClientIdentity,
    Identify,
    Letterhead,
    ReportMeta,
    bullets,
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

SECTIONS = ("worth_living_for", *(s.value for s in Section), "barriers", "signatures")
CARD_SECTIONS = ("worth_living_for", *(s.value for s in Section))
SECTION_INFO = dict.fromkeys(SECTIONS, InfoType.SAFETY_PLAN)

CARD_W = 85 * mm
CARD_H = 55 * mm


def section_labels() -> dict[str, str]:
    labels = {"worth_living_for": _("What matters most to me")}
    labels.update({s.value: s.heading for s in Section})
    labels.update({"barriers": _("Barriers and likelihood of use"), "signatures": _("Signatures")})
    return labels


def crisis_text(content: PlanContent, locale: str | None = None) -> str:
    """The crisis line for the user's locale (988 in the US), and the plan's local line if any."""
    line = crisis_line(locale or current_locale())
    if content.local_crisis_line:
        return _("{line}; local crisis line: {local}").format(line=line, local=content.local_crisis_line)
    return line


def _ed_text(content: PlanContent) -> str:
    ed = content.emergency_department
    return ", ".join(p for p in (ed.name, ed.address, ed.phone) if p)


def signature_drawing(signature: Signature, height: float = 12 * mm) -> Drawing:
    width = height * signature.aspect
    drawing = Drawing(width, height)
    for stroke in signature.strokes:
        if len(stroke.points) < 2:
            continue
        coords = [c for x, y in stroke.points for c in (x * width, (1 - y) * height)]
        drawing.add(PolyLine(coords, strokeColor=INK, strokeWidth=0.9, strokeLineCap=1, strokeLineJoin=1))
    return drawing


def _signatures_table(plan: SafetyPlan, width: float) -> Flowable:
    s = styles()
    if not plan.signatures:
        return empty(_("Not signed yet (draft)."))
    rows: list[list[object]] = [[Paragraph(esc(h), s.cell_bold) for h in
                                 (_("Signed by"), _("Name"), _("Date"), _("Signature"))]]
    for sig in plan.signatures:
        if sig.verbal:
            mark: object = Paragraph(esc(_("Agreed verbally: {reason}").format(reason=sig.reason)), s.cell)
        elif sig.strokes:
            mark = signature_drawing(sig)
        else:
            mark = Paragraph("—", s.cell)
        rows.append([Paragraph(esc(sig.role.label), s.cell), Paragraph(esc(sig.name), s.cell),
                     Paragraph(esc(format_datetime(sig.signed_at, "short")), s.cell), mark])
    table = Table(rows, colWidths=[width * 0.16, width * 0.28, width * 0.2, width * 0.36], repeatRows=1,
                  splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]))
    return table


def _step_body(content: PlanContent, step: Section, width: float, locale: str | None) -> list[Flowable]:
    if step is Section.WARNING_SIGNS:
        return bullets(content.warning_signs) or [empty(_("Nothing written yet."))]
    if step is Section.COPING:
        return bullets(content.coping) or [empty(_("Nothing written yet."))]
    if step is Section.DISTRACTIONS:
        if not content.distractions:
            return [empty(_("Nothing written yet."))]
        return [grid([_("Person or place"), _("Phone"), _("Where")],
                     [[c.name, c.phone, c.place] for c in content.distractions],
                     [width * 0.4, width * 0.25, width * 0.35])]
    if step is Section.HELPERS:
        if not content.helpers:
            return [empty(_("Nothing written yet."))]
        return [grid([_("Name"), _("Phone")], [[c.name, c.phone] for c in content.helpers],
                     [width * 0.6, width * 0.4])]
    if step is Section.PROFESSIONALS:
        rows = [[p.name, p.role, p.phone, p.after_hours] for p in content.professionals]
        body: list[Flowable] = []
        if rows:
            body.append(grid([_("Name"), _("Role or service"), _("Phone"), _("After hours")], rows,
                             [width * 0.28, width * 0.28, width * 0.22, width * 0.22]))
        facts_rows = [(_("Emergency department"), _ed_text(content))] if _ed_text(content) else []
        facts_rows.append((_("Crisis line"), crisis_text(content, locale)))
        body += [Spacer(1, 3), _crisis_box(facts_rows, width)]
        return body
    if not content.means:
        return [empty(_("Nothing written yet."))]
    return [grid([_("What is made safer"), _("Who keeps it"), _("By when")],
                 [[m.what, m.held_by, day(m.by_when) if m.by_when else ""] for m in content.means],
                 [width * 0.5, width * 0.3, width * 0.2])]


def _crisis_box(rows: Sequence[tuple[str, str]], width: float) -> Table:
    box = Table([[facts(rows, width - 12, 40 * mm)]], colWidths=[width], hAlign="LEFT")
    box.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BOX", (0, 0), (-1, -1), 1, ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#EAF1FB")),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return box


def build_plan_pdf(
    plan: SafetyPlan,
    client: Client,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
    locale: str | None = None,
) -> bytes:
    """The full-page safety plan. `sections` (names from SECTIONS) leaves the others out."""
    chosen = choose_sections(SECTIONS, sections)
    content = plan.content.normalised()
    width = content_width()
    s = styles()
    status = plan.status.label if plan.activated_at is None else _("{status}, signed {date}").format(
        status=plan.status.label, date=day(plan.activated_at.date()))
    meta = ReportMeta(
        title=_("My safety plan"),
        subtitle=_("Version {n} · {status} · review by {review}").format(
            n=plan.version, status=status, review=day(plan.review_on)),
        letterhead=letterhead, generated_at=generated_at,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
        identify=identify,
    )
    story: list[Flowable] = []
    if "worth_living_for" in chosen and content.worth_living_for:
        box = Table([[Paragraph(esc(_("The one thing most important to me")), s.label)],
                     [Paragraph(esc(content.worth_living_for), s.big)]], colWidths=[width], hAlign="LEFT")
        box.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                                 ("TOPPADDING", (0, 0), (0, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]))
        story += [box, Spacer(1, 2)]
    for step in Section:
        if step.value not in chosen:
            continue
        body = _step_body(content, step, width, locale)
        note = content.step(step)
        if "barriers" in chosen and not note.blank:
            parts = []
            if note.barriers:
                parts.append(_("What might get in the way: {text}").format(text=note.barriers))
            if note.likelihood is not None:
                parts.append(_("Likely to use this step: {value}").format(value=note.likelihood.label))
            body.append(para(" · ".join(parts), s.muted))
        story += section(_("Step {n}. {heading}").format(n=step.number, heading=step.heading), *body,
                         style=s.h2_compact)
    if "signatures" in chosen:
        rows = [(_("Copy given to client"), day(plan.copy_given_on) if plan.copy_given_on else _("Not recorded")),
                (_("Review date"), day(plan.review_on))]
        story += section(_("Signatures"), _signatures_table(plan, width), Spacer(1, 4), facts(rows, width),
                         style=s.h2_compact)
    if not story:
        story.append(empty(_("No sections were chosen.")))
    return render(meta, story)


# -- the pocket card -------------------------------------------------------------------------------


def _card_styles() -> dict[str, ParagraphStyle]:
    base = styles().body
    return {
        "title": ParagraphStyle("card-title", parent=base, fontName=FONT_BOLD, fontSize=11, leading=13,
                                textColor=ACCENT),
        "h": ParagraphStyle("card-h", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.2,
                            textColor=ACCENT, spaceBefore=2),
        "text": ParagraphStyle("card-text", parent=base, fontSize=7.5, leading=9.2),
        "item": ParagraphStyle("card-item", parent=base, fontSize=7.5, leading=9.2, leftIndent=7, bulletIndent=0),
        "label": ParagraphStyle("card-label", parent=base, fontName=FONT_BOLD, fontSize=6.5, leading=8,
                                textColor=MUTED),
        "crisis": ParagraphStyle("card-crisis", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                 textColor=colors.white),
    }


def _card_step(step: Section, content: PlanContent, st: dict[str, ParagraphStyle], locale: str | None) -> list[Flowable]:
    lines: list[str]
    if step is Section.WARNING_SIGNS:
        lines = list(content.warning_signs)
    elif step is Section.COPING:
        lines = list(content.coping)
    elif step is Section.DISTRACTIONS:
        lines = [" — ".join(p for p in (c.name, c.place, c.phone) if p) for c in content.distractions]
    elif step is Section.HELPERS:
        lines = [" — ".join(p for p in (c.name, c.phone) if p) for c in content.helpers]
    elif step is Section.PROFESSIONALS:
        lines = [" — ".join(p for p in (pr.name, pr.role, pr.phone,
                                        _("after hours {n}").format(n=pr.after_hours) if pr.after_hours else "")
                            if p) for pr in content.professionals]
        if _ed_text(content):
            lines.append(_("Emergency: {ed}").format(ed=_ed_text(content)))
        lines.append(crisis_text(content, locale))
    else:
        lines = [" — ".join(p for p in (m.what, m.held_by, day(m.by_when) if m.by_when else "") if p)
                 for m in content.means]
    out: list[Flowable] = [Paragraph(esc(f"{step.number}. {step.short_heading}"), st["h"])]
    out += [Paragraph(esc(line), st["item"], bulletText="•") for line in lines] or [
        Paragraph("—", st["text"])]
    return out


def _card_panels(plan: SafetyPlan, name: str, chosen: set[str], locale: str | None) -> list[list[Flowable]]:
    content = plan.content.normalised()
    st = _card_styles()
    front: list[Flowable] = [Paragraph(esc(_("My safety plan")), st["title"])]
    if name:
        front.append(Paragraph(esc(name), st["text"]))
    front.append(Spacer(1, 3))
    if "worth_living_for" in chosen and content.worth_living_for:
        front += [Paragraph(esc(_("What matters most to me")), st["label"]),
                  Paragraph(esc(content.worth_living_for), st["text"]), Spacer(1, 3)]
    crisis = Table([[Paragraph(esc(crisis_text(content, locale)), st["crisis"])]], colWidths=[CARD_W - 8 * mm])
    crisis.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("BACKGROUND", (0, 0), (-1, -1), ACCENT), ("LEFTPADDING", (0, 0), (-1, -1), 4),
                                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    front.append(crisis)
    if plan.review_on:
        front += [Spacer(1, 2), Paragraph(esc(_("Review by {date}").format(date=day(plan.review_on))), st["label"])]
    groups = ((Section.WARNING_SIGNS, Section.COPING), (Section.DISTRACTIONS, Section.HELPERS),
              (Section.PROFESSIONALS, Section.MEANS))
    panels = [front]
    for group in groups:
        panel: list[Flowable] = []
        for step in group:
            if step.value in chosen:
                panel += _card_step(step, content, st, locale)
        panels.append(panel)
    return panels


def build_card_pdf(
    plan: SafetyPlan,
    client: Client,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    show_name: bool = True,
    locale: str | None = None,
) -> bytes:
    """The wallet-size pocket card: four 85 × 55 mm panels (front, steps 1–2, 3–4, 5–6) on one
    letter page, to cut out and fold in four. Text shrinks to fit a panel, never cut off.
    `show_name` False leaves the client's name off the card."""
    register_fonts()
    chosen = choose_sections(CARD_SECTIONS, sections)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1, initialFontName=FONT)
    canvas.setTitle(_("Safety plan pocket card"))
    canvas.setAuthor(letterhead.practice_name)
    canvas.setCreator("Waypoint")
    page_w, page_h = LETTER
    left = (page_w - 2 * CARD_W) / 2
    top = page_h - 40 * mm
    canvas.setFont(FONT_BOLD, 13)
    canvas.setFillColor(ACCENT)
    canvas.drawString(left, page_h - 22 * mm, _("Safety plan — pocket card"))
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(left, page_h - 28 * mm,
                      _("Cut along the solid outline, fold along the dashed lines, and keep it in a wallet or phone case."))
    name = client.display_name if show_name else ""
    panels = _card_panels(plan, name, chosen, locale)
    pad = 3 * mm
    for index, content in enumerate(panels):
        col, row = index % 2, index // 2
        x = left + col * CARD_W
        y = top - (row + 1) * CARD_H
        frame = Frame(x + pad, y + pad, CARD_W - 2 * pad, CARD_H - 2 * pad, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, showBoundary=0)
        frame.addFromList([KeepInFrame(CARD_W - 2 * pad, CARD_H - 2 * pad, content, mode="shrink")], canvas)
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.6)
    canvas.rect(left, top - 2 * CARD_H, 2 * CARD_W, 2 * CARD_H)
    canvas.setDash(3, 2)
    canvas.setStrokeColor(RULE)
    canvas.line(left + CARD_W, top - 2 * CARD_H - 4 * mm, left + CARD_W, top + 4 * mm)
    canvas.line(left - 4 * mm, top - CARD_H, left + 2 * CARD_W + 4 * mm, top - CARD_H)
    canvas.setDash()
    canvas.setFont(FONT, 7)
    canvas.setFillColor(MUTED)
    footer_y = top - 2 * CARD_H - 10 * mm
    practice = " · ".join(p for p in (letterhead.practice_name, letterhead.phone) if p)
    canvas.drawString(left, footer_y, practice)
    canvas.drawRightString(left + 2 * CARD_W, footer_y, _("Version {n} · generated {when}").format(
        n=plan.version, when=format_datetime(generated_at, "short")))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
