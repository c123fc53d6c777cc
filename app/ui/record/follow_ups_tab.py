"""The record's Follow-ups tab: this client's planned contacts, proposals, visit check-in."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.session import Session
from app.ui.record.base import RecordTab


class FollowUpsTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
