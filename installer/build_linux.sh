#!/usr/bin/env bash
# Build Waypoint for Linux: the PyInstaller folder, then a .deb made with dpkg-deb.
#
#   installer/build_linux.sh                 # bundle + .deb  →  build/installer/waypoint_<version>_<arch>.deb
#   installer/build_linux.sh --bundle-only   # just build/installer/dist/waypoint/
#   installer/build_linux.sh --deb-only      # package an existing bundle again
#
# Environment: PYTHON (default: .venv/bin/python, else python3) · WAYPOINT_BUILD_DIR (default:
# build/installer) · DEB_COMPRESSION (xz, gzip, zstd, none; default xz) · DEB_LEVEL (default 6).
# Needs: Python 3.11+ with Waypoint's dependencies installed, dpkg-deb; desktop-file-validate is used
# when present. PyInstaller is installed into that Python if it is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${WAYPOINT_BUILD_DIR:-$ROOT/build/installer}"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON="python3"; fi
fi
STEPS="bundle deb"
case "${1:-}" in
    --bundle-only) STEPS="bundle" ;;
    --deb-only) STEPS="deb" ;;
    "") ;;
    *) echo "usage: $0 [--bundle-only | --deb-only]" >&2; exit 2 ;;
esac
say() { printf '==> %s\n' "$*"; }
mkdir -p "$OUT"

build_bundle() {
    if ! "$PYTHON" -m PyInstaller --version >/dev/null 2>&1; then
        say "installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
        "$PYTHON" -m pip install --quiet "pyinstaller>=6.0"
    fi
    say "compiling translation catalogs"
    # Into the build folder, with the function the package build uses; the source tree is left alone.
    "$PYTHON" "$ROOT/installer/compile_catalogs.py" "$OUT/locale"
    say "running PyInstaller $("$PYTHON" -m PyInstaller --version)"
    rm -rf "$OUT/dist/waypoint"
    WAYPOINT_LOCALE_DIR="$OUT/locale" "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
        --distpath "$OUT/dist" --workpath "$OUT/work" "$ROOT/installer/waypoint.spec"
    say "bundle: $OUT/dist/waypoint ($(du -sh "$OUT/dist/waypoint" | cut -f1))"
}

build_deb() {
    local bundle="$OUT/dist/waypoint"
    [[ -x "$bundle/waypoint" ]] || { echo "no bundle at $bundle: run without --deb-only first" >&2; exit 1; }
    command -v dpkg-deb >/dev/null || { echo "dpkg-deb is needed (Debian/Ubuntu: apt install dpkg)" >&2; exit 1; }
    local version arch pkg
    version="$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
    arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
    pkg="$OUT/deb/waypoint_${version}_${arch}"
    say "packaging waypoint $version ($arch)"
    rm -rf "$pkg"
    mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" \
        "$pkg/usr/share/icons/hicolor/scalable/apps" "$pkg/usr/share/doc/waypoint"
    cp -a "$bundle" "$pkg/opt/waypoint"
    ln -s /opt/waypoint/waypoint "$pkg/usr/bin/waypoint"
    install -m 0644 "$ROOT/installer/linux/waypoint.desktop" "$pkg/usr/share/applications/waypoint.desktop"
    for png in "$ROOT"/installer/icons/png/waypoint-*.png; do
        local size; size="$(basename "$png" .png)"; size="${size#waypoint-}"
        install -D -m 0644 "$png" "$pkg/usr/share/icons/hicolor/${size}x${size}/apps/waypoint.png"
    done
    install -m 0644 "$ROOT/installer/icons/waypoint.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/waypoint.svg"
    install -m 0644 "$ROOT/resources/fonts/LICENSE.txt" "$pkg/usr/share/doc/waypoint/fonts-LICENSE.txt"
    # Files world-readable, folders and programs world-executable, nothing group/world-writable
    # (the build may run under umask 077).
    chmod -R u+rwX,go+rX,go-w "$pkg"
    local size; size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
    sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
        "$ROOT/installer/linux/control.in" > "$pkg/DEBIAN/control"
    chmod 0644 "$pkg/DEBIAN/control"
    # No maintainer scripts: dpkg's triggers (hicolor-icon-theme, desktop-file-utils) refresh the
    # icon cache and the menu.
    if command -v desktop-file-validate >/dev/null; then
        desktop-file-validate "$pkg/usr/share/applications/waypoint.desktop"
    fi
    local deb="$OUT/waypoint_${version}_${arch}.deb"
    dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" -z"${DEB_LEVEL:-6}" --build "$pkg" "$deb" >/dev/null
    rm -rf "$OUT/deb"  # the staging tree: a second copy of the bundle
    say "package: $deb ($(du -h "$deb" | cut -f1))"
}

for step in $STEPS; do "build_$step"; done
