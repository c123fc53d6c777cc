"""Export the coming follow-ups to an iCalendar (.ics) file for a personal calendar: how many days
ahead, how clients are named (client code by default; initials; full name only after a warning
sentence), where to save it (a neutral default name). Each event carries the type of contact and
the name chosen — no place, purpose or notes. Says how many events were written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services.calendar_export import DEFAULT_DAYS, DEFAULT_NAME, Naming, export_ics
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import follow_up_actions as actions
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    dialog_buttons,
    muted_label,
)
from app.ui.widgets.inputs import PathField


def default_path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return Path(folder) / DEFAULT_NAME


class ExportIcsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.written: tuple[Path, int] | None = None
        self.setWindowTitle(_("Export follow-ups to a calendar file"))
        self.setModal(True)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        title = QLabel(_("Export follow-ups to a calendar file"))
        title.setFont(theme.scaled_font(self, 1.4, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(_(
            "Writes the scheduled follow-ups of the coming days to an .ics file your calendar program can import. "
            "Each event says only the type of contact and who it is with — no place, purpose or notes.")))

        card = Card()
        row = QHBoxLayout()
        days_label = QLabel(_("Days ahead, from today"))
        row.addWidget(days_label)
        self.days = QSpinBox()
        self.days.setRange(1, 366)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" " + _("days"))
        self.days.setAccessibleName(_("Days ahead, from today"))
        days_label.setBuddy(self.days)
        row.addWidget(self.days)
        row.addStretch(1)
        card.body.addLayout(row)

        caption = QLabel(_("Name clients in the events by"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        card.body.addWidget(caption)
        self.naming_group = QButtonGroup(self)
        self.naming: dict[Naming, QRadioButton] = {}
        for naming, text in ((Naming.CODE, _("Client code (recommended)")), (Naming.INITIALS, _("Initials")),
                             (Naming.FULL, _("Full name"))):
            button = QRadioButton(text)
            button.setAccessibleName(_("Name clients by: {how}").format(how=text))
            self.naming_group.addButton(button)
            self.naming[naming] = button
            card.body.addWidget(button)
        self.naming[Naming.CODE].setChecked(True)
        self.full_warning = Banner("warning")
        card.body.addWidget(self.full_warning)
        self.naming_group.buttonToggled.connect(lambda *_a: self._naming_changed())

        where = QLabel(_("Save as"))
        where.setFont(theme.scaled_font(self, 1.0, bold=True))
        card.body.addWidget(where)
        self.path = PathField(_("Choose where to save the calendar file"), self.browse, str(default_path()))
        self.path.setAccessibleName(_("Save the calendar file as"))
        where.setBuddy(self.path.edit)
        card.body.addWidget(self.path)
        card.body.addWidget(muted_label(_("Anyone who can open this file can see the follow-ups in it. Delete it once "
                                          "it is imported.")))
        layout.addWidget(card)

        self.result = Banner("info")
        layout.addWidget(self.result)
        self.close_button, self.export_button = dialog_buttons(self, layout, _("Export"), self.export)
        self.export_button.setIcon(theme.icon("mdi6.calendar-export", theme.colors().accent_text))
        self.export_button.setToolTip(_("Write the calendar file"))

    def chosen_naming(self) -> Naming:
        return next(n for n, b in self.naming.items() if b.isChecked())

    def _naming_changed(self) -> None:
        if self.chosen_naming() is Naming.FULL:
            self.full_warning.show_message(_(
                "Full names will be in the file and in the calendar you import it into — readable by anyone who can "
                "see that calendar and by the company that runs it. Use client codes unless the calendar is yours "
                "alone and kept on this computer."), "warning")
        else:
            self.full_warning.setVisible(False)

    def browse(self) -> None:
        current = self.path.edit.text().strip() or str(default_path())
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Save the calendar file"), current,
                                                      _("Calendar files (*.ics)"))
        if chosen:
            self.path.edit.setText(chosen if chosen.lower().endswith(".ics") else chosen + ".ics")

    def target(self) -> Path | None:
        text = self.path.edit.text().strip()
        if not text:
            self.result.show_message(_("Choose where to save the file."), "error")
            self.path.edit.setFocus()
            return None
        dest = Path(text).expanduser()
        if dest.is_dir():
            dest = dest / DEFAULT_NAME
        if dest.suffix.lower() != ".ics":
            dest = dest.with_name(dest.name + ".ics")
        return dest

    def export(self) -> None:
        self.result.setVisible(False)
        dest = self.target()
        if dest is None:
            return
        if dest.exists() and (self.written is None or self.written[0] != dest):
            answer = actions.ask(self, _("Replace the file?"), _("{name} already exists in that folder. Replace it?")
                                 .format(name=dest.name), [(_("Replace"), QMessageBox.ButtonRole.DestructiveRole)])
            if answer is None:
                return
        naming = self.chosen_naming()
        try:
            path, count = export_ics(self.session, dest, days=self.days.value(), naming=naming)
        except OSError as exc:
            self.result.show_message(_("The file could not be written ({reason}). Choose another folder.").format(
                reason=exc.strerror or type(exc).__name__), "error")
            return
        except (ValueError, VaultError) as exc:
            self.result.show_message(str(exc), "error")
            return
        self.written = (path, count)
        self.path.edit.setText(str(path))
        self.result.show_message(ngettext(
            "{n} follow-up written to {path}. Import it in your calendar program, then delete the file.",
            "{n} follow-ups written to {path}. Import it in your calendar program, then delete the file.",
            count).format(n=count, path=path), "info")
        self.close_button.setText(_("Close"))
        self.close_button.setFocus()
