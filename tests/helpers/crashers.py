"""Child processes that crash on purpose, for the crash-safety and backup tests.

Run as `python -m tests.helpers.crashers <mode> ...` from the repository root, with
WAYPOINT_HOME, WAYPOINT_KDF_TARGET_MS=0 and the passphrase in WAYPOINT_CRASHER_PASSPHRASE (never
on the command line). Every mode talks to the parent through stdout, one line per event, flushed:

    READY                   the vault is unlocked; the risky part starts now
    ACK <client id>         (writer) a create returned: the commit is acknowledged
    KILL <detail>           about to SIGKILL itself (detail says where)
    DONE calls=<n> ...      finished without reaching the kill point; n = counted calls

Kill techniques (both SIGKILL the process itself, so nothing is flushed or cleaned up):
- `--kill-at N`: wrap os.replace / os.fsync / os.write / os.rename / os.unlink (in this child
  only) and kill just before the N-th call runs. N = 0 counts without killing.
- `--kill-progress K`: a SQLite progress handler on the vault's connection, called every
  `--every` VM instructions, kills on its K-th call (mid-statement, mid-transaction).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

PASSPHRASE_ENV = "WAYPOINT_CRASHER_PASSPHRASE"
NEW_PASSPHRASE_ENV = "WAYPOINT_CRASHER_NEW_PASSPHRASE"
KILLED_OPS = ("replace", "fsync", "write", "rename", "unlink")

_FIRST = ("Ana", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas")
_LAST = ("Quintero", "Okafor", "Lindqvist", "Moreau", "Nakamura", "Petrov", "Reyes", "Sato")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def die(detail: str) -> None:
    say(f"KILL {detail}")
    os.kill(os.getpid(), signal.SIGKILL)


class OsKillCounter:
    """Counts calls of the wrapped os functions; SIGKILLs the process before the N-th one."""

    def __init__(self, kill_at: int, ops: Sequence[str] = KILLED_OPS) -> None:
        self.kill_at = kill_at
        self.calls = 0
        self.trace: list[str] = []
        for name in ops:
            setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(real)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.trace.append(name)
            if self.calls == self.kill_at:
                die(f"before os.{name} call={self.calls}")
            return real(*args, **kwargs)

        return counted


class ProgressKiller:
    """A SQLite progress handler that SIGKILLs the process on its K-th call (0: count only)."""

    def __init__(self, kill_at: int, describe: Callable[[], str] = lambda: "") -> None:
        self.kill_at = kill_at
        self.calls = 0
        self.describe = describe

    def __call__(self) -> int:
        self.calls += 1
        if self.calls == self.kill_at:
            die(f"progress call={self.calls} {self.describe()}".rstrip())
        return 0


def client_fields(n: int) -> Any:
    from app.models.client import ClientFields

    return ClientFields(
        first_name=_FIRST[n % len(_FIRST)],
        last_name=_LAST[(n // len(_FIRST)) % len(_LAST)],
        date_of_birth=date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
        phone=f"(555) {200 + n % 700:03d}-{n % 10000:04d}",
    )


def _services() -> Any:
    from app.services.context import AppServices
    from app.services.paths import AppPaths

    paths = AppPaths.default()
    paths.ensure()
    return AppServices.build(paths)


def _passphrase(env: str = PASSPHRASE_ENV) -> str:
    value = os.environ.get(env)
    if not value:
        raise SystemExit(f"{env} is not set")
    return value


# -- modes ------------------------------------------------------------------------------------


def change_passphrase(args: argparse.Namespace) -> None:
    """Unlock, then change the passphrase with the os-function kill counter armed."""
    services = _services()
    session = services.vaults.unlock(Path(args.vault), passphrase=_passphrase())
    say("READY")
    counter = OsKillCounter(args.kill_at)
    new = _passphrase(NEW_PASSPHRASE_ENV)
    services.vaults.change_passphrase(session, new, new)
    session.close()
    say(f"DONE calls={counter.calls} trace={','.join(counter.trace)}")


def writer(args: argparse.Namespace) -> None:
    """Create clients one at a time through the service; print each id once create() returned."""
    services = _services()
    session = services.vaults.unlock(Path(args.vault), passphrase=_passphrase())
    say("READY")
    n = args.start
    while args.limit == 0 or n < args.start + args.limit:
        client = session.clients.create(client_fields(n))
        say(f"ACK {client.id}")
        n += 1
    session.close()
    say("DONE calls=0")


def create_many(args: argparse.Namespace) -> None:
    """create_many() of `--count` clients with a progress handler that kills mid-transaction."""
    from app.store import clients_repo

    services = _services()
    session = services.vaults.unlock(Path(args.vault), passphrase=_passphrase())
    inserted = [0]
    real_insert = clients_repo.ClientRepository.insert

    def counting_insert(self: Any, client: Any, now: datetime) -> None:
        real_insert(self, client, now)
        inserted[0] += 1

    clients_repo.ClientRepository.insert = counting_insert  # type: ignore[method-assign]
    killer = ProgressKiller(args.kill_progress, lambda: f"inserted={inserted[0]}")
    say("READY")
    conn = session.vault.connection
    conn.set_progress_handler(killer, args.every)
    ids = session.clients.create_many([client_fields(1000 + i) for i in range(args.count)])
    conn.set_progress_handler(None, 0)
    say(f"DONE calls={killer.calls} inserted={inserted[0]} ids={','.join(ids)}")
    session.close()


def restore(args: argparse.Namespace) -> None:
    """restore_backup() into `--vault` with the os-function kill counter armed."""
    from app.store.backup import restore_backup

    say("READY")
    counter = OsKillCounter(args.kill_at)
    restore_backup(
        Path(args.backup),
        Path(args.vault),
        passphrase=_passphrase(),
        when=datetime.now().astimezone(),
        actor="crasher",
    )
    say(f"DONE calls={counter.calls} trace={','.join(counter.trace)}")


EXTRA_ROWS = 3000
EXTRA_STEP_STATEMENTS = (
    "CREATE TABLE extra (id INTEGER PRIMARY KEY, label TEXT NOT NULL)",
    "INSERT INTO extra (label) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    f"WHERE i < {EXTRA_ROWS}) SELECT printf('row %05d', i) FROM n",
    "CREATE INDEX extra_label ON extra(label)",
    "ALTER TABLE drafts ADD COLUMN extra_note TEXT NOT NULL DEFAULT ''",
)


def extra_steps() -> tuple[Any, ...]:
    """The real migrations plus one test step after LATEST (a larger, slower one)."""
    from app.store import migrations

    step = migrations.Migration(migrations.LATEST + 1, "test: extra", EXTRA_STEP_STATEMENTS)
    return (*migrations.MIGRATIONS, step)


def migrate(args: argparse.Namespace) -> None:
    """Open an old vault so it migrates, with a progress handler armed inside migrations.apply."""
    from app.store import migrations
    from app.store.vault import Vault

    services = _services()
    real_apply = migrations.apply
    killer = ProgressKiller(args.kill_progress, lambda: "in migrations.apply")

    def apply_with_killer(conn: Any, current: int, steps: Any = migrations.MIGRATIONS, on_step: Any = None) -> int:
        conn.set_progress_handler(killer, args.every)
        try:
            return real_apply(conn, current, steps, on_step)
        finally:
            conn.set_progress_handler(None, 0)

    migrations.apply = apply_with_killer  # type: ignore[assignment]
    folder = Path(args.vault)
    key = services.vaults.derive(folder, passphrase=_passphrase())
    say("READY")
    if args.extra_step:
        vault = Vault.open(folder, key, steps=extra_steps())
        version = vault.version
        vault.close()
    else:
        session = services.vaults.open(folder, key)
        version = session.vault.version
        session.close()
    say(f"DONE calls={killer.calls} version={version}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.helpers.crashers")
    modes = parser.add_subparsers(dest="mode", required=True)

    p = modes.add_parser("change-passphrase")
    p.add_argument("--vault", required=True)
    p.add_argument("--kill-at", type=int, default=0)
    p.set_defaults(run=change_passphrase)

    p = modes.add_parser("writer")
    p.add_argument("--vault", required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="0: until killed")
    p.set_defaults(run=writer)

    p = modes.add_parser("create-many")
    p.add_argument("--vault", required=True)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--kill-progress", type=int, default=0)
    p.add_argument("--every", type=int, default=50)
    p.set_defaults(run=create_many)

    p = modes.add_parser("restore")
    p.add_argument("--backup", required=True)
    p.add_argument("--vault", required=True)
    p.add_argument("--kill-at", type=int, default=0)
    p.set_defaults(run=restore)

    p = modes.add_parser("migrate")
    p.add_argument("--vault", required=True)
    p.add_argument("--kill-progress", type=int, default=0)
    p.add_argument("--every", type=int, default=50)
    p.add_argument("--extra-step", action="store_true")
    p.set_defaults(run=migrate)

    args = parser.parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
