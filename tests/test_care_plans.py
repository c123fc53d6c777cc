"""Care plans on a real encrypted vault: the lifecycle (draft → signed → new version → review),
the trigger that keeps signed versions read-only, suggestions from the assessment and screens,
objectives that track themselves from new scores, the version diff, reviews due, status changes,
and the links other work relies on (goals for notes, interventions for referrals)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from app.models.assessment import AboutPerson, AssessmentDocument, DomainRating, LifeDomain
from app.models.care_plan import (
    Agreement,
    ChangeKind,
    Comparison,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    GoalProgress,
    InstrumentTarget,
    Intervention,
    InterventionStatus,
    Need,
    Objective,
    PlanDocument,
    PlanStatus,
    Responsible,
    TrackState,
    accept,
    replace_node,
)
from app.models.client import Stage
from app.models.signature import SignerRole, Stroke, drawn, verbally_agreed
from app.services.clock import FixedClock
from app.services.errors import NotFound, ReadOnlyVault, ValidationError
from app.services.session import Session
from app.store.db import DatabaseError, IntegrityCheck
from tests.conftest import person

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
STROKE = Stroke.of([(0.1, 0.6), (0.2, 0.4), (0.3, 0.7)])


def document() -> PlanDocument:
    return PlanDocument(
        about=AboutPerson("Keeping my flat", "Texts, not calls", "I don't give up", "My sister", "Forms"),
        discharge_criteria="When the rent is paid up and I sleep most nights",
        needs=(Need("n1", LifeDomain.HOUSING, "I might lose my flat", goals=(
            Goal("g1", "Keep my flat", "Arrears paid by 1 March 2027", date(2027, 3, 1), GoalLifecycle.ACTIVE,
                 objectives=(Objective("o1", "PHQ-9 under 10", target_on=date(2027, 3, 1),
                                       instrument=InstrumentTarget("phq9", Comparison.BELOW, 10, TODAY),
                                       interventions=(Intervention("i1", "Call the landlord together",
                                                                   Responsible.CASE_MANAGER),
                                                      Intervention("i2", "Old idea",
                                                                   status=InterventionStatus.CANCELLED))),)),
        )),),
    )


def signatures(verbal: bool = False) -> list:
    client = (verbally_agreed(SignerRole.CLIENT, "Ana Quintero", NOW, "Agreed by phone") if verbal
              else drawn(SignerRole.CLIENT, "Ana Quintero", NOW, [STROKE]))
    return [client, drawn(SignerRole.CASE_MANAGER, "J. Rivera", NOW, [STROKE])]


def signed_plan(session: Session, client_id: str, doc: PlanDocument | None = None):  # type: ignore[no-untyped-def]
    draft = session.care_plans.start_draft(client_id)
    session.care_plans.save_draft(draft.id, doc or document())
    return session.care_plans.activate(draft.id, Agreement.SIGNED, signatures())


def phq9(session: Session, client_id: str, total: int, on: date) -> None:
    answers: dict[str, int | None] = {str(i): 0 for i in range(1, 10)}
    left = total
    for item in map(str, range(1, 9)):
        answers[item] = min(3, left)
        left -= answers[item] or 0
    session.screening.record(client_id, "phq9", answers, on=on)


# -- the lifecycle -------------------------------------------------------------------------------


def test_draft_then_signed_then_a_new_version_then_a_review(session: Session, clock: FixedClock) -> None:
    client = session.clients.create(person())
    plans = session.care_plans
    draft = plans.start_draft(client.id)
    assert draft.status is PlanStatus.DRAFT and draft.version == 1 and draft.review_days == 90
    assert plans.start_draft(client.id).id == draft.id  # one draft at a time
    saved = plans.save_draft(draft.id, document(), None, 60)
    assert saved.document == document() and saved.review_days == 60

    first = plans.activate(draft.id, Agreement.SIGNED, signatures())
    assert first.status is PlanStatus.ACTIVE and first.read_only and first.start_on == TODAY
    assert first.review_on == TODAY + timedelta(days=60)
    assert first.signature(SignerRole.CLIENT) is not None
    assert session.clients.get(client.id).stage is Stage.IMPLEMENTING
    with pytest.raises(ValidationError, match="already signed"):
        plans.activate(first.id, Agreement.SIGNED, signatures())
    with pytest.raises(ValidationError):
        plans.save_draft(first.id, PlanDocument())

    clock.advance(days=10)
    second_draft = plans.start_draft(client.id)
    assert second_draft.version == 2 and second_draft.based_on == first.id
    assert second_draft.document == first.document  # a new version starts from the plan in force
    goal = second_draft.document.needs[0].goals[0]
    changed = replace_node(second_draft.document, (0, 0), replace(goal, achievement=GoalAchievement.IMPROVING))
    plans.save_draft(second_draft.id, changed, None, 60)
    assert plans.current(client.id).id == first.id  # still in force until the draft is signed
    second = plans.activate(second_draft.id, Agreement.VERBAL, signatures(verbal=True))
    assert plans.current(client.id).id == second.id and second.agreement is Agreement.VERBAL
    old = plans.get(first.id)
    assert old.status is PlanStatus.SUPERSEDED and old.document == first.document
    assert [p.version for p in plans.versions(client.id)] == [2, 1]

    clock.advance(days=5)
    review = plans.record_review(second.id, [GoalProgress("g1", 1, "Paid two months")], attended="Ana, her sister, me",
                                 changes="Keep going")
    assert review.next_review_on == clock.today() + timedelta(days=60)
    assert plans.get(second.id).review_on == review.next_review_on
    assert plans.reviews(client.id)[0].gas("g1") == 1

    actions = [e.action for e in session.audit_repo().entries() if e.object_type == "care_plan"]
    assert actions == ["care_plan.draft", "care_plan.save_draft", "care_plan.activate", "care_plan.draft",
                       "care_plan.save_draft", "care_plan.supersede", "care_plan.activate", "care_plan.review"]
    details = " ".join(e.detail for e in session.audit_repo().entries())
    assert "Keep my flat" not in details and "Ana" not in details  # no client data in the audit trail


def test_a_plan_is_not_signed_until_it_is_complete_and_agreed(session: Session) -> None:
    client = session.clients.create(person())
    plans = session.care_plans
    draft = plans.start_draft(client.id)
    with pytest.raises(ValidationError) as caught:
        plans.activate(draft.id, Agreement.SIGNED, signatures()[1:])
    assert {"about.what_matters", "needs", "client.strokes"} <= set(caught.value.problems)
    plans.save_draft(draft.id, document())
    scanned = plans.activate(draft.id, Agreement.SCANNED, signatures()[1:])
    assert scanned.agreement is Agreement.SCANNED and scanned.attachment_id is None
    assert plans.attach_scan(scanned.id, "att-1").attachment_id == "att-1"
    with pytest.raises(ValidationError, match="already linked"):
        plans.attach_scan(scanned.id, "att-2")


def test_a_draft_with_contradicting_dates_is_refused_and_can_be_discarded(session: Session) -> None:
    client = session.clients.create(person())
    plans = session.care_plans
    draft = plans.start_draft(client.id)
    bad = PlanDocument(needs=(Need("n", goals=(Goal("g", objectives=(Objective("o", interventions=(
        Intervention("i", "x", start_on=TODAY, end_on=TODAY - timedelta(days=1)),)),)),)),))
    with pytest.raises(ValidationError) as caught:
        plans.save_draft(draft.id, bad)
    assert "i.end_on" in caught.value.problems
    plans.discard_draft(client.id)
    assert plans.draft(client.id) is None
    assert plans.start_draft(client.id).version == 2  # version numbers are never reused


def test_signed_versions_are_read_only_in_the_vault_itself(session: Session) -> None:
    client = session.clients.create(person())
    plan = signed_plan(session, client.id)
    conn = session.connection
    for statement in ("UPDATE care_plans SET document = '{}' WHERE id = ?",
                      "UPDATE care_plans SET signatures = '[]' WHERE id = ?",
                      "UPDATE care_plans SET status = 'draft', activated_at = NULL WHERE id = ?"):
        with pytest.raises(DatabaseError, match="signed care plan cannot be changed"):
            conn.execute(statement, (plan.id,))
    session.care_plans.set_status(plan.id, PlanStatus.COMPLETED, "Goals met")
    with pytest.raises(DatabaseError, match="signed care plan cannot be changed"):
        conn.execute("UPDATE care_plans SET status = 'active' WHERE id = ?", (plan.id,))
    review = session.care_plans.record_review  # reviews are kept as recorded, too
    assert review is not None
    stored = json.loads(conn.execute("SELECT document FROM care_plans WHERE id = ?", (plan.id,)).fetchone()[0])
    assert stored["schema"] == 1 and stored["needs"][0]["goals"][0]["id"] == "g1"


def test_reviews_can_not_be_edited_once_recorded(session: Session) -> None:
    client = session.clients.create(person())
    plan = signed_plan(session, client.id)
    review = session.care_plans.record_review(plan.id, [GoalProgress("g1", 0)], attended="Ana and me")
    with pytest.raises(DatabaseError, match="review cannot be changed"):
        session.connection.execute("UPDATE care_plan_reviews SET document = '{}' WHERE id = ?", (review.id,))


def test_status_changes_follow_the_rules(session: Session) -> None:
    client = session.clients.create(person())
    plan = signed_plan(session, client.id)
    plans = session.care_plans
    with pytest.raises(ValidationError, match="reason"):
        plans.set_status(plan.id, PlanStatus.ON_HOLD)
    held = plans.set_status(plan.id, PlanStatus.ON_HOLD, "In hospital")
    assert held.status is PlanStatus.ON_HOLD and plans.current(client.id).id == plan.id
    assert plans.set_status(plan.id, PlanStatus.ACTIVE).status is PlanStatus.ACTIVE
    revoked = plans.set_status(plan.id, PlanStatus.REVOKED, "Client withdrew consent")
    assert revoked.status_reason == "Client withdrew consent" and plans.current(client.id) is None
    with pytest.raises(ValidationError, match="can't become"):
        plans.set_status(plan.id, PlanStatus.ACTIVE)
    with pytest.raises(ValidationError, match="in force"):
        plans.record_review(plan.id, [GoalProgress("g1", 0)], attended="me")


# -- suggestions ---------------------------------------------------------------------------------


def test_a_new_plan_starts_from_the_assessment_and_offers_its_needs(session: Session) -> None:
    client = session.clients.create(person())
    started = session.assessments.start(client.id)
    domains = {d: DomainRating(0, 1, "") for d in LifeDomain}
    domains[LifeDomain.HOUSING] = DomainRating(3, 1, "Notice to leave")
    domains[LifeDomain.FOOD] = DomainRating(2, 0, "Food bank weekly")
    about = AboutPerson("Ver a mis nietos", "Spanish, please", "Cocino bien", "Mi hija", "The bus")
    session.assessments.complete(started.id, AssessmentDocument(TODAY, domains=domains, about=about))
    phq9(session, client.id, 16, TODAY)

    plans = session.care_plans
    draft = plans.start_draft(client.id)
    assert draft.document.about == about  # carried over from the latest assessment
    offered = plans.suggestions(client.id, draft.document)
    assert [s.key for s in offered] == ["assessment:housing", "assessment:food", "screen:phq9"]
    doc, _path = accept(draft.document, offered[0], "n-housing")
    doc = replace(doc, dismissed=("assessment:food",))
    plans.save_draft(draft.id, doc)
    kept = plans.get(draft.id)
    assert [s.key for s in plans.suggestions(client.id, kept.document)] == ["screen:phq9"]
    assert kept.document.needs[0].summary.startswith("Assessment of")


# -- tracking ------------------------------------------------------------------------------------


def test_an_objective_tied_to_the_phq9_tracks_itself_from_new_scores(session: Session, clock: FixedClock) -> None:
    client = session.clients.create(person())
    phq9(session, client.id, 18, TODAY - timedelta(days=20))
    plan = signed_plan(session, client.id)
    tracking = session.care_plans.tracking(client.id, plan.document)["o1"]
    assert tracking.state is TrackState.NOT_YET and tracking.baseline is not None and tracking.baseline.value == 18
    clock.advance(days=30)
    phq9(session, client.id, 8, clock.today())
    tracking = session.care_plans.tracking(client.id, session.care_plans.get(plan.id).document)["o1"]
    assert tracking.state is TrackState.MET and tracking.latest is not None and tracking.latest.value == 8
    clock.advance(days=200)
    phq9(session, client.id, 14, clock.today())
    assert session.care_plans.tracking(client.id, plan.document)["o1"].state is TrackState.OVERDUE
    assert ("phq9", "PHQ-9", False) in session.care_plans.instrument_choices()
    assert all(i != "cssrs_screener" for i, _n, _b in session.care_plans.instrument_choices())


# -- the diff, reviews due, links ----------------------------------------------------------------


def test_two_versions_can_be_compared(session: Session) -> None:
    client = session.clients.create(person())
    first = signed_plan(session, client.id)
    draft = session.care_plans.start_draft(client.id)
    goal = draft.document.needs[0].goals[0]
    doc = replace_node(draft.document, (0, 0), replace(goal, target_on=date(2027, 4, 1)))
    session.care_plans.save_draft(draft.id, doc)
    changes = session.care_plans.diff(first.id, draft.id)
    assert [(c.item_id, c.change) for c in changes] == [("g1", ChangeKind.CHANGED)]
    assert changes[0].fields[0].old == date(2027, 3, 1) and changes[0].fields[0].new == date(2027, 4, 1)
    other = session.clients.create(person(first_name="Bo"))
    with pytest.raises(ValidationError, match="different clients"):
        session.care_plans.diff(first.id, signed_plan(session, other.id).id)


def test_reviews_due_for_the_today_page(session: Session, clock: FixedClock) -> None:
    due_client = session.clients.create(person())
    later_client = session.clients.create(person(first_name="Bo"))
    plan = signed_plan(session, due_client.id)
    signed_plan(session, later_client.id)
    session.care_plans.set_review_on(plan.id, TODAY + timedelta(days=5))
    assert session.care_plans.reviews_due() == []
    clock.advance(days=6)
    (due,) = session.care_plans.reviews_due()
    assert due.client_id == due_client.id and due.days_overdue(clock.today()) == 1
    assert len(session.care_plans.reviews_due(TODAY + timedelta(days=91))) == 2
    session.clients.archive(later_client.id)
    assert len(session.care_plans.reviews_due(TODAY + timedelta(days=91))) == 1


def test_goal_and_intervention_choices_and_referral_links(session: Session) -> None:
    client = session.clients.create(person())
    plans = session.care_plans
    assert plans.goal_choices(client.id) == [] and plans.intervention_choices(client.id) == []
    draft = plans.start_draft(client.id)
    plans.save_draft(draft.id, document())
    assert plans.goal_choices(client.id) == [("g1", "Keep my flat")]  # the draft, while nothing is in force
    plan = plans.activate(draft.id, Agreement.SIGNED, signatures())
    assert plans.intervention_choices(client.id) == [("i1", "Call the landlord together")]
    plans.link_referral(client.id, "i1", "referral-7")
    assert plans.get(plan.id).document.interventions()[0].referral_id == "referral-7"
    new = plans.start_draft(client.id)
    assert new.document.interventions()[0].referral_id == "referral-7"  # copied into the next version
    plans.link_referral(client.id, "i1", None)
    assert plans.get(plan.id).document.interventions()[0].referral_id is None
    with pytest.raises(NotFound):
        plans.link_referral(client.id, "nope", "r")


def test_a_read_only_vault_shows_plans_but_refuses_changes(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    client = session.clients.create(person())
    plan = signed_plan(session, client.id)
    monkeypatch.setattr(session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    assert session.care_plans.current(client.id) is not None
    with pytest.raises(ReadOnlyVault):
        session.care_plans.start_draft(client.id)
    with pytest.raises(ReadOnlyVault):
        session.care_plans.record_review(plan.id, [GoalProgress("g1", 0)], attended="me")


# -- demo plans ----------------------------------------------------------------------------------


def test_demo_plans_come_in_every_state_and_hold_together(session: Session) -> None:
    from app.models.care_plan import validate_agreement
    from app.services import demo
    from app.store.clients_repo import ClientRepository

    demo.populate(session, 120, seed=5)  # the demo writes care plans with everything else
    with session.write() as conn:
        repo = ClientRepository(conn)
        clients = [c for r in repo.roster(include_archived=True) if (c := repo.get(r.id)) is not None]
    made = session.connection.execute("SELECT COUNT(DISTINCT client_id) FROM care_plans").fetchone()[0]
    assert made > 40
    statuses = {row[0] for row in session.connection.execute("SELECT DISTINCT status FROM care_plans")}
    assert {"draft", "active", "superseded", "completed"} <= statuses
    plans = session.care_plans
    with_reviews = 0
    for client in clients:
        for plan in plans.versions(client.id):
            assert plan.agreement is not None and not validate_agreement(plan.agreement, plan.signatures)
            assert plan.start_on is not None and plan.review_on is not None
            assert not plans.activation_problems(plan), plan.id
        with_reviews += bool(plans.reviews(client.id))
    assert with_reviews > 10
    assert 0 < len(plans.reviews_due(TODAY)) < made
    assert any(plans.tracking(c.id, p.document) for c in clients if (p := plans.current(c.id)) is not None)
