"""The installers: the frozen Linux bundle proves itself with `--self-test`, runs the command line,
carries what it needs (and not what it doesn't), and the .deb installs the program, the menu entry
and the icons. The bundle is built once per change of its inputs (INPUTS) and kept under
build/installer-test/ for the next run."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.self_test import CHECKS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "installer-test"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
CHECK_NAMES = [name for name, _check in CHECKS]


# What the Linux bundle and the .deb are made from (documentation and the other platforms' scripts
# are not: editing them does not need a new build).
INPUTS = ("pyproject.toml", "setup.py", "app", "resources", "installer/waypoint.spec", "installer/launcher.py",
          "installer/compile_catalogs.py", "installer/build_linux.sh", "installer/linux", "installer/icons/png",
          "installer/icons/waypoint.svg")


def _inputs_hash() -> str:
    """A change in any input means a new build."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in INPUTS:
        path = ROOT / name
        files += (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in sorted(files):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".mo"):
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    import PyInstaller

    digest.update(f"{sys.version}|{PyInstaller.__version__}".encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def build() -> Iterator[Path]:
    """The build folder (dist/waypoint and the .deb), built by installer/build_linux.sh or reused."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = _inputs_hash()
    folder = CACHE / key
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers wait for one build
        if not (folder / "complete").exists():
            for old in CACHE.iterdir():
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            env = {**os.environ, "WAYPOINT_BUILD_DIR": str(folder), "PYTHON": sys.executable,
                   "DEB_COMPRESSION": "gzip", "DEB_LEVEL": "1"}
            done = subprocess.run(["bash", str(ROOT / "installer" / "build_linux.sh")], env=env,
                                  capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
            (folder / "complete").write_text(key)
    yield folder


def _frozen_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: own HOME and temp folder, offscreen Qt, no Python from the source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "WAYPOINT_", "QT_"))}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env.update(HOME=str(tmp_path), TMPDIR=str(tmp_path / "tmp"), QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=180)


def test_frozen_app_passes_its_self_test(build: Path, tmp_path: Path) -> None:
    binary = build / "dist" / "waypoint" / "waypoint"
    done = _run([str(binary), "--self-test"], _frozen_env(tmp_path), tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in CHECK_NAMES:
        assert any(line.startswith(f"ok {name}: ") for line in lines), f"no ok line for {name}:\n{done.stdout}"
    assert "FAILED" not in done.stdout
    assert lines[-1] == "self-test passed"
    assert "ok gui: main window and unlock page built (offscreen), QtPdf loaded 1 page(s)" in lines
    assert "Ødegård" not in done.stdout + done.stderr  # the synthetic client is never printed
    assert list((tmp_path / "tmp").iterdir()) == []  # its temporary vault is gone
    assert not (tmp_path / ".config" / "Waypoint").exists()  # the user's settings were not touched


def test_frozen_app_runs_the_command_line(build: Path, tmp_path: Path) -> None:
    binary = str(build / "dist" / "waypoint" / "waypoint")
    env = {**_frozen_env(tmp_path), "WAYPOINT_HOME": str(tmp_path / "home"), "WAYPOINT_KDF_TARGET_MS": "0"}

    version = _run([binary, "--version"], env, tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"Waypoint {VERSION}"

    instruments = _run([binary, "instruments"], env, tmp_path)
    assert instruments.returncode == 0 and "phq9" in instruments.stdout

    # A demo vault needs faker's locales and the passphrase word list from the bundle.
    secret = tmp_path / "passphrase.txt"
    secret.write_text("violet kettle drums under 7 bridges\n", "utf-8")
    demo = _run([binary, "demo", str(tmp_path / "vault"), "--clients", "3", "--seed", "7",
                 "--passphrase-file", str(secret)], env, tmp_path)
    assert demo.returncode == 0, demo.stderr
    listed = _run([binary, "clients", str(tmp_path / "vault"), "--json", "--passphrase-file", str(secret)],
                  env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count('"client_code"') == 3

    # In Spanish (the language setting) the command line answers from the bundled catalog.
    (tmp_path / "home" / "config" / "settings.json").write_text('{"language": "es", "locale": "es_MX"}', "utf-8")
    checked = _run([binary, "check", str(tmp_path / "vault"), "--passphrase-file", str(secret)], env, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "Integridad de la base de datos: correcta" in checked.stdout


def test_bundle_carries_only_what_waypoint_uses(build: Path) -> None:
    internal = build / "dist" / "waypoint" / "_internal"
    resources = internal / "resources"

    assert (resources / "instruments" / "phq9.json").is_file()
    assert (resources / "fonts" / "DejaVuSans.ttf").is_file()
    assert (resources / "part2" / "redisclosure_notice_v1.txt").is_file()
    assert (resources / "locale" / "es" / "LC_MESSAGES" / "waypoint.mo").is_file()
    assert not list(resources.rglob("*.po")) and not list(resources.rglob("*.pot"))
    assert (resources / "icons" / "waypoint-256.png").is_file()

    babel = {p.stem for p in (internal / "babel" / "locale-data").glob("*.dat")}
    assert {"root", "en", "en_US", "es", "es_MX", "es_ES"} <= babel
    assert "fr" not in babel and "zh" not in babel

    names = {p.name for p in internal.rglob("*")}
    platforms = {p.name for p in internal.rglob("platforms/*")}
    assert {"libqoffscreen.so", "libqxcb.so", "libqwayland.so"} <= platforms
    assert not [n for n in names if "WebEngine" in n or "Qt6Quick" in n or "Qt63D" in n or "Multimedia" in n]
    assert any(n.startswith("_sqlite3") for n in {p.name for p in (internal / "sqlcipher3").iterdir()})
    # Every library the bundle loads is in it, or is a system library the .deb depends on.
    allowed = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libwayland-cursor.so.0", "libwayland-egl.so.1"}
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    missing: dict[str, str] = {}
    for lib in (p for p in internal.rglob("*.so*") if p.is_file()):
        out = subprocess.run(["ldd", str(lib)], env=env, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "not found" in line and line.split()[0] not in allowed:
                missing[line.split()[0]] = str(lib.relative_to(internal))
    assert missing == {}
    size = sum(p.stat().st_size for p in (build / "dist" / "waypoint").rglob("*")
               if p.is_file() and not p.is_symlink())
    assert size < 300 * 1024 * 1024, f"the bundle grew to {size // 2**20} MiB"


def test_deb_installs_program_menu_entry_and_icons(build: Path, tmp_path: Path) -> None:
    debs = list(build.glob("waypoint_*.deb"))
    assert len(debs) == 1 and debs[0].name.startswith(f"waypoint_{VERSION}_")

    listing = subprocess.run(["dpkg-deb", "-c", str(debs[0])], capture_output=True, text=True, check=True).stdout
    entries = {line.split(None, 5)[5].split(" -> ")[0]: line for line in listing.splitlines()}
    for path in ("./opt/waypoint/waypoint", "./usr/share/applications/waypoint.desktop",
                 "./usr/share/icons/hicolor/48x48/apps/waypoint.png",
                 "./usr/share/icons/hicolor/256x256/apps/waypoint.png",
                 "./usr/share/icons/hicolor/scalable/apps/waypoint.svg",
                 "./opt/waypoint/_internal/resources/instruments/phq9.json"):
        assert path in entries, path
    assert entries["./usr/bin/waypoint"].startswith("l") and "-> /opt/waypoint/waypoint" in entries["./usr/bin/waypoint"]
    assert entries["./opt/waypoint/waypoint"].startswith("-rwxr-xr-x root/root")
    assert all(" root/root " in line for line in listing.splitlines())

    control = subprocess.run(["dpkg-deb", "-f", str(debs[0])], capture_output=True, text=True, check=True).stdout
    assert "Package: waypoint" in control and f"Version: {VERSION}" in control
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1"):
        assert lib in control

    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tmp_path / "root")], check=True)
    desktop = (tmp_path / "root" / "usr" / "share" / "applications" / "waypoint.desktop").read_text("utf-8")
    assert "\nExec=waypoint\n" in desktop and "\nIcon=waypoint\n" in desktop and "\nName=Waypoint\n" in desktop
    installed = tmp_path / "root" / "opt" / "waypoint" / "waypoint"
    done = _run([str(installed), "--version"], _frozen_env(tmp_path), tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"Waypoint {VERSION}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_icons_hold_every_size_each_platform_asks_for() -> None:
    icons = ROOT / "installer" / "icons"
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert _png_size((icons / "png" / f"waypoint-{size}.png").read_bytes()) == (size, size)

    ico = (icons / "waypoint.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i:22 + 16 * i])
        assert _png_size(ico[offset:offset + length])[0] == (width or 256)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]

    icns = (icons / "waypoint.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    found, at = {}, 8
    while at < len(icns):
        kind_, length = struct.unpack(">4sI", icns[at:at + 8])
        found[kind_] = _png_size(icns[at + 8:at + length])[0]
        at += length
    assert found[b"ic10"] == 1024 and found[b"icp4"] == 16 and found[b"ic09"] == 512
    assert len(list((icons / "waypoint.iconset").glob("icon_*.png"))) == 10


def test_self_test_reports_a_failing_check_and_goes_on(tmp_path: Path) -> None:
    script = (
        "import sys, app.self_test as t\n"
        "def broken(run):\n    raise FileNotFoundError('no instruments folder')\n"
        "t.CHECKS = (t.CHECKS[0], ('broken', broken), *t.CHECKS[1:4])\n"
        "sys.exit(t.run_self_test())\n"
    )
    env = {**_frozen_env(tmp_path), "PYTHONPATH": str(ROOT)}
    done = _run([sys.executable, "-c", script], env, tmp_path)

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "FAILED broken: FileNotFoundError: no instruments folder" in lines
    assert [line.split(":")[0] for line in lines if line.startswith("ok ")] == [
        "ok resources", "ok fonts", "ok translations", "ok keyring"]
    assert lines[-1] == "self-test FAILED (1 of 5 checks)"
    assert list((tmp_path / "tmp").iterdir()) == []
