"""Errors the vault raises. Each carries a sentence for the user: what happened, what to do."""

from __future__ import annotations

from app.i18n import _


class VaultError(Exception):
    """Base class; str(error) is the user-facing sentence."""

    exit_code = 1


class WrongSecret(VaultError):
    exit_code = 3


class WrongPassphrase(WrongSecret):
    def __init__(self) -> None:
        super().__init__(
            _(
                "That passphrase did not unlock this vault. Check Caps Lock and the keyboard "
                "layout and try again, or use your recovery key."
            )
        )


class WrongRecoveryKey(WrongSecret):
    def __init__(self) -> None:
        super().__init__(
            _("That recovery key does not belong to this vault. Check it against your emergency kit.")
        )


class VaultNotFound(VaultError):
    def __init__(self, folder: object) -> None:
        super().__init__(
            _("There is no Waypoint vault in {folder}. Check the folder, or create a vault.").format(
                folder=folder
            )
        )


class VaultExists(VaultError):
    def __init__(self, folder: object) -> None:
        super().__init__(
            _("{folder} already holds a vault or other files. Choose an empty or new folder.").format(
                folder=folder
            )
        )


class KeyFileDamaged(VaultError):
    exit_code = 4

    def __init__(self, detail: str) -> None:
        super().__init__(
            _(
                "The vault's key file could not be read ({detail}). Nothing was changed. "
                "Restore the vault from a backup."
            ).format(detail=detail)
        )


class VaultDamaged(VaultError):
    """The key is right but the database failed its checks. Waypoint will not write to it."""

    exit_code = 4

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        summary = "; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")
        super().__init__(
            _(
                "The vault's database is damaged ({summary}). Waypoint will not write to it. "
                "Restore it from a backup."
            ).format(summary=summary)
        )


class VaultTooNew(VaultError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            _(
                "This vault was written by a newer version of Waypoint (format {found}; this "
                "version reads up to {supported}). Nothing was changed. Update Waypoint to open it."
            ).format(found=found, supported=supported)
        )


class ReadOnlyVault(VaultError):
    def __init__(self) -> None:
        super().__init__(
            _("The vault is damaged, so Waypoint will not change it. Restore it from a backup.")
        )


class StorageError(VaultError):
    """The disk refused a write (full, read-only, I/O error). Nothing committed was lost."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            _(
                "Waypoint could not write to the disk ({detail}). Your last change was not saved "
                "but your draft is kept. Free some space or check the drive, then try again."
            ).format(detail=detail)
        )


class BackupError(VaultError):
    pass
