"""The care plan's pure model: the document and its JSON, the outline's editing rules, the checks
before signing, suggested needs, objectives tracked by scores, reviews and the version diff."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from app.models.assessment import AboutPerson, AssessmentDocument, DomainRating, LifeDomain
from app.models.care_plan import (
    SCHEMA,
    Agreement,
    CarePlan,
    ChangeKind,
    Comparison,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalProgress,
    InstrumentTarget,
    Intervention,
    ItemKind,
    Modality,
    Need,
    NeedSource,
    Objective,
    OutlineError,
    PlanDocument,
    PlanStatus,
    Priority,
    Responsible,
    Review,
    ScorePoint,
    TrackState,
    accept,
    add_child,
    add_sibling,
    diff_versions,
    dismiss,
    indent,
    kind_of,
    move,
    node_at,
    open_suggestions,
    outdent,
    remove,
    replace_node,
    short,
    suggest_needs,
    title,
    track,
    validate_agreement,
    validate_for_activation,
    validate_review,
)
from app.models.screening import Administration
from app.models.signature import SignerRole, Stroke, drawn, verbally_agreed

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def full_document() -> PlanDocument:
    return PlanDocument(
        about=AboutPerson("Getting my kids back on weekends", "Texts, not calls", "I don't give up",
                          "My sister Inés", "No money for the bus"),
        discharge_criteria="When I have my own place and see the kids every weekend",
        needs=(
            Need("n1", LifeDomain.HOUSING, "I need somewhere that is mine", "Two months behind on rent",
                 NeedSource.ASSESSMENT, "", "assessment:housing", Priority.HIGH, goals=(
                     Goal("g1", "Keep my flat", "Pay the arrears by 1 March with a payment plan",
                          date(2027, 3, 1), GoalLifecycle.ACTIVE, GoalAchievement.IN_PROGRESS, objectives=(
                              Objective("o1", "Apply for rent assistance", "Application sent", "Yes", "Not started",
                                        date(2026, 12, 15), interventions=(
                                            Intervention("i1", "Help fill in the form", Responsible.CASE_MANAGER, "",
                                                         "Once", Modality.HOME_VISIT, TODAY, date(2026, 12, 15)),
                                        )),
                          )),
                 )),
            Need("n2", LifeDomain.MENTAL_HEALTH, "Feeling like myself again", goals=(
                Goal("g2", "Sleep through the night", "PHQ-9 below 10 by 1 March", date(2027, 3, 1),
                     GoalLifecycle.ACTIVE, objectives=(
                         Objective("o2", "Lower the PHQ-9", target_on=date(2027, 3, 1),
                                   instrument=InstrumentTarget("phq9", Comparison.BELOW, 10, TODAY), interventions=(
                                       Intervention("i2", "Weekly therapy", Responsible.TEAM_MEMBER, "Dr. Okafor",
                                                    "Weekly", Modality.VIDEO, referral_id="ref-1"),
                                   )),
                     )),
            )),
        ),
        dismissed=("screen:auditc",),
    )


def plan(doc: PlanDocument, version: int = 1, **changes: object) -> CarePlan:
    base = CarePlan(id=f"p{version}", client_id="c1", version=version, status=PlanStatus.DRAFT, document=doc)
    return replace(base, **changes)  # type: ignore[arg-type]


# -- the document --------------------------------------------------------------------------------


def test_the_document_round_trips_through_json_with_its_schema() -> None:
    doc = full_document()
    data = json.loads(json.dumps(doc.to_json()))
    assert data["schema"] == SCHEMA
    assert PlanDocument.from_json(data) == doc


def test_a_newer_schema_is_refused_and_unknown_values_fall_back() -> None:
    with pytest.raises(ValueError, match="newer version of Waypoint"):
        PlanDocument.from_json({"schema": SCHEMA + 1})
    odd = PlanDocument.from_json({"schema": 1, "needs": [{"id": "n", "priority": "urgent!", "goals": [
        {"id": "g", "lifecycle": "someday"}]}]})
    assert odd.needs[0].priority is Priority.MEDIUM and odd.needs[0].goals[0].lifecycle is GoalLifecycle.PROPOSED


def test_items_walk_the_outline_in_reading_order() -> None:
    doc = full_document()
    assert [n.id for _p, n in doc.items()] == ["n1", "g1", "o1", "i1", "n2", "g2", "o2", "i2"]
    assert doc.find("o2") == ((1, 0, 0), doc.needs[1].goals[0].objectives[0])
    assert [g.id for g in doc.goals()] == ["g1", "g2"]


def test_normalising_drops_blank_items_but_keeps_anything_with_content_below() -> None:
    doc = PlanDocument(needs=(Need("a", client_words="  Housing  "), Need("b"),
                              Need("c", goals=(Goal("d", client_words="x"),)), Need("e", goals=(Goal("f"),))))
    clean = doc.normalised()
    assert [n.id for n in clean.needs] == ["a", "c"]
    assert clean.needs[0].client_words == "Housing"


def test_referral_links_kept_beside_the_document_override_it() -> None:
    doc = full_document()
    linked = doc.with_referrals({"i1": "ref-9"})
    assert [i.referral_id for i in linked.interventions()] == ["ref-9", None]


# -- the outline ---------------------------------------------------------------------------------


def test_enter_adds_a_sibling_of_the_same_level_right_after() -> None:
    doc = full_document()
    doc, path = add_sibling(doc, (0, 0), "new")
    assert path == (0, 1) and isinstance(node_at(doc, path), Goal)
    doc, path = add_sibling(PlanDocument(), None, "first")
    assert path == (0,) and isinstance(node_at(doc, (0,)), Need)


def test_indent_makes_an_item_part_of_the_one_above_and_converts_its_level() -> None:
    doc = PlanDocument(needs=(Need("n1", client_words="Housing"), Need("n2", client_words="Keep my flat",
                                                                          goals=(Goal("g", client_words="Pay rent"),))))
    doc, path = indent(doc, (1,))
    assert path == (0, 0)
    moved = node_at(doc, path)
    assert isinstance(moved, Goal) and moved.id == "n2" and moved.client_words == "Keep my flat"
    below = node_at(doc, (0, 0, 0))
    assert isinstance(below, Objective) and below.step == "Pay rent"  # what hung below moved one level too


def test_indent_and_outdent_refuse_what_makes_no_sense_with_a_sentence() -> None:
    doc = full_document()
    with pytest.raises(OutlineError, match="nothing above it"):
        indent(doc, (0,))
    with pytest.raises(OutlineError, match="already at the top"):
        outdent(doc, (0,))
    deep = PlanDocument(needs=(Need("a"), Need("b", goals=(Goal("g", objectives=(Objective("o", interventions=(
        Intervention("i"),)),)),))))
    with pytest.raises(OutlineError, match="past interventions"):
        indent(deep, (1,))
    with pytest.raises(OutlineError, match="last level"):
        add_child(deep, (1, 0, 0, 0), "x")


def test_outdent_puts_the_item_right_after_its_parent() -> None:
    doc = full_document()
    doc, path = outdent(doc, (0, 0, 0))  # objective o1 → a goal after g1
    assert path == (0, 1)
    goal = node_at(doc, path)
    assert isinstance(goal, Goal) and goal.client_words == "Apply for rent assistance"
    assert isinstance(goal.objectives[0], Objective) and goal.objectives[0].id == "i1"
    assert goal.target_on == date(2026, 12, 15)


def test_move_reorders_siblings_and_crosses_into_the_neighbouring_parent() -> None:
    doc = full_document()
    doc, path = move(doc, (1,), -1)
    assert path == (0,) and doc.needs[0].id == "n2"
    doc, path = move(doc, (0, 0), 1)  # g2 is the last goal of n2: it moves to the start of n1
    assert path == (1, 0) and [g.id for g in doc.needs[1].goals] == ["g2", "g1"]
    with pytest.raises(OutlineError, match="first"):
        move(doc, (0,), -1)


def test_remove_takes_the_item_and_what_hangs_below_it() -> None:
    doc = remove(full_document(), (0, 0))
    assert doc.needs[0].goals == () and "o1" not in {n.id for _p, n in doc.items()}


def test_kinds_titles_and_short_text() -> None:
    doc = full_document()
    assert [kind_of(n) for _p, n in doc.items()][:4] == list(ItemKind)
    assert title(doc.needs[0].goals[0].objectives[0]) == "Apply for rent assistance"
    assert short("a " * 50, 12).endswith("…") and len(short("a " * 50, 12)) <= 12


# -- checks --------------------------------------------------------------------------------------


def test_a_complete_plan_passes_the_checks_for_signing() -> None:
    assert validate_for_activation(full_document(), TODAY, 90) == {}


def test_every_problem_before_signing_is_named_next_to_its_field() -> None:
    doc = PlanDocument(needs=(Need("n", goals=(Goal("g", objectives=(Objective("o", interventions=(
        Intervention("i", responsible=Responsible.TEAM_MEMBER, start_on=TODAY, end_on=date(2026, 1, 1)),)),)),)),))
    problems = validate_for_activation(doc, TODAY, 400)
    assert set(problems) >= {"about.what_matters", "discharge_criteria", "review_days", "n.title", "g.title",
                             "g.smart", "g.target_on", "o.title", "o.measure", "o.target_on", "i.title",
                             "i.responsible_name", "i.end_on"}
    assert validate_for_activation(PlanDocument(), None, 90)["needs"].startswith("Add at least one need")


def test_the_client_agrees_by_signing_verbally_or_on_paper_and_the_case_manager_signs() -> None:
    stroke = Stroke.of([(0.1, 0.5), (0.5, 0.6)])
    client = drawn(SignerRole.CLIENT, "Ana", NOW, [stroke])
    manager = drawn(SignerRole.CASE_MANAGER, "J. Rivera", NOW, [stroke])
    verbal = verbally_agreed(SignerRole.CLIENT, "Ana", NOW, "Agreed by phone")
    assert validate_agreement(Agreement.SIGNED, [client, manager]) == {}
    assert validate_agreement(Agreement.VERBAL, [verbal, manager]) == {}
    assert validate_agreement(Agreement.SCANNED, [manager]) == {}
    assert "client.strokes" in validate_agreement(Agreement.SIGNED, [verbal, manager])
    assert "client.reason" in validate_agreement(Agreement.VERBAL, [client, manager])
    assert "case_manager.strokes" in validate_agreement(Agreement.SCANNED, [])


# -- suggestions ---------------------------------------------------------------------------------


def admin(instrument: str, total: int, positive: bool, flags: tuple[str, ...] = ()) -> Administration:
    return Administration("a-" + instrument, "c1", instrument, "1", date(2026, 11, 2), {}, (), True, total, None,
                          "moderate", positive, None, False, flags)


def test_needs_are_suggested_from_rated_domains_and_positive_screens() -> None:
    assessment = AssessmentDocument(date(2026, 11, 1), domains={
        LifeDomain.HOUSING: DomainRating(2, 1, "Behind on rent"), LifeDomain.FOOD: DomainRating(3, 0, ""),
        LifeDomain.LEGAL: DomainRating(1, 2, "Court in May"), LifeDomain.EMPLOYMENT: DomainRating(0, 3, "")})
    screens = {"phq9": admin("phq9", 16, True, ("phq9_item9",)), "phq2": admin("phq2", 4, True),
               "gad7": admin("gad7", 4, False), "auditc": admin("auditc", 6, True)}
    found = suggest_needs(assessment, screens, {"phq9": "PHQ-9", "auditc": "AUDIT-C"})
    assert [s.key for s in found] == ["assessment:food", "assessment:housing", "screen:auditc", "screen:phq9"]
    food, housing, _audit, phq9 = found
    assert food.priority is Priority.HIGH and housing.priority is Priority.MEDIUM
    assert "Behind on rent" in housing.summary and housing.source is NeedSource.ASSESSMENT
    assert phq9.domain is LifeDomain.MENTAL_HEALTH and phq9.priority is Priority.HIGH
    assert "PHQ-9 16 (moderate), positive" in phq9.summary


def test_accepted_and_dismissed_suggestions_are_no_longer_offered() -> None:
    found = suggest_needs(AssessmentDocument(TODAY, domains={LifeDomain.HOUSING: DomainRating(3),
                                                             LifeDomain.FOOD: DomainRating(2)}), {}, {})
    doc, path = accept(PlanDocument(), found[0], "n1")
    need = node_at(doc, path)
    assert isinstance(need, Need) and need.domain is LifeDomain.HOUSING and need.suggestion == "assessment:housing"
    doc = dismiss(doc, "assessment:food")
    assert open_suggestions(found, doc) == []


# -- tracking ------------------------------------------------------------------------------------


def test_an_objective_tied_to_a_score_tracks_itself() -> None:
    target = InstrumentTarget("phq9", Comparison.BELOW, 10, since=date(2026, 10, 1))
    scores = [ScorePoint(date(2026, 9, 1), 19), ScorePoint(date(2026, 9, 28), 17), ScorePoint(date(2026, 11, 1), 12)]
    tracking = track(target, scores, TODAY, date(2027, 3, 1))
    assert tracking.state is TrackState.NOT_YET
    assert tracking.baseline == ScorePoint(date(2026, 9, 28), 17) and tracking.latest == scores[-1]
    assert track(target, [*scores, ScorePoint(TODAY, 8)], TODAY, date(2027, 3, 1)).state is TrackState.MET
    assert track(target, scores, date(2027, 3, 2), date(2027, 3, 1)).state is TrackState.OVERDUE
    assert track(target, [], TODAY, None).state is TrackState.NO_SCORES
    better = InstrumentTarget("who5", Comparison.AT_LEAST, 52)
    assert track(better, [ScorePoint(TODAY, 52)], TODAY, None).state is TrackState.MET


# -- reviews -------------------------------------------------------------------------------------


def test_a_review_needs_who_attended_and_a_rating_in_range() -> None:
    review = Review("r", "p", "c", TODAY, (GoalProgress("g1", 1), GoalProgress("g2", 3)), attended="")
    problems = validate_review(review, ["g1", "g2"], TODAY, date(2026, 10, 1))
    assert set(problems) == {"attended", "progress.g2"}
    late = replace(review, reviewed_on=date(2026, 9, 1), attended="Ana", progress=(GoalProgress("g1", None),))
    assert set(validate_review(late, ["g1"], TODAY, date(2026, 10, 1))) == {"reviewed_on", "progress"}


# -- the diff ------------------------------------------------------------------------------------


def test_the_diff_lists_added_removed_and_changed_items_field_by_field() -> None:
    old = full_document()
    new, _path = add_sibling(old, (1, 0), "g3")
    new = remove(new, (0, 0, 0, 0))  # intervention i1
    goal = node_at(new, (1, 0))
    assert isinstance(goal, Goal)
    new = replace_node(new, (1, 0), replace(goal, achievement=GoalAchievement.IMPROVING, smart="PHQ-9 under 10"))
    new, _path = move(new, (1, 0, 0), 1)  # o2, the last objective of g2, moves to the start of g3
    new = replace(new, about=replace(new.about, barriers="Forms"), discharge_criteria="Own place")
    changes = diff_versions(plan(old, 1, review_days=90), plan(new, 2, review_days=60))
    by_id = {c.item_id: c for c in changes}
    assert [f.name for f in by_id["plan"].fields] == ["discharge_criteria", "review_days"]
    assert by_id["about"].fields[0].name == "barriers" and by_id["about"].fields[0].new == "Forms"
    assert by_id["g3"].change is ChangeKind.ADDED and by_id["g3"].kind is ItemKind.GOAL
    assert by_id["i1"].change is ChangeKind.REMOVED and by_id["i1"].fields[0].old == "Help fill in the form"
    g2 = {f.name: f for f in by_id["g2"].fields}
    assert g2["achievement"].old is None and g2["achievement"].new is GoalAchievement.IMPROVING
    assert g2["smart"].new == "PHQ-9 under 10"
    assert by_id["o2"].fields == (by_id["o2"].fields[0],) and by_id["o2"].fields[0].name == "parent"
    assert (by_id["o2"].fields[0].old, by_id["o2"].fields[0].new) == ("Sleep through the night", "")
    assert "n1" not in by_id  # unchanged items are left out
