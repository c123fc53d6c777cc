"""Open the score-history chart (the record's Trends tab) of a client with 200 PHQ-9 administrations.

The vault: the cached 10,000-client demo vault (bench/common.py) plus one client who has 200 PHQ-9
administrations spread over four years (a few with item 9 above 0, a few prorated, one without a
valid score), all recorded through ScreeningService.record. It is built once under bench/.cache/
(the name carries the demo vault's fingerprint and one of the screening code) and reused; every
run works on a fresh copy, because unlocking appends to the vault.

One offscreen app process (light theme applied, vault unlocked, the client read as the record page
holds it) opens the chart `--runs` times. Each open is timed from building a new TrendsTab at the
size it has in a 1366×768 window, `load(client)` and `show()` — which reads the client's
administrations and external scores through the services, groups them, fills the picker, the chart
and the table — until the chart has painted (a paint event seen by the chart, as on screen). The
first open (cold caches: instrument catalog, babel date patterns, fonts) is reported on its own; the
headline is the median over all opens, with p95.

    .venv/bin/python bench/chart.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import (
    CACHE,
    PASSPHRASE,
    ROOT,
    bench_env,
    cached_vault,
    emit_json,
    fingerprint,
    fresh_copy,
    median,
    ms,
    p95,
    paint_probe,
)

TARGET_MS = 150
ADMINISTRATIONS = 200
YEARS = 4
TAB_SIZE = (1115, 480)  # the record's tab area in a 1366×768 window
TIMEOUT_S = 300
_SCREENING_CODE = ("app/store/screening_repo.py", "app/services/screening.py", "app/models/screening.py",
                   "resources/instruments/phq9.json")


def _phq9_answers(total: int, item9: int, missing: int, rng: random.Random) -> dict[str, int | None]:
    answers: dict[str, int | None] = {str(i): 0 for i in range(1, 10)}
    answers["9"] = item9
    left = max(0, total - item9)
    while left:
        item = str(rng.randint(1, 8))
        if (answers[item] or 0) < 3:
            answers[item] = (answers[item] or 0) + 1
            left -= 1
    for item in rng.sample([str(i) for i in range(1, 9)], missing):
        answers[item] = None
    return answers


# -- the child processes -----------------------------------------------------------------------


def _build(folder: Path) -> None:
    """Add the client with 200 PHQ-9 administrations to the vault in `folder` (a demo copy)."""
    from app.models.client import ClientFields
    from app.services.context import AppServices
    from app.services.paths import AppPaths

    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(folder, passphrase=PASSPHRASE)
    rng = random.Random(200)
    client = session.clients.create(ClientFields(first_name="Bench", last_name="Longhistory",
                                                 date_of_birth=date(1979, 6, 2), phone="(555) 201-0200"))
    today = session.clock.today()
    start = today - timedelta(days=365 * YEARS)
    level = 21.0
    for n in range(ADMINISTRATIONS):
        on = start + timedelta(days=round(n * 365 * YEARS / ADMINISTRATIONS))
        level = min(27.0, max(0.0, level + rng.uniform(-2.2, 2.0)))
        total = round(level)
        item9 = 1 if total >= 15 and rng.random() < 0.1 else 0
        missing = 3 if n == 120 else (1 if rng.random() < 0.04 else 0)
        session.screening.record(client.id, "phq9", _phq9_answers(total, item9, missing, rng), on=on)
    session.close()
    (folder / "bench-client.txt").write_text(client.id)


def _session(vault: Path, client_id: str, runs: int) -> dict:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from app.i18n import set_locale
    from app.services.context import AppServices
    from app.services.paths import AppPaths
    from app.ui import theme
    from app.ui.record.trends_tab import TrendsTab

    set_locale("en_US")
    theme.apply(app, "light")
    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=PASSPHRASE)
    client = session.clients.get(client_id)

    parts: dict[str, list[float]] = {"history": [], "refresh": [], "paint": []}
    real_history = session.screening.history

    def timed_history(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real_history(*args, **kwargs)
        finally:
            parts["history"].append(time.perf_counter() - started)

    session.screening.history = timed_history  # type: ignore[method-assign]
    opens: list[float] = []
    points = 0
    for _ in range(runs):
        probe = paint_probe()
        started = time.perf_counter()
        tab = TrendsTab(session)
        tab.resize(*TAB_SIZE)
        tab.chart.installEventFilter(probe)
        real_refresh = tab.refresh

        def timed_refresh(real=real_refresh) -> None:  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            real()
            parts["refresh"].append(time.perf_counter() - began)

        tab.refresh = timed_refresh  # type: ignore[method-assign]
        tab.load(client)
        tab.show()  # the show event reads the history (RecordTab refreshes lazily when shown)
        shown = time.perf_counter()
        deadline = shown + 30
        while not probe.painted:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("chart paint")
        finished = time.perf_counter()
        opens.append(finished - started)
        parts["paint"].append(finished - shown)
        points = len(tab.chart.points)
        tab.chart.removeEventFilter(probe)
        tab.close()
        tab.deleteLater()
        app.processEvents()
    session.close()
    return {"opens_s": opens, "parts_s": parts, "points": points}


# -- the driver --------------------------------------------------------------------------------


def chart_vault() -> tuple[Path, str]:
    """The cached vault with the 200-administration client (built on first use) and that client's id."""
    digest = hashlib.sha256()
    for name in _SCREENING_CODE:
        digest.update((ROOT / name).read_bytes())
    folder = CACHE / f"chart-{ADMINISTRATIONS}-{fingerprint()}-{digest.hexdigest()[:8]}"
    if (folder / "bench-client.txt").is_file():
        return folder, (folder / "bench-client.txt").read_text().strip()
    source = cached_vault()
    print(f"adding a client with {ADMINISTRATIONS} PHQ-9 administrations in {folder.relative_to(ROOT)} …", flush=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    copy = fresh_copy(source, building)
    with tempfile.TemporaryDirectory(prefix="wp-bench-home-") as home:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build", str(copy)],
                       cwd=ROOT, env=bench_env(home), check=True, timeout=TIMEOUT_S)
    os.replace(copy, folder)
    shutil.rmtree(building, ignore_errors=True)
    for stale in CACHE.glob(f"chart-{ADMINISTRATIONS}-*"):
        if stale.is_dir() and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return folder, (folder / "bench-client.txt").read_text().strip()


def run(runs: int) -> dict:
    source, client_id = chart_vault()
    with tempfile.TemporaryDirectory(prefix="wp-bench-chart-") as tmp:
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
        "points": s["points"],
        "first_open_s": opens[0],
        "open_s": median(opens),
        "open_p95_s": p95(opens),
        "open_max_s": max(opens),
        "parts_s": {k: median(v) for k, v in parts.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="chart opens to time (default 15)")
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
    print(f"Score-history chart, client with {r['points']} PHQ-9 administrations ({r['runs']} opens):")
    print(f"  open the Trends chart                median {ms(r['open_s']):>9}   target ≤ {TARGET_MS} ms: {verdict}"
          f"   (p95 {ms(r['open_p95_s'])}, max {ms(r['open_max_s'])}; first open, cold caches {ms(r['first_open_s'])})")
    print(f"    of which: history read {ms(parts['history'])}, tab refresh (read + picker, chart, table)"
          f" {ms(parts['refresh'])}, show → chart painted {ms(parts['paint'])}")
    if args.json:
        emit_json("chart", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
