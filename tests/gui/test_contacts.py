"""The Contacts page, driven like a user: Alt+3, Ctrl+N, a contact typed with the keyboard (a wrong
NPI caught next to its field, nothing typed lost), search, archive and delete with confirmation."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.models.contacts import ContactFields, ContactKind, MemberFields
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text, visible_texts
from tests.gui.test_accessibility import unnamed


def answer_next_question(gui: Gui, button_text: str) -> None:
    """Press `button_text` on the confirmation that is about to open."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        button = next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "") == button_text)
        button.click()

    QTimer.singleShot(0, press)


def test_add_a_contact_with_the_keyboard(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    page = workspace.contacts
    gui.key(Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    gui.qtbot.waitUntil(lambda: workspace.pages.currentWidget() is page)
    assert page.stack.currentWidget() is page.empty and page.search.hasFocus()
    assert workspace.nav.currentItem().text() == "Contacts"

    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N: a new contact on this page
    gui.qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible())
    editor = page.editor
    assert editor is not None
    gui.qtbot.waitUntil(editor.kind.hasFocus)
    gui.key(Qt.Key.Key_Tab)
    assert editor.lines["name"].hasFocus()
    type_text(editor.lines["name"], "Dr Zoë Ødegård")
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(editor.role.lineEdit(), "Psychiatrist")
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(editor.lines["organisation"], "Riverside Community Mental Health")
    gui.key(Qt.Key.Key_Tab)
    assert editor.lines["npi"].hasFocus()
    gui.qtbot.keyClicks(editor.lines["npi"], "1234567890")  # the last digit is wrong
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(editor.lines["phone"], "(555) 300-1200")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.isVisible()
    error = editor.who.errors["npi"]
    assert error.isVisible() and "check digit" in error.text()
    assert editor.lines["npi"].hasFocus()  # the field to fix has the focus
    assert editor.lines["name"].text() == "Dr Zoë Ødegård" and editor.lines["phone"].text() == "(555) 300-1200"

    editor.lines["npi"].selectAll()
    gui.qtbot.keyClicks(editor.lines["npi"], "1234567893")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: page.editor is None)
    contacts = gui.controller.session.contacts.directory()
    assert [(c.name, c.fields.npi, c.fields.role) for c in contacts] == [("Dr Zoë Ødegård", "1234567893", "Psychiatrist")]
    assert gui.controller.session.drafts.load("contact", "new") is None
    assert page.current is not None and page.current.id == contacts[0].id
    assert page.details.name.text() == "Dr Zoë Ødegård" and "Riverside" in page.details.summary.text()
    assert "1 contact" in page.count.text()

    gui.key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F searches the contacts here
    assert page.search.hasFocus() and workspace.pages.currentWidget() is page
    type_text(page.search, "odegard")
    assert page.model.rowCount() == 1
    page.search.clear()
    type_text(page.search, "nobody")
    assert page.stack.currentWidget() is page.no_match


def test_a_natural_support_needs_a_relationship_and_hides_in_discreet_mode(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("contacts")
    page = workspace.contacts
    page.new_contact()
    editor = page.editor
    assert editor is not None
    editor.kind.setCurrentIndex(editor.kind.findData(ContactKind.NATURAL_SUPPORT.value))
    assert not editor.lines["npi"].isVisible() and not editor.lines["organisation"].isVisible()
    assert editor.who.labels["role"].text().startswith("Relationship to the client")
    type_text(editor.lines["name"], "Rosa Quintero")
    editor.save()
    assert "related to the client" in editor.who.errors["role"].text()
    editor.role.setCurrentText("Sister")
    editor.save()
    gui.qtbot.waitUntil(lambda: page.editor is None)
    # Saved as a natural support: the list switches from providers to everyone to show her.
    assert page.current is not None and page.current.kind is ContactKind.NATURAL_SUPPORT
    assert page.kind.currentText() == "Everyone"
    workspace.set_discreet(True)
    assert "Rosa Quintero" not in visible_texts(page) and page.details.name.text() == "R.Q."


def test_archive_a_used_contact_delete_an_unused_one(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    client = session.clients.roster()[0]
    used = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing Services",
                                                 role="Supported housing"))
    unused = session.contacts.create(ContactFields(name="Dr Unused Person", role="GP"))
    session.contacts.add_member(client.id, used.id, MemberFields())
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("contacts")
    page = workspace.contacts
    assert page.model.rowCount() == 2
    page.table.selectRow(page.model.row_of(used.id))
    assert not page.delete_button.isVisible() and page.archive_button.isVisible()
    assert page.teams.count() == 1 and client.client_code in page.teams.item(0).text()

    answer_next_question(gui, "Archive")
    gui.qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert gui.controller.session.contacts.get(used.id).archived
    assert page.model.row_of(used.id) < 0 and "Show archived" in page.count.text()
    page.archived.setChecked(True)
    assert "(archived)" in page.model.data(page.model.index(page.model.row_of(used.id), 0))
    assert gui.controller.session.contacts.team(client.id)[0].contact.id == used.id  # still on the team

    page.table.selectRow(page.model.row_of(unused.id))
    assert page.delete_button.isVisible()
    answer_next_question(gui, "Cancel")
    gui.qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.model.row_of(unused.id) >= 0  # cancelled: nothing happened
    answer_next_question(gui, "Delete")
    gui.qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.model.row_of(unused.id) < 0
    assert {c.id for c in gui.controller.session.contacts.directory(include_archived=True)} == {used.id}

    page.table.selectRow(page.model.row_of(used.id))
    page.teams.setCurrentRow(0)
    page.teams.itemActivated.emit(page.teams.item(0))  # Enter on a care team opens the client's Team tab
    record = workspace.record
    assert workspace.pages.currentWidget() is record and record.tabs.currentWidget() is record.team_tab


def test_the_contacts_page_and_editor_name_every_control(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("contacts")
    assert unnamed(workspace) == []
    workspace.contacts.new_contact()
    assert unnamed(workspace.contacts.editor) == []
    workspace.contacts.editor.close_for_lock()


def test_lock_keeps_a_half_typed_contact(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.go("contacts")
    workspace.new_client()  # Ctrl+N's action on this page
    editor = workspace.contacts.editor
    assert editor is not None
    type_text(editor.lines["name"], "Harbor Housing Services")
    gui.controller.lock("manual")
    gui.qtbot.waitUntil(lambda: "Harbor Housing" not in visible_texts())
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    assert workspace.pages.currentWidget() is workspace.contacts  # back where we were
    workspace.contacts.new_contact()
    editor = workspace.contacts.editor
    assert editor is not None and editor.draft_banner.isVisible()
    gui.qtbot.mouseClick(editor.restore_button, Qt.MouseButton.LeftButton)
    assert editor.lines["name"].text() == "Harbor Housing Services"
