"""Start-up: process spawn to the unlock screen painted, against a bare PySide6 window.

Both are measured in the same run, alternating, as wall time from spawning the process to
reading its `PAINTED` line on stdout (the app prints it with WAYPOINT_BENCH_STARTUP=1 once the
unlock page is first painted; bench/bare_window.py prints it when a plain QWidget is painted).
The app is started the way a user starts it on an existing vault: `python -m app --vault DIR`,
offscreen, with a private WAYPOINT_HOME. One untimed warm-up of each comes first (bytecode,
font and page caches), so every timed run is a warm start.

    .venv/bin/python bench/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH, ROOT, bench_env, cached_vault, emit_json, fresh_copy, median

TARGET_RATIO = 2.5
TIMEOUT_S = 60


def spawn_until_painted(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds from spawn to the PAINTED line, the process's own PAINTED figure)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("PAINTED "):
                wall = time.perf_counter() - started
                return wall, float(line.split()[1])
        raise RuntimeError(f"{argv[1:]} exited ({proc.wait()}) without painting")
    finally:
        try:
            proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(runs: int) -> dict:
    vault_source = cached_vault()
    with tempfile.TemporaryDirectory(prefix="wp-bench-startup-") as tmp:
        vault = fresh_copy(vault_source, Path(tmp))
        home = Path(tmp) / "home"
        env = bench_env(home) | {"WAYPOINT_BENCH_STARTUP": "1"}
        bare_argv = [sys.executable, str(BENCH / "bare_window.py")]
        app_argv = [sys.executable, "-m", "app", "--vault", str(vault)]
        spawn_until_painted(bare_argv, env)  # warm-ups, not counted
        spawn_until_painted(app_argv, env)
        bare: list[float] = []
        app: list[float] = []
        app_inner: list[float] = []
        for index in range(runs):
            # Alternate which goes first so neither always follows the other.
            order = ((bare_argv, bare), (app_argv, app)) if index % 2 == 0 else ((app_argv, app), (bare_argv, bare))
            for argv, into in order:
                wall, inner = spawn_until_painted(argv, env)
                into.append(wall)
                if argv is app_argv:
                    app_inner.append(inner)
    result = {
        "runs": runs,
        "bare_s": median(bare),
        "app_s": median(app),
        "app_after_main_import_s": median(app_inner),
        "ratio": median(app) / median(bare),
        "ratio_of_pairs": median([a / b for a, b in zip(app, bare, strict=True)]),
        "bare_all_s": bare,
        "app_all_s": app,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="also print a machine-readable line")
    args = parser.parse_args()
    r = run(args.runs)
    print(f"Start-up to first paint (offscreen, {r['runs']} alternating warm runs, medians)")
    print(f"  bare PySide6 window      {r['bare_s'] * 1000:7.1f} ms")
    print(f"  Waypoint unlock screen   {r['app_s'] * 1000:7.1f} ms"
          f"   (of which after app.main was imported: {r['app_after_main_import_s'] * 1000:.1f} ms)")
    verdict = "pass" if r["ratio"] <= TARGET_RATIO else "FAIL"
    print(f"  ratio                    {r['ratio']:7.2f}×  (target ≤ {TARGET_RATIO}×: {verdict};"
          f" median of per-pair ratios {r['ratio_of_pairs']:.2f}×)")
    if args.json:
        emit_json("startup", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
