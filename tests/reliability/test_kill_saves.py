"""kill -9 during every kind of save (SECURITY.md test 12, across all features).

For each kind of record (tests/reliability/conftest.py KINDS) a child process unlocks its own copy
of the demo vault and saves records of that kind in a loop through the services, printing
`ACK <token>` once each save has returned. The parent SIGKILLs it at a random moment — after a
random number of acknowledged saves, a random fraction of the way into the next one — then opens
the vault as the app does and checks that every acknowledged record is there and that the full
integrity check, the cipher check and the audit chain all pass.

`kill_kind()` is the engine; this test runs it a few times per kind, bench/reliability.py many
more times. Run as `python -m tests.reliability.test_kill_saves KIND VAULT START`, this module is
the child (passphrase in WAYPOINT_RELIABILITY_PASSPHRASE, never on the command line).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.services.context import AppServices
from app.store.vault import UnlockedKey
from tests.conftest import PASSPHRASE
from tests.reliability.conftest import KINDS, copy_closed_vault, is_present

PASSPHRASE_ENV = "WAYPOINT_RELIABILITY_PASSPHRASE"
REPO = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 90.0
TEXT = "Kestrelmarch"  # goes into the records' text fields (synthetic)


@dataclass
class KillFigures:
    """What the kill loop of one kind found."""

    kind: str
    runs: int = 0  # children started and SIGKILLed mid-loop
    acknowledged: int = 0  # saves that returned before the kill
    lost: int = 0  # acknowledged saves missing afterwards
    integrity_failures: int = 0  # reopenings whose full check (integrity, cipher, audit chain) failed
    problems: list[str] = field(default_factory=list)

    def add(self, other: KillFigures) -> None:
        self.runs += other.runs
        self.acknowledged += other.acknowledged
        self.lost += other.lost
        self.integrity_failures += other.integrity_failures
        self.problems += other.problems


class SaverChild:
    """A child saving one kind in a loop; a thread collects its complete stdout lines."""

    def __init__(self, kind: str, vault: Path, start: int, home: str) -> None:
        env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE, "WAYPOINT_HOME": home, "WAYPOINT_KDF_TARGET_MS": "0",
               "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.test_kill_saves", kind, str(vault),
                                      str(start)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.acks: list[tuple[float, str]] = []
        self.ready = False
        self.stderr = ""
        self._cv = threading.Condition()
        self._out = threading.Thread(target=self._read, daemon=True)
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._out.start()
        self._err.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill: never acknowledged
            with self._cv:
                if line.startswith("ACK "):
                    self.acks.append((time.monotonic(), line.split()[1]))
                elif line.startswith("READY"):
                    self.ready = True
                self._cv.notify_all()
        with self._cv:
            self._cv.notify_all()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def wait_for_acks(self, count: int) -> None:
        deadline = time.monotonic() + CHILD_TIMEOUT
        with self._cv:
            while len(self.acks) < count:
                if not self._out.is_alive() or time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"saver child ended or stalled: rc={self.proc.returncode} "
                                         f"{self.stderr[-3000:]}")
                self._cv.wait(0.2)

    def ack_times(self) -> list[float]:
        with self._cv:
            return [at for at, _token in self.acks]

    def kill(self) -> list[str]:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=CHILD_TIMEOUT)
        self._out.join(timeout=CHILD_TIMEOUT)
        self._err.join(timeout=CHILD_TIMEOUT)
        with self._cv:
            return [token for _at, token in self.acks]


def check_after_kill(services: AppServices, vault: Path, key: UnlockedKey, kind: str,
                     acknowledged: list[str]) -> tuple[set[str], list[str]]:
    """Open as the app does: (acknowledged records missing, integrity problems)."""
    session = services.vaults.open(vault, key)
    try:
        problems = list(session.wait_checks())
        if not problems:
            report = services.vaults.check(session)
            problems = list(report.problems) + ([] if report.chain.ok else [f"audit chain: {report.chain}"])
        missing = {token for token in acknowledged if not is_present(session, kind, token)}
        return missing, problems
    finally:
        session.close()


def kill_kind(services: AppServices, vault: Path, kind: str, kills: int, rng: random.Random,
              home: str, max_acks: int = 6) -> KillFigures:
    """Kill a saver of `kind` on `vault` `kills` times at random moments; check after each kill."""
    key = services.vaults.derive(vault, passphrase=PASSPHRASE)
    figures = KillFigures(kind)
    acknowledged: list[str] = []
    missing: set[str] = set()
    for run in range(kills):
        child = SaverChild(kind, vault, run * 10_000, home)
        try:
            child.wait_for_acks(rng.randint(1, max_acks))
            times = child.ack_times()
            gap = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 0.05
            time.sleep(rng.uniform(0, 1.2 * gap))  # somewhere inside the next save
        finally:
            acks = child.kill()
        if child.proc.returncode != -signal.SIGKILL:
            figures.problems.append(f"{kind}: child ended by itself rc={child.proc.returncode} {child.stderr[-2000:]}")
        figures.runs += 1
        acknowledged += acks
        figures.acknowledged += len(acks)
        # Every save acknowledged so far is checked after every kill; each loss is counted once.
        gone, problems = check_after_kill(services, vault, key, kind, acknowledged)
        missing |= gone
        figures.lost = len(missing)
        if problems:
            figures.integrity_failures += 1
            figures.problems += [f"{kind}: {p}" for p in problems[:3]]
    return figures


def kill_all_kinds(services: AppServices, template: Path, work: Path, kills_per_kind: int, seed: int,
                   kinds: tuple[str, ...] = KINDS, workers: int = 2) -> dict[str, KillFigures]:
    """Every kind on its own copy of `template`, `workers` kinds at a time."""
    home = os.environ["WAYPOINT_HOME"]

    def one(index_kind: tuple[int, str]) -> KillFigures:
        index, kind = index_kind
        vault = copy_closed_vault(template, work / f"kill-{kind}")
        return kill_kind(services, vault, kind, kills_per_kind, random.Random(seed * 1000 + index), home)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {f.kind: f for f in pool.map(one, enumerate(kinds))}


@pytest.mark.slow
def test_kill_9_during_every_kind_of_save_loses_no_acknowledged_commit(
    services: AppServices, demo_template: Path, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 20)
    results = kill_all_kinds(services, demo_template, tmp_path, kills_per_kind=1, seed=seed)
    total = KillFigures("all")
    for figures in results.values():
        total.add(figures)
    for f in results.values():
        print(f"  {f.kind}: runs={f.runs} acknowledged={f.acknowledged} lost={f.lost}")
    print(f"kill -9 (seed {seed}): runs={total.runs} acknowledged={total.acknowledged} lost={total.lost} "
          f"integrity failures={total.integrity_failures}")
    assert set(results) == set(KINDS)
    assert total.problems == [], total.problems
    assert total.runs == len(KINDS) and all(f.acknowledged >= 1 for f in results.values())
    assert total.lost == 0 and total.integrity_failures == 0


# -- the child ---------------------------------------------------------------------------------


def _child(kind: str, vault: Path, start: int) -> None:
    from app.services.paths import AppPaths
    from tests.reliability.conftest import SAVERS, context

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=os.environ[PASSPHRASE_ENV])
    session.wait_checks()
    ctx = context(session)
    save = SAVERS[kind]
    say("READY")
    n = start
    while True:
        say(f"ACK {save(session, ctx, n, TEXT)}")
        n += 1


if __name__ == "__main__":
    _child(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
