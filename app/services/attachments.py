"""Attachments: scanned documents, photos and PDFs kept encrypted inside the vault.

Adding one streams the file into the vault in chunks (hashing and counting as it goes, within
one transaction) after checking its size against the limit; its type is sniffed from the bytes.
Reading one checks the bytes against the SHA-256 taken when it was added. Nothing here ever
writes a plaintext copy, except `export()`: an explicit act by the user, to a place they chose,
under a neutral name, atomically, 0600, and recorded in the audit trail. Removing is a soft
delete. Audit details name types and sizes, never titles, file names or anything about the client.

Other parts of the record offer themselves as link targets by giving their service an
`attachment_targets(client_id) -> list[tuple[str, str]]` method ((id, a few words) pairs):
`session.notes`, `session.care_plans` and `session.service_referrals` are asked; the safety plans
are known here already.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from app.i18n import _, format_date
from app.models.attachments import (
    MAX_BYTES,
    SNIFF_BYTES,
    Attachment,
    DocumentKind,
    Link,
    LinkChoice,
    LinkType,
    MediaType,
    clean_title,
    export_file_name,
    guess_kind,
    size_problem,
    sniff,
    title_from_file_name,
    too_large_message,
    validate_title,
)
from app.services.errors import NotFound, ValidationError, VaultError
from app.store.attachments_repo import CHUNK_SIZE, AttachmentRepository
from app.store.files import atomic_write

if TYPE_CHECKING:
    from app.services.session import Session

log = logging.getLogger(__name__)

# Where each kind of link finds its choices: the session attribute of the service to ask.
_LINK_PROVIDERS = {LinkType.NOTE: "notes", LinkType.CARE_PLAN: "care_plans",
                   LinkType.SERVICE_REFERRAL: "service_referrals"}


class DocumentDamaged(VaultError):
    """A document's bytes no longer match the fingerprint taken when it was added."""

    def __init__(self) -> None:
        super().__init__(_("This document's contents no longer match the fingerprint taken when it was added, "
                           "so it is not shown. The vault may be damaged: restore it from a backup."))


class ExportFailed(VaultError):
    def __init__(self, reason: str) -> None:
        super().__init__(_("The copy could not be saved ({reason}). Nothing was written. Choose another folder, "
                           "or free some space, and try again.").format(reason=reason))


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What Waypoint can tell about a file before adding it."""

    file_name: str
    size: int
    media_type: MediaType

    @property
    def suggested_title(self) -> str:
        return title_from_file_name(self.file_name)

    @property
    def suggested_kind(self) -> DocumentKind:
        return guess_kind(self.media_type)


def _file_problem(message: str) -> ValidationError:
    return ValidationError({"file": message}, message)


def _unreadable(exc: OSError) -> ValidationError:
    reason = exc.strerror or type(exc).__name__  # never the path: it may name the client
    return _file_problem(_("The file could not be read ({reason}). Check that it is still there and that "
                           "you may open it, then try again.").format(reason=reason))


def _blocks(handle: BinaryIO, head: bytes) -> Iterator[bytes]:
    """The open file's bytes CHUNK_SIZE at a time, starting with `head` (already read from it)."""
    block = head + handle.read(CHUNK_SIZE - len(head))
    while block:
        yield block
        block = handle.read(CHUNK_SIZE)


class AttachmentService:
    def __init__(self, session: Session) -> None:
        self._session = session
        self.max_bytes = MAX_BYTES

    @property
    def _repo(self) -> AttachmentRepository:
        return AttachmentRepository(self._session.connection)

    # -- reading -------------------------------------------------------------------------------

    def for_client(self, client_id: str) -> list[Attachment]:
        """The client's documents, newest first (their bytes are not read)."""
        return self._repo.for_client(client_id)

    def for_link(self, link: Link) -> list[Attachment]:
        """The documents attached to one note, plan or referral, newest first."""
        return self._repo.for_link(link)

    def count(self, client_id: str) -> int:
        return self._repo.count_for_client(client_id)

    def get(self, attachment_id: str) -> Attachment:
        found = self._repo.get(attachment_id)
        if found is None:
            raise NotFound(_("The document"))
        return found

    def read(self, attachment_id: str) -> bytes:
        """The document's bytes, checked against its SHA-256. In memory only: nothing is written."""
        return self._read(self.get(attachment_id))

    def _read(self, attachment: Attachment) -> bytes:
        repo = self._repo
        digest = hashlib.sha256()
        parts: list[bytes] = []
        for block in repo.chunks(attachment.id):
            digest.update(block)
            parts.append(block)
        data = b"".join(parts)
        if (len(parts) != repo.chunk_count(attachment.id) or len(data) != attachment.size
                or digest.hexdigest() != attachment.sha256):
            log.error("an attachment failed its hash check")
            raise DocumentDamaged()
        return data

    def view(self, attachment_id: str) -> bytes:
        """The bytes to show in the app (checked like `read`); the view is recorded in the audit trail."""
        attachment = self.get(attachment_id)
        data = self._read(attachment)
        self._session.record("attachment.view", "attachment", attachment.id, f"client={attachment.client_id}")
        return data

    def link_choices(self, client_id: str) -> list[LinkChoice]:
        """What in the client's record a document can be linked to: the safety plan's versions,
        and the notes, care plans and referrals their services offer."""
        choices: list[LinkChoice] = []
        for link_type, attribute in _LINK_PROVIDERS.items():
            provider: Callable[[str], list[tuple[str, str]]] | None = getattr(
                getattr(self._session, attribute, None), "attachment_targets", None)
            if provider is None:
                continue
            try:
                targets = provider(client_id)
            except NotImplementedError:
                continue
            choices.extend(LinkChoice(Link(link_type, target_id), label) for target_id, label in targets)
        for plan in self._session.safety_plans.versions(client_id, include_draft=True):
            when = plan.activated_at.astimezone().date() if plan.activated_at else None
            label = (_("Safety plan, version {n} (signed {date})").format(n=plan.version, date=format_date(when))
                     if when else _("Safety plan, version {n} (draft)").format(n=plan.version))
            choices.append(LinkChoice(Link(LinkType.SAFETY_PLAN, plan.id), label))
        return choices

    def link_label(self, attachment: Attachment, choices: list[LinkChoice] | None = None) -> str:
        """Words for what the document is linked to ("" when it belongs to the client only)."""
        if attachment.link is None:
            return ""
        for choice in choices if choices is not None else self.link_choices(attachment.client_id):
            if choice.link == attachment.link:
                return choice.label
        return attachment.link.type.label

    # -- adding --------------------------------------------------------------------------------

    def check_file(self, path: Path) -> FileFacts:
        """Name, size and type of a file about to be added; ValidationError (key "file") when it
        can't be: missing, unreadable, a folder, empty or over the size limit."""
        try:
            if path.is_dir():
                raise _file_problem(_("That is a folder. Choose a file inside it."))
            size = path.stat().st_size
            problem = size_problem(size, self.max_bytes)
            if problem:
                raise _file_problem(problem)
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError as exc:
            raise _unreadable(exc) from None
        return FileFacts(path.name, size, sniff(head, complete=size <= len(head)))

    def add_file(self, client_id: str, path: Path, *, title: str | None = None, kind: DocumentKind | None = None,
                 link: Link | None = None) -> Attachment:
        """Attach a file: its bytes go into the vault (the file itself is left as it was)."""
        self.check_file(path)
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
                return self._add(client_id, _blocks(handle, head), head, path.name, title, kind, link)
        except OSError as exc:
            raise _unreadable(exc) from None

    def add_bytes(self, client_id: str, data: bytes, file_name: str = "", *, title: str | None = None,
                  kind: DocumentKind | None = None, link: Link | None = None) -> Attachment:
        """Attach bytes already in memory (a scan from a device, a page built by the app)."""
        problem = size_problem(len(data), self.max_bytes)
        if problem:
            raise _file_problem(problem)
        blocks = (data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))
        return self._add(client_id, blocks, data[:SNIFF_BYTES], file_name, title, kind, link)

    def _add(self, client_id: str, blocks: Iterator[bytes], head: bytes, file_name: str, title: str | None,
             kind: DocumentKind | None, link: Link | None) -> Attachment:
        self._session.clients.get(client_id)
        title = clean_title(title) if title is not None else (title_from_file_name(file_name) or _("Document"))
        problems = validate_title(title)
        problems.update(self._link_problems(client_id, link))
        if problems:
            raise ValidationError(problems, next(iter(problems.values())))
        attachment_id = str(uuid.uuid4())
        now = self._session.clock.now()
        digest = hashlib.sha256()
        size = count = 0
        with self._session.write() as conn:
            repo = AttachmentRepository(conn)
            for block in blocks:  # chunks first: size and hash are known once they are all in
                size += len(block)
                if size > self.max_bytes:  # the file grew after it was checked
                    raise _file_problem(too_large_message(size, self.max_bytes))
                digest.update(block)
                repo.add_chunk(str(uuid.uuid4()), attachment_id, count, block, now)
                count += 1
            empty = size_problem(size, self.max_bytes)
            if empty:
                raise _file_problem(empty)
            media_type = sniff(head, complete=size <= len(head))
            attachment = Attachment(
                id=attachment_id, client_id=client_id, title=title, kind=kind or guess_kind(media_type),
                media_type=media_type, file_name=file_name, size=size, sha256=digest.hexdigest(), link=link,
                added_by=self._session.actor, added_at=now, updated_at=now,
            )
            repo.add(attachment, count, now)
            linked = f",linked={link.type.value}" if link else ""
            self._session.audit("attachment.add", "attachment", attachment_id,
                                f"client={client_id},type={media_type.extension},kind={attachment.kind.value},"
                                f"size={size}{linked}")
        return attachment

    def _link_problems(self, client_id: str, link: Link | None) -> dict[str, str]:
        if link is None:
            return {}
        if link.type is LinkType.SAFETY_PLAN:
            plan = next((p for p in self._session.safety_plans.versions(client_id, include_draft=True)
                         if p.id == link.id), None)
            if plan is None:
                return {"link": _("That safety plan is not in this client's record. Choose another link.")}
            return {}
        provider = getattr(getattr(self._session, _LINK_PROVIDERS[link.type], None), "attachment_targets", None)
        if provider is None:
            return {}
        try:
            targets = {target_id for target_id, _label in provider(client_id)}
        except NotImplementedError:
            return {}
        if link.id not in targets:
            return {"link": _("That {what} is not in this client's record. Choose another link.").format(
                what=link.type.label.lower())}
        return {}

    # -- changing ------------------------------------------------------------------------------

    def update(self, attachment_id: str, *, title: str, kind: DocumentKind, link: Link | None) -> Attachment:
        """Retitle a document, change its kind or what it is linked to. Its bytes never change."""
        current = self.get(attachment_id)
        problems = validate_title(title)
        problems.update(self._link_problems(current.client_id, link))
        if problems:
            raise ValidationError(problems, next(iter(problems.values())))
        clean = clean_title(title)
        changed = [name for name, old, new in (("title", current.title, clean), ("kind", current.kind, kind),
                                                ("link", current.link, link)) if old != new]
        if not changed:
            return current
        with self._session.write() as conn:
            if not AttachmentRepository(conn).update(attachment_id, clean, kind, link, self._session.clock.now()):
                raise NotFound(_("The document"))
            self._session.audit("attachment.update", "attachment", attachment_id, "fields=" + ",".join(changed))
        return self.get(attachment_id)

    def delete(self, attachment_id: str) -> None:
        """Remove a document from the record (a soft delete, like every removal in Waypoint)."""
        current = self.get(attachment_id)
        with self._session.write() as conn:
            if not AttachmentRepository(conn).delete(attachment_id, self._session.clock.now()):
                raise NotFound(_("The document"))
            self._session.audit("attachment.delete", "attachment", attachment_id, f"client={current.client_id}")

    # -- export --------------------------------------------------------------------------------

    def export_name(self, attachment: Attachment) -> str:
        """A neutral default name for a saved copy (no title, no original name, nothing about the client)."""
        return export_file_name(attachment)

    def export(self, attachment_id: str, dest: Path) -> Path:
        """Save a plaintext copy where the user chose (a file, or a folder for the neutral name):
        checked against its hash, written atomically with 0600, and recorded in the audit trail
        in the same transaction — if the entry can't be written, neither is the copy."""
        if self._session.read_only:
            message = _("The vault is open read-only, so the export could not be recorded in the audit trail. "
                        "Nothing was saved.")
            raise ValidationError({"export": message}, message)
        attachment = self.get(attachment_id)
        data = self.read(attachment_id)
        if dest.is_dir():
            dest = dest / export_file_name(attachment)
        written = False
        try:
            with self._session.write():
                try:
                    atomic_write(dest, data)
                except OSError as exc:
                    raise ExportFailed(exc.strerror or type(exc).__name__) from None
                written = True
                self._session.audit("attachment.export", "attachment", attachment.id,
                                    f"client={attachment.client_id},type={attachment.media_type.extension},"
                                    f"size={attachment.size}")
        except BaseException:
            if written:
                with contextlib.suppress(OSError):
                    dest.unlink()
            raise
        return dest
