"""Follow-ups (stage 6): planned contacts and tasks, one-off or recurring, their occurrences, the
proposals Waypoint makes from the record, home-visit check-ins and the mileage log.

Time: a follow-up keeps its start and end as **local wall-clock time plus the IANA zone name**
(e.g. 2026-11-30T10:00 in America/Chicago). Recurrence is expanded in wall time and the zone is
applied to each occurrence, so a weekly 10:00 visit stays at 10:00 across daylight-saving changes
and a visit planned while travelling keeps the zone it was planned in. An aware UTC moment is
available for each occurrence (`Occurrence.starts_at`) for sorting across zones and for export.
A wall time that does not exist (inside a spring-forward gap) resolves as zoneinfo does (fold 0:
the offset before the change), one that happens twice (fall-back) takes its first instance.

Occurrence identity: an occurrence is named by its series and its *original* local start
(`original_start`), as iCalendar's RECURRENCE-ID does; its state (completed, missed, cancelled,
moved or changed) is kept per occurrence in an exception row, so nothing is lost when the series
is expanded again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.i18n import _
from app.models.notes import ContactType, NoteFields
from app.models.recurrence import Recurrence
from app.models.recurrence import validate as validate_recurrence


class FollowUpType(StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    OFFICE = "office"
    TELEHEALTH = "telehealth"
    PLAN_REVIEW = "plan_review"
    RESCREENING = "rescreening"
    POST_TRANSITION = "post_transition"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            FollowUpType.HOME_VISIT: _("Home visit"), FollowUpType.PHONE: _("Phone call"),
            FollowUpType.OFFICE: _("Office visit"), FollowUpType.TELEHEALTH: _("Telehealth"),
            FollowUpType.PLAN_REVIEW: _("Care-plan review"), FollowUpType.RESCREENING: _("Re-screening"),
            FollowUpType.POST_TRANSITION: _("Post-transition check-in"), FollowUpType.OTHER: _("Other"),
        }[self]

    @property
    def contact_type(self) -> ContactType:
        """The kind of contact note that records it."""
        return {
            FollowUpType.HOME_VISIT: ContactType.HOME_VISIT, FollowUpType.PHONE: ContactType.PHONE,
            FollowUpType.OFFICE: ContactType.OFFICE, FollowUpType.TELEHEALTH: ContactType.TELEHEALTH,
            FollowUpType.PLAN_REVIEW: ContactType.OFFICE, FollowUpType.RESCREENING: ContactType.OFFICE,
            FollowUpType.POST_TRANSITION: ContactType.PHONE, FollowUpType.OTHER: ContactType.OFFICE,
        }[self]

    @property
    def is_contact(self) -> bool:
        """Counts as a contact with the client for the tier cadence."""
        return self is not FollowUpType.OTHER


class Status(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"  # this slot was replaced by another follow-up

    @property
    def label(self) -> str:
        return {Status.SCHEDULED: _("Scheduled"), Status.COMPLETED: _("Completed"), Status.MISSED: _("Missed"),
                Status.CANCELLED: _("Cancelled"), Status.RESCHEDULED: _("Rescheduled")}[self]

    @property
    def open(self) -> bool:
        return self is Status.SCHEDULED


LINK_TYPES = ("care_plan", "objective", "transition", "follow_up", "proposal")


# Follow-ups, their occurrences and occurrence states are read by the ten thousand for a calendar
# window. They are values — compared and hashed by content; change one with dataclasses.replace —
# but not frozen, because a frozen dataclass takes several times as long to build.
@dataclass(slots=True, unsafe_hash=True)
class FollowUpFields:
    """What the case manager plans. `start`/`end` are local wall times in `tz`; all-day follow-ups
    use midnight and an end on the last day's midnight (inclusive days)."""

    kind: FollowUpType
    start: datetime
    end: datetime
    tz: str
    all_day: bool = False
    location: str = ""
    purpose: str = ""
    recurrence: Recurrence | None = None
    link_type: str | None = None
    link_id: str | None = None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def normalised(self) -> FollowUpFields:
        start = self.start.replace(second=0, microsecond=0, tzinfo=None)
        end = self.end.replace(second=0, microsecond=0, tzinfo=None)
        if self.all_day:
            start = datetime.combine(start.date(), time())
            end = datetime.combine(end.date(), time())
        return FollowUpFields(self.kind, start, end, self.tz, self.all_day, self.location.strip(),
                              self.purpose.strip(), self.recurrence, self.link_type, self.link_id)


@dataclass(slots=True, unsafe_hash=True)
class FollowUp:
    """A planned follow-up (a series of one occurrence when it does not repeat)."""

    id: str
    client_id: str
    fields: FollowUpFields
    last_on: date | None  # the last occurrence's local date; None when it repeats without end
    split_from: str | None = None  # the series this one continues ("this and following")
    proposal_key: str = ""
    created_by: str = ""
    updated_at: datetime | None = None

    @property
    def recurring(self) -> bool:
        return self.fields.recurrence is not None


@dataclass(slots=True, unsafe_hash=True)
class OccurrenceChange:
    """The state kept for one occurrence: its status and anything changed on it alone."""

    follow_up_id: str
    original_start: datetime
    status: Status = Status.SCHEDULED
    start: datetime | None = None  # moved to (local wall time in the series' zone)
    end: datetime | None = None
    kind: FollowUpType | None = None
    location: str | None = None
    purpose: str | None = None
    reason: str = ""  # why cancelled / missed (no client data goes to the audit trail)
    id: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Occurrence:
    """One expanded occurrence, ready for a calendar cell. A value: treat it as read-only (lists
    of them may be shared by a cache)."""

    follow_up_id: str
    client_id: str
    original_start: datetime  # local, naive: the occurrence's identity
    start: datetime  # local, naive, in `tz` (moved when the occurrence was moved)
    end: datetime
    tz: str
    all_day: bool
    kind: FollowUpType
    status: Status
    location: str
    purpose: str
    recurring: bool
    moved: bool = False
    link_type: str | None = None
    link_id: str | None = None
    client_code: str = ""
    tier: str | None = None

    @property
    def starts_at(self) -> datetime:
        """The aware moment it starts."""
        return self.start.replace(tzinfo=zone(self.tz))

    @property
    def ends_at(self) -> datetime:
        return self.end.replace(tzinfo=zone(self.tz))

    @property
    def on(self) -> date:
        return self.start.date()

    @property
    def duration_min(self) -> int:
        return max(0, int((self.end - self.start).total_seconds() // 60))

    def overdue(self, today: date) -> bool:
        """A contact is overdue the day after it is due (CASE_RECORD.md) while still scheduled."""
        last_day = self.end.date() if self.all_day else self.start.date()
        return self.status is Status.SCHEDULED and last_day < today

    def note_fields(self) -> NoteFields:
        """What a contact note recording this occurrence starts from."""
        return NoteFields(
            kind=self.kind.contact_type, contact_on=self.start.date(),
            start_time=None if self.all_day else self.start.time(),
            duration_min=None if self.all_day else min(1440, self.duration_min),
            location=self.location,
        )


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def valid_zone(name: str) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate_fields(f: FollowUpFields) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not valid_zone(f.tz):
        problems["tz"] = _("Choose a time zone from the list.")
    if f.end < f.start or (not f.all_day and f.end == f.start):
        problems["end"] = _("The end must come after the start.")
    elif f.all_day and (f.end.date() - f.start.date()).days > 31:
        problems["end"] = _("An all-day follow-up can last up to 31 days.")
    elif not f.all_day and f.end - f.start > timedelta(hours=24):
        problems["end"] = _("A follow-up can last up to 24 hours; make it all-day for longer.")
    if len(f.location) > 500:
        problems["location"] = _("Keep the location under 500 characters.")
    if len(f.purpose) > 2000:
        problems["purpose"] = _("Keep the purpose under 2,000 characters.")
    if (f.link_type is None) != (f.link_id is None) or (f.link_type is not None and f.link_type not in LINK_TYPES):
        problems["link"] = _("The link is incomplete. Choose what this follow-up is for again.")
    for key, message in validate_recurrence(f.recurrence, f.start).items():
        problems[f"recurrence.{key}"] = message
    return problems


# -- proposals -----------------------------------------------------------------------------------


class ProposalSource(StrEnum):
    CADENCE = "cadence"  # the tier's contact interval
    PLAN_REVIEW = "plan_review"
    RESCREEN = "rescreen"
    OBJECTIVE = "objective"
    TRANSITION = "transition"  # post-transition schedules (added by the transitions work)

    @property
    def label(self) -> str:
        return {ProposalSource.CADENCE: _("Contact due for the risk tier"),
                ProposalSource.PLAN_REVIEW: _("Care-plan review due"),
                ProposalSource.RESCREEN: _("Re-screening due"),
                ProposalSource.OBJECTIVE: _("Objective target date"),
                ProposalSource.TRANSITION: _("Post-transition check-in")}[self]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A follow-up Waypoint suggests. Nothing is scheduled until the case manager accepts it.
    `key` names it across recomputations (source, what it is about, due date): a dismissal or an
    acceptance is remembered under it, and a new due date (a tier change) makes a new key."""

    client_id: str
    source: ProposalSource
    kind: FollowUpType
    due_on: date
    reason: str
    source_id: str = ""
    link_type: str | None = None
    link_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source.value}:{self.source_id}:{self.due_on.isoformat()}"


# -- home visits ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitCheck:
    """A home visit in progress or done: checked in (UTC) with the expected length."""

    id: str
    client_id: str
    checked_in_at: datetime
    expected_min: int
    checked_out_at: datetime | None = None
    follow_up_id: str | None = None
    original_start: datetime | None = None

    @property
    def due_out_at(self) -> datetime:
        return self.checked_in_at + timedelta(minutes=self.expected_min)

    def overdue(self, now: datetime) -> bool:
        """Still checked in after the expected length: someone should call."""
        return self.checked_out_at is None and now > self.due_out_at

    def minutes_over(self, now: datetime) -> int:
        return max(0, int((now - self.due_out_at).total_seconds() // 60)) if self.overdue(now) else 0


@dataclass(frozen=True, slots=True)
class MileageEntry:
    id: str
    on: date
    from_place: str
    to_place: str
    distance: float
    purpose: str = ""
    client_code: str = ""


def validate_mileage(on: date, from_place: str, to_place: str, distance: float, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if on > today:
        problems["on"] = _("A journey can't be logged in the future. Check the date.")
    if not from_place.strip():
        problems["from_place"] = _("Say where the journey started.")
    if not to_place.strip():
        problems["to_place"] = _("Say where the journey ended.")
    if not 0 < distance <= 2000:
        problems["distance"] = _("Give a distance between 0.1 and 2,000.")
    return problems


@dataclass(frozen=True, slots=True)
class MileageTotal:
    start: date
    end: date
    trips: int
    distance: float
    entries: tuple[MileageEntry, ...] = field(default_factory=tuple)


# -- expansion -----------------------------------------------------------------------------------


def expand(series: FollowUp, start: date, end: date, changes: dict[tuple[str, datetime], OccurrenceChange],
           *, client_code: str = "", tier: str | None = None) -> list[Occurrence]:
    """The series' occurrences whose (possibly moved) local start falls on a day from `start` to
    `end` inclusive. `changes` holds per-occurrence state by (series id, original start); an
    occurrence moved out of the window is left to the window it moved into."""
    from app.models.recurrence import occurrence_starts

    f = series.fields
    low = datetime.combine(start, time())
    high = datetime.combine(end, time(23, 59, 59))
    out: list[Occurrence] = []
    for original in occurrence_starts(f.recurrence, f.start, low, high):
        occ = occurrence(series, original, changes.get((series.id, original)), client_code=client_code, tier=tier)
        if low <= occ.start <= high:
            out.append(occ)
    return out


def occurrence(series: FollowUp, original: datetime, change: OccurrenceChange | None, *, client_code: str = "",
               tier: str | None = None) -> Occurrence:
    f = series.fields
    begin, finish = original, original + f.duration
    kind, location, purpose, status, moved = f.kind, f.location, f.purpose, Status.SCHEDULED, False
    if change is not None:
        status = change.status
        if change.start is not None and change.end is not None:
            begin, finish, moved = change.start, change.end, change.start != original
        kind = change.kind or kind
        location = change.location if change.location is not None else location
        purpose = change.purpose if change.purpose is not None else purpose
    return Occurrence(series.id, series.client_id, original, begin, finish, f.tz, f.all_day, kind, status, location,
                      purpose, series.recurring, moved, f.link_type, f.link_id, client_code, tier)
