"""Virtual populations: ``n`` people drawn reproducibly from per-trait distributions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field

from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.sweep.limits import MAX_CASES

PERSON_FIELDS = ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity")
_DEFAULT_POPULATION = {
    "age": {"uniform": [30, 70]},
    "sex": ["female", "male"],
    "fitzpatrick": ["I", "II", "III", "IV", "V", "VI"],
    "site": "cheek",
    "sun_exposure": [0, 1, 2, 3],
    "laxity": [0, 1, 2, 3, 4],
}


class PopulationSpec(InputModel):
    """The ``[population]`` table: ``n`` people drawn from per-trait distributions.

    Each trait (``age``, ``sex``, ``fitzpatrick``, ``site``, ``sun_exposure``, ``laxity``)
    is a constant, a list (uniform choice), ``{choices = [...], weights = [...]}``,
    ``{uniform = [low, high]}`` or ``{normal = [mean, sd], clip = [low, high]}``
    (the last two for ``age`` in years). Unset traits follow a broad default.
    """

    n: int = Field(ge=1, le=MAX_CASES)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    age: Any = _DEFAULT_POPULATION["age"]
    sex: Any = _DEFAULT_POPULATION["sex"]
    fitzpatrick: Any = _DEFAULT_POPULATION["fitzpatrick"]
    site: Any = _DEFAULT_POPULATION["site"]
    sun_exposure: Any = _DEFAULT_POPULATION["sun_exposure"]
    laxity: Any = _DEFAULT_POPULATION["laxity"]

    def sample(self, seed_sequence: np.random.SeedSequence) -> list[dict[str, Any]]:
        """Draw the people (dicts of :class:`laserskin.skin.Person` fields), reproducibly."""
        rng = np.random.default_rng(seed_sequence)
        columns = {name: _draw(name, getattr(self, name), self.n, rng) for name in PERSON_FIELDS}
        return [{name: columns[name][i] for name in PERSON_FIELDS} for i in range(self.n)]


def _draw(name: str, spec: Any, n: int, rng: np.random.Generator) -> list[Any]:
    where = f"population.{name}"
    if isinstance(spec, list | tuple):
        if len(spec) == 0:
            raise InputError(where, spec, "a non-empty list of values to choose from")
        indices = rng.integers(0, len(spec), size=n)
        return [spec[i] for i in indices]
    if isinstance(spec, dict):
        keys = set(spec)
        if keys <= {"choices", "weights"} and "choices" in keys:
            choices = list(spec["choices"])
            if not choices:
                raise InputError(where, spec, "non-empty choices")
            weights = spec.get("weights")
            if weights is not None:
                weights = np.asarray(weights, dtype=float)
                if weights.shape != (len(choices),) or np.any(weights < 0) or not weights.sum() > 0:
                    raise InputError(
                        f"{where}.weights",
                        spec.get("weights"),
                        f"{len(choices)} non-negative weights with a positive sum",
                    )
                weights = weights / weights.sum()
            indices = rng.choice(len(choices), size=n, p=weights)
            return [choices[i] for i in indices]
        if keys == {"uniform"}:
            low, high = _pair(spec["uniform"], f"{where}.uniform")
            return [round(float(v), 1) for v in rng.uniform(low, high, size=n)]
        if keys <= {"normal", "clip"} and "normal" in keys:
            mean, sd = _pair(spec["normal"], f"{where}.normal", ordered=False)
            if sd < 0:
                raise InputError(f"{where}.normal", spec["normal"], "[mean, sd] with sd >= 0")
            low, high = _pair(spec.get("clip", [-np.inf, np.inf]), f"{where}.clip")
            values = np.clip(rng.normal(mean, sd, size=n), low, high)
            return [round(float(v), 1) for v in values]
        raise InputError(
            where,
            spec,
            "a value, a list, {choices, weights}, {uniform = [lo, hi]} or {normal = [mean, sd], clip = [lo, hi]}",
        )
    return [spec] * n


def _pair(value: Any, where: str, ordered: bool = True) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(where, value, "two numbers [a, b]") from None
    if not (math.isfinite(low) or math.isinf(low)) or (ordered and low > high):
        raise InputError(where, value, "[low, high] with low <= high")
    return low, high
