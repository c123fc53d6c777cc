#!/usr/bin/env bash
# Build Waypoint for macOS: Waypoint.app (the BUNDLE section of installer/waypoint.spec), then a .dmg
# made with hdiutil. Run on a Mac of the architecture you ship (arm64 or x86_64); a universal2 build
# needs a universal2 Python and universal2 wheels of every dependency.
#
#   installer/macos/build_macos.sh
#
# Environment: PYTHON (default .venv/bin/python, else python3) · WAYPOINT_BUILD_DIR (default
# build/installer) · SIGN_IDENTITY ("Developer ID Application: …", optional: sign the app and the
# .dmg) · NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile, optional: notarize and staple).
# Needs: Python 3.11+ with Waypoint installed, the Xcode command line tools (hdiutil, codesign,
# iconutil, xcrun). Result: build/installer/Waypoint-<version>.dmg
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${WAYPOINT_BUILD_DIR:-$ROOT/build/installer}"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON="python3"; fi
fi
say() { printf '==> %s\n' "$*"; }
mkdir -p "$OUT"

"$PYTHON" -m PyInstaller --version >/dev/null 2>&1 || "$PYTHON" -m pip install --quiet "pyinstaller>=6.0"

# The committed waypoint.icns is made by installer/icons/render_icons.py; Apple's own tool gives the
# same from the iconset, when it is at hand.
if command -v iconutil >/dev/null; then
    iconutil -c icns "$ROOT/installer/icons/waypoint.iconset" -o "$OUT/waypoint.icns"
    cp "$OUT/waypoint.icns" "$ROOT/installer/icons/waypoint.icns"
fi

say "compiling translation catalogs"
"$PYTHON" "$ROOT/installer/compile_catalogs.py" "$OUT/locale"

say "running PyInstaller"
rm -rf "$OUT/dist/Waypoint.app" "$OUT/dist/waypoint"
WAYPOINT_LOCALE_DIR="$OUT/locale" "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$OUT/dist" --workpath "$OUT/work" "$ROOT/installer/waypoint.spec"
APP="$OUT/dist/Waypoint.app"

say "self-test of the bundle"
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/waypoint" --self-test

if [[ -n "${SIGN_IDENTITY:-}" ]]; then
    say "signing with $SIGN_IDENTITY (hardened runtime)"
    codesign --force --deep --options runtime --timestamp \
        --entitlements "$ROOT/installer/macos/entitlements.plist" --sign "$SIGN_IDENTITY" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
fi

VERSION="$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
DMG="$OUT/Waypoint-$VERSION.dmg"
STAGE="$OUT/dmg"
say "making $DMG"
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"  # drag the app onto this link to install
hdiutil create -volname "Waypoint $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
rm -rf "$STAGE"

if [[ -n "${SIGN_IDENTITY:-}" ]]; then
    codesign --force --timestamp --sign "$SIGN_IDENTITY" "$DMG"
    if [[ -n "${NOTARY_PROFILE:-}" ]]; then
        say "notarizing"
        xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
    fi
fi
say "disk image: $DMG"
