"""SECURITY.md test 1 for documents: a canary inside attached files (a text file, an uncompressed
PDF, a PNG's text chunk), in their file names and titles, is found nowhere on disk after the
files were added, previewed in the app, the vault locked and the app quit — not in the vault folder
(the database and its WAL are encrypted), the app's home (logs at debug level, settings, its temp
folder, backups), the system temp folder, or the user's cache and config folders. Only an explicit
export may write plaintext, and none is made here."""

from __future__ import annotations

import io
import logging
import struct
import tempfile
import time
import zlib
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument

from app.services.logs import configure_logging
from tests.gui.conftest import Gui, type_text
from tests.gui.test_canary_sweep import encodings, hits
from tests.gui.test_documents import open_documents

CANARY = "Zyxcanarydoc"


def canary_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)  # uncompressed: the canary is in the file as text
    page.drawString(72, 720, f"Tenant: {CANARY} Quintero, 12 Canary Street")
    page.showPage()
    page.save()
    return out.getvalue()


def canary_png() -> bytes:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#8899AA"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    data = bytes(buffer.data().data())
    body = b"Comment\x00" + CANARY.encode()
    text = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return data[:33] + text + data[33:]  # right after the header chunk


def _settle(gui: Gui, seconds: float) -> None:
    end = time.monotonic() + seconds
    gui.qtbot.waitUntil(lambda: time.monotonic() >= end, timeout=int(seconds * 1000) + 2000)


def test_documents_added_and_previewed_leave_no_plaintext_anywhere(gui: Gui, client_vault: Path, tmp_path: Path,
                                                                   home: Path) -> None:
    started = time.time() - 1
    configure_logging(gui.services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    files = {f"{CANARY} lease.txt": f"Notes about {CANARY}: rent is due on Friday\n".encode(),
             f"{CANARY} letter.pdf": canary_pdf(), f"{CANARY} photo.png": canary_png()}
    for name, data in files.items():
        assert CANARY.encode() in data  # the canary really is in the bytes
        (incoming / name).write_bytes(data)

    gui.unlock(client_vault)
    tab, client_id = open_documents(gui)
    for name in files:
        dialog = tab.add_file(incoming / name)
        assert dialog is not None
        gui.qtbot.waitUntil(dialog.isVisible)
        type_text(dialog.title, " — copy")
        dialog.save()
        gui.qtbot.waitUntil(lambda d=dialog: not d.isVisible())
    for path in incoming.iterdir():  # the originals go: what is left must come from Waypoint
        path.unlink()
    incoming.rmdir()

    shown = set()
    for row in range(tab.list.count()):
        tab.list.setCurrentRow(row)
        shown.add(tab.preview.mode)
        if tab.preview.mode == "pdf":
            gui.qtbot.waitUntil(lambda: tab.preview.pdf.status() == QPdfDocument.Status.Ready)
            _settle(gui, 0.5)  # let the view render its pages
            assert tab.preview.pdf_view.grab().toImage().pixelColor(10, 10).isValid()
        if tab.preview.mode == "text":
            assert CANARY in tab.preview.text_view.toPlainText()
    assert shown == {"text", "pdf", "image"}
    assert len(gui.controller.session.attachments.for_client(client_id)) == 3

    gui.controller.lock()
    gui.unlock(client_vault)
    gui.controller.quit()  # backs up first, then closes
    gui.qtbot.waitUntil(lambda: gui.controller.session is None and not gui.window.isVisible(), timeout=30000)
    for handler in logging.getLogger().handlers:
        handler.flush()

    needles = encodings(CANARY)
    assert hits(tmp_path, needles) == []  # the vault folder, the app's home (logs, temp, backups)
    for temp in {Path(tempfile.gettempdir()), Path(tempfile.gettempdir()).resolve(), Path("/tmp")}:
        if temp.is_dir():
            assert hits(temp, needles, since=started) == []
    for folder in (".cache", ".config", ".local/share"):
        if (Path.home() / folder).is_dir():
            assert hits(Path.home() / folder, needles, since=started) == []
    named = [p for root in (tmp_path, Path(tempfile.gettempdir())) for p in root.rglob("*")
             if CANARY.lower() in p.name.lower()]
    assert named == []  # no file was ever named after the original
    assert any(gui.services.backups.folder().glob("*.wpbackup"))  # the quit really did write a backup
