"""Follow-ups, their per-occurrence state, proposal decisions, visit check-ins and mileage.
Rows ↔ dataclasses. Local wall times are stored as 'YYYY-MM-DDTHH:MM' (no offset) with the zone."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from app.models.follow_ups import (
    FollowUp,
    FollowUpFields,
    FollowUpType,
    MileageEntry,
    OccurrenceChange,
    Status,
    VisitCheck,
)
from app.models.recurrence import Recurrence
from app.models.timefmt import from_iso, to_iso
from app.store.db import Connection, DatabaseError
from app.store.notes_repo import NOT_IN_ERROR

_COLUMNS = ("f.id, f.client_id, f.kind, f.starts, f.ends, f.tz, f.all_day, f.location, f.purpose, f.recurrence, "
            "f.last_on, f.link_type, f.link_id, f.split_from, f.proposal_key, f.created_by, f.updated_at")
_CHANGE_COLUMNS = ("o.id, o.follow_up_id, o.original_start, o.status, o.starts, o.ends, o.kind, o.location, "
                   "o.purpose, o.reason")


def wall(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="minutes")


_wall = datetime.fromisoformat
# Enum look-ups by value, as dicts: a calendar window decodes tens of thousands of rows.
_KINDS = {k.value: k for k in FollowUpType}
_STATUSES = {s.value: s for s in Status}
_CHUNK = 500  # ids per IN (…) list


@lru_cache(maxsize=512)
def _recurrence(text: str) -> Recurrence:
    """Rules repeat across series (a Recurrence is immutable, so one object serves them all)."""
    return Recurrence.from_json(json.loads(text))


def _follow_up(r: Sequence[Any]) -> FollowUp:
    rec = _recurrence(r[9]) if r[9] else None
    fields = FollowUpFields(_KINDS[r[2]], _wall(r[3]), _wall(r[4]), r[5], bool(r[6]), r[7], r[8], rec,
                            r[11], r[12])
    return FollowUp(r[0], r[1], fields, date.fromisoformat(r[10]) if r[10] else None, r[13], r[14], r[15],
                    from_iso(r[16]))


def _change(r: Sequence[Any]) -> OccurrenceChange:
    return OccurrenceChange(r[1], _wall(r[2]), _STATUSES[r[3]], _wall(r[4]) if r[4] else None,
                            _wall(r[5]) if r[5] else None, _KINDS[r[6]] if r[6] else None, r[7], r[8], r[9], r[0])


_STATE_COLUMNS = "o.follow_up_id, o.original_start, o.status, o.starts, o.ends, o.kind, o.location, o.purpose"


def _states(rows: Iterable[Sequence[Any]]) -> tuple[dict[tuple[str, datetime], Status],
                                                     dict[tuple[str, datetime], OccurrenceChange]]:
    """Occurrence states keyed by (series id, original start), split for speed: those that only
    record an outcome (the status), and the others (moved, or with their own type, place or
    purpose) in full."""
    plain: dict[tuple[str, datetime], Status] = {}
    full: dict[tuple[str, datetime], OccurrenceChange] = {}
    statuses, kinds = _STATUSES, _KINDS
    for r in rows:
        original = _wall(r[1])
        if r[3] is None and r[5] is None and r[6] is None and r[7] is None:
            plain[(r[0], original)] = statuses[r[2]]
        else:
            full[(r[0], original)] = OccurrenceChange(
                r[0], original, statuses[r[2]], _wall(r[3]) if r[3] else None, _wall(r[4]) if r[4] else None,
                kinds[r[5]] if r[5] else None, r[6], r[7])
    return plain, full


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for at in range(0, len(ids), _CHUNK):
        yield ids[at:at + _CHUNK]


def _client_filter(client_id: str | None, client_ids: Collection[str] | None,
                   kinds: Collection[str] | None = None) -> tuple[str, list[Any]]:
    where, params = "", []
    if client_id is not None:
        where += " AND f.client_id = ?"
        params.append(client_id)
    if client_ids is not None:
        where += f" AND f.client_id IN ({', '.join('?' * len(client_ids))})"
        params.extend(client_ids)
    if kinds is not None:
        where += f" AND f.kind IN ({', '.join('?' * len(kinds))})"
        params.extend(kinds)
    return where, params


class FollowUpRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- follow-ups ----------------------------------------------------------------------------

    def _values(self, fu: FollowUp) -> tuple[Any, ...]:
        f = fu.fields
        return (f.kind.value, wall(f.start), wall(f.end), f.tz, int(f.all_day), f.location, f.purpose,
                json.dumps(f.recurrence.to_json()) if f.recurrence else None, f.start.date().isoformat(),
                fu.last_on.isoformat() if fu.last_on else None, f.link_type, f.link_id)

    def insert(self, fu: FollowUp, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO follow_ups (kind, starts, ends, tz, all_day, location, purpose, recurrence, first_on,
               last_on, link_type, link_id, id, client_id, split_from, proposal_key, created_by, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (*self._values(fu), fu.id, fu.client_id, fu.split_from, fu.proposal_key, fu.created_by, stamp, stamp),
        )

    def insert_many(self, rows: Iterable[FollowUp], stamp: str) -> None:
        self._conn.executemany(
            """INSERT INTO follow_ups (kind, starts, ends, tz, all_day, location, purpose, recurrence, first_on,
               last_on, link_type, link_id, id, client_id, split_from, proposal_key, created_by, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(*self._values(fu), fu.id, fu.client_id, fu.split_from, fu.proposal_key, fu.created_by, stamp, stamp)
             for fu in rows],
        )

    def update(self, fu: FollowUp, now: datetime) -> None:
        self._conn.execute(
            """UPDATE follow_ups SET kind = ?, starts = ?, ends = ?, tz = ?, all_day = ?, location = ?, purpose = ?,
               recurrence = ?, first_on = ?, last_on = ?, link_type = ?, link_id = ?, updated_at = ?
               WHERE id = ? AND deleted_at IS NULL""",
            (*self._values(fu), to_iso(now), fu.id),
        )

    def remove(self, follow_up_id: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute("UPDATE follow_ups SET deleted_at = ?, updated_at = ? WHERE id = ?",
                           (stamp, stamp, follow_up_id))
        self._conn.execute(
            "UPDATE follow_up_occurrences SET deleted_at = ?, updated_at = ? WHERE follow_up_id = ? AND deleted_at IS NULL",
            (stamp, stamp, follow_up_id))

    def get(self, follow_up_id: str) -> FollowUp | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM follow_ups f WHERE f.id = ? AND f.deleted_at IS NULL",
                                 (follow_up_id,)).fetchone()
        return _follow_up(row) if row else None

    def for_client(self, client_id: str) -> list[FollowUp]:
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM follow_ups f WHERE f.client_id = ? AND f.deleted_at IS NULL
                ORDER BY f.first_on, f.starts""", (client_id,)).fetchall()
        return [_follow_up(r) for r in rows]

    def in_window(self, start: date, end: date, client_id: str | None = None,
                  client_ids: Sequence[str] | None = None) -> list[tuple[FollowUp, str, str | None]]:
        """Series that may have an occurrence between the local dates start and end (inclusive),
        with each client's code and current tier; archived or removed clients left out."""
        where = "f.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL"
        params: list[Any] = []
        if client_id is not None:
            where += " AND f.client_id = ?"
            params.append(client_id)
        if client_ids is not None:
            where += f" AND f.client_id IN ({', '.join('?' * len(client_ids))})"
            params.extend(client_ids)
        s, e = start.isoformat(), end.isoformat()
        sql = f"""SELECT {_COLUMNS}, c.client_code, c.tier FROM follow_ups f JOIN clients c ON c.id = f.client_id
                  WHERE f.last_on >= ? AND f.first_on <= ? AND {where}
                  UNION ALL
                  SELECT {_COLUMNS}, c.client_code, c.tier FROM follow_ups f JOIN clients c ON c.id = f.client_id
                  WHERE f.last_on IS NULL AND f.first_on <= ? AND {where}"""
        rows = self._conn.execute(sql, [s, e, *params, e, *params]).fetchall()
        return [(_follow_up(r), r[17], r[18]) for r in rows]

    # -- calendar windows (the service keeps parsed series by id and updated_at) ---------------

    def _window_sql(self, columns: str, start: date, end: date, client_id: str | None,
                    client_ids: Collection[str] | None, kinds: Collection[str] | None) -> tuple[str, list[Any]]:
        where, params = _client_filter(client_id, client_ids, kinds)
        s, e = start.isoformat(), end.isoformat()
        sql = f"""SELECT {columns} FROM follow_ups f
                  WHERE f.last_on >= ? AND f.first_on <= ? AND f.deleted_at IS NULL{where}
                  UNION ALL
                  SELECT {columns} FROM follow_ups f
                  WHERE f.last_on IS NULL AND f.first_on <= ? AND f.deleted_at IS NULL{where}"""
        return sql, [s, e, *params, e, *params]

    def window_stamps(self, start: date, end: date, client_id: str | None = None,
                      client_ids: Collection[str] | None = None, *,
                      kinds: Collection[str] | None = None) -> list[tuple[str, str]]:
        """(id, updated_at as stored) of the series that may have an occurrence between the local
        dates start and end inclusive — clients not checked (the caller knows which it shows)."""
        sql, params = self._window_sql("f.id, f.updated_at", start, end, client_id, client_ids, kinds)
        return self._conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def window_series(self, start: date, end: date, client_id: str | None = None,
                      client_ids: Collection[str] | None = None, *, kinds: Collection[str] | None = None,
                      known: Mapping[str, tuple[str, FollowUp]] | None = None) -> list[tuple[FollowUp, str]]:
        """The series that may have an occurrence between the local dates start and end inclusive,
        each with its stored updated_at; a series in `known` under the same updated_at is reused,
        not decoded again."""
        sql, params = self._window_sql(_COLUMNS, start, end, client_id, client_ids, kinds)
        out: list[tuple[FollowUp, str]] = []
        known = known or {}
        for r in self._conn.execute(sql, params).fetchall():
            seen = known.get(r[0])
            out.append((seen[1] if seen is not None and seen[0] == r[16] else _follow_up(r), r[16]))
        return out

    def series_with_stamps(self, ids: Sequence[str]) -> list[tuple[FollowUp, str]]:
        """The series with these ids (removed ones left out), each with its stored updated_at."""
        out: list[tuple[FollowUp, str]] = []
        for chunk in _chunks(ids):
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM follow_ups f WHERE f.id IN ({', '.join('?' * len(chunk))})"
                " AND f.deleted_at IS NULL", list(chunk)).fetchall()
            out.extend((_follow_up(r), r[16]) for r in rows)
        return out

    def open_one_offs(self, start: date, end: date, client_id: str | None = None,
                      client_ids: Collection[str] | None = None, *, kinds: Collection[str] | None = None,
                      known: Mapping[str, tuple[str, FollowUp]] | None = None) -> list[tuple[FollowUp, str]]:
        """One-off series planned on a local date from start to end whose occurrence has no
        outcome yet (no completed, missed, cancelled or rescheduled state); it may have been moved."""
        where, params = _client_filter(client_id, client_ids, kinds)
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM follow_ups f
                WHERE f.last_on BETWEEN ? AND ? AND f.recurrence IS NULL AND f.deleted_at IS NULL{where}
                AND NOT EXISTS (SELECT 1 FROM follow_up_occurrences o WHERE o.follow_up_id = f.id
                    AND o.original_start = f.starts AND o.deleted_at IS NULL AND o.status != 'scheduled')""",
            [start.isoformat(), end.isoformat(), *params]).fetchall()
        known = known or {}
        out: list[tuple[FollowUp, str]] = []
        for r in rows:
            seen = known.get(r[0])
            out.append((seen[1] if seen is not None and seen[0] == r[16] else _follow_up(r), r[16]))
        return out

    def window_states(self, start: date, end: date) -> tuple[dict[tuple[str, datetime], Status],
                                                              dict[tuple[str, datetime], OccurrenceChange]]:
        """The occurrence states `changes_in_window` gives, keyed by (series id, original start)
        and split in two for speed: those that only record an outcome (the status), and the
        others (moved, or with their own type, place or purpose) in full."""
        return _states(self._states_in_window(_STATE_COLUMNS, start, end))

    def moved_into(self, start: date, end: date) -> list[OccurrenceChange]:
        """Occurrence states moved onto a local date from start to end from outside it."""
        s, e = start.isoformat(), end.isoformat()
        rows = self._conn.execute(
            f"""SELECT {_STATE_COLUMNS} FROM follow_up_occurrences o
                WHERE o.start_on BETWEEN ? AND ? AND o.deleted_at IS NULL AND o.original_on NOT BETWEEN ? AND ?""",
            (s, e, s, e)).fetchall()
        return list(_states(rows)[1].values())

    def open_changes_in_window(self, start: date, end: date) -> list[OccurrenceChange]:
        """Occurrence states still 'scheduled' (moved or changed ones) whose original or moved
        local date is from start to end."""
        s, e = start.isoformat(), end.isoformat()
        rows = self._conn.execute(
            f"""SELECT {_CHANGE_COLUMNS} FROM follow_up_occurrences o
                WHERE o.status = 'scheduled' AND o.original_on BETWEEN ? AND ? AND o.deleted_at IS NULL
                UNION ALL
                SELECT {_CHANGE_COLUMNS} FROM follow_up_occurrences o
                WHERE o.start_on BETWEEN ? AND ? AND o.status = 'scheduled' AND o.deleted_at IS NULL
                AND o.original_on NOT BETWEEN ? AND ?""", (s, e, s, e, s, e)).fetchall()
        return [_change(r) for r in rows]

    def closed_starts(self, follow_up_ids: Sequence[str], start: date, end: date) -> set[tuple[str, datetime]]:
        """(series id, original start) of the occurrences of these series, originally from start
        to end, that have an outcome (anything but 'scheduled')."""
        low, high = start.isoformat(), end.isoformat() + "T99"
        out: set[tuple[str, datetime]] = set()
        for chunk in _chunks(follow_up_ids):
            rows = self._conn.execute(
                f"""SELECT follow_up_id, original_start FROM follow_up_occurrences
                    WHERE follow_up_id IN ({', '.join('?' * len(chunk))}) AND original_start BETWEEN ? AND ?
                    AND status != 'scheduled' AND deleted_at IS NULL""", [*chunk, low, high]).fetchall()
            out.update((r[0], _wall(r[1])) for r in rows)
        return out

    def client_codes(self, client_ids: Collection[str] | None = None) -> dict[str, tuple[str, str | None]]:
        """Client code and current tier of the clients whose follow-ups are shown (not archived,
        not removed): all of them, or those with these ids."""
        sql = "SELECT id, client_code, tier FROM clients WHERE deleted_at IS NULL AND archived_at IS NULL"
        if client_ids is None:
            rows = self._conn.execute(sql).fetchall()
        else:
            ids = list(client_ids)
            rows = []
            for chunk in _chunks(ids):
                rows.extend(self._conn.execute(sql + f" AND id IN ({', '.join('?' * len(chunk))})",
                                               list(chunk)).fetchall())
        return {r[0]: (r[1], r[2]) for r in rows}

    # -- noticing writes (for the service's caches) ----------------------------------------------

    _COUNTED = {"follow_ups": "series", "follow_up_occurrences": "states", "clients": "clients"}

    def count_writes(self) -> bool:
        """Start counting the rows written to follow-ups, to their occurrence states and to
        clients through this connection, with temporary triggers (they live with the connection,
        in memory, and are never stored in the vault). False when they can't be made."""
        statements = [
            "CREATE TEMP TABLE IF NOT EXISTS follow_up_writes (series INTEGER NOT NULL, states INTEGER NOT NULL,"
            " clients INTEGER NOT NULL)",
            "INSERT INTO temp.follow_up_writes SELECT 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM temp.follow_up_writes)"]
        for table, column in self._COUNTED.items():
            for event in ("INSERT", "UPDATE", "DELETE"):
                statements.append(
                    f"""CREATE TEMP TRIGGER IF NOT EXISTS follow_up_writes_{table}_{event.lower()}
                        AFTER {event} ON main.{table}
                        BEGIN UPDATE temp.follow_up_writes SET {column} = {column} + 1; END""")
        try:
            for statement in statements:
                self._conn.execute(statement)
        except DatabaseError:
            return False
        return True

    def write_stamp(self, counted: bool) -> tuple[int, int, int, int]:
        """(series, states, clients, data version): the first three grow with every row written
        through this connection to follow-ups, occurrence states and clients (when `count_writes`
        succeeded; otherwise all three are the connection's count of rows written anywhere), the
        last with every commit made through another connection."""
        if counted:
            row = self._conn.execute(
                "SELECT series, states, clients, (SELECT data_version FROM pragma_data_version)"
                " FROM temp.follow_up_writes").fetchone()
            return int(row[0]), int(row[1]), int(row[2]), int(row[3])
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        changes = int(self._conn.total_changes)
        return changes, changes, changes, version

    def recurring_heads(self) -> list[tuple[str, str, str, date, date | None, str]]:
        """(id, client id, type, first date, last date or None, updated_at as stored) of every
        recurring series — few beside the one-offs, and each touches many windows."""
        rows = self._conn.execute(
            """SELECT id, client_id, kind, first_on, last_on, updated_at FROM follow_ups
               WHERE recurrence IS NOT NULL AND deleted_at IS NULL""").fetchall()
        return [(r[0], r[1], r[2], date.fromisoformat(r[3]), date.fromisoformat(r[4]) if r[4] else None, r[5])
                for r in rows]

    def states_of(self, follow_up_ids: Sequence[str], start: date, end: date) -> tuple[
            dict[tuple[str, datetime], Status], dict[tuple[str, datetime], OccurrenceChange]]:
        """`window_states` for these series only, by their original start from start to end
        (`moved_into` gives the occurrences moved into the window from outside)."""
        low, high = start.isoformat(), end.isoformat() + "T99"
        rows: list[Sequence[Any]] = []
        for chunk in _chunks(follow_up_ids):
            rows.extend(self._conn.execute(
                f"""SELECT {_STATE_COLUMNS} FROM follow_up_occurrences o
                    WHERE o.follow_up_id IN ({', '.join('?' * len(chunk))}) AND o.original_start BETWEEN ? AND ?
                    AND o.deleted_at IS NULL""", [*chunk, low, high]).fetchall())
        return _states(rows)

    # -- re-screening (caseload-wide) ------------------------------------------------------------

    def rescreen_basis(self) -> list[tuple[str, int, date]]:
        """(client id, re-screening interval in days, last screening date) for every client shown
        whose latest risk record sets a re-screening interval and who has been screened (the
        C-SSRS screener left out, as the proposals do)."""
        rows = self._conn.execute(
            """SELECT c.id,
                   (SELECT r.rescreen_days FROM risk_assessments r WHERE r.client_id = c.id AND r.deleted_at IS NULL
                    ORDER BY r.assessed_on DESC, r.created_at DESC LIMIT 1),
                   (SELECT max(a.administered_on) FROM administrations a WHERE a.client_id = c.id
                    AND a.deleted_at IS NULL AND a.instrument_id != 'cssrs_screener')
               FROM clients c WHERE c.deleted_at IS NULL AND c.archived_at IS NULL""").fetchall()
        return [(r[0], int(r[1]), date.fromisoformat(r[2])) for r in rows if r[1] and r[2]]

    def decided_keys(self, prefix: str) -> set[tuple[str, str]]:
        """(client id, proposal key) of every proposal accepted or dismissed whose key starts so."""
        rows = self._conn.execute(
            """SELECT client_id, proposal_key FROM follow_up_proposal_decisions
               WHERE deleted_at IS NULL AND substr(proposal_key, 1, ?) = ?""", (len(prefix), prefix)).fetchall()
        return {(r[0], r[1]) for r in rows}

    def by_ids(self, ids: Sequence[str]) -> list[tuple[FollowUp, str, str | None]]:
        if not ids:
            return []
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS}, c.client_code, c.tier FROM follow_ups f JOIN clients c ON c.id = f.client_id
                WHERE f.id IN ({', '.join('?' * len(ids))}) AND f.deleted_at IS NULL AND c.deleted_at IS NULL
                AND c.archived_at IS NULL""", list(ids)).fetchall()
        return [(_follow_up(r), r[17], r[18]) for r in rows]

    def by_proposal(self, client_id: str, proposal_key: str) -> FollowUp | None:
        row = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM follow_ups f WHERE f.client_id = ? AND f.proposal_key = ?
                AND f.deleted_at IS NULL""", (client_id, proposal_key)).fetchone()
        return _follow_up(row) if row else None

    # -- per-occurrence state ------------------------------------------------------------------

    def changes_in_window(self, start: date, end: date) -> list[OccurrenceChange]:
        return [_change(r) for r in self._states_in_window(_CHANGE_COLUMNS, start, end)]

    def _states_in_window(self, columns: str, start: date, end: date) -> list[Any]:
        """Occurrence-state rows whose original day, or the day they were moved to, is in the window."""
        s, e = start.isoformat(), end.isoformat()
        rows: list[Any] = self._conn.execute(
            f"""SELECT {columns} FROM follow_up_occurrences o
                WHERE o.original_on BETWEEN ? AND ? AND o.deleted_at IS NULL
                UNION ALL
                SELECT {columns} FROM follow_up_occurrences o
                WHERE o.start_on BETWEEN ? AND ? AND o.deleted_at IS NULL AND o.original_on NOT BETWEEN ? AND ?""",
            (s, e, s, e, s, e)).fetchall()
        return rows

    def changes(self, follow_up_id: str) -> list[OccurrenceChange]:
        rows = self._conn.execute(
            f"""SELECT {_CHANGE_COLUMNS} FROM follow_up_occurrences o WHERE o.follow_up_id = ?
                AND o.deleted_at IS NULL ORDER BY o.original_start""", (follow_up_id,)).fetchall()
        return [_change(r) for r in rows]

    def change(self, follow_up_id: str, original_start: datetime) -> OccurrenceChange | None:
        row = self._conn.execute(
            f"""SELECT {_CHANGE_COLUMNS} FROM follow_up_occurrences o WHERE o.follow_up_id = ?
                AND o.original_start = ? AND o.deleted_at IS NULL""", (follow_up_id, wall(original_start))).fetchone()
        return _change(row) if row else None

    @staticmethod
    def _change_values(c: OccurrenceChange) -> tuple[Any, ...]:
        return (c.status.value, wall(c.start) if c.start else None, wall(c.end) if c.end else None,
                c.start.date().isoformat() if c.start else None, c.kind.value if c.kind else None,
                c.location, c.purpose, c.reason)

    def put_change(self, c: OccurrenceChange, now: datetime) -> None:
        """Insert or replace the state of one occurrence (a removed row is brought back)."""
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO follow_up_occurrences (id, follow_up_id, original_start, original_on, status, starts, ends,
               start_on, kind, location, purpose, reason, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (follow_up_id, original_start) DO UPDATE SET status = excluded.status,
               starts = excluded.starts, ends = excluded.ends, start_on = excluded.start_on, kind = excluded.kind,
               location = excluded.location, purpose = excluded.purpose, reason = excluded.reason,
               updated_at = excluded.updated_at, deleted_at = NULL""",
            (c.id, c.follow_up_id, wall(c.original_start), c.original_start.date().isoformat(),
             *self._change_values(c), stamp, stamp),
        )

    def put_changes(self, changes: Iterable[OccurrenceChange], stamp: str) -> None:
        self._conn.executemany(
            """INSERT INTO follow_up_occurrences (id, follow_up_id, original_start, original_on, status, starts, ends,
               start_on, kind, location, purpose, reason, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(c.id, c.follow_up_id, wall(c.original_start), c.original_start.date().isoformat(),
              *self._change_values(c), stamp, stamp) for c in changes])

    def move_changes(self, from_id: str, to_id: str, original_starts: Iterable[datetime], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            """UPDATE follow_up_occurrences SET follow_up_id = ?, updated_at = ? WHERE follow_up_id = ?
               AND original_start = ? AND deleted_at IS NULL""",
            [(to_id, stamp, from_id, wall(o)) for o in original_starts])

    def drop_changes(self, follow_up_id: str, original_starts: Iterable[datetime], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            """UPDATE follow_up_occurrences SET deleted_at = ?, updated_at = ? WHERE follow_up_id = ?
               AND original_start = ? AND deleted_at IS NULL""",
            [(stamp, stamp, follow_up_id, wall(o)) for o in original_starts])

    def last_completed_on(self, client_id: str) -> date | None:
        """The latest local date on which one of the client's contact follow-ups was completed."""
        row = self._conn.execute(
            """SELECT max(coalesce(o.start_on, o.original_on)) FROM follow_up_occurrences o
               JOIN follow_ups f ON f.id = o.follow_up_id
               WHERE f.client_id = ? AND o.status = 'completed' AND f.kind != 'other'
               AND o.deleted_at IS NULL AND f.deleted_at IS NULL""", (client_id,)).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def last_note_on(self, client_id: str) -> date | None:
        """The latest contact note's date (a contact that happened), attempts and notes entered in
        error left out."""
        row = self._conn.execute(
            f"""SELECT max(contact_on) FROM notes n WHERE client_id = ? AND kind != 'attempted'
               AND deleted_at IS NULL AND {NOT_IN_ERROR}""", (client_id,)).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def clients_at_tiers(self, tiers: Sequence[str]) -> list[str]:
        rows = self._conn.execute(
            f"""SELECT id FROM clients WHERE tier IN ({', '.join('?' * len(tiers))}) AND deleted_at IS NULL
                AND archived_at IS NULL""", list(tiers)).fetchall()
        return [r[0] for r in rows]

    # -- proposal decisions --------------------------------------------------------------------

    def decisions(self, client_id: str) -> dict[str, str]:
        rows = self._conn.execute(
            """SELECT proposal_key, decision FROM follow_up_proposal_decisions WHERE client_id = ?
               AND deleted_at IS NULL""", (client_id,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def decide(self, new_id: str, client_id: str, key: str, decision: str, follow_up_id: str | None,
               now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO follow_up_proposal_decisions (id, client_id, proposal_key, decision, follow_up_id,
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (client_id, proposal_key) DO UPDATE SET decision = excluded.decision,
               follow_up_id = excluded.follow_up_id, updated_at = excluded.updated_at, deleted_at = NULL""",
            (new_id, client_id, key, decision, follow_up_id, stamp, stamp))

    # -- visit check-ins -----------------------------------------------------------------------

    _VISIT = """SELECT id, client_id, checked_in_at, expected_min, checked_out_at, follow_up_id, original_start
                FROM visit_checks WHERE deleted_at IS NULL"""

    @staticmethod
    def _visit(r: Sequence[Any]) -> VisitCheck:
        checked_in = from_iso(r[2])
        assert checked_in is not None
        return VisitCheck(r[0], r[1], checked_in, r[3], from_iso(r[4]), r[5], _wall(r[6]) if r[6] else None)

    def check_in(self, v: VisitCheck, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO visit_checks (id, client_id, follow_up_id, original_start, checked_in_at, expected_min,
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (v.id, v.client_id, v.follow_up_id, wall(v.original_start) if v.original_start else None,
             to_iso(v.checked_in_at), v.expected_min, stamp, stamp))

    def check_out(self, visit_id: str, at: datetime) -> None:
        stamp = to_iso(at)
        self._conn.execute(
            "UPDATE visit_checks SET checked_out_at = ?, updated_at = ? WHERE id = ? AND checked_out_at IS NULL",
            (stamp, stamp, visit_id))

    def visit(self, visit_id: str) -> VisitCheck | None:
        row = self._conn.execute(self._VISIT + " AND id = ?", (visit_id,)).fetchone()
        return self._visit(row) if row else None

    def open_visits(self) -> list[VisitCheck]:
        rows = self._conn.execute(self._VISIT + " AND checked_out_at IS NULL ORDER BY checked_in_at").fetchall()
        return [self._visit(r) for r in rows]

    # -- mileage -------------------------------------------------------------------------------

    def add_mileage(self, e: MileageEntry, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO mileage (id, on_date, from_place, to_place, distance, purpose, client_code, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (e.id, e.on.isoformat(), e.from_place, e.to_place, e.distance, e.purpose, e.client_code, stamp, stamp))

    def add_mileage_many(self, entries: Iterable[MileageEntry], stamp: str) -> None:
        self._conn.executemany(
            """INSERT INTO mileage (id, on_date, from_place, to_place, distance, purpose, client_code, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(e.id, e.on.isoformat(), e.from_place, e.to_place, e.distance, e.purpose, e.client_code, stamp, stamp)
             for e in entries])

    def remove_mileage(self, entry_id: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute("UPDATE mileage SET deleted_at = ?, updated_at = ? WHERE id = ?", (stamp, stamp, entry_id))

    def mileage(self, start: date, end: date) -> list[MileageEntry]:
        rows = self._conn.execute(
            """SELECT id, on_date, from_place, to_place, distance, purpose, client_code FROM mileage
               WHERE on_date BETWEEN ? AND ? AND deleted_at IS NULL ORDER BY on_date, created_at""",
            (start.isoformat(), end.isoformat())).fetchall()
        return [MileageEntry(r[0], date.fromisoformat(r[1]), r[2], r[3], float(r[4]), r[5], r[6]) for r in rows]
