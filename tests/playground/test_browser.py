"""The playground in a real browser: Playwright for Python driving Debian's Chromium.

Skipped (with the reason) only when /usr/bin/chromium or the playwright package is missing.
The screenshot goes to test-artifacts/playground.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nnlab.playground.server import create_app

from .live import live_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with live_server(create_app()) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def epoch(page: object) -> int:
    return int(page.inner_text("#epoch").replace(",", ""))  # type: ignore[attr-defined]


def test_train_xor_toggle_a_feature_and_screenshot(server_url: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1360, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server_url)
    page.wait_for_selector("#heatmap")
    page.wait_for_function("() => document.querySelectorAll('#datasets canvas').length === 4")
    page.click("#datasets canvas[data-name='xor']")
    page.wait_for_function("() => location.hash.includes('dataset=xor')")
    start_loss = float(page.inner_text("#train-loss"))
    page.click("#play")
    page.wait_for_function(
        "() => parseInt(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 50",
        timeout=60_000,
    )
    page.click("#play")  # pause
    page.wait_for_function("() => !document.querySelector('#play').classList.contains('playing')")
    assert epoch(page) > 50
    assert float(page.inner_text("#train-loss")) < start_loss
    before = page.evaluate("location.hash")
    assert "xTimesY=false" in before
    page.click(".feature:nth-child(5)")  # X1X2
    page.wait_for_function("() => location.hash.includes('xTimesY=true')")
    assert page.evaluate("location.hash") != before
    page.click("#showTestData")
    page.click("#step")
    page.wait_for_function("() => document.querySelector('#epoch').textContent === '000,001'")
    page.click("#play")
    page.wait_for_function(
        "() => parseInt(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 40",
        timeout=60_000,
    )
    page.click("#play")
    page.wait_for_function("() => !document.querySelector('#play').classList.contains('playing')")
    page.hover("#loss-chart")
    page.wait_for_selector("#chart-tip:not([hidden])")
    assert page.inner_text("#chart-tip").startswith("epoch ")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_play_true_in_the_hash_starts_training(server_url: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server_url + "#dataset=gauss&networkShape=3&noise=10&play=true")
    page.wait_for_function(
        "() => parseInt(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 5",
        timeout=60_000,
    )
    assert page.evaluate("document.querySelectorAll('#layer-columns .layer').length") == 2
    assert "noise=10" in page.evaluate("location.hash")
    page.close()


def test_upload_csv_and_export_from_the_page(server_url: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server_url)
    page.wait_for_selector("#datasets canvas")
    rows = "\n".join(f"{(i % 11) - 5},{(i % 7) - 3},{1 if (i % 11) > 5 else 0}" for i in range(60))
    page.set_input_files(
        "#upload", files=[{"name": "pts.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.wait_for_function("() => location.hash.includes('dataset=upload')")
    assert "loaded 60 points" in page.inner_text("#message")
    page.set_input_files(
        "#upload", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"1,2\n"}]
    )
    says_line_1 = "() => document.querySelector('#message').textContent.includes('line 1')"
    page.wait_for_function(says_line_1)
    with page.expect_download() as download:
        page.click("#export-keras")
    assert download.value.suggested_filename == "playground_model.py"
    with page.expect_download() as download:
        page.click("#export-model")
    assert download.value.suggested_filename == "playground_model.keras"
    page.close()


def test_a_diverging_network_shows_the_notice_and_reset_clears_it(
    server_url: str, browser: object
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    setup = "dataset=circle&learningRate=10&batchSize=1&activation=relu"
    page.goto(f"{server_url}#{setup}&networkShape=32,32,32,32,32,32&play=true")
    page.wait_for_selector("#diverged:not([hidden])", timeout=60_000)
    assert "training diverged" in page.inner_text("#diverged")
    assert not page.evaluate("document.querySelector('#play').classList.contains('playing')")
    assert page.inner_text("#train-loss") == "NaN"
    page.click("#diverged button")
    page.wait_for_selector("#diverged", state="hidden")
    assert page.inner_text("#epoch") == "000,000"
    assert not errors, errors
    page.close()
