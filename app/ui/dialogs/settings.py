"""Settings: small pages, each with load() and save(). Secrets are never stored here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import SUPPORTED_LANGUAGES, _, format_date, format_datetime
from app.models.contacts import QUIET_DAYS_MAX, QUIET_DAYS_MIN
from app.models.transitions import DEFAULT_LEVELS, level_label, levels_problem, parse_check_in_days
from app.models.units import DistanceUnit, distance_unit
from app.services.context import AppServices
from app.services.device_keys import DeviceKeyError
from app.services.session import Session
from app.services.settings import AUTOLOCK_MAX, AUTOLOCK_MIN, Settings
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    FieldGrid,
    dialog_buttons,
    muted_label,
)
from app.ui.widgets.inputs import PathField

LOCALES = ["en_US", "en_CA", "en_GB", "en_AU", "es_US", "es_MX", "es_ES"]


class SettingsPage(QWidget):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(SPACING * 2, SPACING, SPACING, SPACING)
        self.layout_.setSpacing(SPACING * 2)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        self.layout_.addWidget(heading)
        self.grid = FieldGrid(columns=1)
        self.layout_.addWidget(self.grid)

    def load(self, settings: Settings) -> None:
        raise NotImplementedError

    def save(self, settings: Settings) -> Settings:
        raise NotImplementedError

    def finish(self) -> None:
        self.layout_.addStretch(1)


class PracticePage(SettingsPage):
    def __init__(self) -> None:
        super().__init__(_("You and your practice"))
        self.layout_.insertWidget(1, muted_label(_("Printed on reports you hand to other providers.")))
        self.name = self.grid.add("name", _("Your name"), QLineEdit())
        self.credentials = self.grid.add("credentials", _("Credentials"), QLineEdit(), hint=_("e.g. LCSW, CCM"))
        self.practice = self.grid.add("practice", _("Practice name"), QLineEdit())
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(72)
        self.grid.add("address", _("Practice address"), self.address)
        self.phone = self.grid.add("phone", _("Practice phone"), QLineEdit())
        logo = PathField(_("Browse for a logo image"), self._browse)
        self.logo = logo.edit
        self.grid.add("logo", _("Logo (PNG or JPEG)"), logo)
        self.finish()

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Choose a logo"), self.logo.text(), _("Images (*.png *.jpg *.jpeg)"))
        if path:
            self.logo.setText(path)

    def load(self, s: Settings) -> None:
        self.name.setText(s.case_manager_name)
        self.credentials.setText(s.case_manager_credentials)
        self.practice.setText(s.practice_name)
        self.address.setPlainText(s.practice_address)
        self.phone.setText(s.practice_phone)
        self.logo.setText(s.practice_logo)

    def problems(self) -> dict[str, str]:
        logo = self.logo.text().strip()
        if logo and (not Path(logo).is_file() or Path(logo).suffix.lower() not in (".png", ".jpg", ".jpeg")):
            return {"logo": _("Choose a PNG or JPEG file that exists, or leave this empty.")}
        return {}

    def save(self, s: Settings) -> Settings:
        return replace(s, case_manager_name=self.name.text().strip(),
                       case_manager_credentials=self.credentials.text().strip(),
                       practice_name=self.practice.text().strip(),
                       practice_address=self.address.toPlainText().strip(), practice_phone=self.phone.text().strip(),
                       practice_logo=self.logo.text().strip())


class RegionPage(SettingsPage):
    def __init__(self) -> None:
        super().__init__(_("Language and region"))
        self.language = QComboBox()
        self.language.addItem(_("Same as the computer"), "")
        for code, name in SUPPORTED_LANGUAGES.items():
            self.language.addItem(name, code)
        self.grid.add("language", _("Language"), self.language)
        self.locale = QComboBox()
        self.locale.addItem(_("Same as the computer"), "")
        for code in LOCALES:
            self.locale.addItem(code.replace("_", "-"), code)
        self.grid.add("locale", _("Dates and numbers"), self.locale)
        self.distance_unit = QComboBox()
        self.distance_unit.addItem("", "")  # the region's own unit, named in _sample
        for unit in DistanceUnit:
            self.distance_unit.addItem(unit.label, unit.value)
        self.grid.add("distance_unit", _("Distances in the mileage log"), self.distance_unit)
        self.sample = muted_label("")
        self.layout_.addWidget(self.sample)
        self.layout_.addWidget(muted_label(_("A new language or region applies the next time Waypoint starts.")))
        self.locale.currentIndexChanged.connect(self._sample)
        self.finish()

    def _sample(self) -> None:
        from babel.dates import format_date as babel_date

        code = self.locale.currentData() or None
        sample = date(2026, 3, 14)
        shown = babel_date(sample, "full", locale=code) if code else format_date(sample, "full")
        self.sample.setText(_("Example: {date}").format(date=shown))
        regional = distance_unit("", code)
        self.distance_unit.setItemText(0, _("As in the region ({unit})").format(unit=regional.label.lower()))

    def load(self, s: Settings) -> None:
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))
        self.locale.setCurrentIndex(max(0, self.locale.findData(s.locale)))
        self.distance_unit.setCurrentIndex(max(0, self.distance_unit.findData(s.distance_unit)))
        self._sample()

    def save(self, s: Settings) -> Settings:
        return replace(s, language=self.language.currentData() or "", locale=self.locale.currentData() or "",
                       distance_unit=self.distance_unit.currentData() or "")


class SecurityPage(SettingsPage):
    def __init__(self, services: AppServices, session: Session | None) -> None:
        super().__init__(_("Security"))
        self.services = services
        self.session = session
        self.autolock = QSpinBox()
        self.autolock.setRange(AUTOLOCK_MIN, AUTOLOCK_MAX)
        self.autolock.setSuffix(" " + _("minutes"))
        self.autolock.setMaximumWidth(220)
        self.grid.add("autolock", _("Lock after this long without use"), self.autolock,
                      hint=_("From 1 to 30 minutes. Ctrl+L locks at once."))
        self.remember = QCheckBox(_("Remember this vault on this device"))
        self.grid.add("remember", _("Start-up"), self.remember)
        reason = services.device_keys.unavailable_reason()
        self.remember_note = muted_label(reason or _(
            "The key is kept in this computer's credential store. You still type the passphrase "
            "after an idle lock."))
        self.layout_.addWidget(self.remember_note)
        self.remember.setEnabled(reason is None and session is not None)
        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        row = QHBoxLayout()
        self.change_passphrase = QPushButton(_("Change passphrase…"))
        self.change_passphrase.setEnabled(session is not None and not session.read_only)
        row.addWidget(self.change_passphrase)
        self.new_recovery = QPushButton(_("Make a new recovery key…"))
        self.new_recovery.setEnabled(session is not None and not session.read_only)
        row.addWidget(self.new_recovery)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.finish()

    def load(self, s: Settings) -> None:
        self.autolock.setValue(s.autolock_minutes)
        vault_id = self.session.vault.vault_id if self.session else ""
        self.remember.setChecked(bool(vault_id) and s.remembers(vault_id))

    def save(self, s: Settings) -> Settings:
        return replace(s, autolock_minutes=self.autolock.value())

    def apply_remember(self) -> str | None:
        """Store or forget the key if the checkbox changed; returns an error sentence if refused."""
        if self.session is None or not self.remember.isEnabled():
            return None
        wanted = self.remember.isChecked()
        if wanted == self.services.settings.remembers(self.session.vault.vault_id):
            return None
        try:
            self.services.set_remembered(self.session, wanted)
        except DeviceKeyError as exc:
            self.remember.setChecked(False)
            return str(exc)
        return None


class BackupPage(SettingsPage):
    def __init__(self, services: AppServices, session: Session | None) -> None:
        super().__init__(_("Backups"))
        self.services = services
        self.session = session
        folder = PathField(_("Browse for the backup folder"), self._browse)
        self.folder = folder.edit
        self.folder.setPlaceholderText(str(services.paths.default_backup_dir))
        self.grid.add("folder", _("Backup folder (an external drive is a good choice)"), folder)
        self.daily = self._spin("daily", _("Keep daily backups for"), _("days"), 1, 366)
        self.weekly = self._spin("weekly", _("Keep weekly backups for"), _("weeks"), 0, 520)
        self.monthly = self._spin("monthly", _("Keep monthly backups for"), _("months"), 0, 240)
        self.on_quit = QCheckBox(_("Back up when Waypoint closes"))
        self.grid.add("on_quit", _("Automatic backups"), self.on_quit)
        self.layout_.addWidget(muted_label(_(
            "Waypoint also backs up once a day while you work. Backups are encrypted with the vault's "
            "key: restore them with the passphrase in use when they were made, or the recovery key.")))
        self.last = muted_label("")
        self.layout_.addWidget(self.last)
        self.finish()

    def _spin(self, name: str, label: str, suffix: str, low: int, high: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSuffix(" " + suffix)
        spin.setMaximumWidth(220)
        self.grid.add(name, label, spin)
        return spin

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the backup folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def load(self, s: Settings) -> None:
        self.folder.setText(s.backup_folder)
        self.daily.setValue(s.backup_keep_daily)
        self.weekly.setValue(s.backup_keep_weekly)
        self.monthly.setValue(s.backup_keep_monthly)
        self.on_quit.setChecked(s.backup_on_quit)
        if self.session is not None:
            last = self.services.backups.last_backup(self.session.vault.vault_id)
            when = format_datetime(last.replace(tzinfo=UTC), "short") if last else ""
            self.last.setText(_("Last backup: {when}").format(when=when) if last else _("No backup yet."))

    def problems(self) -> dict[str, str]:
        text = self.folder.text().strip()
        if text and Path(text).expanduser().exists() and not Path(text).expanduser().is_dir():
            return {"folder": _("That is a file, not a folder. Choose a folder.")}
        return {}

    def save(self, s: Settings) -> Settings:
        return replace(s, backup_folder=self.folder.text().strip(), backup_keep_daily=self.daily.value(),
                       backup_keep_weekly=self.weekly.value(), backup_keep_monthly=self.monthly.value(),
                       backup_on_quit=self.on_quit.isChecked())


class CarePage(SettingsPage):
    def __init__(self) -> None:
        super().__init__(_("Care coordination"))
        self.quiet_days = QSpinBox()
        self.quiet_days.setRange(QUIET_DAYS_MIN, QUIET_DAYS_MAX)
        self.quiet_days.setSuffix(" " + _("days"))
        self.quiet_days.setMaximumWidth(220)
        self.grid.add("quiet_days", _("Flag a care-team member not in touch for"), self.quiet_days,
                      hint=_("From {low} to {high} days. 30 is the usual choice.").format(
                          low=QUIET_DAYS_MIN, high=QUIET_DAYS_MAX))
        self.layout_.addWidget(muted_label(_(
            "They are flagged on the client's Team tab and listed on Today, counting from the last day they "
            "were in touch (or the day they joined the team).")))
        heading = QLabel(_("Transitions"))
        heading.setFont(theme.scaled_font(self, 1.1, bold=True))
        self.layout_.addWidget(heading)
        # Its own grid, below the note above; problems() shows its errors (the dialog knows `grid` only).
        self.transition_grid = FieldGrid(columns=1)
        self.check_in_days = QLineEdit()
        self.check_in_days.setMaximumWidth(320)
        self.check_in_days.setPlaceholderText("3, 7, 30, 90")
        self.transition_grid.add(
            "check_in_days", _("Check-ins after a transition, in days"), self.check_in_days,
            hint=_("Whole days after the transition, separated by commas (up to 8)."))
        self.levels = QPlainTextEdit()
        self.levels.setTabChangesFocus(True)
        self.levels.setFixedHeight(112)
        self.levels.setMaximumWidth(320)
        self.transition_grid.add("levels", _("Levels of care, one per line"), self.levels,
                                 hint=_("Offered as “from” and “to” when you record a transition."))
        self.layout_.addWidget(self.transition_grid)
        self.layout_.addWidget(muted_label(_(
            "Each check-in is planned with the client and with the receiving provider, and proposed for the "
            "calendar when it comes up.")))
        self.finish()

    def load(self, s: Settings) -> None:
        self.quiet_days.setValue(s.care_team_quiet_days)
        self.check_in_days.setText(", ".join(str(d) for d in s.check_in_days))
        self.levels.setPlainText("\n".join(level_label(level) for level in s.levels_of_care))

    def _levels(self) -> tuple[str, ...]:
        """The lines as levels: a default level's own words map back to its key."""
        keys = {level_label(level).casefold(): level for level in DEFAULT_LEVELS}
        lines = [line.strip() for line in self.levels.toPlainText().splitlines() if line.strip()]
        return tuple(keys.get(line.casefold(), line) for line in lines)

    def problems(self) -> dict[str, str]:
        """Each problem is shown next to its field here (a sentence on bad input)."""
        self.transition_grid.clear_errors()
        problems: dict[str, str] = {}
        try:
            parse_check_in_days(self.check_in_days.text())
        except ValueError as exc:
            problems["check_in_days"] = str(exc)
        problem = levels_problem(self._levels())
        if problem:
            problems["levels"] = problem
        for name, message in problems.items():
            self.transition_grid.set_error(name, message)
        return problems

    def save(self, s: Settings) -> Settings:
        return replace(s, care_team_quiet_days=self.quiet_days.value(),
                       check_in_days=parse_check_in_days(self.check_in_days.text()), levels_of_care=self._levels())


class SettingsDialog(QDialog):
    change_passphrase_requested = Signal()
    new_recovery_key_requested = Signal()

    def __init__(self, services: AppServices, session: Session | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session = session
        self.setWindowTitle(_("Settings"))
        self.setModal(True)
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        self.error = Banner("error")
        layout.addWidget(self.error)
        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("SettingsList")
        self.list.setAccessibleName(_("Settings pages"))
        self.list.setFixedWidth(200)
        self.stack = QStackedWidget()
        self.security = SecurityPage(services, session)
        self.backup = BackupPage(services, session)
        self.care = CarePage()
        self.pages: list[SettingsPage] = [PracticePage(), RegionPage(), self.security, self.backup, self.care]
        for page in self.pages:
            self.list.addItem(page.title)
            self.list.item(self.list.count() - 1).setSizeHint(QSize(0, 36))
            self.stack.addWidget(page)
            page.load(services.settings)
        self.list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.security.change_passphrase.clicked.connect(self.change_passphrase_requested)
        self.security.new_recovery.clicked.connect(self.new_recovery_key_requested)
        self.list.setCurrentRow(0)
        body.addWidget(self.list)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        _cancel, self.save_button = dialog_buttons(self, layout, _("Save settings"), self.save)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_page(self, page: SettingsPage) -> None:
        self.list.setCurrentRow(self.pages.index(page))

    def save(self) -> None:
        self.error.setVisible(False)
        for page in self.pages:
            page.grid.clear_errors()
            problems = getattr(page, "problems", lambda: {})()
            if problems:
                for name, message in problems.items():
                    page.grid.set_error(name, message)
                self.show_page(page)
                self.error.show_message(_("Some settings need attention."), "error")
                return
        new = self.services.settings
        for page in self.pages:
            new = page.save(new)
        self.services.update_settings(new, self.session)
        problem = self.security.apply_remember()
        if problem:
            self.show_page(self.security)
            self.error.show_message(problem, "error")
            return
        self.accept()
