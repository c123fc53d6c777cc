"""The calendar's week view: seven days side by side on a time grid (0–24 h, 7:00–20:00 in view
at first), all-day follow-ups in a row on top, the current time as a line.

Follow-ups are painted blocks (no widget each): coloured by type, a tier badge on High and
Crisis, the status as a mark (✓ completed, ✗ missed, struck through when cancelled), ⚠ when
double-booked. Overlapping follow-ups sit side by side; when more overlap than the day has room
for, the last column says "+N more" (the page opens the day in the agenda).

Mouse: drag a block to move it (15-minute steps, to another day too), drag its bottom edge to
change its end, double-click a block to edit it or an empty time to plan one there, right-click
for its actions. Keys: Left/Right change day, Up/Down go through the day's follow-ups, Enter
edits (or plans one on the selected day), Delete cancels, the menu key opens the actions.
The view only reports (signals); the page saves and reloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from app.i18n import _, format_date, ngettext
from app.models.follow_ups import Status
from app.ui import theme
from app.ui.widgets.calendar_month import (
    BADGE_TIERS,
    CalendarEntry,
    blend,
    describe,
    draw_badge,
    entry_label,
    short_time,
    sort_key,
    status_words,
    tier_of,
    type_colour,
    weekday_names,
)

SNAP_MIN = 15
FIRST_HOUR, LAST_HOUR = 7, 20  # in view when a week opens
MIN_COLUMN_PX = 44  # narrower than this, overlapping follow-ups go into "+N more"
MIN_VISIBLE_MIN = 20  # a 15-minute call still gets a readable block
ALL_DAY_ROWS = 3
RESIZE_GRIP_PX = 6


@dataclass(slots=True)
class Placed:
    """A timed follow-up on the grid: its column among the ones it overlaps, in minutes of its day."""

    entry: CalendarEntry
    column: int
    columns: int
    start_min: int
    end_min: int


@dataclass(slots=True)
class Overflow:
    """Follow-ups with no room left in an overlapping group: "+N more"."""

    day: date
    column: int
    columns: int
    start_min: int
    end_min: int
    count: int


@dataclass(slots=True)
class _Drag:
    entry: CalendarEntry
    mode: str  # "move", "resize" or "all_day"
    press: QPoint
    grab_min: int  # minutes between the block's start and where it was grabbed
    active: bool = False
    start: datetime | None = None
    end: datetime | None = None


@dataclass(slots=True)
class _Geometry:
    header: int
    all_day: int
    gutter: int
    column: float
    hour: float
    line: int
    top: int = field(init=False)

    def __post_init__(self) -> None:
        self.top = self.header + self.all_day


def place_day(entries: Iterable[CalendarEntry], day: date, max_columns: int) -> tuple[list[Placed], list[Overflow]]:
    """Lay one day's timed follow-ups out side by side: groups of transitively overlapping ones
    share the width, each in the first column free at its start; columns past `max_columns`
    become one "+N more" block in the last column."""
    midnight = datetime.combine(day, time())
    items = []
    for entry in sorted(entries, key=lambda e: (e.start, -(e.end - e.start).total_seconds())):
        start = max(0, int((entry.start - midnight).total_seconds() // 60))
        end = min(1440, max(int((entry.end - midnight).total_seconds() // 60), start + MIN_VISIBLE_MIN))
        items.append((entry, start, end))
    placed: list[Placed] = []
    overflow: list[Overflow] = []
    group: list[tuple[CalendarEntry, int, int]] = []
    group_end = -1

    def flush() -> None:
        ends: list[int] = []
        columns: list[int] = []
        for _entry, start, end in group:
            for i, free_at in enumerate(ends):
                if free_at <= start:
                    ends[i] = end
                    columns.append(i)
                    break
            else:
                ends.append(end)
                columns.append(len(ends) - 1)
        count = len(ends)
        if count <= max_columns:
            placed.extend(Placed(e, col, count, s, en) for (e, s, en), col in zip(group, columns, strict=True))
            return
        keep = max_columns - 1
        hidden = [(s, en) for (_e, s, en), col in zip(group, columns, strict=True) if col >= keep]
        placed.extend(Placed(e, col, max_columns, s, en) for (e, s, en), col in zip(group, columns, strict=True)
                      if col < keep)
        overflow.append(Overflow(day, keep, max_columns, min(s for s, _ in hidden), max(en for _, en in hidden),
                                 len(hidden)))

    for entry, start, end in items:
        if group and start >= group_end:
            flush()
            group, group_end = [], -1
        group.append((entry, start, end))
        group_end = max(group_end, end)
    if group:
        flush()
    return placed, overflow


class WeekView(QAbstractScrollArea):
    entry_activated = Signal(object)  # CalendarEntry: double-click or Enter
    slot_activated = Signal(object, bool)  # datetime, all day: double-click on an empty time or Enter
    context_requested = Signal(object, QPoint)  # CalendarEntry, global position
    move_requested = Signal(object, object, object)  # CalendarEntry, new start, new end (wall times)
    cancel_requested = Signal(object)  # CalendarEntry: Delete
    day_selected = Signal(object)  # date: the keyboard left the week (or chose another day)
    more_requested = Signal(object)  # date: "+N more" activated
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_("Week"))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        self.days: list[date] = []
        self.today = date.today()
        self.now: datetime | None = None
        self.read_only = False
        self.empty_text = ""
        self.painted_texts: list[str] = []
        self.selected_day: date | None = None
        self.selected_key: tuple[str, datetime] | None = None
        self._entries: list[CalendarEntry] = []
        self._timed: dict[date, list[CalendarEntry]] = {}
        self._all_day: dict[date, list[CalendarEntry]] = {}
        self._placed: dict[date, list[Placed]] = {}
        self._overflow: dict[date, list[Overflow]] = {}
        self._layout_columns = -1
        self._labels: dict[tuple[str, datetime], str] = {}
        self._drag: _Drag | None = None
        self._scroll_to_morning = True
        self._names: list[str] = []
        self._hour = 0.0  # pixels per hour at the last layout (keeps the scroll position on resize)

    # -- contents ------------------------------------------------------------------------------

    def set_week(self, first: date, first_weekday: int, entries: Iterable[CalendarEntry], today: date,
                 now: datetime | None, selected: date) -> None:
        """Show the seven days from `first` with their entries; keep the selected follow-up when
        it is still there."""
        new_week = not self.days or self.days[0] != first
        self.days = [first + timedelta(days=i) for i in range(7)]
        self.today, self.now = today, now
        self._entries = list(entries)
        self._timed, self._all_day = {}, {}
        for entry in self._entries:
            (self._all_day if entry.all_day else self._timed).setdefault(entry.day, []).append(entry)
        for items in self._all_day.values():
            items.sort(key=sort_key)
        self._labels = {}
        self._layout_columns = -1
        self._names = weekday_names(first_weekday)
        self.selected_day = selected if selected in self.days else first
        if self.selected_key is not None and self.entry(self.selected_key) is None:
            self.selected_key = None
        if new_week:
            self._scroll_to_morning = True
        self._update_scroll()
        self._ensure_layout(self._geometry())  # laid out now, not while painting
        self._announce()
        self.viewport().update()

    def clear(self) -> None:
        self._entries, self._timed, self._all_day, self._placed, self._overflow = [], {}, {}, {}, {}
        self._labels = {}
        self.selected_key = None
        self.painted_texts = []
        self.setAccessibleDescription("")
        self.viewport().update()

    def set_now(self, now: datetime | None) -> None:
        self.now = now
        self.viewport().update()

    def entries(self) -> list[CalendarEntry]:
        return list(self._entries)

    def entry(self, key: tuple[str, datetime]) -> CalendarEntry | None:
        return next((e for e in self._entries if e.key == key), None)

    def selected_entry(self) -> CalendarEntry | None:
        return self.entry(self.selected_key) if self.selected_key is not None else None

    def day_order(self, day: date) -> list[CalendarEntry]:
        """The day's follow-ups in keyboard order: all-day ones, then by start."""
        return self._all_day.get(day, []) + sorted(self._timed.get(day, []), key=sort_key)

    def select_entry(self, entry: CalendarEntry | None) -> None:
        key = entry.key if entry is not None else None
        if entry is not None:
            self.selected_day = entry.day
        if key == self.selected_key:
            return
        self.selected_key = key
        if entry is not None:
            self.ensure_visible(entry)
        self._announce()
        self.selection_changed.emit()
        self.viewport().update()

    def select_day(self, day: date) -> None:
        self.selected_day = day
        if self.selected_key is not None and self.selected_key not in {e.key for e in self.day_order(day)}:
            self.selected_key = None
        self._announce()
        self.viewport().update()

    def _announce(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            text = describe(entry)
        elif self.selected_day is not None:
            count = len(self.day_order(self.selected_day))
            text = ngettext("{day}: {n} follow-up.", "{day}: {n} follow-ups.", count).format(
                day=format_date(self.selected_day, "full"), n=count) if count else _(
                "{day}: nothing planned.").format(day=format_date(self.selected_day, "full"))
        else:
            text = ""
        self.setAccessibleDescription(text)
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))

    # -- geometry ------------------------------------------------------------------------------

    def _geometry(self) -> _Geometry:
        fm = self.fontMetrics()
        line = fm.height() + 4
        rows = min(ALL_DAY_ROWS, max((len(v) for v in self._all_day.values()), default=0))
        all_day = max(1, rows) * line + 8
        header = fm.height() * 2 + 12
        gutter = fm.horizontalAdvance(short_time(datetime(2000, 1, 1, 10, 0))) + 16
        width = max(1, self.viewport().width() - gutter)
        grid = max(1, self.viewport().height() - header - all_day)
        hour = max(float(fm.height() * 2 + 4), (grid - line / 2) / (LAST_HOUR - FIRST_HOUR))
        return _Geometry(header, all_day, gutter, width / 7, hour, line)

    def _y(self, g: _Geometry, minutes: float) -> float:
        return g.top + minutes * g.hour / 60 - self.verticalScrollBar().value()

    def _update_scroll(self) -> None:
        g = self._geometry()
        visible = max(1, self.viewport().height() - g.top)
        bar = self.verticalScrollBar()
        minute_at_top = bar.value() * 60 / self._hour if self._hour else 0
        bar.setRange(0, max(0, round(24 * g.hour - visible)))
        bar.setPageStep(visible)
        bar.setSingleStep(round(g.hour / 4))
        self._hour = g.hour
        if self._scroll_to_morning:
            bar.setValue(round(FIRST_HOUR * g.hour - g.line / 2))  # 7:00 and its label in view
            self._scroll_to_morning = False
        else:
            bar.setValue(round(minute_at_top * g.hour / 60))

    def _ensure_layout(self, g: _Geometry) -> None:
        columns = max(1, int(g.column // MIN_COLUMN_PX))
        if columns == self._layout_columns:
            return
        self._placed, self._overflow = {}, {}
        for day, items in self._timed.items():
            self._placed[day], self._overflow[day] = place_day(items, day, columns)
        self._layout_columns = columns

    def _column_x(self, g: _Geometry, day: date) -> float:
        return g.gutter + (day - self.days[0]).days * g.column

    def _block_rect(self, g: _Geometry, day: date, column: int, columns: int, start_min: int, end_min: int) -> QRectF:
        width = (g.column - 6) / columns
        x = self._column_x(g, day) + 1 + column * width
        top = self._y(g, start_min)
        height = max(float(g.line), (end_min - start_min) * g.hour / 60)
        return QRectF(x + 1, top + 1, width - 2, height - 2)

    def _all_day_rect(self, g: _Geometry, day: date, row: int) -> QRectF:
        return QRectF(self._column_x(g, day) + 3, g.header + 4 + row * g.line, g.column - 6, g.line - 2)

    def event_rect(self, key: tuple[str, datetime]) -> QRect:
        """Where the follow-up is painted, in viewport coordinates (empty when not shown)."""
        g = self._geometry()
        self._ensure_layout(g)
        for day, items in self._all_day.items():
            for row, entry in enumerate(items[:ALL_DAY_ROWS]):
                if entry.key == key and day in self.days:
                    return self._all_day_rect(g, day, row).toRect()
        for day, placed in self._placed.items():
            for item in placed:
                if item.entry.key == key and day in self.days:
                    return self._block_rect(g, day, item.column, item.columns, item.start_min, item.end_min).toRect()
        return QRect()

    def point_for(self, moment: datetime) -> QPoint:
        """The centre of `moment`'s day column at `moment`'s time, in viewport coordinates."""
        g = self._geometry()
        minutes = moment.hour * 60 + moment.minute
        return QPointF(self._column_x(g, moment.date()) + g.column / 2, self._y(g, minutes)).toPoint()

    def day_at(self, pos: QPoint | QPointF) -> date | None:
        g = self._geometry()
        if not self.days or pos.x() < g.gutter:
            return None
        index = int((pos.x() - g.gutter) // g.column)
        return self.days[index] if 0 <= index < 7 else None

    def minute_at(self, y: float) -> float:
        g = self._geometry()
        return (y - g.top + self.verticalScrollBar().value()) * 60 / g.hour

    def hit(self, pos: QPoint | QPointF) -> CalendarEntry | Overflow | None:
        g = self._geometry()
        self._ensure_layout(g)
        day = self.day_at(pos)
        if day is None:
            return None
        point = QPointF(pos)
        if pos.y() < g.top:
            for row, entry in enumerate(self._all_day.get(day, [])[:ALL_DAY_ROWS]):
                if self._all_day_rect(g, day, row).contains(point):
                    return entry
            return None
        for more in self._overflow.get(day, []):
            if self._block_rect(g, day, more.column, more.columns, more.start_min, more.end_min).contains(point):
                return more
        for item in reversed(self._placed.get(day, [])):
            if self._block_rect(g, day, item.column, item.columns, item.start_min, item.end_min).contains(point):
                return item.entry
        return None

    def ensure_visible(self, entry: CalendarEntry) -> None:
        if entry.all_day:
            return
        g = self._geometry()
        start = entry.start.hour * 60 + entry.start.minute
        end = start + max(30, int((entry.end - entry.start).total_seconds() // 60))
        bar = self.verticalScrollBar()
        visible = self.viewport().height() - g.top
        top, bottom = start * g.hour / 60, min(24 * 60, end) * g.hour / 60
        if top < bar.value():
            bar.setValue(round(top - g.hour / 2))
        elif bottom > bar.value() + visible:
            bar.setValue(round(bottom - visible + g.hour / 2))

    # -- painting ------------------------------------------------------------------------------

    def _label(self, entry: CalendarEntry) -> str:
        text = self._labels.get(entry.key)
        if text is None:
            text = self._labels[entry.key] = entry_label(entry, with_time=False)
        return text

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if not self.days:
            return
        c = theme.colors()
        g = self._geometry()
        self._ensure_layout(g)
        p = QPainter(self.viewport())
        fm = self.fontMetrics()
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, (self.font().pointSizeF() if self.font().pointSizeF() > 0 else 10.0) * 0.85))
        small_fm = QFontMetrics(small)
        width, height = self.viewport().width(), self.viewport().height()
        surface, border, muted = QColor(c.surface), QColor(c.border), QColor(c.muted)
        p.fillRect(self.viewport().rect(), surface)
        painted: list[str] = []

        # The time grid, under the header and the all-day row.
        p.save()
        p.setClipRect(QRect(0, g.top, width, height - g.top))
        if self.today in self.days:
            x = self._column_x(g, self.today)
            p.fillRect(QRectF(x, g.top, g.column, height - g.top), blend(QColor(c.accent), surface, 0.05))
        if self.selected_day in self.days and self.selected_day is not None:
            x = self._column_x(g, self.selected_day)
            p.fillRect(QRectF(x, g.top, g.column, height - g.top), blend(QColor(c.accent), surface, 0.08))
        light = QColor(border)
        light.setAlpha(110)
        for hour in range(25):
            y = self._y(g, hour * 60)
            if -g.hour <= y - g.top <= height:
                p.setPen(QPen(border, 1))
                p.drawLine(QPointF(g.gutter - 4, y), QPointF(width, y))
                p.setPen(QPen(light, 1, Qt.PenStyle.DotLine))
                p.drawLine(QPointF(g.gutter, y + g.hour / 2), QPointF(width, y + g.hour / 2))
                if 0 < hour < 24:
                    p.setPen(muted)
                    label = short_time(datetime(2000, 1, 1, hour, 0))
                    p.drawText(QRectF(0, y - fm.height() / 2, g.gutter - 8, fm.height()),
                               Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        p.setPen(QPen(border, 1))
        for i in range(8):
            x = g.gutter + i * g.column
            p.drawLine(QPointF(x, g.top), QPointF(x, height))
        visible = (self.minute_at(g.top) - 60, self.minute_at(height) + 60)
        selected = self.selected_key
        for day in self.days:
            for item in self._placed.get(day, []):
                if item.end_min < visible[0] or item.start_min > visible[1]:
                    continue
                rect = self._block_rect(g, day, item.column, item.columns, item.start_min, item.end_min)
                lines = self._paint_block(p, rect, item.entry, item.entry.key == selected, fm, small, small_fm, c)
                painted.extend(lines)
            for more in self._overflow.get(day, []):
                rect = self._block_rect(g, day, more.column, more.columns, more.start_min, more.end_min)
                text = ngettext("+{n} more", "+{n} more", more.count).format(n=more.count)
                p.setPen(QPen(QColor(c.accent), 1))
                p.setBrush(QColor(c.surface_alt))
                p.drawRoundedRect(rect, 4, 4)
                p.setPen(QColor(c.accent))
                p.drawText(rect.adjusted(2, 2, -2, -2), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                           | Qt.TextFlag.TextWordWrap, text)
                painted.append(text)
        self._paint_now(p, g, c)
        self._paint_drag(p, g, fm, c)
        p.restore()

        # The header: weekday, date (today's in an accent pill), then the all-day row.
        p.fillRect(QRect(0, 0, width, g.top), surface)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        big = QFont(bold)
        big.setPointSizeF(bold.pointSizeF() * 1.25 if bold.pointSizeF() > 0 else 12.0)
        big_fm = QFontMetrics(big)
        for i, day in enumerate(self.days):
            x = g.gutter + i * g.column
            p.setPen(muted)
            p.setFont(self.font())
            p.drawText(QRectF(x, 4, g.column, fm.height()), Qt.AlignmentFlag.AlignHCenter, self._names[i])
            number = str(day.day)
            pill = QRectF(x + g.column / 2 - (big_fm.horizontalAdvance("00") + 12) / 2, 4 + fm.height(),
                          big_fm.horizontalAdvance("00") + 12, big_fm.height() + 2)
            if day == self.today:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(c.accent))
                p.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                p.setPen(QColor(c.accent_text))
            else:
                p.setPen(QColor(c.text))
            p.setFont(big)
            p.drawText(pill, Qt.AlignmentFlag.AlignCenter, number)
            if day == self.selected_day:
                p.fillRect(QRectF(x + 8, g.header - 3, g.column - 16, 3), QColor(c.accent))
        p.setFont(self.font())
        p.setPen(muted)
        p.drawText(QRectF(0, g.header, g.gutter - 8, g.line), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   _("All day"))
        for day in self.days:
            items = self._all_day.get(day, [])
            shown = items if len(items) <= ALL_DAY_ROWS else items[:ALL_DAY_ROWS - 1]
            for row, entry in enumerate(shown):
                rect = self._all_day_rect(g, day, row)
                painted.extend(self._paint_block(p, rect, entry, entry.key == selected, fm, small, small_fm, c,
                                                 one_line=True))
            if len(items) > len(shown):
                more = len(items) - len(shown)
                text = ngettext("+{n} more", "+{n} more", more).format(n=more)
                p.setPen(QColor(c.accent))
                p.drawText(self._all_day_rect(g, day, ALL_DAY_ROWS - 1).adjusted(6, 0, 0, 0),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
                painted.append(text)
        p.setPen(QPen(border, 1))
        p.drawLine(QPointF(0, g.top - 1), QPointF(width, g.top - 1))
        for i in range(8):
            x = g.gutter + i * g.column
            p.drawLine(QPointF(x, g.header), QPointF(x, g.top))
        if self.hasFocus():
            p.setPen(QPen(QColor(c.accent), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(1, 1, width - 2, height - 2))
        if self.empty_text:
            self._paint_empty(p, g, fm, c)
            painted.append(self.empty_text)
        p.end()
        self.painted_texts = painted

    def _paint_block(self, p: QPainter, rect: QRectF, entry: CalendarEntry, selected: bool, fm: QFontMetrics,
                     small: QFont, small_fm: QFontMetrics, c: theme.Colors, *, one_line: bool = False) -> list[str]:
        """Paint one follow-up; returns the text painted on it."""
        colour = type_colour(entry.occ.kind)
        surface = QColor(c.surface)
        status = entry.status
        cancelled = status in (Status.CANCELLED, Status.RESCHEDULED)
        done = status is Status.COMPLETED
        if cancelled:
            fill = surface
        else:
            fill = blend(colour, surface, (0.10 if done else 0.20) if not c.dark else (0.18 if done else 0.32))
        p.setPen(QPen(colour, 1, Qt.PenStyle.DashLine) if cancelled else Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(rect, 4, 4)
        p.fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()), colour)
        if selected:
            p.setPen(QPen(QColor(c.accent) if not c.dark else QColor(c.text), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
        if rect.width() < 14:
            return []
        painted: list[str] = []
        right = rect.right() - 2
        tier = tier_of(entry)
        line_h = fm.height()
        if tier in BADGE_TIERS and tier is not None and rect.width() > 44:
            p.setFont(small)
            right = draw_badge(p, right, rect.top() + 2, min(line_h, small_fm.height() + 2), tier, small_fm) - 2
            painted.append(tier.label)
        font = QFont(self.font())
        font.setStrikeOut(cancelled)
        tall = not one_line and rect.height() >= fm.height() + small_fm.height() + 4
        first = self._label(entry)
        if not entry.all_day and not tall and rect.width() > fm.horizontalAdvance("00:00 AM MMMMMMMM"):
            first = f"{short_time(entry.start)} {first}"
        details: list[str] = []
        if tall:
            when = "" if entry.all_day else f"{short_time(entry.start)}–{short_time(entry.end)} · "
            details.append(when + entry.occ.kind.label)
            if status is not Status.SCHEDULED or entry.overdue or entry.conflict:
                details.append(status_words(entry))
        x = rect.left() + 6
        y = rect.top() + 1
        p.setFont(font)
        p.setPen(QColor(c.muted) if cancelled or done else QColor(c.text))
        shown = fm.elidedText(first, Qt.TextElideMode.ElideRight, max(0, int(right - x)))
        p.drawText(QRectF(x, y, right - x, fm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   shown)
        painted.append(shown)
        y += fm.height() + 1
        small.setStrikeOut(cancelled)
        p.setFont(small)
        p.setPen(QColor(c.muted))
        for text in details:
            if y + small_fm.height() > rect.bottom() + 1:
                break
            shown = small_fm.elidedText(text, Qt.TextElideMode.ElideRight, max(0, int(rect.right() - 2 - x)))
            p.drawText(QRectF(x, y, rect.right() - 2 - x, small_fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            painted.append(shown)
            y += small_fm.height()
        small.setStrikeOut(False)
        p.setFont(self.font())
        return painted

    def _paint_now(self, p: QPainter, g: _Geometry, c: theme.Colors) -> None:
        if self.now is None or self.now.date() not in self.days:
            return
        y = self._y(g, self.now.hour * 60 + self.now.minute)
        x = self._column_x(g, self.now.date())
        colour = QColor(c.danger)
        p.setPen(QPen(colour, 2))
        p.drawLine(QPointF(x, y), QPointF(x + g.column, y))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(QPointF(x + 1, y), 4, 4)

    def _paint_drag(self, p: QPainter, g: _Geometry, fm: QFontMetrics, c: theme.Colors) -> None:
        drag = self._drag
        if drag is None or not drag.active or drag.start is None or drag.end is None or drag.mode == "all_day":
            return
        day = drag.start.date()
        if day not in self.days:
            return
        midnight = datetime.combine(day, time())
        start = int((drag.start - midnight).total_seconds() // 60)
        end = min(1440, int((drag.end - midnight).total_seconds() // 60))
        rect = self._block_rect(g, day, 0, 1, start, end)
        p.setPen(QPen(QColor(c.accent), 2, Qt.PenStyle.DashLine))
        p.setBrush(blend(QColor(c.accent), QColor(c.surface), 0.15))
        p.drawRoundedRect(rect, 4, 4)
        p.setPen(QColor(c.text))
        p.drawText(rect.adjusted(6, 2, -4, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                   f"{short_time(drag.start)}–{short_time(drag.end)}")

    def _paint_empty(self, p: QPainter, g: _Geometry, fm: QFontMetrics, c: theme.Colors) -> None:
        area = QRect(g.gutter, g.top, self.viewport().width() - g.gutter, self.viewport().height() - g.top)
        width = min(area.width() - 40, fm.horizontalAdvance(self.empty_text) + 48)
        box = QRect(area.left() + (area.width() - width) // 2, area.top() + area.height() // 3, width, fm.height() * 3)
        p.setPen(QPen(QColor(c.border), 1))
        p.setBrush(QColor(c.surface))
        p.drawRoundedRect(box, 10, 10)
        p.setPen(QColor(c.muted))
        p.drawText(box.adjusted(16, 0, -16, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                   self.empty_text)

    # -- mouse ---------------------------------------------------------------------------------

    def _snap(self, minutes: float) -> int:
        return int(round(minutes / SNAP_MIN) * SNAP_MIN)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position().toPoint()
        hit = self.hit(pos)
        day = self.day_at(pos)
        if isinstance(hit, CalendarEntry):
            self.select_entry(hit)
            self.day_selected.emit(hit.day)
            if event.button() == Qt.MouseButton.LeftButton and not self.read_only:
                rect = self.event_rect(hit.key)
                if hit.all_day:
                    mode = "all_day"
                elif pos.y() >= rect.bottom() - RESIZE_GRIP_PX:
                    mode = "resize"
                else:
                    mode = "move"
                grab = int(self.minute_at(pos.y()) - (hit.start.hour * 60 + hit.start.minute))
                self._drag = _Drag(hit, mode, pos, grab)
            return
        if isinstance(hit, Overflow) and event.button() == Qt.MouseButton.LeftButton:
            self.more_requested.emit(hit.day)
            return
        if day is not None:
            self.select_entry(None)
            self.select_day(day)
            self.day_selected.emit(day)
            self.selection_changed.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position().toPoint()
        drag = self._drag
        if drag is None:
            hit = self.hit(pos)
            near_end = (isinstance(hit, CalendarEntry) and not hit.all_day and not self.read_only
                        and pos.y() >= self.event_rect(hit.key).bottom() - RESIZE_GRIP_PX)
            self.viewport().setCursor(Qt.CursorShape.SizeVerCursor if near_end else Qt.CursorShape.ArrowCursor)
            return
        if not drag.active and (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
            return
        drag.active = True
        entry = drag.entry
        length = entry.end - entry.start
        day = self.day_at(QPoint(max(pos.x(), self._geometry().gutter), pos.y())) or entry.day
        if drag.mode == "all_day":
            drag.start = datetime.combine(day, time())
            drag.end = drag.start + length
        elif drag.mode == "move":
            minutes = min(max(0, self._snap(self.minute_at(pos.y()) - drag.grab_min)), 1440 - SNAP_MIN)
            drag.start = datetime.combine(day, time()) + timedelta(minutes=minutes)
            drag.end = drag.start + length
        else:
            midnight = datetime.combine(entry.day, time())
            minutes = min(self._snap(self.minute_at(pos.y())), 1440)
            drag.start = entry.start
            drag.end = max(entry.start + timedelta(minutes=SNAP_MIN), midnight + timedelta(minutes=minutes))
        self.viewport().setCursor(Qt.CursorShape.SizeVerCursor if drag.mode == "resize"
                                  else Qt.CursorShape.ClosedHandCursor)
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        drag, self._drag = self._drag, None
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        if drag is None or not drag.active or drag.start is None or drag.end is None:
            return
        self.viewport().update()
        if (drag.start, drag.end) != (drag.entry.start, drag.entry.end):
            self.move_requested.emit(drag.entry, drag.start, drag.end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._drag = None
        pos = event.position().toPoint()
        hit = self.hit(pos)
        if isinstance(hit, CalendarEntry):
            self.entry_activated.emit(hit)
            return
        if isinstance(hit, Overflow):
            self.more_requested.emit(hit.day)
            return
        day = self.day_at(pos)
        if day is None:
            return
        if day != self.selected_day:
            self.select_entry(None)
            self.select_day(day)
            self.day_selected.emit(day)
        if pos.y() < self._geometry().top:
            if pos.y() >= self._geometry().header:
                self.slot_activated.emit(datetime.combine(day, time()), True)
            return
        minutes = min(1440 - SNAP_MIN, max(0, int(self.minute_at(pos.y()) // SNAP_MIN * SNAP_MIN)))
        self.slot_activated.emit(datetime.combine(day, time()) + timedelta(minutes=minutes), False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            hit = self.hit(self.viewport().mapFrom(self, event.pos()))
            if isinstance(hit, CalendarEntry):
                self.select_entry(hit)
                self.context_requested.emit(hit, event.globalPos())
            return
        entry = self.selected_entry()
        if entry is not None:
            rect = self.event_rect(entry.key)
            self.context_requested.emit(entry, self.viewport().mapToGlobal(rect.center()))

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain and self.selected_day is not None:
            self._step_day(-1 if key == Qt.Key.Key_Left else 1)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and plain and self.selected_day is not None:
            self._step_entry(-1 if key == Qt.Key.Key_Up else 1)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_day is not None:
            entry = self.selected_entry()
            if entry is not None:
                self.entry_activated.emit(entry)
            else:
                self.slot_activated.emit(datetime.combine(self.selected_day, time(9, 0)), False)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_entry() is not None:
            self.cancel_requested.emit(self.selected_entry())
            return
        if key in (Qt.Key.Key_Home, Qt.Key.Key_End) and plain:
            bar = self.verticalScrollBar()
            bar.setValue(bar.minimum() if key == Qt.Key.Key_Home else bar.maximum())
            return
        event.ignore()  # PgUp/PgDn, T, M, W, A, N and the rest: the page's

    def _step_day(self, step: int) -> None:
        assert self.selected_day is not None
        current = self.selected_entry()
        day = self.selected_day + timedelta(days=step)
        if day not in self.days:
            self.selected_day = day
            self.day_selected.emit(day)  # the page moves to that week
            return
        self.select_day(day)
        if current is not None:
            order = self.day_order(day)
            if order:
                target = min(order, key=lambda e: abs((e.start.hour * 60 + e.start.minute)
                                                      - (current.start.hour * 60 + current.start.minute)))
                self.select_entry(target)
            else:
                self.select_entry(None)
        self.day_selected.emit(day)
        self.selection_changed.emit()

    def _step_entry(self, step: int) -> None:
        assert self.selected_day is not None
        order = self.day_order(self.selected_day)
        if not order:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + step * bar.singleStep() * 4)
            return
        keys = [e.key for e in order]
        if self.selected_key in keys:
            index = min(len(order) - 1, max(0, keys.index(self.selected_key) + step))
        else:
            index = 0 if step > 0 else len(order) - 1
        self.select_entry(order[index])

    # -- housekeeping --------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._layout_columns = -1
        self._update_scroll()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()

    def focusInEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.viewport().update()
