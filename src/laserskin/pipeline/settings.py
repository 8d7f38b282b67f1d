"""Numerical settings of a run, each defined once: grid, Monte Carlo transport and heat.

A scenario file holds them as the ``[grid]``, ``[transport]`` and ``[heat]`` tables;
:class:`SimulationSettings` is their union (flat fields plus ``grid``), the form the
:class:`~laserskin.pipeline.simulation.Simulation` and the planner take.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from laserskin.core.errors import Floor, InputError, describe_field
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, unit_default
from laserskin.damage.injury import READOUT_MIN_PHOTONS
from laserskin.transport.driver import MAX_PHOTONS

__all__ = ["MIN_PHOTONS", "GridSpec", "HeatSettings", "SimulationSettings", "TransportSettings"]

#: Fewest photons of a coupled run (transport, heat, damage, healing: ``laserskin simulate``, ``laserskin plan``,
#: the web's simulate and plan, the sweep), the one floor of :class:`SimulationSettings` and
#: ``PlanRequest.photons``. The coupled read-outs are pooled over regions that each hold
#: :data:`~laserskin.damage.injury.READOUT_MIN_PHOTONS` launched photons (docs/cli.md "Peak temperature"), so a run
#: of fewer cannot fill even one region and its read-outs are noise (QA10 #11: 1450 nm, 10 J/cm², 100 ms, 3 mm:
#: 10 photons gave 25.7 % immediate tightening against 7.7 % at 20 000; 1 photon switched to the non-linear
#: model). ``laserskin transport`` (photon tallies alone, each with its standard error) keeps a floor of 1: the
#: ``[transport]`` table itself (:class:`TransportSettings`) takes from 1.
MIN_PHOTONS = READOUT_MIN_PHOTONS
#: Why, as the refusal says it.
FLOOR_REASON = f"its read-outs pool regions of {MIN_PHOTONS} launched photons; laserskin transport takes from 1"
#: The simulation's floor as the ``[transport]`` table's own refusals say it (``photons = 0`` under ``laserskin
#: simulate`` read "from 1 to 10000000000", then ``photons = 10`` "from 1000"; QA13 #6): each refusal states the
#: range of each command.
SIMULATION_FLOOR = Floor(
    MIN_PHOTONS, f"a simulation takes from {MIN_PHOTONS}: its read-outs pool regions of {MIN_PHOTONS} launched photons"
)


class GridSpec(InputModel):
    """Optional grid settings; unset values are chosen from the beam and the skin.

    The radial spacing is uniform. Depth cells are ``dz_surface`` thick near the
    surface and at layer interfaces and grow by ``growth`` per cell up to ``dz_max``
    (set ``growth = 1`` and ``dz_surface = dz_max`` for a uniform grid).
    """

    r_max_m: Annotated[float, Quantity("m", gt=0.0)] | None = Field(default=None, alias="r_max")
    nr: int | None = Field(default=None, ge=2, le=2000)
    z_max_m: Annotated[float, Quantity("m", gt=0.0)] | None = Field(default=None, alias="z_max")
    dz_surface_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=unit_default("5 um"), alias="dz_surface"
    )
    dz_max_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=unit_default("50 um"), alias="dz_max"
    )
    growth: float = Field(default=1.08, ge=1.0, le=2.0)


class TransportSettings(InputModel):
    """Monte Carlo settings: photons, seed, threads and the scattering parameter set."""

    photons: Annotated[int, SIMULATION_FLOOR] = Field(default=200_000, ge=1, le=MAX_PHOTONS)
    seed: int = Field(default=1, ge=0, lt=2**63)
    threads: int | None = Field(default=None, ge=1, le=1024)
    scattering: str = "jacques2013"


class HeatSettings(InputModel):
    """Heat-solver settings: how long to follow the tissue after the last pulse, largest step,
    times at which whole temperature fields are stored."""

    relaxation_s: Annotated[float, Quantity("s", display="s", gt=0.0, le=3600.0)] = Field(
        default=unit_default("1 s"), alias="relaxation"
    )
    max_step_s: Annotated[float, Quantity("s", display="ms", gt=0.0)] | None = Field(default=None, alias="max_step")
    store_times_s: tuple[Annotated[float, Quantity("s", display="ms", ge=0.0)], ...] = Field(
        default=(), alias="store_times"
    )


class SimulationSettings(TransportSettings, HeatSettings):
    """Transport and heat settings and the grid of one simulation (fields of both tables); at least
    :data:`MIN_PHOTONS` photons, the floor of the coupled read-outs."""

    photons: int = Field(default=200_000, ge=MIN_PHOTONS, le=MAX_PHOTONS)
    grid: GridSpec = GridSpec()

    @classmethod
    def from_tables(
        cls, transport: TransportSettings, heat: HeatSettings, grid: GridSpec, **updates: object
    ) -> SimulationSettings:
        """Combine a scenario's ``[transport]``, ``[heat]`` and ``[grid]`` tables; ``updates``
        (field names, e.g. ``photons=``) override them, ``None`` values are ignored."""
        fields = {**dict(transport), **dict(heat), "grid": grid}
        given = {key: value for key, value in updates.items() if value is not None}
        fields.update(given)
        photons = fields["photons"]
        if isinstance(photons, int) and not isinstance(photons, bool) and photons < MIN_PHOTONS:
            # the one bound the tables do not hold themselves: named where the count came from, the scenario's
            # [transport] table (``transport.photons``) or an override (``--photons``, ``photons=``) (QA10 #11)
            where = "photons" if "photons" in given else "transport.photons"
            allowed = describe_field(cls.model_fields["photons"]) or f"a whole number >= {MIN_PHOTONS}"
            raise InputError(where, photons, f"{allowed} for a simulation ({FLOOR_REASON})")
        return cls.from_si(fields)
