"""SECURITY: previewing reports in the app (rendered from memory with QtPdf), saving one and printing
one leave the client's data nowhere but the file the user chose — not in the vault folder, the app's
home (logs with debug on, settings), the system temp folder or the working folder."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from app.services.logs import configure_logging
from tests.conftest import PASSPHRASE, person
from tests.gui.conftest import Gui
from tests.gui.test_report_dialog import open_report, preview, save_to
from tests.test_canary_export import hits, pdf_text

# Not the export test's canaries: the two tests may run at once and both sweep the temp folder.
CANARIES = ("Previewcanary", "Brightcanäry", "Lumencanary Court")


def test_previewing_saving_and_printing_leave_no_plaintext_behind(
        gui: Gui, vault_dir: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.time() - 1
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    configure_logging(gui.services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)
    created = gui.services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    client = created.session.clients.create(person(first_name=CANARIES[0], last_name=CANARIES[1],
                                                   address_line1=CANARIES[2]))
    created.session.screening.record(client.id, "phq9", dict.fromkeys(map(str, range(1, 10)), 2))
    created.session.close()

    gui.unlock(vault_dir)
    dialog = open_report(gui, client.id, "summary")
    preview(gui, dialog)
    assert dialog.preview.page_count() >= 1
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("notes"))  # a second preview, never saved
    preview(gui, dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("summary"))
    preview(gui, dialog)

    chosen = tmp_path / "chosen" / "summary.pdf"
    chosen.parent.mkdir()
    save_to(monkeypatch, chosen)
    gui.qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(chosen.is_file)
    printed = tmp_path / "chosen" / "printed.pdf"

    def run(self: QPrintDialog) -> int:
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", run)
    gui.qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed.is_file()
    gui.controller.lock("idle")  # the idle lock, with the dialog still open
    assert gui.controller.session is None and dialog.prepared is None
    for handler in logging.getLogger().handlers:
        handler.flush()

    assert CANARIES[0] in pdf_text(chosen.read_bytes())  # the chosen file holds what was asked for
    allowed = {chosen, printed}
    found = []
    for root in (vault_dir, home, work, Path(tempfile.gettempdir())):
        found += hits(root, allowed, since=started, canaries=CANARIES)
    assert found == []
