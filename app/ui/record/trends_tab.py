"""The client record's "Trends" tab: each instrument's score history as a chart and a table,
and scores recorded from tools whose items Waypoint can't show (LOCUS, DLA-20 …)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.instruments import Instrument, score
from app.models.screening import Administration, ExternalScore
from app.services import instruments
from app.services.session import Session
from app.ui import theme
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import EmptyState, link_button, muted_label
from app.ui.widgets.score_chart import (
    ChartPoint,
    Scale,
    ScoreChart,
    change_sentence,
    number_text,
    scale_for,
    series,
)

COL_DATE, COL_SCORE, COL_BAND, COL_CHANGE, COL_FLAGS, COL_MISSING, COL_BY = range(7)
_Index = QModelIndex | QPersistentModelIndex
# The order instruments are offered in: the measures followed over time first, then the screens.
_ORDER = ("phq9", "gad7", "who5", "k10", "k6", "auditc", "dast10", "pcptsd5", "phq2", "gad2", "cssrs_screener")


def _missing_text(instrument: Instrument, admin: Administration) -> str:
    """Declined and unanswered items, in a few words ("" when every item that applies was answered)."""
    if admin.valid and not admin.prorated and not admin.declined:
        return ""  # a full score: nothing was missing (skipped C-SSRS questions are not missing)
    try:
        missing = [i for i in score(instrument, admin.answers).missing if i not in admin.declined]
    except ValueError:  # answers kept from an older version of the definition
        missing = []
    parts = []
    if admin.declined:
        parts.append(_("Declined: items {items}").format(items=", ".join(admin.declined)))
    if missing:
        parts.append(_("Unanswered: items {items}").format(items=", ".join(missing)))
    return "; ".join(parts)


class ScoreHistoryTableModel(QAbstractTableModel):
    """One instrument's administrations, newest first, with the change from the previous score."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[list[Any]] = []  # the date column holds a date until first shown
        self._flagged: list[bool] = []
        self._headers = [_("Date"), _("Score"), _("Band"), _("Change"), _("Flags"), _("Missing"),
                         _("Given by")]

    def set_rows(self, instrument: Instrument, administrations: Sequence[Administration],
                 points: Sequence[ChartPoint], scale: Scale) -> None:
        """`points` are `administrations` on the chart, oldest first (as `series()` returns them)."""
        ordered = sorted(administrations, key=lambda a: a.administered_on)
        rows: list[list[Any]] = []
        flagged: list[bool] = []
        previous: int | None = None
        for admin, point in zip(ordered, points, strict=True):
            if point.value is None:
                shown, band, change = _("Not scored"), "—", ""
            else:
                shown = scale.text(point.value)
                if scale.percent and admin.total is not None:
                    shown = _("{percent} (raw {raw})").format(percent=shown, raw=number_text(admin.total))
                if admin.prorated:
                    shown = _("{score} (prorated)").format(score=shown)
                band = point.band
                if admin.positive and not scale.levels:
                    band = _("{band} · positive").format(band=band)
                change = "—" if previous is None else self._change(scale, previous, point.value)
                previous = point.value
            flags = "; ".join(f"⚠ {f}" for f in point.flags)
            rows.append([admin.administered_on, shown, band, change, flags, _missing_text(instrument, admin),
                         admin.recorded_by])
            flagged.append(bool(point.flags))
        self.beginResetModel()
        self._rows, self._flagged = rows[::-1], flagged[::-1]
        self.endResetModel()

    @staticmethod
    def _change(scale: Scale, previous: int, value: int) -> str:
        diff = value - previous
        if diff == 0:
            return _("no change")
        if scale.levels:
            return change_sentence(scale, previous, value)
        sign = "+" if diff > 0 else "−"
        better = (diff > 0) == scale.higher_is_better
        amount = sign + number_text(abs(diff))
        return _("{amount}, better").format(amount=amount) if better else _("{amount}, worse").format(amount=amount)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._flagged = [], []
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self._rows[index.row()]
            value = row[index.column()]
            if isinstance(value, date):  # formatted when first shown: a long history opens faster
                value = row[index.column()] = format_date(value)
            return value
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_FLAGS and self._flagged[index.row()]:
            return QColor(theme.colors().danger)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


def _table(view: QTableView | QTableWidget, name: str) -> None:
    view.setAccessibleName(name)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _section_title(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setFont(theme.scaled_font(widget, 1.0, bold=True))
    return label


class TrendsTab(RecordTab):
    """Per instrument: a picker (only those this client has scores for, with counts), the chart,
    and the table; external tools' scores beside it; an empty state when there is nothing yet."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._by_instrument: dict[str, list[Administration]] = {}
        self._syncing = False
        self.stack = QStackedWidget()
        self.layout_.addWidget(self.stack)

        self.go_screening = link_button(_("Go to the Screening tab"))
        self.go_screening.clicked.connect(self._open_screening)
        self.empty = EmptyState(
            _("No scores yet"),
            _("Scores from the instruments given on the Screening tab (PHQ-9, GAD-7, WHO-5 …) appear here over"
              " time, as a chart with the bands shaded and as a table, with scores from other tools such as"
              " LOCUS or DLA-20."),
            self.go_screening,
        )
        self.stack.addWidget(self.empty)

        content = QWidget()
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(SPACING)
        self.instrument_row = QWidget()
        row = QHBoxLayout(self.instrument_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACING)
        picker_label = QLabel(_("&Instrument"))
        self.picker = QComboBox()
        self.picker.setAccessibleName(_("Instrument"))
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        picker_label.setBuddy(self.picker)
        self.picker.currentIndexChanged.connect(self._picked)
        row.addWidget(picker_label)
        row.addWidget(self.picker)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName(_("Trend summary"))
        row.addSpacing(SPACING)
        row.addWidget(self.summary, 1)
        outer.addWidget(self.instrument_row)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.chart = ScoreChart()
        self.chart.current_changed.connect(self._chart_point)
        self.splitter.addWidget(self.chart)

        lower = QWidget()
        lower_row = QHBoxLayout(lower)
        lower_row.setContentsMargins(0, SPACING, 0, 0)
        lower_row.setSpacing(SPACING * 2)
        self.history_section = QWidget()
        history = QVBoxLayout(self.history_section)
        history.setContentsMargins(0, 0, 0, 0)
        history.setSpacing(SPACING // 2)
        self.history_title = _section_title("", self)
        history.addWidget(self.history_title)
        self.model = ScoreHistoryTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        _table(self.table, _("Score history"))
        header = self.table.horizontalHeader()
        # Fit the columns to the first rows only: measuring every cell of a long history costs more
        # than the whole chart (the newest rows, shown first, are representative).
        header.setResizeContentsPrecision(40)
        for column in range(self.model.columnCount()):
            stretch = column in (COL_FLAGS, COL_MISSING)  # long texts share the room left, elided
            header.setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._table_row)
        history.addWidget(self.table, 1)
        self.no_instruments = muted_label(_("No instrument scores yet: give one on the Screening tab."))
        history.addWidget(self.no_instruments)
        lower_row.addWidget(self.history_section, 5)

        self.external_section = QWidget()
        external = QVBoxLayout(self.external_section)
        external.setContentsMargins(0, 0, 0, 0)
        external.setSpacing(SPACING // 2)
        external.addWidget(_section_title(_("Scores from other tools"), self))
        self.external_table = QTableWidget(0, 4)
        self.external_table.setHorizontalHeaderLabels([_("Date"), _("Tool"), _("Result"), _("Note")])
        _table(self.external_table, _("Scores from other tools"))
        ext_header = self.external_table.horizontalHeader()
        for column in range(2):
            ext_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (2, 3):
            ext_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        external.addWidget(self.external_table, 1)
        lower_row.addWidget(self.external_section, 2)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 11)
        self.splitter.setStretchFactor(1, 9)
        self.splitter.setSizes([550, 450])
        outer.addWidget(self.splitter, 1)
        self.stack.addWidget(content)
        self.content = content
        self.setTabOrder(self.picker, self.chart)
        self.setTabOrder(self.chart, self.table)
        self.setTabOrder(self.table, self.external_table)

    # -- RecordTab -----------------------------------------------------------------------------

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        catalog = instruments.catalog()
        by_instrument: dict[str, list[Administration]] = {}
        for admin in self.session.screening.history(client_id):
            if admin.instrument_id in catalog:
                by_instrument.setdefault(admin.instrument_id, []).append(admin)
        externals = self.session.screening.external_scores(client_id)
        self._by_instrument = by_instrument
        self._fill_externals(externals)
        if not by_instrument and not externals:
            self.chart.clear()
            self.model.clear()
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.content)
        previous = self.picker.currentData()
        ranked = sorted(by_instrument, key=lambda i: (_ORDER.index(i) if i in _ORDER else len(_ORDER), i))
        self.picker.blockSignals(True)
        self.picker.clear()
        for instrument_id in ranked:
            count = len(by_instrument[instrument_id])
            name = catalog[instrument_id].short_name
            self.picker.addItem(ngettext("{name} ({n} score)", "{name} ({n} scores)", count).format(name=name, n=count),
                                instrument_id)
        wanted = previous if previous in by_instrument else ("phq9" if "phq9" in by_instrument else None)
        self.picker.setCurrentIndex(max(0, self.picker.findData(wanted)) if wanted else 0)
        self.picker.blockSignals(False)
        has_scores = bool(by_instrument)
        for widget in (self.instrument_row, self.chart, self.table):
            widget.setVisible(has_scores)
        self.history_title.setVisible(has_scores)
        self.no_instruments.setVisible(not has_scores)
        if has_scores:
            self._show(self.picker.currentData())
        else:
            self.chart.clear()
            self.model.clear()

    def clear(self) -> None:
        self._by_instrument = {}
        self.picker.blockSignals(True)
        self.picker.clear()
        self.picker.blockSignals(False)
        self.chart.clear()
        self.model.clear()
        self.summary.clear()
        self.summary.setAccessibleName(_("Trend summary"))
        self.history_title.clear()
        self.external_table.setRowCount(0)
        self.stack.setCurrentWidget(self.empty)
        super().clear()

    # -- the instrument shown ------------------------------------------------------------------

    def instrument_ids(self) -> list[str]:
        """The instruments offered in the picker, in order."""
        return [self.picker.itemData(i) for i in range(self.picker.count())]

    def show_instrument(self, instrument_id: str) -> None:
        index = self.picker.findData(instrument_id)
        if index < 0:
            raise KeyError(instrument_id)
        self.picker.setCurrentIndex(index)

    def _picked(self, index: int) -> None:
        if index >= 0:
            self._show(self.picker.itemData(index))

    def _show(self, instrument_id: str) -> None:
        instrument = instruments.get(instrument_id)
        administrations = self._by_instrument.get(instrument_id, [])
        sex = self.client.fields.sex_at_birth if self.client is not None else None
        scale = scale_for(instrument, sex)
        points = series(instrument, administrations)
        self.chart.set_series(instrument.short_name, scale, points)
        self.model.set_rows(instrument, administrations, points, scale)
        self.summary.setText(self.chart.summary)
        self.summary.setAccessibleName(self.chart.summary)
        self.history_title.setText(_("Every {name} score, newest first").format(name=instrument.short_name))

    def _chart_point(self, index: int) -> None:
        """The chart's highlighted point moved: select its row (the table is newest first)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            if index < 0:
                self.table.clearSelection()
            else:
                row = self.model.rowCount() - 1 - index
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._syncing = False

    def _table_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._syncing = True
        try:
            self.chart.set_current(self.model.rowCount() - 1 - current.row())
        finally:
            self._syncing = False

    # -- other tools ---------------------------------------------------------------------------

    def _fill_externals(self, externals: Sequence[ExternalScore]) -> None:
        table = self.external_table
        table.setRowCount(len(externals))
        for row, score_ in enumerate(sorted(externals, key=lambda e: e.scored_on, reverse=True)):
            result = " · ".join(part for part in (score_.total, score_.level) if part)
            for column, text in enumerate((format_date(score_.scored_on), score_.tool, result, score_.note)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        self.external_section.setVisible(bool(externals))

    # -- the empty state's action --------------------------------------------------------------

    def _open_screening(self) -> None:
        """Switch the record to its Screening tab, where instruments are given."""
        from app.ui.record.screening_tab import ScreeningTab

        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        if parent is None:
            return
        for i in range(parent.count()):
            if isinstance(parent.widget(i), ScreeningTab):
                parent.setCurrentIndex(i)
                return
