"""Atomic writes of data files: a ``.part`` file next to the target, then ``os.replace``.

While a file ``NAME`` is written, its bytes go to ``.NAME.XXXXXXXX.part`` in the same folder
(``XXXXXXXX``: eight random hex digits); only a complete file is renamed onto ``NAME``, so a reader
never sees half a file, and a failure removes the part file. The part file is created with
``O_CREAT | O_EXCL`` and mode ``0o666``, so the process's umask (and a folder's default ACL)
decides the permissions, as for any file the user creates -- not ``0o600``, which
``tempfile.mkstemp`` would give.

A process killed mid-write leaves its part file behind; :func:`remove_stale_parts` deletes those.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["STALE_AFTER_S", "atomic_writer", "remove_stale_parts"]

#: A part file untouched for this many seconds belongs to a dead writer: a live download writes
#: at least once per read timeout (30 s by default).
STALE_AFTER_S = 600.0

_ATTEMPTS = 100


def _part_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(4)}.part"


def _part_pattern(name: str) -> re.Pattern[str]:
    """Part files of ``name``: ours (8 hex digits) and ``tempfile.mkstemp``'s (8 of [a-z0-9_])."""
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.part")


def _create_part(path: Path) -> tuple[int, Path]:
    """Open a new part file for ``path`` (read-write, mode 0o666 before the umask)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        part = path.parent / _part_name(path.name)
        try:
            return os.open(part, flags, 0o666), part
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file for {path} in {path.parent}")


@contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file (read-write) whose content replaces ``path`` when the block ends normally.

    The folder is created if missing. The data is flushed to disk (``fsync``) before the rename;
    when the block raises, the part file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = _create_part(path)
    try:
        with os.fdopen(fd, "w+b") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def remove_stale_parts(
    folder: str | os.PathLike[str], name: str, older_than: float = STALE_AFTER_S
) -> list[Path]:
    """Delete the part files of ``name`` in ``folder`` not modified for ``older_than`` seconds.

    Only files matching this module's naming pattern, ``.NAME.XXXXXXXX.part``, are touched, so a
    user's files and another writer's live part file are left alone. Returns the deleted paths.
    """
    pattern = _part_pattern(name)
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed
