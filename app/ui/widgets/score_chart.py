"""One instrument's scores over time, painted with QPainter (no QtCharts: it opens instantly).

x is the date, y the score on the instrument's own range. The instrument's bands are shaded as
horizontal stripes with their labels, deeper for the worse bands — so WHO-5, where higher is
better, is shaded darkest at the bottom. The positive threshold is a dashed line; a point that
raised a flag (PHQ-9 item 9) is a triangle, a prorated score a hollow circle, and an
administration without a valid score a cross on the floor with a gap in the line. Colour is never
the only signal, and every colour comes from the palette in use (light or dark).

The chart is focusable: Left/Right (Home/End) move a highlighted point, whose sentence becomes
the accessible description; with no point highlighted the description summarises the trend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.i18n import _, current_locale, format_date, format_number, ngettext
from app.models.instruments import CSSRS_LEVELS, Instrument
from app.models.screening import Administration
from app.ui import theme
from app.ui.theme import SPACING

# -- what is plotted ---------------------------------------------------------------------------


def number_text(value: int) -> str:
    """A whole score in the locale's digits (cached: a long history repeats the same few)."""
    return _number(value, current_locale())


@lru_cache(maxsize=512)
def _number(value: int, locale_id: str) -> str:
    return format_number(value)


@dataclass(frozen=True, slots=True)
class Stripe:
    """One band as drawn: from `low` to `high` on the chart's scale; `severity` 0 (best) … 1 (worst)."""

    low: float
    high: float
    label: str
    severity: float


@dataclass(frozen=True, slots=True)
class Scale:
    """The y axis of one instrument: its range, bands, threshold and which way is better."""

    low: int
    high: int
    stripes: tuple[Stripe, ...]
    higher_is_better: bool
    caption: str
    threshold: float | None = None  # where the dashed line is drawn (between two whole scores)
    threshold_label: str = ""
    percent: bool = False
    levels: tuple[str, ...] = ()  # an ordinal scale (C-SSRS risk level): the name of each value

    def text(self, value: int) -> str:
        """A value on this scale as a person reads it: "12", "64 %", "Low"."""
        if self.levels:
            return self.levels[value] if 0 <= value < len(self.levels) else ""
        if self.percent:
            return _("{value} %").format(value=_number(value, current_locale()))
        return _number(value, current_locale())

    def band_at(self, value: float) -> str:
        for stripe in self.stripes:
            if stripe.low <= value <= stripe.high:
                return stripe.label
        return ""


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One administration on the chart. `value` is None when it has no valid score."""

    on: date
    value: int | None
    band: str = ""
    flags: tuple[str, ...] = ()  # each flag raised, short ("Item 9: 1")
    prorated: bool = False
    note: str = ""  # why there is no score


def scale_for(instrument: Instrument, sex: str | None = None) -> Scale:
    """The chart's scale for `instrument`: WHO-5 as its percentage (bands are on the percentage),
    the C-SSRS screener as its risk levels, everything else as its total."""
    if instrument.method == "cssrs_screener":
        n = len(CSSRS_LEVELS)
        levels = tuple(Stripe(i - 0.5, i + 0.5, level, i / (n - 1)) for i, level in enumerate(CSSRS_LEVELS))
        return Scale(0, n - 1, levels, False, _("Risk level from the screener answers · ↑ higher is worse"),
                     levels=CSSRS_LEVELS)
    assert instrument.range is not None
    percent = instrument.bands_on == "percent" and instrument.percent_multiplier is not None
    multiplier = instrument.percent_multiplier or 1
    scale = multiplier if percent else 1
    low, high = instrument.range[0] * scale, instrument.range[1] * scale
    n = len(instrument.bands)
    stripes: list[Stripe] = []
    for i, band in enumerate(instrument.bands):
        rank = i / (n - 1) if n > 1 else 0.0
        stripes.append(Stripe(band.min - 0.5, band.max + 0.5, band.label,
                              1.0 - rank if instrument.higher_is_better else rank))
    if percent:
        caption = (_("Percentage score, {low}–{high} · ↑ higher is better") if instrument.higher_is_better
                   else _("Percentage score, {low}–{high} · ↑ higher is worse")).format(low=low, high=high)
    else:
        caption = (_("Total score, {low}–{high} · ↑ higher is better") if instrument.higher_is_better
                   else _("Total score, {low}–{high} · ↑ higher is worse")).format(low=low, high=high)
    result = Scale(low, high, tuple(stripes), instrument.higher_is_better, caption, percent=percent)
    rule = instrument.positive
    if rule is None:
        return result
    cut = rule.at_least if rule.at_least is not None else rule.at_most
    if rule.by_sex is not None:
        cut = rule.by_sex.get(sex if sex in ("female", "male") else "unknown")
        rule_at_least = True
    else:
        rule_at_least = rule.at_least is not None
    if cut is None:
        return result
    if rule.on == "percent" and not percent:
        cut = round(cut / multiplier)
    elif rule.on == "total" and percent:
        cut *= multiplier
    shown = result.text(cut)
    label = (_("Positive at {value} or more") if rule_at_least else _("Positive at {value} or less")).format(value=shown)
    line = cut - 0.5 if rule_at_least else cut + 0.5
    return Scale(low, high, tuple(stripes), instrument.higher_is_better, caption, line, label, percent)


def flag_texts(instrument: Instrument, admin: Administration) -> tuple[str, ...]:
    """Each flag the administration raised, in a few words (the item and the answer when known)."""
    texts = []
    for flag_id in admin.flags:
        rule = next((r for r in instrument.flags if r.id == flag_id), None)
        if rule is not None and rule.item is not None:
            answer = admin.answer(rule.item)
            texts.append(_("Item {item}: {value}").format(item=rule.item, value=answer)
                         if answer is not None else _("Item {item} flag").format(item=rule.item))
        elif flag_id == "suicide_risk":
            texts.append(_("Suicide-risk flag"))
        else:
            texts.append(flag_id.replace("_", " "))
    return tuple(texts)


def chart_value(instrument: Instrument, admin: Administration) -> int | None:
    """The administration's value on the chart's scale, or None when it has no valid score."""
    if instrument.method == "cssrs_screener":
        return CSSRS_LEVELS.index(admin.risk) if admin.valid and admin.risk in CSSRS_LEVELS else None
    if not admin.valid or admin.total is None:
        return None
    if instrument.bands_on == "percent" and instrument.percent_multiplier:
        return admin.percent if admin.percent is not None else admin.total * instrument.percent_multiplier
    return admin.total


def series(instrument: Instrument, administrations: Sequence[Administration]) -> list[ChartPoint]:
    """Chart points for an instrument's administrations, oldest first."""
    points = []
    for admin in sorted(administrations, key=lambda a: a.administered_on):
        value = chart_value(instrument, admin)
        note = "" if value is not None else _("too many items missing or declined")
        points.append(ChartPoint(admin.administered_on, value, admin.band or "", flag_texts(instrument, admin),
                                 admin.prorated, note))
    return points


def change_sentence(scale: Scale, first: int, latest: int) -> str:
    """"4 points lower, which is better" — the direction in words, not only a sign."""
    diff = latest - first
    if diff == 0:
        return _("no change overall")
    better = (diff > 0) == scale.higher_is_better
    if scale.levels:
        if diff > 0:
            return _("higher, which is better") if better else _("higher, which is worse")
        return _("lower, which is better") if better else _("lower, which is worse")
    n = abs(diff)
    if diff > 0:
        if better:
            return ngettext("{n} point higher, which is better", "{n} points higher, which is better", n).format(n=n)
        return ngettext("{n} point higher, which is worse", "{n} points higher, which is worse", n).format(n=n)
    if better:
        return ngettext("{n} point lower, which is better", "{n} points lower, which is better", n).format(n=n)
    return ngettext("{n} point lower, which is worse", "{n} points lower, which is worse", n).format(n=n)


def _with_band(scale: Scale, point: ChartPoint) -> str:
    """"12 (Moderate)"; a risk level alone, as it is its own band."""
    shown = scale.text(point.value or 0)
    return shown if scale.levels or not point.band else _("{score} ({band})").format(score=shown, band=point.band)


def trend_summary(name: str, scale: Scale, points: Sequence[ChartPoint]) -> str:
    """A sentence or two for the whole chart: how many scores, first, latest and the change."""
    valid = [p for p in points if p.value is not None]
    unscored = len(points) - len(valid)
    if not valid:
        text = _("{name}: no valid score to plot yet.").format(name=name)
    elif len(valid) == 1:
        p = valid[0]
        text = _("{name}: one score, {score} on {date}.").format(
            name=name, score=_with_band(scale, p), date=format_date(p.on))
    else:
        first, latest = valid[0], valid[-1]
        assert first.value is not None and latest.value is not None
        text = _("{name}: {count} scores from {start} to {end}. First {first}, latest {latest}: {change}.").format(
            name=name, count=len(valid), start=format_date(first.on), end=format_date(latest.on),
            first=_with_band(scale, first), latest=_with_band(scale, latest),
            change=change_sentence(scale, first.value, latest.value))
    if unscored:
        text += " " + ngettext("{n} administration had no valid score and is shown as a cross, not plotted.",
                               "{n} administrations had no valid score and are shown as crosses, not plotted.",
                               unscored).format(n=unscored)
    return text


# -- date ticks --------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _pattern(skeleton: str, locale_id: str) -> str:
    """The locale's date pattern for a skeleton ("yMMM" → "MMM y" in English, "MMM y" in Spanish)."""
    from babel import Locale

    fallback = {"yMMM": "MMM y", "MMMd": "MMM d", "y": "y"}[skeleton]
    try:
        found = Locale.parse(locale_id).datetime_skeletons.get(skeleton)
    except (ValueError, TypeError):
        return fallback
    return found.pattern if found is not None else fallback


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def date_ticks(start: date, end: date, max_ticks: int) -> tuple[list[date], str]:
    """Round dates between start and end (at most max_ticks of them) and the skeleton to label them."""
    span = max(1, (end - start).days)
    max_ticks = max(2, max_ticks)
    for days in (1, 2, 7, 14):
        if span / days <= max_ticks:
            first = start if days < 7 else start + timedelta(days=(7 - start.weekday()) % 7)
            ticks = []
            d = first
            while d <= end:
                ticks.append(d)
                d += timedelta(days=days)
            return ticks, "MMMd"
    for months in (1, 2, 3, 6, 12, 24, 60, 120):
        if span / (months * 30.44) <= max_ticks:
            d = _add_months(start, 1) if start.day != 1 else start
            while (d.year * 12 + d.month - 1) % months:
                d = _add_months(d, 1)
            ticks = []
            while d <= end:
                ticks.append(d)
                d = _add_months(d, months)
            return ticks, "y" if months >= 12 else "yMMM"
    return [start, end], "y"


# -- the widget --------------------------------------------------------------------------------


def _blend(under: QColor, over: QColor, alpha: float) -> QColor:
    return QColor.fromRgbF(
        under.redF() + (over.redF() - under.redF()) * alpha,
        under.greenF() + (over.greenF() - under.greenF()) * alpha,
        under.blueF() + (over.blueF() - under.blueF()) * alpha,
    )


@dataclass(slots=True)
class _Layout:
    size: tuple[int, int]
    plot: QRectF
    d0: int  # date ordinals at the left and right edge
    d1: int
    y0: float  # scale values at the bottom and top edge
    y1: float
    positions: list[QPointF]  # one per point; crosses sit on the floor
    stripes: list[tuple[str, QRectF]]  # each band's stripe inside the plot, bottom band first


class ScoreChart(QWidget):
    """The score-history chart of one instrument; `set_series(name, scale_for(…), series(…))` fills it."""

    current_changed = Signal(int)  # index of the highlighted point (oldest = 0), -1 for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(360, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._name = ""
        self._scale: Scale | None = None
        self._points: list[ChartPoint] = []
        self._current = -1
        self._hover = -1
        self._layout: _Layout | None = None
        self.summary = ""
        self.setAccessibleName(_("Score chart"))
        self.setAccessibleDescription(_("No scores to show."))

    # -- contents ------------------------------------------------------------------------------

    def set_series(self, name: str, scale: Scale, points: Sequence[ChartPoint]) -> None:
        self._name, self._scale, self._points = name, scale, sorted(points, key=lambda p: p.on)
        self._current = self._hover = -1
        self._layout = None
        self.summary = trend_summary(name, scale, self._points)
        self.setAccessibleName(_("{name} scores over time").format(name=name))
        self.setAccessibleDescription(self.summary)
        self.update()

    def clear(self) -> None:
        QToolTip.hideText()
        self._name, self._scale, self._points = "", None, []
        self._current = self._hover = -1
        self._layout = None
        self.summary = ""
        self.setAccessibleName(_("Score chart"))
        self.setAccessibleDescription(_("No scores to show."))
        self.update()

    @property
    def points(self) -> list[ChartPoint]:
        return list(self._points)

    @property
    def scale(self) -> Scale | None:
        return self._scale

    @property
    def current(self) -> int:
        return self._current

    def set_current(self, index: int) -> None:
        """Highlight point `index` (-1: none) and announce it through the accessible description."""
        index = index if 0 <= index < len(self._points) else -1
        if index == self._current:
            return
        self._current = index
        self.setAccessibleDescription(self.point_sentence(index) if index >= 0 else self.summary)
        self.update()
        self.current_changed.emit(index)

    def point_text(self, index: int) -> str:
        """The tooltip of a point: date, score and band, then any flag or note, one per line."""
        p = self._points[index]
        assert self._scale is not None
        if p.value is None:
            lines = [_("{date}: not scored — {note}").format(date=format_date(p.on), note=p.note)]
        else:
            lines = [_("{date}: {score} — {band}").format(date=format_date(p.on), score=self._scale.text(p.value),
                                                          band=p.band)]
            if p.prorated:
                lines.append(_("Prorated: estimated from the items answered, as a few were missing."))
        lines += [_("Flag raised — {flag}").format(flag=f) for f in p.flags]
        return "\n".join(lines)

    def point_sentence(self, index: int) -> str:
        """What is announced when the point is highlighted from the keyboard."""
        text = ". ".join(line.rstrip(".") for line in self.point_text(index).split("\n"))
        return _("Point {n} of {count}. {text}.").format(n=index + 1, count=len(self._points), text=text)

    # -- geometry ------------------------------------------------------------------------------

    def _small_font(self) -> QFont:
        return theme.scaled_font(self, 0.9)

    def _geometry(self) -> _Layout:
        size = (self.width(), self.height())
        if self._layout is not None and self._layout.size == size:
            return self._layout
        fm = QFontMetricsF(self._small_font())
        scale = self._scale
        label_w = 0.0
        tick_w = fm.horizontalAdvance("100")
        if scale is not None:
            label_w = max((fm.horizontalAdvance(s.label) for s in scale.stripes), default=0.0)
            if scale.levels:
                tick_w = max(fm.horizontalAdvance(level) for level in scale.levels)
        right = min(label_w, max(90.0, self.width() * 0.18)) + SPACING * 2
        left = tick_w + SPACING * 2
        top = fm.height() + SPACING * 2
        bottom = fm.height() + SPACING * 2
        plot = QRectF(left, top, max(10.0, self.width() - left - right), max(10.0, self.height() - top - bottom))
        if self._points:
            first, last = self._points[0].on.toordinal(), self._points[-1].on.toordinal()
        else:
            first = last = date.today().toordinal()
        pad = max(7.0, (last - first) * 0.03)
        d0, d1 = int(first - pad), int(last + pad + 1)
        y0, y1 = (scale.low - 0.5, scale.high + 0.5) if scale is not None else (0.0, 1.0)
        layout = _Layout(size, plot, d0, d1, y0, y1, [], [])
        for stripe in scale.stripes if scale is not None else ():
            top = max(plot.top(), self._y(layout, stripe.high))
            bottom = min(plot.bottom(), self._y(layout, stripe.low))
            layout.stripes.append((stripe.label, QRectF(plot.left(), top, plot.width(), bottom - top)))
        for p in self._points:
            x = self._x(layout, p.on)
            y = self._y(layout, p.value) if p.value is not None else plot.bottom() - SPACING
            layout.positions.append(QPointF(x, y))
        self._layout = layout
        return layout

    @staticmethod
    def _x(layout: _Layout, day: date) -> float:
        plot = layout.plot
        return plot.left() + (day.toordinal() - layout.d0) / (layout.d1 - layout.d0) * plot.width()

    @staticmethod
    def _y(layout: _Layout, value: float) -> float:
        plot = layout.plot
        return plot.bottom() - (value - layout.y0) / (layout.y1 - layout.y0) * plot.height()

    @property
    def band_rects(self) -> list[tuple[str, QRectF]]:
        """The band stripes as painted at the current size: (label, rectangle in the plot), bottom
        band first (each stripe's shade also runs on under its label, right of the plot)."""
        return [(label, QRectF(rect)) for label, rect in self._geometry().stripes]

    def point_position(self, index: int) -> QPointF:
        return QPointF(self._geometry().positions[index])

    def nearest_point(self, pos: QPointF, reach: float = 12.0) -> int:
        """The point under (or within `reach` pixels across from) `pos`, or -1."""
        positions = self._geometry().positions
        best = min(range(len(positions)), default=-1,
                   key=lambda i: (abs(positions[i].x() - pos.x()), abs(positions[i].y() - pos.y())))
        return best if best >= 0 and abs(positions[best].x() - pos.x()) < reach else -1

    def tooltip_at(self, pos: QPointF) -> str:
        """What hovering at `pos` shows: the nearest point, else the band under the pointer."""
        index = self.nearest_point(pos)
        if index >= 0:
            return self.point_text(index)
        layout = self._geometry()
        if self._scale is not None and layout.plot.top() <= pos.y() <= layout.plot.bottom():
            value = layout.y0 + (layout.plot.bottom() - pos.y()) / layout.plot.height() * (layout.y1 - layout.y0)
            return self._scale.band_at(value)
        return ""

    # -- events --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self._layout = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FontChange:  # the margins follow the text size
            self._layout = None
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        n = len(self._points)
        key = event.key()
        if n and key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End):
            if key == Qt.Key.Key_Home:
                target = 0
            elif key == Qt.Key.Key_End or self._current < 0:
                target = n - 1
            elif key == Qt.Key.Key_Left:
                target = max(0, self._current - 1)
            else:
                target = min(n - 1, self._current + 1)
            self.set_current(target)
            event.accept()
            return
        if key == Qt.Key.Key_Escape and self._current >= 0:
            self.set_current(-1)
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        hover = self.nearest_point(pos)
        if hover != self._hover:
            self._hover = hover
            self.update()
        text = self.tooltip_at(pos)
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        index = self.nearest_point(event.position())
        if index >= 0:
            self.set_current(index)
        super().mousePressEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if self._hover >= 0:
            self._hover = -1
            self.update()
        super().leaveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        self.update()
        super().focusOutEvent(event)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        c = theme.colors()
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        muted = QColor(c.muted)
        accent = pal.color(QPalette.ColorRole.Highlight)
        danger = QColor(c.danger)
        painter = QPainter(self)
        painter.fillRect(self.rect(), base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        layout = self._geometry()
        plot = layout.plot
        small = self._small_font()
        painter.setFont(small)
        fm = QFontMetricsF(small)
        scale = self._scale
        if scale is None:
            painter.setPen(muted)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, _("No scores to show."))
            return
        self._paint_stripes(painter, layout, base, danger, text, muted, fm)
        self._paint_axes(painter, layout, scale, text, muted, fm)
        if scale.threshold is not None:
            y = self._y(layout, scale.threshold)
            painter.setPen(QPen(text, 1.3, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        self._paint_series(painter, layout, accent, base, danger, text, muted)
        if scale.threshold is not None:  # its label over the line and points, on a backing to stay legible
            y = self._y(layout, scale.threshold)
            width = fm.horizontalAdvance(scale.threshold_label)
            top = y - fm.height() - 2 if y - fm.height() - 2 > plot.top() else y + 2
            box = QRectF(plot.left() + SPACING / 2, top, width + SPACING, fm.height())
            backing = QColor(base)
            backing.setAlphaF(0.8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(backing)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, scale.threshold_label)
        self._paint_caption(painter, scale, fm, accent, base, danger, text, muted)
        if not self._points:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, _("No scores to show."))
        if self.hasFocus():
            painter.setPen(QPen(accent, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        painter.end()

    def _paint_stripes(self, painter: QPainter, layout: _Layout, base: QColor, tint: QColor,
                       text: QColor, muted: QColor, fm: QFontMetricsF) -> None:
        assert self._scale is not None
        plot = layout.plot
        right_edge = self.width() - SPACING / 2
        rects = layout.stripes
        # Deeper shades for worse bands; the faintest band still reads as a band.
        strength = 0.22 if theme.colors().dark else 0.17
        for stripe, (_label, rect) in zip(self._scale.stripes, rects, strict=True):
            shade = QRectF(rect.left(), rect.top(), right_edge - rect.left(), rect.height())
            painter.fillRect(shade, _blend(base, tint, 0.04 + strength * stripe.severity))
        painter.setPen(QPen(_blend(base, text, 0.18), 1))
        for _label, rect in rects[1:]:
            painter.drawLine(QPointF(plot.left(), rect.bottom()), QPointF(right_edge, rect.bottom()))
        label_w = right_edge - plot.right() - SPACING
        painter.setPen(_blend(muted, text, 0.35))
        for label, rect in rects:
            if rect.height() < fm.height() * 0.7:
                continue  # too thin to label; hovering it still names it
            shown = fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w)
            painter.drawText(QRectF(plot.right() + SPACING, rect.top(), label_w, rect.height()),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)

    def _paint_axes(self, painter: QPainter, layout: _Layout, scale: Scale, text: QColor, muted: QColor,
                    fm: QFontMetricsF) -> None:
        plot = layout.plot
        locale_id = current_locale()
        painter.setPen(QPen(muted, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        # y ticks: every level, or a round step that leaves room between labels
        if scale.levels:
            values = list(range(len(scale.levels)))
        else:
            span = scale.high - scale.low
            room = max(2, int(plot.height() / (fm.height() * 1.8)))
            step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= room), span or 1)
            first = -(-scale.low // step) * step
            values = list(range(first, scale.high + 1, step))
        for value in values:
            y = self._y(layout, value)
            painter.setPen(QPen(muted, 1))
            painter.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y))
            label = scale.levels[value] if scale.levels else _number(value, locale_id)
            painter.setPen(text)
            painter.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        # x ticks: round dates labelled in the locale's own order
        sample = format_date(date(2000, 12, 28), _pattern("yMMM", locale_id))
        room = int(plot.width() / (fm.horizontalAdvance(sample) + SPACING * 3))
        start, end = date.fromordinal(layout.d0), date.fromordinal(layout.d1)
        ticks, skeleton = date_ticks(start, end, room)
        pattern = _pattern(skeleton, locale_id)
        last_right = -1e9
        for day in ticks:
            x = self._x(layout, day)
            if x < plot.left() or x > plot.right():
                continue
            painter.setPen(QPen(muted, 1))
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            label = format_date(day, pattern)
            width = fm.horizontalAdvance(label)
            left = min(max(x - width / 2, 0.0), self.width() - width)
            if left < last_right + SPACING:
                continue
            painter.setPen(text)
            painter.drawText(QPointF(left, plot.bottom() + 6 + fm.ascent()), label)
            last_right = left + width

    def _marker_radius(self, layout: _Layout) -> float:
        scored = sum(1 for p in self._points if p.value is not None)
        return 4.0 if scored * 12 < layout.plot.width() else 2.75

    def _paint_series(self, painter: QPainter, layout: _Layout, accent: QColor, base: QColor, danger: QColor,
                      text: QColor, muted: QColor) -> None:
        plot = layout.plot
        positions = layout.positions
        path = QPainterPath()
        drawing = False
        for p, pos in zip(self._points, positions, strict=True):
            if p.value is None:
                drawing = False  # a gap where an administration has no valid score
                continue
            if drawing:
                path.lineTo(pos)
            else:
                path.moveTo(pos)
                drawing = True
        highlighted = self._current if self._current >= 0 else self._hover
        if highlighted >= 0:
            x = positions[highlighted].x()
            painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(QPen(accent, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        r = self._marker_radius(layout)
        for p, pos in zip(self._points, positions, strict=True):
            self._marker(painter, p, pos, r, accent, base, danger, text, muted)
        if highlighted >= 0:
            painter.setPen(QPen(text, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(positions[highlighted], r + 4, r + 4)

    @staticmethod
    def _marker(painter: QPainter, p: ChartPoint, pos: QPointF, r: float, accent: QColor, base: QColor,
                danger: QColor, text: QColor, muted: QColor) -> None:
        if p.value is None:  # a cross on the floor
            painter.setPen(QPen(text, 1.6))
            d = r + 1
            painter.drawLine(QPointF(pos.x() - d, pos.y() - d), QPointF(pos.x() + d, pos.y() + d))
            painter.drawLine(QPointF(pos.x() - d, pos.y() + d), QPointF(pos.x() + d, pos.y() - d))
        if p.flags:  # a triangle, larger, outlined: shape as well as colour (above the cross if unscored)
            d = max(r * 1.7, 5.5)
            tip = QPointF(pos.x(), pos.y() - (d * 2.6 if p.value is None else 0))
            painter.setPen(QPen(text, 1.2))
            painter.setBrush(danger)
            painter.drawPolygon(QPolygonF([QPointF(tip.x(), tip.y() - d), QPointF(tip.x() + d, tip.y() + d * 0.8),
                                           QPointF(tip.x() - d, tip.y() + d * 0.8)]))
        elif p.value is None:
            return
        elif p.prorated:  # hollow
            painter.setPen(QPen(accent, 1.8))
            painter.setBrush(base)
            painter.drawEllipse(pos, r, r)
        else:
            painter.setPen(QPen(base, 1))
            painter.setBrush(accent)
            painter.drawEllipse(pos, r, r)

    def _paint_caption(self, painter: QPainter, scale: Scale, fm: QFontMetricsF, accent: QColor, base: QColor,
                       danger: QColor, text: QColor, muted: QColor) -> None:
        """The axis caption ("↑ higher is better") on the left, a legend of the markers used on the right."""
        y = SPACING + fm.ascent()
        entries = [(ChartPoint(date.min, 0), _("Score"))]
        if any(p.prorated and p.value is not None and not p.flags for p in self._points):
            entries.append((ChartPoint(date.min, 0, prorated=True), _("Prorated")))
        if any(p.flags for p in self._points):
            entries.append((ChartPoint(date.min, 0, flags=("",)), _("Flag raised")))
        if any(p.value is None for p in self._points):
            entries.append((ChartPoint(date.min, None), _("Not scored")))
        x = float(self.width() - SPACING)
        for point, label in reversed(entries):
            width = fm.horizontalAdvance(label)
            x -= width
            painter.setPen(text)
            painter.drawText(QPointF(x, y), label)
            x -= 10
            self._marker(painter, point, QPointF(x, y - fm.ascent() / 2 + 1), 3.5, accent, base, danger, text, muted)
            x -= 10 + SPACING
        painter.setPen(text)
        caption = fm.elidedText(scale.caption, Qt.TextElideMode.ElideRight, max(0.0, x - SPACING * 2))
        painter.drawText(QPointF(SPACING, y), caption)
