"""The one progress renderer: a rich bar per stage, in a terminal (on stderr) or a notebook.

The CLI, sweeps and the Python API use this class for every long computation, so a
progress bar looks the same wherever it appears. It renders the events of
:class:`laserskin.core.callbacks.Callback` (``on_start``/``on_progress``/``on_end``):
one line per running stage with its percentage, rate (units/s) and time remaining; a
stage started with ``total <= 0`` shows an indeterminate (pulsing) bar.

It lives beside the figures because it is presentation too (rich is imported only when
a bar is first shown), and it imports nothing above :mod:`laserskin.core`, so any layer
may default to it::

    from laserskin.plotting.progress import RichProgress, default_progress

    Simulation(person, laser, progress=RichProgress()).run()    # always a bar
    Simulation(person, laser, progress=default_progress()).run()  # a bar when someone watches

Rendering never raises into the computation: a broken display is switched off, the
computation goes on (see :mod:`laserskin.core.callbacks`).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from laserskin.core.callbacks import Callback

__all__ = ["PROGRESS_ENV", "RichProgress", "default_progress", "interactive"]


#: Environment variable that forces progress bars on (``1``) or off (``0``) everywhere.
PROGRESS_ENV = "LASERSKIN_PROGRESS"


def interactive(stream: Any = None) -> bool:
    """Whether someone is watching: ``stream`` (default stderr) is a terminal, or we run in Jupyter.

    ``LASERSKIN_PROGRESS=0`` (or ``off``) answers no and ``LASERSKIN_PROGRESS=1`` (``on``) yes,
    whatever the stream (e.g. bars in a CI log, or none in a terminal recording).
    """
    forced = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if forced in {"0", "off", "no", "false"}:
        return False
    if forced in {"1", "on", "yes", "true"}:
        return True
    stream = sys.stderr if stream is None else stream
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):  # closed or replaced streams
        pass
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # noqa: BLE001 - IPython present but unusable: no bar
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def default_progress() -> RichProgress | None:
    """A :class:`RichProgress` when someone is watching (terminal or notebook), else ``None``."""
    return RichProgress() if interactive() else None


class RichProgress(Callback):
    """Progress events as rich progress bars (percentage, rate in units/s, time left).

    Parameters
    ----------
    enabled : bool or None
        ``None`` (default): draw only when :func:`interactive`; ``True``: always draw
        (rich still falls back to plain lines where it cannot redraw); ``False``: never.
    console : rich.console.Console, optional
        Where to draw (default: a console on stderr, so JSON on stdout stays clean).
    transient : bool
        Remove the bars when their stages end (default) or leave the last state visible.
    """

    def __init__(self, enabled: bool | None = None, *, console: Any = None, transient: bool = True):
        self.enabled = interactive() if enabled is None else bool(enabled)
        self.transient = transient
        self._console = console
        self._progress: Any = None
        self._tasks: dict[str, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    # --- Callback -------------------------------------------------------------------------
    def on_start(self, stage: str, total: float, unit: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            try:
                progress = self._ensure_started()
                known = total is not None and total > 0
                task = progress.add_task(str(stage), total=float(total) if known else None, rate="", status="")
                self._tasks[stage] = (task, str(unit or ""))
            except Exception:  # noqa: BLE001 - never break the computation for a display
                self._disable()

    def on_progress(self, stage: str, done: float, elapsed_s: float) -> None:
        if self._progress is None:
            return
        with self._lock:
            if stage not in self._tasks or self._progress is None:
                return
            task, unit = self._tasks[stage]
            rate = f"{done / elapsed_s:,.0f} {unit}/s" if elapsed_s and elapsed_s > 0 and done else ""
            try:
                self._progress.update(task, completed=done, rate=rate)
            except Exception:  # noqa: BLE001
                self._disable()

    def on_end(self, stage: str, elapsed_s: float) -> None:
        if self._progress is None:
            return
        with self._lock:
            if stage not in self._tasks or self._progress is None:
                return
            task, _ = self._tasks.pop(stage)
            try:
                if self.transient:
                    self._progress.remove_task(task)
                else:
                    total = self._progress.tasks[task].total if task < len(self._progress.tasks) else None
                    self._progress.update(task, completed=total or 1.0, total=total or 1.0)
                if not self._tasks:
                    self._progress.stop()
                    self._progress = None
            except Exception:  # noqa: BLE001
                self._disable()

    def status(self, stage: str, text: str) -> None:
        """Show ``text`` beside a running stage's bar (e.g. ``"2 failed"`` or ``"waiting for workers"``)."""
        if self._progress is None:
            return
        with self._lock:
            if stage not in self._tasks or self._progress is None:
                return
            try:
                self._progress.update(self._tasks[stage][0], status=str(text))
            except Exception:  # noqa: BLE001
                self._disable()

    # --- helpers ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop drawing (also called when the object is garbage collected)."""
        with self._lock:
            self._tasks.clear()
            if self._progress is not None:
                try:
                    self._progress.stop()
                finally:
                    self._progress = None

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def _ensure_started(self) -> Any:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            console = self._console if self._console is not None else Console(stderr=True, markup=False)
            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%", markup=False),
                TextColumn("{task.fields[rate]}", markup=False),
                TextColumn("{task.fields[status]}", markup=False),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=self.transient,
            )
            self._progress.start()
        return self._progress

    def _disable(self) -> None:
        self.enabled = False
        progress, self._progress = self._progress, None
        self._tasks.clear()
        if progress is not None:
            try:
                progress.stop()
            except Exception:  # noqa: BLE001
                pass
