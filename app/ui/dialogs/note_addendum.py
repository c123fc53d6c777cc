"""Add an addendum to a signed note: the note stays exactly as it was signed, and what is added
carries its own date, time and author. The typing is autosaved; closing keeps it for next time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.i18n import _, format_datetime
from app.models.notes import MAX_ADDENDUM_CHARS, Note
from app.services.errors import ValidationError, VaultError
from app.services.notes import ADDENDUM_FORM
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.dialogs.note_editor import describe_contact
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, dialog_buttons, muted_label


class NoteAddendumDialog(DraftDialog):
    added = Signal(object)  # Note, with the new addendum

    def __init__(self, session: Session, note: Note, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.note = note
        self.setWindowTitle(_("Add an addendum"))
        self.setModal(True)
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Add an addendum"))
        title.setFont(theme.scaled_font(self, 1.4, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(_(
            "To the note “{contact}”. The note stays as it was signed; the addendum is added below it with the "
            "date and time it is written and your name.").format(contact=describe_contact(note.fields))))
        self.draft_banner = Banner("info")
        layout.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        layout.addWidget(self.error_banner)
        caption = QLabel(_("What you are adding"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        layout.addWidget(caption)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(_("What you are adding"))
        self.text.setPlaceholderText(_("e.g. The landlord called back: a payment plan was agreed."))
        self.text.setAccessibleDescription(_("At most {n} characters.").format(n=MAX_ADDENDUM_CHARS))
        caption.setBuddy(self.text)
        layout.addWidget(self.text, 1)
        self.status = muted_label("")
        layout.addWidget(self.status)
        self.close_button, self.add_button = dialog_buttons(self, layout, _("Add addendum"), self.add,
                                                           cancel=_("Close"))
        self.close_button.setToolTip(_("Close; what you typed is kept (Esc)"))
        self.add_button.setToolTip(_("Add it to the note (Ctrl+S)"))
        QShortcut(QKeySequence.StandardKey.Save, self, self.add)
        self.autosaver = DraftAutosaver(session, ADDENDUM_FORM, note.id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        typed = session.drafts.load(ADDENDUM_FORM, note.id)
        if typed is not None and str(typed.data.get("text", "")).strip():
            self.text.setPlainText(str(typed.data.get("text", "")))
            self.draft_banner.show_message(_("What you typed on {when} was restored.").format(
                when=format_datetime(typed.saved_at, "short")))
        self.text.textChanged.connect(self.autosaver.changed)

    def collect(self) -> dict[str, Any]:
        return {"client_id": self.note.client_id, "note_id": self.note.id, "text": self.text.toPlainText()}

    def add(self) -> None:
        try:
            note = self.session.notes.add_addendum(self.note.id, self.text.toPlainText())
        except ValidationError as exc:
            self.autosaver.flush()
            self.error_banner.show_message(str(exc), "error")
            self.text.setFocus()
            return
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return
        self.autosaver.discard()
        self.added.emit(note)
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:
        """Close; anything typed stays in the vault as a draft and comes back next time."""
        if self.text.toPlainText().strip():
            self.autosaver.changed()
        self.autosaver.flush()
        if not self.text.toPlainText().strip():
            self.autosaver.discard()
        super().reject()

    def first_focus(self) -> QWidget | None:
        return self.text
