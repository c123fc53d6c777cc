"""The caseload dashboard (stage 9, evaluation): is the work working, across the caseload?

A period (last 30 or 90 days, this year, or custom), tiles with the figures a supervisor asks
for — active clients, tier distribution, overdue follow-ups, average PHQ-9 / GAD-7 change since
intake (with n), goals achieved, post-transition engagement at 7 and 30 days — and a table of
the clients (code, name — initials in discreet mode — tier, overdue, changes, goals). Enter or a
double-click opens a client; "Caseload report…" asks for the report of the same kind.

The figures come from `app.services.evaluation.caseload_dashboard`, read off the GUI thread with
a progress bar (a big vault takes a moment); see CaseloadDashboard for what each one counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_number, ngettext
from app.models.evaluation import (
    CaseloadDashboard,
    CaseloadRow,
    Engagement,
    ScoreChange,
    tier_label,
)
from app.models.risk import Tier
from app.services.session import Session
from app.ui import theme
from app.ui.pages.clients import fit_columns, list_table, sortable
from app.ui.roster_model import tier_text
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, PageHeader, muted_label, primary_button
from app.ui.widgets.inputs import DateField
from app.ui.worker import run_in_background

# -- shared bits (the Outcomes tab uses them too) ---------------------------------------------------

Preset = tuple[str, str, Callable[[date], tuple[date, date]]]
CUSTOM = "custom"


def caseload_presets() -> list[Preset]:
    return [
        ("30", _("Last 30 days"), lambda t: (t - timedelta(days=30), t)),
        ("90", _("Last 90 days"), lambda t: (t - timedelta(days=90), t)),
        ("year", _("This year"), lambda t: (date(t.year, 1, 1), t)),
    ]


def signed_number(value: float, digits: int = 1) -> str:
    """"−3.2", "+1", "0": the sign in front (a true minus sign), the number in the locale's digits."""
    rounded = round(value, digits)
    if rounded == 0:
        return format_number(0)
    sign = "+" if rounded > 0 else "−"
    return sign + format_number(abs(rounded) if digits else int(abs(rounded)))


def change_text(change: int | None, higher_is_better: bool = False) -> str:
    """A client's change since intake in words as well as a sign: "−6 (better)"."""
    if change is None:
        return "—"
    if change == 0:
        return _("0 (no change)")
    better = (change > 0) == higher_is_better
    amount = signed_number(change, 0)
    return _("{amount} (better)").format(amount=amount) if better else _("{amount} (worse)").format(amount=amount)


def period_text(start: date, end: date) -> str:
    return _("{start} – {end}").format(start=format_date(start), end=format_date(end))


class PeriodPicker(QWidget):
    """A period: one of the presets or a custom From/To. `changed` fires when the period shown
    changes (a preset picked, or a custom period applied); `period()` is (start, end)."""

    changed = Signal()

    def __init__(self, presets: Sequence[Preset], default: str, today: Callable[[], date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presets = {key: fn for key, _label, fn in presets}
        self._today = today
        self._custom: tuple[date, date] | None = None
        self._last_preset = default if default in self._presets else next(iter(self._presets))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        caption = QLabel(_("&Period"))
        layout.addWidget(caption)
        self.combo = QComboBox()
        self.combo.setAccessibleName(_("Period"))
        for key, label, _fn in presets:
            self.combo.addItem(label, key)
        self.combo.addItem(_("Custom…"), CUSTOM)
        caption.setBuddy(self.combo)
        layout.addWidget(self.combo)
        self.custom_box = QWidget()
        custom = QHBoxLayout(self.custom_box)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.setSpacing(SPACING)
        from_label = QLabel(_("From"))
        self.start = DateField()
        self.start.setAccessibleName(_("Period from"))
        from_label.setBuddy(self.start)
        to_label = QLabel(_("to"))
        self.end = DateField()
        self.end.setAccessibleName(_("Period to"))
        to_label.setBuddy(self.end)
        self.apply_button = QPushButton(_("Show"))
        self.apply_button.setAccessibleName(_("Show the custom period"))
        self.apply_button.setAutoDefault(False)
        self.apply_button.clicked.connect(self._apply_custom)
        for widget in (from_label, self.start, to_label, self.end, self.apply_button):
            custom.addWidget(widget)
        for edit in (self.start.edit, self.end.edit):
            edit.returnPressed.connect(self._apply_custom)
            edit.setMinimumWidth(110)
        layout.addWidget(self.custom_box)
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.custom_box.setVisible(False)
        self.combo.setCurrentIndex(max(0, self.combo.findData(default)))
        self.combo.currentIndexChanged.connect(self._preset_changed)

    def key(self) -> str:
        return str(self.combo.currentData())

    def period(self) -> tuple[date, date]:
        key = self.key()
        if key == CUSTOM:
            if self._custom is not None:
                return self._custom
            key = self._last_preset  # until a custom period is applied, the one shown before stays
        return self._presets[key](self._today())

    def set_preset(self, key: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(key)))

    def set_custom(self, start: date, end: date) -> None:
        """Fill in and apply a custom period (as a user would)."""
        self.combo.setCurrentIndex(self.combo.findData(CUSTOM))
        self.start.set_value(start)
        self.end.set_value(end)
        self._apply_custom()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.start.setAccessibleDescription(message)

    def _preset_changed(self, _index: int) -> None:
        custom = self.key() == CUSTOM
        self.custom_box.setVisible(custom)
        self.show_error("")
        if custom:
            if not self.start.text() and not self.end.text():
                start, end = self.period()
                self.start.set_value(start)
                self.end.set_value(end)
            self.start.setFocus()
            return
        self._custom = None
        self._last_preset = self.key()
        self.changed.emit()

    def _apply_custom(self) -> None:
        try:
            start, end = self.start.value(), self.end.value()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if start is None or end is None:
            self.show_error(_("Enter both dates of the period."))
            return
        if start > end:
            self.show_error(_("The period starts after it ends. Put the start date first."))
            return
        self.show_error("")
        self._custom = (start, end)
        self.changed.emit()


# -- the tier bar --------------------------------------------------------------------------------

_TIER_LIGHT = {Tier.CRISIS: "#B3261E", Tier.HIGH: "#D8672B", Tier.MODERATE: "#C9A227", Tier.LOW: "#2E8B57",
               None: "#AEB6BF"}
_TIER_DARK = {Tier.CRISIS: "#F2B8B5", Tier.HIGH: "#F4A675", Tier.MODERATE: "#E6CF7A", Tier.LOW: "#81C784",
              None: "#5F6873"}


def tier_colour(tier: Tier | None) -> QColor:
    return QColor((_TIER_DARK if theme.colors().dark else _TIER_LIGHT)[tier])


class TierBar(QWidget):
    """The tier distribution as one bar of proportional segments, most urgent first; the legend
    beside it says each tier and its count in words (colour is never the only signal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: list[tuple[Tier | None, int]] = []
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Tier distribution"))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, 22)

    def set_counts(self, counts: Sequence[tuple[Tier | None, int]]) -> None:
        self._counts = list(counts)
        self.setAccessibleDescription("; ".join(f"{tier_label(t)}: {n}" for t, n in self._counts))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        total = sum(n for _t, n in self._counts)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.colors().surface_alt))
        painter.drawRoundedRect(rect, 6, 6)
        if total:
            x = rect.left()
            painter.save()
            from PySide6.QtGui import QPainterPath

            clip = QPainterPath()
            clip.addRoundedRect(rect, 6, 6)
            painter.setClipPath(clip)
            for tier, n in self._counts:
                if not n:
                    continue
                width = rect.width() * n / total
                painter.setBrush(tier_colour(tier))
                painter.drawRect(QRectF(x, rect.top(), width, rect.height()))
                painter.setPen(QColor(theme.colors().surface))
                if x > rect.left():
                    painter.drawLine(int(x), int(rect.top()), int(x), int(rect.bottom()))
                painter.setPen(Qt.PenStyle.NoPen)
                x += width
            painter.restore()
        painter.end()


class Tile(Card):
    """One figure: a caption, the number large, and a line saying what it counts."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body.setSpacing(2)
        self.body.setContentsMargins(14, 10, 14, 10)
        self.caption = muted_label(caption)
        self.caption.setWordWrap(False)
        self.body.addWidget(self.caption)
        self.value = QLabel("—")
        self.value.setFont(theme.scaled_font(self, 1.6, bold=True))
        self.body.addWidget(self.value)
        self.detail = muted_label("")
        self.body.addWidget(self.detail)
        self.body.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader can step through the figures
        self._caption = caption
        self.set("—", "")

    def set(self, value: str, detail: str) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleName(f"{self._caption}: {value}")
        self.setAccessibleDescription(detail)


# -- the table -----------------------------------------------------------------------------------

COL_CODE, COL_NAME, COL_TIER, COL_OVERDUE, COL_PHQ9, COL_GAD7, COL_GOALS = range(7)
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
_TIER_RANK = {Tier.CRISIS: 0, Tier.HIGH: 1, Tier.MODERATE: 2, Tier.LOW: 3, None: 4}


def initials(name: str) -> str:
    """"A.Q." from "Ana Quintero": the first and last word's first letters."""
    words = name.split()
    if not words:
        return ""
    picked = [words[0]] if len(words) == 1 else [words[0], words[-1]]
    return "".join(w[:1].upper() + "." for w in picked)


class CaseloadTableModel(QAbstractTableModel):
    """One row per active client. In discreet mode the name column shows initials."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CaseloadRow] = []
        self.discreet = False
        self._headers = [_("Client code"), _("Name"), _("Tier"), _("Overdue"), _("PHQ-9 change"),
                         _("GAD-7 change"), _("Goals achieved")]

    def set_rows(self, rows: Sequence[CaseloadRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows(())

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(len(self._rows) - 1, COL_NAME))

    def row_at(self, row: int) -> CaseloadRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return r.client_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == COL_CODE:
                return r.client_code
            if col == COL_NAME:
                return initials(r.name) if self.discreet else r.name
            if col == COL_TIER:
                return tier_text(r.tier)
            if col == COL_OVERDUE:
                return format_number(r.overdue) if r.overdue else "—"
            if col == COL_PHQ9:
                return change_text(r.phq9_change)
            if col == COL_GAD7:
                return change_text(r.gad7_change)
            if col == COL_GOALS:
                if not r.goals_total:
                    return "—"
                return _("{achieved} of {total}").format(achieved=r.goals_achieved, total=r.goals_total)
        if role == SORT_ROLE:
            return {
                COL_CODE: r.client_code,
                COL_NAME: (initials(r.name) if self.discreet else r.name).casefold(),
                COL_TIER: _TIER_RANK[r.tier],
                COL_OVERDUE: r.overdue,
                COL_PHQ9: r.phq9_change if r.phq9_change is not None else 999,
                COL_GAD7: r.gad7_change if r.gad7_change is not None else 999,
                COL_GOALS: r.goals_achieved / r.goals_total if r.goals_total else -1.0,
            }[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_OVERDUE, COL_PHQ9, COL_GAD7, COL_GOALS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_OVERDUE and r.overdue:
            return QColor(theme.colors().danger)
        return None


class _Superseded(Exception):
    """Raised inside a caseload read that is no longer wanted."""


class _Progress(QObject):
    """Carries the dashboard's progress from the worker thread to the GUI thread."""

    step = Signal(int, int)


# -- the page ------------------------------------------------------------------------------------


class CaseloadPage(QWidget):
    open_client = Signal(str)
    report_requested = Signal(str)  # a report kind, e.g. "caseload"
    loaded = Signal()  # the figures on screen are up to date

    def __init__(self, session: Session | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dashboard: CaseloadDashboard | None = None
        self._generation = 0
        self._loading = False
        self._progress = _Progress()
        self._progress.step.connect(self._on_progress)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        self.header = PageHeader(_("Caseload"), _("How the caseload is doing over the period"))
        self.report_button = self.header.add_action(primary_button(_("Caseload report…")))
        self.report_button.setIcon(theme.icon("mdi6.file-chart-outline", theme.colors().accent_text))
        self.report_button.setToolTip(_("Make the caseload report for a supervisor: preview, save or print (Ctrl+R)"))
        self.report_button.setAccessibleName(_("Caseload report"))
        self.report_button.clicked.connect(lambda: self.report_requested.emit("caseload"))
        layout.addWidget(self.header)

        bar = QHBoxLayout()
        bar.setSpacing(SPACING * 2)
        self.period = PeriodPicker(caseload_presets(), "90", self._today)
        self.period.changed.connect(self.reload)
        bar.addWidget(self.period, 1)
        self.busy = QWidget()
        busy = QHBoxLayout(self.busy)
        busy.setContentsMargins(0, 0, 0, 0)
        self.busy_label = muted_label(_("Reading the caseload…"))
        self.busy_label.setWordWrap(False)
        busy.addWidget(self.busy_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedWidth(160)
        self.progress_bar.setAccessibleName(_("Reading the caseload"))
        busy.addWidget(self.progress_bar)
        self.busy.setVisible(False)
        bar.addWidget(self.busy)
        layout.addLayout(bar)

        self.error = Banner("error")
        layout.addWidget(self.error)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(SPACING * 2)
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(SPACING * 2)
        tiles.setVerticalSpacing(SPACING * 2)
        self.active_tile = Tile(_("Active clients"))
        self.overdue_tile = Tile(_("Overdue follow-ups"))
        self.phq9_tile = Tile(_("PHQ-9 change since intake"))
        self.gad7_tile = Tile(_("GAD-7 change since intake"))
        self.goals_tile = Tile(_("Goals achieved"))
        self.engagement_tile = Tile(_("Seen within 7 days of a transition"))
        for i, tile in enumerate((self.active_tile, self.overdue_tile, self.phq9_tile, self.gad7_tile,
                                  self.goals_tile, self.engagement_tile)):
            tiles.addWidget(tile, 0, i)
            tiles.setColumnStretch(i, 1)
        content.addLayout(tiles)

        tier_card = Card()
        tier_card.body.setContentsMargins(14, 10, 14, 10)
        tier_head = QHBoxLayout()
        tier_title = QLabel(_("Tier distribution"))
        tier_title.setFont(theme.scaled_font(self, 1.0, bold=True))
        tier_head.addWidget(tier_title)
        tier_head.addStretch(1)
        tier_card.body.addLayout(tier_head)
        self.tier_bar = TierBar()
        tier_card.body.addWidget(self.tier_bar)
        legend = QHBoxLayout()
        legend.setSpacing(SPACING * 3)
        self.tier_labels: dict[Tier | None, QLabel] = {}
        for tier in (Tier.CRISIS, Tier.HIGH, Tier.MODERATE, Tier.LOW, None):
            swatch = QLabel()
            swatch.setFixedSize(12, 12)
            swatch.setStyleSheet(f"background: {tier_colour(tier).name()}; border-radius: 3px;")
            label = QLabel()
            self.tier_labels[tier] = label
            item = QHBoxLayout()
            item.setSpacing(6)
            item.addWidget(swatch)
            item.addWidget(label)
            legend.addLayout(item)
        legend.addStretch(1)
        tier_card.body.addLayout(legend)
        content.addWidget(tier_card)

        self.model = CaseloadTableModel()
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = list_table(self.proxy, _("Clients on the caseload"))
        sortable(self.table, COL_NAME, COL_TIER, Qt.SortOrder.AscendingOrder)
        fit_columns(self.table, {COL_CODE: "WWWWWWW", COL_TIER: "◐ Not yet stratified", COL_OVERDUE: "888",
                                 COL_PHQ9: "−12 (better)", COL_GAD7: "−12 (better)", COL_GOALS: "12 of 12"})
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.activated_row.connect(self._open_row)
        content.addWidget(self.table, 1)
        self.count = muted_label("")
        content.addWidget(self.count)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.empty = EmptyState(
            _("No active clients"),
            _("The caseload dashboard counts the clients who are not closed or archived. Add clients on the "
              "Clients page (Alt+2); their tiers, follow-ups, scores and goals appear here."))
        self.stack.addWidget(self.empty)
        self.waiting = EmptyState(_("Reading the caseload…"), _(
            "The figures appear as soon as every client has been read; the bar above shows how far it has got."))
        self.stack.addWidget(self.waiting)
        self.stack.setCurrentWidget(self.waiting)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.period.combo, self.report_button)

    # -- data --------------------------------------------------------------------------------

    def _today(self) -> date:
        return self.session.clock.today() if self.session is not None else date.today()

    def reload(self) -> None:
        """Read the figures for the chosen period, off the GUI thread; `loaded` fires when shown."""
        if self.session is None:
            return
        start, end = self.period.period()
        self._generation += 1
        generation = self._generation
        session = self.session
        from app.services.evaluation import caseload_dashboard

        self._set_busy(True)
        if self.dashboard is None:
            self.stack.setCurrentWidget(self.waiting)
        step = self._progress.step

        def work() -> CaseloadDashboard:
            last = [-1]

            def progress(done: int, total: int) -> None:
                if generation != self._generation:
                    raise _Superseded  # a newer read, or the lock: stop at the next client
                # at most ~100 updates, however big the caseload
                if done == total or total < 100 or done * 100 // total != last[0]:
                    last[0] = done * 100 // max(total, 1)
                    step.emit(done, total)

            return caseload_dashboard(session, start, end, progress)

        def done(result: CaseloadDashboard) -> None:
            if generation != self._generation or self.session is not session:
                return
            self._set_busy(False)
            self.error.setVisible(False)
            self.show_dashboard(result)

        def failed(exc: BaseException) -> None:
            if generation != self._generation or self.session is not session:
                return
            self._set_busy(False)
            if not session.is_open:
                return
            self.error.show_message(_("The caseload could not be read: {reason}").format(reason=str(exc)), "error")

        run_in_background(work, done, failed)

    def _set_busy(self, on: bool) -> None:
        self._loading = on
        self.busy.setVisible(on)
        if on:
            self.progress_bar.setRange(0, 0)  # busy until the first count arrives
            self.busy_label.setText(_("Reading the caseload…"))

    def _on_progress(self, done: int, total: int) -> None:
        if not self._loading:
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.busy_label.setText(_("Reading {done} of {total} clients…").format(
            done=format_number(done), total=format_number(total)))

    @property
    def loading(self) -> bool:
        return self._loading

    def show_dashboard(self, d: CaseloadDashboard) -> None:
        """Put the figures of `d` on screen."""
        self.dashboard = d
        self.header.set_subtitle(_("{period} · as of {today}").format(
            period=period_text(d.start, d.end), today=format_date(d.as_of)))
        if d.active_clients == 0:
            self.stack.setCurrentWidget(self.empty)
            self.model.clear()
            self.loaded.emit()
            return
        self.stack.setCurrentWidget(self.content)
        self.active_tile.set(format_number(d.active_clients), ngettext(
            "{n} not yet stratified", "{n} not yet stratified", d.tier_count(None)).format(n=d.tier_count(None))
            if d.tier_count(None) else _("all stratified"))
        self.overdue_tile.set(format_number(d.overdue), ngettext(
            "for {n} client", "for {n} clients", d.clients_overdue).format(n=d.clients_overdue)
            if d.overdue else _("nothing overdue in the period"))
        self._change_tile(self.phq9_tile, d.change("phq9"))
        self._change_tile(self.gad7_tile, d.change("gad7"))
        if d.goals_total:
            self.goals_tile.set(_("{achieved} of {total}").format(achieved=d.goals_achieved, total=d.goals_total),
                                ngettext("{n} achieved in this period", "{n} achieved in this period",
                                         d.goals_achieved_in_period).format(n=d.goals_achieved_in_period))
        else:
            self.goals_tile.set("—", _("no signed care plans with goals"))
        self._engagement_tile(d.engagement)
        self.tier_bar.set_counts(d.tiers)
        for tier, label in self.tier_labels.items():
            n = d.tier_count(tier)
            label.setText(_("{tier}: {n}").format(tier=tier_text(tier) if tier else tier_label(None), n=n))
            label.setAccessibleName(label.text())
        self.model.set_rows(d.rows)
        self.count.setText(ngettext("{n} active client", "{n} active clients", len(d.rows)).format(n=len(d.rows))
                           + " · " + _("Enter or double-click opens a client"))
        self.loaded.emit()

    def _change_tile(self, tile: Tile, change: ScoreChange | None) -> None:
        if change is None or change.n == 0 or change.mean_change is None:
            tile.set("—", _("needs a score at intake and one in the period"))
            return
        better = change.mean_change != 0 and (change.mean_change > 0) == change.higher_is_better
        word = _("better") if better else (_("no change") if round(change.mean_change, 1) == 0 else _("worse"))
        tile.set(_("{change} points").format(change=signed_number(change.mean_change)),
                 _("{word} on average · n = {n} · {up} improved, {down} worse").format(
                     word=word, n=change.n, up=change.improved, down=change.worsened))

    def _engagement_tile(self, e: Engagement) -> None:
        if not e.transitions:
            self.engagement_tile.set("—", _("no transitions in the period"))
            return

        def percent(value: float | None) -> str:
            return _("{percent} %").format(percent=format_number(round(value * 100))) if value is not None else "—"

        self.engagement_tile.set(
            percent(e.share_7),
            _("{n7} of {t7} within 7 days · {n30} of {t30} ({p30}) within 30 · {n} transitions").format(
                n7=e.within_7, t7=e.eligible_7, n30=e.within_30, t30=e.eligible_30, p30=percent(e.share_30),
                n=e.transitions))

    def set_discreet(self, on: bool) -> None:
        """Initials instead of names in the table (the workspace calls this with the toolbar toggle)."""
        self.model.set_discreet(on)

    def clear(self) -> None:
        """Drop every figure and name (on lock)."""
        self._generation += 1
        self._set_busy(False)
        self.dashboard = None
        self.model.clear()
        self.tier_bar.set_counts(())
        self.stack.setCurrentWidget(self.waiting)

    def _open_row(self, row: int) -> None:
        client_id = self.proxy.data(self.proxy.index(row, 0), ID_ROLE)
        if client_id:
            self.open_client.emit(str(client_id))
