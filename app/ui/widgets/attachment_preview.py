"""An in-app preview of a document's bytes — images, PDFs and plain text — that never writes a
file: images are decoded from a QBuffer, PDFs are loaded into QtPdf from a QBuffer over the bytes,
text is decoded in memory. `clear()` drops every copy (the app calls it on lock)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number
from app.models.attachments import MediaType
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import muted_label

MAX_IMAGE_SIDE = 4096  # decode big photos at a size a screen can use (a 48 MP photo is ~190 MB decoded)
MAX_TEXT_CHARS = 1_000_000
_ZOOM_STEP = 1.25


class _Message(QWidget):
    """A calm sentence in the middle of the pane, with an icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.icon)
        self.title = QLabel()
        self.title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.text = muted_label()
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        layout.addStretch(2)

    def show_message(self, icon: str, title: str, text: str) -> None:
        self.icon.setPixmap(theme.icon(icon, theme.colors().muted).pixmap(48, 48))
        self.title.setText(title)
        self.text.setText(text)
        self.setAccessibleName(f"{title} {text}".strip())


class AttachmentPreview(QWidget):
    """Shows one document. `mode` says what is shown: "empty", "image", "pdf", "text",
    "unsupported" or "error"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = "empty"
        self.title = ""
        self.image = QImage()
        self._zoom: float | None = None  # None: fit to the pane
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.page_label = muted_label()
        self.page_label.setWordWrap(False)
        bar.addWidget(self.page_label, 1)
        self.zoom_out = self._tool("mdi6.magnify-minus-outline", _("Zoom out (Ctrl+-)"), self.zoom_out_)
        self.zoom_in = self._tool("mdi6.magnify-plus-outline", _("Zoom in (Ctrl++)"), self.zoom_in_)
        self.fit = self._tool("mdi6.fit-to-page-outline", _("Fit to the pane (Ctrl+0)"), self.fit_)
        for button in (self.zoom_out, self.zoom_in, self.fit):
            bar.addWidget(button)
        self.toolbar = QWidget()
        self.toolbar.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)

        self.stack = QStackedWidget()
        self.message = _Message()
        self.stack.addWidget(self.message)

        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area = QScrollArea()
        self.image_area.setAccessibleName(_("Image preview"))
        self.image_area.setObjectName("PreviewArea")
        self.image_area.setWidgetResizable(True)
        self.image_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area.setWidget(self.image_label)
        self.image_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack.addWidget(self.image_area)

        self.pdf = QPdfDocument(self)
        self.pdf.statusChanged.connect(self._pdf_status)
        self.pdf_view = QPdfView()
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setPageSpacing(SPACING)
        self.pdf_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pdf_view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self.pdf_view.setDocument(self.pdf)  # for good: an empty (closed) document shows nothing
        self.stack.addWidget(self.pdf_view)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                               | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack.addWidget(self.text_view)
        layout.addWidget(self.stack, 1)

        for keys, slot in (("Ctrl++", self.zoom_in_), ("Ctrl+=", self.zoom_in_), ("Ctrl+-", self.zoom_out_),
                           ("Ctrl+0", self.fit_)):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.clear()

    def _tool(self, icon: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setIcon(theme.icon(icon))
        button.setIconSize(QSize(20, 20))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # -- showing -------------------------------------------------------------------------------

    def show_document(self, data: bytes, media_type: MediaType, title: str) -> None:
        """Show `data` (the document's bytes, in memory) as what it is."""
        self._release()
        self.title = title
        if media_type is MediaType.PDF:
            self._show_pdf(data)
        elif media_type.is_image:
            self._show_image(data, media_type)
        elif media_type is MediaType.TEXT:
            self._show_text(data)
        else:
            self.show_unsupported(media_type)

    def show_message(self, icon: str, title: str, text: str, mode: str = "empty") -> None:
        self._release()
        self.mode = mode
        self.message.show_message(icon, title, text)
        self.stack.setCurrentWidget(self.message)
        self.toolbar.setVisible(False)
        self.setAccessibleName(self.message.accessibleName())

    def show_unsupported(self, media_type: MediaType) -> None:
        self.show_message("mdi6.file-eye-outline", _("No preview for this kind of file"), _(
            "Waypoint can show PDFs, photos, scans and plain text. This one is kept safely all the same: save a "
            "copy to open it in another program.") if media_type is MediaType.OTHER else _(
            "This {kind} can't be shown on this computer. It is kept safely all the same: save a copy to open "
            "it in another program.").format(kind=media_type.label), mode="unsupported")

    def clear(self) -> None:
        """Show nothing and drop every copy of the last document's bytes."""
        self.show_message("mdi6.file-document-outline", _("Nothing to show"),
                          _("Choose a document in the list to see it here."))
        self.title = ""

    def _release(self) -> None:
        self.pdf.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._bytes = QByteArray()
        self.image = QImage()
        self.image_label.clear()
        self.text_view.clear()
        self.page_label.clear()
        self._zoom = None
        for button in (self.zoom_in, self.zoom_out, self.fit):
            button.setVisible(True)

    def _show_image(self, data: bytes, media_type: MediaType) -> None:
        self._bytes = QByteArray(data)
        buffer = QBuffer(self._bytes)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)  # phone photos carry their orientation in EXIF
        if not reader.canRead():
            buffer.close()
            self._bytes = QByteArray()
            self.show_unsupported(media_type)
            return
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > MAX_IMAGE_SIDE:
            reader.setScaledSize(size.scaled(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        buffer.close()
        self._bytes = QByteArray()
        if image.isNull():
            self.show_message("mdi6.image-broken-variant", _("This image could not be shown"), _(
                "The file may be incomplete or damaged. Save a copy to try it in another program."), mode="error")
            return
        self.image = image
        self.mode = "image"
        self.stack.setCurrentWidget(self.image_area)
        self.toolbar.setVisible(True)
        self.page_label.setText(_("{width} × {height} pixels").format(width=format_number(image.width()),
                                                                     height=format_number(image.height())))
        self.image_area.setAccessibleName(_("Image: {title}").format(title=self.title))
        self.setAccessibleName(self.image_area.accessibleName())
        self._scale_image()

    def _scale_image(self) -> None:
        if self.image.isNull():
            return
        if self._zoom is None:
            room = self.image_area.viewport().size() - QSize(2, 2)
            target = self.image.size()
            if target.width() > room.width() or target.height() > room.height():
                target = target.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
        else:
            target = self.image.size() * self._zoom
        if target.isEmpty():
            return
        pixmap = QPixmap.fromImage(self.image.scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation))
        self.image_label.setPixmap(pixmap)

    def _show_pdf(self, data: bytes) -> None:
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.mode = "pdf"
        self.stack.setCurrentWidget(self.pdf_view)
        self.toolbar.setVisible(True)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf.load(self._buffer)
        self._pdf_status(self.pdf.status())

    def _pdf_status(self, status: QPdfDocument.Status) -> None:
        if self.mode != "pdf":
            return
        if status is QPdfDocument.Status.Ready:
            self._page_changed(self.pdf_view.pageNavigator().currentPage())
            self.pdf_view.setAccessibleName(_("PDF: {title}").format(title=self.title))
            self.setAccessibleName(self.pdf_view.accessibleName())
        elif status is QPdfDocument.Status.Error:
            if self.pdf.error() is QPdfDocument.Error.IncorrectPassword:
                self.show_message("mdi6.file-lock-outline", _("This PDF is protected with a password"), _(
                    "Waypoint does not open protected PDFs. Save a copy and open it in a PDF reader."), mode="error")
            else:
                self.show_message("mdi6.file-alert-outline", _("This PDF could not be shown"), _(
                    "The file may be incomplete or damaged. Save a copy to try it in another program."),
                    mode="error")

    def _page_changed(self, page: int) -> None:
        if self.mode == "pdf" and self.pdf.pageCount() > 0:
            self.page_label.setText(_("Page {n} of {count}").format(n=page + 1, count=self.pdf.pageCount()))

    def _show_text(self, data: bytes) -> None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16", errors="replace")
        else:
            text = data.decode("utf-8-sig", errors="replace")
        cut = len(text) > MAX_TEXT_CHARS
        self.text_view.setPlainText(text[:MAX_TEXT_CHARS])
        self.mode = "text"
        self.stack.setCurrentWidget(self.text_view)
        self.toolbar.setVisible(cut)
        self.zoom_in.setVisible(False)
        self.zoom_out.setVisible(False)
        self.fit.setVisible(False)
        self.page_label.setText(_("Only the beginning is shown. Save a copy to read all of it.") if cut else "")
        self.text_view.setAccessibleName(_("Text: {title}").format(title=self.title))
        self.setAccessibleName(self.text_view.accessibleName())

    # -- zoom ----------------------------------------------------------------------------------

    def _current_zoom(self) -> float:
        if self.mode == "pdf":
            return float(self.pdf_view.zoomFactor())
        if self._zoom is not None:
            return self._zoom
        shown = self.image_label.pixmap()
        return shown.width() / self.image.width() if not shown.isNull() and self.image.width() else 1.0

    def _set_zoom(self, factor: float | None) -> None:
        if self.mode == "pdf":
            if factor is None:
                self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            else:
                self.pdf_view.setZoomMode(QPdfView.ZoomMode.Custom)
                self.pdf_view.setZoomFactor(factor)
        elif self.mode == "image":
            self._zoom = factor
            self._scale_image()

    def zoom_in_(self) -> None:
        if self.mode in ("pdf", "image"):
            self._set_zoom(min(8.0, self._current_zoom() * _ZOOM_STEP))

    def zoom_out_(self) -> None:
        if self.mode in ("pdf", "image"):
            self._set_zoom(max(0.1, self._current_zoom() / _ZOOM_STEP))

    def fit_(self) -> None:
        self._set_zoom(None)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.mode == "image" and self._zoom is None:
            self._scale_image()
