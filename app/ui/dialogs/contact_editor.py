"""New and edit contact: one form for a professional, an organisation or a natural support,
autosaved as a draft while typing, validated next to each field (the NPI's check digit too)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.contacts import Contact, ContactFields, ContactKind
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_picker import KIND_ICONS
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, muted_label, primary_button, set_default_button

FORM = "contact"
NEW = "new"
_ROLES = ["", "Psychiatrist", "Primary care physician", "Nurse practitioner", "Therapist", "Psychologist",
          "Peer support specialist", "Housing case worker", "Pharmacist", "Probation officer", "Benefits advisor",
          "Vocational counsellor", "Social worker"]
_SERVICES = ["", "Community mental health", "Primary care clinic", "Hospital", "Supported housing", "Shelter",
             "Substance use treatment", "Food pantry", "Legal aid", "Benefits office", "Crisis services"]
_RELATIONS = ["", "Mother", "Father", "Sister", "Brother", "Partner", "Spouse", "Daughter", "Son", "Friend",
              "Neighbour", "Cousin", "Aunt", "Uncle", "Grandparent", "Sponsor", "Faith leader"]
_LINES = ("name", "organisation", "npi", "phone", "phone_alt", "fax", "email", "address_line1", "address_line2",
          "city", "region", "postal_code")


class ContactEditorDialog(OfferedDraftDialog):
    saved = Signal(object)  # Contact

    def __init__(self, session: Session, contact: Contact | None = None, *, kind: ContactKind | None = None,
                 auto_restore: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contact = contact
        self.object_id = contact.id if contact else NEW
        self._kind_given = kind
        self.setWindowTitle(_("Edit contact") if contact else _("New contact"))
        self.setModal(True)
        self.resize(760, 680)
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
        self.lines: dict[str, QLineEdit] = {}
        self.grids: list[FieldGrid] = []
        self.who = self._section(form, _("Who they are"))
        self.kind = QComboBox()
        for value in ContactKind:
            self.kind.addItem(theme.icon(KIND_ICONS[value]), value.label, value.value)
        self.who.add("kind", _("Kind of contact"), self.kind)
        self._line(self.who, "name", _("Name"), required=True)
        self.role = QComboBox()
        self.role.setEditable(True)
        self.role.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.who.add("role", _("Role or discipline"), self.role)
        self._line(self.who, "organisation", _("Organisation"))
        self._line(self.who, "npi", _("NPI (optional)"), hint=_("The 10-digit National Provider Identifier"))
        reach = self._section(form, _("How to reach them"))
        self._line(reach, "phone", _("Phone"), placeholder="(555) 201-3344")
        self._line(reach, "phone_alt", _("Other phone"), hint=_("Mobile, direct line or after hours"))
        self._line(reach, "fax", _("Fax"))
        self._line(reach, "email", _("Email"), placeholder="name@example.org")
        self._line(reach, "address_line1", _("Address"), span=2)
        self._line(reach, "address_line2", _("Address line 2"), span=2, placeholder=_("Suite, floor, building"))
        self._line(reach, "city", _("City"))
        self._line(reach, "region", _("State or region"))
        self._line(reach, "postal_code", _("Postal code"))
        notes_grid = FieldGrid(columns=2)
        form.addWidget(notes_grid)
        self.grids.append(notes_grid)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(90)
        self.notes.setPlaceholderText(_("Best times to call, who covers when they are away, how they like referrals sent"))
        notes_grid.add("notes", _("Notes"), self.notes, span=2)
        form.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.status = muted_label("")
        buttons.addWidget(self.status, 1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        self.save_button = primary_button(_("Save contact"))
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        set_default_button(self, None)  # Ctrl+S saves; Enter never submits a half-typed form

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        start = contact.fields if contact else ContactFields(kind=kind or ContactKind.PROFESSIONAL)
        self.apply(self._data(start))
        self._kind_changed()
        self.offer_draft(FORM, self.object_id, auto_restore)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for edit in self.lines.values():
            edit.textEdited.connect(self.autosaver.changed)
        self.kind.currentIndexChanged.connect(self.autosaver.changed)
        self.role.currentTextChanged.connect(self.autosaver.changed)
        self.notes.textChanged.connect(self.autosaver.changed)

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
        self.lines[name] = edit
        return edit

    def current_kind(self) -> ContactKind:
        return ContactKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        """Labels and fields follow the kind: a relationship for a natural support (no NPI, no
        organisation), a type of service for an organisation."""
        kind = self.current_kind()
        self.who.labels["role"].setText(kind.role_label + (" *" if kind is ContactKind.NATURAL_SUPPORT else ""))
        self.role.setAccessibleName(kind.role_label)
        if self.role.lineEdit() is not None:
            self.role.lineEdit().setAccessibleName(kind.role_label)
        typed = self.role.currentText()
        self.role.blockSignals(True)
        self.role.clear()
        self.role.addItems({ContactKind.PROFESSIONAL: _ROLES, ContactKind.ORGANISATION: _SERVICES,
                            ContactKind.NATURAL_SUPPORT: _RELATIONS}[kind])
        self.role.setCurrentText(typed)
        self.role.blockSignals(False)
        for name, shown in (("organisation", kind is ContactKind.PROFESSIONAL),
                            ("npi", kind is not ContactKind.NATURAL_SUPPORT)):
            for widget in (self.who.labels[name], self.who.inputs[name]):
                widget.setVisible(shown)
            if not shown:
                self.who.set_error(name, None)
        placeholder = {ContactKind.ORGANISATION: _("e.g. Harbor Housing Services"),
                       ContactKind.NATURAL_SUPPORT: _("e.g. Rosa Quintero")}.get(kind, _("e.g. Dr Amara Okafor"))
        self.lines["name"].setPlaceholderText(placeholder)

    # -- values ------------------------------------------------------------------------------

    @staticmethod
    def _data(fields: ContactFields) -> dict[str, Any]:
        return {name: getattr(fields, name) for name in ContactFields.names()} | {"kind": fields.kind.value}

    def collect(self) -> dict[str, Any]:
        """Everything on screen as typed, for drafts and for saving."""
        data: dict[str, Any] = {name: edit.text() for name, edit in self.lines.items()}
        data["kind"] = self.kind.currentData()
        data["role"] = self.role.currentText()
        data["notes"] = self.notes.toPlainText()
        return data

    def apply(self, data: dict[str, Any]) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind", ContactKind.PROFESSIONAL.value))))
        self._kind_changed()
        for name, edit in self.lines.items():
            edit.setText(str(data.get(name, "")))
        self.role.setCurrentText(str(data.get("role", "")))
        self.notes.setPlainText(str(data.get("notes", "")))

    def to_fields(self) -> ContactFields:
        data = self.collect()
        kind = ContactKind(data["kind"])
        if kind is not ContactKind.PROFESSIONAL:
            data["organisation"] = ""  # hidden for this kind: never saved from a field nobody sees
        if kind is ContactKind.NATURAL_SUPPORT:
            data["npi"] = ""
        data["kind"] = kind
        return ContactFields(**{n: data[n] for n in ContactFields.names()})

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        for grid in self.grids:
            grid.clear_errors()
        self.error_banner.setVisible(False)
        fields = self.to_fields()
        contacts, current = self.session.contacts, self.contact
        contact = self.submit(lambda: contacts.create(fields) if current is None
                              else contacts.update(current.id, fields))
        if contact is None:
            return
        self.contact = contact
        self.saved.emit(contact)
        self.done(QDialog.DialogCode.Accepted)

    def show_problems(self, problems: dict[str, str]) -> None:
        first: QWidget | None = None
        for name, message in problems.items():
            for grid in self.grids:
                if name in grid.inputs:
                    grid.set_error(name, message)
                    first = first or grid.inputs[name]
        self.error_banner.show_message(_("{n} field(s) need attention. Everything you typed is kept.").format(
            n=len(problems)), "error")
        if first is not None:
            first.setFocus()

    # -- closing -----------------------------------------------------------------------------

    def has_changes(self) -> bool:
        before = self.contact.fields if self.contact else ContactFields(kind=self.current_kind())
        return self.to_fields().normalised() != before.normalised()

    def first_focus(self) -> QWidget | None:
        """A new contact starts at its kind (it shapes the form), unless the kind was given."""
        return self.kind if self.contact is None and self._kind_given is None else self.lines["name"]

