"""The same queries on SQLCipher (the app's connection) and on stdlib sqlite3, same schema and data.

The plain copy is built once under bench/.cache/: the schema from app.store.migrations (so the
FTS5 table and its triggers are the app's), then every row of the demo vault's tables read through
the app's connection factory and inserted (the FTS index fills through the triggers). Both
connections get the same pragmas: journal_mode WAL, synchronous FULL, the app's cache_size and
temp_store MEMORY. Each run works on fresh copies of both files.

Queries (the SQL the app's repository issues, through app.store.clients_repo where it applies):
roster load (the roster statement, fetchall), FTS search for several prefixes, get one client,
update one client in a transaction (BEGIN IMMEDIATE … COMMIT, fsync'd by synchronous FULL).
Each is timed on a warm connection (several runs, median); the roster is also timed cold (a new
connection each run: key, pragmas, first read — where SQLCipher decrypts every page it reads).

    .venv/bin/python bench/sqlcipher_vs_sqlite.py [--runs 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import CACHE, PASSPHRASE, cached_vault, emit_json, median

TARGET_RATIO = 1.5
PREFIXES = ("g", "ga", "gar", "ngu", "mar", "smi", "555-01", "wil")


def _tables() -> list[str]:
    # Parents before children (stage_history references clients); FTS tables fill by trigger.
    return ["meta", "audit", "drafts", "clients", "stage_history"]


def _open_cipher(path: Path, dek: bytes) -> Any:
    from app.store import db

    conn = db.connect(path, dek)
    db.configure(conn)
    return conn


def _open_plain(path: Path) -> sqlite3.Connection:
    """A stdlib sqlite3 connection with the app's pragmas (app.store.db._PRAGMAS: WAL,
    synchronous FULL, foreign keys, temp_store MEMORY, busy timeout, cache size) but one:
    trusted_schema stays ON, because the older SQLite of the stdlib module refuses the FTS
    triggers with it OFF ("unsafe use of virtual table"). It changes no query plan."""
    from app.store import db

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for statement, check, expected in db._PRAGMAS:
        if "trusted_schema" in statement:
            continue
        conn.execute(statement)
        value = conn.execute(check).fetchone()[0]
        assert value == expected, (check, value, expected)
    return conn


def _derive(vault: Path) -> bytes:
    from app.store.vault import derive_key

    return derive_key(vault, passphrase=PASSPHRASE).dek


def plain_copy(vault: Path, dek: bytes) -> Path:
    """bench/.cache/<vault>.plain.sqlite: the vault's rows in an unencrypted database."""
    from app.store import migrations

    target = CACHE / f"{vault.name}.plain.sqlite"
    if target.is_file():
        return target
    building = target.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    source = _open_cipher(vault / "vault.db", dek)
    plain = _open_plain(building)
    try:
        # The schema the compared queries read (clients, stages, tiers). Later steps use SQLite
        # features newer than the stdlib's SQLite (FTS5 contentless_delete, 3.43+), and no
        # compared query touches their tables.
        migrations.apply(plain, 0, [m for m in migrations.MIGRATIONS if m.version <= 3])
        plain.execute("BEGIN")
        for table in _tables():
            cursor = source.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            marks = ", ".join("?" for _ in names)
            plain.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", cursor)
        plain.execute("COMMIT")
        for table in _tables():
            a = source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            b = plain.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert a == b, (table, a, b)
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        source.close()
        plain.close()
    building.rename(target)
    return target


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copy2(source, target)
    return target


def _time_alternating(steps: dict[str, Callable[[], Any]], runs: int, warmups: int = 2) -> dict[str, float]:
    """Median time of each step, the engines taking turns run by run (and swapping who goes
    first) so that drift on a busy machine hits all of them alike."""
    for step in steps.values():
        for _ in range(warmups):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for index in range(runs):
        for name in names[index % len(names):] + names[: index % len(names)]:
            started = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - started)
    return {name: median(values) for name, values in times.items()}


def run(runs: int) -> dict:
    from app.store.clients_repo import _ROSTER_COLUMNS, ClientRepository

    vault = cached_vault()
    dek = _derive(vault)
    plain_source = plain_copy(vault, dek)
    roster_sql = f"SELECT {_ROSTER_COLUMNS} FROM clients WHERE deleted_at IS NULL AND archived_at IS NULL"
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="wp-bench-sql-") as tmp:
        folder = Path(tmp)
        cipher_path = _copy(vault / "vault.db", folder, "vault.db")
        plain_path = _copy(plain_source, folder, "plain.sqlite")
        engines: dict[str, Callable[[], Any]] = {
            "sqlcipher": lambda: _open_cipher(cipher_path, dek),
            "sqlite3": lambda: _open_plain(plain_path),
        }
        conns = {name: opener() for name, opener in engines.items()}
        try:
            repos = {name: ClientRepository(conn) for name, conn in conns.items()}
            ids = [r[0] for r in conns["sqlite3"].execute(
                "SELECT id FROM clients WHERE archived_at IS NULL ORDER BY rowid LIMIT 40")]
            counter = {"n": 0}

            def update(name: str) -> Callable[[], None]:
                repo, conn = repos[name], conns[name]

                def step() -> None:
                    counter["n"] += 1
                    client_id = ids[counter["n"] % len(ids)]
                    client = repo.get(client_id)
                    assert client is not None
                    fields = dataclasses.replace(client.fields, phone=f"(555) 201-{1000 + counter['n'] % 9000:04d}")
                    conn.execute("BEGIN IMMEDIATE")
                    repo.update_fields(client_id, fields, datetime.now(UTC))
                    conn.execute("COMMIT")

                return step

            def cold_roster(name: str) -> Callable[[], None]:
                def step() -> None:
                    conn = engines[name]()
                    try:
                        conn.execute(roster_sql).fetchall()
                    finally:
                        conn.close()

                return step

            queries: dict[str, Callable[[str], Callable[[], Any]]] = {
                "roster load": lambda n: lambda: conns[n].execute(roster_sql).fetchall(),
                "roster load, repository (rows → RosterRow, sorted)": lambda n: lambda: repos[n].roster(),
            }
            for prefix in PREFIXES:
                queries[f"search '{prefix}'"] = lambda n, p=prefix: lambda: repos[n].search_ids(p)
            queries["get one client"] = lambda n: lambda: [repos[n].get(i) for i in ids[:1]]
            queries["update one client (transaction)"] = update
            queries["roster load, cold connection"] = cold_roster
            for label, make in queries.items():
                results[label] = _time_alternating({name: make(name) for name in engines}, runs)
        finally:
            for conn in conns.values():
                conn.close()
    ratios = {label: r["sqlcipher"] / r["sqlite3"] for label, r in results.items()}
    counted = [label for label in results if "repository" not in label]
    total = {name: sum(results[label][name] for label in counted) for name in ("sqlcipher", "sqlite3")}
    return {
        "runs": runs,
        "sqlite_versions": {"sqlcipher": _sqlcipher_version(), "sqlite3": sqlite3.sqlite_version},
        "medians_s": results,
        "ratios": ratios,
        "overall_ratio": total["sqlcipher"] / total["sqlite3"],
        "geomean_ratio": math.exp(sum(math.log(ratios[label]) for label in counted) / len(counted)),
        "counted": counted,
    }


def _sqlcipher_version() -> str:
    import sqlcipher3

    return str(sqlcipher3.sqlite_version)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="also print a machine-readable line")
    args = parser.parse_args()
    r = run(args.runs)
    v = r["sqlite_versions"]
    print(f"SQLCipher (SQLite {v['sqlcipher']}) vs stdlib sqlite3 (SQLite {v['sqlite3']}), same schema and data,"
          f" medians of {r['runs']} runs")
    print(f"  {'query':52s} {'SQLCipher':>10s} {'sqlite3':>10s} {'ratio':>7s}")
    for label, m in r["medians_s"].items():
        note = "" if label in r["counted"] else "  (not counted: same Python on both)"
        print(f"  {label:52s} {m['sqlcipher'] * 1000:8.2f}ms {m['sqlite3'] * 1000:8.2f}ms"
              f" {r['ratios'][label]:6.2f}×{note}")
    verdict = "pass" if r["overall_ratio"] <= TARGET_RATIO else "FAIL"
    print(f"  overall (total time of the counted queries)          ratio {r['overall_ratio']:.2f}×"
          f"  (target ≤ {TARGET_RATIO}×: {verdict}; geometric mean of the ratios {r['geomean_ratio']:.2f}×)")
    if args.json:
        emit_json("sqlcipher_vs_sqlite", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
