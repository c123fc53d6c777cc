"""Typing into widgets the way a person's keyboard does."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person: key presses for ASCII, input-method commits for everything else
    (how accented and non-Latin letters reach a widget from dead keys or an IME)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest

    for ch in text:
        if ch.isascii():
            QTest.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
