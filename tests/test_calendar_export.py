"""ICS export: a valid iCalendar file of upcoming occurrences that names clients by code only in
default mode — no name, place or purpose — keeps each zone, leaves cancelled ones out, is 0600 and
audited."""

from __future__ import annotations

import stat
from datetime import date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar

from app.models.follow_ups import FollowUpFields, FollowUpType, Status
from app.models.recurrence import Frequency, Recurrence
from app.services.calendar_export import Naming, build_ics, export_ics
from app.services.session import Session
from tests.conftest import person

PLACE = "Flat 4, 12 Canary Street"
PURPOSE = "Talk about the eviction notice"


def plan(session: Session) -> tuple[str, str]:
    client = session.clients.create(person(first_name="Zuzanna", last_name="Wójcik-Canary"))
    start = datetime(2026, 11, 27, 10)
    fu = session.follow_ups.schedule(client.id, FollowUpFields(
        FollowUpType.HOME_VISIT, start, start + timedelta(hours=1), "America/New_York", location=PLACE,
        purpose=PURPOSE, recurrence=Recurrence(Frequency.WEEKLY, count=4)))
    session.follow_ups.cancel_occurrence(fu.id, datetime(2026, 12, 11, 10))
    day = datetime(2026, 12, 1)
    session.follow_ups.schedule(client.id, FollowUpFields(FollowUpType.RESCREENING, day, day, "Europe/Berlin",
                                                          all_day=True, purpose=PURPOSE))
    return client.id, client.client_code


def test_default_export_parses_and_names_only_the_client_code(session: Session, tmp_path: Path) -> None:
    _cid, code = plan(session)
    path, count = export_ics(session, tmp_path / "out.ics", days=30)
    assert count == 4  # 3 visits (one cancelled) + the all-day re-screening
    data = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 4
    assert all(code in str(e["SUMMARY"]) for e in events)
    for secret in ("Zuzanna", "Wójcik", "Canary", "eviction", "Flat 4", "Z.W."):
        assert secret.encode() not in data and secret not in data.decode()
    assert not any(k in e for e in events for k in ("LOCATION", "DESCRIPTION", "ATTENDEE", "URL"))
    visits = sorted((e for e in events if "Home visit" in str(e["SUMMARY"])), key=lambda e: e["DTSTART"].dt)
    assert [e["DTSTART"].dt.hour for e in visits] == [10, 10, 10]
    assert str(visits[0]["DTSTART"].dt.tzinfo) == "America/New_York"
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["America/New_York"]  # all-day: floating dates
    all_day = next(e for e in events if "Re-screening" in str(e["SUMMARY"]))
    assert all_day["DTSTART"].dt == date(2026, 12, 1)
    audit = session.connection.execute("SELECT detail FROM audit WHERE action = 'export.ics'").fetchall()
    assert audit == [("events=4,days=30,names=code",)]


def test_uids_are_stable_and_other_naming_modes(session: Session) -> None:
    plan(session)
    first, _n = build_ics(session, date(2026, 11, 26), 30)
    again, _n = build_ics(session, date(2026, 11, 26), 30)
    uids = [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in Calendar.from_ical(again).walk("VEVENT")] and len(set(uids)) == 4
    initials, _n = build_ics(session, date(2026, 11, 26), 30, Naming.INITIALS)
    assert b"Z.W." in initials and b"Zuzanna" not in initials
    full, _n = build_ics(session, date(2026, 11, 26), 30, Naming.FULL)
    assert "Zuzanna" in full.decode()
    assert PLACE.encode() not in full


def test_only_scheduled_occurrences_in_the_period_are_exported(session: Session, clock) -> None:  # type: ignore[no-untyped-def]
    cid, _code = plan(session)
    data, count = build_ics(session, date(2026, 12, 5), 3)
    assert count == 0 and Calendar.from_ical(data).walk("VEVENT") == []
    clock.advance(days=2)
    fu = session.follow_ups.for_client(cid)[0]
    session.follow_ups.set_status(fu.id, datetime(2026, 11, 27, 10), Status.COMPLETED)
    _data, count = build_ics(session, date(2026, 11, 27), 30)
    assert count == 3
