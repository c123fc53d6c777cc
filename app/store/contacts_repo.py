"""The contacts directory and care-team members. Rows ↔ Contact / TeamMember."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from app.models.contacts import (
    Contact,
    ContactFields,
    ContactKind,
    ContactUsage,
    MemberFields,
    QuietMember,
    Release,
    TeamMember,
    search_text,
)
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_FIELDS = ContactFields.names()  # kind, name, role, … notes: the column names too
_CONTACT_COLUMNS = ("id", *_FIELDS, "archived_at", "created_at", "updated_at", "search_text")
_SELECT = f"SELECT {', '.join(_CONTACT_COLUMNS)} FROM contacts WHERE deleted_at IS NULL"
_MEMBER_COLUMNS = "m.id, m.client_id, m.role, m.release_on_file, m.last_contact_on, m.added_on"
_N = len(_CONTACT_COLUMNS)


def _contact(row: Sequence[Any]) -> Contact:
    values = dict(zip(_FIELDS, row[1:1 + len(_FIELDS)], strict=True))
    values["kind"] = ContactKind(values["kind"])
    rest = row[1 + len(_FIELDS):]
    return Contact(id=row[0], fields=ContactFields(**values), archived_at=from_iso(rest[0]),
                   created_at=from_iso(rest[1]), updated_at=from_iso(rest[2]), search_text=rest[3])


def _member(row: Sequence[Any]) -> TeamMember:
    added = date_from_iso(row[5])
    assert added is not None
    return TeamMember(id=row[0], client_id=row[1], contact=_contact(row[6:6 + _N]),
                      fields=MemberFields(row[2], Release(row[3]), date_from_iso(row[4])), added_on=added)


def _contact_values(contact: Contact) -> tuple[Any, ...]:
    f = contact.fields
    return (*[getattr(f, n).value if n == "kind" else getattr(f, n) for n in _FIELDS], search_text(f))


class ContactRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- the directory -------------------------------------------------------------------------

    def add(self, contact: Contact, now: datetime) -> None:
        self.add_many([contact], now)

    def add_many(self, contacts: Iterable[Contact], now: datetime) -> None:
        stamp = to_iso(now)
        columns = ("id", *_FIELDS, "search_text", "archived_at", "created_at", "updated_at")
        self._conn.executemany(
            f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [(c.id, *_contact_values(c), to_iso(c.archived_at) if c.archived_at else None, stamp, stamp)
             for c in contacts],
        )

    def update(self, contact_id: str, fields: ContactFields, now: datetime) -> bool:
        sets = ", ".join(f"{n} = ?" for n in (*_FIELDS, "search_text"))
        cursor = self._conn.execute(
            f"UPDATE contacts SET {sets}, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (*_contact_values(Contact(contact_id, fields)), to_iso(now), contact_id),
        )
        return int(cursor.rowcount) == 1

    def set_archived(self, contact_id: str, archived_at: datetime | None, now: datetime) -> bool:
        cursor = self._conn.execute(
            "UPDATE contacts SET archived_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (to_iso(archived_at) if archived_at else None, to_iso(now), contact_id),
        )
        return int(cursor.rowcount) == 1

    def delete(self, contact_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            "UPDATE contacts SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (stamp, stamp, contact_id),
        )
        return int(cursor.rowcount) == 1

    def get(self, contact_id: str) -> Contact | None:
        row = self._conn.execute(_SELECT + " AND id = ?", (contact_id,)).fetchone()
        return _contact(row) if row else None

    def all(self, include_archived: bool = False) -> list[Contact]:
        sql = _SELECT if include_archived else _SELECT + " AND archived_at IS NULL"
        return [_contact(r) for r in self._conn.execute(sql).fetchall()]

    def usage(self, contact_id: str) -> ContactUsage:
        teams = self._conn.execute(
            """SELECT client_id, role FROM care_team_members WHERE contact_id = ? AND deleted_at IS NULL
               ORDER BY added_on""", (contact_id,)).fetchall()
        referrals, transitions, releases = self._conn.execute(
            """SELECT (SELECT count(*) FROM service_referrals WHERE contact_id = :id AND deleted_at IS NULL),
                      (SELECT count(*) FROM transitions WHERE receiving_contact_id = :id AND deleted_at IS NULL),
                      (SELECT count(*) FROM releases WHERE contact_id = :id AND deleted_at IS NULL)""",
            {"id": contact_id}).fetchone()
        return ContactUsage(tuple((r[0], r[1]) for r in teams), int(referrals), int(transitions), int(releases))

    # -- care teams ----------------------------------------------------------------------------

    _MEMBER_SQL = (f"SELECT {_MEMBER_COLUMNS}, {', '.join('c.' + c for c in _CONTACT_COLUMNS)} "
                   "FROM care_team_members m JOIN contacts c ON c.id = m.contact_id "
                   "WHERE m.deleted_at IS NULL AND c.deleted_at IS NULL")

    def team(self, client_id: str) -> list[TeamMember]:
        """The client's current team, in the order they joined."""
        rows = self._conn.execute(self._MEMBER_SQL + " AND m.client_id = ? ORDER BY m.added_on, m.created_at",
                                  (client_id,)).fetchall()
        return [_member(r) for r in rows]

    def member(self, member_id: str) -> TeamMember | None:
        row = self._conn.execute(self._MEMBER_SQL + " AND m.id = ?", (member_id,)).fetchone()
        return _member(row) if row else None

    def member_for(self, client_id: str, contact_id: str) -> str | None:
        """The id of the contact's current place on the client's team, if they have one."""
        row = self._conn.execute(
            """SELECT id FROM care_team_members WHERE client_id = ? AND contact_id = ? AND deleted_at IS NULL""",
            (client_id, contact_id)).fetchone()
        return str(row[0]) if row else None

    def add_member(self, member_id: str, client_id: str, contact_id: str, fields: MemberFields, added_on: date,
                   now: datetime) -> None:
        self.add_members([(member_id, client_id, contact_id, fields, added_on)], now)

    def add_members(self, members: Iterable[tuple[str, str, str, MemberFields, date]], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            """INSERT INTO care_team_members (id, client_id, contact_id, role, release_on_file, added_on,
               last_contact_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(member_id, client_id, contact_id, f.role, f.release.value, added_on.isoformat(),
              date_to_iso(f.last_contact_on), stamp, stamp)
             for member_id, client_id, contact_id, f, added_on in members],
        )

    def update_member(self, member_id: str, fields: MemberFields, now: datetime) -> bool:
        cursor = self._conn.execute(
            """UPDATE care_team_members SET role = ?, release_on_file = ?, last_contact_on = ?, updated_at = ?
               WHERE id = ? AND deleted_at IS NULL""",
            (fields.role, fields.release.value, date_to_iso(fields.last_contact_on), to_iso(now), member_id),
        )
        return int(cursor.rowcount) == 1

    def touch(self, client_id: str, contact_ids: Iterable[str], on: date, now: datetime) -> int:
        """Move the last contact of these members of the client's team forward to `on` (never
        back); returns how many changed."""
        ids = list(contact_ids)
        if not ids:
            return 0
        cursor = self._conn.execute(
            f"""UPDATE care_team_members SET last_contact_on = ?, updated_at = ?
                WHERE client_id = ? AND contact_id IN ({', '.join('?' * len(ids))}) AND deleted_at IS NULL
                  AND (last_contact_on IS NULL OR last_contact_on < ?)""",
            (on.isoformat(), to_iso(now), client_id, *ids, on.isoformat()),
        )
        return int(cursor.rowcount)

    def remove_member(self, member_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            "UPDATE care_team_members SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (stamp, stamp, member_id),
        )
        return int(cursor.rowcount) == 1

    def quiet(self, in_touch_on_or_before: date, client_id: str | None = None) -> list[QuietMember]:
        """Members last in touch on or before the day (the day they joined when never recorded),
        longest-quiet first, on the teams of clients still on the caseload (not archived, not closed)."""
        sql = """SELECT m.id, m.client_id, c.name, CASE WHEN m.role <> '' THEN m.role ELSE c.role END,
                        coalesce(m.last_contact_on, m.added_on), m.last_contact_on
                 FROM care_team_members m JOIN contacts c ON c.id = m.contact_id
                 JOIN clients k ON k.id = m.client_id
                 WHERE m.deleted_at IS NULL AND c.deleted_at IS NULL AND k.deleted_at IS NULL
                   AND k.archived_at IS NULL AND k.stage <> 'closed'
                   AND coalesce(m.last_contact_on, m.added_on) <= ?"""
        params: list[Any] = [in_touch_on_or_before.isoformat()]
        if client_id is not None:
            sql += " AND m.client_id = ?"
            params.append(client_id)
        rows = self._conn.execute(sql + " ORDER BY coalesce(m.last_contact_on, m.added_on), m.client_id",
                                  params).fetchall()
        return [QuietMember(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), date_from_iso(r[5])) for r in rows]
