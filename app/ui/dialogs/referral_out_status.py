"""Move a referral out to its next status: only the allowed next steps are offered, each dated,
with an appointment date when it is scheduled and a note (the outcome when it closes)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date
from app.models.service_referral import ReferralStatus, ServiceReferral
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_team_member import ask_discard
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.inputs import DateField

HINTS = {
    ReferralStatus.SENT: lambda: _("The referral went out (fax, email, portal or by hand)."),
    ReferralStatus.ACCEPTED: lambda: _("The service said yes; no date yet."),
    ReferralStatus.SCHEDULED: lambda: _("An appointment or start date is booked."),
    ReferralStatus.COMPLETED: lambda: _("The client got the service."),
    ReferralStatus.DECLINED: lambda: _("The service or the client said no."),
    ReferralStatus.NO_SHOW: lambda: _("The client missed the appointment."),
    ReferralStatus.CANCELLED: lambda: _("It is no longer needed, or was sent by mistake."),
}


def status_line(referral: ServiceReferral) -> str:
    """Where the referral stands: "Sent Oct 31, 2026 · due Nov 14, 2026", "Scheduled · appointment …"."""
    status = referral.status
    if status is ReferralStatus.SENT and referral.sent_on is not None:
        parts = [_("Sent {date}").format(date=format_date(referral.sent_on))]
    elif referral.sent_on is not None:
        parts = [_("{status} · sent {date}").format(status=status.label, date=format_date(referral.sent_on))]
    else:
        parts = [status.label]
    if referral.appointment_on is not None and status is ReferralStatus.SCHEDULED:
        parts.append(_("appointment {date}").format(date=format_date(referral.appointment_on)))
    elif referral.fields.due_on is not None and not status.final:
        parts.append(_("due {date}").format(date=format_date(referral.fields.due_on)))
    return " · ".join(parts)


class ReferralStatusDialog(QDialog):
    moved = Signal(object)  # ServiceReferral

    def __init__(self, session: Session, referral: ServiceReferral, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.referral = referral
        self.setWindowTitle(_("Update the referral"))
        self.setModal(True)
        self.resize(560, 470)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        heading = QLabel(_("{service} — {to}").format(service=referral.fields.service, to=referral.to_text))
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(muted_label(_("Now: {state}").format(state=status_line(referral))))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        choices = QWidget()
        box = QVBoxLayout(choices)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        self.group = QButtonGroup(self)
        self.buttons: dict[ReferralStatus, QRadioButton] = {}
        for status in referral.status.next:
            button = QRadioButton(_("{status} — {hint}").format(status=status.label, hint=HINTS[status]()))
            button.setAccessibleName(status.label)
            button.setAccessibleDescription(HINTS[status]())
            self.group.addButton(button)
            self.buttons[status] = button
            box.addWidget(button)
            button.toggled.connect(self._status_changed)
        self.grid.add("status", _("New status"), choices, required=True)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        self.grid.add("on", _("Date"), self.on, required=True)
        self.appointment = DateField()
        self.grid.add("appointment_on", _("Appointment or start date"), self.appointment,
                      hint=_("It becomes the date to check back"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        self.grid.add("note", _("Note"), self.note)
        layout.addWidget(self.grid)
        layout.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, layout, _("Save"), self.save)
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        first = next(iter(self.buttons.values()), None)
        if first is not None:
            first.setChecked(True)
            first.setFocus()
        self._status_changed()

    def reject(self) -> None:
        """Esc: asks first only if a note was typed."""
        if self.note.toPlainText().strip() and not ask_discard(self):
            return
        super().reject()

    def close_for_lock(self) -> None:
        QDialog.reject(self)

    def chosen(self) -> ReferralStatus | None:
        return next((s for s, b in self.buttons.items() if b.isChecked()), None)

    def choose(self, status: ReferralStatus) -> None:
        self.buttons[status].setChecked(True)

    def _status_changed(self, *_args: object) -> None:
        status = self.chosen()
        scheduled = status is ReferralStatus.SCHEDULED
        for widget in (self.grid.labels["appointment_on"], self.appointment):
            widget.setVisible(scheduled)
        final = status is not None and status.final
        label = _("Outcome") if final else _("Note")
        self.grid.labels["note"].setText(label)
        self.note.setAccessibleName(label)
        self.note.setPlaceholderText(_("What happened, in a sentence (optional)") if final else _(
            "Who you spoke to, anything to remember (optional)"))

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        status = self.chosen()
        if status is None:
            return
        try:
            on = self.on.value() or self.session.clock.today()
        except ValueError as exc:
            self.grid.set_error("on", str(exc))
            self.on.setFocus()
            return
        try:
            appointment = self.appointment.value() if status is ReferralStatus.SCHEDULED else None
        except ValueError as exc:
            self.grid.set_error("appointment_on", str(exc))
            self.appointment.setFocus()
            return
        note = self.note.toPlainText()
        try:
            moved = self.session.service_referrals.move(
                self.referral.id, status, on=on, note=note, appointment_on=appointment,
                outcome=note if status.final and note.strip() else None)
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error(name, message)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.moved.emit(moved)
        self.accept()
