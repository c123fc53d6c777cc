"""Documents attached to a client: scans, photos, PDFs, letters — kept inside the vault.

An attachment is its bytes plus what the case manager says about it (a title and a kind of
document) and what Waypoint found out itself (the file type, sniffed from the bytes and never
from the extension; the size; a SHA-256 fingerprint). It may be linked to one note, plan or
referral of the same client. The original file name is kept as data: it is shown, but never
used to name a file Waypoint writes (it may well contain the client's name).

Pure: no Qt, no SQL, no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from app.i18n import _, current_locale, ngettext

MAX_BYTES = 25_000_000  # 25 MB, decimal like the sizes people see in their file manager
MAX_TITLE = 200
SNIFF_BYTES = 8192  # enough of the start of a file to tell what it is


class MediaType(StrEnum):
    """What the bytes are, told from the bytes themselves. The value is the MIME type."""

    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    HEIC = "image/heic"
    TIFF = "image/tiff"
    GIF = "image/gif"
    WEBP = "image/webp"
    TEXT = "text/plain"
    OTHER = "application/octet-stream"

    @property
    def label(self) -> str:
        return {
            MediaType.PDF: _("PDF"), MediaType.PNG: _("PNG image"), MediaType.JPEG: _("JPEG photo"),
            MediaType.HEIC: _("HEIC photo"), MediaType.TIFF: _("TIFF scan"), MediaType.GIF: _("GIF image"),
            MediaType.WEBP: _("WebP image"), MediaType.TEXT: _("Text"), MediaType.OTHER: _("Other file"),
        }[self]

    @property
    def extension(self) -> str:
        """For the neutral name of an exported copy."""
        return {
            MediaType.PDF: "pdf", MediaType.PNG: "png", MediaType.JPEG: "jpg", MediaType.HEIC: "heic",
            MediaType.TIFF: "tif", MediaType.GIF: "gif", MediaType.WEBP: "webp", MediaType.TEXT: "txt",
            MediaType.OTHER: "bin",
        }[self]

    @property
    def is_image(self) -> bool:
        return self.value.startswith("image/")

    @property
    def previewable(self) -> bool:
        """Whether Waypoint can show it in the app (HEIC only where the platform can decode it,
        which the preview finds out for itself)."""
        return self is not MediaType.OTHER


class DocumentKind(StrEnum):
    """What the document is, as the case manager would file it."""

    LETTER = "letter"
    FORM = "form"
    IDENTITY = "identity"
    MEDICAL = "medical"
    LEGAL = "legal"
    SIGNED_PAGE = "signed_page"
    PHOTO = "photo"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            DocumentKind.LETTER: _("Letter"),
            DocumentKind.FORM: _("Form or release"),
            DocumentKind.IDENTITY: _("ID or benefits card"),
            DocumentKind.MEDICAL: _("Medical record"),
            DocumentKind.LEGAL: _("Legal or court paper"),
            DocumentKind.SIGNED_PAGE: _("Signed page"),
            DocumentKind.PHOTO: _("Photo"),
            DocumentKind.OTHER: _("Other document"),
        }[self]


class LinkType(StrEnum):
    """What in the record a document can belong to (besides the client)."""

    NOTE = "note"
    CARE_PLAN = "care_plan"
    SAFETY_PLAN = "safety_plan"
    SERVICE_REFERRAL = "service_referral"

    @property
    def label(self) -> str:
        return {LinkType.NOTE: _("Contact note"), LinkType.CARE_PLAN: _("Care plan"),
                LinkType.SAFETY_PLAN: _("Safety plan"), LinkType.SERVICE_REFERRAL: _("Referral")}[self]


@dataclass(frozen=True, slots=True)
class Link:
    """The note, plan or referral a document belongs to."""

    type: LinkType
    id: str


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """Something in the client's record a document can be linked to, with words to show for it."""

    link: Link
    label: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """One document. Its bytes never change; title, kind and link can."""

    id: str
    client_id: str
    title: str
    kind: DocumentKind
    media_type: MediaType
    file_name: str
    size: int
    sha256: str
    link: Link | None = None
    added_by: str = ""
    added_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def added_on(self) -> date | None:
        return self.added_at.astimezone().date() if self.added_at else None


# -- what the bytes are -----------------------------------------------------------------------

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_TEXT_CONTROLS = frozenset("\t\n\r\f")


def _heic(head: bytes) -> bool:
    """An ISO base media file whose 'ftyp' box names an HEVC-coded image brand."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box = int.from_bytes(head[0:4], "big")
    end = min(len(head), box if 16 <= box <= 4096 else 16)
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, end - 3, 4)]
    return any(b in _HEIC_BRANDS for b in brands)


def _text(head: bytes, complete: bool) -> bool:
    """UTF-8 (with or without a BOM) or UTF-16 with a BOM, and no control characters a text file
    would not have."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = head[2:]
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        if not complete:
            body = body[: len(body) - len(body) % 2]
    else:
        body, codec = (head[3:] if head.startswith(b"\xef\xbb\xbf") else head), "utf-8"
        if b"\x00" in body:
            return False
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        # A multibyte character cut off by the sniffing window is not a reason to refuse.
        if complete or codec != "utf-8" or exc.start < len(body) - 3:
            return False
        text = body[: exc.start].decode(codec)
    if not text.strip():
        return False
    return not any(ord(ch) < 32 and ch not in _TEXT_CONTROLS or ord(ch) == 127 for ch in text)


def sniff(head: bytes, complete: bool = False) -> MediaType:
    """The type of a file from its first bytes (SNIFF_BYTES of them are plenty). `complete` says
    `head` is the whole file. Anything unrecognised is OTHER: still accepted, not previewed."""
    if b"%PDF-" in head[:1024]:  # readers accept a header anywhere in the first kilobyte
        return MediaType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return MediaType.TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType.GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if _heic(head):
        return MediaType.HEIC
    if head and _text(head, complete):
        return MediaType.TEXT
    return MediaType.OTHER


def guess_kind(media_type: MediaType) -> DocumentKind:
    """The kind a new document starts with (the case manager can change it)."""
    if media_type in (MediaType.JPEG, MediaType.HEIC, MediaType.PNG, MediaType.WEBP, MediaType.GIF):
        return DocumentKind.PHOTO
    return DocumentKind.OTHER


# -- words and numbers ------------------------------------------------------------------------


def format_size(size: int, round_up: bool = False) -> str:
    """A size in the user's locale, decimal units as file managers show them ("2.4 MB").
    `round_up` never lets a size just over a limit read like the limit itself."""
    from babel.units import format_unit

    if size < 1000:
        return ngettext("{n} byte", "{n} bytes", size).format(n=size)
    unit, scale = ("digital-kilobyte", 1000) if size < 1_000_000 else ("digital-megabyte", 1_000_000)
    value = size / scale
    value = math.ceil(value * 10) / 10 if round_up else round(value, 1)
    return format_unit(value, unit, length="short", locale=current_locale(), format="#,##0.#")


def too_large_message(size: int, limit: int = MAX_BYTES) -> str:
    return _("This file is {size}; documents can be at most {limit}. Scan it at a lower resolution or "
             "split it into parts, then add it again.").format(size=format_size(size, round_up=True),
                                                              limit=format_size(limit))


def size_problem(size: int, limit: int = MAX_BYTES) -> str | None:
    """Why a file of this size can't be attached, or None."""
    if size <= 0:
        return _("This file is empty. Choose the file again, or scan the document again.")
    if size > limit:
        return too_large_message(size, limit)
    return None


def title_from_file_name(file_name: str) -> str:
    """A starting title: the file's name without its extension, separators turned into spaces."""
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if stem.rfind(".") > 0:
        stem = stem[: stem.rfind(".")]
    return clean_title(stem.replace("_", " "))[:MAX_TITLE].strip()


def clean_title(title: str) -> str:
    """Whitespace folded, control characters dropped, NFC."""
    text = unicodedata.normalize("NFC", title)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return " ".join(text.split())


def validate_title(title: str) -> dict[str, str]:
    text = clean_title(title)
    if not text:
        return {"title": _("Give the document a title, for example \"Housing benefit letter\".")}
    if len(text) > MAX_TITLE:
        return {"title": _("Keep the title under {n} characters.").format(n=MAX_TITLE)}
    return {}


def export_file_name(attachment: Attachment) -> str:
    """A neutral name for an exported copy: no title, no original name, nothing about the client."""
    added = attachment.added_on.strftime("%Y%m%d") if attachment.added_on else "document"
    short = re.sub(r"[^0-9a-f]", "", attachment.id.lower())[:6] or "file"
    return f"waypoint-document-{added}-{short}.{attachment.media_type.extension}"
