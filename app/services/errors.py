"""Errors raised by services, carrying the sentence the user sees."""

from __future__ import annotations

from app.i18n import _
from app.store.db import DatabaseError as DataReadError
from app.store.errors import (
    BackupError,
    ReadOnlyVault,
    StorageError,
    VaultDamaged,
    VaultError,
    VaultTooNew,
    WrongPassphrase,
    WrongRecoveryKey,
    WrongSecret,
)

__all__ = [
    "BackupError", "DataReadError", "NotFound", "ReadOnlyVault", "StorageError", "ValidationError", "VaultDamaged",
    "VaultError", "VaultTooNew", "WrongPassphrase", "WrongRecoveryKey", "WrongSecret",
]


class ValidationError(VaultError):
    """Input that cannot be saved. `problems` maps a field name to what to do about it."""

    def __init__(self, problems: dict[str, str], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or _("Some fields need attention before this can be saved."))


class NotFound(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(_("{what} could not be found. It may have been removed.").format(what=what))
