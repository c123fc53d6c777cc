"""kill -9 during every kind of save, many times: the figures for the README's Reliability section.

    .venv/bin/python bench/reliability.py [--kills 200] [--seed N] [--workers 2] [--json]

Builds a demo vault holding every kind of record (app.services.demo.populate, 12 clients) in a
temporary folder, then, for each kind of record (tests/reliability/conftest.py KINDS: clients,
edits, screenings, assessments, risk tiers, safety plans, care plans, notes, attachments,
follow-ups, transitions, releases, disclosures, care-team members, service referrals, mileage,
drafts), starts a child process that saves records of that kind in a loop through the services on
its own copy of the vault, and SIGKILLs it at a random moment (after 1–6 acknowledged saves, a
random fraction of the way into the next). After every kill the vault is opened as the app opens
it: every save acknowledged so far must be there, and the full integrity check, the cipher check
and the audit chain must pass. `--kills` is the total, spread evenly over the kinds.

Prints runs, commits acknowledged, lost and integrity failures per kind and in total; exits 1 if
anything was lost or failed a check. The engine is tests/reliability/test_kill_saves.py (the test
suite runs it once per kind).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit_json

sys.path.insert(0, str(ROOT))
os.environ["WAYPOINT_KDF_TARGET_MS"] = "0"  # the KDF at its floor: this measures saves, not unlocking


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200, help="total kills, spread over the kinds (default 200)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="kinds killed at the same time (default 2)")
    parser.add_argument("--json", action="store_true", help="also print one BENCH-JSON line")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 20)

    with tempfile.TemporaryDirectory(prefix="wp-reliability-") as tmp:
        os.environ["WAYPOINT_HOME"] = str(Path(tmp) / "home")
        from app.services.context import AppServices
        from app.services.paths import AppPaths
        from tests.reliability.conftest import KINDS, build_demo_vault
        from tests.reliability.test_kill_saves import KillFigures, kill_all_kinds

        paths = AppPaths.default()
        paths.ensure()
        services = AppServices.build(paths)
        template = build_demo_vault(services, Path(tmp) / "demo")
        per_kind = max(1, round(args.kills / len(KINDS)))
        print(f"kill -9 during saves: {len(KINDS)} kinds × {per_kind} kills, seed {seed}, "
              f"{args.workers} at a time", flush=True)
        started = time.perf_counter()
        results = kill_all_kinds(services, template, Path(tmp), per_kind, seed, workers=args.workers)
        elapsed = time.perf_counter() - started

    total = KillFigures("total")
    print("\n| Kind | Runs | Commits acknowledged | Lost | Integrity failures |\n| --- | ---: | ---: | ---: | ---: |")
    for kind in KINDS:
        f = results[kind]
        total.add(f)
        print(f"| {kind} | {f.runs} | {f.acknowledged} | {f.lost} | {f.integrity_failures} |")
    print(f"| **total** | **{total.runs}** | **{total.acknowledged}** | **{total.lost}** | "
          f"**{total.integrity_failures}** |")
    print(f"\n{elapsed:.0f} s; seed {seed}")
    for problem in total.problems[:20]:
        print(f"PROBLEM {problem}")
    if args.json:
        emit_json("reliability", {
            "seed": seed, "kinds": len(KINDS), "runs": total.runs, "acknowledged": total.acknowledged,
            "lost": total.lost, "integrity_failures": total.integrity_failures, "seconds": round(elapsed, 1),
            "per_kind": {k: {"runs": f.runs, "acknowledged": f.acknowledged, "lost": f.lost,
                             "integrity_failures": f.integrity_failures} for k, f in results.items()},
        })
    return 0 if total.lost == 0 and total.integrity_failures == 0 and not total.problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
