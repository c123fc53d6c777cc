"""Attachments: the facts about each document and its bytes in chunks. Rows ↔ dataclasses.

A document's chunks are written first and its facts row last (the chunks' key to it is
deferred to the commit), so the size and hash in the row are those of the bytes really stored.
Chunks are never updated — SQLite rewrites a whole row, blob included, on any update — and
follow their document's soft delete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app.models.attachments import Attachment, DocumentKind, Link, LinkType, MediaType
from app.models.timefmt import from_iso, to_iso
from app.store.db import Connection

CHUNK_SIZE = 1 << 20  # 1 MiB: 25 rows for the largest document, bounded memory either way

_COLUMNS = ("id, client_id, title, kind, media_type, file_name, size, sha256, linked_type, linked_id, added_by, "
            "created_at, updated_at")
_SELECT = f"SELECT {_COLUMNS} FROM attachments WHERE deleted_at IS NULL"


def _media_type(value: str) -> MediaType:
    try:
        return MediaType(value)
    except ValueError:  # a type a newer Waypoint knows: still a file, just not previewed here
        return MediaType.OTHER


def _attachment(row: tuple[Any, ...]) -> Attachment:
    link = Link(LinkType(row[8]), row[9]) if row[8] and row[9] else None
    return Attachment(
        id=row[0], client_id=row[1], title=row[2], kind=DocumentKind(row[3]), media_type=_media_type(row[4]),
        file_name=row[5], size=int(row[6]), sha256=row[7], link=link, added_by=row[10],
        added_at=from_iso(row[11]), updated_at=from_iso(row[12]),
    )


class AttachmentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- reading -------------------------------------------------------------------------------

    def get(self, attachment_id: str) -> Attachment | None:
        row = self._conn.execute(_SELECT + " AND id = ?", (attachment_id,)).fetchone()
        return _attachment(row) if row else None

    def for_client(self, client_id: str) -> list[Attachment]:
        """The client's documents, newest first (their bytes are not read)."""
        rows = self._conn.execute(_SELECT + " AND client_id = ? ORDER BY created_at DESC, id",
                                  (client_id,)).fetchall()
        return [_attachment(r) for r in rows]

    def for_link(self, link: Link) -> list[Attachment]:
        """The documents linked to one note, plan or referral, newest first."""
        rows = self._conn.execute(
            _SELECT + " AND linked_type = ? AND linked_id = ? ORDER BY created_at DESC, id",
            (link.type.value, link.id)).fetchall()
        return [_attachment(r) for r in rows]

    def count_for_client(self, client_id: str) -> int:
        row = self._conn.execute("SELECT count(*) FROM attachments WHERE deleted_at IS NULL AND client_id = ?",
                                 (client_id,)).fetchone()
        return int(row[0])

    def chunk_count(self, attachment_id: str) -> int:
        """How many chunks the facts row says the document has (0 when there is no such row)."""
        row = self._conn.execute("SELECT chunks FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
        return int(row[0]) if row else 0

    def chunks(self, attachment_id: str) -> Iterator[bytes]:
        """The document's bytes, one chunk at a time, in order."""
        cursor = self._conn.execute(
            "SELECT data FROM attachment_chunks WHERE attachment_id = ? ORDER BY seq", (attachment_id,))
        for (data,) in cursor:
            yield bytes(data)

    # -- writing -------------------------------------------------------------------------------

    def add_chunk(self, chunk_id: str, attachment_id: str, seq: int, data: bytes, now: datetime) -> None:
        stamp = to_iso(now)
        self._conn.execute(
            """INSERT INTO attachment_chunks (id, attachment_id, seq, data, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (chunk_id, attachment_id, seq, data, stamp, stamp),
        )

    def add(self, attachment: Attachment, chunks: int, now: datetime, chunk_size: int = CHUNK_SIZE) -> None:
        """The facts row, after its `chunks` chunks were added in the same transaction."""
        stamp = to_iso(now)
        link = attachment.link
        self._conn.execute(
            """INSERT INTO attachments (id, client_id, title, kind, media_type, file_name, size, sha256,
               chunk_size, chunks, linked_type, linked_id, added_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (attachment.id, attachment.client_id, attachment.title, attachment.kind.value,
             attachment.media_type.value, attachment.file_name, attachment.size, attachment.sha256, chunk_size,
             chunks, link.type.value if link else None, link.id if link else None, attachment.added_by,
             to_iso(attachment.added_at) if attachment.added_at else stamp, stamp),
        )

    def update(self, attachment_id: str, title: str, kind: DocumentKind, link: Link | None, now: datetime) -> bool:
        """Change what is said about a document (never its bytes); False if it is gone."""
        cursor = self._conn.execute(
            """UPDATE attachments SET title = ?, kind = ?, linked_type = ?, linked_id = ?, updated_at = ?
               WHERE id = ? AND deleted_at IS NULL""",
            (title, kind.value, link.type.value if link else None, link.id if link else None, to_iso(now),
             attachment_id),
        )
        return int(cursor.rowcount) == 1

    def delete(self, attachment_id: str, now: datetime) -> bool:
        """Soft delete: the document leaves every list; its chunks stay with the row."""
        stamp = to_iso(now)
        cursor = self._conn.execute(
            "UPDATE attachments SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            (stamp, stamp, attachment_id),
        )
        return int(cursor.rowcount) == 1
