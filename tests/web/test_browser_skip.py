"""A fresh machine without Chromium or playwright: the browser tests (test_browser.py) are skipped with the reason,
and pytest exits 0, so ``make test`` passes there; ``LASERSKIN_REQUIRE_BROWSER=1`` turns the skip back into a
failure. Simulated in a subprocess: Chromium hidden by pointing ``LASERSKIN_CHROMIUM`` at a path that does not exist,
the packages hidden by a folder first on the path whose ``playwright`` and ``axe_playwright_python`` raise
ImportError (nothing is uninstalled)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = "tests/web/test_browser.py"


def _pytest(tmp_path, *, hide_packages: bool = False, **env: str) -> subprocess.CompletedProcess:
    path = list(sys.path)
    if hide_packages:
        for name in ("playwright", "axe_playwright_python"):
            (tmp_path / "hidden" / name).mkdir(parents=True)
            (tmp_path / "hidden" / name / "__init__.py").write_text(f'raise ImportError("{name} hidden by the test")\n')
        path.insert(0, str(tmp_path / "hidden"))
    environment = {key: value for key, value in os.environ.items() if key != "LASERSKIN_REQUIRE_BROWSER"}
    environment.update(PYTHONPATH=os.pathsep.join(path), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", BROWSER_TESTS, "-q", "-x", "-p", "no:cacheprovider", "-rs"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_tests_skip_with_the_reason(tmp_path):
    run = _pytest(tmp_path, LASERSKIN_CHROMIUM=str(tmp_path / "no-chromium"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skipped" in run.stdout and "passed" not in run.stdout and "error" not in run.stdout.lower()
    assert f"no Chromium at {tmp_path / 'no-chromium'}" in run.stdout


def test_without_playwright_the_browser_tests_skip_with_the_reason(tmp_path):
    run = _pytest(tmp_path, hide_packages=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skipped" in run.stdout and "passed" not in run.stdout
    assert "playwright is not importable (playwright hidden by the test" in run.stdout
    assert "axe_playwright_python is not importable" in run.stdout


def test_a_machine_that_requires_the_browser_fails_without_it(tmp_path):
    run = _pytest(tmp_path, hide_packages=True, LASERSKIN_REQUIRE_BROWSER="1")
    assert run.returncode != 0 and "skipped" not in run.stdout, run.stdout
