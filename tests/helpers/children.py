"""Parent side of tests/helpers/crashers.py: start a crasher child, read what it says, kill it."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.crashers import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 60.0


def child_env(passphrase: str, new_passphrase: str | None = None) -> dict[str, str]:
    """The parent's environment (WAYPOINT_HOME is the test's own) with the KDF at its floor."""
    env = dict(os.environ)
    env["WAYPOINT_HOME"] = os.environ["WAYPOINT_HOME"]
    env["WAYPOINT_KDF_TARGET_MS"] = "0"
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env[PASSPHRASE_ENV] = passphrase
    if new_passphrase is not None:
        env[NEW_PASSPHRASE_ENV] = new_passphrase
    else:
        env.pop(NEW_PASSPHRASE_ENV, None)
    return env


def command(mode: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tests.helpers.crashers", mode, *args]


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    lines: list[str]
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    @property
    def done(self) -> bool:
        return self.returncode == 0 and any(line.startswith("DONE") for line in self.lines)

    def value(self, prefix: str, key: str) -> str:
        """`key=value` from the first line starting with `prefix`."""
        for line in self.lines:
            if line.startswith(prefix):
                for part in line.split()[1:]:
                    name, _, value = part.partition("=")
                    if name == key:
                        return value
        raise AssertionError(f"no {prefix} {key}= in {self.lines!r}")

    def describe(self) -> str:
        return f"rc={self.returncode} stdout={self.lines!r} stderr={self.stderr[-2000:]!r}"


def run_child(mode: str, args: Sequence[str], env: dict[str, str]) -> ChildResult:
    """Run a crasher to its end (it either finishes or kills itself)."""
    proc = subprocess.run(
        command(mode, *args),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    result = ChildResult(proc.returncode, proc.stdout.splitlines(), proc.stderr)
    assert result.killed or result.done, result.describe()
    return result


class LiveChild:
    """A child whose stdout is read line by line as it runs (a thread collects complete lines)."""

    def __init__(self, mode: str, args: Sequence[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            command(mode, *args),
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.stderr = ""
        self._changed = threading.Condition()
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.endswith("\n"):
                break  # a line cut short by the kill was never acknowledged
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def acks(self) -> list[str]:
        with self._changed:
            return [line.split()[1] for line in self.lines if line.startswith("ACK ")]

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = CHILD_TIMEOUT) -> None:
        """Block until `predicate(lines so far)` holds; fail if the child ends or time runs out."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.lines):
                left = deadline - time.monotonic()
                if not self._out.is_alive() or left <= 0:
                    break
                self._changed.wait(min(left, 0.5))
            else:
                return
        raise AssertionError(f"child ended or stalled before it got there: {self.kill().describe()}")

    def wait_for_acks(self, count: int) -> None:
        self.wait_for(lambda lines: sum(line.startswith("ACK ") for line in lines) >= count)

    def kill(self) -> ChildResult:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.finish()

    def finish(self) -> ChildResult:
        self.proc.wait(timeout=CHILD_TIMEOUT)
        self._out.join(timeout=CHILD_TIMEOUT)
        self._err.join(timeout=CHILD_TIMEOUT)
        with self._changed:
            return ChildResult(self.proc.returncode, list(self.lines), self.stderr)


# -- folder snapshots ---------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_state(root: Path) -> dict[str, tuple[str, int, int]]:
    """Relative path → (sha256, size, mtime_ns) of every file under `root`, plus folders."""
    state: dict[str, tuple[str, int, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        st = path.stat()
        if path.is_dir():
            state[rel + "/"] = ("dir", 0, 0)
        else:
            state[rel] = (file_digest(path), st.st_size, st.st_mtime_ns)
    return state


def copy_vault(source: Path, dest: Path) -> Path:
    """A byte-for-byte copy of a closed vault folder (modes kept)."""
    shutil.copytree(source, dest, copy_function=shutil.copy2)
    return dest
