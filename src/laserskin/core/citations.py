"""Registry of sources: every model and parameter set registers the work it comes from.

``laserskin cite`` prints the registry; reports list the citations of the models
a result used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A literature source."""

    key: str
    text: str
    doi: str | None = None

    def __str__(self) -> str:
        return f"{self.text}" + (f" doi:{self.doi}" if self.doi else "")


_REGISTRY: dict[str, Citation] = {}


def register(key: str, text: str, doi: str | None = None) -> Citation:
    """Register a source under ``key`` and return it; the first registration of a key wins."""
    return _REGISTRY.setdefault(key, Citation(key, text, doi))


def get(key: str) -> Citation:
    """Return the citation registered under ``key``."""
    return _REGISTRY[key]


def all_citations() -> list[Citation]:
    """All registered citations, sorted by key."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
