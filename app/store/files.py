"""Crash-safe, private file writes: temp in the destination folder (0600 before any byte is
written), fsync, os.replace, fsync the folder. Folders are created 0700."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; the leaf is made 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, DIR_MODE)
    return path


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_beside(path: Path, tag: str = "tmp") -> Path:
    return path.with_name(f".{path.name}.{tag}-{secrets.token_hex(4)}")


def create_private_file(path: Path) -> int:
    """Open a new file exclusively with mode 0600 and return its descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, FILE_MODE)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, never half."""
    tmp = temp_path_beside(path)
    fd = create_private_file(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_copy(source: Path, dest: Path, chunk: int = 1 << 20) -> None:
    """Copy `source` to `dest` atomically and privately (0600)."""
    tmp = temp_path_beside(dest)
    fd = create_private_file(tmp)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while block := src.read(chunk):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(dest.parent)
