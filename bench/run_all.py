"""Run every Waypoint benchmark and print one summary table in Markdown (for the README).

    .venv/bin/python bench/run_all.py [--quick]

Each benchmark runs as its own process (bench/startup.py, bench/workspace.py,
bench/sqlcipher_vs_sqlite.py, bench/chart.py, bench/scoring.py, bench/care_plan.py, bench/notes.py,
bench/calendar_views.py, bench/reports.py, bench/fhir.py, bench/caseload.py) and prints its detailed figures; the table at the end collects
the headline figure of each, its target, and pass/fail. The first run builds the cached demo
vault of 10,000 clients under bench/.cache/ (about 90 s), and the 2,000-client vaults of the
care-plan, notes and calendar benches (about 45–90 s each).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

from common import BENCH, CLIENTS, ROOT, cached_vault, parse_json_lines


def _run(script: str, *args: str) -> dict:
    print(f"\n$ python bench/{script} {' '.join(args)}".rstrip(), flush=True)
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args, "--json"], cwd=ROOT, text=True, capture_output=True
    )
    for line in proc.stdout.splitlines():
        if not line.startswith("BENCH-JSON "):
            print(line, flush=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench/{script} failed ({proc.returncode})")
    return parse_json_lines(proc.stdout)


def _row(figure: str, value: str, target: str, ok: bool) -> str:
    return f"| {figure} | {value} | {target} | {'pass' if ok else '**FAIL**'} |"


def _calendar_rows(cal: dict) -> list[str]:
    where = f"{cal['clients']:,} clients, {cal['follow_ups']:,} follow-ups"
    rows = [f"| Follow-ups of a month's calendar grid read (`FollowUpService.occurrences`, {cal['occurrences']:,}"
            f" occurrences; {where}; another month, median) | {cal['service_month_s'] * 1000:.0f} ms (first read of a"
            f" session {cal['service_first_s'] * 1000:.0f} ms; a month read again {cal['service_cached_s'] * 1000:.2f}"
            " ms) | faster than before (400–500 ms on this vault) | — |"]
    for view, what in (("month", "month"), ("week", "week")):
        figure = f"Calendar {what} view painted, paging with PgDn / PgUp ({where}; median)"
        if f"{view}_s" in cal:
            rows.append(_row(figure, f"{cal[f'{view}_s'] * 1000:.0f} ms (p95 {cal[f'{view}_p95_s'] * 1000:.0f} ms;"
                             f" jump to a {what} not read yet {cal[f'{view}_jump_s'] * 1000:.0f} ms; first view of a"
                             f" session {cal[f'{view}_first_s'] * 1000:.0f} ms)",
                             "≤ 100 ms", cal[f"{view}_s"] <= 0.100))
        else:
            rows.append(f"| {figure} | n/a (calendar page not ready) | ≤ 100 ms | n/a |")
    rows.append(_row(f"Today page painted with its follow-up lists, after a follow-up was recorded ({where}; median)",
                     f"{cal['today_s'] * 1000:.0f} ms (p95 {cal['today_p95_s'] * 1000:.0f} ms)", "≤ 150 ms",
                     cal["today_s"] <= 0.150))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rough look, not for the README)")
    args = parser.parse_args()
    started = time.perf_counter()
    load_before = os.getloadavg()
    cached_vault()
    startup = _run("startup.py", "--runs", "5" if args.quick else "15")["startup"]
    work = _run("workspace.py", "--runs", "3" if args.quick else "7")["workspace"]
    sql = _run("sqlcipher_vs_sqlite.py", "--runs", "9" if args.quick else "21")["sqlcipher_vs_sqlite"]
    chart = _run("chart.py", "--runs", "7" if args.quick else "15")["chart"]
    scoring = _run("scoring.py", "--runs", "200" if args.quick else "300")["scoring"]
    plan = _run("care_plan.py", "--runs", "7" if args.quick else "15")["care_plan"]
    notes = _run("notes.py", "--runs", "2" if args.quick else "3")["notes"]
    cal = _run("calendar_views.py", "--runs", "1" if args.quick else "3")["calendar"]
    reports = _run("reports.py", "--runs", "3" if args.quick else "10")
    fhir = _run("fhir.py", "--runs", "7" if args.quick else "25")["fhir"]
    caseload = _run("caseload.py", "--runs", "1" if args.quick else "5")["caseload"]
    load_after = os.getloadavg()

    kdf = work["kdf_params"]
    rows = [
        _row("Start-up to the unlock screen painted, vs a bare PySide6 window (same run)",
             f"{startup['ratio']:.2f}× ({startup['app_s'] * 1000:.0f} ms vs {startup['bare_s'] * 1000:.0f} ms)",
             "≤ 2.5×", startup["ratio"] <= 2.5),
        _row(f"KDF (Argon2id t={kdf['time_cost']}, {kdf['memory_kib'] // 1024} MiB, p={kdf['parallelism']}),"
             " during the app's unlock / alone",
             f"{work['kdf_s'] * 1000:.0f} ms / {work['kdf_quiet_s'] * 1000:.0f} ms", "0.5–1 s (meant to be slow)",
             0.5 <= work["kdf_s"] <= 1.0),
        _row(f"Roster painted after the key is derived ({work['roster_rows']:,} of the {CLIENTS:,} clients;"
             " archived hidden)",
             f"{work['roster_s'] * 1000:.0f} ms", "≤ 250 ms", work["roster_s"] <= 0.250),
        _row("Search as you type, per keystroke (p95)", f"{work['keystroke_p95_s'] * 1000:.1f} ms", "≤ 30 ms",
             work["keystroke_p95_s"] <= 0.030),
        _row("Open a client (median)", f"{work['open_s'] * 1000:.1f} ms", "≤ 100 ms", work["open_s"] <= 0.100),
        _row("Save an edit (p95)", f"{work['save_p95_s'] * 1000:.1f} ms", "≤ 50 ms", work["save_p95_s"] <= 0.050),
        _row("Same queries, SQLCipher / stdlib sqlite3 (overall)", f"{sql['overall_ratio']:.2f}×", "≤ 1.5×",
             sql["overall_ratio"] <= 1.5),
        _row(f"Open the score-history chart of a client with {chart['points']} administrations"
             " (Trends tab built, history read, chart painted)",
             f"{chart['open_s'] * 1000:.0f} ms (p95 {chart['open_p95_s'] * 1000:.0f} ms)", "≤ 150 ms",
             chart["open_s"] <= 0.150),
        _row("Score and save an administration (p95)", f"{scoring['record_p95_s'] * 1000:.1f} ms", "≤ 50 ms",
             scoring["record_p95_s"] <= 0.050),
        _row("Peak memory of the app with the vault", f"{work['peak_mib']:.0f} MiB", "≤ 250 MiB",
             work["peak_mib"] <= 250),
        _row(f"Open a client's care plan ({plan['clients']:,} clients; the heaviest plan, {plan['items']} items)",
             f"{plan['open_s'] * 1000:.0f} ms (p95 {plan['open_p95_s'] * 1000:.0f} ms)", "≤ 100 ms",
             plan["open_s"] <= 0.100),
        _row(f"Search across all notes ({notes['clients']:,} clients, {notes['notes']:,} notes; p95)",
             f"{notes['search_p95_s'] * 1000:.1f} ms", "≤ 50 ms", notes["search_p95_s"] <= 0.050),
        _row("Save a note (p95)", f"{notes['save_p95_s'] * 1000:.1f} ms", "≤ 50 ms", notes["save_p95_s"] <= 0.050),
        _row("Peak memory with that notes vault, a busy client's Notes tab shown",
             f"{notes['peak_mib']:.0f} MiB", "≤ 300 MiB", notes["peak_mib"] <= 300),
        *_calendar_rows(cal),
        _row(f"Client summary PDF of a client with {reports['report_summary']['history_days'] / 365:.0f} years of"
             " history (data read and rendered)",
             f"{reports['report_summary']['value_ms']:.0f} ms (p95 {reports['report_summary']['p95_ms']:.0f} ms)",
             "≤ 500 ms", reports["report_summary"]["pass"]),
        _row(f"Progress-notes PDF of a year ({reports['report_notes']['notes']} notes,"
             f" {reports['report_notes']['pages']} pages)",
             f"{reports['report_notes']['value_ms']:.0f} ms (p95 {reports['report_notes']['p95_ms']:.0f} ms)",
             f"≤ {reports['report_notes']['target_ms']:.0f} ms", reports["report_notes"]["pass"]),
        _row(f"FHIR export of one client ({fhir['resources']} resources, written to a file)",
             f"{fhir['value_ms']:.0f} ms (p95 {fhir['p95_ms']:.0f} ms)", "≤ 300 ms", fhir["pass"]),
        _row(f"Caseload report PDF, de-identified, of the 2,000-client vault ({caseload['clients']:,} active clients,"
             f" {caseload['pages']} pages; figures read and rendered)",
             f"{caseload['median_s']:.2f} s (p95 {caseload['p95_s']:.2f} s; data {caseload['data_median_s']:.2f} s,"
             f" PDF {caseload['pdf_median_s']:.2f} s)", "≤ 3 s", caseload["pass"]),
    ]
    print("\n## Performance\n")
    print(f"Demo vault of {CLIENTS:,} clients (`waypoint demo DIR --clients {CLIENTS} --seed 1`), offscreen Qt,"
          f" {os.cpu_count()} CPUs, Python {platform.python_version()}; medians unless noted.\n")
    print("| Figure | Value | Target | Result |")
    print("| --- | --- | --- | --- |")
    print("\n".join(rows))
    print(f"\nLoad average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}"
          f" (other work on the machine skews the figures); took {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
