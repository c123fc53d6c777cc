"""Inputs: a typed-or-picked date field and a passphrase field with show/hide and strength."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.i18n import _, date_example, date_input_hint, format_date, parse_date
from app.ui import theme


class DateField(QWidget):
    """A date typed in the locale's order (or ISO) or picked from a calendar. Empty allowed.

    `value()` raises ValueError with a sentence when the text is not a date; the text itself is
    never thrown away, so a half-typed date survives a failed save and a draft.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(date_input_hint())
        self.edit.textChanged.connect(self.changed)
        layout.addWidget(self.edit, 1)
        self.pick = QToolButton()
        self.pick.setIcon(theme.icon("mdi6.calendar-month-outline"))
        self.pick.setToolTip(_("Pick a date"))
        self.pick.setAccessibleName(_("Pick a date"))
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.pick)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._sync_calendar)
        self.pick.setMenu(menu)
        layout.addWidget(self.pick)
        self.setFocusProxy(self.edit)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def setAccessibleDescription(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleDescription(text)
        self.edit.setAccessibleDescription(text)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def value(self) -> date | None:
        text = self.edit.text().strip()
        return parse_date(text) if text else None

    def set_value(self, value: date | None) -> None:
        self.edit.setText(date_example(value) if value else "")

    def _sync_calendar(self) -> None:
        try:
            current = self.value()
        except ValueError:
            current = None
        if current:
            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))

    def _picked(self, qdate: QDate) -> None:
        self.set_value(date(qdate.year(), qdate.month(), qdate.day()))
        self.pick.menu().hide()
        self.edit.setFocus()

    def describe(self) -> str:
        try:
            value = self.value()
        except ValueError:
            return ""
        return format_date(value, "long") if value else ""


class PathField(QWidget):
    """A file or folder path, typed or chosen with a Browse… button (which calls `on_browse`)."""

    def __init__(self, browse_label: str, on_browse: Callable[[], None], text: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(text)
        layout.addWidget(self.edit, 1)
        self.button = QPushButton(_("Browse…"))
        self.button.setAccessibleName(browse_label)
        self.button.clicked.connect(on_browse)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)


class PassphraseField(QWidget):
    """A password-mode line edit with a show/hide toggle and, optionally, a strength meter."""

    textChanged = Signal(str)  # noqa: N815 - mirrors QLineEdit

    def __init__(self, with_strength: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.edit.textChanged.connect(self.textChanged)
        row.addWidget(self.edit, 1)
        self.toggle = QToolButton()
        self.toggle.setText(_("Show"))
        self.toggle.setCheckable(True)
        self.toggle.setToolTip(_("Show or hide the passphrase"))
        self.toggle.setAccessibleName(_("Show passphrase"))
        self.toggle.toggled.connect(self.set_visible_text)
        row.addWidget(self.toggle)
        layout.addLayout(row)
        self.meter: QProgressBar | None = None
        if with_strength:
            self.meter = QProgressBar()
            self.meter.setRange(0, 4)
            self.meter.setTextVisible(False)
            self.meter.setFixedHeight(6)
            self.meter.setAccessibleName(_("Passphrase strength"))
            layout.addWidget(self.meter)
        self.hint = QLabel()
        self.hint.setProperty("muted", True)
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.edit)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QLineEdit
        self.edit.setText(text)

    def clear(self) -> None:
        self.edit.clear()

    def set_visible_text(self, visible: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password)
        self.toggle.setText(_("Hide") if visible else _("Show"))
        self.toggle.setAccessibleName(_("Hide passphrase") if visible else _("Show passphrase"))
        self.toggle.setChecked(visible)

    def set_strength(self, score: int, label: str) -> None:
        if self.meter is not None:
            self.meter.setValue(score)
            self.meter.setAccessibleDescription(label)
            self.meter.setToolTip(label)

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        self.edit.setAccessibleDescription(text)
