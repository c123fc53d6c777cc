"""The calendar: month, week (time grid) and agenda views of every client's follow-ups."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.services.session import Session


class CalendarPage(QWidget):
    open_client = Signal(str)

    def __init__(self, session: Session | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session  # type: ignore[assignment]  # bound before use

    def reload(self) -> None:
        """Re-read the shown period."""

    def focus_view(self) -> None:
        """Give the keyboard to the current view."""

    def set_discreet(self, on: bool) -> None:
        """Initials instead of names (the calendar shows client codes or initials)."""

    def clear(self) -> None:
        """Drop every occurrence shown (on lock)."""
