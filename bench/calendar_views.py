"""The calendar and the Today page on a demo vault of 2,000 clients with 50,000 follow-ups.

The vault: 2,000 demo clients (`app.services.demo.populate`, seed 1, which gives each active
client one recurring contact and a year of one-off follow-ups), topped up to exactly 50,000
follow-up rows by `top_up` below: more recurring series (weekly, every 2, 4 or 8 weeks, monthly
by date or weekday, some with a count or an end date) and one-off contacts, the past ones mostly
completed, some missed or cancelled, a few left scheduled (overdue). It is built once, in a
child process with the KDF calibrated as the app calibrates it, under bench/.cache/ (the name
carries a fingerprint of the code that decides what is stored) and reused; every run works on a
fresh copy.

One offscreen app process per run (light theme, the vault unlocked, the main window at
1366×768) measures:

- Service month window: `FollowUpService.occurrences` over the current month's six-week grid,
  on a cold session (the first call) and then for other months (no window cached, series
  parsed already), and again for a window already read (cached).
- Today page painted: `TodayPage.refresh()` with the page shown, until its follow-up lists are
  filled (they fill just after the page is shown) and the page has painted again.
- Calendar month and week views painted: `CalendarPage.set_view("month" | "week")`, then
  paging as a person does — PgDn three times, back to today, PgUp three times (`step(±1)`) —
  each until the page has painted, the page left idle for 250 ms between moves as a person looks
  at a month before the next click (the page reads the neighbouring periods while idle; that is
  what the target is checked on). Also printed: jumps to periods not read yet (`go_to(day)` far
  off) and the first view of the session, both of which read the period there and then.

    .venv/bin/python bench/calendar_views.py [--runs 3] [--json]
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
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from common import (
    CACHE,
    PASSPHRASE,
    ROOT,
    bench_env,
    emit_json,
    fingerprint,
    fresh_copy,
    median,
    p95,
    paint_probe,
)

CLIENTS = 2_000
FOLLOW_UPS = 50_000
SEED = 1
RECURRING_SHARE = 0.12  # of the follow-ups the top-up adds
TARGETS = {"month_ms": 100, "week_ms": 100, "today_ms": 150}
IDLE_S = 0.25  # the calendar page is left idle this long after each move has painted, as between clicks
TIMEOUT_S = 900
GENERATOR = 2  # bump when top_up changes what it writes
_CODE = ("app/services/demo_follow_ups.py", "app/store/follow_ups_repo.py", "app/models/follow_ups.py",
         "app/models/recurrence.py")


# -- building the vault (child process) ------------------------------------------------------------


def top_up(session: Any, total: int, seed: int = SEED) -> int:
    """Add follow-ups until the vault holds `total` (recurring and one-off, past ones with an
    outcome); returns how many were added. Synthetic data only."""
    import uuid

    from app.models.client import Stage
    from app.models.follow_ups import (
        FollowUp,
        FollowUpFields,
        FollowUpType,
        OccurrenceChange,
        Status,
    )
    from app.models.recurrence import Frequency, Recurrence, last_date, occurrence_starts
    from app.models.timefmt import to_iso
    from app.services.follow_ups import local_zone_name
    from app.store.follow_ups_repo import FollowUpRepository

    have = session.connection.execute("SELECT count(*) FROM follow_ups WHERE deleted_at IS NULL").fetchone()[0]
    need = total - have
    if need <= 0:
        return 0
    rng = random.Random(seed * 7919)
    today = session.clock.today()
    zone = local_zone_name()
    stamp = to_iso(session.clock.now())
    quiet = {Stage.REFERRED, Stage.SCREENING, Stage.CLOSED}
    active = [r.id for r in session.clients.roster() if r.stage not in quiet]
    kinds = (FollowUpType.HOME_VISIT, FollowUpType.PHONE, FollowUpType.OFFICE, FollowUpType.TELEHEALTH,
             FollowUpType.PLAN_REVIEW, FollowUpType.RESCREENING, FollowUpType.OTHER)
    weights = (30, 35, 12, 10, 4, 5, 4)
    minutes = {FollowUpType.HOME_VISIT: 60, FollowUpType.PHONE: 20, FollowUpType.OFFICE: 45,
               FollowUpType.TELEHEALTH: 30, FollowUpType.PLAN_REVIEW: 60, FollowUpType.RESCREENING: 30,
               FollowUpType.OTHER: 30}
    places = ("Client's home", "Office", "Phone", "Video call", "Clinic")
    purposes = ("Check in on the week", "Medication and sleep", "Benefits form together", "Practise the coping plan",
                "Go over the care-plan goals", "Re-screen PHQ-9 and GAD-7", "Food bank and budget")

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def outcome(when: datetime) -> Status | None:
        if when.date() >= today:
            return None
        roll = rng.random()
        return (Status.COMPLETED if roll < 0.8 else Status.MISSED if roll < 0.9
                else Status.CANCELLED if roll < 0.95 else None)

    rows: list[FollowUp] = []
    changes: list[OccurrenceChange] = []
    repo = FollowUpRepository(session.connection)
    with session.write():
        for _n in range(need):
            client_id = rng.choice(active)
            if rng.random() < RECURRING_SHARE:
                kind = rng.choice(kinds[:4])
                first = today - timedelta(days=rng.randint(0, 180))
                start = datetime.combine(first, clock_time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
                rec = rng.choice((
                    Recurrence(Frequency.WEEKLY), Recurrence(Frequency.WEEKLY, interval=2),
                    Recurrence(Frequency.WEEKLY, interval=4), Recurrence(Frequency.WEEKLY, interval=2, count=12),
                    Recurrence(Frequency.WEEKLY, interval=8), Recurrence(Frequency.MONTHLY_BY_WEEKDAY),
                    Recurrence(Frequency.MONTHLY_BY_DATE),
                    Recurrence(Frequency.WEEKLY, until=today + timedelta(days=rng.randint(14, 120)))))
                fields = FollowUpFields(kind, start, start + timedelta(minutes=minutes[kind]), zone,
                                        location=rng.choice(places), purpose=rng.choice(purposes), recurrence=rec)
                series = FollowUp(new_id(), client_id, fields, last_date(rec, start), created_by="demo")
                rows.append(series)
                past_end = datetime.combine(today, clock_time()) - timedelta(seconds=1)
                for when in occurrence_starts(rec, start, start, past_end):
                    status = outcome(when)
                    if status is not None:
                        changes.append(OccurrenceChange(series.id, when, status, id=new_id()))
            else:
                kind = rng.choices(kinds, weights)[0]
                day = today + timedelta(days=rng.randint(-365, 60))
                all_day = kind is FollowUpType.OTHER and rng.random() < 0.5
                start = datetime.combine(day, clock_time() if all_day else clock_time(rng.randint(8, 17),
                                                                                      rng.choice((0, 15, 30, 45))))
                end = start if all_day else start + timedelta(minutes=minutes[kind])
                one = FollowUp(new_id(), client_id, FollowUpFields(kind, start, end, zone, all_day,
                                                                   rng.choice(places), rng.choice(purposes)),
                               day, created_by="demo")
                rows.append(one)
                status = outcome(start)
                if status is not None:
                    changes.append(OccurrenceChange(one.id, start, status, id=new_id()))
            if len(rows) >= 5000:
                repo.insert_many(rows, stamp)
                repo.put_changes(changes, stamp)
                rows.clear()
                changes.clear()
        repo.insert_many(rows, stamp)
        repo.put_changes(changes, stamp)
    return need


def _build(folder: Path) -> None:
    from app.services import demo
    from app.services.context import AppServices
    from app.services.paths import AppPaths

    paths = AppPaths.default()
    paths.ensure()
    started = time.perf_counter()
    created = AppServices.build(paths).vaults.create(folder, PASSPHRASE, demo=True)
    session = created.session
    demo.populate(session, CLIENTS, SEED)
    clients_s = time.perf_counter() - started
    started = time.perf_counter()
    added = top_up(session, FOLLOW_UPS)
    conn = session.connection
    count, recurring = conn.execute(
        "SELECT count(*), count(recurrence) FROM follow_ups WHERE deleted_at IS NULL").fetchone()
    states = conn.execute("SELECT count(*) FROM follow_up_occurrences WHERE deleted_at IS NULL").fetchone()[0]
    session.close()
    print(f"BUILT clients_s={clients_s:.1f} top_up_s={time.perf_counter() - started:.1f} added={added}"
          f" follow_ups={count} recurring={recurring} occurrence_states={states}", flush=True)


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{GENERATOR}".encode())
    for name in _CODE:
        digest.update((ROOT / name).read_bytes())
    return f"{fingerprint()}-{digest.hexdigest()[:8]}"


def calendar_vault() -> Path:
    """The cached vault, built on first use."""
    folder = CACHE / f"calendar-{CLIENTS}-{FOLLOW_UPS}-seed{SEED}-{_fingerprint()}"
    if (folder / "built.txt").is_file():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"building the calendar vault ({CLIENTS:,} clients, {FOLLOW_UPS:,} follow-ups) in"
          f" {folder.relative_to(ROOT)} …", flush=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wp-bench-home-") as home:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build", str(building)],
                              cwd=ROOT, env=bench_env(home), check=True, timeout=TIMEOUT_S, capture_output=True,
                              text=True)
    built = next(ln for ln in proc.stdout.splitlines() if ln.startswith("BUILT"))
    (building / "built.txt").write_text(built + "\n")
    print(f"  {built} (total {time.perf_counter() - started:.1f} s)", flush=True)
    os.replace(building, folder)
    for stale in CACHE.glob(f"calendar-{CLIENTS}-{FOLLOW_UPS}-*"):
        if stale.is_dir() and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return folder


# -- one measuring process (child) -----------------------------------------------------------------

PAGE_SIZE = (1166, 726)  # a page's area in a 1366×768 window (navigation rail, menu and status bar aside)


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _grid(day: date) -> tuple[date, date]:
    """The month view's six weeks (Monday first) around `day`'s month, a day either side, as the
    calendar page reads them."""
    first = day.replace(day=1)
    start = first - timedelta(days=first.weekday())
    return start - timedelta(days=1), start + timedelta(days=42)


def _open(vault: Path) -> tuple[Any, Any]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from app.i18n import set_locale
    from app.services.context import AppServices
    from app.services.paths import AppPaths
    from app.ui import theme

    set_locale("en_US")
    theme.apply(app, "light")
    paths = AppPaths.default()
    paths.ensure()
    return app, AppServices.build(paths).vaults.unlock(vault, passphrase=PASSPHRASE)


def _spin(app: Any, done: Any, what: str) -> None:
    deadline = time.perf_counter() + 60
    while not done():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError(what)


def _service(vault: Path) -> dict:
    """FollowUpService.occurrences over month grids: the first read of the session, other months,
    the same month after a follow-up was written, and a month read again."""
    _app, session = _open(vault)
    from app.models.follow_ups import Status

    svc = session.follow_ups
    today = session.clock.today()

    def timed(start: date, end: date) -> tuple[float, int]:
        began = time.perf_counter()
        found = svc.occurrences(start, end)
        return time.perf_counter() - began, len(found)

    first_s, count = timed(*_grid(today))
    moves = [timed(*_grid(_add_months(today, k)))[0] for k in (1, 2, -1, -2, 3, -3)]
    after_write = []
    for n in range(5):
        past = [o for o in svc.occurrences(today - timedelta(days=30), today - timedelta(days=1))
                if o.status is Status.SCHEDULED]
        svc.set_status(past[n].follow_up_id, past[n].original_start, Status.COMPLETED)
        after_write.append(timed(*_grid(today))[0])
    cached = [timed(*_grid(today))[0] for _ in range(5)]
    session.close()
    return {"first_s": first_s, "occurrences": count, "moves_s": moves, "after_write_s": after_write,
            "cached_s": cached}


def _today(vault: Path, runs: int) -> dict:
    """The Today page refreshed until its follow-up lists are filled and it has painted again:
    the first time in the session, after a follow-up was recorded, and with nothing changed."""
    app, session = _open(vault)
    from PySide6.QtWidgets import QWidget

    from app.models.follow_ups import Status
    from app.ui.pages.today import TodayPage

    page = TodayPage(session)
    page.resize(*PAGE_SIZE)
    filled: list[float] = []
    real_fill = page._refresh_follow_ups

    def fill() -> None:
        was_stale = page._follow_ups_stale
        real_fill()
        if was_stale:
            filled.append(time.perf_counter())

    page._refresh_follow_ups = fill  # type: ignore[method-assign]
    probe = paint_probe()

    def once() -> float:
        filled.clear()
        began = time.perf_counter()
        page.refresh()
        _spin(app, lambda: bool(filled), "Today's lists")
        probe.painted = False
        probe.watch(page, *page.findChildren(QWidget))
        _spin(app, lambda: probe.painted, "Today painted")
        probe.unwatch()
        return time.perf_counter() - began

    page.show()
    _spin(app, page.isVisible, "Today shown")
    cold = once()
    rows = {card.name: len(card.rows) for card in page.follow_up_cards}
    today = session.clock.today()
    after_write, unchanged = [], []
    overdue = session.follow_ups.overdue(today)
    for n in range(runs):
        occ = overdue[n]
        session.follow_ups.set_status(occ.follow_up_id, occ.original_start, Status.COMPLETED)
        after_write.append(once())
        unchanged.append(once())
    page.close()
    session.close()
    return {"first_s": cold, "after_write_s": after_write, "unchanged_s": unchanged, "rows": rows}


def _calendar(vault: Path) -> dict:
    """CalendarPage month and week views: the first view of the session, then moves by a month
    (or a week) to periods not read yet, each until the page has painted."""
    app, session = _open(vault)
    try:
        from app.ui.pages.calendar import CalendarPage
    except ImportError as exc:
        return {"error": repr(exc)}
    from PySide6.QtWidgets import QWidget

    today = session.clock.today()
    out: dict[str, Any] = {}
    try:
        page = CalendarPage(session)
        page.resize(*PAGE_SIZE)
        page.show()
        _spin(app, page.isVisible, "calendar shown")
        probe = paint_probe()

        def painted(act: Any) -> float:
            began = time.perf_counter()
            act()
            probe.painted = False
            probe.watch(page, *page.findChildren(QWidget))
            _spin(app, lambda: probe.painted, "calendar painted")
            probe.unwatch()
            took = time.perf_counter() - began
            idle_until = time.perf_counter() + IDLE_S  # a person looks at the month before moving on
            while time.perf_counter() < idle_until:
                app.processEvents()
                time.sleep(0.001)
            return took

        for view, far in (("month", (7, -7, 10)), ("week", (20, -20, 30))):
            first = painted(lambda v=view: (page.set_view(v), page.go_to(today)))
            # PgDn ×3, back to today, PgUp ×3: what a person paging through the calendar does; the
            # page reads the periods either side while it is idle, as it does for them.
            steps = [painted(lambda: page.step(1)) for _i in range(3)]
            painted(lambda: page.go_to(today))
            steps += [painted(lambda: page.step(-1)) for _i in range(3)]
            # Jumps to periods nobody has read yet (typing a date far off).
            unit = 31 if view == "month" else 7
            jumps = [painted(lambda k=k, u=unit: page.go_to(today + timedelta(days=u * k))) for k in far]
            out[view] = {"first_s": first, "moves_s": steps, "jumps_s": jumps, "shown": len(page._occurrences)}
        page.close()
    except Exception as exc:  # noqa: BLE001 - the page is being built alongside: report, do not fail
        out = {"error": repr(exc)}
    session.close()
    return out


# -- the driver ------------------------------------------------------------------------------------


def _child(mode: str, vault: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode, str(vault), *args],
                          cwd=ROOT, env=bench_env(vault.parent / f"home-{mode}"), capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"{mode} session failed ({proc.returncode})")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("SESSION "))
    return json.loads(line[len("SESSION "):])


def run(runs: int) -> dict:
    source = calendar_vault()
    services, todays, calendars = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="wp-bench-calendar-") as tmp:
            vault = fresh_copy(source, Path(tmp))
            services.append(_child("service", vault))
            calendars.append(_child("calendar", vault))
            todays.append(_child("today", vault, "5"))
    built = (source / "built.txt").read_text().split()
    facts = dict(part.split("=", 1) for part in built[1:])
    result: dict[str, Any] = {
        "runs": runs, "clients": CLIENTS, "follow_ups": int(facts["follow_ups"]), "recurring": int(facts["recurring"]),
        "occurrences": services[0]["occurrences"],
        "service_first_s": median([s["first_s"] for s in services]),
        "service_month_s": median([v for s in services for v in s["moves_s"]]),
        "service_month_p95_s": p95([v for s in services for v in s["moves_s"]]),
        "service_after_write_s": median([v for s in services for v in s["after_write_s"]]),
        "service_cached_s": median([v for s in services for v in s["cached_s"]]),
        "today_first_s": median([t["first_s"] for t in todays]),
        "today_s": median([v for t in todays for v in t["after_write_s"]]),
        "today_p95_s": p95([v for t in todays for v in t["after_write_s"]]),
        "today_unchanged_s": median([v for t in todays for v in t["unchanged_s"]]),
        "today_rows": todays[0]["rows"],
    }
    errors = [c["error"] for c in calendars if "error" in c]
    if errors:
        result["calendar_error"] = errors[0]
    else:
        for view in ("month", "week"):
            moves = [v for c in calendars for v in c[view]["moves_s"]]
            result[f"{view}_first_s"] = median([c[view]["first_s"] for c in calendars])
            result[f"{view}_s"] = median(moves)
            result[f"{view}_p95_s"] = p95(moves)
            result[f"{view}_jump_s"] = median([v for c in calendars for v in c[view]["jumps_s"]])
            result[f"{view}_shown"] = calendars[0][view]["shown"]
    return result


def _verdict(seconds: float, target_ms: float) -> str:
    return "pass" if seconds * 1000 <= target_ms else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs, each a fresh copy and its own processes (default 3)")
    parser.add_argument("--json", action="store_true", help="also print a BENCH-JSON line")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        _build(args.build)
        return 0
    if args.child:
        mode, vault, *rest = args.child
        work = {"service": lambda: _service(Path(vault)), "today": lambda: _today(Path(vault), int(rest[0])),
                "calendar": lambda: _calendar(Path(vault))}[mode]
        print("SESSION " + json.dumps(work()), flush=True)
        return 0
    r = run(max(1, args.runs))
    ms = 1000
    print(f"Calendar and Today on a demo vault of {r['clients']:,} clients and {r['follow_ups']:,} follow-ups"
          f" ({r['recurring']:,} recurring), offscreen, {r['runs']} runs; the current month's grid holds"
          f" {r['occurrences']:,} occurrences")
    print(f"  service month window, another month      median {r['service_month_s'] * ms:6.1f} ms"
          f"   (p95 {r['service_month_p95_s'] * ms:.1f}; first read of the session {r['service_first_s'] * ms:.1f};"
          f" after a follow-up was written {r['service_after_write_s'] * ms:.1f}; read again"
          f" {r['service_cached_s'] * ms:.2f})")
    if "calendar_error" in r:
        print("  month view painted                        n/a (calendar page not ready)")
        print("  week view painted                         n/a (calendar page not ready)")
        print(f"    ({r['calendar_error']})")
    else:
        for view, label in (("month", "month view painted (PgDn / PgUp)    "), ("week", "week view painted (PgDn / PgUp)     ")):
            target = TARGETS[f"{view}_ms"]
            print(f"  {label}        median {r[f'{view}_s'] * ms:6.1f} ms   target ≤ {target}:"
                  f" {_verdict(r[f'{view}_s'], target)}   (p95 {r[f'{view}_p95_s'] * ms:.1f}; jump to a {view} not read"
                  f" yet {r[f'{view}_jump_s'] * ms:.1f}; first view of the session {r[f'{view}_first_s'] * ms:.1f};"
                  f" {r[f'{view}_shown']:,} occurrences shown)")
    print(f"  Today page painted, lists filled          median {r['today_s'] * ms:6.1f} ms   target ≤"
          f" {TARGETS['today_ms']}: {_verdict(r['today_s'], TARGETS['today_ms'])}   (after a follow-up was recorded;"
          f" p95 {r['today_p95_s'] * ms:.1f}; first show of the session {r['today_first_s'] * ms:.1f}; nothing"
          f" changed {r['today_unchanged_s'] * ms:.1f})")
    print("    Today's lists: " + ", ".join(f"{k} {v:,}" for k, v in r["today_rows"].items()))
    if args.json:
        emit_json("calendar", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
