"""Look and feel: Fusion with a calm light or dark palette that follows the OS, one accent,
an 8-pixel spacing grid, and icons from a maintained set (qtawesome, loaded lazily)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

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

_current: dict[str, Colors] = {"colors": LIGHT}


def colors() -> Colors:
    return _current["colors"]


def wants_dark(preference: str = "system") -> bool:
    forced = os.environ.get("WAYPOINT_THEME", preference)
    if forced in ("dark", "light"):
        return forced == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply(app: QApplication, preference: str = "system") -> Colors:
    """Apply the palette and style sheet; returns the colours in use."""
    c = DARK if wants_dark(preference) else LIGHT
    _current["colors"] = c
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
    app.setPalette(pal)
    app.setStyleSheet(style_sheet(c))
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
