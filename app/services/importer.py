"""Import a roster from a spreadsheet's CSV export: all rows or none.

Header row required. Columns first_name, last_name and date_of_birth are required; the others
(see COLUMNS) are optional. Every bad row is reported with its line number and nothing is
imported until the file is clean.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.i18n import _, parse_date
from app.models.client import ClientFields, validate_client
from app.services.errors import ValidationError

if TYPE_CHECKING:
    from app.services.session import Session

REQUIRED = ("first_name", "last_name", "date_of_birth")
COLUMNS = ClientFields.names()
ALIASES = {"state": "region", "zip": "postal_code", "zip_code": "postal_code", "dob": "date_of_birth"}
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


class ImportFailed(ValidationError):
    """Nothing was imported. `rows` lists each bad row's line and what is wrong with it."""

    def __init__(self, message: str, rows: list[RowProblem] | None = None) -> None:
        self.rows = rows or []
        super().__init__({}, message)


def _header(names: list[str]) -> list[str]:
    cleaned = [ALIASES.get(n.strip().lower(), n.strip().lower()) for n in names]
    unknown = [n for n in cleaned if n and n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in cleaned]
    if missing:
        raise ImportFailed(
            _("The file's first row must name the columns; {missing} is missing. Required: {required}.").format(
                missing=", ".join(missing), required=", ".join(REQUIRED)
            )
        )
    if unknown:
        raise ImportFailed(
            _("Unknown column(s): {unknown}. Rename or remove them. Known columns: {known}.").format(
                unknown=", ".join(unknown), known=", ".join(COLUMNS)
            )
        )
    return cleaned


def parse_rows(text: str, today: date) -> list[ClientFields]:
    """Parse and validate every row; raise ImportFailed listing every bad one."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader)
    except StopIteration:
        raise ImportFailed(_("The file is empty. Export the roster with a header row and try again.")) from None
    header = _header(first)
    problems: list[RowProblem] = []
    rows: list[ClientFields] = []
    end_of_previous = reader.line_num
    for record in reader:
        # The line the row starts on: a quoted value may span lines, and line_num is where it ends.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                RowProblem(line, _("expected {n} values but found {k}. Check for a stray comma or quote.").format(
                    n=len(header), k=len(record)
                ))
            )
            continue
        values: dict[str, Any] = {}
        parse_problems: dict[str, str] = {}
        for name, cell in zip(header, record, strict=True):
            cell = cell.strip()
            if name in ("date_of_birth", "referral_date"):
                values[name] = None
                if cell:
                    try:
                        values[name] = parse_date(cell)
                    except ValueError as exc:
                        parse_problems[name] = str(exc)
            elif name == "interpreter_needed":
                lowered = cell.lower()
                if lowered not in _TRUE | _FALSE:
                    parse_problems[name] = _("write yes or no.")
                values[name] = lowered in _TRUE
            else:
                values[name] = cell
        fields = ClientFields(**values)
        found = dict(parse_problems)
        for name, message in validate_client(fields, today).items():
            found.setdefault(name, message)
        if found:
            problems.extend(RowProblem(line, f"{name}: {message}") for name, message in found.items())
        else:
            rows.append(fields)
    if problems:
        bad_lines = len({p.line for p in problems})
        raise ImportFailed(
            _("Nothing was imported: {n} row(s) need fixing.").format(n=bad_lines), problems
        )
    if not rows:
        raise ImportFailed(_("The file has a header but no clients."))
    return rows


def read_csv(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(_("There is no file at {path}.").format(path=path)) from None
    except OSError as exc:
        raise ImportFailed(_("The file could not be read ({reason}).").format(reason=exc.strerror)) from None
    if len(data) > MAX_BYTES:
        raise ImportFailed(_("The file is larger than 20 MB. Split it and import the parts."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(
            _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and try again.")
        ) from None


def import_clients(session: Session, path: Path) -> list[str]:
    """Import every client in the file or none; returns the new client ids."""
    rows = parse_rows(read_csv(path), session.clock.today())
    return session.clients.create_many(rows)
