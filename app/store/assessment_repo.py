"""Comprehensive assessments: one row per version, the document kept as JSON. Rows ↔ dataclasses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.models.assessment import Assessment, AssessmentDocument, AssessmentStatus
from app.models.timefmt import from_iso, to_iso
from app.store.db import Connection

_COLUMNS = "id, client_id, version, status, document, supersedes, started_by, completed_by, completed_at, updated_at"
_SELECT = f"SELECT {_COLUMNS} FROM assessments WHERE deleted_at IS NULL"


def _assessment(row: tuple[Any, ...]) -> Assessment:
    return Assessment(
        id=row[0], client_id=row[1], version=row[2], status=AssessmentStatus(row[3]),
        document=AssessmentDocument.from_json(row[4]), supersedes=row[5], started_by=row[6],
        completed_by=row[7], completed_at=from_iso(row[8]), updated_at=from_iso(row[9]),
    )


class AssessmentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, a: Assessment, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            f"INSERT INTO assessments ({_COLUMNS}, assessed_on, created_at) VALUES ({', '.join('?' * 12)})",
            (a.id, a.client_id, a.version, a.status.value, a.document.to_json(), a.supersedes, a.started_by,
             a.completed_by, to_iso(a.completed_at) if a.completed_at else None, stamp,
             a.assessed_on.isoformat(), stamp),
        )

    def next_version(self, client_id: str) -> int:
        row = self._conn.execute(
            "SELECT coalesce(max(version), 0) FROM assessments WHERE client_id = ? AND deleted_at IS NULL",
            (client_id,),
        ).fetchone()
        return int(row[0]) + 1

    def save_document(self, assessment_id: str, document: AssessmentDocument, now: datetime) -> None:
        """Replace a draft's document (a completed version is refused by the database)."""
        self._conn.execute(
            "UPDATE assessments SET document = ?, assessed_on = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            (document.to_json(), document.assessed_on.isoformat(), to_iso(now), assessment_id),
        )

    def complete(self, assessment_id: str, by: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """UPDATE assessments SET status = 'completed', completed_by = ?, completed_at = ?, updated_at = ?
               WHERE id = ? AND status = 'draft'""",
            (by, stamp, stamp, assessment_id),
        )

    def delete_draft(self, assessment_id: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            "UPDATE assessments SET deleted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
            (stamp, stamp, assessment_id),
        )

    def get(self, assessment_id: str) -> Assessment | None:
        row = self._conn.execute(_SELECT + " AND id = ?", (assessment_id,)).fetchone()
        return _assessment(row) if row else None

    def versions(self, client_id: str) -> list[Assessment]:
        """Completed versions, newest first."""
        rows = self._conn.execute(
            _SELECT + " AND client_id = ? AND status = 'completed' ORDER BY version DESC", (client_id,)
        ).fetchall()
        return [_assessment(r) for r in rows]

    def latest_completed(self, client_id: str) -> Assessment | None:
        row = self._conn.execute(
            _SELECT + " AND client_id = ? AND status = 'completed' ORDER BY version DESC LIMIT 1", (client_id,)
        ).fetchone()
        return _assessment(row) if row else None

    def draft(self, client_id: str) -> Assessment | None:
        row = self._conn.execute(_SELECT + " AND client_id = ? AND status = 'draft'", (client_id,)).fetchone()
        return _assessment(row) if row else None
