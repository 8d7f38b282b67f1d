"""The ``progress=`` keyword of every long computation, resolved in one place.

Default (:data:`DEFAULT_PROGRESS`): a rich bar in a terminal or notebook and nothing when no one
watches (:func:`laserskin.plotting.progress.default_progress`); ``None`` silences; a
:class:`~laserskin.core.callbacks.Callback` (or a list of them) receives the events.
:func:`progress_scope` hands one choice to every simulation made inside a block (how the
planner threads its ``progress=`` through many simulations).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from laserskin.core.callbacks import Callback, as_callback
from laserskin.plotting.progress import default_progress

__all__ = ["DEFAULT_PROGRESS", "progress_scope", "resolve_progress"]


class _DefaultProgress:
    """Marker of the default ``progress``: a rich bar when someone watches, else silence."""

    def __repr__(self) -> str:
        return "DEFAULT_PROGRESS"


#: ``progress=`` default of :class:`Simulation`: :func:`laserskin.plotting.progress.default_progress`
#: (a rich bar in terminals and notebooks, nothing when not interactive); ``None`` silences.
DEFAULT_PROGRESS: Any = _DefaultProgress()


_SCOPED_PROGRESS: ContextVar[Any] = ContextVar("laserskin_progress", default=DEFAULT_PROGRESS)


def resolve_progress(progress: Any) -> Callback:
    """The callback for a ``progress=`` argument: the default (the enclosing
    :func:`progress_scope`'s, else :func:`~laserskin.plotting.progress.default_progress`),
    ``None`` = silent, or the callback(s) given."""
    if progress is DEFAULT_PROGRESS:
        progress = _SCOPED_PROGRESS.get()
        if progress is DEFAULT_PROGRESS:
            progress = default_progress()
    return as_callback(progress)


@contextmanager
def progress_scope(progress: Any) -> Iterator[Callback]:
    """Simulations made inside this block without a ``progress=`` report to ``progress``.

    How a driver of many simulations (the planner) threads one ``progress=`` keyword through
    without passing it to every call: ``None`` silences them all, the default draws one bar.
    """
    callback = resolve_progress(progress)
    token = _SCOPED_PROGRESS.set(callback)
    try:
        yield callback
    finally:
        _SCOPED_PROGRESS.reset(token)
