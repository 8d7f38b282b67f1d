import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.damage.injury import (
    FITZPATRICK_TYPES,
    PigmentRiskRule,
    classify_epidermal_injury,
    epidermal_injury,
    pigment_risk,
)
from laserskin.grid import RZGrid

LEVEL = {"low": 0, "moderate": 1, "high": 2}


@pytest.mark.parametrize(
    "omega, grade",
    [
        (0.0, "none"),
        (0.52, "none"),
        (0.53, "erythema"),
        (0.99, "erythema"),
        (1.0, "blister"),
        (9999.0, "blister"),
        (1e4, "necrosis"),
        (1e9, "necrosis"),
    ],
)
def test_henriques_thresholds(omega, grade):
    assert classify_epidermal_injury(omega) == grade


def test_dark_skin_is_riskier_at_the_same_exposure():
    exposures = [(0.0, 310.0), (0.2, 318.0), (0.6, 325.0), (2.0, 340.0), (1e5, 370.0)]
    for omega, peak in exposures:
        light = [pigment_risk(t, omega, peak) for t in ("I", "II")]
        dark = [pigment_risk(t, omega, peak) for t in ("V", "VI")]
        for d in dark:
            for l in light:
                assert d.score > l.score
                if d.exposure_points > 0:
                    assert LEVEL[d.level] > LEVEL[l.level]
    # monotone in type and in exposure
    for omega, peak in exposures:
        levels = [LEVEL[pigment_risk(t, omega, peak).level] for t in FITZPATRICK_TYPES]
        assert levels == sorted(levels)
    for t in FITZPATRICK_TYPES:
        levels = [LEVEL[pigment_risk(t, o, p).level] for o, p in exposures]
        assert levels == sorted(levels)
    assert pigment_risk(6, 0.0, 310.0).level == "low"  # no thermal exposure, no laser-induced risk


def test_rule_is_data_and_validated():
    rule = PigmentRiskRule(moderate_from=2, high_from=3)
    assert pigment_risk("III", 0.2, 310.0, rule).level == "moderate"
    with pytest.raises(ValueError):
        PigmentRiskRule(type_points={"I": 0})
    with pytest.raises(InputError):
        pigment_risk("VII", 0.0, 310.0)


def test_epidermal_injury_reads_the_basal_cell():
    grid = RZGrid.uniform(nr=4, dr_m=1e-4, nz=10, dz_m=10e-6)
    omega = np.zeros((4, 10))
    peak = np.full((4, 10), 310.0)
    omega[2, 5] = 0.7  # deepest epidermal cell for a 60 µm junction (centre 55 µm)
    omega[2, 6] = 50.0  # dermis: ignored
    peak[1, 5] = 326.0
    result = epidermal_injury(omega, peak, grid, junction_depth_m=60e-6, fitzpatrick="V")
    assert result.omega_basal == 0.7 and result.grade == "erythema"
    assert result.peak_basal_temperature_K == 326.0
    assert result.pigment_risk.level == "high"
    with pytest.raises(InputError):
        epidermal_injury(omega, peak, grid, junction_depth_m=1e-6, fitzpatrick="I")
