"""Downloads without the internet: a local HTTP server on 127.0.0.1 and file:// mirrors."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import pytest

from nnlab.datasets.download import DownloadError, Progress, download, sha256_of_content

CONTENT = bytes(range(256)) * 300  # 76.8 kB, several chunks
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def served(server):
    """The server with ``good/data.gz`` (CONTENT gzipped) and ``bad/data.gz`` (other content)."""
    for sub, content in (("good", CONTENT), ("bad", CONTENT[::-1])):
        (server.root / sub).mkdir()
        (server.root / sub / "data.gz").write_bytes(gzip.compress(content))
    return server


def test_first_mirror_fails_second_succeeds(served, tmp_path: Path, capsys) -> None:
    dest = tmp_path / "dest"
    mirrors = [served.url + "missing/", served.url + "good"]  # second without trailing slash
    path = download("data.gz", dest, mirrors, DIGEST)
    assert path == dest / "data.gz"
    assert gzip.decompress(path.read_bytes()) == CONTENT
    assert served.requests == ["/missing/data.gz", "/good/data.gz"]
    assert list(dest.iterdir()) == [path]
    err = capsys.readouterr().err
    assert "data.gz" in err and "100%" in err


def test_checksum_mismatch_leaves_nothing(served, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as info:
        download("data.gz", dest, [served.url + "bad/"], DIGEST, progress=False)
    message = str(info.value)
    assert "SHA-256 mismatch" in message and "/bad/data.gz" in message
    assert list(dest.iterdir()) == []


def test_mismatch_then_good_mirror(served, tmp_path: Path) -> None:
    mirrors = [served.url + "bad/", served.url + "good/"]
    path = download("data.gz", tmp_path, mirrors, DIGEST, progress=False)
    assert gzip.decompress(path.read_bytes()) == CONTENT


def test_failure_keeps_existing_file(served, tmp_path: Path) -> None:
    old = tmp_path / "data.gz"
    old.write_bytes(b"previous")
    with pytest.raises(DownloadError):
        download("data.gz", tmp_path, [served.url + "bad/"], DIGEST, progress=False)
    assert old.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["data.gz"]


def test_incomplete_transfer_is_rejected(served, tmp_path: Path) -> None:
    # the server announces 100 bytes more than it sends; no checksum to catch it
    with pytest.raises(DownloadError, match="short/good/data.gz"):
        download("data.gz", tmp_path, [served.url + "short/good/"], None, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_every_failure_is_listed(served, tmp_path: Path) -> None:
    mirrors = [served.url + "nowhere/", served.url + "bad/"]
    with pytest.raises(DownloadError) as info:
        download("data.gz", tmp_path, mirrors, DIGEST, progress=False)
    lines = str(info.value).splitlines()
    assert "could not download data.gz" in lines[0]
    assert "nowhere/data.gz" in lines[1] and "404" in lines[1]
    assert "bad/data.gz" in lines[2] and "mismatch" in lines[2]


def test_file_url_and_uncompressed_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "plain.bin").write_bytes(CONTENT)
    path = download("plain.bin", tmp_path / "dest", [src.as_uri()], DIGEST, progress=False)
    assert path.read_bytes() == CONTENT


def test_no_mirrors() -> None:
    with pytest.raises(ValueError, match="no mirrors"):
        download("x", ".", [], None)


def test_sha256_of_content_gz_and_plain() -> None:
    assert sha256_of_content(io.BytesIO(CONTENT)) == DIGEST
    assert sha256_of_content(io.BytesIO(gzip.compress(CONTENT))) == DIGEST
    cut = gzip.compress(CONTENT)[:-20]
    with pytest.raises(ValueError, match="truncated gzip"):
        sha256_of_content(io.BytesIO(cut))


def test_progress_bar_text() -> None:
    out = io.StringIO()
    bar = Progress("f.gz", total=2_000_000, stream=out, width=10)
    bar.update(1_000_000)
    bar.update(1)  # same percent: not redrawn
    bar.update(999_999)
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 2
    assert "\rf.gz   50% [=====>    ] 1.0/2.0 MB" in text
    assert "\rf.gz  100% [==========] 2.0/2.0 MB\n" in text
    out = io.StringIO()
    unknown = Progress("g", total=None, stream=out)
    unknown.update(3 << 20)
    assert "g  3.1 MB" in out.getvalue()
