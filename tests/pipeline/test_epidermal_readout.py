"""QA4 finding 1: the epidermal read-out of the non-linear path is the linear path's (one function).

Before: ``run_nonlinear`` read the Henriques Ω of ONE cell, the basal cell on the beam axis, and the grade said
"none" while living epidermis above the basal layer (or off the axis) was necrotic. Now both paths call
:func:`laserskin.damage.injury.epidermal_injury`: the worst basal cell over all columns, and "superficial
necrosis" (with ``epidermal_necrosis_depth_um``) when living epidermal cells above an intact basal layer reach
Ω ≥ 1 (Wanner et al. 2016: epidermal necrosis crusts).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.pipeline.ablative import run_nonlinear
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol


def test_nonlinear_path_reads_the_worst_basal_column_not_the_axis():
    """Type VI cheek, 585 nm 6 J/cm² 1.5 ms, an epidermal (melanin-like) source on a 6 × 60 grid whose axis column
    gets half the energy (as the Monte Carlo's few photons on the axis ring did in the QA's run). The axis basal
    cell stays at Ω ~ 2e-3; the other columns reach ~1.9e3. Before: epidermal_omega 0.0018, "none"; now the
    maximum over the basal row, "blister"."""
    simulation = Simulation(
        Person(age=40, sex="female", fitzpatrick="VI", site="cheek"),
        Laser(wavelength="585 nm", fluence="6 J/cm^2", pulse_duration="1.5 ms", spot_diameter="5 mm"),
        {"kind": "none"},
        progress=None,
    )
    geometry = simulation.geometry()
    grid = RZGrid.uniform(nr=6, dr_m=0.5e-3, nz=60, dz_m=5e-6)
    z = grid.z_centers_m
    source = np.zeros((grid.nr, grid.nz))
    source[:, (z > 13e-6) & (z < geometry.junction_depth_m)] = 3e8  # 1/m³ per J: ~75 K in the living epidermis
    source[grid.r_centers_m > 2.5e-3, :] = 0.0
    source[0, :] *= 0.5
    result = run_nonlinear(simulation, reason="test", source_per_J=source, grid=grid)
    s = result.summary
    basal = int(np.flatnonzero(z < geometry.junction_depth_m)[-1])
    row = result.dataset["omega_henriques"].values[:, basal]
    assert row[0] < 0.53 <= 1.0 < row[1:].max()  # the case: a cold axis under a blistered basal layer
    assert s["epidermal_omega"] == row.max()
    assert s["epidermal_injury"] == "blister"
    assert s["epidermal_necrosis_depth_um"] > 0.0


def test_necrosis_above_the_basal_cell_is_not_none():
    """QA4: CO2 2 J/cm², 0.8 ms, 3 mm, one pass, no crater: Henriques Ω ≥ 1 from the surface to 47 µm (residual
    damage) over a basal cell (63 µm deep, type III cheek) at Ω 0.0068. Before: "epidermal_injury" "none"; now
    "superficial necrosis" with the necrotic band's bottom at the residual damage depth (same ln Ω crossing)."""
    laser = Laser(wavelength="10600 nm", fluence="2 J/cm^2", pulse_duration="0.8 ms", spot_diameter="3 mm")
    simulation = Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        laser,
        {"kind": "none"},
        protocol=Protocol(passes=1),
        progress=None,
    )
    s = simulation.run().summary
    junction_um = simulation.geometry().junction_depth_m * 1e6
    assert s["crater_depth_um"] == 0.0 and s["epidermal_omega"] < 0.53  # basal cell intact: no blister
    assert 0.0 < s["residual_damage_depth_um"] < junction_um
    assert s["epidermal_injury"] == "superficial necrosis"
    assert abs(s["epidermal_necrosis_depth_um"] - s["residual_damage_depth_um"]) < 1e-9


def test_every_grade_is_known_to_the_plan_and_the_report():
    """The healing dose (docs/healing.md: 2 = partial/focal epidermal necrosis) and the report's labels know every
    grade, the new one too (before: "superficial necrosis" did not exist; a missing entry would read as 0/"none")."""
    from laserskin.damage.injury import GRADES
    from laserskin.planning.sessions import GRADE_OF_INJURY
    from laserskin.report.labels import choice

    assert set(GRADE_OF_INJURY) == set(GRADES)
    assert [GRADE_OF_INJURY[g] for g in GRADES] == sorted(GRADE_OF_INJURY[g] for g in GRADES)
    assert GRADE_OF_INJURY["superficial necrosis"] == 2
    assert "Crusting" in choice("epidermal_injury", "superficial necrosis")


def test_linear_results_carry_the_necrosis_depth():
    """The linear path's summary gets ``epidermal_necrosis_depth_um`` from the same read-out (its grade comes
    from ``ThermalResponse.evaluate`` → ``epidermal_injury``): maps with Ω 10 at 30 µm over a basal cell at
    0.01 (type III cheek: stratum corneum to 13 µm, junction 63.4 µm) → a band ending between 30 and 40 µm."""
    import xarray as xr

    from laserskin.pipeline.ablative import apply_thermal_model_rule
    from laserskin.pipeline.result import Result

    laser = Laser(wavelength="1064 nm", fluence="10 J/cm^2", pulse_duration="30 ms", spot_diameter="10 mm")
    simulation = Simulation(Person(age=52, sex="female", fitzpatrick="III", site="cheek"), laser, progress=None)
    geometry = simulation.geometry()
    grid = RZGrid.uniform(nr=3, dr_m=1e-3, nz=40, dz_m=10e-6)
    z = grid.z_centers_m
    henriques = np.zeros((grid.nr, grid.nz))
    cell = 3  # the cell 30-40 µm (centre 35 µm)
    henriques[1, cell], henriques[1, cell + 1] = 10.0, 0.1
    henriques[:, int(np.flatnonzero(z < geometry.junction_depth_m)[-1])] = 0.01
    dataset = xr.Dataset(
        {
            "peak_temperature": (("r", "z"), np.full((grid.nr, grid.nz), 330.0)),
            "omega_henriques": (("r", "z"), henriques),
            "omega_collagen": (("r", "z"), np.zeros((grid.nr, grid.nz))),
        }
    )
    linear = Result(summary={}, dataset=dataset, grid=grid, layer_names=[], layer_bottoms_m=np.zeros(0))
    s = apply_thermal_model_rule(simulation, linear, np.zeros((grid.nr, grid.nz)), grid).summary
    assert s["thermal_model"] == "linear"
    assert s["epidermal_necrosis_depth_um"] == pytest.approx(35.0 + 10.0 * np.log(10) / np.log(100), rel=1e-9)
