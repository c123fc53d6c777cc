"""The Documents tab driven like a user: a file added (through the method the file dialog and a
drop both call: a native dialog can't be driven offscreen), its details typed with the keyboard,
an image and a PDF previewed, a copy saved, details changed, a document removed after asking,
files dropped on the tab, and nothing left on screen after a lock."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from app.models.attachments import DocumentKind, MediaType
from app.store.db import IntegrityCheck
from app.ui.record.documents_tab import DocumentsTab
from tests.gui.conftest import Gui, type_text, visible_texts


def pdf_bytes(pages: int = 2, text: str = "Riverside Housing Authority") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    for number in range(pages):
        page.drawString(72, 720, f"{text} — page {number + 1}")
        page.showPage()
    page.save()
    return out.getvalue()


def png_bytes(width: int = 320, height: int = 200) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3A7D44"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def open_documents(gui: Gui, first_name: str = "Zoë") -> tuple[DocumentsTab, str]:
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == first_name)
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.documents_tab)
    gui.qtbot.waitUntil(record.documents_tab.isVisible)
    return record.documents_tab, client_id


def focus(gui: Gui, widget: QWidget) -> None:
    """Give `widget` the keyboard focus, the window active as a window manager would leave it."""
    if not gui.window.isActiveWindow():
        gui.window.activateWindow()
        gui.qtbot.waitUntil(gui.window.isActiveWindow, timeout=2000)
    widget.setFocus()
    gui.qtbot.waitUntil(widget.hasFocus, timeout=2000)


def source(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "from-the-scanner"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_add_a_photo_with_the_keyboard_and_see_it(gui: Gui, client_vault: Path, tmp_path: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_documents(gui)
    assert tab.stack.currentWidget() is tab.empty and tab.empty_button.isVisible()
    assert "No documents yet" in tab.empty.title.text()

    dialog = tab.add_file(source(tmp_path, "IMG_2034.PNG", png_bytes()))
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.title.hasFocus)  # the title takes the focus, its text selected
    assert dialog.title.text() == "IMG 2034" and dialog.title.selectedText() == "IMG 2034"
    assert dialog.kind.currentData() == DocumentKind.PHOTO.value
    assert "PNG image" in dialog.facts_label.text()
    dialog.title.selectAll()
    type_text(dialog.title, "Foto del aviso de desalojo")
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Tab)
    gui.qtbot.waitUntil(dialog.kind.hasFocus)
    gui.qtbot.keyClick(dialog.kind, Qt.Key.Key_End)  # "Other document"
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())

    docs = gui.controller.session.attachments.for_client(client_id)
    assert [(d.title, d.kind, d.media_type) for d in docs] == [
        ("Foto del aviso de desalojo", DocumentKind.OTHER, MediaType.PNG)]
    assert tab.stack.currentWidget() is tab.splitter and tab.list.count() == 1
    assert "was added to the documents" in tab.message.label.text()
    assert tab.preview.mode == "image" and tab.preview.image.size().width() == 320
    assert "320 × 200 pixels" in tab.preview.page_label.text()
    assert tab.doc_title.text() == "Foto del aviso de desalojo"
    assert "from “IMG_2034.PNG”" in tab.doc_facts.text()
    tab.preview.zoom_in_()
    assert tab.preview.image_label.pixmap().width() > 320 or tab.preview.image_label.pixmap().width() >= 399


def test_a_bad_title_is_shown_beside_the_field_and_nothing_typed_is_lost(gui: Gui, client_vault: Path,
                                                                          tmp_path: Path) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_documents(gui)
    dialog = tab.add_file(source(tmp_path, "scan.pdf", pdf_bytes()))
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    dialog.title.clear()
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Return)  # Enter presses "Add document"
    assert dialog.isVisible() and dialog.grid.errors["title"].isVisible()
    assert "Give the document a title" in dialog.grid.errors["title"].text()
    assert gui.controller.session.attachments.for_client(client_id) == []
    type_text(dialog.title, "Carta de la clínica")
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())
    assert [d.title for d in gui.controller.session.attachments.for_client(client_id)] == ["Carta de la clínica"]


def test_preview_an_image_and_a_pdf_and_move_between_them_with_the_keyboard(gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    session.attachments.add_bytes(client_id, png_bytes(), "photo.png", title="Front of the benefits card")
    session.clock.advance(minutes=1)  # type: ignore[attr-defined]
    pdf = session.attachments.add_bytes(client_id, pdf_bytes(3), "letter.pdf", title="Housing letter")
    tab, _ = open_documents(gui)

    assert tab.list.count() == 2 and tab.shown is not None and tab.shown.id == pdf.id  # the newest first
    assert tab.preview.mode == "pdf"
    gui.qtbot.waitUntil(lambda: tab.preview.pdf.status() == QPdfDocument.Status.Ready)
    assert tab.preview.pdf.pageCount() == 3
    gui.qtbot.waitUntil(lambda: tab.preview.page_label.text() == "Page 1 of 3")
    assert tab.preview.pdf_view.accessibleName() == "PDF: Housing letter"

    focus(gui, tab.list)
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_Down)
    assert tab.shown is not None and tab.shown.title == "Front of the benefits card"
    assert tab.preview.mode == "image" and not tab.preview.image.isNull()
    assert tab.preview.pdf.status() != QPdfDocument.Status.Ready  # the PDF's bytes were let go
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_Up)
    assert tab.preview.mode == "pdf"
    views = session.connection.execute("SELECT count(*) FROM audit WHERE action = 'attachment.view'").fetchone()[0]
    assert views == 3


def test_files_that_cannot_be_shown_or_added_say_why(gui: Gui, client_vault: Path, tmp_path: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    session.attachments.add_bytes(client_id, b"PK\x03\x04" + bytes(500), "plan.docx", title="Old care plan")
    tab, _ = open_documents(gui)
    assert tab.preview.mode == "unsupported"
    assert "No preview for this kind of file" in tab.preview.message.title.text()
    big = tmp_path / "big.tif"
    with big.open("wb") as handle:
        handle.write(b"II*\x00")
        handle.truncate(30_000_000)
    assert tab.add_file(big) is None
    assert tab.message.isVisible() and tab.message.property("kind") == "error"
    assert "This file is 30 MB; documents can be at most 25 MB" in tab.message.label.text()


def test_save_a_copy_is_private_neutrally_named_and_audited(gui: Gui, client_vault: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    data = pdf_bytes()
    doc = session.attachments.add_bytes(client_id, data, "Zoë Ødegård discharge.pdf", title="Zoë's discharge")
    tab, _ = open_documents(gui)
    out = tmp_path / "exports"
    out.mkdir()
    offered: list[str] = []

    def save_dialog(_parent: object, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(out / Path(suggested).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    focus(gui, tab.list)
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)

    name = Path(offered[0]).name
    assert name.startswith("waypoint-document-") and name.endswith(".pdf")
    assert "zo" not in name.lower().replace("document", "") and "discharge" not in name
    written = out / name
    assert written.read_bytes() == data
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in out.iterdir()] == [name]
    assert "It is not encrypted" in tab.message.label.text()
    audit = session.connection.execute(
        "SELECT object_id, detail FROM audit WHERE action = 'attachment.export'").fetchall()
    assert [(str(a), str(b)) for a, b in audit] == [(doc.id, f"client={client_id},type=pdf,size={len(data)}")]


def test_change_the_details_and_remove_after_asking(gui: Gui, client_vault: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    first = session.attachments.add_bytes(client_id, png_bytes(), "a.png", title="Lease, page 1")
    session.clock.advance(minutes=1)  # type: ignore[attr-defined]
    second = session.attachments.add_bytes(client_id, png_bytes(), "b.png", title="Lease, page 2")
    tab, _ = open_documents(gui)
    focus(gui, tab.list)

    gui.qtbot.keyClick(tab.list, Qt.Key.Key_F2)
    dialog = tab.dialog
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    assert dialog.title.text() == "Lease, page 2"
    type_text(dialog.title, "Contrato, página 2")
    dialog.kind.setCurrentIndex(dialog.kind.findData(DocumentKind.LEGAL.value))
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())
    assert session.attachments.get(second.id).title == "Contrato, página 2"
    assert session.attachments.get(second.id).kind is DocumentKind.LEGAL
    assert tab.doc_title.text() == "Contrato, página 2"

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, title, text, *_a: asked.append(text) or answers.pop(0))
    focus(gui, tab.list)
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_Delete)
    assert len(session.attachments.for_client(client_id)) == 2  # cancelled: nothing removed
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_Delete)
    assert "“Contrato, página 2” will no longer be part of this client's record" in asked[0]
    assert [d.id for d in session.attachments.for_client(client_id)] == [first.id]
    assert tab.list.count() == 1 and tab.shown is not None and tab.shown.id == first.id
    assert "was removed" in tab.message.label.text()


def test_esc_closes_the_form_and_asks_only_when_something_would_be_lost(
    gui: Gui, client_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_documents(gui)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, title, *_a: asked.append(title) or QMessageBox.StandardButton.Discard)
    dialog = tab.add_file(source(tmp_path, "scan.pdf", pdf_bytes()))
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())
    assert asked == []
    dialog = tab.add_file(source(tmp_path, "scan.pdf", pdf_bytes()))
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    type_text(dialog.title, " (copia)")
    gui.qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())
    assert asked == ["Discard your changes?"]
    assert gui.controller.session.attachments.for_client(client_id) == []


def test_ctrl_n_adds_a_document_here_and_files_can_be_dropped_on_the_tab(
    gui: Gui, client_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    tab, client_id = open_documents(gui)
    picked = [source(tmp_path, "one.pdf", pdf_bytes(1))]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a: ([str(p) for p in picked], ""))
    focus(gui, tab.empty_button)
    gui.qtbot.keyClick(tab.empty_button, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    assert gui.controller.workspace.editor is None  # not the new-client form
    assert tab.dialog is not None
    gui.qtbot.keyClick(tab.dialog.title, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: tab.list.count() == 1)

    files = [source(tmp_path, "two.png", png_bytes()), source(tmp_path, "notes.txt", b"Call back on Friday\n"),
             source(tmp_path, "empty.pdf", b"")]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in files])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted() and tab.drop_banner.isVisible()
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, drop)
    assert not tab.drop_banner.isVisible()
    titles = sorted(d.title for d in gui.controller.session.attachments.for_client(client_id))
    assert titles == ["notes", "one", "two"]
    assert tab.message.label.text().startswith("2 documents added. “empty.pdf” was not added: This file is empty.")
    assert tab.list.count() == 3


def test_a_read_only_vault_shows_documents_but_offers_no_changes(
    gui: Gui, client_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    session.attachments.add_bytes(client_id, png_bytes(), "a.png", title="Lease")
    tab, _ = open_documents(gui)
    monkeypatch.setattr(session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    tab.refresh()
    assert tab.preview.mode == "image"
    assert not any(b.isVisible() for b in (tab.add_button, tab.edit_button, tab.export_button, tab.remove_button))
    assert tab.edit_details() is None and tab.add_file(source(tmp_path, "x.png", png_bytes())) is None
    assert tab.export_to(tmp_path) is None and "read-only" in tab.message.label.text()
    assert not list(tmp_path.glob("waypoint-document-*"))


def test_a_lock_closes_the_form_and_leaves_no_document_on_screen(gui: Gui, client_vault: Path,
                                                                 tmp_path: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    session.attachments.add_bytes(client_id, b"Xylocanary called about the rent\n", "call.txt", title="Call notes")
    tab, _ = open_documents(gui)
    assert tab.preview.mode == "text" and "Xylocanary" in tab.preview.text_view.toPlainText()
    dialog = tab.edit_details()
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    type_text(dialog.title, " typed")
    gui.controller.lock()  # as the idle timer or Ctrl+L does, the form open
    assert gui.controller.session is None and not dialog.isVisible()
    gui.qtbot.waitUntil(lambda: "Xylocanary" not in visible_texts() and "Call notes" not in visible_texts())


def test_what_cannot_be_previewed_says_so_and_every_control_is_named(gui: Gui, client_vault: Path) -> None:
    from tests.gui.test_accessibility import unnamed

    gui.unlock(client_vault)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if r.first_name == "Zoë")
    tab, _ = open_documents(gui)
    assert unnamed(tab) == []  # the empty state
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)
    docs = [("broken.pdf", b"%PDF-1.4\nthis is not really a PDF", "error", "This PDF could not be shown"),
            ("IMG_0001.HEIC", heic, "unsupported", "This HEIC photo can't be shown on this computer"),
            ("scan.png", png_bytes(), "image", ""), ("letter.pdf", pdf_bytes(), "pdf", ""),
            ("notes.txt", "Llamar el miércoles\n".encode(), "text", "")]
    for name, data, _mode, _words in docs:
        session.attachments.add_bytes(client_id, data, name)
        session.clock.advance(minutes=1)  # type: ignore[attr-defined]
    tab.refresh()
    for name, _data, mode, words in docs:
        doc = next(d for d in tab.documents if d.file_name == name)
        tab.select(doc.id)
        if mode == "pdf":
            gui.qtbot.waitUntil(lambda: tab.preview.pdf.status() == QPdfDocument.Status.Ready)
        gui.qtbot.waitUntil(lambda m=mode: tab.preview.mode == m)
        assert words in tab.preview.message.accessibleName()
        assert unnamed(tab) == [], name
    focus(gui, tab.list)
    gui.qtbot.keyClick(tab.list, Qt.Key.Key_Return)  # Enter moves into the preview
    assert tab.preview.text_view.hasFocus()
    dialog = tab.edit_details()
    assert dialog is not None
    gui.qtbot.waitUntil(dialog.isVisible)
    assert unnamed(dialog) == []
    dialog.close_for_lock()
