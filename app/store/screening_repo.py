"""Referrals, instrument administrations, external scores and safety alerts. Rows ↔ dataclasses."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.models.screening import (
    Administration,
    Decision,
    ExternalScore,
    Referral,
    ReferralFields,
    SafetyAlert,
    Urgency,
)
from app.models.timefmt import from_iso, to_iso
from app.store.db import Connection

_ADMIN_COLUMNS = (
    "id, client_id, instrument_id, instrument_version, administered_on, answers, declined, valid, total, "
    "percent, band, positive, risk, prorated, flags, sex_used, referral_id, recorded_by, created_at"
)
_ALERT_COLUMNS = (
    "a.id, a.client_id, a.flag, a.level, a.raised_at, a.administration_id, a.reviewed_at, a.reviewed_by, "
    "a.review_note, coalesce(m.instrument_id, '')"
)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _admin(row: tuple[Any, ...]) -> Administration:
    return Administration(
        id=row[0], client_id=row[1], instrument_id=row[2], instrument_version=row[3],
        administered_on=date.fromisoformat(row[4]), answers=json.loads(row[5]),
        declined=tuple(json.loads(row[6])), valid=bool(row[7]), total=row[8], percent=row[9], band=row[10],
        positive=_bool(row[11]), risk=row[12], prorated=bool(row[13]), flags=tuple(json.loads(row[14])),
        sex_used=row[15], referral_id=row[16], recorded_by=row[17], created_at=from_iso(row[18]),
    )


def _referral(r: tuple[Any, ...]) -> Referral:
    return Referral(
        id=r[0], client_id=r[1],
        fields=ReferralFields(date.fromisoformat(r[2]), r[3], r[4], r[5], r[6], Urgency(r[7])),
        decision=Decision(r[8]) if r[8] else None,
        decision_on=date.fromisoformat(r[9]) if r[9] else None, decision_reason=r[10],
    )


def _alert(row: tuple[Any, ...]) -> SafetyAlert:
    raised = from_iso(row[4])
    assert raised is not None
    return SafetyAlert(id=row[0], client_id=row[1], flag=row[2], level=row[3], raised_at=raised,
                       administration_id=row[5], reviewed_at=from_iso(row[6]), reviewed_by=row[7],
                       review_note=row[8], instrument_id=row[9])


class ScreeningRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- referrals -----------------------------------------------------------------------------

    def add_referral(self, referral: Referral, now: datetime) -> None:
        f = referral.fields
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO referrals (id, client_id, received_on, source, referrer_name, referrer_contact,
               reason, urgency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (referral.id, referral.client_id, f.received_on.isoformat(), f.source, f.referrer_name,
             f.referrer_contact, f.reason, f.urgency.value, stamp, stamp),
        )

    def decide(self, referral_id: str, decision: Decision, on: date, reason: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE referrals SET decision = ?, decision_on = ?, decision_reason = ?, updated_at = ? WHERE id = ?",
            (decision.value, on.isoformat(), reason, to_iso(now), referral_id),
        )

    _REFERRAL_SQL = """SELECT id, client_id, received_on, source, referrer_name, referrer_contact, reason,
                              urgency, decision, decision_on, decision_reason FROM referrals
                       WHERE deleted_at IS NULL"""

    def referrals(self, client_id: str) -> list[Referral]:
        rows = self._conn.execute(
            self._REFERRAL_SQL + " AND client_id = ? ORDER BY received_on, created_at", (client_id,)
        ).fetchall()
        return [_referral(r) for r in rows]

    def referral(self, referral_id: str) -> Referral | None:
        row = self._conn.execute(self._REFERRAL_SQL + " AND id = ?", (referral_id,)).fetchone()
        return _referral(row) if row else None

    # -- administrations -----------------------------------------------------------------------

    def add_administration(self, a: Administration, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            f"INSERT INTO administrations ({_ADMIN_COLUMNS}, updated_at) VALUES ({', '.join('?' * 20)})",
            (a.id, a.client_id, a.instrument_id, a.instrument_version, a.administered_on.isoformat(),
             json.dumps(a.answers, sort_keys=True), json.dumps(list(a.declined)), int(a.valid), a.total,
             a.percent, a.band, None if a.positive is None else int(a.positive), a.risk, int(a.prorated),
             json.dumps(list(a.flags)), a.sex_used, a.referral_id, a.recorded_by, stamp, stamp),
        )

    def administrations(self, client_id: str, instrument_id: str | None = None) -> list[Administration]:
        """Oldest first."""
        sql = f"SELECT {_ADMIN_COLUMNS} FROM administrations WHERE client_id = ? AND deleted_at IS NULL"
        params: tuple[Any, ...] = (client_id,)
        if instrument_id is not None:
            sql += " AND instrument_id = ?"
            params = (client_id, instrument_id)
        rows = self._conn.execute(sql + " ORDER BY administered_on, created_at, rowid", params).fetchall()
        return [_admin(r) for r in rows]

    def latest_by_instrument(self, client_id: str) -> dict[str, Administration]:
        rows = self._conn.execute(
            f"""SELECT {_ADMIN_COLUMNS} FROM administrations a WHERE client_id = ? AND deleted_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM administrations b WHERE b.client_id = a.client_id
                    AND b.instrument_id = a.instrument_id AND b.deleted_at IS NULL
                    AND (b.administered_on, b.created_at) > (a.administered_on, a.created_at))""",
            (client_id,),
        ).fetchall()
        return {r[2]: _admin(r) for r in rows}

    # -- external scores -----------------------------------------------------------------------

    def add_external(self, score: ExternalScore, recorded_by: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO external_scores (id, client_id, tool, scored_on, total, level, note, recorded_by,
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (score.id, score.client_id, score.tool, score.scored_on.isoformat(), score.total, score.level,
             score.note, recorded_by, stamp, stamp),
        )

    def external_scores(self, client_id: str) -> list[ExternalScore]:
        rows = self._conn.execute(
            """SELECT id, client_id, tool, scored_on, total, level, note FROM external_scores
               WHERE client_id = ? AND deleted_at IS NULL ORDER BY scored_on, created_at""",
            (client_id,),
        ).fetchall()
        return [ExternalScore(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4], r[5], r[6]) for r in rows]

    # -- safety alerts -------------------------------------------------------------------------

    def raise_alert(self, alert: SafetyAlert, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO safety_alerts (id, client_id, administration_id, flag, level, raised_at,
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (alert.id, alert.client_id, alert.administration_id, alert.flag, alert.level,
             to_iso(alert.raised_at), stamp, stamp),
        )

    def review_alert(self, alert_id: str, by: str, note: str, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """UPDATE safety_alerts SET reviewed_at = ?, reviewed_by = ?, review_note = ?, updated_at = ?
               WHERE id = ? AND reviewed_at IS NULL""",
            (stamp, by, note, stamp, alert_id),
        )

    def alerts(self, client_id: str | None = None, open_only: bool = True) -> list[SafetyAlert]:
        sql = (f"SELECT {_ALERT_COLUMNS} FROM safety_alerts a LEFT JOIN administrations m "
               "ON m.id = a.administration_id WHERE a.deleted_at IS NULL")
        params: list[Any] = []
        if client_id is not None:
            sql += " AND a.client_id = ?"
            params.append(client_id)
        if open_only:
            sql += " AND a.reviewed_at IS NULL"
        rows = self._conn.execute(sql + " ORDER BY a.raised_at", params).fetchall()
        return [_alert(r) for r in rows]

    def alert(self, alert_id: str) -> SafetyAlert | None:
        row = self._conn.execute(
            f"SELECT {_ALERT_COLUMNS} FROM safety_alerts a LEFT JOIN administrations m "
            "ON m.id = a.administration_id WHERE a.id = ?", (alert_id,)
        ).fetchone()
        return _alert(row) if row else None
