"""Make a report: kind, sections, recipient with the consent check, preview from memory, then
save / print / password-protect. SKELETON."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from app.services.session import Session
from app.services.settings import Settings


class ReportDialog(QDialog):
    def __init__(self, session: Session, settings: Settings, client_id: str | None = None,
                 kind: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.client_id = client_id
