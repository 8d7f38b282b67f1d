"""The planner's 3-D fractional array (planning/fractional_array.py): one periodic unit cell."""

from __future__ import annotations

import pytest

from laserskin.planning.fractional_array import array_voxel_m, fractional_array
from laserskin.skin import Person
from laserskin.treatment.laser import Laser

PERSON = Person(age=45, sex="female", fitzpatrick="II", site="cheek")


def _laser(density="400 1/cm^2"):
    return Laser.model_validate(
        {
            "wavelength": "1550 nm",
            "pulse_energy": "1.5 mJ",
            "pulse_duration": "3 ms",
            "spot_diameter": "10 mm",
            "profile": "gaussian",
            "fractional": {"microbeam_diameter": "120 um", "mtz_density": density},
        }
    )


def test_voxels_divide_the_cell_and_resolve_the_microbeam():
    spacing = 1 / (400e4) ** 0.5  # 500 um
    h = array_voxel_m(spacing, 120e-6)
    assert spacing / h == pytest.approx(round(spacing / h), abs=1e-9)
    assert h <= 120e-6 / 5 * (1 + 1e-9) or spacing / h <= 1
    assert array_voxel_m(spacing, 120e-6, target=10**9) >= 5e-6


def test_array_keeps_the_laser_density_and_adds_passes():
    one = fractional_array(PERSON, _laser(), {"kind": "none"}, photons=2000, relaxation_s=0.05, voxel_m=50e-6)
    two = fractional_array(PERSON, _laser(), {"kind": "none"}, passes=2, photons=2000, relaxation_s=0.05, voxel_m=50e-6)
    assert one.zones_per_cm2 == pytest.approx(400.0)
    assert one.spacing_um == pytest.approx(500.0)
    assert two.epidermal_omega == pytest.approx(2 * one.epidermal_omega)
    assert two.bulk_rise_K == pytest.approx(one.bulk_rise_K)
    assert one.between_zones_peak_temperature_C < one.peak_temperature_C
    assert one.bulk_rise_K > 0
    assert set(one.as_dict()) >= {"bulk_rise_K", "zones_overlap", "epidermal_omega", "pain_index"}


def test_a_full_field_laser_is_not_an_array():
    from laserskin.core.errors import InputError

    laser = Laser.model_validate(
        {"wavelength": "1064 nm", "fluence": "30 J/cm^2", "pulse_duration": "10 ms", "spot_diameter": "6 mm"}
    )
    with pytest.raises(InputError):
        fractional_array(PERSON, laser)
