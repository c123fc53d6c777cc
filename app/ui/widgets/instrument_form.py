"""One form for any instrument, built from its definition: large items, answers by mouse or keys.

Keys on an item: a number picks the option with that value (Y/N on yes/no items) and moves on;
Enter or Down moves on, Up moves back, Left/Right step through the options, D marks the item
declined, Delete clears it. The running score, band and progress update as answers come in.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.instruments import Instrument, Item, Score, score
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, muted_label

_YES_NO_KEYS = {Qt.Key.Key_Y: 1, Qt.Key.Key_N: 0}


class ItemRow(QFrame):
    """One item: its number and text, its options as large buttons, and "Declined"."""

    answered = Signal(object)  # the ItemRow
    advance = Signal(object, int)  # the ItemRow, +1 or -1

    def __init__(self, number: int, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.number = number
        self.value: int | None = None
        self.declined = False
        self.setObjectName("ItemRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 2, SPACING * 1.5, SPACING * 2, SPACING * 1.5)
        layout.setSpacing(SPACING)
        self.text = QLabel(f"{number}.  {item.text}")
        self.text.setWordWrap(True)
        self.text.setFont(theme.scaled_font(self, 1.2))
        layout.addWidget(self.text)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # so an answer can be cleared
        self.buttons: dict[int, QPushButton] = {}
        for option in item.options:
            shown = option.label if item.is_yes_no else f"{option.value}   {option.label}"
            button = QPushButton(shown)
            button.setObjectName("Choice")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the row; the mouse clicks
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _checked=False, v=option.value: self.pick(v, by_key=False))
            self.group.addButton(button)
            self.buttons[option.value] = button
            row.addWidget(button)
        self.declined_button = QPushButton(_("Declined"))
        self.declined_button.setObjectName("Choice")
        self.declined_button.setProperty("declined", True)
        self.declined_button.setCheckable(True)
        self.declined_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.declined_button.setMinimumHeight(40)
        self.declined_button.setToolTip(_("The client chose not to answer (D)"))
        self.declined_button.clicked.connect(lambda: self.set_declined(not self.declined))
        row.addWidget(self.declined_button)
        layout.addLayout(row)
        self._sync()

    # -- state -------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.value is not None or self.declined

    def pick(self, value: int, by_key: bool = True) -> None:
        if value not in self.buttons:
            return
        if not by_key and self.value == value:  # clicking the chosen answer again clears it
            self.value = None
        else:
            self.value = value
        self.declined = False
        self._sync()
        self.answered.emit(self)
        if by_key and self.value is not None:
            self.advance.emit(self, 1)

    def set_declined(self, on: bool) -> None:
        self.declined = on
        if on:
            self.value = None
        self._sync()
        self.answered.emit(self)

    def clear_answer(self) -> None:
        self.value = None
        self.declined = False
        self._sync()
        self.answered.emit(self)

    def set_state(self, value: int | None, declined: bool) -> None:
        self.value = value if value in self.buttons else None
        self.declined = declined
        self._sync()

    def _sync(self) -> None:
        for value, button in self.buttons.items():
            button.setChecked(value == self.value)
        self.declined_button.setChecked(self.declined)
        if self.declined:
            answer = _("declined")
        elif self.value is not None:
            label = next(o.label for o in self.item.options if o.value == self.value)
            answer = label if self.item.is_yes_no else f"{self.value}, {label}"
        else:
            answer = _("not answered")
        self.setAccessibleName(_("Item {n}: {text}").format(n=self.number, text=self.item.text))
        self.setAccessibleDescription(_("Answer: {answer}. Press a number to answer.").format(answer=answer))

    # -- keys --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            super().keyPressEvent(event)
            return
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and (key - Qt.Key.Key_0) in self.buttons:
            self.pick(key - Qt.Key.Key_0)
        elif key in _YES_NO_KEYS and self.item.is_yes_no:
            self.pick(_YES_NO_KEYS[Qt.Key(key)])
        elif key == Qt.Key.Key_D:
            self.set_declined(not self.declined)
            if self.declined:
                self.advance.emit(self, 1)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_answer()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            self.advance.emit(self, 1)
        elif key == Qt.Key.Key_Up:
            self.advance.emit(self, -1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            values = sorted(self.buttons)
            step = 1 if key == Qt.Key.Key_Right else -1
            if self.value is None:
                new = values[0] if step > 0 else values[-1]
            else:
                index = max(0, min(len(values) - 1, values.index(self.value) + step))
                new = values[index]
            self.value, self.declined = new, False
            self._sync()
            self.answered.emit(self)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.setProperty("current", True)
        self._repolish()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.setProperty("current", False)
        self._repolish()

    def _repolish(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)


class InstrumentForm(QWidget):
    """Any instrument from its definition. `changed` after every answer; `finished` when Enter
    is pressed on the last item (the dialog moves focus to Save)."""

    changed = Signal()
    finished = Signal()

    def __init__(self, instrument: Instrument, sex: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument = instrument
        self.sex = sex
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING * 1.5)
        stem = QLabel(instrument.stem)
        stem.setWordWrap(True)
        stem.setFont(theme.scaled_font(self, 1.1, bold=True))
        layout.addWidget(stem)
        hint = muted_label(_("Keys: a number answers and moves on · Enter or ↓ next · ↑ back · "
                             "D declined · Delete clears · Ctrl+S saves"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.rows: list[ItemRow] = []
        for number, item in enumerate(instrument.items, start=1):
            row = ItemRow(number, item)
            row.answered.connect(self._answered)
            row.advance.connect(self._advance)
            self.rows.append(row)
            layout.addWidget(row)
        self.flag_banner = Banner("error")
        layout.addWidget(self.flag_banner)
        attribution = muted_label(" ".join(p for p in (instrument.attribution, instrument.licence) if p))
        attribution.setWordWrap(True)
        attribution.setAccessibleName(_("Attribution"))
        layout.addWidget(attribution)
        layout.addStretch(1)
        self._update()

    # -- answers -----------------------------------------------------------------------------

    def answers(self) -> dict[str, int | None]:
        """Every shown item's answer (None when unanswered or declined)."""
        return {row.item.id: row.value for row in self.rows if self._applies(row) or row.value is not None}

    def declined(self) -> tuple[str, ...]:
        return tuple(row.item.id for row in self.rows if row.declined)

    def set_answers(self, answers: Mapping[str, int | None], declined: tuple[str, ...] | list[str] = ()) -> None:
        for row in self.rows:
            row.set_state(answers.get(row.item.id), row.item.id in declined)
        self._update()

    def answered_count(self) -> tuple[int, int]:
        shown = [row for row in self.rows if self._applies(row)]
        return sum(1 for row in shown if row.done), len(shown)

    def result(self) -> Score:
        given = {k: v for k, v in self.answers().items() if v is not None}
        return score(self.instrument, given, sex=self.sex)

    def first_unanswered(self) -> ItemRow | None:
        return next((row for row in self.rows if self._applies(row) and not row.done), None)

    def focus_first(self) -> None:
        row = self.first_unanswered() or self.rows[0]
        row.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- behaviour ---------------------------------------------------------------------------

    def _applies(self, row: ItemRow) -> bool:
        """Whether the item is asked: skip rules and a gate answered "no" leave items out."""
        rule = row.item.skip_unless
        if rule is not None:
            source = next((r for r in self.rows if r.item.id == rule[0]), None)
            if source is None or source.value != rule[1]:
                return False
        for gate in (r for r in self.rows if r.item.gate):
            if gate is not row and gate.value == min(gate.item.values) and row.item.scored:
                return False
        return True

    def _answered(self, _row: ItemRow) -> None:
        self._update()
        self.changed.emit()

    def _advance(self, row: ItemRow, step: int) -> None:
        shown = [r for r in self.rows if self._applies(r)]
        if row not in shown:
            shown = self.rows
        index = shown.index(row) + step
        if index >= len(shown):
            self.finished.emit()
        elif index >= 0:
            shown[index].setFocus(Qt.FocusReason.TabFocusReason)

    def _update(self) -> None:
        for row in self.rows:
            applies = self._applies(row)
            row.setVisible(applies)
        result = self.result()
        flags = [f.message for f in result.flags]
        if flags:
            self.flag_banner.show_message(
                " ".join(flags) + " " + _("Saving raises a safety alert that stays on the record until reviewed."),
                "error")
        else:
            self.flag_banner.setVisible(False)
        self.summary = describe_score(self.instrument, result, *self.answered_count())


def describe_score(instrument: Instrument, result: Score, answered: int | None = None, asked: int | None = None) -> str:
    """A running score in words: "Total 14 of 27 · Moderate · positive screen"."""
    if instrument.method == "cssrs_screener":
        text = _("Risk level: {level}").format(level=result.risk or "—")
        if not result.valid:
            text += " · " + _("not complete yet")
        return text
    if not result.valid or result.total is None:
        if answered is not None and asked is not None:
            return _("{n} of {k} answered · no total yet").format(n=answered, k=asked)
        return result.problem or _("No total")
    top = instrument.range[1] if instrument.range else None
    total = (_("Total {total} of {top}").format(total=result.total, top=top) if top is not None
             else _("Total {total}").format(total=result.total))
    parts = [total]
    if result.percent is not None:
        parts.append(_("{percent}%").format(percent=result.percent))
    if result.band:
        parts.append(result.band)
    if result.positive:
        parts.append(_("positive screen"))
    if result.prorated:
        parts.append(_("prorated for missing items"))
    return " · ".join(parts)


class ScoreBar(QFrame):
    """Progress and the running score, kept in view above the items."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACING * 2, SPACING, SPACING * 2, SPACING)
        layout.setSpacing(SPACING * 2)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(160)
        self.progress.setAccessibleName(_("Progress"))
        layout.addWidget(self.progress)
        self.count = QLabel()
        layout.addWidget(self.count)
        layout.addStretch(1)
        self.score = QLabel()
        self.score.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.score.setAccessibleName(_("Running score"))
        layout.addWidget(self.score)

    def show_form(self, form: InstrumentForm) -> None:
        answered, asked = form.answered_count()
        self.progress.setMaximum(max(1, asked))
        self.progress.setValue(answered)
        self.count.setText(_("{n} of {k} answered").format(n=answered, k=asked))
        self.score.setText(form.summary)
        self.score.setAccessibleDescription(form.summary)
