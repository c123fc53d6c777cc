"""A form typed into when the process dies comes back, offered as a draft, character for character."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui


def test_draft_survives_a_killed_process(gui: Gui, client_vault: Path, home: Path) -> None:
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE, "WAYPOINT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run([sys.executable, "-m", "tests.helpers.gui_crash", str(client_vault)], env=env,
                           capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert "DRAFT SAVED" in child.stdout, child.stderr[-2000:]
    assert child.returncode == -9  # killed, not a clean exit

    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    workspace.new_client()
    editor = workspace.editor
    assert editor.inputs["first_name"].text() == ""  # offered, not forced on the user
    assert editor.draft_banner.isVisible()
    assert "unsaved changes from" in editor.draft_banner.label.text()
    gui.qtbot.mouseClick(editor.restore_button, Qt.MouseButton.LeftButton)
    assert editor.inputs["first_name"].text() == "Batterie"
    assert editor.inputs["last_name"].text() == "Diesmidway-Ñúñez"
    assert editor.inputs["email"].text() == "batterie@example.org"
    assert editor.inputs["date_of_birth"].text() == "1979-02-"
    assert not editor.draft_banner.isVisible()


def test_discarding_an_offered_draft_removes_it(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    session.drafts.save("client", "new", {"first_name": "Leftover"})
    workspace = gui.controller.workspace
    workspace.new_client()
    editor = workspace.editor
    discard = [b for b in editor.draft_banner.findChildren(type(editor.save_button)) if b.text() == "Discard"][0]
    gui.qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert session.drafts.load("client", "new") is None
    assert editor.inputs["first_name"].text() == ""


def test_an_edit_draft_belongs_to_its_client(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client = session.clients.roster()[0]
    session.drafts.save("client", client.id, {"phone": "(555) 303-0000"})
    workspace = gui.controller.workspace
    workspace.new_client()
    assert not workspace.editor.draft_banner.isVisible()  # not offered on another form
    workspace.editor.close_for_lock()
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    workspace.edit_client(client.id)
    assert workspace.editor.draft_banner.isVisible()
