"""Clipboard text placed by Waypoint is cleared after ~20 s and on lock."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 20_000


class ClipboardGuard(QObject):
    def __init__(self, clear_after_ms: int = CLEAR_AFTER_MS) -> None:
        super().__init__()
        self._placed: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear)

    def copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._placed = text
        self._timer.start()

    def clear(self) -> None:
        """Clear the clipboard if it still holds what we put there."""
        clipboard = QGuiApplication.clipboard()
        if self._placed is not None and clipboard.text() == self._placed:
            clipboard.clear()
        self._placed = None
        self._timer.stop()
