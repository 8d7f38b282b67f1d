import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.damage.injury import (
    FITZPATRICK_TYPES,
    GRADES,
    SUPERFICIAL_NECROSIS,
    PigmentRiskRule,
    classify_epidermal_injury,
    epidermal_injury,
    epidermal_necrosis,
    grade_with_necrosis,
    pigment_risk,
    viable_epidermis_top_m,
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


# ----------------------------------------------------------------- QA4 finding 1: necrosis above the basal cell
def _epidermis_grid():
    """10 µm cells; stratum corneum 0-10 µm, living epidermis 10-60 µm (basal cell: centre 55 µm), dermis below."""
    return RZGrid.uniform(nr=4, dr_m=1e-4, nz=10, dz_m=10e-6)


def test_superficial_necrosis_above_an_intact_basal_layer():
    """Necrotic living epidermis (Ω 50 at 25 µm) over a basal cell at Ω 0.01: before, "none" (the grade read the
    basal cell only); now "superficial necrosis" with the band's bottom where ln Ω crosses 0 between the 25 µm
    (Ω 50) and 35 µm (Ω 0.1) centres: 25 + 10 · ln 50 / ln 500 = 31.3 µm. The basal Ω and its meaning stay."""
    grid = _epidermis_grid()
    omega = np.zeros((4, 10))
    peak = np.full((4, 10), 310.0)
    omega[1, 2], omega[1, 3], omega[1, 5] = 50.0, 0.1, 0.01
    result = epidermal_injury(omega, peak, grid, junction_depth_m=60e-6, fitzpatrick="VI", viable_top_m=10e-6)
    assert result.omega_basal == 0.01
    assert result.grade == SUPERFICIAL_NECROSIS
    assert result.necrosis_depth_m == pytest.approx(25e-6 + 10e-6 * np.log(50) / np.log(500), rel=1e-12)
    assert result.omega_living_max == 50.0
    # with erythema at the basal cell the band still raises the grade; a blister is never lowered
    omega[3, 5] = 0.7
    assert epidermal_injury(omega, peak, grid, junction_depth_m=60e-6, fitzpatrick="I", viable_top_m=10e-6).grade == (
        SUPERFICIAL_NECROSIS
    )
    omega[3, 5] = 2.0
    blister = epidermal_injury(omega, peak, grid, junction_depth_m=60e-6, fitzpatrick="I", viable_top_m=10e-6)
    assert blister.grade == "blister" and blister.necrosis_depth_m == pytest.approx(60e-6, rel=1e-12)  # to the junction


def test_stratum_corneum_and_dermis_do_not_count_as_living_epidermis():
    """Ω ≥ 1 only in the stratum corneum (dead corneocytes, centre 5 µm) or in the dermis: no necrosis."""
    grid = _epidermis_grid()
    omega = np.zeros((4, 10))
    omega[0, 0], omega[2, 6] = 1e3, 1e3
    result = epidermal_injury(
        omega, np.full((4, 10), 310.0), grid, junction_depth_m=60e-6, fitzpatrick="III", viable_top_m=10e-6
    )
    assert result.grade == "none" and result.necrosis_depth_m == 0.0
    # without a stratum corneum (explicit layers: viable_top_m 0) the surface cell is living epidermis
    assert epidermal_injury(omega, np.full((4, 10), 310.0), grid, junction_depth_m=60e-6, fitzpatrick="III").grade == (
        SUPERFICIAL_NECROSIS
    )
    assert viable_epidermis_top_m(
        ("stratum_corneum", "living_epidermis", "papillary_dermis"), (13e-6, 63e-6, 1e-4)
    ) == (13e-6)
    assert viable_epidermis_top_m(("epidermis", "dermis"), (60e-6, 1e-3)) == 0.0


def test_removed_cells_are_necrotic_and_grades_are_ordered():
    grid = _epidermis_grid()
    removed = np.zeros((4, 10), dtype=bool)
    removed[0, :3] = True  # a crater floor at 30 µm, above the basal cell
    necrosis = epidermal_necrosis(np.zeros((4, 10)), grid, junction_depth_m=60e-6, viable_top_m=10e-6, removed=removed)
    assert necrosis.depth_m == pytest.approx(30e-6, rel=1e-12) and necrosis.omega_max == 0.0
    assert GRADES == ("none", "erythema", SUPERFICIAL_NECROSIS, "blister", "necrosis")
    assert grade_with_necrosis("necrosis", 1e-5) == "necrosis" and grade_with_necrosis("none", 0.0) == "none"
    removed[:, 5] = True
    with pytest.raises(InputError):
        epidermal_injury(
            np.zeros((4, 10)), np.full((4, 10), 310.0), grid, junction_depth_m=60e-6, fitzpatrick="I", removed=removed
        )
    with pytest.raises(InputError):
        grade_with_necrosis("crust", 0.0)


# ----------------------------------------------------------------- QA5 finding 26: the dermal burn grade
@pytest.mark.parametrize(
    "fraction, grade",
    [
        (0.0, "none"),
        (1e-6, "partial thickness"),
        (0.7499, "partial thickness"),
        (0.75, "full thickness"),
        (1.0, "full thickness"),
    ],
)
def test_dermal_grade_thresholds(fraction, grade):
    """physics_data §4.1: third degree = necrosis of the epidermis and ≥ 75 % of the dermis."""
    from laserskin.damage.injury import DERMAL_GRADES, FULL_THICKNESS_DERMIS_FRACTION, classify_dermal_injury

    assert FULL_THICKNESS_DERMIS_FRACTION == 0.75
    assert classify_dermal_injury(fraction) == grade and grade in DERMAL_GRADES
    with pytest.raises(InputError):
        classify_dermal_injury(-0.1)
    with pytest.raises(InputError):
        classify_dermal_injury(float("nan"))


def test_dermal_injury_grades_the_share_of_the_dermis_whatever_the_epidermis():
    """A sub-surface band through 80 % of the dermis under an uninjured epidermis is "full thickness" (the epidermal
    grade alone read "none"); a band through 30 % is "partial thickness"; no Ω ≥ 1 cell is "none". 10 µm cells, the
    dermis 60-1060 µm (1000 µm): bands of whole cells, so the share is exact (crossings at the cell edges where the
    neighbour has Ω = 0)."""
    from laserskin.damage.injury import dermal_injury

    grid = RZGrid.uniform(nr=4, dr_m=1e-4, nz=120, dz_m=10e-6)
    peak = np.full((4, 120), 310.0)
    for (top, bottom), share, grade in [((260, 1060), 0.8, "full thickness"), ((160, 460), 0.3, "partial thickness")]:
        omega = np.zeros((4, 120))
        omega[:, top // 10 : bottom // 10] = 5.0
        injured = dermal_injury(omega, grid, dermis_top_m=60e-6, dermis_bottom_m=1060e-6)
        assert injured.depth_range_um == pytest.approx((top, bottom))
        assert injured.dermis_fraction == pytest.approx(share, abs=1e-9)
        assert injured.grade == grade
        assert epidermal_injury(omega, peak, grid, junction_depth_m=60e-6, fitzpatrick="III").grade == "none"
    none = dermal_injury(np.zeros((4, 120)), grid, dermis_top_m=60e-6, dermis_bottom_m=1060e-6)
    assert (none.depth_range_um, none.dermis_fraction, none.grade) == (None, 0.0, "none")
