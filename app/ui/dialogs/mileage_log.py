"""The mileage log for reimbursement: journeys (date, from, to, distance, purpose, client code) in
a period — this month, last month or chosen dates — with the period's total shown large, a form
to add a journey (each problem said next to its field) and removal after a confirmation.

Client codes only: the log goes to whoever reimburses travel, so it never names a client."""

from __future__ import annotations

from datetime import date, timedelta

from babel.numbers import NumberFormatError, parse_decimal
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date, ngettext
from app.models.follow_ups import MileageEntry, MileageTotal, validate_mileage
from app.models.units import DistanceUnit, distance_text
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import follow_up_actions as actions
from app.ui import theme
from app.ui.pages.clients import RosterView, list_table
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    EmptyState,
    FieldGrid,
    muted_label,
    primary_button,
    set_default_button,
)
from app.ui.widgets.inputs import DateField

ID_ROLE = Qt.ItemDataRole.UserRole + 1
THIS_MONTH, LAST_MONTH, CUSTOM = "this_month", "last_month", "custom"


def parse_distance(text: str) -> float:
    """A typed distance in the locale's way (or with a point); ValueError with a sentence."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("Give the distance, e.g. {example}.").format(example=distance_text(12.5)))
    for attempt in (lambda: parse_decimal(cleaned, locale=current_locale()), lambda: float(cleaned)):
        try:
            return float(attempt())
        except (NumberFormatError, ValueError):
            continue
    raise ValueError(_("“{text}” is not a distance. Type a number, e.g. {example}.").format(
        text=cleaned, example=distance_text(12.5)))


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


class MileageLogDialog(QDialog):
    def __init__(self, session: Session, unit: DistanceUnit = DistanceUnit.MILES, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.unit = unit
        self.entries: list[MileageEntry] = []
        self.total: MileageTotal | None = None
        self.setWindowTitle(_("Mileage log"))
        self.setModal(True)
        self.resize(940, 700)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING * 2)

        top = QHBoxLayout()
        text = QVBoxLayout()
        text.setSpacing(2)
        title = QLabel(_("Mileage log"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        text.addWidget(title)
        text.addWidget(muted_label(_("Journeys for reimbursement. Client codes only — never a name.")))
        text.addStretch(1)
        top.addLayout(text, 1)
        total_card = Card()
        total_card.setMinimumWidth(320)
        caption = muted_label(_("Total for the period"))
        total_card.body.addWidget(caption)
        self.total_label = QLabel(distance_text(0, unit))
        self.total_label.setFont(theme.scaled_font(self, 2.0, bold=True))
        total_card.body.addWidget(self.total_label)
        self.trips_label = muted_label("")
        total_card.body.addWidget(self.trips_label)
        top.addWidget(total_card)
        outer.addLayout(top)

        period = QHBoxLayout()
        period.setSpacing(SPACING)
        period_label = QLabel(_("Period"))
        period.addWidget(period_label)
        self.period = QComboBox()
        self.period.addItem(_("This month"), THIS_MONTH)
        self.period.addItem(_("Last month"), LAST_MONTH)
        self.period.addItem(_("Chosen dates"), CUSTOM)
        self.period.setAccessibleName(_("Period"))
        period_label.setBuddy(self.period)
        period.addWidget(self.period)
        self.from_label = QLabel(_("From"))
        period.addWidget(self.from_label)
        self.period_from = DateField()
        self.period_from.setAccessibleName(_("Period from"))
        period.addWidget(self.period_from)
        self.to_label = QLabel(_("to"))
        period.addWidget(self.to_label)
        self.period_to = DateField()
        self.period_to.setAccessibleName(_("Period to"))
        period.addWidget(self.period_to)
        period.addStretch(1)
        outer.addLayout(period)
        self.period_error = QLabel()
        self.period_error.setObjectName("FieldError")
        self.period_error.setVisible(False)
        outer.addWidget(self.period_error)

        self.stack = QStackedWidget()
        self.model = QStandardItemModel(0, 6)
        self.model.setHorizontalHeaderLabels([_("Date"), _("From"), _("To"),
                                              _("Distance ({unit})").format(unit=unit.symbol), _("Purpose"),
                                              _("Client code")])
        self.table: RosterView = list_table(self.model, _("Journeys in the period"))
        header = self.table.horizontalHeader()
        for column in (0, 3, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.stack.addWidget(self.table)
        self.empty = EmptyState(_("No journeys in this period"), _(
            "Add each work journey below — from, to and the distance — and the total for the period appears above."))
        self.stack.addWidget(self.empty)
        outer.addWidget(self.stack, 1)
        row = QHBoxLayout()
        self.remove_button = QPushButton(theme.icon("mdi6.delete-outline"), _("Remove journey…"))
        self.remove_button.setToolTip(_("Remove the chosen journey (Delete)"))
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        outer.addLayout(row)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.remove,
                  context=Qt.ShortcutContext.WidgetShortcut)

        outer.addWidget(self._build_form())
        self.message = Banner("info")
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        set_default_button(self, None)

        self.period.currentIndexChanged.connect(self._period_changed)
        self.period_from.changed.connect(self.reload)
        self.period_to.changed.connect(self.reload)
        self._period_changed()

    def _build_form(self) -> QWidget:
        card = Card()
        caption = QLabel(_("Add a journey"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        card.body.addWidget(caption)
        self.grid = FieldGrid(columns=3)
        self.on = DateField()
        self.grid.add("on", _("Date"), self.on, required=True)
        self.from_place = QLineEdit()
        self.from_place.setMaxLength(200)
        self.from_place.setPlaceholderText(_("e.g. Office"))
        self.grid.add("from_place", _("From"), self.from_place, required=True)
        self.to_place = QLineEdit()
        self.to_place.setMaxLength(200)
        self.to_place.setPlaceholderText(_("e.g. Client's home"))
        self.grid.add("to_place", _("To"), self.to_place, required=True)
        self.distance = QLineEdit()
        self.distance.setMaxLength(10)
        self.distance.setPlaceholderText(_("e.g. {example}").format(example=distance_text(12.5)))
        self.grid.add("distance", _("Distance ({unit})").format(unit=self.unit.symbol), self.distance, required=True,
                      hint=_("In {unit}: change the unit in Settings → Language and region").format(
                          unit=self.unit.label.lower()))
        self.purpose = QLineEdit()
        self.purpose.setMaxLength(200)
        self.purpose.setPlaceholderText(_("e.g. Home visit"))
        self.grid.add("purpose", _("Purpose"), self.purpose)
        self.client_code = QLineEdit()
        self.client_code.setMaxLength(20)
        self.client_code.setPlaceholderText(_("e.g. {code}").format(code="K7M2QX"))
        codes = sorted(r.client_code for r in self.session.clients.roster())
        completer = QCompleter(codes, self.client_code)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.client_code.setCompleter(completer)
        self.grid.add("client_code", _("Client code"), self.client_code, hint=_("The code, not the name"))
        card.body.addWidget(self.grid)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_button = primary_button(_("Add journey"))
        self.add_button.setIcon(theme.icon("mdi6.car-outline", theme.colors().accent_text))
        self.add_button.setToolTip(_("Add it to the log (Enter)"))
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        card.body.addLayout(row)
        self.on.set_value(self.session.clock.today())
        for edit in (self.on.edit, self.from_place, self.to_place, self.distance, self.purpose, self.client_code):
            edit.returnPressed.connect(self.add)
        return card

    # -- the period ----------------------------------------------------------------------------

    def _period_changed(self, *_args: object) -> None:
        choice = self.period.currentData()
        today = self.session.clock.today()
        custom = choice == CUSTOM
        for widget in (self.from_label, self.period_from, self.to_label, self.period_to):
            widget.setVisible(custom)
        if not custom:
            start, end = month_bounds(today if choice == THIS_MONTH else today.replace(day=1) - timedelta(days=1))
            for field, value in ((self.period_from, start), (self.period_to, end)):
                field.blockSignals(True)
                field.set_value(value)
                field.blockSignals(False)
        self.reload()

    def bounds(self) -> tuple[date, date] | None:
        """The period chosen; None (with the reason shown) when the dates can't be read."""
        try:
            start, end = self.period_from.value(), self.period_to.value()
        except ValueError as exc:
            self._period_problem(str(exc))
            return None
        if start is None or end is None:
            self._period_problem(_("Give both dates of the period."))
            return None
        if end < start:
            self._period_problem(_("The period ends before it starts. Check the dates."))
            return None
        self.period_error.setVisible(False)
        return start, end

    def _period_problem(self, text: str) -> None:
        self.period_error.setText(text)
        self.period_error.setVisible(True)

    def reload(self) -> None:
        span = self.bounds()
        if span is None:
            return
        try:
            self.total = self.session.follow_ups.mileage_total(*span)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.entries = list(self.total.entries)
        self.model.removeRows(0, self.model.rowCount())
        for entry in self.entries:
            items = [QStandardItem(format_date(entry.on)), QStandardItem(entry.from_place),
                     QStandardItem(entry.to_place), QStandardItem(distance_text(entry.distance)),
                     QStandardItem(entry.purpose), QStandardItem(entry.client_code)]
            items[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for item in items:
                item.setData(entry.id, ID_ROLE)
                item.setToolTip(item.text())
            self.model.appendRow(items)
        self.stack.setCurrentWidget(self.table if self.entries else self.empty)
        self.total_label.setText(distance_text(self.total.distance, self.unit))
        trips = ngettext("{n} journey", "{n} journeys", self.total.trips).format(n=self.total.trips)
        self.trips_label.setText(_("{trips} · {start} – {end}").format(
            trips=trips, start=format_date(span[0]), end=format_date(span[1])))
        self.total_label.setAccessibleName(_("Total for the period: {total}, {trips}").format(
            total=self.total_label.text(), trips=trips))
        self.remove_button.setEnabled(False)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.remove_button.setEnabled(current.isValid())

    def selected(self) -> MileageEntry | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        wanted = index.data(ID_ROLE)
        return next((e for e in self.entries if e.id == wanted), None)

    # -- changes -------------------------------------------------------------------------------

    def add(self) -> None:
        self.grid.clear_errors()
        self.message.setVisible(False)
        problems: dict[str, str] = {}
        on = None
        try:
            on = self.on.value()
        except ValueError as exc:
            problems["on"] = str(exc)
        if on is None and "on" not in problems:
            problems["on"] = _("Give the date of the journey.")
        distance = 0.0
        try:
            distance = parse_distance(self.distance.text())
        except ValueError as exc:
            problems["distance"] = str(exc)
        if not problems and on is not None:
            try:
                entry = self.session.follow_ups.log_mileage(on, self.from_place.text(), self.to_place.text(), distance,
                                                            self.purpose.text(), self.client_code.text())
            except ValidationError as exc:
                problems = dict(exc.problems)
            except VaultError as exc:
                self.message.show_message(str(exc), "error")
                return
            else:
                self._added(entry)
                return
        else:  # say everything at once: the service's own checks too
            for key, text in self._service_checks(on).items():
                problems.setdefault(key, text)
        first: QWidget | None = None
        for key, text in problems.items():
            self.grid.set_error(key, text)
            first = first or self.grid.inputs.get(key)
        if first is not None:
            first.setFocus()

    def _service_checks(self, on: date | None) -> dict[str, str]:
        problems = validate_mileage(on or self.session.clock.today(), self.from_place.text(), self.to_place.text(),
                                    1.0, self.session.clock.today())
        problems.pop("distance", None)
        if on is None:
            problems.pop("on", None)
        return problems

    def _added(self, entry: MileageEntry) -> None:
        span = self.bounds()
        self.reload()
        if span is not None and not span[0] <= entry.on <= span[1]:
            self.message.show_message(_("Added. The journey is on {date}, outside the period shown.").format(
                date=format_date(entry.on)), "info")
        else:
            for row in range(self.model.rowCount()):
                if self.model.item(row, 0).data(ID_ROLE) == entry.id:
                    self.table.selectRow(row)
        # The next journey usually starts where this one ended.
        self.from_place.setText(entry.to_place)
        for edit in (self.to_place, self.distance, self.purpose, self.client_code):
            edit.clear()
        self.to_place.setFocus()

    def remove(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        answer = actions.ask(self, _("Remove this journey?"), _(
            "The journey of {date} from {start} to {end} ({distance}) comes off the log.").format(
            date=format_date(entry.on), start=entry.from_place, end=entry.to_place,
            distance=distance_text(entry.distance)),
            [(_("Remove"), QMessageBox.ButtonRole.DestructiveRole)], keep=_("Keep it"))
        if answer is None:
            return
        try:
            self.session.follow_ups.remove_mileage(entry.id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.reload()
        self.table.setFocus()
