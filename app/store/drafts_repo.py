"""Form drafts: what someone typed and has not saved yet, kept inside the encrypted vault."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.models.timefmt import from_iso, to_iso, utc_now
from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class StoredDraft:
    form: str
    object_id: str
    payload: str
    updated_at: datetime


class DraftRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, form: str, object_id: str, payload: str) -> datetime:
        now = utc_now()
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO drafts (id, form, object_id, payload, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (form, object_id) DO UPDATE SET
                 payload = excluded.payload, updated_at = excluded.updated_at, deleted_at = NULL""",
            (str(uuid.uuid4()), form, object_id, payload, stamp, stamp),
        )
        return now

    def get(self, form: str, object_id: str) -> StoredDraft | None:
        row = self._conn.execute(
            """SELECT form, object_id, payload, updated_at FROM drafts
               WHERE form = ? AND object_id = ? AND deleted_at IS NULL""",
            (form, object_id),
        ).fetchone()
        if row is None:
            return None
        updated = from_iso(row[3])
        assert updated is not None
        return StoredDraft(row[0], row[1], row[2], updated)

    def delete(self, form: str, object_id: str) -> None:
        # Drafts are scratch space, not records: removing them outright leaves no copy behind.
        self._conn.execute("DELETE FROM drafts WHERE form = ? AND object_id = ?", (form, object_id))

    def all(self) -> list[StoredDraft]:
        rows = self._conn.execute(
            "SELECT form, object_id, payload, updated_at FROM drafts WHERE deleted_at IS NULL"
        ).fetchall()
        return [StoredDraft(r[0], r[1], r[2], from_iso(r[3]) or utc_now()) for r in rows]
