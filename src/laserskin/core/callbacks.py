"""Progress events that long computations emit and that the CLI, web UI and notebooks render.

Modelled on PyBaMM's callbacks: a stage announces its start with a total and a
unit, reports progress now and then, and announces its end. Every method is a
no-op here; subclasses override what they need. Callbacks must not raise: a
broken progress display should not stop a simulation, so callers catch nothing
and implementations are expected to be defensive.
"""

from __future__ import annotations

from collections.abc import Iterable


class Callback:
    """Base progress callback: all methods do nothing."""

    def on_start(self, stage: str, total: float, unit: str) -> None:
        """A stage starts; ``total`` work items of ``unit`` (e.g. photons) are to be done."""

    def on_progress(self, stage: str, done: float, elapsed_s: float) -> None:
        """``done`` items of the stage are finished after ``elapsed_s`` seconds."""

    def on_end(self, stage: str, elapsed_s: float) -> None:
        """The stage finished after ``elapsed_s`` seconds."""


class CallbackList(Callback):
    """Fans every event out to several callbacks, in order."""

    def __init__(self, callbacks: Iterable[Callback | None] = ()):
        self.callbacks = [callback for callback in callbacks if callback is not None]

    def on_start(self, stage: str, total: float, unit: str) -> None:
        for callback in self.callbacks:
            callback.on_start(stage, total, unit)

    def on_progress(self, stage: str, done: float, elapsed_s: float) -> None:
        for callback in self.callbacks:
            callback.on_progress(stage, done, elapsed_s)

    def on_end(self, stage: str, elapsed_s: float) -> None:
        for callback in self.callbacks:
            callback.on_end(stage, elapsed_s)


def as_callback(progress: Callback | Iterable[Callback] | None) -> Callback:
    """Normalise ``None``, one callback or a list of callbacks into one :class:`Callback`."""
    if progress is None:
        return Callback()
    if isinstance(progress, Callback):
        return progress
    return CallbackList(progress)
