"""Contact notes, their addenda and the full-text search over them. Rows ↔ dataclasses.

The full-text index is kept in step by triggers (migration 8); this module reads it and numbers
its rows: a note's or addendum's `doc` is the client's number (note_clients) shifted left by
CLIENT_SHIFT bits, ADDENDUM_BIT for an addendum, then a count within the client."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from app.models.notes import (
    Addendum,
    ContactType,
    ErrorMark,
    Note,
    NoteFields,
    NoteFormat,
    NoteSection,
    NoteStatus,
)
from app.models.timefmt import from_iso, to_iso
from app.store.db import Connection

_COLUMNS = ("n.id, n.client_id, n.kind, n.contact_on, n.start_time, n.duration_min, n.location, n.participants, "
            "n.goal_ids, n.format, n.sections, n.status, n.late_entry, n.created_at, n.created_by, n.updated_at, "
            "n.signed_at, n.signed_by, e.reason, e.marked_at, e.marked_by")
# A note with its "entered in error" mark, if any (migration 13).
_NOTES = "notes n LEFT JOIN note_errors e ON e.note_id = n.id AND e.deleted_at IS NULL"
# For other queries over `notes n`: the note was not entered in error (it records a contact).
NOT_IN_ERROR = "NOT EXISTS (SELECT 1 FROM note_errors e WHERE e.note_id = n.id AND e.deleted_at IS NULL)"
_ADDENDA_COUNT = "(SELECT count(*) FROM note_addenda a WHERE a.note_id = n.id AND a.deleted_at IS NULL)"
_ORDER = "ORDER BY n.contact_on DESC, coalesce(n.start_time, '') DESC, n.created_at DESC"
_KINDS = {k.value: k for k in ContactType}
_FORMATS = {f.value: f for f in NoteFormat}
_SECTIONS = {s.value: s for s in NoteSection}
_STATUSES = {s.value: s for s in NoteStatus}
CLIENT_SHIFT = 24
ADDENDUM_BIT = 1 << 23
_PER_CLIENT = 1 << 23  # docs a client can have of each kind (notes, addenda)
_INSERT = ("INSERT INTO notes (id, doc, client_id, kind, contact_on, start_time, duration_min, location, "
           "participants, goal_ids, format, sections, status, late_entry, signed_at, signed_by, created_by, "
           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_ADDENDUM = ("INSERT INTO note_addenda (id, doc, note_id, text, written_by, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _time_text(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _field_values(f: NoteFields) -> tuple[Any, ...]:
    """kind … sections, as stored."""
    sections = {s.value: f.sections.get(s, "") for s in f.format.sections}
    return (f.kind.value, f.contact_on.isoformat(), _time_text(f.start_time), f.duration_min, f.location,
            _json(list(f.participants)), _json(list(f.goal_ids)), f.format.value, _json(sections))


def _note(row: Sequence[Any], addenda_count: int = 0) -> Note:
    fmt = _FORMATS[row[9]]
    stored = json.loads(row[10])
    fields = NoteFields(
        kind=_KINDS[row[2]], contact_on=date.fromisoformat(row[3]),
        start_time=time.fromisoformat(row[4]) if row[4] else None, duration_min=row[5], location=row[6],
        participants=tuple(json.loads(row[7])), goal_ids=tuple(json.loads(row[8])), format=fmt,
        sections={_SECTIONS[k]: str(v) for k, v in stored.items() if k in _SECTIONS},
    )
    return Note(
        id=row[0], client_id=row[1], fields=fields, status=_STATUSES[row[11]], late_entry=bool(row[12]),
        created_at=from_iso(row[13]), created_by=row[14], updated_at=from_iso(row[15]), signed_at=from_iso(row[16]),
        signed_by=row[17], addenda_count=addenda_count,
        error=_error_mark(row),
    )


def _error_mark(row: Sequence[Any]) -> ErrorMark | None:
    marked_at = from_iso(row[19])
    return ErrorMark(row[18], marked_at, row[20]) if row[18] is not None and marked_at is not None else None


def _addendum(row: Sequence[Any]) -> Addendum:
    written = from_iso(row[3])
    assert written is not None
    return Addendum(id=row[0], note_id=row[1], text=row[2], written_at=written, written_by=row[4])


class NoteRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reading -------------------------------------------------------------------------------

    def get(self, note_id: str) -> Note | None:
        """The note with its addenda (oldest first)."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM {_NOTES} WHERE n.id = ? AND n.deleted_at IS NULL",
                                 (note_id,)).fetchone()
        if row is None:
            return None
        return _note(row).with_addenda(self.addenda(note_id))

    def for_client(self, client_id: str) -> list[Note]:
        """The client's notes, newest contact first, each with its number of addenda (not the
        addenda themselves)."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS}, {_ADDENDA_COUNT} FROM {_NOTES} WHERE n.client_id = ? AND n.deleted_at IS NULL {_ORDER}",
            (client_id,),
        ).fetchall()
        return [_note(r, r[21]) for r in rows]

    def get_many(self, note_ids: Iterable[str]) -> list[Note]:
        """The notes (with their addenda), newest contact first."""
        wanted = list(dict.fromkeys(note_ids))
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM {_NOTES} WHERE n.id IN ({marks}) AND n.deleted_at IS NULL {_ORDER}", wanted
        ).fetchall()
        addenda: dict[str, list[Addendum]] = {}
        for a in self._conn.execute(
            f"""SELECT id, note_id, text, created_at, written_by FROM note_addenda
                WHERE note_id IN ({marks}) AND deleted_at IS NULL ORDER BY created_at, rowid""", wanted
        ).fetchall():
            addenda.setdefault(a[1], []).append(_addendum(a))
        return [_note(r).with_addenda(addenda.get(r[0], [])) for r in rows]

    def addenda(self, note_id: str) -> list[Addendum]:
        rows = self._conn.execute(
            """SELECT id, note_id, text, created_at, written_by FROM note_addenda
               WHERE note_id = ? AND deleted_at IS NULL ORDER BY created_at, rowid""", (note_id,)
        ).fetchall()
        return [_addendum(r) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM notes WHERE deleted_at IS NULL").fetchone()[0])

    def latest_format(self, client_id: str) -> NoteFormat | None:
        """The format of the client's most recently written note."""
        row = self._conn.execute(
            "SELECT format FROM notes WHERE client_id = ? AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1",
            (client_id,),
        ).fetchone()
        return _FORMATS[row[0]] if row else None

    # -- search --------------------------------------------------------------------------------

    def matching_notes(self, client_id: str, fts: str) -> list[str]:
        """Ids of the client's notes whose text or addenda match the FTS5 query (only the
        client's own range of the index is read)."""
        number = self._number(client_id)
        if number is None:
            return []
        low = number << CLIENT_SHIFT
        docs = [r[0] for r in self._conn.execute(
            "SELECT rowid FROM notes_fts WHERE notes_fts MATCH ? AND rowid BETWEEN ? AND ?",
            (fts, low, low + (1 << CLIENT_SHIFT) - 1)).fetchall()]
        notes = [d for d in docs if not d & ADDENDUM_BIT]
        addenda = [d for d in docs if d & ADDENDUM_BIT]
        ids: list[str] = []
        for table, column, wanted in (("notes", "id", notes), ("note_addenda", "note_id", addenda)):
            for chunk in range(0, len(wanted), 500):
                part = wanted[chunk : chunk + 500]
                marks = ", ".join("?" for _ in part)
                ids += [r[0] for r in self._conn.execute(
                    f"SELECT {column} FROM {table} WHERE doc IN ({marks}) AND deleted_at IS NULL", part).fetchall()]
        return list(dict.fromkeys(ids))

    def matching_clients(self, fts: str) -> dict[str, int]:
        """Client id → how many of their notes match the FTS5 query, read from the index alone (a
        note matched only through its addenda counts once; through both, the note counts)."""
        rows = self._conn.execute(
            f"""SELECT c.client_id, m.notes FROM (
                    SELECT rowid >> {CLIENT_SHIFT} AS number, sum((rowid & {ADDENDUM_BIT}) = 0) AS notes
                    FROM notes_fts WHERE notes_fts MATCH ? GROUP BY number
                ) m JOIN note_clients c ON c.number = m.number""",
            (fts,),
        ).fetchall()
        return {r[0]: max(1, int(r[1])) for r in rows}

    # -- writing -------------------------------------------------------------------------------

    def _number(self, client_id: str) -> int | None:
        row = self._conn.execute("SELECT number FROM note_clients WHERE client_id = ?", (client_id,)).fetchone()
        return int(row[0]) if row else None

    def _client_number(self, client_id: str, now: datetime) -> int:
        """The client's number in the index, given on their first note."""
        number = self._number(client_id)
        if number is not None:
            return number
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO note_clients (client_id, number, created_at, updated_at)
               VALUES (?, (SELECT coalesce(max(number), 0) + 1 FROM note_clients), ?, ?)""",
            (client_id, stamp, stamp),
        )
        number = self._number(client_id)
        assert number is not None
        return number

    def _next_doc(self, table: str, client_id: str, addendum: bool, now: datetime) -> int:
        low = (self._client_number(client_id, now) << CLIENT_SHIFT) | (ADDENDUM_BIT if addendum else 0)
        row = self._conn.execute(f"SELECT coalesce(max(doc), ?) FROM {table} WHERE doc >= ? AND doc < ?",
                                 (low, low, low + _PER_CLIENT)).fetchone()
        doc = int(row[0]) + 1
        if doc >= low + _PER_CLIENT:
            raise OverflowError("no room left in the note index for this client")
        return doc

    def add(self, note: Note, now: datetime) -> None:
        self.add_many([note], now)

    def add_many(self, notes: Iterable[Note], now: datetime) -> int:
        """Insert notes as they are (drafts or signed), in one statement; returns how many. Each
        note's own created_at / signed_at are kept when set. Used by the service (one at a time)
        and by demo vaults (many)."""
        stamp = to_iso(now)
        docs: dict[str, int] = {}
        rows = []
        for note in notes:
            previous = docs.get(note.client_id)
            doc = previous + 1 if previous is not None else self._next_doc("notes", note.client_id, False, now)
            docs[note.client_id] = doc
            created = to_iso(note.created_at) if note.created_at else stamp
            rows.append((note.id, doc, note.client_id, *_field_values(note.fields), note.status.value,
                         int(note.late_entry), to_iso(note.signed_at) if note.signed_at else None, note.signed_by,
                         note.created_by, created, to_iso(note.updated_at) if note.updated_at else created))
        self._conn.executemany(_INSERT, rows)
        return len(rows)

    def update_draft(self, note_id: str, client_id: str, fields: NoteFields, now: datetime) -> bool:
        """Replace a draft's fields; False if the note is not (or no longer) the client's draft."""
        cursor = self._conn.execute(
            """UPDATE notes SET kind = ?, contact_on = ?, start_time = ?, duration_min = ?, location = ?,
               participants = ?, goal_ids = ?, format = ?, sections = ?, updated_at = ?
               WHERE id = ? AND client_id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (*_field_values(fields), to_iso(now), note_id, client_id),
        )
        return int(cursor.rowcount) == 1

    def sign(self, note_id: str, by: str, late_entry: bool, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE notes SET status = 'signed', signed_at = ?, signed_by = ?, late_entry = ?, updated_at = ?
               WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (stamp, by, int(late_entry), stamp, note_id),
        )
        return int(cursor.rowcount) == 1

    def delete_draft(self, note_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            "UPDATE notes SET deleted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft' AND deleted_at IS NULL",
            (stamp, stamp, note_id),
        )
        return int(cursor.rowcount) == 1

    def add_addendum(self, addendum: Addendum, client_id: str) -> None:
        self.add_addenda([(addendum, client_id)])

    def add_addenda(self, addenda: Iterable[tuple[Addendum, str]]) -> int:
        """Insert addenda, each with its note's client id; returns how many."""
        docs: dict[str, int] = {}
        rows = []
        for a, client_id in addenda:
            previous = docs.get(client_id)
            doc = previous + 1 if previous is not None else self._next_doc("note_addenda", client_id, True, a.written_at)
            docs[client_id] = doc
            stamp = to_iso(a.written_at)
            rows.append((a.id, doc, a.note_id, a.text, a.written_by, stamp, stamp))
        self._conn.executemany(_INSERT_ADDENDUM, rows)
        return len(rows)

    def mark_error(self, note_id: str, mark: ErrorMark) -> None:
        """Mark a signed note entered in error (once; the triggers refuse a draft, a second mark,
        any change and any removal)."""
        stamp = to_iso(mark.marked_at)
        self._conn.execute(
            "INSERT INTO note_errors (note_id, reason, marked_by, marked_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (note_id, mark.reason, mark.marked_by, stamp, stamp, stamp))
