"""Mark a signed note "entered in error": asks why (a usual reason or one typed), says what the
mark does, and records it. The note itself never changes; the mark can't be undone, so the
dialog says so before the button is pressed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QVBoxLayout, QWidget

from app.i18n import _
from app.models.notes import MAX_SHORT_TEXT, Note, error_reasons
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.note_editor import describe_contact
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, dialog_buttons, muted_label


class NoteErrorDialog(QDialog):
    marked = Signal(object)  # the Note, with its mark

    def __init__(self, session: Session, note: Note, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.note = note
        self.setWindowTitle(_("Mark the note entered in error"))
        self.setModal(True)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Mark “{contact}” entered in error?").format(contact=describe_contact(note.fields)))
        title.setFont(theme.scaled_font(self, 1.2, bold=True))
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(muted_label(_(
            "For a note written in the wrong client's record, about a contact that did not take place, or written "
            "twice. The note stays in the record exactly as signed, marked with your reason, your name and the "
            "time. It no longer counts as a contact, and reports leave its text out. The mark can't be undone.")))
        caption = QLabel(_("Why was it entered in error?"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        layout.addWidget(caption)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(["", *error_reasons()])
        line = self.reason.lineEdit()
        line.setMaxLength(MAX_SHORT_TEXT)
        line.setPlaceholderText(_("Choose or type the reason"))
        for widget in (self.reason, line):
            widget.setAccessibleName(_("Why the note was entered in error"))
            widget.setAccessibleDescription(_("Name no one: the reason prints on reports."))
        caption.setBuddy(self.reason)
        layout.addWidget(self.reason)
        layout.addWidget(muted_label(_("Name no one: the reason prints on reports.")))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.cancel_button, self.mark_button = dialog_buttons(self, layout, _("Mark entered in error"), self.mark)

    def text(self) -> str:
        return self.reason.currentText()

    def mark(self) -> None:
        """Record the mark; a problem is said in the dialog and the reason typed stays."""
        try:
            note = self.session.notes.mark_entered_in_error(self.note.id, self.text())
        except (ValidationError, VaultError) as exc:
            self.error.show_message(str(exc), "error")
            self.reason.setFocus()
            return
        self.marked.emit(note)
        self.done(QDialog.DialogCode.Accepted)
