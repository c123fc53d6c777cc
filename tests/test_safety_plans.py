"""Safety plans: the pure model (content, signatures, checks) and the service (drafts, signing,
superseding, copy given, review due), on a real encrypted vault."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from app.models.safety_plan import (
    SCHEMA,
    Contact,
    EmergencyDepartment,
    Likelihood,
    MeansStep,
    PlanContent,
    PlanStatus,
    Professional,
    Section,
    StepNote,
    validate_content,
    validate_for_activation,
    validate_signatures,
)
from app.models.signature import (
    Signature,
    SignerRole,
    Stroke,
    drawn,
    validate_signature,
    verbally_agreed,
)
from app.services.clock import FixedClock
from app.services.errors import NotFound, ReadOnlyVault, ValidationError
from app.services.session import Session
from app.store.db import DatabaseError, IntegrityCheck
from tests.conftest import person

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
SQUIGGLE = Stroke.of([(0.1, 0.6), (0.2, 0.4), (0.3, 0.7), (0.45, 0.5)], [0.2, 0.5, 0.7, 0.4])


def full_content() -> PlanContent:
    return PlanContent(
        worth_living_for="My daughter Maëlle and our Sunday walks",
        warning_signs=("Not sleeping for two nights", "Thinking 'nobody would notice'"),
        coping=("Walk round the block with headphones", "Cold shower"),
        distractions=(Contact("Café Lumière", "", "Main St library café"), Contact("Tomás", "(555) 010-2233")),
        helpers=(Contact("Sister — Inés", "(555) 010-9876"),),
        professionals=(Professional("Dr. Okafor", "Psychiatrist", "(555) 010-4000", "(555) 010-4001"),),
        emergency_department=EmergencyDepartment("Riverside General ED", "12 River Rd", "(555) 010-9111"),
        local_crisis_line="County mobile crisis team (555) 010-7000",
        means=(MeansStep("Extra medication", "Inés", TODAY + timedelta(days=2)),),
        steps={Section.COPING: StepNote("Too tired to go out", Likelihood.LIKELY),
               Section.HELPERS: StepNote("", Likelihood.MAYBE)},
    )


def signatures(at: datetime = NOW) -> list[Signature]:
    return [drawn(SignerRole.CLIENT, "Ana Quintero", at, [SQUIGGLE]),
            drawn(SignerRole.CASE_MANAGER, "J. Rivera", at, [SQUIGGLE], aspect=2.5)]


# -- the model -----------------------------------------------------------------------------------


def test_content_round_trips_through_its_json_document() -> None:
    content = full_content()
    document = content.to_json()
    assert document["schema"] == SCHEMA
    again = PlanContent.from_json(json.loads(json.dumps(document)))
    assert again == content
    assert again.step(Section.COPING).likelihood is Likelihood.LIKELY
    assert again.step(Section.MEANS) == StepNote()


def test_a_document_from_a_newer_schema_is_refused_with_a_sentence() -> None:
    with pytest.raises(ValueError, match="newer version of Waypoint"):
        PlanContent.from_json({"schema": SCHEMA + 1})


def test_normalised_drops_blank_lines_and_rows_and_trims() -> None:
    content = PlanContent(warning_signs=("  pacing ", "", "   "), helpers=(Contact(), Contact(" Bo ", " 1 ")),
                          means=(MeansStep(), MeansStep(" knives ", "", None)),
                          steps={Section.COPING: StepNote("  ", None)})
    clean = content.normalised()
    assert clean.warning_signs == ("pacing",)
    assert clean.helpers == (Contact("Bo", "1"),)
    assert clean.means == (MeansStep("knives"),)
    assert clean.steps == {}
    assert PlanContent(coping=("", " ")).is_empty and not clean.is_empty


def test_sections_are_numbered_one_to_six_with_our_own_headings() -> None:
    assert [s.number for s in Section] == [1, 2, 3, 4, 5, 6]
    assert all(s.heading and s.short_heading and s.hint.endswith(".") for s in Section)


def test_rows_need_what_they_are_about() -> None:
    content = PlanContent(
        distractions=(Contact("", "(555) 1"),), helpers=(Contact("", "555"), Contact("Kim", "")),
        professionals=(Professional("", "", "", "555"),),
        means=(MeansStep("", "Dad", TODAY), MeansStep()),
    )
    problems = validate_content(content)
    assert set(problems) == {"distractions.0.name", "helpers.0.name", "professionals.0.name", "means.0.what"}
    assert problems["means.0.what"].startswith("Say what is being made safer")


def test_activation_needs_a_warning_sign_someone_to_contact_and_a_review_date_from_today() -> None:
    problems = validate_for_activation(PlanContent(), None, TODAY)
    assert set(problems) == {"warning_signs", "people", "review_on"}
    assert all(message.endswith(".") for message in problems.values())
    content = full_content()
    assert validate_for_activation(content, TODAY, TODAY) == {}
    assert "in the past" in validate_for_activation(content, TODAY - timedelta(days=1), TODAY)["review_on"]
    assert "within a year" in validate_for_activation(content, TODAY + timedelta(days=400), TODAY)["review_on"]
    # A professional alone (or the emergency department) is someone to contact.
    only_pro = PlanContent(warning_signs=("x",), professionals=(Professional("", "GP surgery", "555"),))
    assert "people" not in validate_for_activation(only_pro, TODAY, TODAY)


def test_a_signature_keeps_its_strokes_pressure_and_shape_through_json() -> None:
    signature = drawn(SignerRole.CLIENT, " Ana ", NOW, [SQUIGGLE, Stroke(())], aspect=3.2)
    assert signature.name == "Ana" and len(signature.strokes) == 1 and not signature.is_empty
    again = Signature.from_json(json.loads(json.dumps(signature.to_json())))
    assert again == signature
    assert again.strokes[0].pressure == (0.2, 0.5, 0.7, 0.4)
    assert validate_signature(again) == {}


def test_stroke_points_are_clamped_and_mismatched_pressure_is_dropped() -> None:
    stroke = Stroke.of([(-0.2, 0.5), (1.4, 0.123456789)], [0.5])
    assert stroke.points == ((0.0, 0.5), (1.0, 0.1235))
    assert stroke.pressure == ()


def test_a_verbal_agreement_needs_a_reason_and_no_drawing() -> None:
    verbal = verbally_agreed(SignerRole.CLIENT, "Ana", NOW, "Agreed by phone; will sign at next visit")
    assert verbal.verbal and not verbal.is_empty and verbal.strokes == ()
    assert Signature.from_json(verbal.to_json()) == verbal
    assert validate_signature(verbal) == {}
    assert set(validate_signature(verbally_agreed(SignerRole.CLIENT, "", NOW, ""))) == {"name", "reason"}
    mixed = Signature(SignerRole.CLIENT, "Ana", NOW, (SQUIGGLE,), verbal=True, reason="by phone")
    assert "strokes" in validate_signature(mixed)
    empty = drawn(SignerRole.OTHER, "Inés", NOW, [])
    assert empty.is_empty and "Sign on the pad" in validate_signature(empty)["strokes"]


def test_a_plan_needs_the_client_and_the_case_manager() -> None:
    problems = validate_signatures([drawn(SignerRole.CLIENT, "Ana", NOW, [])])
    assert set(problems) == {"client.strokes", "case_manager.strokes"}
    assert validate_signatures(signatures()) == {}
    verbal = [verbally_agreed(SignerRole.CLIENT, "Ana", NOW, "Hands too shaky to sign"), signatures()[1]]
    assert validate_signatures(verbal) == {}


# -- the service ---------------------------------------------------------------------------------


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person()).id


def _actions(session: Session) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in session.audit_repo().entries() if e.action.startswith("safety_plan.")]


def test_write_a_first_plan_sign_it_and_it_becomes_read_only(session: Session, client_id: str) -> None:
    plans = session.safety_plans
    assert plans.current(client_id) is None and plans.draft(client_id) is None
    draft = plans.start_draft(client_id)
    assert draft.status is PlanStatus.DRAFT and draft.version == 1 and draft.content == PlanContent()
    assert draft.review_on == TODAY + timedelta(days=30)
    assert plans.start_draft(client_id).id == draft.id  # one draft at a time
    plans.save_draft(client_id, PlanContent(warning_signs=("pacing",)), TODAY + timedelta(days=14))
    saved = plans.save_draft(client_id, full_content(), TODAY + timedelta(days=14))  # saved again and again
    assert saved.id == draft.id and saved.content == full_content().normalised()

    active = plans.activate(draft.id, signatures(), copy_given_on=TODAY)
    assert active.status is PlanStatus.ACTIVE and active.read_only
    assert active.activated_at == NOW and active.copy_given_on == TODAY
    assert [s.role for s in active.signatures] == [SignerRole.CLIENT, SignerRole.CASE_MANAGER]
    assert active.signature(SignerRole.CASE_MANAGER) is not None
    assert active.signature(SignerRole.CASE_MANAGER).aspect == 2.5  # type: ignore[union-attr]
    assert plans.current(client_id) == active and plans.draft(client_id) is None
    assert plans.versions(client_id) == [active]
    with pytest.raises(ValidationError, match="already signed"):
        plans.activate(active.id, signatures())
    actions = [a for a, _ in _actions(session)]
    assert actions == ["safety_plan.draft", "safety_plan.save_draft", "safety_plan.save_draft",
                       "safety_plan.activate", "safety_plan.copy_given"]


def test_audit_entries_carry_no_client_words(session: Session, client_id: str) -> None:
    plans = session.safety_plans
    draft = plans.save_draft(client_id, full_content(), TODAY + timedelta(days=7))
    plans.activate(draft.id, signatures())
    text = json.dumps(_actions(session))
    for secret in ("Maëlle", "Okafor", "Inés", "Ana", "Rivera", "medication", "555"):
        assert secret not in text
    assert ("safety_plan.activate", "version=1,client=drawn,case_manager=drawn") in _actions(session)


def test_a_new_version_starts_from_the_active_plan_and_supersedes_it_when_signed(
    session: Session, client_id: str, clock: FixedClock
) -> None:
    plans = session.safety_plans
    first = plans.activate(plans.save_draft(client_id, full_content(), TODAY + timedelta(days=30)).id, signatures())
    clock.advance(days=10)
    draft = plans.start_draft(client_id)
    assert draft.version == 2 and draft.content == first.content
    assert draft.review_on == TODAY + timedelta(days=40)
    changed = PlanContent(**{**_fields(first.content), "coping": ("Call my dog-walking group",)})
    plans.save_draft(client_id, changed, TODAY + timedelta(days=60))
    assert plans.current(client_id) == first  # the signed plan stays in force while the draft is written
    second = plans.activate(draft.id, [verbally_agreed(SignerRole.CLIENT, "Ana", clock.now(), "Signed by phone"),
                                       signatures(clock.now())[1]])
    old = plans.get(first.id)
    assert old.status is PlanStatus.SUPERSEDED and old.superseded_at == clock.now()
    assert old.content == first.content and old.signatures == first.signatures  # kept as signed
    assert plans.current(client_id) == second
    assert [p.version for p in plans.versions(client_id)] == [2, 1]
    assert ("safety_plan.supersede", "version=1,by=v2") in _actions(session)


def _fields(content: PlanContent) -> dict[str, object]:
    return {name: getattr(content, name) for name in content.__dataclass_fields__}


def test_signing_checks_the_plan_and_the_signatures_and_changes_nothing_on_failure(
    session: Session, client_id: str
) -> None:
    plans = session.safety_plans
    draft = plans.save_draft(client_id, PlanContent(coping=("music",)), TODAY - timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        plans.activate(draft.id, [drawn(SignerRole.CLIENT, "", NOW, [])], copy_given_on=TODAY + timedelta(days=1))
    assert set(caught.value.problems) == {"warning_signs", "people", "review_on", "client.name", "client.strokes",
                                          "case_manager.strokes", "copy_given_on"}
    assert str(caught.value).startswith("The plan can't be signed yet:")
    assert plans.get(draft.id).status is PlanStatus.DRAFT
    assert plans.activation_problems(full_content(), TODAY) == {}


def test_a_signed_version_cannot_be_changed_even_by_sql(session: Session, client_id: str) -> None:
    plans = session.safety_plans
    active = plans.activate(plans.save_draft(client_id, full_content(), TODAY).id, signatures())
    for statement in ("UPDATE safety_plans SET document = '{}' WHERE id = ?",
                      "UPDATE safety_plans SET status = 'draft' WHERE id = ?",
                      "UPDATE safety_plans SET signatures = '[]' WHERE id = ?"):
        with pytest.raises(DatabaseError, match="cannot be changed"), session.write() as conn:
            conn.execute(statement, (active.id,))
    assert plans.get(active.id) == active


def test_one_draft_and_one_active_plan_per_client_at_most(session: Session, client_id: str) -> None:
    plans = session.safety_plans
    draft = plans.start_draft(client_id)
    with pytest.raises(DatabaseError), session.write() as conn:
        conn.execute("""INSERT INTO safety_plans (id, client_id, version, status, schema_version, document,
                        created_at, updated_at) VALUES ('x', ?, 9, 'draft', 1, '{}', 'now', 'now')""", (client_id,))
    assert plans.draft(client_id) == draft


def test_record_the_copy_given_and_discard_a_draft(session: Session, client_id: str) -> None:
    plans = session.safety_plans
    draft = plans.save_draft(client_id, full_content(), TODAY)
    with pytest.raises(ValidationError, match="Sign the plan"):
        plans.record_copy_given(draft.id)
    active = plans.activate(draft.id, signatures())
    assert active.copy_given_on is None
    assert plans.record_copy_given(active.id).copy_given_on == TODAY
    with pytest.raises(ValidationError, match="future"):
        plans.record_copy_given(active.id, TODAY + timedelta(days=1))
    again = plans.start_draft(client_id)
    plans.discard_draft(client_id)
    assert plans.draft(client_id) is None and plans.current(client_id) == plans.get(active.id)
    assert plans.start_draft(client_id).version == again.version + 1  # numbers are never reused
    with pytest.raises(NotFound):
        plans.get(again.id)


def test_plans_due_for_review(session: Session, client_id: str, clock: FixedClock) -> None:
    plans = session.safety_plans
    other = session.clients.create(person(first_name="Bea")).id
    archived = session.clients.create(person(first_name="Cyd")).id
    plans.activate(plans.save_draft(client_id, full_content(), TODAY + timedelta(days=3)).id, signatures())
    plans.activate(plans.save_draft(other, full_content(), TODAY + timedelta(days=20)).id, signatures())
    plans.activate(plans.save_draft(archived, full_content(), TODAY + timedelta(days=1)).id, signatures())
    session.clients.archive(archived)
    plans.save_draft(other, full_content(), TODAY)  # a draft is never due
    assert plans.due_for_review() == []
    clock.advance(days=3)
    due = plans.due_for_review()
    assert [p.client_id for p in due] == [client_id] and due[0].due_for_review(clock.today())
    assert [p.client_id for p in plans.due_for_review(TODAY + timedelta(days=30))] == [client_id, other]
    # The Today page's light list (no content read) finds the same plans.
    assert plans.reviews_due(TODAY + timedelta(days=30)) == [
        (p.id, p.client_id, p.review_on) for p in plans.due_for_review(TODAY + timedelta(days=30))]
    assert len(plans.reviews_due(TODAY + timedelta(days=30))) == 2


def test_unknown_client_and_read_only_vault(session: Session, client_id: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotFound):
        session.safety_plans.start_draft("no-such-client")
    monkeypatch.setattr(session.vault, "_checks", IntegrityCheck.finished(["page 7 failed its check"]))
    assert session.read_only
    with pytest.raises(ReadOnlyVault):
        session.safety_plans.save_draft(client_id, full_content(), TODAY)


def test_demo_plans_are_stored_through_the_same_transitions_and_read_back(session: Session) -> None:
    import random
    import uuid

    from faker import Faker

    from app.services.demo_safety_plans import demo_safety_plan, store_demo_safety_plans

    rng = random.Random(7)
    fake = Faker("en_US")
    fake.seed_instance(7)
    kinds: set[tuple[PlanStatus, ...]] = set()
    for n in range(14):
        client_id = session.clients.create(person(first_name=f"Demo{n}")).id
        plans = demo_safety_plan(rng, fake, client_id, TODAY, lambda: str(uuid.UUID(int=rng.getrandbits(128))),
                                 client_name=f"Demo{n} Quintero", case_manager="J. Rivera")
        kinds.add(tuple(p.status for p in plans))
        with session.write() as conn:
            store_demo_safety_plans(conn, plans)
        stored = session.safety_plans.versions(client_id, include_draft=True)
        assert [p.version for p in stored] == [p.version for p in reversed(plans)]
        active = session.safety_plans.current(client_id)
        assert active is not None and active.activated_at is not None
        assert validate_signatures(active.signatures) == {}
        assert validate_for_activation(active.content, active.review_on, active.activated_at.date()) == {}
        for plan in stored:
            if plan.status is PlanStatus.SUPERSEDED:
                assert plan.superseded_at is not None and plan.superseded_at == active.activated_at
        drawn_points = [p for s in active.signatures for st in s.strokes for p in st.points]
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in drawn_points)
    assert (PlanStatus.SUPERSEDED, PlanStatus.ACTIVE) in kinds and (PlanStatus.ACTIVE,) in kinds
    assert session.safety_plans.due_for_review(TODAY + timedelta(days=60))  # some plans come due

