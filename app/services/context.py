"""The composition of services for one running app (GUI or CLI): built once, passed down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.backups import BackupService
from app.services.clock import Clock
from app.services.device_keys import DeviceKeyStore
from app.services.paths import AppPaths
from app.services.settings import Settings, SettingsStore
from app.services.vault_service import VaultService
from app.store.keyfile import read_keyfile
from app.store.vault import is_vault

if TYPE_CHECKING:
    from app.services.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VaultInfo:
    folder: Path
    vault_id: str
    demo: bool


@dataclass
class AppServices:
    paths: AppPaths
    settings_store: SettingsStore
    settings: Settings
    backups: BackupService
    vaults: VaultService
    device_keys: DeviceKeyStore
    clock: Clock
    listeners: list[Callable[[Settings], None]] = field(default_factory=list)

    @classmethod
    def build(
        cls, paths: AppPaths, clock: Clock | None = None, device_keys: DeviceKeyStore | None = None
    ) -> AppServices:
        clock = clock or Clock()
        store = SettingsStore(paths.settings_file)
        holder: dict[str, Settings] = {"settings": store.load()}
        backups = BackupService(lambda: holder["settings"], paths.default_backup_dir, clock)
        services = cls(
            paths=paths,
            settings_store=store,
            settings=holder["settings"],
            backups=backups,
            vaults=VaultService(backups, clock),
            device_keys=device_keys or DeviceKeyStore(),
            clock=clock,
        )
        # The backup service reads settings through the holder; keep it in step.
        services.listeners.append(lambda s: holder.__setitem__("settings", s))
        return services

    def update_settings(self, new: Settings, session: Session | None = None) -> Settings:
        """Save settings, tell listeners, and audit which settings changed (names only)."""
        new = new.validated()
        changed = [f.name for f in fields(Settings) if getattr(new, f.name) != getattr(self.settings, f.name)]
        self.settings_store.save(new)
        self.settings = new
        for listener in self.listeners:
            listener(new)
        audited = [n for n in changed if n not in ("last_vault", "recent_vaults")]
        if audited and session is not None and session.is_open and not session.read_only:
            session.record("settings.change", "settings", "", "fields=" + ",".join(audited))
        return new

    def vault_info(self, folder: Path) -> VaultInfo | None:
        """The id of the vault in `folder` (from its key file), or None if there is none."""
        if not is_vault(folder):
            return None
        try:
            keyfile = read_keyfile(folder)
        except Exception as exc:  # noqa: BLE001 - an unreadable key file is reported at unlock
            log.info("key file unreadable: %s", type(exc).__name__)
            return VaultInfo(folder, "", False)
        return VaultInfo(folder, keyfile.vault_id, keyfile.demo)

    def set_remembered(self, session: Session, on: bool) -> None:
        """Keep (or drop) this vault's key in the OS credential store; DeviceKeyError if refused."""
        vault_id = session.vault.vault_id
        if on:
            self.device_keys.remember(vault_id, session.vault.dek)
            remembered = tuple(sorted({*self.settings.remembered_vaults, vault_id}))
        else:
            self.device_keys.forget(vault_id)
            remembered = tuple(v for v in self.settings.remembered_vaults if v != vault_id)
        self.update_settings(replace(self.settings, remembered_vaults=remembered), session)

    def remember_vault(self, folder: Path) -> None:
        text = str(folder.absolute())
        recent = tuple([text, *[v for v in self.settings.recent_vaults if v != text]][:5])
        if self.settings.last_vault != text or self.settings.recent_vaults != recent:
            self.update_settings(replace(self.settings, last_vault=text, recent_vaults=recent))


def start_process(debug: bool = False) -> AppServices:
    """What every entry point (app and CLI) does first: process hygiene, logging, then settings,
    services and the locale they choose."""
    import os

    from app.i18n import set_locale
    from app.services.logs import configure_logging
    from app.services.paths import harden_process

    paths = AppPaths.default()
    harden_process(paths)
    configure_logging(paths.log_dir, debug=debug or bool(os.environ.get("WAYPOINT_DEBUG")))
    services = AppServices.build(paths)
    set_locale(services.settings.locale or None, services.settings.language or None)
    return services
