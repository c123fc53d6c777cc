"""Care plan versions and their reviews. Rows ↔ dataclasses (app.models.care_plan)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app.models.care_plan import (
    SCHEMA,
    Agreement,
    CarePlan,
    PlanDocument,
    PlanStatus,
    Review,
    ReviewDue,
)
from app.models.signature import Signature
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_COLUMNS = (
    "id, client_id, version, status, document, start_on, review_days, review_on, agreement, signatures, "
    "attachment_id, referral_links, activated_at, status_changed_at, status_reason, superseded_at, based_on, "
    "created_by, created_at, updated_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM care_plans WHERE deleted_at IS NULL"
_REVIEW_COLUMNS = "id, plan_id, client_id, reviewed_on, document, next_review_on, recorded_by, created_at"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _document(doc: PlanDocument) -> str:
    return _json(doc.to_json())


def _signatures(signatures: Sequence[Signature]) -> str:
    return _json([s.to_json() for s in signatures])


def _plan(row: tuple[Any, ...]) -> CarePlan:
    links: dict[str, str] = json.loads(row[11]) if row[11] else {}
    return CarePlan(
        id=row[0], client_id=row[1], version=row[2], status=PlanStatus(row[3]),
        document=PlanDocument.from_json(json.loads(row[4])).with_referrals(links),
        start_on=date_from_iso(row[5]), review_days=row[6], review_on=date_from_iso(row[7]),
        agreement=Agreement(row[8]) if row[8] else None,
        signatures=tuple(Signature.from_json(s) for s in json.loads(row[9])),
        attachment_id=row[10], activated_at=from_iso(row[12]), status_changed_at=from_iso(row[13]),
        status_reason=row[14], superseded_at=from_iso(row[15]), based_on=row[16], created_by=row[17],
        created_at=from_iso(row[18]), updated_at=from_iso(row[19]),
    )


def _review(row: tuple[Any, ...]) -> Review:
    progress, changes, attended = Review.parts_from_json(json.loads(row[4]))
    return Review(id=row[0], plan_id=row[1], client_id=row[2], reviewed_on=date.fromisoformat(row[3]),
                  progress=progress, changes=changes, attended=attended, next_review_on=date_from_iso(row[5]),
                  recorded_by=row[6], created_at=from_iso(row[7]))


class CarePlanRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reading -------------------------------------------------------------------------------

    def get(self, plan_id: str) -> CarePlan | None:
        row = self._conn.execute(_SELECT + " AND id = ?", (plan_id,)).fetchone()
        return _plan(row) if row else None

    def draft(self, client_id: str) -> CarePlan | None:
        row = self._conn.execute(_SELECT + " AND client_id = ? AND status = 'draft'", (client_id,)).fetchone()
        return _plan(row) if row else None

    def in_force(self, client_id: str) -> CarePlan | None:
        """The active or on-hold version."""
        row = self._conn.execute(_SELECT + " AND client_id = ? AND status IN ('active', 'on_hold')",
                                 (client_id,)).fetchone()
        return _plan(row) if row else None

    def versions(self, client_id: str) -> list[CarePlan]:
        """Every version (draft included), newest first."""
        rows = self._conn.execute(_SELECT + " AND client_id = ? ORDER BY version DESC", (client_id,)).fetchall()
        return [_plan(r) for r in rows]

    def latest_signed(self, client_id: str) -> CarePlan | None:
        row = self._conn.execute(_SELECT + " AND client_id = ? AND status <> 'draft' ORDER BY version DESC LIMIT 1",
                                 (client_id,)).fetchone()
        return _plan(row) if row else None

    def next_version(self, client_id: str) -> int:
        """One more than any version ever used for the client, removed drafts included."""
        row = self._conn.execute("SELECT coalesce(max(version), 0) FROM care_plans WHERE client_id = ?",
                                 (client_id,)).fetchone()
        return int(row[0]) + 1

    def reviews_due(self, on_or_before: date) -> list[ReviewDue]:
        """Active plans whose review date is on or before the day, earliest first, for clients
        still on the caseload."""
        rows = self._conn.execute(
            """SELECT p.id, p.client_id, p.version, p.review_on
               FROM care_plans p JOIN clients c ON c.id = p.client_id
               WHERE p.deleted_at IS NULL AND p.status = 'active' AND p.review_on <= ?
                 AND c.deleted_at IS NULL AND c.archived_at IS NULL
               ORDER BY p.review_on, p.client_id""",
            (on_or_before.isoformat(),),
        ).fetchall()
        return [ReviewDue(r[0], r[1], r[2], date.fromisoformat(r[3])) for r in rows]

    def reviews(self, client_id: str) -> list[Review]:
        """The client's reviews, newest first."""
        rows = self._conn.execute(
            f"""SELECT {_REVIEW_COLUMNS} FROM care_plan_reviews WHERE client_id = ? AND deleted_at IS NULL
                ORDER BY reviewed_on DESC, created_at DESC""", (client_id,)).fetchall()
        return [_review(r) for r in rows]

    # -- writing -------------------------------------------------------------------------------

    def add(self, plan: CarePlan, now: datetime) -> None:
        """Add a version as a draft (signing is a separate step)."""
        stamp = to_iso(now)
        links = {i.id: i.referral_id for i in plan.document.interventions() if i.referral_id}
        self._conn.execute(
            """INSERT INTO care_plans (id, client_id, version, status, schema_version, document, start_on,
               review_days, review_on, referral_links, based_on, created_by, created_at, updated_at)
               VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (plan.id, plan.client_id, plan.version, SCHEMA, _document(plan.document), date_to_iso(plan.start_on),
             plan.review_days, date_to_iso(plan.review_on), _json(links), plan.based_on, plan.created_by,
             to_iso(plan.created_at) if plan.created_at else stamp, stamp),
        )

    def update_draft(self, plan_id: str, doc: PlanDocument, start_on: date | None, review_days: int,
                     now: datetime) -> bool:
        """Replace a draft's content; False if the plan is not (or no longer) a draft."""
        links = {i.id: i.referral_id for i in doc.interventions() if i.referral_id}
        cursor = self._conn.execute(
            """UPDATE care_plans SET schema_version = ?, document = ?, start_on = ?, review_days = ?,
               referral_links = ?, updated_at = ? WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (SCHEMA, _document(doc), date_to_iso(start_on), review_days, _json(links), to_iso(now), plan_id),
        )
        return int(cursor.rowcount) == 1

    def activate(self, plan_id: str, agreement: Agreement, signatures: Sequence[Signature],
                 attachment_id: str | None, start_on: date, review_on: date, by: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE care_plans SET status = 'active', agreement = ?, signatures = ?, attachment_id = ?,
               start_on = ?, review_on = ?, activated_at = ?, activated_by = ?, status_changed_at = ?,
               updated_at = ? WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (agreement.value, _signatures(signatures), attachment_id, start_on.isoformat(), review_on.isoformat(),
             stamp, by, stamp, stamp, plan_id),
        )
        return int(cursor.rowcount) == 1

    def supersede(self, plan_id: str, by_plan_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE care_plans SET status = 'superseded', superseded_at = ?, superseded_by = ?,
               status_changed_at = ?, updated_at = ?
               WHERE id = ? AND status IN ('active', 'on_hold') AND deleted_at IS NULL""",
            (stamp, by_plan_id, stamp, stamp, plan_id),
        )
        return int(cursor.rowcount) == 1

    def set_status(self, plan_id: str, old: PlanStatus, new: PlanStatus, reason: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE care_plans SET status = ?, status_reason = ?, status_changed_at = ?, updated_at = ?
               WHERE id = ? AND status = ? AND deleted_at IS NULL""",
            (new.value, reason, stamp, stamp, plan_id, old.value),
        )
        return int(cursor.rowcount) == 1

    def set_review_on(self, plan_id: str, review_on: date, now: datetime) -> bool:
        cursor = self._conn.execute(
            "UPDATE care_plans SET review_on = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (review_on.isoformat(), to_iso(now), plan_id),
        )
        return int(cursor.rowcount) == 1

    def set_attachment(self, plan_id: str, attachment_id: str, now: datetime) -> bool:
        """Link the scanned signed page, once."""
        cursor = self._conn.execute(
            """UPDATE care_plans SET attachment_id = ?, updated_at = ?
               WHERE id = ? AND attachment_id IS NULL AND deleted_at IS NULL""",
            (attachment_id, to_iso(now), plan_id),
        )
        return int(cursor.rowcount) == 1

    def set_referral_links(self, plan_id: str, links: Mapping[str, str], now: datetime) -> None:
        self._conn.execute(
            "UPDATE care_plans SET referral_links = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (_json(dict(links)), to_iso(now), plan_id),
        )

    def referral_links(self, plan_id: str) -> dict[str, str]:
        row = self._conn.execute("SELECT referral_links FROM care_plans WHERE id = ?", (plan_id,)).fetchone()
        return dict(json.loads(row[0])) if row and row[0] else {}

    def delete_draft(self, plan_id: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE care_plans SET deleted_at = ?, updated_at = ?
               WHERE id = ? AND status = 'draft' AND deleted_at IS NULL""",
            (stamp, stamp, plan_id),
        )
        return int(cursor.rowcount) == 1

    def add_review(self, review: Review, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            f"""INSERT INTO care_plan_reviews ({_REVIEW_COLUMNS}, schema_version, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (review.id, review.plan_id, review.client_id, review.reviewed_on.isoformat(), _json(review.to_json()),
             date_to_iso(review.next_review_on), review.recorded_by,
             to_iso(review.created_at) if review.created_at else stamp, SCHEMA, stamp),
        )
