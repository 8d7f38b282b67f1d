"""An Er:YAG crater too deep for the model names the count at fault, the crater bound reads its constants from
data/parameters/ablation.toml, and a blow-off peak that is the spinodal says it is a parameter.

#7b: 10 J/cm², 60 pulses at 10 Hz was refused after 28 s as "laser.fluence: ... crater stays within 2.61 mm", and
10 000 pulses ran for minutes. Now a count whose crater provably passes the bottom is refused before the solve
(each steady-state pulse removes at least (F - F_th,max) / h_abl,max, the tops of the published ranges), and a run
whose crater passes it names ``laser.pulses`` with the largest count that stayed within, measured by the run.
#8: 90 ns Er:YAG read 305.0 degC (the spinodal, tissue_phase_change.toml) with no ``peak_temperature_note``.
"""

from __future__ import annotations

import re

import pytest

from laserskin.core.constants import CELSIUS_K
from laserskin.core.errors import InputError
from laserskin.pipeline import ablative
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.thermal import enthalpy
from laserskin.thermal.cooling import Cooling
from laserskin.thermal.enthalpy import phase_change_parameters
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol


def _simulation(*, passes: int = 1, **laser) -> Simulation:
    protocol = Protocol(passes=passes, pass_interval="1 s") if passes > 1 else Protocol(passes=1)
    settings = {"wavelength": "2940 nm", "spot_diameter": "5 mm", "profile": "flat_top", "ablative": True}
    settings.update(laser)
    return Simulation(
        Person(age=52, sex="female", fitzpatrick="III", site="cheek"),
        Laser(**settings),
        cooling=Cooling.from_config({"kind": "none"}),
        protocol=protocol,
        progress=None,
    )


def _bound_um(fluence_J_per_cm2: float) -> float:
    return (
        (fluence_J_per_cm2 * 1e4 - ablative.ER_YAG_THRESHOLD_MAX_J_PER_M2)
        / ablative.HEAT_OF_ABLATION_MAX_J_PER_M3
        * 1e6
    )


def test_an_absurd_pulse_count_is_refused_before_the_solve(monkeypatch):
    def no_solve(*_, **__):
        raise AssertionError("the heat solve ran")

    monkeypatch.setattr(enthalpy, "solve_enthalpy", no_solve)
    simulation = _simulation(fluence="10 J/cm^2", pulse_duration="0.25 ms", pulses=10000, repetition_rate="10 Hz")
    with pytest.raises(InputError) as refused:
        simulation.run(grid_warning=False)
    message = str(refused.value)
    assert message.startswith("laser.pulses: got '10000'; expected at most ")
    most = int(re.search(r"at most (\d+) pulses", message).group(1))
    assert 2.5e3 // _bound_um(10.0) <= most <= 2.7e3 // _bound_um(10.0)  # the bound over the grid's 2.5-2.7 mm
    assert "refused before the run" in message and "laser.fluence" not in message


def test_passes_are_named_when_the_pulses_are_single(monkeypatch):
    monkeypatch.setattr(enthalpy, "solve_enthalpy", lambda *_, **__: pytest.fail("the heat solve ran"))
    simulation = _simulation(fluence="60 J/cm^2", pulse_duration="0.25 ms", passes=20)
    with pytest.raises(InputError, match=r"^protocol\.passes: got '20'; expected at most \d+ passes at 60 J/cm\^2"):
        simulation.run(grid_warning=False)


@pytest.mark.parametrize(
    ("fluence", "duration", "pulses"),
    [(10.0, "0.25 ms", 3), (3.4, "10 ms", 3), (3.4, "0.1 ms", 3)],  # the ends of the check's range
)
def test_the_up_front_bound_never_exceeds_the_models_depth_per_pulse(fluence, duration, pulses):
    """The refusal before the run may only fire on settings that cannot fit: the model's depth per pulse must be
    at least the bound wherever the check applies (ER_YAG_CHECK_MAX_PULSE_S, ER_YAG_CHECK_MIN_FLUENCE_RATIO)."""
    rate = "10 Hz" if pulses > 1 else None
    s = (
        _simulation(fluence=f"{fluence} J/cm^2", pulse_duration=duration, pulses=pulses, repetition_rate=rate)
        .run(grid_warning=False)
        .summary
    )
    assert s["crater_depth_um"] / pulses >= _bound_um(fluence)
    assert s["crater_depth_per_pulse_um"] >= _bound_um(fluence)


def test_a_crater_that_passes_the_bottom_names_the_largest_pulse_count_that_stayed_within():
    """30 J/cm² x 25 pulses passes the up-front bound (27 pulses) but not the model (about 150 um a pulse)."""
    with pytest.raises(InputError) as refused:
        _simulation(fluence="30 J/cm^2", pulse_duration="0.25 ms", pulses=25, repetition_rate="10 Hz").run(
            grid_warning=False
        )
    message = str(refused.value)
    assert message.startswith("laser.pulses: got '25'; expected at most ")
    fit = int(re.search(r"at most (\d+) pulses", message).group(1))
    assert 1 <= fit < 25 and f"pulse {fit + 1} of 25 took it past" in message
    # the count named runs; one more is refused
    _simulation(fluence="30 J/cm^2", pulse_duration="0.25 ms", pulses=fit, repetition_rate="10 Hz").run(
        grid_warning=False
    )
    with pytest.raises(InputError, match=rf"^laser\.pulses: got '{fit + 1}'; expected at most {fit} pulses"):
        _simulation(fluence="30 J/cm^2", pulse_duration="0.25 ms", pulses=fit + 1, repetition_rate="10 Hz").run(
            grid_warning=False
        )


def test_a_blow_off_peak_at_the_spinodal_carries_a_note_that_it_is_a_parameter():
    s = _simulation(fluence="10 J/cm^2", pulse_duration="90 ns").run(grid_warning=False).summary
    spinodal_C = phase_change_parameters(2.94e-6, 90e-9).spinodal_temperature_K - CELSIUS_K
    assert s["ablation_regime"] == "blow_off"
    assert s["peak_temperature_C"] == pytest.approx(spinodal_C)
    note = s.get("peak_temperature_note") or ""
    assert f"peak {spinodal_C:.0f} degC" in note and "spinodal" in note and "a parameter of the ablation model" in note


def test_the_spinodal_is_a_removal_temperature_of_the_blow_off_regime_only():
    steady = phase_change_parameters(2.94e-6, 250e-6)
    blow_off = phase_change_parameters(2.94e-6, 90e-9)
    assert steady.regime == "steady_state" and blow_off.regime == "blow_off"
    assert ablative._removal_peak_note(steady.spinodal_temperature_K, steady) is None
    assert "spinodal" in ablative._removal_peak_note(blow_off.spinodal_temperature_K, blow_off)
    assert "pyrolysis" in ablative._removal_peak_note(steady.pyrolysis_temperature_K, steady)


# --- the Er:YAG crater bound's constants: data/parameters/ablation.toml --------------------------------------------
def test_the_crater_bound_reads_the_tops_of_the_published_ranges_from_the_parameter_file():
    from importlib import resources

    from laserskin.damage.ablation import LASERS
    from laserskin.pipeline import ablative

    bound = LASERS["er_yag_2940_bound"]
    assert ablative.ER_YAG_THRESHOLD_MAX_J_PER_M2 == bound.threshold_fluence_J_per_m2 == 1.7e4  # 1.7 J/cm^2
    assert ablative.HEAT_OF_ABLATION_MAX_J_PER_M3 == bound.heat_of_ablation_J_per_m3 == 3.0e9  # 3 kJ/cm^3
    # the tops of the ranges of the pair the model ablates with: never below its own constants
    model = LASERS["er_yag_2940"]
    assert bound.threshold_fluence_J_per_m2 >= model.threshold_fluence_J_per_m2
    assert bound.heat_of_ablation_J_per_m3 >= model.heat_of_ablation_J_per_m3
    assert "Walsh & Deutsch 1989" in bound.source and "Walsh & Deutsch 1988" in bound.source
    text = resources.files("laserskin").joinpath("data", "parameters", "ablation.toml").read_text(encoding="utf-8")
    table = text[text.index("[er_yag_2940_bound]") :]
    assert "# R: top of 1-1.7 J/cm^2" in table and "R: top of 2.5-3 kJ/cm^3" in table  # the confidence tags
    source = resources.files("laserskin").joinpath("pipeline", "ablative.py").read_text(encoding="utf-8")
    assert "1.7e4" not in source and "3.0e9" not in source  # no second copy of the numbers in the code
