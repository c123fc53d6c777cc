"""The emergency kit PDF: the recovery key in full, readable by a text extractor, no client data."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from app.services import exports
from app.services.session import Session
from tests.conftest import person


def test_kit_holds_the_key_and_no_client_data(session: Session, tmp_path: Path) -> None:
    session.clients.create(person(first_name="Kitcanary"))
    key = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789"
    path = exports.save_emergency_kit(session, key, tmp_path)
    data = path.read_bytes()
    assert path.name == "waypoint-emergency-kit.pdf"
    assert data.startswith(b"%PDF") and b"Kitcanary" not in data
    assert (path.stat().st_mode & 0o777) == 0o600
    assert session.audit_repo().latest(1)[0].action == "export.emergency_kit"
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "ABCD-EFGH-JKMN-PQRS" in text and "TVWX-YZ01-2345-6789" in text
    assert session.vault.vault_id in text
    assert "\u202f" not in text  # the base-14 fonts would draw a missing-glyph box for it
