"""The mileage report for a period: each journey (date, from, to, distance, purpose, client
code — never a client's name) and the total. Handed a `MileageReportData`; returns PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, TableStyle

from app.i18n import _
from app.models.consent import InfoType
from app.models.follow_ups import MileageEntry
from app.models.units import DistanceUnit, distance_text
from app.reports.engine import (
    RULE,
    SHADE,
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
)

SECTIONS = ("summary", "journeys")
SECTION_INFO = dict.fromkeys(SECTIONS, InfoType.DEMOGRAPHICS)  # client codes only; never sent to a recipient


def section_labels() -> dict[str, str]:
    return {"summary": _("Total for the period"), "journeys": _("Journeys")}


@dataclass(frozen=True, slots=True)
class MileageReportData:
    """The journeys logged with a date in [start, end] (app/services/report_data.mileage_data)."""

    start: date
    end: date
    entries: tuple[MileageEntry, ...] = ()
    case_manager: str = ""

    @property
    def total(self) -> float:
        return round(sum(e.distance for e in self.entries), 1)


def build_pdf(
    data: MileageReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
) -> bytes:
    """The mileage report as PDF bytes; clients appear by client code only."""
    chosen = choose_sections(SECTIONS, sections)
    meta = ReportMeta(
        title=_("Mileage report"),
        subtitle=_("Journeys from {start} to {end}").format(start=day(data.start), end=day(data.end)),
        letterhead=letterhead,
        generated_at=generated_at,
    )
    width = content_width()
    unit = letterhead.distance_unit
    entries = sorted(data.entries, key=lambda e: (e.on, e.from_place, e.to_place))
    story: list[Flowable] = []

    if "summary" in chosen:
        rows = [(_("Period"), _("{start} – {end}").format(start=day(data.start), end=day(data.end))),
                (_("Journeys"), str(len(entries))),
                (_("Total distance"), distance_text(data.total, unit)),
                (_("Unit"), DistanceUnit(unit).label)]
        if data.case_manager or letterhead.signed_by:
            rows.insert(0, (_("Claimed by"), data.case_manager or letterhead.signed_by))
        story += section(_("Total for the period"), facts(rows, width))

    if "journeys" in chosen:
        if entries:
            widths = [width * w for w in (0.13, 0.2, 0.2, 0.11, 0.24, 0.12)]
            rows_ = [[day(e.on), e.from_place, e.to_place, distance_text(e.distance), e.purpose, e.client_code]
                     for e in entries]
            rows_.append([" ", " ", _("Total"), distance_text(data.total), " ", " "])  # the unit heads the column
            distance = _("Distance ({unit})").format(unit=DistanceUnit(unit).symbol)
            table = grid([_("Date"), _("From"), _("To"), distance, _("Purpose"), _("Client code")],
                         rows_, widths)
            last = len(rows_)
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, last), (-1, last), SHADE),
                ("LINEABOVE", (0, last), (-1, last), 1, RULE),
            ]))
            story += section(_("Journeys"), table)
        else:
            story += section(_("Journeys"), empty(_("No journeys logged in this period.")))

    if not story:
        story.append(empty(_("No sections were chosen.")))
    story.append(Spacer(1, 6 * mm))
    return render(meta, story)
