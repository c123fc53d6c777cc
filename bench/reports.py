"""Reports: the client summary (face sheet) of a client with about three years of history
(target ≤ 500 ms), and the progress-notes report of that client's last year.

A demo vault of 60 clients (app.services.demo.populate, seed 1: screening histories, risk tiers,
care plans, care teams, safety plans, recurring follow-ups and about 100 contact notes each) is
built in a temporary folder; the client with the most records (notes, administrations and
follow-ups) is chosen and, when its record is shorter than three years, topped up through the services
(a PHQ-9 and a GAD-7 each month and a signed home-visit note each fortnight, back to three years
before today) so it has three years of history. Each run of the summary times `summary_data` (the services reading the
record) plus `client_summary.build_pdf` (layout and PDF in memory); each run of the notes report
times `notes_data` for the year up to today plus `notes_report.build_pdf`. The first run (cold
caches) is reported on its own; the headline is the median over all runs, with p95.

    .venv/bin/python bench/reports.py [--runs 10] [--clients 60] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

from common import PASSPHRASE, ROOT, emit_json, median, ms, p95

SUMMARY_TARGET_MS = 500
NOTES_TARGET_MS = 2000  # no figure in the issue; a year of notes should appear within two seconds
SEED = 1
YEARS = 3


def top_up(session, client_id: str, since) -> int:  # type: ignore[no-untyped-def]
    """Monthly PHQ-9 and GAD-7 and fortnightly signed notes from `since` to the first record."""
    import random

    from app.models.notes import ContactType, NoteFields, NoteFormat, NoteSection

    rng = random.Random(SEED)
    notes = session.notes.notes(client_id)
    admins = session.screening.history(client_id)
    first = min([n.fields.contact_on for n in notes] + [a.administered_on for a in admins])
    added = 0
    on = since
    while on < first:
        if (on - since).days % 30 < 14:
            session.screening.record(client_id, "phq9", {str(i): rng.randint(0, 2) if i < 9 else 0
                                                         for i in range(1, 10)}, on=on)
            session.screening.record(client_id, "gad7", {str(i): rng.randint(0, 2) for i in range(1, 8)}, on=on)
        fields = NoteFields(ContactType.HOME_VISIT, on, wall_time(10, 0), 45, "Client's home", ("Client",), (), NoteFormat.DAP,
                            {NoteSection.DATA: "Talked about sleep, money and the week ahead. " * rng.randint(1, 4),
                             NoteSection.ASSESSMENT: "Steady; engaging with the plan.",
                             NoteSection.PLAN: "Visit again in two weeks; call the housing office."})
        session.notes.sign(session.notes.save_draft(client_id, fields).id)
        added += 1
        on += timedelta(days=14)
    return added


def run(runs: int, clients: int) -> dict:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="wp-bench-reports-") as tmp:
        os.environ["WAYPOINT_HOME"] = str(Path(tmp) / "home")
        os.environ["WAYPOINT_KDF_TARGET_MS"] = "0"  # unlocking is not what is measured here
        from app.reports import client_summary, notes_report
        from app.reports.engine import Letterhead
        from app.services import demo
        from app.services.context import AppServices
        from app.services.paths import AppPaths
        from app.services.report_data import notes_data, summary_data

        paths = AppPaths.default()
        paths.ensure()
        services = AppServices.build(paths)
        started = time.perf_counter()
        session = services.vaults.create(Path(tmp) / "vault", PASSPHRASE, demo=True).session
        demo.populate(session, clients, seed=SEED)
        built_s = time.perf_counter() - started

        def weight(client_id: str) -> int:
            return (len(session.notes.notes(client_id)) + len(session.screening.history(client_id))
                    + len(session.follow_ups.for_client(client_id)))

        client_id = max((r.id for r in session.clients.roster(include_archived=True)), key=weight)
        today = session.clock.today()
        topped_up = top_up(session, client_id, today - timedelta(days=round(YEARS * 365.25)))
        notes = session.notes.notes(client_id)
        admins = session.screening.history(client_id)
        earliest = min([n.fields.contact_on for n in notes] + [a.administered_on for a in admins])
        letterhead = Letterhead("Riverbend Community Mental Health", "1200 Harbor Street\nPortland, OR 97201",
                                "(503) 555-0142", None, "Jordan Ellis", "MSW, CCM")
        now = datetime.now(UTC)

        summary: list[float] = []
        summary_pages = summary_bytes = 0
        for _ in range(runs):
            began = time.perf_counter()
            pdf = client_summary.build_pdf(summary_data(session, client_id), letterhead, now)
            summary.append(time.perf_counter() - began)
            summary_bytes = len(pdf)
        summary_pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")

        yearly: list[float] = []
        year_notes = 0
        for _ in range(runs):
            began = time.perf_counter()
            data = notes_data(session, client_id, today - timedelta(days=365), today)
            pdf = notes_report.build_pdf(data, letterhead, now)
            yearly.append(time.perf_counter() - began)
            year_notes = len(data.notes)
        notes_pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        session.close()
    return {"runs": runs, "clients": clients, "vault_built_s": built_s,
            "history_days": (today - earliest).days, "topped_up": topped_up, "notes": len(notes), "administrations": len(admins),
            "summary_first_s": summary[0], "summary_median_s": median(summary), "summary_p95_s": p95(summary),
            "summary_pages": summary_pages, "summary_bytes": summary_bytes,
            "notes_first_s": yearly[0], "notes_median_s": median(yearly), "notes_p95_s": p95(yearly),
            "year_notes": year_notes, "notes_pages": notes_pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="also print a BENCH-JSON line")
    args = parser.parse_args()
    r = run(max(args.runs, 5), args.clients)
    summary_ok = r["summary_median_s"] * 1000 <= SUMMARY_TARGET_MS
    notes_ok = r["notes_median_s"] * 1000 <= NOTES_TARGET_MS
    print(f"demo vault of {r['clients']} clients built in {r['vault_built_s']:.1f} s")
    print(f"client with the most records: {r['notes']} notes, {r['administrations']} administrations, "
          f"history of {r['history_days'] / 365.25:.1f} years ({r['topped_up']} notes added to reach it)")
    print(f"client summary, first (cold)          {ms(r['summary_first_s'])}")
    print(f"client summary, median                {ms(r['summary_median_s'])} (p95 {ms(r['summary_p95_s'])}) "
          f"over {r['runs']} runs, {r['summary_pages']} pages — target ≤ {SUMMARY_TARGET_MS} ms: "
          f"{'pass' if summary_ok else 'FAIL'}")
    print(f"notes report of the last year, first  {ms(r['notes_first_s'])}")
    print(f"notes report of the last year, median {ms(r['notes_median_s'])} (p95 {ms(r['notes_p95_s'])}), "
          f"{r['year_notes']} notes on {r['notes_pages']} pages — target ≤ {NOTES_TARGET_MS} ms: "
          f"{'pass' if notes_ok else 'FAIL'}")
    if args.json:
        emit_json("report_summary", {"value_ms": r["summary_median_s"] * 1000, "p95_ms": r["summary_p95_s"] * 1000,
                                     "target_ms": SUMMARY_TARGET_MS, "pass": summary_ok,
                                     "history_days": r["history_days"]})
        emit_json("report_notes", {"value_ms": r["notes_median_s"] * 1000, "p95_ms": r["notes_p95_s"] * 1000,
                                   "target_ms": NOTES_TARGET_MS, "pass": notes_ok, "notes": r["year_notes"],
                                   "pages": r["notes_pages"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
