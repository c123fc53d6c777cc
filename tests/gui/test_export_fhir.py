"""File → Export the client's record as FHIR (Ctrl+Shift+F): for the case manager's own records, or
to a recipient — refused without a covering release unless a reason is given, and then a
disclosure entry is written. The file parses as a FHIR bundle, is 0600 and has a neutral name."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from PySide6.QtCore import Qt

from app.models.consent import InfoType
from app.models.contacts import ContactFields, ContactKind
from app.ui.dialogs.export_fhir import ExportFhirDialog
from tests.gui.conftest import Gui
from tests.gui.test_accessibility import unnamed
from tests.gui.test_follow_up_editor import client_ids, retype
from tests.gui.test_follow_ups_tab import activate


def open_dialog(gui: Gui, client_id: str) -> ExportFhirDialog:
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    gui.window.actions_["export_fhir"].trigger()
    dialog = gui.controller.dialogs[-1]
    assert isinstance(dialog, ExportFhirDialog)
    activate(gui, dialog)
    return dialog


def test_export_for_own_records_writes_a_private_bundle_with_a_neutral_name(gui: Gui, client_vault: Path,
                                                                            tmp_path: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    dialog = open_dialog(gui, zoe)
    assert unnamed(dialog) == []
    assert Path(dialog.path.edit.text()).name == "waypoint-fhir-export.json"
    assert not dialog.purpose.isEnabled() and "Not a disclosure" in dialog.status.text()
    retype(gui, dialog.path.edit, str(tmp_path))  # a folder: the neutral name inside it
    gui.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "waypoint-fhir-export.json"
    assert dialog.result.isVisible() and str(written) in dialog.result.label.text()
    bundle = json.loads(written.read_text())
    assert bundle["resourceType"] == "Bundle"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert session.consents.disclosures(zoe) == []  # not a disclosure


def test_export_to_a_recipient_without_a_release_needs_a_reason_and_is_recorded(gui: Gui, client_vault: Path,
                                                                                tmp_path: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    zoe = client_ids(session)["Zoë"]
    clinic = session.contacts.create(ContactFields(kind=ContactKind.ORGANISATION, name="Harbor Psychiatry Clinic"))
    dialog = open_dialog(gui, zoe)
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(clinic.id))
    assert "No release" in dialog.status.text()
    dest = tmp_path / "to-clinic.json"
    retype(gui, dialog.path.edit, str(dest))
    retype(gui, dialog.purpose, "Continuity of care after discharge")
    gui.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result.isVisible() and "No valid release" in dialog.result.label.text()
    assert not dest.exists()
    assert dialog.purpose.text() == "Continuity of care after discharge"  # the typing stays

    retype(gui, dialog.reason, "Receiving psychiatrist asked by phone; client in hospital")
    gui.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dest.exists() and "disclosure is recorded" in dialog.result.label.text()
    [entry] = session.consents.disclosures(zoe)
    assert entry.contact_id == clinic.id and not entry.consent_valid
    assert entry.overridden_reason == "Receiving psychiatrist asked by phone; client in hospital"
    assert entry.purpose == "Continuity of care after discharge"
    assert InfoType.DEMOGRAPHICS in entry.sections
