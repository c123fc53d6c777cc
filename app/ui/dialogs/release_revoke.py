"""The two ways a release stops short of its expiry date: the client revokes it (the date and
how — asked to confirm, since it can't be undone), or the event that ends it happens (the date)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.i18n import _, format_date
from app.models.consent import Release, validate_revocation
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.pages.contacts import confirm
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.inputs import DateField


def recipient_text(release: Release) -> str:
    """"Dr Amara Okafor (Riverside CMHC)", or the name alone."""
    org = release.to_organisation
    if org and org != release.to_name:
        return _("{name} ({organisation})").format(name=release.to_name, organisation=org)
    return release.to_name


class _ReleaseDialog(QDialog):
    """A short form about one release: a title, a sentence, a field grid, Cancel and the action."""

    done_with = Signal(object)  # the Release as it is now

    def __init__(self, session: Session, release: Release, title: str, text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session = session
        self.release = release
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(560, 360)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        self.layout_.setSpacing(SPACING)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.4, bold=True))
        self.layout_.addWidget(heading)
        self.layout_.addWidget(muted_label(text))
        self.error = Banner("error")
        self.layout_.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        self.layout_.addWidget(self.grid)

    def _date(self, name: str, field: DateField) -> date | None:
        """The typed date, or None with its sentence shown next to it."""
        try:
            value = field.value()
        except ValueError as exc:
            self.grid.set_error(name, str(exc))
            field.setFocus()
            return None
        if value is None:
            self.grid.set_error(name, _("Enter the date."))
            field.setFocus()
        return value

    def _show(self, problems: dict[str, str]) -> None:
        first = None
        for name, message in problems.items():
            if name in self.grid.inputs:
                self.grid.set_error(name, message)
                first = first or self.grid.inputs[name]
            else:
                self.error.show_message(message, "error")
        if first is not None:
            first.setFocus()


class RevokeReleaseDialog(_ReleaseDialog):
    """Revoke from a date (today by default), saying how the client revoked it."""

    def __init__(self, session: Session, release: Release, parent: QWidget | None = None) -> None:
        super().__init__(session, release, _("Revoke the release"), _(
            "The client revokes their release to {to}. From that day nothing more may be shared under it; what was "
            "shared before stays shared. A revocation can't be undone — sharing again needs a new signed release.")
            .format(to=recipient_text(release)), parent)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        self.grid.add("revoked_on", _("Revoked on"), self.on, required=True)
        self.how = QLineEdit()
        self.how.setMaxLength(2000)
        self.how.setPlaceholderText(_("e.g. in writing, letter dated 3 May; or by phone, confirmed in writing"))
        self.grid.add("revoked_how", _("How the client revoked it"), self.how, required=True)
        self.layout_.addStretch(1)
        self.cancel_button, self.revoke_button = dialog_buttons(self, self.layout_, _("Revoke…"), self.submit)
        self.revoke_button.setToolTip(_("Revoke the release (asks to confirm)"))
        self.how.setFocus()

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        on = self._date("revoked_on", self.on)
        if on is None:
            return
        how = self.how.text()
        problems = validate_revocation(self.release, on, how, self.session.clock.today())
        if problems:
            self._show(problems)
            return
        text = _("From {date}, nothing more may be shared with {to} under this release. This can't be undone.").format(
            date=format_date(on, "long"), to=recipient_text(self.release))
        if not confirm(self, _("Revoke this release?"), text, _("Revoke")):
            return
        try:
            release = self.session.consents.revoke(self.release.id, on, how)
        except ValidationError as exc:
            self._show(exc.problems)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.done_with.emit(release)
        self.accept()


class EndingEventDialog(_ReleaseDialog):
    """Record the day the event that ends the release happened."""

    def __init__(self, session: Session, release: Release, parent: QWidget | None = None) -> None:
        super().__init__(session, release, _("Record the ending event"), _(
            "This release to {to} ends when this happens: “{event}”. Record the day it happened; from that day the "
            "release is expired. This can't be undone.").format(
            to=recipient_text(release), event=release.fields.expiry_event), parent)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        self.grid.add("event_occurred_on", _("The event happened on"), self.on, required=True)
        self.layout_.addStretch(1)
        self.cancel_button, self.record_button = dialog_buttons(self, self.layout_, _("Record the event"),
                                                                self.submit)
        self.on.setFocus()

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        on = self._date("event_occurred_on", self.on)
        if on is None:
            return
        try:
            release = self.session.consents.record_expiry_event(self.release.id, on)
        except ValidationError as exc:
            self._show(exc.problems)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.done_with.emit(release)
        self.accept()
