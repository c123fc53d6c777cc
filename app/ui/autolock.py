"""Idle detection for auto-lock, with an injectable clock so tests need not wait minutes."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class IdleWatcher(QObject):
    """Emits `idle` once when no keyboard, mouse, touch or pen input arrived for `timeout_s`."""

    idle = Signal()

    def __init__(
        self,
        app: QApplication,
        timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
        check_interval_ms: int = 5000,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._timeout = timeout_s
        self._last = clock()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self.check)
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT_EVENTS:
            self._last = self._clock()
        return False

    def set_timeout(self, seconds: float) -> None:
        self._timeout = seconds

    @property
    def timeout(self) -> float:
        return self._timeout

    def start(self) -> None:
        self._last = self._clock()
        self._armed = True
        self._timer.start()

    def stop(self) -> None:
        self._armed = False
        self._timer.stop()

    def remaining(self) -> float:
        return max(0.0, self._timeout - (self._clock() - self._last))

    def check(self) -> None:
        if self._armed and self._clock() - self._last >= self._timeout:
            self.stop()
            self.idle.emit()
