"""Releases of information and the disclosure log. Rows ↔ Release / Disclosure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from app.models.consent import Disclosure, InfoType, Release, ReleaseFields, SignatureKind
from app.models.timefmt import date_from_iso, date_to_iso, from_iso, to_iso
from app.store.db import Connection

_COLUMNS = ("r.id, r.client_id, r.contact_id, r.information, r.information_detail, r.purposes, r.signed_on, "
            "r.expires_on, r.expiry_event, r.disclosers, r.signature_kind, r.signature_strokes, r.verbal_reason, "
            "r.attachment_id, r.part2, r.recipient_name, r.treatment_conditioned, r.representative_authority, "
            "r.revoked_on, r.revoked_how, r.event_occurred_on, r.created_by, r.created_at, r.updated_at, "
            "c.name, c.organisation")
_SELECT = f"SELECT {_COLUMNS} FROM releases r JOIN contacts c ON c.id = r.contact_id WHERE r.deleted_at IS NULL"
_ORDER = " ORDER BY r.signed_on DESC, r.created_at DESC"
_DISCLOSURE_COLUMNS = ("id, client_id, contact_id, recipient, description, content_hash, purpose, legal_basis, "
                       "consent_id, consent_valid, overridden_reason, sections, part2, notice_version, method, "
                       "disclosed_by, disclosed_at")


def _release(r: Sequence[Any]) -> Release:
    fields = ReleaseFields(
        contact_id=r[2], information=tuple(InfoType(i) for i in json.loads(r[3])), information_detail=r[4],
        purposes=tuple(json.loads(r[5])), signed_on=date_from_iso(r[6]), expires_on=date_from_iso(r[7]),
        expiry_event=r[8], disclosers=r[9], signature_kind=SignatureKind(r[10]), signature_strokes=r[11],
        verbal_reason=r[12], attachment_id=r[13], part2=bool(r[14]), recipient_name=r[15],
        treatment_conditioned=bool(r[16]), representative_authority=r[17])
    return Release(id=r[0], client_id=r[1], fields=fields, revoked_on=date_from_iso(r[18]), revoked_how=r[19],
                   event_occurred_on=date_from_iso(r[20]), created_by=r[21], created_at=from_iso(r[22]),
                   updated_at=from_iso(r[23]), to_name=r[24], to_organisation=r[25])


def _disclosure(r: Sequence[Any]) -> Disclosure:
    disclosed_at = from_iso(r[16])
    assert disclosed_at is not None
    return Disclosure(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]), r[10],
                      tuple(InfoType(s) for s in json.loads(r[11])), bool(r[12]), r[13], r[14], r[15], disclosed_at)


class ConsentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- releases ------------------------------------------------------------------------------

    def get(self, release_id: str) -> Release | None:
        row = self._conn.execute(_SELECT + " AND r.id = ?", (release_id,)).fetchone()
        return _release(row) if row else None

    def for_client(self, client_id: str) -> list[Release]:
        """Newest signed first."""
        rows = self._conn.execute(_SELECT + " AND r.client_id = ?" + _ORDER, (client_id,)).fetchall()
        return [_release(r) for r in rows]

    def for_recipient(self, client_id: str, contact_id: str) -> list[Release]:
        rows = self._conn.execute(_SELECT + " AND r.client_id = ? AND r.contact_id = ?" + _ORDER,
                                  (client_id, contact_id)).fetchall()
        return [_release(r) for r in rows]

    def expiring(self, start: date, end: date) -> list[Release]:
        """Not revoked, expiry date within [start, end], soonest first, for clients on the caseload."""
        rows = self._conn.execute(
            _SELECT + """ AND r.revoked_on IS NULL AND r.event_occurred_on IS NULL
                AND r.expires_on BETWEEN ? AND ? AND r.signed_on <= ?
                AND r.client_id IN (SELECT id FROM clients WHERE deleted_at IS NULL AND archived_at IS NULL
                                    AND stage <> 'closed')
                ORDER BY r.expires_on, r.client_id""",
            (start.isoformat(), end.isoformat(), start.isoformat())).fetchall()
        return [_release(r) for r in rows]

    def add(self, release: Release, now: datetime) -> None:
        f = release.fields
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO releases (id, client_id, contact_id, information, information_detail, purposes, signed_on,
               expires_on, expiry_event, disclosers, signature_kind, signature_strokes, verbal_reason, attachment_id,
               part2, recipient_name, treatment_conditioned, representative_authority, created_by, created_at,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (release.id, release.client_id, f.contact_id, json.dumps([i.value for i in f.information]),
             f.information_detail, json.dumps(list(f.purposes)), date_to_iso(f.signed_on), date_to_iso(f.expires_on),
             f.expiry_event, f.disclosers, f.signature_kind.value, f.signature_strokes, f.verbal_reason,
             f.attachment_id, int(f.part2), f.recipient_name, int(f.treatment_conditioned),
             f.representative_authority, release.created_by, stamp, stamp))

    def revoke(self, release_id: str, on: date, how: str, now: datetime) -> bool:
        """False if it was revoked meanwhile (or is gone)."""
        cursor = self._conn.execute(
            """UPDATE releases SET revoked_on = ?, revoked_how = ?, updated_at = ?
               WHERE id = ? AND revoked_on IS NULL AND deleted_at IS NULL""",
            (on.isoformat(), how, to_iso(now), release_id))
        return int(cursor.rowcount) == 1

    def set_event_occurred(self, release_id: str, on: date, now: datetime) -> bool:
        cursor = self._conn.execute(
            """UPDATE releases SET event_occurred_on = ?, updated_at = ?
               WHERE id = ? AND event_occurred_on IS NULL AND deleted_at IS NULL""",
            (on.isoformat(), to_iso(now), release_id))
        return int(cursor.rowcount) == 1

    # -- disclosures ---------------------------------------------------------------------------

    def add_disclosure(self, d: Disclosure, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            f"""INSERT INTO disclosures ({_DISCLOSURE_COLUMNS}, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (d.id, d.client_id, d.contact_id, d.recipient, d.description, d.content_hash, d.purpose, d.legal_basis,
             d.consent_id, int(d.consent_valid), d.overridden_reason, json.dumps([s.value for s in d.sections]),
             int(d.part2), d.notice_version, d.method, d.disclosed_by, to_iso(d.disclosed_at), stamp, stamp))

    def get_disclosure(self, disclosure_id: str) -> Disclosure | None:
        row = self._conn.execute(
            f"SELECT {_DISCLOSURE_COLUMNS} FROM disclosures WHERE id = ? AND deleted_at IS NULL",
            (disclosure_id,)).fetchone()
        return _disclosure(row) if row else None

    def disclosures(self, client_id: str | None, since: datetime) -> list[Disclosure]:
        """Newest first; every client's when `client_id` is None."""
        sql = f"SELECT {_DISCLOSURE_COLUMNS} FROM disclosures WHERE deleted_at IS NULL AND disclosed_at >= ?"
        params: tuple[str, ...] = (to_iso(since),)
        if client_id is not None:
            sql += " AND client_id = ?"
            params += (client_id,)
        rows = self._conn.execute(sql + " ORDER BY disclosed_at DESC, rowid DESC", params).fetchall()
        return [_disclosure(r) for r in rows]
