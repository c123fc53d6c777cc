"""Follow-ups on a real encrypted vault: one-off and recurring plans, "this one" and "this and
following" edits, cancelled / completed / missed occurrences, daylight-saving changes and zones,
overdue and outreach lists, proposals from each source (accept, move, dismiss, tier change),
home-visit check-ins and the mileage log — and no place or purpose in the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.models.follow_ups import FollowUpFields, FollowUpType, ProposalSource, Status
from app.models.notes import ContactType
from app.models.recurrence import Frequency, Recurrence
from app.models.risk import Tier
from app.services.clock import FixedClock
from app.services.errors import ValidationError
from app.services.follow_ups import register_proposal_source
from app.services.session import Session
from tests.conftest import person
from tests.test_care_plans import phq9, signed_plan

TODAY = date(2026, 11, 26)
NY = "America/New_York"
SECRET_PLACE = "Flat 4, 12 Canary Street"


def fields(start: datetime, minutes: int = 60, kind: FollowUpType = FollowUpType.HOME_VISIT,
           rec: Recurrence | None = None, tz: str = NY, **extra: object) -> FollowUpFields:
    return FollowUpFields(kind, start, start + timedelta(minutes=minutes), tz, recurrence=rec,
                          location=SECRET_PLACE, purpose="Check on the rent arrears", **extra)  # type: ignore[arg-type]


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person()).id


def at_tier(session: Session, client_id: str, tier: Tier) -> None:
    session.risk.record(client_id, session.risk.compute(client_id), override=tier,
                        reason="Family reports threats from a partner")


def test_every_eight_weeks_expands_into_windows(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 6, 2, 10), rec=Recurrence(Frequency.WEEKLY, interval=8)))
    assert fu.recurring and fu.last_on is None
    got = session.follow_ups.occurrences(date(2026, 11, 1), date(2027, 2, 28))
    assert [o.on for o in got] == [date(2026, 11, 17), date(2027, 1, 12)]
    assert all(o.start.time() == time(10) and o.client_code and o.status is Status.SCHEDULED for o in got)
    assert session.follow_ups.occurrences(date(2026, 11, 18), date(2027, 1, 11)) == []


def test_a_weekly_visit_stays_at_ten_local_across_the_daylight_saving_change(session: Session, client_id: str) -> None:
    # New York leaves daylight-saving time on 1 November 2026; Berlin on 25 October.
    session.follow_ups.schedule(client_id, fields(datetime(2026, 10, 20, 10), rec=Recurrence(Frequency.WEEKLY, count=4)))
    session.follow_ups.schedule(client_id, fields(datetime(2026, 10, 28, 16), tz="Europe/Berlin", kind=FollowUpType.PHONE))
    got = session.follow_ups.occurrences(date(2026, 10, 1), date(2026, 11, 30))
    ny = [o for o in got if o.tz == NY]
    assert [o.start.time() for o in ny] == [time(10)] * 4
    assert [o.starts_at.astimezone(UTC).hour for o in ny] == [14, 14, 15, 15]
    assert [o.on for o in ny] == [date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3), date(2026, 11, 10)]
    berlin = next(o for o in got if o.tz == "Europe/Berlin")
    assert berlin.starts_at.astimezone(UTC).hour == 15  # 16:00 CET
    assert got == sorted(got, key=lambda o: o.starts_at)


def test_this_one_moves_a_single_occurrence_and_it_follows_the_window(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY)))
    moved = session.follow_ups.edit_occurrence(fu.id, datetime(2026, 11, 16, 10), start=datetime(2026, 11, 24, 15))
    assert moved.moved and moved.end == datetime(2026, 11, 24, 16)
    week = session.follow_ups.occurrences(date(2026, 11, 16), date(2026, 11, 22))
    assert week == []  # moved out of its own week
    later = session.follow_ups.occurrences(date(2026, 11, 23), date(2026, 11, 29))
    assert [(o.start, o.original_start) for o in later] == [
        (datetime(2026, 11, 23, 10), datetime(2026, 11, 23, 10)), (datetime(2026, 11, 24, 15), datetime(2026, 11, 16, 10))]
    # Only the moved-in occurrence is in a window that holds none of the series' own.
    assert [o.original_start for o in session.follow_ups.occurrences(date(2026, 11, 24), date(2026, 11, 24))] == [
        datetime(2026, 11, 16, 10)]
    with pytest.raises(ValidationError) as caught:
        session.follow_ups.edit_occurrence(fu.id, datetime(2026, 11, 17, 10), start=datetime(2026, 11, 18, 10))
    assert "no occurrence" in str(caught.value)


def test_cancel_complete_and_miss_single_occurrences(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY)))
    session.follow_ups.cancel_occurrence(fu.id, datetime(2026, 11, 30, 10), "Client away")
    note = session.follow_ups.complete(fu.id, datetime(2026, 11, 9, 10))
    assert (note.kind, note.contact_on, note.start_time, note.duration_min, note.location) == (
        ContactType.HOME_VISIT, date(2026, 11, 9), time(10), 60, SECRET_PLACE)
    session.follow_ups.set_status(fu.id, datetime(2026, 11, 16, 10), Status.MISSED)
    with pytest.raises(ValidationError):
        session.follow_ups.set_status(fu.id, datetime(2026, 12, 7, 10), Status.COMPLETED)
    got = {o.on: o for o in session.follow_ups.occurrences(date(2026, 11, 1), date(2026, 12, 7))}
    assert [got[d].status for d in sorted(got)] == [Status.SCHEDULED, Status.COMPLETED, Status.MISSED, Status.SCHEDULED,
                                                   Status.CANCELLED, Status.SCHEDULED]
    assert got[date(2026, 11, 2)].overdue(TODAY) and got[date(2026, 11, 23)].overdue(TODAY)
    assert not got[date(2026, 11, 9)].overdue(TODAY) and not got[date(2026, 12, 7)].overdue(TODAY)
    hidden = session.follow_ups.occurrences(date(2026, 11, 1), date(2026, 12, 7), include_cancelled=False)
    assert date(2026, 11, 30) not in {o.on for o in hidden}


def test_this_and_following_splits_the_series_and_keeps_the_past(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY, count=6)))
    session.follow_ups.set_status(fu.id, datetime(2026, 11, 9, 10), Status.COMPLETED)
    session.follow_ups.cancel_occurrence(fu.id, datetime(2026, 12, 7, 10))
    base = session.follow_ups.following_fields(fu.id, datetime(2026, 11, 23, 10))
    assert base.recurrence is not None and base.recurrence.count == 3
    later = base.__class__(FollowUpType.PHONE, base.start, base.start + timedelta(minutes=30), NY,
                           recurrence=base.recurrence)
    new = session.follow_ups.edit_following(fu.id, datetime(2026, 11, 23, 10), later)
    old = session.follow_ups.get(fu.id)
    assert old.last_on == date(2026, 11, 16) and new.split_from == fu.id
    got = session.follow_ups.occurrences(date(2026, 11, 1), date(2026, 12, 31))
    assert [(o.on, o.kind, o.status) for o in got] == [
        (date(2026, 11, 2), FollowUpType.HOME_VISIT, Status.SCHEDULED),
        (date(2026, 11, 9), FollowUpType.HOME_VISIT, Status.COMPLETED),
        (date(2026, 11, 16), FollowUpType.HOME_VISIT, Status.SCHEDULED),
        (date(2026, 11, 23), FollowUpType.PHONE, Status.SCHEDULED),
        (date(2026, 11, 30), FollowUpType.PHONE, Status.SCHEDULED),
        (date(2026, 12, 7), FollowUpType.PHONE, Status.CANCELLED),  # the cancellation went with it
    ]


def test_a_rule_that_cannot_be_saved_says_why_and_nothing_is_saved(session: Session, client_id: str) -> None:
    bad = fields(datetime(2026, 12, 1, 10), rec=Recurrence(Frequency.WEEKLY, until=date(2026, 11, 1)))
    with pytest.raises(ValidationError) as caught:
        session.follow_ups.schedule(client_id, bad)
    assert "before the first visit" in str(caught.value)
    assert "recurrence.until" in caught.value.problems
    with pytest.raises(ValidationError) as caught:
        session.follow_ups.schedule(client_id, fields(datetime(2026, 12, 1, 10), minutes=0))
    assert "end" in caught.value.problems
    with pytest.raises(ValidationError) as caught:
        session.follow_ups.schedule(client_id, fields(datetime(2026, 12, 1, 10), tz="Mars/Olympus"))
    assert "tz" in caught.value.problems
    assert session.follow_ups.for_client(client_id) == []


def test_whole_series_edit_keeps_states_of_occurrences_that_remain(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY)))
    session.follow_ups.set_status(fu.id, datetime(2026, 11, 9, 10), Status.COMPLETED)
    session.follow_ups.update(fu.id, fields(datetime(2026, 11, 2, 10), minutes=90, rec=Recurrence(Frequency.WEEKLY)))
    got = session.follow_ups.occurrences(date(2026, 11, 9), date(2026, 11, 9))
    assert got[0].status is Status.COMPLETED and got[0].duration_min == 90
    session.follow_ups.remove(fu.id)
    assert session.follow_ups.occurrences(date(2026, 11, 1), date(2026, 12, 31)) == []


def test_outreach_lists_missed_contacts_at_high_or_crisis_until_a_later_contact(session: Session, client_id: str) -> None:
    low = session.clients.create(person(first_name="Bea")).id
    at_tier(session, client_id, Tier.HIGH)
    at_tier(session, low, Tier.LOW)
    for who in (client_id, low):
        fu = session.follow_ups.schedule(who, fields(datetime(2026, 11, 20, 10), kind=FollowUpType.PHONE))
        session.follow_ups.set_status(fu.id, datetime(2026, 11, 20, 10), Status.MISSED)
    overdue = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 24, 9)))
    listed = session.follow_ups.outreach(TODAY)
    assert {(o.client_id, o.on) for o in listed} == {(client_id, date(2026, 11, 20)), (client_id, date(2026, 11, 24))}
    assert [o.follow_up_id for o in session.follow_ups.overdue(TODAY)] == [overdue.id]
    session.follow_ups.set_status(overdue.id, datetime(2026, 11, 24, 9), Status.COMPLETED)
    assert session.follow_ups.outreach(TODAY) == []


def test_cadence_proposal_accept_dismiss_and_tier_change(session: Session, client_id: str) -> None:
    assert session.follow_ups.proposals(client_id, TODAY) == []  # no tier yet: no cadence
    at_tier(session, client_id, Tier.HIGH)
    first = [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.CADENCE]
    assert len(first) == 1 and first[0].due_on == TODAY and first[0].kind is FollowUpType.HOME_VISIT
    session.follow_ups.dismiss_proposal(first[0])
    assert not [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.CADENCE]
    at_tier(session, client_id, Tier.MODERATE)  # a new cadence: a new proposal
    second = [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.CADENCE]
    assert len(second) == 1 and second[0].key != first[0].key and second[0].kind is FollowUpType.PHONE
    # Moving = accepting with another time.
    moved = session.follow_ups.proposal_fields(second[0], at=time(14, 30), tz=NY)
    fu = session.follow_ups.accept_proposal(second[0], moved)
    assert fu.proposal_key == second[0].key and fu.fields.start == datetime(2026, 11, 26, 14, 30)
    assert not [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.CADENCE]
    # Once that contact is completed, the next one is due 14 days later.
    session.follow_ups.set_status(fu.id, fu.fields.start, Status.COMPLETED)
    nxt = [p for p in session.follow_ups.proposals(client_id, TODAY) if p.source is ProposalSource.CADENCE]
    assert [p.due_on for p in nxt] == [TODAY + timedelta(days=14)]


def test_proposals_from_plan_review_objectives_and_rescreening(session: Session, client_id: str) -> None:
    phq9(session, client_id, 16, date(2026, 11, 20))
    at_tier(session, client_id, Tier.HIGH)
    plan = signed_plan(session, client_id)
    found = {p.source: p for p in session.follow_ups.proposals(client_id, TODAY, horizon_days=120)}
    assert found[ProposalSource.RESCREEN].due_on == date(2026, 12, 4)
    assert found[ProposalSource.PLAN_REVIEW].due_on == plan.review_on
    assert found[ProposalSource.PLAN_REVIEW].link_id == plan.id
    assert found[ProposalSource.OBJECTIVE].due_on == date(2027, 3, 1)
    fu = session.follow_ups.accept_proposal(found[ProposalSource.PLAN_REVIEW])
    assert (fu.fields.link_type, fu.fields.kind) == ("care_plan", FollowUpType.PLAN_REVIEW)
    session.follow_ups.accept_proposal(found[ProposalSource.RESCREEN])
    left = {p.source for p in session.follow_ups.proposals(client_id, TODAY, horizon_days=120)}
    assert ProposalSource.PLAN_REVIEW not in left and ProposalSource.RESCREEN not in left
    assert ProposalSource.OBJECTIVE in left


def test_a_registered_source_adds_proposals(session: Session, client_id: str) -> None:
    from app.models.follow_ups import Proposal

    def transition(s: Session, cid: str, today: date) -> list[Proposal]:
        return [Proposal(cid, ProposalSource.TRANSITION, FollowUpType.POST_TRANSITION, today + timedelta(days=3),
                         "Check-in 3 days after discharge", source_id="t1-3")]

    register_proposal_source(transition)
    try:
        assert [p.source for p in session.follow_ups.proposals(client_id, TODAY)] == [ProposalSource.TRANSITION]
    finally:
        from app.services import follow_ups

        follow_ups._EXTRA_SOURCES.remove(transition)


def test_home_visit_check_in_becomes_overdue_and_check_out_clears_it(session: Session, client_id: str,
                                                                     clock: FixedClock) -> None:
    visit = session.follow_ups.check_in(client_id, 45)
    assert session.follow_ups.checked_in_overdue() == []
    clock.advance(minutes=50)
    overdue = session.follow_ups.checked_in_overdue()
    assert [v.id for v in overdue] == [visit.id] and overdue[0].minutes_over(clock.now()) == 5
    session.follow_ups.check_out(visit.id)
    assert session.follow_ups.checked_in_overdue() == [] and session.follow_ups.open_visits() == []
    with pytest.raises(ValidationError):
        session.follow_ups.check_in(client_id, 0)


def test_mileage_totals_per_period(session: Session) -> None:
    log = session.follow_ups.log_mileage
    log(date(2026, 11, 3), "Office", "Client home", 12.4, "Home visit", "C-0001")
    log(date(2026, 11, 20), "Client home", "Office", 12.4, "Home visit", "C-0001")
    log(date(2026, 10, 30), "Office", "Clinic", 5.0)
    total = session.follow_ups.mileage_total(date(2026, 11, 1), date(2026, 11, 30))
    assert (total.trips, total.distance) == (2, 24.8)
    with pytest.raises(ValidationError) as caught:
        log(date(2026, 12, 1), "", "Office", 0)
    assert set(caught.value.problems) == {"on", "from_place", "distance"}


@pytest.mark.parametrize(("chosen", "locale_id", "expected"), [
    ("", "en_US", "mi"), ("", "en_GB", "mi"), ("", "es_US", "mi"), ("", "es_MX", "km"), ("", "fr_CA", "km"),
    ("", "en", "km"), ("km", "en_US", "km"), ("mi", "de_DE", "mi"), ("furlongs", "en_US", "mi"),
])
def test_the_distance_unit_is_the_one_chosen_or_the_region_s(chosen: str, locale_id: str, expected: str) -> None:
    from app.models.units import distance_unit

    assert distance_unit(chosen, locale_id) == expected


def test_a_hand_edited_unit_falls_back_to_the_region_s(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from app.services.settings import Settings, SettingsStore

    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings(distance_unit="km"))
    assert store.load().distance_unit == "km"
    (tmp_path / "settings.json").write_text(json.dumps({"distance_unit": "leagues"}), "utf-8")
    assert store.load().distance_unit == ""


def test_the_audit_trail_names_no_place_or_purpose(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY)))
    session.follow_ups.edit_occurrence(fu.id, datetime(2026, 11, 9, 10), location="Another secret place")
    session.follow_ups.complete(fu.id, datetime(2026, 11, 16, 10))
    rows = session.connection.execute("SELECT action, detail FROM audit WHERE action LIKE 'follow_up.%'").fetchall()
    assert len(rows) == 3
    text = repr(rows)
    assert "Canary" not in text and "secret" not in text and "rent" not in text


def test_conflicts_find_overlapping_scheduled_visits_only(session: Session, client_id: str) -> None:
    svc = session.follow_ups
    other = session.clients.create(person()).id
    nine = datetime(2026, 12, 7, 9, 0)
    svc.schedule(client_id, fields(nine, 60, tz=svc.default_zone()))
    later = svc.schedule(other, fields(datetime(2026, 12, 7, 11, 0), 30, tz=svc.default_zone()))
    tz = svc.default_zone()
    assert [o.client_id for o in svc.conflicts(datetime(2026, 12, 7, 9, 30), datetime(2026, 12, 7, 10, 30), tz)] \
        == [client_id]
    assert svc.conflicts(datetime(2026, 12, 7, 10, 0), datetime(2026, 12, 7, 11, 0), tz) == []  # back to back
    assert svc.conflicts(nine, nine + timedelta(hours=1), tz, all_day=True) == []
    svc.cancel_occurrence(later.id, datetime(2026, 12, 7, 11, 0))
    assert svc.conflicts(datetime(2026, 12, 7, 11, 0), datetime(2026, 12, 7, 11, 30), tz) == []
    assert svc.conflicts(nine, nine + timedelta(minutes=30), tz, exclude=(svc.for_client(client_id)[0].id, nine)) == []


# -- reading fast: caches that never show stale data, outcomes filtered in the database -----------


def test_an_edit_after_a_read_shows_in_the_next_read(session: Session, client_id: str) -> None:
    fu = session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 2, 10), rec=Recurrence(Frequency.WEEKLY)))
    window = (date(2026, 11, 1), date(2026, 11, 30))
    first = session.follow_ups.occurrences(*window)
    assert [o.start.time() for o in first] == [time(10)] * 5
    assert session.follow_ups.occurrences(*window) == first  # read again: the same
    session.follow_ups.update(fu.id, fields(datetime(2026, 11, 2, 14), rec=Recurrence(Frequency.WEEKLY)))
    assert [o.start.time() for o in session.follow_ups.occurrences(*window)] == [time(14)] * 5
    session.follow_ups.set_status(fu.id, datetime(2026, 11, 9, 14), Status.COMPLETED)
    session.follow_ups.edit_occurrence(fu.id, datetime(2026, 11, 16, 14), start=datetime(2026, 12, 1, 9))
    got = session.follow_ups.occurrences(*window)
    assert [(o.on, o.status) for o in got] == [(date(2026, 11, 2), Status.SCHEDULED), (date(2026, 11, 9), Status.COMPLETED),
                                               (date(2026, 11, 23), Status.SCHEDULED),
                                               (date(2026, 11, 30), Status.SCHEDULED)]
    assert [o.overdue(TODAY) for o in session.follow_ups.overdue(TODAY)] == [True, True]
    session.follow_ups.end_series(fu.id, date(2026, 11, 20))
    assert [o.on for o in session.follow_ups.occurrences(*window)] == [date(2026, 11, 2), date(2026, 11, 9)]
    session.follow_ups.remove(fu.id)
    assert session.follow_ups.occurrences(*window) == [] and session.follow_ups.overdue(TODAY) == []


def test_a_changed_tier_or_an_archived_client_shows_after_a_read(session: Session, client_id: str) -> None:
    session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 24, 10)))
    window = (date(2026, 11, 23), date(2026, 11, 29))
    assert [o.tier for o in session.follow_ups.occurrences(*window)] == [None]
    assert len(session.follow_ups.scheduled(*window)) == 1
    at_tier(session, client_id, Tier.HIGH)  # written by another service
    assert [o.tier for o in session.follow_ups.occurrences(*window)] == [Tier.HIGH.value]
    assert [o.tier for o in session.follow_ups.scheduled(*window)] == [Tier.HIGH.value]
    session.clients.archive(client_id)
    assert session.follow_ups.occurrences(*window) == [] and session.follow_ups.scheduled(*window) == []


def test_rows_written_around_the_service_show_after_a_read(session: Session, client_id: str) -> None:
    """The demo generator writes follow-ups with the repository directly, and another connection
    (another Waypoint process) could too: neither is hidden by what was read before."""
    from app.models.follow_ups import FollowUp
    from app.store import db
    from app.store.follow_ups_repo import FollowUpRepository

    window = (date(2026, 11, 23), date(2026, 11, 29))
    assert session.follow_ups.occurrences(*window) == []
    one = FollowUp("a0000000-0000-4000-8000-000000000001", client_id, fields(datetime(2026, 11, 25, 9)),
                   date(2026, 11, 25))
    with session.write() as conn:
        FollowUpRepository(conn).insert_many([one], "2026-11-26T15:00:00.000000+00:00")
    assert [o.follow_up_id for o in session.follow_ups.occurrences(*window)] == [one.id]
    other = db.connect(session.vault.folder / db.DB_NAME, session.vault.dek)
    try:
        other.execute("UPDATE follow_ups SET starts = '2026-11-25T16:00', ends = '2026-11-25T17:00' WHERE id = ?",
                      (one.id,))
    finally:
        other.close()
    assert [o.start.time() for o in session.follow_ups.occurrences(*window)] == [time(16)]


def test_a_window_read_twice_gives_separate_lists(session: Session, client_id: str) -> None:
    session.follow_ups.schedule(client_id, fields(datetime(2026, 11, 24, 10)))
    window = (date(2026, 11, 23), date(2026, 11, 29))
    session.follow_ups.occurrences(*window).clear()
    session.follow_ups.scheduled(*window).clear()
    assert len(session.follow_ups.occurrences(*window)) == 1 and len(session.follow_ups.scheduled(*window)) == 1


def test_scheduled_is_occurrences_without_an_outcome(session: Session, client_id: str) -> None:
    """`scheduled` filters outcomes in the database: it must give exactly what filtering
    `occurrences` gives — one-offs and series, moved in, moved out, every status, per type."""
    other = session.clients.create(person(first_name="Bea")).id
    weekly = session.follow_ups.schedule(client_id, fields(datetime(2026, 9, 1, 10), rec=Recurrence(Frequency.WEEKLY)))
    monthly = session.follow_ups.schedule(other, fields(datetime(2026, 9, 8, 15), kind=FollowUpType.RESCREENING,
                                                        rec=Recurrence(Frequency.MONTHLY_BY_WEEKDAY)))
    for week, status in ((1, Status.COMPLETED), (2, Status.MISSED), (3, Status.CANCELLED), (5, Status.COMPLETED)):
        session.follow_ups.set_status(weekly.id, datetime(2026, 9, 1, 10) + timedelta(weeks=week), status)
    session.follow_ups.edit_occurrence(weekly.id, datetime(2026, 10, 13, 10), start=datetime(2026, 12, 2, 9))  # out
    session.follow_ups.edit_occurrence(weekly.id, datetime(2026, 12, 29, 10), start=datetime(2026, 11, 3, 8))  # in
    session.follow_ups.set_status(monthly.id, datetime(2026, 10, 13, 15), Status.COMPLETED)
    for day, status in ((5, None), (12, Status.COMPLETED), (19, Status.MISSED), (26, None)):
        one = session.follow_ups.schedule(other, fields(datetime(2026, 10, day, 11), kind=FollowUpType.PHONE))
        if status is not None:
            session.follow_ups.set_status(one.id, datetime(2026, 10, day, 11), status)
    moved = session.follow_ups.schedule(client_id, fields(datetime(2026, 8, 3, 9)))
    session.follow_ups.edit_occurrence(moved.id, datetime(2026, 8, 3, 9), start=datetime(2026, 10, 20, 9))  # in
    for start, end in ((date(2026, 9, 1), date(2026, 11, 25)), (date(2026, 10, 1), date(2026, 10, 31)),
                       (date(2026, 11, 1), date(2027, 1, 31)), (date(2026, 10, 20), date(2026, 10, 20))):
        want = [o for o in session.follow_ups.occurrences(start, end) if o.status is Status.SCHEDULED]
        assert session.follow_ups.scheduled(start, end) == want
        assert session.follow_ups.scheduled(start, end, client_id) == [o for o in want if o.client_id == client_id]
        assert session.follow_ups.scheduled(start, end, kinds=[FollowUpType.RESCREENING]) == [
            o for o in want if o.kind is FollowUpType.RESCREENING]
    late = session.follow_ups.overdue(TODAY)
    assert late == [o for o in session.follow_ups.occurrences(TODAY - timedelta(days=90), TODAY - timedelta(days=1))
                    if o.overdue(TODAY)]
    assert date(2026, 11, 3) in {o.on for o in late} and date(2026, 10, 13) not in {o.on for o in late}


def test_expansion_shortcuts_give_the_dates_dateutil_gives() -> None:
    """Rules are expanded by arithmetic where they can be (every n days or weeks, monthly), for
    speed, and a series' expander is reused across windows: the same dates as dateutil's rrule
    for random starts, frequencies, intervals, weekdays, counts, end dates, nth weekdays and
    windows."""
    import random

    from app.models.recurrence import _rule, expander, occurrence_starts

    rng = random.Random(7)
    for _n in range(4000):
        start = datetime(2024, 1, 1, rng.randint(0, 23), rng.choice((0, 30))) + timedelta(days=rng.randint(0, 900))
        frequency = rng.choice(list(Frequency))
        end = rng.choice((None, "count", "until"))
        days = tuple(sorted({start.weekday(), *rng.sample(range(7), rng.randint(0, 2))}))
        rec = Recurrence(frequency, rng.randint(1, 13), days if frequency is Frequency.WEEKLY and rng.random() < 0.3
                         else (), date(2024, 1, 1) + timedelta(days=rng.randint(0, 1500)) if end == "until" else None,
                         rng.randint(1, 40) if end == "count" else None,
                         rng.choice((None, 1, 2, 3, 4, -1)) if frequency is Frequency.MONTHLY_BY_WEEKDAY else None)
        low = datetime(2024, 1, 1) + timedelta(days=rng.randint(-100, 1600), hours=rng.randint(0, 23))
        high = low + timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23))
        want = [] if high < start else list(_rule(rec, start).between(max(low, start), high, inc=True))
        assert occurrence_starts(rec, start, low, high) == want, (rec, start, low, high)
        assert expander(rec, start)(low, high) == want, (rec, start, low, high)


def test_rescreenings_due_across_the_caseload_match_the_proposals(session: Session, client_id: str) -> None:
    due_ids = []
    for first, days_ago, tier in (("Ana", 40, Tier.MODERATE), ("Bea", 10, Tier.HIGH), ("Cai", 20, Tier.MODERATE),
                                  ("Dov", 100, Tier.CRISIS)):
        who = client_id if first == "Ana" else session.clients.create(person(first_name=first)).id
        phq9(session, who, 6, TODAY - timedelta(days=days_ago))
        at_tier(session, who, tier)
        due_ids.append(who)
    ana, bea, cai, dov = due_ids
    never = session.clients.create(person(first_name="Eve")).id  # a tier, never screened: nothing to re-screen
    at_tier(session, never, Tier.MODERATE)
    due = session.follow_ups.rescreenings_due(TODAY)
    # Ana: 40 days ago, every 30 days → 10 days overdue. Bea: 10 days ago, every 14 → in 4 days.
    # Cai: due in 10 days, beyond the week. Dov: Crisis re-screens with each contact, not by interval.
    assert [(p.client_id, p.due_on) for p in due] == [(ana, TODAY - timedelta(days=10)), (bea, TODAY + timedelta(days=4))]
    for proposal in due:
        assert proposal.key in {p.key for p in session.follow_ups.proposals(proposal.client_id, TODAY)}
    assert [p.client_id for p in session.follow_ups.rescreenings_due(TODAY, within_days=14)] == [ana, bea, cai]
    session.follow_ups.accept_proposal(due[0])  # planned: off the list
    session.follow_ups.dismiss_proposal(due[1])
    assert session.follow_ups.rescreenings_due(TODAY) == []
    session.clients.archive(cai)
    assert [p.client_id for p in session.follow_ups.rescreenings_due(TODAY, within_days=14)] == []
    assert dov and never


def test_windows_kept_after_a_write_match_a_fresh_read(session: Session, client_id: str) -> None:
    """After this service writes, the windows it has read are brought up to date by re-expanding
    just the series written: each must equal what a service with no cache reads."""
    from app.services.follow_ups import FollowUpService

    other = session.clients.create(person(first_name="Bea")).id
    svc = session.follow_ups
    weekly = svc.schedule(client_id, fields(datetime(2026, 10, 6, 10), rec=Recurrence(Frequency.WEEKLY)))
    monthly = svc.schedule(other, fields(datetime(2026, 10, 13, 15), kind=FollowUpType.RESCREENING,
                                         rec=Recurrence(Frequency.MONTHLY_BY_WEEKDAY)))
    one = svc.schedule(other, fields(datetime(2026, 11, 20, 11), kind=FollowUpType.PHONE))

    def reads(service: FollowUpService) -> list[object]:
        return [service.occurrences(date(2026, 11, 1), date(2026, 11, 30)),
                service.occurrences(date(2026, 11, 23), date(2026, 11, 29), client_id),
                service.occurrences(date(2026, 10, 1), date(2026, 12, 31), client_ids=[other]),
                service.scheduled(date(2026, 8, 28), date(2026, 12, 3)),
                service.scheduled(date(2026, 11, 26), date(2027, 2, 24), kinds=[FollowUpType.RESCREENING]),
                service.overdue(TODAY), service.outreach(TODAY)]

    writes = [
        lambda: svc.set_status(weekly.id, datetime(2026, 11, 10, 10), Status.COMPLETED),
        lambda: svc.set_status(one.id, datetime(2026, 11, 20, 11), Status.MISSED),
        lambda: svc.edit_occurrence(weekly.id, datetime(2026, 11, 17, 10), start=datetime(2026, 12, 2, 9)),
        lambda: svc.edit_occurrence(weekly.id, datetime(2026, 12, 29, 10), start=datetime(2026, 11, 24, 8)),
        lambda: svc.cancel_occurrence(monthly.id, datetime(2026, 11, 10, 15)),
        lambda: svc.schedule(client_id, fields(datetime(2026, 11, 25, 9), kind=FollowUpType.OFFICE)),
        lambda: svc.update(monthly.id, fields(datetime(2026, 10, 13, 16), kind=FollowUpType.RESCREENING,
                                              rec=Recurrence(Frequency.MONTHLY_BY_WEEKDAY))),
        lambda: svc.edit_following(weekly.id, datetime(2026, 11, 24, 10),
                                   fields(datetime(2026, 11, 24, 13), kind=FollowUpType.PHONE,
                                          rec=Recurrence(Frequency.WEEKLY, interval=2))),
        lambda: at_tier(session, client_id, Tier.HIGH),  # another service: a client's tier
        lambda: svc.end_series(monthly.id, date(2026, 11, 30)),
        lambda: svc.remove(one.id),
    ]
    reads(svc)
    for write in writes:
        write()
        assert reads(svc) == reads(FollowUpService(session))
