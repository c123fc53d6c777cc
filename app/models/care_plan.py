"""The person-centred care plan (stage 4): pure dataclasses and rules, no Qt, no SQL.

A plan version holds a document — "about the person", the discharge criteria in the client's
words, and the outline needs → goals → objectives → interventions — kept as JSON with its
`schema` number. Goals use the FHIR Goal value sets (lifecycle and achievement status);
interventions the FHIR CarePlan activity statuses. Items keep their ids from version to
version, so notes, referrals, reviews and the version diff can follow them.

The outline is edited through pure functions (add, indent, outdent, move, remove) that return a
new document, so an editor can keep every earlier document for undo. Objectives may be tied to
an instrument target ("PHQ-9 below 10 by 1 March") that `track()` follows from new scores.
Needs are suggested from the latest assessment (domains with need rated 2–3) and positive screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeAlias, cast

from app.i18n import _, format_date
from app.models.assessment import AboutPerson, AssessmentDocument, LifeDomain, about_labels
from app.models.screening import Administration
from app.models.signature import Signature, SignerRole, validate_signature

SCHEMA = 1
DEFAULT_REVIEW_DAYS = 90
MIN_REVIEW_DAYS = 7
MAX_REVIEW_DAYS = 366
GAS_LEVELS = (-2, -1, 0, 1, 2)
MAX_DEPTH = 3  # need (0) → goal (1) → objective (2) → intervention (3)


# -- value sets ----------------------------------------------------------------------------------


class PlanStatus(StrEnum):
    """A version's status. A draft becomes active when signed; an active plan can be put on
    hold, completed or revoked; a newer signed version supersedes the one in force."""

    DRAFT = "draft"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {PlanStatus.DRAFT: _("Draft"), PlanStatus.ACTIVE: _("Active"), PlanStatus.ON_HOLD: _("On hold"),
                PlanStatus.COMPLETED: _("Completed"), PlanStatus.REVOKED: _("Revoked"),
                PlanStatus.SUPERSEDED: _("Replaced by a newer version")}[self]

    @property
    def in_force(self) -> bool:
        return self in (PlanStatus.ACTIVE, PlanStatus.ON_HOLD)


# Status changes a signed version allows (signing and superseding are separate steps).
STATUS_CHANGES: Mapping[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.ACTIVE: frozenset({PlanStatus.ON_HOLD, PlanStatus.COMPLETED, PlanStatus.REVOKED}),
    PlanStatus.ON_HOLD: frozenset({PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.REVOKED}),
}


class Agreement(StrEnum):
    """How the client agreed to the plan."""

    SIGNED = "signed"  # drawn on the signature pad
    VERBAL = "verbal"  # agreed verbally, with the reason there is no signature
    SCANNED = "scanned"  # signed on paper; the scanned page is (or will be) attached

    @property
    def label(self) -> str:
        return {Agreement.SIGNED: _("Signed on screen"), Agreement.VERBAL: _("Agreed verbally"),
                Agreement.SCANNED: _("Signed on paper (scanned page)")}[self]


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return {Priority.HIGH: _("High priority"), Priority.MEDIUM: _("Medium priority"),
                Priority.LOW: _("Low priority")}[self]


class NeedSource(StrEnum):
    ASSESSMENT = "assessment"
    SCREENING = "screening"
    CLIENT = "client"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {NeedSource.ASSESSMENT: _("The assessment"), NeedSource.SCREENING: _("A screen"),
                NeedSource.CLIENT: _("Raised by the client"), NeedSource.OTHER: _("Other")}[self]


class GoalLifecycle(StrEnum):
    """FHIR Goal.lifecycleStatus (the subset a case manager uses)."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {GoalLifecycle.PROPOSED: _("Proposed"), GoalLifecycle.ACTIVE: _("Active"),
                GoalLifecycle.ON_HOLD: _("On hold"), GoalLifecycle.COMPLETED: _("Completed"),
                GoalLifecycle.CANCELLED: _("Cancelled")}[self]


class GoalAchievement(StrEnum):
    """FHIR Goal.achievementStatus (the subset a case manager uses)."""

    IN_PROGRESS = "in-progress"
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no-change"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not-achieved"

    @property
    def label(self) -> str:
        return {GoalAchievement.IN_PROGRESS: _("In progress"), GoalAchievement.IMPROVING: _("Improving"),
                GoalAchievement.WORSENING: _("Worsening"), GoalAchievement.NO_CHANGE: _("No change"),
                GoalAchievement.ACHIEVED: _("Achieved"), GoalAchievement.NOT_ACHIEVED: _("Not achieved")}[self]


class ObjectiveStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    MET = "met"
    NOT_MET = "not-met"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {ObjectiveStatus.NOT_STARTED: _("Not started"), ObjectiveStatus.IN_PROGRESS: _("In progress"),
                ObjectiveStatus.MET: _("Met"), ObjectiveStatus.NOT_MET: _("Not met"),
                ObjectiveStatus.CANCELLED: _("Cancelled")}[self]


class InterventionStatus(StrEnum):
    """FHIR CarePlan.activity.detail.status (the subset a case manager uses)."""

    NOT_STARTED = "not-started"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {InterventionStatus.NOT_STARTED: _("Not started"), InterventionStatus.SCHEDULED: _("Scheduled"),
                InterventionStatus.IN_PROGRESS: _("In progress"), InterventionStatus.ON_HOLD: _("On hold"),
                InterventionStatus.COMPLETED: _("Completed"), InterventionStatus.CANCELLED: _("Cancelled")}[self]


class Responsible(StrEnum):
    CASE_MANAGER = "case_manager"
    CLIENT = "client"
    FAMILY = "family"
    TEAM_MEMBER = "team_member"

    @property
    def label(self) -> str:
        return {Responsible.CASE_MANAGER: _("Case manager"), Responsible.CLIENT: _("The client"),
                Responsible.FAMILY: _("Family or a friend"), Responsible.TEAM_MEMBER: _("A care-team member")}[self]


class Modality(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    HOME_VISIT = "home_visit"

    @property
    def label(self) -> str:
        return {Modality.IN_PERSON: _("In person"), Modality.PHONE: _("Phone"), Modality.VIDEO: _("Video"),
                Modality.HOME_VISIT: _("Home visit")}[self]


class Comparison(StrEnum):
    BELOW = "lt"
    AT_MOST = "le"
    AT_LEAST = "ge"
    ABOVE = "gt"

    @property
    def label(self) -> str:
        return {Comparison.BELOW: _("below"), Comparison.AT_MOST: _("at most"), Comparison.AT_LEAST: _("at least"),
                Comparison.ABOVE: _("above")}[self]

    def met(self, value: int, target: int) -> bool:
        return {Comparison.BELOW: value < target, Comparison.AT_MOST: value <= target,
                Comparison.AT_LEAST: value >= target, Comparison.ABOVE: value > target}[self]


class ItemKind(StrEnum):
    """The four levels of the outline."""

    NEED = "need"
    GOAL = "goal"
    OBJECTIVE = "objective"
    INTERVENTION = "intervention"

    @property
    def level(self) -> int:
        return list(ItemKind).index(self)

    @staticmethod
    def at(level: int) -> ItemKind:
        return list(ItemKind)[level]

    @property
    def label(self) -> str:
        return {ItemKind.NEED: _("Need"), ItemKind.GOAL: _("Goal"), ItemKind.OBJECTIVE: _("Objective"),
                ItemKind.INTERVENTION: _("Intervention")}[self]

    @property
    def title_label(self) -> str:
        """What the item's main text is."""
        return {ItemKind.NEED: _("The need, in the client's words"), ItemKind.GOAL: _("The goal, in the client's words"),
                ItemKind.OBJECTIVE: _("Measurable step"), ItemKind.INTERVENTION: _("Action")}[self]


# -- the outline's items -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstrumentTarget:
    """An objective measured by an instrument: e.g. PHQ-9 total below 10. `since` is when the
    objective was set: the baseline is the last score on or before it."""

    instrument_id: str
    comparison: Comparison = Comparison.BELOW
    value: int = 10
    since: date | None = None

    def describe(self, short_name: str) -> str:
        return _("{instrument} {comparison} {value}").format(
            instrument=short_name, comparison=self.comparison.label, value=self.value)


@dataclass(frozen=True, slots=True)
class Intervention:
    id: str
    action: str = ""
    responsible: Responsible = Responsible.CASE_MANAGER
    responsible_name: str = ""  # a named care-team member or family member
    frequency: str = ""
    modality: Modality | None = None
    start_on: date | None = None
    end_on: date | None = None
    status: InterventionStatus = InterventionStatus.NOT_STARTED
    referral_id: str | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    step: str = ""
    measure: str = ""
    target: str = ""
    baseline: str = ""
    target_on: date | None = None
    status: ObjectiveStatus = ObjectiveStatus.NOT_STARTED
    instrument: InstrumentTarget | None = None
    interventions: tuple[Intervention, ...] = ()


@dataclass(frozen=True, slots=True)
class Goal:
    id: str
    client_words: str = ""
    smart: str = ""
    target_on: date | None = None
    lifecycle: GoalLifecycle = GoalLifecycle.PROPOSED
    achievement: GoalAchievement | None = None
    objectives: tuple[Objective, ...] = ()


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    domain: LifeDomain | None = None
    client_words: str = ""
    summary: str = ""
    source: NeedSource = NeedSource.CLIENT
    source_note: str = ""
    suggestion: str = ""  # the suggestion it was accepted from, if any
    priority: Priority = Priority.MEDIUM
    goals: tuple[Goal, ...] = ()


Node: TypeAlias = Need | Goal | Objective | Intervention
Path: TypeAlias = tuple[int, ...]
_KIND = {Need: ItemKind.NEED, Goal: ItemKind.GOAL, Objective: ItemKind.OBJECTIVE, Intervention: ItemKind.INTERVENTION}


def kind_of(node: Node) -> ItemKind:
    return _KIND[type(node)]


def title(node: Node) -> str:
    """The item's main text: the client's words for needs and goals, the step, the action."""
    if isinstance(node, Need | Goal):
        return node.client_words
    if isinstance(node, Objective):
        return node.step
    return node.action


def with_title(node: Node, text: str) -> Node:
    if isinstance(node, Need | Goal):
        return replace(node, client_words=text)
    if isinstance(node, Objective):
        return replace(node, step=text)
    return replace(node, action=text)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Need):
        return node.goals
    if isinstance(node, Goal):
        return node.objectives
    if isinstance(node, Objective):
        return node.interventions
    return ()


def with_children(node: Node, kids: Sequence[Node]) -> Node:
    if isinstance(node, Need):
        return replace(node, goals=tuple(cast(Goal, k) for k in kids))
    if isinstance(node, Goal):
        return replace(node, objectives=tuple(cast(Objective, k) for k in kids))
    if isinstance(node, Objective):
        return replace(node, interventions=tuple(cast(Intervention, k) for k in kids))
    if kids:
        raise OutlineError(_("An intervention is the last level: nothing can go under it."))
    return node


def depth(node: Node) -> int:
    """How many levels hang below the item (0 for a leaf)."""
    kids = children(node)
    return 1 + max(depth(k) for k in kids) if kids else 0


def new_item(kind: ItemKind, item_id: str) -> Node:
    if kind is ItemKind.NEED:
        return Need(id=item_id)
    if kind is ItemKind.GOAL:
        return Goal(id=item_id)
    if kind is ItemKind.OBJECTIVE:
        return Objective(id=item_id)
    return Intervention(id=item_id)


def _target_date(node: Node) -> date | None:
    if isinstance(node, Goal | Objective):
        return node.target_on
    if isinstance(node, Intervention):
        return node.end_on
    return None


def convert(node: Node, kind: ItemKind) -> Node:
    """The item as another level of the outline (indent/outdent): its text, target date and id
    are kept, and what hangs below it moves with it, one level along."""
    if kind_of(node) is kind:
        return node
    if kind is ItemKind.INTERVENTION and children(node):
        raise OutlineError(_("An intervention is the last level: nothing can go under it."))
    below = ItemKind.at(kind.level + 1) if kind is not ItemKind.INTERVENTION else None
    kids = tuple(convert(k, below) for k in children(node)) if below else ()
    text, when = title(node), _target_date(node)
    if kind is ItemKind.NEED:
        return Need(id=node.id, client_words=text, goals=tuple(cast(Goal, k) for k in kids))
    if kind is ItemKind.GOAL:
        return Goal(id=node.id, client_words=text, target_on=when, objectives=tuple(cast(Objective, k) for k in kids))
    if kind is ItemKind.OBJECTIVE:
        return Objective(id=node.id, step=text, target_on=when,
                         interventions=tuple(cast(Intervention, k) for k in kids))
    return Intervention(id=node.id, action=text, end_on=when)


def _stripped(node: Node) -> Node:
    changes: dict[str, Any] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if type(value) is str and f.name not in ("id", "suggestion"):  # not the enums (StrEnum)
            changes[f.name] = value.strip()
    return replace(node, **changes)


def is_blank(node: Node) -> bool:
    """Nothing written or chosen, and nothing below it."""
    return not children(node) and replace(_stripped(node), id="") == new_item(kind_of(node), "")


# -- the document --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """What one version of the plan says."""

    about: AboutPerson = field(default_factory=AboutPerson)
    discharge_criteria: str = ""  # in the client's words: how we will know the plan is done
    needs: tuple[Need, ...] = ()
    dismissed: tuple[str, ...] = ()  # suggestions dismissed for this plan

    def items(self) -> Iterator[tuple[Path, Node]]:
        """Every item with its path, in reading order."""
        def walk(nodes: tuple[Node, ...], prefix: Path) -> Iterator[tuple[Path, Node]]:
            for i, node in enumerate(nodes):
                path = (*prefix, i)
                yield path, node
                yield from walk(children(node), path)
        return walk(self.needs, ())

    def find(self, item_id: str) -> tuple[Path, Node] | None:
        return next(((p, n) for p, n in self.items() if n.id == item_id), None)

    def goals(self) -> list[Goal]:
        return [n for _p, n in self.items() if isinstance(n, Goal)]

    def objectives(self) -> list[Objective]:
        return [n for _p, n in self.items() if isinstance(n, Objective)]

    def interventions(self) -> list[Intervention]:
        return [n for _p, n in self.items() if isinstance(n, Intervention)]

    def with_referrals(self, links: Mapping[str, str]) -> PlanDocument:
        """The document with each intervention's linked referral taken from `links` (kept beside
        the document, so a signed plan can be linked without changing it)."""
        doc = self
        for path, node in list(self.items()):
            if isinstance(node, Intervention) and node.referral_id != links.get(node.id):
                doc = replace_node(doc, path, replace(node, referral_id=links.get(node.id)))
        return doc

    def normalised(self) -> PlanDocument:
        """Text stripped, and items with nothing written and nothing below them dropped."""
        def clean(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
            kept: list[Node] = []
            for node in nodes:
                node = with_children(_stripped(node), clean(children(node)))
                if not is_blank(node):
                    kept.append(node)
            return tuple(kept)
        return PlanDocument(
            about=AboutPerson(**{n: getattr(self.about, n).strip() for n in AboutPerson.names()}),
            discharge_criteria=self.discharge_criteria.strip(),
            needs=tuple(cast(Need, n) for n in clean(self.needs)),
            dismissed=tuple(dict.fromkeys(self.dismissed)),
        )

    # -- JSON --------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "about": {name: getattr(self.about, name) for name in AboutPerson.names()},
            "discharge_criteria": self.discharge_criteria,
            "needs": [_need_json(n) for n in self.needs],
            "dismissed": list(self.dismissed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanDocument:
        """Read a stored document. ValueError for one written by a newer Waypoint."""
        schema = data.get("schema", SCHEMA)
        if not isinstance(schema, int) or schema < 1:
            raise ValueError(_("This is not a care plan Waypoint can read."))
        if schema > SCHEMA:
            raise ValueError(_("This care plan was written by a newer version of Waypoint. Update Waypoint to open it."))
        about = data.get("about") or {}
        return cls(
            about=AboutPerson(**{name: _text(about.get(name)) for name in AboutPerson.names()}),
            discharge_criteria=_text(data.get("discharge_criteria")),
            needs=tuple(_need_from(n) for n in data.get("needs") or ()),
            dismissed=tuple(_text(k) for k in data.get("dismissed") or ()),
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _enum(kind: type[Any], value: Any, default: Any) -> Any:
    try:
        return kind(value) if value is not None and value != "" else default
    except ValueError:
        return default


def _intervention_json(i: Intervention) -> dict[str, Any]:
    return {"id": i.id, "action": i.action, "responsible": i.responsible.value, "responsible_name": i.responsible_name,
            "frequency": i.frequency, "modality": i.modality.value if i.modality else None,
            "start_on": _day(i.start_on), "end_on": _day(i.end_on), "status": i.status.value,
            "referral_id": i.referral_id}


def _objective_json(o: Objective) -> dict[str, Any]:
    target = o.instrument
    return {"id": o.id, "step": o.step, "measure": o.measure, "target": o.target, "baseline": o.baseline,
            "target_on": _day(o.target_on), "status": o.status.value,
            "instrument": None if target is None else {
                "id": target.instrument_id, "comparison": target.comparison.value, "value": target.value,
                "since": _day(target.since)},
            "interventions": [_intervention_json(i) for i in o.interventions]}


def _goal_json(g: Goal) -> dict[str, Any]:
    return {"id": g.id, "client_words": g.client_words, "smart": g.smart, "target_on": _day(g.target_on),
            "lifecycle": g.lifecycle.value, "achievement": g.achievement.value if g.achievement else None,
            "objectives": [_objective_json(o) for o in g.objectives]}


def _need_json(n: Need) -> dict[str, Any]:
    return {"id": n.id, "domain": n.domain.value if n.domain else None, "client_words": n.client_words,
            "summary": n.summary, "source": n.source.value, "source_note": n.source_note,
            "suggestion": n.suggestion, "priority": n.priority.value, "goals": [_goal_json(g) for g in n.goals]}


def _intervention_from(d: Mapping[str, Any]) -> Intervention:
    return Intervention(
        id=_text(d.get("id")), action=_text(d.get("action")),
        responsible=_enum(Responsible, d.get("responsible"), Responsible.CASE_MANAGER),
        responsible_name=_text(d.get("responsible_name")), frequency=_text(d.get("frequency")),
        modality=_enum(Modality, d.get("modality"), None), start_on=_from_day(d.get("start_on")),
        end_on=_from_day(d.get("end_on")),
        status=_enum(InterventionStatus, d.get("status"), InterventionStatus.NOT_STARTED),
        referral_id=d.get("referral_id") or None,
    )


def _objective_from(d: Mapping[str, Any]) -> Objective:
    t = d.get("instrument")
    target = None if not t else InstrumentTarget(
        _text(t.get("id")), _enum(Comparison, t.get("comparison"), Comparison.BELOW), int(t.get("value", 0)),
        _from_day(t.get("since")))
    return Objective(
        id=_text(d.get("id")), step=_text(d.get("step")), measure=_text(d.get("measure")),
        target=_text(d.get("target")), baseline=_text(d.get("baseline")), target_on=_from_day(d.get("target_on")),
        status=_enum(ObjectiveStatus, d.get("status"), ObjectiveStatus.NOT_STARTED), instrument=target,
        interventions=tuple(_intervention_from(i) for i in d.get("interventions") or ()),
    )


def _goal_from(d: Mapping[str, Any]) -> Goal:
    return Goal(
        id=_text(d.get("id")), client_words=_text(d.get("client_words")), smart=_text(d.get("smart")),
        target_on=_from_day(d.get("target_on")),
        lifecycle=_enum(GoalLifecycle, d.get("lifecycle"), GoalLifecycle.PROPOSED),
        achievement=_enum(GoalAchievement, d.get("achievement"), None),
        objectives=tuple(_objective_from(o) for o in d.get("objectives") or ()),
    )


def _need_from(d: Mapping[str, Any]) -> Need:
    return Need(
        id=_text(d.get("id")), domain=_enum(LifeDomain, d.get("domain"), None),
        client_words=_text(d.get("client_words")), summary=_text(d.get("summary")),
        source=_enum(NeedSource, d.get("source"), NeedSource.CLIENT), source_note=_text(d.get("source_note")),
        suggestion=_text(d.get("suggestion")), priority=_enum(Priority, d.get("priority"), Priority.MEDIUM),
        goals=tuple(_goal_from(g) for g in d.get("goals") or ()),
    )


# -- editing the outline -------------------------------------------------------------------------


class OutlineError(ValueError):
    """An outline change that can't be made; the message says why, in a sentence."""


def node_at(doc: PlanDocument, path: Path) -> Node:
    nodes: tuple[Node, ...] = doc.needs
    node: Node | None = None
    for index in path:
        node = nodes[index]
        nodes = children(node)
    if node is None:
        raise IndexError(path)
    return node


def siblings(doc: PlanDocument, path: Path) -> tuple[Node, ...]:
    return doc.needs if len(path) <= 1 else children(node_at(doc, path[:-1]))


def _set_children(doc: PlanDocument, parent: Path, kids: Sequence[Node]) -> PlanDocument:
    if not parent:
        return replace(doc, needs=tuple(cast(Need, k) for k in kids))
    return replace_node(doc, parent, with_children(node_at(doc, parent), kids))


def replace_node(doc: PlanDocument, path: Path, node: Node) -> PlanDocument:
    """The document with the item at `path` replaced (what hangs below it comes with `node`)."""
    row = list(siblings(doc, path))
    row[path[-1]] = node
    return _set_children(doc, path[:-1], row)


def update_item(doc: PlanDocument, node: Node) -> PlanDocument:
    """Replace the item with the same id, keeping what hangs below it in the document."""
    found = doc.find(node.id)
    if found is None:
        raise OutlineError(_("This item is no longer in the plan."))
    path, old = found
    return replace_node(doc, path, with_children(node, children(old)))


def insert(doc: PlanDocument, parent: Path, index: int, node: Node) -> tuple[PlanDocument, Path]:
    row = list(doc.needs if not parent else children(node_at(doc, parent)))
    index = max(0, min(index, len(row)))
    row.insert(index, node)
    return _set_children(doc, parent, row), (*parent, index)


def remove(doc: PlanDocument, path: Path) -> PlanDocument:
    row = list(siblings(doc, path))
    del row[path[-1]]
    return _set_children(doc, path[:-1], row)


def add_sibling(doc: PlanDocument, path: Path | None, new_id: str) -> tuple[PlanDocument, Path]:
    """A new empty item of the same level right after `path` (a need at the end without one)."""
    if not path:
        return insert(doc, (), len(doc.needs), Need(id=new_id))
    kind = kind_of(node_at(doc, path))
    return insert(doc, path[:-1], path[-1] + 1, new_item(kind, new_id))


def add_child(doc: PlanDocument, path: Path, new_id: str) -> tuple[PlanDocument, Path]:
    """A new empty item one level down, after what is already under `path`."""
    node = node_at(doc, path)
    kind = kind_of(node)
    if kind is ItemKind.INTERVENTION:
        raise OutlineError(_("An intervention is the last level: nothing can go under it."))
    return insert(doc, path, len(children(node)), new_item(ItemKind.at(kind.level + 1), new_id))


def indent(doc: PlanDocument, path: Path) -> tuple[PlanDocument, Path]:
    """Move the item one level in, under the item above it (a goal becomes an objective of the
    goal above it, and so on); what hangs below it moves too."""
    node = node_at(doc, path)
    level = len(path) - 1
    if path[-1] == 0:
        raise OutlineError(_("There is nothing above it at the same level to go under. Move it below another "
                             "{kind} first.").format(kind=kind_of(node).label.lower()))
    if level + 1 + depth(node) > MAX_DEPTH:
        raise OutlineError(_("It can't go one level in: what hangs below it would go past interventions, "
                             "the last level."))
    parent_path = (*path[:-1], path[-1] - 1)
    moved = convert(node, ItemKind.at(level + 1))
    doc = remove(doc, path)
    return insert(doc, parent_path, len(children(node_at(doc, parent_path))), moved)


def outdent(doc: PlanDocument, path: Path) -> tuple[PlanDocument, Path]:
    """Move the item one level out, right after the item it was under."""
    if len(path) == 1:
        raise OutlineError(_("A need is already at the top level of the plan."))
    node = node_at(doc, path)
    parent = path[:-1]
    moved = convert(node, ItemKind.at(len(path) - 2))
    doc = remove(doc, path)
    return insert(doc, parent[:-1], parent[-1] + 1, moved)


def move(doc: PlanDocument, path: Path, delta: int) -> tuple[PlanDocument, Path]:
    """Move the item up (-1) or down (+1) among its siblings; past the first or last one it
    moves to the end or start of the neighbouring parent at the level above."""
    node = node_at(doc, path)
    row = siblings(doc, path)
    target = path[-1] + delta
    if 0 <= target < len(row):
        doc = remove(doc, path)
        return insert(doc, path[:-1], target, node)
    if len(path) > 1:
        parent = path[:-1]
        neighbour = parent[-1] + delta
        if 0 <= neighbour < len(siblings(doc, parent)):
            doc = remove(doc, path)
            new_parent = (*parent[:-1], neighbour)
            index = len(children(node_at(doc, new_parent))) if delta < 0 else 0
            return insert(doc, new_parent, index, node)
    raise OutlineError(_("It is already the first item there.") if delta < 0 else _("It is already the last item there."))


# -- plan versions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarePlan:
    """One version of a client's care plan. Only a draft can change its content; a signed
    version's content is kept as signed (its status, review date and links can still change)."""

    id: str
    client_id: str
    version: int
    status: PlanStatus
    document: PlanDocument
    start_on: date | None = None
    review_days: int = DEFAULT_REVIEW_DAYS
    review_on: date | None = None
    agreement: Agreement | None = None
    signatures: tuple[Signature, ...] = ()
    attachment_id: str | None = None
    activated_at: datetime | None = None
    status_changed_at: datetime | None = None
    status_reason: str = ""
    superseded_at: datetime | None = None
    based_on: str | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def read_only(self) -> bool:
        return self.status is not PlanStatus.DRAFT

    @property
    def in_force(self) -> bool:
        return self.status.in_force

    def signature(self, role: SignerRole) -> Signature | None:
        return next((s for s in self.signatures if s.role is role), None)

    def due_for_review(self, today: date) -> bool:
        return self.status is PlanStatus.ACTIVE and self.review_on is not None and self.review_on <= today


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """An active plan whose review date has come (for the Today page)."""

    plan_id: str
    client_id: str
    version: int
    review_on: date

    def days_overdue(self, today: date) -> int:
        return max(0, (today - self.review_on).days)


def review_on_after(start: date, days: int) -> date:
    return start + timedelta(days=days)


# -- validation ----------------------------------------------------------------------------------


def item_key(item_id: str, name: str) -> str:
    """The problems-dict key of one field of one item: '<item id>.<field>'."""
    return f"{item_id}.{name}"


def validate_document(doc: PlanDocument, start_on: date | None, review_days: int) -> dict[str, str]:
    """What can't be kept even in a draft: dates that contradict each other, numbers out of range."""
    problems: dict[str, str] = {}
    if not MIN_REVIEW_DAYS <= review_days <= MAX_REVIEW_DAYS:
        problems["review_days"] = _("Review the plan every {low} to {high} days.").format(
            low=MIN_REVIEW_DAYS, high=MAX_REVIEW_DAYS)
    for _path, node in doc.items():
        if isinstance(node, Intervention) and node.start_on and node.end_on and node.end_on < node.start_on:
            problems[item_key(node.id, "end_on")] = _("It ends before it starts. Check the dates.")
        if isinstance(node, Objective) and node.instrument is not None and node.instrument.value < 0:
            problems[item_key(node.id, "instrument")] = _("A score target can't be below 0.")
    return problems


def validate_for_activation(doc: PlanDocument, start_on: date | None, review_days: int) -> dict[str, str]:
    """Everything that must be true before the plan can be signed, keyed 'about.what_matters',
    'discharge_criteria', 'needs', 'review_days' or '<item id>.<field>'."""
    problems = validate_document(doc, start_on, review_days)
    if not doc.about.what_matters.strip():
        problems["about.what_matters"] = _("Write what matters to the client, in their own words.")
    if not doc.discharge_criteria.strip():
        problems["discharge_criteria"] = _("Write how the client will know the plan is done, in their own words.")
    if not doc.needs:
        problems["needs"] = _("Add at least one need, with a goal for it.")
    elif not doc.goals():
        problems["needs"] = _("Add at least one goal under a need.")
    for _path, node in doc.items():
        kind = kind_of(node)
        if not title(node).strip():
            problems[item_key(node.id, "title")] = {
                ItemKind.NEED: _("Write the need in the client's words."),
                ItemKind.GOAL: _("Write the goal in the client's words."),
                ItemKind.OBJECTIVE: _("Write the step, as something that can be measured."),
                ItemKind.INTERVENTION: _("Write what will be done."),
            }[kind]
        if isinstance(node, Goal):
            if not node.smart.strip():
                problems[item_key(node.id, "smart")] = _("Restate the goal so it is specific, measurable and dated.")
            if node.target_on is None:
                problems[item_key(node.id, "target_on")] = _("Give the goal a target date.")
            elif start_on and node.target_on < start_on:
                problems[item_key(node.id, "target_on")] = _("The target date is before the plan starts.")
        elif isinstance(node, Objective):
            if node.instrument is None and not (node.measure.strip() and node.target.strip()):
                problems[item_key(node.id, "measure")] = _("Say how it is measured and the target, or track it "
                                                          "with a questionnaire score.")
            if node.target_on is None:
                problems[item_key(node.id, "target_on")] = _("Give the step a target date.")
        elif isinstance(node, Intervention):
            if node.responsible is Responsible.TEAM_MEMBER and not node.responsible_name.strip():
                problems[item_key(node.id, "responsible_name")] = _("Name the care-team member who does it.")
    return problems


def validate_agreement(agreement: Agreement, signatures: Iterable[Signature]) -> dict[str, str]:
    """The client's agreement (a drawn signature, a verbal agreement with its reason, or a
    signed paper page) and the case manager's signature. Keys are '<role>.<field>'."""
    given = list(signatures)
    problems: dict[str, str] = {}
    client = next((s for s in given if s.role is SignerRole.CLIENT), None)
    manager = next((s for s in given if s.role is SignerRole.CASE_MANAGER), None)
    if agreement is Agreement.SIGNED and (client is None or client.verbal):
        problems["client.strokes"] = _("The client needs to sign on the pad.")
    elif agreement is Agreement.VERBAL and (client is None or not client.verbal):
        problems["client.reason"] = _("Say why the client agreed verbally instead of signing.")
    if manager is None:
        problems["case_manager.strokes"] = _("The case manager needs to sign.")
    for signature in given:
        if agreement is Agreement.SCANNED and signature.role is SignerRole.CLIENT:
            continue  # the client signed the paper page
        for name, message in validate_signature(signature).items():
            problems.setdefault(f"{signature.role.value}.{name}", message)
    return problems


# -- suggestions ---------------------------------------------------------------------------------


_SCREEN_DOMAINS: Mapping[str, LifeDomain] = {
    "phq9": LifeDomain.MENTAL_HEALTH, "phq2": LifeDomain.MENTAL_HEALTH, "gad7": LifeDomain.MENTAL_HEALTH,
    "gad2": LifeDomain.MENTAL_HEALTH, "k10": LifeDomain.MENTAL_HEALTH, "k6": LifeDomain.MENTAL_HEALTH,
    "pcptsd5": LifeDomain.MENTAL_HEALTH, "who5": LifeDomain.MENTAL_HEALTH,
    "auditc": LifeDomain.SUBSTANCE_USE, "dast10": LifeDomain.SUBSTANCE_USE,
}
# A brief screen is left out when its longer version was given too.
_COVERED_BY = {"phq2": "phq9", "gad2": "gad7", "k6": "k10"}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A need the case manager may accept into the plan, edit, or dismiss."""

    key: str  # 'assessment:<domain>' or 'screen:<instrument id>'
    domain: LifeDomain
    source: NeedSource
    summary: str
    priority: Priority

    @property
    def title(self) -> str:
        return self.domain.label


def suggest_needs(assessment: AssessmentDocument | None, screens: Mapping[str, Administration],
                  short_names: Mapping[str, str]) -> list[Suggestion]:
    """Needs suggested by the latest assessment (domains whose need is rated 2 or 3, most
    severe first) and by the latest positive screens."""
    found: list[Suggestion] = []
    if assessment is not None:
        rated = [(d, assessment.domain(d)) for d in LifeDomain]
        for domain, rating in sorted(rated, key=lambda dr: -(dr[1].need or 0)):
            if rating.need not in (2, 3):
                continue
            words = {2: _("moderate need"), 3: _("severe need")}[rating.need]
            summary = _("Assessment of {date}: {rating}.").format(date=format_date(assessment.assessed_on), rating=words)
            if rating.narrative.strip():
                summary = _("{summary} {narrative}").format(summary=summary, narrative=rating.narrative.strip())
            found.append(Suggestion(f"assessment:{domain.value}", domain, NeedSource.ASSESSMENT, summary,
                                    Priority.HIGH if rating.need == 3 else Priority.MEDIUM))
    for instrument_id, admin in sorted(screens.items(), key=lambda kv: kv[0]):
        screen_domain = _SCREEN_DOMAINS.get(instrument_id)
        if screen_domain is None or admin.positive is not True:
            continue
        covering = _COVERED_BY.get(instrument_id)
        if covering and covering in screens:
            continue
        name = short_names.get(instrument_id, instrument_id)
        on = format_date(admin.administered_on)
        if admin.total is not None and admin.band:
            summary = _("{instrument} {total} ({band}), positive, on {date}.").format(
                instrument=name, total=admin.total, band=admin.band, date=on)
        elif admin.total is not None:
            summary = _("{instrument} {total}, positive, on {date}.").format(instrument=name, total=admin.total, date=on)
        else:
            summary = _("{instrument} positive on {date}.").format(instrument=name, date=on)
        found.append(Suggestion(f"screen:{instrument_id}", screen_domain, NeedSource.SCREENING, summary,
                                Priority.HIGH if admin.flags else Priority.MEDIUM))
    return found


def open_suggestions(suggestions: Iterable[Suggestion], doc: PlanDocument) -> list[Suggestion]:
    """The suggestions not yet accepted into this plan nor dismissed for it."""
    taken = {n.suggestion for n in doc.needs if n.suggestion} | set(doc.dismissed)
    return [s for s in suggestions if s.key not in taken]


def accept(doc: PlanDocument, suggestion: Suggestion, new_id: str) -> tuple[PlanDocument, Path]:
    """The suggestion as a new need at the end of the plan (its words to be written with the client)."""
    need = Need(id=new_id, domain=suggestion.domain, summary=suggestion.summary, source=suggestion.source,
                suggestion=suggestion.key, priority=suggestion.priority)
    return insert(doc, (), len(doc.needs), need)


def dismiss(doc: PlanDocument, key: str) -> PlanDocument:
    return doc if key in doc.dismissed else replace(doc, dismissed=(*doc.dismissed, key))


# -- objectives tracked by scores ----------------------------------------------------------------


class TrackState(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"
    OVERDUE = "overdue"
    NO_SCORES = "no_scores"

    @property
    def label(self) -> str:
        return {TrackState.MET: _("Met"), TrackState.NOT_YET: _("Not yet"), TrackState.OVERDUE: _("Overdue"),
                TrackState.NO_SCORES: _("No score yet")}[self]


@dataclass(frozen=True, slots=True)
class ScorePoint:
    on: date
    value: int


@dataclass(frozen=True, slots=True)
class Tracking:
    target: InstrumentTarget
    state: TrackState
    baseline: ScorePoint | None = None
    latest: ScorePoint | None = None


def track(target: InstrumentTarget, scores: Sequence[ScorePoint], today: date,
          target_on: date | None) -> Tracking:
    """How an objective tied to an instrument stands: the baseline (the last score on or before
    the objective was set, else the first after), the latest score, and whether the latest meets
    the target — or, if not, whether the target date has passed."""
    ordered = sorted(scores, key=lambda s: s.on)
    late = target_on is not None and today > target_on
    if not ordered:
        return Tracking(target, TrackState.OVERDUE if late else TrackState.NO_SCORES)
    before = [s for s in ordered if target.since is None or s.on <= target.since]
    baseline = before[-1] if before and target.since is not None else ordered[0]
    latest = ordered[-1]
    if target.comparison.met(latest.value, target.value):
        state = TrackState.MET
    else:
        state = TrackState.OVERDUE if late else TrackState.NOT_YET
    return Tracking(target, state, baseline, latest)


# -- reviews -------------------------------------------------------------------------------------


def gas_labels() -> dict[int, str]:
    """The goal attainment scale."""
    return {-2: _("−2 · Much less than expected"), -1: _("−1 · Somewhat less than expected"),
            0: _("0 · As expected"), 1: _("+1 · Somewhat more than expected"), 2: _("+2 · Much more than expected")}


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal_id: str
    gas: int | None = None  # −2 … +2, None when not rated at this review
    note: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    """A review of the plan in force: progress per goal on the goal attainment scale, what
    changes, and who attended."""

    id: str
    plan_id: str
    client_id: str
    reviewed_on: date
    progress: tuple[GoalProgress, ...] = ()
    changes: str = ""
    attended: str = ""
    next_review_on: date | None = None
    recorded_by: str = ""
    created_at: datetime | None = None

    def gas(self, goal_id: str) -> int | None:
        return next((p.gas for p in self.progress if p.goal_id == goal_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "progress": [{"goal_id": p.goal_id, "gas": p.gas, "note": p.note}
                                               for p in self.progress],
                "changes": self.changes, "attended": self.attended}

    @staticmethod
    def parts_from_json(data: Mapping[str, Any]) -> tuple[tuple[GoalProgress, ...], str, str]:
        progress = tuple(GoalProgress(_text(p.get("goal_id")), None if p.get("gas") is None else int(p["gas"]),
                                      _text(p.get("note")))
                         for p in data.get("progress") or ())
        return progress, _text(data.get("changes")), _text(data.get("attended"))


def validate_review(review: Review, goal_ids: Iterable[str], today: date, activated_on: date | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if review.reviewed_on > today:
        problems["reviewed_on"] = _("The review can't be dated in the future.")
    elif activated_on is not None and review.reviewed_on < activated_on:
        problems["reviewed_on"] = _("The review can't come before the plan was signed.")
    if not review.attended.strip():
        problems["attended"] = _("Say who attended, for example: the client, their sister, and me.")
    known = set(goal_ids)
    for p in review.progress:
        if p.goal_id not in known:
            problems["progress"] = _("A goal in this review is not in the plan any more. Close and open it again.")
        elif p.gas is not None and p.gas not in GAS_LEVELS:
            problems[f"progress.{p.goal_id}"] = _("Goal attainment goes from −2 to +2.")
    if not any(p.gas is not None for p in review.progress) and known:
        problems["progress"] = _("Rate the progress on at least one goal.")
    if review.next_review_on is not None and review.next_review_on <= review.reviewed_on:
        problems["next_review_on"] = _("The next review must come after this one.")
    return problems


# -- the difference between two versions --------------------------------------------------------


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        return {ChangeKind.ADDED: _("Added"), ChangeKind.REMOVED: _("Removed"), ChangeKind.CHANGED: _("Changed")}[self]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's value in each version (raw values: text, dates, enums, targets, None)."""

    name: str
    label: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item added, removed or changed. `kind` is None for the plan's own fields and the
    "about the person" section (item_id 'plan' or 'about')."""

    kind: ItemKind | None
    item_id: str
    change: ChangeKind
    title: str
    fields: tuple[FieldChange, ...] = ()
    under: str = ""  # the words of the item it hangs under (in the version it is in)


def field_labels(kind: ItemKind) -> dict[str, str]:
    """The fields the diff compares, with their labels, per kind of item."""
    return {
        ItemKind.NEED: {"domain": _("Life domain"), "client_words": _("In the client's words"),
                        "summary": _("Clinical summary"), "source": _("Source"), "source_note": _("Source details"),
                        "priority": _("Priority")},
        ItemKind.GOAL: {"client_words": _("In the client's words"), "smart": _("SMART restatement"),
                        "target_on": _("Target date"), "lifecycle": _("Status"), "achievement": _("Achievement")},
        ItemKind.OBJECTIVE: {"step": _("Measurable step"), "measure": _("Measure"), "target": _("Target"),
                             "baseline": _("Baseline"), "target_on": _("Target date"), "status": _("Status"),
                             "instrument": _("Tracked by a score")},
        ItemKind.INTERVENTION: {"action": _("Action"), "responsible": _("Who"), "responsible_name": _("Name"),
                                "frequency": _("How often"), "modality": _("How"), "start_on": _("Starts"),
                                "end_on": _("Ends"), "status": _("Status"), "referral_id": _("Linked referral")},
    }[kind]


def plan_labels() -> dict[str, str]:
    return {"discharge_criteria": _("When the plan is done, in the client's words"), "start_on": _("Start date"),
            "review_days": _("Review every (days)")}


def _flatten(doc: PlanDocument) -> dict[str, tuple[Node, str]]:
    """Each item by id, with the id of the item it hangs under ('' for needs)."""
    found: dict[str, tuple[Node, str]] = {}
    for path, node in doc.items():
        parent = node_at(doc, path[:-1]).id if len(path) > 1 else ""
        found[node.id] = (node, parent)
    return found


def diff_versions(old: CarePlan, new: CarePlan) -> list[ItemChange]:
    """What changed from `old` to `new`, field by field: the plan's own fields, "about the
    person", then every item added, removed or changed (matched by id), in reading order."""
    changes: list[ItemChange] = []
    plan_fields = [FieldChange(name, label, _plan_value(old, name), _plan_value(new, name))
                   for name, label in plan_labels().items()]
    plan_fields = [f for f in plan_fields if f.old != f.new]
    if plan_fields:
        changes.append(ItemChange(None, "plan", ChangeKind.CHANGED, _("The plan"), tuple(plan_fields)))
    about = [FieldChange(name, label, getattr(old.document.about, name), getattr(new.document.about, name))
             for name, label in about_labels().items()]
    about = [f for f in about if f.old != f.new]
    if about:
        changes.append(ItemChange(None, "about", ChangeKind.CHANGED, _("About the person"), tuple(about)))

    before, after = _flatten(old.document), _flatten(new.document)
    titles = {**{k: title(n) for k, (n, _p) in before.items()}, **{k: title(n) for k, (n, _p) in after.items()}}
    for item_id, (node, parent) in after.items():
        kind = kind_of(node)
        previous = before.get(item_id)
        if previous is None or kind_of(previous[0]) is not kind:
            changes.append(ItemChange(kind, item_id, ChangeKind.ADDED, title(node), _all_fields(node),
                                      titles.get(parent, "")))
            continue
        old_node, old_parent = previous
        differing = [FieldChange(name, label, getattr(old_node, name), getattr(node, name))
                     for name, label in field_labels(kind).items() if getattr(old_node, name) != getattr(node, name)]
        if old_parent != parent:
            differing.append(FieldChange("parent", _("Under"), titles.get(old_parent, ""), titles.get(parent, "")))
        if differing:
            changes.append(ItemChange(kind, item_id, ChangeKind.CHANGED, title(node), tuple(differing),
                                      titles.get(parent, "")))
    for item_id, (node, parent) in before.items():
        kept = after.get(item_id)
        if kept is None or kind_of(kept[0]) is not kind_of(node):
            changes.append(ItemChange(kind_of(node), item_id, ChangeKind.REMOVED, title(node),
                                      _all_fields(node, removed=True), titles.get(parent, "")))
    return changes


def _plan_value(plan: CarePlan, name: str) -> object:
    return plan.document.discharge_criteria if name == "discharge_criteria" else getattr(plan, name)


def _all_fields(node: Node, removed: bool = False) -> tuple[FieldChange, ...]:
    kind = kind_of(node)
    empty = new_item(kind, node.id)
    found = []
    for name, label in field_labels(kind).items():
        value = getattr(node, name)
        if value == getattr(empty, name) and name not in ("client_words", "step", "action"):
            continue
        found.append(FieldChange(name, label, value if removed else None, None if removed else value))
    return tuple(found)


# -- small helpers -------------------------------------------------------------------------------


def short(text: str, limit: int = 60) -> str:
    """The text on one line, cut at a word with an ellipsis when longer than `limit`."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] if " " in line[: limit - 1] else line[: limit - 1]
    return cut.rstrip(",;:.") + "…"
