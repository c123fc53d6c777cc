"""Record a transition: a change of level of care or a discharge, with what the receiving care
needs to know — reason, receiving provider and warm handoff, medications as reported (not
reconciled), pending appointments and referrals, crisis plan, preferences, information given —
and a checklist of the transition summary's elements.

It opens filled in from the record (the current level, scheduled follow-ups and booked referral
appointments, open referrals, the signed safety plan's crisis contacts); every line is the case
manager's to change. The typing is autosaved as a form draft, so a lock or a crash loses nothing;
a refused save shows each sentence next to its field and keeps everything typed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, ngettext
from app.models.contacts import Contact, ContactKind, Release
from app.models.transitions import (
    DEFAULT_CHECK_IN_DAYS,
    DEFAULT_LEVELS,
    ChecklistItem,
    Handoff,
    HandoffMethod,
    Medication,
    Transition,
    TransitionFields,
    TransitionKind,
    kind_for,
    level_label,
)
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_editor import ContactEditorDialog
from app.ui.dialogs.contact_picker import ContactPicker
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    link_button,
    muted_label,
    set_default_button,
)
from app.ui.widgets.inputs import DateField
from app.ui.widgets.list_editors import Column, LinesEditor, RowsEditor

FORM = "transition"


def days_text(days: Sequence[int]) -> str:
    """"3, 7, 30 and 90 days"."""
    numbers = [str(d) for d in sorted(days)]
    joined = numbers[0] if len(numbers) == 1 else _("{first} and {last}").format(
        first=", ".join(numbers[:-1]), last=numbers[-1])
    return ngettext("{days} day", "{days} days", int(numbers[-1])).format(days=joined)


def _text_box(height: int, placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    box.setPlaceholderText(placeholder)
    return box


class TransitionEditorDialog(OfferedDraftDialog):
    """`saved(Transition)` once the service recorded it."""

    saved = Signal(object)

    def __init__(self, session: Session, client_id: str, client_name: str, *,
                 levels: Sequence[str] = DEFAULT_LEVELS, check_in_days: Sequence[int] = DEFAULT_CHECK_IN_DAYS,
                 auto_restore: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.levels = list(levels)
        self.check_in_days = tuple(check_in_days)
        self.object_id = f"new:{client_id}"
        self.contact_editor: ContactEditorDialog | None = None
        self.transition: Transition | None = None
        self._rows: list[int] = []  # the screen row of each medication sent to the service
        self.setWindowTitle(_("Record a transition"))
        self.setModal(True)
        self.resize(980, 700)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("Record a transition for {name}").format(name=client_name))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        self.plan_note = muted_label("")
        outer.addWidget(self.plan_note)
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll, page = self.scrolling_form()
        self.team = {m.contact.id: m for m in session.contacts.team(client_id)}
        self._build()
        self.form.addStretch(1)
        scroll.setWidget(page)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)

        self.status, self.cancel_button, self.save_button = self.record_buttons(
            outer, _("Record the transition"), "mdi6.swap-horizontal", _("Record it and plan the check-ins (Ctrl+S)"), self.save)
        set_default_button(self, None)  # Enter adds lines in the lists; it never records by surprise

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.apply(self._data(session.transitions.starting_fields(client_id)))
        self._edited = False
        self.offer_draft(FORM, self.object_id, auto_restore)
        self._connect()
        self._order_tabs()
        self._describe_provider(fill_handoff=False)
        self._update_plan_note()

    # -- building ------------------------------------------------------------------------------

    def _card(self, heading: str, hint: str = "") -> Card:
        card = Card()
        caption = QLabel(heading)
        caption.setFont(theme.scaled_font(self, 1.1, bold=True))
        card.body.addWidget(caption)
        if hint:
            card.body.addWidget(muted_label(hint))
        self.form.addWidget(card)
        return card

    def _level_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_("Choose…"), "")
        for level in self.levels:
            combo.addItem(level_label(level), level)
        return combo

    def _build(self) -> None:
        change = self._card(_("The change"))
        self.grid = FieldGrid(columns=4)
        self.kind = QComboBox()
        for kind in (TransitionKind.LEVEL_OF_CARE, TransitionKind.DISCHARGE):
            self.kind.addItem(kind.label, kind.value)
        self.grid.add("kind", _("Type"), self.kind)
        self.on = DateField()
        self.grid.add("on", _("Date of the transition"), self.on, required=True)
        self.from_level = self._level_combo()
        self.grid.add("from_level", _("From level of care"), self.from_level, required=True)
        self.to_level = self._level_combo()
        self.grid.add("to_level", _("To level of care"), self.to_level, required=True)
        self.reason = _text_box(60, _("Why the client's care is changing, in a sentence or two"))
        self.grid.add("reason", _("Reason"), self.reason, required=True, span=4)
        self.services_provided = _text_box(48, _("e.g. weekly home visits, benefits support, safety planning"))
        self.grid.add("services_provided", _("Services provided"), self.services_provided, span=2)
        self.condition = _text_box(48, _("How the client is at the transition, and where they go"))
        self.grid.add("condition", _("Condition and disposition"), self.condition, span=2)
        change.body.addWidget(self.grid)

        receiving = self._card(_("Receiving provider and warm handoff"))
        self.receiving_grid = FieldGrid(columns=3)
        choices = [c for c in self.session.contacts.directory() if c.kind is not ContactKind.NATURAL_SUPPORT]
        self.picker = ContactPicker(choices, self.new_contact)
        self.picker.list.setMinimumHeight(96)
        self.picker.list.setMaximumHeight(120)
        self.receiving_grid.add("receiving_contact_id", _("Receiving provider"), self.picker, span=3)
        receiving.body.addWidget(self.receiving_grid)
        about = QHBoxLayout()
        self.receiving_note = muted_label("")
        about.addWidget(self.receiving_note, 1)
        self.no_provider = link_button(_("No receiving provider"))
        self.no_provider.setToolTip(_("Clear the choice: the check-ins are then with the client only"))
        self.no_provider.clicked.connect(self._clear_provider)
        about.addWidget(self.no_provider)
        receiving.body.addLayout(about)
        self.handoff_grid = FieldGrid(columns=3)
        self.handoff_with = QLineEdit()
        self.handoff_with.setMaxLength(500)
        self.handoff_with.setPlaceholderText(_("The person the client was introduced to"))
        self.handoff_grid.add("handoff_with", _("Handoff with"), self.handoff_with)
        self.handoff_on = DateField()
        self.handoff_grid.add("handoff_on", _("Handoff date"), self.handoff_on)
        self.handoff_method = QComboBox()
        self.handoff_method.addItem(_("Not done yet"), "")
        for method in HandoffMethod:
            self.handoff_method.addItem(method.label, method.value)
        self.handoff_grid.add("handoff_method", _("How"), self.handoff_method)
        self.handoff_note = _text_box(48, _("e.g. intake booked together; the client has the clinic's number"))
        self.handoff_grid.add("handoff_note", _("Handoff notes"), self.handoff_note, span=3)
        receiving.body.addWidget(self.handoff_grid)

        meds = self._card(_("Medications — as reported, not reconciled"), _(
            "What the client or the discharging service says they take. Waypoint does not check or reconcile "
            "medications; the receiving prescriber does."))
        self.medications = RowsEditor(_("Medications"), [
            Column("name", _("Medication"), _("e.g. sertraline")),
            Column("dose", _("Dose and how often"), _("e.g. 100 mg every morning"), stretch=2),
            Column("note", _("Note"), _("e.g. from the discharge letter"), stretch=2)], _("+ Add a medication"))
        meds.body.addWidget(self.medications)

        pending = self._card(_("Pending appointments and referrals"), _(
            "Filled in from the scheduled follow-ups and open referrals; change them as needed. Enter adds a line."))
        self.pending_grid = FieldGrid(columns=1)
        self.appointments = LinesEditor(_("Pending appointments"), _("e.g. 2 Dec, psychiatry review at Riverside"))
        self.pending_grid.add("pending_appointments", _("Appointments"), self.appointments)
        self.referrals = LinesEditor(_("Pending referrals"), _("e.g. peer support group — waiting list"))
        self.pending_grid.add("pending_referrals", _("Referrals"), self.referrals)
        pending.body.addWidget(self.pending_grid)

        person = self._card(_("Crisis plan, preferences and information given"))
        self.person_grid = FieldGrid(columns=2)
        self.crisis_plan = _text_box(84, _("Who to call in a crisis, day and night"))
        self.person_grid.add("crisis_plan", _("Crisis plan and contacts"), self.crisis_plan, span=2)
        self.preferences = _text_box(60, _("e.g. texts in the morning; a Spanish-speaking clinician"))
        self.person_grid.add("preferences", _("Client preferences"), self.preferences)
        self.information_given = _text_box(60, _("e.g. crisis numbers, the new clinic's address, the plan"))
        self.person_grid.add("information_given", _("Information given to the client and family"),
                             self.information_given)
        person.body.addWidget(self.person_grid)

        checklist = self._card(_("Transition checklist"), _(
            "The elements of a transition summary. Tick what is done or included."))
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(4)
        self.checks: dict[ChecklistItem, QCheckBox] = {}
        items = list(ChecklistItem)
        half = (len(items) + 1) // 2
        for index, item in enumerate(items):
            box = QCheckBox(item.label)
            box.setAccessibleName(item.label)
            grid.addWidget(box, index % half, index // half)
            self.checks[item] = box
        checklist.body.addLayout(grid)
        self.checklist_count = muted_label("")
        checklist.body.addWidget(self.checklist_count)

    def _connect(self) -> None:
        for combo in (self.kind, self.from_level, self.to_level, self.handoff_method):
            combo.currentIndexChanged.connect(self._changed)
        self.to_level.currentIndexChanged.connect(self._to_level_chosen)
        for field in (self.on, self.handoff_on):
            field.changed.connect(self._changed)
        for box in (self.reason, self.services_provided, self.condition, self.handoff_note, self.crisis_plan,
                    self.preferences, self.information_given):
            box.textChanged.connect(self._changed)
        self.handoff_with.textEdited.connect(self._changed)
        for editor in (self.medications, self.appointments, self.referrals):
            editor.changed.connect(self._changed)
            editor.reordered.connect(self._order_tabs)
        for check in self.checks.values():
            check.toggled.connect(self._changed)
        self.picker.chosen.connect(self._provider_chosen)

    def _order_tabs(self) -> None:
        """Tab follows the reading order, lines and rows added later included."""
        chain: list[QWidget] = [self.kind, self.on.edit, self.on.pick, self.from_level, self.to_level, self.reason,
                                self.services_provided, self.condition, self.picker.search]
        if self.picker.new_button is not None:
            chain.append(self.picker.new_button)
        chain.extend((self.picker.list, self.no_provider, self.handoff_with, self.handoff_on.edit,
                      self.handoff_on.pick, self.handoff_method, self.handoff_note))
        chain.extend(self.medications.tab_widgets())
        chain.extend(self.appointments.tab_widgets())
        chain.extend(self.referrals.tab_widgets())
        chain.extend((self.crisis_plan, self.preferences, self.information_given))
        chain.extend(self.checks[item] for item in ChecklistItem)
        chain.extend((self.cancel_button, self.save_button))
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _changed(self, *_args: Any) -> None:
        self._edited = True
        self.autosaver.changed()
        self._update_plan_note()

    def _to_level_chosen(self) -> None:
        level = self.to_level.currentData() or ""
        if level:
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind_for(level).value)))

    def _provider_chosen(self, _contact_id: str) -> None:
        self._changed()
        self._describe_provider(fill_handoff=True)

    def _describe_provider(self, *, fill_handoff: bool) -> None:
        """Whether the chosen provider is on the care team with a release on file (it matters for
        what may be shared with them)."""
        contact = self.picker.contact()
        self.no_provider.setVisible(contact is not None)
        if contact is None:
            self.receiving_note.setText(_("No receiving provider chosen: the check-ins will be with the client only."))
            return
        member = self.team.get(contact.id)
        if member is None:
            self.receiving_note.setText(_("{name} is not on the care team, so no release of information is recorded "
                                          "for them.").format(name=contact.name))
        else:
            release = {Release.YES: _("a release of information is on file"),
                       Release.NO: _("⚠ no release of information is on file"),
                       Release.UNKNOWN: _("the release of information has not been checked")}[member.fields.release]
            self.receiving_note.setText(_("{name} is on the care team; {release}.").format(
                name=contact.name, release=release))
        if fill_handoff and not self.handoff_with.text().strip() and contact.kind is ContactKind.PROFESSIONAL:
            self.handoff_with.setText(contact.name)

    def _clear_provider(self) -> None:
        self.picker.search.clear()
        self.picker.list.setCurrentRow(-1)
        self.picker.list.clearSelection()
        self._provider_chosen("")

    def _update_plan_note(self) -> None:
        with_provider = self.picker.contact_id() is not None
        who = _("the client and the receiving provider") if with_provider else _("the client")
        self.plan_note.setText(_("Check-ins with {who} will be planned {days} after the transition; they appear as "
                                 "proposals to accept into the calendar.").format(
            who=who, days=days_text(self.check_in_days)))
        ticked = sum(1 for check in self.checks.values() if check.isChecked())
        self.checklist_count.setText(_("{done} of {total} done").format(done=ticked, total=len(self.checks)))

    def new_contact(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.raise_()
            return
        editor = ContactEditorDialog(self.session, kind=ContactKind.PROFESSIONAL, parent=self)
        editor.saved.connect(lambda contact: self.picker.set_contacts(self._choices(), select=contact.id))
        editor.finished.connect(lambda _r: setattr(self, "contact_editor", None))
        self.contact_editor = editor
        editor.open()

    def _choices(self) -> list[Contact]:
        return [c for c in self.session.contacts.directory() if c.kind is not ContactKind.NATURAL_SUPPORT]

    # -- values --------------------------------------------------------------------------------

    @staticmethod
    def _data(f: TransitionFields) -> dict[str, Any]:
        h = f.handoff
        return {
            "kind": f.kind.value, "on": date_example(f.on) if f.on else "", "from_level": f.from_level,
            "to_level": f.to_level, "reason": f.reason, "services_provided": f.services_provided,
            "condition": f.condition, "receiving_contact_id": f.receiving_contact_id or "",
            "handoff_with": h.with_whom, "handoff_on": date_example(h.on) if h.on else "",
            "handoff_method": h.method.value if h.method else "", "handoff_note": h.note,
            "medications": [m.to_json() for m in f.medications],
            "pending_appointments": list(f.pending_appointments), "pending_referrals": list(f.pending_referrals),
            "crisis_plan": f.crisis_plan, "preferences": f.preferences, "information_given": f.information_given,
            "checklist": sorted(item.value for item in f.checklist),
        }

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {
            "kind": self.kind.currentData(), "on": self.on.text(), "from_level": self.from_level.currentData() or "",
            "to_level": self.to_level.currentData() or "", "reason": self.reason.toPlainText(),
            "services_provided": self.services_provided.toPlainText(), "condition": self.condition.toPlainText(),
            "receiving_contact_id": self.picker.contact_id() or "", "handoff_with": self.handoff_with.text(),
            "handoff_on": self.handoff_on.text(), "handoff_method": self.handoff_method.currentData() or "",
            "handoff_note": self.handoff_note.toPlainText(), "medications": self.medications.values(),
            "pending_appointments": self.appointments.lines(), "pending_referrals": self.referrals.lines(),
            "crisis_plan": self.crisis_plan.toPlainText(), "preferences": self.preferences.toPlainText(),
            "information_given": self.information_given.toPlainText(),
            "checklist": sorted(item.value for item, check in self.checks.items() if check.isChecked()),
        }

    def _select_level(self, combo: QComboBox, level: str) -> None:
        if level and combo.findData(level) < 0:  # a level no longer in the settings list stays choosable
            combo.addItem(level_label(level), level)
        combo.setCurrentIndex(max(0, combo.findData(level)))

    def apply(self, data: dict[str, Any]) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind") or TransitionKind.LEVEL_OF_CARE.value)))
        self.on.set_text(str(data.get("on", "")))
        self._select_level(self.from_level, str(data.get("from_level") or ""))
        self.to_level.blockSignals(True)
        self._select_level(self.to_level, str(data.get("to_level") or ""))
        self.to_level.blockSignals(False)
        for box, key in ((self.reason, "reason"), (self.services_provided, "services_provided"),
                         (self.condition, "condition"), (self.handoff_note, "handoff_note"),
                         (self.crisis_plan, "crisis_plan"), (self.preferences, "preferences"),
                         (self.information_given, "information_given")):
            box.setPlainText(str(data.get(key) or ""))
        contact_id = str(data.get("receiving_contact_id") or "")
        if contact_id:
            self.picker.select(contact_id)
        else:
            self.picker.list.setCurrentRow(-1)
        self.handoff_with.setText(str(data.get("handoff_with") or ""))
        self.handoff_on.set_text(str(data.get("handoff_on") or ""))
        self.handoff_method.setCurrentIndex(max(0, self.handoff_method.findData(data.get("handoff_method") or "")))
        self.medications.set_values([{k: str(v or "") for k, v in row.items()}
                                     for row in data.get("medications") or []])
        self.appointments.set_lines([str(v) for v in data.get("pending_appointments") or []])
        self.referrals.set_lines([str(v) for v in data.get("pending_referrals") or []])
        ticked = set(data.get("checklist") or [])
        for item, check in self.checks.items():
            check.setChecked(item.value in ticked)
        for edit in (*self.appointments.edits, *self.referrals.edits):
            edit.setCursorPosition(0)  # long lines show their start
        self._order_tabs()

    def has_changes(self) -> bool:
        return self._edited

    def to_fields(self) -> tuple[TransitionFields, dict[str, str], list[int]]:
        """The form as fields, sentences for dates that can't be read, and for each medication kept
        the screen row it came from (blank rows are dropped)."""
        data = self.collect()
        problems: dict[str, str] = {}
        dates: dict[str, date | None] = {}
        for name, widget in (("on", self.on), ("handoff_on", self.handoff_on)):
            try:
                dates[name] = widget.value()
            except ValueError as exc:
                problems[name] = str(exc)
                dates[name] = None
        rows: list[int] = []
        meds: list[Medication] = []
        for index, row in enumerate(data["medications"]):
            med = Medication(row["name"], row["dose"], row["note"])
            if not med.blank:
                meds.append(med)
                rows.append(index)
        fields = TransitionFields(
            kind=TransitionKind(data["kind"]), from_level=data["from_level"], to_level=data["to_level"],
            on=dates["on"], reason=data["reason"], receiving_contact_id=data["receiving_contact_id"] or None,
            handoff=Handoff(data["handoff_with"], dates["handoff_on"],
                            HandoffMethod(data["handoff_method"]) if data["handoff_method"] else None,
                            data["handoff_note"]),
            medications=tuple(meds), pending_appointments=tuple(data["pending_appointments"]),
            pending_referrals=tuple(data["pending_referrals"]), crisis_plan=data["crisis_plan"],
            preferences=data["preferences"], information_given=data["information_given"],
            services_provided=data["services_provided"], condition=data["condition"],
            checklist=frozenset(ChecklistItem(v) for v in data["checklist"]),
        )
        return fields, problems, rows

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        self._clear_problems()
        fields, unreadable, rows = self.to_fields()
        self._rows = rows
        if unreadable:
            self.keep_typing()
            self.show_problems(unreadable)
            return
        transition = self.submit(lambda: self.session.transitions.record(self.client_id, fields,
                                                                         self.check_in_days))
        if transition is None:
            return
        self.transition = transition
        self._edited = False
        self.saved.emit(transition)
        self.done(QDialog.DialogCode.Accepted)

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        for grid in (self.grid, self.receiving_grid, self.handoff_grid, self.pending_grid, self.person_grid):
            grid.clear_errors()
        self.medications.clear_errors()

    def show_problems(self, problems: dict[str, str]) -> None:
        first: QWidget | None = None
        grids = (self.grid, self.receiving_grid, self.handoff_grid, self.pending_grid, self.person_grid)
        leftover: list[str] = []
        for name, message in problems.items():
            grid = next((g for g in grids if name in g.inputs), None)
            if grid is not None:
                grid.set_error(name, message)
                first = first or grid.inputs[name]
            elif name.startswith("medications."):
                _head, index, key = name.split(".")
                position = int(index)
                screen = self._rows[position] if position < len(self._rows) else position
                widget = self.medications.set_row_error(screen, key, message)
                first = first or widget or self.medications.first_edit()
            elif name == "medications":
                self.medications.set_error(message)
                first = first or self.medications.first_edit()
            else:
                leftover.append(message)
        summary = ngettext("{n} thing needs attention. Everything you typed is kept.",
                           "{n} things need attention. Everything you typed is kept.", len(problems)).format(
            n=len(problems))
        self.error_banner.show_message("\n".join([summary, *leftover]), "error")
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first, 50, 80)
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- closing -------------------------------------------------------------------------------

    def close_for_lock(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.close_for_lock()
        super().close_for_lock()

    def first_focus(self) -> QWidget | None:
        return self.to_level if self.from_level.currentData() else self.from_level
