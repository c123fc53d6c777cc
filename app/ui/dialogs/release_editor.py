"""Record a release of information the client signed: who receives it (from the contacts
directory), what may be shared (with its specific description), for which purposes, who may
disclose, from the signing date until an expiry date or event, whether treatment depends on it,
who signed for the client, the 42 CFR Part 2 elements, and the signature — drawn on the pad,
agreed verbally with the reason, or a scanned signed form from the client's documents (or
attached from a file there and then).

The statements the client must be told (the right to revoke in writing and how, whether
treatment is conditioned on signing, that the recipient may re-disclose, and for Part 2 the
re-disclosure notice) are shown as plain text to read together. The typing is autosaved as a
form draft, so a lock loses nothing; a refused save shows each sentence next to its field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.attachments import Attachment, DocumentKind
from app.models.consent import InfoType, Release, ReleaseFields, SignatureKind
from app.models.contacts import Contact, ContactKind
from app.models.signature import SignerRole, Stroke
from app.services.errors import ValidationError, VaultError
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
    muted_label,
    set_default_button,
)
from app.ui.widgets.inputs import DateField
from app.ui.widgets.list_editors import LinesEditor
from app.ui.widgets.signature_pad import SignaturePad

FORM = "release"


def common_purposes() -> list[str]:
    """The purposes most releases name, offered as ticks (others are typed)."""
    return [_("Coordination of care"), _("Continuity of care after a transition"), _("Referral to a service"),
            _("Benefits or housing application"), _("At the client's request")]


def info_hint(info: InfoType) -> str:
    return {
        InfoType.DEMOGRAPHICS: _("name, date of birth, contact details"),
        InfoType.SCREENING_RESULTS: _("PHQ-9, GAD-7 and other scores"),
        InfoType.ASSESSMENT: _("needs and strengths"),
        InfoType.CARE_PLAN: _("goals and interventions"),
        InfoType.SAFETY_PLAN: _("warning signs, coping, contacts"),
        InfoType.PROGRESS_NOTES: _("contact notes"),
        InfoType.TRANSITION_SUMMARY: _("discharge or step-down summary"),
        InfoType.SUBSTANCE_USE: _("needs a Part 2 consent"),
        InfoType.PSYCHOTHERAPY_NOTES: _("a separate release, nothing else ticked"),
    }[info]


def _text_box(height: int, placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    box.setPlaceholderText(placeholder)
    return box


def attachment_line(attachment: Attachment) -> str:
    added = format_date(attachment.added_on, "medium") if attachment.added_on else ""
    return _("{title} · added {date}").format(title=attachment.title, date=added) if added else attachment.title


class ReleaseEditorDialog(OfferedDraftDialog):
    """`saved(Release)` once the service recorded it."""

    saved = Signal(object)

    def __init__(self, session: Session, client_id: str, client_name: str, *, auto_restore: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.client_name = client_name
        self.object_id = f"new:{client_id}"
        self.contact_editor: ContactEditorDialog | None = None
        self.release: Release | None = None
        self._edited = False
        self.setWindowTitle(_("New release of information"))
        self.setModal(True)
        self.resize(980, 720)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("Release of information for {name}").format(name=client_name))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        title.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(muted_label(_(
            "Record the authorization exactly as the client agreed it. Once recorded it can't be changed — only "
            "revoked, or ended by its event. Fields marked * are required.")))
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll, page = self.scrolling_form()
        self._build()
        self.form.addStretch(1)
        scroll.setWidget(page)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)

        self.status, self.cancel_button, self.save_button = self.record_buttons(
            outer, _("Record the release"), "mdi6.file-sign", _("Record the signed release (Ctrl+S)"), self.save)
        set_default_button(self, None)  # Enter adds purposes; it never records by surprise

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.signed_on.set_value(session.clock.today())
        self._signature_kind_changed()
        self._part2_toggled(False)
        self._edited = False
        self.offer_draft(FORM, self.object_id, auto_restore)
        self._connect()
        self._order_tabs()
        self._update_statements()

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

    def _build(self) -> None:
        who = self._card(_("Who receives the information, and who may disclose it"))
        self.who_grid = FieldGrid(columns=2)
        self.picker = ContactPicker(self._choices(), self.new_contact)
        self.picker.list.setMinimumHeight(96)
        self.picker.list.setMaximumHeight(120)
        self.who_grid.add("contact_id", _("Recipient, from the contacts directory"), self.picker, required=True,
                          span=2)
        self.disclosers = QLineEdit()
        self.disclosers.setMaxLength(200)
        self.disclosers.setPlaceholderText(_("e.g. this program and its case managers"))
        self.who_grid.add("disclosers", _("Who may disclose"), self.disclosers, required=True)
        self.representative = QLineEdit()
        self.representative.setMaxLength(500)
        self.representative.setPlaceholderText(_("e.g. Ana Ruiz, legal guardian (court order)"))
        self.who_grid.add("representative_authority", _("Signed for the client by (name and authority)"),
                          self.representative, hint=_("Leave empty when the client signs for themselves."))
        who.body.addWidget(self.who_grid)

        what = self._card(_("What may be shared"), _(
            "Tick each kind of information the client agrees to release. Psychotherapy notes need a release of their "
            "own; substance-use treatment records need a 42 CFR Part 2 consent."))
        self.info_grid = FieldGrid(columns=1)
        boxes = QWidget()
        grid = QGridLayout(boxes)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(4)
        self.info_checks: dict[InfoType, QCheckBox] = {}
        kinds = list(InfoType)
        half = (len(kinds) + 1) // 2
        for index, info in enumerate(kinds):
            box = QCheckBox(_("{label} — {hint}").format(label=info.label, hint=info_hint(info)))
            box.setAccessibleName(info.label)
            box.setAccessibleDescription(info_hint(info))
            grid.addWidget(box, index % half, index // half)
            self.info_checks[info] = box
        self.info_grid.add("information", _("Kinds of information"), boxes, required=True)
        self.detail = _text_box(56, _("The specific information, e.g. “PHQ-9 scores since March and the current care "
                                      "plan”; for Part 2, describe the substance-use information explicitly"))
        self.info_grid.add("information_detail", _("Specific description"), self.detail)
        what.body.addWidget(self.info_grid)
        self.part2_grid = FieldGrid(columns=2)
        self.part2 = QCheckBox(_("This is a 42 CFR Part 2 consent (substance-use treatment records)"))
        self.part2_grid.add("part2", _("42 CFR Part 2"), self.part2, span=2)
        self.recipient_name = QLineEdit()
        self.recipient_name.setMaxLength(200)
        self.recipient_name.setPlaceholderText(_("The person or program, by name"))
        self.part2_grid.add("recipient_name", _("Recipient by name (Part 2)"), self.recipient_name, required=True)
        what.body.addWidget(self.part2_grid)

        why = self._card(_("Purposes and how long"), _(
            "Tick or write each purpose. The release lasts from the signing date until the expiry date or the event, "
            "whichever the client chose (give at least one)."))
        self.when_grid = FieldGrid(columns=3)
        purposes = QWidget()
        column = QVBoxLayout(purposes)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        ticks = QGridLayout()
        ticks.setHorizontalSpacing(SPACING * 2)
        self.purpose_checks: list[QCheckBox] = []
        for index, text in enumerate(common_purposes()):
            box = QCheckBox(text)
            box.setAccessibleName(_("Purpose: {text}").format(text=text))
            ticks.addWidget(box, index // 3, index % 3)
            self.purpose_checks.append(box)
        column.addLayout(ticks)
        self.other_purposes = LinesEditor(_("Other purposes"), _("Another purpose, in the client's words; Enter adds "
                                                                 "a line"))
        column.addWidget(self.other_purposes)
        self.when_grid.add("purposes", _("Purposes"), purposes, required=True, span=3)
        self.signed_on = DateField()
        self.when_grid.add("signed_on", _("Signed on"), self.signed_on, required=True)
        self.expires_on = DateField()
        self.when_grid.add("expires_on", _("Expires on"), self.expires_on)
        self.expiry_event = QLineEdit()
        self.expiry_event.setMaxLength(200)
        self.expiry_event.setPlaceholderText(_("e.g. end of treatment at this program"))
        self.when_grid.add("expiry_event", _("Or ends with this event"), self.expiry_event)
        self.treatment_conditioned = QCheckBox(_(
            "The client's treatment depends on signing this release (rare: only where the law allows it)"))
        self.when_grid.add("treatment_conditioned", _("Conditions"), self.treatment_conditioned, span=3)
        why.body.addWidget(self.when_grid)

        reads = self._card(_("What the client is told"), _("Read these statements with the client before they sign."))
        self.statements = QLabel()
        self.statements.setWordWrap(True)
        self.statements.setTextFormat(Qt.TextFormat.RichText)
        self.statements.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statements.setAccessibleName(_("Statements for the client"))
        reads.body.addWidget(self.statements)

        sign = self._card(_("Signature"))
        choice = QHBoxLayout()
        self.signature_group = QButtonGroup(self)
        self.signature_buttons: dict[SignatureKind, QRadioButton] = {}
        for kind in SignatureKind:
            button = QRadioButton(kind.label)
            button.setAccessibleName(_("Signature: {kind}").format(kind=kind.label))
            self.signature_group.addButton(button)
            self.signature_buttons[kind] = button
            choice.addWidget(button)
        choice.addStretch(1)
        self.signature_buttons[SignatureKind.PAD].setChecked(True)
        sign.body.addLayout(choice)
        self.pad_hint = muted_label(_("The client — or the representative named above — signs with a finger, pen or "
                                      "mouse."))
        sign.body.addWidget(self.pad_hint)
        self.pad = SignaturePad(_("Signature of the client"))
        self.pad.canvas.setMinimumHeight(110)
        self.pad.setMaximumWidth(560)
        sign.body.addWidget(self.pad)
        self.sign_grid = FieldGrid(columns=1)
        self.verbal_reason = QLineEdit()
        self.verbal_reason.setMaxLength(500)
        self.verbal_reason.setPlaceholderText(_("e.g. consent given by phone; the form is signed at the next visit"))
        self.sign_grid.add("verbal_reason", _("Why the agreement was verbal"), self.verbal_reason, required=True)
        sign.body.addWidget(self.sign_grid)
        self.scan_row = QWidget()
        scan = QHBoxLayout(self.scan_row)
        scan.setContentsMargins(0, 0, 0, 0)
        self.scan_grid = FieldGrid(columns=1)
        self.scan = QComboBox()
        self.scan_grid.add("attachment_id", _("The scanned signed form, from the client's documents"), self.scan,
                           required=True)
        scan.addWidget(self.scan_grid, 1)
        self.attach_button = QPushButton(theme.icon("mdi6.paperclip"), _("Attach a file…"))
        self.attach_button.setToolTip(_("Add the scan to the client's documents and use it here"))
        self.attach_button.clicked.connect(self.choose_file)
        scan.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        sign.body.addWidget(self.scan_row)
        self.signature_error = QLabel()
        self.signature_error.setObjectName("FieldError")
        self.signature_error.setWordWrap(True)
        self.signature_error.setVisible(False)
        sign.body.addWidget(self.signature_error)
        sign.body.addStretch(1)
        self._fill_scans()

    def _fill_scans(self, select: str | None = None) -> None:
        keep = select or self.scan.currentData()
        self.scan.blockSignals(True)
        self.scan.clear()
        self.scan.addItem(_("Choose a document…"), "")
        for attachment in self.session.attachments.for_client(self.client_id):
            self.scan.addItem(attachment_line(attachment), attachment.id)
        self.scan.setCurrentIndex(max(0, self.scan.findData(keep or "")))
        self.scan.blockSignals(False)

    def _connect(self) -> None:
        self.picker.chosen.connect(self._changed)
        for box in self.info_checks.values():
            box.toggled.connect(self._changed)
        self.info_checks[InfoType.SUBSTANCE_USE].toggled.connect(self._substance_toggled)
        self.part2.toggled.connect(self._part2_toggled)
        self.part2.toggled.connect(self._changed)
        for box in self.purpose_checks:
            box.toggled.connect(self._changed)
        self.other_purposes.changed.connect(self._changed)
        self.other_purposes.reordered.connect(self._order_tabs)
        for edit in (self.disclosers, self.representative, self.recipient_name, self.expiry_event,
                     self.verbal_reason):
            edit.textEdited.connect(self._changed)
        self.detail.textChanged.connect(self._changed)
        for field in (self.signed_on, self.expires_on):
            field.changed.connect(self._changed)
        self.treatment_conditioned.toggled.connect(self._changed)
        self.signature_group.buttonToggled.connect(lambda _b, on: on and self._signature_kind_changed())
        self.signature_group.buttonToggled.connect(lambda _b, on: on and self._changed())
        self.pad.changed.connect(self._changed)
        self.scan.currentIndexChanged.connect(self._changed)

    def _order_tabs(self) -> None:
        chain: list[QWidget] = [self.picker.search]
        if self.picker.new_button is not None:
            chain.append(self.picker.new_button)
        chain.extend((self.picker.list, self.disclosers, self.representative))
        chain.extend(self.info_checks[info] for info in InfoType)
        chain.extend((self.detail, self.part2, self.recipient_name))
        chain.extend(self.purpose_checks)
        chain.extend(self.other_purposes.tab_widgets())
        chain.extend((self.signed_on.edit, self.signed_on.pick, self.expires_on.edit, self.expires_on.pick,
                      self.expiry_event, self.treatment_conditioned))
        chain.extend(self.signature_buttons[kind] for kind in SignatureKind)
        chain.extend((self.pad, self.pad.undo_button, self.pad.clear_button, self.verbal_reason, self.scan,
                      self.attach_button, self.cancel_button, self.save_button))
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _changed(self, *_args: Any) -> None:
        self._edited = True
        self.autosaver.changed()
        self._update_statements()

    def _substance_toggled(self, on: bool) -> None:
        if on and not self.part2.isChecked():
            self.part2.setChecked(True)  # substance-use records go only under a Part 2 consent

    def _part2_toggled(self, on: bool) -> None:
        self.part2_grid.labels["recipient_name"].setVisible(on)
        self.recipient_name.setVisible(on)
        if not on:
            self.part2_grid.set_error("recipient_name", None)
        self._update_statements()

    def signature_kind(self) -> SignatureKind:
        return next((kind for kind, button in self.signature_buttons.items() if button.isChecked()),
                    SignatureKind.PAD)

    def _signature_kind_changed(self) -> None:
        kind = self.signature_kind()
        self.pad.setVisible(kind is SignatureKind.PAD)
        self.pad_hint.setVisible(kind is SignatureKind.PAD)
        self.sign_grid.setVisible(kind is SignatureKind.VERBAL)
        self.scan_row.setVisible(kind is SignatureKind.SCANNED)
        self.signature_error.setVisible(False)

    def _update_statements(self) -> None:
        """The required statements, in words the client reads, following what is chosen."""
        contact = self.picker.contact()
        to = contact.name if contact is not None else _("the recipient")
        try:
            ends_on = self.expires_on.value()
        except ValueError:
            ends_on = None
        event = self.expiry_event.text().strip()
        if ends_on and event:
            ends = _("This release ends on {date} or when this happens: {event} — whichever comes first — unless you "
                     "revoke it sooner.").format(date=format_date(ends_on, "long"), event=event)
        elif ends_on:
            ends = _("This release ends on {date}, unless you revoke it sooner.").format(
                date=format_date(ends_on, "long"))
        elif event:
            ends = _("This release ends when this happens: {event}, unless you revoke it sooner.").format(event=event)
        else:
            ends = _("This release ends on the date or at the event you choose, unless you revoke it sooner.")
        conditioned = _("Your treatment here depends on signing this release.") \
            if self.treatment_conditioned.isChecked() else \
            _("Your treatment here does not depend on signing this release. You may refuse to sign.")
        lines = [
            _("You may revoke this release at any time by telling your case manager in writing — a letter or a signed "
              "note is enough. Revoking stops future sharing; it does not undo what was already shared."),
            conditioned,
            _("Once {to} has the information, they may share it again, and it may then no longer be protected by "
              "federal privacy law.").format(to=to),
            ends,
        ]
        if self.part2.isChecked():
            _version, notice = self.session.consents.redisclosure_notice()
            lines.append(_("Substance-use records (42 CFR Part 2): every disclosure carries this notice — “{notice}”")
                         .format(notice=notice))
        self.statements.setText("".join(f"<p>• {_escape(line)}</p>" for line in lines))

    # -- contacts and documents ----------------------------------------------------------------

    def _choices(self) -> list[Contact]:
        return self.session.contacts.directory()

    def new_contact(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.raise_()
            return
        editor = ContactEditorDialog(self.session, kind=ContactKind.PROFESSIONAL, parent=self)
        editor.saved.connect(lambda contact: self.picker.set_contacts(self._choices(), select=contact.id))
        editor.finished.connect(lambda _r: setattr(self, "contact_editor", None))
        self.contact_editor = editor
        editor.open()

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("The scanned, signed release"), "",
            _("Scans and PDFs (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"))
        if name:
            self.attach_file(Path(name))

    def attach_file(self, path: Path) -> Attachment | None:
        """Put the scanned form in the client's documents now and choose it as the signature."""
        self.signature_error.setVisible(False)
        try:
            attachment = self.session.attachments.add_file(
                self.client_id, path, title=_("Signed release of information"), kind=DocumentKind.FORM)
        except ValidationError as exc:
            self._signature_problem(next(iter(exc.problems.values()), str(exc)))
            return None
        except VaultError as exc:
            self.error_banner.show_message(str(exc), "error")
            return None
        self._fill_scans(select=attachment.id)
        self._changed()
        return attachment

    # -- values --------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {
            "contact_id": self.picker.contact_id() or "",
            "information": [info.value for info, box in self.info_checks.items() if box.isChecked()],
            "information_detail": self.detail.toPlainText(),
            "purposes": [box.text() for box in self.purpose_checks if box.isChecked()],
            "other_purposes": self.other_purposes.lines(),
            "signed_on": self.signed_on.text(), "expires_on": self.expires_on.text(),
            "expiry_event": self.expiry_event.text(), "disclosers": self.disclosers.text(),
            "representative_authority": self.representative.text(), "part2": self.part2.isChecked(),
            "recipient_name": self.recipient_name.text(),
            "treatment_conditioned": self.treatment_conditioned.isChecked(),
            "signature_kind": self.signature_kind().value,
            "strokes": [stroke.to_json() for stroke in self.pad.strokes()],
            "verbal_reason": self.verbal_reason.text(), "attachment_id": self.scan.currentData() or "",
        }

    def apply(self, data: dict[str, Any]) -> None:
        contact_id = str(data.get("contact_id") or "")
        if contact_id:
            self.picker.select(contact_id)
        ticked = set(data.get("information") or [])
        for info, box in self.info_checks.items():
            box.setChecked(info.value in ticked)
        self.detail.setPlainText(str(data.get("information_detail") or ""))
        chosen = [str(p) for p in data.get("purposes") or []]
        for box in self.purpose_checks:
            box.setChecked(box.text() in chosen)
        offered = {box.text() for box in self.purpose_checks}
        others = [p for p in chosen if p not in offered] + [str(p) for p in data.get("other_purposes") or []]
        self.other_purposes.set_lines([p for p in others if p.strip()])
        self.signed_on.set_text(str(data.get("signed_on") or ""))
        self.expires_on.set_text(str(data.get("expires_on") or ""))
        self.expiry_event.setText(str(data.get("expiry_event") or ""))
        self.disclosers.setText(str(data.get("disclosers") or ""))
        self.representative.setText(str(data.get("representative_authority") or ""))
        self.part2.setChecked(bool(data.get("part2")))
        self.recipient_name.setText(str(data.get("recipient_name") or ""))
        self.treatment_conditioned.setChecked(bool(data.get("treatment_conditioned")))
        try:
            kind = SignatureKind(data.get("signature_kind") or SignatureKind.PAD.value)
        except ValueError:
            kind = SignatureKind.PAD
        self.signature_buttons[kind].setChecked(True)
        self.pad.set_strokes([Stroke.from_json(s) for s in data.get("strokes") or []])
        self.verbal_reason.setText(str(data.get("verbal_reason") or ""))
        self._fill_scans(select=str(data.get("attachment_id") or ""))
        self._signature_kind_changed()
        self._order_tabs()
        self._update_statements()

    def has_changes(self) -> bool:
        return self._edited

    def to_fields(self) -> tuple[ReleaseFields, dict[str, str]]:
        """The form as the release's fields (only the chosen signature's part), and sentences for
        dates that can't be read."""
        data = self.collect()
        problems: dict[str, str] = {}
        dates: dict[str, date | None] = {}
        for name, widget in (("signed_on", self.signed_on), ("expires_on", self.expires_on)):
            try:
                dates[name] = widget.value()
            except ValueError as exc:
                problems[name] = str(exc)
                dates[name] = None
        kind = self.signature_kind()
        strokes = ""
        if kind is SignatureKind.PAD and not self.pad.is_empty:
            signer = self.representative.text().strip() or self.client_name
            signature = self.pad.signature(SignerRole.CLIENT, signer, self.session.clock.now())
            strokes = json.dumps(signature.to_json(), ensure_ascii=False)
        part2 = bool(data["part2"])
        fields = ReleaseFields(
            contact_id=data["contact_id"], information=tuple(InfoType(i) for i in data["information"]),
            information_detail=data["information_detail"],
            purposes=tuple(data["purposes"]) + tuple(data["other_purposes"]),
            signed_on=dates["signed_on"], expires_on=dates["expires_on"], expiry_event=data["expiry_event"],
            disclosers=data["disclosers"], signature_kind=kind, signature_strokes=strokes,
            verbal_reason=data["verbal_reason"] if kind is SignatureKind.VERBAL else "",
            attachment_id=(data["attachment_id"] or None) if kind is SignatureKind.SCANNED else None,
            part2=part2, recipient_name=data["recipient_name"] if part2 else "",
            treatment_conditioned=bool(data["treatment_conditioned"]),
            representative_authority=data["representative_authority"])
        return fields, problems

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        self._clear_problems()
        fields, unreadable = self.to_fields()
        if unreadable:
            self.keep_typing()
            self.show_problems(unreadable)
            return
        release = self.submit(lambda: self.session.consents.create(self.client_id, fields))
        if release is None:
            return
        self.release = release
        self._edited = False
        self.saved.emit(release)
        self.done(QDialog.DialogCode.Accepted)

    def _grids(self) -> tuple[FieldGrid, ...]:
        return self.who_grid, self.info_grid, self.part2_grid, self.when_grid, self.sign_grid, self.scan_grid

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        for grid in self._grids():
            grid.clear_errors()
        self.signature_error.setVisible(False)
        self.pad.canvas.setAccessibleDescription("")

    def _signature_problem(self, message: str) -> QWidget:
        kind = self.signature_kind()
        if kind is SignatureKind.VERBAL:
            self.sign_grid.set_error("verbal_reason", message)
            return self.verbal_reason
        if kind is SignatureKind.SCANNED:
            self.scan_grid.set_error("attachment_id", message)
            return self.scan
        self.signature_error.setText(message)
        self.signature_error.setVisible(True)
        self.pad.canvas.setAccessibleDescription(message)
        return self.pad.canvas

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each sentence next to its field; the count (and anything without a field) in the banner;
        the focus on the first field named."""
        first: QWidget | None = None
        leftover: list[str] = []
        for name, message in problems.items():
            grid = next((g for g in self._grids() if name in g.inputs), None)
            if name == "signature":
                widget = self._signature_problem(message)
                first = first or widget
            elif grid is not None:
                grid.set_error(name, message)
                target = grid.inputs[name]
                if name == "information":
                    target = self.info_checks[InfoType.DEMOGRAPHICS]
                elif name == "purposes":
                    target = self.purpose_checks[0]
                first = first or target
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
        return self.picker.search


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
