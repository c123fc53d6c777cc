"""Transitions (stage 7) and post-transition check-ins (stage 8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.session import Session


class TransitionService:
    def __init__(self, session: Session) -> None:
        self._session = session
