"""Numbered schema migrations. The vault's format version is `PRAGMA user_version`.

Each step runs in one transaction together with its version bump, so a step killed half-way
leaves the previous version intact. Vault.open() takes a verified backup before running any step
on an existing vault, and refuses (untouched) a vault whose version is newer than LATEST.
Every table has a UUID text primary key and created_at / updated_at / deleted_at (UTC ISO-8601).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def _v1_vault_core() -> tuple[str, ...]:
    """Vault core: meta key/values, the append-only hash-chained audit trail, form drafts."""
    return (
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL DEFAULT '',
            object_id TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX audit_object ON audit(object_type, action, seq)",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            form TEXT NOT NULL,
            object_id TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            UNIQUE (form, object_id)
        )""",
    )


_STAGES = (
    "'referred','screening','assessing','stratifying','planning','implementing',"
    "'following_up','transitioning','post_transition','evaluating','closed'"
)
_FTS_COLUMNS = "name_search, client_code, phone_search"
_FTS_NEW = "new.rowid, new.name_search, new.client_code, new.phone_search"
_FTS_OLD = "old.rowid, old.name_search, old.client_code, old.phone_search"


def _v2_clients() -> tuple[str, ...]:
    """Clients with their case stage and stage history, and a full-text index over the names
    (folded: case and accents removed), phone numbers and client code, kept in step by triggers."""
    return (
        f"""CREATE TABLE clients (
            id TEXT PRIMARY KEY,
            client_code TEXT NOT NULL UNIQUE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            preferred_name TEXT NOT NULL DEFAULT '',
            pronouns TEXT NOT NULL DEFAULT '',
            date_of_birth TEXT,
            sex_at_birth TEXT NOT NULL DEFAULT '',
            gender_identity TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            interpreter_needed INTEGER NOT NULL DEFAULT 0,
            phone TEXT NOT NULL DEFAULT '',
            phone_alt TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            address_line1 TEXT NOT NULL DEFAULT '',
            address_line2 TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL DEFAULT '',
            postal_code TEXT NOT NULL DEFAULT '',
            emergency_name TEXT NOT NULL DEFAULT '',
            emergency_relationship TEXT NOT NULL DEFAULT '',
            emergency_phone TEXT NOT NULL DEFAULT '',
            insurance_id TEXT NOT NULL DEFAULT '',
            referral_date TEXT,
            stage TEXT NOT NULL DEFAULT 'referred' CHECK (stage IN ({_STAGES})),
            name_search TEXT NOT NULL DEFAULT '',
            phone_search TEXT NOT NULL DEFAULT '',
            archived_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        )""",
        "CREATE INDEX clients_stage ON clients(stage)",
        """CREATE TABLE stage_history (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            on_date TEXT NOT NULL,
            from_stage TEXT,
            to_stage TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        )""",
        "CREATE INDEX stage_history_client ON stage_history(client_id, on_date)",
        f"""CREATE VIRTUAL TABLE clients_fts USING fts5(
            {_FTS_COLUMNS}, content='clients', content_rowid='rowid',
            tokenize="unicode61 remove_diacritics 2", prefix='1 2 3'
        )""",
        f"""CREATE TRIGGER clients_fts_insert AFTER INSERT ON clients BEGIN
            INSERT INTO clients_fts(rowid, {_FTS_COLUMNS}) VALUES ({_FTS_NEW});
        END""",
        f"""CREATE TRIGGER clients_fts_delete AFTER DELETE ON clients BEGIN
            INSERT INTO clients_fts(clients_fts, rowid, {_FTS_COLUMNS})
            VALUES ('delete', {_FTS_OLD});
        END""",
        f"""CREATE TRIGGER clients_fts_update AFTER UPDATE OF
            name_search, client_code, phone_search ON clients BEGIN
            INSERT INTO clients_fts(clients_fts, rowid, {_FTS_COLUMNS})
            VALUES ('delete', {_FTS_OLD});
            INSERT INTO clients_fts(rowid, {_FTS_COLUMNS}) VALUES ({_FTS_NEW});
        END""",
    )


def _v3_screening_and_risk() -> tuple[str, ...]:
    """Screening (stage 1) and risk (stage 3): referrals with their decision, instrument
    administrations (answers, score, band, flags, instrument version), scores from external tools,
    safety alerts until reviewed, and risk-tier records with their evidence; each client's current
    tier is kept on the client row for the roster."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    return (
        f"""CREATE TABLE referrals (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            received_on TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            referrer_name TEXT NOT NULL DEFAULT '',
            referrer_contact TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            urgency TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'urgent', 'emergency')),
            decision TEXT CHECK (decision IN ('enrol', 'refer_elsewhere', 'wait_list', 'decline')),
            decision_on TEXT,
            decision_reason TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX referrals_client ON referrals(client_id, received_on)",
        f"""CREATE TABLE administrations (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            instrument_id TEXT NOT NULL,
            instrument_version TEXT NOT NULL,
            administered_on TEXT NOT NULL,
            answers TEXT NOT NULL,
            declined TEXT NOT NULL DEFAULT '[]',
            valid INTEGER NOT NULL,
            total INTEGER,
            percent INTEGER,
            band TEXT,
            positive INTEGER,
            risk TEXT,
            prorated INTEGER NOT NULL DEFAULT 0,
            flags TEXT NOT NULL DEFAULT '[]',
            sex_used TEXT NOT NULL DEFAULT '',
            referral_id TEXT REFERENCES referrals(id),
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX administrations_client ON administrations(client_id, instrument_id, administered_on)",
        f"""CREATE TABLE external_scores (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            tool TEXT NOT NULL,
            scored_on TEXT NOT NULL,
            total TEXT NOT NULL DEFAULT '',
            level TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX external_scores_client ON external_scores(client_id, scored_on)",
        f"""CREATE TABLE safety_alerts (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            administration_id TEXT REFERENCES administrations(id),
            flag TEXT NOT NULL,
            level TEXT NOT NULL DEFAULT '',
            raised_at TEXT NOT NULL,
            reviewed_at TEXT,
            reviewed_by TEXT NOT NULL DEFAULT '',
            review_note TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX safety_alerts_client ON safety_alerts(client_id, reviewed_at)",
        f"""CREATE TABLE risk_assessments (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            assessed_on TEXT NOT NULL,
            rule_version TEXT NOT NULL,
            total INTEGER NOT NULL,
            computed_tier TEXT NOT NULL CHECK (computed_tier IN ('low', 'moderate', 'high', 'crisis')),
            tier TEXT NOT NULL CHECK (tier IN ('low', 'moderate', 'high', 'crisis')),
            domains TEXT NOT NULL,
            floors TEXT NOT NULL,
            override_reason TEXT NOT NULL DEFAULT '',
            reassessment INTEGER NOT NULL DEFAULT 0,
            contact_days INTEGER NOT NULL,
            rescreen_days INTEGER,
            retier_days INTEGER NOT NULL,
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX risk_assessments_client ON risk_assessments(client_id, assessed_on)",
        "ALTER TABLE clients ADD COLUMN tier TEXT CHECK (tier IN ('low', 'moderate', 'high', 'crisis'))",
    )


def _v4_assessments() -> tuple[str, ...]:
    """Comprehensive assessments (stage 2): versioned documents per client. The document is JSON
    (with its own `schema` number); the columns beside it are what lists and look-ups need. At
    most one draft per client; version numbers are unique per client; a completed version is
    read-only (a trigger refuses changes to it, soft delete aside)."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    return (
        f"""CREATE TABLE assessments (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            version INTEGER NOT NULL CHECK (version >= 1),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
            assessed_on TEXT NOT NULL,
            document TEXT NOT NULL,
            supersedes TEXT REFERENCES assessments(id),
            started_by TEXT NOT NULL DEFAULT '',
            completed_by TEXT NOT NULL DEFAULT '',
            completed_at TEXT,
            {stamps},
            CHECK ((status = 'completed') = (completed_at IS NOT NULL))
        )""",
        "CREATE INDEX assessments_client ON assessments(client_id, status, version)",
        """CREATE UNIQUE INDEX assessments_client_version ON assessments(client_id, version)
           WHERE deleted_at IS NULL""",
        """CREATE UNIQUE INDEX assessments_one_draft ON assessments(client_id)
           WHERE status = 'draft' AND deleted_at IS NULL""",
        """CREATE TRIGGER assessments_completed_read_only BEFORE UPDATE OF
           client_id, version, status, assessed_on, document, supersedes, completed_by, completed_at
           ON assessments WHEN old.status = 'completed'
           BEGIN SELECT RAISE(ABORT, 'a completed assessment is read-only'); END""",
    )


def _v5_safety_plans() -> tuple[str, ...]:
    """Safety plans with their versions and signatures: one row per version, the plan itself a
    JSON document (with its schema number) beside the columns a listing needs. At most one draft
    and one active version per client; a signed version can't be edited or brought back (only
    superseded, its copy-given date recorded, or soft-deleted)."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    frozen = ("client_id", "version", "schema_version", "document", "review_on", "signatures", "activated_at")
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in frozen)
    return (
        f"""CREATE TABLE safety_plans (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            version INTEGER NOT NULL CHECK (version >= 1),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'superseded')),
            schema_version INTEGER NOT NULL,
            document TEXT NOT NULL,
            review_on TEXT,
            signatures TEXT NOT NULL DEFAULT '[]',
            activated_at TEXT,
            activated_by TEXT NOT NULL DEFAULT '',
            superseded_at TEXT,
            superseded_by TEXT REFERENCES safety_plans(id),
            copy_given_on TEXT,
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            UNIQUE (client_id, version)
        )""",
        """CREATE UNIQUE INDEX safety_plans_one_draft ON safety_plans(client_id)
           WHERE status = 'draft' AND deleted_at IS NULL""",
        """CREATE UNIQUE INDEX safety_plans_one_active ON safety_plans(client_id)
           WHERE status = 'active' AND deleted_at IS NULL""",
        """CREATE INDEX safety_plans_review ON safety_plans(review_on)
           WHERE status = 'active' AND deleted_at IS NULL""",
        f"""CREATE TRIGGER safety_plans_signed_are_final BEFORE UPDATE ON safety_plans
           WHEN old.status <> 'draft' AND ({changed}
                OR (old.status = 'superseded' AND new.status <> 'superseded')
                OR new.status = 'draft')
           BEGIN SELECT RAISE(ABORT, 'a signed safety plan cannot be changed'); END""",
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "vault core", _v1_vault_core()),
    Migration(2, "clients", _v2_clients()),
    Migration(3, "screening and risk", _v3_screening_and_risk()),
    Migration(4, "comprehensive assessments", _v4_assessments()),
    Migration(5, "safety plans", _v5_safety_plans()),
)
LATEST = MIGRATIONS[-1].version


def pending(current: int, steps: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    return [m for m in steps if m.version > current]


def apply(
    conn: Connection,
    current: int,
    steps: Sequence[Migration] = MIGRATIONS,
    on_step: Callable[[Migration], None] | None = None,
) -> int:
    """Run every pending step, each in its own transaction; returns the new version."""
    version = current
    for step in pending(current, steps):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in step.statements:
                conn.execute(statement)
            # An integer from our own table, never user input.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        version = step.version
        if on_step is not None:
            on_step(step)
    return version
