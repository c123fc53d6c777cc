"""The Releases tab, the release editor, revoking and ending a release, the care team's release
status and Today's "Releases expiring", driven like a user: a release recorded with the keyboard
and signed on the pad, a missing element named next to its field with the typing kept, a scanned
form attached there and then, a revocation confirmed, an expiring release opened from Today."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from app.models.consent import InfoType, ReleaseFields, ReleaseStatus, SignatureKind
from app.models.contacts import ContactFields, ContactKind, MemberFields
from app.ui.dialogs.release_editor import ReleaseEditorDialog
from app.ui.record.releases_tab import ReleasesTab
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text, visible_texts
from tests.gui.test_accessibility import unnamed
from tests.gui.test_contacts import answer_next_question
from tests.gui.test_notes import tab_to
from tests.gui.test_safety_plan import draw

TODAY = date(2026, 11, 26)


def us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def seed(services, vault: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A psychiatrist and a client's sister in the directory, both on Zoë's care team."""
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    ids = {
        "okafor": session.contacts.create(ContactFields(name="Dr Amara Okafor", role="Psychiatrist",
                                                        organisation="Riverside CMHC")).id,
        "rosa": session.contacts.create(ContactFields(ContactKind.NATURAL_SUPPORT, "Rosa Ødegård", role="Sister")).id,
    }
    ids.update({r.first_name: r.id for r in session.clients.roster()})
    for contact in ("okafor", "rosa"):
        session.contacts.add_member(ids["Zoë"], ids[contact], MemberFields())
    session.close()
    return ids


def signed_release(services, vault: Path, client_id: str, contact_id: str, **changes: object) -> str:  # type: ignore[no-untyped-def]
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    fields = dict(contact_id=contact_id, information=(InfoType.CARE_PLAN, InfoType.SAFETY_PLAN),
                  purposes=("Coordination of care",), signed_on=TODAY - timedelta(days=200),
                  expires_on=TODAY + timedelta(days=165), disclosers="This program",
                  signature_kind=SignatureKind.VERBAL, verbal_reason="Agreed by phone")
    fields.update(changes)
    release_id = session.consents.create(client_id, ReleaseFields(**fields)).id  # type: ignore[arg-type]
    session.close()
    return release_id


def open_releases(gui: Gui, client_id: str) -> ReleasesTab:
    workspace = gui.controller.workspace
    workspace.open_record_tab(client_id, "releases")
    tab = workspace.record.releases_tab
    gui.qtbot.waitUntil(tab.isVisible)
    return tab


def wait_editor(gui: Gui, tab: ReleasesTab) -> ReleaseEditorDialog:
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    assert tab.editor is not None
    return tab.editor


def test_record_a_release_with_the_keyboard_signed_on_the_pad(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Zoë"])
    assert tab.release_stack.currentWidget() is tab.release_empty
    assert "signed permission" in tab.release_empty.text.text()
    assert tab.disclosure_stack.currentWidget() is tab.disclosure_empty
    assert unnamed(tab) == []

    gui.controller.workspace.record.tabs.tabBar().setFocus()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # on the Releases tab: a release, not a client
    editor = wait_editor(gui, tab)
    assert gui.controller.workspace.editor is None
    assert unnamed(editor) == []
    qtbot = gui.qtbot
    qtbot.waitUntil(editor.picker.search.hasFocus)
    qtbot.keyClicks(editor.picker.search, "okafor")
    gui.key(Qt.Key.Key_Down)
    assert editor.picker.contact_id() == ids["okafor"]
    gui.key(Qt.Key.Key_Tab)
    assert editor.disclosers.hasFocus()
    qtbot.keyClicks(editor.disclosers, "Waypoint case management")
    gui.key(Qt.Key.Key_Tab)
    gui.key(Qt.Key.Key_Tab)  # past "signed for the client by": the client signs
    assert editor.info_checks[InfoType.DEMOGRAPHICS].hasFocus()
    gui.key(Qt.Key.Key_Space)
    gui.key(Qt.Key.Key_Tab)
    gui.key(Qt.Key.Key_Space)  # screening results
    assert [i for i, box in editor.info_checks.items() if box.isChecked()] == [InfoType.DEMOGRAPHICS,
                                                                                InfoType.SCREENING_RESULTS]
    tab_to(gui, editor.detail)
    type_text(editor.detail, "PHQ-9 scores since March")
    tab_to(gui, editor.purpose_checks[0])
    gui.key(Qt.Key.Key_Space)  # coordination of care
    tab_to(gui, editor.other_purposes.edits[0])
    type_text(editor.other_purposes.edits[0], "Bewerbung für betreutes Wohnen")
    tab_to(gui, editor.expires_on.edit)
    qtbot.keyClicks(editor.expires_on.edit, us(TODAY + timedelta(days=365)))
    assert editor.signed_on.value() == TODAY  # signed today unless changed
    # The statements the client reads follow what was chosen.
    statements = editor.statements.text()
    assert "revoke this release at any time" in statements and "in writing" in statements
    assert "does not depend on signing" in statements and "Dr Amara Okafor" in statements
    assert "November 26, 2027" in statements and "42 CFR part 2" not in statements
    assert editor.signature_buttons[SignatureKind.PAD].isChecked()
    draw(qtbot, editor.pad, [(40, 80), (90, 50), (140, 95), (200, 60)])
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.editor is None)

    [release] = gui.controller.session.consents.for_client(ids["Zoë"])
    f = release.fields
    assert f.contact_id == ids["okafor"] and f.information == (InfoType.DEMOGRAPHICS, InfoType.SCREENING_RESULTS)
    assert f.purposes == ("Coordination of care", "Bewerbung für betreutes Wohnen")
    assert f.signed_on == TODAY and f.expires_on == TODAY + timedelta(days=365) and not f.part2
    assert f.signature_kind is SignatureKind.PAD and json.loads(f.signature_strokes)["strokes"]
    assert f.information_detail == "PHQ-9 scores since March" and f.disclosers == "Waypoint case management"
    # Listed with its status in words; the details show every element and the signature.
    assert tab.release_model.rowCount() == 1
    row = [tab.release_model.item(0, c).text() for c in range(6)]
    assert row[0] == "Dr Amara Okafor" and row[1] == "Demographics, Screening results"
    assert row[2] == "Coordination of care; Bewerbung für betreutes Wohnen" and row[5] == "✓ Valid"
    assert tab.detail_stack.currentWidget() is tab.release_page
    assert tab.status_badge.text().startswith("✓ Valid until") and not tab.part2_badge.isVisible()
    details = visible_texts(tab.release_page)
    assert "PHQ-9 scores since March" in details and "Signed on the pad" in details
    assert tab.signature_view.isVisible() and not tab.signature_view.is_empty
    assert tab.revoke_button.isVisible() and not tab.event_button.isVisible()
    # The care team shows who is covered, in words.
    team = gui.controller.workspace.record.team_tab
    gui.controller.workspace.record.navigate("team")
    gui.qtbot.waitUntil(team.isVisible)
    statuses = {team.team_model.item(r, 0).text(): team.team_model.item(r, 2).text()
                for r in range(team.team_model.rowCount())}
    assert statuses == {"Dr Amara Okafor": "✓ Valid", "Rosa Ødegård": "– No release"}


def test_a_missing_element_is_named_next_to_its_field_and_the_typing_is_kept(gui: Gui, client_vault: Path,
                                                                              services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Ольга"])
    gui.qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = wait_editor(gui, tab)
    editor.picker.select(ids["okafor"])
    type_text(editor.disclosers, "Программа поддержки")
    editor.info_checks[InfoType.SUBSTANCE_USE].setChecked(True)
    assert editor.part2.isChecked() and editor.recipient_name.isVisible()  # substance use: a Part 2 consent
    assert "42 CFR part 2 prohibits unauthorized disclosure" in editor.statements.text()
    type_text(editor.detail, "Посещения программы и план лечения")
    type_text(editor.other_purposes.edits[0], "Координация помощи")
    editor.signature_buttons[SignatureKind.VERBAL].setChecked(True)
    assert editor.verbal_reason.isVisible() and not editor.pad.isVisible()
    type_text(editor.verbal_reason, "По телефону")
    editor.activateWindow()
    gui.qtbot.waitUntil(editor.isActiveWindow)
    gui.qtbot.keyClick(editor.verbal_reason, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert editor.isVisible() and gui.controller.session.consents.for_client(ids["Ольга"]) == []
    assert "names the recipient" in editor.part2_grid.errors["recipient_name"].text()
    assert "expiry date or the event" in editor.when_grid.errors["expires_on"].text()
    assert editor.error_banner.isVisible() and "Everything you typed is kept" in editor.error_banner.label.text()
    assert editor.recipient_name.hasFocus()  # the first field named takes the focus
    assert editor.disclosers.text() == "Программа поддержки"
    assert editor.other_purposes.lines()[0] == "Координация помощи"
    assert editor.detail.toPlainText() == "Посещения программы и план лечения"
    assert editor.verbal_reason.text() == "По телефону"

    type_text(editor.recipient_name, "Riverside CMHC addiction service")
    type_text(editor.expiry_event, "Конец лечения")
    editor.save()
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    [release] = gui.controller.session.consents.for_client(ids["Ольга"])
    assert release.fields.part2 and release.fields.recipient_name == "Riverside CMHC addiction service"
    assert release.fields.signature_kind is SignatureKind.VERBAL and release.fields.expiry_event == "Конец лечения"
    assert tab.release_model.item(0, 1).text() == "Part 2 · Substance-use treatment records (42 CFR Part 2)"
    assert tab.release_model.item(0, 4).text() == "When: Конец лечения"
    assert tab.part2_badge.isVisible() and tab.event_button.isVisible()

    # The event that ends it happens: recorded with its date, the release is expired from then.
    gui.qtbot.mouseClick(tab.event_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.event_dialog is not None and tab.event_dialog.isVisible())
    dialog = tab.event_dialog
    assert dialog is not None and "Конец лечения" in visible_texts(dialog)
    dialog.on.edit.clear()
    gui.qtbot.keyClicks(dialog.on.edit, us(TODAY + timedelta(days=2)))
    gui.qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert "future" in dialog.grid.errors["event_occurred_on"].text() and dialog.isVisible()
    dialog.on.edit.clear()
    gui.qtbot.keyClicks(dialog.on.edit, us(TODAY))
    gui.qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.event_dialog is None)
    assert tab.release_model.item(0, 5).text() == "⚠ Expired Nov 26, 2026"
    assert not tab.event_button.isVisible()


def test_a_scanned_form_attached_there_and_then(gui: Gui, client_vault: Path, services, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    scan = tmp_path / "release-signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(scan), ""))
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Nguyễn Thị"])
    tab.new_release()
    editor = wait_editor(gui, tab)
    editor.picker.select(ids["okafor"])
    type_text(editor.disclosers, "This program")
    editor.info_checks[InfoType.CARE_PLAN].setChecked(True)
    editor.purpose_checks[0].setChecked(True)
    gui.qtbot.keyClicks(editor.expires_on.edit, us(TODAY + timedelta(days=90)))
    editor.signature_buttons[SignatureKind.SCANNED].setChecked(True)
    assert editor.scan_row.isVisible() and not editor.pad.isVisible()
    editor.save()  # no form chosen yet
    assert "Attach the scanned signed form" in editor.scan_grid.errors["attachment_id"].text()
    gui.qtbot.mouseClick(editor.attach_button, Qt.MouseButton.LeftButton)
    [attachment] = gui.controller.session.attachments.for_client(ids["Nguyễn Thị"])
    assert attachment.title == "Signed release of information" and editor.scan.currentData() == attachment.id
    editor.save()
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    [release] = gui.controller.session.consents.for_client(ids["Nguyễn Thị"])
    assert release.fields.signature_kind is SignatureKind.SCANNED and release.fields.attachment_id == attachment.id
    assert "Scanned signed form: Signed release of information" in visible_texts(tab.release_page)
    assert tab.scan_link.isVisible() and not tab.signature_view.isVisible()
    gui.qtbot.mouseClick(tab.scan_link, Qt.MouseButton.LeftButton)  # to the form itself, in Documents
    record = gui.controller.workspace.record
    assert record.tabs.currentWidget() is record.documents_tab


def test_revoke_with_confirmation_shows_revoked_here_and_on_the_team(gui: Gui, client_vault: Path,
                                                                     services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    release_id = signed_release(services, client_vault, ids["Zoë"], ids["okafor"])
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Zoë"])
    assert tab.release_model.item(0, 5).text() == "✓ Valid"
    tab.release_table.setFocus()
    tab.release_table.selectRow(0)
    gui.key(Qt.Key.Key_Return)  # Enter on a release: revoke it
    gui.qtbot.waitUntil(lambda: tab.revoke_dialog is not None and tab.revoke_dialog.isVisible())
    dialog = tab.revoke_dialog
    assert dialog is not None and unnamed(dialog) == []
    assert dialog.on.value() == TODAY
    gui.qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)  # how is missing
    assert "Say how the client revoked" in dialog.grid.errors["revoked_how"].text()
    type_text(dialog.how, "En una carta del 20 de noviembre")
    answer_next_question(gui, "Cancel")  # thought better of it: nothing changes
    gui.qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and gui.controller.session.consents.get(release_id).revoked_on is None
    answer_next_question(gui, "Revoke")
    gui.qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.revoke_dialog is None)

    release = gui.controller.session.consents.get(release_id)
    assert release.revoked_on == TODAY and release.revoked_how == "En una carta del 20 de noviembre"
    assert release.status(TODAY) is ReleaseStatus.REVOKED
    assert tab.release_model.item(0, 5).text() == "✗ Revoked Nov 26, 2026"
    assert tab.status_badge.text() == "✗ Revoked Nov 26, 2026" and not tab.revoke_button.isVisible()
    assert "En una carta del 20 de noviembre" in visible_texts(tab.release_page)
    gui.key(Qt.Key.Key_Return)  # revoked already: nothing opens
    assert tab.revoke_dialog is None
    record = gui.controller.workspace.record
    record.navigate("team")
    gui.qtbot.waitUntil(record.team_tab.isVisible)
    team = record.team_tab
    row = next(r for r in range(team.team_model.rowCount()) if team.team_model.item(r, 0).text() == "Dr Amara Okafor")
    assert team.team_model.item(row, 2).text() == "✗ Revoked"
    team.team_table.selectRow(row)
    assert "✗ Revoked" in visible_texts(team.member_page)


def test_today_lists_an_expiring_release_and_enter_opens_the_releases_tab(gui: Gui, client_vault: Path,
                                                                           services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    signed_release(services, client_vault, ids["Ольга"], ids["okafor"], expires_on=TODAY + timedelta(days=12))
    signed_release(services, client_vault, ids["Zoë"], ids["rosa"], expires_on=TODAY + timedelta(days=3))
    signed_release(services, client_vault, ids["Zoë"], ids["okafor"], expires_on=TODAY + timedelta(days=45))
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    today_page = workspace.today
    gui.qtbot.waitUntil(today_page.expiring_card.isVisible)
    texts = [today_page.expiring.item(i).text() for i in range(today_page.expiring.count())]
    assert today_page.expiring_title.text() == "2 releases of information expiring within 30 days"
    assert texts[0].startswith("Nov 29, 2026 (in 3 days)") and "Ødegård" in texts[0] and "Rosa Ødegård" in texts[0]
    assert texts[1].startswith("Dec 8, 2026 (in 12 days)") and "Петрова" in texts[1]
    assert "Dr Amara Okafor (Riverside CMHC)" in texts[1]

    # Discreet mode: initials and code; a person's name goes, an organisation stays.
    workspace.set_discreet(True)
    texts = [today_page.expiring.item(i).text() for i in range(today_page.expiring.count())]
    rows = {r.id: r for r in gui.controller.session.clients.roster()}
    assert "Ødegård" not in texts[0] and rows[ids["Zoë"]].client_code in texts[0] and "recipient hidden" in texts[0]
    assert "Петрова" not in texts[1] and "Okafor" not in texts[1] and "Riverside CMHC" in texts[1]
    workspace.set_discreet(False)

    today_page.expiring.setFocus()
    today_page.expiring.setCurrentRow(1)
    gui.key(Qt.Key.Key_Return)
    record = workspace.record
    gui.qtbot.waitUntil(lambda: workspace.pages.currentWidget() is record)
    assert record.client().id == ids["Ольга"] and record.tabs.currentWidget() is record.releases_tab
    gui.qtbot.waitUntil(lambda: record.releases_tab.release_model.rowCount() == 1)


def test_a_release_being_typed_survives_a_lock(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Zoë"])
    tab.new_release()
    editor = wait_editor(gui, tab)
    editor.picker.select(ids["okafor"])
    type_text(editor.disclosers, "Équipe de soutien")
    editor.info_checks[InfoType.CARE_PLAN].setChecked(True)
    gui.controller.lock()  # as the idle timer or Ctrl+L does, the form open
    assert gui.controller.session is None and not editor.isVisible()
    gui.qtbot.waitUntil(lambda: "Équipe de soutien" not in visible_texts() and "Dr Amara Okafor" not in visible_texts())
    gui.unlock(client_vault)
    tab = open_releases(gui, ids["Zoë"])
    tab.new_release()
    editor = wait_editor(gui, tab)
    assert editor.draft_banner.isVisible()
    gui.qtbot.mouseClick(editor.restore_button, Qt.MouseButton.LeftButton)
    assert editor.disclosers.text() == "Équipe de soutien" and editor.picker.contact_id() == ids["okafor"]
    assert editor.info_checks[InfoType.CARE_PLAN].isChecked()
    QApplication.processEvents()
    editor.close_for_lock()
