"""The key file: envelope keys for a vault.

The database is keyed with a random 32-byte data key (DEK). The DEK is stored only wrapped
(AES-256-GCM, vault id and slot name as associated data) under two key-encryption keys:
- the passphrase slot: Argon2id of the NFKC-normalised passphrase, calibrated to ~0.5–1 s;
- the recovery slot: HKDF-SHA256 of a 160-bit random recovery key shown once at creation.
The file is JSON holding only non-secret parameters, salts, nonces and wrapped keys. It is written
atomically and the previous generation is kept beside it as `vault.key.prev`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.models.passphrase import new_recovery_key, normalise, parse_recovery_key
from app.store.errors import KeyFileDamaged, WrongPassphrase, WrongRecoveryKey
from app.store.files import atomic_copy, atomic_write

KEYFILE_NAME = "vault.key"
PREVIOUS_KEYFILE_NAME = "vault.key.prev"
FORMAT = "waypoint-keyfile"
VERSION = 1
DEK_BYTES = 32


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. FLOOR is the minimum ever used (m = 64 MiB, t = 3)."""

    time_cost: int
    memory_kib: int
    parallelism: int


FLOOR = KdfParams(time_cost=3, memory_kib=64 * 1024, parallelism=2)
MAX_TIME_COST = 40


def derive_passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        normalise(passphrase).encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def calibrate(
    target_seconds: float = 0.7, clock: Callable[[], float] = time.perf_counter
) -> KdfParams:
    """Raise Argon2id's time cost from the floor until one derivation takes ~target_seconds.

    Two measurements: the floor, then the estimate (allocating the memory is a fixed cost the
    first estimate over-counts), so the result lands close to the target on this machine."""
    salt = secrets.token_bytes(16)

    def measure(params: KdfParams) -> float:
        start = clock()
        derive_passphrase_kek("calibration", salt, params)
        return max(clock() - start, 1e-3)

    elapsed = measure(FLOOR)
    if elapsed >= target_seconds:
        return FLOOR
    cost = min(MAX_TIME_COST, max(FLOOR.time_cost, round(FLOOR.time_cost * target_seconds / elapsed)))
    estimate = replace(FLOOR, time_cost=cost)
    elapsed = measure(estimate)
    cost = min(MAX_TIME_COST, max(FLOOR.time_cost, round(cost * target_seconds / elapsed)))
    return replace(FLOOR, time_cost=cost)


def _recovery_kek(symbols: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"waypoint recovery slot v1"
    ).derive(symbols.encode("ascii"))


def _aad(vault_id: str, slot: str) -> bytes:
    return f"waypoint:{vault_id}:{slot}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True, slots=True)
class Slot:
    """One wrapped copy of the DEK."""

    salt: bytes
    nonce: bytes
    wrapped: bytes
    kdf: KdfParams | None = None  # None for the recovery slot (HKDF)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
        }
        if self.kdf is not None:
            data["kdf"] = {
                "name": "argon2id",
                "time_cost": self.kdf.time_cost,
                "memory_kib": self.kdf.memory_kib,
                "parallelism": self.kdf.parallelism,
            }
        else:
            data["kdf"] = {"name": "hkdf-sha256"}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        kdf = data["kdf"]
        params = None
        if kdf["name"] == "argon2id":
            params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"]))
            if params.memory_kib < FLOOR.memory_kib or params.time_cost < 1:
                raise ValueError("KDF parameters below the floor")
        elif kdf["name"] != "hkdf-sha256":
            raise ValueError("unknown KDF")
        return cls(_unb64(data["salt"]), _unb64(data["nonce"]), _unb64(data["wrapped"]), params)


def _wrap(kek: bytes, dek: bytes, vault_id: str, slot: str) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return nonce, AESGCM(kek).encrypt(nonce, dek, _aad(vault_id, slot))


def _unwrap(kek: bytes, slot: Slot, vault_id: str, name: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, _aad(vault_id, name))
    except InvalidTag:
        return None


def key_check_value(dek: bytes, vault_id: str) -> bytes:
    """A non-secret fingerprint of the DEK, so a remembered key can be checked before use."""
    return hmac.new(dek, b"waypoint key check:" + vault_id.encode("ascii"), hashlib.sha256).digest()[:16]


@dataclass(frozen=True, slots=True)
class KeyFile:
    vault_id: str
    generation: int
    created_at: str
    passphrase: Slot
    recovery: Slot
    key_check: bytes
    demo: bool = False

    def matches(self, dek: bytes) -> bool:
        return hmac.compare_digest(key_check_value(dek, self.vault_id), self.key_check)

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "generation": self.generation,
            "created_at": self.created_at,
            "demo": self.demo,
            "key_check": _b64(self.key_check),
            "slots": {"passphrase": self.passphrase.to_json(), "recovery": self.recovery.to_json()},
        }
        return (json.dumps(doc, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        try:
            doc = json.loads(data.decode("utf-8"))
            if doc.get("format") != FORMAT:
                raise ValueError("not a Waypoint key file")
            if int(doc["version"]) > VERSION:
                raise ValueError("key file from a newer Waypoint")
            vault_id = str(uuid.UUID(doc["vault_id"]))
            return cls(
                vault_id=vault_id,
                generation=int(doc["generation"]),
                created_at=str(doc["created_at"]),
                passphrase=Slot.from_json(doc["slots"]["passphrase"]),
                recovery=Slot.from_json(doc["slots"]["recovery"]),
                key_check=_unb64(doc["key_check"]),
                demo=bool(doc.get("demo", False)),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise KeyFileDamaged(str(exc) or type(exc).__name__) from exc

    @property
    def kdf(self) -> KdfParams:
        assert self.passphrase.kdf is not None
        return self.passphrase.kdf


def _passphrase_slot(passphrase: str, dek: bytes, vault_id: str, params: KdfParams) -> Slot:
    salt = secrets.token_bytes(16)
    nonce, wrapped = _wrap(derive_passphrase_kek(passphrase, salt, params), dek, vault_id, "passphrase")
    return Slot(salt, nonce, wrapped, params)


def _recovery_slot(recovery_key: str, dek: bytes, vault_id: str) -> Slot:
    salt = secrets.token_bytes(16)
    kek = _recovery_kek(parse_recovery_key(recovery_key), salt)
    nonce, wrapped = _wrap(kek, dek, vault_id, "recovery")
    return Slot(salt, nonce, wrapped, None)


@dataclass(frozen=True, slots=True)
class NewKeys:
    keyfile: KeyFile
    dek: bytes
    recovery_key: str


def create_keys(passphrase: str, params: KdfParams, *, demo: bool = False) -> NewKeys:
    """A fresh DEK wrapped under the passphrase and a fresh recovery key."""
    vault_id = str(uuid.uuid4())
    dek = secrets.token_bytes(DEK_BYTES)
    recovery_key = new_recovery_key()
    keyfile = KeyFile(
        vault_id=vault_id,
        generation=1,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passphrase=_passphrase_slot(passphrase, dek, vault_id, params),
        recovery=_recovery_slot(recovery_key, dek, vault_id),
        key_check=key_check_value(dek, vault_id),
        demo=demo,
    )
    return NewKeys(keyfile, dek, recovery_key)


def unlock_with_passphrase(keyfile: KeyFile, passphrase: str) -> bytes:
    kek = derive_passphrase_kek(passphrase, keyfile.passphrase.salt, keyfile.kdf)
    dek = _unwrap(kek, keyfile.passphrase, keyfile.vault_id, "passphrase")
    if dek is None:
        raise WrongPassphrase()
    return dek


def unlock_with_recovery_key(keyfile: KeyFile, recovery_key: str) -> bytes:
    try:
        symbols = parse_recovery_key(recovery_key)
    except ValueError:
        raise WrongRecoveryKey() from None
    dek = _unwrap(_recovery_kek(symbols, keyfile.recovery.salt), keyfile.recovery, keyfile.vault_id, "recovery")
    if dek is None:
        raise WrongRecoveryKey()
    return dek


def with_new_passphrase(keyfile: KeyFile, dek: bytes, passphrase: str, params: KdfParams) -> KeyFile:
    """The next generation of the key file: same DEK, re-wrapped under a new passphrase."""
    return replace(
        keyfile,
        generation=keyfile.generation + 1,
        passphrase=_passphrase_slot(passphrase, dek, keyfile.vault_id, params),
    )


def with_new_recovery_key(keyfile: KeyFile, dek: bytes) -> tuple[KeyFile, str]:
    """The next generation with a new recovery key; the old recovery key stops working."""
    recovery_key = new_recovery_key()
    updated = replace(
        keyfile,
        generation=keyfile.generation + 1,
        recovery=_recovery_slot(recovery_key, dek, keyfile.vault_id),
    )
    return updated, recovery_key


def read_keyfile(folder: Path) -> KeyFile:
    path = folder / KEYFILE_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileDamaged("the file vault.key is missing") from None
    return KeyFile.from_bytes(data)


def write_keyfile(folder: Path, keyfile: KeyFile) -> None:
    """Write atomically, first keeping the current generation as vault.key.prev."""
    current = folder / KEYFILE_NAME
    if current.exists():
        atomic_copy(current, folder / PREVIOUS_KEYFILE_NAME)
    atomic_write(current, keyfile.to_bytes())
