"""The reliability suite's shared parts: a demo vault holding every kind of record, and one
"saver" per kind of record that writes through the services the way the app does.

A saver is `save(session, ctx, n, text) -> token`: it saves one record of its kind (`n` makes each
call different, `text` goes into the record's free-text and name fields — the canary sweep passes
canaries, the kill loops plain words) and returns a token; `present(session, token)` says whether
that record is in the vault now. The kill -9 child (tests/reliability/test_kill_saves.py), the
canary sweep and bench/reliability.py all use the same savers, so "every kind of record" means the
same thing everywhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

import pytest

from app.models.care_plan import Agreement
from app.models.client import Stage
from app.models.consent import InfoType
from app.models.contacts import ContactFields, ContactKind, MemberFields
from app.models.follow_ups import FollowUpFields, FollowUpType
from app.models.notes import ContactType, NoteFields, NoteFormat, NoteSection
from app.services.context import AppServices
from app.services.session import Session
from tests.conftest import PASSPHRASE, person

DEMO_CLIENTS = 12
DEMO_SEED = 7
DEMO_NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # the clock of tests/conftest.py
# A 1×1 PNG: attachments must be a document type the app accepts.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000002030101c95d2ec30000000049454e44ae426082"
)


@dataclass
class Ctx:
    """What the savers work on: a client of the demo vault and a professional contact."""

    client_id: str
    contact_id: str
    today: date


def context(session: Session) -> Ctx:
    """A client still open (not closed, not archived) and a contact, picked the same way every time."""
    open_ids = sorted(r.id for r in session.clients.roster() if r.stage is not Stage.CLOSED)
    contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Imani Okafor", role="Psychiatrist",
                                                    organisation="Riverside Community Health"))
    return Ctx(open_ids[0], contact.id, session.clock.today())


def _new_client(session: Session, n: int, text: str, stage: Stage = Stage.REFERRED) -> str:
    return session.clients.create(person(first_name=text, last_name=f"Reliable{n % 97}",
                                         address_line1=f"{n} {text} Street"), stage).id


# -- savers: one per kind of record ----------------------------------------------------------


def save_client(s: Session, c: Ctx, n: int, text: str) -> str:
    return _new_client(s, n, text)


def save_client_edit(s: Session, c: Ctx, n: int, text: str) -> str:
    current = s.clients.get(c.client_id)
    s.clients.update(c.client_id, replace(current.fields, address_line2=f"{text} flat {n}"))
    return f"{c.client_id}/{n}"


def _edit_kept(s: Session, token: str) -> bool:
    """An edit is kept when the client shows it or a later one (edits overwrite each other)."""
    client_id, n = _second(token)
    shown = s.clients.get(client_id).fields.address_line2.rsplit(" ", 1)[-1]
    return shown.isdigit() and int(shown) >= int(n)


def save_screening(s: Session, c: Ctx, n: int, text: str) -> str:
    answers: dict[str, int | None] = {str(i): (n + i) % 3 for i in range(1, 10)}
    answers["9"] = 0
    return f"{c.client_id}/{s.screening.record(c.client_id, 'phq9', answers).id}"


def save_assessment(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_assessments import document

    draft = s.assessments.start(c.client_id)
    doc = document(on=c.today, need=n % 4)
    doc = replace(doc, about=replace(doc.about, what_matters=f"{text}: seeing my grandson"))
    return s.assessments.complete(draft.id, doc).id


def save_tier(s: Session, c: Ctx, n: int, text: str) -> str:
    return f"{c.client_id}/{s.risk.record(c.client_id, s.risk.compute(c.client_id), reassessment=True).id}"


def save_safety_plan(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_safety_plans import full_content, signatures

    draft = s.safety_plans.start_draft(c.client_id)
    content = replace(full_content(), worth_living_for=f"{text} and our Sunday walks ({n})")
    s.safety_plans.save_draft(c.client_id, content, c.today + timedelta(days=60))
    return s.safety_plans.activate(draft.id, signatures(s.clock.now())).id


def save_care_plan(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_care_plans import document, signatures

    draft = s.care_plans.start_draft(c.client_id)
    doc = document()
    doc = replace(doc, discharge_criteria=f"{text}: when the rent is paid up ({n})")
    s.care_plans.save_draft(draft.id, doc)
    return s.care_plans.activate(draft.id, Agreement.SIGNED, signatures()).id


def save_note(s: Session, c: Ctx, n: int, text: str) -> str:
    fields = NoteFields(ContactType.HOME_VISIT, c.today, wall_time(10, n % 60), 40, f"{text} café", ("Client",), (),
                        NoteFormat.FREE, {NoteSection.NOTE: f"{text} said the week went better ({n})."})
    note = s.notes.save_draft(c.client_id, fields)
    s.notes.sign(note.id)
    return note.id


def save_note_error(s: Session, c: Ctx, n: int, text: str) -> str:
    """Mark a signed note entered in error: one of the client's that still counts (one write), or
    a new one signed first when none is left."""
    note_id = next((note.id for note in reversed(s.notes.notes(c.client_id)) if note.counts), None)
    if note_id is None:
        note_id = save_note(s, c, n, text)
    s.notes.mark_entered_in_error(note_id, f"Written in {text}'s record by mistake ({n})")
    return note_id


def save_attachment(s: Session, c: Ctx, n: int, text: str) -> str:
    added = s.attachments.add_bytes(c.client_id, PNG_1PX + n.to_bytes(4, "big"), f"{text}-scan-{n}.png",
                                    title=f"{text} signed page {n}")
    return added.id


def save_follow_up(s: Session, c: Ctx, n: int, text: str) -> str:
    start = datetime.combine(c.today + timedelta(days=1 + n % 20), wall_time(9 + n % 8, 0))
    fields = FollowUpFields(FollowUpType.HOME_VISIT, start, start + timedelta(minutes=45), "America/New_York",
                            location=f"{n} {text} Street", purpose=f"Check on {text}")
    return s.follow_ups.schedule(c.client_id, fields).id


def save_transition(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_transitions import step_down

    client_id = _new_client(s, n, text, Stage.FOLLOWING_UP)
    fields = step_down(c.contact_id, on=c.today - timedelta(days=1), reason=f"{text} is ready to step down")
    return s.transitions.record(client_id, fields).id


def save_release(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_consents import release

    fields = release(c.contact_id, purposes=(f"Coordination of care with {text}",),
                     signed_on=c.today - timedelta(days=n % 20), expires_on=c.today + timedelta(days=300))
    return s.consents.create(c.client_id, fields).id


def save_disclosure(s: Session, c: Ctx, n: int, text: str) -> str:
    entry = s.consents.record_disclosure(
        c.client_id, contact_id=c.contact_id, description=f"Client summary for {text} (PDF)", content_hash=f"{n:064x}",
        purpose="Coordination of care", legal_basis="Treatment", sections=(InfoType.DEMOGRAPHICS,),
        overridden_reason=f"Verbal consent from {text} today")
    return f"{c.client_id}/{entry.id}"


def save_team_member(s: Session, c: Ctx, n: int, text: str) -> str:
    contact = s.contacts.create(ContactFields(ContactKind.PROFESSIONAL, f"{text} Okafor {n}", role="Peer worker",
                                              phone=f"(555) 010-{n % 10000:04d}"))
    return s.contacts.add_member(c.client_id, contact.id, MemberFields(role=f"{text} peer support")).id


def save_service_referral(s: Session, c: Ctx, n: int, text: str) -> str:
    from tests.test_service_referrals import fields

    return s.service_referrals.create(c.client_id, fields(c.contact_id, reason=f"{text}: behind on rent {n}")).id


def save_mileage(s: Session, c: Ctx, n: int, text: str) -> str:
    return s.follow_ups.log_mileage(c.today, "Office", f"{text} Street", 3.5 + n % 10, purpose=f"Visit {text}").id


def save_draft(s: Session, c: Ctx, n: int, text: str) -> str:
    s.drafts.save("reliability", f"{c.client_id}-{n}", {"typed": f"{text} half-typed ({n})"})
    return f"{c.client_id}-{n}"


# -- is it there? ------------------------------------------------------------------------------


def _second(token: str) -> tuple[str, str]:
    first, _, second = token.partition("/")
    return first, second


PRESENT: dict[str, Callable[[Session, str], bool]] = {
    "client": lambda s, t: s.clients.get(t).id == t,
    "client_edit": _edit_kept,
    "screening": lambda s, t: _second(t)[1] in {a.id for a in s.screening.history(_second(t)[0])},
    "assessment": lambda s, t: s.assessments.get(t).id == t,
    "tier": lambda s, t: _second(t)[1] in {r.id for r in s.risk.history(_second(t)[0])},
    "safety_plan": lambda s, t: s.safety_plans.get(t).id == t,
    "care_plan": lambda s, t: s.care_plans.get(t).id == t,
    "note": lambda s, t: s.notes.get(t).signed,
    "note_error": lambda s, t: s.notes.get(t).entered_in_error,
    "attachment": lambda s, t: s.attachments.read(t).startswith(PNG_1PX),
    "follow_up": lambda s, t: s.follow_ups.get(t).id == t,
    "transition": lambda s, t: s.transitions.get(t).id == t,
    "release": lambda s, t: s.consents.get(t).id == t,
    "disclosure": lambda s, t: _second(t)[1] in {d.id for d in s.consents.disclosures(_second(t)[0])},
    "team_member": lambda s, t: s.contacts.member(t).id == t,
    "service_referral": lambda s, t: s.service_referrals.get(t).id == t,
    "mileage": lambda s, t: t in {m.id for m in s.follow_ups.mileage(date(2000, 1, 1), date(2100, 1, 1))},
    "draft": lambda s, t: s.drafts.load("reliability", t) is not None,
}

SAVERS: dict[str, Callable[[Session, Ctx, int, str], str]] = {
    "client": save_client,
    "client_edit": save_client_edit,
    "screening": save_screening,
    "assessment": save_assessment,
    "tier": save_tier,
    "safety_plan": save_safety_plan,
    "care_plan": save_care_plan,
    "note": save_note,
    "note_error": save_note_error,
    "attachment": save_attachment,
    "follow_up": save_follow_up,
    "transition": save_transition,
    "release": save_release,
    "disclosure": save_disclosure,
    "team_member": save_team_member,
    "service_referral": save_service_referral,
    "mileage": save_mileage,
    "draft": save_draft,
}
KINDS = tuple(SAVERS)
assert set(PRESENT) == set(SAVERS)


def is_present(session: Session, kind: str, token: str) -> bool:
    from app.services.errors import NotFound

    try:
        return bool(PRESENT[kind](session, token))
    except NotFound:
        return False


# -- the demo vault --------------------------------------------------------------------------


def build_demo_vault(services: AppServices, folder: Path, clients: int = DEMO_CLIENTS, seed: int = DEMO_SEED) -> Path:
    """A vault holding every kind of record (app.services.demo.populate), closed."""
    from app.services import demo

    created = services.vaults.create(folder, PASSPHRASE, PASSPHRASE)
    try:
        demo.populate(created.session, clients, seed=seed)
    finally:
        created.session.close()
    return folder


def table_counts(session: Session) -> dict[str, int]:
    """Rows in every table (the full-text shadow tables included): the vault's shape, for
    all-or-nothing checks."""
    conn = session.connection
    names = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
    return {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def table_state(session: Session) -> dict[str, tuple[int, str]]:
    """(rows, digest of every row) of every table: equal states mean equal contents."""
    import hashlib

    conn = session.connection
    names = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                             "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    state = {}
    for name in names:
        rows = sorted(repr(tuple(row)) for row in conn.execute(f'SELECT * FROM "{name}"'))
        state[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def copy_closed_vault(source: Path, dest: Path) -> Path:
    dest.mkdir(mode=0o700, parents=True)
    for path in source.iterdir():
        shutil.copy2(path, dest / path.name)
    return dest


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One demo vault per test session (built in a private home); tests work on copies."""
    from app.services.clock import FixedClock
    from app.services.device_keys import DeviceKeyStore
    from app.services.paths import AppPaths
    from tests.conftest import MemoryKeyring

    root = tmp_path_factory.mktemp("reliability-demo")
    before = os.environ.get("WAYPOINT_HOME")
    os.environ["WAYPOINT_HOME"] = str(root / "home")
    try:
        paths = AppPaths.default()
        paths.ensure()
        keyring = MemoryKeyring()
        services = AppServices.build(paths, FixedClock(DEMO_NOW), DeviceKeyStore(keyring, frozenset({MemoryKeyring.__module__})))
        yield build_demo_vault(services, root / "vault")
    finally:
        if before is None:
            os.environ.pop("WAYPOINT_HOME", None)
        else:
            os.environ["WAYPOINT_HOME"] = before


@pytest.fixture
def demo_vault(demo_template: Path, vault_dir: Path) -> Path:
    """A private copy of the demo vault at `vault_dir` (closed)."""
    return copy_closed_vault(demo_template, vault_dir)


@pytest.fixture
def demo_session(services: AppServices, demo_vault: Path) -> Iterator[Session]:
    session = services.vaults.unlock(demo_vault, passphrase=PASSPHRASE)
    session.wait_checks()
    yield session
    if session.is_open:
        session.close()
