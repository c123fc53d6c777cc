"""The accounting of disclosures for one client (45 CFR 164.528): gathers the disclosure log for
the period (by default the past six years), the recipients' addresses from the directory, and
which entries the client-facing accounting lists (the rule is `disclosures_report.exclusion`).

`build_disclosures` is the catalogue's builder for the "disclosures" kind. Building writes
nothing; recording the export is app.services.report_export's job."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.consent import six_years_before
from app.reports.disclosures_report import (
    DisclosuresReportData,
    LoggedDisclosure,
    build_pdf,
    exclusion,
)
from app.reports.engine import Letterhead
from app.services.errors import NotFound

if TYPE_CHECKING:
    from app.services.reporting import Progress, ReportRequest
    from app.services.session import Session


def accounting_data(session: Session, client_id: str, start: date | None = None,
                    end: date | None = None) -> DisclosuresReportData:
    """The client's disclosures dated start..end (inclusive; by default the six years up to the
    session's today), oldest first, each with the recipient's address when the directory has it
    and whether the accounting lists it. NotFound for an unknown client; ValueError with a
    sentence when the period starts after it ends."""
    client = session.clients.get(client_id)
    today = session.clock.today()
    end = end or today
    start = start or six_years_before(end)
    if start > end:
        raise ValueError(_("The period starts after it ends. Put the start date first."))
    names = (client.legal_name, client.display_name)
    addresses: dict[str, str] = {}
    entries: list[LoggedDisclosure] = []
    for d in reversed(session.consents.disclosures(client_id, start)):
        if _local_day(d.disclosed_at) > end:
            continue
        if d.contact_id and d.contact_id not in addresses:
            try:
                addresses[d.contact_id] = session.contacts.get(d.contact_id).fields.address
            except NotFound:
                addresses[d.contact_id] = ""
        entries.append(LoggedDisclosure(d, addresses.get(d.contact_id or "", ""), exclusion(d, names)))
    entries.sort(key=lambda e: e.disclosure.disclosed_at)
    return DisclosuresReportData(client=client, start=start, end=end, entries=tuple(entries))


def _local_day(value: datetime) -> date:
    return (value.astimezone() if value.tzinfo is not None else value).date()


def build_disclosures(session: Session, request: ReportRequest, letterhead: Letterhead,
                      generated_at: datetime, progress: Progress | None = None) -> bytes:
    """The catalogue builder for kind "disclosures": the accounting for `request.client_id`
    over request.start..request.end (default: the past six years). Sections default to the
    client-facing ones (summary, accounting); "full_log" only when asked for."""
    from app.reports import disclosures_report

    if not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    data = accounting_data(session, request.client_id, request.start, request.end)
    sections = request.sections if request.sections is not None else disclosures_report.DEFAULT_SECTIONS
    if progress is not None:
        progress(1, 1)
    return build_pdf(data, letterhead, generated_at, sections=sections, identify=request.identify)
