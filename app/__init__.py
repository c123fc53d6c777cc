"""Waypoint: an offline-first, encrypted case-management app for mental-health case managers."""

from pathlib import Path as _Path

__version__ = "0.1.0"
APP_NAME = "Waypoint"
RESOURCES_DIR = _Path(__file__).resolve().parent.parent / "resources"
