"""An unlocked vault and the services that work on it. Closing the session locks the vault."""

from __future__ import annotations

import contextlib
import getpass
import logging
from collections.abc import Iterator

from app.services.clock import Clock
from app.store.audit_repo import AuditRepository
from app.store.db import Connection
from app.store.errors import VaultError
from app.store.vault import Vault

log = logging.getLogger(__name__)


def current_actor() -> str:
    """The OS account name recorded in audit entries (never a client's data)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Session:
    def __init__(self, vault: Vault, clock: Clock | None = None, actor: str | None = None) -> None:
        from app.services.assessments import AssessmentService
        from app.services.attachments import AttachmentService
        from app.services.care_plans import CarePlanService
        from app.services.clients import ClientService
        from app.services.consents import ConsentService
        from app.services.contacts import ContactService
        from app.services.drafts import DraftService
        from app.services.follow_ups import FollowUpService
        from app.services.notes import NoteService
        from app.services.risk import RiskService
        from app.services.safety_plans import SafetyPlanService
        from app.services.screening import ScreeningService
        from app.services.service_referrals import ServiceReferralService
        from app.services.transitions import TransitionService

        self.vault = vault
        self.clock = clock or Clock()
        self.actor = actor or current_actor()
        self.clients = ClientService(self)
        self.drafts = DraftService(self)
        self.screening = ScreeningService(self)
        self.risk = RiskService(self)
        self.assessments = AssessmentService(self)
        self.safety_plans = SafetyPlanService(self)
        self.care_plans = CarePlanService(self)
        self.contacts = ContactService(self)
        self.service_referrals = ServiceReferralService(self)
        self.notes = NoteService(self)
        self.attachments = AttachmentService(self)
        self.follow_ups = FollowUpService(self)
        self.transitions = TransitionService(self)
        self.consents = ConsentService(self)

    @property
    def is_open(self) -> bool:
        return self.vault.is_open

    @property
    def read_only(self) -> bool:
        return self.vault.read_only

    @property
    def problems(self) -> list[str]:
        return list(self.vault.problems)

    def checks_done(self) -> bool:
        """Whether the unlock-time integrity checks have finished (see Vault.open)."""
        return self.vault.checks_done()

    def wait_checks(self) -> list[str]:
        return self.vault.wait_checks()

    @property
    def connection(self) -> Connection:
        return self.vault.connection

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with self.vault.transaction() as conn:
            yield conn

    def audit_repo(self) -> AuditRepository:
        return self.vault.audit(self.actor)

    def audit(self, action: str, object_type: str = "", object_id: str = "", detail: str = "") -> None:
        """Append an audit entry inside the caller's transaction."""
        self.audit_repo().append(action, object_type, object_id, detail)

    def record(self, action: str, object_type: str = "", object_id: str = "", detail: str = "") -> None:
        """Append an audit entry in a transaction of its own (skipped on a read-only vault)."""
        if self.read_only:
            return
        with self.write():
            self.audit(action, object_type, object_id, detail)

    def close(self) -> None:
        """Lock: record it (if the disk allows) and close the database, whatever happens."""
        if self.vault.is_open and not self.read_only:
            try:
                self.record("vault.lock", "vault", self.vault.vault_id)
            except VaultError as exc:  # a full disk must never stop the vault from locking
                log.warning("lock not recorded in the audit trail: %s", type(exc).__name__)
        self.vault.close()
