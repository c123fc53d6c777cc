"""A PDF shown from memory: QtPdf reads the bytes through a QBuffer, so no plaintext copy of a
report ever lands on disk. A small toolbar gives the page count and zoom (Ctrl+=, Ctrl+-, Ctrl+0
fits the width); while nothing is loaded an empty state says what will appear here."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMargins, QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import EmptyState, muted_label

ZOOM_STEPS = (0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)


class PdfPreview(QWidget):
    """Shows PDF bytes without writing them anywhere. `set_pdf()` loads, `clear()` forgets;
    `document` is the QPdfDocument (for printing), `page_count()` the pages loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self._bytes: QByteArray | None = None
        self._buffer: QBuffer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)

        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.pages = muted_label("")
        self.pages.setWordWrap(False)
        bar.addWidget(self.pages, 1)
        self.zoom_out = self._tool("mdi6.magnify-minus-outline", _("Zoom out"), "Ctrl+-", self.zoom_out_step)
        bar.addWidget(self.zoom_out)
        self.zoom_label = QLabel("")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.zoom_label)
        self.zoom_in = self._tool("mdi6.magnify-plus-outline", _("Zoom in"), "Ctrl+=", self.zoom_in_step)
        bar.addWidget(self.zoom_in)
        self.fit = self._tool("mdi6.arrow-expand-horizontal", _("Fit to width"), "Ctrl+0", self.fit_width)
        self.fit.setCheckable(True)
        bar.addWidget(self.fit)
        layout.addLayout(bar)
        QShortcut(QKeySequence("Ctrl++"), self, activated=self.zoom_in_step,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.stack = QStackedWidget()
        self.empty = EmptyState(_("No preview yet"), _("Choose what goes in the report. The preview appears here, "
                                                      "exactly as it will be saved or printed."))
        self.stack.addWidget(self.empty)
        self.view = QPdfView()
        self.view.setAccessibleName(_("Report preview"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setPageSpacing(SPACING * 2)
        self.view.setDocumentMargins(QMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2))
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setDocument(self.document)
        self.view.zoomFactorChanged.connect(lambda _f: self._show_zoom())
        self.view.zoomModeChanged.connect(lambda _m: self._show_zoom())
        self.stack.addWidget(self.view)
        layout.addWidget(self.stack, 1)
        self.fit_width()
        self._show_state()

    def _tool(self, icon_name: str, text: str, keys: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setIcon(theme.icon(icon_name))
        button.setAutoRaise(True)
        shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{text} ({shown})")
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return button

    # -- content ------------------------------------------------------------------------------

    def set_pdf(self, data: bytes) -> None:
        """Show `data` (PDF bytes), keeping the zoom; from memory only."""
        self.document.close()
        self._drop_buffer()
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self._show_state()

    def clear(self) -> None:
        """Forget the document and its bytes."""
        self.document.close()
        self._drop_buffer()
        self._show_state()

    def _drop_buffer(self) -> None:
        if self._buffer is not None:
            self._buffer.close()
        if self._bytes is not None:
            self._bytes.fill(0)  # the plaintext copy Qt holds; overwrite before letting go
            self._bytes.clear()
        self._buffer = None
        self._bytes = None

    def page_count(self) -> int:
        return self.document.pageCount() if self.document.status() is QPdfDocument.Status.Ready else 0

    def text(self) -> str:
        """All text of the loaded document, page after page (for checks and screen readers)."""
        return "\n".join(self.document.getAllText(i).text() for i in range(self.page_count()))

    def render_page(self, index: int, size: QSize) -> QImage:
        return self.document.render(index, size)

    def set_empty_text(self, title: str, text: str) -> None:
        self.empty.title.setText(title)
        self.empty.text.setText(text)

    def _show_state(self) -> None:
        count = self.page_count()
        self.stack.setCurrentWidget(self.view if count else self.empty)
        self.pages.setText(ngettext("{n} page", "{n} pages", count).format(n=count) if count else "")
        self.pages.setAccessibleName(self.pages.text())
        for control in (self.zoom_in, self.zoom_out, self.fit, self.zoom_label):
            control.setVisible(bool(count))
        self._show_zoom()

    # -- zoom ---------------------------------------------------------------------------------

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._show_zoom()

    def _step(self, direction: int) -> None:
        current = self._effective_zoom()
        if direction > 0:
            target = next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1])
        else:
            target = next((z for z in reversed(ZOOM_STEPS) if z < current - 0.01), ZOOM_STEPS[0])
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(target)
        self._show_zoom()

    def zoom_in_step(self) -> None:
        self._step(1)

    def zoom_out_step(self) -> None:
        self._step(-1)

    def _effective_zoom(self) -> float:
        """The zoom shown: for fit-to-width, how wide the page is drawn against 100 % (72 dpi
        points at the screen's logical resolution)."""
        if self.view.zoomMode() is QPdfView.ZoomMode.FitToWidth and self.page_count():
            points = self.document.pagePointSize(0).width()
            dpi = self.logicalDpiX() or 96
            natural = points / 72.0 * dpi
            margins = self.view.documentMargins()
            usable = self.view.viewport().width() - margins.left() - margins.right()
            return max(0.1, usable / natural) if natural > 0 else 1.0
        return float(self.view.zoomFactor())

    def _show_zoom(self) -> None:
        fitting = self.view.zoomMode() is QPdfView.ZoomMode.FitToWidth
        self.fit.setChecked(fitting)
        text = f"{round(self._effective_zoom() * 100)} %" if self.page_count() else ""
        self.zoom_label.setText(text)
        self.zoom_label.setAccessibleName(_("Zoom {percent}").format(percent=text) if text else "")

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._show_zoom()
