"""Parameter and population sweeps on dask.distributed.

A sweep file (TOML) holds a base case plus axes (a grid over settings) and/or a
virtual population (N people drawn from distributions with a seed)::

    [sweep]
    name = "fluence_cooling"
    seed = 2024                # root of numpy SeedSequence(seed).spawn(...)
    case = "simulate"          # "simulate" (a Scenario per case) | "plan" (a PlanRequest per case)
    seed_per = "case"          # "case": every case its own seed | "person": one seed per person

    [base]                     # a Scenario (case = "simulate") or PlanRequest fields (case = "plan")
    person = { age = 50, sex = "female", fitzpatrick = "II", site = "cheek" }
    laser = { device = "genesis_1064" }
    transport = { photons = 20000 }

    [axes]                     # dotted keys into [base]; every value list must be non-empty
    "laser.fluence" = ["10 J/cm^2", "14 J/cm^2", "18 J/cm^2"]
    "cooling" = [{ kind = "none" }, { kind = "contact" }]

    [population]               # optional; replaces base.person (or the person fields of a plan)
    n = 200
    age = { uniform = [30, 70] }
    sex = { choices = ["female", "male"], weights = [0.7, 0.3] }
    fitzpatrick = ["I", "II", "III", "IV", "V", "VI"]
    site = "cheek"

    [cluster]                  # optional
    address = "tcp://10.0.0.5:8786"   # an existing scheduler; or kind = "slurm" | "pbs" (dask-jobqueue)

Cases are the Cartesian product person × axis values, numbered in row-major order.
Seeds come from ``numpy.random.SeedSequence(seed).spawn`` (one child for the
population draw, one per case or per person), so results do not depend on which
worker ran a case or in which order. Workers compute; the client writes one
NetCDF file per finished case (``cases/c000012.nc``, atomically) or an error
record (``cases/c000012.error.json``), so a failing case never stops the sweep
and a killed worker only costs the re-run of the cases it held (dask reschedules
them; a case's file is written once, from the first result that arrives).
Re-running the same sweep into the same folder skips the cases that have a
result file. At the end the cases are combined into ``sweep.nc`` with the axes
(and ``person``) as dimensions, and summary figures are written to ``figures/``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from laserskin.core.models import InputModel
from laserskin.core.errors import InputError

MAX_CASES = 100_000
MAX_AXIS_VALUES = 1_000
PERSON_FIELDS = ("age", "sex", "fitzpatrick", "site", "sun_exposure", "laxity")
_DEFAULT_POPULATION = {
    "age": {"uniform": [30, 70]},
    "sex": ["female", "male"],
    "fitzpatrick": ["I", "II", "III", "IV", "V", "VI"],
    "site": "cheek",
    "sun_exposure": [0, 1, 2, 3],
    "laxity": [0, 1, 2, 3, 4],
}
_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+$")


# --------------------------------------------------------------------------------------------
# Input models
# --------------------------------------------------------------------------------------------
class SweepMeta(InputModel):
    """The ``[sweep]`` table: name, root seed, kind of case and seeding scheme."""

    name: str = Field(default="sweep", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    seed: int = Field(default=0, ge=0, lt=2**63)
    case: Literal["simulate", "plan"] = "simulate"
    seed_per: Literal["case", "person"] = "case"
    save_fields: bool = False


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
            if len(values) > MAX_AXIS_VALUES:
                raise ValueError(f"axis {key!r} has {len(values)} values; at most {MAX_AXIS_VALUES}")
        return axes

    @model_validator(mode="after")
    def _size(self):
        if not self.axes and self.population is None:
            raise ValueError("a sweep needs [axes] (non-empty value lists) and/or a [population]")
        if self.sweep.case == "simulate" and "person" not in self.base and self.population is None:
            raise ValueError("a simulate sweep needs base.person or a [population]")
        if self.n_cases > MAX_CASES:
            raise ValueError(f"the sweep has {self.n_cases} cases; at most {MAX_CASES}")
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


# --------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------
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
                    raise InputError(f"{where}.weights", spec.get("weights"),
                                     f"{len(choices)} non-negative weights with a positive sum")
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
        raise InputError(where, spec, "a value, a list, {choices, weights}, {uniform = [lo, hi]} or "
                                      "{normal = [mean, sd], clip = [lo, hi]}")
    return [spec] * n


def _pair(value: Any, where: str, ordered: bool = True) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(where, value, "two numbers [a, b]") from None
    if not (math.isfinite(low) or math.isinf(low)) or (ordered and low > high):
        raise InputError(where, value, "[low, high] with low <= high")
    return low, high


# --------------------------------------------------------------------------------------------
# Loading and expanding
# --------------------------------------------------------------------------------------------
def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (TOML). Raises :class:`InputError` on any problem."""
    from laserskin.core.io import read_toml

    return sweep_from_dict(read_toml(path, "sweep_file"))


def sweep_from_dict(data: dict) -> SweepSpec:
    """Validate a sweep given as a dictionary; every case's inputs are checked up front."""
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error) from None
    Sweep(spec).validate_cases()
    return spec


@dataclass(frozen=True)
class Case:
    """One case: its flat index, position along each dimension, seed and inputs."""

    index: int
    position: tuple[int, ...]
    seed: int
    inputs: dict[str, Any]
    kind: str

    @property
    def case_id(self) -> str:
        return f"c{self.index:06d}"


def _set_dotted(table: dict, key: str, value: Any) -> dict:
    """A copy of ``table`` with ``value`` at the dotted ``key`` (intermediate tables created)."""
    out = json.loads(json.dumps(table))
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = json.loads(json.dumps(value))
    return out


def _seed_of(sequence: np.random.SeedSequence) -> int:
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


class Sweep:
    """Expands a :class:`SweepSpec` into cases (lazily) and knows their seeds."""

    def __init__(self, spec: SweepSpec):
        self.spec = spec
        root = np.random.SeedSequence(spec.sweep.seed)
        population_seq, cases_seq = root.spawn(2)
        if spec.population is not None and spec.population.seed is not None:
            population_seq = np.random.SeedSequence(spec.population.seed)
        self.people = spec.population.sample(population_seq) if spec.population is not None else [None]
        n_seeds = spec.n_cases if spec.sweep.seed_per == "case" else spec.n_people
        self._seed_children = cases_seq.spawn(n_seeds)

    def seed(self, index: int) -> int:
        """MC seed of case ``index`` (< 2**63)."""
        if self.spec.sweep.seed_per == "case":
            return _seed_of(self._seed_children[index])
        per_person = self.spec.n_cases // self.spec.n_people
        return _seed_of(self._seed_children[index // per_person])

    def case(self, index: int) -> Case:
        spec = self.spec
        position = tuple(int(i) for i in np.unravel_index(index, spec.shape)) if spec.shape else ()
        offset = 1 if spec.population is not None else 0
        inputs = json.loads(json.dumps(spec.base))
        person = self.people[position[0]] if spec.population is not None else None
        if person is not None:
            if spec.sweep.case == "simulate":
                inputs["person"] = {**inputs.get("person", {}), **person}
            else:
                inputs.update(person)
        for (key, values), i in zip(spec.axes.items(), position[offset:]):
            inputs = _set_dotted(inputs, key, values[i])
        seed = self.seed(index)
        if spec.sweep.case == "simulate":
            transport = dict(inputs.get("transport", {}))
            transport["seed"] = seed
            transport.setdefault("threads", 1)
            inputs["transport"] = transport
        else:
            inputs["seed"] = seed
        return Case(index, position, seed, inputs, spec.sweep.case)

    def cases(self):
        for index in range(self.spec.n_cases):
            yield self.case(index)

    def validate_cases(self) -> None:
        """Check every person and every axis value against the schema before anything runs.

        Each axis value is checked on the first case of its slice and every person on the
        first axis combination, which catches a bad value without validating the whole
        Cartesian product.
        """
        spec = self.spec
        if spec.population is not None:
            from laserskin.skin import Person

            for i, person in enumerate(self.people):
                try:
                    Person.model_validate(person)
                except ValidationError as error:
                    raise InputError.from_validation(error, f"population[{i}]") from None
        offset = 1 if spec.population is not None else 0
        checked = {0}
        for d in range(offset, len(spec.shape)):
            for i in range(spec.shape[d]):
                position = [0] * len(spec.shape)
                position[d] = i
                checked.add(int(np.ravel_multi_index(position, spec.shape)))
        if spec.population is not None:
            stride = spec.n_cases // spec.n_people
            checked.update(p * stride for p in range(spec.n_people))
        for index in sorted(checked):
            validate_inputs(self.case(index))


def validate_inputs(case: Case) -> None:
    """Validate one case's inputs as the worker will see them (raises :class:`InputError`)."""
    where = f"case {case.case_id}"
    if case.kind == "simulate":
        from laserskin.pipeline.scenario import scenario_from_dict

        try:
            scenario = scenario_from_dict(case.inputs)
            if scenario.person is None:
                raise InputError("base.person", None, "a [person] table")
            scenario.person_model()
            scenario.laser_model()
            from laserskin.thermal.cooling import Cooling

            Cooling.from_config(scenario.cooling) if scenario.cooling is not None else None
        except InputError as error:
            raise InputError(error.field, error.value, error.allowed, message=f"{where}: {error}") from None
    else:
        request_cls = _planning_api()[0]
        try:
            request_cls.model_validate(case.inputs)
        except ValidationError as error:
            raise InputError.from_validation(error, where) from None


def _planning_api():
    """``(PlanRequest, plan_from_request)`` of :mod:`laserskin.planning`."""
    try:
        import laserskin.planning as planning
    except ImportError as error:
        raise InputError("sweep.case", "plan", f"the planning module (not importable: {error})") from None
    request_cls = getattr(planning, "PlanRequest")
    for name in ("plan_request", "plan_from_request"):
        function = getattr(planning, name, None)
        if function is not None:
            return request_cls, function
    raise InputError("sweep.case", "plan", "a planning module with plan_from_request(request)")


# --------------------------------------------------------------------------------------------
# Running one case (on a worker)
# --------------------------------------------------------------------------------------------
def flatten_numbers(data: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested summary, keys joined by ``_``.

    Lists of 2 or 3 numbers get ``_low``/``_high`` or ``_low``/``_mid``/``_high``
    suffixes; booleans become 0/1; ``None`` becomes NaN; strings are dropped.
    """
    out: dict[str, float] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            out[name] = float(value)
        elif isinstance(value, int | float):
            out[name] = float(value)
        elif value is None:
            out[name] = math.nan
        elif isinstance(value, dict):
            out.update(flatten_numbers(value, f"{name}_"))
        elif isinstance(value, list | tuple) and value and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            suffixes = {2: ("low", "high"), 3: ("low", "mid", "high")}.get(
                len(value), tuple(str(i) for i in range(len(value)))
            )
            for suffix, v in zip(suffixes, value):
                out[f"{name}_{suffix}"] = float(v)
    return out


def run_case(case: Case, cache_dir: str | None = None, save_fields: bool = False) -> dict[str, Any]:
    """Run one case and return a result record; never raises for a failing case.

    Returns
    -------
    dict
        ``{"status": "ok", "numbers": {...}, "labels": {...}, "fields": {...} | None}`` or
        ``{"status": "error", "error_type": ..., "error": message}``.
    """
    started = time.perf_counter()
    try:
        if case.kind == "simulate":
            record = _simulate_case(case, cache_dir, save_fields)
        else:
            record = _plan_case(case, cache_dir)
    except Exception as error:  # a failing case must not stop the sweep
        return {"status": "error", "error_type": type(error).__name__, "error": str(error)[:2000],
                "case": case.index, "elapsed_s": time.perf_counter() - started}
    record.update(status="ok", case=case.index, elapsed_s=time.perf_counter() - started)
    return record


def _simulate_case(case: Case, cache_dir: str | None, save_fields: bool) -> dict[str, Any]:
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    result = Simulation.from_scenario(scenario_from_dict(case.inputs), cache_dir=cache_dir).run()
    summary = result.summary
    labels = {k: v for k, v in summary.items() if isinstance(v, str)}
    fields = None
    if save_fields:
        fields = {name: result.dataset[name].values for name in ("peak_temperature",)}
    return {"numbers": flatten_numbers(summary), "labels": labels, "fields": fields}


def _plan_case(case: Case, cache_dir: str | None) -> dict[str, Any]:
    request_cls, function = _planning_api()
    request = request_cls.model_validate(case.inputs)
    plan = function(request, cache_dir=cache_dir)
    data = plan.to_dict()
    labels = {k: v for k, v in data.items() if isinstance(v, str)}
    numbers = flatten_numbers({k: v for k, v in data.items() if k not in ("settings",)})
    numbers.update(flatten_numbers(data.get("settings") or {}, "settings_"))
    return {"numbers": numbers, "labels": labels, "fields": None}


# --------------------------------------------------------------------------------------------
# Output store
# --------------------------------------------------------------------------------------------
def _write_json_atomic(payload: Any, path: Path) -> None:
    from laserskin.core.io import write_bytes_atomic

    write_bytes_atomic(path, json.dumps(payload, indent=1, default=str).encode())


def _axis_coordinate(values: list[Any]) -> tuple[np.ndarray, dict[str, str]]:
    """Coordinate values of an axis: numbers where possible (one common unit), else labels."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), {}
    if all(isinstance(v, str) for v in values):
        parsed = [re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", v) for v in values]
        if all(parsed) and len({m.group(2) for m in parsed}) == 1:
            return np.asarray([float(m.group(1)) for m in parsed]), {"units": parsed[0].group(2)}
        return np.asarray(values, dtype=object), {}
    labels = []
    for value in values:
        if isinstance(value, dict) and "kind" in value and len(value) == 1:
            labels.append(str(value["kind"]))
        else:
            labels.append(json.dumps(value, sort_keys=True))
    return np.asarray(labels, dtype=object), {}


class SweepStore:
    """The output folder: ``sweep.json`` (manifest), ``cases/``, ``sweep.nc``, ``figures/``."""

    def __init__(self, out_dir: str | Path, sweep: Sweep):
        self.root = Path(out_dir).expanduser()
        self.sweep = sweep
        self.cases_dir = self.root / "cases"

    @property
    def manifest_path(self) -> Path:
        return self.root / "sweep.json"

    def check(self) -> bool:
        """Check that the folder is new/empty (False) or holds this same sweep (True)."""
        fingerprint = self.sweep.spec.fingerprint()
        if self.root.exists() and not self.root.is_dir():
            raise InputError("out", str(self.root), "a folder (a file of that name exists)")
        if self.manifest_path.exists():
            try:
                manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise InputError("out", str(self.root), "a folder with a readable sweep.json") from None
            if manifest.get("fingerprint") != fingerprint:
                raise InputError("out", str(self.root),
                                 "an empty folder or the output folder of this same sweep file "
                                 "(it holds a different sweep; choose another --out)")
            return True
        if self.root.exists() and any(self.root.iterdir()):
            raise InputError("out", str(self.root), "an empty or new folder (it holds other files)")
        return False

    def check_or_create(self) -> None:
        """Create the folder and manifest, or check that an existing one is this sweep's."""
        if self.check():
            return
        spec = self.sweep.spec
        fingerprint = spec.fingerprint()
        try:
            self.cases_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError("out", str(self.root), f"a writable folder ({error.strerror})") from None
        import laserskin

        _write_json_atomic({
            "fingerprint": fingerprint, "name": spec.sweep.name, "cases": spec.n_cases,
            "dims": list(spec.dims), "shape": list(spec.shape),
            "laserskin_version": getattr(laserskin, "__version__", "unknown"),
            "spec": spec.model_dump(mode="json"),
        }, self.manifest_path)

    def result_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.nc"

    def error_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.error.json"

    def done(self) -> set[int]:
        """Indices of cases with a result file."""
        out = set()
        if self.cases_dir.exists():
            for path in self.cases_dir.glob("c*.nc"):
                match = re.fullmatch(r"c(\d{6})\.nc", path.name)
                if match:
                    out.add(int(match.group(1)))
        return out

    def write(self, case: Case, record: dict[str, Any]) -> None:
        """Write a case's result (NetCDF) or error record (JSON), atomically."""
        if record.get("status") == "ok":
            import xarray as xr

            from laserskin.core.io import write_netcdf_atomic

            data_vars = {key: ((), value) for key, value in record["numbers"].items()}
            for name, array in (record.get("fields") or {}).items():
                data_vars[name] = (("r", "z"), np.asarray(array))
            dataset = xr.Dataset(data_vars, attrs={
                "case": case.index, "seed": case.seed, "position": json.dumps(list(case.position)),
                "inputs": json.dumps(case.inputs, sort_keys=True, default=str),
                "labels": json.dumps(record.get("labels", {}), default=str),
                "elapsed_s": float(record.get("elapsed_s", math.nan)),
            })
            write_netcdf_atomic(dataset, self.result_path(case.index))
            self.error_path(case.index).unlink(missing_ok=True)
        else:
            _write_json_atomic({"case": case.index, "seed": case.seed, "inputs": case.inputs,
                                "error_type": record.get("error_type"), "error": record.get("error")},
                               self.error_path(case.index))

    def combine(self):
        """Combine the case files into one :class:`xarray.Dataset` and write ``sweep.nc``."""
        import xarray as xr

        from laserskin.core.io import read_netcdf, write_netcdf_atomic

        spec = self.sweep.spec
        shape, dims = spec.shape or (1,), spec.dims or ("case",)
        numbers: dict[str, np.ndarray] = {}
        ok = np.zeros(shape, dtype=np.int8)
        labels: dict[str, np.ndarray] = {}
        for index in sorted(self.done()):
            position = np.unravel_index(index, shape)
            case_data = read_netcdf(self.result_path(index))
            ok[position] = 1
            for name, variable in case_data.data_vars.items():
                if variable.ndim != 0:
                    continue
                if name not in numbers:
                    numbers[name] = np.full(shape, np.nan)
                numbers[name][position] = float(variable.values)
            for name, value in json.loads(case_data.attrs.get("labels", "{}")).items():
                if name not in labels:
                    labels[name] = np.full(shape, "", dtype=object)
                labels[name][position] = str(value)
        data_vars = {name: (dims, values) for name, values in numbers.items()}
        data_vars.update({name: (dims, values.astype(str)) for name, values in labels.items()})
        data_vars["succeeded"] = (dims, ok, {"description": "1 where the case has a result"})
        coords: dict[str, Any] = {}
        if spec.population is not None:
            coords["person"] = np.arange(spec.population.n)
            for name in PERSON_FIELDS:
                column = [p[name] for p in self.sweep.people]
                if all(isinstance(v, int | float) and not isinstance(v, bool) for v in column):
                    coords[name] = ("person", np.asarray(column, dtype=float))
                else:
                    coords[name] = ("person", np.asarray([str(v) for v in column], dtype=str))
        for key, values in spec.axes.items():
            array, attrs = _axis_coordinate(values)
            if array.dtype == object:
                array = array.astype(str)
            coords[axis_dim(key)] = xr.Variable((axis_dim(key),), array, {**attrs, "key": key})
        dataset = xr.Dataset(data_vars, coords=coords, attrs={
            "name": spec.sweep.name, "seed": spec.sweep.seed, "case_kind": spec.sweep.case,
            "cases": spec.n_cases, "spec": json.dumps(spec.model_dump(mode="json"), default=str),
        })
        write_netcdf_atomic(dataset, self.root / "sweep.nc")
        return dataset


# --------------------------------------------------------------------------------------------
# Cluster
# --------------------------------------------------------------------------------------------
def connect(cluster: ClusterSpec, *, scheduler: str | None = None, workers: int | None = None):
    """Return ``(client, owned_cluster_or_None)`` for the requested cluster.

    Raises
    ------
    InputError
        For an unreachable scheduler (after ``connect_timeout_s``), a bad address, or a
        missing dask-jobqueue.
    """
    import logging

    from distributed import Client, LocalCluster

    address = scheduler or cluster.address
    if address is not None:
        if not _ADDRESS.match(address):
            raise InputError("scheduler", address, "a scheduler address such as tcp://HOST:8786")
        try:
            client = Client(address, timeout=f"{cluster.connect_timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise InputError("scheduler", address,
                             f"a reachable dask scheduler (none answered within {cluster.connect_timeout_s:g} s: "
                             f"{type(error).__name__})") from None
        return client, None
    n_workers = workers or cluster.workers or os.cpu_count() or 1
    if cluster.kind in ("slurm", "pbs"):
        try:
            import dask_jobqueue
        except ImportError:
            raise InputError("cluster.kind", cluster.kind,
                             "an installed dask-jobqueue (pip install dask-jobqueue)") from None
        cls = dask_jobqueue.SLURMCluster if cluster.kind == "slurm" else dask_jobqueue.PBSCluster
        owned = cls(**cluster.options)
        owned.scale(n_workers)
        return Client(owned, set_as_default=False), owned
    owned = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                         silence_logs=logging.ERROR)
    return Client(owned, set_as_default=False), owned


# --------------------------------------------------------------------------------------------
# Running a sweep
# --------------------------------------------------------------------------------------------
@dataclass
class SweepReport:
    """Outcome of :func:`run_sweep` (``succeeded``/``failed`` count this run's cases)."""

    cases: int
    succeeded: int
    failed: int
    skipped_already_done: int
    wall_time_s: float
    out: str
    dataset: str | None = None
    figures: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = data["errors"][:20]
        return data


class _RichBar:
    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("sweep", total=total)
            self.bar.start()

    def advance(self):
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


def run_sweep(
    spec: SweepSpec,
    out_dir: str | Path,
    *,
    client=None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    figures: bool = True,
    on_case: Callable[[Case, dict[str, Any]], None] | None = None,
    cache_dir: str | None = None,
) -> SweepReport:
    """Run (or resume) a sweep into ``out_dir``.

    Parameters
    ----------
    spec : SweepSpec
        The validated sweep.
    out_dir : path
        Output folder (created; must be empty or hold this same sweep).
    client : distributed.Client, optional
        Use this client; otherwise one is made from ``scheduler`` / ``spec.cluster``.
    workers : int, optional
        Workers of a LocalCluster (default ``[cluster].workers`` or the number of cores).
    scheduler : str, optional
        Address of an existing scheduler (overrides ``[cluster].address``).
    progress : bool
        Show a rich progress bar on stderr.
    figures : bool
        Write summary figures (SVG) to ``out_dir/figures``.
    on_case : callable, optional
        Called as ``on_case(case, record)`` after each case's file is written (tests use it
        to interrupt a sweep or kill a worker).
    cache_dir : str, optional
        Transport cache folder on the workers (default: theirs).

    Returns
    -------
    SweepReport
    """
    started = time.perf_counter()
    sweep = Sweep(spec)
    store = SweepStore(out_dir, sweep)
    store.check()
    done = store.done()
    todo = [index for index in range(spec.n_cases) if index not in done]
    report = SweepReport(cases=spec.n_cases, succeeded=0, failed=0, skipped_already_done=len(done),
                         wall_time_s=0.0, out=str(store.root))
    owned = None
    if todo and client is None:  # connect before writing anything: a bad scheduler leaves no trace
        client, owned = connect(spec.cluster, scheduler=scheduler, workers=workers)
    try:
        store.check_or_create()
    except BaseException:
        if owned is not None:
            client.close()
            owned.close()
        raise
    if todo:
        bar = _RichBar(len(todo), progress)
        futures = {}
        try:
            from distributed import as_completed

            import uuid

            # one key per run: a resumed run must not meet the cancelled futures of the last one
            token = f"{spec.fingerprint()[:12]}-{uuid.uuid4().hex[:8]}"
            for index in todo:
                case = sweep.case(index)
                future = client.submit(run_case, case, cache_dir, spec.sweep.save_fields,
                                       key=f"laserskin-{token}-{case.case_id}", pure=False)
                futures[future] = case
            written: set[int] = set()
            for future in as_completed(list(futures), loop=client.loop):
                case = futures[future]
                try:
                    record = future.result()
                except Exception as error:  # e.g. KilledWorker after repeated worker deaths
                    record = {"status": "error", "error_type": type(error).__name__, "error": str(error)[:2000]}
                if case.index in written:
                    continue
                written.add(case.index)
                store.write(case, record)
                if record["status"] == "ok":
                    report.succeeded += 1
                else:
                    report.failed += 1
                    report.errors.append({"case": case.index, "error": record.get("error")})
                bar.advance()
                if on_case is not None:
                    on_case(case, record)
        finally:
            bar.close()
            if futures:
                client.cancel(list(futures), force=True)
            if owned is not None:
                client.close()
                owned.close()
    dataset = store.combine()
    report.dataset = str(store.root / "sweep.nc")
    if figures:
        report.figures = [str(p) for p in sweep_figures(dataset, store.root / "figures")]
    report.wall_time_s = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def sweep_figures(dataset, directory: str | Path) -> list[Path]:
    """Summary figures of a combined sweep dataset (SVG); returns the paths written.

    * ``outcome_by_fitzpatrick.svg``: per Fitzpatrick type, the distribution of the epidermal
      Ω (simulate) or the 6-month improvement (plan), population sweeps only;
    * ``epidermal_margin.svg``: log10 of the epidermal Ω over the first two axes (Ω = 1 is
      the onset of epidermal necrosis in the Henriques model; negative = margin);
    * ``eligibility.svg``: fraction of the population eligible / referred (plan sweeps).
    """
    from laserskin.plotting import _pyplot, save_figure

    plt = _pyplot()
    directory = Path(directory)
    written: list[Path] = []
    outcome = next((name for name in ("epidermal_omega", "improvement_percent_month_6_mid",
                                      "immediate_tightening_percent") if name in dataset), None)
    if "person" in dataset.dims and "fitzpatrick" in dataset.coords and outcome is not None:
        values = dataset[outcome]
        groups, labels = [], []
        for skin_type in ("I", "II", "III", "IV", "V", "VI"):
            selected = values.where(dataset["fitzpatrick"] == skin_type).values.ravel()
            selected = selected[np.isfinite(selected)]
            if selected.size:
                groups.append(np.log10(np.maximum(selected, 1e-12)) if outcome == "epidermal_omega" else selected)
                labels.append(skin_type)
        if groups:
            figure, ax = plt.subplots(figsize=(6, 4))
            ax.boxplot(groups, tick_labels=labels)
            ax.set_xlabel("Fitzpatrick type")
            ax.set_ylabel("log10 epidermal Ω" if outcome == "epidermal_omega" else outcome)
            if outcome == "epidermal_omega":
                ax.axhline(0.0, color="red", lw=1, ls="--", label="Ω = 1 (necrosis threshold)")
                ax.legend()
            ax.set_title("outcome by Fitzpatrick type")
            written.append(save_figure(figure, directory / "outcome_by_fitzpatrick.svg"))
            plt.close(figure)
    axis_dims = [d for d in dataset.dims if d != "person"]
    if "epidermal_omega" in dataset and axis_dims:
        omega = dataset["epidermal_omega"]
        if "person" in omega.dims:
            omega = omega.median("person")
        omega = omega.transpose(*axis_dims[:2], *axis_dims[2:])
        while omega.ndim > 2:
            omega = omega.max(omega.dims[-1])
        log_omega = np.log10(np.maximum(omega.values, 1e-12))
        figure, ax = plt.subplots(figsize=(6, 4))
        if omega.ndim == 1:
            ax.plot(np.arange(omega.shape[0]), log_omega, "o-")
            ax.set_xticks(np.arange(omega.shape[0]), [str(v) for v in dataset[axis_dims[0]].values])
            ax.axhline(0.0, color="red", lw=1, ls="--")
            ax.set_ylabel("log10 epidermal Ω")
        else:
            mesh = ax.imshow(log_omega.T, origin="lower", aspect="auto", cmap="RdYlGn_r", vmin=-4, vmax=4)
            figure.colorbar(mesh, ax=ax, label="log10 epidermal Ω (< 0: below necrosis)")
            ax.set_xticks(np.arange(omega.shape[0]), [str(v) for v in dataset[axis_dims[0]].values])
            ax.set_yticks(np.arange(omega.shape[1]), [str(v) for v in dataset[axis_dims[1]].values])
            ax.set_ylabel(dataset[axis_dims[1]].attrs.get("key", axis_dims[1]))
        ax.set_xlabel(f"{dataset[axis_dims[0]].attrs.get('key', axis_dims[0])} "
                      f"{dataset[axis_dims[0]].attrs.get('units', '')}".strip())
        ax.set_title("epidermal safety margin")
        written.append(save_figure(figure, directory / "epidermal_margin.svg"))
        plt.close(figure)
    if "eligible" in dataset:
        values = dataset["eligible"].values
        planned = np.isfinite(values)
        eligible = float(np.mean(values[planned] == 1)) if planned.any() else math.nan
        referred = float(np.mean(values[planned] == 0)) if planned.any() else math.nan
        failed = float(np.mean(~planned))
        figure, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.bar(["eligible", "referred", "failed"], [eligible, referred, failed], color=["C2", "C3", "C7"])
        ax.set_ylim(0, 1)
        ax.set_ylabel("fraction of the population")
        written.append(save_figure(figure, directory / "eligibility.svg"))
        plt.close(figure)
    return written
