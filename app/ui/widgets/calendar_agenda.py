"""The calendar's agenda: the follow-ups of the next days as a list grouped by day — a heading row
per day, then one row per follow-up with its time, client (as discreet mode allows), type,
tier and status in words (overdue and double-booked said, not only coloured).

A thin table model under a QTreeView (heading rows span the width); Enter or a double-click
edits, Delete cancels, the menu key or a right-click offers the follow-up's actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from app.i18n import _, format_date, ngettext
from app.models.follow_ups import Status
from app.ui import theme
from app.ui.roster_model import tier_text
from app.ui.widgets.calendar_month import (
    PAGE_KEYS,
    CalendarEntry,
    describe,
    short_time,
    sort_key,
    status_words,
    tier_of,
    type_colour,
)

COL_TIME, COL_CLIENT, COL_TYPE, COL_TIER, COL_STATUS = range(5)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
DAY_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_HEADING_FLAGS = Qt.ItemFlag.ItemIsEnabled
_ENTRY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True, slots=True)
class _Row:
    day: date
    entry: CalendarEntry | None  # None: the day's heading

    @property
    def heading(self) -> bool:
        return self.entry is None


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(0, 0, 12, 12, 3, 3)
    painter.end()
    return QIcon(pixmap)


class AgendaModel(QAbstractTableModel):
    """Day headings and follow-ups, in order."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Row] = []
        self._today = date.today()
        self._headers = [_("Time"), _("Client"), _("Type"), _("Risk tier"), _("Status")]
        self._swatches: dict[str, QIcon] = {}
        self._counts: dict[date, int] = {}

    def set_entries(self, entries: Iterable[CalendarEntry], today: date) -> None:
        by_day: dict[date, list[CalendarEntry]] = {}
        for entry in entries:
            by_day.setdefault(entry.day, []).append(entry)
        rows: list[_Row] = []
        self._counts = {day: len(items) for day, items in by_day.items()}
        for day in sorted(by_day):
            rows.append(_Row(day, None))
            rows.extend(_Row(day, e) for e in sorted(by_day[day], key=sort_key))
        self.beginResetModel()
        self._rows = rows
        self._today = today
        self._swatches = {}
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def count(self) -> int:
        """How many follow-ups (headings not counted)."""
        return sum(1 for r in self._rows if not r.heading)

    def is_heading(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and self._rows[row].heading

    def entry_at(self, row: int) -> CalendarEntry | None:
        return self._rows[row].entry if 0 <= row < len(self._rows) else None

    def row_of(self, key: tuple[str, Any]) -> int:
        return next((i for i, r in enumerate(self._rows) if r.entry is not None and r.entry.key == key), -1)

    def first_row_on(self, day: date) -> int:
        """The heading row of `day`, or of the first day after it (-1 when none)."""
        return next((i for i, r in enumerate(self._rows) if r.heading and r.day >= day), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        return _HEADING_FLAGS if self._rows[index.row()].heading else _ENTRY_FLAGS

    def _heading(self, row: _Row) -> str:
        count = self._counts.get(row.day, 0)
        day = format_date(row.day, "full")
        if row.day == self._today:
            return ngettext("Today — {day} · {n} follow-up", "Today — {day} · {n} follow-ups", count).format(
                day=day, n=count)
        return ngettext("{day} · {n} follow-up", "{day} · {n} follow-ups", count).format(day=day, n=count)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        entry = row.entry
        if role == DAY_ROLE:
            return row.day
        if entry is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) and column == 0:
                return self._heading(row)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setWeight(QFont.Weight.DemiBold)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(theme.colors().surface_alt))
            return None
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return describe(entry) if column == COL_TIME else self._text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return describe(entry)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_TYPE:
            kind = entry.occ.kind
            icon = self._swatches.get(kind.value)
            if icon is None:
                icon = self._swatches[kind.value] = _swatch(type_colour(kind))
            return icon
        if role == Qt.ItemDataRole.FontRole and entry.status is Status.CANCELLED:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            c = theme.colors()
            if column == COL_STATUS and (entry.overdue or entry.status is Status.MISSED):
                return QBrush(QColor(c.danger))
            if entry.status in (Status.CANCELLED, Status.COMPLETED, Status.RESCHEDULED):
                return QBrush(QColor(c.muted))
        return None

    @staticmethod
    def _text(entry: CalendarEntry, column: int) -> str:
        if column == COL_TIME:
            if entry.all_day:
                return _("All day")
            return f"{short_time(entry.start)}–{short_time(entry.end)}"
        if column == COL_CLIENT:
            return f"{entry.who} · {entry.code}" if entry.who and entry.who != entry.code else entry.code
        if column == COL_TYPE:
            return entry.occ.kind.label
        if column == COL_TIER:
            return tier_text(tier_of(entry))
        if column == COL_STATUS:
            words = status_words(entry)
            return f"⚠ {words}" if entry.overdue or entry.conflict else words
        return ""


class AgendaView(QTreeView):
    """The agenda list; reports what the user asks for, the page acts."""

    entry_activated = Signal(object)  # CalendarEntry
    cancel_requested = Signal(object)  # CalendarEntry
    context_requested = Signal(object, QPoint)  # CalendarEntry, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agenda = AgendaModel()
        self.setModel(self.agenda)
        self.setAccessibleName(_("Agenda"))
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setAlternatingRowColors(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        c = theme.colors()
        self.setStyleSheet(f"QTreeView {{ border: 1px solid {c.border}; border-radius: 8px; background: {c.surface}; }}"
                           "QTreeView::item { padding: 5px 6px; }")
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.activated.connect(self._activated)
        self.agenda.modelReset.connect(self._spans)

    def _spans(self) -> None:
        for row in range(self.agenda.rowCount()):
            if self.agenda.is_heading(row):
                self.setFirstColumnSpanned(row, QModelIndex(), True)
        fm = self.fontMetrics()
        widths = (fm.horizontalAdvance("10:00 AM–10:00 AM") + 32, max(240, fm.horizontalAdvance("M" * 18)),
                  fm.horizontalAdvance(_("Post-transition check-in")) + 48,
                  fm.horizontalAdvance(_("Not yet stratified")) + 40)
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)

    def current_entry(self) -> CalendarEntry | None:
        index = self.currentIndex()
        return self.agenda.entry_at(index.row()) if index.isValid() else None

    def select_key(self, key: tuple[str, Any]) -> None:
        row = self.agenda.row_of(key)
        if row >= 0:
            self.setCurrentIndex(self.agenda.index(row, 0))

    def select_day(self, day: date) -> None:
        """The first follow-up of `day` (or of the next day that has one)."""
        row = self.agenda.first_row_on(day)
        if row >= 0:
            target = row + 1 if row + 1 < self.agenda.rowCount() and not self.agenda.is_heading(row + 1) else row
            self.setCurrentIndex(self.agenda.index(target, 0))
            self.scrollTo(self.agenda.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # noqa: N802 - Qt override
        super().currentChanged(current, previous)
        entry = self.agenda.entry_at(current.row()) if current.isValid() else None
        if entry is not None:
            self.setAccessibleDescription(describe(entry))
        elif current.isValid():
            self.setAccessibleDescription(str(self.agenda.data(self.agenda.index(current.row(), 0)) or ""))
        else:
            self.setAccessibleDescription("")

    def _activated(self, index: QModelIndex) -> None:
        entry = self.agenda.entry_at(index.row())
        if entry is not None:
            self.entry_activated.emit(entry)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in PAGE_KEYS and plain:
            event.ignore()  # view switch, period, today, new: the page's
            return
        entry = self.current_entry()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and entry is not None:
            self.cancel_requested.emit(entry)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        if event.reason() == event.Reason.Mouse:
            index = self.indexAt(event.pos())
            if index.isValid():
                self.setCurrentIndex(index)
        entry = self.current_entry()
        if entry is None:
            return
        rect = self.visualRect(self.currentIndex())
        where = event.globalPos() if event.reason() == event.Reason.Mouse else self.viewport().mapToGlobal(rect.center())
        self.context_requested.emit(entry, where)
