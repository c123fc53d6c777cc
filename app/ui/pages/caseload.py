"""The caseload dashboard (stage 9, evaluation). SKELETON."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.services.session import Session


class CaseloadPage(QWidget):
    open_client = Signal(str)
    report_requested = Signal(str)  # a report kind, e.g. "caseload"

    def __init__(self, session: Session | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def reload(self) -> None:
        pass
