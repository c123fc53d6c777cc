"""Attachments: bytes in = bytes out (hash checked), the size limit, type sniffing from the bytes,
retitling and links, soft delete, and exports that are atomic, 0600, neutrally named and audited."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from app.models.attachments import (
    MAX_BYTES,
    DocumentKind,
    Link,
    LinkType,
    MediaType,
    export_file_name,
    format_size,
    sniff,
    title_from_file_name,
)
from app.models.safety_plan import PlanContent
from app.services.attachments import DocumentDamaged, ExportFailed
from app.services.clock import FixedClock
from app.services.errors import NotFound, ValidationError
from app.services.session import Session
from tests.conftest import person

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000002030101c95d2ec30000000049454e44ae426082"
)
PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def _client(session: Session, first: str = "Ana") -> str:
    return session.clients.create(person(first_name=first)).id


def _audit(session: Session, action: str) -> list[tuple[str, str, str]]:
    rows = session.connection.execute(
        "SELECT object_type, object_id, detail FROM audit WHERE action = ? ORDER BY seq", (action,)).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def _file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


# -- round trip --------------------------------------------------------------------------------


def test_a_file_comes_back_byte_for_byte_and_its_hash_is_kept(session: Session, tmp_path: Path) -> None:
    client_id = _client(session)
    data = os.urandom(2 * (1 << 20) + 12345)  # three chunks, the last one short
    source = _file(tmp_path / "in", "Scan_0042 housing letter.pdf", PDF_HEAD + data)
    before = source.stat()

    added = session.attachments.add_file(client_id, source)

    assert added.size == len(PDF_HEAD) + len(data)
    assert added.sha256 == hashlib.sha256(PDF_HEAD + data).hexdigest()
    assert added.media_type is MediaType.PDF and added.kind is DocumentKind.OTHER
    assert added.title == "Scan 0042 housing letter" and added.file_name == "Scan_0042 housing letter.pdf"
    assert added.added_by == session.actor and added.added_at == session.clock.now()
    assert session.attachments.read(added.id) == PDF_HEAD + data
    assert session.attachments.get(added.id) == added
    assert session.attachments.for_client(client_id) == [added]
    assert source.read_bytes() == PDF_HEAD + data and source.stat().st_mtime == before.st_mtime  # left alone
    chunks = session.connection.execute(
        "SELECT seq, length(data) FROM attachment_chunks WHERE attachment_id = ? ORDER BY seq", (added.id,)).fetchall()
    assert [(int(s), int(n)) for s, n in chunks] == [(0, 1 << 20), (1, 1 << 20), (2, added.size - 2 * (1 << 20))]


def test_bytes_from_memory_round_trip_and_the_newest_is_listed_first(session: Session, clock: FixedClock) -> None:
    client_id = _client(session)
    first = session.attachments.add_bytes(client_id, PNG_1PX, "IMG_2034.PNG", title="Front door")
    clock.advance(minutes=5)
    second = session.attachments.add_bytes(client_id, b"Appointment on Tuesday\n", "", kind=DocumentKind.LETTER)
    assert second.title == "Document" and second.media_type is MediaType.TEXT and second.kind is DocumentKind.LETTER
    assert first.media_type is MediaType.PNG and first.kind is DocumentKind.PHOTO
    assert [a.id for a in session.attachments.for_client(client_id)] == [second.id, first.id]
    assert session.attachments.read(first.id) == PNG_1PX
    assert session.attachments.count(client_id) == 2
    other = _client(session, "Beto")
    assert session.attachments.for_client(other) == []


def test_the_stored_bytes_cannot_be_changed_and_damage_is_caught(session: Session) -> None:
    client_id = _client(session)
    added = session.attachments.add_bytes(client_id, b"x" * 3000, "notes.txt")
    conn = session.connection
    with pytest.raises(Exception, match="cannot be changed"):
        conn.execute("UPDATE attachment_chunks SET data = ? WHERE attachment_id = ?", (b"y" * 3000, added.id))
    with pytest.raises(Exception, match="cannot be changed"):
        conn.execute("UPDATE attachments SET sha256 = ? WHERE id = ?", ("0" * 64, added.id))
    conn.execute("DELETE FROM attachment_chunks WHERE attachment_id = ?", (added.id,))
    with pytest.raises(DocumentDamaged, match="restore it from a backup"):
        session.attachments.read(added.id)


def test_every_change_is_audited_without_titles_names_or_file_names(session: Session, tmp_path: Path) -> None:
    client_id = _client(session, "Xylocanary")
    added = session.attachments.add_file(client_id, _file(tmp_path / "in", "Xylocanary-eviction.pdf", PDF_HEAD))
    session.attachments.update(added.id, title="Xylocanary's eviction notice", kind=DocumentKind.LEGAL, link=None)
    session.attachments.view(added.id)
    session.attachments.export(added.id, tmp_path / "out.pdf")
    session.attachments.delete(added.id)
    details = session.connection.execute(
        "SELECT action, object_type, object_id, detail FROM audit WHERE action LIKE 'attachment.%' ORDER BY seq"
    ).fetchall()
    assert [r[0] for r in details] == ["attachment.add", "attachment.update", "attachment.view",
                                       "attachment.export", "attachment.delete"]
    assert all(r[1] == "attachment" and r[2] == added.id for r in details)
    assert details[0][3] == f"client={client_id},type=pdf,kind=other,size={len(PDF_HEAD)}"
    assert details[1][3] == "fields=title,kind"
    text = " ".join(str(v) for row in session.connection.execute("SELECT * FROM audit") for v in row)
    assert "xylocanary" not in text.lower() and "eviction" not in text.lower()


# -- the size limit ----------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(session: Session, tmp_path: Path) -> None:
    client_id = _client(session)
    big = tmp_path / "in" / "big-scan.tiff"
    big.parent.mkdir()
    with big.open("wb") as handle:  # sparse: 25 MB and one byte, nothing really written
        handle.write(b"II*\x00")
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        session.attachments.add_file(client_id, big)
    assert caught.value.problems["file"] == (
        "This file is 25.1 MB; documents can be at most 25 MB. Scan it at a lower resolution or split it into "
        "parts, then add it again.")
    with pytest.raises(ValidationError, match="at most 25 MB"):
        session.attachments.check_file(big)
    assert session.connection.execute("SELECT count(*) FROM attachment_chunks").fetchone()[0] == 0
    assert _audit(session, "attachment.add") == []


def test_a_file_exactly_at_the_limit_is_accepted(session: Session, tmp_path: Path) -> None:
    client_id = _client(session)
    data = b"%PDF-1.7\n" + bytes(MAX_BYTES - 9)
    added = session.attachments.add_bytes(client_id, data, "full.pdf")
    assert added.size == MAX_BYTES
    assert session.attachments.read(added.id) == data
    with pytest.raises(ValidationError, match="This file is 25.1 MB"):
        session.attachments.add_bytes(client_id, data + b"!", "over.pdf")


def test_empty_missing_and_folder_paths_get_a_sentence_not_a_traceback(session: Session, tmp_path: Path) -> None:
    client_id = _client(session)
    empty = _file(tmp_path / "in", "Quintero.pdf", b"")
    with pytest.raises(ValidationError, match="This file is empty"):
        session.attachments.add_file(client_id, empty)
    with pytest.raises(ValidationError) as caught:
        session.attachments.add_file(client_id, tmp_path / "in" / "Quintero-gone.pdf")
    assert caught.value.problems["file"].startswith("The file could not be read (No such file or directory).")
    assert "Quintero" not in str(caught.value)  # the path is never repeated: it may name the client
    with pytest.raises(ValidationError, match="That is a folder"):
        session.attachments.add_file(client_id, tmp_path / "in")
    with pytest.raises(NotFound):
        session.attachments.add_bytes("no-such-client", PNG_1PX, "x.png")


def test_sizes_read_naturally_and_round_up_near_a_limit() -> None:
    assert format_size(12) == "12 bytes" and format_size(1) == "1 byte"
    assert format_size(812_000) == "812 kB"
    assert format_size(2_400_000) == "2.4 MB"
    assert format_size(MAX_BYTES) == "25 MB"
    assert format_size(MAX_BYTES + 1, round_up=True) == "25.1 MB"


# -- sniffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "expected"), [
    (PDF_HEAD, MediaType.PDF),
    (b"\r\n  junk before the header %PDF-1.3\n", MediaType.PDF),
    (PNG_1PX, MediaType.PNG),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", MediaType.JPEG),
    (b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", MediaType.JPEG),
    (b"II*\x00\x08\x00\x00\x00", MediaType.TIFF),
    (b"MM\x00*\x00\x00\x00\x08", MediaType.TIFF),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", MediaType.HEIC),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf", MediaType.HEIC),
    (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41", MediaType.OTHER),  # an MP4 video
    (b"GIF89a\x01\x00\x01\x00", MediaType.GIF),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", MediaType.WEBP),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", MediaType.OTHER),
    (b"Ms Quintero called about the lease.\nCall back Tuesday.\n", MediaType.TEXT),
    ("\ufeffNotas: la señora Núñez llamó".encode(), MediaType.TEXT),
    ("\ufeffUTF-16 note".encode("utf-16-le"), MediaType.TEXT),
    (b"PK\x03\x04\x14\x00\x06\x00", MediaType.OTHER),  # a Word file (zip)
    (b"text with a NUL\x00 in it", MediaType.OTHER),
    (b"\x7fELF\x02\x01\x01", MediaType.OTHER),
    (b"caf\xe9 latin-1 text", MediaType.OTHER),
    (b"   \n\n", MediaType.OTHER),
])
def test_the_type_comes_from_the_bytes(head: bytes, expected: MediaType) -> None:
    assert sniff(head, complete=True) is expected


def test_a_character_cut_by_the_sniffing_window_still_reads_as_text() -> None:
    head = ("a" * 8190 + "ñ").encode()[:8191]
    assert sniff(head) is MediaType.TEXT
    assert sniff(head, complete=True) is MediaType.OTHER


def test_the_extension_is_ignored_and_unknown_types_are_kept_as_other_files(session: Session, tmp_path: Path) -> None:
    client_id = _client(session)
    pdf_named_jpg = session.attachments.add_file(client_id, _file(tmp_path / "in", "photo.jpg", PDF_HEAD))
    png_named_pdf = session.attachments.add_file(client_id, _file(tmp_path / "in", "letter.pdf", PNG_1PX))
    word = session.attachments.add_file(client_id, _file(tmp_path / "in", "plan.docx", b"PK\x03\x04" + bytes(64)))
    assert (pdf_named_jpg.media_type, png_named_pdf.media_type, word.media_type) == (
        MediaType.PDF, MediaType.PNG, MediaType.OTHER)
    assert not word.media_type.previewable and word.media_type.label == "Other file"
    assert session.attachments.check_file(tmp_path / "in" / "letter.pdf").media_type is MediaType.PNG


def test_titles_start_from_the_file_name() -> None:
    assert title_from_file_name("IMG_2034.JPG") == "IMG 2034"
    assert title_from_file_name("C:\\Scans\\benefit   letter.final.pdf") == "benefit letter.final"
    assert title_from_file_name(".hidden") == ".hidden"
    assert title_from_file_name("") == ""


# -- changing and removing ----------------------------------------------------------------------


def test_retitle_change_kind_and_link_to_a_safety_plan(session: Session) -> None:
    client_id = _client(session)
    added = session.attachments.add_bytes(client_id, PNG_1PX, "scan.png")
    plan = session.safety_plans.save_draft(client_id, PlanContent(warning_signs=("Not sleeping",)), None)
    choices = session.attachments.link_choices(client_id)
    assert [c.label for c in choices] == ["Safety plan, version 1 (draft)"]
    link = Link(LinkType.SAFETY_PLAN, plan.id)
    updated = session.attachments.update(added.id, title="  Signed   page ", kind=DocumentKind.SIGNED_PAGE, link=link)
    assert (updated.title, updated.kind, updated.link) == ("Signed page", DocumentKind.SIGNED_PAGE, link)
    assert session.attachments.for_link(link) == [updated]
    assert session.attachments.link_label(updated) == "Safety plan, version 1 (draft)"
    assert session.attachments.read(added.id) == PNG_1PX
    assert _audit(session, "attachment.update")[-1][2] == "fields=title,kind,link"
    assert session.attachments.update(added.id, title="Signed page", kind=DocumentKind.SIGNED_PAGE,
                                      link=link) == updated  # nothing changed: nothing written
    assert len(_audit(session, "attachment.update")) == 1


def test_bad_titles_and_foreign_links_are_refused_per_field(session: Session) -> None:
    client_id = _client(session)
    other = _client(session, "Beto")
    added = session.attachments.add_bytes(client_id, PNG_1PX, "scan.png")
    foreign = session.safety_plans.save_draft(other, PlanContent(warning_signs=("x",)), None)
    with pytest.raises(ValidationError) as caught:
        session.attachments.update(added.id, title="   ", kind=DocumentKind.PHOTO,
                                   link=Link(LinkType.SAFETY_PLAN, foreign.id))
    assert set(caught.value.problems) == {"title", "link"}
    with pytest.raises(ValidationError, match="under 200 characters"):
        session.attachments.add_bytes(client_id, PNG_1PX, "x.png", title="x" * 201)
    assert session.attachments.get(added.id).title == "scan"


def test_delete_is_soft_and_audited(session: Session) -> None:
    client_id = _client(session)
    kept = session.attachments.add_bytes(client_id, PNG_1PX, "a.png")
    removed = session.attachments.add_bytes(client_id, b"%PDF-1.4 gone", "b.pdf")
    session.attachments.delete(removed.id)
    assert session.attachments.for_client(client_id) == [kept]
    with pytest.raises(NotFound, match="The document could not be found"):
        session.attachments.get(removed.id)
    with pytest.raises(NotFound):
        session.attachments.delete(removed.id)
    row = session.connection.execute("SELECT deleted_at, size FROM attachments WHERE id = ?", (removed.id,)).fetchone()
    assert row[0] is not None and row[1] == 13  # still in the vault, out of every list
    assert session.connection.execute("SELECT count(*) FROM attachment_chunks WHERE attachment_id = ?",
                                      (removed.id,)).fetchone()[0] == 1
    assert _audit(session, "attachment.delete") == [("attachment", removed.id, f"client={client_id}")]


# -- export ------------------------------------------------------------------------------------


def test_export_is_atomic_private_neutrally_named_and_audited(session: Session, tmp_path: Path) -> None:
    client_id = _client(session, "Quintero")
    data = PDF_HEAD + os.urandom(1 << 20)
    added = session.attachments.add_bytes(client_id, data, "Ana Quintero discharge.pdf", title="Ana's discharge")
    out = tmp_path / "exports"
    out.mkdir()

    written = session.attachments.export(added.id, out)

    assert written.parent == out and written.name == export_file_name(added)
    assert written.name.startswith("waypoint-document-20261126-") and written.suffix == ".pdf"
    assert "quintero" not in written.name.lower() and "discharge" not in written.name.lower()
    assert written.read_bytes() == data
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == [written.name]  # no temp file left behind
    assert _audit(session, "attachment.export") == [
        ("attachment", added.id, f"client={client_id},type=pdf,size={len(data)}")]
    chosen = session.attachments.export(added.id, out / "letter for the GP.pdf")
    assert chosen.read_bytes() == data and stat.S_IMODE(chosen.stat().st_mode) == 0o600


def test_an_export_that_fails_leaves_the_old_file_and_no_audit_entry(session: Session, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client_id = _client(session)
    added = session.attachments.add_bytes(client_id, PDF_HEAD, "a.pdf")
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "copy.pdf"
    target.write_bytes(b"the previous copy")

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ExportFailed, match=r"\(No space left on device\)\. Nothing was written"):
        session.attachments.export(added.id, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"the previous copy"
    assert sorted(p.name for p in out.iterdir()) == ["copy.pdf"]
    assert _audit(session, "attachment.export") == []
    with pytest.raises(ExportFailed):
        session.attachments.export(added.id, tmp_path / "no-such-folder" / "copy.pdf")
    assert _audit(session, "attachment.export") == []


def test_notes_plans_and_referrals_offer_themselves_as_links(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id = _client(session)
    monkeypatch.setattr(session.notes, "attachment_targets", lambda cid: [("note-1", "Home visit, 3 Nov 2026")],
                        raising=False)

    def not_yet(_cid: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    monkeypatch.setattr(session.care_plans, "attachment_targets", not_yet, raising=False)
    choices = session.attachments.link_choices(client_id)
    assert [(c.link, c.label) for c in choices] == [(Link(LinkType.NOTE, "note-1"), "Home visit, 3 Nov 2026")]
    added = session.attachments.add_bytes(client_id, PNG_1PX, "a.png", link=Link(LinkType.NOTE, "note-1"))
    assert session.attachments.for_link(Link(LinkType.NOTE, "note-1")) == [added]
    assert session.attachments.link_label(added) == "Home visit, 3 Nov 2026"
    with pytest.raises(ValidationError) as caught:
        session.attachments.add_bytes(client_id, PNG_1PX, "b.png", link=Link(LinkType.NOTE, "someone-elses"))
    assert caught.value.problems == {"link": "That contact note is not in this client's record. Choose another link."}
    # A care plan (whose service can't list targets yet) is taken at its word.
    plan_doc = session.attachments.add_bytes(client_id, PNG_1PX, "c.png", kind=DocumentKind.SIGNED_PAGE,
                                             link=Link(LinkType.CARE_PLAN, "plan-1"))
    assert session.attachments.link_label(plan_doc) == "Care plan"


def test_demo_documents_are_stored_whole_and_dated_within_each_clients_time(session: Session) -> None:
    import random
    import uuid

    from faker import Faker

    from app.services.demo_attachments import store_demo_attachments

    clients = [session.clients.get(_client(session, f"Demo{i}")) for i in range(12)]
    rng = random.Random(4)
    fake = Faker()
    fake.seed_instance(4)
    with session.write() as conn:
        added = store_demo_attachments(conn, rng, fake, clients, session.clock.today(),
                                       lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    docs = [d for c in clients for d in session.attachments.for_client(c.id)]
    assert added == len(docs) > 0
    for doc in docs:
        assert hashlib.sha256(session.attachments.read(doc.id)).hexdigest() == doc.sha256
        assert doc.added_on is not None and doc.added_on <= session.clock.today()
    assert {d.media_type for d in docs} <= {MediaType.PDF, MediaType.PNG, MediaType.TEXT}


def test_a_document_links_to_a_note_a_care_plan_or_a_referral_of_the_same_client(session: Session) -> None:
    """The link choices come from the notes, care plans and referrals out; a link elsewhere is refused."""
    from app.models.attachments import Link, LinkType
    from app.models.contacts import ContactFields, ContactKind
    from app.models.notes import ContactType, NoteFields
    from app.models.service_referral import ServiceReferralFields
    from app.services.errors import ValidationError
    from tests.conftest import person

    client = session.clients.create(person(first_name="Teodora", last_name="Ñúñez"))
    other = session.clients.create(person(first_name="Wilhelmina", last_name="Østby"))
    note = session.notes.save_draft(client.id, NoteFields(ContactType.PHONE, session.clock.today()))
    plan = session.care_plans.start_draft(client.id)
    agency = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbour Housing Trust"))
    referral = session.service_referrals.create(client.id, ServiceReferralFields(agency.id, "Housing support", "Notice"))
    choices = {choice.link.type: choice for choice in session.attachments.link_choices(client.id)}
    assert {LinkType.NOTE, LinkType.CARE_PLAN, LinkType.SERVICE_REFERRAL} <= set(choices)
    assert choices[LinkType.NOTE].link.id == note.id and "Phone" in choices[LinkType.NOTE].label
    assert choices[LinkType.CARE_PLAN].link.id == plan.id and "version 1" in choices[LinkType.CARE_PLAN].label
    assert choices[LinkType.SERVICE_REFERRAL].link.id == referral.id and "Housing support" in choices[LinkType.SERVICE_REFERRAL].label
    doc = session.attachments.add_bytes(client.id, b"%PDF-1.4 scanned page", "scan.pdf", title="Signed plan page")
    linked = session.attachments.update(doc.id, title=doc.title, kind=doc.kind, link=Link(LinkType.CARE_PLAN, plan.id))
    assert linked.link == Link(LinkType.CARE_PLAN, plan.id)
    elsewhere = session.notes.save_draft(other.id, NoteFields(ContactType.PHONE, session.clock.today()))
    with pytest.raises(ValidationError):
        session.attachments.update(doc.id, title=doc.title, kind=doc.kind, link=Link(LinkType.NOTE, elsewhere.id))
