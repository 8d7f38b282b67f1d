"""The bibliography: one key per work, in one data file; models cite the keys they use.

Every physical model and parameter set names its source in its docstring and calls
:func:`cite` with the source's key when it runs. Keys live in
``laserskin/data/bibliography.toml`` (a test checks that no DOI or title appears twice).
A :func:`recording` block collects the keys cited while it is open, so a simulation or a
plan records exactly the works it used; ``laserskin cite`` lists the whole bibliography.
A computation that cites and is cached uses :func:`cached` (not :func:`functools.lru_cache`):
its hits cite what its first call cited, so what a run records does not depend on what ran
before it in the same process.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

from laserskin.core.errors import InputError

__all__ = ["Citation", "all_citations", "bibliography", "cached", "cite", "get", "recording"]

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Citation:
    """A literature source."""

    key: str
    text: str
    doi: str | None = None

    def __str__(self) -> str:
        return self.text + (f" doi:{self.doi}" if self.doi and self.doi not in self.text else "")


@lru_cache(maxsize=1)
def bibliography() -> dict[str, Citation]:
    """Every work laserskin cites, by key (parsed once from ``data/bibliography.toml``)."""
    text = resources.files("laserskin").joinpath("data", "bibliography.toml").read_text(encoding="utf-8")
    return {key: Citation(key, entry["text"], entry.get("doi")) for key, entry in tomllib.loads(text).items()}


_RECORDERS: contextvars.ContextVar[tuple[set[str], ...]] = contextvars.ContextVar("citation_recorders", default=())


def cite(*keys: str) -> None:
    """Mark the works ``keys`` as used by the running computation.

    Raises
    ------
    InputError
        A key that is not in the bibliography (a programming error caught by the tests).
    """
    known = bibliography()
    for key in keys:
        if key not in known:
            raise InputError("citation", key, "a key of laserskin/data/bibliography.toml")
    for recorder in _RECORDERS.get():
        recorder.update(keys)


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the keys cited inside the ``with`` block (nested blocks each see theirs).

    Examples
    --------
    >>> with recording() as used:
    ...     cite("pennes1948")
    >>> sorted(used)
    ['pennes1948']
    """
    used: set[str] = set()
    token = _RECORDERS.set((*_RECORDERS.get(), used))
    try:
        yield used
    finally:
        _RECORDERS.reset(token)


@contextlib.contextmanager
def deferred() -> Iterator[set[str]]:
    """Collect the keys cited inside the ``with`` block without passing them to the enclosing blocks' records: a
    computation made ahead of its use (the planner's alternative device) cites them with :func:`cite` when it is
    used, so that a result lists only the works of what it shows."""
    used: set[str] = set()
    token = _RECORDERS.set((used,))
    try:
        yield used
    finally:
        _RECORDERS.reset(token)


def cached(maxsize: int | None = 128) -> Callable[[_F], _F]:
    """:func:`functools.lru_cache` for a computation that cites: a hit cites the keys its first call cited.

    With a plain ``lru_cache`` only the first call in a process records its sources, so a second
    simulation or plan would list fewer works than the first (the skin's and the optics' sources were
    missing from every simulation after the first one for the same person). The decorated function
    keeps ``cache_clear`` and ``cache_info``.

    Examples
    --------
    >>> @cached(maxsize=1)
    ... def conduction():
    ...     cite("pennes1948")
    ...     return 1.0
    >>> _ = conduction()
    >>> with recording() as used:
    ...     _ = conduction()
    >>> sorted(used)
    ['pennes1948']
    """

    def decorate(function: _F) -> _F:
        @lru_cache(maxsize=maxsize)
        def computed(*args: Any, **kwargs: Any) -> tuple[Any, frozenset[str]]:
            with recording() as used:
                value = function(*args, **kwargs)
            return value, frozenset(used)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value, used = computed(*args, **kwargs)
            cite(*used)
            return value

        wrapper.cache_clear = computed.cache_clear  # type: ignore[attr-defined]
        wrapper.cache_info = computed.cache_info  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def get(key: str) -> Citation:
    """The citation registered under ``key``."""
    try:
        return bibliography()[key]
    except KeyError:
        raise InputError("citation", key, "a key of laserskin/data/bibliography.toml") from None


def all_citations() -> list[Citation]:
    """The whole bibliography, sorted by key."""
    return [entry for _, entry in sorted(bibliography().items())]
