"""The audit trail table: append and read. Update and delete are refused by triggers."""

from __future__ import annotations

from collections.abc import Iterator

import sqlcipher3

from app.models.audit import (
    GENESIS,
    AuditEntry,
    ChainReport,
    check_detail,
    entry_hash,
    verify_chain,
)
from app.models.timefmt import to_iso, utc_now
from app.store.db import Connection

_COLUMNS = "seq, at, action, object_type, object_id, actor, detail, prev_hash, hash"


class AuditRepository:
    def __init__(self, conn: Connection, actor: str) -> None:
        self._conn = conn
        self._actor = actor

    def append(
        self, action: str, object_type: str = "", object_id: str = "", detail: str = "", at: str | None = None
    ) -> AuditEntry:
        """Add one entry chained to the last. Call inside the caller's write transaction."""
        check_detail(detail)
        row = self._conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        stamp = at or to_iso(utc_now())
        digest = entry_hash(prev, seq, stamp, action, object_type, object_id, self._actor, detail)
        self._conn.execute(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, stamp, action, object_type, object_id, self._actor, detail, prev, digest),
        )
        return AuditEntry(seq, stamp, action, object_type, object_id, self._actor, detail, prev, digest)

    def entries(self, since_seq: int = 0) -> Iterator[AuditEntry]:
        cursor = self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq", (since_seq,)
        )
        for row in cursor:
            yield AuditEntry(*row)

    def latest(self, limit: int = 50) -> list[AuditEntry]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit ORDER BY seq DESC LIMIT ?", (limit,)
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def verify(self) -> ChainReport:
        """The chain's verdict; entries that can't be read (damaged pages) make it broken."""
        try:
            return verify_chain(self.entries())
        except sqlcipher3.DatabaseError as exc:
            return ChainReport(False, 0, None, f"its entries could not be read ({exc or type(exc).__name__})")

    def recent_objects(self, action: str, object_type: str, limit: int) -> list[str]:
        """Distinct object ids of the latest `action` entries, newest first."""
        rows = self._conn.execute(
            """SELECT object_id, max(seq) AS last FROM audit
               WHERE action = ? AND object_type = ? GROUP BY object_id ORDER BY last DESC LIMIT ?""",
            (action, object_type, limit),
        ).fetchall()
        return [row[0] for row in rows]
