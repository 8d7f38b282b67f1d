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

    [axes]                     # dotted keys into [base]; non-empty value lists; no key under another axis
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

from laserskin.plotting.sweep import sweep_figures
from laserskin.sweep.cases import Case, Sweep, load_sweep, sweep_from_dict, validate_inputs
from laserskin.sweep.cluster import connect
from laserskin.sweep.limits import MAX_AXES, MAX_AXIS_VALUES, MAX_CASES
from laserskin.sweep.population import PERSON_FIELDS, PopulationSpec
from laserskin.sweep.runner import SweepProgress, SweepReport, run_sweep
from laserskin.sweep.spec import ClusterSpec, SweepMeta, SweepSpec, axis_dim, check_size
from laserskin.sweep.store import SweepStore
from laserskin.sweep.table import sweep_table, write_table
from laserskin.sweep.worker import flatten_numbers, run_case

__all__ = [
    "MAX_AXES",
    "MAX_AXIS_VALUES",
    "MAX_CASES",
    "PERSON_FIELDS",
    "Case",
    "ClusterSpec",
    "PopulationSpec",
    "Sweep",
    "SweepMeta",
    "SweepProgress",
    "SweepReport",
    "SweepSpec",
    "SweepStore",
    "axis_dim",
    "check_size",
    "connect",
    "flatten_numbers",
    "load_sweep",
    "run_case",
    "run_sweep",
    "sweep_figures",
    "sweep_from_dict",
    "sweep_table",
    "write_table",
    "validate_inputs",
]
