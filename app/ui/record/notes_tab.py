"""The client record's "Notes" tab: the client's contact notes, newest first, with a reading pane;
writing a note (Ctrl+N), signing it (which locks it), adding an addendum, and searching the
client's notes with the words found shown in context. Typing left unfinished by a lock, a crash
or a dead battery is offered again here."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, format_time, ngettext
from app.models.notes import Note, NoteFormat, NoteQuery, Segments, segments
from app.services.drafts import Draft
from app.services.errors import ValidationError, VaultError
from app.services.notes import ADDENDUM_FORM, DRAFT_FORM, NoteHit
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.note_addendum import NoteAddendumDialog
from app.ui.dialogs.note_editor import (
    KIND_ICONS,
    NoteEditorDialog,
    confirm_signing,
    describe_contact,
    time_text,
)
from app.ui.dialogs.note_error import NoteErrorDialog
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, EmptyState, muted_label, primary_button

NOTE_ROLE = Qt.ItemDataRole.UserRole + 1
HIT_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_DELAY_MS = 150
_Index = QModelIndex | QPersistentModelIndex


def status_parts(note: Note) -> list[tuple[str, str]]:
    """(text, kind) chips for a note: its status, "Late entry", the number of addenda."""
    parts = [(note.status.label, "signed" if note.signed else "draft")]
    if note.entered_in_error:
        parts.insert(0, (_("Entered in error"), "error"))
    if note.late_entry:
        parts.append((_("Late entry"), "late"))
    if note.addenda_count:
        parts.append((ngettext("{n} addendum", "{n} addenda", note.addenda_count).format(n=note.addenda_count), "muted"))
    return parts


def stamp(value: datetime | None) -> str:
    """A moment as "Nov 26, 2026, 3:05 PM" (date and time in the user's locale, no seconds)."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return _("{date}, {time}").format(date=format_date(local.date()), time=format_time(local))


def when_text(note: Note) -> str:
    f = note.fields
    parts = [time_text(f.start_time)] if f.start_time else []
    if f.duration_min:
        parts.append(_("{n} min").format(n=f.duration_min))
    return " · ".join(parts)


def describe_note(note: Note) -> str:
    """One sentence for screen readers: type, date, time, length and status."""
    chips = ", ".join(text for text, _kind in status_parts(note))
    return f"{describe_contact(note.fields)}. {chips}."


def segments_html(pieces: Segments) -> str:
    """Extract pieces as rich text: matches bold on a highlight (never colour alone)."""
    c = theme.colors()
    return "".join(f"<b style='background-color:{c.warning_bg}'>{html.escape(text)}</b>" if marked
                   else html.escape(text) for text, marked in pieces)


def highlighted(text: str, query: NoteQuery | None) -> str:
    """Client text as HTML (never read as markup) with the query's words marked."""
    if query is None:
        return html.escape(text)
    return segments_html(segments(text, query.highlights(text)))


class NotesListModel(QAbstractListModel):
    """The notes shown in the list (all of the client's, or those a search found)."""

    def __init__(self) -> None:
        super().__init__()
        self._notes: list[Note] = []
        self._hits: dict[str, NoteHit] = {}

    def set_notes(self, notes: list[Note], hits: dict[str, NoteHit] | None = None) -> None:
        self.beginResetModel()
        self._notes = list(notes)
        self._hits = hits or {}
        self.endResetModel()

    def clear(self) -> None:
        self.set_notes([])

    def note_at(self, row: int) -> Note | None:
        return self._notes[row] if 0 <= row < len(self._notes) else None

    def row_of(self, note_id: str | None) -> int:
        return next((i for i, n in enumerate(self._notes) if n.id == note_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        note = self._notes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return note.fields.kind.label
        if role == Qt.ItemDataRole.AccessibleTextRole:
            hit = self._hits.get(note.id)
            found = "" if hit is None else " " + _("Found in {where}: {text}").format(
                where=hit.where, text="".join(t for t, _m in hit.extract))
            return describe_note(note) + found
        if role == NOTE_ROLE:
            return note
        if role == HIT_ROLE:
            return self._hits.get(note.id)
        return None


class NoteDelegate(QStyledItemDelegate):
    """A note in the list: type (with its icon) and date; time, length and status chips; the
    start of the note, or where a search found its words."""

    PAD = 10

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802 - Qt override
        line = option.fontMetrics.height()
        return QSize(200, self.PAD * 2 + line * 4 + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        note = index.data(NOTE_ROLE)
        if not isinstance(note, Note):
            return
        hit = index.data(HIT_ROLE)
        c = theme.colors()
        painter.save()
        rect = option.rect
        state = option.state
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor(c.info_bg))
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(c.accent))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(c.surface_alt))
        painter.setPen(QColor(c.border))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        metrics = option.fontMetrics
        line = metrics.height()
        x, y = rect.left() + self.PAD + 4, rect.top() + self.PAD
        width = rect.width() - self.PAD * 2 - 4
        # 1: icon, type (bold) and the date on the right.
        theme.icon(KIND_ICONS[note.fields.kind]).paint(painter, QRect(x, y + (line - 16) // 2, 16, 16))
        date_text = format_date(note.fields.contact_on)
        date_width = metrics.horizontalAdvance(date_text) + 4
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        kind_rect = QRect(x + 22, y, width - 22 - date_width - SPACING, line)
        painter.drawText(kind_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(note.fields.kind.label, Qt.TextElideMode.ElideRight,
                                                          kind_rect.width()))
        painter.setFont(option.font)
        painter.drawText(QRect(x + width - date_width, y, date_width, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, date_text)
        # 2: time · length, then the status chips.
        y += line + 4
        at = x
        when = when_text(note)
        if when:
            painter.setPen(QColor(c.muted))
            painter.drawText(QRect(at, y, width, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, when)
            at += metrics.horizontalAdvance(when) + SPACING
        for text, kind in status_parts(note):
            chip = metrics.horizontalAdvance(text) + 12
            if at + chip > x + width:
                break
            box = QRect(at, y, chip, line)
            if kind in ("draft", "late", "error"):
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor({"draft": c.warning_bg, "error": c.danger_bg}.get(kind, c.surface_alt)))
                painter.drawRoundedRect(box, 6, 6)
            painter.setPen(QColor(c.text if kind in ("draft", "late", "error") else c.muted))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            at += chip + 4
        # 3–4: the start of the note, or where the search found it.
        y += line + 4
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setTextWidth(width)
        if isinstance(hit, NoteHit):
            where = f"<span style='color:{c.muted}'>{html.escape(hit.where)}:</span> " if hit.where else ""
            document.setHtml(f"<span style='color:{c.text}'>{where}{segments_html(hit.extract)}</span>")
        else:
            document.setHtml(f"<span style='color:{c.muted}'>{html.escape(note.fields.preview(220))}</span>")
        painter.translate(x, y)
        document.drawContents(painter, QRect(0, 0, width, line * 2))
        painter.restore()


class NotesTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.notes: list[Note] = []
        self.shown: Note | None = None
        self.query: NoteQuery | None = None
        self.editor: NoteEditorDialog | None = None
        self.addendum_dialog: NoteAddendumDialog | None = None
        self.error_dialog: NoteErrorDialog | None = None
        self.unfinished: list[Draft] = []
        self._editor_saved = False
        self._loaded_for: str | None = None
        self._selected_id: str | None = None
        self._tab_bar_hooked = False

        header = QHBoxLayout()
        header.setSpacing(SPACING * 2)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = QLabel(_("Contact notes"))
        self.title.setFont(theme.scaled_font(self, 1.3, bold=True))
        titles.addWidget(self.title)
        self.summary = muted_label("")
        self.summary.setWordWrap(False)
        titles.addWidget(self.summary)
        header.addLayout(titles)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search these notes: words or a \"phrase\"  (Ctrl+F)"))
        self.search.setAccessibleName(_("Search this client's notes"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("mdi6.magnify"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._search_typed)
        self.search.installEventFilter(self)
        header.addWidget(self.search, 1, Qt.AlignmentFlag.AlignVCenter)
        self.new_button = primary_button(_("New note"))
        self.new_button.setIcon(theme.icon("mdi6.note-plus-outline", theme.colors().accent_text))
        self.new_button.setToolTip(_("Write a note about a contact (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_note)
        header.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.layout_.addLayout(header)

        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.unfinished_banner = Banner("warning")
        self.continue_button = self.unfinished_banner.add_button(_("Continue writing…"), self.continue_unfinished)
        self.drop_button = self.unfinished_banner.add_button(_("Discard"), self.discard_unfinished)
        self.layout_.addWidget(self.unfinished_banner)

        self.stack = QStackedWidget()
        self.write_button = primary_button(_("Write the first note"))
        self.write_button.clicked.connect(self.new_note)
        self._empty_text = _("Write a note after each contact: a visit, a call, a video call, a word with the "
                             "client's family or providers, or an attempt that didn't reach them. Notes are kept as "
                             "drafts while you write, and locked once you sign them.")
        self.empty = EmptyState(_("No notes yet"), self._empty_text, self.write_button)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_content())
        self.layout_.addWidget(self.stack, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)

    def _build_content(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.list_stack = QStackedWidget()
        self.model = NotesListModel()
        self.list = QListView()
        self.list.setObjectName("NotesList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(NoteDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setAccessibleName(_("Notes, newest first"))
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.activated.connect(self._activated)
        self.list_stack.addWidget(self.list)
        self.no_match = EmptyState(_("No notes match"), "")
        self.list_stack.addWidget(self.no_match)
        column.addWidget(self.list_stack, 1)
        self.count = muted_label("")
        column.addWidget(self.count)
        splitter.addWidget(left)

        right = QWidget()
        pane = QVBoxLayout(right)
        pane.setContentsMargins(SPACING * 2, 0, 0, 0)
        pane.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(SPACING)
        self.note_title = QLabel()
        self.note_title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.note_title.setWordWrap(True)
        top.addWidget(self.note_title, 1)
        self.edit_button = QPushButton(_("Continue writing…"))
        self.edit_button.setIcon(theme.icon("mdi6.pencil-outline"))
        self.edit_button.setToolTip(_("Change the draft (Enter)"))
        self.edit_button.clicked.connect(self.edit_shown)
        self.discard_button = QPushButton(_("Discard draft"))
        self.discard_button.setIcon(theme.icon("mdi6.delete-outline"))
        self.discard_button.clicked.connect(self.discard_shown)
        self.sign_button = primary_button(_("Sign…"))
        self.sign_button.setToolTip(_("Sign and lock the note"))
        self.sign_button.clicked.connect(self.sign_shown)
        self.addendum_button = QPushButton(_("Add addendum…"))
        self.addendum_button.setIcon(theme.icon("mdi6.text-box-plus-outline"))
        self.addendum_button.setToolTip(_("Add to the signed note; it keeps its own date and time"))
        self.addendum_button.clicked.connect(self.add_addendum)
        self.error_button = QPushButton(_("Entered in error…"))
        self.error_button.setIcon(theme.icon("mdi6.file-cancel-outline"))
        self.error_button.setToolTip(_("Mark the signed note entered in error: it stays in the record, marked"))
        self.error_button.clicked.connect(self.mark_shown_in_error)
        for button in (self.discard_button, self.edit_button, self.sign_button, self.error_button,
                       self.addendum_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        pane.addLayout(top)
        self.state_row = QHBoxLayout()
        self.state_row.setSpacing(6)
        self.state_icon = QLabel()
        self.state_row.addWidget(self.state_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.state_label = muted_label("")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_row.addWidget(self.state_label, 1)
        pane.addLayout(self.state_row)
        self.late_row = QHBoxLayout()
        self.late_row.setSpacing(6)
        self.late_icon = QLabel()
        self.late_row.addWidget(self.late_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.late_label = QLabel()
        self.late_label.setWordWrap(True)
        self.late_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.late_row.addWidget(self.late_label, 1)
        pane.addLayout(self.late_row)
        self.error_banner = Banner("error")
        pane.addWidget(self.error_banner)
        self.reader = QTextBrowser()
        self.reader.setObjectName("NoteReader")
        self.reader.setOpenLinks(False)
        self.reader.setAccessibleName(_("The note"))
        self.reader.document().setDocumentMargin(SPACING * 1.5)
        pane.addWidget(self.reader, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 620])
        self.splitter = splitter
        return splitter

    # -- keyboard ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Ctrl+N writes a note and Ctrl+F searches the notes while the focus is in this tab
        (elsewhere they make a client and find one)."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._ours(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self._handle_key(event):
            return
        super().keyPressEvent(event)

    def _ours(self, event: QKeyEvent) -> bool:
        return event.matches(QKeySequence.StandardKey.New) or event.matches(QKeySequence.StandardKey.Find)

    def _handle_key(self, event: QKeyEvent) -> bool:
        if event.matches(QKeySequence.StandardKey.New):
            self.new_note()
            return True
        if event.matches(QKeySequence.StandardKey.Find):
            self.focus_search()
            return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.list.setFocus()
                if not self.list.currentIndex().isValid():
                    self.list.setCurrentIndex(self.model.index(0))
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        tabs = self._tab_widget()
        if (tabs is not None and watched is tabs.tabBar() and tabs.currentWidget() is self
                and isinstance(event, QKeyEvent) and self._ours(event)):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                return self._handle_key(event)
        return super().eventFilter(watched, event)

    def _tab_widget(self) -> QTabWidget | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        return parent

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        if not self._tab_bar_hooked:
            tabs = self._tab_widget()
            if tabs is not None:
                tabs.tabBar().installEventFilter(self)  # Ctrl+N with the focus on this tab's title
                self._tab_bar_hooked = True
        super().showEvent(event)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def search_for(self, text: str) -> None:
        """Show the notes matching `text` (e.g. what the roster's search found them by)."""
        self.search.setText(text)
        self._run_search()

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        if self._loaded_for != client_id:
            self._selected_id = None
            self.message.setVisible(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.query = None
            self._loaded_for = client_id
        notes = self.session.notes
        self.notes = notes.notes(client_id)
        writable = not self.session.read_only
        self.new_button.setVisible(writable)
        self.write_button.setVisible(writable)
        self.empty.text.setText(self._empty_text if writable else _(
            "There are no notes for this client. The vault is open read-only, so none can be written now."))
        drafts = sum(1 for n in self.notes if not n.signed)
        late = sum(1 for n in self.notes if n.late_entry)
        parts = [ngettext("{n} note", "{n} notes", len(self.notes)).format(n=len(self.notes))]
        if drafts:
            parts.append(ngettext("{n} draft", "{n} drafts", drafts).format(n=drafts))
        if late:
            parts.append(ngettext("{n} late entry", "{n} late entries", late).format(n=late))
        in_error = sum(1 for n in self.notes if n.entered_in_error)
        if in_error:
            parts.append(ngettext("{n} entered in error", "{n} entered in error", in_error).format(n=in_error))
        self.summary.setText(" · ".join(parts))
        self._show_unfinished(writable)
        self.search.setVisible(bool(self.notes))
        self.summary.setVisible(bool(self.notes))
        if not self.notes:
            self.stack.setCurrentWidget(self.empty)
            self.model.clear()
            self._show_note(None)
            return
        self.stack.setCurrentIndex(1)
        self._run_search()

    def _show_unfinished(self, writable: bool) -> None:
        assert self.client_id is not None
        drafts = {n.id for n in self.notes if not n.signed}
        signed = {n.id for n in self.notes if n.signed}
        found = []
        for typed in self.session.notes.unfinished(self.client_id):
            note_id = str(typed.data.get("note_id") or "")
            if typed.form == DRAFT_FORM and note_id and note_id not in drafts:
                continue  # the note was signed or removed since: nothing to continue
            if typed.form == ADDENDUM_FORM and (note_id not in signed or not str(typed.data.get("text", "")).strip()):
                continue
            found.append(typed)
        self.unfinished = found
        if not found or not writable:
            self.unfinished_banner.setVisible(False)
            return
        newest = found[0]
        when = format_datetime(newest.saved_at, "short")
        if newest.form == ADDENDUM_FORM:
            text = _("An addendum you were writing on {when} was not added yet. What you typed is kept.")
        else:
            text = _("A note you were writing on {when} was not finished. What you typed is kept.")
        text = text.format(when=when)
        if len(found) > 1:
            text += " " + ngettext("{n} more is kept too.", "{n} more are kept too.", len(found) - 1).format(
                n=len(found) - 1)
        self.unfinished_banner.show_message(text, "warning")

    def _search_typed(self, _text: str) -> None:
        self._search_timer.start()

    def _run_search(self) -> None:
        self._search_timer.stop()
        if self.client_id is None or not self.notes:
            return
        text = self.search.text()
        query = NoteQuery.parse(text) if text.strip() else None
        self.query = query
        if query is None:
            self.model.set_notes(self.notes)
            self.list_stack.setCurrentWidget(self.list)
            self.count.setText("")
        else:
            try:
                hits = self.session.notes.search(self.client_id, text)
            except VaultError as exc:
                self.message.show_message(str(exc), "error")
                return
            self.model.set_notes([h.note for h in hits], {h.note.id: h for h in hits})
            if hits:
                self.list_stack.setCurrentWidget(self.list)
                self.count.setText(ngettext("{n} note matches", "{n} notes match", len(hits)).format(n=len(hits))
                                   + " · " + _("Esc clears the search"))
            else:
                self.no_match.text.setText(_("No note has all of these words. Check the spelling, use fewer words, "
                                             "or put words in quotes to find them side by side."))
                self.list_stack.setCurrentWidget(self.no_match)
                self.count.setText("")
        row = self.model.row_of(self._selected_id)
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
            self._show_note(self.model.note_at(row))
        else:
            self._show_note(None)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        note = self.model.note_at(current.row()) if current.isValid() else None
        if note is not None:
            self._selected_id = note.id
        self._show_note(note)

    def _activated(self, index: QModelIndex) -> None:
        note = self.model.note_at(index.row())
        if note is not None and not note.signed and not self.session.read_only:
            self.open_editor(note)
        else:
            self.reader.setFocus()

    def _show_note(self, summary: Note | None) -> None:
        writable = not self.session.read_only if self.session is not None else False
        if summary is None:
            self.shown = None
            self.note_title.clear()
            self.state_label.clear()
            self.state_icon.clear()
            self.late_label.clear()
            self.late_icon.clear()
            self.late_label.setVisible(False)
            self.late_icon.setVisible(False)
            self.reader.clear()
            self.error_banner.setVisible(False)
            for button in (self.edit_button, self.discard_button, self.sign_button, self.addendum_button,
                           self.error_button):
                button.setVisible(False)
            return
        try:
            note = self.session.notes.get(summary.id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.shown = note
        c = theme.colors()
        f = note.fields
        self.note_title.setText(_("{kind} · {date}").format(kind=f.kind.label, date=format_date(f.contact_on, "full")))
        if note.signed and note.signed_at is not None:
            self.state_icon.setPixmap(theme.icon("mdi6.lock-outline", c.muted).pixmap(16, 16))
            self.state_label.setText(_("Signed by {who} on {when}. Locked: changes are added as addenda.").format(
                who=note.signed_by or _("unknown"), when=stamp(note.signed_at)))
        else:
            self.state_icon.setPixmap(theme.icon("mdi6.pencil-outline", c.muted).pixmap(16, 16))
            saved = stamp(note.updated_at)
            self.state_label.setText(_("Draft, not signed yet · last saved {when}").format(when=saved))
        self.late_label.setVisible(note.late_entry)
        self.late_icon.setVisible(note.late_entry)
        if note.late_entry:
            self.late_icon.setPixmap(theme.icon("mdi6.clock-alert-outline", c.text).pixmap(16, 16))
            self.late_label.setText("<b>" + html.escape(_("Late entry")) + "</b> — " + html.escape(_(
                "written {written}, signed {signed}, about a contact on {contact}.").format(
                written=stamp(note.created_at), signed=stamp(note.signed_at),
                contact=format_date(f.contact_on))))
            self.late_label.setAccessibleName(self.late_label.text())
        self.edit_button.setVisible(writable and not note.signed)
        self.discard_button.setVisible(writable and not note.signed)
        self.sign_button.setVisible(writable and not note.signed)
        self.addendum_button.setVisible(writable and note.counts)
        self.error_button.setVisible(writable and note.counts)
        if note.error is not None:
            self.error_banner.show_message(_(
                "Entered in error — {reason}. Marked by {who} on {when}. The note stays in the record as signed; "
                "it doesn't count as a contact, and reports leave its text out.").format(
                reason=note.error.reason, who=note.error.marked_by or _("unknown"), when=stamp(note.error.marked_at)),
                "error")
        else:
            self.error_banner.setVisible(False)
        self.reader.setHtml(self._note_html(note))
        self.reader.setAccessibleDescription(describe_note(note))

    def _note_html(self, note: Note) -> str:
        c = theme.colors()
        f = note.fields
        q = self.query
        facts: list[tuple[str, str]] = []
        when = when_text(note)
        if when:
            facts.append((_("Time"), html.escape(when)))
        if f.location:
            facts.append((_("Location"), highlighted(f.location, q)))
        if f.participants:
            facts.append((_("Who took part"), highlighted(", ".join(f.participants), q)))
        if f.goal_ids:
            names = dict(self.session.notes.goal_choices(note.client_id) or [])
            goals = [names.get(g, _("a goal no longer in the care plan")) for g in f.goal_ids]
            facts.append((_("Goals addressed"), html.escape("; ".join(goals))))
        facts.append((_("Format"), html.escape(f"{f.format.label} — {f.format.description}")))
        rows = "".join(f"<tr><td style='color:{c.muted}; padding-right:12px'>{html.escape(k)}</td><td>{v}</td></tr>"
                       for k, v in facts)
        parts = [f"<table cellspacing='0' cellpadding='2'>{rows}</table>"]
        for section, text in f.body():
            heading = section.heading if f.format is not NoteFormat.FREE else ""
            if heading:
                parts.append(f"<h4 style='margin-top:12px; margin-bottom:2px'>{html.escape(heading)}</h4>")
            else:
                parts.append("<div style='margin-top:10px'></div>")
            body = highlighted(text, q) if text else f"<i style='color:{c.muted}'>{html.escape(_('Not written yet'))}</i>"
            parts.append(f"<p style='white-space:pre-wrap; margin-top:0'>{body}</p>")
        if note.addenda:
            parts.append(f"<h4 style='margin-top:16px; margin-bottom:2px'>{html.escape(_('Addenda'))}</h4>")
            for addendum in note.addenda:
                written = _("{when} · {who}").format(when=stamp(addendum.written_at),
                                                      who=addendum.written_by or _("unknown"))
                parts.append(f"<p style='margin-bottom:0; color:{c.muted}'>{html.escape(_('Addendum'))} · "
                             f"{html.escape(written)}</p>"
                             f"<p style='white-space:pre-wrap; margin-top:0'>{highlighted(addendum.text, q)}</p>")
        return f"<div style='color:{c.text}'>{''.join(parts)}</div>"

    # -- actions -------------------------------------------------------------------------------

    def new_note(self) -> NoteEditorDialog | None:
        """Write a note (continuing an unfinished new one, if its typing was kept)."""
        return self.open_editor(None)

    def edit_shown(self) -> None:
        if self.shown is not None and not self.shown.signed:
            self.open_editor(self.shown)

    def open_editor(self, note: Note | None) -> NoteEditorDialog | None:
        if self.client is None or self.session.read_only:
            return None
        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        editor = NoteEditorDialog(self.session, self.client.id, self.client.display_name, note, self.window())
        editor.saved.connect(self._editor_saved_note)
        editor.signed.connect(self._signed)
        editor.finished.connect(self._editor_closed)
        self.editor = editor
        self._editor_saved = False
        editor.open()
        return editor

    def _editor_saved_note(self, note: Note) -> None:
        self._editor_saved = True
        self._selected_id = note.id

    def _editor_closed(self, _result: int) -> None:
        editor, self.editor = self.editor, None
        if editor is None or self.client is None:
            return  # closed for a lock: clear() deals with it
        editor.deleteLater()
        self.refresh()
        if self._editor_saved:
            self.changed.emit()
        self.list.setFocus()

    def _signed(self, note: Note) -> None:
        self._selected_id = note.id
        self._editor_saved = True
        self.message.show_message(_("The note is signed and locked. To add to it later, add an addendum."), "info")

    def sign_shown(self) -> None:
        """Sign the draft shown; if it isn't ready, open it with the problems next to the fields."""
        note = self.shown
        if note is None or note.signed or self.session.read_only:
            return
        if self.session.notes.signing_problems(note.fields) or self.session.drafts.load(DRAFT_FORM, note.id):
            editor = self.open_editor(note)
            if editor is not None:
                editor.sign()
            return
        if not confirm_signing(self.window()):
            return
        try:
            signed = self.session.notes.sign(note.id)
        except (ValidationError, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self._signed(signed)
        self.refresh()
        self.changed.emit()

    def add_addendum(self) -> NoteAddendumDialog | None:
        note = self.shown
        if note is None or not note.signed or self.session.read_only:
            return None
        return self._open_addendum(note)

    def _open_addendum(self, note: Note) -> NoteAddendumDialog | None:
        if self.addendum_dialog is not None:
            self.addendum_dialog.raise_()
            return self.addendum_dialog
        dialog = NoteAddendumDialog(self.session, note, self.window())
        dialog.added.connect(self._addendum_added)
        dialog.finished.connect(self._addendum_closed)
        self.addendum_dialog = dialog
        dialog.open()
        return dialog

    def _addendum_added(self, note: Note) -> None:
        self._selected_id = note.id
        self.message.show_message(_("Addendum added, with today's date and time."), "info")
        self.refresh()
        self.changed.emit()

    def _addendum_closed(self, _result: int) -> None:
        dialog, self.addendum_dialog = self.addendum_dialog, None
        if dialog is None or self.client is None:
            return  # closed for a lock: clear() deals with it
        dialog.deleteLater()
        self.refresh()

    def mark_shown_in_error(self) -> NoteErrorDialog | None:
        """Ask why, then mark the signed note shown "entered in error"."""
        note = self.shown
        if note is None or not note.counts or self.session.read_only:
            return None
        if self.error_dialog is not None:
            self.error_dialog.raise_()
            return self.error_dialog
        dialog = NoteErrorDialog(self.session, note, self.window())
        dialog.marked.connect(self._marked_in_error)
        dialog.finished.connect(self._error_dialog_closed)
        self.error_dialog = dialog
        dialog.open()
        return dialog

    def _marked_in_error(self, note: Note) -> None:
        self._selected_id = note.id
        self.message.show_message(_("The note is marked entered in error. It stays in the record."), "info")
        self.refresh()
        self.changed.emit()

    def _error_dialog_closed(self, _result: int) -> None:
        dialog, self.error_dialog = self.error_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if self.client is not None:
            self.list.setFocus()

    def discard_shown(self) -> None:
        note = self.shown
        if note is None or note.signed or self.session.read_only:
            return
        answer = QMessageBox.question(
            self, _("Discard this draft?"),
            _("The draft note “{contact}” and everything written in it will be removed.").format(
                contact=describe_contact(note.fields)),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        try:
            self.session.notes.discard_draft(note.id)
            self.session.drafts.discard(DRAFT_FORM, note.id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._selected_id = None
        self.message.show_message(_("The draft was discarded."), "info")
        self.refresh()
        self.changed.emit()

    def continue_unfinished(self) -> None:
        if not self.unfinished:
            return
        typed = self.unfinished[0]
        note_id = str(typed.data.get("note_id") or "")
        try:
            note = self.session.notes.get(note_id) if note_id else None
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        if typed.form == ADDENDUM_FORM and note is not None:
            self._open_addendum(note)
        else:
            self.open_editor(note)

    def discard_unfinished(self) -> None:
        if not self.unfinished:
            return
        typed = self.unfinished[0]
        answer = QMessageBox.question(
            self, _("Discard what you typed?"),
            _("What you typed on {when} and did not save will be removed. Notes already saved stay as they are.").format(
                when=format_datetime(typed.saved_at, "short")),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        try:
            self.session.drafts.discard(typed.form, typed.object_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.refresh()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        dialogs = (self.editor, self.addendum_dialog)
        self.editor = self.addendum_dialog = None
        for dialog in dialogs:
            if dialog is not None:
                dialog.close_for_lock()
                dialog.deleteLater()
        if self.error_dialog is not None:
            error_dialog, self.error_dialog = self.error_dialog, None
            error_dialog.reject()
            error_dialog.deleteLater()
        self._search_timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.clear()
        self._show_note(None)
        self.summary.clear()
        for banner in (self.message, self.unfinished_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.notes = []
        self.unfinished = []
        self.query = None
        self._selected_id = None
        self._loaded_for = None
        self.stack.setCurrentWidget(self.empty)
        super().clear()

