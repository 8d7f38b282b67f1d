"""The blister band's optical perturbations run on the nominal grid and reuse the nominal heat solve's LU factors.

The melanin and optical-set cases of :func:`laserskin.planning.uncertainty.blister_uncertainty` change the optics
alone: same medium, grid and steps as the nominal run, hence the same ladder of LU factors
(:func:`laserskin.thermal.solver.factorise`, a process-wide LRU cache). The thickness cases factorise a ladder each.
Before session 19 the optical set's heat solve came after both thickness cases, whose ladders had pushed the
nominal's out of the planner's 1.5 GiB cache (~42 factors of the planning grid: the nominal ladder of
cooltouch_1320 is 31, of smoothbeam_1450 23), so it factorised the nominal ladder again (31 factorisations of
cooltouch_1320, 52 F type IV cheek). Here the cache is given 1.5 nominal ladders, as the planner's holds 1.4-1.8 of
them; smoothbeam_1450 at 2000 photons on a coarse grid keeps the runs cheap.
"""

import numpy as np

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.planning import uncertainty
from laserskin.planning.optimise import _energy_range
from laserskin.skin.person import Person
from laserskin.thermal import solver
from laserskin.treatment.devices import load_device

SETTINGS = SimulationSettings(photons=2000, seed=1, grid={"nr": 10})


def test_optical_cases_run_on_the_nominal_grid_with_its_factors(tmp_path, monkeypatch):
    person = Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)
    preset = load_device("smoothbeam_1450")
    laser = preset.laser()
    sim = Simulation(person, laser, dict(preset.cooling), settings=SETTINGS, cache_dir=tmp_path)
    solver.clear_factorization_cache()
    _, source, grid = sim.transport()
    response, heat = sim.thermal_response(source, grid)
    assert heat.n_factorizations > 10  # a ladder of step sizes
    # the cache holds 1.5 nominal ladders (what the nominal run left in the emptied cache, in SuperLU's bytes)
    monkeypatch.setattr(solver, "FACTORIZATION_CACHE_BYTES", int(1.5 * solver._lu_cache_bytes))

    runs = {}  # case -> (grid, factorisations of its heat solve)
    make = uncertainty._perturbed_simulation

    def recorded(nominal, **change):
        perturbed = make(nominal, **change)
        kinds = (("scattering", "scattering_set"), ("person", "melanin"), ("cooling", "cooling_h"))
        case = next((case for key, case in kinds if change.get(key) is not None), "thickness")
        solve = perturbed.thermal_response

        def thermal_response(source_per_J, on_grid):
            alt_response, alt_heat = solve(source_per_J, on_grid)
            runs.setdefault(case, []).append((on_grid, alt_heat.n_factorizations))
            return alt_response, alt_heat

        perturbed.thermal_response = thermal_response
        return perturbed

    monkeypatch.setattr(uncertainty, "_perturbed_simulation", recorded)
    band = uncertainty.blister_uncertainty(sim, response, source, _energy_range(preset, laser))

    assert set(band.contributions) == set(uncertainty.PERTURBATIONS)  # every case made
    assert len(runs["thickness"]) == 2 and all(n > 0 for _, n in runs["thickness"])  # ladders of their own
    for case in ("melanin", "scattering_set"):
        [(on_grid, factorisations)] = runs[case]
        assert np.array_equal(on_grid.r_edges_m, grid.r_edges_m) and np.array_equal(on_grid.z_edges_m, grid.z_edges_m)
        assert factorisations == 0, case  # every factor is the nominal run's
