"""Safety-plan versions: the plan as a JSON document plus listing columns. Rows ↔ SafetyPlan."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.models.safety_plan import SCHEMA, PlanContent, PlanStatus, SafetyPlan
from app.models.signature import Signature
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_COLUMNS = (
    "id, client_id, version, status, document, review_on, signatures, activated_at, superseded_at, "
    "copy_given_on, created_by, created_at, updated_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM safety_plans WHERE deleted_at IS NULL"


def _document(content: PlanContent) -> str:
    return json.dumps(content.to_json(), ensure_ascii=False, sort_keys=True)


def _signatures(signatures: tuple[Signature, ...]) -> str:
    return json.dumps([s.to_json() for s in signatures], ensure_ascii=False, separators=(",", ":"))


def _plan(row: tuple[Any, ...]) -> SafetyPlan:
    return SafetyPlan(
        id=row[0], client_id=row[1], version=row[2], status=PlanStatus(row[3]),
        content=PlanContent.from_json(json.loads(row[4])), review_on=date_from_iso(row[5]),
        signatures=tuple(Signature.from_json(s) for s in json.loads(row[6])),
        activated_at=from_iso(row[7]), superseded_at=from_iso(row[8]), copy_given_on=date_from_iso(row[9]),
        created_by=row[10], created_at=from_iso(row[11]), updated_at=from_iso(row[12]),
    )


class SafetyPlanRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reading -------------------------------------------------------------------------------

    def get(self, plan_id: str) -> SafetyPlan | None:
        row = self._conn.execute(_SELECT + " AND id = ?", (plan_id,)).fetchone()
        return _plan(row) if row else None

    def with_status(self, client_id: str, status: PlanStatus) -> SafetyPlan | None:
        row = self._conn.execute(_SELECT + " AND client_id = ? AND status = ?",
                                 (client_id, status.value)).fetchone()
        return _plan(row) if row else None

    def versions(self, client_id: str) -> list[SafetyPlan]:
        """Every version of the client's plan (draft included), newest first."""
        rows = self._conn.execute(_SELECT + " AND client_id = ? ORDER BY version DESC", (client_id,)).fetchall()
        return [_plan(r) for r in rows]

    def next_version(self, client_id: str) -> int:
        """One more than any version ever used for the client, removed drafts included."""
        row = self._conn.execute("SELECT coalesce(max(version), 0) FROM safety_plans WHERE client_id = ?",
                                 (client_id,)).fetchone()
        return int(row[0]) + 1

    def due_for_review(self, on_or_before: date) -> list[SafetyPlan]:
        """Active plans whose review date is on or before the day, earliest first, for clients
        still on the caseload."""
        rows = self._conn.execute(
            f"""SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))}
                FROM safety_plans p JOIN clients c ON c.id = p.client_id
                WHERE p.deleted_at IS NULL AND p.status = 'active' AND p.review_on <= ?
                  AND c.deleted_at IS NULL AND c.archived_at IS NULL
                ORDER BY p.review_on, p.client_id""",
            (on_or_before.isoformat(),),
        ).fetchall()
        return [_plan(r) for r in rows]

    def reviews_due(self, on_or_before: date) -> list[tuple[str, str, date]]:
        """(plan id, client id, review date) of the plans `due_for_review` finds, without reading
        their content — what a list of reminders needs."""
        rows = self._conn.execute(
            """SELECT p.id, p.client_id, p.review_on
                FROM safety_plans p JOIN clients c ON c.id = p.client_id
                WHERE p.deleted_at IS NULL AND p.status = 'active' AND p.review_on <= ?
                  AND c.deleted_at IS NULL AND c.archived_at IS NULL
                ORDER BY p.review_on, p.client_id""",
            (on_or_before.isoformat(),),
        ).fetchall()
        return [(r[0], r[1], date.fromisoformat(r[2])) for r in rows]

    # -- writing -------------------------------------------------------------------------------

    def add(self, plan: SafetyPlan, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO safety_plans (id, client_id, version, status, schema_version, document, review_on,
               signatures, activated_at, activated_by, superseded_at, copy_given_on, created_by, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (plan.id, plan.client_id, plan.version, plan.status.value, SCHEMA, _document(plan.content),
             date_to_iso(plan.review_on), _signatures(plan.signatures),
             to_iso(plan.activated_at) if plan.activated_at else None,
             plan.created_by if plan.activated_at else "",
             to_iso(plan.superseded_at) if plan.superseded_at else None, date_to_iso(plan.copy_given_on),
             plan.created_by, to_iso(plan.created_at) if plan.created_at else stamp, stamp),
        )

    def update_draft(self, plan_id: str, content: PlanContent, review_on: date | None, now: datetime) -> bool:
        """Replace a draft's content; False if the plan is not (or no longer) a draft."""
        cursor = self._conn.execute(
            """UPDATE safety_plans SET schema_version = ?, document = ?, review_on = ?, updated_at = ?
               WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (SCHEMA, _document(content), date_to_iso(review_on), to_iso(now), plan_id),
        )
        return int(cursor.rowcount) == 1

    def activate(self, plan_id: str, signatures: tuple[Signature, ...], by: str, now: datetime,
                 copy_given_on: date | None = None) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE safety_plans SET status = 'active', signatures = ?, activated_at = ?, activated_by = ?,
               copy_given_on = ?, updated_at = ? WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (_signatures(signatures), stamp, by, date_to_iso(copy_given_on), stamp, plan_id),
        )
        return int(cursor.rowcount) == 1

    def supersede(self, plan_id: str, by_plan_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE safety_plans SET status = 'superseded', superseded_at = ?, superseded_by = ?, updated_at = ?
               WHERE id = ? AND status = 'active' AND deleted_at IS NULL""",
            (stamp, by_plan_id, stamp, plan_id),
        )
        return int(cursor.rowcount) == 1

    def set_copy_given(self, plan_id: str, on: date, now: datetime) -> bool:
        cursor = self._conn.execute(
            """UPDATE safety_plans SET copy_given_on = ?, updated_at = ?
               WHERE id = ? AND status <> 'draft' AND deleted_at IS NULL""",
            (on.isoformat(), to_iso(now), plan_id),
        )
        return int(cursor.rowcount) == 1

    def delete_draft(self, plan_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE safety_plans SET deleted_at = ?, updated_at = ?
               WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (stamp, stamp, plan_id),
        )
        return int(cursor.rowcount) == 1
