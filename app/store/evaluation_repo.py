"""Read-only bulk queries for the caseload dashboard (app.services.evaluation): a handful of
queries over every client at once instead of several per client. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.store.db import Connection
from app.store.notes_repo import NOT_IN_ERROR


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A signed care-plan version (its document is not read: see `goal_states`)."""

    id: str
    client_id: str
    version: int
    status: str
    activated_on: date


@dataclass(frozen=True, slots=True)
class TransitionFirsts:
    """A transition in the period and the first evidence of engagement after it (each None when
    there is none): a check-in done with the person reached, a signed contact note (not an
    attempted contact nor a collateral one), a completed follow-up — each strictly after the
    transition date."""

    transition_id: str
    client_id: str
    on: date
    check_in_on: date | None
    note_on: date | None
    follow_up_on: date | None


_CHUNK = 500
_CANCELLED = "cancelled"  # GoalLifecycle.CANCELLED as stored
_ACHIEVED = "achieved"  # GoalAchievement.ACHIEVED as stored


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


class EvaluationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def scores(self, instrument_ids: Iterable[str]) -> list[tuple[str, str, date, int]]:
        """(client id, instrument id, date, total) of every valid, scored administration of the
        instruments, oldest first within each client and instrument."""
        ids = list(instrument_ids)
        if not ids:
            return []
        rows = self._conn.execute(
            f"""SELECT client_id, instrument_id, administered_on, total FROM administrations
                WHERE instrument_id IN ({', '.join('?' * len(ids))}) AND valid = 1 AND total IS NOT NULL
                  AND deleted_at IS NULL
                ORDER BY client_id, instrument_id, administered_on, created_at""", ids).fetchall()
        return [(r[0], r[1], date.fromisoformat(r[2]), int(r[3])) for r in rows]

    def signed_plans(self, up_to: date) -> list[PlanRow]:
        """Every signed (not revoked) plan version activated on or before `up_to`, by client
        then activation, oldest first."""
        rows = self._conn.execute(
            """SELECT id, client_id, version, status, activated_at FROM care_plans
               WHERE status NOT IN ('draft', 'revoked') AND activated_at IS NOT NULL AND deleted_at IS NULL
                 AND substr(activated_at, 1, 10) <= ?
               ORDER BY client_id, activated_at, version""", (up_to.isoformat(),)).fetchall()
        return [PlanRow(r[0], r[1], int(r[2]), r[3], _activated(r[4])) for r in rows]

    def goal_states(self, plan_ids: Iterable[str]) -> dict[str, dict[str, bool]]:
        """Plan id → {goal id: achieved} for the goals of each plan version's document
        (needs → goals, as app.models.care_plan.PlanDocument stores them), cancelled goals left
        out. Read inside SQLite (json_each), so thousands of documents are not parsed in Python."""
        ids = list(dict.fromkeys(plan_ids))
        found: dict[str, dict[str, bool]] = {plan_id: {} for plan_id in ids}
        for chunk in (ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
            rows = self._conn.execute(
                f"""SELECT p.id, json_extract(g.value, '$.id'), json_extract(g.value, '$.lifecycle'),
                           json_extract(g.value, '$.achievement')
                    FROM care_plans p, json_each(p.document, '$.needs') n, json_each(n.value, '$.goals') g
                    WHERE p.id IN ({', '.join('?' * len(chunk))})""", chunk).fetchall()
            for plan_id, goal_id, lifecycle, achievement in rows:
                if goal_id and lifecycle != _CANCELLED:
                    found[plan_id][str(goal_id)] = achievement == _ACHIEVED
        return found

    # The follow-up evidence is read client by client (follow_ups_client, then each series'
    # occurrences): `+o.status` keeps SQLite from scanning every completed occurrence instead.
    def transitions(self, start: date, end: date) -> list[TransitionFirsts]:
        """The transitions of care dated start..end (not case closures; deleted ones and those of
        deleted clients left out), each with its first engagement evidence after it."""
        rows = self._conn.execute(
            f"""SELECT t.id, t.client_id, t.on_date,
                 (SELECT min(k.done_on) FROM transition_check_ins k
                   WHERE k.transition_id = t.id AND k.reached = 1 AND k.deleted_at IS NULL
                     AND k.done_on > t.on_date),
                 (SELECT min(n.contact_on) FROM notes n
                   WHERE n.client_id = t.client_id AND n.contact_on > t.on_date AND n.status = 'signed'
                     AND n.kind NOT IN ('attempted', 'collateral') AND n.deleted_at IS NULL AND {NOT_IN_ERROR}),
                 (SELECT min(coalesce(o.start_on, o.original_on)) FROM follow_ups f
                    CROSS JOIN follow_up_occurrences o ON o.follow_up_id = f.id
                   WHERE f.client_id = t.client_id AND f.deleted_at IS NULL AND o.deleted_at IS NULL
                     AND +o.status = 'completed' AND coalesce(o.start_on, o.original_on) > t.on_date)
               FROM transitions t JOIN clients c ON c.id = t.client_id
               WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL AND t.kind <> 'closure'
                 AND t.on_date BETWEEN ? AND ?
               ORDER BY t.on_date, t.client_id""", (start.isoformat(), end.isoformat())).fetchall()
        return [TransitionFirsts(r[0], r[1], date.fromisoformat(r[2]), _day(r[3]), _day(r[4]), _day(r[5]))
                for r in rows]


def _activated(value: str) -> date:
    """The local date of activation (stored as UTC ISO-8601; the day part is what reports use)."""
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return date.fromisoformat(value[:10])
