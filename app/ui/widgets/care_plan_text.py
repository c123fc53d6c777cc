"""Words for care-plan items on screen: each item's status line, a tracked objective's progress,
field values in the version diff, and the icons that tell the levels apart (always with text)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum

from app.i18n import _, format_date
from app.models.care_plan import (
    Goal,
    InstrumentTarget,
    Intervention,
    ItemKind,
    Need,
    Node,
    Objective,
    Tracking,
    TrackState,
    gas_labels,
    title,
)

KIND_ICONS = {
    ItemKind.NEED: "mdi6.hand-heart-outline",
    ItemKind.GOAL: "mdi6.flag-outline",
    ItemKind.OBJECTIVE: "mdi6.stairs-up",
    ItemKind.INTERVENTION: "mdi6.account-arrow-right-outline",
}
ABOUT_ICON = "mdi6.account-heart-outline"
PLAN_ICON = "mdi6.flag-checkered"
PROBLEM_ICON = "mdi6.alert-circle-outline"


def placeholder(kind: ItemKind) -> str:
    return {ItemKind.NEED: _("New need — write it in the client's words"),
            ItemKind.GOAL: _("New goal — in the client's words"),
            ItemKind.OBJECTIVE: _("New step — something that can be measured"),
            ItemKind.INTERVENTION: _("New action — what will be done")}[kind]


def row_title(node: Node) -> str:
    """The item as its outline row reads: a need leads with its life domain."""
    text = " ".join(title(node).split())
    if isinstance(node, Need) and node.domain is not None:
        return _("{domain}: {words}").format(domain=node.domain.label, words=text) if text else node.domain.label
    return text


def tracking_text(tracking: Tracking, short_name: str) -> str:
    """E.g. "PHQ-9: 17 on 3 Oct → 12 on 20 Nov · target below 10 · Not yet"."""
    target = tracking.target
    parts = []
    if tracking.baseline is not None and tracking.latest is not None and tracking.latest != tracking.baseline:
        parts.append(_("{name}: {base} on {base_on} → {latest} on {latest_on}").format(
            name=short_name, base=tracking.baseline.value, base_on=format_date(tracking.baseline.on),
            latest=tracking.latest.value, latest_on=format_date(tracking.latest.on)))
    elif tracking.latest is not None:
        parts.append(_("{name}: {latest} on {on}").format(name=short_name, latest=tracking.latest.value,
                                                          on=format_date(tracking.latest.on)))
    else:
        parts.append(_("{name}: no score yet").format(name=short_name))
    parts.append(_("target {comparison} {value}").format(comparison=target.comparison.label, value=target.value))
    parts.append(tracking.state.label)
    return " · ".join(parts)


def tracking_mark(state: TrackState) -> str:
    """A sign that repeats the state in text, so colour is never the only signal."""
    return {TrackState.MET: "✓", TrackState.NOT_YET: "…", TrackState.OVERDUE: "!", TrackState.NO_SCORES: "?"}[state]


def status_text(node: Node, tracking: Mapping[str, Tracking] | None = None,
                gas: Mapping[str, int] | None = None) -> str:
    """The short status shown beside an item in the outline."""
    if isinstance(node, Need):
        return node.priority.label
    if isinstance(node, Goal):
        text = node.lifecycle.label
        if node.achievement is not None:
            text = _("{lifecycle} · {achievement}").format(lifecycle=text, achievement=node.achievement.label.lower())
        latest = (gas or {}).get(node.id)
        if latest is not None:
            text = _("{status} · GAS {gas}").format(status=text, gas=f"{latest:+d}".replace("-", "−") if latest else "0")
        return text
    if isinstance(node, Objective):
        tracked = (tracking or {}).get(node.id)
        if tracked is not None:
            return _("{mark} {state}").format(mark=tracking_mark(tracked.state), state=tracked.state.label)
        return node.status.label
    return node.status.label


def when_text(node: Node) -> str:
    """The date column: a target date, or how often an action happens."""
    if isinstance(node, Goal | Objective):
        return format_date(node.target_on) if node.target_on else ""
    if isinstance(node, Intervention):
        if node.frequency.strip():
            return node.frequency.strip()
        return format_date(node.end_on) if node.end_on else ""
    return ""


def describe_target(target: InstrumentTarget, names: Mapping[str, str]) -> str:
    return target.describe(names.get(target.instrument_id, target.instrument_id))


def value_text(value: object, names: Mapping[str, str] | None = None) -> str:
    """A field's value in words, for the version diff ("—" for nothing)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, InstrumentTarget):
        return describe_target(value, names or {})
    if isinstance(value, Enum) and hasattr(value, "label"):
        return str(value.label)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def gas_text(value: int | None) -> str:
    return _("Not rated") if value is None else gas_labels()[value]

