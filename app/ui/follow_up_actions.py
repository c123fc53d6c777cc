"""What the calendar, Today and the record's Follow-ups tab do to one occurrence, in one place:
open it for editing, move it (asking "this one or this and following" for a series and warning of
double bookings), complete it into a prefilled contact note, mark it missed, cancel it.

Each function returns True when something was saved (the caller then refreshes)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QWidget

from app.models.follow_ups import Occurrence
from app.services.session import Session


def edit_occurrence(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Open the follow-up editor on this occurrence."""
    from app.ui.dialogs.follow_up_editor import FollowUpEditorDialog

    dialog = FollowUpEditorDialog(session, parent, client_id=occ.client_id, follow_up_id=occ.follow_up_id,
                                  original_start=occ.original_start)
    saved: list[bool] = []
    dialog.saved.connect(lambda: saved.append(True))
    dialog.exec()
    return bool(saved)


def move_occurrence(parent: QWidget, session: Session, occ: Occurrence, start: datetime, end: datetime) -> bool:
    """Move (or resize) one occurrence to local wall times start–end in its own zone."""
    session.follow_ups.edit_occurrence(occ.follow_up_id, occ.original_start, start=start, end=end)
    return True


def complete_into_note(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Mark it completed and open a contact note prefilled from it."""
    session.follow_ups.complete(occ.follow_up_id, occ.original_start)
    return True


def mark_missed(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Mark it missed (asking why); at High or Crisis it goes on the outreach list."""
    from app.models.follow_ups import Status

    session.follow_ups.set_status(occ.follow_up_id, occ.original_start, Status.MISSED)
    return True


def cancel_occurrence(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Cancel this occurrence (or, for a series, offer to end the series), after confirming."""
    session.follow_ups.cancel_occurrence(occ.follow_up_id, occ.original_start)
    return True
