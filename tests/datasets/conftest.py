"""Fixtures for the data-set tests: a local HTTP server (127.0.0.1 only) and a tiny fake MNIST."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nnlab.datasets.idx import idx_bytes, write_idx


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the server's folder; ``/short/NAME`` promises more bytes than it sends."""

    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.requests.append(self.path)
        if self.path.startswith("/short/"):
            body = (Path(self.directory) / self.path.removeprefix("/short/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 100))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 serving ``root``; ``url`` is its base URL."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        handler = type("Handler", (_Handler,), {"requests": self.requests})

        def make(*args: object, **kwargs: object) -> _Handler:
            return handler(*args, directory=str(root), **kwargs)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    root = tmp_path_factory.mktemp("served")
    srv = LocalServer(root)
    try:
        yield srv
    finally:
        srv.close()


def fake_mnist(n_train: int = 12, n_test: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Small arrays shaped like MNIST, by base file name."""
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_fake_mnist(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> None:
    for base, array in arrays.items():
        write_idx(folder / (base + (".gz" if gz else "")), array)


def checksums_of(arrays: dict[str, np.ndarray]) -> dict[str, str]:
    return {base: hashlib.sha256(idx_bytes(a)).hexdigest() for base, a in arrays.items()}


@pytest.fixture
def mnist_tools() -> SimpleNamespace:
    """``fake(n_train, n_test, seed)``, ``write(folder, arrays, gz)``, ``checksums(arrays)``."""
    return SimpleNamespace(fake=fake_mnist, write=write_fake_mnist, checksums=checksums_of)
