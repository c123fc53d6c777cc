"""Run slow work (key derivation, backups, restore, PDF) off the GUI thread.

The function runs on a pool thread and must not touch widgets; `on_done` / `on_error` are called
back on the GUI thread. Errors arrive as the exception object (its str() is the user sentence).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            log.info("background task failed: %s", type(exc).__name__)
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_running: set[_Task] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    # Free the garbage waiting to be collected here, on the GUI thread: otherwise a collection
    # triggered by the work's own allocations may run on the pool thread and finalize dead Qt
    # objects there, which crashes Qt (seen once while a demo vault was being built).
    gc.collect()
    task = _Task(fn)
    _running.add(task)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _running.discard(task)
        callback(value)

    task.signals.done.connect(lambda value: finish(on_done, value))
    task.signals.failed.connect(lambda exc: finish(on_error, exc))
    QThreadPool.globalInstance().start(task)


def wait_all(timeout_ms: int = 60_000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
