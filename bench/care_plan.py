"""Open a client's care plan (the record's Care plan tab) on a demo vault of 2,000 clients with plans.

The vault: 2,000 demo clients (app.services.demo.populate, seed 1), which come with care plans
(app.services.demo_care_plans: drafts, signed versions, superseded versions, reviews, plans on
hold, completed and revoked) and 100 contact notes each — 200,000 in all, as the issue asks. It is built once under bench/.cache/ (the name
carries a fingerprint of the code that decides what is stored) and reused; every run works on a
fresh copy, because unlocking appends to the vault.

One offscreen app process (light theme applied, vault unlocked, the client read as the record page
holds it) opens the plan `--runs` times, for the client whose plan in force has the most items
(the heaviest open on the vault). Each open is timed from building a new CarePlanTab at the size it
has in a 1366×768 window, `load(client)` and `show()` — which reads every version, the reviews and
the scores tracked by objectives through the services, and fills the version picker, the outline
and the details of the first need — until the outline has painted (a paint event seen by its
viewport, as on screen). The first open (cold caches) is reported on its own; the headline is the
median over all opens, with p95.

    .venv/bin/python bench/care_plan.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    CACHE,
    PASSPHRASE,
    ROOT,
    bench_env,
    emit_json,
    fresh_copy,
    median,
    ms,
    p95,
    paint_probe,
)

TARGET_MS = 100
CLIENTS = 2_000
SEED = 1
TAB_SIZE = (1115, 480)  # the record's tab area in a 1366×768 window
TIMEOUT_S = 600
_CODE = (
    "app/store/migrations.py", "app/store/clients_repo.py", "app/store/keyfile.py", "app/models/client.py",
    "app/services/demo.py", "app/services/demo_care_plans.py", "app/store/care_plan_repo.py",
    "app/models/care_plan.py", "app/services/demo_notes.py", "app/store/notes_repo.py",
)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


# -- the child processes -----------------------------------------------------------------------


def _build(folder: Path) -> None:
    """A demo vault of CLIENTS clients with care plans in `folder` (which must not exist)."""
    from app.services import demo
    from app.services.context import AppServices
    from app.services.paths import AppPaths

    paths = AppPaths.default()
    paths.ensure()
    created = AppServices.build(paths).vaults.create(folder, PASSPHRASE, demo=True)
    session = created.session
    demo.populate(session, CLIENTS, seed=SEED)  # plans, teams, documents and 100 notes a client come with it
    made = session.connection.execute("SELECT COUNT(DISTINCT client_id) FROM care_plans").fetchone()[0]
    notes = session.notes.count()
    heaviest = session.connection.execute(
        """SELECT client_id FROM care_plans WHERE status IN ('active', 'on_hold') AND deleted_at IS NULL
           ORDER BY length(document) DESC, client_id LIMIT 1""").fetchone()[0]
    session.close()
    (folder / "bench-client.txt").write_text(heaviest)
    print(f"  {made:,} clients with a care plan; {notes:,} notes", flush=True)


def _session(vault: Path, client_id: str, runs: int) -> dict:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from app.i18n import set_locale
    from app.services.context import AppServices
    from app.services.paths import AppPaths
    from app.ui import theme
    from app.ui.record.care_plan_tab import CarePlanTab

    set_locale("en_US")
    theme.apply(app, "light")
    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=PASSPHRASE)
    client = session.clients.get(client_id)

    parts: dict[str, list[float]] = {"read": [], "refresh": [], "paint": []}
    plans = session.care_plans
    real_versions = plans.versions

    def timed_versions(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real_versions(*args, **kwargs)
        finally:
            parts["read"].append(time.perf_counter() - started)

    plans.versions = timed_versions  # type: ignore[method-assign]
    opens: list[float] = []
    items = versions = 0
    for _ in range(runs):
        probe = paint_probe()
        started = time.perf_counter()
        tab = CarePlanTab(session)
        tab.resize(*TAB_SIZE)
        tab.outline.viewport().installEventFilter(probe)
        real_refresh = tab.refresh

        def timed_refresh(real=real_refresh) -> None:  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            real()
            parts["refresh"].append(time.perf_counter() - began)

        tab.refresh = timed_refresh  # type: ignore[method-assign]
        tab.load(client)
        tab.show()  # the show event reads the plan (RecordTab refreshes lazily when shown)
        shown = time.perf_counter()
        deadline = shown + 30
        while not probe.painted:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("outline paint")
        finished = time.perf_counter()
        opens.append(finished - started)
        parts["paint"].append(finished - shown)
        assert tab.shown is not None
        items = sum(1 for _ in tab.shown.document.items())
        versions = len(tab.versions)
        tab.outline.viewport().removeEventFilter(probe)
        tab.close()
        tab.deleteLater()
        app.processEvents()
    session.close()
    return {"opens_s": opens, "parts_s": parts, "items": items, "versions": versions}


# -- the driver --------------------------------------------------------------------------------


def plan_vault(quiet: bool = False) -> tuple[Path, str]:
    """The cached vault (built on first use) and the client whose plan is opened."""
    folder = CACHE / f"care-plans-{CLIENTS}-seed{SEED}-{fingerprint()}"
    if (folder / "bench-client.txt").is_file():
        return folder, (folder / "bench-client.txt").read_text().strip()
    CACHE.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"building a demo vault of {CLIENTS:,} clients with care plans in {folder.relative_to(ROOT)} …",
              flush=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wp-bench-home-") as home:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build", str(building)],
                       cwd=ROOT, env=bench_env(home), check=True, timeout=TIMEOUT_S)
    os.replace(building, folder)
    for stale in CACHE.glob(f"care-plans-{CLIENTS}-seed{SEED}-*"):
        if stale.is_dir() and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    if not quiet:
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return folder, (folder / "bench-client.txt").read_text().strip()


def run(runs: int) -> dict:
    source, client_id = plan_vault()
    with tempfile.TemporaryDirectory(prefix="wp-bench-care-plan-") as tmp:
        vault = fresh_copy(source, Path(tmp))
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--session", str(vault), client_id, str(runs)],
            cwd=ROOT, env=bench_env(Path(tmp) / "home"), capture_output=True, text=True, timeout=TIMEOUT_S,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"session failed ({proc.returncode})")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("SESSION "))
    s = json.loads(line[len("SESSION "):])
    opens, parts = s["opens_s"], s["parts_s"]
    return {
        "runs": runs,
        "clients": CLIENTS,
        "items": s["items"],
        "versions": s["versions"],
        "first_open_s": opens[0],
        "open_s": median(opens),
        "open_p95_s": p95(opens),
        "open_max_s": max(opens),
        "parts_s": {k: median(v) for k, v in parts.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="plan opens to time (default 15)")
    parser.add_argument("--json", action="store_true", help="also print a BENCH-JSON line")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--session", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        _build(args.build)
        return 0
    if args.session:
        vault, client_id, runs = args.session
        print("SESSION " + json.dumps(_session(Path(vault), client_id, int(runs))), flush=True)
        return 0
    r = run(max(2, args.runs))
    verdict = "pass" if r["open_s"] * 1000 <= TARGET_MS else "FAIL"
    parts = r["parts_s"]
    print(f"Care plan tab, {r['clients']:,}-client vault; the heaviest plan in force: {r['items']} items, "
          f"{r['versions']} versions ({r['runs']} opens):")
    print(f"  open a client's plan                 median {ms(r['open_s']):>9}   target ≤ {TARGET_MS} ms: {verdict}"
          f"   (p95 {ms(r['open_p95_s'])}, max {ms(r['open_max_s'])}; first open, cold caches {ms(r['first_open_s'])})")
    print(f"    of which: versions read {ms(parts['read'])}, tab refresh (read, tracking, outline, details)"
          f" {ms(parts['refresh'])}, show → outline painted {ms(parts['paint'])}")
    if args.json:
        emit_json("care_plan", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
