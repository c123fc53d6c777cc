"""F1: keyboard shortcuts, where data lives, and the security model in plain words."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app import APP_NAME, __version__
from app.i18n import _


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class HelpDialog(QDialog):
    def __init__(self, data_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("{app} help").format(app=APP_NAME))
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        text = QTextBrowser()
        text.setAccessibleName(_("Help"))
        shortcuts = [
            ("Ctrl+N", _("New client; on a record's tab: a new note, plan, contact or document")),
            ("Ctrl+F", _("Search clients; on the Notes tab: search the notes")), ("Ctrl+E", _("Edit the open client")),
            ("Ctrl+G", _("Give a screen (on a client's record)")),
            ("Ctrl+S", _("Save the form")), ("Esc", _("Cancel (asks first if something would be lost)")),
            ("Ctrl+L", _("Lock now")), ("Alt+1 / Alt+2 / Alt+3", _("Today / Clients / Contacts")),
            ("Alt+Left", _("Back to the roster")),
            ("0–9, Y/N, D", _("In a screening form: answer and move on; D marks the item declined")),
            ("Enter / ↑ ↓", _("In a screening form: next / previous item")),
            ("Ctrl+Shift+D", _("Discreet mode: initials instead of names in lists")), ("Ctrl+,", _("Settings")),
            ("Ctrl+I", _("Import clients from CSV")), ("Ctrl+B", _("Back up now")), ("F1", _("This help")),
            ("Ctrl+Q", _("Quit")),
        ]
        rows = "".join(f"<tr><td><b>{_esc(k)}</b>&nbsp;&nbsp;</td><td>{_esc(v)}</td></tr>" for k, v in shortcuts)
        security = [
            _("Everything about your clients is kept in an encrypted vault (AES-256) on this computer."),
            _("Your passphrase unlocks it. The recovery key from your emergency kit unlocks it if the "
              "passphrase is forgotten."),
            _("Waypoint locks itself after the idle time set in Settings → Security, and at once with Ctrl+L. "
              "Unsaved forms are kept as encrypted drafts and come back after unlocking."),
            _("Backups are encrypted too. They are made daily and when Waypoint closes."),
        ]
        items = "".join(f"<li>{_esc(s)}</li>" for s in security)
        text.setHtml(
            f"<h2>{_esc(_('Keyboard'))}</h2><table>{rows}</table>"
            f"<h2>{_esc(_('Your data'))}</h2><ul>{items}</ul>"
            f"<p>{_esc(_('Settings and logs (no client data) live in:'))} <code>{_esc(data_folder)}</code></p>"
            f"<p>{_esc(APP_NAME)} {_esc(__version__)}</p>"
        )
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
