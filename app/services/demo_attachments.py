"""Synthetic documents for demo vaults: a few made-up letters and forms (PDF), photos of papers
(PNG) and typed notes (text), attached to some clients. Nothing in them is about a real person.

The documents themselves are built once per call and shared (each attachment still stores its
own copy, as the app would), so a 10,000-client vault takes about a second more to fill.
`store_demo_attachments()` is called inside the demo's write transaction and writes through the
repository."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.models.attachments import Attachment, DocumentKind, MediaType, sniff
from app.models.client import Client
from app.store.attachments_repo import CHUNK_SIZE, AttachmentRepository
from app.store.db import Connection

if TYPE_CHECKING:
    from faker import Faker

SHARE_WITH_DOCUMENTS = 0.3  # about this many clients have documents
_ORGS = ["Riverside Housing Authority", "County Benefits Office", "Eastside Community Clinic",
         "Northgate Family Court", "Lakeview Pharmacy", "Harbor Employment Services"]


@dataclass(frozen=True, slots=True)
class _Template:
    data: bytes
    sha256: str
    media_type: MediaType
    kind: DocumentKind
    titles: tuple[str, ...]
    file_names: tuple[str, ...]


def _pdf(heading: str, org: str, lines: Sequence[str]) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=letter, invariant=True)
    page.setTitle(heading)
    width, height = letter
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, height - 72, org)
    page.setFont("Helvetica", 9)
    page.drawString(72, height - 88, "1200 Example Avenue · Springfield · (555) 010-0100")
    page.line(72, height - 96, width - 72, height - 96)
    page.setFont("Helvetica-Bold", 12)
    page.drawString(72, height - 130, heading)
    page.setFont("Helvetica", 11)
    y = height - 160
    for line in lines:
        page.drawString(72, y, line)
        y -= 16
    page.setFont("Helvetica-Oblique", 8)
    page.drawString(72, 60, "Synthetic demonstration document. Not a real record.")
    page.showPage()
    page.save()
    return out.getvalue()


def _png(width: int, height: int, rng: random.Random) -> bytes:
    """A photo of a sheet of paper on a table, as far as a few rectangles can be one."""
    table = (rng.randint(90, 140), rng.randint(70, 110), rng.randint(50, 80))
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            inside = width * 0.15 < x < width * 0.85 and height * 0.08 < y < height * 0.92
            if inside:
                text_line = (y - int(height * 0.2)) % 9 < 2 and width * 0.22 < x < width * (0.5 + (y % 7) / 20)
                shade = 70 if text_line else 242 - (x + y) % 6
                row += bytes((shade, shade, shade - 4 if shade > 10 else shade))
            else:
                row += bytes(table)
        rows.append(b"\x00" + bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _template(data: bytes, kind: DocumentKind, titles: Sequence[str], file_names: Sequence[str]) -> _Template:
    return _Template(data, hashlib.sha256(data).hexdigest(), sniff(data[:8192], complete=len(data) <= 8192),
                     kind, tuple(titles), tuple(file_names))


def _templates(rng: random.Random, fake: Faker) -> list[_Template]:
    letters = [
        ("Notice of housing benefit award", _ORGS[0], DocumentKind.LETTER,
         ["Your application for housing assistance has been approved.", "The award starts on the first of next month.",
          "Please bring proof of income to your review appointment."],
         ["Housing benefit award letter", "Housing authority letter"]),
        ("Appointment confirmation", _ORGS[2], DocumentKind.MEDICAL,
         ["This confirms your appointment with the psychiatry service.", "Please arrive 15 minutes early.",
          "Bring a list of the medicines you take."],
         ["Clinic appointment letter", "Psychiatry appointment confirmation"]),
        ("Authorization to release information", _ORGS[2], DocumentKind.FORM,
         ["I authorize the release of the information described below.", "Purpose: coordination of care.",
          "This authorization expires one year from the date signed."],
         ["Signed release of information", "Release form (clinic)"]),
        ("Notice of hearing", _ORGS[3], DocumentKind.LEGAL,
         ["A hearing has been scheduled in the matter named above.", "Courtroom 4B, 9:00 a.m.",
          "Contact the court liaison with any questions."],
         ["Court hearing notice", "Family court letter"]),
        ("Benefits review", _ORGS[1], DocumentKind.LETTER,
         ["Your benefits are due for review.", "Complete the enclosed form and return it within 30 days.",
          "Call us if you need help filling it in."],
         ["Benefits review letter", "Benefits office letter"]),
    ]
    templates = [_template(_pdf(heading, org, lines), kind, titles, ["Scan_{n}.pdf", "letter.pdf", "document{n}.pdf"])
                 for heading, org, kind, lines, titles in letters]
    templates.append(_template(_png(240, 180, rng), DocumentKind.PHOTO,
                               ["Photo of the pharmacy label", "Photo of the eviction notice", "Photo of the lease"],
                               ["IMG_{n}.PNG", "photo_{n}.png"]))
    templates.append(_template(_png(180, 240, rng), DocumentKind.IDENTITY,
                               ["Benefits card (front)", "State ID (copy)"], ["IMG_{n}.PNG"]))
    note = "\n".join(["Phone call with the landlord's office.", fake.sentence(nb_words=12),
                      "Agreed to send the rent ledger by Friday.", ""]).encode()
    templates.append(_template(note, DocumentKind.OTHER, ["Typed notes from the call", "Notes for the hearing"],
                               ["notes.txt", "call notes {n}.txt"]))
    return templates


def store_demo_attachments(conn: Connection, rng: random.Random, fake: Faker, clients: Sequence[Client],
                           today: date, new_id: Callable[[], str], by: str = "demo") -> int:
    """Attach a few synthetic documents to about 30% of `clients` (1–4 each, dated between their
    referral and `today`), inside the caller's transaction; returns how many were added."""
    repo = AttachmentRepository(conn)
    templates = _templates(rng, fake)
    added = 0
    for client in clients:
        if rng.random() >= SHARE_WITH_DOCUMENTS:
            continue
        start = client.fields.referral_date or today - timedelta(days=365)
        span = max(0, (today - start).days)
        for _index in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
            template = rng.choice(templates)
            day = start + timedelta(days=rng.randint(0, span))
            at = datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=UTC)
            attachment_id = new_id()
            pieces = [template.data[i:i + CHUNK_SIZE] for i in range(0, len(template.data), CHUNK_SIZE)]
            for seq, piece in enumerate(pieces):
                repo.add_chunk(new_id(), attachment_id, seq, piece, at)
            repo.add(Attachment(
                id=attachment_id, client_id=client.id, title=rng.choice(template.titles), kind=template.kind,
                media_type=template.media_type,
                file_name=rng.choice(template.file_names).format(n=rng.randint(1000, 9999)),
                size=len(template.data), sha256=template.sha256, added_by=by, added_at=at, updated_at=at,
            ), len(pieces), at)
            added += 1
    return added
