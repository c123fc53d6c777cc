"""The one connection factory. Nothing else in Waypoint opens the database.

Opening recipe (SECURITY.md):
1. `PRAGMA cipher_log_level = NONE` (reads no data), then the raw 32-byte key as the first
   statement that touches the database, with tracing off.
2. Verify with a read of sqlite_schema; a failure means a wrong key or a damaged file, and no file
   is changed. An existing file that will not open is never recreated or overwritten.
3. WAL, synchronous FULL, foreign keys on, temp store in MEMORY, busy timeout, untrusted schema —
   each asserted after it is set. Extension loading is never enabled.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from app.store.errors import StorageError, VaultDamaged
from app.store.files import create_private_file

log = logging.getLogger(__name__)
DB_NAME = "vault.db"
Connection = sqlcipher3.Connection
DatabaseError = sqlcipher3.DatabaseError
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32 * 1024

_PRAGMAS: tuple[tuple[str, str, Any], ...] = (
    # (statement, check statement, expected value)
    ("PRAGMA journal_mode = WAL", "PRAGMA journal_mode", "wal"),
    ("PRAGMA synchronous = FULL", "PRAGMA synchronous", 2),
    ("PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", 1),
    ("PRAGMA temp_store = MEMORY", "PRAGMA temp_store", 2),
    (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA busy_timeout", BUSY_TIMEOUT_MS),
    ("PRAGMA trusted_schema = OFF", "PRAGMA trusted_schema", 0),
    (f"PRAGMA cache_size = -{CACHE_KIB}", "PRAGMA cache_size", -CACHE_KIB),
)


def _key_statement(dek: bytes) -> str:
    # The key is 32 random bytes rendered by bytes.hex(): only [0-9a-f]{64} can reach the SQL.
    # A passphrase is never placed in SQL; it is only ever an input to the KDF.
    if not isinstance(dek, bytes) or len(dek) != 32:
        raise ValueError("the data key must be exactly 32 bytes")
    return "PRAGMA key = \"x'" + dek.hex() + "'\""


def key_literal(dek: bytes) -> str:
    """The raw-key form SQLCipher accepts as a bound ATTACH ... KEY parameter."""
    if not isinstance(dek, bytes) or len(dek) != 32:
        raise ValueError("the data key must be exactly 32 bytes")
    return "x'" + dek.hex() + "'"


@dataclass(frozen=True, slots=True)
class OpenResult:
    connection: Connection
    user_version: int


def _is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlcipher3.DatabaseError)


def connect(path: Path, dek: bytes, *, create: bool = False, read_only: bool = False) -> Connection:
    """Open (or with create=True make a new, empty) vault database keyed with `dek`.

    Raises VaultDamaged when the key is correct (it came from an authenticated unwrap) but the
    file cannot be read, and FileNotFoundError when the file does not exist and create is False.
    """
    if create:
        # Exclusive create with mode 0600 before SQLite sees the path: never overwrite anything.
        os.close(create_private_file(path))
    elif not path.is_file():
        raise FileNotFoundError(path)
    mode = "ro" if read_only else "rw"
    uri = path.resolve().as_uri() + f"?mode={mode}"
    # A connection may be opened on a worker thread (slow unlock) and handed to the GUI thread;
    # it is never used by two threads at once.
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.set_trace_callback(None)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_statement(dek))
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise VaultDamaged([_describe(exc)]) from None
    return conn


def configure(conn: Connection) -> None:
    """Apply and assert the recipe's pragmas (after the version check, so a refused vault
    from a newer Waypoint is never switched to WAL or otherwise touched)."""
    for statement, check, expected in _PRAGMAS:
        conn.execute(statement)
        value = conn.execute(check).fetchone()[0]
        if value != expected:
            conn.close()
            raise StorageError(f"{check} is {value!r}, expected {expected!r}")


def user_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


def integrity_problems(
    conn: Connection,
    *,
    full: bool = False,
    path: Path | None = None,
    dek: bytes | None = None,
    meanwhile: Callable[[Connection], object] | None = None,
) -> list[str]:
    """Cipher (per-page HMAC) and SQLite structural problems, each naming what failed.

    Given the database's `path` and `dek`, the cipher check runs on a second, read-only
    connection in a thread while the structural check runs on `conn`: the same two checks in
    about the time of the longer one (both release the GIL, and unlock waits on them).
    `meanwhile`, if given, then reads on that connection while the structural check goes on
    (unless the cipher check found problems); what it reads is the caller's to discard when
    this returns problems, and a failure in it only means it read nothing."""
    if path is None or dek is None:
        problems: list[str] = []
        try:
            problems.extend(_cipher_rows(conn))
            problems.extend(_structure_rows(conn, full))
        except sqlcipher3.DatabaseError as exc:
            problems.append(_describe(exc))
        return problems
    cipher: list[str] = []

    def check_cipher() -> None:
        try:
            helper = connect(path, dek, read_only=True)
        except VaultDamaged as exc:
            cipher.extend(exc.problems)
            return
        try:
            cipher.extend(_cipher_rows(helper))
            if meanwhile is not None and not cipher:
                try:
                    meanwhile(helper)
                except Exception as exc:  # noqa: BLE001 - the caller reads it again the usual way
                    log.info("read during the integrity checks failed: %s", type(exc).__name__)
        except sqlcipher3.DatabaseError as exc:
            cipher.append(_describe(exc))
        finally:
            helper.close()

    worker = threading.Thread(target=check_cipher, name="cipher_integrity_check")
    worker.start()
    try:
        structure = _structure_rows(conn, full)
    except sqlcipher3.DatabaseError as exc:
        structure = [_describe(exc)]
    finally:
        worker.join()
    return cipher + structure


def _cipher_rows(conn: Connection) -> list[str]:
    return [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]


def _structure_rows(conn: Connection, full: bool) -> list[str]:
    check = "integrity_check" if full else "quick_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {check}")]
    return [] if rows == ["ok"] else rows


def checkpoint(conn: Connection) -> None:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def translate_write_error(exc: BaseException) -> BaseException:
    """Turn a SQLite write failure into the user-facing error for it."""
    text = _describe(exc)
    lowered = text.lower()
    if "full" in lowered or "i/o" in lowered or "readonly" in lowered or "read-only" in lowered:
        return StorageError(text)
    if "malformed" in lowered or "not a database" in lowered or "hmac" in lowered:
        return VaultDamaged([text])
    return exc
