"""The comprehensive assessment editor: sixteen life domains as rows, the client's own words,
diagnoses, medications, hospital and ED history, and the facts the risk tier reads.

Keyboard first: a digit picks a rating, Tab moves through the form in reading order, "Add …"
buttons add table rows (focus lands in the new row), Ctrl+1…6 jump to a section, Ctrl+S keeps the
draft and Ctrl+Enter completes. Nothing typed is lost: every change is autosaved as a draft in
the vault, closing keeps the draft, and a failed completion keeps every field as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, format_date, format_time, ngettext
from app.models.assessment import (
    AboutPerson,
    Assessment,
    AssessmentDocument,
    Diagnosis,
    DomainRating,
    EventKind,
    HospitalEvent,
    LifeDomain,
    Medication,
    RiskFacts,
    about_hints,
    about_labels,
    adherence_labels,
    event_kind_labels,
    housing_labels,
    need_hints,
    need_labels,
    rating_text,
    strength_hints,
    strength_labels,
    support_labels,
    validate,
)
from app.models.risk import Adherence, Housing, Support
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    muted_label,
)
from app.ui.widgets.inputs import DateField

FORM = "assessment"


class ChoiceCombo(QComboBox):
    """A fixed list of choices, each with a plain value (None, an int, a str or a bool) that
    survives a JSON draft. Typing the start of a choice (a digit for ratings) picks it."""

    def __init__(self, choices: Sequence[tuple[Any, str]], hints: Mapping[Any, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[Any] = []
        for value, label in choices:
            self.addItem(label)
            self._values.append(value)
            if hints and value in hints:
                self.setItemData(self.count() - 1, hints[value], Qt.ItemDataRole.ToolTipRole)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def value(self) -> Any:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def set_value(self, value: Any) -> None:
        self.setCurrentIndex(self._values.index(value) if value in self._values else 0)


def rating_combo(labels: Mapping[int, str], hints: Mapping[int, str]) -> ChoiceCombo:
    return ChoiceCombo([(None, _("Not rated")), *((n, rating_text(n, labels)) for n in labels)], hints)


def _enum_choices(empty: str, labels: Mapping[Any, str]) -> list[tuple[Any, str]]:
    return [(None, empty), *((key.value, text) for key, text in labels.items())]


def _yes_no(empty: str, no: str, yes: str) -> ChoiceCombo:
    return ChoiceCombo([(None, empty), (False, no), (True, yes)])


def _raw(widget: QWidget) -> Any:
    if isinstance(widget, ChoiceCombo):
        return widget.value()
    if isinstance(widget, DateField | QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    raise TypeError(type(widget).__name__)


def _set_raw(widget: QWidget, value: Any) -> None:
    if isinstance(widget, ChoiceCombo):
        widget.set_value(value)
    elif isinstance(widget, DateField):
        widget.set_text(str(value or ""))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))
    elif isinstance(widget, QPlainTextEdit):
        if widget.toPlainText() != (value or ""):
            widget.setPlainText(str(value or ""))


def _connect(widget: QWidget, slot: Callable[..., None]) -> None:
    if isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, DateField):
        widget.edit.textChanged.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)


def _mark(widget: QWidget, invalid: bool) -> None:
    target = widget.edit if isinstance(widget, DateField) else widget
    target.setProperty("invalid", invalid)
    target.style().unpolish(target)
    target.style().polish(target)


def _text_box(lines: int, placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setPlaceholderText(placeholder)
    metrics = box.fontMetrics()
    box.setFixedHeight(metrics.lineSpacing() * lines + 18)
    return box


def _tab_stops(widget: QWidget) -> list[QWidget]:
    if isinstance(widget, DateField):
        return [widget.edit, widget.pick]
    return [widget]


# -- editable tables (diagnoses, medications, hospital history) -------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    make: Callable[[], QWidget]
    stretch: int = 1
    blank: Any = ""  # the value of an untouched cell (a row of blanks is an empty row)


class RowTable(QWidget):
    """Rows of inputs under column captions; "Add …" adds a row and focuses it, each row's
    "Remove" takes it away. Errors show under the row as sentences."""

    changed = Signal()
    rows_changed = Signal()

    def __init__(self, noun: str, add_label: str, empty_text: str, columns: Sequence[Column],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self.columns = list(columns)
        self.rows: list[tuple[QWidget, dict[str, QWidget], QPushButton, QLabel]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.header = QWidget()
        captions = QHBoxLayout(self.header)
        captions.setContentsMargins(0, 0, 0, 0)
        captions.setSpacing(SPACING)
        for column in self.columns:
            caption = QLabel(column.label)
            caption.setProperty("muted", True)
            captions.addWidget(caption, column.stretch)
        self._remove_width = QPushButton(_("Remove")).sizeHint().width()
        captions.addSpacing(self._remove_width)
        layout.addWidget(self.header)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        layout.addLayout(self.body)
        self.empty = muted_label(empty_text)
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.add_button = QPushButton(add_label)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self._sync()

    def add_row(self, values: Mapping[str, Any] | None = None, focus: bool = False) -> None:
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(SPACING)
        cells: dict[str, QWidget] = {}
        for column in self.columns:
            cell = column.make()
            cell.setSizePolicy(QSizePolicy.Policy.Ignored, cell.sizePolicy().verticalPolicy())
            if values is not None and column.name in values:
                _set_raw(cell, values[column.name])
            _connect(cell, self._changed)
            line.addWidget(cell, column.stretch)
            cells[column.name] = cell
        remove = QPushButton(_("Remove"))
        remove.setAutoDefault(False)
        remove.setFixedWidth(self._remove_width)
        remove.clicked.connect(lambda: self.remove_row(self._index_of(holder)))
        line.addWidget(remove)
        outer.addLayout(line)
        error = QLabel()
        error.setObjectName("FieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        outer.addWidget(error)
        self.body.addWidget(holder)
        holder.show()  # now, not on the next event loop pass: a Tab typed at once must reach it
        self.rows.append((holder, cells, remove, error))
        self._sync()
        if focus:
            first = cells[self.columns[0].name]
            first.setFocus(Qt.FocusReason.TabFocusReason)
        if values is None:
            self.changed.emit()

    def _index_of(self, holder: QWidget) -> int:
        return next(i for i, row in enumerate(self.rows) if row[0] is holder)

    def remove_row(self, index: int) -> None:
        holder = self.rows.pop(index)[0]
        holder.hide()
        holder.setParent(None)
        holder.deleteLater()
        self._sync()
        if index < len(self.rows):
            self.rows[index][1][self.columns[0].name].setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self.add_button.setFocus(Qt.FocusReason.TabFocusReason)
        self.changed.emit()

    def _changed(self, *_args: Any) -> None:
        self.changed.emit()

    def _sync(self) -> None:
        """Numbered accessible names, captions only when there are rows, then new tab order."""
        for number, (_holder, cells, remove, _error) in enumerate(self.rows, start=1):
            for column in self.columns:
                cells[column.name].setAccessibleName(
                    _("{noun} {n}: {field}").format(noun=self.noun, n=number, field=column.label))
            remove.setAccessibleName(_("Remove {noun} {n}").format(noun=self.noun.lower(), n=number))
        self.header.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        self.rows_changed.emit()

    def is_blank(self, values: Mapping[str, Any]) -> bool:
        """Nothing typed or chosen in the row (such rows are left out, not reported)."""
        def blank(value: Any, column: Column) -> bool:
            return value is None or value == column.blank or (isinstance(value, str) and not value.strip())
        return all(blank(values[c.name], c) for c in self.columns)

    def values(self) -> list[dict[str, Any]]:
        return [{c.name: _raw(cells[c.name]) for c in self.columns} for _h, cells, _r, _e in self.rows]

    def set_values(self, rows: Sequence[Mapping[str, Any]]) -> None:
        while self.rows:
            holder = self.rows.pop()[0]
            holder.setParent(None)
            holder.deleteLater()
        for values in rows:
            self.add_row(values)
        self._sync()

    def cell(self, row: int, name: str) -> QWidget:
        return self.rows[row][1][name]

    def set_row_errors(self, row: int, messages: Mapping[str, str]) -> None:
        _holder, cells, _remove, error = self.rows[row]
        for name, cell in cells.items():
            _mark(cell, name in messages)
        error.setText(" ".join(messages.values()))
        error.setVisible(bool(messages))

    def clear_errors(self) -> None:
        for index in range(len(self.rows)):
            self.set_row_errors(index, {})

    def tab_stops(self) -> list[QWidget]:
        stops: list[QWidget] = []
        for _holder, cells, remove, _error in self.rows:
            for column in self.columns:
                stops.extend(_tab_stops(cells[column.name]))
            stops.append(remove)
        stops.append(self.add_button)
        return stops


# -- the dialog ---------------------------------------------------------------------------------


class AssessmentEditorDialog(DraftDialog):
    """Write (or continue) a client's draft assessment, then complete it."""

    completed = Signal(object)  # Assessment
    draft_saved = Signal()

    def __init__(self, session: Session, assessment: Assessment, previous: Assessment | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.assessment = assessment
        self._loading = True
        self.touched = False  # anything typed or picked since the editor opened
        self.setWindowTitle(_("Assessment, version {n}").format(n=assessment.version))
        self.setModal(True)
        self.resize(1220, 720)
        c = theme.colors()
        self.setStyleSheet(
            f"QComboBox[invalid=\"true\"], QPlainTextEdit[invalid=\"true\"] {{ border: 2px solid {c.danger}; }}"
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("Comprehensive assessment"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        if previous is not None:
            subtitle = _("Version {n}, started from version {p} of {date}. Change what is different today.").format(
                n=assessment.version, p=previous.version, date=format_date(previous.assessed_on, "long"))
        else:
            subtitle = _("Version {n}, the first assessment. Rate each life domain and write it in the client's own words.").format(
                n=assessment.version)
        self.subtitle = muted_label(subtitle)
        outer.addWidget(self.subtitle)
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        self.sections = QListWidget()
        self.sections.setObjectName("SettingsList")
        self.sections.setAccessibleName(_("Assessment sections"))
        self.sections.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.sections.setFixedWidth(210)
        self.sections.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav = QVBoxLayout()
        nav.addWidget(self.sections)
        nav.addWidget(muted_label(_("Ctrl+1…6 jump to a section. Ctrl+S saves the draft; closing keeps it.")))
        nav.addStretch(1)
        body.addLayout(nav)
        self.scroll, content = self.scrolling_form()
        self.section_cards: list[tuple[Card, Callable[[], QWidget]]] = []
        self._build()
        self.form.addStretch(1)
        self.scroll.setWidget(content)
        body.addWidget(self.scroll, 1)
        outer.addLayout(body, 1)

        self.status, self.close_button, self.save_button, self.complete_button = self.draft_buttons(
            outer, _("Complete assessment"), self.complete, self.save_draft)
        self.complete_button.setToolTip(_("Complete (Ctrl+Enter). A completed version can't be changed."))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_draft)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.complete)

        self.autosaver = DraftAutosaver(session, FORM, assessment.id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.set_document(assessment.document)
        self._restore_typing()
        self._loading = False
        self._fix_tab_order()

    # -- building --------------------------------------------------------------------------------

    def _section(self, title: str, intro: str = "") -> Card:
        number = len(self.section_cards) + 1
        card = Card()
        caption = QLabel(title)
        caption.setFont(theme.scaled_font(self, 1.15, bold=True))
        card.body.addWidget(caption)
        if intro:
            card.body.addWidget(muted_label(intro))
        self.form.addWidget(card)
        item = QListWidgetItem(title)
        item.setToolTip(_("Go to {section} (Ctrl+{n})").format(section=title, n=number))
        self.sections.addItem(item)
        shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
        shortcut.activated.connect(lambda n=number - 1: self.go_to_section(n))
        return card

    def _build(self) -> None:
        c = self._section(_("Date and life domains"), _(
            "Need: how much help is needed now (0 none – 3 severe). Strength: what the person already has "
            "(0 none found – 3 core strength). Type a digit to pick a rating."))
        self.date_grid = FieldGrid(columns=3)
        self.assessed_on = DateField()
        self.date_grid.add("assessed_on", _("Assessment date"), self.assessed_on, required=True)
        c.body.addWidget(self.date_grid)
        self.section_cards.append((c, lambda: self.need[LifeDomain.HOUSING]))
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(4)
        for col, text in enumerate((_("Life domain"), _("Need"), _("Strength"), _("Notes"))):
            caption = QLabel(text)
            caption.setProperty("muted", True)
            grid.addWidget(caption, 0, col)
        self.need: dict[LifeDomain, ChoiceCombo] = {}
        self.strength: dict[LifeDomain, ChoiceCombo] = {}
        self.narrative: dict[LifeDomain, QPlainTextEdit] = {}
        self.domain_errors: dict[LifeDomain, QLabel] = {}
        for index, domain in enumerate(LifeDomain):
            row = 1 + index * 2
            name = QLabel(domain.label)
            name.setFont(theme.scaled_font(name, 1.0, bold=True))
            name.setContentsMargins(0, 6, 0, 0)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            need = rating_combo(need_labels(), need_hints())
            need.setAccessibleName(_("{domain}: need").format(domain=domain.label))
            strength = rating_combo(strength_labels(), strength_hints())
            strength.setAccessibleName(_("{domain}: strength").format(domain=domain.label))
            notes = _text_box(2, _("What is happening, in a sentence or two"))
            notes.setAccessibleName(_("{domain}: notes").format(domain=domain.label))
            name.setBuddy(need)
            grid.addWidget(need, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(strength, row, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(notes, row, 3)
            error = QLabel()
            error.setObjectName("FieldError")
            error.setWordWrap(True)
            error.setVisible(False)
            grid.addWidget(error, row + 1, 1, 1, 3)
            self.need[domain], self.strength[domain], self.narrative[domain] = need, strength, notes
            self.domain_errors[domain] = error
        grid.setColumnStretch(3, 1)
        c.body.addLayout(grid)

        c = self._section(_("About the person"), _("In the client's own words: write what they say, as they say it."))
        self.about_grid = FieldGrid(columns=2)
        self.about: dict[str, QPlainTextEdit] = {}
        hints = about_hints()
        for name, label in about_labels().items():
            box = _text_box(3, hints[name])
            self.about_grid.add(f"about.{name}", label, box, span=2 if name == "what_matters" else 1)
            self.about[name] = box
        c.body.addWidget(self.about_grid)
        self.section_cards.append((c, lambda: self.about["what_matters"]))

        c = self._section(_("Diagnoses"), _("As reported or on record. The ICD-10 code is optional (for example F32.1)."))
        self.diagnoses = RowTable(_("Diagnosis"), _("Add a diagnosis"), _("No diagnoses recorded."), [
            Column("text", _("Diagnosis"), QLineEdit, 3),
            Column("icd10", _("ICD-10 code (optional)"), lambda: _line(_("e.g. F32.1")), 1),
        ])
        c.body.addWidget(self.diagnoses)
        self.section_cards.append((c, lambda: self._first(self.diagnoses)))

        c = self._section(_("Medications"), _("As reported by the client, not reconciled."))
        self.medications = RowTable(_("Medication"), _("Add a medication"), _("No medications recorded."), [
            Column("name", _("Medication"), QLineEdit, 2),
            Column("dose", _("Dose and when"), QLineEdit, 2),
            Column("prescriber", _("Prescriber"), QLineEdit, 2),
            Column("adherence", _("How it is taken"), lambda: ChoiceCombo(_enum_choices(_("Not asked"), {
                k: v for k, v in adherence_labels().items() if k is not Adherence.NOT_APPLICABLE})), 2, None),
        ])
        c.body.addWidget(self.medications)
        self.section_cards.append((c, lambda: self._first(self.medications)))

        c = self._section(_("Hospital and ED history"), _(
            "Emergency visits, crisis contacts, psychiatric stays, overdoses and withdrawals, with dates. "
            "An approximate date is better than none."))
        self.events = RowTable(_("Event"), _("Add an event"), _("No hospital, ED or crisis history recorded."), [
            Column("kind", _("What happened"), lambda: ChoiceCombo(
                [(k.value, label) for k, label in event_kind_labels().items()]), 3, EventKind.ED_VISIT.value),
            Column("on", _("Date"), DateField, 2),
            Column("where", _("Where"), QLineEdit, 2),
            Column("note", _("Note"), QLineEdit, 3),
        ])
        c.body.addWidget(self.events)
        self.section_cards.append((c, lambda: self._first(self.events)))

        c = self._section(_("Facts for the risk tier"), _(
            "The risk tier reads these, with the latest screens. Leave one as not recorded if it wasn't asked."))
        self.facts_grid = FieldGrid(columns=2)
        self.facts: dict[str, ChoiceCombo] = {
            "housing": ChoiceCombo(_enum_choices(_("Not recorded"), housing_labels())),
            "adherence": ChoiceCombo(_enum_choices(_("Not recorded"), adherence_labels())),
            "support": ChoiceCombo(_enum_choices(_("Not recorded"), support_labels())),
            "psychosis_or_mania": _yes_no(_("Not asked"), _("No"), _("Yes, noted at this assessment")),
            "alcohol_harm": _yes_no(_("Not asked"), _("No"), _("Yes, alcohol is causing harm")),
        }
        labels = {"housing": _("Where they live now"), "adherence": _("Medication, overall"),
                  "support": _("People they can rely on"), "psychosis_or_mania": _("Psychosis or mania"),
                  "alcohol_harm": _("Harm from drinking")}
        for name, combo in self.facts.items():
            self.facts_grid.add(f"facts.{name}", labels[name], combo)
        c.body.addWidget(self.facts_grid)
        self.section_cards.append((c, lambda: self.facts["housing"]))

        for index in range(self.sections.count()):
            self.sections.item(index).setData(Qt.ItemDataRole.UserRole, index)
        self.sections.ensurePolished()
        rows = sum(self.sections.sizeHintForRow(i) for i in range(self.sections.count()))
        self.sections.setFixedHeight(rows + 2 * self.sections.frameWidth() + 8)
        self.sections.itemActivated.connect(lambda item: self.go_to_section(item.data(Qt.ItemDataRole.UserRole)))
        self.sections.itemClicked.connect(lambda item: self.go_to_section(item.data(Qt.ItemDataRole.UserRole)))
        for widget in self._inputs():
            _connect(widget, self._changed)
        for table in (self.diagnoses, self.medications, self.events):
            table.changed.connect(self._changed)
            table.rows_changed.connect(self._fix_tab_order)

    def _first(self, table: RowTable) -> QWidget:
        return table.cell(0, table.columns[0].name) if table.rows else table.add_button

    def go_to_section(self, index: int) -> None:
        card, target = self.section_cards[index]
        self.sections.setCurrentRow(index)
        self.scroll.verticalScrollBar().setValue(card.y())
        target().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _inputs(self) -> list[QWidget]:
        fixed: list[QWidget] = [self.assessed_on]
        for domain in LifeDomain:
            fixed += [self.need[domain], self.strength[domain], self.narrative[domain]]
        return fixed + list(self.about.values()) + list(self.facts.values())

    def _fix_tab_order(self) -> None:
        """Reading order, whatever rows were added since: date, domains, about, the tables,
        the risk facts, then the buttons."""
        if getattr(self, "_loading", True) or not hasattr(self, "complete_button"):
            return
        stops: list[QWidget] = _tab_stops(self.assessed_on)
        for domain in LifeDomain:
            stops += [self.need[domain], self.strength[domain], self.narrative[domain]]
        stops += list(self.about.values())
        for table in (self.diagnoses, self.medications, self.events):
            stops += table.tab_stops()
        stops += list(self.facts.values())
        stops += [self.close_button, self.save_button, self.complete_button]
        for first, second in zip(stops, stops[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- values ----------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen as typed (dates as text), for the draft in the vault."""
        return {
            "assessed_on": self.assessed_on.text(),
            "domains": {d.value: [self.need[d].value(), self.strength[d].value(), self.narrative[d].toPlainText()]
                        for d in LifeDomain},
            "about": {name: box.toPlainText() for name, box in self.about.items()},
            "diagnoses": self.diagnoses.values(),
            "medications": self.medications.values(),
            "events": self.events.values(),
            "facts": {name: combo.value() for name, combo in self.facts.items()},
        }

    def apply(self, data: Mapping[str, Any]) -> None:
        loading, self._loading = self._loading, True
        try:
            self.assessed_on.set_text(str(data.get("assessed_on", "")))
            for key, (need, strength, notes) in (data.get("domains") or {}).items():
                domain = LifeDomain(key)
                self.need[domain].set_value(need)
                self.strength[domain].set_value(strength)
                _set_raw(self.narrative[domain], notes)
            for name, text in (data.get("about") or {}).items():
                if name in self.about:
                    _set_raw(self.about[name], text)
            self.diagnoses.set_values(data.get("diagnoses") or [])
            self.medications.set_values(data.get("medications") or [])
            self.events.set_values(data.get("events") or [])
            for name, value in (data.get("facts") or {}).items():
                if name in self.facts:
                    self.facts[name].set_value(value)
        finally:
            self._loading = loading
        self._fix_tab_order()

    def set_document(self, document: AssessmentDocument) -> None:
        f = document.facts
        self.apply({
            "assessed_on": date_example(document.assessed_on),
            "domains": {d.value: [document.domain(d).need, document.domain(d).strength, document.domain(d).narrative]
                        for d in LifeDomain},
            "about": {name: getattr(document.about, name) for name in AboutPerson.names()},
            "diagnoses": [{"text": d.text, "icd10": d.icd10} for d in document.diagnoses],
            "medications": [{"name": m.name, "dose": m.dose, "prescriber": m.prescriber,
                             "adherence": m.adherence.value if m.adherence else None} for m in document.medications],
            "events": [{"kind": e.kind.value, "on": date_example(e.on) if e.on else "", "where": e.where,
                        "note": e.note} for e in document.events],
            "facts": {"housing": f.housing.value if f.housing else None,
                      "adherence": f.adherence.value if f.adherence else None,
                      "support": f.support.value if f.support else None,
                      "psychosis_or_mania": f.psychosis_or_mania, "alcohol_harm": f.alcohol_harm},
        })

    def to_document(self) -> tuple[AssessmentDocument, dict[str, str]]:
        """The form as a document, and the fields that could not be read (dates). Empty table
        rows are left out; `self.row_maps` maps each kept row back to its row on screen."""
        problems: dict[str, str] = {}
        today = self.session.clock.today()
        try:
            assessed_on = self.assessed_on.value()
            if assessed_on is None:
                problems["assessed_on"] = _("Enter the date of the assessment.")
        except ValueError as exc:
            problems["assessed_on"] = str(exc)
            assessed_on = None
        self.row_maps: dict[str, list[int]] = {}

        def kept(table: RowTable, name: str) -> list[tuple[int, dict[str, Any]]]:
            rows = [(i, values) for i, values in enumerate(table.values()) if not table.is_blank(values)]
            self.row_maps[name] = [i for i, _values in rows]
            return rows

        diagnoses = tuple(Diagnosis(v["text"], v["icd10"]) for _i, v in kept(self.diagnoses, "diagnoses"))
        medications = tuple(
            Medication(v["name"], v["dose"], v["prescriber"], Adherence(v["adherence"]) if v["adherence"] else None)
            for _i, v in kept(self.medications, "medications"))
        events: list[HospitalEvent] = []
        for index, (_row, v) in enumerate(kept(self.events, "events")):
            field = self.events.cell(_row, "on")
            assert isinstance(field, DateField)
            try:
                on = field.value()
            except ValueError as exc:
                problems[f"events.{index}.on"] = str(exc)
                on = None
            events.append(HospitalEvent(EventKind(v["kind"]), on, v["where"], v["note"]))
        facts = {name: combo.value() for name, combo in self.facts.items()}
        document = AssessmentDocument(
            assessed_on=assessed_on or today,
            domains={d: DomainRating(self.need[d].value(), self.strength[d].value(), self.narrative[d].toPlainText())
                     for d in LifeDomain},
            about=AboutPerson(**{name: box.toPlainText() for name, box in self.about.items()}),
            diagnoses=diagnoses,
            medications=medications,
            events=tuple(events),
            facts=RiskFacts(
                housing=Housing(facts["housing"]) if facts["housing"] else None,
                adherence=Adherence(facts["adherence"]) if facts["adherence"] else None,
                support=Support(facts["support"]) if facts["support"] else None,
                psychosis_or_mania=facts["psychosis_or_mania"], alcohol_harm=facts["alcohol_harm"],
            ),
        )
        return document, problems

    # -- drafts ----------------------------------------------------------------------------------

    def _changed(self, *_args: Any) -> None:
        if not self._loading:
            self.touched = True
            self.autosaver.changed()

    def _restore_typing(self) -> None:
        """Typing autosaved after the draft was last kept (a crash, a lock) comes back as it was."""
        typed = self.session.drafts.load(FORM, self.assessment.id)
        if typed is None or typed.data == self.collect():
            return
        self.apply(typed.data)
        self.autosaver.dirty = True
        self.touched = True
        self.draft_banner.show_message(_("Your typing from {time} was restored.").format(
            time=format_time(typed.saved_at)), "info")

    def _keep(self) -> bool:
        """Save what is on screen into the assessment's draft (or, with a date that can't be
        read, keep the typing as it is). True when the draft holds what is on screen."""
        document, problems = self.to_document()
        if problems or self.session.read_only:
            self.keep_typing()
            return False
        if document.normalised() == self.assessment.document:
            self.autosaver.discard()  # nothing new: the typed copy would only repeat the draft
            return True
        try:
            self.assessment = self.session.assessments.save_draft(self.assessment.id, document)
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return False
        self.autosaver.discard()
        return True

    def save_draft(self) -> None:
        self._clear_errors()
        document, problems = self.to_document()
        if problems:
            self.keep_typing()
            self._show_problems(problems, _("Your typing is kept, but fix the date(s) to save the draft in full."))
            return
        if self._keep():
            self.status.setText(_("Draft saved {time}").format(time=format_time(self.session.clock.now())))
            self.draft_saved.emit()

    # -- completing ------------------------------------------------------------------------------

    def complete(self) -> None:
        self._clear_errors()
        document, problems = self.to_document()
        for key, message in validate(document.normalised(), self.session.clock.today()).items():
            problems.setdefault(key, message)
        if problems:
            self.keep_typing()
            self._show_problems(problems)
            return
        try:
            done = self.session.assessments.complete(self.assessment.id, document)
        except ValidationError as exc:
            self._show_problems(exc.problems)
            return
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return
        self.autosaver.discard()
        self.assessment = done
        self.completed.emit(done)
        self.done(QDialog.DialogCode.Accepted)

    def _clear_errors(self) -> None:
        self.error_banner.setVisible(False)
        for grid in (self.date_grid, self.about_grid, self.facts_grid):
            grid.clear_errors()
        for domain in LifeDomain:
            self._domain_error(domain, {})
        for table in (self.diagnoses, self.medications, self.events):
            table.clear_errors()

    def _domain_error(self, domain: LifeDomain, messages: Mapping[str, str]) -> None:
        _mark(self.need[domain], "need" in messages)
        _mark(self.strength[domain], "strength" in messages)
        self.domain_errors[domain].setText(" ".join(messages.values()))
        self.domain_errors[domain].setVisible(bool(messages))

    def _show_problems(self, problems: Mapping[str, str], banner: str | None = None) -> None:
        """Each problem next to its field, a count on top, and focus on the first one."""
        first: QWidget | None = None
        domains: dict[LifeDomain, dict[str, str]] = {}
        tables: dict[str, dict[int, dict[str, str]]] = {}
        unplaced: list[str] = []
        for key, message in problems.items():
            parts = key.split(".")
            if parts[0] == "domains" and len(parts) == 3:
                domains.setdefault(LifeDomain(parts[1]), {})[parts[2]] = message
            elif parts[0] in ("diagnoses", "medications", "events") and len(parts) == 3:
                rows = getattr(self, "row_maps", {}).get(parts[0], [])
                index = int(parts[1])
                if index < len(rows):
                    tables.setdefault(parts[0], {}).setdefault(rows[index], {})[parts[2]] = message
                else:
                    unplaced.append(message)
            elif key in self.date_grid.inputs:
                self.date_grid.set_error(key, message)
                first = first or self.assessed_on
            elif key in self.facts_grid.inputs:
                self.facts_grid.set_error(key, message)
            elif key in self.about_grid.inputs:
                self.about_grid.set_error(key, message)
            else:
                unplaced.append(message)
        for domain in LifeDomain:
            if domain in domains:
                self._domain_error(domain, domains[domain])
                first = first or (self.need[domain] if "need" in domains[domain] else self.strength[domain])
        for name in ("diagnoses", "medications", "events"):
            table: RowTable = getattr(self, name)
            for row, messages in sorted(tables.get(name, {}).items()):
                table.set_row_errors(row, messages)
                first = first or table.cell(row, next(iter(messages)))
        if first is None:
            for key in problems:
                if key.startswith("facts."):
                    first = self.facts_grid.inputs[key]
                    break
        count = len(problems)
        text = banner or ngettext(
            "{n} thing needs attention before the assessment can be completed. Everything you typed is kept.",
            "{n} things need attention before the assessment can be completed. Everything you typed is kept.",
            count).format(n=count)
        if unplaced:
            text += " " + " ".join(unplaced)
        self.error_banner.show_message(text, "error")
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll.ensureWidgetVisible(first)

    # -- closing ---------------------------------------------------------------------------------

    def reject(self) -> None:
        """Closing keeps the draft: nothing to ask, nothing lost."""
        if self.touched or self.autosaver.dirty:
            self._keep()
        super().reject()

    def first_focus(self) -> QWidget | None:
        return self.need[LifeDomain.HOUSING]


def _line(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return edit
