"""QA10 #5 and #13: refusals that state one limit and the numbers that justify it, in the ``FIELD: got VALUE;
expected ALLOWED`` form (docs/cli.md "Bad input").

#5: Er:YAG 80 J/cm² x 5 pulses (45 F II cheek, 3 mm, 200 us, 10 Hz) was refused as "... whose crater stays within
2.68 mm ...: in this run it was 1.68 mm deep after pulse 4 (about 420 um per pulse) and pulse 5 of 5 took it past
2.65 mm": two limits (the grid's bottom and the checked floor, 2 cells above it) and depths that did not add up.
Measured: the floor after pulses 1-5 was 0.416, 0.837, 1.258, 1.680 and 2.681 mm; the dermis ends at 1.681 mm, so
pulse 5 cut through the whole 1 mm of subcutis (15 % water against the dermis's 65 %, skin_anatomy.toml) to the
bottom of the grid. The check (the crater floor) is right; the message now quotes the checked limit only and the
depth the last pulse removed.
#13: a repetition rate above 1 / pulse_duration named pulse_duration with no got/expected; the beam's FWHM range
had no unit.
"""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from laserskin.core.errors import InputError
from laserskin.pipeline import ablative
from laserskin.pipeline.simulation import Simulation
from laserskin.skin import Person
from laserskin.thermal.enthalpy import phase_change_parameters
from laserskin.transport.beam import Beam
from laserskin.treatment.laser import Laser


def _eryag(fluence: str, pulses: int) -> Simulation:
    return Simulation(
        Person(age=45, sex="female", fitzpatrick="II", site="cheek"),
        Laser(
            wavelength="2940 nm",
            fluence=fluence,
            pulse_duration="200 us",
            spot_diameter="3 mm",
            pulses=pulses,
            repetition_rate="10 Hz",
        ),
        progress=None,
    )


@pytest.fixture(scope="module")
def eryag_80_x5():
    """The refused 80 J/cm² x 5 run: its message and the grid it was checked on (about 2 s of CPU)."""
    grids: list = []
    original = ablative._too_deep_refusal

    def spy(simulation, grid, *args):
        grids.append(grid)
        return original(simulation, grid, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ablative, "_too_deep_refusal", spy)
        with pytest.raises(InputError) as refused:
            _eryag("80 J/cm^2", 5).run(grid_warning=False)
    (grid,) = grids
    return str(refused.value), grid


def _mm(pattern: str, message: str) -> float:
    found = re.search(pattern, message)
    assert found, f"{pattern!r} not in {message!r}"
    return float(found.group(1))


def _limit_mm(grid) -> float:
    return (grid.z_max_m - 2 * grid.dz_m[-1]) * 1e3


def test_the_crater_refusal_states_one_limit_and_depths_that_add_up(eryag_80_x5):
    message, grid = eryag_80_x5
    # still refused where it was: 4 pulses stay within the grid, the 5th does not
    assert message.startswith(
        "laser.pulses: got '5'; expected at most 4 pulses at 80 J/cm^2, whose crater stays within "
    )
    within = _mm(r"stays within (\d+\.\d+) mm", message)
    past = _mm(r"took it past (\d+\.\d+) mm", message)
    assert within == past == pytest.approx(_limit_mm(grid), abs=0.005)  # one limit: the one checked
    assert f"{grid.z_max_m * 1e3:.2f}" != f"{_limit_mm(grid):.2f}"  # (this grid tells the two apart)
    assert f"{grid.z_max_m * 1e3:.2f} mm" not in message  # the grid's bottom is not a second limit
    before = _mm(r"it was (\d+\.\d+) mm deep after pulse 4", message)
    removed = _mm(r"it removed (\d+\.\d+) mm", message)
    assert before < within <= before + removed + 0.01  # (2-digit rounding of each figure)
    per_pulse_um = _mm(r"about (\d+) um per pulse", message)
    assert removed * 1e3 > 1.5 * per_pulse_um and "subcutis" in message  # the jump is said and explained


def test_the_refusal_before_the_run_quotes_the_same_limit(eryag_80_x5):
    """The bound before the run, on the grid of the run above (whose bottom and limit differ at 2 digits)."""
    _, grid = eryag_80_x5
    parameters = phase_change_parameters(2.94e-6, 200e-6, material_removal=True)
    with pytest.raises(InputError) as refused:
        ablative._refuse_pulses_that_cannot_fit(_eryag("80 J/cm^2", 1000), grid, parameters, 1000)
    message = str(refused.value)
    assert message.startswith("laser.pulses: got '1000'; expected at most ") and "refused before the run" in message
    assert _mm(r"cut past (\d+\.\d+) mm", message) == pytest.approx(_limit_mm(grid), abs=0.005)
    assert f"{grid.z_max_m * 1e3:.2f} mm" not in message


def test_a_rate_above_one_over_the_pulse_duration_names_the_rate_with_its_allowed_maximum():
    with pytest.raises(ValidationError) as refused:
        Laser(
            wavelength="2940 nm",
            fluence="5 J/cm^2",
            pulse_duration="200 us",
            spot_diameter="3 mm",
            pulses=5,
            repetition_rate="1e6 Hz",
        )
    message = str(InputError.from_validation(refused.value, "laser"))
    assert message.startswith(
        "laser.repetition_rate: got '1e6 Hz'; expected at most 5000 Hz with pulse_duration 200 us"
    ), message
    # the maximum named is allowed
    Laser(
        wavelength="2940 nm",
        fluence="5 J/cm^2",
        pulse_duration="200 us",
        spot_diameter="3 mm",
        pulses=5,
        repetition_rate="5000 Hz",
    )


@pytest.mark.parametrize(("key", "typed"), [("fwhm", "0 mm"), ("diameter_1e2", "-1 um")])
def test_a_gaussian_width_that_is_not_positive_reads_like_the_other_widths(key, typed):
    with pytest.raises(ValidationError) as refused:
        Beam(kind="gaussian", **{key: typed})
    with pytest.raises(ValidationError) as radius:
        Beam(kind="gaussian", radius_1e2="0 mm")
    expected = str(InputError.from_validation(radius.value, "beam")).split("; expected ", 1)[1]
    assert expected == "more than 0 mm"
    assert str(InputError.from_validation(refused.value, "beam")) == f"beam.{key}: got '{typed}'; expected {expected}"


@pytest.mark.parametrize("field", ["laxity", "sun_exposure"])
@pytest.mark.parametrize(("value", "shown"), [(2.5, "2.5"), ("2", "'2'"), ("two", "'two'"), (True, "true")])
def test_grades_refuse_fractions_text_and_booleans_with_the_whole_number_rule(field, value, shown):
    """person.py's own "expected an integer grade" validator is gone: the shared rule (core/models.py) says it,
    with the range."""
    top = {"laxity": 4, "sun_exposure": 3}[field]
    with pytest.raises(ValidationError) as refused:
        Person(age=45, sex="female", fitzpatrick="II", site="cheek", **{field: value})
    message = str(InputError.from_validation(refused.value, "person"))
    assert message.startswith(f"person.{field}: got {shown}; expected a whole number from 0 to {top}"), message
    assert "integer grade" not in message
