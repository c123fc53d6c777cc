"""The Releases tab: the client's releases of information and the disclosures made. SKELETON."""

from __future__ import annotations

from app.ui.record.base import RecordTab


class ReleasesTab(RecordTab):
    pass
