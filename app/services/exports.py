"""Explicit exports written outside the vault: atomic, 0600, neutral names, audited."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import format_datetime
from app.models.timefmt import from_iso
from app.reports.emergency_kit import EmergencyKit, build_pdf
from app.store.files import atomic_write, ensure_private_dir

if TYPE_CHECKING:
    from app.services.session import Session

EMERGENCY_KIT_NAME = "waypoint-emergency-kit.pdf"


def emergency_kit_pdf(session: Session, recovery_key: str) -> bytes:
    vault = session.vault
    created = from_iso(vault.keyfile.created_at)
    kit = EmergencyKit(
        vault_name=vault.folder.name,
        vault_id=vault.vault_id,
        created=format_datetime(created) if created else vault.keyfile.created_at,
        recovery_key=recovery_key,
    )
    return build_pdf(kit)


def save_emergency_kit(session: Session, recovery_key: str, dest: Path) -> Path:
    """Write the kit to `dest` (a file, or a folder for the default name) and audit it."""
    if dest.is_dir():
        dest = dest / EMERGENCY_KIT_NAME
    if not dest.parent.exists():
        ensure_private_dir(dest.parent)
    atomic_write(dest, emergency_kit_pdf(session, recovery_key))
    session.record("export.emergency_kit", "vault", session.vault.vault_id)
    return dest
