"""Calendar export (ICS) of upcoming follow-ups, safe for a personal calendar.

Each occurrence is exported as its own event (expanded, not as an RRULE): moved, cancelled and
completed occurrences are then exactly as in Waypoint in every calendar program, and nothing
about a series' pattern leaks beyond the period chosen. Cancelled, completed and missed
occurrences are left out. Each event names the client by client code only (or by initials or
full name when asked), plus the type of contact — no location, purpose, description, attendee or
link. UIDs are hashes, stable across exports so re-importing updates rather than duplicates.
Times carry their zone (TZID, with VTIMEZONE components).

The file is written atomically with mode 0600 and the export is recorded in the audit trail
(the count and the naming mode only).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from app import __version__
from app.i18n import _
from app.models.follow_ups import Occurrence, Status
from app.store.files import atomic_write, ensure_private_dir

if TYPE_CHECKING:
    from app.services.session import Session

DEFAULT_DAYS = 30
DEFAULT_NAME = "waypoint-follow-ups.ics"


class Naming(StrEnum):
    CODE = "code"
    INITIALS = "initials"
    FULL = "full"


def _uid(o: Occurrence) -> str:
    digest = hashlib.sha256(f"{o.follow_up_id}|{o.original_start.isoformat()}".encode()).hexdigest()[:32]
    return f"{digest}@waypoint"


def _names(session: Session, client_ids: set[str], naming: Naming) -> dict[str, str]:
    if naming is Naming.CODE or not client_ids:
        return {}
    out: dict[str, str] = {}
    for row in session.clients.rows(sorted(client_ids)):
        out[row.id] = row.display_name if naming is Naming.FULL else row.initials
    return out


def build_ics(session: Session, start: date, days: int = DEFAULT_DAYS, naming: Naming = Naming.CODE) -> tuple[bytes, int]:
    """The iCalendar bytes of the scheduled occurrences from `start` for `days` days, and how many."""
    if days < 1 or days > 366:
        raise ValueError(_("Choose between 1 and 366 days."))
    found = [o for o in session.follow_ups.occurrences(start, start + timedelta(days=days - 1))
             if o.status is Status.SCHEDULED]
    names = _names(session, {o.client_id for o in found}, naming)
    cal = Calendar()
    cal.add("prodid", f"-//Waypoint//Waypoint {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    stamp = session.clock.now()
    for o in found:
        event = Event()
        event.add("uid", _uid(o))
        event.add("dtstamp", stamp)
        who = names.get(o.client_id) or o.client_code
        event.add("summary", f"{o.kind.label} — {who}")
        if o.all_day:
            event.add("dtstart", o.start.date())
            event.add("dtend", o.end.date() + timedelta(days=1))
        else:
            event.add("dtstart", o.starts_at)
            event.add("dtend", o.ends_at)
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical(), len(found)


def export_ics(session: Session, dest: Path, start: date | None = None, days: int = DEFAULT_DAYS,
               naming: Naming = Naming.CODE) -> tuple[Path, int]:
    """Write the calendar to `dest` (a file, or a folder for the default neutral name), 0600 and
    atomically, and audit it. Returns the path and the number of events."""
    if dest.is_dir():
        dest = dest / DEFAULT_NAME
    if not dest.parent.exists():
        ensure_private_dir(dest.parent)
    data, count = build_ics(session, start or session.clock.today(), days, naming)
    atomic_write(dest, data)
    session.record("export.ics", "vault", session.vault.vault_id, f"events={count},days={days},names={naming.value}")
    return dest, count
