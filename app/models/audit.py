"""The audit trail's hash chain. Entries carry no client data: an action, an object type and id
(a UUID), the actor (the OS account), and a short machine detail such as changed field names."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
_SAFE_DETAIL = re.compile(r"^[a-z0-9_.,:=\- ]{0,200}$")


class AuditDetailError(ValueError):
    """Raised when an audit detail could carry free text (and so client data)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    action: str
    object_type: str
    object_id: str
    actor: str
    detail: str
    prev_hash: str
    hash: str


def check_detail(detail: str) -> str:
    if not _SAFE_DETAIL.match(detail):
        raise AuditDetailError("audit details are limited to lower-case machine words")
    return detail


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    action: str,
    object_type: str,
    object_id: str,
    actor: str,
    detail: str,
) -> str:
    payload = json.dumps(
        [prev_hash, seq, at, action, object_type, object_id, actor, detail],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check sequence numbers, links and hashes from the first entry to the last."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for e in entries:
        count += 1
        if e.seq != expected_seq:
            return ChainReport(False, count, e.seq, f"entry {e.seq}: expected entry {expected_seq}")
        if e.prev_hash != prev:
            return ChainReport(False, count, e.seq, f"entry {e.seq}: link to the previous entry broken")
        recomputed = entry_hash(
            e.prev_hash, e.seq, e.at, e.action, e.object_type, e.object_id, e.actor, e.detail
        )
        if recomputed != e.hash:
            return ChainReport(False, count, e.seq, f"entry {e.seq}: contents changed after writing")
        prev = e.hash
        expected_seq += 1
    return ChainReport(True, count)
