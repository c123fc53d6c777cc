"""Gathering what a report shows, through the session's services (no SQL here): the report
builders in app/reports are then handed plain data."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from app.reports.client_summary import ClientSummaryData, ScoreHistory
from app.reports.mileage_report import MileageReportData
from app.reports.notes_report import NotesReportData
from app.services import instruments

if TYPE_CHECKING:
    from app.services.session import Session

FOLLOW_UP_HORIZON_DAYS = 60
FIRST_INSTRUMENTS = ("phq9", "gad7", "cssrs_screener")


def summary_data(session: Session, client_id: str, *, horizon_days: int = FOLLOW_UP_HORIZON_DAYS) -> ClientSummaryData:
    """The face sheet's data for one client as of the session's today: identity, tier, the
    latest score of each instrument with its history, the care plan in force, the care team,
    the signed safety plan and the follow-ups scheduled in the next `horizon_days`.
    NotFound for an unknown client."""
    client = session.clients.get(client_id)
    today = session.clock.today()
    catalog = instruments.catalog()
    latest = session.screening.latest(client_id)
    order = [i for i in FIRST_INSTRUMENTS if i in latest] + sorted(i for i in latest if i not in FIRST_INSTRUMENTS)
    scores = []
    for instrument_id in order:
        instrument = catalog.get(instrument_id)
        if instrument is None:
            continue
        points = tuple((p.on, p.value) for p in session.care_plans.scores(client_id, instrument_id))
        scores.append(ScoreHistory(instrument, latest[instrument_id], points))
    history = session.risk.history(client_id)
    follow_ups = session.follow_ups.scheduled(today, today + timedelta(days=horizon_days), client_id)
    return ClientSummaryData(
        client=client,
        as_of=today,
        tier=history[-1] if history else None,
        scores=tuple(scores),
        care_plan=session.care_plans.current(client_id),
        team=tuple(session.contacts.team(client_id)),
        safety_plan=session.safety_plans.current(client_id),
        follow_ups=tuple(follow_ups),
    )


def notes_data(session: Session, client_id: str, start: date, end: date, *,
               include_drafts: bool = True) -> NotesReportData:
    """The client's notes for contacts dated start..end (inclusive), oldest first, each with its
    addenda; drafts left out unless `include_drafts`. NotFound for an unknown client."""
    client = session.clients.get(client_id)
    picked = [n for n in session.notes.notes(client_id)
              if start <= n.fields.contact_on <= end and (include_drafts or n.signed)]
    full = [session.notes.get(n.id) if n.addenda_count else n for n in picked]
    full.sort(key=lambda n: (n.fields.contact_on, n.fields.start_time or time.min))
    return NotesReportData(client=client, start=start, end=end, notes=tuple(full))


def mileage_data(session: Session, start: date, end: date) -> MileageReportData:
    """The journeys logged with a date in start..end (inclusive), by client code only."""
    return MileageReportData(start=start, end=end, entries=tuple(session.follow_ups.mileage(start, end)))
