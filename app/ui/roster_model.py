"""The roster's Qt item model: thin, sorted and filtered in Python so 10,000 rows stay instant.

(A QSortFilterProxyModel would call back into Python for every comparison — hundreds of
thousands of calls per sort at this size — so sorting and filtering happen on plain lists here.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import _, format_date, ngettext
from app.models.client import RosterRow, Stage, age_on
from app.models.risk import Tier

COL_NAME, COL_CODE, COL_AGE, COL_DOB, COL_STAGE, COL_PHONE, COL_TIER = range(7)
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ANY_TIER = "any"
_TIER_MARKS = {Tier.LOW: "○", Tier.MODERATE: "◐", Tier.HIGH: "●", Tier.CRISIS: "▲"}


def tier_text(tier: Tier | None) -> str:
    """The tier in words with a shape beside it (colour is never the only signal)."""
    return f"{_TIER_MARKS[tier]} {tier.label}" if tier is not None else _("Not yet stratified")


def notes_found(count: int) -> str:
    return ngettext("{n} note", "{n} notes", count).format(n=count)


_Index = QModelIndex | QPersistentModelIndex


class RosterTableModel(QAbstractTableModel):
    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__()
        self._today = today
        self._all: list[RosterRow] = []
        self._rows: list[RosterRow] = []
        self._ids: set[str] | None = None
        self._stage: Stage | None = None
        self._tier: Tier | None | str = ANY_TIER
        self._sort = (COL_NAME, Qt.SortOrder.AscendingOrder)
        self.discreet = False
        self._note_hits: dict[str, int] = {}
        self._headers = [_("Name"), _("Client code"), _("Age"), _("Date of birth"), _("Stage"), _("Phone"), _("Risk tier")]

    # -- contents ----------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[RosterRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._sort_all()
        self._apply()
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._all, self._rows, self._ids = [], [], None
        self._note_hits = {}
        self.endResetModel()

    def set_filter(self, ids: set[str] | None = None, stage: Stage | None = None,
                   tier: Tier | None | str = ANY_TIER) -> None:
        """Show only rows whose id is in `ids` (None: all), at `stage` (None: any) and at `tier`
        (ANY_TIER: any; None: not yet stratified)."""
        if ids == self._ids and stage is self._stage and tier == self._tier:
            return  # the same rows (e.g. one more letter of a name already found): no reset
        self.beginResetModel()
        self._ids, self._stage, self._tier = ids, stage, tier
        self._apply()
        self.endResetModel()

    def set_note_hits(self, hits: dict[str, int]) -> None:
        """Client id → how many of their notes matched the search (shown beside the name)."""
        if hits == self._note_hits:
            return
        self._note_hits = dict(hits)
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(len(self._rows) - 1, COL_NAME))

    def note_hits(self, client_id: str) -> int:
        return self._note_hits.get(client_id, 0)

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COL_TIER))

    def _apply(self) -> None:
        ids, stage, tier = self._ids, self._stage, self._tier
        if ids is None and stage is None and tier == ANY_TIER:
            self._rows = list(self._all)
        else:
            self._rows = [
                r for r in self._all
                if (ids is None or r.id in ids) and (stage is None or r.stage is stage)
                and (tier == ANY_TIER or r.tier == tier)
            ]

    def total(self) -> int:
        return len(self._all)

    def row_at(self, row: int) -> RosterRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, client_id: str) -> int:
        for number, r in enumerate(self._rows):
            if r.id == client_id:
                return number
        return -1

    # -- sorting -----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_all()
        self._apply()
        self.layoutChanged.emit()

    def _sort_all(self) -> None:
        column, order = self._sort
        keys: dict[int, Callable[[RosterRow], Any]] = {
            COL_NAME: lambda r: r.sort_name,
            COL_CODE: lambda r: r.client_code,
            COL_AGE: lambda r: (r.date_of_birth or date.max),
            COL_DOB: lambda r: (r.date_of_birth or date.max),
            COL_STAGE: lambda r: (list(Stage).index(r.stage), r.sort_name),
            COL_PHONE: lambda r: r.phone,
            COL_TIER: lambda r: (-(r.tier.rank if r.tier else -1), r.sort_name),
        }
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == COL_AGE:
            reverse = not reverse  # older people have earlier birth dates
        self._all.sort(key=keys.get(column, keys[COL_NAME]), reverse=reverse)

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == COL_NAME:
                name = r.initials if self.discreet else r.display_name
                hits = self._note_hits.get(r.id)
                if hits:
                    return _("{name}  ·  found in {found}").format(name=name, found=notes_found(hits))
                return name
            if column == COL_CODE:
                return r.client_code
            if column == COL_AGE:
                age = age_on(r.date_of_birth, self._today())
                return "" if age is None else str(age)
            if column == COL_DOB:
                return "••/••/••••" if self.discreet else format_date(r.date_of_birth, "medium")
            if column == COL_STAGE:
                return r.stage.label + (" · " + _("archived") if r.archived else "")
            if column == COL_PHONE:
                return "•••" if self.discreet and r.phone else r.phone
            if column == COL_TIER:
                return tier_text(r.tier)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_NAME and self._note_hits.get(r.id):
            from app.ui import theme  # only drawn while the notes are searched

            return theme.icon("mdi6.text-search", theme.colors().muted)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NAME and self._note_hits.get(r.id):
            n = self._note_hits[r.id]
            return ngettext("One of this client's notes matches the search.",
                            "{n} of this client's notes match the search.", n).format(n=n)
        if role == ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
