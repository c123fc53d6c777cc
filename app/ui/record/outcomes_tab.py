"""The Outcomes tab (stage 9, evaluation): score trends tied to goals, goal attainment over
reviews, plan versus actual. SKELETON."""

from __future__ import annotations

from app.ui.record.base import RecordTab


class OutcomesTab(RecordTab):
    pass
