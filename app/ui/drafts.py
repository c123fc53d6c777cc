"""Debounced draft autosave for any form: typing schedules a save; lock and close flush it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.i18n import _, format_time
from app.services.errors import VaultError
from app.services.session import Session

log = logging.getLogger(__name__)
DEBOUNCE_MS = 700


class DraftAutosaver(QObject):
    """Saves `collect()` as the draft of (form, object_id) shortly after each change."""

    status = Signal(str)

    def __init__(self, session: Session, form: str, object_id: str, collect: Callable[[], dict[str, Any]],
                 debounce_ms: int = DEBOUNCE_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.form = form
        self.object_id = object_id
        self.collect = collect
        self.dirty = False
        self.saved_at: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.flush)

    def changed(self) -> None:
        self.dirty = True
        self._timer.start()

    def flush(self) -> bool:
        """Save now if anything changed; False (and a status message) if it could not be saved."""
        self._timer.stop()
        if not self.dirty or not self.session.is_open:
            return True
        try:
            self.saved_at = self.session.drafts.save(self.form, self.object_id, self.collect())
        except VaultError as exc:
            log.warning("draft not saved: %s", type(exc).__name__)
            self.status.emit(_("Draft not saved: {reason}").format(reason=exc))
            return False
        self.dirty = False
        self.status.emit(_("Draft saved {time}").format(time=format_time(self.saved_at)))
        return True

    def discard(self) -> None:
        self._timer.stop()
        self.dirty = False
        if self.session.is_open and not self.session.read_only:
            self.session.drafts.discard(self.form, self.object_id)
