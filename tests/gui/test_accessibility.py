"""Every focusable control on the pages and dialogs built so far has a name a screen reader can say."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QWidget

from tests.gui.conftest import Gui


def _ancestors(widget: QWidget) -> list[QWidget]:
    found = []
    parent = widget.parentWidget()
    while parent is not None:
        found.append(parent)
        parent = parent.parentWidget()
    return found


def unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QAbstractScrollArea) and widget.viewport() is not None and not widget.accessibleName():
            if type(widget).__name__ in ("QScrollArea",):
                continue  # a scroll container, not a control
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        if not name.strip():
            parent = widget.parent()
            named_parent = isinstance(parent, QWidget) and bool(parent.accessibleName())
            if named_parent and (parent.focusProxy() is widget or widget.objectName().startswith("qt_")):
                continue  # Qt's own inner part of a named control (a spin box's text field)
            owner = next((w for w in _ancestors(widget) if type(w).__module__.startswith("app.") and type(w).__name__ != "Banner"), None)
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(owner or widget.window()).__name__}")
    return missing


def test_every_focusable_control_is_named(gui: Gui, client_vault: Path) -> None:
    gui.controller.start(None)
    assert unnamed(gui.controller.welcome) == []
    gui.controller.show_create()
    assert unnamed(gui.controller.create_page) == []
    gui.controller.show_unlock(client_vault)
    assert unnamed(gui.controller.unlock_page) == []
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    for page in ("today", "clients", "contacts", "calendar", "caseload"):
        workspace.go(page)
        assert unnamed(workspace) == [], page
    for view in ("month", "week", "agenda"):
        workspace.calendar.set_view(view)
        assert unnamed(workspace) == [], view
    workspace.open_client(workspace.clients.model.row_at(0).id)
    assert unnamed(workspace) == []
    workspace.edit_client()
    assert unnamed(workspace.editor) == []
    workspace.editor.close_for_lock()
    client_id = workspace.clients.model.row_at(0).id
    for show in (gui.controller.show_settings, gui.controller.show_import, gui.controller.show_help,
                 gui.controller.show_export_ics, gui.controller.show_mileage,
                 lambda: gui.controller.show_report(client_id), lambda: gui.controller.show_report(None, "caseload"),
                 lambda: gui.controller.show_export_fhir(client_id)):
        show()
        dialog = gui.controller.dialogs[-1]
        pages = getattr(dialog, "pages", [None])
        for page in pages:
            if page is not None:
                dialog.show_page(page)
            assert unnamed(dialog) == [], type(dialog).__name__
        dialog.reject()


def test_every_record_tab_and_screening_form_is_named(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PASSPHRASE

    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    client_id = session.clients.roster()[0].id
    session.screening.record(client_id, "phq9", dict.fromkeys("123456789", 1))
    session.screening.record(client_id, "who5", dict.fromkeys("12345", 3))
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    for tab in record.record_tabs:
        record.tabs.setCurrentWidget(tab)
        assert unnamed(workspace) == [], type(tab).__name__
    screening = record.screening_tab
    for instrument_id in ("phq9", "cssrs_screener", "auditc", "who5"):
        screening.give(instrument_id)
        dialog = screening.dialog
        assert unnamed(dialog) == [], instrument_id
        dialog.close_for_lock()
    screening.pick()
    assert unnamed(screening.picker) == []
    screening.picker.reject()
    for opener in (screening._new_referral, screening._external):
        opener()
        assert unnamed(screening.form_dialog) == [], type(screening.form_dialog).__name__
        screening.form_dialog.reject()
    record.tabs.setCurrentWidget(record.risk_tab)
    record.risk_tab.override()
    assert unnamed(record.risk_tab.dialog) == []
    record.risk_tab.dialog.reject()
