"""What every tab of the client record shares: the session, the client shown, and `changed`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.models.client import Client
from app.services.session import Session
from app.ui.theme import SPACING


class RecordTab(QWidget):
    """One tab of the client record.

    `load(client)` shows that client's data; `clear()` drops every trace of it (on lock);
    `changed` is emitted after the tab saved something, so the record, roster and Today refresh.
    Subclasses implement `refresh()`; it runs when the tab is visible (lazily on first show), so
    opening a record reads only what is on screen."""

    changed = Signal()
    navigate = Signal(str)  # ask the record to show another tab: "screening", "safety_plan", "review_alert" …

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client: Client | None = None
        self._stale = False
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2)
        self.layout_.setSpacing(SPACING)

    @property
    def client_id(self) -> str | None:
        return self.client.id if self.client else None

    def load(self, client: Client) -> None:
        self.client = client
        self._stale = True
        if self.isVisible():
            self._stale = False
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale and self.client is not None:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        """Re-read the shown client's data (override)."""

    def clear(self) -> None:
        """Drop the client (override to empty widgets too, then call super)."""
        self.client = None
        self._stale = False
