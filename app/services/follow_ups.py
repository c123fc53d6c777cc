"""Follow-ups (stage 6): planned contacts and tasks, one-off or recurring, and proposals.

The API the calendar views, the Today page, transitions and check-ins build on:

Planning
- `schedule(client_id, fields)` → FollowUp: a one-off or recurring follow-up (ValidationError
  with a sentence per field, recurrence problems under "recurrence.<part>").
- `update(follow_up_id, fields)`: the whole series ("all occurrences"); kept occurrence states
  whose occurrence still exists stay, the others are dropped. Use `edit_following` when the past
  of a series must stay as it was.
- `edit_occurrence(id, original_start, start=…, end=…, kind=…, location=…, purpose=…)`: "this
  one" — moves or changes one occurrence (drag in the week view).
- `following_fields(id, original_start)` → the fields a "this and following" edit starts from;
  `edit_following(id, original_start, fields)` → the new series (the old one now ends before).
- `cancel_occurrence`, `set_status(id, original_start, Status.COMPLETED | MISSED | SCHEDULED)`,
  `complete(id, original_start)` → NoteFields to open the contact-note editor with.
- `remove(id)`: the whole series (soft delete).

Reading (windows are local dates, inclusive)
- `occurrences(start, end, client_id=None)` → expanded occurrences sorted by their moment, each
  with client code, current tier, status, `overdue(today)`, `starts_at` (aware).
- `scheduled(start, end, client_id=None, kinds=None)` → the same, still scheduled only (outcomes
  filtered in the database: quick over a long look back).
- `overdue(today)`, `due_on(day)`, `outreach(today)` (missed or overdue contacts of clients at High
  or Crisis, until a later contact is completed).
- `rescreenings_due(today, within_days=7)` → the re-screening proposals of the whole caseload, in a
  few queries.

Speed: parsed series are kept per session by id and updated_at; expanded windows are kept in a
small cache that temporary triggers on the connection keep honest (a write to a follow-up, an
occurrence state or a client — by anyone, through this connection or another — empties it; a
write by this service re-expands just the series it wrote in each cached window).

Proposals
- `proposals(client_id, today=None)` → drafts from the tier cadence, care-plan review date,
  re-screening interval, objective target dates, and any source added with
  `register_proposal_source` (transitions will add post-transition check-ins there).
- `accept_proposal(proposal, fields=None)` (moved = accepted with other fields),
  `dismiss_proposal(proposal)`.

Home visits: `check_in`, `check_out`, `open_visits`, `checked_in_overdue(now)`; mileage:
`log_mileage`, `mileage(start, end)`, `mileage_total(start, end)`.

Audit entries name the follow-up and what happened (status, counts) — never a place or purpose.
"""

from __future__ import annotations

import contextlib
import gc
import os
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import _, format_date
from app.models.care_plan import ObjectiveStatus
from app.models.follow_ups import (
    FollowUp,
    FollowUpFields,
    FollowUpType,
    MileageEntry,
    MileageTotal,
    Occurrence,
    OccurrenceChange,
    Proposal,
    ProposalSource,
    Status,
    VisitCheck,
    occurrence,
    validate_fields,
    validate_mileage,
    zone,
)
from app.models.notes import NoteFields
from app.models.recurrence import (
    Expander,
    ended_before,
    expander,
    last_date,
    occurrence_starts,
    remaining_count,
)
from app.models.risk import Tier
from app.services.errors import NotFound, ValidationError
from app.store.db import Connection
from app.store.follow_ups_repo import FollowUpRepository

if TYPE_CHECKING:
    from app.services.session import Session

ProposalSourceFn = Callable[["Session", str, date], list[Proposal]]
_EXTRA_SOURCES: list[ProposalSourceFn] = []
OUTREACH_TIERS = (Tier.HIGH.value, Tier.CRISIS.value)


_BY_WALL_TIME = attrgetter("start", "client_code", "follow_up_id")
_BY_MOMENT = attrgetter("starts_at", "client_code", "follow_up_id")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A window builds tens of thousands of small objects; the cyclic collector's passes over the
    whole heap in the middle of that (none of them can be garbage) would double the time. It
    resumes, on its usual schedule, afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _sort(found: list[Occurrence]) -> None:
    """By moment, then client code and series. In one zone (the usual case) the wall times order
    them as the aware moments would — Python compares aware times of the same zone by wall time
    too — without building an aware time for each."""
    if len({o.tz for o in found}) <= 1:
        found.sort(key=_BY_WALL_TIME)
    else:
        found.sort(key=_BY_MOMENT)


def register_proposal_source(source: ProposalSourceFn) -> None:
    """Add a proposal source (session, client_id, today) → proposals; transitions use it for
    post-transition check-ins. Keys must be stable across calls for dismissals to hold."""
    if source not in _EXTRA_SOURCES:
        _EXTRA_SOURCES.append(source)


def local_zone_name() -> str:
    """The IANA name of this computer's zone (TZ, then /etc/localtime), or UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name and "/" in name:
        return name
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo" + os.sep
        if marker in target:
            return target.split(marker, 1)[1]
    except OSError:
        pass
    tz = Path("/etc/timezone")
    try:
        text = tz.read_text().strip()
        if text:
            return text
    except OSError:
        pass
    return "UTC"


WindowKey = tuple[object, ...]
SERIES_CACHE_LIMIT = 30_000  # parsed series kept (about 25 MB at most); beyond it the cache starts again
WINDOW_CACHE_LIMIT = 60_000  # occurrences kept in cached windows, all windows together


class FollowUpService:
    def __init__(self, session: Session) -> None:
        self._session = session
        # Parsed series by id, with the updated_at they were read at; kept across writes (a series
        # changed by this service is dropped here, any other change shows in updated_at).
        self._series: dict[str, tuple[str, FollowUp]] = {}
        # Date ranges whose series (all clients) have all been read into _series since it was last
        # emptied: a later read inside one asks the database for ids and stamps only.
        self._covered: list[tuple[date, date]] = []
        # Expanded windows, most recently used last; emptied whenever anything is written.
        self._windows: OrderedDict[WindowKey, list[Occurrence]] = OrderedDict()
        self._window_size = 0
        self._clients: dict[str, tuple[str, str | None]] | None = None
        self._recurring: list[tuple[str, str, str, date, date | None, str]] | None = None
        self._expanders: dict[str, tuple[FollowUp, Expander]] = {}
        self._conn: object = None
        self._counted = False
        self._stamp: tuple[int, int, int, int] | None = None

    @property
    def _repo(self) -> FollowUpRepository:
        return FollowUpRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    def _now(self) -> datetime:
        return self._session.clock.now()

    def default_zone(self) -> str:
        return local_zone_name()

    # -- planning ------------------------------------------------------------------------------

    def get(self, follow_up_id: str) -> FollowUp:
        fu = self._repo.get(follow_up_id)
        if fu is None:
            raise NotFound(_("The follow-up"))
        return fu

    def for_client(self, client_id: str) -> list[FollowUp]:
        return self._repo.for_client(client_id)

    def _checked(self, fields: FollowUpFields) -> FollowUpFields:
        fields = fields.normalised()
        problems = validate_fields(fields)
        if problems:
            message = next((m for k, m in problems.items() if k.startswith("recurrence.")), None)
            raise ValidationError(problems, message)
        return fields

    def schedule(self, client_id: str, fields: FollowUpFields, *, proposal_key: str = "") -> FollowUp:
        fields = self._checked(fields)
        self._session.clients.get(client_id)
        fu = FollowUp(str(uuid.uuid4()), client_id, fields, last_date(fields.recurrence, fields.start),
                      proposal_key=proposal_key, created_by=self._session.actor)
        with self._writing(fu.id) as conn:
            FollowUpRepository(conn).insert(fu, self._now())
            self._session.audit("follow_up.create", "follow_up", fu.id,
                                f"kind={fields.kind.value},recurring={int(fu.recurring)}")
        return fu

    def update(self, follow_up_id: str, fields: FollowUpFields) -> FollowUp:
        old = self.get(follow_up_id)
        fields = self._checked(fields)
        new = replace(old, fields=fields, last_on=last_date(fields.recurrence, fields.start))
        stale = [c.original_start for c in self._repo.changes(follow_up_id) if not self._is_occurrence(new, c.original_start)]
        with self._writing(follow_up_id, series=True) as conn:
            repo = FollowUpRepository(conn)
            repo.update(new, self._now())
            repo.drop_changes(follow_up_id, stale, self._now())
            self._session.audit("follow_up.update", "follow_up", follow_up_id, f"scope=all,dropped={len(stale)}")
        return self.get(follow_up_id)

    def remove(self, follow_up_id: str) -> None:
        self.get(follow_up_id)
        with self._writing(follow_up_id, series=True) as conn:
            FollowUpRepository(conn).remove(follow_up_id, self._now())
            self._session.audit("follow_up.remove", "follow_up", follow_up_id)

    @staticmethod
    def _is_occurrence(fu: FollowUp, original_start: datetime) -> bool:
        return occurrence_starts(fu.fields.recurrence, fu.fields.start, original_start, original_start) == [original_start]

    def _series_and_change(self, follow_up_id: str, original_start: datetime) -> tuple[FollowUp, OccurrenceChange]:
        fu = self.get(follow_up_id)
        original_start = original_start.replace(tzinfo=None, second=0, microsecond=0)
        if not self._is_occurrence(fu, original_start):
            message = _("This follow-up has no occurrence on {date}. It may have been changed; refresh and try again.").format(
                date=format_date(original_start.date()))
            raise ValidationError({"original_start": message}, message)
        change = self._repo.change(follow_up_id, original_start) or OccurrenceChange(
            follow_up_id, original_start, id=str(uuid.uuid4()))
        return fu, change

    def occurrence(self, follow_up_id: str, original_start: datetime) -> Occurrence:
        fu, change = self._series_and_change(follow_up_id, original_start)
        return occurrence(fu, change.original_start, change)

    def edit_occurrence(self, follow_up_id: str, original_start: datetime, *, start: datetime | None = None,
                        end: datetime | None = None, kind: FollowUpType | None = None, location: str | None = None,
                        purpose: str | None = None) -> Occurrence:
        """Change this occurrence only ("this one"): move it (start, and end or the same length),
        or change its type, place or purpose. The rest of the series is untouched."""
        fu, change = self._series_and_change(follow_up_id, original_start)
        current = occurrence(fu, change.original_start, change)
        new_start = (start or current.start).replace(tzinfo=None, second=0, microsecond=0)
        new_end = (end.replace(tzinfo=None, second=0, microsecond=0) if end is not None
                   else new_start + (current.end - current.start))
        probe = replace(fu.fields, start=new_start, end=new_end, recurrence=None,
                        location=location if location is not None else current.location,
                        purpose=purpose if purpose is not None else current.purpose)
        problems = {k: m for k, m in validate_fields(probe).items() if not k.startswith("recurrence")}
        if problems:
            raise ValidationError(problems)
        moved = new_start != change.original_start or new_end != change.original_start + fu.fields.duration
        change = replace(change, start=new_start if moved else None, end=new_end if moved else None,
                         kind=kind if kind is not None and kind is not fu.fields.kind else change.kind,
                         location=location.strip() if location is not None else change.location,
                         purpose=purpose.strip() if purpose is not None else change.purpose)
        with self._writing(follow_up_id) as conn:
            FollowUpRepository(conn).put_change(change, self._now())
            self._session.audit("follow_up.edit_one", "follow_up", follow_up_id, f"moved={int(moved)}")
        return occurrence(fu, change.original_start, change)

    def set_status(self, follow_up_id: str, original_start: datetime, status: Status, reason: str = "") -> Occurrence:
        """Record what became of one occurrence: completed, missed, cancelled, or back to scheduled."""
        fu, change = self._series_and_change(follow_up_id, original_start)
        when = change.start or change.original_start
        if status in (Status.COMPLETED, Status.MISSED) and when.date() > self._today():
            message = _("This follow-up is on {date}, still to come: it can't be marked {status} yet.").format(
                date=format_date(when.date()), status=status.label.lower())
            raise ValidationError({"status": message}, message)
        change = replace(change, status=status, reason=reason.strip())
        with self._writing(follow_up_id) as conn:
            FollowUpRepository(conn).put_change(change, self._now())
            self._session.audit("follow_up.status", "follow_up", follow_up_id, f"status={status.value}")
        return occurrence(fu, change.original_start, change)

    def cancel_occurrence(self, follow_up_id: str, original_start: datetime, reason: str = "") -> Occurrence:
        return self.set_status(follow_up_id, original_start, Status.CANCELLED, reason)

    def complete(self, follow_up_id: str, original_start: datetime) -> NoteFields:
        """Mark the occurrence completed and return what the contact note starts from."""
        return self.set_status(follow_up_id, original_start, Status.COMPLETED).note_fields()

    def note_fields(self, follow_up_id: str, original_start: datetime) -> NoteFields:
        """Type (as a note ContactType), date, start time, duration and place of one occurrence."""
        return self.occurrence(follow_up_id, original_start).note_fields()

    def following_fields(self, follow_up_id: str, original_start: datetime) -> FollowUpFields:
        """The fields a "this and following" edit starts from: this occurrence's time, and a count
        reduced by the occurrences before it."""
        fu, _change = self._series_and_change(follow_up_id, original_start)
        f = fu.fields
        rec = f.recurrence
        if rec is not None and rec.count is not None:
            rec = replace(rec, count=remaining_count(rec, f.start, original_start))
        start = original_start.replace(tzinfo=None, second=0, microsecond=0)
        return replace(f, start=start, end=start + f.duration, recurrence=rec)

    def edit_following(self, follow_up_id: str, original_start: datetime, fields: FollowUpFields) -> FollowUp:
        """"This and following": the series ends before this occurrence and a new series (with
        `fields`) continues from it. Occurrence states from here on go to the new series where
        the occurrence still exists there. Editing from the first occurrence edits the series."""
        fu, _change = self._series_and_change(follow_up_id, original_start)
        original_start = _change.original_start
        fields = self._checked(fields)
        if original_start == fu.fields.start:
            return self.update(follow_up_id, fields)
        assert fu.fields.recurrence is not None  # a one-off has only its first occurrence
        cut = ended_before(fu.fields.recurrence, fu.fields.start, original_start)
        old = replace(fu, fields=replace(fu.fields, recurrence=cut), last_on=last_date(cut, fu.fields.start))
        new = FollowUp(str(uuid.uuid4()), fu.client_id, fields, last_date(fields.recurrence, fields.start),
                       split_from=fu.id, created_by=self._session.actor)
        later = [c.original_start for c in self._repo.changes(follow_up_id) if c.original_start >= original_start]
        keep = [o for o in later if self._is_occurrence(new, o)]
        drop = [o for o in later if o not in keep]
        now = self._now()
        with self._writing(follow_up_id, new.id, series=True) as conn:
            repo = FollowUpRepository(conn)
            repo.update(old, now)
            repo.insert(new, now)
            repo.drop_changes(follow_up_id, drop, now)
            repo.move_changes(follow_up_id, new.id, keep, now)
            self._session.audit("follow_up.split", "follow_up", follow_up_id, f"new={new.id}")
        return new

    def end_series(self, follow_up_id: str, after: date) -> FollowUp:
        """Stop a recurring follow-up: no occurrence after the day `after`."""
        fu = self.get(follow_up_id)
        if fu.fields.recurrence is None:
            return fu
        cut = ended_before(fu.fields.recurrence, fu.fields.start, datetime.combine(after + timedelta(days=1), time()))
        if cut is None:
            self.remove(follow_up_id)
            return fu
        new = replace(fu, fields=replace(fu.fields, recurrence=cut), last_on=last_date(cut, fu.fields.start))
        with self._writing(follow_up_id, series=True) as conn:
            FollowUpRepository(conn).update(new, self._now())
            self._session.audit("follow_up.end", "follow_up", follow_up_id)
        return new

    # -- reading -------------------------------------------------------------------------------

    def occurrences(self, start: date, end: date, client_id: str | None = None, *,
                    client_ids: Iterable[str] | None = None, include_cancelled: bool = True) -> list[Occurrence]:
        """Every occurrence whose (moved) local start falls between the local dates `start` and
        `end` inclusive, sorted by start; archived clients left out. The occurrences are values
        shared with a cache: don't change them (dataclasses.replace makes a changed copy).

        Cost: one indexed query for the series (parsed series are kept by id and updated_at), one
        for the occurrence states, expansion in memory; a window read again before anything is
        written comes from a small cache."""
        ids = frozenset(client_ids) if client_ids is not None else None
        found = self._window(start, end, client_id, ids)
        if not include_cancelled:
            return [o for o in found if o.status is not Status.CANCELLED]
        return list(found)

    def due_on(self, day: date) -> list[Occurrence]:
        """Still-scheduled occurrences on the local date `day`, in time order."""
        return [o for o in self.occurrences(day, day) if o.status is Status.SCHEDULED]

    def scheduled(self, start: date, end: date, client_id: str | None = None, *,
                  kinds: Iterable[FollowUpType] | None = None) -> list[Occurrence]:
        """Occurrences still scheduled (no outcome recorded) whose (moved) local start falls from
        `start` to `end` inclusive, sorted like `occurrences`; `kinds` filters on the follow-up's
        type. The same as filtering `occurrences`, but the outcomes are filtered in the database,
        so a long look back over mostly completed contacts stays quick."""
        kind_values = frozenset(k.value for k in kinds) if kinds is not None else None
        key = ("scheduled", start, end, client_id, kind_values)
        self._sync()
        hit = self._windows.get(key)
        if hit is not None:
            self._windows.move_to_end(key)
            return list(hit)
        with _gc_paused():
            found = self._scheduled_in(start, end, client_id, kind_values)
        self._remember(key, found)
        return list(found)

    def conflicts(self, start: datetime, end: datetime, tz: str, *, all_day: bool = False,
                  exclude: tuple[str, datetime] | None = None) -> list[Occurrence]:
        """Scheduled, timed occurrences that overlap [start, end) (local wall times in `tz`) —
        the double bookings to warn about. All-day follow-ups never clash; `exclude` is the
        (follow_up_id, original_start) of the occurrence being moved or edited."""
        if all_day or end <= start:
            return []
        begin, finish = start.replace(tzinfo=zone(tz)), end.replace(tzinfo=zone(tz))
        found = self.occurrences(start.date() - timedelta(days=1), end.date() + timedelta(days=1),
                                 include_cancelled=False)
        return [o for o in found
                if o.status is Status.SCHEDULED and not o.all_day
                and (exclude is None or (o.follow_up_id, o.original_start) != exclude)
                and o.starts_at < finish and begin < o.ends_at]

    def overdue(self, today: date | None = None, *, lookback_days: int = 90,
                client_id: str | None = None) -> list[Occurrence]:
        """Still-scheduled occurrences from the last `lookback_days` whose day has passed."""
        today = today or self._today()
        start = today - timedelta(days=lookback_days)
        return [o for o in self.scheduled(start, today - timedelta(days=1), client_id) if o.overdue(today)]

    def outreach(self, today: date | None = None, *, lookback_days: int = 30) -> list[Occurrence]:
        """Missed (or overdue) contacts of clients now at High or Crisis, from the last
        `lookback_days`, for which no later contact has been completed — oldest first."""
        today = today or self._today()
        clients = self._repo.clients_at_tiers(OUTREACH_TIERS)
        if not clients:
            return []
        found = self.occurrences(today - timedelta(days=lookback_days), today, client_ids=clients)
        last_done: dict[str, datetime] = {}
        for o in found:
            if o.status is Status.COMPLETED and o.kind.is_contact:
                last_done[o.client_id] = max(last_done.get(o.client_id, o.start), o.start)
        out = []
        for o in found:
            if not o.kind.is_contact or not (o.status is Status.MISSED or o.overdue(today)):
                continue
            done = last_done.get(o.client_id)
            if done is None or done < o.start:
                out.append(o)
        return out

    # -- windows: caches and expansion ------------------------------------------------------------

    def _sync(self) -> None:
        """Bring the caches up to date with what has been written since they were filled: a
        client (codes, tiers, archiving), a follow-up or an occurrence state empties the windows;
        a follow-up also the list of recurring series; a commit through another connection
        everything."""
        conn = self._session.connection
        repo = FollowUpRepository(conn)
        if conn is not self._conn:
            self._conn = conn
            self._counted = repo.count_writes()
            self._stamp = None
        stamp = repo.write_stamp(self._counted)
        old = self._stamp
        if old == stamp:
            return
        if old is None or old[3] != stamp[3]:  # first look, or another connection wrote
            self._series.clear()
            self._covered.clear()
        if old is None or old[0] != stamp[0] or old[3] != stamp[3]:
            self._recurring = None
        if old is None or old[2] != stamp[2] or old[3] != stamp[3]:
            self._clients = None
        self._windows.clear()
        self._window_size = 0
        self._stamp = stamp

    @contextlib.contextmanager
    def _writing(self, *follow_up_ids: str, series: bool = False) -> Iterator[Connection]:
        """A write transaction that changes these series (`series`: the series themselves, not
        only occurrence states). Afterwards the cached windows are brought up to date by
        re-expanding just these series in each, when nothing else was written meanwhile."""
        self._sync()
        before = self._stamp
        if series:  # dropped now: under a fixed clock its updated_at might not change
            for follow_up_id in follow_up_ids:
                self._series.pop(follow_up_id, None)
        with self._session.write() as conn:
            yield conn
        self._patch(set(follow_up_ids), before)

    def _patch(self, ids: set[str], before: tuple[int, int, int, int] | None) -> None:
        after = FollowUpRepository(self._session.connection).write_stamp(self._counted)
        if before is None or not self._counted or after[2:] != before[2:] or not self._windows:
            self._sync()  # something else changed too (or there is nothing to keep): start afresh
            return
        if after[0] != before[0]:
            self._recurring = None
        with _gc_paused():
            windows: OrderedDict[WindowKey, list[Occurrence]] = OrderedDict()
            for key, found in self._windows.items():
                mode, start, end, client_id, extra = key
                assert isinstance(start, date) and isinstance(end, date)
                client = client_id if isinstance(client_id, str) else None
                if mode == "all":
                    fresh = self._expand_window(start, end, client, extra, only=ids)  # type: ignore[arg-type]
                else:
                    fresh = [o for o in self._expand_window(start, end, client, None, only=ids,
                                                            kinds=extra)  # type: ignore[arg-type]
                             if o.status is Status.SCHEDULED]
                kept = [o for o in found if o.follow_up_id not in ids]
                kept.extend(fresh)
                _sort(kept)
                windows[key] = kept
        self._windows = windows
        self._window_size = sum(len(found) for found in windows.values())
        self._stamp = after

    def _remember(self, key: WindowKey, found: list[Occurrence]) -> None:
        if len(found) > WINDOW_CACHE_LIMIT // 2:
            return
        self._windows[key] = found
        self._window_size += len(found)
        while self._window_size > WINDOW_CACHE_LIMIT:
            _old, dropped = self._windows.popitem(last=False)
            self._window_size -= len(dropped)

    def _keep(self, found: list[tuple[FollowUp, str]]) -> list[FollowUp]:
        if len(self._series) + len(found) > SERIES_CACHE_LIMIT:
            self._series.clear()
            self._covered.clear()
        cache = self._series
        for fu, stamp in found:
            cache[fu.id] = (stamp, fu)
        return [fu for fu, _stamp in found]

    def _client_codes(self, client_id: str | None, ids: frozenset[str] | None) -> dict[str, tuple[str, str | None]]:
        if client_id is not None or ids is not None:
            if self._clients is not None:
                wanted = {client_id} if client_id is not None else ids or set()
                return {k: v for k in wanted if (v := self._clients.get(k)) is not None}
            return self._repo.client_codes([client_id] if client_id is not None else sorted(ids or ()))
        if self._clients is None:
            self._clients = self._repo.client_codes()
        return self._clients

    def _series_in(self, start: date, end: date, client_id: str | None, ids: frozenset[str] | None, *,
                   kinds: frozenset[str] | None = None, recurring_only: bool = False) -> list[FollowUp]:
        """The series that may touch the window, parsed once per session (and again when changed)."""
        repo = self._repo
        id_list = sorted(ids) if ids is not None else None
        if recurring_only:
            if self._recurring is None:
                self._recurring = repo.recurring_heads()
            return self._cached_series([
                (fid, stamp) for fid, client, kind, first, last, stamp in self._recurring
                if first <= end and (last is None or last >= start) and (client_id is None or client == client_id)
                and (ids is None or client in ids) and (kinds is None or kind in kinds)])
        if any(low <= start and end <= high for low, high in self._covered):
            return self._cached_series(repo.window_stamps(start, end, client_id, id_list, kinds=kinds))
        found = repo.window_series(start, end, client_id, id_list, kinds=kinds, known=self._series)
        series = self._keep(found)
        if client_id is None and ids is None and kinds is None:
            self._covered.append((start, end))
            del self._covered[:-32]
        return series

    def _expander(self, fu: FollowUp) -> Expander:
        """The series' rule ready to expand into any window, made once per parsed series."""
        seen = self._expanders.get(fu.id)
        if seen is not None and seen[0] is fu:
            return seen[1]
        assert fu.fields.recurrence is not None
        made = expander(fu.fields.recurrence, fu.fields.start)
        if len(self._expanders) > SERIES_CACHE_LIMIT:
            self._expanders.clear()
        self._expanders[fu.id] = (fu, made)
        return made

    def _cached_series(self, stamps: Iterable[tuple[str, str | None]]) -> list[FollowUp]:
        """The series with these (id, updated_at): parsed ones from the cache, the others read.
        A stamp of None takes whatever version is cached."""
        out: list[FollowUp] = []
        missing: list[str] = []
        cache = self._series
        for fid, stamp in stamps:
            seen = cache.get(fid)
            if seen is not None and (stamp is None or seen[0] == stamp):
                out.append(seen[1])
            else:
                missing.append(fid)
        if missing:
            out.extend(self._keep(self._repo.series_with_stamps(missing)))
        return out

    def _series_by_ids(self, wanted: Iterable[str]) -> list[FollowUp]:
        return self._cached_series((fid, None) for fid in wanted)

    def _window(self, start: date, end: date, client_id: str | None, ids: frozenset[str] | None) -> list[Occurrence]:
        self._sync()
        key: WindowKey = ("all", start, end, client_id, ids)
        hit = self._windows.get(key)
        if hit is not None:
            self._windows.move_to_end(key)
            return hit
        with _gc_paused():
            found = self._expand_window(start, end, client_id, ids)
        self._remember(key, found)
        return found

    def _expand_window(self, start: date, end: date, client_id: str | None, ids: frozenset[str] | None, *,
                       only: set[str] | None = None, kinds: frozenset[str] | None = None) -> list[Occurrence]:
        """All occurrences in the window (of the series in `only`, when given; of series of these
        `kinds`, when given), sorted."""
        clients = self._client_codes(client_id, ids)
        if only is not None:
            series = [fu for fu in self._keep(self._repo.series_with_stamps(sorted(only)))
                      if (client_id is None or fu.client_id == client_id) and (ids is None or fu.client_id in ids)]
        else:
            series = self._series_in(start, end, client_id, ids)
        if kinds is not None:
            series = [fu for fu in series if fu.fields.kind in kinds]
        known = {fu.id for fu in series}
        if client_id is None and ids is None and only is None and kinds is None:
            outcomes, changes = self._repo.window_states(start, end)
        else:  # a few series: their states only, and whatever moved in from outside
            outcomes, changes = self._repo.states_of(sorted(known), start, end)
            changes.update({(c.follow_up_id, c.original_start): c for c in self._repo.moved_into(start, end)
                            if only is None or c.follow_up_id in only})
        low, high = datetime.combine(start, time()), datetime.combine(end, time(23, 59, 59))
        moved_by_series: dict[str, list[OccurrenceChange]] = {}
        for change in changes.values():
            if change.start is not None and low <= change.start <= high and not low <= change.original_start <= high:
                moved_by_series.setdefault(change.follow_up_id, []).append(change)
        moved_in = sorted(fid for fid in moved_by_series if fid not in known)
        if moved_in and only is None:
            series = series + [fu for fu in self._series_by_ids(moved_in)
                               if (client_id is None or fu.client_id == client_id)
                               and (ids is None or fu.client_id in ids)]
        out: list[Occurrence] = []
        append = out.append
        scheduled = Status.SCHEDULED
        outcome_of, change_of, client_of = outcomes.get, changes.get, clients.get
        # The hot loop of a calendar window (tens of thousands of occurrences): the common case —
        # an occurrence not moved or changed — is built right here, without the general helper.
        for fu in series:
            who = client_of(fu.client_id)
            if who is None:  # archived or removed client
                continue
            sid = fu.id
            f = fu.fields
            rec = f.recurrence
            if sid in known:
                if rec is None:
                    original = f.start
                    if low <= original <= high:
                        key = (sid, original)
                        status = outcome_of(key, scheduled)
                        state = change_of(key) if status is scheduled else None
                        if state is None:
                            append(Occurrence(sid, fu.client_id, original, original, f.end, f.tz, f.all_day, f.kind,
                                              status, f.location, f.purpose, False, False, f.link_type, f.link_id,
                                              who[0], who[1]))
                        else:
                            occ = occurrence(fu, original, state, client_code=who[0], tier=who[1])
                            if low <= occ.start <= high:  # not moved out of the window
                                append(occ)
                else:
                    duration = f.end - f.start
                    for original in self._expander(fu)(low, high):
                        key = (sid, original)
                        status = outcome_of(key, scheduled)
                        state = change_of(key) if status is scheduled else None
                        if state is None:
                            append(Occurrence(sid, fu.client_id, original, original, original + duration, f.tz,
                                              f.all_day, f.kind, status, f.location, f.purpose, True, False,
                                              f.link_type, f.link_id, who[0], who[1]))
                        else:
                            occ = occurrence(fu, original, state, client_code=who[0], tier=who[1])
                            if low <= occ.start <= high:
                                append(occ)
            if moved_by_series and sid in moved_by_series:  # moved in from outside the window
                for change in moved_by_series[sid]:
                    append(occurrence(fu, change.original_start, change, client_code=who[0], tier=who[1]))
        _sort(out)
        return out

    def _scheduled_in(self, start: date, end: date, client_id: str | None,
                      kinds: frozenset[str] | None) -> list[Occurrence]:
        """Still-scheduled occurrences in the window, outcomes filtered in the database: one-offs
        without an outcome come from SQL; recurring series are expanded and their occurrences
        with an outcome skipped; occurrences moved in (or out) follow their scheduled state."""
        repo = self._repo
        clients = self._client_codes(client_id, None)
        low, high = datetime.combine(start, time()), datetime.combine(end, time(23, 59, 59))
        one_offs = self._keep(repo.open_one_offs(start, end, client_id, kinds=kinds, known=self._series))
        recurring = self._series_in(start, end, client_id, None, kinds=kinds, recurring_only=True)
        closed = repo.closed_starts([fu.id for fu in recurring], start, end) if recurring else set()
        moves = {(c.follow_up_id, c.original_start): c for c in repo.open_changes_in_window(start, end)}
        by_id = {fu.id: fu for fu in [*one_offs, *recurring]}
        moved_in = [c for (_fid, original), c in moves.items() if not low <= original <= high]
        wanted = sorted({c.follow_up_id for c in moved_in} - by_id.keys())
        for fu in self._series_by_ids(wanted):
            if (client_id is None or fu.client_id == client_id) and (kinds is None or fu.fields.kind in kinds):
                by_id[fu.id] = fu
        out: list[Occurrence] = []
        for fu in [*one_offs, *recurring]:
            who = clients.get(fu.client_id)
            if who is None:  # archived or removed client
                continue
            f = fu.fields
            if f.recurrence is None:
                originals: Iterable[datetime] = (f.start,) if low <= f.start <= high else ()
            else:
                originals = [o for o in self._expander(fu)(low, high) if (fu.id, o) not in closed]
            for original in originals:
                occ = occurrence(fu, original, moves.get((fu.id, original)), client_code=who[0], tier=who[1])
                if low <= occ.start <= high:  # not moved out of the window
                    out.append(occ)
        for change in moved_in:  # moved in from outside the window, still scheduled
            moved = by_id.get(change.follow_up_id)
            who = clients.get(moved.client_id) if moved is not None else None
            if moved is not None and who is not None and change.start is not None and low <= change.start <= high:
                out.append(occurrence(moved, change.original_start, change, client_code=who[0], tier=who[1]))
        _sort(out)
        return out

    # -- proposals -----------------------------------------------------------------------------

    def proposals(self, client_id: str, today: date | None = None, *, horizon_days: int = 60) -> list[Proposal]:
        """Follow-ups the record calls for and the calendar lacks, earliest due first. Nothing is
        scheduled until one is accepted; a dismissed one is not proposed again for the same due
        date. A new tier changes the cadence, so the due date and the proposal change with it."""
        today = today or self._today()
        horizon = today + timedelta(days=horizon_days)
        planned = self.occurrences(today - timedelta(days=30), horizon + timedelta(days=30), client_id)
        open_from_today = [o for o in planned if o.status is Status.SCHEDULED and o.on >= today]
        found: list[Proposal] = []
        history = self._session.risk.history(client_id)
        cadence = history[-1].cadence if history else None
        if cadence is not None:
            found.extend(self._cadence_proposal(client_id, today, cadence.contact_days, history[-1].tier, open_from_today))
            if cadence.rescreen_days:
                found.extend(self._rescreen_proposal(client_id, today, horizon, cadence.rescreen_days, open_from_today))
        found.extend(self._plan_proposals(client_id, today, horizon, planned))
        for source in _EXTRA_SOURCES:
            found.extend(source(self._session, client_id, today))
        decided = self._repo.decisions(client_id)
        return sorted((p for p in found if p.key not in decided), key=lambda p: (p.due_on, p.source.value))

    def rescreenings_due(self, today: date | None = None, *, within_days: int = 7) -> list[Proposal]:
        """Re-screenings due across the caseload by `today` + `within_days` (overdue ones included):
        the re-screening proposals `proposals()` makes client by client — the last screening (the
        C-SSRS screener aside) plus the interval of the client's current tier — in a few queries
        for everyone. Left out: clients with a re-screening follow-up still scheduled in the next
        90 days (by the follow-up's type), and proposals already accepted or dismissed. Archived
        clients are not included. Earliest due first."""
        today = today or self._today()
        horizon = today + timedelta(days=within_days)
        due = [(client_id, days, last) for client_id, days, last in self._repo.rescreen_basis()
               if last + timedelta(days=days) <= horizon]
        if not due:
            return []
        planned = {o.client_id for o in self.scheduled(today, today + timedelta(days=90),
                                                       kinds=(FollowUpType.RESCREENING,))}
        decided = self._repo.decided_keys(ProposalSource.RESCREEN.value + ":")
        out: list[Proposal] = []
        dates: dict[date, str] = {}  # formatted once each: many clients share a day
        for client_id, days, last in due:
            if client_id in planned:
                continue
            if last not in dates:
                dates[last] = format_date(last)
            reason = _("Re-screening every {n} days; last screened {date}.").format(n=days, date=dates[last])
            proposal = Proposal(client_id, ProposalSource.RESCREEN, FollowUpType.RESCREENING,
                                last + timedelta(days=days), reason, source_id=str(days))
            if (client_id, proposal.key) not in decided:
                out.append(proposal)
        out.sort(key=lambda p: (p.due_on, p.client_id))
        return out

    def _cadence_proposal(self, client_id: str, today: date, days: int, tier: Tier,
                          open_from_today: list[Occurrence]) -> list[Proposal]:
        last = max(filter(None, (self._repo.last_completed_on(client_id), self._repo.last_note_on(client_id))),
                   default=None)
        due = last + timedelta(days=days) if last is not None else today
        by = max(due, today)
        if any(o.kind.is_contact and o.on <= by + timedelta(days=max(1, days // 7)) for o in open_from_today):
            return []
        kind = FollowUpType.HOME_VISIT if tier in (Tier.HIGH, Tier.CRISIS) else FollowUpType.PHONE
        reason = _("{tier} tier: a contact every {n} days.").format(tier=tier.label, n=days)
        return [Proposal(client_id, ProposalSource.CADENCE, kind, due, reason, source_id=f"{tier.value}-{days}")]

    def _rescreen_proposal(self, client_id: str, today: date, horizon: date, days: int,
                           open_from_today: list[Occurrence]) -> list[Proposal]:
        latest = self._session.screening.latest(client_id)
        dates = [a.administered_on for key, a in latest.items() if key != "cssrs_screener"]
        if not dates:
            return []
        due = max(dates) + timedelta(days=days)
        if due > horizon or any(o.kind is FollowUpType.RESCREENING for o in open_from_today):
            return []
        reason = _("Re-screening every {n} days; last screened {date}.").format(n=days, date=format_date(max(dates)))
        return [Proposal(client_id, ProposalSource.RESCREEN, FollowUpType.RESCREENING, due, reason, source_id=str(days))]

    def _plan_proposals(self, client_id: str, today: date, horizon: date, planned: list[Occurrence]) -> list[Proposal]:
        plan = self._session.care_plans.current(client_id)
        if plan is None:
            return []
        out: list[Proposal] = []
        linked = {(o.link_type, o.link_id) for o in planned if o.status is not Status.CANCELLED}
        linked |= {(fu.fields.link_type, fu.fields.link_id) for fu in self._repo.for_client(client_id)
                   if fu.fields.link_id}
        if plan.review_on is not None and plan.review_on <= horizon and ("care_plan", plan.id) not in linked and not any(
                o.kind is FollowUpType.PLAN_REVIEW and o.status is not Status.CANCELLED
                and abs((o.on - plan.review_on).days) <= 30 for o in planned):
            out.append(Proposal(client_id, ProposalSource.PLAN_REVIEW, FollowUpType.PLAN_REVIEW, plan.review_on,
                                _("The care plan is due for review on {date}.").format(date=format_date(plan.review_on)),
                                source_id=plan.id, link_type="care_plan", link_id=plan.id))
        for objective in plan.document.objectives():
            on = objective.target_on
            if on is None or objective.status in (ObjectiveStatus.MET, ObjectiveStatus.CANCELLED):
                continue
            if not today - timedelta(days=14) <= on <= horizon or ("objective", objective.id) in linked:
                continue
            out.append(Proposal(client_id, ProposalSource.OBJECTIVE, FollowUpType.PLAN_REVIEW, on,
                                _("A care-plan step reaches its target date on {date}: check progress.").format(
                                    date=format_date(on)),
                                source_id=objective.id, link_type="objective", link_id=objective.id))
        return out

    def proposal_fields(self, proposal: Proposal, *, at: time = time(10, 0), minutes: int = 60,
                        tz: str | None = None) -> FollowUpFields:
        """The follow-up a proposal becomes if accepted as is (on its due date, or today when that
        has passed)."""
        day = max(proposal.due_on, self._today())
        start = datetime.combine(day, at)
        return FollowUpFields(proposal.kind, start, start + timedelta(minutes=minutes), tz or self.default_zone(),
                              purpose=proposal.reason, link_type=proposal.link_type, link_id=proposal.link_id)

    def accept_proposal(self, proposal: Proposal, fields: FollowUpFields | None = None) -> FollowUp:
        """Schedule the proposal — as proposed, or moved to other `fields` — and remember it."""
        fields = self._checked(fields or self.proposal_fields(proposal))
        self._session.clients.get(proposal.client_id)
        fu = FollowUp(str(uuid.uuid4()), proposal.client_id, fields, last_date(fields.recurrence, fields.start),
                      proposal_key=proposal.key, created_by=self._session.actor)
        now = self._now()
        with self._writing(fu.id) as conn:
            repo = FollowUpRepository(conn)
            repo.insert(fu, now)
            repo.decide(str(uuid.uuid4()), proposal.client_id, proposal.key, "accepted", fu.id, now)
            self._session.audit("follow_up.accept_proposal", "follow_up", fu.id, f"source={proposal.source.value}")
        return fu

    def dismiss_proposal(self, proposal: Proposal) -> None:
        with self._session.write() as conn:
            FollowUpRepository(conn).decide(str(uuid.uuid4()), proposal.client_id, proposal.key, "dismissed", None,
                                            self._now())
            self._session.audit("follow_up.dismiss_proposal", "client", proposal.client_id,
                                f"source={proposal.source.value}")

    # -- home visits ---------------------------------------------------------------------------

    def check_in(self, client_id: str, expected_min: int, *, follow_up_id: str | None = None,
                 original_start: datetime | None = None) -> VisitCheck:
        """Start a home visit now, expected to last `expected_min` minutes (5–720)."""
        if not 5 <= expected_min <= 720:
            message = _("Give the expected length of the visit, between 5 minutes and 12 hours.")
            raise ValidationError({"expected_min": message}, message)
        self._session.clients.get(client_id)
        visit = VisitCheck(str(uuid.uuid4()), client_id, self._now(), expected_min, None, follow_up_id,
                           original_start.replace(tzinfo=None) if original_start else None)
        with self._session.write() as conn:
            FollowUpRepository(conn).check_in(visit, self._now())
            self._session.audit("visit.check_in", "visit", visit.id, f"expected_min={expected_min}")
        return visit

    def check_out(self, visit_id: str) -> VisitCheck:
        visit = self._repo.visit(visit_id)
        if visit is None:
            raise NotFound(_("The visit"))
        if visit.checked_out_at is None:
            with self._session.write() as conn:
                FollowUpRepository(conn).check_out(visit_id, self._now())
                self._session.audit("visit.check_out", "visit", visit_id)
        done = self._repo.visit(visit_id)
        assert done is not None
        return done

    def open_visits(self) -> list[VisitCheck]:
        return self._repo.open_visits()

    def checked_in_overdue(self, now: datetime | None = None) -> list[VisitCheck]:
        """Visits still checked in past their expected length (a clear signal: call or check)."""
        now = now or self._now()
        return [v for v in self._repo.open_visits() if v.overdue(now)]

    # -- mileage -------------------------------------------------------------------------------

    def log_mileage(self, on: date, from_place: str, to_place: str, distance: float, purpose: str = "",
                    client_code: str = "") -> MileageEntry:
        problems = validate_mileage(on, from_place, to_place, distance, self._today())
        if problems:
            raise ValidationError(problems)
        entry = MileageEntry(str(uuid.uuid4()), on, from_place.strip(), to_place.strip(), round(float(distance), 1),
                             purpose.strip(), client_code.strip())
        with self._session.write() as conn:
            FollowUpRepository(conn).add_mileage(entry, self._now())
            self._session.audit("mileage.add", "mileage", entry.id)
        return entry

    def remove_mileage(self, entry_id: str) -> None:
        with self._session.write() as conn:
            FollowUpRepository(conn).remove_mileage(entry_id, self._now())
            self._session.audit("mileage.remove", "mileage", entry_id)

    def mileage(self, start: date, end: date) -> list[MileageEntry]:
        return self._repo.mileage(start, end)

    def mileage_total(self, start: date, end: date) -> MileageTotal:
        """The journeys from `start` to `end` inclusive and their total, for reimbursement."""
        entries = self._repo.mileage(start, end)
        return MileageTotal(start, end, len(entries), round(sum(e.distance for e in entries), 1), tuple(entries))
