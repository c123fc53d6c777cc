"""Referrals out and their status history. Rows ↔ ServiceReferral / StatusChange."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from app.models.screening import Urgency
from app.models.service_referral import (
    FINAL,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralFields,
    StatusChange,
)
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_COLUMNS = ("r.id, r.client_id, r.contact_id, r.service, r.reason, r.urgency, r.due_on, r.intervention_id, r.outcome, "
            "r.status, r.sent_on, r.appointment_on, r.created_by, r.created_at, r.updated_at, c.name, c.organisation")
_SELECT = (f"SELECT {_COLUMNS} FROM service_referrals r JOIN contacts c ON c.id = r.contact_id "
           "WHERE r.deleted_at IS NULL")
_FINAL = ", ".join(f"'{s.value}'" for s in sorted(FINAL))
_EVENT_COLUMNS = "id, referral_id, from_status, to_status, on_date, note, recorded_by, created_at"


def _referral(r: Sequence[Any]) -> ServiceReferral:
    fields = ServiceReferralFields(r[2], r[3], r[4], Urgency(r[5]), date_from_iso(r[6]), r[7], r[8])
    return ServiceReferral(
        id=r[0], client_id=r[1], fields=fields, status=ReferralStatus(r[9]), sent_on=date_from_iso(r[10]),
        appointment_on=date_from_iso(r[11]), created_by=r[12], created_at=from_iso(r[13]),
        updated_at=from_iso(r[14]), to_name=r[15], to_organisation=r[16],
    )


def _event(r: Sequence[Any]) -> StatusChange:
    return StatusChange(r[0], r[1], ReferralStatus(r[2]) if r[2] else None, ReferralStatus(r[3]),
                        date.fromisoformat(r[4]), r[5], r[6], from_iso(r[7]))


class ServiceReferralRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reading -------------------------------------------------------------------------------

    def get(self, referral_id: str) -> ServiceReferral | None:
        row = self._conn.execute(_SELECT + " AND r.id = ?", (referral_id,)).fetchone()
        return _referral(row) if row else None

    def for_client(self, client_id: str) -> list[ServiceReferral]:
        """Open ones first (by due date, none last), then the final ones, newest first."""
        rows = self._conn.execute(
            _SELECT + f""" AND r.client_id = ? ORDER BY r.status IN ({_FINAL}),
                CASE WHEN r.status IN ({_FINAL}) THEN NULL ELSE coalesce(r.due_on, '9999') END,
                r.updated_at DESC""", (client_id,)).fetchall()
        return [_referral(r) for r in rows]

    def overdue(self, today: date) -> list[ServiceReferral]:
        """Not final and due before today, most overdue first, for clients still on the caseload."""
        rows = self._conn.execute(
            _SELECT + f""" AND r.status NOT IN ({_FINAL}) AND r.due_on < ?
                AND r.client_id IN (SELECT id FROM clients WHERE deleted_at IS NULL AND archived_at IS NULL
                                    AND stage <> 'closed')
                ORDER BY r.due_on, r.client_id""", (today.isoformat(),)).fetchall()
        return [_referral(r) for r in rows]

    def history(self, referral_id: str) -> list[StatusChange]:
        """Oldest first."""
        rows = self._conn.execute(
            f"""SELECT {_EVENT_COLUMNS} FROM service_referral_events WHERE referral_id = ? AND deleted_at IS NULL
                ORDER BY on_date, created_at, rowid""", (referral_id,)).fetchall()
        return [_event(r) for r in rows]

    def last_change_on(self, referral_id: str) -> date | None:
        row = self._conn.execute(
            "SELECT max(on_date) FROM service_referral_events WHERE referral_id = ? AND deleted_at IS NULL",
            (referral_id,)).fetchone()
        return date_from_iso(row[0]) if row else None

    # -- writing -------------------------------------------------------------------------------

    def add(self, referral: ServiceReferral, now: datetime) -> None:
        self.add_many([referral], now)

    def add_many(self, referrals: Iterable[ServiceReferral], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            """INSERT INTO service_referrals (id, client_id, contact_id, service, reason, urgency, due_on,
               intervention_id, outcome, status, sent_on, appointment_on, created_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(r.id, r.client_id, r.fields.contact_id, r.fields.service, r.fields.reason, r.fields.urgency.value,
              date_to_iso(r.fields.due_on), r.fields.intervention_id, r.fields.outcome, r.status.value,
              date_to_iso(r.sent_on), date_to_iso(r.appointment_on), r.created_by,
              to_iso(r.created_at) if r.created_at else stamp, stamp) for r in referrals],
        )

    def update(self, referral_id: str, fields: ServiceReferralFields, now: datetime) -> bool:
        """Change what the referral says; refused (False) once it is final."""
        f = fields
        cursor = self._conn.execute(
            f"""UPDATE service_referrals SET contact_id = ?, service = ?, reason = ?, urgency = ?, due_on = ?,
                intervention_id = ?, outcome = ?, updated_at = ?
                WHERE id = ? AND deleted_at IS NULL AND status NOT IN ({_FINAL})""",
            (f.contact_id, f.service, f.reason, f.urgency.value, date_to_iso(f.due_on), f.intervention_id,
             f.outcome, to_iso(now), referral_id),
        )
        return int(cursor.rowcount) == 1

    def move(self, referral: ServiceReferral, to: ReferralStatus, *, sent_on: date | None, due_on: date | None,
             appointment_on: date | None, outcome: str, now: datetime) -> bool:
        """Set the new status (and the dates and outcome that go with it) if the referral is still
        in the status it was read in; False if it changed meanwhile."""
        cursor = self._conn.execute(
            """UPDATE service_referrals SET status = ?, sent_on = ?, due_on = ?, appointment_on = ?, outcome = ?,
               updated_at = ? WHERE id = ? AND status = ? AND deleted_at IS NULL""",
            (to.value, date_to_iso(sent_on), date_to_iso(due_on), date_to_iso(appointment_on), outcome,
             to_iso(now), referral.id, referral.status.value),
        )
        return int(cursor.rowcount) == 1

    def add_events(self, events: Iterable[StatusChange], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            f"""INSERT INTO service_referral_events ({_EVENT_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(e.id, e.referral_id, e.from_status.value if e.from_status else None, e.to_status.value,
              e.on.isoformat(), e.note, e.recorded_by, to_iso(e.created_at) if e.created_at else stamp, stamp)
             for e in events],
        )
