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

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import sqlcipher3

from app.store.errors import StorageError, VaultDamaged
from app.store.files import create_private_file

DB_NAME = "vault.db"
if TYPE_CHECKING:
    Connection: TypeAlias = Any  # sqlcipher3 ships no type information
else:
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


def integrity_problems(conn: Connection, *, full: bool = False) -> list[str]:
    """Cipher (per-page HMAC) and SQLite structural problems, each naming what failed."""
    problems: list[str] = []
    for check in (_cipher_rows, lambda c: _structure_rows(c, full)):
        try:
            problems.extend(check(conn))
        except sqlcipher3.DatabaseError as exc:
            problems.append(_describe(exc))
    return problems


class IntegrityCheck:
    """The unlock-time checks (cipher_integrity_check, then quick_check), run on their own
    read-only connection in a thread so the first screen need not wait for them.

    Every page SQLCipher reads is authenticated anyway, so nothing damaged can be shown
    meanwhile; writers wait for the result (Vault.transaction) and a damaged vault then refuses
    them."""

    def __init__(self, path: Path | None, dek: bytes | None, result: list[str] | None = None) -> None:
        self._done = threading.Event()
        self._result: list[str] = list(result or [])
        self._thread: threading.Thread | None = None
        if result is not None or path is None or dek is None:
            self._done.set()
            return
        self._thread = threading.Thread(target=self._run, args=(path, dek), name="integrity-check", daemon=True)
        self._thread.start()

    @classmethod
    def finished(cls, problems: list[str]) -> IntegrityCheck:
        return cls(None, None, problems)

    def _run(self, path: Path, dek: bytes) -> None:
        try:
            conn = connect(path, dek, read_only=True)
        except VaultDamaged as exc:
            self._result = list(exc.problems)
            self._done.set()
            return
        try:
            conn.execute("PRAGMA cache_size = -2048")  # its own small cache; the app's stays warm
            self._result = integrity_problems(conn)
        finally:
            conn.close()
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def problems(self) -> list[str]:
        """What the checks found; empty while they are still running."""
        return list(self._result) if self._done.is_set() else []

    def wait(self) -> list[str]:
        self._done.wait()
        if self._thread is not None:
            self._thread.join()
        return list(self._result)


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
