"""The one progress renderer: draws stages with rate, stays silent when nobody watches, never raises."""

import io

from rich.console import Console

from laserskin.core.callbacks import Callback
from laserskin.plotting.progress import RichProgress, default_progress, interactive


def run_stage(progress: Callback) -> None:
    progress.on_start("transport [1/2]", 1000, "photons")
    progress.on_progress("transport [1/2]", 500, 0.5)
    if isinstance(progress, RichProgress):
        progress.status("transport [1/2]", "[2 failed]")
    progress.on_progress("transport [1/2]", 1000, 1.0)
    progress.on_end("transport [1/2]", 1.0)


def test_draws_stage_name_verbatim_and_rate():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    run_stage(RichProgress(True, console=console, transient=False))
    text = buffer.getvalue()
    assert "transport [1/2]" in text  # brackets are not markup
    assert "1,000 photons/s" in text
    assert "[2 failed]" in text


def test_unknown_total_is_an_indeterminate_bar():
    buffer = io.StringIO()
    progress = RichProgress(True, console=Console(file=buffer, force_terminal=True, width=80))
    progress.on_start("cluster start-up", 0, "workers")
    progress.on_progress("cluster start-up", 1, 0.1)
    progress.on_end("cluster start-up", 0.2)
    assert progress._progress is None  # stopped after its last stage


def test_disabled_draws_nothing():
    buffer = io.StringIO()
    run_stage(RichProgress(False, console=Console(file=buffer, force_terminal=True)))
    assert buffer.getvalue() == ""


class BrokenFile(io.StringIO):
    def write(self, text):
        raise OSError("display gone")


def test_a_broken_display_switches_itself_off_without_raising():
    progress = RichProgress(True, console=Console(file=BrokenFile(), force_terminal=True))
    run_stage(progress)  # must not raise
    run_stage(progress)
    assert progress.enabled is False or progress._progress is None


def test_nobody_watching_means_no_bar(monkeypatch):
    monkeypatch.delenv("LASERSKIN_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert interactive() is False
    assert default_progress() is None
    assert RichProgress().enabled is False


def test_the_environment_forces_bars_on_or_off(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setenv("LASERSKIN_PROGRESS", "1")
    assert interactive() is True and isinstance(default_progress(), RichProgress)
    monkeypatch.setenv("LASERSKIN_PROGRESS", "off")
    assert interactive() is False and default_progress() is None
