"""Make a report: kind, client, period, sections ("minimum necessary"), and — for a report that
goes to someone — the recipient with the consent check shown live; a preview rendered from
memory on the right; then save, save with a password, or print.

Nothing is recorded until the report leaves: saving writes the file and the audit entry (and a
disclosure entry when there is a recipient), printing records the disclosure once the OS print
dialog was accepted. The preview bytes live only in this dialog and are dropped when it closes
or the vault locks."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence, QPainter, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, ngettext
from app.models.consent import ReleaseStatus
from app.reports.engine import Identify
from app.services import report_export, reporting
from app.services.errors import NotFound, ValidationError, VaultError
from app.services.report_export import ExportCheck, PreparedReport
from app.services.reporting import KINDS, ReportKind, ReportRequest
from app.services.session import Session
from app.services.settings import Settings
from app.ui import theme
from app.ui.dialogs.contact_picker import ContactPicker
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, muted_label, primary_button, set_default_button
from app.ui.widgets.inputs import DateField, PassphraseField
from app.ui.widgets.pdf_preview import PdfPreview

PREVIEW_DELAY_MS = 600  # after the last change, before the preview is rebuilt by itself
MIN_PASSWORD = 8
PROGRESS_TICK_S = 0.03
OTHER = "__other__"  # the recipient combo's "someone else from the directory…" entry
PURPOSES = ("Coordination of care", "Continuity of care after transition", "At the client's request",
            "Referral to a new provider", "Benefits or housing application")


class BuildCancelled(Exception):
    """Raised from the progress callback to stop a build (Cancel pressed, or the vault locked)."""


def available_kinds() -> list[ReportKind]:
    """The catalogue's kinds whose report module and builder can be loaded, in catalogue order."""
    found = []
    for kind in KINDS.values():
        try:
            kind.section_labels()
            kind.info_types()
            importlib.import_module(kind.builder.partition(":")[0])
        except (ImportError, AttributeError, KeyError):
            continue
        found.append(kind)
    return found


def default_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text)
    label.setFont(theme.scaled_font(parent, 1.05, bold=True))
    return label


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("FieldError")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class PasswordDialog(QDialog):
    """The password for an encrypted PDF, typed twice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Protect the PDF with a password"))
        self.setModal(True)
        self.setMinimumSize(500, 300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(self.windowTitle())
        title.setFont(theme.scaled_font(self, 1.25, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(_(
            "The PDF is encrypted (AES-256). Give the password to the recipient another way — by phone, not in "
            "the same email. At least {n} characters.").format(n=MIN_PASSWORD)))
        first = QLabel(_("Password"))
        layout.addWidget(first)
        self.password = PassphraseField()
        self.password.setAccessibleName(_("Password"))
        first.setBuddy(self.password.edit)
        layout.addWidget(self.password)
        second = QLabel(_("Type it again"))
        layout.addWidget(second)
        self.again = PassphraseField()
        self.again.setAccessibleName(_("Type the password again"))
        second.setBuddy(self.again.edit)
        layout.addWidget(self.again)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        self.ok = primary_button(_("Save protected PDF…"))
        self.ok.clicked.connect(self._accept)
        row.addWidget(self.ok)
        layout.addLayout(row)
        set_default_button(self, self.ok)
        self.password.setFocus()

    def problem(self) -> str:
        text = self.password.text()
        if len(text) < MIN_PASSWORD:
            return _("Use at least {n} characters.").format(n=MIN_PASSWORD)
        if text != self.again.text():
            return _("The two passwords differ. Type the same password twice.")
        return ""

    def _accept(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if problem:
            (self.password if len(self.password.text()) < MIN_PASSWORD else self.again).setFocus()
            return
        self.accept()


class ContactChoiceDialog(QDialog):
    """Someone from the directory as the recipient."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Choose the recipient"))
        self.setModal(True)
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        self.picker = ContactPicker(session.contacts.directory())
        self.picker.setAccessibleName(_("Recipient"))
        layout.addWidget(self.picker, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        self.ok = primary_button(_("Choose"))
        self.ok.clicked.connect(self.accept)
        row.addWidget(self.ok)
        layout.addLayout(row)
        set_default_button(self, self.ok)
        self.picker.chosen.connect(lambda contact_id: self.ok.setEnabled(bool(contact_id)))
        self.ok.setEnabled(bool(self.picker.contact_id()))
        self.picker.setFocus()


class ReportDialog(QDialog):
    """The report dialog. `prepared` is the report last built (what the preview shows and what
    Save/Print send); None until a preview was made, and again after close or lock."""

    def __init__(self, session: Session, settings: Settings, client_id: str | None = None,
                 kind: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.client_id = client_id
        self.prepared: PreparedReport | None = None
        self.export_check: ExportCheck | None = None
        self.saved_path: Path | None = None
        self._cancel_requested = False
        self._focus_before: QWidget | None = None
        self._dirty = True
        self._building = False
        self._pending = False
        self._locked = False
        self._last_tick = 0.0
        self._kinds = available_kinds()
        self._extra_contacts: list[tuple[str, str]] = []  # (id, text) chosen from the directory
        self.setWindowTitle(_("Make a report"))
        self.setModal(True)
        self.resize(1100, 700)
        self.setMinimumSize(960, 600)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("Make a report"))
        title.setFont(theme.scaled_font(self, 1.45, bold=True))
        outer.addWidget(title)
        self.banner = Banner("error")
        outer.addWidget(self.banner)

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        outer.addLayout(body, 1)
        self.scroll = scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(430)
        left = QWidget()
        self.left = QVBoxLayout(left)
        self.left.setContentsMargins(0, 0, SPACING, 0)
        self.left.setSpacing(SPACING * 2)
        scroll.setWidget(left)
        body.addWidget(scroll)
        self._build_what()
        self._build_sections()
        self._build_recipient()
        self.left.addStretch(1)

        preview_card = Card()
        preview_card.body.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        self.preview = PdfPreview()
        preview_card.body.addWidget(self.preview)
        body.addWidget(preview_card, 1)

        self._build_buttons(outer)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, activated=self.refresh_preview)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_report)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.refresh_preview)

        start = kind if kind in {k.key for k in self._kinds} else ("summary" if client_id else "caseload")
        index = self.kind_combo.findData(start)
        self.kind_combo.setCurrentIndex(max(0, index))
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()
        self.kind_combo.setFocus()

    # -- the left pane ------------------------------------------------------------------------

    def _build_what(self) -> None:
        card = Card()
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(4)
        card.body.addLayout(grid)
        kind_label = QLabel(_("Report"))
        grid.addWidget(kind_label, 0, 0, 1, 2)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Report"))
        for kind in self._kinds:
            self.kind_combo.addItem(kind.label, kind.key)
        kind_label.setBuddy(self.kind_combo)
        grid.addWidget(self.kind_combo, 1, 0, 1, 2)

        self.client_caption = QLabel(_("About"))
        self.client_caption.setContentsMargins(0, SPACING, 0, 0)
        grid.addWidget(self.client_caption, 2, 0, 1, 2)
        self.client_name = QLabel()
        self.client_name.setFont(theme.scaled_font(self, 1.05, bold=True))
        self.client_name.setWordWrap(True)
        grid.addWidget(self.client_name, 3, 0, 1, 2)
        self.client_combo = QComboBox()
        self.client_combo.setEditable(True)
        self.client_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client_combo.setAccessibleName(_("Client this report is about"))
        self.client_combo.lineEdit().setAccessibleName(_("Client this report is about"))
        self.client_combo.lineEdit().setPlaceholderText(_("Type a name or client code"))
        completer = QCompleter(self.client_combo.model(), self.client_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.client_combo.setCompleter(completer)
        self.client_caption.setBuddy(self.client_combo)
        grid.addWidget(self.client_combo, 3, 0, 1, 2)
        self.client_error = error_label()
        grid.addWidget(self.client_error, 4, 0, 1, 2)
        if self.client_id is not None:
            self.client_combo.setVisible(False)
            try:
                self.client_name.setText(self.session.clients.get(self.client_id).display_name)
            except NotFound:
                self.client_id = None
        if self.client_id is None:
            self.client_name.setVisible(False)
            self._fill_clients()
            self.client_combo.currentIndexChanged.connect(lambda _i: self._client_changed())

        self.period_caption = QLabel(_("From"))
        grid.addWidget(self.period_caption, 5, 0)
        self.period_to_caption = QLabel(_("To"))
        for caption in (self.period_caption, self.period_to_caption):
            caption.setContentsMargins(0, SPACING, 0, 0)
        grid.addWidget(self.period_to_caption, 5, 1)
        self.start = DateField()
        self.start.setAccessibleName(_("Period from"))
        self.start.edit.setPlaceholderText(_("e.g. {example}").format(example=date_example()))
        self.end = DateField()
        self.end.setAccessibleName(_("Period to"))
        self.end.edit.setPlaceholderText(_("e.g. {example}").format(example=date_example()))
        self.period_caption.setBuddy(self.start.edit)
        self.period_to_caption.setBuddy(self.end.edit)
        grid.addWidget(self.start, 6, 0)
        grid.addWidget(self.end, 6, 1)
        self.period_error = error_label()
        grid.addWidget(self.period_error, 7, 0, 1, 2)
        self.start.changed.connect(self._changed)
        self.end.changed.connect(self._changed)
        self.subject_caption = QLabel(_("Which one"))
        self.subject_caption.setContentsMargins(0, SPACING, 0, 0)
        grid.addWidget(self.subject_caption, 8, 0, 1, 2)
        self.subject_combo = QComboBox()
        self.subject_combo.setAccessibleName(_("Which record the report is about"))
        self.subject_caption.setBuddy(self.subject_combo)
        grid.addWidget(self.subject_combo, 9, 0, 1, 2)
        self.subject_combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.left.addWidget(card)

    def _fill_clients(self) -> None:
        discreet = self._discreet()
        self.client_combo.blockSignals(True)
        self.client_combo.clear()
        self.client_combo.addItem("", "")
        rows = sorted(self.session.clients.roster(), key=lambda r: r.sort_name or r.display_name)
        for row in rows:
            text = f"{row.client_code} · {row.initials}" if discreet else f"{row.display_name} · {row.client_code}"
            self.client_combo.addItem(text, row.id)
        self.client_combo.setCurrentIndex(0)
        self.client_combo.blockSignals(False)

    def _discreet(self) -> bool:
        """Whether the main window is in discreet mode (names hidden in lists)."""
        actions = getattr(self.parent(), "actions_", None)
        action = actions.get("discreet") if isinstance(actions, dict) else None
        return bool(action is not None and action.isChecked())

    def _build_sections(self) -> None:
        card = Card()
        card.body.addWidget(heading(_("Sections"), self))
        card.body.addWidget(muted_label(_("Include only what the reader needs (minimum necessary). The usual "
                                          "sections are ticked.")))
        self.sections_box = QVBoxLayout()
        self.sections_box.setSpacing(2)
        card.body.addLayout(self.sections_box)
        self.section_checks: dict[str, QCheckBox] = {}
        self.sections_error = error_label()
        card.body.addWidget(self.sections_error)
        self.deidentify = QCheckBox(_("De-identify (client codes only)"))
        self.deidentify.setToolTip(_("Clients are named by their client code; no names, birth dates or contact "
                                     "details."))
        self.deidentify.toggled.connect(self._changed)
        card.body.addWidget(self.deidentify)
        self.left.addWidget(card)

    def _build_recipient(self) -> None:
        self.recipient_card = Card()
        body = self.recipient_card.body
        body.addWidget(heading(_("Recipient"), self))
        body.addWidget(muted_label(_("Optional. Choose who will receive the report; Waypoint checks the client's "
                                     "releases and records the disclosure.")))
        self.recipient = QComboBox()
        self.recipient.setAccessibleName(_("Recipient"))
        self.recipient.setMinimumContentsLength(20)
        self.recipient.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        body.addWidget(self.recipient)
        self.recipient.activated.connect(self._recipient_activated)
        self.recipient.currentIndexChanged.connect(lambda _i: self._recipient_changed())

        check_row = QHBoxLayout()
        check_row.setSpacing(SPACING)
        self.check_icon = QLabel()
        self.check_icon.setFixedWidth(22)
        check_row.addWidget(self.check_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.check_text = QLabel()
        self.check_text.setWordWrap(True)
        self.check_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        check_row.addWidget(self.check_text, 1)
        self.check_frame = QWidget()
        self.check_frame.setLayout(check_row)
        check_row.setContentsMargins(0, 4, 0, 4)
        body.addWidget(self.check_frame)

        self.override = QCheckBox(_("Include the uncovered sections anyway"))
        self.override.setToolTip(_("Only with a reason the law allows, e.g. an emergency or a court order. The "
                                   "reason is recorded with the disclosure."))
        self.override.toggled.connect(self._override_toggled)
        body.addWidget(self.override)
        self.reason_caption = QLabel(_("Reason for including them *"))
        body.addWidget(self.reason_caption)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.reason.setPlaceholderText(_("e.g. Imminent risk; the emergency team needs the safety plan"))
        self.reason.setAccessibleName(_("Reason for including the uncovered sections (required)"))
        self.reason_caption.setBuddy(self.reason)
        self.reason.textChanged.connect(self._reason_changed)
        body.addWidget(self.reason)
        self.reason_error = error_label()
        body.addWidget(self.reason_error)

        purpose_caption = QLabel(_("Purpose of the disclosure"))
        body.addWidget(purpose_caption)
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.purpose.addItems(["", *[_(p) for p in PURPOSES]])
        self.purpose.lineEdit().setMaxLength(500)
        self.purpose.lineEdit().setPlaceholderText(_("Empty: the purposes written on the release"))
        self.purpose.setAccessibleName(_("Purpose of the disclosure"))
        self.purpose.lineEdit().setAccessibleName(_("Purpose of the disclosure"))
        purpose_caption.setBuddy(self.purpose)
        self.purpose.editTextChanged.connect(lambda _t: self._purpose_changed())
        body.addWidget(self.purpose)
        self.purpose_error = error_label()
        body.addWidget(self.purpose_error)
        self.purpose_widgets = [purpose_caption, self.purpose]
        self.left.addWidget(self.recipient_card)

    def _build_buttons(self, outer: QVBoxLayout) -> None:
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        self.preview_button = QPushButton(theme.icon("mdi6.refresh"), _("Preview"))
        self.preview_button.setToolTip(_("Build the preview again (F5)"))
        self.preview_button.clicked.connect(self.refresh_preview)
        row.addWidget(self.preview_button)
        self.state = muted_label("")
        self.state.setWordWrap(True)
        row.addWidget(self.state, 1)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(200)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(_("Report progress"))
        self.progress.setVisible(False)
        row.addWidget(self.progress)
        self.stop_button = QPushButton(_("Stop"))
        self.stop_button.setToolTip(_("Stop building the report"))
        self.stop_button.clicked.connect(self._stop)
        self.stop_button.setVisible(False)
        row.addWidget(self.stop_button)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        self.print_button = QPushButton(theme.icon("mdi6.printer-outline"), _("Print…"))
        self.print_button.setToolTip(_("Print through the system's print dialog (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_report)
        row.addWidget(self.print_button)
        self.password_button = QPushButton(theme.icon("mdi6.file-lock-outline"), _("Save with password…"))
        self.password_button.setToolTip(_("Save an encrypted PDF that opens only with a password"))
        self.password_button.clicked.connect(self.save_with_password)
        row.addWidget(self.password_button)
        self.save_button = primary_button(_("Save…"))
        self.save_button.setIcon(theme.icon("mdi6.content-save-outline", theme.colors().accent_text))
        self.save_button.setToolTip(_("Save the PDF (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        outer.addLayout(row)
        set_default_button(self, self.save_button)

    # -- reading the choices ------------------------------------------------------------------

    def kind(self) -> ReportKind:
        return KINDS[str(self.kind_combo.currentData())]

    def current_client_id(self) -> str | None:
        if self.client_id is not None:
            return self.client_id
        value = self.client_combo.currentData()
        return str(value) if value else None

    def chosen_sections(self) -> tuple[str, ...]:
        return tuple(key for key, box in self.section_checks.items() if box.isChecked())

    def contact_id(self) -> str | None:
        if not self.kind().to_recipient:
            return None
        value = self.recipient.currentData()
        return str(value) if value and value != OTHER else None

    def override_reason(self) -> str:
        return self.reason.toPlainText().strip() if self.override.isChecked() and self.override.isEnabled() else ""

    def purpose_text(self) -> str:
        return self.purpose.currentText().strip() if self.contact_id() else ""

    def request(self) -> ReportRequest | None:
        """The request the choices describe; None (with the sentence beside the field) when they
        don't describe one yet."""
        kind = self.kind()
        problems = False
        client_id = self.current_client_id() if kind.needs_client else None
        self._field_error(self.client_error, "")
        if kind.needs_client and client_id is None:
            self._field_error(self.client_error, _("Choose the client this report is about."))
            problems = True
        start = end = None
        self._field_error(self.period_error, "")
        if kind.uses_period:
            try:
                start, end = self.start.value(), self.end.value()
            except ValueError as exc:
                self._field_error(self.period_error, str(exc))
                problems = True
            else:
                if start and end and start > end:
                    self._field_error(self.period_error, _("The period starts after it ends. Put the start date "
                                                           "first."))
                    problems = True
        sections = self.chosen_sections()
        self._field_error(self.sections_error, "" if sections else _("Tick at least one section."))
        if not sections:
            problems = True
        if problems:
            return None
        identify = Identify.CODE if kind.can_deidentify and self.deidentify.isChecked() else Identify.FULL
        return ReportRequest(kind.key, client_id, sections, start, end, identify, subject_id=self.subject_id())

    def subject_id(self) -> str | None:
        """The record chosen under "Which one" (None: the latest, or the kind has no choice)."""
        if self.subject_combo.count() == 0:
            return None
        return str(self.subject_combo.currentData() or "") or None

    def _fill_subjects(self) -> None:
        """The versions / transitions / referrals the kind can report on, newest first."""
        kind = self.kind()
        client_id = self.current_client_id() if kind.needs_client else None
        items = reporting.subjects(self.session, kind.key, client_id) if client_id else []
        self.subject_combo.blockSignals(True)
        self.subject_combo.clear()
        for subject_id, label in items:
            self.subject_combo.addItem(label, subject_id)
        self.subject_combo.blockSignals(False)
        shown = len(items) > 1
        self.subject_caption.setVisible(shown)
        self.subject_combo.setVisible(shown)

    def _field_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    # -- reacting to changes ------------------------------------------------------------------

    def _kind_changed(self) -> None:
        kind = self.kind()
        needs = kind.needs_client
        self.client_caption.setVisible(needs)
        self.client_name.setVisible(needs and self.client_id is not None)
        self.client_combo.setVisible(needs and self.client_id is None)
        if not needs:
            self._field_error(self.client_error, "")
        for widget in (self.period_caption, self.period_to_caption, self.start, self.end):
            widget.setVisible(kind.uses_period)
        if not kind.uses_period:
            self._field_error(self.period_error, "")
        if kind.uses_period and not self.start.text() and not self.end.text():
            today = self.session.clock.today()
            self.start.set_value(today - timedelta(days=30 if kind.key == "mileage" else 90))
            self.end.set_value(today)
        self.deidentify.setVisible(kind.can_deidentify)
        self.deidentify.blockSignals(True)
        self.deidentify.setChecked(kind.can_deidentify)  # codes only, unless asked otherwise
        self.deidentify.blockSignals(False)
        while self.sections_box.count():
            item = self.sections_box.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # out of the Tab order at once, not when deleted
                item.widget().deleteLater()
        self.section_checks = {}
        defaults = set(kind.default_sections)
        anchor = self.deidentify.previousInFocusChain()
        while anchor is not self and not anchor.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            anchor = anchor.previousInFocusChain()
        for key, label in kind.section_labels().items():
            box = QCheckBox(label)
            box.setChecked(key in defaults)
            box.toggled.connect(self._changed)
            self.sections_box.addWidget(box)
            # Made after the buttons, so Tab would reach them last: put them where they are read.
            QWidget.setTabOrder(anchor, box)
            anchor = box
            self.section_checks[key] = box
        self.recipient_card.setVisible(kind.to_recipient)
        self._fill_subjects()
        self._fill_recipients()
        self._changed()

    def _client_changed(self) -> None:
        self._extra_contacts = []
        self._fill_subjects()
        self._fill_recipients()
        self._changed()

    def _fill_recipients(self, select: str | None = None) -> None:
        keep = select if select is not None else self.recipient.currentData()
        self.recipient.blockSignals(True)
        self.recipient.clear()
        self.recipient.addItem(theme.icon("mdi6.account-off-outline"), _("No one — for the record"), "")
        client_id = self.current_client_id()
        seen: set[str] = set()
        if client_id is not None and self.kind().to_recipient:
            for member in self.session.contacts.team(client_id):
                contact = member.contact
                status = self.session.consents.status(client_id, contact.id)
                words = {ReleaseStatus.VALID: _("release on file"), ReleaseStatus.EXPIRED: _("release expired"),
                         ReleaseStatus.REVOKED: _("release revoked"), ReleaseStatus.NONE: _("no release")}[status]
                role = member.role
                text = (_("{name} — {role} · {release}").format(name=contact.name, role=role, release=words) if role
                        else _("{name} · {release}").format(name=contact.name, release=words))
                self.recipient.addItem(theme.icon("mdi6.account-group-outline"), text, contact.id)
                seen.add(contact.id)
        for contact_id, text in self._extra_contacts:
            if contact_id not in seen:
                self.recipient.addItem(theme.icon("mdi6.card-account-details-outline"), text, contact_id)
                seen.add(contact_id)
        self.recipient.addItem(theme.icon("mdi6.magnify"), _("Someone else from the directory…"), OTHER)
        index = self.recipient.findData(keep) if keep and keep != OTHER else 0
        self.recipient.setCurrentIndex(max(0, index))
        self.recipient.blockSignals(False)
        self._recipient_changed(schedule=False)

    def _recipient_activated(self, index: int) -> None:
        if self.recipient.itemData(index) != OTHER:
            return
        chooser = ContactChoiceDialog(self.session, self)
        contact = chooser.picker.contact() if chooser.exec() == QDialog.DialogCode.Accepted else None
        if contact is None:
            self.recipient.setCurrentIndex(0)
            return
        text = f"{contact.name} · {contact.summary}" if contact.summary else contact.name
        self._extra_contacts.append((contact.id, text))
        self._fill_recipients(select=contact.id)
        self._changed()

    def choose_recipient(self, contact_id: str) -> None:
        """Make `contact_id` the recipient (a care-team member, or anyone in the directory)."""
        if self.recipient.findData(contact_id) < 0:
            contact = self.session.contacts.get(contact_id)
            text = f"{contact.name} · {contact.summary}" if contact.summary else contact.name
            self._extra_contacts.append((contact.id, text))
            self._fill_recipients(select=contact_id)
        self.recipient.setCurrentIndex(self.recipient.findData(contact_id))

    def _recipient_changed(self, schedule: bool = True) -> None:
        has = self.contact_id() is not None
        for widget in self.purpose_widgets:
            widget.setVisible(has)
        if not has:
            self._field_error(self.purpose_error, "")
        if schedule:
            self._changed()
            if has:  # bring the consent check into view
                QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(self.check_frame, 0, SPACING * 4))

    def _override_toggled(self, on: bool) -> None:
        self.reason_caption.setVisible(on)
        self.reason.setVisible(on)
        if not on:
            self._field_error(self.reason_error, "")
        else:
            QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(self.reason_error, 0, SPACING * 4))
            if not self.reason.toPlainText().strip():
                self.reason.setFocus()
        self._changed()

    def _reason_changed(self) -> None:
        if self.reason.toPlainText().strip():
            self._field_error(self.reason_error, "")
        self._changed()

    def _purpose_changed(self) -> None:
        if self.purpose.currentText().strip():
            self._field_error(self.purpose_error, "")
        self._dirty = True
        self._show_state()
        self.timer.start()

    def _changed(self) -> None:
        """Something the report depends on changed: check consent now, rebuild the preview soon."""
        self._dirty = True
        self.banner.setVisible(False)
        self._update_check()
        self._show_state()
        if not self._locked:
            self.timer.start()

    def _update_check(self) -> None:
        """The consent check for the chosen recipient, as a sentence with an icon."""
        self.export_check = None
        contact_id = self.contact_id()
        kind = self.kind()
        request = self._quiet_request()
        covered_all = True
        if contact_id is not None and request is not None:
            try:
                self.export_check = report_export.check(self.session, request, contact_id)
            except (ValueError, VaultError) as exc:
                self._show_check("mdi6.alert-outline", str(exc), theme.colors().danger)
            else:
                check = self.export_check
                covered_all = check.fully_covered
                message = check.message()
                if self._part2_goes_out(check):
                    message += " " + _("The 42 CFR Part 2 re-disclosure notice will be added.")
                if covered_all:
                    self._show_check("mdi6.shield-check-outline", message, theme.colors().success)
                elif self.override.isChecked() and self.reason.toPlainText().strip():
                    labels = kind.section_labels()
                    message = _("No valid release to {recipient} covers: {sections}. They will be included anyway; "
                                "your reason is recorded with the disclosure.").format(
                        recipient=check.recipient, sections=", ".join(labels.get(x, x) for x in check.not_covered))
                    if self._part2_goes_out(check):
                        message += " " + _("The 42 CFR Part 2 re-disclosure notice will be added.")
                    self._show_check("mdi6.shield-alert-outline", message, theme.colors().danger)
                else:
                    self._show_check("mdi6.shield-alert-outline", message, theme.colors().danger)
        elif contact_id is not None:
            self._show_check("mdi6.information-outline", _("Choose the report's contents to check the release."),
                             theme.colors().muted)
        else:
            self.check_frame.setVisible(False)
        not_covered = set(self.export_check.not_covered) if self.export_check is not None else set()
        for key, box in self.section_checks.items():
            if key in not_covered:
                box.setIcon(theme.icon("mdi6.lock-outline", theme.colors().danger))
                box.setToolTip(_("No valid release covers this section; it is left out unless you include it "
                                 "anyway."))
            elif self.export_check is not None:
                box.setIcon(theme.icon("mdi6.check-circle-outline", theme.colors().success))
                box.setToolTip(_("A valid release covers this section."))
            else:
                box.setIcon(QIcon())
                box.setToolTip("")
        show_override = kind.to_recipient and contact_id is not None and not covered_all
        self.override.setVisible(show_override)
        self.override.setEnabled(show_override)
        showing_reason = show_override and self.override.isChecked()
        self.reason_caption.setVisible(showing_reason)
        self.reason.setVisible(showing_reason)
        if not showing_reason:
            self._field_error(self.reason_error, "")

    def _part2_goes_out(self, check: ExportCheck) -> bool:
        """Whether substance-use information will be sent (covered, or included anyway with a reason)."""
        info = self.kind().info_types()
        going = check.sections if self.override_reason() else check.covered
        return any(info[s].part2 for s in going if s in info)

    def _quiet_request(self) -> ReportRequest | None:
        """The request without marking fields (for the live consent check)."""
        kind = self.kind()
        client_id = self.current_client_id() if kind.needs_client else None
        sections = self.chosen_sections()
        if (kind.needs_client and client_id is None) or not sections:
            return None
        return ReportRequest(kind.key, client_id, sections, subject_id=self.subject_id())

    def _show_check(self, icon_name: str, text: str, colour: str) -> None:
        self.check_icon.setPixmap(theme.icon(icon_name, colour).pixmap(20, 20))
        self.check_text.setText(text)
        self.check_text.setAccessibleName(text)
        self.check_frame.setVisible(True)

    def _show_state(self) -> None:
        if self._building:
            text = _("Building the preview…")
        elif self.prepared is None:
            text = "" if self._dirty else _("No preview yet.")
        elif self._dirty:
            text = _("Changes not in the preview yet (F5 to update).")
        else:
            text = _("Preview up to date.")
            if self.prepared.left_out:
                count = len(self.prepared.left_out)
                text += " " + ngettext("{n} section left out for want of consent.",
                                       "{n} sections left out for want of consent.", count).format(n=count)
        self.state.setText(text)

    # -- building -----------------------------------------------------------------------------

    def refresh_preview(self) -> bool:
        """Build the report from the choices and show it; True when the preview is current."""
        self.timer.stop()
        if self._locked or not self.session.is_open:
            return False
        if self._building:
            self._pending = True
            return False
        self._cancel_requested = False
        request = self.request()
        if request is None:
            self._drop_preview()
            self.preview.set_empty_text(_("Nothing to preview yet"), _("Fix the choices marked on the left."))
            return False
        if self.override.isChecked() and self.override.isEnabled() and not self.override_reason():
            self._field_error(self.reason_error, _("Write why the uncovered sections are included anyway. Until "
                                                   "then they are left out."))
        self._building = True
        if self.prepared is None:
            self.preview.set_empty_text(_("Building the preview…"), _("It appears here in a moment."))
        self._show_state()
        self.preview_button.setEnabled(False)
        try:
            prepared = report_export.prepare(
                self.session, request, reporting.letterhead_from(self.settings), contact_id=self.contact_id(),
                override_reason=self.override_reason(), purpose=self.purpose_text(), progress=self._progress)
        except BuildCancelled:
            self._drop_preview()
            self.preview.set_empty_text(_("Preview stopped"), _("Press Preview (F5) to build it again."))
            return False
        except ValidationError as exc:
            self._drop_preview()
            self.banner.show_message(" ".join(exc.problems.values()) or str(exc), "error")
            return False
        except (ValueError, VaultError) as exc:
            self._drop_preview()
            self.preview.set_empty_text(_("No preview"), str(exc))
            self.banner.show_message(str(exc), "error")
            return False
        finally:
            self._building = False
            self.preview_button.setEnabled(True)
            if self.progress.isVisible():
                self._set_busy(False)
        if self._locked:
            return False
        self.prepared = prepared
        self.preview.set_pdf(prepared.pdf)
        self._dirty = False
        self._show_state()
        if self._pending:
            self._pending = False
            self._dirty = True
            self.timer.start()
        return True

    def _progress(self, done: int, total: int) -> None:
        """Feeds the progress bar (for reports over many clients); raises BuildCancelled when Stop
        was pressed, the dialog closed or the vault locks."""
        if self._locked or self._cancel_requested:
            raise BuildCancelled
        now = time.monotonic()
        if total > 1 and (now - self._last_tick >= PROGRESS_TICK_S or done >= total):
            self._last_tick = now  # repaint and take Stop a few dozen times a second, not per client
            if not self.progress.isVisible():
                self._set_busy(True)
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.state.setText(_("Laying out the pages…") if done >= total else
                               _("Building the report: {done} of {total}…").format(done=done, total=total))
            QApplication.processEvents()
            if self._locked or self._cancel_requested:
                raise BuildCancelled

    def _stop(self) -> None:
        self._cancel_requested = True

    def _set_busy(self, busy: bool) -> None:
        """While a long report builds: the choices and actions wait, the bar and Stop show."""
        self.progress.setVisible(busy)
        self.stop_button.setVisible(busy)
        for widget in (self.scroll, self.preview_button, self.print_button, self.password_button,
                       self.save_button):
            widget.setEnabled(not busy)
        if busy:
            self._focus_before = QApplication.focusWidget()
            self.stop_button.setFocus()
        elif self._focus_before is not None and self._focus_before.isEnabled():
            self._focus_before.setFocus()
        self._cancel_requested = False

    def _drop_preview(self) -> None:
        self.prepared = None
        self.preview.clear()
        self._show_state()

    def _current(self) -> PreparedReport | None:
        """The report as the choices now describe it, built again if they changed."""
        if self._dirty or self.prepared is None:
            self.refresh_preview()
        return None if self._dirty else self.prepared

    def _ready_to_send(self) -> bool:
        """Checks the recipient's fields before anything leaves; marks the ones to fix."""
        ok = True
        if self.override.isEnabled() and self.override.isChecked() and not self.override_reason():
            self._field_error(self.reason_error, _("Write why the uncovered sections are included anyway, or untick "
                                                   "“Include the uncovered sections anyway”."))
            self.reason.setFocus()
            ok = False
        return ok

    # -- leaving: save, save with password, print ------------------------------------------------

    def save(self) -> None:
        self._save(None)

    def save_with_password(self) -> None:
        if not self._ready_to_send() or self._current() is None:
            return
        asked = PasswordDialog(self)
        if asked.exec() != QDialog.DialogCode.Accepted:
            return
        self._save(asked.password.text())

    def _save(self, password: str | None) -> None:
        if not self._ready_to_send():
            return
        prepared = self._current()
        if prepared is None:
            return
        suggested = str((self.saved_path.parent if self.saved_path else default_folder()) / prepared.default_name)
        title = _("Save the protected report") if password else _("Save the report")
        chosen, _filter = QFileDialog.getSaveFileName(self, title, suggested, _("PDF documents (*.pdf)"))
        if not chosen:
            return
        dest = Path(chosen)
        if dest.suffix.lower() != ".pdf":
            dest = dest.with_name(dest.name + ".pdf")
        self._send(lambda: report_export.save(self.session, prepared, dest, password=password), password)

    def _send(self, action: Callable[[], object], password: str | None = None) -> object | None:
        try:
            result = action()
        except ValidationError as exc:
            self._show_problems(exc)
            return None
        except OSError as exc:
            self.banner.show_message(_("The file could not be written ({reason}). Choose another folder.").format(
                reason=exc.strerror or type(exc).__name__), "error")
            return None
        except (ValueError, VaultError) as exc:
            self.banner.show_message(str(exc), "error")
            return None
        if isinstance(result, Path):
            self.saved_path = result
            message = (_("Saved as {file} in {folder}, protected with the password.") if password
                       else _("Saved as {file} in {folder}.")).format(file=result.name, folder=result.parent)
        else:
            message = _("Sent to the printer.")
        if self.contact_id() is not None:
            message += " " + _("The disclosure was recorded.")
        self.banner.show_message(message, "info")
        self._tell_window(message)
        self.close_button.setFocus()
        return result

    def _show_problems(self, exc: ValidationError) -> None:
        fields = {"purpose": (self.purpose_error, self.purpose), "overridden_reason": (self.reason_error, self.reason)}
        rest = []
        for name, text in exc.problems.items():
            if name in fields:
                label, widget = fields[name]
                self._field_error(label, text)
                widget.setFocus()
                self.scroll.ensureWidgetVisible(label, 0, SPACING * 4)
            else:
                rest.append(text)
        if rest or not exc.problems:
            self.banner.show_message(" ".join(rest) or str(exc), "error")

    def _tell_window(self, message: str) -> None:
        show = getattr(self.parent(), "show_status", None)
        if callable(show):
            show(message)

    def print_report(self) -> None:
        if not self._ready_to_send():
            return
        prepared = self._current()
        if prepared is None or not self.preview.page_count():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(prepared.default_name.removesuffix(".pdf"))
        chooser = QPrintDialog(printer, self)
        chooser.setMinMax(1, self.preview.page_count())
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        if not self._paint(printer):
            self.banner.show_message(_("The printer could not be started. Check it is connected and try again."),
                                     "error")
            return
        self._send(lambda: report_export.record_print(self.session, prepared))

    def _paint(self, printer: QPrinter) -> bool:
        """Draw each page of the preview's document onto the printer, fitted to the paper."""
        count = self.preview.page_count()
        first, last = printer.fromPage(), printer.toPage()
        pages = range(first - 1, last) if first > 0 and last >= first else range(count)
        painter = QPainter()
        if not painter.begin(printer):
            return False
        try:
            dpi = min(printer.resolution(), 300)
            for n, index in enumerate(p for p in pages if 0 <= p < count):
                if n:
                    printer.newPage()
                points = self.preview.document.pagePointSize(index)
                image = self.preview.render_page(index, QSize(round(points.width() / 72 * dpi),
                                                              round(points.height() / 72 * dpi)))
                area = painter.viewport()
                scale = min(area.width() / image.width(), area.height() / image.height())
                w, h = image.width() * scale, image.height() * scale
                painter.drawImage(QRectF((area.width() - w) / 2, (area.height() - h) / 2, w, h), image)
        finally:
            painter.end()
        return True

    # -- closing ------------------------------------------------------------------------------

    def close_for_lock(self) -> None:
        """The vault locks: stop any build, forget the preview bytes, close without asking."""
        self._locked = True
        self.reject()

    def done(self, result: int) -> None:
        for child in self.findChildren(QDialog):  # a password, recipient, file or print dialog still open
            if child.isVisible():
                child.reject()
        self.timer.stop()
        self._locked = True  # a build still running stops at its next progress step
        self.prepared = None
        self.export_check = None
        self.preview.clear()
        super().done(result)
