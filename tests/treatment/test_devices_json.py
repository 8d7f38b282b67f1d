"""``DevicePreset.json_record`` (for ``laserskin devices --json``): numbers in SI, display strings beside."""

import json
import math

import pytest

from laserskin.treatment.devices import json_rows, load_device


def test_json_rows_are_si_numbers_with_display_strings():
    rows = json_rows()
    json.dumps(rows, allow_nan=False)  # plain JSON, no NaN
    for row in rows:
        for key, value in row["default"].items():
            assert value is None or isinstance(value, int | float | list), (row["name"], key)
        for key, pair in row["ranges"].items():
            assert len(pair) == 2 and all(isinstance(v, int | float) for v in pair) and pair[0] <= pair[1], key
        assert isinstance(row["display"]["fluence_J_per_cm2"], str)


def test_fractional_co2_record_matches_its_preset_file():
    record = load_device("co2_fractional").json_record()
    assert record["default"]["wavelength_m"] == pytest.approx(10600e-9)
    assert record["default"]["pulse_energy_J"] == pytest.approx(15e-3)
    assert record["ranges"]["pulse_energy_J"] == pytest.approx([5e-3, 40e-3])
    assert record["ranges"]["coverage"] == pytest.approx([0.05, 0.30])
    # per-microbeam fluence range: E / (pi (d/2)^2) with the default 120 um microbeam
    area = math.pi * (120e-6 / 2) ** 2
    assert record["ranges"]["fluence_J_per_m2"] == pytest.approx([5e-3 / area, 40e-3 / area], rel=1e-6)
    assert record["display"]["fluence_J_per_cm2"].startswith("44.2-354 per MTZ")
    assert record["sessions"]["interval_s"] == pytest.approx([4 * 7 * 86400, 8 * 7 * 86400])
