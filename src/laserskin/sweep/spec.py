"""The sweep file's tables as validated models: ``[sweep]``, ``[base]``, ``[axes]``,
``[population]``, ``[cluster]``."""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.sweep.limits import MAX_AXES, MAX_AXIS_VALUES, MAX_CASES
from laserskin.sweep.population import PERSON_FIELDS, PopulationSpec

_ADDRESS = re.compile(r"^(?:(tcp|tls|ucx|ws|wss)://[^\s/]+|inproc://\S+)$")


class SweepMeta(InputModel):
    """The ``[sweep]`` table: name, root seed, kind of case and seeding scheme."""

    name: str = Field(default="sweep", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    seed: int = Field(default=0, ge=0, lt=2**63)
    case: Literal["simulate", "plan"] = "simulate"
    seed_per: Literal["case", "person"] = "case"
    save_fields: bool = False


class ClusterSpec(InputModel):
    """The ``[cluster]`` table: where the cases run.

    ``kind = "local"`` (default): a dask LocalCluster with ``workers`` processes of one
    thread each (default: the number of cores). ``address``: an existing scheduler
    (``tcp://host:8786``). ``kind = "slurm" | "pbs"``: a dask-jobqueue cluster (optional
    dependency) built with ``options`` and scaled to ``workers`` workers.
    """

    kind: Literal["local", "slurm", "pbs"] = "local"
    address: str | None = None
    workers: int | None = Field(default=None, ge=1, le=4096)
    connect_timeout_s: float = Field(default=5.0, gt=0.0, le=300.0)
    options: dict[str, Any] = {}

    @field_validator("address")
    @classmethod
    def _address(cls, value):
        if value is not None and not _ADDRESS.match(value):
            raise ValueError("expected a scheduler address such as tcp://HOST:8786")
        return value


class SweepSpec(InputModel):
    """A whole sweep file. Cases = population × Cartesian product of the axes."""

    sweep: SweepMeta = SweepMeta()
    base: dict[str, Any] = {}
    axes: dict[str, list[Any]] = {}
    population: PopulationSpec | None = None
    cluster: ClusterSpec = ClusterSpec()

    @field_validator("axes")
    @classmethod
    def _axes(cls, axes):
        for key, values in axes.items():
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", key):
                raise ValueError(f"axis {key!r}: expected a dotted key into [base] such as 'laser.fluence'")
            if len(values) == 0:
                raise ValueError(f"axis {key!r} is empty; give at least one value")
        return axes

    @model_validator(mode="after")
    def _size(self):
        if not self.axes and self.population is None:
            raise ValueError("a sweep needs [axes] (non-empty value lists) and/or a [population]")
        if self.sweep.case == "simulate" and "person" not in self.base and self.population is None:
            raise ValueError("a simulate sweep needs base.person or a [population]")
        check_axes_overlap(self)
        return self

    # --- shape -------------------------------------------------------------------------------
    @property
    def n_people(self) -> int:
        return self.population.n if self.population is not None else 1

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes of the dimensions (``person`` first when there is a population)."""
        lead = (self.population.n,) if self.population is not None else ()
        return lead + tuple(len(values) for values in self.axes.values())

    @property
    def dims(self) -> tuple[str, ...]:
        lead = ("person",) if self.population is not None else ()
        return lead + tuple(axis_dim(key) for key in self.axes)

    @property
    def n_cases(self) -> int:
        return int(math.prod(self.shape)) if self.shape else 1

    def fingerprint(self) -> str:
        """SHA-256 of everything that defines the cases (the ``[cluster]`` table excluded)."""
        payload = self.model_dump(mode="json", exclude={"cluster"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def axis_dim(key: str) -> str:
    """Dimension name of an axis: the dotted key with dots replaced by ``__``."""
    return key.replace(".", "__")


def check_axes_overlap(spec: SweepSpec) -> None:
    """Refuse axes that would overwrite one another's values (QA11 #5).

    A case applies ``[base]``, then the population's person, then the axes in file order, each axis writing its
    value at its dotted key. Two axes where one key lies under the other (``cooling.spurt_duration`` and
    ``cooling``) would overwrite each other: the table axis, applied after it, discards the dotted value (or, in
    the other order, the dotted value is written into every table), while ``sweep.nc`` labels the results with
    both dimensions. Likewise an axis over a trait the ``[population]`` draws (``person.age`` in a simulate
    sweep, ``age`` in a plan sweep, or the whole ``person`` table) would discard the drawn trait that the
    results are labelled with. Both are refused before anything runs, naming both keys.

    Raises
    ------
    InputError
        At ``axes``, naming the two overlapping keys (or the axis and the population trait) and what to do.
    """
    keys = list(spec.axes)
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            outer, inner = (first, second) if len(first) <= len(second) else (second, first)
            if inner.startswith(outer + "."):
                raise InputError(
                    "axes",
                    [first, second],
                    f"axes that do not overlap: axis '{outer}' replaces the whole {outer} table, so the two axes "
                    "would overwrite each other while the results are labelled with both; give "
                    f"{inner.removeprefix(outer + '.')} inside each value of axis '{outer}' instead, or drop one axis",
                    given=f"'{first}' and '{second}'",
                )
    if spec.population is None:
        return
    table = "person." if spec.sweep.case == "simulate" else ""
    drawn = {table + trait for trait in PERSON_FIELDS}
    for key in keys:
        overlap = sorted(trait for trait in drawn if trait == key or trait.startswith(key + "."))
        if overlap:
            raise InputError(
                "axes",
                key,
                f"axes over keys the [population] does not draw: axis '{key}' would replace the drawn "
                f"{', '.join(trait.removeprefix(table) for trait in overlap)} that the results are labelled with; "
                "give the trait one value in [population] (the same for everyone), or sweep it without a "
                "[population]",
                given=f"'{key}' beside a [population]",
            )


def check_size(spec: SweepSpec) -> None:
    """Check the sweep's size against :mod:`laserskin.sweep.limits` before any work.

    Raises
    ------
    InputError
        Naming the field, its value and the limit: more than ``MAX_AXES`` axes, an axis
        with more than ``MAX_AXIS_VALUES`` values, or more than ``MAX_CASES`` cases.
    """
    if len(spec.axes) > MAX_AXES:
        raise InputError("axes", f"{len(spec.axes)} axes", f"at most {MAX_AXES} axes")
    for key, values in spec.axes.items():
        if len(values) > MAX_AXIS_VALUES:
            raise InputError(f"axes.{key}", f"{len(values)} values", f"at most {MAX_AXIS_VALUES} values per axis")
    if spec.n_cases > MAX_CASES:
        factors = " × ".join(f"{name} {size}" for name, size in zip(spec.dims, spec.shape))
        raise InputError("sweep size", f"{spec.n_cases} cases ({factors})", f"at most {MAX_CASES} cases")
