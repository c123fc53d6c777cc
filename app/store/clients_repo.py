"""Clients, their stage history and the full-text roster search. Rows ↔ dataclasses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from app.models.client import (
    Client,
    ClientFields,
    RosterRow,
    Stage,
    StageChange,
    fold,
    phone_digits,
)
from app.models.risk import Tier
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_FIELD_NAMES = ClientFields.names()
_DATE_FIELDS = {"date_of_birth", "referral_date"}
_CLIENT_COLUMNS = ("id", "client_code", *_FIELD_NAMES, "stage", "archived_at", "created_at", "updated_at")
_ROSTER_COLUMNS = (
    "id, client_code, first_name, last_name, preferred_name, date_of_birth, stage, phone, archived_at, tier"
)
_ROSTER_COLUMNS_OF_C = ", ".join("c." + name.strip() for name in _ROSTER_COLUMNS.split(","))
_TOKEN = re.compile(r"\w+", re.UNICODE)
_STAGES = {stage.value: stage for stage in Stage}  # a dict lookup is much cheaper than Stage(value)
_TIERS = {tier.value: tier for tier in Tier}


def sort_key(last: str, first: str) -> str:
    """Case- and accent-insensitive key so Ødegård sorts with O and Zoë with Zoe."""
    return fold(f"{last}\x00{first}")


def name_search_text(fields: ClientFields) -> str:
    return fold(" ".join(p for p in (fields.first_name, fields.last_name, fields.preferred_name) if p))


def phone_search_text(*numbers: str) -> str:
    """Full digits plus the last 7 and last 4, so '3344' and '201-3344' both find a client."""
    terms: list[str] = []
    for number in numbers:
        digits = phone_digits(number)
        if not digits:
            continue
        for term in (digits, digits[-7:], digits[-4:]):
            if term not in terms:
                terms.append(term)
    return " ".join(terms)


def fts_query(text: str) -> str | None:
    """An FTS5 query matching every typed word as a prefix; None when nothing searchable."""
    tokens = _TOKEN.findall(text)
    digits = phone_digits(text)
    # A phone number typed with separators ("555-201") searches as one run of digits.
    if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in text):
        return f'phone_search : "{digits}"*'
    if not tokens:
        return None
    return " AND ".join('"' + fold(token) + '"*' for token in tokens)


def _row_to_roster(row: tuple[Any, ...]) -> RosterRow:
    dob = row[5]
    return RosterRow(
        id=row[0],
        client_code=row[1],
        first_name=row[2],
        last_name=row[3],
        preferred_name=row[4],
        date_of_birth=date.fromisoformat(dob) if dob else None,
        stage=_STAGES[row[6]],
        phone=row[7],
        archived=row[8] is not None,
        sort_name=sort_key(row[3], row[4] or row[2]),
        tier=_TIERS[row[9]] if row[9] else None,
    )


class ClientRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- writing (inside the caller's transaction) --------------------------------------------

    def insert(self, client: Client, now: datetime) -> None:
        values = self._values(client)
        stamp = to_iso(now)
        values["created_at"] = stamp
        values["updated_at"] = stamp
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._conn.execute(f"INSERT INTO clients ({names}) VALUES ({marks})", tuple(values.values()))

    def update_fields(self, client_id: str, fields: ClientFields, now: datetime) -> None:
        values = self._field_values(fields)
        values["updated_at"] = to_iso(now)
        assignments = ", ".join(f"{name} = ?" for name in values)
        self._conn.execute(
            f"UPDATE clients SET {assignments} WHERE id = ?", (*values.values(), client_id)
        )

    def set_stage(self, client_id: str, stage: Stage, now: datetime) -> None:
        self._conn.execute(
            "UPDATE clients SET stage = ?, updated_at = ? WHERE id = ?",
            (stage.value, to_iso(now), client_id),
        )

    def set_archived(self, client_id: str, archived_at: datetime | None, now: datetime) -> None:
        self._conn.execute(
            "UPDATE clients SET archived_at = ?, updated_at = ? WHERE id = ?",
            (to_iso(archived_at) if archived_at else None, to_iso(now), client_id),
        )

    def add_stage_change(self, change: StageChange, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO stage_history
               (id, client_id, on_date, from_stage, to_stage, note, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                change.id,
                change.client_id,
                change.on.isoformat(),
                change.from_stage.value if change.from_stage else None,
                change.to_stage.value,
                change.note,
                stamp,
                stamp,
            ),
        )

    # -- reading ------------------------------------------------------------------------------

    def get(self, client_id: str) -> Client | None:
        row = self._conn.execute(
            f"SELECT {', '.join(_CLIENT_COLUMNS)} FROM clients WHERE id = ? AND deleted_at IS NULL",
            (client_id,),
        ).fetchone()
        return self._row_to_client(row) if row else None

    def code_exists(self, code: str) -> bool:
        return self._conn.execute("SELECT 1 FROM clients WHERE client_code = ?", (code,)).fetchone() is not None

    def roster(self, include_archived: bool = False) -> list[RosterRow]:
        where = "deleted_at IS NULL" + ("" if include_archived else " AND archived_at IS NULL")
        rows = self._conn.execute(f"SELECT {_ROSTER_COLUMNS} FROM clients WHERE {where}").fetchall()
        result = [_row_to_roster(r) for r in rows]
        result.sort(key=lambda r: r.sort_name)
        return result

    def _matches(self, columns: str, text: str, include_archived: bool, limit: int | None) -> list[tuple[Any, ...]]:
        """Rows of clients matching `text` by name, preferred name, phone or client code (best
        matches first when `limit` is given; otherwise in no particular order, since ranking
        every match of a one-letter prefix costs more than the search itself)."""
        query = fts_query(text)
        if query is None:
            return []
        archived = "" if include_archived else " AND c.archived_at IS NULL"
        sql = (
            f"SELECT {columns} FROM clients_fts f JOIN clients c ON c.rowid = f.rowid "
            f"WHERE clients_fts MATCH ? AND c.deleted_at IS NULL{archived}"
        )
        params: tuple[Any, ...] = (query,)
        if limit is not None:
            sql += " ORDER BY f.rank LIMIT ?"
            params = (query, limit)
        rows: list[tuple[Any, ...]] = self._conn.execute(sql, params).fetchall()
        return rows

    def search_ids(self, text: str, include_archived: bool = False, limit: int | None = None) -> list[str]:
        return [row[0] for row in self._matches("c.id", text, include_archived, limit)]

    def search(self, text: str, include_archived: bool = False) -> list[RosterRow]:
        """Matching roster rows in roster order, read in one query."""
        rows = self._matches(_ROSTER_COLUMNS_OF_C, text, include_archived, None)
        return sorted((_row_to_roster(r) for r in rows), key=lambda r: r.sort_name)

    def stage_counts(self) -> dict[Stage, int]:
        rows = self._conn.execute(
            """SELECT stage, count(*) FROM clients
               WHERE deleted_at IS NULL AND archived_at IS NULL GROUP BY stage"""
        ).fetchall()
        counts = {stage: 0 for stage in Stage}
        for stage, count in rows:
            counts[Stage(stage)] = count
        return counts

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM clients WHERE deleted_at IS NULL").fetchone()[0])

    def stage_history(self, client_id: str) -> list[StageChange]:
        rows = self._conn.execute(
            """SELECT id, client_id, on_date, from_stage, to_stage, note, created_at
               FROM stage_history WHERE client_id = ? AND deleted_at IS NULL
               ORDER BY on_date, created_at""",
            (client_id,),
        ).fetchall()
        return [
            StageChange(
                id=r[0],
                client_id=r[1],
                on=date.fromisoformat(r[2]),
                from_stage=Stage(r[3]) if r[3] else None,
                to_stage=Stage(r[4]),
                note=r[5],
                created_at=from_iso(r[6]),
            )
            for r in rows
        ]

    def get_many(self, ids: Iterable[str]) -> list[RosterRow]:
        wanted = list(ids)
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = self._conn.execute(
            f"SELECT {_ROSTER_COLUMNS} FROM clients WHERE deleted_at IS NULL AND id IN ({marks})",
            wanted,
        ).fetchall()
        by_id = {r[0]: _row_to_roster(r) for r in rows}
        return [by_id[i] for i in wanted if i in by_id]

    # -- mapping ------------------------------------------------------------------------------

    @staticmethod
    def _field_values(fields: ClientFields) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = getattr(fields, name)
            if name in _DATE_FIELDS:
                value = date_to_iso(value)
            elif isinstance(value, bool):
                value = int(value)
            values[name] = value
        values["phone_search"] = phone_search_text(fields.phone, fields.phone_alt)
        values["name_search"] = name_search_text(fields)
        return values

    def _values(self, client: Client) -> dict[str, Any]:
        values: dict[str, Any] = {"id": client.id, "client_code": client.client_code}
        values.update(self._field_values(client.fields))
        values["stage"] = client.stage.value
        values["archived_at"] = to_iso(client.archived_at) if client.archived_at else None
        return values

    @staticmethod
    def _row_to_client(row: tuple[Any, ...]) -> Client:
        data = dict(zip(_CLIENT_COLUMNS, row, strict=True))
        field_values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = data[name]
            if name in _DATE_FIELDS:
                value = date_from_iso(value)
            elif name == "interpreter_needed":
                value = bool(value)
            field_values[name] = value
        return Client(
            id=data["id"],
            client_code=data["client_code"],
            fields=ClientFields(**field_values),
            stage=Stage(data["stage"]),
            archived_at=from_iso(data["archived_at"]),
            created_at=from_iso(data["created_at"]),
            updated_at=from_iso(data["updated_at"]),
        )
