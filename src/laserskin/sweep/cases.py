"""Loading a sweep file and expanding it into cases (lazily), with their seeds and checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from laserskin.core.errors import InputError
from laserskin.sweep.spec import SweepSpec, check_size


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
        """Check the people and every axis value against the schema before anything runs.

        What is refused up front (raises :class:`InputError`), because it would fail every case it
        touches: a drawn person outside the ``Person`` schema (a bad ``[population]``), ``[base]`` that
        fails for every person (e.g. an unknown key), and an axis value that fails with every person
        (a bad ``[axes]`` value). Each axis value is checked on the first case of its slice, with the
        first person for whom the base holds (then the next, until one holds), which catches a bad
        value without validating the whole Cartesian product.

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
        people_ok: list[int] = []
        for p in range(spec.n_people):
            try:
                validate_inputs(self.case(p * stride))
            except InputError as error:
                failures[p * stride] = error
            else:
                people_ok.append(p)
        if not people_ok:  # the base (or the first axis values) holds for nobody: a bad file
            raise next(iter(failures.values()))
        offset = 1 if spec.population is not None else 0
        for d in range(offset, len(spec.shape)):
            for i in range(1, spec.shape[d]):  # value 0 of every axis was checked with the people above
                first_error: InputError | None = None
                for p in people_ok:
                    position = [0] * len(spec.shape)
                    position[d] = i
                    if offset:
                        position[0] = p
                    try:
                        validate_inputs(self.case(int(np.ravel_multi_index(position, spec.shape))))
                    except InputError as error:
                        first_error = first_error or error
                    else:
                        first_error = None
                        break
                if first_error is not None:  # this value fails with everyone: a bad axis value
                    raise first_error
        return failures


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
        plan_request(case)


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
