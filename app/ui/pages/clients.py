"""The Clients page: search-as-you-type, filter by stage, sort, archived hidden by default."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.client import Stage
from app.models.risk import Tier
from app.services.session import Session
from app.ui import theme
from app.ui.roster_model import (
    ANY_TIER,
    COL_AGE,
    COL_CODE,
    COL_DOB,
    COL_NAME,
    COL_PHONE,
    COL_STAGE,
    COL_TIER,
    ID_ROLE,
    RosterTableModel,
    tier_text,
)
from app.ui.theme import SPACING
from app.ui.widgets.common import EmptyState, PageHeader, muted_label, primary_button


class RosterView(QTableView):
    """Enter opens the selected client."""

    activated_row = Signal(int)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


def list_table(model: QAbstractItemModel, name: str) -> RosterView:
    """A read-only list as a table: whole rows, one at a time, Enter opens (`activated_row`),
    columns stretched to fit (change per column after)."""
    table = RosterView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.setVisible(False)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 14)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def sortable(table: QTableView, stretch: int, sort_by: int, order: Qt.SortOrder) -> None:
    """Columns the user can resize and sort by (one stretched to fill), sorted by `sort_by`."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(True)
    table.sortByColumn(sort_by, order)


def fit_columns(table: QTableView, samples: dict[int, str]) -> None:
    """Size each column to fit its longest expected value (a sample) or its bold header."""
    metrics = table.fontMetrics()
    header_metrics = QFontMetrics(theme.scaled_font(table, 1.0, bold=True))
    model = table.model()
    for column, sample in samples.items():
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        table.setColumnWidth(column, max(metrics.horizontalAdvance(sample), header_metrics.horizontalAdvance(title) + 24) + 24)


class ClientsPage(QWidget):
    open_client = Signal(str)
    new_client = Signal()
    # After open_client, for a client found through their notes: (client id, the search text),
    # so the record can show its Notes tab searched for the same words.
    open_client_notes = Signal(str, str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        self.header = PageHeader(_("Clients"))
        self.new_button = self.header.add_action(primary_button(_("New client")))
        self.new_button.setIcon(theme.icon("mdi6.account-plus-outline", theme.colors().accent_text))
        self.new_button.setToolTip(_("Add a client (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_client)
        layout.addWidget(self.header)

        bar = QHBoxLayout()
        bar.setSpacing(SPACING * 2)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name, phone or client code  (Ctrl+F)"))
        self.search.setAccessibleName(_("Search clients"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("mdi6.magnify"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._search_changed)
        bar.addWidget(self.search, 3)
        self.in_notes = QCheckBox(_("Search &notes too"))
        self.in_notes.setToolTip(_("Also list clients whose contact notes contain the words (Alt+N)"))
        self.in_notes.setAccessibleName(_("Search notes too"))
        self.in_notes.toggled.connect(lambda _on: self._apply_filter())
        bar.addWidget(self.in_notes)
        stage_label = QLabel(_("Stage"))
        bar.addWidget(stage_label)
        self.stage = QComboBox()
        self.stage.setAccessibleName(_("Filter by stage"))
        self.stage.addItem(_("All stages"), None)
        for stage in Stage:
            self.stage.addItem(stage.label, stage.value)
        stage_label.setBuddy(self.stage)
        self.stage.currentIndexChanged.connect(lambda _i: self._apply_filter())
        bar.addWidget(self.stage, 1)
        tier_label = QLabel(_("Tier"))
        bar.addWidget(tier_label)
        self.tier = QComboBox()
        self.tier.setAccessibleName(_("Filter by risk tier"))
        self.tier.addItem(_("All tiers"), ANY_TIER)
        for tier in reversed(list(Tier)):
            self.tier.addItem(tier_text(tier), tier.value)
        self.tier.addItem(_("Not yet stratified"), "")
        tier_label.setBuddy(self.tier)
        self.tier.currentIndexChanged.connect(lambda _i: self._apply_filter())
        bar.addWidget(self.tier, 1)
        self.archived = QCheckBox(_("Show archived"))
        self.archived.toggled.connect(lambda _on: self.reload())
        bar.addWidget(self.archived)
        layout.addLayout(bar)

        self.model = RosterTableModel(lambda: self.session.clock.today())  # session may come later
        self.table = list_table(self.model, _("Client roster"))
        sortable(self.table, COL_NAME, COL_NAME, Qt.SortOrder.AscendingOrder)
        fit_columns(self.table, {COL_CODE: "WWWWWWW", COL_AGE: "888", COL_DOB: "Sep 30, 1988",
                                 COL_STAGE: "Post-transition · archived", COL_PHONE: "(555) 555-5555",
                                 COL_TIER: "◐ Not yet stratified"})
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.activated_row.connect(self._open_row)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        add = primary_button(_("Add your first client"))
        add.clicked.connect(self.new_client)
        self.empty = EmptyState(
            _("No clients yet"),
            _("Add a client, or import a roster from a spreadsheet with File → Import clients."),
            add,
        )
        self.stack.addWidget(self.empty)
        self.no_match = EmptyState(_("No clients match"), "")
        self.stack.addWidget(self.no_match)
        layout.addWidget(self.stack, 1)
        self.count = muted_label("")
        layout.addWidget(self.count)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, activated=self._into_table)
        self.setTabOrder(self.search, self.in_notes)
        self.setTabOrder(self.in_notes, self.stage)
        self.setTabOrder(self.stage, self.tier)
        self.setTabOrder(self.tier, self.archived)
        self.setTabOrder(self.archived, self.table)

    # -- data --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.model.set_rows(self.session.clients.roster(include_archived=self.archived.isChecked()))
        self._apply_filter()

    def clear(self) -> None:
        self.model.clear()
        self.search.clear()

    def set_discreet(self, on: bool) -> None:
        self.model.set_discreet(on)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def filter_stage(self, stage: Stage | None) -> None:
        index = self.stage.findData(stage.value if stage else None)
        self.stage.setCurrentIndex(max(0, index))

    def _search_changed(self, _text: str) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        text = self.search.text().strip()
        ids: set[str] | None = None
        note_hits: dict[str, int] = {}
        if text:
            ids = set(self.session.clients.search_ids(text, include_archived=self.archived.isChecked()))
            if self.in_notes.isChecked():
                note_hits = self.session.notes.clients_matching(text)
                ids |= set(note_hits)
        self.model.set_note_hits(note_hits)
        value = self.stage.currentData()
        tier_value = self.tier.currentData()
        tier: Tier | None | str = ANY_TIER if tier_value == ANY_TIER else (Tier(tier_value) if tier_value else None)
        self.model.set_filter(ids, Stage(value) if value else None, tier)
        shown, total = self.model.rowCount(), self.model.total()
        if total == 0 and not self.archived.isChecked():
            self.stack.setCurrentWidget(self.empty)
        elif shown == 0:
            self.no_match.title.setText(_("No clients match"))
            self.no_match.text.setText(_("Check the spelling, search by phone or client code, or clear the filters.")
                                       if self.in_notes.isChecked() else _(
                "Check the spelling, search by phone or client code, or clear the filters. To look in the contact "
                "notes as well, tick “Search notes too”."))
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.table)
        if shown == total:
            self.count.setText(ngettext("{n} client", "{n} clients", total).format(n=total))
        else:
            self.count.setText(_("{shown} of {total} clients").format(shown=shown, total=total))
        if note_hits:
            rows = (self.model.row_at(i) for i in range(shown))
            found = sum(1 for r in rows if r is not None and self.model.note_hits(r.id))
            self.count.setText(self.count.text() + " · " + ngettext(
                "{n} found in their notes", "{n} found in their notes", found).format(n=found))

    def _into_table(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _open_row(self, row: int) -> None:
        client_id = self.model.data(self.model.index(row, 0), ID_ROLE)
        if client_id:
            self.open_client.emit(client_id)
            if self.model.note_hits(client_id):
                self.open_client_notes.emit(client_id, self.search.text().strip())

    def select_client(self, client_id: str) -> None:
        row = self.model.row_of(client_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))



__all__ = ["ClientsPage", "COL_AGE", "COL_CODE", "COL_DOB", "COL_PHONE", "COL_STAGE"]
