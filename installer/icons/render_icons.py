"""Render the app icon (waypoint.svg) into everything the installers need, with Qt offscreen:

  png/waypoint-<N>.png      N = 16 … 512 (Linux hicolor theme sizes; the window icon)
  waypoint.ico              Windows: 16 … 256 in one file (PNG-compressed entries)
  waypoint.icns             macOS: 16 … 1024 in one file (PNG entries)
  waypoint.iconset/         the same for Apple's `iconutil -c icns waypoint.iconset`

Run after editing the SVG:  QT_QPA_PLATFORM=offscreen python installer/icons/render_icons.py
The outputs are committed, so a build needs no SVG renderer.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
SVG = HERE / "waypoint.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (OSType, pixel size) of the PNG-based icns entries macOS reads.
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
ICONSET = ((16, 1), (16, 2), (32, 1), (32, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (512, 2))


def render(size: int) -> bytes:
    """The icon as PNG bytes, `size` pixels square."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG-compressed image per size (Vista and later read these)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG entries."""
    body = b"".join(struct.pack(">4sI", kind, 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return struct.pack(">4sI", b"icns", 8 + len(body)) + body


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    needed = sorted({*PNG_SIZES, *ICO_SIZES, *(s for _k, s in ICNS_TYPES), *(s * f for s, f in ICONSET)})
    pngs = {size: render(size) for size in needed}
    (HERE / "png").mkdir(exist_ok=True)
    for size in PNG_SIZES:
        (HERE / "png" / f"waypoint-{size}.png").write_bytes(pngs[size])
    (HERE / "waypoint.ico").write_bytes(ico({s: pngs[s] for s in ICO_SIZES}))
    (HERE / "waypoint.icns").write_bytes(icns(pngs))
    iconset = HERE / "waypoint.iconset"
    iconset.mkdir(exist_ok=True)
    for size, factor in ICONSET:
        suffix = "@2x" if factor == 2 else ""
        (iconset / f"icon_{size}x{size}{suffix}.png").write_bytes(pngs[size * factor])
    print(f"rendered {len(PNG_SIZES)} PNGs, waypoint.ico, waypoint.icns and waypoint.iconset/ into {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
