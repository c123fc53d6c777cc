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


def _v6_care_plans() -> tuple[str, ...]:
    """Care plans: versions, needs, goals, objectives, interventions, reviews, signatures.

    One row per version; the plan itself (about the person, discharge criteria, needs → goals →
    objectives → interventions, dismissed suggestions) is a JSON document with its schema number.
    At most one draft and one version in force (active or on hold) per client. A signed version's
    content and signatures can't change (a trigger refuses it): only its status moves on (on hold,
    resumed, completed, revoked, superseded — never back to draft, and a finished version stays
    finished), its review date, its referral links and a scanned page's attachment id once set.
    Reviews (goal attainment per goal, changes, who attended) are kept apart and never edited."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    frozen = ("client_id", "version", "schema_version", "document", "start_on", "review_days", "agreement",
              "signatures", "activated_at", "activated_by", "based_on")
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in frozen)
    return (
        f"""CREATE TABLE care_plans (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            version INTEGER NOT NULL CHECK (version >= 1),
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'active', 'on_hold', 'completed', 'revoked', 'superseded')),
            schema_version INTEGER NOT NULL,
            document TEXT NOT NULL,
            start_on TEXT,
            review_days INTEGER NOT NULL DEFAULT 90 CHECK (review_days BETWEEN 7 AND 366),
            review_on TEXT,
            agreement TEXT CHECK (agreement IN ('signed', 'verbal', 'scanned')),
            signatures TEXT NOT NULL DEFAULT '[]',
            attachment_id TEXT,
            referral_links TEXT NOT NULL DEFAULT '{{}}',
            activated_at TEXT,
            activated_by TEXT NOT NULL DEFAULT '',
            status_changed_at TEXT,
            status_reason TEXT NOT NULL DEFAULT '',
            superseded_at TEXT,
            superseded_by TEXT REFERENCES care_plans(id),
            based_on TEXT REFERENCES care_plans(id),
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            UNIQUE (client_id, version),
            CHECK ((status = 'draft') = (activated_at IS NULL))
        )""",
        """CREATE UNIQUE INDEX care_plans_one_draft ON care_plans(client_id)
           WHERE status = 'draft' AND deleted_at IS NULL""",
        """CREATE UNIQUE INDEX care_plans_one_in_force ON care_plans(client_id)
           WHERE status IN ('active', 'on_hold') AND deleted_at IS NULL""",
        """CREATE INDEX care_plans_review ON care_plans(review_on)
           WHERE status = 'active' AND deleted_at IS NULL""",
        f"""CREATE TRIGGER care_plans_signed_are_final BEFORE UPDATE ON care_plans
           WHEN old.status <> 'draft' AND ({changed}
                OR new.status = 'draft'
                OR (old.status IN ('completed', 'revoked', 'superseded') AND new.status IS NOT old.status)
                OR (old.attachment_id IS NOT NULL AND new.attachment_id IS NOT old.attachment_id))
           BEGIN SELECT RAISE(ABORT, 'a signed care plan cannot be changed'); END""",
        f"""CREATE TABLE care_plan_reviews (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES care_plans(id),
            client_id TEXT NOT NULL REFERENCES clients(id),
            reviewed_on TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            document TEXT NOT NULL,
            next_review_on TEXT,
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX care_plan_reviews_client ON care_plan_reviews(client_id, reviewed_on)",
        """CREATE TRIGGER care_plan_reviews_are_final BEFORE UPDATE ON care_plan_reviews
           WHEN new.id IS NOT old.id OR new.plan_id IS NOT old.plan_id OR new.client_id IS NOT old.client_id
                OR new.reviewed_on IS NOT old.reviewed_on OR new.document IS NOT old.document
                OR new.next_review_on IS NOT old.next_review_on
           BEGIN SELECT RAISE(ABORT, 'a recorded review cannot be changed'); END""",
    )


def _v7_care_team() -> tuple[str, ...]:
    """The contacts directory, each client's care team, and referrals out to services.

    Contacts are practice-wide (professionals, organisations, natural supports), with a folded
    search column; archived ones stay on the records that use them. A care-team member is a
    contact on one client's team (at most once while current) with a role, whether a release of
    information is on file, and the last day they were in touch. A referral out goes to a
    contact for a service and keeps its status history in its own table; a final status
    (completed, declined, no-show, cancelled) can't change (a trigger refuses it), and the
    history is append-only (soft delete aside)."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    statuses = "'draft', 'sent', 'accepted', 'scheduled', 'completed', 'declined', 'no_show', 'cancelled'"
    final = "'completed', 'declined', 'no_show', 'cancelled'"
    return (
        f"""CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('professional', 'organisation', 'natural_support')),
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            organisation TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            phone_alt TEXT NOT NULL DEFAULT '',
            fax TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            address_line1 TEXT NOT NULL DEFAULT '',
            address_line2 TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL DEFAULT '',
            postal_code TEXT NOT NULL DEFAULT '',
            npi TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            search_text TEXT NOT NULL DEFAULT '',
            archived_at TEXT,
            {stamps}
        )""",
        f"""CREATE TABLE care_team_members (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            role TEXT NOT NULL DEFAULT '',
            release_on_file TEXT NOT NULL DEFAULT 'unknown' CHECK (release_on_file IN ('yes', 'no', 'unknown')),
            added_on TEXT NOT NULL,
            last_contact_on TEXT,
            {stamps}
        )""",
        """CREATE UNIQUE INDEX care_team_members_once ON care_team_members(client_id, contact_id)
           WHERE deleted_at IS NULL""",
        "CREATE INDEX care_team_members_contact ON care_team_members(contact_id) WHERE deleted_at IS NULL",
        """CREATE INDEX care_team_members_in_touch ON care_team_members(coalesce(last_contact_on, added_on))
           WHERE deleted_at IS NULL""",
        f"""CREATE TABLE service_referrals (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            service TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            urgency TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'urgent', 'emergency')),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ({statuses})),
            sent_on TEXT,
            due_on TEXT,
            appointment_on TEXT,
            outcome TEXT NOT NULL DEFAULT '',
            intervention_id TEXT,
            created_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX service_referrals_client ON service_referrals(client_id, created_at)",
        "CREATE INDEX service_referrals_contact ON service_referrals(contact_id)",
        f"""CREATE INDEX service_referrals_open_due ON service_referrals(due_on)
           WHERE deleted_at IS NULL AND status NOT IN ({final})""",
        f"""CREATE TRIGGER service_referrals_final_is_final BEFORE UPDATE OF status ON service_referrals
           WHEN old.status IN ({final}) AND new.status IS NOT old.status
           BEGIN SELECT RAISE(ABORT, 'a referral in a final status cannot change status'); END""",
        f"""CREATE TABLE service_referral_events (
            id TEXT PRIMARY KEY,
            referral_id TEXT NOT NULL REFERENCES service_referrals(id),
            from_status TEXT CHECK (from_status IN ({statuses})),
            to_status TEXT NOT NULL CHECK (to_status IN ({statuses})),
            on_date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX service_referral_events_referral ON service_referral_events(referral_id, on_date)",
        """CREATE TRIGGER service_referral_events_kept BEFORE UPDATE OF
           referral_id, from_status, to_status, on_date, note, recorded_by ON service_referral_events
           BEGIN SELECT RAISE(ABORT, 'the status history of a referral is kept as written'); END""",
    )


def _v8_notes() -> tuple[str, ...]:
    """Contact notes, their addenda, and the full-text index over them.

    A note's body is a JSON object (section → text, in its format's order) beside the columns a
    list needs. A signed note is read-only (a trigger refuses any change to it, and its removal);
    addenda are added to signed notes only and never change. `late_entry` is decided when the
    note is signed.

    The index (notes_fts) is contentless (the text is not kept twice) with one row per note and
    one per addendum, kept in step by triggers; the words are folded as client names are (case
    and accents removed, ø → o, ß → ss …). Each row's number (`doc`) says whose it is: the
    client's number in note_clients, shifted left by 24 bits, then a bit set for an addendum, then
    a count within the client (never reused). A search across every note can then name the
    clients from the index alone, and a search within one client reads only that client's range."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    kinds = "'home_visit', 'phone', 'office', 'telehealth', 'collateral', 'attempted'"
    # The letters remove_diacritics does not fold (as in app.models.client.fold), fixed here.
    letters = (("ø", "o"), ("Ø", "o"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss"), ("đ", "d"), ("Đ", "d"),
               ("ł", "l"), ("Ł", "l"), ("œ", "oe"), ("Œ", "oe"), ("þ", "th"), ("Þ", "th"), ("ð", "d"), ("Ð", "d"))

    def folded(expr: str) -> str:
        for letter, plain in letters:
            expr = f"replace({expr}, '{letter}', '{plain}')"
        return expr

    def joined(column: str) -> str:
        return f"coalesce((SELECT group_concat(value, char(10)) FROM json_each({column})), '')"

    note_text = folded(f"{joined('new.participants')} || char(10) || new.location || char(10) || "
                       f"{joined('new.sections')}")
    index_note = f"INSERT INTO notes_fts(rowid, body) SELECT new.doc, {note_text} WHERE new.deleted_at IS NULL;"
    return (
        f"""CREATE TABLE note_clients (
            client_id TEXT PRIMARY KEY REFERENCES clients(id),
            number INTEGER NOT NULL UNIQUE CHECK (number >= 1),
            {stamps}
        )""",
        f"""CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            doc INTEGER NOT NULL UNIQUE,
            client_id TEXT NOT NULL REFERENCES clients(id),
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
            contact_on TEXT NOT NULL,
            start_time TEXT,
            duration_min INTEGER CHECK (duration_min IS NULL OR duration_min BETWEEN 0 AND 1440),
            location TEXT NOT NULL DEFAULT '',
            participants TEXT NOT NULL DEFAULT '[]',
            goal_ids TEXT NOT NULL DEFAULT '[]',
            format TEXT NOT NULL CHECK (format IN ('free', 'dap', 'soap', 'birp')),
            sections TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
            late_entry INTEGER NOT NULL DEFAULT 0,
            signed_at TEXT,
            signed_by TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK ((status = 'signed') = (signed_at IS NOT NULL))
        )""",
        "CREATE INDEX notes_client ON notes(client_id, contact_on, start_time)",
        f"""CREATE TABLE note_addenda (
            id TEXT PRIMARY KEY,
            doc INTEGER NOT NULL UNIQUE,
            note_id TEXT NOT NULL REFERENCES notes(id),
            text TEXT NOT NULL CHECK (length(trim(text)) > 0),
            written_by TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX note_addenda_note ON note_addenda(note_id, created_at)",
        """CREATE VIRTUAL TABLE notes_fts USING fts5(
            body, content='', contentless_delete=1,
            tokenize="unicode61 remove_diacritics 2", prefix='3'
        )""",
        f"""CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
            {index_note}
        END""",
        f"""CREATE TRIGGER notes_fts_update AFTER UPDATE OF
            participants, location, sections, doc, deleted_at ON notes BEGIN
            DELETE FROM notes_fts WHERE rowid = old.doc;
            {index_note}
        END""",
        """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
            DELETE FROM notes_fts WHERE rowid = old.doc;
        END""",
        f"""CREATE TRIGGER note_addenda_fts_insert AFTER INSERT ON note_addenda BEGIN
            INSERT INTO notes_fts(rowid, body) VALUES (new.doc, {folded('new.text')});
        END""",
        """CREATE TRIGGER notes_signed_are_final BEFORE UPDATE ON notes WHEN old.status = 'signed'
           BEGIN SELECT RAISE(ABORT, 'a signed note cannot be changed: add an addendum'); END""",
        """CREATE TRIGGER notes_signed_are_kept BEFORE DELETE ON notes WHEN old.status = 'signed'
           BEGIN SELECT RAISE(ABORT, 'a signed note cannot be removed'); END""",
        """CREATE TRIGGER note_addenda_on_signed_notes BEFORE INSERT ON note_addenda
           WHEN NOT EXISTS (SELECT 1 FROM notes WHERE id = new.note_id AND status = 'signed'
                            AND deleted_at IS NULL)
           BEGIN SELECT RAISE(ABORT, 'addenda are added to signed notes only'); END""",
        """CREATE TRIGGER note_addenda_are_final BEFORE UPDATE ON note_addenda
           BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed'); END""",
        """CREATE TRIGGER note_addenda_are_kept BEFORE DELETE ON note_addenda
           BEGIN SELECT RAISE(ABORT, 'an addendum cannot be removed'); END""",
    )


def _v9_attachments() -> tuple[str, ...]:
    """Attachments stored encrypted inside the vault: one row of facts per document (title, kind,
    the type sniffed from its bytes, original file name kept as data, size, SHA-256, an optional
    link to a note, plan or referral) and its bytes in 1 MiB chunks beside it, so a listing never
    reads a document and adding or exporting one streams it in bounded memory (the chunks are
    written first and the facts row last, when size and hash are known: hence the deferred key).
    A document's bytes and the facts about them never change (triggers refuse it); title, kind and
    link can."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    kinds = "'letter', 'form', 'identity', 'medical', 'legal', 'signed_page', 'photo', 'other'"
    links = "'note', 'care_plan', 'safety_plan', 'service_referral'"
    facts = ("client_id", "media_type", "file_name", "size", "sha256", "chunk_size", "chunks")
    facts_changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in facts)
    bytes_changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in ("attachment_id", "seq", "data"))
    return (
        f"""CREATE TABLE attachments (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            title TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ({kinds})),
            media_type TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL CHECK (size > 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
            chunks INTEGER NOT NULL CHECK (chunks > 0),
            linked_type TEXT CHECK (linked_type IN ({links})),
            linked_id TEXT,
            added_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK ((linked_type IS NULL) = (linked_id IS NULL))
        )""",
        "CREATE INDEX attachments_client ON attachments(client_id, created_at) WHERE deleted_at IS NULL",
        """CREATE INDEX attachments_link ON attachments(linked_type, linked_id)
           WHERE linked_id IS NOT NULL AND deleted_at IS NULL""",
        f"""CREATE TABLE attachment_chunks (
            id TEXT PRIMARY KEY,
            attachment_id TEXT NOT NULL REFERENCES attachments(id) DEFERRABLE INITIALLY DEFERRED,
            seq INTEGER NOT NULL CHECK (seq >= 0),
            data BLOB NOT NULL,
            {stamps},
            UNIQUE (attachment_id, seq)
        )""",
        f"""CREATE TRIGGER attachments_content_is_final BEFORE UPDATE ON attachments
           WHEN {facts_changed}
           BEGIN SELECT RAISE(ABORT, 'the content of an attachment cannot be changed'); END""",
        f"""CREATE TRIGGER attachment_chunks_are_final BEFORE UPDATE ON attachment_chunks
           WHEN {bytes_changed}
           BEGIN SELECT RAISE(ABORT, 'the content of an attachment cannot be changed'); END""",
    )


def _v10_follow_ups() -> tuple[str, ...]:
    """Follow-ups: planned contacts and tasks, their recurrence and exceptions, proposals.

    Start and end are local wall times ('YYYY-MM-DDTHH:MM') with the IANA zone beside them, so a
    recurring 10:00 visit stays at 10:00 across daylight-saving changes. `first_on`/`last_on`
    (local dates; last_on NULL = repeats without end) let a calendar window find the series it
    may touch from an index. Each occurrence's state (completed, missed, cancelled, moved) is a
    row in follow_up_occurrences keyed by its original start; a moved one also carries its new
    date (`start_on`) so a window finds occurrences moved into it. Dismissed or accepted
    proposals are remembered by key; visit check-ins and the mileage log complete the stage."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    kinds = ("'home_visit', 'phone', 'office', 'telehealth', 'plan_review', 'rescreening', "
             "'post_transition', 'other'")
    statuses = "'scheduled', 'completed', 'missed', 'cancelled', 'rescheduled'"
    return (
        f"""CREATE TABLE follow_ups (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
            starts TEXT NOT NULL,
            ends TEXT NOT NULL,
            tz TEXT NOT NULL,
            all_day INTEGER NOT NULL DEFAULT 0,
            location TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            recurrence TEXT,
            first_on TEXT NOT NULL,
            last_on TEXT,
            link_type TEXT,
            link_id TEXT,
            split_from TEXT REFERENCES follow_ups(id),
            proposal_key TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK (ends >= starts),
            CHECK ((link_type IS NULL) = (link_id IS NULL)),
            CHECK (last_on IS NULL OR last_on >= first_on),
            CHECK (recurrence IS NOT NULL OR last_on IS NOT NULL)
        )""",
        "CREATE INDEX follow_ups_window ON follow_ups(last_on, first_on) WHERE deleted_at IS NULL",
        "CREATE INDEX follow_ups_endless ON follow_ups(first_on) WHERE deleted_at IS NULL AND last_on IS NULL",
        "CREATE INDEX follow_ups_client ON follow_ups(client_id, first_on) WHERE deleted_at IS NULL",
        """CREATE INDEX follow_ups_link ON follow_ups(link_type, link_id)
           WHERE link_id IS NOT NULL AND deleted_at IS NULL""",
        f"""CREATE TABLE follow_up_occurrences (
            id TEXT PRIMARY KEY,
            follow_up_id TEXT NOT NULL REFERENCES follow_ups(id),
            original_start TEXT NOT NULL,
            original_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ({statuses})),
            starts TEXT,
            ends TEXT,
            start_on TEXT,
            kind TEXT CHECK (kind IS NULL OR kind IN ({kinds})),
            location TEXT,
            purpose TEXT,
            reason TEXT NOT NULL DEFAULT '',
            {stamps},
            UNIQUE (follow_up_id, original_start),
            CHECK ((starts IS NULL) = (ends IS NULL) AND (starts IS NULL) = (start_on IS NULL))
        )""",
        "CREATE INDEX follow_up_occurrences_on ON follow_up_occurrences(original_on) WHERE deleted_at IS NULL",
        """CREATE INDEX follow_up_occurrences_moved ON follow_up_occurrences(start_on)
           WHERE start_on IS NOT NULL AND deleted_at IS NULL""",
        "CREATE INDEX follow_up_occurrences_status ON follow_up_occurrences(status, original_on) WHERE deleted_at IS NULL",
        f"""CREATE TABLE follow_up_proposal_decisions (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            proposal_key TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'dismissed')),
            follow_up_id TEXT REFERENCES follow_ups(id),
            {stamps},
            UNIQUE (client_id, proposal_key)
        )""",
        f"""CREATE TABLE visit_checks (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            follow_up_id TEXT REFERENCES follow_ups(id),
            original_start TEXT,
            checked_in_at TEXT NOT NULL,
            expected_min INTEGER NOT NULL CHECK (expected_min BETWEEN 5 AND 720),
            checked_out_at TEXT,
            {stamps},
            CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at)
        )""",
        "CREATE INDEX visit_checks_open ON visit_checks(checked_in_at) WHERE checked_out_at IS NULL AND deleted_at IS NULL",
        f"""CREATE TABLE mileage (
            id TEXT PRIMARY KEY,
            on_date TEXT NOT NULL,
            from_place TEXT NOT NULL,
            to_place TEXT NOT NULL,
            distance REAL NOT NULL CHECK (distance > 0),
            purpose TEXT NOT NULL DEFAULT '',
            client_code TEXT NOT NULL DEFAULT '',
            {stamps}
        )""",
        "CREATE INDEX mileage_on ON mileage(on_date) WHERE deleted_at IS NULL",
    )


def _v11_transitions() -> tuple[str, ...]:
    """Transitions (stage 7) and post-transition check-ins (stage 8).

    A transition is a level-of-care change, a discharge or a closure, with every element a
    transition summary needs kept in its own column (lists and the checklist as JSON), so a
    summary can be printed from it later. At most one transition per client is open (its
    check-ins running); it ends re-engaged, closed (with a reason) or superseded by a newer one.
    Levels of care are the words from the settings list, kept as written.

    Check-ins are planned at fixed offsets after the transition, with the client and the
    receiving provider; an outcome is recorded once done (reached, engaged, visits within 7/30
    days, re-hospitalised or ED — each yes, no or unknown as NULL — barriers and a note)."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    kinds = "'level_of_care', 'discharge', 'closure'"
    statuses = "'open', 're_engaged', 'closed', 'superseded'"
    methods = "'in_person', 'phone', 'video', 'written'"

    def yes_no(column: str) -> str:
        return f"{column} INTEGER CHECK ({column} IS NULL OR {column} IN (0, 1))"

    return (
        f"""CREATE TABLE transitions (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
            from_level TEXT NOT NULL DEFAULT '',
            to_level TEXT NOT NULL DEFAULT '',
            on_date TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            receiving_contact_id TEXT REFERENCES contacts(id),
            handoff_with TEXT NOT NULL DEFAULT '',
            handoff_on TEXT,
            handoff_method TEXT CHECK (handoff_method IS NULL OR handoff_method IN ({methods})),
            handoff_note TEXT NOT NULL DEFAULT '',
            medications TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(medications)),
            pending_appointments TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pending_appointments)),
            pending_referrals TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pending_referrals)),
            crisis_plan TEXT NOT NULL DEFAULT '',
            preferences TEXT NOT NULL DEFAULT '',
            information_given TEXT NOT NULL DEFAULT '',
            services_provided TEXT NOT NULL DEFAULT '',
            condition TEXT NOT NULL DEFAULT '',
            checklist TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(checklist)),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ({statuses})),
            ended_on TEXT,
            closure_reason TEXT NOT NULL DEFAULT '',
            reengage_note TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK ((status = 'open') = (ended_on IS NULL)),
            CHECK (status <> 'closed' OR length(trim(closure_reason)) > 0),
            CHECK (kind <> 'closure' OR status = 'closed')
        )""",
        "CREATE INDEX transitions_client ON transitions(client_id, on_date) WHERE deleted_at IS NULL",
        """CREATE UNIQUE INDEX transitions_one_open ON transitions(client_id)
           WHERE status = 'open' AND deleted_at IS NULL""",
        """CREATE INDEX transitions_receiving ON transitions(receiving_contact_id)
           WHERE receiving_contact_id IS NOT NULL AND deleted_at IS NULL""",
        f"""CREATE TABLE transition_check_ins (
            id TEXT PRIMARY KEY,
            transition_id TEXT NOT NULL REFERENCES transitions(id),
            client_id TEXT NOT NULL REFERENCES clients(id),
            due_on TEXT NOT NULL,
            offset_days INTEGER NOT NULL CHECK (offset_days BETWEEN 1 AND 365),
            party TEXT NOT NULL CHECK (party IN ('client', 'provider')),
            follow_up_id TEXT REFERENCES follow_ups(id),
            done_on TEXT,
            done_at TEXT,
            reached INTEGER CHECK (reached IS NULL OR reached IN (0, 1)),
            {yes_no("engaged")},
            {yes_no("visit_7")},
            {yes_no("visit_30")},
            {yes_no("readmitted_or_ed")},
            barriers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(barriers)),
            barriers_other TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK ((done_at IS NULL) = (done_on IS NULL) AND (done_at IS NULL) = (reached IS NULL))
        )""",
        """CREATE UNIQUE INDEX transition_check_ins_once ON transition_check_ins(transition_id, offset_days, party)
           WHERE deleted_at IS NULL""",
        "CREATE INDEX transition_check_ins_client ON transition_check_ins(client_id, due_on) WHERE deleted_at IS NULL",
        """CREATE INDEX transition_check_ins_pending ON transition_check_ins(due_on)
           WHERE done_at IS NULL AND deleted_at IS NULL""",
    )


def _v12_consents() -> tuple[str, ...]:
    """Releases of information (HIPAA 164.508(c), 42 CFR Part 2) and the accounting of disclosures.

    A release names one recipient (a directory contact), the kinds of information (JSON list of
    report-section names), purposes (JSON list), the signing date, an expiry date and/or event,
    who may disclose, the signature (pad strokes JSON, verbal with its reason, or a scanned
    attachment), the Part 2 flag and the required statements. Revocation sets `revoked_on` once;
    what the form says never changes after that (a trigger refuses it).

    Disclosures are the accounting of disclosures (45 CFR 164.528): one row per export, print or
    FHIR file sent to a recipient, written once and never changed or removed (only a retention
    purge may set deleted_at)."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    signatures = "'pad', 'verbal', 'scanned'"
    return (
        f"""CREATE TABLE releases (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            information TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(information)),
            information_detail TEXT NOT NULL DEFAULT '',
            purposes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(purposes)),
            signed_on TEXT NOT NULL,
            expires_on TEXT,
            expiry_event TEXT NOT NULL DEFAULT '',
            disclosers TEXT NOT NULL DEFAULT '',
            signature_kind TEXT NOT NULL CHECK (signature_kind IN ({signatures})),
            signature_strokes TEXT NOT NULL DEFAULT '',
            verbal_reason TEXT NOT NULL DEFAULT '',
            attachment_id TEXT REFERENCES attachments(id),
            part2 INTEGER NOT NULL DEFAULT 0 CHECK (part2 IN (0, 1)),
            recipient_name TEXT NOT NULL DEFAULT '',
            treatment_conditioned INTEGER NOT NULL DEFAULT 0 CHECK (treatment_conditioned IN (0, 1)),
            representative_authority TEXT NOT NULL DEFAULT '',
            revoked_on TEXT,
            revoked_how TEXT NOT NULL DEFAULT '',
            event_occurred_on TEXT,
            created_by TEXT NOT NULL DEFAULT '',
            {stamps},
            CHECK (expires_on IS NOT NULL OR expiry_event <> '')
        )""",
        "CREATE INDEX releases_client ON releases(client_id, contact_id) WHERE deleted_at IS NULL",
        "CREATE INDEX releases_expiring ON releases(expires_on) WHERE deleted_at IS NULL AND revoked_on IS NULL",
        """CREATE TRIGGER releases_form_kept BEFORE UPDATE OF
           client_id, contact_id, information, information_detail, purposes, signed_on, expires_on, expiry_event,
           disclosers, signature_kind, signature_strokes, verbal_reason, attachment_id, part2, recipient_name,
           treatment_conditioned, representative_authority ON releases
           BEGIN SELECT RAISE(ABORT, 'a signed release is kept as written'); END""",
        """CREATE TRIGGER releases_revoked_once BEFORE UPDATE OF revoked_on ON releases
           WHEN old.revoked_on IS NOT NULL AND new.revoked_on IS NOT old.revoked_on
           BEGIN SELECT RAISE(ABORT, 'a revocation cannot be undone'); END""",
        f"""CREATE TABLE disclosures (
            id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES clients(id),
            contact_id TEXT REFERENCES contacts(id),
            recipient TEXT NOT NULL,
            description TEXT NOT NULL,
            content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
            purpose TEXT NOT NULL,
            legal_basis TEXT NOT NULL,
            consent_id TEXT REFERENCES releases(id),
            consent_valid INTEGER NOT NULL CHECK (consent_valid IN (0, 1)),
            overridden_reason TEXT NOT NULL DEFAULT '',
            sections TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sections)),
            part2 INTEGER NOT NULL DEFAULT 0 CHECK (part2 IN (0, 1)),
            notice_version TEXT NOT NULL DEFAULT '',
            method TEXT NOT NULL DEFAULT '',
            disclosed_by TEXT NOT NULL DEFAULT '',
            disclosed_at TEXT NOT NULL,
            {stamps}
        )""",
        "CREATE INDEX disclosures_client ON disclosures(client_id, disclosed_at)",
        "CREATE INDEX disclosures_at ON disclosures(disclosed_at)",
        """CREATE TRIGGER disclosures_kept BEFORE UPDATE OF
           id, client_id, contact_id, recipient, description, content_hash, purpose, legal_basis, consent_id,
           consent_valid, overridden_reason, sections, part2, notice_version, method, disclosed_by, disclosed_at,
           created_at ON disclosures
           BEGIN SELECT RAISE(ABORT, 'the accounting of disclosures is kept as written'); END""",
        """CREATE TRIGGER disclosures_not_removed BEFORE DELETE ON disclosures
           BEGIN SELECT RAISE(ABORT, 'the accounting of disclosures is kept as written'); END""",
    )


def _v13_note_errors() -> tuple[str, ...]:
    """Signed notes marked "entered in error" (written in the wrong record, about a contact that
    did not happen, a duplicate). The note itself is never changed (migration 8's trigger); the
    mark is a row of its own beside it — the reason, who and when — added once to a signed note
    and never changed or removed."""
    stamps = "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT"
    return (
        f"""CREATE TABLE note_errors (
            note_id TEXT PRIMARY KEY REFERENCES notes(id),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            marked_by TEXT NOT NULL DEFAULT '',
            marked_at TEXT NOT NULL,
            {stamps}
        )""",
        """CREATE TRIGGER note_errors_on_signed_notes BEFORE INSERT ON note_errors
           WHEN NOT EXISTS (SELECT 1 FROM notes WHERE id = new.note_id AND status = 'signed'
                            AND deleted_at IS NULL)
           BEGIN SELECT RAISE(ABORT, 'only a signed note is marked entered in error'); END""",
        """CREATE TRIGGER note_errors_are_final BEFORE UPDATE ON note_errors
           BEGIN SELECT RAISE(ABORT, 'a note marked entered in error stays marked'); END""",
        """CREATE TRIGGER note_errors_are_kept BEFORE DELETE ON note_errors
           BEGIN SELECT RAISE(ABORT, 'a note marked entered in error stays marked'); END""",
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "vault core", _v1_vault_core()),
    Migration(2, "clients", _v2_clients()),
    Migration(3, "screening and risk", _v3_screening_and_risk()),
    Migration(4, "comprehensive assessments", _v4_assessments()),
    Migration(5, "safety plans", _v5_safety_plans()),
    Migration(6, "care plans", _v6_care_plans()),
    Migration(7, "care team, contacts and referrals out", _v7_care_team()),
    Migration(8, "contact notes", _v8_notes()),
    Migration(9, "attachments", _v9_attachments()),
    Migration(10, "follow-ups", _v10_follow_ups()),
    Migration(11, "transitions and post-transition check-ins", _v11_transitions()),
    Migration(12, "releases of information and disclosures", _v12_consents()),
    Migration(13, "notes entered in error", _v13_note_errors()),
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
