"""The `waypoint` command line, run as a user runs it: `python -m app …` in a subprocess.

Every test gets its own WAYPOINT_HOME, the KDF at its floor and no WAYPOINT_PASSPHRASE unless it
sets one. Exit codes: 0 ok · 1 failed · 2 usage · 3 wrong passphrase or key · 4 integrity problem.
A vault that no test changes in a way another would notice is made once per module (`roster`);
a test that needs to change one works on a copy.

Every run also checks that no passphrase a test used appears in its output or in the files of
its app home (logs, settings) — only a generated demo passphrase may ever be printed.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "violet kettle drums under 7 bridges"
OTHER_PASSPHRASE = "copper lantern meadow 42 quietly"
FIXTURES = Path(__file__).parent / "fixtures" / "csv"
RECOVERY_LINE = re.compile(r"^Recovery key: ((?:[0-9A-Z]{4}-){7}[0-9A-Z]{4})$", re.MULTILINE)
CLIENT_KEYS = {"id", "client_code", "first_name", "last_name", "date_of_birth", "stage"}

# Every passphrase a test hands to the CLI. None of them may ever be printed or logged.
SECRETS: set[str] = {PASSPHRASE, OTHER_PASSPHRASE}


def secret(text: str) -> str:
    SECRETS.add(text)
    return text


# -- running the command -----------------------------------------------------------------------


def cli_env(home: Path, passphrase: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYPOINT_")}
    env.update(
        WAYPOINT_HOME=str(home),
        WAYPOINT_KDF_TARGET_MS="0",
        QT_QPA_PLATFORM="offscreen",
        PYTHONIOENCODING="utf-8",
    )
    if passphrase is not None:
        env["WAYPOINT_PASSPHRASE"] = passphrase
    return env


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def recovery_key(self) -> str:
        found = RECOVERY_LINE.search(self.out)
        assert found, self.text
        return found.group(1)


def assert_no_secret_leaked(home: Path, *outputs: str, allowed: str = "") -> None:
    for secret_text in SECRETS - {allowed}:
        for output in outputs:
            assert secret_text not in output, "a passphrase was printed"
    if home.is_dir():
        for path in home.rglob("*"):
            if path.is_file() and path.suffix != ".wpbackup":
                data = path.read_bytes()
                for secret_text in SECRETS:
                    assert secret_text.encode() not in data, f"a passphrase was written to {path}"


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(
        self, *args: object, passphrase: str | None = None, timeout: float = 120
    ) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "app", *map(str, args)],
            env=cli_env(self.home, passphrase),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in result.err, result.err
        assert_no_secret_leaked(self.home, result.out, result.err)
        return result

    def json_clients(self, folder: Path, *extra: object, passphrase: str = PASSPHRASE) -> list[dict]:
        result = self("clients", folder, "--json", *extra, passphrase=passphrase)
        assert result.code == 0, result.text
        return json.loads(result.out)


def run_in_terminal(
    args: Sequence[object], home: Path, answers: Sequence[tuple[str, str]], timeout: float = 60
) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal and type each answer when its prompt appears."""
    env = cli_env(home)
    argv = [sys.executable, "-m", "app", *map(str, args)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        try:
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    output = b""
    seen = 0
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"no answer from the CLI in {timeout} s; it printed {output!r}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending:
                prompt = pending[0][0].encode()
                at = output.find(prompt, seen)
                if at >= 0:
                    seen = at + len(prompt)
                    os.write(fd, pending.pop(0)[1].encode() + b"\n")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode("utf-8", "replace").replace("\r\n", "\n")
    assert not pending, f"the CLI never asked {pending[0][0]!r}; it printed {text!r}"
    return os.waitstatus_to_exitcode(status), text


def write_secret_file(path: Path, passphrase: str, *, bom: bool = False, newline: str = "\n") -> Path:
    data = passphrase.encode("utf-8") + newline.encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


@pytest.fixture
def pass_file(tmp_path: Path) -> Path:
    return write_secret_file(tmp_path / "passphrase.txt", PASSPHRASE)


@dataclass(frozen=True)
class RosterVault:
    folder: Path
    recovery_key: str
    pass_file: Path
    clients: list[dict]  # active clients, from `clients --json`
    archived: dict  # the one archived client

    def copy_to(self, dest: Path) -> Path:
        shutil.copytree(self.folder, dest)
        return dest


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> RosterVault:
    """A vault holding the four clients of roster_good.csv, one of them archived.

    Tests read it (each read adds an unlock entry to its audit trail, nothing more); tests that
    change a vault work on a copy."""
    root = tmp_path_factory.mktemp("roster")
    cli = Cli(root / "home")
    pass_file = write_secret_file(root / "passphrase.txt", PASSPHRASE)
    folder = root / "vault"
    created = cli("init", folder, "--passphrase-file", pass_file)
    assert created.code == 0, created.text
    imported = cli("import-clients", folder, FIXTURES / "roster_good.csv", "--passphrase-file", pass_file)
    assert imported.code == 0, imported.text
    assert "Imported 4 clients." in imported.out
    everyone = cli.json_clients(folder)
    _archive(folder, next(c["id"] for c in everyone if c["last_name"] == "Fakename"))
    active = cli.json_clients(folder)
    archived = cli.json_clients(folder, "--archived")
    return RosterVault(
        folder, created.recovery_key(), pass_file, active,
        next(c for c in archived if c["archived"]),
    )


def _archive(folder: Path, client_id: str) -> None:
    """The command line can't archive; do it the way the app does, through the services."""
    from app.services.backups import BackupService
    from app.services.settings import Settings
    from app.services.vault_service import VaultService

    vaults = VaultService(BackupService(Settings, folder.parent / "backups"))
    session = vaults.unlock(folder, passphrase=PASSPHRASE)
    try:
        session.clients.archive(client_id)
    finally:
        session.close()


# -- init --------------------------------------------------------------------------------------


def test_init_creates_a_vault_and_prints_the_recovery_key(cli: Cli, tmp_path: Path, pass_file: Path) -> None:
    folder = tmp_path / "new" / "vault"
    result = cli("init", folder, "--passphrase-file", pass_file)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert any(line.startswith("Recovery key: ") for line in lines)
    key = result.recovery_key()
    assert len(key.replace("-", "")) == 32
    assert "shown only once" in result.out
    assert {p.name for p in folder.iterdir()} >= {"vault.key", "vault.db"}
    assert folder.stat().st_mode & 0o077 == 0
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
    assert cli("clients", folder, "--recovery-key", key).code == 0


def test_init_takes_the_passphrase_from_the_environment(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    assert cli("init", folder, passphrase=OTHER_PASSPHRASE).code == 0
    assert cli("clients", folder, passphrase=OTHER_PASSPHRASE).code == 0
    assert cli("clients", folder, passphrase=PASSPHRASE).code == 3


def test_init_writes_the_emergency_kit(cli: Cli, tmp_path: Path, pass_file: Path) -> None:
    kit = tmp_path / "kit" / "emergency-kit.pdf"
    kit.parent.mkdir()
    result = cli("init", tmp_path / "vault", "--passphrase-file", pass_file, "--emergency-kit", kit)
    assert result.code == 0, result.text
    assert kit.read_bytes().startswith(b"%PDF")
    assert kit.stat().st_mode & 0o777 == 0o600
    assert "Emergency kit saved to" in result.out
    result.recovery_key()


def _common_password() -> str:
    from app.services.passphrases import common_passwords

    common = common_passwords()
    for candidate in ("passwordpassword1", "qwertyuiop12345", "passwordstandard", "1234567890qwerty"):
        if candidate in common:
            return candidate
    return next(p for p in sorted(common) if len(p) >= 15 and p.isascii() and "root" not in p)


@pytest.mark.parametrize(
    ("passphrase", "sentence"),
    [
        ("short one", "Use at least 15 characters"),
        (_common_password(), "This is a commonly used password. Choose something else."),
        ("my Waypoint vault on the laptop", "Don't include the app's name"),
    ],
    ids=["too-short", "common", "contains-app-name"],
)
def test_init_refuses_a_weak_passphrase(cli: Cli, tmp_path: Path, passphrase: str, sentence: str) -> None:
    secret(passphrase)
    folder = tmp_path / "vault"
    result = cli("init", folder, "--passphrase-file", write_secret_file(tmp_path / "p.txt", passphrase))
    assert result.code == 1, result.text
    assert sentence in result.err
    assert result.err.startswith("Error: ")
    assert not folder.exists() or not any(folder.iterdir())


def test_init_refuses_a_folder_that_is_not_empty(cli: Cli, tmp_path: Path, pass_file: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me\n")
    result = cli("init", folder, "--passphrase-file", pass_file)
    assert result.code == 1, result.text
    assert "already holds a vault or other files" in result.err
    assert snapshot(folder) == {"notes.txt": b"keep me\n"}


def test_init_never_overwrites_a_vault(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    before = snapshot(folder)
    result = cli("init", folder, passphrase=OTHER_PASSPHRASE)
    assert result.code == 1, result.text
    assert "Recovery key" not in result.out
    assert snapshot(folder) == before
    assert cli("clients", folder, "--passphrase-file", roster.pass_file).code == 0


# -- passphrases with unusual characters -------------------------------------------------------

UNUSUAL = {
    "double-quote": 'she said "open sesame" twice',
    "single-quote": "it's the kettle drum's turn",
    "backslash": r"C:\new\table and \\ two more",
    "emoji": "🦊 fox jumps 🥁 drum roll 🌉",
    "dollar-and-backtick": "$HOME `ls` $(echo hi) %PATH%",
}


@pytest.mark.parametrize("passphrase", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_unusual_characters_in_a_passphrase(cli: Cli, tmp_path: Path, passphrase: str) -> None:
    secret(passphrase)
    folder = tmp_path / "vault"
    file = write_secret_file(tmp_path / "p.txt", passphrase)
    assert cli("init", folder, "--passphrase-file", file).code == 0
    assert cli("clients", folder, passphrase=passphrase).code == 0
    assert cli("clients", folder, "--passphrase-file", file).code == 0
    assert cli("clients", folder, passphrase=passphrase[:-1]).code == 3


def test_composed_and_decomposed_forms_open_the_same_vault(cli: Cli, tmp_path: Path) -> None:
    composed = secret(unicodedata.normalize("NFC", "Zoë and Ångström ate crème brûlée"))
    decomposed = secret(unicodedata.normalize("NFD", composed))
    assert composed != decomposed
    first = tmp_path / "made-composed"
    assert cli("init", first, "--passphrase-file", write_secret_file(tmp_path / "nfc.txt", composed)).code == 0
    assert cli("clients", first, passphrase=decomposed).code == 0
    assert cli("clients", first, "--passphrase-file", write_secret_file(tmp_path / "nfd.txt", decomposed)).code == 0

    second = tmp_path / "made-decomposed"
    assert cli("init", second, passphrase=decomposed).code == 0
    assert cli("clients", second, passphrase=composed).code == 0


def test_passphrase_file_with_byte_order_mark_and_crlf(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    # Windows Notepad: UTF-8 with a byte-order mark, CRLF line ends, something after line one.
    file = write_secret_file(tmp_path / "p.txt", PASSPHRASE + "\r\nsecond line ignored", bom=True, newline="\r\n")
    result = cli("clients", roster.folder, "--passphrase-file", file)
    assert result.code == 0, result.text


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (None, "Can't read the passphrase file"),
        (b"", "is empty"),
        (b"\n" + PASSPHRASE.encode() + b"\n", "is empty"),
        ("Zoë kettle drums under bridges\n".encode("latin-1"), "is not UTF-8"),
    ],
    ids=["missing", "empty", "first-line-empty", "latin-1"],
)
def test_unusable_passphrase_file(
    cli: Cli, tmp_path: Path, roster: RosterVault, content: bytes | None, sentence: str
) -> None:
    file = tmp_path / "p.txt"
    if content is not None:
        file.write_bytes(content)
    result = cli("clients", roster.folder, "--passphrase-file", file)
    assert result.code == 2, result.text
    assert sentence in result.err
    assert str(file) in result.err


# -- recovery key ------------------------------------------------------------------------------


def test_recovery_key_in_place_of_the_passphrase(cli: Cli, roster: RosterVault) -> None:
    key = roster.recovery_key
    for typed in (key, key.lower().replace("-", ""), " ".join(key.split("-"))):
        result = cli("clients", roster.folder, "--json", "--recovery-key", typed)
        assert result.code == 0, result.text
        assert len(json.loads(result.out)) == len(roster.clients)


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "not-a-key"])
def test_wrong_recovery_key(cli: Cli, roster: RosterVault, typed: str) -> None:
    result = cli("clients", roster.folder, "--recovery-key", typed)
    assert result.code == 3, result.text
    assert "recovery key does not belong to this vault" in result.err


def test_wrong_passphrase(cli: Cli, roster: RosterVault) -> None:
    result = cli("clients", roster.folder, passphrase=OTHER_PASSPHRASE)
    assert result.code == 3, result.text
    assert "That passphrase did not unlock this vault" in result.err
    assert result.out == ""


# -- check -------------------------------------------------------------------------------------


def test_check_a_healthy_vault(cli: Cli, roster: RosterVault) -> None:
    result = cli("check", roster.folder, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert "Database integrity: ok" in lines
    assert "Cipher integrity: ok" in lines
    assert any(re.fullmatch(r"Audit trail: ok \(\d+ entries\)", line) for line in lines)
    assert f"Clients: {len(roster.clients) + 1}" in lines


@pytest.mark.parametrize("page", [1, 2], ids=["first-page", "second-page"])
def test_check_finds_a_flipped_byte(cli: Cli, tmp_path: Path, roster: RosterVault, page: int) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    assert sorted(p.name for p in folder.iterdir()) == ["vault.db", "vault.key"]  # closed
    flip_byte(folder / "vault.db", (page - 1) * 4096 + 2000)
    result = cli("check", folder, "--passphrase-file", roster.pass_file)
    assert result.code == 4, result.text
    assert "damaged" in result.text.lower()
    if page == 2:
        assert "Database: DAMAGED" in result.out
        assert "HMAC verification failed for page 2" in result.out
        assert "waypoint restore BACKUP DIR" in result.out
    # Other commands refuse the damaged vault with the same exit code, and change nothing.
    before = snapshot(folder)
    listed = cli("clients", folder, "--passphrase-file", roster.pass_file)
    assert listed.code == 4, listed.text
    assert "Restore it from a backup" in listed.err
    assert snapshot(folder) == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_check_with_a_damaged_key_file(cli: Cli, tmp_path: Path, roster: RosterVault, damage: str) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    key_file = folder / "vault.key"
    if damage == "garbage":
        key_file.write_bytes(os.urandom(300))
    elif damage == "truncated":
        key_file.write_bytes(key_file.read_bytes()[:200])
    else:
        key_file.unlink()
    db_before = (folder / "vault.db").read_bytes()
    result = cli("check", folder, "--passphrase-file", roster.pass_file)
    assert result.code == 4, result.text
    assert "key file could not be read" in result.err
    assert (folder / "vault.db").read_bytes() == db_before


def test_check_a_folder_that_is_not_there(cli: Cli, tmp_path: Path, pass_file: Path) -> None:
    result = cli("check", tmp_path / "nowhere", "--passphrase-file", pass_file)
    assert result.code == 1, result.text
    assert "There is no Waypoint vault in" in result.err
    assert not (tmp_path / "nowhere").exists()
    (tmp_path / "empty").mkdir()
    result = cli("check", tmp_path / "empty", "--passphrase-file", pass_file)
    assert result.code == 1, result.text
    assert "There is no Waypoint vault in" in result.err


# -- import-clients ----------------------------------------------------------------------------


def test_import_a_good_file(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    csv_file = tmp_path / "more.csv"
    # Written by a spreadsheet: byte-order mark, CRLF, header in mixed case, aliases, ISO dates.
    csv_file.write_bytes(
        "\ufeffFirst_Name,Last_Name,DOB,Phone,Address_Line1,State,Zip,Interpreter_Needed\r\n"
        'Carla,"Testcase, Sr.",1966-07-08,(555) 310-2020,"4 Comma Court, Unit 5\r\nRear entrance",OR,97201,yes\r\n'
        "Dev,Nullsworth,2004-10-11,555.111.2222,,,,no\r\n"
        "\r\n"
        "Eun,Exemplar,1999-01-31,,,,,\r\n".encode()
    )
    result = cli("import-clients", folder, csv_file, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    assert result.out.strip() == "Imported 3 clients."
    clients = cli.json_clients(folder)
    assert len(clients) == len(roster.clients) + 3
    by_last = {c["last_name"]: c for c in clients}
    assert by_last["Testcase, Sr."]["first_name"] == "Carla"
    assert by_last["Testcase, Sr."]["date_of_birth"] == "1966-07-08"
    assert by_last["Nullsworth"]["date_of_birth"] == "2004-10-11"
    assert by_last["Exemplar"]["stage"] == "referred"
    assert len({c["client_code"] for c in clients}) == len(clients)


def test_the_roster_fixture_was_imported_faithfully(roster: RosterVault) -> None:
    by_last = {c["last_name"]: c for c in [*roster.clients, roster.archived]}
    assert set(by_last) == {"Examplesson", "Sample, Jr.", "Placeholder", "Fakename"}
    assert by_last["Examplesson"]["date_of_birth"] == "1984-05-17"
    assert by_last["Sample, Jr."]["preferred_name"] == "Bo"
    assert by_last["Placeholder"]["first_name"] == "Zoë"
    assert by_last["Fakename"]["archived"] is True


def test_import_with_bad_rows_imports_nothing(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    before = snapshot(folder)
    result = cli("import-clients", folder, FIXTURES / "roster_bad_rows.csv", "--passphrase-file", roster.pass_file)
    assert result.code == 1, result.text
    assert "Nothing was imported: 6 row(s) need fixing." in result.err
    reported = re.findall(r"^  line (\d+): (\w+)", result.err, re.MULTILINE)
    assert sorted({int(line) for line, _ in reported}) == [4, 5, 6, 8, 9, 10]
    assert ("4", "first_name") in reported
    assert ("5", "date_of_birth") in reported
    assert ("6", "date_of_birth") in reported and ("6", "email") in reported
    assert ("8", "phone") in reported
    assert ("10", "date_of_birth") in reported  # a bad row spanning lines 10-11 starts on 10
    assert re.search(r"line 9: expected 6 values but found 7", result.err)
    assert "“1990-02-30” is not a date" in result.err
    assert snapshot(folder) == before  # checked before unlocking: not even an audit entry
    assert len(cli.json_clients(folder)) == len(roster.clients)


def test_a_bad_file_is_reported_without_asking_for_the_passphrase(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    """A file with bad rows is reported without a passphrase: nothing is unlocked for it."""
    result = cli("import-clients", roster.folder, FIXTURES / "roster_bad_rows.csv")
    assert result.code == 1, result.text
    assert "line 4:" in result.err


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"first_name,last_name,date_of_birth,shoe_size\nAlma,Example,1984-05-17,9\n",
         "Unknown column(s): shoe_size."),
        (b"first_name,date_of_birth\nAlma,1984-05-17\n", "last_name is missing"),
        ("first_name,last_name,date_of_birth\nJosé,Muestra,1984-05-17\n".encode("cp1252"),
         "The file is not UTF-8 text"),
        (b"", "The file is empty."),
        (b"first_name,last_name,date_of_birth\n", "The file has a header but no clients."),
        (None, "There is no file at"),
    ],
    ids=["unknown-column", "missing-column", "not-utf8", "empty", "header-only", "no-file"],
)
def test_import_refuses_a_bad_file(
    cli: Cli, tmp_path: Path, roster: RosterVault, content: bytes | None, sentence: str
) -> None:
    csv_file = tmp_path / "roster.csv"
    if content is not None:
        csv_file.write_bytes(content)
    before = snapshot(roster.folder)
    result = cli("import-clients", roster.folder, csv_file, "--passphrase-file", roster.pass_file)
    assert result.code == 1, result.text
    assert sentence in result.err
    assert result.err.startswith("Error: ")
    assert snapshot(roster.folder) == before


def test_import_with_the_wrong_passphrase(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    result = cli("import-clients", roster.folder, FIXTURES / "roster_good.csv", passphrase=OTHER_PASSPHRASE)
    assert result.code == 3, result.text
    assert len(cli.json_clients(roster.folder)) == len(roster.clients)


# -- clients -----------------------------------------------------------------------------------


def test_clients_json(cli: Cli, roster: RosterVault) -> None:
    clients = cli.json_clients(roster.folder)
    assert len(clients) == 3
    for client in clients:
        assert CLIENT_KEYS <= client.keys()
        assert re.fullmatch(r"[A-Z0-9]{6}", client["client_code"])
        assert client["archived"] is False
    assert "Fakename" not in {c["last_name"] for c in clients}


def test_clients_archived(cli: Cli, roster: RosterVault) -> None:
    everyone = cli.json_clients(roster.folder, "--archived")
    assert len(everyone) == 4
    assert [c["last_name"] for c in everyone if c["archived"]] == ["Fakename"]
    text = cli("clients", roster.folder, "--archived", "--passphrase-file", roster.pass_file)
    assert text.code == 0
    line = next(line for line in text.out.splitlines() if "Fakename" in line)
    assert "(archived)" in line


def test_clients_as_text(cli: Cli, roster: RosterVault) -> None:
    result = cli("clients", roster.folder, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[-1] == "3 clients"
    assert any("Examplesson, Alma" in line for line in lines)
    assert any("Sample, Jr., Bo" in line for line in lines)  # the preferred name is shown
    for client in roster.clients:
        assert any(line.startswith(client["client_code"]) for line in lines)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("examples", ["Examplesson"]),
        ("ALMA", ["Examplesson"]),
        ("Zoë", ["Placeholder"]),
        ("2013344", ["Examplesson"]),
        ("867-5309", ["Sample, Jr."]),
        ("no such person", []),
    ],
)
def test_clients_search(cli: Cli, roster: RosterVault, search: str, expected: list[str]) -> None:
    found = cli.json_clients(roster.folder, "--search", search)
    assert sorted(c["last_name"] for c in found) == expected


def test_clients_search_by_code_and_archived(cli: Cli, roster: RosterVault) -> None:
    code = next(c["client_code"] for c in roster.clients if c["last_name"] == "Placeholder")
    assert [c["client_code"] for c in cli.json_clients(roster.folder, "--search", code)] == [code]
    assert [c["last_name"] for c in cli.json_clients(roster.folder, "--search", code.lower())] == ["Placeholder"]
    archived_code = roster.archived["client_code"]
    assert cli.json_clients(roster.folder, "--search", "fakename") == []
    hits = cli.json_clients(roster.folder, "--search", archived_code, "--archived")
    assert [c["last_name"] for c in hits] == ["Fakename"]
    none = cli("clients", roster.folder, "--search", "Nobody", "--passphrase-file", roster.pass_file)
    assert none.code == 0 and none.out.strip() == "No clients match."


def test_clients_of_an_empty_vault(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    assert cli("init", folder, passphrase=PASSPHRASE).code == 0
    assert cli("clients", folder, passphrase=PASSPHRASE).out.strip() == "The vault has no clients yet."
    assert cli.json_clients(folder) == []


# -- backup and restore ------------------------------------------------------------------------


def test_backup_into_a_folder_and_to_a_file(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    into = tmp_path / "backups"
    result = cli("backup", roster.folder, into, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    written = list(into.glob("*.wpbackup"))
    assert len(written) == 1
    assert f"Backup written and verified: {written[0]}" in result.out

    file = tmp_path / "elsewhere" / "friday.wpbackup"
    result = cli("backup", roster.folder, file, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    assert file.is_file() and file.stat().st_mode & 0o077 == 0
    assert PASSPHRASE.encode() not in file.read_bytes()
    assert b"Examplesson" not in file.read_bytes()  # encrypted

    wrong = cli("backup", roster.folder, tmp_path / "never", passphrase=OTHER_PASSPHRASE)
    assert wrong.code == 3 and not (tmp_path / "never").exists()


def test_restore_keeps_the_previous_vault(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    backup = tmp_path / "before-import.wpbackup"
    assert cli("backup", folder, backup, "--passphrase-file", roster.pass_file).code == 0
    extra = tmp_path / "extra.csv"
    extra.write_text("first_name,last_name,date_of_birth\nLater,Addition,1970-01-01\n")
    assert cli("import-clients", folder, extra, "--passphrase-file", roster.pass_file).code == 0
    assert len(cli.json_clients(folder)) == len(roster.clients) + 1

    result = cli("restore", backup, folder, "--passphrase-file", roster.pass_file)
    assert result.code == 0, result.text
    assert "Restored the backup made" in result.out
    kept = list(tmp_path.glob("vault.before-restore-*"))
    assert len(kept) == 1, list(tmp_path.iterdir())
    assert f"The vault that was there is kept at {kept[0]}" in result.out
    assert [c["id"] for c in cli.json_clients(folder)] == [c["id"] for c in roster.clients]
    assert "Addition" in {c["last_name"] for c in cli.json_clients(kept[0])}
    assert cli("check", folder, "--passphrase-file", roster.pass_file).code == 0
    assert not list(tmp_path.glob(".vault.restore-new-*"))


def test_restore_into_a_new_folder_with_the_recovery_key(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    backup = tmp_path / "b.wpbackup"
    assert cli("backup", roster.folder, backup, "--passphrase-file", roster.pass_file).code == 0
    target = tmp_path / "restored"
    result = cli("restore", backup, target, "--recovery-key", roster.recovery_key)
    assert result.code == 0, result.text
    assert "kept at" not in result.out
    assert len(cli.json_clients(target)) == len(roster.clients)


def test_restore_with_the_wrong_passphrase_changes_nothing(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    backup = tmp_path / "b.wpbackup"
    assert cli("backup", folder, backup, "--passphrase-file", roster.pass_file).code == 0
    before, listing = snapshot(folder), sorted(p.name for p in tmp_path.iterdir())
    result = cli("restore", backup, folder, passphrase=OTHER_PASSPHRASE)
    assert result.code == 3, result.text
    assert "did not unlock" in result.err
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    wrong_key = cli("restore", backup, folder, "--recovery-key", "ZZZZ" * 8)
    assert wrong_key.code == 3
    assert snapshot(folder) == before


@pytest.mark.parametrize("kind", ["text", "zip", "missing"])
def test_restore_something_that_is_not_a_backup(cli: Cli, tmp_path: Path, roster: RosterVault, kind: str) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    bogus = tmp_path / "holiday.wpbackup"
    if kind == "text":
        bogus.write_text("not a backup\n")
    elif kind == "zip":
        import zipfile

        with zipfile.ZipFile(bogus, "w") as archive:
            archive.writestr("photo.jpg", b"\xff\xd8\xff")
    before = snapshot(folder)
    result = cli("restore", bogus, folder, "--passphrase-file", roster.pass_file)
    assert result.code == 1, result.text
    expected = "There is no file at" if kind == "missing" else "is not a Waypoint backup"
    assert expected in result.err
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["home", "vault"]


# -- passphrase --------------------------------------------------------------------------------


def test_change_the_passphrase(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    new_file = write_secret_file(tmp_path / "new.txt", OTHER_PASSPHRASE)
    result = cli("passphrase", folder, "--passphrase-file", roster.pass_file, "--new-passphrase-file", new_file)
    assert result.code == 0, result.text
    assert "Passphrase changed." in result.out
    assert cli("clients", folder, "--passphrase-file", roster.pass_file).code == 3
    assert cli("clients", folder, passphrase=OTHER_PASSPHRASE).code == 0
    assert cli("clients", folder, "--recovery-key", roster.recovery_key).code == 0


def test_change_to_a_passphrase_that_is_too_short(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    short = write_secret_file(tmp_path / "new.txt", secret("tiny pass"))
    key_before = (folder / "vault.key").read_bytes()
    result = cli("passphrase", folder, "--passphrase-file", roster.pass_file, "--new-passphrase-file", short)
    assert result.code == 1, result.text
    assert "Use at least 15 characters" in result.err
    assert (folder / "vault.key").read_bytes() == key_before
    assert cli("clients", folder, "--passphrase-file", roster.pass_file).code == 0


def test_change_passphrase_wrong_old_one(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    new_file = write_secret_file(tmp_path / "new.txt", OTHER_PASSPHRASE)
    before = snapshot(roster.folder)
    result = cli("passphrase", roster.folder, "--new-passphrase-file", new_file, passphrase=OTHER_PASSPHRASE)
    assert result.code == 3, result.text
    assert snapshot(roster.folder) == before


def test_change_passphrase_never_takes_the_new_one_from_the_environment(
    cli: Cli, tmp_path: Path, roster: RosterVault
) -> None:
    # WAYPOINT_PASSPHRASE unlocks; the new passphrase needs a file or a terminal.
    key_before = (roster.folder / "vault.key").read_bytes()
    result = cli("passphrase", roster.folder, passphrase=PASSPHRASE)
    assert result.code == 2, result.text
    assert "--passphrase-file" in result.err
    assert (roster.folder / "vault.key").read_bytes() == key_before


# -- demo --------------------------------------------------------------------------------------


def _demo(cli: Cli, folder: Path, *args: object, passphrase: str | None = None) -> tuple[Result, str | None]:
    result = cli("demo", folder, *args, passphrase=passphrase)
    assert result.code == 0, result.text
    shown = re.findall(r"^Passphrase: (.+)$", result.out, re.MULTILINE)
    assert len(shown) <= 1
    return result, shown[0] if shown else None


def test_demo_is_reproducible_with_a_seed(cli: Cli, tmp_path: Path) -> None:
    first, pass_first = _demo(cli, tmp_path / "a", "--clients", 12, "--seed", 42)
    assert "Created a demo vault of 12 synthetic clients" in first.out
    first.recovery_key()
    _, pass_second = _demo(cli, tmp_path / "b", "--clients", 12, "--seed", 42)
    _, pass_other = _demo(cli, tmp_path / "c", "--clients", 12, "--seed", 43)
    assert pass_first and pass_second and pass_other
    assert pass_first != pass_second  # the passphrase is never part of what the seed fixes

    def people(folder: Path, passphrase: str) -> list[tuple]:
        rows = cli.json_clients(folder, "--archived", passphrase=passphrase)
        assert len(rows) == 12
        return sorted((r["client_code"], r["first_name"], r["last_name"], r["date_of_birth"], r["stage"]) for r in rows)

    assert people(tmp_path / "a", pass_first) == people(tmp_path / "b", pass_second)
    assert people(tmp_path / "a", pass_first) != people(tmp_path / "c", pass_other)


def test_demo_passphrase_is_printed_only_when_generated(cli: Cli, tmp_path: Path, pass_file: Path) -> None:
    from_file, shown = _demo(cli, tmp_path / "a", "--clients", 2, "--passphrase-file", pass_file)
    assert shown is None and "Passphrase" not in from_file.out
    assert len(cli.json_clients(tmp_path / "a", "--archived")) == 2  # a closed case may be archived

    from_env, shown = _demo(cli, tmp_path / "b", "--clients", 0, passphrase=OTHER_PASSPHRASE)
    assert shown is None
    assert cli("clients", tmp_path / "b", passphrase=OTHER_PASSPHRASE).code == 0

    # An empty WAYPOINT_PASSPHRASE is no passphrase: one is generated, so it must be shown.
    _, shown = _demo(cli, tmp_path / "c", "--clients", 0, passphrase="")
    assert shown
    assert cli("clients", tmp_path / "c", passphrase=shown).code == 0


def test_demo_never_replaces_a_vault(cli: Cli, tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    before = snapshot(folder)
    result = cli("demo", folder, "--clients", 3, "--seed", 1)
    assert result.code == 1, result.text
    assert "already holds a vault" in result.err
    assert "Passphrase:" not in result.out
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "args", [["--clients", "-1"], [], ["--clients", "many"], ["--clients", "3", "--seed", "x"]],
    ids=["negative", "missing", "not-a-number", "bad-seed"],
)
def test_demo_usage_errors(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    result = cli("demo", tmp_path / "d", *args)
    assert result.code == 2, result.text
    assert "--clients" in result.err or "--seed" in result.err
    assert not (tmp_path / "d").exists()


# -- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["init"],
        ["import-clients", "vault"],
        ["clients"],
        ["clients", "vault", "--colour"],
        ["backup", "vault"],
        ["restore", "file.wpbackup"],
        ["check", "vault", "--recovery-key"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2, result.text
    assert "usage: waypoint" in result.err
    assert result.out == ""


def test_help_and_version(cli: Cli) -> None:
    helped = cli("--help")
    assert helped.code == 0
    for command in ("init", "check", "import-clients", "clients", "backup", "restore", "passphrase", "demo"):
        assert command in helped.out
    version = cli("--version")
    assert version.code == 0 and version.out.startswith("Waypoint ")


@pytest.mark.parametrize(
    "command", ["clients", "check", "backup", "passphrase", "init", "restore", "import-clients"]
)
def test_no_passphrase_and_no_terminal(cli: Cli, tmp_path: Path, roster: RosterVault, command: str) -> None:
    args: list[object] = {
        "clients": ["clients", roster.folder],
        "check": ["check", roster.folder],
        "backup": ["backup", roster.folder, tmp_path / "b"],
        "passphrase": ["passphrase", roster.folder],
        "init": ["init", tmp_path / "new"],
        "restore": ["restore", tmp_path / "b.wpbackup", tmp_path / "restored"],
        "import-clients": ["import-clients", roster.folder, FIXTURES / "roster_good.csv"],
    }[command]
    if command == "restore":
        made = cli("backup", roster.folder, tmp_path / "b.wpbackup", "--passphrase-file", roster.pass_file)
        assert made.code == 0
    before = snapshot(roster.folder)
    result = cli(*args)
    assert result.code == 2, result.text
    assert result.err.strip() == (
        "Error: No passphrase given. Use --passphrase-file FILE or set WAYPOINT_PASSPHRASE, "
        "or run in a terminal."
    )
    assert snapshot(roster.folder) == before
    assert not (tmp_path / "new").exists() and not (tmp_path / "restored").exists()


# -- typing at the prompt ----------------------------------------------------------------------


def test_prompt_for_the_passphrase(tmp_path: Path, roster: RosterVault) -> None:
    code, text = run_in_terminal(["clients", roster.folder], tmp_path / "home", [("Passphrase: ", PASSPHRASE)])
    assert code == 0, text
    assert "Examplesson, Alma" in text
    assert PASSPHRASE not in text  # not echoed
    assert_no_secret_leaked(tmp_path / "home", text)


def test_prompt_with_a_wrong_passphrase(tmp_path: Path, roster: RosterVault) -> None:
    code, text = run_in_terminal(["clients", roster.folder], tmp_path / "home", [("Passphrase: ", OTHER_PASSPHRASE)])
    assert code == 3, text
    assert "did not unlock" in text
    assert OTHER_PASSPHRASE not in text


def test_init_asks_twice(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    answers = [("New passphrase (at least 15 characters): ", OTHER_PASSPHRASE), ("Type it again: ", OTHER_PASSPHRASE)]
    code, text = run_in_terminal(["init", folder], tmp_path / "home", answers)
    assert code == 0, text
    assert RECOVERY_LINE.search(text)
    assert OTHER_PASSPHRASE not in text
    assert Cli(tmp_path / "home")("clients", folder, passphrase=OTHER_PASSPHRASE).code == 0


def test_init_with_two_different_passphrases(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    answers = [("New passphrase (at least 15 characters): ", OTHER_PASSPHRASE), ("Type it again: ", PASSPHRASE)]
    code, text = run_in_terminal(["init", folder], tmp_path / "home", answers)
    assert code == 1, text
    assert "The two passphrases are different. Type the same passphrase twice." in text
    assert "Recovery key" not in text
    assert not folder.exists()
    assert_no_secret_leaked(tmp_path / "home", text)


def test_change_passphrase_at_the_prompt(tmp_path: Path, roster: RosterVault) -> None:
    folder = roster.copy_to(tmp_path / "vault")
    answers = [
        ("Passphrase: ", PASSPHRASE),
        ("New passphrase (at least 15 characters): ", OTHER_PASSPHRASE),
        ("Type it again: ", OTHER_PASSPHRASE),
    ]
    code, text = run_in_terminal(["passphrase", folder], tmp_path / "home", answers)
    assert code == 0, text
    assert "Passphrase changed." in text
    assert Cli(tmp_path / "home")("clients", folder, passphrase=OTHER_PASSPHRASE).code == 0


# -- secrets never printed ---------------------------------------------------------------------


def test_no_command_prints_the_passphrase(tmp_path: Path) -> None:
    """Every command, successful or not, through every way of giving a passphrase.

    (Each run's output and the app home are also checked by the Cli helper in every test.)"""
    home = tmp_path / "home"
    cli = Cli(home)
    distinctive = secret("quokka \"semaphore\" 'ladder' \\ ünïcode 🐙")
    file = write_secret_file(tmp_path / "p.txt", distinctive)
    new_file = write_secret_file(tmp_path / "new.txt", OTHER_PASSPHRASE)
    folder = tmp_path / "vault"
    outputs = [
        cli("init", folder, "--passphrase-file", file, "--emergency-kit", tmp_path / "kit.pdf"),
        cli("import-clients", folder, FIXTURES / "roster_good.csv", passphrase=distinctive),
        cli("import-clients", folder, FIXTURES / "roster_bad_rows.csv", passphrase=distinctive),
        cli("clients", folder, "--json", "--passphrase-file", file),
        cli("check", folder, passphrase=distinctive),
        cli("backup", folder, tmp_path / "b.wpbackup", passphrase=distinctive),
        cli("restore", tmp_path / "b.wpbackup", tmp_path / "restored", passphrase=distinctive),
        cli("passphrase", folder, "--passphrase-file", file, "--new-passphrase-file", new_file),
        cli("clients", folder, passphrase=distinctive),  # now the wrong one
        cli("demo", tmp_path / "demo", "--clients", 1, passphrase=distinctive),
        cli("init", tmp_path / "weak", passphrase=distinctive[:10]),
    ]
    assert [r.code for r in outputs] == [0, 0, 1, 0, 0, 0, 0, 0, 3, 0, 1]
    for result in outputs:
        assert distinctive not in result.text
        assert distinctive[:10] not in result.text
    assert distinctive.encode() not in (tmp_path / "kit.pdf").read_bytes()
    assert_no_secret_leaked(home)
