"""The calendar's month view, and what its three views share.

Shared: `CalendarEntry` (one occurrence as the calendar shows it: wall times where the user is,
the client named as discreet mode allows, double-booking and overdue flags), the type colours,
the tier badge letter, the painted label and the sentence a screen reader hears.

MonthView: six weeks of seven days, painted in one pass (no widget per follow-up, so thousands
of occurrences stay cheap): each day shows its first few follow-ups and "+N more". The selected
day has a frame; arrows move it, Enter opens the day (the page shows it in the week view),
"+N more" opens it in the agenda, a double-click on a day plans a follow-up there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from app.i18n import _, current_locale, format_date, ngettext
from app.models.follow_ups import FollowUpType, Occurrence, Status
from app.models.risk import Tier
from app.ui import theme

# Light and dark tints of each follow-up type. The type is always written too (legend, agenda,
# the block's second line, the accessible description): colour is never the only signal.
TYPE_COLOURS: dict[FollowUpType, tuple[str, str]] = {
    FollowUpType.HOME_VISIT: ("#2E7D32", "#81C784"),
    FollowUpType.PHONE: ("#1565C0", "#64B5F6"),
    FollowUpType.OFFICE: ("#6A1B9A", "#CE93D8"),
    FollowUpType.TELEHEALTH: ("#00838F", "#4DD0E1"),
    FollowUpType.PLAN_REVIEW: ("#A35F00", "#FFB74D"),
    FollowUpType.RESCREENING: ("#AD1457", "#F48FB1"),
    FollowUpType.POST_TRANSITION: ("#3949AB", "#9FA8DA"),
    FollowUpType.OTHER: ("#616161", "#BDBDBD"),
}
BADGE_TIERS = (Tier.HIGH, Tier.CRISIS)
CONFLICT_MARK = "⚠"
STATUS_MARKS = {Status.COMPLETED: "✓", Status.MISSED: "✗", Status.CANCELLED: "⊘", Status.RESCHEDULED: "↷"}
# Keys the views leave to the page: view switch, period, today, new follow-up.
PAGE_KEYS = frozenset({Qt.Key.Key_M, Qt.Key.Key_W, Qt.Key.Key_A, Qt.Key.Key_T, Qt.Key.Key_N,
                       Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})


def type_colour(kind: FollowUpType) -> QColor:
    light, dark = TYPE_COLOURS[kind]
    return QColor(dark if theme.colors().dark else light)


def blend(colour: QColor, base: QColor, amount: float) -> QColor:
    """`amount` of `colour` over `base`."""
    return QColor(round(base.red() + (colour.red() - base.red()) * amount),
                  round(base.green() + (colour.green() - base.green()) * amount),
                  round(base.blue() + (colour.blue() - base.blue()) * amount))


def tier_of(entry: CalendarEntry) -> Tier | None:
    try:
        return Tier(entry.occ.tier) if entry.occ.tier else None
    except ValueError:
        return None


def tier_letter(tier: Tier | None) -> str:
    """The badge painted on High and Crisis follow-ups: the tier's initial (the legend and the
    description spell it out)."""
    return tier.label[:1].upper() if tier in BADGE_TIERS and tier is not None else ""


def badge_colours(tier: Tier) -> tuple[QColor, QColor]:
    """Background and text of a tier badge."""
    c = theme.colors()
    if tier is Tier.CRISIS:
        return QColor(c.danger), QColor("#FFFFFF" if not c.dark else "#1B1E22")
    return QColor("#E65100" if not c.dark else "#FFB74D"), QColor("#FFFFFF" if not c.dark else "#1B1E22")


@lru_cache(maxsize=4096)
def _time_text(hour: int, minute: int, locale: str) -> str:
    from babel.dates import format_time

    return format_time(time(hour, minute), "short", locale=locale)


def short_time(moment: datetime) -> str:
    """10:00 AM / 10:00 in the user's locale (cached: the calendar writes thousands)."""
    return _time_text(moment.hour, moment.minute, current_locale())


@dataclass(slots=True, eq=False)
class CalendarEntry:
    """One occurrence as the calendar shows it (built by the thousand: plain slots, not frozen;
    treat as read-only)."""

    occ: Occurrence
    start: datetime  # wall time where the user is (the follow-up's own zone converted)
    end: datetime
    who: str  # the client as discreet mode allows: a name, or initials
    code: str  # the client code
    overdue: bool = False
    conflict: bool = False  # overlaps another scheduled follow-up: double-booked

    @property
    def key(self) -> tuple[str, datetime]:
        """(series id, original start): names the occurrence across reloads."""
        return (self.occ.follow_up_id, self.occ.original_start)

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def all_day(self) -> bool:
        return self.occ.all_day

    @property
    def status(self) -> Status:
        return self.occ.status


def marks(entry: CalendarEntry) -> str:
    """The glyphs in front of a painted label: double-booked, then the status."""
    out = CONFLICT_MARK + " " if entry.conflict else ""
    status = STATUS_MARKS.get(entry.status)
    if status:
        out += status + " "
    elif entry.overdue:
        out += "!" + " "
    return out


def entry_label(entry: CalendarEntry, *, with_time: bool = True) -> str:
    """What a month line or a week block's first line says: marks, time, client."""
    when = short_time(entry.start) + " " if with_time and not entry.all_day else ""
    return f"{marks(entry)}{when}{entry.who}"


def status_words(entry: CalendarEntry) -> str:
    """The status in words, overdue and double-booked included."""
    words = [entry.status.label]
    if entry.overdue:
        words.append(_("overdue"))
    if entry.conflict:
        words.append(_("double-booked"))
    return " · ".join(words)


def when_words(entry: CalendarEntry) -> str:
    day = format_date(entry.day, "full")
    if entry.all_day:
        last = (entry.end.date() if entry.end.date() > entry.start.date() else entry.start.date())
        if last != entry.day:
            return _("{first} to {last}, all day").format(first=day, last=format_date(last, "full"))
        return _("{day}, all day").format(day=day)
    return _("{day}, {start} to {end}").format(day=day, start=short_time(entry.start), end=short_time(entry.end))


def describe(entry: CalendarEntry) -> str:
    """The sentence a screen reader hears for one follow-up (no place or purpose: the client's
    name is the only client detail, and discreet mode turns it into initials)."""
    tier = tier_of(entry)
    tier_words = _("{tier} tier").format(tier=tier.label) if tier is not None else _("Tier not yet set")
    return _("{kind} with {who} ({code}), {when}. {tier}. {status}.").format(
        kind=entry.occ.kind.label, who=entry.who, code=entry.code, when=when_words(entry), tier=tier_words,
        status=status_words(entry))


def sort_key(entry: CalendarEntry) -> tuple[bool, datetime, str]:
    return (not entry.all_day, entry.start, entry.code)


def mark_clashes(entries: Sequence[CalendarEntry]) -> int:
    """Set `conflict` on every scheduled, timed entry that overlaps another one (an all-day or a
    no-longer-scheduled follow-up never makes a double booking). O(n log n): sorted by start, an
    entry overlaps an earlier one when the latest end so far is after its start, and a later
    one when the next start is before its end. Returns how many."""
    timed = sorted((e for e in entries if not e.all_day and e.occ.status is Status.SCHEDULED),
                   key=attrgetter("start"))
    latest: datetime | None = None
    count = 0
    for pos, entry in enumerate(timed):
        if (latest is not None and latest > entry.start) or (
                pos + 1 < len(timed) and timed[pos + 1].start < entry.end):
            entry.conflict = True
            count += 1
        if latest is None or entry.end > latest:
            latest = entry.end
    return count


def week_start(day: date, first_weekday: int) -> date:
    """The first day (Monday = 0 … Sunday = 6 is `first_weekday`) of the week holding `day`."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def first_weekday() -> int:
    """The locale's first day of the week (Monday = 0), from babel like the rest of the app's formats."""
    from babel import Locale, UnknownLocaleError

    try:
        return int(Locale.parse(current_locale()).first_week_day)
    except (ValueError, UnknownLocaleError):
        return 0


def weekday_names(first: int, width: str = "abbreviated") -> list[str]:
    from babel.dates import get_day_names

    names = get_day_names(width, locale=current_locale())
    return [str(names[(first + i) % 7]) for i in range(7)]


def draw_badge(p: QPainter, right: float, top: float, height: float, tier: Tier, fm: QFontMetrics) -> float:
    """Paint a tier pill ending at `right`; returns its left edge."""
    letter = tier_letter(tier)
    width = fm.horizontalAdvance(letter) + 8
    rect = QRectF(right - width, top, width, height)
    bg, fg = badge_colours(tier)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(bg)
    p.drawRoundedRect(rect, height / 2, height / 2)
    p.setPen(fg)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, letter)
    return rect.left()


class MonthView(QWidget):
    """Six weeks from the week holding the 1st of the shown month."""

    day_selected = Signal(object)  # date: the selection moved (the page follows it out of the month)
    day_activated = Signal(object)  # date: Enter on a day
    more_requested = Signal(object)  # date: "+N more" clicked
    slot_activated = Signal(object, bool)  # datetime, all day: a double-click on a day
    entry_activated = Signal(object)  # CalendarEntry: a double-click on a follow-up
    context_requested = Signal(object, QPoint)  # CalendarEntry, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_("Month"))
        self.setMinimumSize(QSize(420, 320))
        self.grid_start = date.today()
        self.month = date.today().replace(day=1)
        self.selected = date.today()
        self.today = date.today()
        self.first_weekday = 0
        self._by_day: dict[date, list[CalendarEntry]] = {}
        self._labels: dict[tuple[str, datetime], str] = {}
        self._hits: list[tuple[QRect, CalendarEntry | date]] = []  # the last paint's lines and "+N more"
        self.empty_text = ""
        self.painted_texts: list[str] = []
        self._day_names: list[str] = []

    # -- contents ------------------------------------------------------------------------------

    def set_period(self, month: date, first_weekday: int, entries: Iterable[CalendarEntry], today: date,
                   selected: date) -> None:
        """Show the month holding `month`, its entries (sorted by start) and the selected day."""
        self.month = month.replace(day=1)
        self.first_weekday = first_weekday
        self.grid_start = week_start(self.month, first_weekday)
        self.today = today
        # The entries come sorted by start: per day, all-day ones first, then the rest in order.
        by_day: dict[date, list[CalendarEntry]] = {}
        all_day: dict[date, list[CalendarEntry]] = {}
        for entry in entries:
            (all_day if entry.occ.all_day else by_day).setdefault(entry.start.date(), []).append(entry)
        for day, items in all_day.items():
            by_day[day] = items + by_day.get(day, [])
        self._by_day = by_day
        self._labels = {}
        self._day_names = weekday_names(first_weekday)
        self.selected = selected
        self._describe()
        self.update()

    def clear(self) -> None:
        self._by_day, self._labels, self._hits = {}, {}, []
        self.painted_texts = []
        self.setAccessibleDescription("")
        self.update()

    def days(self) -> list[date]:
        return [self.grid_start + timedelta(days=i) for i in range(42)]

    def entries_on(self, day: date) -> list[CalendarEntry]:
        return list(self._by_day.get(day, ()))

    def select(self, day: date) -> None:
        if day == self.selected:
            return
        self.selected = day
        self._describe()
        self.update()

    def _describe(self) -> None:
        items = self._by_day.get(self.selected, [])
        day = format_date(self.selected, "full")
        if not items:
            text = _("{day}: nothing planned.").format(day=day)
        else:
            first = "; ".join(describe(e) for e in items[:3])
            text = ngettext("{day}: {n} follow-up. {first}", "{day}: {n} follow-ups. First: {first}",
                            len(items)).format(day=day, n=len(items), first=first)
        self.setAccessibleDescription(text)

    # -- geometry ------------------------------------------------------------------------------

    def _header_height(self) -> int:
        return self.fontMetrics().height() + 10

    def cell_rect(self, day: date) -> QRect:
        index = (day - self.grid_start).days
        if not 0 <= index < 42:
            return QRect()
        top = self._header_height()
        width, height = self.width() / 7, (self.height() - top) / 6
        row, col = divmod(index, 7)
        x0, x1 = round(col * width), round((col + 1) * width)
        y0, y1 = round(top + row * height), round(top + (row + 1) * height)
        return QRect(x0, y0, x1 - x0, y1 - y0)

    def day_at(self, pos: QPoint) -> date | None:
        top = self._header_height()
        if pos.y() < top or pos.x() < 0 or pos.x() >= self.width():
            return None
        col = int(pos.x() // (self.width() / 7))
        row = int((pos.y() - top) // ((self.height() - top) / 6))
        if not (0 <= col < 7 and 0 <= row < 6):
            return None
        return self.grid_start + timedelta(days=row * 7 + col)

    def _hit(self, pos: QPoint) -> CalendarEntry | date | None:
        for rect, what in self._hits:
            if rect.contains(pos):
                return what
        return None

    # -- painting ------------------------------------------------------------------------------

    def _label(self, entry: CalendarEntry) -> str:
        text = self._labels.get(entry.key)
        if text is None:
            text = self._labels[entry.key] = entry_label(entry)
        return text

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        c = theme.colors()
        p = QPainter(self)
        fm = self.fontMetrics()
        line_h = fm.height() + 3
        surface, border, text, muted = QColor(c.surface), QColor(c.border), QColor(c.text), QColor(c.muted)
        p.fillRect(self.rect(), surface)
        painted: list[str] = []
        hits: list[tuple[QRect, CalendarEntry | date]] = []
        header = self._header_height()
        width = self.width() / 7
        p.setPen(muted)
        for col, name in enumerate(self._day_names):
            rect = QRect(round(col * width), 0, round(width), header)
            p.drawText(rect.adjusted(8, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        strike = QFont(self.font())
        strike.setStrikeOut(True)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, (self.font().pointSizeF() if self.font().pointSizeF() > 0 else 10.0) * 0.85))
        small_fm = QFontMetrics(small)
        more_colour = QColor(c.accent)
        for day in self.days():
            cell = self.cell_rect(day)
            if day.month != self.month.month:
                p.fillRect(cell, QColor(c.surface_alt))
            p.setPen(QPen(border, 1))
            p.drawLine(cell.topLeft(), cell.topRight())
            p.drawLine(cell.topLeft(), cell.bottomLeft())
            # The day number; today's in an accent pill.
            number = str(day.day)
            num_rect = QRect(cell.left() + 4, cell.top() + 3, fm.horizontalAdvance("00") + 10, fm.height() + 2)
            if day == self.today:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(c.accent))
                p.drawRoundedRect(num_rect, num_rect.height() / 2, num_rect.height() / 2)
                p.setPen(QColor(c.accent_text))
                p.setFont(bold)
            else:
                p.setPen(text if day.month == self.month.month else muted)
                p.setFont(self.font())
            p.drawText(num_rect, Qt.AlignmentFlag.AlignCenter, number)
            p.setFont(self.font())
            items = self._by_day.get(day, [])
            y = num_rect.bottom() + 3
            room = max(0, (cell.bottom() - 2 - y) // line_h)
            shown = items if len(items) <= room else items[:max(0, room - 1)]
            for entry in shown:
                line = QRect(cell.left() + 4, y, cell.width() - 8, line_h - 1)
                self._paint_line(p, line, entry, fm, small_fm, small, strike, c)
                hits.append((line, entry))
                painted.append(self._label(entry))
                y += line_h
            hidden = len(items) - len(shown)
            if hidden > 0:
                more = ngettext("+{n} more", "+{n} more", hidden).format(n=hidden)
                line = QRect(cell.left() + 8, y, cell.width() - 12, line_h - 1)
                p.setPen(more_colour)
                p.setFont(bold)
                p.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, more)
                p.setFont(self.font())
                hits.append((line, day))
                painted.append(more)
        # The selected day on top of the grid lines.
        cell = self.cell_rect(self.selected)
        if cell.isValid():
            pen = QPen(QColor(c.accent), 3 if self.hasFocus() else 2)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(cell.adjusted(1, 1, -2, -2))
        if self.empty_text:
            self._paint_empty(p, fm, c)
            painted.append(self.empty_text)
        p.end()
        self._hits = hits
        self.painted_texts = painted

    def _paint_line(self, p: QPainter, line: QRect, entry: CalendarEntry, fm: QFontMetrics, small_fm: QFontMetrics,
                    small: QFont, strike: QFont, c: theme.Colors) -> None:
        colour = type_colour(entry.occ.kind)
        cancelled = entry.status is Status.CANCELLED
        done = entry.status in (Status.COMPLETED, Status.CANCELLED, Status.RESCHEDULED)
        if entry.all_day:
            p.fillRect(line, blend(colour, QColor(c.surface), 0.22 if not c.dark else 0.35))
        p.fillRect(QRect(line.left(), line.top() + 2, 4, line.height() - 4), colour)
        right = float(line.right())
        tier = tier_of(entry)
        if tier in BADGE_TIERS and tier is not None and line.width() > 60:
            p.setFont(small)
            right = draw_badge(p, right, line.top() + 2, line.height() - 4, tier, small_fm) - 3
        p.setFont(strike if cancelled else self.font())
        p.setPen(QColor(c.muted) if done else QColor(c.text))
        text_rect = QRect(line.left() + 8, line.top(), int(right) - line.left() - 8, line.height())
        p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fm.elidedText(self._label(entry), Qt.TextElideMode.ElideRight, text_rect.width()))
        p.setFont(self.font())

    def _paint_empty(self, p: QPainter, fm: QFontMetrics, c: theme.Colors) -> None:
        width = min(self.width() - 40, fm.horizontalAdvance(self.empty_text) + 40)
        box = QRect((self.width() - width) // 2, self.height() // 2 - fm.height() * 2, width, fm.height() * 3)
        p.setPen(QPen(QColor(c.border), 1))
        p.setBrush(QColor(c.surface))
        p.drawRoundedRect(box, 10, 10)
        p.setPen(QColor(c.muted))
        p.drawText(box.adjusted(16, 0, -16, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                   self.empty_text)

    # -- mouse and keys ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position().toPoint()
        day = self.day_at(pos)
        if day is not None:
            self.setFocus()
            if day != self.selected:
                self.select(day)
                self.day_selected.emit(day)
        hit = self._hit(pos)
        if isinstance(hit, date) and event.button() == Qt.MouseButton.LeftButton:
            self.more_requested.emit(hit)
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position().toPoint()
        hit = self._hit(pos)
        if isinstance(hit, CalendarEntry):
            self.entry_activated.emit(hit)
            return
        day = self.day_at(pos)
        if day is not None and hit is None:
            self.slot_activated.emit(datetime.combine(day, time(9, 0)), False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        hit = self._hit(event.pos())
        if isinstance(hit, CalendarEntry):
            self.context_requested.emit(hit, event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}
        if key in steps and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            day = self.selected + timedelta(days=steps[key])
            self.select(day)
            self.day_selected.emit(day)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.day_activated.emit(self.selected)
            return
        if key == Qt.Key.Key_Home:
            self.select(week_start(self.selected, self.first_weekday))
            self.day_selected.emit(self.selected)
            return
        if key == Qt.Key.Key_End:
            self.select(week_start(self.selected, self.first_weekday) + timedelta(days=6))
            self.day_selected.emit(self.selected)
            return
        event.ignore()  # PgUp/PgDn, T, M, W, A, N: the page's

    def focusInEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()
