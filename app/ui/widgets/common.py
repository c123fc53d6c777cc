"""Page headers, banners, empty states and labelled form fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.ui import theme
from app.ui.theme import SPACING


def set_default_button(dialog: QWidget, button: QPushButton | None) -> None:
    """Enter in a dialog presses `button` (or nothing): no other button, such as "Browse…",
    becomes the default by accident."""
    for other in dialog.findChildren(QPushButton):
        other.setAutoDefault(False)
        other.setDefault(False)
    if button is not None:
        button.setDefault(True)


def dialog_buttons(
    dialog: QDialog, layout: QBoxLayout, primary: str, on_primary: Callable[[], None], *,
    cancel: str | None = None, leading: Sequence[QPushButton] = (),
) -> tuple[QPushButton, QPushButton]:
    """A dialog's bottom row: optional extra buttons on the left, then Cancel and the primary
    action on the right. Enter presses the primary button; returns (cancel, primary)."""
    row = QHBoxLayout()
    for button in leading:
        row.addWidget(button)
    row.addStretch(1)
    cancel_button = QPushButton(cancel or _("Cancel"))
    cancel_button.clicked.connect(dialog.reject)
    row.addWidget(cancel_button)
    primary_btn = primary_button(primary)
    primary_btn.clicked.connect(on_primary)
    row.addWidget(primary_btn)
    layout.addLayout(row)
    set_default_button(dialog, primary_btn)
    return cancel_button, primary_btn


def primary_button(text: str, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    button.setProperty("primary", True)
    button.setDefault(False)
    return button


def link_button(text: str, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    button.setProperty("link", True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return button


def muted_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("muted", True)
    label.setWordWrap(True)
    return label


class PageHeader(QWidget):
    """A page's title, an optional subtitle and its one primary action on the right."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, SPACING)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("PageTitle")
        self.title.setFont(theme.scaled_font(self, 1.7, bold=True))
        self.title.setAccessibleName(title)
        text.addWidget(self.title)
        self.subtitle = muted_label(subtitle, self)
        text.addWidget(self.subtitle)
        # Only once it has a parent: a label shown before that is a window of its own for a moment,
        # which takes the activation away from the main window.
        self.subtitle.setVisible(bool(subtitle))
        layout.addLayout(text, 1)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(SPACING)
        layout.addLayout(self.actions)

    def add_action(self, button: QPushButton) -> QPushButton:
        self.actions.addWidget(button)
        return button

    def set_subtitle(self, text: str) -> None:
        self.subtitle.setText(text)
        self.subtitle.setVisible(bool(text))


class Banner(QFrame):
    """A message strip: kind is 'info', 'warning' or 'error'. Text carries the meaning, the
    colour only supports it, and an icon repeats it for people who can't tell the colours apart."""

    def __init__(self, kind: str = "info", text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setProperty("kind", kind)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(SPACING)
        self.icon = QLabel()
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        self._kind = kind
        self.setVisible(False)
        if text:
            self.show_message(text)

    def set_kind(self, kind: str) -> None:
        self._kind = kind
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)

    def show_message(self, text: str, kind: str | None = None) -> None:
        self.set_kind(kind or self._kind)
        names = {"info": "mdi6.information-outline", "warning": "mdi6.alert-outline", "error": "mdi6.alert-octagon-outline"}
        tint = theme.colors().danger if self._kind == "error" else theme.colors().text
        # Loaded on first display, so the unlock screen never waits for the icon font.
        self.icon.setPixmap(theme.icon(names.get(self._kind, names["info"]), tint).pixmap(20, 20))
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.setAccessibleName(text)
        self.setVisible(True)

    def add_button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    def clear_buttons(self) -> None:
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()


class EmptyState(QWidget):
    """What belongs here, and the action that fills it."""

    def __init__(self, title: str, text: str, action: QPushButton | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(title)
        self.title.setFont(theme.scaled_font(self, 1.25, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        self.text = muted_label(text)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        if action is not None:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(action)
            row.addStretch(1)
            layout.addSpacing(SPACING)
            layout.addLayout(row)
        layout.addStretch(2)


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 12)
        self.body.setSpacing(SPACING)


class FieldGrid(QWidget):
    """Labels above inputs, an error sentence below each, laid out in columns.

    `add()` sets the input's accessible name from its label and returns the input.
    """

    def __init__(self, columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(SPACING * 2)
        self.grid.setVerticalSpacing(2)
        self.columns = columns
        self._next = 0
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        for col in range(columns):
            self.grid.setColumnStretch(col, 1)

    def add(self, name: str, label: str, widget: QWidget, *, required: bool = False, span: int = 1,
            hint: str = "") -> QWidget:
        row = (self._next // self.columns) * 3
        col = self._next % self.columns
        if col + span > self.columns:
            self._next += self.columns - col
            row, col = (self._next // self.columns) * 3, 0
        shown = f"{label} *" if required else label
        caption = QLabel(shown)
        caption.setBuddy(widget)
        self.grid.addWidget(caption, row, col, 1, span)
        self.grid.addWidget(widget, row + 1, col, 1, span)
        error = QLabel()
        error.setObjectName("FieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        self.grid.addWidget(error, row + 2, col, 1, span)
        accessible = label + (" " + _("(required)") if required else "")
        widget.setAccessibleName(accessible)
        inner = widget.lineEdit() if isinstance(widget, QComboBox) else None
        if inner is not None:  # an editable combo's own text field is what gets the focus
            inner.setAccessibleName(accessible)
        if hint:
            widget.setAccessibleDescription(hint)
            widget.setToolTip(hint)
        self.errors[name] = error
        self.inputs[name] = widget
        self.labels[name] = caption
        self._next += span
        return widget

    def set_error(self, name: str, message: str | None) -> None:
        error = self.errors.get(name)
        widget = self.inputs.get(name)
        if error is None or widget is None:
            return
        error.setText(message or "")
        error.setVisible(bool(message))
        styled = widget.focusProxy() or widget
        styled.setProperty("invalid", bool(message))
        styled.style().unpolish(styled)
        styled.style().polish(styled)
        base = widget.accessibleName().split(" — ")[0]
        widget.setAccessibleName(f"{base} — {message}" if message else base)

    def clear_errors(self) -> None:
        for name in self.errors:
            self.set_error(name, None)
