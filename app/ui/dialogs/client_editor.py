"""New and edit client: one form, autosaved as a draft while typing, validated next to each field.

Nothing typed is ever thrown away by a failed save: the fields keep their text and the draft
keeps a copy in the vault until the client is saved or the changes are discarded on purpose.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.client import (
    SEX_AT_BIRTH,
    Client,
    ClientFields,
    sex_at_birth_labels,
    validate_client,
)
from app.services.errors import ValidationError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, muted_label, primary_button, set_default_button
from app.ui.widgets.inputs import DateField

FORM = "client"
NEW = "new"
_PRONOUNS = ["", "she/her", "he/him", "they/them", "she/they", "he/they", "ze/zir"]
_GENDERS = ["", "Woman", "Man", "Non-binary", "Transgender woman", "Transgender man", "Two-spirit",
            "Another identity", "Prefers not to say"]
_LANGUAGES = ["English", "Spanish", "Vietnamese", "Chinese", "Arabic", "Russian", "Somali", "Haitian Creole",
              "Portuguese", "French", "Korean", "ASL"]
_DATE_FIELDS = ("date_of_birth", "referral_date")


class ClientEditorDialog(OfferedDraftDialog):
    saved = Signal(object)  # Client

    def __init__(self, session: Session, client: Client | None = None, *, auto_restore: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client = client
        self.object_id = client.id if client else NEW
        self.setWindowTitle(_("Edit client") if client else _("New client"))
        self.setModal(True)
        self.resize(820, 660)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(self.windowTitle())
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(0, 0, SPACING, 0)
        form.setSpacing(SPACING * 2)
        self.inputs: dict[str, QWidget] = {}
        self.grids: list[FieldGrid] = []
        self._build_sections(form)
        form.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.status = muted_label("")
        buttons.addWidget(self.status, 1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        self.save_button = primary_button(_("Save client"))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        set_default_button(self, None)  # a long form: Ctrl+S saves, Enter never submits by surprise

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.set_fields(client.fields if client else ClientFields())
        self.offer_draft(FORM, self.object_id, auto_restore)
        self._connect_changes()
        self.inputs["first_name"].setFocus()

    # -- building ----------------------------------------------------------------------------

    def _section(self, layout: QVBoxLayout, title: str) -> FieldGrid:
        label = QLabel(title)
        label.setFont(theme.scaled_font(self, 1.1, bold=True))
        layout.addWidget(label)
        grid = FieldGrid(columns=2)
        layout.addWidget(grid)
        self.grids.append(grid)
        return grid

    def _line(self, grid: FieldGrid, name: str, label: str, *, required: bool = False, span: int = 1,
              placeholder: str = "", hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(200)
        grid.add(name, label, edit, required=required, span=span, hint=hint)
        self.inputs[name] = edit
        return edit

    def _combo(self, grid: FieldGrid, name: str, label: str, items: list[str], editable: bool = True) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(editable)
        combo.addItems(items)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        grid.add(name, label, combo)
        self.inputs[name] = combo
        return combo

    def _date(self, grid: FieldGrid, name: str, label: str, required: bool = False) -> DateField:
        field = DateField()
        grid.add(name, label, field, required=required)
        self.inputs[name] = field
        return field

    def _build_sections(self, layout: QVBoxLayout) -> None:
        who = self._section(layout, _("Who they are"))
        self._line(who, "first_name", _("Legal first name"), required=True)
        self._line(who, "last_name", _("Legal last name"), required=True)
        self._line(who, "preferred_name", _("Preferred name"), hint=_("The name they want to be called"))
        self._combo(who, "pronouns", _("Pronouns"), _PRONOUNS)
        self._date(who, "date_of_birth", _("Date of birth"), required=True)
        sex = QComboBox()
        labels = sex_at_birth_labels()
        for value in SEX_AT_BIRTH:
            sex.addItem(labels[value], value)
        who.add("sex_at_birth", _("Sex assigned at birth (optional)"), sex)
        self.inputs["sex_at_birth"] = sex
        self._combo(who, "gender_identity", _("Gender identity (optional)"), _GENDERS)
        self._combo(who, "language", _("Preferred language"), ["", *_LANGUAGES])
        interpreter = QCheckBox(_("Needs an interpreter"))
        who.add("interpreter_needed", _("Interpreter"), interpreter)
        self.inputs["interpreter_needed"] = interpreter

        contact = self._section(layout, _("How to reach them"))
        self._line(contact, "phone", _("Phone"), placeholder="(555) 201-3344")
        self._line(contact, "phone_alt", _("Other phone"))
        self._line(contact, "email", _("Email"), span=2, placeholder="name@example.org")
        self._line(contact, "address_line1", _("Address"), span=2)
        self._line(contact, "address_line2", _("Address line 2"), span=2, placeholder=_("Apartment, unit, building"))
        self._line(contact, "city", _("City"))
        self._line(contact, "region", _("State or region"))
        self._line(contact, "postal_code", _("Postal code"))

        emergency = self._section(layout, _("Emergency contact"))
        self._line(emergency, "emergency_name", _("Name"))
        self._line(emergency, "emergency_relationship", _("Relationship"))
        self._line(emergency, "emergency_phone", _("Phone"))

        case = self._section(layout, _("Case"))
        self._date(case, "referral_date", _("Referral date"))
        self._line(case, "insurance_id", _("Insurance or Medicaid ID (optional)"))

    def _connect_changes(self) -> None:
        for widget in self.inputs.values():
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._changed)
            elif isinstance(widget, DateField):
                widget.edit.textChanged.connect(self._changed)
            elif isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(self._changed)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self._changed)

    def _changed(self, *_args: Any) -> None:
        self.autosaver.changed()

    # -- values ------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen as typed (dates as text), for drafts and for saving."""
        data: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QLineEdit):
                data[name] = widget.text()
            elif isinstance(widget, DateField):
                data[name] = widget.text()
            elif isinstance(widget, QComboBox):
                data[name] = widget.currentData() if name == "sex_at_birth" else widget.currentText()
            elif isinstance(widget, QCheckBox):
                data[name] = widget.isChecked()
        return data

    def apply(self, data: dict[str, Any]) -> None:
        for name, value in data.items():
            widget = self.inputs.get(name)
            if isinstance(widget, QLineEdit):
                widget.setText(str(value))
            elif isinstance(widget, DateField):
                widget.set_text(str(value))
            elif isinstance(widget, QComboBox):
                if name == "sex_at_birth":
                    widget.setCurrentIndex(max(0, widget.findData(value)))
                else:
                    widget.setCurrentText(str(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))

    def set_fields(self, fields: ClientFields) -> None:
        data: dict[str, Any] = {}
        for name in ClientFields.names():
            value = getattr(fields, name)
            if name in _DATE_FIELDS:
                widget = self.inputs[name]
                assert isinstance(widget, DateField)
                widget.set_value(value)
                continue
            data[name] = value
        self.apply(data)

    def to_fields(self) -> ClientFields:
        """The form as ClientFields; raises ValidationError naming fields that can't be read."""
        data = self.collect()
        problems: dict[str, str] = {}
        for name in _DATE_FIELDS:
            widget = self.inputs[name]
            assert isinstance(widget, DateField)
            try:
                data[name] = widget.value()
            except ValueError as exc:
                problems[name] = str(exc)
                data[name] = None
        fields = ClientFields(**{n: data[n] for n in ClientFields.names()})
        if problems:
            # Report every other problem too, so one failed save shows everything to fix.
            for name, message in validate_client(fields, self.session.clock.today()).items():
                problems.setdefault(name, message)
            raise ValidationError(problems)
        return fields

    # -- drafts ------------------------------------------------------------------------------

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        for grid in self.grids:
            grid.clear_errors()
        self.error_banner.setVisible(False)
        clients, current = self.session.clients, self.client

        def save() -> Client:
            fields = self.to_fields()
            return clients.create(fields) if current is None else clients.update(current.id, fields)

        client = self.submit(save)
        if client is None:
            return
        self.client = client
        self.saved.emit(client)
        self.done(QDialog.DialogCode.Accepted)

    def show_problems(self, problems: dict[str, str]) -> None:
        first: QWidget | None = None
        for name, message in problems.items():
            for grid in self.grids:
                if name in grid.inputs:
                    grid.set_error(name, message)
                    first = first or grid.inputs[name]
        count = len(problems)
        self.error_banner.show_message(
            _("{n} field(s) need attention. Everything you typed is kept.").format(n=count), "error"
        )
        if first is not None:
            first.setFocus()

    # -- closing -----------------------------------------------------------------------------

    def has_changes(self) -> bool:
        try:
            return self.to_fields().normalised() != (self.client.fields if self.client else ClientFields())
        except ValidationError:
            return True

    def first_focus(self) -> QWidget | None:
        return self.inputs["first_name"]

