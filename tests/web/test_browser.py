"""End to end in real headless Chromium (Debian chromium + playwright): plan and simulate pages.

The browser must start; if it cannot, the test fails (no skip).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from laserskin.web import WebSettings, create_app

    data = tmp_path_factory.mktemp("webdata")
    app = create_app(data, WebSettings(max_photons=2000))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", data
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        yield page
        browser.close()


def figures_loaded(page) -> list[int]:
    """Natural widths of the result figures (0 = not rendered)."""
    return page.eval_on_selector_all(
        "img.figure", "images => images.map(i => i.complete ? i.naturalWidth : 0)"
    )


def test_plan_form_to_plan_with_figures(server, page, tmp_path):
    url, data = server
    page.goto(url + "/")
    page.fill("#age", "17")
    page.fill("#area", "100 cm^2")
    page.click("#submit")
    assert "18" in page.inner_text(
        "#age-error"
    )  # shown next to the field, nothing started
    assert not list((data / "jobs").iterdir())
    page.fill("#age", "56")
    page.select_option("#sex", "female")
    page.select_option("#fitzpatrick", "III")
    page.select_option("#site", "cheek")
    page.select_option("#laxity", "2")
    page.select_option("#goal", "tighten")
    page.fill("#area", "100 cm^2")
    page.fill("#photons", "1000")
    page.click("#submit")
    page.wait_for_selector("#progress")
    page.wait_for_selector("#plan, #job-error:not([hidden])", timeout=120_000)
    assert page.is_hidden("#job-error"), page.inner_text("#job-error")
    assert "Plan:" in page.inner_text("#plan") or "Referral" in page.inner_text("#plan")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('img.figure')).every(i => i.complete)"
    )
    widths = figures_loaded(page)
    assert len(widths) >= 2 and all(w > 0 for w in widths)
    assert page.get_attribute("#download-report", "href").endswith("report.html")
    page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
    assert (tmp_path / "plan.png").stat().st_size > 10_000


def test_simulate_page_shows_maps(server, page, tmp_path):
    url, _ = server
    page.goto(url + "/simulate")
    page.fill("#age", "45")
    page.select_option("#device", "genesis_1064")
    page.fill("#fluence", "12 J/cm^2")
    page.fill("#photons", "500")
    page.click("#submit")
    page.wait_for_selector("#simulation, #job-error:not([hidden])", timeout=120_000)
    assert page.is_hidden("#job-error"), page.inner_text("#job-error")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('img.figure')).every(i => i.complete)"
    )
    widths = figures_loaded(page)
    assert len(widths) == 2 and all(w > 0 for w in widths)
    page.screenshot(path=str(tmp_path / "simulate.png"), full_page=True)
