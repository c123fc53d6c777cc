"""Add a document (a file chosen or dropped) or change what is said about one: its title, its
kind and what in the record it belongs to. The bytes themselves are never edited."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date
from app.models.attachments import (
    MAX_TITLE,
    Attachment,
    DocumentKind,
    Link,
    LinkChoice,
    MediaType,
    format_size,
)
from app.services.attachments import FileFacts
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, FieldGrid, dialog_buttons, muted_label


def type_icon(media_type: MediaType) -> str:
    """The icon name for a kind of file."""
    if media_type is MediaType.PDF:
        return "mdi6.file-pdf-box"
    if media_type.is_image:
        return "mdi6.file-image-outline"
    if media_type is MediaType.TEXT:
        return "mdi6.text-box-outline"
    return "mdi6.file-outline"


class AttachmentDetailsDialog(QDialog):
    """`path` + `facts`: add that file. `attachment`: change its details."""

    saved = Signal(object)  # Attachment

    def __init__(self, session: Session, client_id: str, choices: list[LinkChoice], *, path: Path | None = None,
                 facts: FileFacts | None = None, attachment: Attachment | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert (path is not None and facts is not None) != (attachment is not None)
        self.session = session
        self.client_id = client_id
        self.path = path
        self.attachment = attachment
        adding = attachment is None
        self.setWindowTitle(_("Add a document") if adding else _("Document details"))
        self.setModal(True)
        self.resize(560, 360)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        self.error = Banner("error")
        layout.addWidget(self.error)

        media_type = facts.media_type if facts else attachment.media_type  # type: ignore[union-attr]
        file_name = facts.file_name if facts else attachment.file_name  # type: ignore[union-attr]
        size = facts.size if facts else attachment.size  # type: ignore[union-attr]
        card = Card()
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        icon = QLabel()
        icon.setPixmap(theme.icon(type_icon(media_type), theme.colors().accent).pixmap(36, 36))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(2)
        self.file_label = QLabel(file_name or _("(no file name)"))
        self.file_label.setFont(theme.scaled_font(self, 1.05, bold=True))
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        words.addWidget(self.file_label)
        facts_text = _("{type} · {size}").format(type=media_type.label, size=format_size(size))
        if attachment is not None and attachment.added_on is not None:
            facts_text = _("{facts} · added {date} by {who}").format(
                facts=facts_text, date=format_date(attachment.added_on), who=attachment.added_by or "—")
        self.facts_label = muted_label(facts_text)
        words.addWidget(self.facts_label)
        row.addLayout(words, 1)
        card.body.addLayout(row)
        card.setAccessibleName(f"{self.file_label.text()}, {facts_text}")
        layout.addWidget(card)

        self.grid = FieldGrid(columns=1)
        self.title = QLineEdit(facts.suggested_title if facts else attachment.title)  # type: ignore[union-attr]
        self.title.setMaxLength(MAX_TITLE + 20)
        self.title.setPlaceholderText(_("What is it? For example \"Housing benefit letter\""))
        self.grid.add("title", _("Title"), self.title, required=True)
        self.kind = QComboBox()
        for kind in DocumentKind:
            self.kind.addItem(kind.label, kind.value)
        current_kind = facts.suggested_kind if facts else attachment.kind  # type: ignore[union-attr]
        self.kind.setCurrentIndex(self.kind.findData(current_kind.value))
        self.grid.add("kind", _("Kind of document"), self.kind)
        self.link = QComboBox()
        self.link.addItem(_("Nothing else — the client's record"), None)
        current_link = attachment.link if attachment else None
        for choice in choices:
            self.link.addItem(choice.label, choice.link)
        if current_link is not None and all(c.link != current_link for c in choices):
            self.link.addItem(current_link.type.label, current_link)  # something no longer offered
        for index in range(self.link.count()):
            if self.link.itemData(index) == current_link:
                self.link.setCurrentIndex(index)
        self.grid.add("link", _("Belongs to"), self.link,
                      hint=_("A note, plan or referral of this client that the document goes with"))
        layout.addWidget(self.grid)
        if adding:
            layout.addWidget(muted_label(_(
                "The file is copied into the encrypted vault. The original stays where it is: delete it yourself "
                "if it should not stay on this computer.")))
        layout.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, layout, _("Add document") if adding else _("Save changes"),
                                                   self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self._start = self._values()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.activateWindow()
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)
        self.title.selectAll()

    def _values(self) -> tuple[str, str, object]:
        return self.title.text(), str(self.kind.currentData()), self.link.currentData()

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        kind = DocumentKind(self.kind.currentData())
        link: Link | None = self.link.currentData()
        attachments = self.session.attachments
        try:
            if self.attachment is None:
                assert self.path is not None
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a large file takes a moment
                try:
                    saved = attachments.add_file(self.client_id, self.path, title=self.title.text(), kind=kind,
                                                 link=link)
                finally:
                    QApplication.restoreOverrideCursor()
            else:
                saved = attachments.update(self.attachment.id, title=self.title.text(), kind=kind, link=link)
        except ValidationError as exc:
            for name, message in exc.problems.items():
                if name in self.grid.inputs:
                    self.grid.set_error(name, message)
                else:
                    self.error.show_message(message, "error")
            first = next((self.grid.inputs[n] for n in exc.problems if n in self.grid.inputs), None)
            if first is not None:
                first.setFocus()
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.saved.emit(saved)
        self.accept()

    def reject(self) -> None:
        """Esc or Cancel: ask only when something typed or chosen would be lost."""
        if self._values() != self._start:
            answer = QMessageBox.question(
                self, _("Discard your changes?"),
                _("The document has not been added yet.") if self.attachment is None
                else _("The changes to the document's details are not saved."),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def close_for_lock(self) -> None:
        QDialog.reject(self)

