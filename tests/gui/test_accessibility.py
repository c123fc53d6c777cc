"""Every focusable control on the pages and dialogs built so far has a name a screen reader can say."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QWidget

from tests.gui.conftest import Gui


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
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.window()).__name__}")
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
    for page in ("today", "clients"):
        workspace.go(page)
        assert unnamed(workspace) == [], page
    workspace.open_client(workspace.clients.model.row_at(0).id)
    assert unnamed(workspace) == []
    workspace.edit_client()
    assert unnamed(workspace.editor) == []
    workspace.editor.close_for_lock()
    for show in (gui.controller.show_settings, gui.controller.show_import, gui.controller.show_help):
        show()
        dialog = gui.controller.dialogs[-1]
        pages = getattr(dialog, "pages", [None])
        for page in pages:
            if page is not None:
                dialog.show_page(page)
            assert unnamed(dialog) == [], type(dialog).__name__
        dialog.reject()
