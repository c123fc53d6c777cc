"""The report dialog, driven like a user: sections change the preview; a recipient's release is
checked live and uncovered sections are left out of what is saved (and recorded as a disclosure)
unless included anyway with a reason; a password-protected save; printing through the (stubbed)
OS print dialog records a "printed" disclosure; the caseload report shows its progress and can
be cancelled; locking closes the dialog and forgets the preview."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QFileDialog

from app.models.consent import InfoType, ReleaseFields, SignatureKind
from app.models.contacts import ContactFields, MemberFields
from app.ui.dialogs.report_dialog import ContactChoiceDialog, PasswordDialog, ReportDialog
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text
from tests.gui.test_accessibility import unnamed

TODAY = date(2026, 11, 26)
STROKES = json.dumps({"strokes": [{"points": [[0.1, 0.5], [0.4, 0.2], [0.8, 0.6]]}]})
REASON = "Imminent risk; the emergency team needs the safety plan"


@pytest.fixture(autouse=True)
def close_report_dialogs() -> Iterator[None]:
    """Each test ends as the app would: the dialog closed (its preview timer stopped)."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ReportDialog) and widget.isVisible():
            widget.reject()


def seed(services, vault: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Zoë's team: Dr Okafor with a release covering demographics only, and a housing worker
    with no release at all."""
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    ids = {r.first_name: r.id for r in session.clients.roster()}
    okafor = session.contacts.create(ContactFields(name="Dr Amara Okafor", role="Psychiatrist",
                                                   organisation="Riverside CMHC")).id
    harbor = session.contacts.create(ContactFields(name="Jonas Whitfield", role="Housing worker",
                                                   organisation="Harbor Housing Services")).id
    zoe = ids["Zoë"]
    session.contacts.add_member(zoe, okafor, MemberFields(role="Psychiatrist"))
    session.contacts.add_member(zoe, harbor, MemberFields(role="Housing worker"))
    session.consents.create(zoe, ReleaseFields(
        contact_id=okafor, information=(InfoType.DEMOGRAPHICS,), purposes=("Coordination of care",),
        signed_on=TODAY - timedelta(days=30), expires_on=TODAY + timedelta(days=300),
        disclosers="Waypoint case management", signature_kind=SignatureKind.PAD, signature_strokes=STROKES))
    session.close()
    ids.update(okafor=okafor, harbor=harbor)
    return ids


def open_report(gui: Gui, client_id: str | None, kind: str | None) -> ReportDialog:
    gui.controller.show_report(client_id, kind)
    dialog = next(d for d in gui.controller.dialogs if isinstance(d, ReportDialog))
    gui.qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    gui.qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def preview(gui: Gui, dialog: ReportDialog) -> None:
    """Press F5 and wait for the preview."""
    dialog.activateWindow()
    gui.qtbot.keyClick(dialog, Qt.Key.Key_F5)
    gui.qtbot.waitUntil(lambda: dialog.prepared is not None and not dialog._dirty, timeout=10000)


def click(gui: Gui, box: QAbstractButton) -> None:
    """Click a check box on its indicator (a wide box's middle is empty space)."""
    gui.qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The OS save dialog answers `path`; returns the names it suggested."""
    suggested: list[str] = []

    def answer(_parent, _title, proposed, _filter):  # type: ignore[no-untyped-def]
        suggested.append(proposed)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return suggested


def test_sections_change_the_preview_from_memory(gui: Gui, client_vault: Path, services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    kinds = [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())]
    assert {"summary", "notes", "caseload", "mileage"} <= set(kinds)
    assert dialog.client_name.text() == "Zoë Ødegård" and not dialog.client_combo.isVisible()
    assert unnamed(dialog) == []

    preview(gui, dialog)
    assert dialog.prepared is not None
    full = pdf_text(dialog.prepared.pdf)
    assert "Identity and contact" in full and "Care team" in full and "Ødegård" in full
    pages = len(PdfReader(io.BytesIO(dialog.prepared.pdf)).pages)
    assert dialog.preview.page_count() == pages
    assert dialog.preview.pages.text() == (f"{pages} pages" if pages > 1 else "1 page")
    assert "Identity and contact" in dialog.preview.text()  # what QtPdf shows is those bytes

    before = dialog.prepared
    click(gui, dialog.section_checks["identity"])
    click(gui, dialog.section_checks["team"])
    assert "Changes not in the preview yet" in dialog.state.text()
    # Rebuilt by itself shortly after the last change.
    gui.qtbot.waitUntil(lambda: dialog.prepared is not None and dialog.prepared is not before, timeout=5000)
    text = pdf_text(dialog.prepared.pdf)
    assert "Identity and contact" not in text and "Care team" not in text and "Latest scores" in text
    assert "Identity and contact" not in dialog.preview.text()
    assert dialog.prepared.default_name.startswith("waypoint-summary-")

    for box in dialog.section_checks.values():
        box.setChecked(False)
    dialog.refresh_preview()
    assert dialog.sections_error.isVisible() and "at least one section" in dialog.sections_error.text()
    assert dialog.prepared is None and dialog.preview.page_count() == 0
    assert list(tmp_path.rglob("*.pdf")) == []  # a preview writes nothing


def test_a_recipient_without_a_covering_release_gets_only_the_covered_sections(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    listed = [dialog.recipient.itemText(i) for i in range(dialog.recipient.count())]
    assert any("Dr Amara Okafor" in t and "release on file" in t for t in listed)
    assert any("Jonas Whitfield" in t and "no release" in t for t in listed)

    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ids["harbor"]))
    assert "No valid release" in dialog.check_text.text() and dialog.check_frame.isVisible()
    dialog.refresh_preview()
    assert dialog.prepared is None and dialog.banner.isVisible() and "nothing is left" in dialog.banner.label.text()

    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ids["okafor"]))
    check = dialog.check_text.text()
    assert "doesn't cover" in check and "Latest scores" in check and "Care team" in check
    assert "Identity and contact" not in check
    assert dialog.override.isVisible() and not dialog.reason.isVisible()
    preview(gui, dialog)
    assert dialog.prepared is not None and "identity" not in dialog.prepared.left_out
    assert {"scores", "team"} <= set(dialog.prepared.left_out)
    assert f"{len(dialog.prepared.left_out)} sections left out for want of consent" in dialog.state.text()

    out = tmp_path / "out" / "for-okafor.pdf"
    out.parent.mkdir()
    suggested = save_to(monkeypatch, out)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert out.is_file() and (out.stat().st_mode & 0o777) == 0o600
    assert Path(suggested[0]).name.startswith("waypoint-summary-") and "Ødegård" not in suggested[0]
    text = pdf_text(out.read_bytes())
    assert "Identity and contact" in text and "Prepared for Dr Amara Okafor" in text
    assert "Latest scores" not in text and "Care team" not in text
    assert "for-okafor.pdf" in dialog.banner.label.text() and "Ødegård" not in dialog.banner.label.text()
    assert "for-okafor.pdf" in gui.window.statusBar().currentMessage()

    [entry] = gui.controller.session.consents.disclosures(ids["Zoë"])
    assert entry.contact_id == ids["okafor"] and entry.method == "saved" and entry.consent_valid
    assert entry.sections == (InfoType.DEMOGRAPHICS,) and entry.purpose == "Coordination of care"


def test_a_part2_consent_covers_substance_use_and_adds_the_notice(
        gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    clinic = session.contacts.create(ContactFields(name="Marisol Vega", role="Counsellor",
                                                   organisation="Eastside Recovery Program")).id
    session.consents.create(ids["Zoë"], ReleaseFields(
        contact_id=clinic, information=(InfoType.DEMOGRAPHICS, InfoType.SUBSTANCE_USE), part2=True,
        recipient_name="Eastside Recovery Program", purposes=("Coordination of care",),
        signed_on=TODAY - timedelta(days=10), expires_on=TODAY + timedelta(days=300),
        disclosers="Waypoint case management", signature_kind=SignatureKind.PAD, signature_strokes=STROKES))
    session.close()
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")

    def pick() -> None:  # not on the team: picked from the directory
        chooser = QApplication.activeModalWidget()
        assert isinstance(chooser, ContactChoiceDialog)
        gui.qtbot.keyClicks(chooser.picker.search, "vega")
        gui.qtbot.mouseClick(chooser.ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, pick)
    dialog.activateWindow()
    dialog.recipient.setFocus()
    gui.qtbot.keyClick(dialog.recipient, Qt.Key.Key_End)  # "Someone else from the directory…"
    gui.qtbot.waitUntil(lambda: "Marisol Vega" in dialog.recipient.currentText())
    assert dialog.contact_id() == clinic
    for key, box in dialog.section_checks.items():
        box.setChecked(key in ("identity", "substance_use"))
    assert "covers every chosen section" in dialog.check_text.text()
    assert "re-disclosure notice will be added" in dialog.check_text.text()
    assert not dialog.override.isVisible()
    dialog.section_checks["substance_use"].setChecked(False)
    assert "re-disclosure notice" not in dialog.check_text.text()


def test_including_uncovered_sections_needs_a_written_reason(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    dialog.choose_recipient(ids["okafor"])
    preview(gui, dialog)
    click(gui, dialog.override)
    assert dialog.reason.isVisible() and dialog.purpose.isVisible()
    assert unnamed(dialog) == []
    out = tmp_path / "override.pdf"
    save_to(monkeypatch, out)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not out.exists() and dialog.reason_error.isVisible() and "Write why" in dialog.reason_error.text()

    type_text(dialog.reason, REASON)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert out.is_file()
    text = pdf_text(out.read_bytes())
    assert "Identity and contact" in text and "Latest scores" in text and "Care team" in text
    [entry] = gui.controller.session.consents.disclosures(ids["Zoë"])
    assert entry.overridden_reason == REASON and not entry.consent_valid
    assert InfoType.SCREENING_RESULTS in entry.sections


def test_sending_without_any_release_needs_a_reason_and_a_purpose(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    dialog.choose_recipient(ids["harbor"])
    click(gui, dialog.override)
    type_text(dialog.reason, REASON)
    assert "included anyway" in dialog.check_text.text()
    out = tmp_path / "housing.pdf"
    save_to(monkeypatch, out)
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not out.exists() and dialog.purpose_error.isVisible() and "purpose" in dialog.purpose_error.text()
    assert dialog.purpose.lineEdit().hasFocus()

    type_text(dialog.purpose.lineEdit(), "Housing application")
    gui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert out.is_file() and not dialog.purpose_error.isVisible()
    [entry] = gui.controller.session.consents.disclosures(ids["Zoë"])
    assert entry.purpose == "Housing application" and not entry.consent_valid and entry.overridden_reason == REASON


def test_save_with_password_makes_a_pdf_that_needs_it(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    preview(gui, dialog)
    out = tmp_path / "protected.pdf"
    save_to(monkeypatch, out)
    seen: list[str] = []

    def answer() -> None:
        asked = QApplication.activeModalWidget()
        assert isinstance(asked, PasswordDialog)
        asked.password.setText("short")
        asked.again.setText("short")
        gui.qtbot.mouseClick(asked.ok, Qt.MouseButton.LeftButton)
        seen.append(asked.error.text())
        asked.password.setText("lantern-rivers-42")
        asked.again.setText("lantern-rivers-4")
        gui.qtbot.mouseClick(asked.ok, Qt.MouseButton.LeftButton)
        seen.append(asked.error.text())
        asked.again.setText("lantern-rivers-42")
        gui.qtbot.mouseClick(asked.ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)
    gui.qtbot.mouseClick(dialog.password_button, Qt.MouseButton.LeftButton)
    assert "at least 8" in seen[0] and "differ" in seen[1]
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted and not reader.decrypt("wrong password")
    assert "Ødegård" in pdf_text(data, "lantern-rivers-42")
    assert "protected with the password" in dialog.banner.label.text()


def test_printing_renders_the_preview_and_records_the_disclosure(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    dialog.choose_recipient(ids["okafor"])
    preview(gui, dialog)
    printed = tmp_path / "printed.pdf"
    cancel = {"now": True}

    def run(self: QPrintDialog) -> int:
        if cancel["now"]:
            return QDialog.DialogCode.Rejected
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", run)
    gui.qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert not printed.exists() and gui.controller.session.consents.disclosures(ids["Zoë"]) == []

    cancel["now"] = False
    gui.qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed.is_file()
    assert len(PdfReader(printed).pages) == dialog.preview.page_count()
    [entry] = gui.controller.session.consents.disclosures(ids["Zoë"])
    assert entry.method == "printed" and entry.contact_id == ids["okafor"]
    assert entry.content_hash == dialog.prepared.sha256
    assert "Sent to the printer" in dialog.banner.label.text()


def test_the_caseload_report_shows_progress_and_can_be_stopped(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    active = len(gui.controller.session.clients.roster())
    dialog = open_report(gui, None, "caseload")
    assert not dialog.recipient_card.isVisible() and dialog.deidentify.isChecked() and dialog.start.isVisible()
    steps: list[tuple[int, int, bool]] = []

    def watch() -> None:
        if dialog.progress.isVisible():
            steps.append((dialog.progress.value(), dialog.progress.maximum(), dialog.save_button.isEnabled()))

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(0)
    preview(gui, dialog)
    timer.stop()
    assert steps and all(total == active and not enabled for _value, total, enabled in steps)
    assert not dialog.progress.isVisible() and dialog.save_button.isEnabled()  # gone once built
    assert "Ødegård" not in pdf_text(dialog.prepared.pdf)  # client codes only

    def stop() -> None:
        if dialog.stop_button.isVisible():
            gui.qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)

    timer.timeout.disconnect(watch)
    timer.timeout.connect(stop)
    timer.start(0)
    assert dialog.refresh_preview() is False
    timer.stop()
    assert dialog.prepared is None and dialog.preview.page_count() == 0
    assert dialog.preview.empty.title.text() == "Preview stopped" and dialog.scroll.isEnabled()


def test_without_a_client_the_dialog_asks_for_one(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    dialog = open_report(gui, None, "summary")
    assert dialog.client_combo.isVisible() and not dialog.client_name.isVisible()
    dialog.refresh_preview()
    assert dialog.client_error.isVisible() and dialog.prepared is None
    dialog.client_combo.setCurrentIndex(next(i for i in range(dialog.client_combo.count())
                                             if "Петрова" in dialog.client_combo.itemText(i)))
    preview(gui, dialog)
    assert "Петрова" in pdf_text(dialog.prepared.pdf) and not dialog.client_error.isVisible()


def test_locking_closes_the_dialog_and_forgets_the_preview(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    preview(gui, dialog)
    assert dialog.preview.page_count() > 0
    gui.controller.lock("manual")
    assert not dialog.isVisible() and dialog.prepared is None and dialog.preview.page_count() == 0
    assert dialog.preview.text() == ""


def test_locking_while_asking_for_a_password_closes_both(
        gui: Gui, client_vault: Path, services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "summary")
    preview(gui, dialog)
    out = tmp_path / "never.pdf"
    save_to(monkeypatch, out)
    asked: list[QDialog] = []

    def lock_now() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, PasswordDialog)
        asked.append(modal)
        modal.password.setText("lantern-rivers-42")
        gui.controller.lock("idle")

    QTimer.singleShot(0, lock_now)
    gui.qtbot.mouseClick(dialog.password_button, Qt.MouseButton.LeftButton)
    assert asked and not asked[0].isVisible() and not dialog.isVisible()
    assert not out.exists() and dialog.prepared is None


def test_close_for_lock_stops_without_asking(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    dialog = open_report(gui, ids["Zoë"], "notes")
    assert dialog.start.isVisible() and dialog.end.value() == TODAY
    preview(gui, dialog)
    dialog.close_for_lock()
    assert not dialog.isVisible() and dialog.prepared is None and dialog.refresh_preview() is False


def test_which_one_picks_an_older_care_plan_version(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    """Kinds that report on one record (a plan version, a transition, a referral) offer the
    client's records, newest first; picking an older one prints that one."""
    from app.services import demo
    from tests.conftest import PASSPHRASE

    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    demo.populate(session, 30, seed=4)
    client_id, versions = next((c.id, v) for c in session.clients.roster()
                               if len(v := session.care_plans.versions(c.id, include_draft=True)) >= 2)
    session.close()
    gui.unlock(client_vault)
    dialog = open_report(gui, client_id, "care-plan")
    assert dialog.subject_combo.isVisible() and dialog.subject_combo.count() == len(versions)
    assert dialog.subject_combo.currentData() == versions[0].id  # the newest first
    oldest = versions[-1]
    dialog.subject_combo.setCurrentIndex(dialog.subject_combo.count() - 1)
    preview(gui, dialog)
    assert f"Version {oldest.version} ·" in pdf_text(dialog.prepared.pdf)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("summary"))
    assert not dialog.subject_combo.isVisible()  # the summary is about the whole record
