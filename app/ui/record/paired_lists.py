"""Two lists on one record tab sharing one details panel (Team & referrals: members and referrals;
Releases: releases and disclosures): choosing a row in one list clears the other, the choice
survives a reload, and each list is sized to show a few rows before it scrolls."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # each row's first cell holds the id of what it shows


class PairedLists:
    """Mix into a RecordTab before it. The tab sets `_selected = None`, implements `_lists()`
    (kind → (table, model), two of them) and `_show_selected()`, and sets VISIBLE_ROWS."""

    VISIBLE_ROWS = 5
    _selected: tuple[str, str] | None

    def _lists(self) -> dict[str, tuple[QTableView, QStandardItemModel]]:
        raise NotImplementedError

    def _show_selected(self) -> None:
        raise NotImplementedError

    def _fit(self, table: QTableView, rows: int) -> None:
        """Room for up to VISIBLE_ROWS rows before the list scrolls, so the other list stays in view."""
        height = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 4
                  + table.verticalHeader().defaultSectionSize() * min(max(rows, 1), self.VISIBLE_ROWS))
        table.setFixedHeight(height)

    def _select(self, kind: str, index: QModelIndex) -> None:
        if not index.isValid():
            return
        for other_kind, (other, _model) in self._lists().items():
            if other_kind != kind:
                other.selectionModel().blockSignals(True)
                other.clearSelection()
                other.setCurrentIndex(QModelIndex())
                other.selectionModel().blockSignals(False)
        self._selected = (kind, index.data(ID_ROLE))
        self._show_selected()

    def _restore_selection(self) -> None:
        if self._selected is not None:
            kind, item_id = self._selected
            table, model = self._lists()[kind]
            for row in range(model.rowCount()):
                if model.item(row, 0).data(ID_ROLE) == item_id:
                    table.selectionModel().blockSignals(True)
                    table.selectRow(row)
                    table.selectionModel().blockSignals(False)
                    self._show_selected()
                    return
        self._selected = None
        self._show_selected()
