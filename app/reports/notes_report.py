"""Progress notes for a date range: each note with its date, type, duration, author and status
(signed, draft, late entry), its sections under their DAP/SOAP/BIRP headings, and its addenda.
Handed a `NotesReportData`; returns PDF bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, format_datetime
from app.models.client import Client
from app.models.consent import InfoType
from app.models.notes import Note, NoteFormat
from app.reports.engine import (
    ACCENT,
    FONT,
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
    render,
    section,
    styles,
)

SECTIONS = ("overview", "signed", "drafts", "addenda")
DEFAULT_SECTIONS = ("overview", "signed", "addenda")  # drafts are left out unless asked for
SECTION_INFO = dict.fromkeys(SECTIONS, InfoType.PROGRESS_NOTES)
DRAFT = colors.HexColor("#9A5B00")


def section_labels() -> dict[str, str]:
    """What each section is called, for a "choose sections" list."""
    return {
        "overview": _("Overview of the period"),
        "signed": _("Signed notes"),
        "drafts": _("Unsigned drafts"),
        "addenda": _("Addenda to signed notes"),
    }


@dataclass(frozen=True, slots=True)
class NotesReportData:
    """The client's notes whose contact date falls in [start, end], oldest first, each with its
    addenda (gathered by app/services/report_data.notes_data)."""

    client: Client
    start: date
    end: date
    notes: tuple[Note, ...] = ()


def _duration(note: Note) -> str:
    minutes = note.fields.duration_min
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("{h} h {m} min").format(h=hours, m=rest)
    if hours:
        return _("{h} h").format(h=hours)
    return _("{m} min").format(m=rest)


def _status(note: Note) -> str:
    if note.signed:
        text = _("Signed")
        if note.signed_at is not None:
            text = _("Signed {when}").format(when=format_datetime(note.signed_at, "short"))
        if note.signed_by:
            text += " " + _("by {who}").format(who=note.signed_by)
    else:
        text = _("Draft — not signed")
    if note.late_entry:
        text += " · " + _("LATE ENTRY")
    if note.entered_in_error:
        text += " · " + _("ENTERED IN ERROR")
    return text


def _note_header(note: Note, width: float) -> Table:
    s = styles()
    f = note.fields
    when = day(f.contact_on)
    if f.start_time is not None:
        when += " " + f.start_time.strftime("%H:%M")
    title_parts = [when, f.kind.label]
    if _duration(note):
        title_parts.append(_duration(note))
    title = Paragraph(esc(" · ".join(title_parts)), s.cell_bold)
    status_style = ParagraphStyle("wp-note-status", parent=s.cell,
                                  textColor=ACCENT if note.signed else DRAFT)
    status = Paragraph(esc(_status(note)), status_style)
    table = Table([[title, status]], colWidths=[width * 0.5, width * 0.5], hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 0.75, ACCENT if note.signed else RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _error_flowables(note: Note, width: float) -> list[Flowable]:
    """A note entered in error: its date, kind and the mark (why, who, when) — never its text,
    which may be about someone else."""
    assert note.error is not None
    s = styles()
    by = note.error.marked_by or _("unknown")
    rows = [(_("Entered in error"), _("{when} by {who}").format(when=format_datetime(note.error.marked_at, "short"),
                                                               who=by)),
            (_("Reason"), note.error.reason)]
    withheld = Paragraph(esc(_("The text of this note is withheld: it was marked entered in error.")), s.muted)
    return [KeepTogether([_note_header(note, width), Spacer(1, 3), facts(rows, width, 30 * mm), withheld]),
            Spacer(1, 8)]


def _note_flowables(note: Note, width: float, with_addenda: bool) -> list[Flowable]:
    if note.entered_in_error:
        return _error_flowables(note, width)
    s = styles()
    f = note.fields
    details = []
    author = note.created_by or note.signed_by
    if author:
        details.append((_("Author"), author))
    if f.location:
        details.append((_("Where"), f.location))
    if f.participants:
        details.append((_("Participants"), ", ".join(f.participants)))
    if f.format is not NoteFormat.FREE:
        details.append((_("Format"), f.format.label))
    # Groups of flowables that belong together (a heading with its text). KeepTogether is not
    # nested: reportlab then breaks the page before every group.
    groups: list[list[Flowable]] = []
    if details:
        groups.append([facts(details, width, 30 * mm)])
    written = [(sec, text.strip()) for sec, text in f.body() if text.strip()]
    if not written:
        groups.append([empty(_("Nothing written in this note."))])
    for sec, text in written:
        if f.format is NoteFormat.FREE:
            groups.append([Paragraph(esc(text), s.body)])
        else:
            groups.append([Paragraph(esc(sec.heading), s.h3), Paragraph(esc(text), s.body)])
    if with_addenda and note.addenda:
        head_style = ParagraphStyle("wp-add-h", parent=s.label, leftIndent=8, spaceBefore=4)
        addendum_style = ParagraphStyle("wp-addendum", parent=s.body, leftIndent=8)
        for addendum in note.addenda:
            by = (" " + _("by {who}").format(who=addendum.written_by)) if addendum.written_by else ""
            head = _("Addendum, {when}").format(when=format_datetime(addendum.written_at, "short")) + by
            groups.append([Paragraph(esc(head), head_style), Paragraph(esc(addendum.text), addendum_style)])
    first = [_note_header(note, width), Spacer(1, 3)] + [item for group in groups[:2] for item in group]
    story: list[Flowable] = [KeepTogether(first)]
    story += [KeepTogether(group) if len(group) > 1 else group[0] for group in groups[2:]]
    story.append(Spacer(1, 8))
    return story


def build_pdf(
    data: NotesReportData,
    letterhead: Letterhead,
    generated_at: datetime,
    *,
    sections: Iterable[str] | None = None,
    identify: Identify = Identify.FULL,
) -> bytes:
    """The progress notes as PDF bytes. `sections` (names from SECTIONS) chooses what prints;
    None prints DEFAULT_SECTIONS (signed notes and their addenda, without drafts)."""
    chosen = choose_sections(SECTIONS, DEFAULT_SECTIONS if sections is None else sections)
    client = data.client
    meta = ReportMeta(
        title=_("Progress notes"),
        subtitle=_("Contacts from {start} to {end}").format(start=day(data.start), end=day(data.end)),
        letterhead=letterhead,
        generated_at=generated_at,
        client=ClientIdentity(client.legal_name, client.client_code, client.fields.date_of_birth),
        identify=identify,
    )
    width = content_width()
    notes = sorted(data.notes, key=lambda n: (n.fields.contact_on, n.fields.start_time or datetime.min.time()))
    shown = [n for n in notes if (n.signed and "signed" in chosen) or (not n.signed and "drafts" in chosen)]
    story: list[Flowable] = []

    if "overview" in chosen:
        signed = sum(1 for n in notes if n.counts)
        in_error = sum(1 for n in notes if n.entered_in_error)
        drafts = sum(1 for n in notes if not n.signed)
        late = sum(1 for n in notes if n.late_entry and not n.entered_in_error)
        minutes = sum(n.fields.duration_min or 0 for n in shown if not n.entered_in_error)
        rows = [(_("Period"), _("{start} – {end}").format(start=day(data.start), end=day(data.end))),
                (_("Notes in this report"), str(len(shown))),
                (_("Signed"), str(signed)),
                (_("Unsigned drafts"), str(drafts) + ("" if "drafts" in chosen else " " + _("(not included)"))),
                (_("Late entries"), str(late)),
                *([(_("Entered in error"), str(in_error))] if in_error else []),
                (_("Contact time recorded"), _("{h} h {m} min").format(h=minutes // 60, m=minutes % 60))]
        story += section(_("Overview"), facts(rows, width))

    if "signed" in chosen or "drafts" in chosen:
        title = _("Notes") if {"signed", "drafts"} <= chosen else (
            _("Signed notes") if "signed" in chosen else _("Unsigned drafts"))
        head = Paragraph(esc(title), styles().h2)
        if not shown:
            story += [head, empty(_("No notes for contacts in this period."))]
        for n, note in enumerate(shown):
            items = _note_flowables(note, width, "addenda" in chosen)
            if n == 0:  # the heading stays with the first note
                first = items[0]
                assert isinstance(first, KeepTogether)
                items[0] = KeepTogether([head, *first._content])
            story += items

    if not story:
        story.append(empty(_("No sections were chosen.")))
    return render(meta, story)
