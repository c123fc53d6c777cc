"""Every device setting, declared and typed in one place, with defaults and validation.

Settings live in settings.json in the config folder (0600, written atomically). They hold no
secrets and no client data: the passphrase, keys and recovery key are never written here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from app.models.contacts import DEFAULT_QUIET_DAYS, clamp_quiet_days
from app.models.transitions import (
    DEFAULT_CHECK_IN_DAYS,
    DEFAULT_LEVELS,
    check_in_days_problem,
    levels_problem,
)
from app.models.units import UNIT_CODES
from app.store.files import atomic_write, ensure_private_dir

log = logging.getLogger(__name__)

AUTOLOCK_MIN, AUTOLOCK_MAX, AUTOLOCK_DEFAULT = 1, 30, 10


@dataclass(frozen=True, slots=True)
class Settings:
    # You and your practice (printed on reports)
    case_manager_name: str = ""
    case_manager_credentials: str = ""
    practice_name: str = ""
    practice_address: str = ""
    practice_phone: str = ""
    practice_logo: str = ""
    # Language and region: '' follows the operating system
    language: str = ""
    locale: str = ""
    distance_unit: str = ""  # 'mi' or 'km' for the mileage log; '' follows the region
    # Security
    autolock_minutes: int = AUTOLOCK_DEFAULT
    remembered_vaults: tuple[str, ...] = ()
    # Backups: '' means the default folder beside the app's data
    backup_folder: str = ""
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_keep_monthly: int = 12
    backup_on_quit: bool = True
    # Care coordination: flag a care-team member not in touch for this many days
    care_team_quiet_days: int = DEFAULT_QUIET_DAYS
    # Transitions: the levels of care offered, and the check-ins planned after a transition (days)
    levels_of_care: tuple[str, ...] = DEFAULT_LEVELS
    check_in_days: tuple[int, ...] = DEFAULT_CHECK_IN_DAYS
    # Where we were
    last_vault: str = ""
    recent_vaults: tuple[str, ...] = field(default_factory=tuple)

    def validated(self) -> Settings:
        """Clamp numbers into range so a hand-edited file can never disable auto-lock."""
        return replace(
            self,
            autolock_minutes=min(AUTOLOCK_MAX, max(AUTOLOCK_MIN, int(self.autolock_minutes))),
            backup_keep_daily=max(1, min(366, int(self.backup_keep_daily))),
            backup_keep_weekly=max(0, min(520, int(self.backup_keep_weekly))),
            backup_keep_monthly=max(0, min(240, int(self.backup_keep_monthly))),
            care_team_quiet_days=clamp_quiet_days(self.care_team_quiet_days),
            levels_of_care=_levels(self.levels_of_care),
            check_in_days=_check_in_days(self.check_in_days),
            distance_unit=self.distance_unit if self.distance_unit in UNIT_CODES else "",
        )

    def remembers(self, vault_id: str) -> bool:
        return vault_id in self.remembered_vaults


def _levels(levels: tuple[str, ...]) -> tuple[str, ...]:
    """The levels of care as written (trimmed), or the defaults when the list can't be used."""
    cleaned = tuple(str(level).strip() for level in levels if str(level).strip())
    return DEFAULT_LEVELS if levels_problem(cleaned) else cleaned


def _check_in_days(days: tuple[int, ...]) -> tuple[int, ...]:
    """The check-in offsets sorted, or the defaults when the list can't be used."""
    try:
        cleaned = sorted(int(d) for d in days)
    except (TypeError, ValueError):
        return DEFAULT_CHECK_IN_DAYS
    return DEFAULT_CHECK_IN_DAYS if check_in_days_problem(cleaned) else tuple(cleaned)


_TUPLE_FIELDS = {f.name for f in fields(Settings) if f.type in ("tuple[str, ...]",)}
_INT_TUPLE_FIELDS = {f.name for f in fields(Settings) if f.type in ("tuple[int, ...]",)}


class SettingsStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        """Read settings; unknown keys are ignored and a damaged file falls back to defaults."""
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError):
            log.warning("settings file unreadable; using defaults")
            return Settings()
        known = {f.name: f for f in fields(Settings)}
        values: dict[str, Any] = {}
        defaults = Settings()
        for name, value in raw.items() if isinstance(raw, dict) else ():
            if name not in known:
                continue
            default = getattr(defaults, name)
            if name in _TUPLE_FIELDS and isinstance(value, list):
                values[name] = tuple(str(v) for v in value)
            elif name in _INT_TUPLE_FIELDS and isinstance(value, list):
                values[name] = tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool))
            elif isinstance(default, bool) and isinstance(value, bool):
                values[name] = value
            elif isinstance(default, int) and not isinstance(default, bool) and isinstance(value, int):
                values[name] = value
            elif isinstance(default, str) and isinstance(value, str):
                values[name] = value
        return Settings(**values).validated()

    def save(self, settings: Settings) -> None:
        ensure_private_dir(self.path.parent)
        data = asdict(settings.validated())
        atomic_write(self.path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
