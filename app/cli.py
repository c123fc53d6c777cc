"""The `waypoint` command: starts the app, and is the automation interface to a vault.

Exit codes: 0 ok · 1 failed (the message says why) · 2 usage · 3 wrong passphrase or key ·
4 integrity problem. Passphrases come from a prompt, --passphrase-file FILE (first line) or
WAYPOINT_PASSPHRASE; --recovery-key KEY may replace a passphrase wherever one is needed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.i18n import _, ngettext

if TYPE_CHECKING:
    from app.services.context import AppServices
    from app.services.reporting import ReportRequest
    from app.services.session import Session

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WRONG_SECRET, EXIT_INTEGRITY = 0, 1, 2, 3, 4
log = logging.getLogger("waypoint.cli")


class UsageError(Exception):
    pass


def _parser(list_kinds: bool = True) -> argparse.ArgumentParser:
    """The command line. `list_kinds` False leaves the report kinds out of `report`'s help, so
    starting the app does not load the report catalogue."""
    parser = argparse.ArgumentParser(
        prog="waypoint",
        description=_("Waypoint: encrypted, offline case management. With no command, starts the app."),
    )
    parser.add_argument("--version", action="version", version=f"Waypoint {__version__}")
    parser.add_argument("--vault", metavar="DIR", type=Path, help=_("open this vault folder in the app"))
    parser.add_argument(
        "--demo", action="store_true", help=_("start the app on a fresh demo vault of synthetic clients")
    )
    parser.add_argument("--debug", action="store_true", help=_("debug logging (never includes client data)"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check that this installation is complete (a temporary vault; nothing of yours is touched)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def recipient_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--recipient", metavar="CONTACT_ID",
                       help=_("the contact it goes to (from `waypoint contacts`): checked and recorded as a disclosure"))
        p.add_argument("--purpose", metavar="TEXT", default="",
                       help=_("the purpose of the disclosure (default: the release's purposes)"))

    def secret_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--passphrase-file", metavar="FILE", type=Path, help=_("read the passphrase from the first line of FILE"))
        p.add_argument("--recovery-key", metavar="KEY", help=_("unlock with the recovery key instead of the passphrase"))

    p = sub.add_parser("init", help=_("create a new vault"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--passphrase-file", metavar="FILE", type=Path, help=_("read the new passphrase from FILE"))
    p.add_argument("--emergency-kit", metavar="PDF", type=Path, help=_("also save the emergency kit PDF here"))

    p = sub.add_parser("check", help=_("verify database integrity, cipher integrity and the audit chain"))
    p.add_argument("dir", type=Path, metavar="DIR")
    secret_options(p)

    p = sub.add_parser("import-clients", help=_("import clients from a CSV file (all rows or none)"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("csv", type=Path, metavar="FILE.csv")
    secret_options(p)

    p = sub.add_parser("clients", help=_("list clients"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--search", metavar="TEXT", help=_("only clients matching name, phone or client code"))
    p.add_argument("--archived", action="store_true", help=_("include archived clients"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    secret_options(p)

    p = sub.add_parser("contacts", help=_("list the contacts directory, or one client's care team"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--client", metavar="ID", help=_("that client's care team, with roles and release status"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    secret_options(p)

    p = sub.add_parser("backup", help=_("write a verified, encrypted backup"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("dest", type=Path, metavar="DEST", help=_("a folder, or a file ending .wpbackup"))
    secret_options(p)

    p = sub.add_parser("restore", help=_("restore a backup into DIR, keeping the vault that was there"))
    p.add_argument("backup", type=Path, metavar="BACKUP")
    p.add_argument("dir", type=Path, metavar="DIR")
    secret_options(p)

    p = sub.add_parser("passphrase", help=_("change the passphrase (the database is not rewritten)"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--new-passphrase-file", metavar="FILE", type=Path, help=_("read the new passphrase from FILE"))
    secret_options(p)

    sub.add_parser("instruments", help=_("list the screening instruments (ids, names, versions)"))

    p = sub.add_parser("score", help=_("score one administration of an instrument"))
    p.add_argument("instrument", metavar="ID", help=_("an id from `waypoint instruments`"))
    p.add_argument("--answers", required=True, metavar="LIST",
                   help=_('answers in item order, e.g. "0,1,2,,3" (blank = missing; y/n for yes/no items)'))
    p.add_argument("--sex", choices=("female", "male"), help=_("for sex-specific thresholds (AUDIT-C)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("agenda", help=_("list follow-ups in a period, with status and overdue flag"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--from", dest="start", metavar="DATE", help=_("first day, YYYY-MM-DD (default: today)"))
    p.add_argument("--days", type=int, default=7, metavar="N", help=_("how many days (default: 7)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    secret_options(p)

    p = sub.add_parser("export-ics", help=_("write upcoming follow-ups to an iCalendar file"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("out", type=Path, metavar="OUT.ics")
    p.add_argument("--days", type=int, default=30, metavar="N", help=_("how many days ahead (default: 30)"))
    p.add_argument("--names", choices=("code", "initials", "full"), default="code",
                   help=_("how clients are named (default: client code only)"))
    secret_options(p)

    p = sub.add_parser("export-fhir", help=_("write one client's record as a FHIR R4 JSON bundle"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--client", required=True, metavar="ID", help=_("the client's id (from `waypoint clients --json`)"))
    p.add_argument("out", type=Path, metavar="OUT.json")
    recipient_options(p)
    p.add_argument("--override-reason", metavar="TEXT",
                   help=_("send it although no valid release covers everything, for this reason (recorded)"))
    secret_options(p)

    p = sub.add_parser("report", help=_("write a report as PDF, checked against the recipient's releases"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("out", type=Path, metavar="OUT.pdf", help=_("the PDF to write (a folder: a neutral name inside)"))
    p.add_argument("--kind", required=True, metavar="KIND",
                   help=_("one of: {kinds}").format(kinds=", ".join(_kinds())) if list_kinds else None)
    p.add_argument("--client", metavar="ID", help=_("the client's id (not needed for caseload and mileage)"))
    p.add_argument("--sections", metavar="S,…", help=_("only these sections, comma-separated (minimum necessary)"))
    p.add_argument("--password-file", dest="pdf_password_file", metavar="F", type=Path,
                   help=_("protect the PDF (AES-256) with the password on the first line of F"))
    p.add_argument("--from", dest="start", metavar="DATE", help=_("first day of the period, YYYY-MM-DD"))
    p.add_argument("--to", dest="end", metavar="DATE", help=_("last day of the period, YYYY-MM-DD"))
    p.add_argument("--deidentify", action="store_true", help=_("name clients by client code only"))
    recipient_options(p)
    p.add_argument("--override-reason", metavar="TEXT",
                   help=_("include sections no valid release covers, for this reason (recorded)"))
    secret_options(p)

    p = sub.add_parser("demo", help=_("create a vault of synthetic clients"))
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--clients", type=int, required=True, metavar="N")
    p.add_argument("--seed", type=int, metavar="S", help=_("the same seed gives the same clients"))
    p.add_argument("--passphrase-file", metavar="FILE", type=Path, help=_("use this passphrase instead of a generated one"))
    return parser


def _kinds() -> list[str]:
    from app.services.reporting import KINDS

    return list(KINDS)


# -- passphrases -------------------------------------------------------------------------------


def _read_secret_file(path: Path) -> str:
    try:
        text = path.read_text("utf-8-sig")  # a byte-order mark (Windows Notepad) is not part of it
    except OSError as exc:
        raise UsageError(_("Can't read the passphrase file {path}: {reason}.").format(path=path, reason=exc.strerror)) from None
    except UnicodeDecodeError:
        raise UsageError(
            _("The passphrase file {path} is not UTF-8 text. Save it as UTF-8 and try again.").format(path=path)
        ) from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise UsageError(
            _("The passphrase file {path} is empty: the passphrase is read from its first line.").format(path=path)
        )
    return line


def _prompt(label: str) -> str:
    if not sys.stdin.isatty():
        raise UsageError(
            _("No passphrase given. Use --passphrase-file FILE or set WAYPOINT_PASSPHRASE, or run in a terminal.")
        )
    return getpass.getpass(label)


def _existing_secret(args: argparse.Namespace) -> dict[str, str]:
    """{'passphrase': …} or {'recovery_key': …} from the options, environment or a prompt."""
    if getattr(args, "recovery_key", None):
        return {"recovery_key": args.recovery_key}
    if getattr(args, "passphrase_file", None):
        return {"passphrase": _read_secret_file(args.passphrase_file)}
    env = os.environ.get("WAYPOINT_PASSPHRASE")
    if env:
        return {"passphrase": env}
    return {"passphrase": _prompt(_("Passphrase: "))}


def _new_secret(file: Path | None, *, allow_env: bool) -> tuple[str, str | None]:
    """(passphrase, confirmation) — the confirmation is None when it came from a file or env."""
    if file is not None:
        return _read_secret_file(file), None
    env = os.environ.get("WAYPOINT_PASSPHRASE") if allow_env else None
    if env:
        return env, None
    first = _prompt(_("New passphrase (at least 15 characters): "))
    second = _prompt(_("Type it again: "))
    return first, second


# -- wiring ------------------------------------------------------------------------------------


def _unlock(s: AppServices, folder: Path, args: argparse.Namespace, *, damaged_ok: bool = False) -> Session:
    """An open session. A vault whose database failed its checks opens read-only; only `check`
    goes on with it — every other command stops with exit 4 (VaultDamaged)."""
    from app.store.errors import VaultDamaged

    session = s.vaults.unlock(folder, **_existing_secret(args))
    if session.problems and not damaged_ok:
        problems = session.problems
        session.close()
        raise VaultDamaged(problems)
    return session


def _print(text: str = "") -> None:
    print(text, flush=True)


def _cmd_init(args: argparse.Namespace, s: AppServices) -> int:
    passphrase, confirm = _new_secret(args.passphrase_file, allow_env=True)
    created = s.vaults.create(args.dir, passphrase, confirm)
    try:
        _print(_("Created a vault in {folder}").format(folder=args.dir))
        _print(f"Recovery key: {created.recovery_key}")
        if args.emergency_kit:
            from app.services.exports import save_emergency_kit

            path = save_emergency_kit(created.session, created.recovery_key, args.emergency_kit)
            _print(_("Emergency kit saved to {path}").format(path=path))
        _print(_("The recovery key is shown only once. Write it down or print the emergency kit, "
                 "and keep it away from this laptop."))
    finally:
        created.session.close()
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, s: AppServices) -> int:
    session = _unlock(s, args.dir, args, damaged_ok=True)
    try:
        report = s.vaults.check(session)
    finally:
        session.close()
    _print(_("Format version: {v}").format(v=report.version))
    _print(_("Clients: {n}").format(n=report.clients))
    if report.problems:
        _print(_("Database: DAMAGED"))
        for problem in report.problems:
            _print(f"  - {problem}")
    else:
        _print(_("Database integrity: ok"))
        _print(_("Cipher integrity: ok"))
    if report.chain.ok:
        _print(_("Audit trail: ok ({n} entries)").format(n=report.chain.entries))
    else:
        _print(_("Audit trail: BROKEN — {where}").format(where=report.chain.problem))
    if not report.ok:
        _print(_("Restore the vault from a backup: waypoint restore BACKUP DIR"))
        return EXIT_INTEGRITY
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, s: AppServices) -> int:
    from app.services.importer import ImportFailed, import_clients, parse_rows, read_csv

    # Validate the file before asking for the passphrase: nothing is unlocked for a bad file.
    try:
        parse_rows(read_csv(args.csv), s.vaults.clock.today())
    except ImportFailed as exc:
        return _import_failed(exc)
    session = _unlock(s, args.dir, args)
    try:
        ids = import_clients(session, args.csv)
    except ImportFailed as exc:
        return _import_failed(exc)
    finally:
        session.close()
    _print(ngettext("Imported {n} client.", "Imported {n} clients.", len(ids)).format(n=len(ids)))
    return EXIT_OK


def _import_failed(exc: Exception) -> int:
    from app.services.importer import ImportFailed

    assert isinstance(exc, ImportFailed)
    print(f"Error: {exc}", file=sys.stderr)
    for problem in exc.rows:
        print(_("  line {line}: {message}").format(line=problem.line, message=problem.message), file=sys.stderr)
    return EXIT_FAILED


def _cmd_clients(args: argparse.Namespace, s: AppServices) -> int:
    from app.i18n import format_date

    session = _unlock(s, args.dir, args)
    try:
        if args.search:
            rows = session.clients.search(args.search, include_archived=args.archived)
        else:
            rows = session.clients.roster(include_archived=args.archived)
    finally:
        session.close()
    if args.json:
        out = [
            {
                "id": r.id,
                "client_code": r.client_code,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "preferred_name": r.preferred_name,
                "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
                "stage": r.stage.value,
                "phone": r.phone,
                "archived": r.archived,
            }
            for r in rows
        ]
        _print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _print(_("No clients match.") if args.search else _("The vault has no clients yet."))
        return EXIT_OK
    width = max(len(r.display_name) for r in rows)
    for r in rows:
        archived = "  " + _("(archived)") if r.archived else ""
        _print(f"{r.client_code:<8}{r.display_name:<{width + 2}}{format_date(r.date_of_birth, 'short'):<12}{r.stage.label}{archived}")
    _print(ngettext("{n} client", "{n} clients", len(rows)).format(n=len(rows)))
    return EXIT_OK


def _cmd_contacts(args: argparse.Namespace, s: AppServices) -> int:
    from app.services.errors import NotFound

    session = _unlock(s, args.dir, args)
    try:
        if args.client:
            try:
                session.clients.get(args.client)
            except NotFound:
                print(_("Error: there is no client with the id {id} in this vault. "
                        "List the ids with: waypoint clients DIR --json").format(id=args.client), file=sys.stderr)
                return EXIT_FAILED
            rows = [{"id": m.contact.id, "name": m.contact.name, "organization": m.contact.fields.organisation,
                     "role": m.role, "release": session.consents.status(args.client, m.contact.id).value}
                    for m in session.contacts.team(args.client)]
        else:
            rows = [{"id": c.id, "name": c.name, "organization": c.fields.organisation, "role": c.fields.role,
                     "kind": c.kind.value}
                    for c in sorted(session.contacts.directory(), key=lambda c: c.name.casefold())]
    finally:
        session.close()
    if args.json:
        _print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _print(_("No one is on this client's care team yet.") if args.client else
               _("The contacts directory is empty."))
        return EXIT_OK
    width = max(len(str(r["name"])) for r in rows)
    for r in rows:
        extra = f"  [{_('release')}: {r['release']}]" if args.client else ""
        where = " · ".join(str(v) for v in (r["role"], r["organization"]) if v)
        _print(f"{r['name']!s:<{width + 2}}{where}{extra}")
    _print(ngettext("{n} contact", "{n} contacts", len(rows)).format(n=len(rows)))
    return EXIT_OK


def _cmd_backup(args: argparse.Namespace, s: AppServices) -> int:
    session = _unlock(s, args.dir, args)
    try:
        result = s.backups.backup_now(session, args.dest)
    finally:
        session.close()
    _print(_("Backup written and verified: {path}").format(path=result.path))
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace, s: AppServices) -> int:
    result = s.backups.restore(args.backup, args.dir, **_existing_secret(args))
    from app.i18n import format_datetime
    from app.models.timefmt import from_iso

    made = from_iso(result.manifest.created_at)
    _print(_("Restored the backup made {when} into {folder}.").format(when=format_datetime(made), folder=result.folder))
    if result.previous is not None:
        _print(_("The vault that was there is kept at {path}").format(path=result.previous))
    return EXIT_OK


def _cmd_passphrase(args: argparse.Namespace, s: AppServices) -> int:
    session = _unlock(s, args.dir, args)
    try:
        new, confirm = _new_secret(args.new_passphrase_file, allow_env=False)
        s.vaults.change_passphrase(session, new, confirm)
    finally:
        session.close()
    _print(_("Passphrase changed. The old passphrase no longer opens this vault."))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, s: AppServices) -> int:
    from app.services import demo, passphrases

    if args.clients < 0:
        raise UsageError(_("--clients must be 0 or more."))
    if args.passphrase_file:
        passphrase = _read_secret_file(args.passphrase_file)
        shown = False
    else:
        given = os.environ.get("WAYPOINT_PASSPHRASE")
        passphrase = given or passphrases.generate()
        shown = not given  # an empty WAYPOINT_PASSPHRASE counts as not set, as when unlocking
    created = s.vaults.create(args.dir, passphrase, demo=True)
    try:
        demo.populate(created.session, args.clients, args.seed)
    finally:
        created.session.close()
    _print(_("Created a demo vault of {n} synthetic clients in {folder}").format(n=args.clients, folder=args.dir))
    if shown:
        # A demo vault holds only invented people; its passphrase is shown so it can be opened.
        _print(f"Passphrase: {passphrase}")
    _print(f"Recovery key: {created.recovery_key}")
    return EXIT_OK


def _cmd_instruments(args: argparse.Namespace, s: AppServices) -> int:
    from app.services import instruments

    for instrument in instruments.catalog().values():
        _print(f"{instrument.id:<16}{instrument.short_name:<28}{instrument.version:<8}{instrument.name}")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, s: AppServices) -> int:
    from app.models.instruments import parse_answers, score
    from app.services import instruments

    try:
        instrument = instruments.get(args.instrument)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    try:
        result = score(instrument, parse_answers(instrument, args.answers), sex=args.sex)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        out: dict[str, object] = {
            "instrument": instrument.id, "version": instrument.version, "total": result.total,
            "band": result.band, "positive": result.positive, "flags": list(result.flag_ids),
            "valid": result.valid, "prorated": result.prorated, "missing": list(result.missing),
        }
        if instrument.percent_multiplier:
            out["percent"] = result.percent
        if instrument.method == "cssrs_screener":
            out["risk"] = result.risk
        if result.problem:
            out["problem"] = result.problem
        _print(json.dumps(out, ensure_ascii=False))
        return EXIT_OK
    if instrument.method == "cssrs_screener":
        _print(_("{name}: risk {risk}").format(name=instrument.short_name, risk=result.risk))
    elif result.valid:
        percent = f" ({result.percent} %)" if result.percent is not None else ""
        verdict = {True: _("positive"), False: _("negative"), None: ""}[result.positive]
        _print(f"{instrument.short_name}: {result.total}{percent} — {result.band}" + (f" — {verdict}" if verdict else ""))
        if result.prorated:
            _print(_("Prorated: {n} item(s) unanswered ({items}).").format(n=len(result.missing), items=", ".join(result.missing)))
    if result.problem:
        _print(result.problem)
    for flag in result.flags:
        _print(_("FLAG {id}: {message}").format(id=flag.id, message=flag.message))
    return EXIT_OK


def _cmd_agenda(args: argparse.Namespace, s: AppServices) -> int:
    from datetime import date, timedelta

    from app.i18n import format_date

    if not 1 <= args.days <= 366:
        raise UsageError(_("--days must be between 1 and 366."))
    try:
        start = date.fromisoformat(args.start) if args.start else s.vaults.clock.today()
    except ValueError:
        raise UsageError(_("--from needs a date as YYYY-MM-DD, for example 2026-12-01.")) from None
    session = _unlock(s, args.dir, args)
    try:
        today = session.clock.today()
        found = session.follow_ups.occurrences(start, start + timedelta(days=args.days - 1))
    finally:
        session.close()
    if args.json:
        out = [
            {
                "id": o.follow_up_id,
                "client_id": o.client_id,
                "client_code": o.client_code,
                "original_start": o.original_start.isoformat(timespec="minutes"),
                "start": o.starts_at.isoformat(timespec="minutes"),
                "end": o.ends_at.isoformat(timespec="minutes"),
                "tz": o.tz,
                "all_day": o.all_day,
                "type": o.kind.value,
                "status": o.status.value,
                "overdue": o.overdue(today),
                "recurring": o.recurring,
                "tier": o.tier,
            }
            for o in found
        ]
        _print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        _print(_("No follow-ups in this period."))
        return EXIT_OK
    for o in found:
        when = _("all day") if o.all_day else o.start.strftime("%H:%M")
        flag = "  " + _("OVERDUE") if o.overdue(today) else ""
        _print(f"{format_date(o.on, 'short'):<12}{when:<9}{o.client_code:<10}{o.kind.label:<26}{o.status.label}{flag}")
    _print(ngettext("{n} follow-up", "{n} follow-ups", len(found)).format(n=len(found)))
    return EXIT_OK


def _cmd_export_ics(args: argparse.Namespace, s: AppServices) -> int:
    from app.services.calendar_export import Naming, export_ics

    if not 1 <= args.days <= 366:
        raise UsageError(_("--days must be between 1 and 366."))
    session = _unlock(s, args.dir, args)
    try:
        path, count = export_ics(session, args.out, days=args.days, naming=Naming(args.names))
    finally:
        session.close()
    _print(ngettext("Wrote {n} follow-up to {path}", "Wrote {n} follow-ups to {path}", count).format(n=count, path=path))
    return EXIT_OK


def _cmd_export_fhir(args: argparse.Namespace, s: AppServices) -> int:
    from app.services.errors import NotFound
    from app.services.fhir_export import write_fhir

    session = _unlock(s, args.dir, args)
    try:
        try:
            session.clients.get(args.client)
        except NotFound:
            print(_("Error: there is no client with the id {id} in this vault. "
                    "List the ids with: waypoint clients DIR --json").format(id=args.client), file=sys.stderr)
            return EXIT_FAILED
        try:
            path, count = write_fhir(session, args.client, args.out, s.settings, contact_id=args.recipient or None,
                                     purpose=args.purpose, override_reason=args.override_reason or "")
        except ValueError as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            print(_("Nothing was written."), file=sys.stderr)
            return EXIT_FAILED
    finally:
        session.close()
    _print(ngettext("Wrote {n} FHIR resource to {path}", "Wrote {n} FHIR resources to {path}", count).format(
        n=count, path=path))
    if args.recipient:
        _print(_("Recorded 1 disclosure in the accounting of disclosures."))
    return EXIT_OK


def _report_request(args: argparse.Namespace) -> ReportRequest:
    """The request from the options, checked before the vault is opened (exit 2 on a mistake)."""
    from datetime import date

    from app.reports.engine import Identify, choose_sections
    from app.services.reporting import ReportRequest, kind

    try:
        k = kind(args.kind)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        known = k.sections
    except ImportError:
        raise UsageError(_("The {kind} report is not available in this version.").format(kind=args.kind)) from None
    sections: tuple[str, ...] | None = None
    if args.sections is not None:
        sections = tuple(dict.fromkeys(p.strip() for p in args.sections.split(",") if p.strip()))
        if not sections:
            raise UsageError(_("--sections needs at least one section. Choose from: {known}.").format(
                known=", ".join(known)))
        try:
            choose_sections(known, sections)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if k.needs_client and not args.client:
        raise UsageError(_("The {kind} report is about one client: add --client ID (from `waypoint clients "
                           "DIR --json`).").format(kind=args.kind))
    if args.recipient and not k.to_recipient:
        raise UsageError(_("The {kind} report is not sent to a recipient. Leave out --recipient.").format(
            kind=args.kind))
    period: list[date | None] = []
    for option, value in (("--from", args.start), ("--to", args.end)):
        if value and not k.uses_period:
            raise UsageError(_("The {kind} report has no period: leave out {option}.").format(
                kind=args.kind, option=option))
        try:
            period.append(date.fromisoformat(value) if value else None)
        except ValueError:
            raise UsageError(_("{option} needs a date as YYYY-MM-DD, for example 2026-12-01.").format(
                option=option)) from None
    if period[0] and period[1] and period[0] > period[1]:
        raise UsageError(_("The period starts after it ends. Put the --from date first."))
    return ReportRequest(k.key, args.client if k.needs_client or args.client else None, sections,
                         period[0], period[1], Identify.CODE if args.deidentify else Identify.FULL)


def _pdf_password(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise UsageError(_("Can't read the password file {path}. Save the password as UTF-8 text on its first "
                           "line.").format(path=path)) from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise UsageError(_("The password file {path} is empty: the password is read from its first line.").format(
            path=path))
    return line


def _stderr_progress(done: int, total: int) -> None:
    """A one-line counter on a terminal (redrawn about a hundred times); nothing when stderr is a
    file or a pipe, so logs don't fill with counts."""
    if not total or not sys.stderr.isatty():
        return
    if done == total or done * 100 // total != (done - 1) * 100 // total:
        print(_("\r{done} of {total} clients").format(done=done, total=total), end="" if done < total else "\n",
              file=sys.stderr, flush=True)


def _cmd_report(args: argparse.Namespace, s: AppServices) -> int:
    from app.services import report_export
    from app.services.reporting import letterhead_from

    request = _report_request(args)
    password = _pdf_password(args.pdf_password_file)
    reason = (args.override_reason or "").strip()
    session = _unlock(s, args.dir, args)
    try:
        try:
            checked = report_export.check(session, request, args.recipient or None)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not checked.fully_covered and not reason:
            print(_("Error: {message}").format(message=checked.message()), file=sys.stderr)
            print(_("Nothing was written. Record a release for the recipient, choose --sections it covers, or "
                    "give --override-reason TEXT."), file=sys.stderr)
            return EXIT_FAILED
        try:
            prepared = report_export.prepare(
                session, request, letterhead_from(s.settings), contact_id=args.recipient or None,
                override_reason=reason, purpose=args.purpose,
                progress=_stderr_progress if request.kind == "caseload" else None)
            path = report_export.save(session, prepared, args.out, password=password)
        except ValueError as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            return EXIT_FAILED
    finally:
        session.close()
    n = len(prepared.included)
    _print(ngettext("Wrote {path} ({n} section)", "Wrote {path} ({n} sections)", n).format(path=path, n=n))
    if prepared.contact_id is not None:
        _print(_("Recorded 1 disclosure in the accounting of disclosures."))
    return EXIT_OK


_COMMANDS = {
    "init": _cmd_init,
    "check": _cmd_check,
    "import-clients": _cmd_import,
    "clients": _cmd_clients,
    "contacts": _cmd_contacts,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
    "passphrase": _cmd_passphrase,
    "demo": _cmd_demo,
    "instruments": _cmd_instruments,
    "score": _cmd_score,
    "agenda": _cmd_agenda,
    "export-ics": _cmd_export_ics,
    "export-fhir": _cmd_export_fhir,
    "report": _cmd_report,
}


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str]) -> int:
    parser = _parser(list_kinds="report" in argv)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)

    if args.self_test:
        from app.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        from app.main import run_gui

        return run_gui(vault=args.vault, demo=args.demo, debug=args.debug)
    from app.store.errors import VaultError

    try:
        from app.services.context import start_process

        services = start_process(args.debug)
        return _COMMANDS[args.command](args, services)
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VaultError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        problems = getattr(exc, "problems", None)
        if isinstance(problems, dict):
            for message in problems.values():
                if message != str(exc):
                    print(f"  {message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("Cancelled."), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (`waypoint agenda … | head`): stop quietly
        _quiet_stdout()
        return 0
    except OSError as exc:
        print(f"Error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILED
