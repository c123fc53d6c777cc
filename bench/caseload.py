"""The caseload report of 2,000 clients (target ≤ 3 s for data and PDF together).

The vault is the one bench/care_plan.py caches: 2,000 demo clients (app.services.demo.populate,
seed 1) with screening histories, risk tiers, care plans with reviews, follow-ups, transitions
and 100 contact notes each — built once under bench/.cache/ and reused; every session works on a
fresh copy. One process unlocks it (not timed) and builds the de-identified caseload report for
the last 90 days `--runs` times, exactly as the catalogue does
(`KINDS["caseload"].build`: `caseload_dashboard` reading every client in bulk, then
`caseload_report.build_pdf`), with a progress callback as the UI passes one. Each run is timed
whole; the data and the PDF are then timed apart over a few more runs. The first run (cold
caches) is reported on its own; the headline is the median over all runs, with p95.

Only figures are printed (no client data).

    .venv/bin/python bench/caseload.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from care_plan import plan_vault
from common import PASSPHRASE, ROOT, bench_env, emit_json, fresh_copy, median, ms, p95

TARGET_S = 3.0
TIMEOUT_S = 900


def _session(vault: Path, runs: int) -> dict:
    from app.reports import caseload_report
    from app.reports.engine import Identify
    from app.services.context import AppServices
    from app.services.evaluation import caseload_dashboard, period
    from app.services.paths import AppPaths
    from app.services.reporting import KINDS, ReportRequest, letterhead_from

    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=PASSPHRASE)
    letterhead = letterhead_from(None)
    request = ReportRequest("caseload", identify=Identify.CODE)
    calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1

    whole: list[float] = []
    size = 0
    for _ in range(runs):
        calls = 0
        started = time.perf_counter()
        pdf = KINDS["caseload"].build(session, request, letterhead, progress=progress)
        whole.append(time.perf_counter() - started)
        size = len(pdf)
    start, end = period(session)
    data_s: list[float] = []
    pdf_s: list[float] = []
    for _ in range(max(3, runs // 2)):
        began = time.perf_counter()
        board = caseload_dashboard(session, start, end)
        middle = time.perf_counter()
        caseload_report.build_pdf(board, letterhead, session.clock.now(), identify=Identify.CODE)
        pdf_s.append(time.perf_counter() - middle)
        data_s.append(middle - began)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    result = {"runs_s": whole, "data_s": data_s, "pdf_s": pdf_s, "clients": board.active_clients,
              "progress_calls": calls, "pages": pages, "bytes": size}
    session.close()
    return result


def run(runs: int) -> dict:
    source, _client = plan_vault()
    with tempfile.TemporaryDirectory(prefix="wp-bench-caseload-") as tmp:
        vault = fresh_copy(source, Path(tmp))
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--session", str(vault), str(runs)],
            cwd=ROOT, env=bench_env(Path(tmp) / "home"), capture_output=True, text=True, timeout=TIMEOUT_S,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"session failed ({proc.returncode})")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("SESSION "))
    s = json.loads(line[len("SESSION "):])
    times = s["runs_s"]
    return {
        "runs": runs, "clients": s["clients"], "pages": s["pages"], "progress_calls": s["progress_calls"],
        "first_s": times[0], "median_s": median(times), "p95_s": p95(times),
        "data_median_s": median(s["data_s"]), "pdf_median_s": median(s["pdf_s"]),
        "target_s": TARGET_S, "pass": median(times) <= TARGET_S,
    }


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--session":
        result = _session(Path(sys.argv[2]), int(sys.argv[3]))
        print("SESSION " + json.dumps(result), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print a BENCH-JSON line for run_all.py")
    args = parser.parse_args()
    r = run(max(1, args.runs))
    print(f"caseload report (de-identified, last 90 days) of {r['clients']:,} active clients, "
          f"{r['pages']} pages, progress called {r['progress_calls']:,} times")
    print(f"  median {ms(r['median_s'])} (target ≤ {ms(TARGET_S)}) · p95 {ms(r['p95_s'])} · "
          f"first {ms(r['first_s'])} · {r['runs']} runs")
    print(f"  parts (medians): data {ms(r['data_median_s'])} · PDF {ms(r['pdf_median_s'])}")
    print("  PASS" if r["pass"] else "  FAIL")
    if args.json:
        emit_json("caseload", r)


if __name__ == "__main__":
    main()
