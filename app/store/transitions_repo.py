"""Transitions and their post-transition check-ins. Rows ↔ Transition / CheckIn."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.models.transitions import (
    Barrier,
    CheckIn,
    CheckInOutcome,
    ChecklistItem,
    Handoff,
    HandoffMethod,
    Medication,
    Party,
    Transition,
    TransitionFields,
    TransitionKind,
    TransitionStatus,
)
from app.store.db import Connection

_COLUMNS = (
    "t.id, t.client_id, t.kind, t.from_level, t.to_level, t.on_date, t.reason, t.receiving_contact_id, "
    "t.handoff_with, t.handoff_on, t.handoff_method, t.handoff_note, t.medications, t.pending_appointments, "
    "t.pending_referrals, t.crisis_plan, t.preferences, t.information_given, t.services_provided, t.condition, "
    "t.checklist, t.status, t.ended_on, t.closure_reason, t.reengage_note, t.created_by, t.created_at, "
    "t.updated_at, coalesce(c.name, ''), coalesce(c.organisation, '')"
)
# Archived or deleted contacts keep their name on the transitions that name them.
_SELECT = (f"SELECT {_COLUMNS} FROM transitions t LEFT JOIN contacts c ON c.id = t.receiving_contact_id "
           "WHERE t.deleted_at IS NULL")
_CHECK_IN_COLUMNS = (
    "k.id, k.transition_id, k.client_id, k.due_on, k.offset_days, k.party, k.follow_up_id, k.done_on, k.done_at, "
    "k.reached, k.engaged, k.visit_7, k.visit_30, k.readmitted_or_ed, k.barriers, k.barriers_other, k.note, "
    "k.recorded_by"
)
_CHECK_IN_SELECT = f"SELECT {_CHECK_IN_COLUMNS} FROM transition_check_ins k WHERE k.deleted_at IS NULL"
_PARTY_ORDER = "CASE k.party WHEN 'client' THEN 0 ELSE 1 END"


def _tri(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _transition(r: Sequence[Any]) -> Transition:
    handoff = Handoff(r[8], date_from_iso(r[9]), HandoffMethod(r[10]) if r[10] else None, r[11])
    checklist = frozenset(ChecklistItem(v) for v in json.loads(r[20]) if v in ChecklistItem._value2member_map_)
    fields = TransitionFields(
        kind=TransitionKind(r[2]), from_level=r[3], to_level=r[4], on=date.fromisoformat(r[5]), reason=r[6],
        receiving_contact_id=r[7], handoff=handoff,
        medications=tuple(Medication.from_json(m) for m in json.loads(r[12])),
        pending_appointments=tuple(str(v) for v in json.loads(r[13])),
        pending_referrals=tuple(str(v) for v in json.loads(r[14])),
        crisis_plan=r[15], preferences=r[16], information_given=r[17], services_provided=r[18], condition=r[19],
        checklist=checklist,
    )
    return Transition(
        id=r[0], client_id=r[1], fields=fields, status=TransitionStatus(r[21]), ended_on=date_from_iso(r[22]),
        closure_reason=r[23], reengage_note=r[24], created_by=r[25], created_at=from_iso(r[26]),
        updated_at=from_iso(r[27]), receiving_name=r[28], receiving_organisation=r[29],
    )


def _check_in(r: Sequence[Any]) -> CheckIn:
    outcome = None
    if r[7] is not None:
        barriers = tuple(Barrier(v) for v in json.loads(r[14]) if v in Barrier._value2member_map_)
        outcome = CheckInOutcome(date.fromisoformat(r[7]), bool(r[9]), _tri(r[10]), _tri(r[11]), _tri(r[12]),
                                 _tri(r[13]), barriers, r[15], r[16])
    return CheckIn(r[0], r[1], r[2], date.fromisoformat(r[3]), int(r[4]), Party(r[5]), r[6], outcome,
                   from_iso(r[8]), r[17])


def _transition_row(t: Transition, created: str, stamp: str) -> tuple[Any, ...]:
    f = t.fields
    h = f.handoff
    return (
        t.id, t.client_id, f.kind.value, f.from_level, f.to_level, date_to_iso(f.on), f.reason,
        f.receiving_contact_id, h.with_whom, date_to_iso(h.on), h.method.value if h.method else None, h.note,
        json.dumps([m.to_json() for m in f.medications], ensure_ascii=False),
        json.dumps(list(f.pending_appointments), ensure_ascii=False),
        json.dumps(list(f.pending_referrals), ensure_ascii=False),
        f.crisis_plan, f.preferences, f.information_given, f.services_provided, f.condition,
        json.dumps(sorted(item.value for item in f.checklist)), t.status.value, date_to_iso(t.ended_on),
        t.closure_reason, t.reengage_note, t.created_by, created, stamp,
    )


def _outcome_values(o: CheckInOutcome) -> tuple[Any, ...]:
    return (date_to_iso(o.done_on), int(o.reached), _int(o.engaged), _int(o.visit_7), _int(o.visit_30),
            _int(o.readmitted_or_ed), json.dumps([b.value for b in o.barriers]), o.barriers_other, o.note)


class TransitionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- transitions ---------------------------------------------------------------------------

    def get(self, transition_id: str) -> Transition | None:
        row = self._conn.execute(_SELECT + " AND t.id = ?", (transition_id,)).fetchone()
        return _transition(row) if row else None

    def for_client(self, client_id: str) -> list[Transition]:
        """Newest first."""
        rows = self._conn.execute(_SELECT + " AND t.client_id = ? ORDER BY t.on_date DESC, t.created_at DESC",
                                  (client_id,)).fetchall()
        return [_transition(r) for r in rows]

    def open_for(self, client_id: str) -> Transition | None:
        row = self._conn.execute(_SELECT + " AND t.client_id = ? AND t.status = 'open'", (client_id,)).fetchone()
        return _transition(row) if row else None

    def insert(self, transition: Transition, now: datetime) -> None:
        self.insert_many([transition], now)

    def insert_many(self, transitions: Iterable[Transition], now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.executemany(
            """INSERT INTO transitions (id, client_id, kind, from_level, to_level, on_date, reason,
               receiving_contact_id, handoff_with, handoff_on, handoff_method, handoff_note, medications,
               pending_appointments, pending_referrals, crisis_plan, preferences, information_given,
               services_provided, condition, checklist, status, ended_on, closure_reason, reengage_note,
               created_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [_transition_row(t, to_iso(t.created_at) if t.created_at else stamp, stamp) for t in transitions],
        )

    def end(self, transition_id: str, status: TransitionStatus, on: date, now: datetime, *,
            from_statuses: Iterable[TransitionStatus], closure_reason: str | None = None,
            reengage_note: str | None = None) -> bool:
        """Set how the transition ended if it is still in one of `from_statuses`; False if not."""
        allowed = [s.value for s in from_statuses]
        marks = ", ".join("?" for _s in allowed)
        cursor = self._conn.execute(
            f"""UPDATE transitions SET status = ?, ended_on = ?,
                closure_reason = coalesce(?, closure_reason), reengage_note = coalesce(?, reengage_note),
                updated_at = ? WHERE id = ? AND deleted_at IS NULL AND status IN ({marks})""",
            (status.value, on.isoformat(), closure_reason, reengage_note, to_iso(now), transition_id, *allowed),
        )
        return int(cursor.rowcount) == 1

    # -- check-ins -----------------------------------------------------------------------------

    def check_in(self, check_in_id: str) -> CheckIn | None:
        row = self._conn.execute(_CHECK_IN_SELECT + " AND k.id = ?", (check_in_id,)).fetchone()
        return _check_in(row) if row else None

    def check_ins(self, transition_id: str) -> list[CheckIn]:
        """In due order, the client before the provider on the same day."""
        rows = self._conn.execute(
            _CHECK_IN_SELECT + f" AND k.transition_id = ? ORDER BY k.due_on, {_PARTY_ORDER}",
            (transition_id,)).fetchall()
        return [_check_in(r) for r in rows]

    def pending_for_client(self, client_id: str) -> list[CheckIn]:
        """Not done yet, on the client's open transition."""
        rows = self._conn.execute(
            _CHECK_IN_SELECT + f""" AND k.client_id = ? AND k.done_at IS NULL AND k.transition_id IN
                (SELECT id FROM transitions WHERE client_id = ? AND status = 'open' AND deleted_at IS NULL)
                ORDER BY k.due_on, {_PARTY_ORDER}""", (client_id, client_id)).fetchall()
        return [_check_in(r) for r in rows]

    def due(self, until: date, since: date | None = None) -> list[tuple[CheckIn, str]]:
        """(check-in, client code) not done and due by `until` (from `since`), on open transitions
        of clients still on the caseload, earliest first."""
        low = since.isoformat() if since else "0000-00-00"
        rows = self._conn.execute(
            f"""SELECT {_CHECK_IN_COLUMNS}, cl.client_code FROM transition_check_ins k
                JOIN transitions t ON t.id = k.transition_id
                JOIN clients cl ON cl.id = k.client_id
                WHERE k.deleted_at IS NULL AND k.done_at IS NULL AND k.due_on <= ? AND k.due_on >= ?
                  AND t.status = 'open' AND t.deleted_at IS NULL
                  AND cl.deleted_at IS NULL AND cl.archived_at IS NULL
                ORDER BY k.due_on, cl.client_code, {_PARTY_ORDER}""", (until.isoformat(), low)).fetchall()
        return [(_check_in(r), str(r[-1])) for r in rows]

    def add_check_ins(self, check_ins: Iterable[CheckIn], now: datetime) -> None:
        stamp = to_iso(now)
        rows = []
        for k in check_ins:
            done: tuple[Any, ...] = (_outcome_values(k.outcome) if k.outcome is not None
                                     else (None, None, None, None, None, None, "[]", "", ""))
            rows.append((k.id, k.transition_id, k.client_id, k.due_on.isoformat(), k.offset_days, k.party.value,
                         k.follow_up_id, to_iso(k.done_at or now) if k.outcome is not None else None,
                         k.recorded_by, stamp, stamp, *done))
        self._conn.executemany(
            """INSERT INTO transition_check_ins (id, transition_id, client_id, due_on, offset_days, party,
               follow_up_id, done_at, recorded_by, created_at, updated_at, done_on, reached, engaged, visit_7,
               visit_30, readmitted_or_ed, barriers, barriers_other, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)

    def record_outcome(self, check_in_id: str, outcome: CheckInOutcome, recorded_by: str, now: datetime) -> bool:
        stamp = to_iso(now)
        cursor = self._conn.execute(
            """UPDATE transition_check_ins SET done_on = ?, reached = ?, engaged = ?, visit_7 = ?, visit_30 = ?,
               readmitted_or_ed = ?, barriers = ?, barriers_other = ?, note = ?, done_at = ?, recorded_by = ?,
               updated_at = ? WHERE id = ? AND deleted_at IS NULL""",
            (*_outcome_values(outcome), stamp, recorded_by, stamp, check_in_id),
        )
        return int(cursor.rowcount) == 1

    def set_follow_up(self, check_in_id: str, follow_up_id: str | None, now: datetime) -> None:
        self._conn.execute(
            "UPDATE transition_check_ins SET follow_up_id = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (follow_up_id, to_iso(now), check_in_id))

    def any_done(self, transition_id: str) -> bool:
        row = self._conn.execute(
            """SELECT 1 FROM transition_check_ins WHERE transition_id = ? AND done_at IS NOT NULL
               AND deleted_at IS NULL LIMIT 1""", (transition_id,)).fetchone()
        return row is not None
