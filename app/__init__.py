"""Waypoint: an offline-first, encrypted case-management app for mental-health case managers."""

__version__ = "0.1.0"
APP_NAME = "Waypoint"
