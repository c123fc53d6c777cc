"""Choosing a contact from the directory inside a form: type to filter, Down into the list, pick
with the arrow keys; "New contact…" adds one without leaving the form.

Natural supports (other clients' family and friends) are listed only once a name is typed, so
the list a client may see across the table shows no one's relatives."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.client import fold
from app.models.contacts import Contact, ContactKind, search_words
from app.ui import theme
from app.ui.widgets.common import muted_label

KIND_ICONS = {ContactKind.PROFESSIONAL: "mdi6.account-tie-outline", ContactKind.ORGANISATION: "mdi6.domain",
              ContactKind.NATURAL_SUPPORT: "mdi6.account-heart-outline"}


def contact_line(contact: Contact) -> str:
    """The contact in one line for a list: name — role · organisation (kind)."""
    summary = contact.summary
    text = f"{contact.name} — {summary}" if summary else contact.name
    return _("{text} ({kind})").format(text=text, kind=contact.kind.label.lower())


class ContactPicker(QWidget):
    """`chosen(contact_id)` whenever the current contact changes ('' when none)."""

    chosen = Signal(str)

    def __init__(self, contacts: Iterable[Contact], on_new: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type a name, role or organisation; Down to choose"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("mdi6.magnify"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._filter)
        row.addWidget(self.search, 1)
        self.new_button: QPushButton | None = None
        if on_new is not None:
            self.new_button = QPushButton(theme.icon("mdi6.account-plus-outline"), _("New contact…"))
            self.new_button.setToolTip(_("Add someone who isn't in the directory yet"))
            self.new_button.clicked.connect(on_new)
            row.addWidget(self.new_button)
        layout.addLayout(row)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Contacts to choose from"))
        self.list.setMinimumHeight(150)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.list, 1)
        self.supports_hint = muted_label(_("Family members and friends appear when you type their name."))
        layout.addWidget(self.supports_hint)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, activated=self._into_list,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setFocusProxy(self.search)
        self._contacts: list[Contact] = []
        self.set_contacts(contacts)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleName(name)
        self.search.setAccessibleName(_("Search: {name}").format(name=name))

    def set_contacts(self, contacts: Iterable[Contact], select: str | None = None) -> None:
        self._contacts = sorted(contacts, key=lambda c: fold(c.name))
        self._filter(self.search.text(), select)

    def _filter(self, text: str, select: str | None = None) -> None:
        keep = select if select is not None else self.contact_id()
        words = search_words(text)
        self.list.blockSignals(True)
        self.list.clear()
        hidden = 0
        for contact in self._contacts:
            if words and not contact.matches(words):
                continue
            if not words and contact.kind is ContactKind.NATURAL_SUPPORT and contact.id != keep:
                hidden += 1
                continue
            item = QListWidgetItem(theme.icon(KIND_ICONS[contact.kind]), contact_line(contact))
            item.setData(Qt.ItemDataRole.UserRole, contact.id)
            self.list.addItem(item)
            if contact.id == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and words and self.list.count():
            self.list.setCurrentRow(0)  # the best guess, so Enter/Tab after typing takes it
        self.list.blockSignals(False)
        self.supports_hint.setVisible(hidden > 0)
        self.chosen.emit(self.contact_id() or "")

    def _into_list(self) -> None:
        if self.list.count():
            self.list.setFocus()
            if self.list.currentRow() < 0:
                self.list.setCurrentRow(0)

    def _current_changed(self, _item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.chosen.emit(self.contact_id() or "")

    def contact_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def contact(self) -> Contact | None:
        wanted = self.contact_id()
        return next((c for c in self._contacts if c.id == wanted), None)

    def select(self, contact_id: str) -> None:
        self.search.clear()
        self._filter("", contact_id)
