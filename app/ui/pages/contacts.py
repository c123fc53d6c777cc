"""Contacts: the practice's directory of professionals, organisations and natural supports.

A list to search and filter on the left (keyboard first: type, Down, Enter edits), the chosen
contact's details on the right with the care teams they are on, and edit, archive or delete
(delete only for a contact nobody uses). Ctrl+N adds a contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.client import fold
from app.models.contacts import Contact, ContactKind, ContactUsage, search_words
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_editor import ContactEditorDialog
from app.ui.dialogs.contact_picker import KIND_ICONS
from app.ui.pages.clients import list_table
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, PageHeader, muted_label, primary_button

COL_NAME, COL_ROLE, COL_ORGANISATION, COL_PHONE = range(4)
PROVIDERS, EVERYONE = "providers", "everyone"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def initials(name: str) -> str:
    return "".join(p[:1].upper() + "." for p in name.split() if p[:1].isalpha())


def shown_name(contact: Contact, discreet: bool) -> str:
    """A natural support's name can tell who the client is: discreet mode shows initials."""
    if discreet and contact.kind is ContactKind.NATURAL_SUPPORT:
        return initials(contact.name) or "—"
    return contact.name


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something destructive; the action's own words on its button, Cancel the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


class ContactsTableModel(QAbstractTableModel):
    """The directory, sorted by name and filtered in Python (a few thousand rows stay instant)."""

    def __init__(self) -> None:
        super().__init__()
        self._all: list[Contact] = []
        self._rows: list[Contact] = []
        self._words: list[str] = []
        self._kinds: frozenset[ContactKind] | None = None
        self.discreet = False
        self._headers = [_("Name"), _("Role or relationship"), _("Organisation"), _("Phone")]

    def set_rows(self, contacts: Iterable[Contact]) -> None:
        self.beginResetModel()
        self._all = sorted(contacts, key=lambda c: (fold(c.name), c.id))
        self._apply()
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._all, self._rows = [], []
        self.endResetModel()

    def set_filter(self, text: str, kinds: frozenset[ContactKind] | None) -> None:
        """Rows matching every word of `text`, of these kinds (None: any)."""
        self.beginResetModel()
        self._words, self._kinds = search_words(text), kinds
        self._apply()
        self.endResetModel()

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COL_NAME))

    def _apply(self) -> None:
        words, kinds = self._words, self._kinds
        self._rows = [c for c in self._all if (kinds is None or c.kind in kinds) and (not words or c.matches(words))]

    def total(self) -> int:
        return len(self._all)

    def contact_at(self, row: int) -> Contact | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, contact_id: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == contact_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        contact = self.contact_at(index.row())
        if contact is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                name = shown_name(contact, self.discreet)
                return _("{name} (archived)").format(name=name) if contact.archived else name
            return {COL_ROLE: contact.fields.role, COL_ORGANISATION: contact.fields.organisation,
                    COL_PHONE: contact.fields.phone or contact.fields.phone_alt}.get(column, "")
        if role == Qt.ItemDataRole.DecorationRole and column == COL_NAME:
            return theme.icon(KIND_ICONS[contact.kind], theme.colors().muted if contact.archived else None)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NAME:
            return contact.kind.label
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_NAME:
            return f"{shown_name(contact, self.discreet)}, {contact.kind.label}"
        if role == ID_ROLE:
            return contact.id
        return None


class ContactDetails(QWidget):
    """One contact, readably: name, what they do, how to reach them, notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.name = QLabel()
        self.name.setFont(theme.scaled_font(self, 1.25, bold=True))
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.name)
        self.summary = muted_label()
        layout.addWidget(self.summary)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(SPACING * 2)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        layout.addSpacing(4)
        layout.addLayout(self.grid)
        self._rows: list[tuple[QLabel, QLabel]] = []

    def show_contact(self, contact: Contact, discreet: bool = False) -> None:
        f = contact.fields
        self.name.setText(shown_name(contact, discreet))
        kind = contact.kind.label + (" · " + _("archived") if contact.archived else "")
        self.summary.setText(" · ".join(p for p in (kind, f.role, f.organisation) if p))
        self.set_rows([(_("Phone"), f.phone), (_("Other phone"), f.phone_alt), (_("Fax"), f.fax),
                       (_("Email"), f.email), (_("Address"), f.address), (_("NPI"), f.npi), (_("Notes"), f.notes)])

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """Label–value lines; empty values are left out."""
        for caption, value in self._rows:
            caption.deleteLater()
            value.deleteLater()
        self._rows = []
        for number, (caption_text, value_text) in enumerate((c, v) for c, v in rows if v):
            caption = muted_label(caption_text)
            caption.setWordWrap(False)
            value = QLabel(value_text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(caption, number, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, number, 1)
            self._rows.append((caption, value))

    def clear(self) -> None:
        self.name.clear()
        self.summary.clear()
        self.set_rows([])


class ContactsPage(QWidget):
    open_client = Signal(str)  # a client id: open their record on the Team tab

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.discreet = False
        self.editor: ContactEditorDialog | None = None
        self.current: Contact | None = None
        self.usage = ContactUsage()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        self.header = PageHeader(_("Contacts"))
        # Set after construction: PageHeader(title, subtitle) shows the subtitle before it has a
        # parent, as a window of its own for a moment (which takes the focus from the main window).
        self.header.set_subtitle(_("Providers, organisations and natural supports you work with."))
        self.new_button = self.header.add_action(primary_button(_("New contact")))
        self.new_button.setIcon(theme.icon("mdi6.account-plus-outline", theme.colors().accent_text))
        self.new_button.setToolTip(_("Add a contact (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_contact)
        layout.addWidget(self.header)

        bar = QHBoxLayout()
        bar.setSpacing(SPACING * 2)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name, role, organisation or phone  (Ctrl+F)"))
        self.search.setAccessibleName(_("Search contacts"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("mdi6.magnify"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        bar.addWidget(self.search, 3)
        kind_label = QLabel(_("Show"))
        bar.addWidget(kind_label)
        self.kind = QComboBox()
        self.kind.setAccessibleName(_("Filter by kind of contact"))
        # Providers first: natural supports are other clients' family and friends (a filter away).
        self.kind.addItem(_("Providers and organisations"), PROVIDERS)
        self.kind.addItem(_("Everyone"), EVERYONE)
        for kind in ContactKind:
            self.kind.addItem(theme.icon(KIND_ICONS[kind]), kind.plural, kind.value)
        kind_label.setBuddy(self.kind)
        self.kind.currentIndexChanged.connect(lambda _i: self._apply_filter())
        bar.addWidget(self.kind, 1)
        self.archived = QCheckBox(_("Show archived"))
        self.archived.toggled.connect(lambda _on: self.reload())
        bar.addWidget(self.archived)
        layout.addLayout(bar)

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        self.model = ContactsTableModel()
        self.table = list_table(self.model, _("Contacts directory"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for column, sample in ((COL_ROLE, "Housing case worker"), (COL_ORGANISATION, "Riverside Community Health"),
                               (COL_PHONE, "(555) 555-5555")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self.table.doubleClicked.connect(lambda _index: self.edit_contact())
        self.table.activated_row.connect(lambda _row: self.edit_contact())

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        add = primary_button(_("Add a contact"))
        add.clicked.connect(self.new_contact)
        self.empty = EmptyState(
            _("No contacts yet"),
            _("Keep the people you coordinate care with in one place: psychiatrists, GPs, housing workers, clinics "
              "and agencies, and the family and friends who support your clients."), add)
        self.stack.addWidget(self.empty)
        self.no_match = EmptyState(_("No contacts match"),
                                   _("Check the spelling, search by phone or organisation, or show everyone."))
        self.stack.addWidget(self.no_match)
        body.addWidget(self.stack, 1)
        body.addWidget(self._build_detail())
        layout.addLayout(body, 1)
        self.count = muted_label("")
        layout.addWidget(self.count)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_row(current.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, activated=self._into_table,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setTabOrder(self.search, self.kind)
        self.setTabOrder(self.kind, self.archived)
        self.setTabOrder(self.archived, self.table)

    def _build_detail(self) -> QWidget:
        self.detail = Card()
        self.detail.setFixedWidth(380)
        self.message = Banner("info")
        self.detail.body.addWidget(self.message)
        self.details = ContactDetails()
        self.detail.body.addWidget(self.details)
        self.teams_title = QLabel(_("On care teams"))
        self.teams_title.setFont(theme.scaled_font(self, 1.0, bold=True))
        self.detail.body.addWidget(self.teams_title)
        self.teams = QListWidget()
        self.teams.setObjectName("Recent")
        self.teams.setAccessibleName(_("Care teams this contact is on"))
        self.teams.setToolTip(_("Enter opens the client's Team tab"))
        self.teams.itemActivated.connect(lambda item: self.open_client.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.detail.body.addWidget(self.teams, 1)
        self.referrals_label = muted_label("")
        self.detail.body.addWidget(self.referrals_label)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        self.edit_button = QPushButton(theme.icon("mdi6.pencil-outline"), _("Edit…"))
        self.edit_button.setToolTip(_("Edit the contact (Enter)"))
        self.edit_button.clicked.connect(self.edit_contact)
        row.addWidget(self.edit_button)
        self.archive_button = QPushButton(theme.icon("mdi6.archive-outline"), _("Archive"))
        self.archive_button.clicked.connect(self.toggle_archived)
        row.addWidget(self.archive_button)
        self.delete_button = QPushButton(theme.icon("mdi6.delete-outline"), _("Delete"))
        self.delete_button.clicked.connect(self.delete_contact)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        self.detail.body.addLayout(row)
        self.pick_hint = muted_label(_("Choose a contact to see how to reach them and whose care teams they are on."))
        self.detail.body.addWidget(self.pick_hint)
        self.detail.body.addStretch(0)
        self._show_contact(None)
        return self.detail

    # -- data --------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        keep = select or (self.current.id if self.current else None)
        self.model.set_rows(self.session.contacts.directory(include_archived=self.archived.isChecked()))
        self._apply_filter(keep)
        writable = not self.session.read_only
        self.new_button.setVisible(writable)
        self.empty.findChild(QPushButton).setVisible(writable)

    def _apply_filter(self, select: str | None = None) -> None:
        keep = select or (self.current.id if self.current else None)
        self.model.set_filter(self.search.text(), self._kinds())
        shown, total = self.model.rowCount(), self.model.total()
        if total == 0 and not self.archived.isChecked():
            self.stack.setCurrentWidget(self.empty)
        elif shown == 0:
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.table)
        if shown == total:
            self.count.setText(ngettext("{n} contact", "{n} contacts", total).format(n=total))
        else:
            self.count.setText(_("{shown} of {total} contacts").format(shown=shown, total=total))
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
            self._show_row(row)
        else:
            self.table.clearSelection()
            self._show_contact(None)

    def _kinds(self) -> frozenset[ContactKind] | None:
        value = self.kind.currentData()
        if value == EVERYONE:
            return None
        if value == PROVIDERS:
            return frozenset({ContactKind.PROFESSIONAL, ContactKind.ORGANISATION})
        return frozenset({ContactKind(value)})

    def _show_row(self, row: int) -> None:
        self._show_contact(self.model.contact_at(row))

    def _show_contact(self, contact: Contact | None) -> None:
        self.current = contact
        self.message.setVisible(False)
        has = contact is not None
        for widget in (self.details, self.teams_title, self.teams, self.referrals_label):
            widget.setVisible(has)
        self.pick_hint.setVisible(not has)
        writable = has and not self.session.read_only
        self.edit_button.setVisible(writable)
        if contact is None:
            self.details.clear()
            self.teams.clear()
            self.archive_button.setVisible(False)
            self.delete_button.setVisible(False)
            return
        self.details.show_contact(contact, self.discreet)
        self.usage = self.session.contacts.usage(contact.id)
        self._fill_teams()
        self.referrals_label.setText(ngettext("Named in {n} referral", "Named in {n} referrals",
                                              self.usage.referrals).format(n=self.usage.referrals))
        self.referrals_label.setVisible(self.usage.referrals > 0)
        self.archive_button.setVisible(writable)
        self.archive_button.setText(_("Restore") if contact.archived else _("Archive"))
        self.archive_button.setToolTip(_("Put the contact back in the directory") if contact.archived else _(
            "Take the contact out of the directory; the care teams and referrals that name them keep them"))
        self.delete_button.setVisible(writable and not self.usage.referenced)
        self.delete_button.setToolTip(_("Delete the contact for good (nobody's records use them)"))

    def _fill_teams(self) -> None:
        self.teams.clear()
        rows = {r.id: r for r in self.session.clients.rows({client_id for client_id, _role in self.usage.teams})}
        for client_id, role in self.usage.teams:
            row = rows.get(client_id)
            if row is None:
                continue
            who = row.initials if self.discreet else row.display_name
            text = f"{who} · {row.client_code}" + (f" — {role}" if role else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, client_id)
            self.teams.addItem(item)
        if not self.usage.teams:
            self.teams.addItem(QListWidgetItem(_("Not on anyone's care team yet")))
            self.teams.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.teams.setFixedHeight(min(10, max(1, self.teams.count())) * (self.fontMetrics().height() + 14) + 6)

    def clear(self) -> None:
        """On lock: keep what is being typed, close the editor, show nothing."""
        if self.editor is not None:
            self.editor.close_for_lock()  # finished → _editor_closed frees it
        self.model.clear()
        self.search.clear()
        self._show_contact(None)

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        self.model.set_discreet(on)
        if self.current is not None:
            self._show_contact(self.current)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _into_table(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    # -- actions -----------------------------------------------------------------------------

    def new_contact(self) -> None:
        self._open_editor(None)

    def edit_contact(self) -> None:
        if self.current is not None:
            self._open_editor(self.current)

    def _open_editor(self, contact: Contact | None) -> None:
        if self.session.read_only:
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        self.editor = ContactEditorDialog(self.session, contact, parent=self.window())
        self.editor.saved.connect(self._saved)
        self.editor.finished.connect(self._editor_closed)
        self.editor.open()

    def _editor_closed(self, _result: int) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
        self.editor = None

    def _saved(self, contact: Contact) -> None:
        if self.search.text() and not contact.matches(search_words(self.search.text())):
            self.search.clear()  # show what was just saved
        kinds = self._kinds()
        if kinds is not None and contact.kind not in kinds:
            self.kind.setCurrentIndex(self.kind.findData(EVERYONE))
        self.reload(select=contact.id)
        self.table.setFocus()

    def toggle_archived(self) -> None:
        contact = self.current
        if contact is None or self.session.read_only:
            return
        if not contact.archived:
            teams = len(self.usage.teams)
            text = _("{name} leaves the directory and the lists you pick from. The care teams and referrals that "
                     "name them ({teams} teams, {referrals} referrals) keep them. You can restore them later.").format(
                name=shown_name(contact, self.discreet), teams=teams, referrals=self.usage.referrals)
            if not confirm(self, _("Archive this contact?"), text, _("Archive")):
                return
        try:
            changed = (self.session.contacts.unarchive(contact.id) if contact.archived
                       else self.session.contacts.archive(contact.id))
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.reload(select=changed.id)
        if self.current is None:  # archived and hidden: say where it went
            self.count.setText(_("Archived. Tick “Show archived” to see it again."))

    def delete_contact(self) -> None:
        contact = self.current
        if contact is None or self.session.read_only:
            return
        text = _("{name} will be removed from the directory for good. Nobody's records use them.").format(
            name=shown_name(contact, self.discreet))
        if not confirm(self, _("Delete this contact?"), text, _("Delete")):
            return
        try:
            self.session.contacts.delete(contact.id)
        except (ValidationError, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self.current = None
        self.reload()
