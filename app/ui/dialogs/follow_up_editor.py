"""Plan or change a follow-up: one-off or recurring; this occurrence or this and following."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.services.session import Session


class FollowUpEditorDialog(QDialog):
    """New follow-up (client_id given, or chosen in the dialog when None; `start` prefills the
    time, `all_day` an all-day one), or an existing occurrence (`follow_up_id` + `original_start`).
    Emits `saved` after anything was written."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *, client_id: str | None = None,
                 follow_up_id: str | None = None, original_start: datetime | None = None,
                 start: datetime | None = None, all_day: bool = False) -> None:
        super().__init__(parent)
        self.session = session
