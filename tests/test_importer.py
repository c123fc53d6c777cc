"""CSV roster import (app.services.importer): parsing, validation and all-or-nothing import.

The people here are invented; every name is obviously fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.i18n import current_locale, set_locale
from app.services import importer
from app.services.importer import ImportFailed, import_clients, parse_rows, read_csv
from app.services.session import Session

TODAY = date(2026, 11, 26)
FIXTURES = Path(__file__).parent / "fixtures" / "csv"


@pytest.fixture(autouse=True)
def us_locale() -> Iterator[None]:
    """Date order depends on the locale; every test starts in en_US and leaves it so."""
    previous = current_locale()
    set_locale("en_US")
    yield
    set_locale(previous)


def failure(text: str) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        parse_rows(text, TODAY)
    return caught.value


def problems_by_line(error: ImportFailed) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in error.rows:
        found.setdefault(problem.line, []).append(problem.message)
    return found


# -- columns -----------------------------------------------------------------------------------


def test_required_columns_only() -> None:
    rows = parse_rows("first_name,last_name,date_of_birth\nAlma,Examplesson,1984-05-17\n", TODAY)
    assert len(rows) == 1
    assert (rows[0].first_name, rows[0].last_name, rows[0].date_of_birth) == ("Alma", "Examplesson", date(1984, 5, 17))
    assert rows[0].interpreter_needed is False
    assert rows[0].referral_date is None


def test_aliases_and_header_spelling() -> None:
    text = " First_Name , LAST_NAME,DOB,State,Zip\nBruno,Sample,1979-11-02,TX,73301\n"
    (row,) = parse_rows(text, TODAY)
    assert row.first_name == "Bruno"
    assert row.date_of_birth == date(1979, 11, 2)
    assert row.region == "TX"
    assert row.postal_code == "73301"


def test_zip_code_alias() -> None:
    rows = parse_rows("first_name,last_name,dob,zip_code\nCarla,Testcase,1966-07-08,97201\n", TODAY)
    assert rows[0].postal_code == "97201"


def test_every_client_field_can_be_a_column() -> None:
    header = ",".join(importer.COLUMNS)
    values = {
        "first_name": "Dev", "last_name": "Nullsworth", "preferred_name": "D", "pronouns": "they/them",
        "date_of_birth": "2004-10-11", "sex_at_birth": "intersex", "gender_identity": "Non-binary",
        "language": "Spanish", "interpreter_needed": "yes", "phone": "(555) 201-3344",
        "phone_alt": "555.111.2222", "email": "dev@example.org", "address_line1": "1 Fake St",
        "address_line2": "Apt 0", "city": "Testville", "region": "OR", "postal_code": "97201",
        "emergency_name": "Eun Exemplar", "emergency_relationship": "Friend",
        "emergency_phone": "+1 555 444 1212", "insurance_id": "MC000000001", "referral_date": "2025-01-15",
    }
    assert set(values) == set(importer.COLUMNS)
    row = ",".join(values[name] for name in importer.COLUMNS)
    (client,) = parse_rows(f"{header}\n{row}\n", TODAY)
    assert client.interpreter_needed is True
    assert client.referral_date == date(2025, 1, 15)
    assert client.email == "dev@example.org"
    assert client.sex_at_birth == "intersex"


def test_unknown_column() -> None:
    error = failure("first_name,last_name,date_of_birth,shoe_size,Favourite Colour\nA,B,1980-01-01,9,red\n")
    assert "Unknown column(s): shoe_size, favourite colour." in str(error)
    assert "Known columns: first_name" in str(error)
    assert error.rows == []


def test_missing_required_columns() -> None:
    error = failure("first_name,phone\nAlma,(555) 201-3344\n")
    assert "last_name, date_of_birth is missing" in str(error)
    assert "Required: first_name, last_name, date_of_birth." in str(error)


def test_missing_column_is_reported_before_unknown_ones() -> None:
    assert "date_of_birth is missing" in str(failure("first_name,last_name,birthday\nA,B,1980-01-01\n"))


def test_empty_and_header_only() -> None:
    assert "The file is empty" in str(failure(""))
    assert "header but no clients" in str(failure("first_name,last_name,date_of_birth\n"))
    assert "header but no clients" in str(failure("first_name,last_name,date_of_birth\n\n , , \n"))


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), (" Yes ", True),
     ("no", False), ("N", False), ("false", False), ("0", False), ("", False)],
)
def test_interpreter_yes_no(cell: str, expected: bool) -> None:
    (row,) = parse_rows(f"first_name,last_name,date_of_birth,interpreter_needed\nA,B,1980-01-01,{cell}\n", TODAY)
    assert row.interpreter_needed is expected


def test_interpreter_other_values_are_a_problem() -> None:
    error = failure("first_name,last_name,date_of_birth,interpreter_needed\nA,B,1980-01-01,sometimes\n")
    assert problems_by_line(error) == {2: ["interpreter_needed: write yes or no."]}


def test_cells_are_stripped() -> None:
    (row,) = parse_rows("first_name,last_name,date_of_birth,city\n  Alma ,\tExamplesson , 1984-05-17 ,  \n", TODAY)
    assert (row.first_name, row.last_name, row.city) == ("Alma", "Examplesson", "")


def test_quoted_comma_quote_and_newline() -> None:
    text = (
        "first_name,last_name,date_of_birth,address_line1\n"
        'Bruno,"Sample, Jr.",1979-11-02,"4 Comma Court, Unit 5\nRear ""blue"" door"\n'
    )
    (row,) = parse_rows(text, TODAY)
    assert row.last_name == "Sample, Jr."
    assert row.address_line1 == '4 Comma Court, Unit 5\nRear "blue" door'


def test_non_ascii_names_are_kept() -> None:
    (row,) = parse_rows("first_name,last_name,date_of_birth\nZoë,Ødegård-Ñandú,2001-02-28\n", TODAY)
    assert (row.first_name, row.last_name) == ("Zoë", "Ødegård-Ñandú")


# -- dates and locale --------------------------------------------------------------------------


def test_iso_dates_in_any_locale() -> None:
    for locale_id in ("en_US", "en_GB", "de_DE"):
        set_locale(locale_id)
        (row,) = parse_rows("first_name,last_name,date_of_birth\nA,B,1984-05-17\n", TODAY)
        assert row.date_of_birth == date(1984, 5, 17), locale_id


def test_locale_date_order() -> None:
    text = "first_name,last_name,date_of_birth,referral_date\nA,B,03/04/1980,11/12/2025\n"
    set_locale("en_US")
    (us,) = parse_rows(text, TODAY)
    assert us.date_of_birth == date(1980, 3, 4)
    assert us.referral_date == date(2025, 11, 12)
    set_locale("en_GB")
    (gb,) = parse_rows(text, TODAY)
    assert gb.date_of_birth == date(1980, 4, 3)
    assert gb.referral_date == date(2025, 12, 11)


def test_a_date_that_only_fits_one_order() -> None:
    text = "first_name,last_name,date_of_birth\nA,B,13/04/1980\n"
    set_locale("en_GB")
    assert parse_rows(text, TODAY)[0].date_of_birth == date(1980, 4, 13)
    set_locale("en_US")
    error = failure(text)
    (message,) = problems_by_line(error)[2]
    assert message.startswith("date_of_birth: “13/04/1980” is not a date.")
    assert "MM/DD/YYYY" in message


@pytest.mark.parametrize("cell", ["1980-02-30", "yesterday", "1980/13/01", "12-2020"])
def test_not_a_date(cell: str) -> None:
    error = failure(f"first_name,last_name,date_of_birth\nA,B,{cell}\n")
    assert problems_by_line(error)[2][0].startswith(f"date_of_birth: “{cell}” is not a date.")


def test_dates_checked_against_today() -> None:
    text = (
        "first_name,last_name,date_of_birth,referral_date\n"
        "A,Future,2026-11-27,\n"        # line 2: born tomorrow
        "B,Ancient,1900-01-01,\n"       # line 3: older than 120
        "C,Fine,2026-11-26,2026-11-26\n"  # line 4: born today, referred today: fine
        "D,Later,1980-01-01,2027-01-01\n"  # line 5: referral in the future
    )
    found = problems_by_line(failure(text))
    assert found == {
        2: ["date_of_birth: The date of birth is in the future. Check the year."],
        3: ["date_of_birth: That makes the client older than 120. Check the year."],
        5: ["referral_date: The referral date is in the future. Check the date."],
    }


# -- problems and line numbers -----------------------------------------------------------------


def test_every_problem_of_a_row_is_reported() -> None:
    text = (
        "first_name,last_name,date_of_birth,email,phone,sex_at_birth,interpreter_needed\n"
        ",,not-a-date,nobody-at-example,12,sometimes,perhaps\n"
    )
    error = failure(text)
    assert "Nothing was imported: 1 row(s) need fixing." in str(error)
    fields = sorted(message.split(":")[0] for message in problems_by_line(error)[2])
    assert fields == sorted(
        ["first_name", "last_name", "date_of_birth", "email", "phone", "sex_at_birth", "interpreter_needed"]
    )


def test_every_bad_row_is_reported_and_none_is_kept() -> None:
    error = failure(FIXTURES.joinpath("roster_bad_rows.csv").read_text("utf-8"))
    found = problems_by_line(error)
    assert sorted(found) == [4, 5, 6, 8, 9, 10]
    assert [m.split(":")[0] for m in found[6]] == ["date_of_birth", "email"]
    assert found[9] == ["expected 6 values but found 7. Check for a stray comma or quote."]
    assert "6 row(s) need fixing" in str(error)


def test_line_numbers_count_lines_of_multi_line_values() -> None:
    text = (
        "first_name,last_name,date_of_birth,address_line1\n"   # 1
        'Good,One,1980-01-01,"line one\nline two\nline three"\n'  # 2-4
        "Bad,Two,1980-01-99,\n"                                # 5
        'Bad,Three,nope,"spans\ntwo lines"\n'                  # 6-7: reported where it starts
        "Good,Four,1981-01-01,\n"                              # 8
        ",Five,1982-01-01,\n"                                  # 9
    )
    assert sorted(problems_by_line(failure(text))) == [5, 6, 9]


def test_quoted_header_names() -> None:
    text = '"first_name","last_name","date_of_birth"\n"Alma","Examplesson","1984-05-17"\n'
    assert parse_rows(text, TODAY)[0].last_name == "Examplesson"


def test_blank_lines_are_skipped_and_counted() -> None:
    text = (
        "first_name,last_name,date_of_birth\n"  # 1
        "\n"                                     # 2
        "Alma,Examplesson,1984-05-17\n"          # 3
        " , , \n"                                # 4: only spaces
        ",,\n"                                   # 5: only commas
        "\n"                                     # 6
        "Bad,Row,nope\n"                         # 7
    )
    assert sorted(problems_by_line(failure(text))) == [7]
    assert len(parse_rows(text.replace("Bad,Row,nope\n", ""), TODAY)) == 1


def test_crlf_line_ends() -> None:
    text = 'first_name,last_name,date_of_birth,city\r\nA,B,1980-01-01,"X\r\nY"\r\nC,D,bad,\r\n'
    error = failure(text)
    assert sorted(problems_by_line(error)) == [4]


def test_wrong_number_of_values() -> None:
    text = "first_name,last_name,date_of_birth\nA,B\nC,D,1980-01-01,extra\n"
    found = problems_by_line(failure(text))
    assert found == {
        2: ["expected 3 values but found 2. Check for a stray comma or quote."],
        3: ["expected 3 values but found 4. Check for a stray comma or quote."],
    }


# -- reading the file --------------------------------------------------------------------------


def test_read_csv_strips_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbffirst_name,last_name,date_of_birth\r\nA,B,1980-01-01\r\n")
    text = read_csv(path)
    assert text.startswith("first_name")
    assert len(parse_rows(text, TODAY)) == 1


def test_read_csv_refuses_other_encodings(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("first_name,last_name,date_of_birth\nJosé,Muestra,1980-01-01\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="not UTF-8 text"):
        read_csv(path)


def test_read_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="There is no file at"):
        read_csv(tmp_path / "nope.csv")


def test_read_csv_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text("first_name,last_name,date_of_birth\n")
    with pytest.raises(ImportFailed, match="larger than 20 MB"):
        read_csv(path)


# -- importing into a vault --------------------------------------------------------------------


def test_import_clients_all(session: Session) -> None:
    ids = import_clients(session, FIXTURES / "roster_good.csv")
    assert len(ids) == 4
    assert session.clients.count() == 4
    names = sorted(r.last_name for r in session.clients.roster())
    assert names == ["Examplesson", "Fakename", "Placeholder", "Sample, Jr."]
    alma = session.clients.get(next(r.id for r in session.clients.roster() if r.first_name == "Alma"))
    assert alma.fields.address_line1 == "12 Placeholder Way, Apt 3\nBack building"
    assert alma.fields.region == "IL" and alma.fields.postal_code == "62701"
    assert alma.fields.referral_date == date(2025, 1, 15)


def test_import_clients_none_when_a_row_is_bad(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_clients(session, FIXTURES / "roster_bad_rows.csv")
    assert len({p.line for p in caught.value.rows}) == 6
    assert session.clients.count() == 0
