"""Write a contact note: the contact (type, date, start, length, place, people, goals addressed) and
the note itself, as free text or in a template whose sections each have their own field. Fast
with the keyboard, autosaved while typing, signed with a confirmation (signing locks the note).

Two layers keep typing safe, as in the safety plan editor: every keystroke is autosaved
(debounced) as a form draft in the vault, exactly as typed — a half-typed time included; Save
draft (Ctrl+S), Close and Sign keep it as the note's draft through the service. Reopening restores
whichever is newer, so a note started on a home visit when the battery died is there next time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import (
    _,
    date_example,
    format_date,
    format_datetime,
    format_time,
    ngettext,
    parse_date,
)
from app.models.notes import (
    MAX_DURATION_MIN,
    ContactType,
    Note,
    NoteFields,
    NoteFormat,
    NoteSection,
    convert_sections,
    parse_time,
    split_participants,
)
from app.services.errors import ValidationError, VaultError
from app.services.notes import DRAFT_FORM, NEW_PREFIX
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, FieldGrid, muted_label
from app.ui.widgets.inputs import DateField

KIND_ICONS = {
    ContactType.HOME_VISIT: "mdi6.home-outline", ContactType.PHONE: "mdi6.phone-outline",
    ContactType.OFFICE: "mdi6.office-building-outline", ContactType.TELEHEALTH: "mdi6.video-outline",
    ContactType.COLLATERAL: "mdi6.account-multiple-outline", ContactType.ATTEMPTED: "mdi6.phone-missed-outline",
}


def default_location(kind: ContactType) -> str:
    return {ContactType.HOME_VISIT: _("Client's home"), ContactType.PHONE: _("Phone"),
            ContactType.OFFICE: _("Office"), ContactType.TELEHEALTH: _("Video call")}.get(kind, "")


def time_text(value: Any) -> str:
    """A start time as the locale writes it (and parse_time reads it back)."""
    return format_time(datetime.combine(date(2000, 1, 1), value)) if value is not None else ""


def confirm_signing(parent: QWidget) -> bool:
    """Ask before signing: a signed note can't be changed afterwards."""
    box = QMessageBox(QMessageBox.Icon.Question, _("Sign this note?"), _(
        "Signing locks the note: it can't be changed afterwards. Anything to add later goes in an addendum, "
        "with its own date and time."), QMessageBox.StandardButton.Cancel, parent)
    sign = box.addButton(_("Sign and lock"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(sign)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is sign


def form_data(client_id: str, note_id: str, fields: NoteFields) -> dict[str, Any]:
    """A note as the editor's form holds it (dates and times as typed text)."""
    return {
        "client_id": client_id, "note_id": note_id, "kind": fields.kind.value,
        "contact_on": date_example(fields.contact_on), "start_time": time_text(fields.start_time),
        "duration": str(fields.duration_min) if fields.duration_min else "", "location": fields.location,
        "participants": ", ".join(fields.participants), "goals": list(fields.goal_ids),
        "format": fields.format.value, "sections": {s.value: t for s, t in fields.sections.items()},
    }


class NoteEditorDialog(DraftDialog):
    saved = Signal(object)  # Note: kept as a draft
    signed = Signal(object)  # Note: signed and locked

    def __init__(self, session: Session, client_id: str, client_name: str, note: Note | None = None,
                 parent: QWidget | None = None, *, prefill: NoteFields | None = None) -> None:
        """`prefill` (a new note only) fills the contact part — type, date, start, length, place —
        from a planned follow-up being recorded."""
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.note = note
        self.setWindowTitle(_("Contact note"))
        self.setModal(True)
        self.resize(960, 700)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("New contact note") if note is None else _("Contact note (draft)"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        outer.addWidget(muted_label(_("About {name}. Kept as a draft while you type; signing locks it.").format(
            name=client_name)))
        if note is None and prefill is not None:
            outer.addWidget(muted_label(_("Prefilled from the planned follow-up: {contact}.").format(
                contact=describe_contact(prefill))))
        self.draft_banner = Banner("info")
        self.start_over_button = self.draft_banner.add_button(_("Start over"), self._start_over)
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll, body = self.scrolling_form()
        self.goal_choices = session.notes.goal_choices(client_id)
        self._build_contact()
        self._build_note()
        self.form.addStretch(1)
        scroll.setWidget(body)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)
        self.status, self.close_button, self.save_button, self.sign_button = self.draft_buttons(
            outer, _("Sign…"), self.sign, self.save_draft)
        self.sign_button.setToolTip(_("Check the note, then sign and lock it"))
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_draft)

        object_id = note.id if note is not None else NEW_PREFIX + client_id
        self.autosaver = DraftAutosaver(session, DRAFT_FORM, object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        if note is not None:
            fields = note.fields
        elif prefill is not None:
            fields = NoteFields(prefill.kind, prefill.contact_on, prefill.start_time, prefill.duration_min,
                                prefill.location or default_location(prefill.kind),
                                format=session.notes.default_format(client_id))
        else:
            kind = ContactType.HOME_VISIT
            fields = NoteFields(kind, session.clock.today(), location=default_location(kind),
                                format=session.notes.default_format(client_id))
        self._auto_location = default_location(fields.kind) if fields.location == default_location(fields.kind) else None
        self.apply(form_data(client_id, note.id if note else "", fields))
        self._edited = False  # nothing is created until something is typed, saved or signed
        self._close_warned = False
        self._restore_typing()
        self._connect()
        self._order_tabs()

    # -- building ------------------------------------------------------------------------------

    def _build_contact(self) -> None:
        card = Card()
        self.grid = FieldGrid(columns=4)
        self.kind = QComboBox()
        for kind in ContactType:
            self.kind.addItem(theme.icon(KIND_ICONS[kind]), kind.label, kind.value)
            self.kind.setItemData(self.kind.count() - 1, kind.hint, Qt.ItemDataRole.ToolTipRole)
        self.grid.add("kind", _("Type of contact"), self.kind, required=True)
        self.contact_on = DateField()
        self.grid.add("contact_on", _("Date"), self.contact_on, required=True)
        self.start_time = QLineEdit()
        self.start_time.setPlaceholderText(_("e.g. {time}").format(time=time_text(datetime(2000, 1, 1, 10, 30).time())))
        self.start_time.setMaxLength(12)
        self.grid.add("start_time", _("Start time"), self.start_time, hint=_("Needed to sign, e.g. 10:30 or 2:15 pm."))
        self.duration = QLineEdit()
        self.duration.setValidator(QIntValidator(0, MAX_DURATION_MIN, self.duration))
        self.duration.setPlaceholderText(_("e.g. 45"))
        self.duration.setMaxLength(4)
        self.grid.add("duration_min", _("Length in minutes"), self.duration,
                      hint=_("How long the contact lasted. Needed to sign, except for an attempted contact."))
        self.location = QLineEdit()
        self.location.setMaxLength(200)
        self.location.setPlaceholderText(_("e.g. the client's home, the clinic"))
        self.grid.add("location", _("Location"), self.location, span=2)
        self.participants = QLineEdit()
        self.participants.setMaxLength(600)
        self.participants.setPlaceholderText(_("e.g. the client, their sister Inés"))
        self.grid.add("participants", _("Who took part"), self.participants, span=2,
                      hint=_("Separate names with commas."))
        card.body.addWidget(self.grid)
        self.goals = QListWidget()
        self.goals.setAccessibleName(_("Goals addressed"))
        self.goals.setMaximumHeight(96)
        self.goals_caption = QLabel(_("Goals addressed"))
        self.goals_caption.setBuddy(self.goals)
        for goal_id, text in self.goal_choices or []:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, goal_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.goals.addItem(item)
        shown = bool(self.goal_choices)
        self.goals_caption.setVisible(shown)
        self.goals.setVisible(shown)
        card.body.addWidget(self.goals_caption)
        card.body.addWidget(self.goals)
        self.form.addWidget(card)

    def _build_note(self) -> None:
        card = Card()
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        caption = QLabel(_("Format"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        row.addWidget(caption)
        # Toggle buttons, one of them on (Tab visits each; Space or Enter picks one).
        self.format_buttons: dict[NoteFormat, QPushButton] = {}
        for fmt in NoteFormat:
            button = QPushButton(fmt.label)
            button.setObjectName("Choice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setToolTip(fmt.description)
            button.setAccessibleName(_("Format: {name}").format(name=fmt.label))
            button.setAccessibleDescription(fmt.description)
            button.clicked.connect(lambda _checked=False, f=fmt: self._format_chosen(f))
            self.format_buttons[fmt] = button
            row.addWidget(button)
        self.format_hint = muted_label("")
        self.format_hint.setWordWrap(False)
        row.addWidget(self.format_hint, 1)
        card.body.addLayout(row)
        self.sections_box = QVBoxLayout()
        self.sections_box.setSpacing(SPACING)
        card.body.addLayout(self.sections_box)
        self.form.addWidget(card)
        self.current_format = NoteFormat.FREE
        self.section_edits: dict[NoteSection, QPlainTextEdit] = {}
        self.section_errors: dict[NoteSection, QLabel] = {}

    def _build_sections(self, fmt: NoteFormat, texts: dict[NoteSection, str]) -> None:
        while self.sections_box.count():
            item = self.sections_box.takeAt(0)
            old = item.widget()
            if old is not None:
                old.hide()  # out of the focus chain now, gone at the next turn of the event loop
                old.deleteLater()
        self.section_edits, self.section_errors = {}, {}
        self.current_format = fmt
        for section in fmt.sections:
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            heading = QLabel(section.heading if fmt is not NoteFormat.FREE else _("Note"))
            heading.setFont(theme.scaled_font(self, 1.05, bold=True))
            box.addWidget(heading)
            box.addWidget(muted_label(section.hint))
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlainText(texts.get(section, ""))
            if fmt is NoteFormat.FREE:
                edit.setMinimumHeight(300)
            else:
                edit.setFixedHeight(118)  # four sections fit the window; long text scrolls inside
                edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            edit.setAccessibleName(section.heading if fmt is not NoteFormat.FREE else _("Note"))
            edit.setAccessibleDescription(section.hint)
            edit.textChanged.connect(self._changed)
            heading.setBuddy(edit)
            box.addWidget(edit)
            error = QLabel()
            error.setObjectName("FieldError")
            error.setWordWrap(True)
            error.setVisible(False)
            box.addWidget(error)
            self.sections_box.addWidget(holder)
            holder.show()  # now, not at the next turn of the event loop: Tab reaches it at once
            self.section_edits[section] = edit
            self.section_errors[section] = error
        for other, button in self.format_buttons.items():
            button.setChecked(other is fmt)
        self.format_hint.setText(fmt.description)

    def _connect(self) -> None:
        for edit in (self.start_time, self.duration, self.location, self.participants):
            edit.textEdited.connect(self._changed)
        self.location.textEdited.connect(self._location_typed)
        self.contact_on.edit.textEdited.connect(self._changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.goals.itemChanged.connect(self._changed)

    def _order_tabs(self) -> None:
        chain: list[QWidget] = [self.kind, self.contact_on.edit, self.contact_on.pick, self.start_time, self.duration,
                                self.location, self.participants]
        if self.goals.isVisibleTo(self):
            chain.append(self.goals)
        chain += [self.format_buttons[f] for f in NoteFormat]
        chain += list(self.section_edits.values())
        chain += [self.close_button, self.save_button, self.sign_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _changed(self, *_args: Any) -> None:
        self._edited = True
        self._close_warned = False
        self.autosaver.changed()

    def _location_typed(self, _text: str) -> None:
        self._auto_location = None  # typed by hand: a change of type no longer replaces it

    def _kind_changed(self, _index: int) -> None:
        kind = ContactType(self.kind.currentData())
        if self._auto_location is not None or not self.location.text().strip():
            self.location.setText(default_location(kind))
            self._auto_location = self.location.text()
        self._changed()

    def _format_chosen(self, target: NoteFormat) -> None:
        if target is self.current_format:
            self.format_buttons[target].setChecked(True)  # stays on: a format is always chosen
            return
        texts = convert_sections(self._section_texts(), self.current_format, target)
        self._build_sections(target, texts)
        self._order_tabs()
        self._changed()

    # -- values --------------------------------------------------------------------------------

    def _section_texts(self) -> dict[NoteSection, str]:
        return {s: e.toPlainText() for s, e in self.section_edits.items()}

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {
            "client_id": self.client_id, "note_id": self.note.id if self.note else "",
            "kind": self.kind.currentData(), "contact_on": self.contact_on.text(), "start_time": self.start_time.text(),
            "duration": self.duration.text(), "location": self.location.text(),
            "participants": self.participants.text(), "goals": self.checked_goals(),
            "format": self.current_format.value,
            "sections": {s.value: t for s, t in self._section_texts().items()},
        }

    def checked_goals(self) -> list[str]:
        return [self.goals.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.goals.count())
                if self.goals.item(i).checkState() == Qt.CheckState.Checked]

    def apply(self, data: dict[str, Any]) -> None:
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind") or ContactType.HOME_VISIT.value)))
        self.kind.blockSignals(False)
        self.contact_on.set_text(str(data.get("contact_on", "")))
        self.start_time.setText(str(data.get("start_time", "")))
        self.duration.setText(str(data.get("duration") or ""))
        self.location.setText(str(data.get("location", "")))
        self.participants.setText(str(data.get("participants", "")))
        wanted = set(data.get("goals") or [])
        self.goals.blockSignals(True)
        for i in range(self.goals.count()):
            item = self.goals.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)
        self.goals.blockSignals(False)
        try:
            fmt = NoteFormat(data.get("format") or NoteFormat.FREE.value)
        except ValueError:
            fmt = NoteFormat.FREE
        stored = data.get("sections") or {}
        texts = {s: str(stored.get(s.value, "")) for s in fmt.sections}
        self._build_sections(fmt, texts)

    def read(self) -> tuple[NoteFields | None, dict[str, str]]:
        """The form as note fields, and a sentence for each date or time that can't be read."""
        problems: dict[str, str] = {}
        contact_on = None
        try:
            contact_on = parse_date(self.contact_on.text())
        except ValueError as exc:
            problems["contact_on"] = str(exc)
        start = None
        if self.start_time.text().strip():
            try:
                start = parse_time(self.start_time.text())
            except ValueError as exc:
                problems["start_time"] = str(exc)
        if contact_on is None:
            return None, problems
        fields = NoteFields(
            kind=ContactType(self.kind.currentData()), contact_on=contact_on, start_time=start,
            duration_min=int(self.duration.text()) if self.duration.text().strip().isdigit() else None,
            location=self.location.text(),
            participants=split_participants(self.participants.text()), goal_ids=tuple(self.checked_goals()),
            format=self.current_format, sections=self._section_texts(),
        )
        return fields, problems

    # -- drafts --------------------------------------------------------------------------------

    def _restore_typing(self) -> None:
        """Typing autosaved but not yet kept in the note (a crash, a lock, a time that couldn't be
        read) comes back, with a note saying so."""
        typed = self.session.drafts.load(DRAFT_FORM, self.autosaver.object_id)
        if typed is None or typed.data == self.collect():
            return
        self.apply(typed.data)
        self._edited = True
        self.autosaver.dirty = True
        self.draft_banner.show_message(_("What you typed on {when} was restored: it had not been saved in the "
                                         "note yet.").format(when=format_datetime(typed.saved_at, "short")))
        self.start_over_button.setVisible(self.note is None)

    def _start_over(self) -> None:
        """Drop the restored typing of a new note and begin again with an empty one."""
        self.autosaver.discard()
        kind = ContactType.HOME_VISIT
        fields = NoteFields(kind, self.session.clock.today(), location=default_location(kind),
                            format=self.session.notes.default_format(self.client_id))
        self.apply(form_data(self.client_id, "", fields))
        self._auto_location = fields.location
        self._edited = False
        self.draft_banner.setVisible(False)
        self._order_tabs()
        self.kind.setFocus()

    # -- saving --------------------------------------------------------------------------------

    def save_draft(self) -> bool:
        """Keep the form as the note's draft. False (with the reason shown) if it can't be; the
        typing is kept either way. A new note with nothing written creates nothing."""
        self._clear_problems()
        fields, unreadable = self.read()
        if fields is None or unreadable:
            self.keep_typing()
            self._show_problems(unreadable, _("A date or time can't be read. Everything you typed is kept."))
            return False
        if self.note is None and fields.is_empty:
            self.autosaver.discard()
            self._edited = False
            return True
        try:
            note = self.session.notes.save_draft(self.client_id, fields, self.note.id if self.note else None)
        except ValidationError as exc:
            self.keep_typing()
            self._show_problems(exc.problems, str(exc))
            return False
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return False
        self.draft_stored(note.updated_at)
        self.autosaver.object_id = note.id  # from now on the typing belongs to this note
        self.note = note
        self.saved.emit(note)
        return True


    def sign(self) -> None:
        """Check the note; if it is ready, ask, save it and sign it. Every problem is shown at once,
        next to its field."""
        self._clear_problems()
        fields, unreadable = self.read()
        problems = dict(unreadable)
        if fields is not None:
            problems = {**self.session.notes.signing_problems(fields), **unreadable}
        if problems:
            self.keep_typing()
            self._show_problems(problems, ngettext(
                "{n} thing needs attention before the note can be signed. Everything you typed is kept.",
                "{n} things need attention before the note can be signed. Everything you typed is kept.",
                len(problems)).format(n=len(problems)))
            return
        if not confirm_signing(self) or not self.save_draft() or self.note is None:
            return
        try:
            note = self.session.notes.sign(self.note.id)
        except ValidationError as exc:
            self._show_problems(exc.problems, str(exc))
            return
        except VaultError as exc:
            self.error_banner.show_message(str(exc), "error")
            return
        self.autosaver.discard()
        self._edited = False
        self.signed.emit(note)
        self.done(QDialog.DialogCode.Accepted)

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        self.grid.clear_errors()
        for error in self.section_errors.values():
            error.setVisible(False)

    def _show_problems(self, problems: dict[str, str], summary: str) -> None:
        targets: list[QWidget] = []
        leftover: list[str] = []
        for key, message in problems.items():
            if key in self.grid.inputs:
                self.grid.set_error(key, message)
                targets.append(self.grid.inputs[key])
            elif key.startswith("sections.") and NoteSection(key.split(".", 1)[1]) in self.section_errors:
                section = NoteSection(key.split(".", 1)[1])
                self.section_errors[section].setText(message)
                self.section_errors[section].setVisible(True)
                targets.append(self.section_edits[section])
            else:
                leftover.append(message)
        self.error_banner.show_message("\n".join([summary, *leftover]), "error")
        order = [self.kind, self.contact_on, self.start_time, self.duration, self.location, self.participants,
                 *self.section_edits.values()]
        if targets:
            first = min(targets, key=lambda w: order.index(w) if w in order else len(order))
            self.scroll_area.ensureWidgetVisible(first, 50, 80)
            first.setFocus()

    # -- closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Close, keeping the draft. If a date or time can't be read, say so once; closing again
        keeps the typing as it is (it comes back next time)."""
        if self._edited and not self.save_draft() and not self._close_warned:
            self._close_warned = True
            self.error_banner.show_message(self.error_banner.label.text() + "\n" + _(
                "Fix it, or close again: what you typed is kept and comes back next time."), "error")
            return
        self.autosaver.flush()
        super().reject()

    def first_focus(self) -> QWidget | None:
        return None if self.error_banner.isVisible() else self.kind


def describe_contact(fields: NoteFields) -> str:
    """"Home visit · 26 Nov 2026, 10:30 · 45 min" for titles and confirmations."""
    parts = [fields.kind.label, format_date(fields.contact_on)]
    if fields.start_time is not None:
        parts[-1] = _("{date}, {time}").format(date=parts[-1], time=time_text(fields.start_time))
    if fields.duration_min:
        parts.append(_("{n} min").format(n=fields.duration_min))
    return " · ".join(parts)
