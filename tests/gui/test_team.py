"""The Team & referrals tab and the Today cards, driven like a user: a contact put on the team with
the keyboard, a quiet member flagged and brought back in touch, a referral written and moved
through its statuses (only allowed steps offered), overdue referrals and quiet members on Today."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.models.contacts import ContactFields, ContactKind, MemberFields, Release
from app.models.screening import Urgency
from app.models.service_referral import ReferralStatus, ServiceReferralFields
from app.ui.record.team_tab import TeamTab
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, type_text, visible_texts
from tests.gui.test_accessibility import unnamed

TODAY = date(2026, 11, 26)
S = ReferralStatus


def seed(services, vault: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A psychiatrist, a housing agency and a client's sister in the directory."""
    session = services.vaults.unlock(vault, passphrase=PASSPHRASE)
    ids = {
        "okafor": session.contacts.create(ContactFields(name="Dr Amara Okafor", role="Psychiatrist",
                                                        organisation="Riverside CMHC", phone="(555) 300-1200")).id,
        "harbor": session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing Services",
                                                        role="Supported housing")).id,
        "rosa": session.contacts.create(ContactFields(ContactKind.NATURAL_SUPPORT, "Rosa Ødegård", role="Sister")).id,
    }
    ids.update({r.first_name: r.id for r in session.clients.roster()})
    session.close()
    return ids


def open_team(gui: Gui, client_id: str) -> TeamTab:
    workspace = gui.controller.workspace
    workspace.open_team(client_id)
    tab = workspace.record.team_tab
    gui.qtbot.waitUntil(tab.isVisible)
    return tab


def test_put_a_contact_on_the_team_with_the_keyboard(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    assert tab.team_stack.currentWidget() is tab.team_empty
    assert tab.referral_stack.currentWidget() is tab.referral_empty

    tab.team_table.setFocus()
    gui.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N on this tab: a team member
    gui.qtbot.waitUntil(lambda: tab.member_dialog is not None and tab.member_dialog.isVisible())
    dialog = tab.member_dialog
    assert dialog is not None and dialog.picker is not None
    gui.qtbot.waitUntil(dialog.picker.search.hasFocus)
    listed = [dialog.picker.list.item(i).text() for i in range(dialog.picker.list.count())]
    assert len(listed) == 2 and not any("Rosa" in t for t in listed)  # family shows once a name is typed
    assert dialog.picker.supports_hint.isVisible()
    gui.qtbot.keyClicks(dialog.picker.search, "okafor")
    assert dialog.picker.list.count() == 1 and dialog.picker.contact_id() == ids["okafor"]
    gui.key(Qt.Key.Key_Down)
    assert dialog.picker.list.hasFocus()
    gui.key(Qt.Key.Key_Tab)
    assert dialog.role.hasFocus() and dialog.role.placeholderText() == "Psychiatrist"
    gui.qtbot.keyClicks(dialog.role, "Prescriber")
    gui.key(Qt.Key.Key_Tab)
    assert dialog.release.hasFocus()
    gui.key(Qt.Key.Key_Down)  # Not checked yet → Yes, on file
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(dialog.last_contact.edit, (TODAY - timedelta(days=40)).strftime("%m/%d/%Y"))
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.member_dialog is None)

    members = gui.controller.session.contacts.team(ids["Zoë"])
    assert [(m.contact.id, m.role, m.fields.release) for m in members] == [(ids["okafor"], "Prescriber", Release.YES)]
    assert tab.team_model.rowCount() == 1 and tab.team_model.item(0, 0).text() == "Dr Amara Okafor"
    assert tab.team_model.item(0, 2).text() == "– On file, not recorded"  # marked by hand, no release recorded
    # 40 days without contact: flagged in words and with a mark, not by colour alone.
    assert tab.team_model.item(0, 3).text() == "⚠ 40 days ago"
    assert tab.quiet_banner.isVisible() and "Dr Amara Okafor (40 days)" in tab.quiet_banner.label.text()
    assert tab.selected_member() is not None and tab.detail_stack.currentWidget() is tab.member_page
    gui.qtbot.mouseClick(tab.touch_button, Qt.MouseButton.LeftButton)
    assert not tab.quiet_banner.isVisible() and tab.team_model.item(0, 3).text() == "Today"

    # Family appear when their name is typed; someone already on the team is not offered again.
    tab.add_member()
    dialog = tab.member_dialog
    assert dialog is not None and dialog.picker is not None
    type_text(dialog.picker.search, "ødegård")
    assert dialog.picker.contact_id() == ids["rosa"] and not dialog.picker.supports_hint.isVisible()
    dialog.picker.search.clear()
    type_text(dialog.picker.search, "okafor")
    assert dialog.picker.list.count() == 0
    dialog.save()
    assert "Choose someone" in dialog.grid.errors["contact"].text()
    dialog.reject()


def test_a_bad_date_keeps_the_dialog_open_with_everything_typed(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Ольга"])
    tab.add_member()
    dialog = tab.member_dialog
    assert dialog is not None and dialog.picker is not None
    dialog.picker.select(ids["harbor"])
    type_text(dialog.role, "Жильё")
    gui.qtbot.keyClicks(dialog.last_contact.edit, (TODAY + timedelta(days=3)).strftime("%m/%d/%Y"))
    dialog.save()
    assert dialog.isVisible() and "future" in dialog.grid.errors["last_contact_on"].text()
    assert dialog.role.text() == "Жильё"
    dialog.last_contact.edit.clear()
    dialog.save()
    gui.qtbot.waitUntil(lambda: tab.member_dialog is None)
    assert tab.team_model.item(0, 3).text() == "None recorded"


def test_make_a_referral_and_move_it_through_its_statuses(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    gui.qtbot.mouseClick(tab.refer_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.referral_dialog is not None and tab.referral_dialog.isVisible())
    dialog = tab.referral_dialog
    assert dialog is not None
    assert not dialog.intervention.isVisible()  # no care-plan interventions to link yet
    gui.qtbot.waitUntil(dialog.picker.search.hasFocus)
    gui.qtbot.keyClicks(dialog.picker.search, "harbor")
    gui.key(Qt.Key.Key_Down)
    gui.key(Qt.Key.Key_Tab)
    assert dialog.service.hasFocus()
    gui.qtbot.keyClicks(dialog.service.lineEdit(), "Supported housing")
    gui.key(Qt.Key.Key_Tab)
    gui.key(Qt.Key.Key_Down)  # Routine → Urgent
    gui.key(Qt.Key.Key_Tab)
    type_text(dialog.reason, "Dos meses de alquiler atrasados; aviso de desalojo")
    gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saved as a draft
    gui.qtbot.waitUntil(lambda: tab.referral_dialog is None)
    referral = gui.controller.session.service_referrals.for_client(ids["Zoë"])[0]
    assert referral.status is S.DRAFT and referral.fields.urgency is Urgency.URGENT
    assert referral.fields.reason.startswith("Dos meses")
    assert tab.referral_model.item(0, 2).text() == "Draft"
    gui.window.activateWindow()  # what a window manager does when a dialog closes
    gui.qtbot.waitUntil(tab.referral_table.hasFocus)  # back on the list, on the referral just written

    def step(to: S, *, keys: int = 0, note: str = "", appointment: str = "") -> None:
        """Enter opens the status dialog on the selected referral; Down picks the option."""
        gui.key(Qt.Key.Key_Return)
        gui.qtbot.waitUntil(lambda: tab.status_dialog is not None and tab.status_dialog.isVisible())
        status_dialog = tab.status_dialog
        assert status_dialog is not None
        current = gui.controller.session.service_referrals.get(referral.id).status
        assert list(status_dialog.buttons) == list(current.next)  # only allowed steps are offered
        gui.qtbot.waitUntil(lambda: status_dialog.buttons[current.next[0]].hasFocus())
        for _ in range(keys):
            gui.key(Qt.Key.Key_Down)
        assert status_dialog.chosen() is to
        if appointment:
            assert status_dialog.appointment.isVisible()
            gui.qtbot.keyClicks(status_dialog.appointment.edit, appointment)
        if note:
            type_text(status_dialog.note, note)
        gui.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        gui.qtbot.waitUntil(lambda: tab.status_dialog is None)
        assert gui.controller.session.service_referrals.get(referral.id).status is to

    assert tab.selected_referral() is not None and tab.selected_referral().id == referral.id  # type: ignore[union-attr]
    step(S.SENT, note="Faxed with the consent form")
    assert tab.referral_model.item(0, 2).text().startswith("Sent")
    assert tab.referral_model.item(0, 3).text() != "—"  # a due date came from the urgency
    step(S.SCHEDULED, keys=1, appointment=(TODAY + timedelta(days=9)).strftime("%m/%d/%Y"))
    assert "Scheduled" in tab.referral_model.item(0, 2).text()
    step(S.COMPLETED, note="Se mudó a un estudio")

    done = gui.controller.session.service_referrals.get(referral.id)
    assert done.fields.outcome == "Se mudó a un estudio" and done.appointment_on == TODAY + timedelta(days=9)
    assert not tab.status_button.isVisible() and not tab.edit_referral_button.isVisible()
    history = [tab.history_list.item(i).text() for i in range(tab.history_list.count())]
    assert history[0].endswith("Completed\nSe mudó a un estudio") and "Faxed with the consent form" in history[2]
    assert len(history) == 4
    gui.key(Qt.Key.Key_Return)  # a completed referral has no next status: nothing opens
    assert tab.status_dialog is None
    assert "0 open · 1 in all" == tab.referral_count.text()


def test_a_bad_referral_keeps_everything_typed(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    tab.new_referral()
    dialog = tab.referral_dialog
    assert dialog is not None
    type_text(dialog.reason, "Necesita vivienda")
    gui.qtbot.keyClicks(dialog.due.edit, "13/45/2026")
    gui.qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.grid.errors["due_on"].isVisible()
    dialog.due.edit.clear()
    gui.qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert "Choose who the referral is to" in dialog.grid.errors["contact_id"].text()
    assert "Name the service" in dialog.grid.errors["service"].text()
    assert dialog.reason.toPlainText() == "Necesita vivienda"
    dialog.picker.select(ids["harbor"])
    dialog.service.setCurrentText("Supported housing")
    gui.qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: tab.referral_dialog is None)
    sent = gui.controller.session.service_referrals.for_client(ids["Zoë"])[0]
    assert sent.status is S.SENT and sent.sent_on == TODAY and sent.fields.due_on == TODAY + timedelta(days=14)


def test_lock_keeps_a_half_written_referral(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    tab.new_referral()
    dialog = tab.referral_dialog
    assert dialog is not None
    type_text(dialog.reason, "Vivienda con apoyo, urgente")
    gui.controller.lock("manual")
    gui.qtbot.waitUntil(lambda: "Vivienda con apoyo" not in visible_texts())
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    tab.new_referral()
    dialog = tab.referral_dialog
    assert dialog is not None and dialog.draft_banner.isVisible()
    dialog.draft_banner.buttons.itemAt(0).widget().click()  # Restore them
    assert dialog.reason.toPlainText() == "Vivienda con apoyo, urgente"


def test_today_lists_overdue_referrals_and_quiet_members(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    late = session.service_referrals.create(
        ids["Zoë"], ServiceReferralFields(ids["harbor"], "Supported housing", "Rent arrears"),
        send_on=TODAY - timedelta(days=20))  # due after 14 days: 6 days overdue
    session.service_referrals.create(ids["Ольга"], ServiceReferralFields(ids["harbor"], "Food assistance", "Food"),
                                     send_on=TODAY)  # not due yet
    session.contacts.add_member(ids["Ольга"], ids["rosa"], MemberFields(last_contact_on=TODAY - timedelta(days=45)))
    session.contacts.add_member(ids["Zoë"], ids["okafor"], MemberFields(last_contact_on=TODAY - timedelta(days=3)))
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    today = workspace.today
    # The follow-up lists fill just after Today is shown.
    gui.qtbot.waitUntil(lambda: today.overdue_card.isVisible() and today.quiet_card.isVisible())
    assert today.overdue_title.text() == "1 referral overdue" and today.overdue.count() == 1
    assert today.overdue.item(0).text().startswith("⚠ 6 days overdue — Ødegård, Zoë")
    assert "Supported housing (Harbor Housing Services)" in today.overdue.item(0).text()
    assert today.quiet_title.text() == "1 care-team member not in touch for 30+ days"
    assert "Rosa Ødegård (Sister)" in today.quiet.item(0).text() and "45 days" in today.quiet.item(0).text()

    workspace.set_discreet(True)  # no client's name, and no relative's name either
    texts = today.overdue.item(0).text() + today.quiet.item(0).text()
    assert "Zoë" not in texts and "Rosa" not in texts and "Ødegård" not in texts and "Sister" in texts

    workspace.apply_settings(replace(gui.services.settings, care_team_quiet_days=60))
    workspace.go("today")
    gui.qtbot.waitUntil(lambda: not today.quiet_card.isVisible())  # the follow-up lists fill just after

    today.overdue.itemActivated.emit(today.overdue.item(0))
    record = workspace.record
    assert record.client().id == ids["Zoë"] and record.tabs.currentWidget() is record.team_tab
    tab = record.team_tab
    assert tab.referral_model.item(0, 3).text() == "⚠ 6 days overdue"
    tab.referral_table.selectRow(0)
    tab._select("referral", tab.referral_model.index(0, 0))
    assert tab.overdue_banner.isVisible() and "Overdue by 6 days" in tab.overdue_banner.label.text()
    assert late.id == tab.selected_referral().id  # type: ignore[union-attr]


def test_the_setting_is_kept_and_offered(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    gui.controller.show_settings()
    dialog = gui.controller.dialogs[-1]
    dialog.show_page(dialog.care)
    assert dialog.care.quiet_days.value() == 30
    dialog.care.quiet_days.setValue(45)
    dialog.save()
    assert gui.services.settings.care_team_quiet_days == 45
    assert gui.services.settings_store.load().care_team_quiet_days == 45


def test_the_tab_and_its_dialogs_name_every_control(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    workspace = gui.controller.workspace
    assert unnamed(workspace) == []
    tab.add_member()
    assert unnamed(tab.member_dialog) == []
    tab.member_dialog.reject()  # type: ignore[union-attr]
    tab.new_referral()
    assert unnamed(tab.referral_dialog) == []
    tab.referral_dialog.close_for_lock()  # type: ignore[union-attr]
    gui.controller.session.service_referrals.create(
        ids["Zoë"], ServiceReferralFields(ids["harbor"], "Supported housing", "Rent arrears"))
    tab.refresh()
    tab.referral_table.setFocus()
    tab.referral_table.selectRow(0)
    tab.update_status()
    assert unnamed(tab.status_dialog) == []
    tab.status_dialog.reject()  # type: ignore[union-attr]


def test_a_read_only_vault_shows_the_team_but_offers_no_changes(
    gui: Gui, client_vault: Path, services, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from app.store.db import IntegrityCheck

    ids = seed(services, client_vault)
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    session.contacts.add_member(ids["Zoë"], ids["okafor"], MemberFields())
    session.close()
    gui.unlock(client_vault)
    monkeypatch.setattr(gui.controller.session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    tab = open_team(gui, ids["Zoë"])
    tab.refresh()
    tab.team_table.selectRow(0)
    tab._select("member", tab.team_model.index(0, 0))
    assert "Dr Amara Okafor" in visible_texts(tab)
    for button in (tab.add_button, tab.refer_button, tab.touch_button, tab.edit_member_button, tab.remove_button):
        assert not button.isVisible()
    tab.add_member()
    assert tab.member_dialog is None
    workspace = gui.controller.workspace
    workspace.go("contacts")
    assert not workspace.contacts.new_button.isVisible() and not workspace.contacts.edit_button.isVisible()


def test_esc_asks_only_when_something_typed_would_be_lost(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.test_contacts import answer_next_question

    ids = seed(services, client_vault)
    gui.unlock(client_vault)
    tab = open_team(gui, ids["Zoë"])
    tab.add_member()
    dialog = tab.member_dialog
    assert dialog is not None
    gui.qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes at once
    gui.qtbot.waitUntil(lambda: tab.member_dialog is None)
    tab.add_member()
    dialog = tab.member_dialog
    assert dialog is not None
    type_text(dialog.role, "Prescriber")
    answer_next_question(gui, "Cancel")
    gui.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert tab.member_dialog is dialog and dialog.role.text() == "Prescriber"
    answer_next_question(gui, "Discard")
    gui.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: tab.member_dialog is None)
    assert gui.controller.session.contacts.team(ids["Zoë"]) == []
