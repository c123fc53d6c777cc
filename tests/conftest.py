"""Shared fixtures. Every test gets its own app home (config, data, logs, temp) under tmp_path,
the KDF at its floor (Argon2id m=64 MiB, t=3 — never weaker), and offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WAYPOINT_KDF_TARGET_MS"] = "0"
os.environ.pop("WAYPOINT_PASSPHRASE", None)

from collections.abc import Iterator  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from app.models.client import ClientFields  # noqa: E402
from app.services.clock import FixedClock  # noqa: E402
from app.services.context import AppServices  # noqa: E402
from app.services.device_keys import DeviceKeyStore  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.session import Session  # noqa: E402

PASSPHRASE = "violet kettle drums under 7 bridges"


class MemoryKeyring(KeyringBackend):
    """An in-memory credential store standing in for the OS one (this machine has none)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    monkeypatch.setenv("WAYPOINT_HOME", str(root))
    return root


@pytest.fixture
def paths(home: Path) -> AppPaths:
    p = AppPaths.default()
    p.ensure()
    return p


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def services(paths: AppPaths, clock: FixedClock, memory_keyring: MemoryKeyring) -> AppServices:
    trusted = frozenset({MemoryKeyring.__module__})
    return AppServices.build(paths, clock, DeviceKeyStore(memory_keyring, trusted))


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def session(services: AppServices, vault_dir: Path) -> Iterator[Session]:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    yield created.session
    if created.session.is_open:
        created.session.close()


def person(**overrides: object) -> ClientFields:
    values: dict[str, object] = {
        "first_name": "Ana",
        "last_name": "Quintero",
        "date_of_birth": date(1984, 5, 17),
        "phone": "(555) 201-3344",
    }
    values.update(overrides)
    return ClientFields(**values)  # type: ignore[arg-type]
