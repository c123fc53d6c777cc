"""Export a client's record as a FHIR R4 bundle (JSON), for the case manager's own records or for a
named recipient. To a recipient, a valid release must cover everything in the bundle, or the case
manager gives a reason to send it anyway; either way a disclosure entry is written. The file is
written atomically, readable by this user only, under a neutral name (no client name)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.consent import ReleaseStatus
from app.services.errors import NotFound, ValidationError, VaultError
from app.services.fhir_export import DEFAULT_NAME, write_fhir
from app.services.session import Session
from app.services.settings import Settings
from app.ui import follow_up_actions as actions
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    dialog_buttons,
    muted_label,
)
from app.ui.widgets.inputs import PathField

STATUS_MARKS = {ReleaseStatus.VALID: "✓", ReleaseStatus.EXPIRED: "⚠", ReleaseStatus.REVOKED: "✗",
                ReleaseStatus.NONE: "–"}


def default_path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return Path(folder) / DEFAULT_NAME


class ExportFhirDialog(QDialog):
    def __init__(self, session: Session, settings: Settings | None, client_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.client_id = client_id
        self.written: tuple[Path, int] | None = None
        client = session.clients.get(client_id)
        self.setWindowTitle(_("Export the record as FHIR"))
        self.setModal(True)
        self.setMinimumWidth(660)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        title = QLabel(_("Export the record as FHIR"))
        title.setFont(theme.scaled_font(self, 1.4, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(_(
            "Writes {name}'s record as a FHIR R4 file (JSON) that other clinical systems can import: "
            "demographics, screening results, risk tier, needs, goals, the care plan, referrals, follow-ups and "
            "releases. Note text is never included.").format(name=client.display_name)))

        card = Card()
        form = QFormLayout()
        form.setHorizontalSpacing(SPACING * 2)
        self.recipient = QComboBox()
        self.recipient.setAccessibleName(_("Who the file is for"))
        self.recipient.addItem(_("No one — for my own records"), "")
        team_ids = set()
        for member in session.contacts.team(client_id):
            team_ids.add(member.contact.id)
            self.recipient.addItem(_("{name} — care team, {role}").format(name=member.contact.name, role=member.role),
                                   member.contact.id)
        for contact in session.contacts.directory():
            if contact.id not in team_ids:
                self.recipient.addItem(contact.name, contact.id)
        self.recipient.currentIndexChanged.connect(self._recipient_changed)
        form.addRow(_("&For"), self.recipient)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form.addRow("", self.status)
        self.purpose = QLineEdit()
        self.purpose.setAccessibleName(_("Purpose of the disclosure"))
        self.purpose.setPlaceholderText(_("e.g. continuity of care after the transition"))
        form.addRow(_("&Purpose"), self.purpose)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(_("Reason to send it without a covering release"))
        self.reason.setPlaceholderText(_("Only if no valid release covers it: why it must go anyway"))
        form.addRow(_("&Reason"), self.reason)
        self.path = PathField(_("Choose where to save the FHIR file"), self.browse, str(default_path()))
        self.path.setAccessibleName(_("Save the FHIR file as"))
        form.addRow(_("&Save as"), self.path)
        card.body.addLayout(form)
        card.body.addWidget(muted_label(_("Anyone who can open this file can read the record in it. Send it through "
                                          "a secure channel and delete your copy once it has been received.")))
        layout.addWidget(card)

        self.result = Banner("info")
        layout.addWidget(self.result)
        self.close_button, self.export_button = dialog_buttons(self, layout, _("Export"), self.export)
        self.export_button.setIcon(theme.icon("mdi6.file-export-outline", theme.colors().accent_text))
        self._recipient_changed()

    def contact_id(self) -> str | None:
        return str(self.recipient.currentData()) or None

    def _recipient_changed(self) -> None:
        contact_id = self.contact_id()
        for widget in (self.purpose, self.reason):
            widget.setEnabled(contact_id is not None)
        if contact_id is None:
            self.status.setText(_("Not a disclosure: nothing is checked against releases."))
            return
        status = self.session.consents.status(self.client_id, contact_id)
        text = {
            ReleaseStatus.VALID: _("A valid release to this recipient is on file. The export is checked against "
                                   "what it covers."),
            ReleaseStatus.EXPIRED: _("The release to this recipient has expired. Record a new one, or give a reason "
                                     "to send the record anyway."),
            ReleaseStatus.REVOKED: _("The client revoked the release to this recipient. Give a reason only if the "
                                     "law requires the disclosure."),
            ReleaseStatus.NONE: _("No release to this recipient is on file. Record one on the Releases tab, or give "
                                  "a reason to send the record anyway."),
        }[status]
        self.status.setText(f"{STATUS_MARKS[status]} {status.label}. {text}")
        self.status.setAccessibleName(self.status.text())

    def browse(self) -> None:
        current = self.path.edit.text().strip() or str(default_path())
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Save the FHIR file"), current, _("FHIR JSON (*.json)"))
        if chosen:
            self.path.edit.setText(chosen if chosen.lower().endswith(".json") else chosen + ".json")

    def target(self) -> Path | None:
        text = self.path.edit.text().strip()
        if not text:
            self.result.show_message(_("Choose where to save the file."), "error")
            self.path.edit.setFocus()
            return None
        dest = Path(text).expanduser()
        if dest.is_dir():
            dest = dest / DEFAULT_NAME
        return dest

    def export(self) -> None:
        self.result.setVisible(False)
        dest = self.target()
        if dest is None:
            return
        if dest.exists() and (self.written is None or self.written[0] != dest):
            answer = actions.ask(self, _("Replace the file?"), _("{name} already exists in that folder. Replace it?")
                                 .format(name=dest.name), [(_("Replace"), QMessageBox.ButtonRole.DestructiveRole)])
            if answer is None:
                return
        try:
            path, count = write_fhir(self.session, self.client_id, dest, self.settings, contact_id=self.contact_id(),
                                     purpose=self.purpose.text(), override_reason=self.reason.text())
        except OSError as exc:
            self.result.show_message(_("The file could not be written ({reason}). Choose another folder.").format(
                reason=exc.strerror or type(exc).__name__), "error")
            return
        except ValidationError as exc:
            self.result.show_message(" ".join(exc.problems.values()) or str(exc), "error")
            self.purpose.setFocus()
            return
        except (ValueError, NotFound, VaultError) as exc:
            self.result.show_message(str(exc), "error")
            if self.contact_id() is not None:
                self.reason.setFocus()
            return
        self.written = (path, count)
        self.path.edit.setText(str(path))
        message = _("The record ({n} resources) was written to {path}.").format(n=count, path=path)
        if self.contact_id() is not None:
            message += " " + _("The disclosure is recorded on the client's Releases tab.")
        self.result.show_message(message, "info")
        self.close_button.setText(_("Close"))
        self.close_button.setFocus()
