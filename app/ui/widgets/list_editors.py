"""Keyboard-fast editors for lists: lines of text (Enter adds a line) and rows of fields (Enter
moves along the row, and at its end starts a new row). Errors are shown as sentences under the
list or under the row they are about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import link_button
from app.ui.widgets.inputs import DateField

MAX_LENGTH = 500


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("FieldError")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _mark_invalid(edit: QLineEdit, invalid: bool) -> None:
    edit.setProperty("invalid", invalid)
    edit.style().unpolish(edit)
    edit.style().polish(edit)


def _remove_button(tooltip: str) -> QToolButton:
    button = QToolButton()
    button.setIcon(theme.icon("mdi6.close"))
    button.setToolTip(tooltip)
    button.setAccessibleName(tooltip)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keyboard: Backspace on an empty line removes it
    return button


def _focus_after(container: QWidget, start: QWidget) -> None:
    """Move the focus to the first tab stop after `start` that is outside `container` (what Tab
    would reach after the list)."""
    nxt = start.nextInFocusChain()
    while nxt is not None and nxt is not start:
        tab_stop = bool(nxt.focusPolicy().value & Qt.FocusPolicy.TabFocus.value)
        if tab_stop and nxt.isVisible() and nxt.isEnabled() and not container.isAncestorOf(nxt):
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            return
        nxt = nxt.nextInFocusChain()


def _is_enter(event: QEvent) -> bool:
    return (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier)


class LinesEditor(QWidget):
    """A list of one-line entries. Enter adds a line after the current one; Enter on an empty last
    line moves on to the next field; Backspace on an empty line removes it; Up and Down move."""

    changed = Signal()
    reordered = Signal()  # lines were added or removed: the tab order needs putting right

    def __init__(self, name: str, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.placeholder = placeholder
        self.edits: list[QLineEdit] = []
        self._rows: list[QWidget] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        self.list_layout = QVBoxLayout()
        self.list_layout.setSpacing(4)
        outer.addLayout(self.list_layout)
        self.error = _error_label()
        outer.addWidget(self.error)
        self.add_line()

    def lines(self) -> list[str]:
        return [edit.text() for edit in self.edits]

    def set_lines(self, lines: Sequence[str]) -> None:
        while self.edits:
            self._remove(0, focus=False)
        for text in lines or [""]:
            self.add_line(text=text, focus=False)
        if lines and lines[-1].strip():
            self.add_line(focus=False)  # a ready empty line at the end

    def add_line(self, after: int | None = None, text: str = "", focus: bool = True) -> QLineEdit:
        index = len(self.edits) if after is None else after + 1
        row = QWidget()
        layout = QGridLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(6)
        bullet = QLabel("•")
        layout.addWidget(bullet, 0, 0)
        edit = QLineEdit(text)
        edit.setMaxLength(MAX_LENGTH)
        edit.setPlaceholderText(self.placeholder if index == 0 else _("Another one (or Enter to move on)"))
        edit.installEventFilter(self)
        edit.textEdited.connect(self._edited)
        layout.addWidget(edit, 0, 1)
        remove = _remove_button(_("Remove this line"))
        remove.clicked.connect(lambda _c=False, e=edit: self._remove(self.edits.index(e)))
        layout.addWidget(remove, 0, 2)
        layout.setColumnStretch(1, 1)
        self.edits.insert(index, edit)
        self._rows.insert(index, row)
        self.list_layout.insertWidget(index, row)
        self._rename()
        self._order_tabs()
        if focus:
            edit.setFocus()
        return edit

    def _remove(self, index: int, focus: bool = True) -> None:
        edit = self.edits.pop(index)
        row = self._rows.pop(index)
        edit.removeEventFilter(self)
        row.hide()
        row.deleteLater()
        if not self.edits and focus:
            self.add_line()
        elif focus and self.edits:
            target = self.edits[max(0, index - 1)]
            target.setFocus()
            target.end(False)
        self._rename()
        self._order_tabs()
        if focus:
            self.changed.emit()

    def _rename(self) -> None:
        for n, edit in enumerate(self.edits, start=1):
            edit.setAccessibleName(_("{list}, line {n}").format(list=self.name, n=n))

    def tab_widgets(self) -> list[QWidget]:
        """The tab stops, in order. Lines added later join the end of the window's focus chain,
        so a form puts them back in place when `reordered` is emitted."""
        return list(self.edits)

    def _order_tabs(self) -> None:
        chain = self.tab_widgets()
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.reordered.emit()

    def _edited(self, _text: str) -> None:
        self.changed.emit()

    def first_edit(self) -> QLineEdit:
        return self.edits[0]

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        for edit in self.edits:
            _mark_invalid(edit, bool(message))
        if self.edits:
            base = self.edits[0].accessibleName().split(" — ")[0]
            self.edits[0].setAccessibleName(f"{base} — {message}" if message else base)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QLineEdit) or watched not in self.edits:
            return False
        index = self.edits.index(watched)
        if _is_enter(event):
            if watched.text().strip():
                following = self.edits[index + 1] if index + 1 < len(self.edits) else None
                if following is not None and not following.text().strip():
                    following.setFocus()
                else:
                    self.add_line(after=index)
            elif index + 1 < len(self.edits):
                self.edits[index + 1].setFocus()
            else:
                _focus_after(self, watched)
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Backspace and not watched.text() and len(self.edits) > 1:
                self._remove(index)
                return True
            if key == Qt.Key.Key_Up and index > 0:
                self.edits[index - 1].setFocus()
                return True
            if key == Qt.Key.Key_Down and index + 1 < len(self.edits):
                self.edits[index + 1].setFocus()
                return True
        return False


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    placeholder: str = ""
    date: bool = False
    stretch: int = 1


class RowsEditor(QWidget):
    """Rows of fields (e.g. name, phone, place). Enter moves to the next field; at the end of the
    last row it starts a new row (or, if that row is empty, moves on past the list)."""

    changed = Signal()
    reordered = Signal()  # rows were added or removed: the tab order needs putting right

    def __init__(self, name: str, columns: Sequence[Column], add_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.columns = list(columns)
        self.rows: list[list[QLineEdit | DateField]] = []
        self.row_errors: list[QLabel] = []
        self._row_widgets: list[QWidget] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        header = QGridLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setHorizontalSpacing(SPACING)
        for col, column in enumerate(self.columns):
            caption = QLabel(column.label)
            caption.setProperty("muted", True)
            header.addWidget(caption, 0, col)
            header.setColumnStretch(col, column.stretch)
        spacer = QWidget()
        spacer.setFixedWidth(28)
        header.addWidget(spacer, 0, len(self.columns))
        outer.addLayout(header)
        self.header = header
        self.list_layout = QVBoxLayout()
        self.list_layout.setSpacing(4)
        outer.addLayout(self.list_layout)
        self.add_button = link_button(add_label)
        self.add_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_button.clicked.connect(lambda: self.add_row())
        outer.addWidget(self.add_button)
        self.error = _error_label()
        outer.addWidget(self.error)
        self.add_row(focus=False)

    # -- values --------------------------------------------------------------------------------

    def values(self) -> list[dict[str, str]]:
        """Every row as typed (dates as text), blank rows included so indexes match the screen."""
        return [{c.key: w.text() for c, w in zip(self.columns, row, strict=True)} for row in self.rows]

    def set_values(self, rows: Sequence[dict[str, str]]) -> None:
        while self.rows:
            self._remove(0, focus=False)
        for values in rows:
            self.add_row(values, focus=False)
        if not rows or any(v.strip() for v in rows[-1].values()):
            self.add_row(focus=False)

    def add_row(self, values: dict[str, str] | None = None, focus: bool = True) -> None:
        values = values or {}
        row_widget = QWidget()
        grid = QGridLayout(row_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(SPACING)
        grid.setVerticalSpacing(2)
        widgets: list[QLineEdit | DateField] = []
        for col, column in enumerate(self.columns):
            widget: QLineEdit | DateField
            if column.date:
                widget = DateField()
                widget.set_text(values.get(column.key, ""))
                widget.edit.installEventFilter(self)
                widget.edit.textEdited.connect(self._edited)
            else:
                widget = QLineEdit(values.get(column.key, ""))
                widget.setMaxLength(MAX_LENGTH)
                widget.installEventFilter(self)
                widget.textEdited.connect(self._edited)
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(column.placeholder)
            grid.addWidget(widget, 0, col)
            grid.setColumnStretch(col, column.stretch)
            widgets.append(widget)
        remove = _remove_button(_("Remove this row"))
        remove.clicked.connect(lambda _c=False, w=row_widget: self._remove(self._row_widgets.index(w)))
        grid.addWidget(remove, 0, len(self.columns))
        error = _error_label()
        grid.addWidget(error, 1, 0, 1, len(self.columns))
        self.rows.append(widgets)
        self.row_errors.append(error)
        self._row_widgets.append(row_widget)
        self.list_layout.addWidget(row_widget)
        self._rename()
        self._order_tabs()
        if focus:
            widgets[0].setFocus()
            self.changed.emit()

    def _remove(self, index: int, focus: bool = True) -> None:
        self.rows.pop(index)
        self.row_errors.pop(index)
        widget = self._row_widgets.pop(index)
        widget.hide()
        widget.deleteLater()
        if focus and not self.rows:
            self.add_row()
        elif focus:
            self.rows[max(0, index - 1)][0].setFocus()
        self._rename()
        self._order_tabs()
        if focus:
            self.changed.emit()

    def _rename(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            for column, widget in zip(self.columns, row, strict=True):
                widget.setAccessibleName(_("{list}, row {n}: {field}").format(list=self.name, n=n, field=column.label))

    def tab_widgets(self) -> list[QWidget]:
        """The tab stops, in order (see LinesEditor.tab_widgets)."""
        chain: list[QWidget] = []
        for row in self.rows:
            for widget in row:
                chain.extend((widget.edit, widget.pick) if isinstance(widget, DateField) else (widget,))
        return chain

    def _order_tabs(self) -> None:
        chain = self.tab_widgets()
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.reordered.emit()

    def _edited(self, _text: str) -> None:
        self.changed.emit()

    def _position(self, watched: QObject) -> tuple[int, int] | None:
        for r, row in enumerate(self.rows):
            for c, widget in enumerate(row):
                if watched is widget or (isinstance(widget, DateField) and watched is widget.edit):
                    return r, c
        return None

    def _row_blank(self, index: int) -> bool:
        return not any(w.text().strip() for w in self.rows[index])

    def first_edit(self) -> QWidget:
        return self.rows[0][0]

    # -- errors --------------------------------------------------------------------------------

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def set_row_error(self, index: int, key: str, message: str) -> QWidget | None:
        if not 0 <= index < len(self.rows):
            self.set_error(message)
            return None
        label = self.row_errors[index]
        label.setText(f"{label.text()} {message}".strip() if label.isVisibleTo(self) else message)
        label.setVisible(True)
        col = next((i for i, c in enumerate(self.columns) if c.key == key), 0)
        widget = self.rows[index][col]
        edit = widget.edit if isinstance(widget, DateField) else widget
        _mark_invalid(edit, True)
        edit.setAccessibleDescription(message)
        return widget

    def clear_errors(self) -> None:
        self.set_error(None)
        for label in self.row_errors:
            label.clear()
            label.setVisible(False)
        for row in self.rows:
            for widget in row:
                edit = widget.edit if isinstance(widget, DateField) else widget
                _mark_invalid(edit, False)
                edit.setAccessibleDescription("")

    # -- keys ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not _is_enter(event):
            return False
        where = self._position(watched)
        if where is None:
            return False
        r, c = where
        if c + 1 < len(self.columns):
            self.rows[r][c + 1].setFocus()
        elif r + 1 < len(self.rows):
            self.rows[r + 1][0].setFocus()
        elif not self._row_blank(r):
            self.add_row()
        else:
            last = self.rows[-1][-1]
            _focus_after(self, last.edit if isinstance(last, DateField) else last)
        return True
