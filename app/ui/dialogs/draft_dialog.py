"""What every form that autosaves a draft shares: closing through reject() (so the window's close
button asks the same as Esc), closing for a lock without asking while keeping the draft, taking
the focus when shown, and the bottom row of a long form (status, Close, Save draft, the primary)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_datetime
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, muted_label, primary_button, set_default_button


class DraftDialog(QDialog):
    """Subclasses set `self.autosaver` and may override `first_focus()`."""

    autosaver: DraftAutosaver
    status: QLabel
    draft_banner: Banner
    _edited: bool

    def first_focus(self) -> QWidget | None:
        """The field that takes the focus when the dialog is shown (None: leave it)."""
        return None

    def scrolling_form(self) -> tuple[QScrollArea, QWidget]:
        """The scrolling page of a long form (no sideways scrolling); its column is `self.form`.
        Returns (scroll area, page): fill the column, then `scroll.setWidget(page)`."""
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QWidget()
        self.form = QVBoxLayout(page)
        self.form.setContentsMargins(0, 0, SPACING, 0)
        self.form.setSpacing(SPACING * 2)
        return scroll, page

    def draft_stored(self, saved_at: datetime | None) -> None:
        """The service now keeps the draft: the typed copy goes, the banner offering an older
        one goes, and the status says when it was saved."""
        self.autosaver.discard()
        self._edited = False
        self.draft_banner.setVisible(False)
        self.status.setText(_("Draft saved {time}").format(time=format_datetime(saved_at, "short")) if saved_at
                            else _("Draft saved"))

    def keep_typing(self) -> None:
        """A save failed: keep what is on screen as the draft now, so nothing typed is lost."""
        self.autosaver.changed()
        self.autosaver.flush()

    def close_for_lock(self) -> None:
        """The app is locking: keep the typing (in the vault) and close without asking."""
        self.autosaver.flush()
        self.autosaver.dirty = False
        QDialog.reject(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.activateWindow()
        target = self.first_focus()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        event.ignore()
        self.reject()

    def draft_buttons(self, layout: QBoxLayout, primary: str, on_primary: Callable[[], None],
                      on_save_draft: Callable[[], None]) -> tuple[QLabel, QPushButton, QPushButton, QPushButton]:
        """Status · Close (the draft is kept) · Save draft (Ctrl+S) · the primary action.
        Enter presses none of them: a long form is never finished by surprise."""
        row = QHBoxLayout()
        status = muted_label("")
        row.addWidget(status, 1)
        close = QPushButton(_("Close"))
        close.setToolTip(_("Close; the draft is kept (Esc)"))
        close.clicked.connect(self.reject)
        row.addWidget(close)
        save = QPushButton(_("Save draft"))
        save.setToolTip(_("Save the draft (Ctrl+S)"))
        save.clicked.connect(on_save_draft)
        row.addWidget(save)
        main = primary_button(primary)
        main.clicked.connect(on_primary)
        row.addWidget(main)
        layout.addLayout(row)
        set_default_button(self, None)
        return status, close, save, main


    def record_buttons(self, layout: QBoxLayout, primary: str, icon_name: str, tooltip: str,
                       on_primary: Callable[[], None]) -> tuple[QLabel, QPushButton, QPushButton]:
        """Status · Cancel (Esc) · the primary "Record …" action, also on Ctrl+S — for an editor
        that records once (a release, a transition) rather than keeping drafts by hand."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from app.ui import theme

        row = QHBoxLayout()
        status = muted_label("")
        row.addWidget(status, 1)
        cancel = QPushButton(_("Cancel"))
        cancel.setToolTip(_("Close without recording (Esc)"))
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        main = primary_button(primary)
        main.setIcon(theme.icon(icon_name, theme.colors().accent_text))
        main.setToolTip(tooltip)
        main.clicked.connect(on_primary)
        row.addWidget(main)
        layout.addLayout(row)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=on_primary)
        return status, cancel, main


class OfferedDraftDialog(DraftDialog):
    """A form whose unsaved typing was kept as a draft offers it back when it opens: restored at
    once after a lock, otherwise in a banner (Restore them / Discard). Esc asks before losing
    typing. Subclasses have `draft_banner`, `status`, `autosaver`, `collect()` and `apply()`."""

    session: Session
    draft_banner: Banner
    error_banner: Banner
    status: QLabel

    def collect(self) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def has_changes(self) -> bool:
        """Anything typed that a close would lose (beyond the autosaver's own flag)."""
        return False

    def offer_draft(self, form: str, object_id: str, auto_restore: bool) -> None:
        draft = self.session.drafts.load(form, object_id)
        if draft is None or draft.data == self.collect():
            return
        if auto_restore:
            self.restore(draft.data)
            self.draft_banner.show_message(_("Your unsaved changes were restored after the lock."), "info")
            return
        self.draft_banner.show_message(
            _("You have unsaved changes from {when}.").format(when=format_datetime(draft.saved_at, "short")), "info")
        self.draft_banner.clear_buttons()
        self.restore_button = self.draft_banner.add_button(_("Restore them"), lambda: self.restore(draft.data))
        self.draft_banner.add_button(_("Discard"), self._discard_offer)

    def restore(self, data: dict[str, Any]) -> None:
        self.apply(data)
        self.autosaver.dirty = True
        self.draft_banner.setVisible(False)
        self.status.setText(_("Unsaved changes restored"))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each refused field's sentence next to it (subclasses)."""
        raise NotImplementedError

    def submit(self, save: Callable[[], Any]) -> Any | None:
        """Run `save` (a service call). A refusal is shown next to the fields; a failure keeps
        the typing as the draft and says why; after a success the typed copy is dropped.
        Returns what `save` returned, or None when nothing was saved."""
        try:
            result = save()
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return None
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return None
        self.autosaver.discard()
        return result

    def _discard_offer(self) -> None:
        self.autosaver.discard()
        self.draft_banner.setVisible(False)

    def reject(self) -> None:
        if self.autosaver.dirty or self.has_changes():
            answer = QMessageBox.question(
                self, _("Discard changes?"), _("You have changes that are not saved. Discard them?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        self.autosaver.discard()
        super().reject()
