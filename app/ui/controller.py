"""What the window shows and when: welcome, create, unlock, the workspace; locking (idle, Ctrl+L,
suspend), backups (daily, on quit) and the way back in after a lock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from shiboken6 import isValid

from app import APP_NAME, __version__
from app.i18n import _, format_date
from app.services.context import AppServices, VaultInfo
from app.services.device_keys import DeviceKeyError
from app.services.errors import VaultError, WrongSecret
from app.services.session import Session
from app.ui import theme
from app.ui.autolock import IdleWatcher
from app.ui.clipboard import ClipboardGuard
from app.ui.pages.unlock import UnlockPage
from app.ui.pages.welcome import WelcomePage
from app.ui.shell import MainWindow
from app.ui.worker import run_in_background, wait_all

log = logging.getLogger(__name__)
DAILY_CHECK_MS = 30 * 60 * 1000
DEMO_CLIENTS = 60
PREPARE_AFTER_MS = 250  # after the unlock screen is up, before anyone has typed much


class AppController(QObject):
    def __init__(self, app: QApplication, services: AppServices, window: MainWindow, *,
                 idle_clock: Callable[[], float] = time.monotonic, idle_check_ms: int = 5000) -> None:
        super().__init__(window)  # goes with the window, and so do its pending timers
        self.app = app
        self.services = services
        self.window = window
        self.session: Session | None = None
        self.workspace = None  # app.ui.workspace.Workspace while unlocked
        self.next_workspace = None  # its widgets, built (without data) while a key is derived
        self.folder: Path | None = None
        self.folder_info: VaultInfo | None = None
        self.resume_state = None
        self.demo_passphrase: str | None = None
        self.dialogs: list[QDialog] = []
        self.clipboard = ClipboardGuard()
        self.welcome = WelcomePage()
        self.unlock_page = UnlockPage()
        self.create_page = None  # CreateVaultPage, built on first use
        self.pending_unlock: tuple[Session, str, bool] | None = None
        self.idle = IdleWatcher(app, services.settings.autolock_minutes * 60, idle_clock, idle_check_ms)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.daily = QTimer(self)
        self.daily.setInterval(DAILY_CHECK_MS)
        self.daily.timeout.connect(self.backup_if_due)
        self.quitting = False
        self._wire()
        services.listeners.append(self._settings_changed)

    # -- wiring ------------------------------------------------------------------------------

    def _wire(self) -> None:
        self.welcome.create_requested.connect(self.show_create)
        self.welcome.open_requested.connect(self.choose_vault)
        self.welcome.restore_requested.connect(self.show_restore)
        self.unlock_page.unlock_requested.connect(self.unlock)
        self.unlock_page.open_other.connect(self.choose_vault)
        self.unlock_page.restore_requested.connect(self.show_restore)
        a = self.window.actions_
        a["new_client"].triggered.connect(lambda: self.workspace and self.workspace.new_client())
        a["import"].triggered.connect(self.show_import)
        a["export_ics"].triggered.connect(self.show_export_ics)
        a["mileage"].triggered.connect(self.show_mileage)
        a["reports"].triggered.connect(lambda: self.show_report(None))
        a["export_fhir"].triggered.connect(lambda: self.show_export_fhir(None))
        a["backup"].triggered.connect(lambda: self.backup_now("manual"))
        a["restore"].triggered.connect(self.show_restore)
        a["open_vault"].triggered.connect(self.choose_vault)
        a["lock"].triggered.connect(lambda: self.lock("manual"))
        a["quit"].triggered.connect(self.window.close)
        a["find"].triggered.connect(lambda: self.workspace and self.workspace.focus_search())
        a["edit_client"].triggered.connect(lambda: self.workspace and self.workspace.edit_client())
        a["settings"].triggered.connect(self.show_settings)
        a["today"].triggered.connect(lambda: self.workspace and self.workspace.go("today"))
        a["clients"].triggered.connect(lambda: self.workspace and self.workspace.go("clients"))
        a["back"].triggered.connect(lambda: self.workspace and self.workspace.go("clients"))
        a["discreet"].toggled.connect(self.set_discreet)
        a["help"].triggered.connect(self.show_help)
        a["about"].triggered.connect(lambda: QMessageBox.about(
            self.window, APP_NAME, _("{app} {version}\nEncrypted, offline case management.").format(
                app=APP_NAME, version=__version__)))
        self.window.close_requested.connect(self.quit)
        self.app.applicationStateChanged.connect(self._app_state)

    # -- start -------------------------------------------------------------------------------

    def start(self, vault: Path | None = None, demo: bool = False) -> None:
        if demo:
            self.prepare_demo()
            return
        if vault is None and self.services.settings.last_vault:
            vault = Path(self.services.settings.last_vault)
        if vault is not None and self.services.vaults.is_vault(vault):
            self.show_unlock(vault)
            QTimer.singleShot(0, self, self._try_remembered)
        elif vault is not None:
            self.show_welcome()
            self.window.show_status(_("There is no vault in {folder}.").format(folder=vault), 10000)
        else:
            self.show_welcome()

    def show_welcome(self) -> None:
        self.window.set_unlocked(False)
        self.window.show_page(self.welcome)

    def show_create(self) -> None:
        if self.create_page is None:
            from app.ui.pages.create_vault import CreateVaultPage  # noqa: PLC0415 - first run only

            self.create_page = CreateVaultPage(self.services, self.clipboard)
            self.create_page.cancelled.connect(self.show_welcome)
            self.create_page.finished.connect(lambda session: self._enter(session, "create"))
        self.window.show_page(self.create_page)

    def show_unlock(self, folder: Path, reason: str = "") -> None:
        self.folder = folder
        self.folder_info = self.services.vault_info(folder)  # read once for this screen
        self.window.set_unlocked(False, folder.name)
        is_demo = bool(self.folder_info and self.folder_info.demo)
        demo = self.demo_passphrase if self.demo_passphrase and is_demo else None
        self.unlock_page.set_vault(folder, demo_passphrase=demo, reason=reason)
        self.window.show_page(self.unlock_page)
        QTimer.singleShot(50, self, self._update_remember_option)
        QTimer.singleShot(PREPARE_AFTER_MS, self, self.prepare_workspace)

    def _update_remember_option(self) -> None:
        """Ask the OS credential store whether it can be trusted (slow: done off the GUI thread)."""
        info = self.folder_info
        checked = bool(info and self.services.settings.remembers(info.vault_id))
        page = self.unlock_page

        def show(reason: str | None) -> None:
            if isValid(page):  # the window may have closed meanwhile
                page.set_remember_available(reason, checked)

        run_in_background(self.services.device_keys.unavailable_reason, show,
                          lambda _exc: show(_("The credential store did not answer.")))

    def choose_vault(self) -> None:
        start = str(self.folder or self.services.paths.data_dir)
        folder = QFileDialog.getExistingDirectory(self.window, _("Open a vault folder"), start)
        if folder:
            self.open_folder(Path(folder))

    def open_folder(self, folder: Path) -> None:
        if self.session is not None:
            self.lock("switch")
        if not self.services.vaults.is_vault(folder):
            QMessageBox.information(self.window, APP_NAME, _(
                "There is no Waypoint vault in {folder}. Choose the folder that holds vault.key and vault.db."
            ).format(folder=folder))
            return
        self.show_unlock(folder)

    def prepare_demo(self) -> None:
        """A fresh demo vault of synthetic clients, its passphrase shown on the unlock screen."""
        from app.services import demo, passphrases

        folder = self.services.paths.demo_vault_dir
        self.window.show_page(self.unlock_page)
        self.unlock_page.set_vault(folder, reason=_("Preparing a demo vault of synthetic clients…"))
        self.unlock_page.set_busy(True)
        passphrase = passphrases.generate()
        vaults = self.services.vaults

        def work() -> None:
            demo.prepare_demo_vault(vaults, folder, passphrase, DEMO_CLIENTS)

        def done(_result: object) -> None:
            self.demo_passphrase = passphrase
            self.show_unlock(folder)

        run_in_background(work, done, lambda exc: self.unlock_page.show_error(str(exc)))

    # -- unlock ------------------------------------------------------------------------------

    def _try_remembered(self) -> None:
        folder = self.folder
        info = self.folder_info
        if folder is None or info is None or not self.services.settings.remembers(info.vault_id):
            return
        self.unlock_page.set_busy(True)
        keys, vaults = self.services.device_keys, self.services.vaults

        def work():  # type: ignore[no-untyped-def]
            dek = keys.recall(info.vault_id)
            return vaults.derive(folder, remembered=dek) if dek else None

        def done(key) -> None:  # type: ignore[no-untyped-def]
            if key is None:
                self.unlock_page.set_busy(False)
                return
            self._key_ready(folder, key, "device", False)

        run_in_background(work, done, lambda _exc: self.unlock_page.set_busy(False))

    def unlock(self, secret: dict, remember: bool) -> None:
        folder = self.folder
        if folder is None:
            return
        how = "recovery_key" if "recovery_key" in secret else "passphrase"
        vaults = self.services.vaults
        self.prepare_workspace()  # normally done already, while the passphrase was typed
        run_in_background(lambda: vaults.derive(folder, **secret),
                          lambda key: self._key_ready(folder, key, how, remember), self._unlock_failed)

    def prepare_workspace(self) -> None:
        """Load what the workspace needs and build its widgets ahead of the unlock (they hold
        no client data until a session is bound to them), so neither the key derivation nor the
        first screen after it waits for this."""
        theme.prewarm_icons()
        import app.services.drafts  # noqa: F401, PLC0415
        from app.ui.workspace import Workspace  # noqa: PLC0415

        format_date(date.today(), "full")  # babel's date formats and locale data
        if self.next_workspace is None:
            self.next_workspace = Workspace(None)
            self.window.stack.addWidget(self.next_workspace)  # hidden until show_page()

    def _unlock_failed(self, exc: BaseException) -> None:
        self.unlock_page.show_error(str(exc) or _("The vault could not be unlocked."), isinstance(exc, WrongSecret))

    def _key_ready(self, folder: Path, key, how: str, remember: bool) -> None:  # type: ignore[no-untyped-def]
        try:
            session = self.services.vaults.open(folder, key, how=how, background_checks=True)
        except VaultError as exc:
            self.unlock_page.show_error(str(exc))
            return
        self._enter(session, how)
        self.pending_unlock = (session, how, remember)
        self._poll_checks()

    def _poll_checks(self) -> None:
        """Until the unlock-time integrity checks finish (they run in the background)."""
        if self.pending_unlock is None:
            return
        if not self.pending_unlock[0].checks_done():
            QTimer.singleShot(20, self, self._poll_checks)
            return
        self._finish_unlock()

    def _finish_unlock(self, locking: bool = False) -> None:
        """Audit the unlock, keep the key if asked, or show the damage the checks found."""
        if self.pending_unlock is None:
            return
        session, how, remember = self.pending_unlock
        self.pending_unlock = None
        if not session.is_open:
            return
        try:
            self.services.vaults.finish_unlock(session, how)
        except VaultError as exc:
            self.window.show_status(str(exc), 12000)
        if session.read_only:
            if self.workspace is not None:
                self.workspace.mark_damaged()
            return
        if remember:
            try:
                self.services.set_remembered(session, True)
            except DeviceKeyError as exc:
                self.window.show_status(str(exc), 12000)
        if how == "recovery_key" and not locking:
            from app.ui.dialogs.keys import ChangePassphraseDialog  # noqa: PLC0415

            self._open_dialog(ChangePassphraseDialog(self.services, session, after_recovery=True, parent=self.window))

    def _enter(self, session: Session, how: str) -> None:
        from app.ui.workspace import Workspace  # noqa: PLC0415 - loaded during key derivation

        self.session = session
        self.folder = session.vault.folder
        self.services.remember_vault(self.folder)
        self.unlock_page.reset()
        discreet = self.window.actions_["discreet"].isChecked()
        if self.next_workspace is not None:
            self.workspace, self.next_workspace = self.next_workspace, None
            self.workspace.bind(session)
            self.workspace.set_discreet(discreet)
        else:
            self.workspace = Workspace(session, discreet=discreet)
        self.workspace.lock_requested.connect(lambda: self.lock("manual"))
        self.workspace.restore_requested.connect(self.show_restore)
        self.workspace.status_message.connect(self.window.show_status)
        self.workspace.report_requested.connect(lambda client_id, kind: self.show_report(client_id or None, kind or None))
        self.workspace.apply_settings(self.services.settings, refresh=False)  # the page shown next reads
        self.window.show_page(self.workspace)
        self.window.set_unlocked(True, self.folder.name, self.services.settings.autolock_minutes)
        if self.resume_state is not None:
            self.workspace.resume(self.resume_state)
            self.resume_state = None
        else:
            self.workspace.go("today")
        self.idle.set_timeout(self.services.settings.autolock_minutes * 60)
        self.idle.start()
        self.daily.start()
        QTimer.singleShot(1000, self, self.backup_if_due)

    # -- lock --------------------------------------------------------------------------------

    def lock(self, reason: str = "manual") -> None:
        """Save drafts, close every dialog and the database, drop every view of client data."""
        if self.session is None:
            return
        log.info("locking (%s)", reason)
        self._finish_unlock(locking=True)  # a lock straight after unlocking loses nothing asked for
        self.idle.stop()
        self.daily.stop()
        if self.workspace is not None:
            self.resume_state = self.workspace.prepare_lock()
        for dialog in list(self.dialogs):
            dialog.reject()
        self.dialogs.clear()
        # A read still under way on a pool thread (the caseload) stops at its next step once the
        # page is cleared; give it a moment so the database is not closed under it.
        wait_all(3000)
        session, self.session = self.session, None
        session.close()
        self.clipboard.clear()
        if self.workspace is not None:
            self.window.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        folder = self.folder or session.vault.folder
        minutes = self.services.settings.autolock_minutes
        reasons = {
            "idle": _("Locked after {n} minutes without use. Your unsaved work was kept.").format(n=minutes),
            "suspend": _("Locked because the computer went to sleep."),
        }
        self.show_unlock(folder, reasons.get(reason, _("Locked.")))

    def _app_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock("suspend")

    # -- dialogs -----------------------------------------------------------------------------

    def _open_dialog(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        dialog.open()
        return dialog

    def show_settings(self) -> None:
        from app.ui.dialogs.settings import SettingsDialog  # noqa: PLC0415

        dialog = SettingsDialog(self.services, self.session, self.window)
        dialog.change_passphrase_requested.connect(self.show_change_passphrase)
        dialog.new_recovery_key_requested.connect(self.show_new_recovery_key)
        self._open_dialog(dialog)

    def show_change_passphrase(self) -> None:
        from app.ui.dialogs.keys import ChangePassphraseDialog  # noqa: PLC0415

        if self.session is not None:
            self._open_dialog(ChangePassphraseDialog(self.services, self.session, parent=self.window))

    def show_new_recovery_key(self) -> None:
        from app.ui.dialogs.keys import NewRecoveryKeyDialog  # noqa: PLC0415

        if self.session is not None:
            self._open_dialog(NewRecoveryKeyDialog(self.services, self.session, self.clipboard, self.window))

    def show_import(self) -> None:
        from app.ui.dialogs.import_clients import ImportClientsDialog  # noqa: PLC0415

        if self.session is None or self.session.read_only:
            return
        dialog = ImportClientsDialog(self.session, self.window)
        dialog.imported.connect(self._imported)
        self._open_dialog(dialog)

    def show_export_ics(self) -> None:
        from app.ui.dialogs.export_ics import ExportIcsDialog  # noqa: PLC0415

        if self.session is not None:
            self._open_dialog(ExportIcsDialog(self.session, self.window))

    def show_mileage(self) -> None:
        from app.models.units import distance_unit  # noqa: PLC0415
        from app.ui.dialogs.mileage_log import MileageLogDialog  # noqa: PLC0415

        if self.session is not None:
            unit = distance_unit(self.services.settings.distance_unit)
            self._open_dialog(MileageLogDialog(self.session, unit, self.window))

    def show_report(self, client_id: str | None, kind: str | None = None) -> None:
        """The report dialog: about the client whose record is open (or `client_id`), else the caseload."""
        from app.ui.dialogs.report_dialog import ReportDialog  # noqa: PLC0415

        if self.session is None:
            return
        if client_id is None and self.workspace is not None:
            client_id = self.workspace.current_client_id()
        self._open_dialog(ReportDialog(self.session, self.services.settings, client_id, kind, self.window))

    def show_export_fhir(self, client_id: str | None) -> None:
        """The FHIR export of the client whose record is open (or `client_id`)."""
        from app.ui.dialogs.export_fhir import ExportFhirDialog  # noqa: PLC0415

        if self.session is None:
            return
        if client_id is None and self.workspace is not None:
            client_id = self.workspace.current_client_id()
        if client_id is None:
            self.window.show_status(_("Open a client's record first, then export it as FHIR."))
            return
        self._open_dialog(ExportFhirDialog(self.session, self.services.settings, client_id, self.window))

    def _imported(self, count: int) -> None:
        self.window.show_status(_("Imported {n} clients.").format(n=count))
        if self.workspace is not None:
            self.workspace.clients.reload()
            self.workspace.go("clients")

    def show_restore(self) -> None:
        from app.ui.dialogs.restore import RestoreDialog  # noqa: PLC0415

        if self.session is not None:
            answer = QMessageBox.question(
                self.window, _("Restore from a backup"),
                _("Waypoint locks the vault before restoring. The current vault is kept beside the restored one."),
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Ok:
                return
            self.lock("restore")
        dialog = RestoreDialog(self.services, self.folder, self.window)
        dialog.restored.connect(self._restored)
        self._open_dialog(dialog)

    def _restored(self, result) -> None:  # type: ignore[no-untyped-def]
        self.resume_state = None
        note = _("Restored. Unlock with the passphrase that was in use when the backup was made.")
        if result.previous is not None:
            note += " " + _("The previous vault is kept at {path}.").format(path=result.previous)
        self.show_unlock(result.folder, note)

    def show_help(self) -> None:
        from app.ui.dialogs.help import HelpDialog  # noqa: PLC0415

        self._open_dialog(HelpDialog(str(self.services.paths.data_dir), self.window))

    def set_discreet(self, on: bool) -> None:
        if self.workspace is not None:
            self.workspace.set_discreet(on)
        self.window.actions_["discreet"].setChecked(on)

    def _settings_changed(self, settings) -> None:  # type: ignore[no-untyped-def]
        self.idle.set_timeout(settings.autolock_minutes * 60)
        if self.workspace is not None:
            self.workspace.apply_settings(settings)
        if self.session is not None and self.folder is not None:
            self.window.set_unlocked(True, self.folder.name, settings.autolock_minutes)

    # -- backups and quitting ----------------------------------------------------------------

    def backup_if_due(self) -> None:
        if self.session is not None and not self.session.read_only and self.services.backups.due(self.session.vault.vault_id):
            self.backup_now("daily")

    def backup_now(self, reason: str = "manual", then: Callable[[bool], None] | None = None) -> None:
        session = self.session
        if session is None or session.read_only:
            if then:
                then(True)
            return
        vault = session.vault
        folder, dek, keyfile = vault.folder, vault.dek, vault.keyfile
        backups = self.services.backups
        self.window.show_status(_("Backing up…"), 0)

        def done(result) -> None:  # type: ignore[no-untyped-def]
            if session.is_open:
                backups.after(session, result)
            self.window.show_status(_("Backup saved and verified: {name}").format(name=result.path.name))
            if then:
                then(True)

        def failed(exc: BaseException) -> None:
            self.window.show_status(_("Backup failed: {reason}").format(reason=exc), 15000)
            if then:
                then(False)

        run_in_background(lambda: backups.run(folder, dek, keyfile, reason=reason), done, failed)

    def quit(self) -> None:
        """Save drafts, back up (setting), close the vault, then close the window."""
        if self.quitting:
            return
        self.quitting = True
        self._finish_unlock(locking=True)
        if self.session is None or self.session.read_only or not self.services.settings.backup_on_quit:
            self._finish_quit()
            return
        if self.workspace is not None:
            self.resume_state = self.workspace.prepare_lock()

        def after(ok: bool) -> None:
            if not ok:
                answer = QMessageBox.question(
                    self.window, APP_NAME, _("The backup failed. Quit anyway? Your records are safe in the vault."),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
                if answer != QMessageBox.StandardButton.Yes:
                    self.quitting = False
                    if self.workspace is not None and self.resume_state is not None:
                        self.workspace.resume(self.resume_state)
                    return
            self._finish_quit()

        self.window.show_status(_("Backing up before closing…"), 0)
        self.backup_now("quit", after)

    def _finish_quit(self) -> None:
        self._finish_unlock(locking=True)
        if self.session is not None:
            if self.workspace is not None and self.resume_state is None:
                self.workspace.prepare_lock()
            self.session.close()
            self.session = None
        self.clipboard.clear()
        self.idle.stop()
        self.window.allow_close = True
        self.window.close()
        self.app.quit()
