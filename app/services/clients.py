"""Client use cases: roster, search, create, edit, stage changes, archive, import."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, format_date
from app.models.client import (
    Client,
    ClientFields,
    RosterRow,
    Stage,
    StageChange,
    new_client_code,
    validate_client,
    validate_stage_change,
)
from app.services.errors import NotFound, ValidationError
from app.store.clients_repo import ClientRepository
from app.store.db import Connection

if TYPE_CHECKING:
    from app.services.session import Session

RECENT_LIMIT = 8


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """What the client page shows: the client and their stage history."""

    client: Client
    history: list[StageChange]


class ClientService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> ClientRepository:
        return ClientRepository(self._session.connection)

    # -- reading ------------------------------------------------------------------------------

    def roster(self, include_archived: bool = False) -> list[RosterRow]:
        return self._repo.roster(include_archived)

    def search_ids(self, text: str, include_archived: bool = False) -> list[str]:
        return self._repo.search_ids(text, include_archived)

    def search(self, text: str, include_archived: bool = False) -> list[RosterRow]:
        return self._repo.search(text, include_archived)

    def rows(self, ids: Iterable[str]) -> list[RosterRow]:
        """Roster rows (names, codes, stage, tier) of the given clients, archived ones included."""
        return self._repo.get_many(ids)

    def get(self, client_id: str) -> Client:
        client = self._repo.get(client_id)
        if client is None:
            raise NotFound(_("The client"))
        return client

    def open_record(self, client_id: str) -> ClientRecord:
        """Load a client for viewing and record the view in the audit trail."""
        client = self.get(client_id)
        self._session.record("client.view", "client", client_id)
        return ClientRecord(client, self._repo.stage_history(client_id))

    def stage_history(self, client_id: str) -> list[StageChange]:
        return self._repo.stage_history(client_id)

    def stage_counts(self) -> dict[Stage, int]:
        return self._repo.stage_counts()

    def count(self) -> int:
        return self._repo.count()

    def recently_viewed(self, limit: int = RECENT_LIMIT) -> list[RosterRow]:
        ids = self._session.audit_repo().recent_objects("client.view", "client", limit * 2)
        rows = [r for r in self._repo.get_many(ids) if not r.archived]
        return rows[:limit]

    # -- writing ------------------------------------------------------------------------------

    def _today(self) -> date:
        return self._session.clock.today()

    def _validate(self, fields: ClientFields) -> ClientFields:
        clean = fields.normalised()
        problems = validate_client(clean, self._today())
        if problems:
            raise ValidationError(problems)
        return clean

    def _unique_code(self, repo: ClientRepository) -> str:
        while True:
            code = new_client_code()
            if not repo.code_exists(code):
                return code

    def create(self, fields: ClientFields, stage: Stage = Stage.REFERRED, note: str = "") -> Client:
        clean = self._validate(fields)
        with self._session.write() as conn:
            repo = ClientRepository(conn)
            client = Client(str(uuid.uuid4()), self._unique_code(repo), clean, stage)
            self._insert(repo, client, note)
        return self.get(client.id)

    def _insert(self, repo: ClientRepository, client: Client, note: str) -> None:
        now = self._session.clock.now()
        repo.insert(client, now)
        on = client.fields.referral_date or self._today()
        repo.add_stage_change(
            StageChange(str(uuid.uuid4()), client.id, on, None, client.stage, note), now
        )
        self._session.audit("client.create", "client", client.id)

    def create_many(self, rows: Sequence[ClientFields]) -> list[str]:
        """Create every client in one transaction: all of them, or none. Returns their ids."""
        problems: dict[str, str] = {}
        cleaned: list[ClientFields] = []
        for index, fields in enumerate(rows):
            clean = fields.normalised()
            for name, problem in validate_client(clean, self._today()).items():
                problems[f"{index}:{name}"] = problem
            cleaned.append(clean)
        if problems:
            raise ValidationError(problems)
        ids: list[str] = []
        with self._session.write() as conn:
            repo = ClientRepository(conn)
            for clean in cleaned:
                client = Client(str(uuid.uuid4()), self._unique_code(repo), clean, Stage.REFERRED)
                self._insert(repo, client, "")
                ids.append(client.id)
            self._session.audit("client.import", "client", "", f"count={len(ids)}")
        return ids

    def update(self, client_id: str, fields: ClientFields) -> Client:
        clean = self._validate(fields)
        current = self.get(client_id)
        changed = [n for n in ClientFields.names() if getattr(current.fields, n) != getattr(clean, n)]
        if not changed:
            return current
        with self._session.write() as conn:
            ClientRepository(conn).update_fields(client_id, clean, self._session.clock.now())
            self._session.audit("client.update", "client", client_id, "fields=" + ",".join(changed))
        return self.get(client_id)

    def change_stage(self, client_id: str, to: Stage, on: date | None = None, note: str = "") -> Client:
        on = on or self._today()
        with self._session.write() as conn:
            self.move_stage(conn, client_id, to, on, note)
        return self.get(client_id)

    def move_stage(self, conn: Connection, client_id: str, to: Stage, on: date, note: str = "",
                   *, same_stage_ok: bool = False) -> None:
        """Change the stage inside the caller's transaction (other use cases move the case too)."""
        repo = ClientRepository(conn)
        current = repo.get(client_id)
        if current is None:
            raise NotFound(_("The client"))
        problem = validate_stage_change(on, self._today())
        if problem:
            raise ValidationError({"on": problem}, problem)
        history = repo.stage_history(client_id)
        if history and on < history[-1].on:
            message = _("The previous stage change was on {date}; this one can't be earlier.").format(
                date=format_date(history[-1].on, "long")
            )
            raise ValidationError({"on": message}, message)
        if to == current.stage:
            if same_stage_ok:
                return
            message = _("The client is already at this stage.")
            raise ValidationError({"to": message}, message)
        now = self._session.clock.now()
        repo.set_stage(client_id, to, now)
        repo.add_stage_change(StageChange(str(uuid.uuid4()), client_id, on, current.stage, to, note.strip()), now)
        self._session.audit("client.stage", "client", client_id, f"from={current.stage.value},to={to.value}")

    def archive(self, client_id: str) -> Client:
        self.get(client_id)
        now = self._session.clock.now()
        with self._session.write() as conn:
            ClientRepository(conn).set_archived(client_id, now, now)
            self._session.audit("client.archive", "client", client_id)
        return self.get(client_id)

    def unarchive(self, client_id: str) -> Client:
        self.get(client_id)
        with self._session.write() as conn:
            ClientRepository(conn).set_archived(client_id, None, self._session.clock.now())
            self._session.audit("client.unarchive", "client", client_id)
        return self.get(client_id)
