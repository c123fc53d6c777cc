"""Drafts: whatever a form holds, saved into the vault while typing so nothing is ever lost."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.store.drafts_repo import DraftRepository

if TYPE_CHECKING:
    from app.services.session import Session


@dataclass(frozen=True, slots=True)
class Draft:
    form: str
    object_id: str
    data: dict[str, Any]
    saved_at: datetime


class DraftService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, form: str, object_id: str, data: dict[str, Any]) -> datetime:
        """Save (replace) the draft of one form; returns when it was saved."""
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        with self._session.write() as conn:
            return DraftRepository(conn).save(form, object_id, payload)

    def load(self, form: str, object_id: str = "") -> Draft | None:
        stored = DraftRepository(self._session.connection).get(form, object_id)
        if stored is None:
            return None
        try:
            data = json.loads(stored.payload)
        except ValueError:
            return None
        return Draft(stored.form, stored.object_id, data, stored.updated_at)

    def discard(self, form: str, object_id: str = "") -> None:
        with self._session.write() as conn:
            DraftRepository(conn).delete(form, object_id)

    def all(self) -> list[Draft]:
        drafts = []
        for stored in DraftRepository(self._session.connection).all():
            try:
                drafts.append(Draft(stored.form, stored.object_id, json.loads(stored.payload), stored.updated_at))
            except ValueError:
                continue
        return drafts
