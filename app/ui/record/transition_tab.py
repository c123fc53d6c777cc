"""The record's Transitions tab: level-of-care changes, discharge, post-transition check-ins."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.session import Session
from app.ui.record.base import RecordTab


class TransitionTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
