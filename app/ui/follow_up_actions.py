"""What the calendar, Today and the record's Follow-ups tab do to one occurrence, in one place:
open it for editing, move it (asking "this one or this and following" for a series and warning of
double bookings), complete it into a prefilled contact note, mark it missed, cancel it.

Each function returns True when something was saved (the caller then refreshes). A refusal from
the service is shown as its sentence and nothing changes. Every dialog opened here is closed
without asking by `close_for_lock()` (the record's Follow-ups tab calls it when the vault locks),
and nothing is asked or written after that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.follow_ups import FollowUpFields, Occurrence, Status
from app.models.recurrence import Frequency, Recurrence, nth_of_month
from app.models.risk import Tier
from app.services.errors import NotFound, ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.follow_up_editor import FollowUpEditorDialog, when_text
from app.ui.dialogs.note_editor import NoteEditorDialog, time_text
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, dialog_buttons, muted_label

OccurrenceAction = Callable[[QWidget, Session, Occurrence], bool]

_open: list[QDialog] = []  # dialogs shown by these actions right now (closed on lock)
_locked: set[int] = set()  # ids of dialogs closed for a lock: their action stops there


def missed_reasons() -> tuple[str, ...]:
    """Common reasons a contact was missed, offered in the list (any other can be typed)."""
    return (_("No answer at the door"), _("No answer on the phone"), _("Client cancelled at short notice"),
            _("Client was not at the appointment"), _("Client in hospital"))


def close_for_lock() -> None:
    """The vault is locking: close every dialog these actions opened, keeping drafts, asking nothing."""
    for dialog in list(_open):
        _locked.add(id(dialog))
        close = getattr(dialog, "close_for_lock", None)
        if callable(close):
            close()
        else:
            dialog.reject()


def run_dialog(dialog: QDialog) -> tuple[int, bool]:
    """Show `dialog` modally; returns (result, closed for a lock)."""
    _open.append(dialog)
    try:
        result = dialog.exec()
    finally:
        if dialog in _open:
            _open.remove(dialog)
    locked = id(dialog) in _locked
    _locked.discard(id(dialog))
    return result, locked


def _usable(session: Session) -> bool:
    return session.is_open and not session.read_only


def ask(parent: QWidget, title: str, text: str, choices: list[tuple[str, QMessageBox.ButtonRole]],
         icon: QMessageBox.Icon = QMessageBox.Icon.Question, default: int = 0, keep: str = "") -> int | None:
    """A question with buttons named for what they do; the index chosen, None for the way out
    (Esc, or the button named `keep` — "Cancel" unless that would be ambiguous)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Cancel, parent)
    if keep:
        box.button(QMessageBox.StandardButton.Cancel).setText(keep)
    buttons = [box.addButton(label, role) for label, role in choices]
    box.setDefaultButton(buttons[default])
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    _result, locked = run_dialog(box)
    clicked = box.clickedButton()
    box.deleteLater()
    if locked or clicked not in buttons:
        return None
    return buttons.index(clicked)


def _tell(parent: QWidget, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> None:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    run_dialog(box)
    box.deleteLater()


def _refused(parent: QWidget, exc: Exception) -> bool:
    _tell(parent, _("Not saved"), str(exc))
    return False


def _future(occ: Occurrence, session: Session) -> bool:
    return occ.start.date() > session.clock.today()


# -- edit and move -------------------------------------------------------------------------------


def edit_occurrence(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Open the follow-up editor on this occurrence."""
    if not _usable(session):
        return False
    try:
        dialog = FollowUpEditorDialog(session, parent, client_id=occ.client_id, follow_up_id=occ.follow_up_id,
                                      original_start=occ.original_start)
    except (NotFound, ValidationError) as exc:
        return _refused(parent, exc)
    saved: list[bool] = []
    dialog.saved.connect(lambda: saved.append(True))
    run_dialog(dialog)
    dialog.deleteLater()
    return bool(saved)


def following_moved(fields: FollowUpFields, start: datetime, end: datetime) -> FollowUpFields:
    """A series' "this and following" fields moved to start–end: weekly days and the weekday of
    the month follow the new day, so the moved visit is still one of the series'."""
    rec = fields.recurrence
    if rec is not None:
        old_day, new_day = fields.start.weekday(), start.weekday()
        if rec.frequency is Frequency.WEEKLY and rec.weekdays and new_day not in rec.weekdays:
            days = set(rec.weekdays)
            days.discard(old_day)
            rec = replace(rec, weekdays=tuple(sorted(days | {new_day})))
        elif rec.frequency is Frequency.MONTHLY_BY_WEEKDAY and rec.nth is not None:
            rec = replace(rec, nth=_nth_for(rec, start.date()))
    return replace(fields, start=start, end=end, recurrence=rec)


def _nth_for(rec: Recurrence, day: date) -> int | None:
    last = (day + timedelta(days=7)).month != day.month
    nth = nth_of_month(day)
    if rec.nth == nth and nth != 5:
        return nth
    if last and (rec.nth == -1 or nth == 5):
        return -1
    return None


def move_occurrence(parent: QWidget, session: Session, occ: Occurrence, start: datetime, end: datetime) -> bool:
    """Move (or resize) one occurrence to local wall times start–end in its own zone."""
    if not _usable(session):
        return False
    start = start.replace(tzinfo=None, second=0, microsecond=0)
    end = end.replace(tzinfo=None, second=0, microsecond=0)
    if (start, end) == (occ.start, occ.end):
        return False
    following = False
    if occ.recurring:
        answer = ask(parent, _("Move a visit in a series"), _(
            "The {kind} on {when} is part of a series. Move only this one, or this one and every later one?").format(
            kind=occ.kind.label.lower(), when=when_text(occ)),
            [(_("Only this one"), QMessageBox.ButtonRole.AcceptRole),
             (_("This and the following"), QMessageBox.ButtonRole.AcceptRole)])
        if answer is None:
            return False
        following = answer == 1
    try:
        clashes = session.follow_ups.conflicts(start, end, occ.tz, all_day=occ.all_day,
                                               exclude=(occ.follow_up_id, occ.original_start))
    except VaultError:
        clashes = []
    if clashes:
        names = "; ".join(_("{kind} with {code}, {start}–{end}").format(
            kind=o.kind.label, code=o.client_code or _("a client"), start=time_text(o.start.time()),
            end=time_text(o.end.time())) for o in clashes[:3])
        answer = ask(parent, _("Double booking"), ngettext(
            "At the new time this overlaps {items}. Move it anyway?",
            "At the new time this overlaps {n} follow-ups: {items}. Move it anyway?", len(clashes)).format(
            items=names, n=len(clashes)), [(_("Move anyway"), QMessageBox.ButtonRole.AcceptRole)],
            QMessageBox.Icon.Warning)
        if answer is None:
            return False
    try:
        if following:
            base = session.follow_ups.following_fields(occ.follow_up_id, occ.original_start)
            session.follow_ups.edit_following(occ.follow_up_id, occ.original_start, following_moved(base, start, end))
        else:
            session.follow_ups.edit_occurrence(occ.follow_up_id, occ.original_start, start=start, end=end)
    except (ValidationError, NotFound, VaultError) as exc:
        return _refused(parent, exc)
    return True


# -- complete, missed, cancelled -----------------------------------------------------------------


def complete_into_note(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Open a contact note prefilled from the occurrence; it is marked completed once the note is
    saved or signed — or, if the note is closed unwritten, when the user says it happened anyway."""
    if not _usable(session):
        return False
    if _future(occ, session):
        _tell(parent, _("Not yet"), _("This follow-up is on {date}, still to come: it can be completed on the day, "
                                      "or moved to today first.").format(date=format_date(occ.start.date())),
              QMessageBox.Icon.Information)
        return False
    try:
        client = session.clients.get(occ.client_id)
        prefill = session.follow_ups.note_fields(occ.follow_up_id, occ.original_start)
    except (NotFound, ValidationError) as exc:
        return _refused(parent, exc)
    editor = NoteEditorDialog(session, client.id, client.display_name, parent=parent, prefill=prefill)
    written: list[bool] = []
    editor.saved.connect(lambda _note: written.append(True))
    editor.signed.connect(lambda _note: written.append(True))
    _result, locked = run_dialog(editor)
    editor.deleteLater()
    if locked or not _usable(session):
        return False  # the note's typing is kept as its draft; the visit stays as it was
    if not written:
        answer = ask(parent, _("Completed without a note?"), _(
            "No note was written. Mark the {kind} on {when} as completed anyway? You can write the note later "
            "from the Notes tab.").format(kind=occ.kind.label.lower(), when=when_text(occ)),
            [(_("Mark completed"), QMessageBox.ButtonRole.AcceptRole),
             (_("Leave it scheduled"), QMessageBox.ButtonRole.RejectRole)], default=1)
        if answer != 0:
            return False
    try:
        session.follow_ups.set_status(occ.follow_up_id, occ.original_start, Status.COMPLETED)
    except (ValidationError, NotFound, VaultError) as exc:
        return _refused(parent, exc)
    return True


class MissedDialog(QDialog):
    """Why the contact was missed (kept with the occurrence, never in the audit trail)."""

    def __init__(self, occ: Occurrence, tier: Tier | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Mark as missed"))
        self.setModal(True)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("The {kind} on {when} did not happen").format(kind=occ.kind.label.lower(),
                                                                       when=when_text(occ)))
        title.setFont(theme.scaled_font(self, 1.2, bold=True))
        title.setWordWrap(True)
        layout.addWidget(title)
        caption = QLabel(_("What happened? (optional)"))
        layout.addWidget(caption)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(["", *missed_reasons()])
        self.reason.lineEdit().setMaxLength(300)
        self.reason.lineEdit().setPlaceholderText(_("Choose or type a reason"))
        self.reason.setAccessibleName(_("Reason it was missed (optional)"))
        self.reason.lineEdit().setAccessibleName(_("Reason it was missed (optional)"))
        caption.setBuddy(self.reason)
        layout.addWidget(self.reason)
        self.outreach = Banner("warning")
        if tier in (Tier.HIGH, Tier.CRISIS):
            self.outreach.show_message(_(
                "This client is at {tier} tier: a missed contact goes on the outreach list on Today until a later "
                "contact is completed.").format(tier=tier.label), "warning")
        layout.addWidget(self.outreach)
        layout.addWidget(muted_label(_("The reason stays with this visit in the record.")))
        dialog_buttons(self, layout, _("Mark missed"), self.accept)

    def text(self) -> str:
        return self.reason.currentText().strip()


def _tier(session: Session, occ: Occurrence) -> Tier | None:
    if occ.tier:
        try:
            return Tier(occ.tier)
        except ValueError:
            return None
    rows = session.clients.rows([occ.client_id])
    return rows[0].tier if rows else None


def mark_missed(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Mark it missed (asking why); at High or Crisis it goes on the outreach list."""
    if not _usable(session):
        return False
    if _future(occ, session):
        _tell(parent, _("Not yet"), _("This follow-up is on {date}, still to come: it can't be marked missed yet.")
              .format(date=format_date(occ.start.date())), QMessageBox.Icon.Information)
        return False
    dialog = MissedDialog(occ, _tier(session, occ), parent)
    result, locked = run_dialog(dialog)
    reason = dialog.text()
    dialog.deleteLater()
    if locked or result != QDialog.DialogCode.Accepted or not _usable(session):
        return False
    try:
        session.follow_ups.set_status(occ.follow_up_id, occ.original_start, Status.MISSED, reason)
    except (ValidationError, NotFound, VaultError) as exc:
        return _refused(parent, exc)
    return True


def cancel_occurrence(parent: QWidget, session: Session, occ: Occurrence) -> bool:
    """Cancel this occurrence (or, for a series, offer to end the series), after confirming."""
    if not _usable(session):
        return False
    when = when_text(occ)
    if occ.recurring:
        answer = ask(parent, _("Cancel a visit in a series"), _(
            "Cancel only the {kind} on {when}, or end the series here (this one and every later one)? "
            "Visits before it stay in the record.").format(kind=occ.kind.label.lower(), when=when),
            [(_("Cancel only this one"), QMessageBox.ButtonRole.AcceptRole),
             (_("End the series here"), QMessageBox.ButtonRole.DestructiveRole)], keep=_("Keep them"))
    else:
        answer = ask(parent, _("Cancel this follow-up?"), _("The {kind} on {when} will be shown as cancelled.")
                      .format(kind=occ.kind.label.lower(), when=when),
                      [(_("Cancel the follow-up"), QMessageBox.ButtonRole.AcceptRole)], keep=_("Keep it"))
    if answer is None or not _usable(session):
        return False
    try:
        if answer == 0:
            session.follow_ups.cancel_occurrence(occ.follow_up_id, occ.original_start)
        else:
            session.follow_ups.end_series(occ.follow_up_id, occ.original_start.date() - timedelta(days=1))
    except (ValidationError, NotFound, VaultError) as exc:
        return _refused(parent, exc)
    return True
