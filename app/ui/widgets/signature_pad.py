"""A signature pad: sign with a mouse, a pen (with pressure) or a finger; undo the last stroke or
clear; show a kept signature read-only. Strokes are kept as data (app.models.signature), with
points normalised to the pad's signing area, so a PDF can draw them at any size.

For people who can't draw (keyboard only, a tremor, a phone call), pair the pad with a
"verbally agreed" choice: the pad says so in its accessible description.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.i18n import _, ngettext
from app.models.signature import DEFAULT_ASPECT, Signature, SignerRole, Stroke, drawn
from app.ui import theme

_MARGIN = 6.0
_BASELINE = 0.74  # where the line to sign on sits, as a share of the signing area's height


class SignatureCanvas(QWidget):
    """The surface signed on. `changed` is emitted after each finished stroke, undo or clear."""

    changed = Signal()

    def __init__(self, aspect: float = DEFAULT_ASPECT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._aspect = aspect
        self._strokes: list[tuple[list[tuple[float, float]], list[float]]] = []
        self._current: tuple[list[tuple[float, float]], list[float]] | None = None
        self._read_only = False
        self._hint = _("Sign here")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(180, 60)
        self.setAccessibleName(_("Signature pad"))
        self._describe()

    # -- data ----------------------------------------------------------------------------------

    @property
    def aspect(self) -> float:
        return self._aspect

    @property
    def is_empty(self) -> bool:
        return not self._strokes

    def strokes(self) -> list[Stroke]:
        """The finished strokes, normalised to the signing area (0–1), with pressure when a pen
        gave it for every point."""
        return [Stroke.of(points, pressure) for points, pressure in self._strokes]

    def set_strokes(self, strokes: Sequence[Stroke], aspect: float | None = None) -> None:
        """Show these strokes (e.g. a kept signature); the pad's shape follows `aspect`."""
        if aspect is not None and aspect > 0:
            self._aspect = aspect
            self.updateGeometry()
        self._current = None
        self._strokes = [(list(s.points), list(s.pressure)) for s in strokes if s.points]
        self._describe()
        self.update()

    def clear(self) -> None:
        if self._strokes or self._current:
            self._strokes.clear()
            self._current = None
            self._finished()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self._strokes:
            self._strokes.pop()
            self._finished()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._current = None
        self.setCursor(Qt.CursorShape.ArrowCursor if read_only else Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus if read_only else Qt.FocusPolicy.StrongFocus)
        self._describe()
        self.update()

    def is_read_only(self) -> bool:
        return self._read_only

    def set_hint(self, text: str) -> None:
        self._hint = text
        self.update()

    # -- geometry ------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, int(420 / self._aspect) + 2 * int(_MARGIN))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return int((width - 2 * _MARGIN) / self._aspect + 2 * _MARGIN)

    def area(self) -> QRectF:
        """The signing area: the largest box of the pad's shape that fits, centred."""
        outer = QRectF(self.rect()).adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        width = min(outer.width(), outer.height() * self._aspect)
        height = width / self._aspect
        return QRectF(outer.center().x() - width / 2, outer.center().y() - height / 2, width, height)

    def to_unit(self, pos: QPointF) -> tuple[float, float]:
        area = self.area()
        if area.width() <= 0 or area.height() <= 0:
            return (0.0, 0.0)
        x = (pos.x() - area.left()) / area.width()
        y = (pos.y() - area.top()) / area.height()
        return (min(1.0, max(0.0, x)), min(1.0, max(0.0, y)))

    def to_widget(self, x: float, y: float) -> QPointF:
        area = self.area()
        return QPointF(area.left() + x * area.width(), area.top() + y * area.height())

    # -- drawing -------------------------------------------------------------------------------

    def _begin(self, pos: QPointF, pressure: float | None) -> None:
        if self._read_only:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._current = ([self.to_unit(pos)], [] if pressure is None else [pressure])
        self.update()

    def _extend(self, pos: QPointF, pressure: float | None) -> None:
        if self._current is None:
            return
        points, pressures = self._current
        point = self.to_unit(pos)
        if points and points[-1] == point:
            return
        points.append(point)
        if pressure is not None and len(pressures) == len(points) - 1:
            pressures.append(pressure)
        self.update()

    def _end(self, pos: QPointF | None = None, pressure: float | None = None) -> None:
        if self._current is None:
            return
        if pos is not None:
            self._extend(pos, pressure)
        points, pressures = self._current
        self._current = None
        self._strokes.append((points, pressures if len(pressures) == len(points) else []))
        self._finished()

    def _finished(self) -> None:
        self._describe()
        self.update()
        self.changed.emit()

    def _describe(self) -> None:
        if self._strokes:
            state = ngettext("Signed: {n} stroke.", "Signed: {n} strokes.", len(self._strokes)).format(
                n=len(self._strokes))
        else:
            state = _("Not signed yet.")
        if self._read_only:
            self.setAccessibleDescription(state)
            return
        self.setAccessibleDescription(" ".join((state, _(
            "Draw a signature with a mouse, pen or finger. Ctrl+Z undoes the last stroke, Delete clears. "
            "If the person can't draw, choose “Agreed verbally” instead."))))

    # -- input ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and not self._read_only:
            self._begin(event.position(), None)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._current is not None:
            self._extend(event.position(), None)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._current is not None and event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        """A pen: accepted, so Qt doesn't also send the same motion as mouse events."""
        if self._read_only:
            event.ignore()
            return
        kind = event.type()
        pressure = float(event.pressure())
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position(), pressure)
        event.accept()

    def event(self, event: QEvent) -> bool:
        """A finger: the first touch point draws (a second finger is ignored)."""
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel) and isinstance(event, QTouchEvent):
            if self._read_only:
                return False
            points = event.points()
            pos = points[0].position() if points else None
            if kind == QEvent.Type.TouchBegin and pos is not None:
                self._begin(pos, None)
            elif kind == QEvent.Type.TouchUpdate and pos is not None:
                self._extend(pos, None)
            elif kind == QEvent.Type.TouchEnd:
                self._end(pos)
            else:  # cancelled: the stroke never happened
                self._current = None
                self.update()
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self._read_only:
            if event.matches(QKeySequence.StandardKey.Undo) or event.key() == Qt.Key.Key_Backspace:
                self.undo()
                event.accept()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.clear()
                event.accept()
                return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.update()

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        palette = self.palette()
        ink = palette.color(QPalette.ColorRole.Text)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if not self._read_only:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight) if self.hasFocus()
                                else palette.color(QPalette.ColorRole.Mid), 2 if self.hasFocus() else 1))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(frame, 8, 8)
        area = self.area()
        # The line to sign on, with a small cross where to start.
        base_y = area.top() + area.height() * _BASELINE
        painter.setPen(QPen(faint, 1))
        painter.drawLine(QPointF(area.left() + area.width() * 0.04, base_y),
                         QPointF(area.right() - area.width() * 0.04, base_y))
        if not self._read_only:
            cross = max(4.0, area.height() * 0.06)
            x0 = area.left() + area.width() * 0.04
            painter.drawLine(QPointF(x0, base_y - cross * 2.2), QPointF(x0 + cross, base_y - cross * 1.2))
            painter.drawLine(QPointF(x0 + cross, base_y - cross * 2.2), QPointF(x0, base_y - cross * 1.2))
            if not self._strokes and self._current is None:
                painter.setFont(theme.scaled_font(self, 1.0))
                hint = QRectF(area.left(), base_y + 2, area.width(), area.bottom() - base_y)
                painter.drawText(hint, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._hint)
        width = max(1.4, area.height() * 0.018)
        strokes = list(self._strokes)
        if self._current is not None:
            strokes.append(self._current)
        for points, pressures in strokes:
            self._paint_stroke(painter, points, pressures, ink, width)
        painter.end()

    def _paint_stroke(self, painter: QPainter, points: list[tuple[float, float]], pressures: list[float],
                      ink: QColor, width: float) -> None:
        pen = QPen(ink, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        if len(points) == 1:
            painter.setPen(pen)
            painter.drawPoint(self.to_widget(*points[0]))
            return
        if len(pressures) == len(points):
            # Pressure changes the width along the line, so draw it segment by segment.
            for i in range(1, len(points)):
                pen.setWidthF(width * (0.5 + (pressures[i - 1] + pressures[i]) / 2))
                painter.setPen(pen)
                painter.drawLine(self.to_widget(*points[i - 1]), self.to_widget(*points[i]))
            return
        path = QPainterPath(self.to_widget(*points[0]))
        for x, y in points[1:]:
            path.lineTo(self.to_widget(x, y))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)


class SignaturePad(QWidget):
    """A signing area with Undo and Clear; `read_only` shows a kept signature without them.

    Mirrors the canvas: `changed`, `strokes()`, `set_strokes()`, `is_empty`, `clear()`, `undo()`.
    """

    changed = Signal()

    def __init__(self, label: str = "", aspect: float = DEFAULT_ASPECT, *, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.canvas = SignatureCanvas(aspect)
        if label:
            self.canvas.setAccessibleName(label)
        self.canvas.changed.connect(self._changed)
        layout.addWidget(self.canvas)
        self.tools = QWidget()
        row = QHBoxLayout(self.tools)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addStretch(1)
        self.undo_button = QPushButton(_("Undo stroke"))
        self.undo_button.setIcon(theme.icon("mdi6.undo"))
        self.undo_button.setToolTip(_("Remove the last stroke (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.canvas.undo)
        row.addWidget(self.undo_button)
        self.clear_button = QPushButton(_("Clear"))
        self.clear_button.setIcon(theme.icon("mdi6.eraser"))
        self.clear_button.setToolTip(_("Start the signature again (Delete)"))
        self.clear_button.clicked.connect(self.canvas.clear)
        row.addWidget(self.clear_button)
        for button in (self.undo_button, self.clear_button):
            button.setAutoDefault(False)
            if label:
                button.setAccessibleName(f"{button.text()} — {label}")
        layout.addWidget(self.tools)
        self.setFocusProxy(self.canvas)
        self.set_read_only(read_only)

    def _changed(self) -> None:
        self._sync_buttons()
        self.changed.emit()

    def _sync_buttons(self) -> None:
        editable = not self.canvas.is_read_only() and self.isEnabled()
        self.undo_button.setEnabled(editable and not self.canvas.is_empty)
        self.clear_button.setEnabled(editable and not self.canvas.is_empty)

    @property
    def is_empty(self) -> bool:
        return self.canvas.is_empty

    @property
    def aspect(self) -> float:
        return self.canvas.aspect

    def strokes(self) -> list[Stroke]:
        return self.canvas.strokes()

    def set_strokes(self, strokes: Sequence[Stroke], aspect: float | None = None) -> None:
        self.canvas.set_strokes(strokes, aspect)
        self._sync_buttons()

    def show_signature(self, signature: Signature) -> None:
        """Show a kept signature read-only."""
        self.set_read_only(True)
        self.set_strokes(signature.strokes, signature.aspect)

    def signature(self, role: SignerRole, name: str, signed_at: datetime) -> Signature:
        """What is drawn now, as a Signature."""
        return drawn(role, name, signed_at, self.strokes(), self.aspect)

    def clear(self) -> None:
        self.canvas.clear()

    def undo(self) -> None:
        self.canvas.undo()

    def set_read_only(self, read_only: bool) -> None:
        self.canvas.set_read_only(read_only)
        self.tools.setVisible(not read_only)
        self._sync_buttons()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:
            self._sync_buttons()
