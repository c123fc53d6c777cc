"""SECURITY tests 1 and 4: after a scripted session, no client data or secret is anywhere on disk
outside the encrypted vault and backups — not in logs (debug on), settings, temp files or drafts."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from app.services.logs import configure_logging
from app.ui.roster_model import COL_NAME
from tests.gui.conftest import Gui, type_text

CANARIES = ("Xylocanary", "Qwertcanäry", "xylo.canary@example.org", "5550199")
PASSPHRASE = "canary passphrase: quartz \"otter\" \\ 🦦 lamp"


def hits(root: Path, needles: list[bytes], since: float | None = None) -> list[str]:
    found = []
    temp_root = Path(tempfile.gettempdir()).resolve()
    for path in root.rglob("*"):
        if root.resolve() == temp_root and path.relative_to(root).parts[0].startswith("pytest-of-"):
            continue  # other tests' own folders (this test scans its tmp_path by name)
        try:
            if not path.is_file() or path.is_symlink() or (since and path.stat().st_mtime < since):
                continue
            if path.stat().st_size > 64 * 1024 * 1024:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        lowered = data.lower()
        for needle in needles:
            if needle.lower() in lowered:
                found.append(f"{path}: {needle!r}")
    return found


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def test_scripted_session_leaves_no_plaintext_anywhere(gui: Gui, vault_dir: Path, tmp_path: Path, home: Path) -> None:
    started = time.time() - 1
    log_file = configure_logging(gui.services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)
    created = gui.services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    recovery_key, dek = created.recovery_key, created.session.vault.dek
    created.session.close()

    gui.unlock(vault_dir, PASSPHRASE)
    workspace = gui.controller.workspace
    workspace.new_client()  # create, typing like a person
    editor = workspace.editor
    type_text(editor.inputs["first_name"], CANARIES[0])
    type_text(editor.inputs["last_name"], CANARIES[1])
    type_text(editor.inputs["email"], CANARIES[2])
    type_text(editor.inputs["phone"], "(555) 019-9123")
    type_text(editor.inputs["date_of_birth"].edit, "1980-01-02")
    gui.qtbot.waitUntil(lambda: editor.status.text().startswith("Draft saved"), timeout=5000)
    editor.save()
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    workspace.edit_client()  # edit
    editor = workspace.editor
    type_text(editor.inputs["address_line1"], "12 Canaryxyl Street")
    editor.save()
    gui.qtbot.waitUntil(lambda: workspace.editor is None)
    workspace.go("clients")  # search and sort
    type_text(workspace.clients.search, "xylo")
    assert workspace.clients.model.rowCount() == 1
    header = workspace.clients.table.horizontalHeader()
    gui.qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(COL_NAME) + 20, header.height() // 2))
    gui.controller.clipboard.copy(CANARIES[0])  # placed on the clipboard, cleared on lock
    kit = gui.services.paths.data_dir / "kit-export"
    kit.mkdir()
    gui.window.actions_["backup"].trigger()  # backup
    folder = gui.services.backups.folder()
    gui.qtbot.waitUntil(lambda: any(folder.glob("*.wpbackup")), timeout=20000)
    gui.key(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # lock
    assert gui.controller.session is None
    gui.unlock(vault_dir, PASSPHRASE)
    gui.controller.quit()  # quit: backs up first, then closes
    gui.qtbot.waitUntil(lambda: gui.controller.session is None and not gui.window.isVisible(), timeout=30000)
    for handler in logging.getLogger().handlers:
        handler.flush()

    needles = [e for canary in CANARIES for e in encodings(canary)]
    secrets = [e for s in (PASSPHRASE, recovery_key, recovery_key.replace("-", ""), dek.hex()) for e in encodings(s)]
    assert hits(tmp_path, needles) == []
    assert hits(Path(tempfile.gettempdir()), needles, since=started) == []
    assert hits(home, secrets) == []  # logs, settings, temp: no passphrase, recovery key or key
    assert "locking (manual)" in log_file.read_text()  # debug logging really was on and written
    assert len(list(folder.glob("*.wpbackup"))) >= 1
