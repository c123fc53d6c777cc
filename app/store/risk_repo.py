"""Risk-tier records with their evidence, and the current tier kept on the client row."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.models.risk import (
    Cadence,
    Domain,
    DomainScore,
    Floor,
    RiskResult,
    Tier,
    TierRecord,
    tier_from_total,
)
from app.models.timefmt import to_iso
from app.store.db import Connection

_COLUMNS = (
    "id, client_id, assessed_on, rule_version, total, computed_tier, tier, domains, floors, override_reason, "
    "reassessment, contact_days, rescreen_days, retier_days, recorded_by"
)


def _domains_json(domains: tuple[DomainScore, ...]) -> str:
    return json.dumps([
        {"domain": d.domain.value, "points": d.points, "evidence": d.evidence,
         "on": d.on.isoformat() if d.on else None, "recorded": d.recorded}
        for d in domains
    ], ensure_ascii=False)


def _record(row: tuple[Any, ...]) -> TierRecord:
    domains = tuple(
        DomainScore(Domain(d["domain"]), d["points"], d["evidence"],
                    date.fromisoformat(d["on"]) if d["on"] else None, d["recorded"])
        for d in json.loads(row[7])
    )
    floors = tuple(Floor(Tier(f["tier"]), f["reason"]) for f in json.loads(row[8]))
    result = RiskResult(date.fromisoformat(row[2]), domains, row[4], tier_from_total(row[4]), floors, Tier(row[5]), row[3])
    cadence = Cadence(row[11], "", row[12], row[13])
    return TierRecord(row[0], row[1], result, Tier(row[6]), row[9], bool(row[10]), cadence, row[14])


class RiskRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: TierRecord, now: datetime) -> None:
        r, c = record.result, record.cadence
        assert c is not None
        stamp = to_iso(now)
        self._conn.execute(
            f"INSERT INTO risk_assessments ({_COLUMNS}, created_at, updated_at) VALUES ({', '.join('?' * 17)})",
            (record.id, record.client_id, r.as_of.isoformat(), r.rule_version, r.total, r.tier.value,
             record.tier.value, _domains_json(r.domains),
             json.dumps([{"tier": f.tier.value, "reason": f.reason} for f in r.floors], ensure_ascii=False),
             record.override_reason, int(record.reassessment), c.contact_days, c.rescreen_days, c.retier_days,
             record.recorded_by, stamp, stamp),
        )
        self._conn.execute("UPDATE clients SET tier = ?, updated_at = ? WHERE id = ?",
                           (record.tier.value, stamp, record.client_id))

    def history(self, client_id: str) -> list[TierRecord]:
        """Oldest first."""
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM risk_assessments WHERE client_id = ? AND deleted_at IS NULL
                ORDER BY assessed_on, created_at""", (client_id,)
        ).fetchall()
        return [_record(r) for r in rows]

    def current(self, client_id: str) -> Tier | None:
        row = self._conn.execute("SELECT tier FROM clients WHERE id = ?", (client_id,)).fetchone()
        return Tier(row[0]) if row and row[0] else None

    def counts(self) -> dict[Tier | None, int]:
        rows = self._conn.execute(
            """SELECT tier, count(*) FROM clients WHERE deleted_at IS NULL AND archived_at IS NULL
               GROUP BY tier"""
        ).fetchall()
        return {(Tier(t) if t else None): n for t, n in rows}
