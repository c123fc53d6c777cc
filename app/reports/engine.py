"""The report engine: letterhead, client identification, confidentiality footer, "Page X of Y",
the Unicode font, shared styles and tables, and score-trend charts with their bands.

A report builder is handed data (domain objects), makes a list of flowables with the helpers
here and calls `render()`, which returns the PDF as bytes — built in memory, never in a file.
No Qt, no SQL. Text always wraps (Paragraphs, tables that split by row and inside rows), so long
names and long notes flow onto further pages instead of being cropped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app import RESOURCES_DIR
from app.i18n import _, format_date, format_datetime
from app.models.instruments import Band
from app.reports.identity import Identify as Identify  # re-exported: reports import them from here
from app.reports.identity import Letterhead as Letterhead

FONTS_DIR = RESOURCES_DIR / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#CBD2D9")
SHADE = colors.HexColor("#F0F4F8")
ACCENT = colors.HexColor("#1D4E89")

MARGIN = 18 * mm


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique, bold oblique) once; returns the family name.

    A TrueType font is embedded as a subset of the glyphs used, so Vietnamese, Nordic and
    Cyrillic names print on any reader."""
    files = {
        FONT: "DejaVuSans.ttf",
        FONT_BOLD: "DejaVuSans-Bold.ttf",
        FONT_ITALIC: "DejaVuSans-Oblique.ttf",
        FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    }
    for name, file_name in files.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file_name)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    return FONT


# -- what every report carries ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    name: str
    client_code: str
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """Title, letterhead, who the report is about and when it was made."""

    title: str
    letterhead: Letterhead
    generated_at: datetime
    client: ClientIdentity | None = None
    identify: Identify = Identify.FULL
    subtitle: str = ""
    confidentiality: str = field(default_factory=lambda: _(
        "Confidential: contains protected health information. Do not share without the client's "
        "authorization. If you received this in error, destroy it and tell the sender."))

    @property
    def running_client(self) -> str:
        """The client as named in each page header."""
        if self.client is None:
            return ""
        if self.identify is Identify.CODE:
            return _("Client {code}").format(code=self.client.client_code)
        return _("{name} · {code}").format(name=self.client.name, code=self.client.client_code)


def choose_sections(known: Sequence[str], sections: Iterable[str] | None) -> set[str]:
    """The sections to print ("minimum necessary"): all when `sections` is None.

    ValueError with a sentence naming the known sections for a name that isn't one."""
    if sections is None:
        return set(known)
    chosen = set(sections)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValueError(_("Unknown report section {names}. Choose from: {known}.").format(
            names=", ".join(unknown), known=", ".join(known)))
    return chosen


@dataclass(frozen=True, slots=True)
class Delivery:
    """Who a report is being sent to, and the notices that must travel with it (e.g. the 42 CFR
    Part 2 re-disclosure notice). Set around a builder call with `delivering()`; `render()` prints
    "Prepared for …" under the title and each notice, boxed, at the end."""

    recipient: str = ""
    notices: tuple[tuple[str, str], ...] = ()  # (heading, text)


_DELIVERY: ContextVar[Delivery | None] = ContextVar("waypoint_report_delivery", default=None)


@contextmanager
def delivering(delivery: Delivery) -> Iterator[None]:
    """Every report rendered inside this block names the recipient and carries the notices."""
    token = _DELIVERY.set(delivery)
    try:
        yield
    finally:
        _DELIVERY.reset(token)


# -- text ----------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Plain text made safe for a Paragraph; line breaks kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


def day(value: date | None) -> str:
    return format_date(value) if value is not None else "—"


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    h2_compact: ParagraphStyle
    h3: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    big: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("wp-body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK,
                          splitLongWords=1)
    return Styles(
        body=body,
        small=ParagraphStyle("wp-small", parent=body, fontSize=8, leading=10.5),
        muted=ParagraphStyle("wp-muted", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        label=ParagraphStyle("wp-label", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=12,
                             textColor=MUTED),
        title=ParagraphStyle("wp-title", parent=body, fontName=FONT_BOLD, fontSize=17, leading=21,
                             spaceAfter=2, textColor=ACCENT),
        h2=ParagraphStyle("wp-h2", parent=body, fontName=FONT_BOLD, fontSize=12, leading=16,
                          spaceBefore=10, spaceAfter=4, textColor=ACCENT),
        h2_compact=ParagraphStyle("wp-h2c", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=13,
                                  spaceBefore=6, spaceAfter=2, textColor=ACCENT),
        h3=ParagraphStyle("wp-h3", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13,
                          spaceBefore=6, spaceAfter=2),
        cell=ParagraphStyle("wp-cell", parent=body, fontSize=8.5, leading=11),
        cell_bold=ParagraphStyle("wp-cell-bold", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=11),
        big=ParagraphStyle("wp-big", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17),
    )


def para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A wrapping paragraph of plain text."""
    return Paragraph(esc(text), style or styles().body)


def heading(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(esc(text), style or styles().h2)


def section(title: str, *content: Flowable, style: ParagraphStyle | None = None) -> list[Flowable]:
    """A heading kept on the same page as the start of its content."""
    items = list(content)
    if not items:
        return [heading(title, style)]
    if isinstance(items[0], Table):
        # A table can be long: keeping all of it with its heading would leave most of a page empty.
        # Start it on a new page only when less than a few rows' room is left; it splits by row.
        return [CondPageBreak(32 * mm), heading(title, style), *items]
    return [KeepTogether([heading(title, style), items[0]]), *items[1:]]


def facts(rows: Sequence[tuple[str, str]], width: float, label_width: float = 42 * mm) -> Table:
    """A two-column label/value table; values wrap and the table splits across pages."""
    s = styles()
    data = [[Paragraph(esc(label), s.label), Paragraph(esc(value or "—"), s.body)] for label, value in rows]
    table = Table(data, colWidths=[label_width, width - label_width], splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def grid(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
    """A table with a repeated header row; every cell wraps and long rows split across pages."""
    s = styles()
    data: list[list[Any]] = [[Paragraph(esc(h), s.cell_bold) for h in header]]
    data += [[Paragraph(esc(v or "—"), s.cell) for v in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def bullets(lines: Sequence[str], style: ParagraphStyle | None = None) -> list[Flowable]:
    style = style or styles().body
    bullet = ParagraphStyle("wp-bullet", parent=style, leftIndent=10, bulletIndent=1)
    return [Paragraph(esc(line), bullet, bulletText="•") for line in lines]


def empty(text: str) -> Paragraph:
    return Paragraph(esc(text), styles().muted)


# -- the page furniture --------------------------------------------------------------------------


def _letterhead_block(meta: ReportMeta, width: float) -> list[Flowable]:
    s = styles()
    lh = meta.letterhead
    practice = [Paragraph(esc(lh.practice_name), s.big)]
    if lh.address:
        practice.append(Paragraph(esc(lh.address), s.muted))
    if lh.phone:
        practice.append(Paragraph(esc(lh.phone), s.muted))
    right_style = ParagraphStyle("wp-right", parent=s.muted, alignment=TA_RIGHT)
    manager = []
    if lh.signed_by:
        manager.append(Paragraph(esc(_("Case manager")), ParagraphStyle("wp-rl", parent=s.label, alignment=TA_RIGHT)))
        manager.append(Paragraph(esc(lh.signed_by), right_style))
    cells: list[Any] = []
    widths: list[float] = []
    if lh.logo_path is not None and lh.logo_path.is_file():
        logo = Image(str(lh.logo_path))
        logo._restrictSize(22 * mm, 16 * mm)
        cells.append(logo)
        widths.append(25 * mm)
    cells += [practice, manager]
    rest = width - sum(widths)
    widths += [rest * 0.6, rest * 0.4]
    head = Table([cells], colWidths=widths, hAlign="LEFT")
    head.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 1, ACCENT),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    block: list[Flowable] = [head, Spacer(1, 8), Paragraph(esc(meta.title), s.title)]
    if meta.subtitle:
        block.append(Paragraph(esc(meta.subtitle), s.muted))
    delivery = _DELIVERY.get()
    if delivery is not None and delivery.recipient:
        block.append(Paragraph(esc(_("Prepared for {recipient}").format(recipient=delivery.recipient)), s.label))
    if meta.client is not None:
        block += [Spacer(1, 4), _identity_box(meta, width)]
    block.append(Spacer(1, 6))
    return block


def _notice_box(heading_text: str, text: str, width: float) -> Table:
    s = styles()
    box = Table([[Paragraph(esc(heading_text), s.cell_bold)], [Paragraph(esc(text), s.small)]],
                colWidths=[width], hAlign="LEFT", splitInRow=1)
    box.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BOX", (0, 0), (-1, -1), 1, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return box


def _identity_box(meta: ReportMeta, width: float) -> Table:
    s = styles()
    client = meta.client
    assert client is not None
    if meta.identify is Identify.CODE:
        pairs = [(_("Client code"), client.client_code)]
    else:
        pairs = [(_("Client"), client.name), (_("Client code"), client.client_code),
                 (_("Date of birth"), day(client.date_of_birth))]
    cells = [[Paragraph(esc(label), s.label), Paragraph(esc(value), s.cell_bold)] for label, value in pairs]
    flat: list[Any] = [item for pair in cells for item in pair]
    if len(pairs) == 3:  # the name gets the most room
        fixed = [18 * mm, 27 * mm, 22 * mm, 28 * mm, 27 * mm]
        widths = [fixed[0], width - sum(fixed), *fixed[1:]]
    else:
        widths = [24 * mm, width - 24 * mm]
    box = Table([flat], colWidths=widths, hAlign="LEFT", splitInRow=1)
    box.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return box


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds pages back until the end, so each footer can say "Page X of Y"."""

    def __init__(self, *args: Any, meta: ReportMeta, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._meta = meta
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._furniture(total)
            super().showPage()
        super().save()

    def _furniture(self, total: int) -> None:
        meta = self._meta
        width, height = self._pagesize
        page = self._pageNumber
        self.saveState()
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        if page > 1:  # running header: who and what, on every page after the letterhead
            self.setFont(FONT, 7.5)
            self.drawString(MARGIN, height - 11 * mm, _fit(f"{meta.letterhead.practice_name} — {meta.title}",
                                                           FONT, 7.5, (width - 2 * MARGIN) * 0.55))
            self.drawRightString(width - MARGIN, height - 11 * mm,
                                 _fit(meta.running_client, FONT, 7.5, (width - 2 * MARGIN) * 0.43))
            self.line(MARGIN, height - 12.5 * mm, width - MARGIN, height - 12.5 * mm)
        self.line(MARGIN, 16 * mm, width - MARGIN, 16 * mm)
        self.setFont(FONT, 6.5)
        text = self.beginText(MARGIN, 12.5 * mm)
        text.setFont(FONT, 6.5)
        for line in _wrap(meta.confidentiality, FONT, 6.5, (width - 2 * MARGIN) * 0.72):
            text.textLine(line)
        self.drawText(text)
        self.setFont(FONT, 7.5)
        self.drawRightString(width - MARGIN, 12.5 * mm,
                             _("Page {page} of {total}").format(page=page, total=total))
        self.setFont(FONT, 6.5)
        self.drawRightString(width - MARGIN, 9.5 * mm, _("Generated {when}").format(
            when=format_datetime(meta.generated_at, "short")))
        self.restoreState()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    return list(simpleSplit(text, font, size, width))


def _fit(text: str, font: str, size: float, width: float) -> str:
    """One line of page furniture: shortened with an ellipsis when it would overrun."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def content_width(pagesize: tuple[float, float] = LETTER) -> float:
    return float(pagesize[0] - 2 * MARGIN)


def render(meta: ReportMeta, story: Sequence[Flowable], pagesize: tuple[float, float] = LETTER) -> bytes:
    """Lay out the letterhead and `story` on pages with header and footer; return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
        bottomMargin=21 * mm, title=meta.title, author=meta.letterhead.practice_name, subject=meta.title,
        creator="Waypoint",
    )
    flowables = _letterhead_block(meta, content_width(pagesize)) + list(story)
    delivery = _DELIVERY.get()
    if delivery is not None:
        for heading_text, text in delivery.notices:
            flowables += [Spacer(1, 10), _notice_box(heading_text, text, content_width(pagesize))]

    def make_canvas(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        kwargs["initialFontName"] = FONT
        return _NumberedCanvas(*args, meta=meta, **kwargs)

    doc.build(flowables, canvasmaker=make_canvas)
    return buffer.getvalue()


# -- charts --------------------------------------------------------------------------------------

_BAND_GOOD = colors.HexColor("#DDF3E4")
_BAND_BAD = colors.HexColor("#F9D7D7")
_BAND_MID = colors.HexColor("#FCEFCF")


def band_colours(count: int, higher_is_better: bool) -> list[colors.Color]:
    """Light fills from calm (green) to severe (red), in band order (lowest score first)."""
    if count <= 1:
        return [_BAND_GOOD] * count
    fills = []
    for i in range(count):
        t = i / (count - 1)
        if t <= 0.5:
            fills.append(colors.linearlyInterpolatedColor(_BAND_GOOD, _BAND_MID, 0, 0.5, t))
        else:
            fills.append(colors.linearlyInterpolatedColor(_BAND_MID, _BAND_BAD, 0.5, 1, t))
    return fills[::-1] if higher_is_better else fills


def trend_chart(
    title: str,
    points: Sequence[tuple[date, int]],
    bands: Sequence[Band],
    value_range: tuple[int, int],
    *,
    higher_is_better: bool = False,
    width: float = 160 * mm,
    height: float = 48 * mm,
) -> Drawing:
    """A score trend: the instrument's bands as shaded strips (labelled), scores as a line with
    dots, the first and last dates under the axis."""
    register_fonts()
    lo, hi = value_range
    span = max(hi - lo, 1)
    left, right, top, bottom = 26, 96, 14, 16
    plot_w = width - left - right
    plot_h = height - top - bottom
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 9, title, fontName=FONT_BOLD, fontSize=8.5, fillColor=INK))

    def y_of(value: float) -> float:
        return bottom + (value - lo) / span * plot_h

    fills = band_colours(len(bands), higher_is_better)
    for band, fill in zip(bands, fills, strict=True):
        y0 = y_of(max(band.min - 0.5, lo)) if band.min > lo else y_of(lo)
        y1 = y_of(min(band.max + 0.5, hi)) if band.max < hi else y_of(hi)
        drawing.add(Rect(left, y0, plot_w, y1 - y0, fillColor=fill, strokeColor=None))
        size = 6.5
        label = f"{band.label} ({band.min}–{band.max})"
        lines = [label]
        if pdfmetrics.stringWidth(label, FONT, size) > right - 6:
            lines = [band.label, f"({band.min}–{band.max})"] if y1 - y0 >= 2 * size + 1 else [band.label]
        if y1 - y0 >= size:
            middle = (y0 + y1) / 2 + (len(lines) - 1) * size / 2 - size / 3
            for n, line in enumerate(lines):
                drawing.add(String(left + plot_w + 4, middle - n * size, _fit(line, FONT, size, right - 6),
                                   fontName=FONT, fontSize=size, fillColor=MUTED))
    drawing.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=RULE, strokeWidth=0.5))
    for value in (lo, hi):
        drawing.add(String(left - 4, y_of(value) - 2.5, str(value), fontName=FONT, fontSize=6.5,
                           fillColor=MUTED, textAnchor="end"))
    ordered = sorted(points)
    if not ordered:
        drawing.add(String(left + plot_w / 2, bottom + plot_h / 2, _("No scores yet"), fontName=FONT,
                           fontSize=8, fillColor=MUTED, textAnchor="middle"))
        return drawing
    first, last = ordered[0][0], ordered[-1][0]
    days = max((last - first).days, 1)

    def x_of(on: date) -> float:
        if first == last:
            return left + plot_w / 2
        return left + 6 + (on - first).days / days * (plot_w - 12)

    coords = [(x_of(on), y_of(min(max(v, lo), hi))) for on, v in ordered]
    if len(coords) > 1:
        drawing.add(PolyLine([c for xy in coords for c in xy], strokeColor=ACCENT, strokeWidth=1.4))
    for x, y in coords:
        drawing.add(Circle(x, y, 2.1, fillColor=ACCENT, strokeColor=colors.white, strokeWidth=0.6))
    last_x, last_y = coords[-1]
    drawing.add(String(last_x, last_y + 4, str(ordered[-1][1]), fontName=FONT_BOLD, fontSize=7,
                       fillColor=INK, textAnchor="middle"))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=MUTED, strokeWidth=0.5))
    drawing.add(String(x_of(first), bottom - 10, format_date(first, "short"), fontName=FONT, fontSize=6.5,
                       fillColor=MUTED, textAnchor="start" if first != last else "middle"))
    if first != last:
        drawing.add(String(x_of(last), bottom - 10, format_date(last, "short"), fontName=FONT, fontSize=6.5,
                           fillColor=MUTED, textAnchor="end"))
    return drawing
