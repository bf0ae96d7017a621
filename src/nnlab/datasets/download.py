"""Downloading data files: mirrors tried in turn, a progress bar, SHA-256 checks, atomic writes.

:func:`download` fetches ``mirror + filename`` from each mirror in turn until one succeeds.
The bytes are streamed to a ``.part`` file next to the destination (see
:mod:`nnlab.atomic`: the umask decides its permissions) while a progress bar is drawn on
stderr; the SHA-256 of the *decompressed* content (gzip data is recognised by its first bytes) is
compared with the expected digest; only a verified file is moved into place with ``os.replace``.
A failed attempt -- network error, HTTP error, checksum mismatch -- leaves nothing behind and the
next mirror is tried; when all fail, :class:`DownloadError` lists every attempt. Part files of the
same name left by an interrupted download (untouched for
:data:`~nnlab.atomic.STALE_AFTER_S` seconds) are deleted when a download starts.

Only ``urllib`` is used, so ``http://``, ``https://`` and ``file://`` mirrors all work.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from nnlab.atomic import atomic_writer, remove_stale_parts

__all__ = ["DownloadError", "Progress", "download", "sha256_of_content"]

_CHUNK = 1 << 16


class DownloadError(OSError):
    """No mirror delivered a file with the expected checksum."""


class Progress:
    """A one-line progress bar: ``name  42% [=======>         ] 4.1/9.9 MB``.

    Redrawn in place with a carriage return, at most once per percent; when the total size is
    unknown, only the byte count is shown.
    """

    def __init__(self, name: str, total: int | None, stream: TextIO | None = None, width: int = 30):
        self.name, self.total, self.width = name, total, width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._last_shown: int | None = None

    def update(self, nbytes: int) -> None:
        """Count ``nbytes`` more bytes received and redraw if the shown value changed."""
        self.done += nbytes
        if self.total:
            shown = min(100, 100 * self.done // self.total)
        else:
            shown = self.done >> 20  # whole megabytes
        if shown != self._last_shown:
            self._last_shown = shown
            self._draw()

    def _draw(self) -> None:
        mb = self.done / 1e6
        if self.total:
            frac = min(1.0, self.done / self.total)
            filled = int(frac * self.width)
            arrow = ">" if filled < self.width else ""
            bar = ("=" * filled + arrow).ljust(self.width)
            line = f"{self.name}  {frac:4.0%} [{bar}] {mb:.1f}/{self.total / 1e6:.1f} MB"
        else:
            line = f"{self.name}  {mb:.1f} MB"
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        """End the line."""
        self.stream.write("\n")
        self.stream.flush()


def sha256_of_content(f: BinaryIO) -> str:
    """SHA-256 hex digest of the stream's content, gunzipped first when it starts with gzip's magic.

    Raises ``ValueError`` for a truncated or corrupt gzip stream.
    """
    head = f.read(2)
    f.seek(0)
    digest = hashlib.sha256()
    if head == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            while chunk := f.read(_CHUNK):
                digest.update(inflater.decompress(chunk))
            digest.update(inflater.flush())
        except zlib.error as exc:
            raise ValueError(f"corrupt gzip data ({exc})") from exc
        if not inflater.eof:
            raise ValueError("truncated gzip data")
    else:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    f.seek(0)
    return digest.hexdigest()


def _fetch(url: str, out: BinaryIO, name: str, progress: bool, timeout: float) -> None:
    """Stream ``url`` into ``out``, drawing a progress bar when ``progress``."""
    request = urllib.request.Request(url, headers={"User-Agent": "nnlab"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        bar = Progress(name, int(length) if length else None) if progress else None
        try:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
    if length and out.tell() != int(length):
        raise ValueError(f"incomplete download: {out.tell()} of {length} bytes")


def download(
    filename: str,
    dest_dir: str | os.PathLike[str],
    mirrors: Sequence[str],
    sha256: str | None = None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Download ``filename`` into ``dest_dir`` from the first mirror that delivers it intact.

    Args:
        filename: the file's name on the mirrors and on disk, e.g.
            ``"train-images-idx3-ubyte.gz"``.
        dest_dir: the folder to write into (created if missing).
        mirrors: base URLs tried in order; the file's URL is ``mirror + filename`` (a missing
            trailing ``/`` is added).
        sha256: expected SHA-256 (hex) of the file's decompressed content, or ``None`` to skip the
            check.
        progress: draw a progress bar on stderr.
        timeout: seconds to wait for each connection / read.

    Returns:
        The path of the downloaded file, ``dest_dir / filename``.

    Raises:
        DownloadError: every mirror failed; the message lists each URL and why.
    """
    if not mirrors:
        raise ValueError(f"download: no mirrors given for {filename}")
    dest = Path(dest_dir) / filename
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(dest.parent, filename)
    failures: list[str] = []
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += filename
        try:
            with atomic_writer(dest) as out:
                _fetch(url, out, filename, progress, timeout)
                out.flush()
                out.seek(0)
                if sha256 is not None:
                    actual = sha256_of_content(out)
                    if actual != sha256.lower():
                        raise ValueError(f"SHA-256 mismatch: got {actual}, expected {sha256}")
            return dest
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            failures.append(f"  {url}: {exc}")
    raise DownloadError(
        f"could not download {filename} into {dest.parent}; tried:\n" + "\n".join(failures)
    )
