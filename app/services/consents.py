"""Releases of information per client and recipient, and the accounting of disclosures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.session import Session


class ConsentService:
    def __init__(self, session: Session) -> None:
        self._session = session
