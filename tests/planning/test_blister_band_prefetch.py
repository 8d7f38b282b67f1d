"""The blister band computed with its transports in a background thread equals the sequential reference.

:func:`laserskin.planning.uncertainty.blister_uncertainty` runs the perturbed optics' transports in a
background thread while it solves heat (issue 9: a plan within 30 s). The reference here is the former
sequential loop (each case: transport, heat, blister energy, in the order of the cases, in this thread):
every contribution and both relative uncertainties must be the same numbers, not merely close, since the
same inputs, seed and photons give bit-identical transports on any thread and the sums keep their order.
smoothbeam_1450 at 2000 photons on a coarse grid: its transports are cheap (strong water absorption), and
every case (melanin, both thicknesses, the scattering set, cooling h) is made.
"""

import math

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.planning.optimise import _energy_range
from laserskin.planning.uncertainty import (
    DERMIS_THICKNESS_REL,
    EPIDERMIS_THICKNESS_REL,
    _cooling_low,
    _melanin_high,
    _one_pass_blister_J,
    _perturbed_simulation,
    _skin_overrides,
    alternative_scattering_sets,
    blister_uncertainty,
    mc_relative_error,
)
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device


def _sequential_reference(sim, response, source_per_J, energy_range_J):
    """The former loop of blister_uncertainty: ``(contributions, relative low, relative high)``."""
    mc = mc_relative_error(sim, response)
    lo, hi = energy_range_J[0] / 10.0, energy_range_J[1] * 10.0
    nominal = _one_pass_blister_J(response, lo, hi)
    cases = {}
    melanin = _melanin_high(sim.person)
    if melanin is not None:
        cases["melanin"] = {"person": sim.person.model_copy(update={"melanin_fraction": melanin})}
    cases["epidermis_thickness"] = {"overrides": _skin_overrides(sim, epidermis_factor=1 + EPIDERMIS_THICKNESS_REL)}
    cases["dermis_thickness"] = {"overrides": _skin_overrides(sim, dermis_factor=1 - DERMIS_THICKNESS_REL)}
    sets, _ = alternative_scattering_sets(sim.settings.scattering, [w for w, _ in sim.laser.wavelength_weights()])
    for name in sets:
        cases["scattering_set" if len(sets) == 1 else f"scattering_set:{name}"] = {"scattering": name}
    cooling = _cooling_low(sim)
    if cooling is not None:
        cases["cooling_h"] = {"cooling": cooling}
    contributions = {}
    low_sq = high_sq = (2.0 * mc) ** 2
    for name, change in cases.items():
        if name == "cooling_h":
            perturbed = _perturbed_simulation(sim, cooling=change["cooling"])
            source, grid = source_per_J, response.grid
        else:
            perturbed = _perturbed_simulation(sim, **change)
            _, source, grid = perturbed.transport()
        alt_response, _ = perturbed.thermal_response(source, grid)
        energy = _one_pass_blister_J(alt_response, lo, hi)
        d = (energy / nominal - 1.0) if energy is not None else 1.0
        contributions[name] = float(d)
        if name.startswith("scattering_set"):
            low_sq += min(d, 0.0) ** 2
            high_sq += max(d, 0.0) ** 2
        else:
            low_sq += d * d
            high_sq += d * d
    return contributions, min(math.sqrt(low_sq), 0.8), math.sqrt(high_sq)


#: 2000 photons on a coarse grid (10 rings): the heat solves, most of the cost, stay cheap
SETTINGS = SimulationSettings(photons=2000, seed=1, grid={"nr": 10})


def test_background_transports_give_the_sequential_band(tmp_path):
    person = Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)
    preset = load_device("smoothbeam_1450")
    laser = preset.laser()
    sim = Simulation(person, laser, dict(preset.cooling), settings=SETTINGS, cache_dir=tmp_path / "fast")
    _, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    energy_range = _energy_range(preset, laser)

    band = blister_uncertainty(sim, response, source, energy_range)
    # the reference runs every transport again in this thread (its own, empty cache)
    reference_sim = Simulation(person, laser, dict(preset.cooling), settings=SETTINGS, cache_dir=tmp_path / "ref")
    contributions, low, high = _sequential_reference(reference_sim, response, source, energy_range)

    assert set(contributions) == {"melanin", "epidermis_thickness", "dermis_thickness", "scattering_set", "cooling_h"}
    assert list(band.contributions) == list(contributions)  # the order of the plan JSON
    assert band.contributions == contributions
    assert (band.relative, band.relative_high) == (low, high)
    assert band.runs == len(contributions)
