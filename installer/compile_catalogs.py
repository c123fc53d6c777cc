"""Compile the translation catalogs for a build:  python installer/compile_catalogs.py OUT_DIR

Copies resources/locale/<lang>/LC_MESSAGES/*.po to OUT_DIR/<lang>/LC_MESSAGES/ and compiles them there
with the same function the package build uses (setup.py: compile_catalogs), so the source tree is
left as it is. The PyInstaller spec bundles OUT_DIR's .mo files when WAYPOINT_LOCALE_DIR names it.
Used by build_linux.sh, build_windows.ps1 and macos/build_macos.sh."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python installer/compile_catalogs.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    shutil.rmtree(out, ignore_errors=True)
    source = ROOT / "resources" / "locale"
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        target = out / po.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(po, target)
    sys.path.insert(0, str(ROOT))
    from setup import compile_catalogs

    written = compile_catalogs(out)
    if not written:
        print(f"no translation catalogs under {source}", file=sys.stderr)
        return 1
    print("    compiled " + ", ".join(f"{p.parent.parent.name}/{p.name}" for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
