"""Add a contact to a client's care team (picked from the directory, or added on the spot), or
change a member's role, release-of-information status and last contact."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.contacts import Contact, MemberFields, Release, TeamMember
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_editor import ContactEditorDialog
from app.ui.dialogs.contact_picker import ContactPicker
from app.ui.pages.contacts import confirm
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.inputs import DateField


def ask_discard(parent: QWidget) -> bool:
    """Whether the person agrees to lose what they typed in a small form."""
    return confirm(parent, _("Discard changes?"), _("What you typed here is not saved. Discard it?"), _("Discard"))


class TeamMemberDialog(QDialog):
    """`saved(TeamMember)` once the service took it. With `member` None, a contact is chosen first."""

    saved = Signal(object)

    def __init__(self, session: Session, client_id: str, client_name: str, member: TeamMember | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.member = member
        self.contact_editor: ContactEditorDialog | None = None
        title = (_("Add to {name}'s care team").format(name=client_name) if member is None
                 else _("{name} on the care team").format(name=member.contact.name))
        self.setWindowTitle(_("Add to the care team") if member is None else _("Care-team member"))
        self.setModal(True)
        self.resize(640, 600 if member is None else 380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=2)
        self.picker: ContactPicker | None = None
        if member is None:
            on_team = {m.contact.id for m in session.contacts.team(client_id)}
            choices = [c for c in session.contacts.directory() if c.id not in on_team]
            self.picker = ContactPicker(choices, self.new_contact)
            self.picker.list.setMinimumHeight(250)
            self.grid.add("contact", _("Who"), self.picker, required=True, span=2)
            self.picker.chosen.connect(self._contact_chosen)
        self.role = QLineEdit()
        self.role.setMaxLength(200)
        self.grid.add("role", _("Role on this team"), self.role,
                      hint=_("Leave empty to use their usual role or relationship"))
        self.release = QComboBox()
        for value in (Release.UNKNOWN, Release.YES, Release.NO):
            self.release.addItem({Release.UNKNOWN: _("Not checked yet"), Release.YES: _("Yes, on file"),
                                  Release.NO: _("No")}[value], value.value)
        self.grid.add("release", _("Release of information on file"), self.release)
        self.last_contact = DateField()
        self.grid.add("last_contact_on", _("Last in touch"), self.last_contact,
                      hint=_("The last day they spoke with you about the client; empty if not yet"))
        layout.addWidget(self.grid)
        layout.addStretch(1)
        layout.addWidget(muted_label(_(
            "A member not in touch for a while is flagged on the Team tab and on Today. The reports that need a "
            "release check it when they are made.")))
        primary = _("Add to team") if member is None else _("Save")
        _cancel, self.save_button = dialog_buttons(self, layout, primary, self.save)
        self.save_button.setToolTip(_("{action} (Ctrl+S)").format(action=primary))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        if member is not None:
            self.role.setText(member.fields.role)
            self.role.setPlaceholderText(member.contact.fields.role)
            self.release.setCurrentIndex(max(0, self.release.findData(member.fields.release.value)))
            self.last_contact.set_value(member.fields.last_contact_on)
            self.role.setFocus()
        else:
            assert self.picker is not None
            self.picker.setFocus()
        self._initial = self._typed()

    def _contact_chosen(self, contact_id: str) -> None:
        contact = self.picker.contact() if self.picker is not None and contact_id else None
        self.role.setPlaceholderText(contact.fields.role if contact else "")

    def new_contact(self) -> None:
        """Add someone to the directory without leaving this form; they are then chosen."""
        if self.contact_editor is not None:
            self.contact_editor.raise_()
            return
        editor = ContactEditorDialog(self.session, parent=self)
        editor.saved.connect(self._contact_added)
        editor.finished.connect(lambda _r: setattr(self, "contact_editor", None))
        self.contact_editor = editor
        editor.open()

    def _contact_added(self, contact: Contact) -> None:
        if self.picker is None:
            return
        on_team = {m.contact.id for m in self.session.contacts.team(self.client_id)}
        self.picker.set_contacts([c for c in self.session.contacts.directory() if c.id not in on_team],
                                 select=contact.id)
        self.role.setFocus()

    def fields(self) -> MemberFields:
        """The form as MemberFields; ValidationError if the date can't be read."""
        try:
            last = self.last_contact.value()
        except ValueError as exc:
            raise ValidationError({"last_contact_on": str(exc)}) from None
        return MemberFields(self.role.text(), Release(self.release.currentData()), last)

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        try:
            fields = self.fields()
            if self.member is not None:
                member = self.session.contacts.update_member(self.member.id, fields)
            else:
                assert self.picker is not None
                contact_id = self.picker.contact_id()
                if not contact_id:
                    message = _("Choose someone from the list, or add them with “New contact…”.")
                    raise ValidationError({"contact": message}, message)
                member = self.session.contacts.add_member(self.client_id, contact_id, fields)
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error(name, message)
            first = next((self.grid.inputs[n] for n in exc.problems if n in self.grid.inputs), None)
            if first is not None:
                first.setFocus()
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.saved.emit(member)
        self.accept()

    def _typed(self) -> tuple[object, ...]:
        return (self.picker.contact_id() if self.picker else None, self.role.text(), self.release.currentData(),
                self.last_contact.text())

    def reject(self) -> None:
        """Esc: asks first only if something typed would be lost."""
        if self._typed() != self._initial and not ask_discard(self):
            return
        super().reject()

    def close_for_lock(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.close_for_lock()
        QDialog.reject(self)  # a small form: nothing worth a draft, and nothing saved half-way
