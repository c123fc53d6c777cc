"""Look and feel: Fusion with a calm light or dark palette that follows the OS, one accent,
an 8-pixel spacing grid, and icons from a maintained set (qtawesome, loaded lazily).

When the OS asks for more contrast (or WAYPOINT_HIGH_CONTRAST=1), a black-and-white palette
replaces the calm one: every text colour reaches 7:1 against its background (WCAG AAA), borders
are solid and the focus ring is thick. Font sizes are never fixed: everything scales from the
application font, which follows the system's."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

SPACING = 8


@dataclass(frozen=True)
class Colors:
    dark: bool
    window: str
    surface: str
    surface_alt: str
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str
    danger: str
    danger_bg: str
    warning_bg: str
    info_bg: str
    success: str
    high_contrast: bool = False


LIGHT = Colors(
    dark=False, window="#F5F6F8", surface="#FFFFFF", surface_alt="#EEF1F4", border="#D5DAE0",
    text="#1D2329", muted="#5B6570", accent="#0B6E6E", accent_text="#FFFFFF", danger="#B3261E",
    danger_bg="#FBE9E7", warning_bg="#FFF4D6", info_bg="#E3F2F1", success="#1E7D32",
)
DARK = Colors(
    dark=True, window="#1B1E22", surface="#23272C", surface_alt="#2B3036", border="#3A4048",
    text="#E7EAED", muted="#A3ADB8", accent="#4FB3AE", accent_text="#0E1214", danger="#F2B8B5",
    danger_bg="#4A2220", warning_bg="#45391A", info_bg="#1C3A38", success="#81C784",
)

# High contrast: pure black and white, no grey text; accents dark enough (or light enough) to
# read as text at 7:1 or better.
HIGH_CONTRAST_LIGHT = Colors(
    dark=False, window="#FFFFFF", surface="#FFFFFF", surface_alt="#F0F0F0", border="#000000",
    text="#000000", muted="#1F1F1F", accent="#00367A", accent_text="#FFFFFF", danger="#8A0000",
    danger_bg="#FFFFFF", warning_bg="#FFFFFF", info_bg="#FFFFFF", success="#004D00", high_contrast=True,
)
HIGH_CONTRAST_DARK = Colors(
    dark=True, window="#000000", surface="#000000", surface_alt="#141414", border="#FFFFFF",
    text="#FFFFFF", muted="#E6E6E6", accent="#FFE14D", accent_text="#000000", danger="#FF9E9E",
    danger_bg="#000000", warning_bg="#000000", info_bg="#000000", success="#8CFF8C", high_contrast=True,
)

_current: dict[str, Colors] = {"colors": LIGHT}


def colors() -> Colors:
    return _current["colors"]


def wants_dark(preference: str = "system") -> bool:
    forced = os.environ.get("WAYPOINT_THEME", preference)
    if forced in ("dark", "light"):
        return forced == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def wants_high_contrast() -> bool:
    """WAYPOINT_HIGH_CONTRAST=1 (or 0) decides; otherwise the OS accessibility setting does."""
    forced = os.environ.get("WAYPOINT_HIGH_CONTRAST", "").strip().lower()
    if forced in ("1", "true", "yes", "on"):
        return True
    if forced in ("0", "false", "no", "off"):
        return False
    style_hints = QGuiApplication.styleHints()  # kept alive while its accessibility part is read
    return style_hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast


def palette_for(dark: bool, high_contrast: bool) -> Colors:
    if high_contrast:
        return HIGH_CONTRAST_DARK if dark else HIGH_CONTRAST_LIGHT
    return DARK if dark else LIGHT


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""

    def luminance(colour: str) -> float:
        q = QColor(colour)
        channels = []
        for value in (q.redF(), q.greenF(), q.blueF()):
            channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


_following: dict[str, str] = {}


def _follow_contrast(app: QApplication, preference: str) -> None:
    """Re-apply when the OS contrast setting changes while Waypoint runs (connected once)."""
    _following["preference"] = preference
    if "connected" not in _following:
        _following["connected"] = "yes"
        style_hints = app.styleHints()
        style_hints.accessibility().contrastPreferenceChanged.connect(
            lambda _pref: apply(app, _following["preference"]))


def apply(app: QApplication, preference: str = "system") -> Colors:
    """Apply the palette and style sheet; returns the colours in use."""
    c = palette_for(wants_dark(preference), wants_high_contrast())
    _current["colors"] = c
    _follow_contrast(app, preference)
    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.surface,
        QPalette.ColorRole.AlternateBase: c.surface_alt,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.surface,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text,
        QPalette.ColorRole.ToolTipBase: c.surface,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted,
        QPalette.ColorRole.Link: c.accent,
        QPalette.ColorRole.Mid: c.border,
    }
    for role, value in roles.items():
        pal.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    if c.high_contrast:
        pal.setColor(QPalette.ColorRole.Mid, QColor(c.text))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
            pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    app.setPalette(pal)
    app.setStyleSheet(style_sheet(c) + (high_contrast_sheet(c) if c.high_contrast else ""))
    icon.cache_clear()
    return c


def style_sheet(c: Colors) -> str:
    return f"""
    QWidget#NavRail {{ background: {c.surface}; border-right: 1px solid {c.border}; }}
    QListWidget#NavList {{ background: transparent; border: none; outline: none; }}
    QListWidget#NavList::item {{ padding-left: 12px; border-radius: 8px; color: {c.text}; }}
    QListWidget#NavList::item:selected {{ background: {c.info_bg}; color: {c.text}; font-weight: 600; }}
    QListWidget#NavList::item:hover:!selected {{ background: {c.surface_alt}; }}
    QLabel#PageTitle {{ font-weight: 600; }}
    QLabel#Muted, QLabel[muted="true"] {{ color: {c.muted}; }}
    QLabel#FieldError {{ color: {c.danger}; }}
    QFrame#Card {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 10px; }}
    QFrame#AlertCard {{ background: {c.danger_bg}; border: 2px solid {c.danger}; border-radius: 10px; }}
    QFrame#Banner[kind="error"] {{ background: {c.danger_bg}; border: 1px solid {c.danger}; border-radius: 8px; }}
    QFrame#Banner[kind="warning"] {{ background: {c.warning_bg}; border-radius: 8px; }}
    QFrame#Banner[kind="info"] {{ background: {c.info_bg}; border-radius: 8px; }}
    QPushButton#Tile {{ text-align: left; padding: 8px 12px; border-radius: 8px; }}
    QLabel#TileCount {{ font-weight: 700; background: transparent; }}
    QLabel#TileLabel {{ color: {c.muted}; background: transparent; }}
    QListWidget#SettingsList {{ border: 1px solid {c.border}; border-radius: 8px; background: {c.surface}; }}
    QListWidget#SettingsList::item {{ padding: 8px 10px; border-radius: 6px; }}
    QListWidget#SettingsList::item:selected {{ background: {c.info_bg}; color: {c.text}; font-weight: 600; }}
    QListWidget#Recent {{ border: none; background: transparent; }}
    QListWidget#Recent::item {{ padding: 6px 4px; border-bottom: 1px solid {c.border}; }}
    QToolButton#RailButton {{ padding: 6px 12px; border-radius: 6px; }}
    QToolButton#RailButton:checked {{ background: {c.info_bg}; }}
    QLabel#Badge {{ background: {c.surface_alt}; border: 1px solid {c.border}; border-radius: 10px;
                    padding: 2px 10px; }}
    QPushButton {{ padding: 6px 14px; border-radius: 6px; border: 1px solid {c.border};
                   background: {c.surface}; }}
    QPushButton:hover {{ background: {c.surface_alt}; }}
    QPushButton:focus, QToolButton:focus, QCheckBox:focus, QListWidget:focus {{ outline: 2px solid {c.accent}; }}
    QPushButton[primary="true"] {{ background: {c.accent}; color: {c.accent_text}; border: 1px solid {c.accent};
                                   font-weight: 600; }}
    QPushButton[primary="true"]:disabled {{ background: {c.border}; border-color: {c.border}; color: {c.muted}; }}
    QPushButton[link="true"] {{ border: none; background: transparent; color: {c.accent}; padding: 2px 0px;
                                text-align: left; }}
    QPushButton[link="true"]:hover {{ text-decoration: underline; }}
    QLineEdit, QComboBox, QSpinBox, QPlainTextEdit, QDateEdit {{ padding: 5px 8px; border: 1px solid {c.border};
               border-radius: 6px; background: {c.surface}; }}
    QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPlainTextEdit:focus {{ border: 2px solid {c.accent}; padding: 4px 7px; }}
    QLineEdit[invalid="true"] {{ border: 2px solid {c.danger}; padding: 4px 7px; }}
    QTableView {{ background: {c.surface}; alternate-background-color: {c.surface_alt}; border: 1px solid {c.border};
                  border-radius: 8px; gridline-color: transparent; selection-background-color: {c.accent};
                  selection-color: {c.accent_text}; }}
    QTableView:focus {{ border: 2px solid {c.accent}; }}
    QHeaderView::section {{ background: {c.surface}; border: none; border-bottom: 1px solid {c.border};
                            padding: 6px 8px; font-weight: 600; color: {c.muted}; }}
    QTabWidget::pane {{ border: 1px solid {c.border}; border-radius: 8px; background: {c.surface}; top: -1px; }}
    QTabBar::tab {{ padding: 8px 16px; border: none; color: {c.muted}; }}
    QTabBar::tab:selected {{ color: {c.text}; border-bottom: 3px solid {c.accent}; font-weight: 600; }}
    QTabBar::tab:focus {{ outline: 2px solid {c.accent}; }}
    QScrollArea {{ border: none; background: transparent; }}
    QStatusBar {{ background: {c.surface}; border-top: 1px solid {c.border}; }}
    QFrame#ItemRow {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 10px; }}
    QFrame#ItemRow[current="true"] {{ border: 2px solid {c.accent}; background: {c.info_bg}; }}
    QPushButton#Choice {{ text-align: left; padding: 8px 12px; }}
    QPushButton#Choice:checked {{ background: {c.accent}; color: {c.accent_text}; border: 1px solid {c.accent}; }}
    QPushButton#Choice[declined="true"]:checked {{ background: {c.surface_alt}; color: {c.text};
                                                   border: 2px dashed {c.muted}; }}
    QProgressBar {{ border: 1px solid {c.border}; border-radius: 4px; background: {c.surface_alt}; height: 8px;
                    text-align: center; }}
    QProgressBar::chunk {{ background: {c.accent}; border-radius: 4px; }}
    """


@cache
def _indicator_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="waypoint-theme-"))  # private to this user (0700)


def _indicator_image(name: str, colour: str) -> str:
    """A check or radio mark drawn from the icon set, saved as a PNG a style sheet can point at."""
    path = _indicator_folder() / f"{name.replace('.', '-')}-{colour.lstrip('#')}.png"
    if not path.exists():
        icon(name, colour).pixmap(32, 32).save(str(path), "PNG")
    return path.as_posix()


def high_contrast_sheet(c: Colors) -> str:
    """Additions for high contrast: solid borders everywhere, a thick focus ring, underlined links,
    selected items marked by an outline as well as by colour, check boxes and radio buttons drawn
    with a visible box (Fusion's own outline is invisible on black)."""
    check = _indicator_image("mdi6.check-bold", c.text)
    dot = _indicator_image("mdi6.circle", c.text)
    partly = _indicator_image("mdi6.minus-thick", c.text)
    return f"""
    QCheckBox::indicator, QRadioButton::indicator {{ width: 14px; height: 14px;
        border: 2px solid {c.text}; background: {c.surface}; border-radius: 2px; }}
    QAbstractItemView::indicator {{ width: 12px; height: 12px; border: 2px solid {c.text}; background: {c.surface}; }}
    QRadioButton::indicator {{ border-radius: 9px; }}
    QCheckBox::indicator:checked, QAbstractItemView::indicator:checked {{ image: url({check}); }}
    QCheckBox::indicator:indeterminate, QAbstractItemView::indicator:indeterminate {{ image: url({partly}); }}
    QRadioButton::indicator:checked {{ image: url({dot}); }}
    QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{ border-style: dashed; }}
    QPushButton, QToolButton, QLineEdit, QComboBox, QSpinBox, QPlainTextEdit, QTextEdit, QDateEdit,
    QListWidget, QTableView, QTreeView {{ border: 2px solid {c.border}; }}
    QPushButton:focus, QToolButton:focus, QCheckBox:focus, QRadioButton:focus, QListWidget:focus,
    QTableView:focus, QTreeView:focus, QTabBar::tab:focus {{ outline: 3px solid {c.accent}; }}
    QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPlainTextEdit:focus, QTextEdit:focus
        {{ border: 3px solid {c.accent}; padding: 3px 6px; }}
    QPushButton:focus, QToolButton:focus {{ border: 3px solid {c.accent}; }}
    QPushButton[primary="true"]:focus {{ border: 3px solid {c.text}; text-decoration: underline; }}
    QPushButton[link="true"] {{ text-decoration: underline; }}
    QFrame#Card, QFrame#ItemRow, QFrame#Banner[kind="warning"], QFrame#Banner[kind="info"]
        {{ border: 2px solid {c.border}; }}
    QLabel#Badge {{ border: 2px solid {c.border}; }}
    QListWidget#NavList::item:selected, QListWidget#SettingsList::item:selected
        {{ border: 2px solid {c.accent}; }}
    QTabBar::tab {{ color: {c.text}; }}
    QTabBar::tab:selected {{ border-bottom: 4px solid {c.accent}; text-decoration: underline; }}
    """


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * factor)
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


@cache
def icon(name: str, color: str | None = None) -> QIcon:
    """An icon from qtawesome's Material Design set, tinted for the current palette."""
    import qtawesome

    return qtawesome.icon(name, color=color or colors().text, color_disabled=colors().muted)


def prewarm_icons() -> None:
    """Import the icon font early (e.g. while the key is being derived)."""
    icon("mdi6.lock-outline")
