"""Loading a sweep file and expanding it into cases (lazily), with their seeds and checks."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from laserskin.core.errors import InputError, shown
from laserskin.sweep.spec import SweepSpec, axis_dim, check_size


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (TOML). Raises :class:`InputError` on any problem."""
    from laserskin.core.io import read_toml

    return sweep_from_dict(read_toml(path, "sweep_file"))


def sweep_from_dict(data: dict) -> SweepSpec:
    """Validate a sweep given as a dictionary: its size against the limits
    (:func:`laserskin.sweep.spec.check_size`), then the cases' inputs (:meth:`Sweep.validate_cases`: what
    fails for everyone is refused here; a case that fails only for its person becomes its error record)."""
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        raise InputError.from_validation(error) from None
    check_size(spec)
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

    def validate_cases(self) -> dict[int, InputError]:
        """Check the people and every axis value before anything runs, as each case's run would
        (:func:`case_problem`: a simulate case builds its simulation, with every check ``laserskin simulate`` makes
        before its transport starts).

        What is refused up front (raises :class:`InputError`), because it would fail every case it
        touches: a drawn person outside the ``Person`` schema (a bad ``[population]``), ``[base]`` that
        fails for every person (e.g. an unknown key, or fewer photons than a simulation takes), and an axis value
        that fails with every person (a bad ``[axes]`` value). Each axis value is checked on the first case of its
        slice, with the first person for whom the base holds (then the next, until one holds), which catches a bad
        value without validating the whole Cartesian product. The refusal names each field where the sweep file
        sets it (:meth:`origin`: ``base.transport.photons``, ``axes.laser.fluence``), not in the case.

        What is not refused: a person for whom the base fails while it holds for others (e.g. a fixed
        ``area`` over one drawn site's cap): that person's cases become error records when they run
        (:func:`laserskin.sweep.worker.run_case`), the other cases run. Those failures are returned
        (index of the person's first case → its error), so a shell can say so before the run.
        """
        spec = self.spec
        if spec.population is not None:
            from laserskin.skin import Person

            for i, person in enumerate(self.people):
                try:
                    Person.model_validate(person)
                except ValidationError as error:
                    raise InputError.from_validation(error, f"population[{i}]") from None
        stride = spec.n_cases // spec.n_people
        failures: dict[int, InputError] = {}
        first_problem: InputError | None = None
        people_ok: list[int] = []
        first_ok: Any = None
        for p in range(spec.n_people):
            checked, problem = checked_case(self.case(p * stride))
            if problem is None:
                people_ok.append(p)
                first_ok = first_ok if first_ok is not None else checked
            else:
                failures[p * stride] = problem[0]
                first_problem = first_problem or problem[1]
        if first_problem is not None and not people_ok:  # the base (or the first axis values) holds for nobody
            raise self._in_file_terms(first_problem)
        offset = 1 if spec.population is not None else 0
        axes = list(spec.axes.items())
        for d in range(offset, len(spec.shape)):
            key, values = axes[d - offset]
            validated = [_at_key(first_ok, key)]  # what each value of the axis reads as, once validated
            for i in range(1, spec.shape[d]):  # value 0 of every axis was checked with the people above
                first_error: InputError | None = None
                for p in people_ok:
                    position = [0] * len(spec.shape)
                    position[d] = i
                    if offset:
                        position[0] = p
                    checked, problem = checked_case(self.case(int(np.ravel_multi_index(position, spec.shape))))
                    if problem is None:
                        first_error = None
                        validated.append(_at_key(checked, key))
                        break
                    first_error = first_error or problem[1]
                if first_error is not None:  # this value fails with everyone: a bad axis value
                    raise self._in_file_terms(first_error, key, values[i])
            check_repeats(key, values, validated)
        return failures

    def origin(self, key: str) -> str:
        """Where the sweep file sets the case's input at the dotted ``key`` (``transport.photons``): the last axis
        at or above it (``axes.laser.fluence``, ``axes.cooling.kind`` for a key inside a table axis), else
        ``[base]`` where it holds the key or a table above it (``base.transport.photons``), else the key as it is
        (a default, or a trait the ``[population]`` draws)."""
        for axis in reversed(list(self.spec.axes)):
            if key == axis or key.startswith(axis + "."):
                return f"axes.{key}"
        node: Any = self.spec.base
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return key
            node = node[part]
        return f"base.{key}"

    def _in_file_terms(self, error: InputError, axis: str | None = None, value: Any = None) -> InputError:
        """A case's refusal as the sweep's: each problem named where the file sets it (:meth:`origin`), and the axis
        value that fails in every case when it is not the named field's own (``(with axes.cooling = ...)``)."""
        lines = []
        for line in str(error).splitlines():
            match = _KEYED_LINE.match(line)
            key, rest = (match.group(1), match.group(2)) if match else ("", line)
            where = self.origin(key) if key else ""
            line = f"{where}: {rest}" if where else rest
            if axis is not None and where != f"axes.{axis}" and not where.startswith(f"axes.{axis}."):
                line += f" (with axes.{axis} = {_shown_value(value)})"
            elif axis is None and self.spec.population is not None:
                line += " (for every person the [population] draws)"
            lines.append(line)
        first = lines[0].split(": ", 1)[0] if ": " in lines[0] else error.field
        return InputError(first, error.value, error.allowed, message="\n".join(lines))


def check_repeats(key: str, values: list[Any], validated: list[Any]) -> None:
    """Refuse an axis that gives one input twice (QA13 #4): ``[{ kind = "none" }, { kind = "none" }]``, or one
    quantity typed two ways, ``"10 J/cm^2"`` and ``"100 kJ/m^2"``. ``validated``: what each value reads as in its
    case's validated inputs (:func:`_at_key`, so two spellings of one quantity and a table with and without a
    default are the same); where a value cannot be read there, the values as written are compared. Two equal
    values would run the same case twice under two labels and give ``sweep.nc`` a repeated coordinate.

    Raises
    ------
    InputError
        At ``axes.KEY``, naming the repeated value and the value it repeats.
    """
    for i in range(len(values)):
        for j in range(i):
            first, second = validated[j], validated[i]
            if first is _UNREADABLE or second is _UNREADABLE:
                first, second = values[j], values[i]
            if _same(first, second):
                same = "" if values[j] == values[i] else f" ({_shown_value(values[j])}, the same {key})"
                raise InputError(
                    f"axes.{key}",
                    values[i],
                    f"values that differ: value {i + 1} repeats value {j + 1}{same}, so two cases would be one run "
                    f"under two labels and sweep.nc's coordinate {axis_dim(key)} would repeat; drop one",
                    given=f"{_shown_value(values[i])} twice" if values[j] == values[i] else _shown_value(values[i]),
                )


#: A problem's line that starts with its dotted key (``laser.fluence: got ...``, ``layers[1].k: ...``).
_KEYED_LINE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*): (.*)$", re.S)


def _shown_value(value: Any) -> str:
    """An axis value as the file writes it (a table inline, text quoted)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    return shown(value)


def _inline(value: Any) -> str:
    """A value inside an inline table, as TOML writes it (``kind = "none"``)."""
    return json.dumps(value) if isinstance(value, str) else _shown_value(value)


def validate_inputs(case: Case) -> None:
    """Validate one case's inputs as the worker will see them (raises :class:`InputError` naming the case:
    ``case c000003: laser.fluence: ...`` for a simulate case, ``case c000003.area: ...`` for a plan case)."""
    problem = case_problem(case)
    if problem is not None:
        raise problem[0]


def case_problem(case: Case) -> tuple[InputError, InputError] | None:
    """What refuses one case's inputs, or ``None``: ``(error naming the case, the same error with fields relative
    to the case's inputs)`` (``case c000000: transport.photons: got 10; ...`` and ``transport.photons: got 10; ...``).
    See :func:`checked_case`."""
    return checked_case(case)[1]


def checked_case(case: Case) -> tuple[Any, tuple[InputError, InputError] | None]:
    """``(validated inputs, None)`` of one case (its ``Scenario`` or ``PlanRequest``), or ``(None, problem)`` as
    :func:`case_problem` gives it.

    A simulate case is checked by building its :class:`~laserskin.pipeline.simulation.Simulation` (nothing runs):
    the scenario, person, laser and cooling, and the settings with
    :meth:`~laserskin.pipeline.settings.SimulationSettings.from_tables` (the photon floor of the coupled read-outs),
    the checks ``laserskin simulate`` makes before its transport starts, so whatever a case's simulation would refuse
    on its inputs is refused here, before any case runs (QA13 #3: ``[base.transport] photons = 10`` passed the
    check, and every case then ran into an error record). A plan case is its validated ``PlanRequest``.
    """
    if case.kind == "simulate":
        from laserskin.pipeline.scenario import scenario_from_dict
        from laserskin.pipeline.simulation import Simulation

        try:
            scenario = scenario_from_dict(case.inputs)
            if scenario.person is None:
                raise InputError("person", None, "a [person] table")
            Simulation.from_scenario(scenario, progress=None)  # builds it and checks it; runs nothing
        except InputError as error:
            named = InputError(error.field, error.value, error.allowed, message=f"case {case.case_id}: {error}")
            return None, (named, error)
        return scenario, None
    request_cls = _planning_api()[0]
    try:
        request = request_cls.model_validate(case.inputs)
    except ValidationError as error:
        return None, (InputError.from_validation(error, f"case {case.case_id}"), InputError.from_validation(error))
    return request, None


def _at_key(model: Any, key: str) -> Any:
    """The validated value at a dotted input key (keys by name or TOML alias; ``laser.fluence`` is the laser's
    ``fluence_J_per_m2``), or ``_UNREADABLE`` where the key leads nowhere readable."""
    from pydantic import BaseModel

    node = model
    for part in key.split("."):
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
            if name is None:
                return _UNREADABLE
            node = getattr(node, name)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _UNREADABLE
    return node


_UNREADABLE = object()


def _same(first: Any, second: Any) -> bool:
    """Whether two validated values are the same input: equal models, tables and text, and numbers equal to within
    rounding (``'1.45 um'`` and ``'1450 nm'`` convert to SI floats one rounding apart)."""
    from pydantic import BaseModel

    if isinstance(first, bool) or isinstance(second, bool):
        return first is second
    if isinstance(first, int | float) and isinstance(second, int | float):
        return math.isclose(first, second, rel_tol=1e-9, abs_tol=0.0)
    if isinstance(first, BaseModel) or isinstance(second, BaseModel):
        return type(first) is type(second) and _same(dict(first), dict(second))
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    if isinstance(first, list | tuple) and isinstance(second, list | tuple):
        return len(first) == len(second) and all(_same(a, b) for a, b in zip(first, second))
    return bool(first == second)


def plan_request(case: Case):
    """The case's validated ``PlanRequest`` (raises :class:`InputError` naming the case and the field)."""
    request_cls = _planning_api()[0]
    try:
        return request_cls.model_validate(case.inputs)
    except ValidationError as error:
        raise InputError.from_validation(error, f"case {case.case_id}") from None


def _planning_api():
    """``(PlanRequest, plan_from_request)`` of :mod:`laserskin.planning`."""
    try:
        import laserskin.planning as planning
    except ImportError as error:
        raise InputError("sweep.case", "plan", f"the planning module (not importable: {error})") from None
    request_cls = planning.PlanRequest
    for name in ("plan_request", "plan_from_request"):
        function = getattr(planning, name, None)
        if function is not None:
            return request_cls, function
    raise InputError("sweep.case", "plan", "a planning module with plan_from_request(request)")
