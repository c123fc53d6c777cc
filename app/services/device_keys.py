"""“Remember on this device”: the vault's data key kept in the OS credential store.

Only a real OS store is accepted (macOS Keychain, Windows Credential Locker, Secret Service,
KWallet). Plaintext, null and fail backends are refused before anything is written, never
silently downgraded. A store that fails when asked falls back to the passphrase prompt.
"""

from __future__ import annotations

import logging
from typing import Any

from app.i18n import _

log = logging.getLogger(__name__)
SERVICE = "Waypoint vault key"
TRUSTED_MODULES = frozenset(
    {
        "keyring.backends.macOS",
        "keyring.backends.Windows",
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
    }
)


class DeviceKeyError(Exception):
    """str() is a sentence for the user."""


def _backend_chain(backend: Any) -> list[Any]:
    inner = getattr(backend, "backends", None)
    return list(inner) if inner is not None else [backend]


class DeviceKeyStore:
    def __init__(self, backend: Any | None = None, trusted_modules: frozenset[str] = TRUSTED_MODULES) -> None:
        self._backend = backend
        self._trusted = trusted_modules

    @property
    def backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def unavailable_reason(self) -> str | None:
        """None when the credential store is trustworthy, else a sentence saying why not."""
        try:
            chain = _backend_chain(self.backend)
        except Exception as exc:  # noqa: BLE001 - any keyring failure means "not available"
            log.info("keyring backend unavailable: %s", type(exc).__name__)
            chain = []
        if not chain or any(type(b).__module__ not in self._trusted for b in chain):
            return _(
                "This computer has no secure credential store Waypoint can use, so the vault "
                "can't be remembered here. You'll be asked for the passphrase each time."
            )
        return None

    def remember(self, vault_id: str, dek: bytes) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise DeviceKeyError(reason)
        try:
            self.backend.set_password(SERVICE, vault_id, dek.hex())
        except Exception as exc:  # noqa: BLE001 - the OS store's own errors vary by platform
            log.warning("keyring refused to store the key: %s", type(exc).__name__)
            raise DeviceKeyError(
                _("The credential store refused to keep the key. You'll be asked for the passphrase.")
            ) from None

    def recall(self, vault_id: str) -> bytes | None:
        """The remembered key, or None (not remembered, untrusted or failing store)."""
        if self.unavailable_reason():
            return None
        try:
            value = self.backend.get_password(SERVICE, vault_id)
        except Exception as exc:  # noqa: BLE001 - fall back to the prompt on any store failure
            log.warning("keyring lookup failed: %s", type(exc).__name__)
            return None
        if not value:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return None
        return key if len(key) == 32 else None

    def forget(self, vault_id: str) -> None:
        if self.unavailable_reason():
            return
        try:
            self.backend.delete_password(SERVICE, vault_id)
        except Exception as exc:  # noqa: BLE001 - nothing stored is not an error here
            log.info("keyring delete: %s", type(exc).__name__)
