"""The summary's pain with the plan: the topical's factor and the cooling's fitted analgesia (QA4 #19)."""

import pytest

from laserskin.damage.pain import pain_band
from laserskin.pipeline.summary import SimulationSummary

REQUIRED = {
    "peak_epidermis_temperature_C": 40.0,
    "peak_dermis_temperature_C": 45.0,
    "denaturation_depth_um": None,
    "denatured_volume_mm3": 0.0,
    "dermal_injury_depth_um": None,
    "dermal_injury_volume_mm3": 0.0,
    "immediate_tightening_percent": 0.0,
    "epidermal_omega": 0.0,
    "epidermal_injury": "none",
    "pigment_risk": "low",
    "boiling": False,
    "pulse_energy_J": 0.02,
    "fluence_J_per_cm2": 255.0,
    "wavelength_nm": 1550.0,
    "photons": 1000,
    "seed": 1,
    "heat_steps": 10,
    "energy_balance_residual_J": 0.0,
}


def test_simulate_pain_with_plan_includes_the_cold_air_analgesia():
    """Fisher 2005's setting (fraxel, topical + forced cold air) reads 6.65/10 with the topical factor alone (QA4
    #19: simulate left out the fitted cold-air factor the planner applies); pain_index_with_plan applies both, the
    planner's own pain.with_plan nominal value (pain_band)."""
    cold = SimulationSummary(
        **REQUIRED, pain_index=8.32, pain_index_with_anesthetic=6.656, anesthetic="lidocaine_4", cooling_kind="cold_air"
    )
    assert cold.pain_index_with_plan == pytest.approx(pain_band(8.32, "lidocaine_4", "cold_air")["with_plan"][1])
    assert cold.pain_index_with_plan < 0.8 * cold.pain_index_with_anesthetic  # the cold-air factor acts
    spray = SimulationSummary(
        **REQUIRED, pain_index=8.32, pain_index_with_anesthetic=6.656, anesthetic="lidocaine_4", cooling_kind="cryogen"
    )
    assert spray.pain_index_with_plan == pytest.approx(spray.pain_index_with_anesthetic, rel=1e-3)
    assert "pain_index_with_plan" in cold.to_dict()
