"""The client record's "Documents" tab: the scans, photos, PDFs and letters kept for the client
inside the encrypted vault — a list, a preview that writes no file, adding (a file dialog, or files
dropped on the tab), changing a document's details, saving a copy outside the vault (an explicit,
audited act) and removing one (after asking)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.attachments import Attachment, LinkChoice, format_size
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.attachment_details import AttachmentDetailsDialog, type_icon
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.attachment_preview import AttachmentPreview
from app.ui.widgets.common import Banner, EmptyState, muted_label, primary_button

ID_ROLE = Qt.ItemDataRole.UserRole
META_ROLE = Qt.ItemDataRole.UserRole + 1
WHEN_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


def kind_text(attachment: Attachment) -> str:
    """ "Letter · PDF · 2.4 MB" """
    return _("{kind} · {type} · {size}").format(kind=attachment.kind.label, type=attachment.media_type.label,
                                                size=format_size(attachment.size))


class DocumentDelegate(QStyledItemDelegate):
    """Two quiet lines under a bold title, with the file type's icon on the left."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802 - Qt override
        line = option.fontMetrics.height()
        return QSize(200, line * 3 + SPACING * 2 + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        c = theme.colors()
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect.adjusted(2, 1, -2, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            painter.setBrush(QColor(c.info_bg))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setBrush(QColor(c.accent))
            painter.drawRoundedRect(QRect(rect.left(), rect.top() + 6, 3, rect.height() - 12), 1, 1)
        painter.setPen(QColor(c.border))
        painter.drawLine(rect.left() + 8, option.rect.bottom(), rect.right() - 8, option.rect.bottom())
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        left = rect.left() + SPACING + 4
        if icon is not None:
            icon.paint(painter, QRect(left, rect.top() + SPACING, 24, 24))
        left += 24 + SPACING
        width = rect.right() - left - SPACING
        line = option.fontMetrics.height()
        top = rect.top() + SPACING
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(QColor(c.text))
        metrics = painter.fontMetrics()
        painter.drawText(QRect(left, top, width, line), Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                                            Qt.TextElideMode.ElideRight, width))
        painter.setFont(option.font)
        painter.setPen(QColor(c.muted))
        metrics = painter.fontMetrics()
        for number, role in enumerate((META_ROLE, WHEN_ROLE), start=1):
            painter.drawText(QRect(left, top + number * (line + 1), width, line), Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(str(index.data(role) or ""), Qt.TextElideMode.ElideRight, width))
        painter.restore()


class DocumentsTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.documents: list[Attachment] = []
        self.choices: list[LinkChoice] = []
        self.shown: Attachment | None = None
        self.dialog: AttachmentDetailsDialog | None = None
        self._loaded_for: str | None = None
        self.setAcceptDrops(True)

        header = QHBoxLayout()
        header.setSpacing(SPACING)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = QLabel(_("Documents"))
        self.title.setFont(theme.scaled_font(self, 1.3, bold=True))
        titles.addWidget(self.title)
        self.status = muted_label("")
        titles.addWidget(self.status)
        header.addLayout(titles, 1)
        self.add_button = primary_button(_("Add documents…"))
        self.add_button.setIcon(theme.icon("mdi6.paperclip", theme.colors().accent_text))
        self.add_button.setToolTip(_("Add scans, photos or PDFs from this computer (Ctrl+N). You can also drag "
                                     "files onto this page."))
        self.add_button.clicked.connect(self.choose_files)
        header.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(header)

        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.drop_banner = Banner("info")
        self.layout_.addWidget(self.drop_banner)

        self.stack = QStackedWidget()
        self.empty_button = primary_button(_("Add a document…"))
        self.empty_button.clicked.connect(self.choose_files)
        self._empty_text = _(
            "Letters, forms, ID and benefits cards, photos of papers and PDFs for this client are kept here, "
            "encrypted inside the vault. Add one from this computer, or drag files onto this page.")
        self.empty = EmptyState(_("No documents yet"), self._empty_text, self.empty_button)
        self.empty.text.setFixedWidth(560)  # a readable measure, centred
        empty_layout = self.empty.layout()
        if empty_layout is not None:
            empty_layout.setAlignment(self.empty.text, Qt.AlignmentFlag.AlignHCenter)
        self.stack.addWidget(self.empty)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        self.list = QListWidget()
        self.list.setObjectName("DocumentList")
        self.list.setAccessibleName(_("The client's documents"))
        self.list.setItemDelegate(DocumentDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.currentItemChanged.connect(self._chosen)
        self.list.itemActivated.connect(self._into_preview)
        left_layout.addWidget(self.list, 1)
        self.list_hint = muted_label(_("Drag files here to add them."))
        left_layout.addWidget(self.list_hint)
        left.setMinimumWidth(260)
        self.splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(SPACING, 0, 0, 0)
        right_layout.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(SPACING)
        words = QVBoxLayout()
        words.setSpacing(0)
        self.doc_title = QLabel()
        self.doc_title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.doc_title.setTextFormat(Qt.TextFormat.PlainText)
        self.doc_title.setWordWrap(True)
        words.addWidget(self.doc_title)
        self.doc_facts = muted_label()
        self.doc_facts.setTextFormat(Qt.TextFormat.PlainText)
        words.addWidget(self.doc_facts)
        top.addLayout(words, 1)
        self.edit_button = QPushButton(theme.icon("mdi6.pencil-outline"), _("Details…"))
        self.edit_button.setToolTip(_("Change the title, kind or what it belongs to (F2)"))
        self.edit_button.clicked.connect(self.edit_details)
        self.export_button = QPushButton(theme.icon("mdi6.content-save-outline"), _("Save a copy…"))
        self.export_button.setToolTip(_("Save a copy outside the vault, for example to send it on (Ctrl+P). "
                                        "The copy is not encrypted."))
        self.export_button.clicked.connect(self.choose_export)
        self.remove_button = QPushButton(theme.icon("mdi6.trash-can-outline"), _("Remove…"))
        self.remove_button.setToolTip(_("Remove the document from this record (Delete)"))
        self.remove_button.clicked.connect(self.remove)
        for button in (self.edit_button, self.export_button, self.remove_button):
            button.setAccessibleName(button.text().rstrip("…"))
            button.setAccessibleDescription(button.toolTip())
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        right_layout.addLayout(top)
        self.preview = AttachmentPreview()
        self.preview.text_view.setAcceptDrops(False)
        right_layout.addWidget(self.preview, 1)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 760])
        self.stack.addWidget(self.splitter)
        self.layout_.addWidget(self.stack, 1)

        self.setTabOrder(self.add_button, self.list)
        self.setTabOrder(self.list, self.edit_button)
        self.setTabOrder(self.edit_button, self.export_button)
        self.setTabOrder(self.export_button, self.remove_button)
        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.edit_details, context=within)
        QShortcut(QKeySequence("Ctrl+P"), self, self.choose_export, context=within)
        QShortcut(QKeySequence.StandardKey.SaveAs, self, self.choose_export, context=within)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.list, self.remove, context=Qt.ShortcutContext.WidgetShortcut)

    # -- reading -------------------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return not self.session.read_only

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        if self._loaded_for != client_id:
            self.message.setVisible(False)
            self.shown = None
            self._loaded_for = client_id
        try:
            self.documents = self.session.attachments.for_client(client_id)
            self.choices = self.session.attachments.link_choices(client_id)
        except VaultError as exc:
            self.documents, self.choices = [], []
            self.message.show_message(str(exc), "error")
        count = len(self.documents)
        self.status.setText(ngettext("{n} document, kept encrypted in the vault",
                                     "{n} documents, kept encrypted in the vault", count).format(n=count)
                            if count else _("Kept encrypted in the vault"))
        writable = self.writable
        self.add_button.setVisible(writable and bool(self.documents))  # when empty, the empty state offers it
        self.empty_button.setVisible(writable)
        self.list_hint.setVisible(writable)
        self.edit_button.setVisible(writable)
        self.export_button.setVisible(writable)
        self.remove_button.setVisible(writable)
        self.empty.text.setText(self._empty_text if writable else _(
            "There are no documents for this client. The vault is open read-only, so none can be added now."))
        if not self.documents:
            self.shown = None
            self._fill([])
            self.preview.clear()
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.splitter)
        keep = self.shown.id if self.shown else None
        self._fill(self.documents)
        self.select(keep or self.documents[0].id)

    def _fill(self, documents: list[Attachment]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for doc in documents:
            item = QListWidgetItem(theme.icon(type_icon(doc.media_type), theme.colors().accent), doc.title)
            item.setData(ID_ROLE, doc.id)
            item.setData(META_ROLE, kind_text(doc))
            when = format_date(doc.added_on)
            linked = self.session.attachments.link_label(doc, self.choices)
            item.setData(WHEN_ROLE, _("Added {date} · {link}").format(date=when, link=linked) if linked
                         else _("Added {date}").format(date=when))
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{doc.title}. {item.data(META_ROLE)}. {item.data(WHEN_ROLE)}")
            item.setToolTip(doc.title)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def select(self, attachment_id: str) -> None:
        """Select a document in the list and show it."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == attachment_id:
                self.list.setCurrentItem(item)
                if self.shown is None or self.shown.id != attachment_id or self.preview.mode == "empty":
                    self._show(attachment_id)
                return
        if self.list.count():
            self.list.setCurrentRow(0)

    def _into_preview(self, _item: QListWidgetItem) -> None:
        """Enter on a document moves into its preview, to scroll or zoom it with the keyboard."""
        target = self.preview.stack.currentWidget()
        if target is not None and target is not self.preview.message:
            target.setFocus()

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self._show(str(item.data(ID_ROLE)))

    def _show(self, attachment_id: str) -> None:
        doc = next((d for d in self.documents if d.id == attachment_id), None)
        if doc is None:
            return
        self.shown = doc
        self.doc_title.setText(doc.title)
        linked = self.session.attachments.link_label(doc, self.choices)
        facts = [kind_text(doc), _("added {date} by {who}").format(date=format_date(doc.added_on),
                                                                   who=doc.added_by or "—")]
        if linked:
            facts.append(_("belongs to {what}").format(what=linked))
        if doc.file_name:
            facts.append(_("from “{name}”").format(name=doc.file_name))
        self.doc_facts.setText(" · ".join(facts))
        self.doc_title.setAccessibleName(doc.title)
        self.doc_facts.setAccessibleName(self.doc_facts.text())
        if not doc.media_type.previewable:
            self.preview.show_unsupported(doc.media_type)
            return
        try:
            data = self.session.attachments.view(doc.id)
        except VaultError as exc:
            self.preview.show_message("mdi6.file-alert-outline", _("This document can't be shown"), str(exc),
                                      mode="error")
            return
        self.preview.show_document(data, doc.media_type, doc.title)
        del data

    # -- adding --------------------------------------------------------------------------------

    def choose_files(self) -> None:
        if not self.writable or self.client_id is None:
            return
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Add documents"), start,
            _("Documents and images (*.pdf *.png *.jpg *.jpeg *.heic *.tif *.tiff *.txt *.gif *.webp);;All files (*)"))
        self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path]) -> None:
        """Add files: one opens the details form (title, kind, what it belongs to); several are
        added straight away with titles from their names, and the result is said in one message."""
        if not self.writable or self.client_id is None or not paths:
            return
        if len(paths) == 1:
            self.add_file(paths[0])
            return
        added: list[Attachment] = []
        problems: list[str] = []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for path in paths:
                try:
                    added.append(self.session.attachments.add_file(self.client_id, path))
                except ValidationError as exc:
                    problems.append(_("“{name}” was not added: {reason}").format(
                        name=path.name, reason=next(iter(exc.problems.values()), str(exc))))
                except VaultError as exc:
                    problems.append(_("“{name}” was not added: {reason}").format(name=path.name, reason=exc))
        finally:
            QApplication.restoreOverrideCursor()
        if added:
            self.shown = added[0]
            self.refresh()
            self.changed.emit()
        text = ngettext("{n} document added.", "{n} documents added.", len(added)).format(n=len(added))
        self.message.show_message(" ".join([text, *problems]), "warning" if problems else "info")

    def add_file(self, path: Path) -> AttachmentDetailsDialog | None:
        """Check the file, then ask for its title and kind before it goes into the vault."""
        if not self.writable or self.client_id is None:
            return None
        try:
            facts = self.session.attachments.check_file(path)
        except ValidationError as exc:
            self.message.show_message(_("“{name}” can't be added. {reason}").format(
                name=path.name, reason=next(iter(exc.problems.values()), str(exc))), "error")
            return None
        self.message.setVisible(False)
        dialog = AttachmentDetailsDialog(self.session, self.client_id, self.choices, path=path, facts=facts,
                                         parent=self.window())
        dialog.saved.connect(self._added)
        self._open(dialog)
        return dialog

    def _added(self, attachment: Attachment) -> None:
        self.shown = attachment
        self.refresh()
        self.message.show_message(_("“{title}” was added to the documents. The original file is still where it "
                                    "was.").format(title=attachment.title), "info")
        self.changed.emit()

    def _open(self, dialog: AttachmentDetailsDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _r, d=dialog: setattr(self, "dialog", None) if self.dialog is d else None)
        dialog.open()

    # -- drag and drop -------------------------------------------------------------------------

    @staticmethod
    def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile() and url.toLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self.writable and self.client_id is not None and self._dropped_paths(event):
            event.acceptProposedAction()
            self.drop_banner.show_message(_("Drop the files to add them to this client's documents."))
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt override
        self.drop_banner.setVisible(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        self.drop_banner.setVisible(False)
        paths = self._dropped_paths(event)
        if not paths or not self.writable:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    # -- changing ------------------------------------------------------------------------------

    def edit_details(self) -> AttachmentDetailsDialog | None:
        if not self.writable or self.shown is None or self.client_id is None:
            return None
        dialog = AttachmentDetailsDialog(self.session, self.client_id, self.choices, attachment=self.shown,
                                         parent=self.window())
        dialog.saved.connect(self._edited)
        self._open(dialog)
        return dialog

    def _edited(self, attachment: Attachment) -> None:
        self.shown = attachment
        self.refresh()
        self.changed.emit()

    def remove(self) -> None:
        doc = self.shown
        if not self.writable or doc is None:
            return
        answer = QMessageBox.question(
            self, _("Remove this document?"),
            _("“{title}” will no longer be part of this client's record. Copies saved outside the vault are "
              "not affected.").format(title=doc.title),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        row = self.list.currentRow()
        try:
            self.session.attachments.delete(doc.id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.shown = None
        self.preview.clear()
        self.documents = [d for d in self.documents if d.id != doc.id]
        following = self.documents[min(row, len(self.documents) - 1)] if self.documents else None
        self.shown = following
        self.refresh()
        self.message.show_message(_("“{title}” was removed.").format(title=doc.title), "info")
        self.list.setFocus()
        self.changed.emit()

    # -- export --------------------------------------------------------------------------------

    def choose_export(self) -> None:
        doc = self.shown
        if not self.writable or doc is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        suggested = Path(folder) / self.session.attachments.export_name(doc)
        path, _filter = QFileDialog.getSaveFileName(self, _("Save a copy of the document"), str(suggested),
                                                    _("{type} (*.{ext});;All files (*)").format(
                                                        type=doc.media_type.label, ext=doc.media_type.extension))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> Path | None:
        """Save a copy of the shown document at `path` (a file, or a folder for the neutral name)."""
        doc = self.shown
        if doc is None:
            return None
        try:
            written = self.session.attachments.export(doc.id, path)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return None
        self.message.show_message(_("A copy was saved as {name}. It is not encrypted: keep it somewhere safe and "
                                    "delete it when it is no longer needed.").format(name=written.name), "warning")
        return written

    # -- keys ----------------------------------------------------------------------------------

    def new_item(self) -> None:
        """Ctrl+N on this tab (the workspace routes it here): add documents."""
        self.choose_files()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: close the dialog and drop every trace of the documents, their bytes first."""
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.close_for_lock()
        self.preview.clear()
        self._fill([])
        self.documents, self.choices = [], []
        self.shown = None
        self._loaded_for = None
        self.doc_title.clear()
        self.doc_facts.clear()
        self.status.clear()
        for banner in (self.message, self.drop_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.stack.setCurrentWidget(self.empty)
        super().clear()
