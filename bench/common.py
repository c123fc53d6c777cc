"""Shared helpers for the bench scripts: the cached 10,000-client demo vault and statistics.

The demo vault is built once (`waypoint demo` through the same service calls, seed 1) under
bench/.cache/ and reused; its name carries a fingerprint of the code that decides what is stored
(schema, client mapping, demo generator, key file), so a schema change rebuilds it. Benchmarks
never touch the cached copy: each run works on a fresh copy in a temporary folder, because
unlocking, viewing and editing append to the vault.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
CLIENTS = 10_000
SEED = 1
# A demo vault holds only invented people; its passphrase is not a secret.
PASSPHRASE = "bench lantern orbit velvet cactus harbor"
_FINGERPRINTED = (
    "app/store/migrations.py",
    "app/store/clients_repo.py",
    "app/store/keyfile.py",
    "app/models/client.py",
    "app/services/demo.py",
)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _FINGERPRINTED:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def cached_vault(clients: int = CLIENTS, seed: int = SEED, quiet: bool = False) -> Path:
    """The cached demo vault folder (built on first use, in a child process so the KDF is
    calibrated exactly as the app calibrates it: WAYPOINT_KDF_TARGET_MS is removed)."""
    folder = CACHE / f"demo-{clients}-seed{seed}-{fingerprint()}"
    if (folder / "vault.key").is_file() and (folder / "vault.db").is_file():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"building the demo vault of {clients:,} clients in {folder.relative_to(ROOT)} …", flush=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="wp-bench-home-") as home:
        env = bench_env(home)
        env.pop("WAYPOINT_BENCH_STARTUP", None)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app", "demo", str(building), "--clients", str(clients), "--seed", str(seed)],
            cwd=ROOT, env=env | {"WAYPOINT_PASSPHRASE": PASSPHRASE}, check=True, stdout=subprocess.DEVNULL,
        )
    os.replace(building, folder)
    for stale in CACHE.glob(f"demo-{clients}-seed{seed}-*"):  # built from older code
        if stale.is_dir() and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
            for plain in CACHE.glob(f"{stale.name}.plain.*"):
                plain.unlink(missing_ok=True)
    if not quiet:
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def fresh_copy(source: Path, parent: Path) -> Path:
    """A private copy of a vault folder (vault.key, vault.db and any -wal/-shm) under `parent`."""
    target = parent / "vault"
    target.mkdir(mode=0o700)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    return target


def bench_env(home: str | Path) -> dict[str, str]:
    """Environment for a child app process: offscreen Qt, a private WAYPOINT_HOME, the default
    KDF calibration, bytecode caching on, and the repository on the import path."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["WAYPOINT_HOME"] = str(home)
    env.pop("WAYPOINT_KDF_TARGET_MS", None)
    env.pop("WAYPOINT_DEBUG", None)
    # As an installed app runs: with compiled bytecode (kept under bench/.cache, not in the tree).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# -- statistics ------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """95th percentile by the nearest-rank method (the value 95 % of samples do not exceed)."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n)
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def emit_json(tag: str, payload: dict) -> None:
    """One machine-readable line for bench/run_all.py (`BENCH-JSON <tag> {...}`)."""
    print(f"BENCH-JSON {tag} {json.dumps(payload)}", flush=True)


def parse_json_lines(text: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for line in text.splitlines():
        if line.startswith("BENCH-JSON "):
            _, tag, payload = line.split(" ", 2)
            found[tag] = json.loads(payload)
    return found


def paint_probe():  # type: ignore[no-untyped-def]
    """A Qt event filter that notes (`.painted`) when any widget it watches gets a paint event.
    Install it with `widget.installEventFilter(probe)` or `probe.watch(*widgets)`. Qt is imported
    here, not at the top, so run_all.py does not load it."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    class PaintProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.painted = False
            self.watched: list[QWidget] = []

        def watch(self, *widgets: QWidget) -> None:
            for widget in widgets:
                widget.installEventFilter(self)
                self.watched.append(widget)

        def unwatch(self) -> None:
            for widget in self.watched:
                widget.removeEventFilter(self)
            self.watched.clear()

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    return PaintProbe()
