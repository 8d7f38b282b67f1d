"""``inputs`` (and the NetCDF provenance) echo every quantity of ``[laser]``, ``[cooling]`` and ``[protocol]`` as
typed; the echo reads back to the same floats.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from laserskin.cli import app

runner = CliRunner()


PERSON_TABLE = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek"}


#: Every quantity of [laser], [cooling] and [protocol], typed in a unit that is neither the SI unit nor the display
#: unit where one exists (QA11 F-E: fluence, spot diameter and the cooling times were echoed in display units).
FLAT_TOP = {
    "wavelength": "1.45 um",
    "fluence": "120 kJ/m^2",
    "pulse_duration": "0.2 s",
    "spot_diameter": "0.6 cm",
    "repetition_rate": "0.002 kHz",
    "pulses": 2,
}


GAUSSIAN = {
    "wavelength": "0.001064 mm",
    "pulse_energy": "0.5 J",
    "pulse_duration": "3000 us",
    "spot_fwhm": "0.3 cm",
    "profile": "gaussian",
}


FRACTIONAL = {
    "wavelength": "1.55 um",
    "pulse_energy": "0.02 J",
    "pulse_duration": "0.003 s",
    "spot_diameter": "1 cm",
    "fractional": {"microbeam_diameter": "0.12 mm", "mtz_density": "2000000 1/m^2"},
}


FRACTIONAL_COVERAGE = {**FRACTIONAL, "fractional": {"microbeam_diameter": "120000 nm", "coverage": "0.05"}}


CRYOGEN = {
    "kind": "cryogen",
    "spurt_duration": "30000 us",
    "delay": "0.01 s",
    "h": "2 W/(cm^2*K)",
    "liquid_temperature": "247.15 K",
    "post_spurt": "0.005 s",
    "film_residence": "100000 us",
    "film_h": "0.2 W/(cm^2*K)",
}


CONTACT = {
    "kind": "contact",
    "window_temperature": "278.15 K",
    "h": "0.5 W/(cm^2*K)",
    "precool": "1000 ms",
    "postcool": "0.0083 min",
}


COLD_AIR = {
    "kind": "cold_air",
    "air_temperature": "243.15 K",
    "h": "0.01 W/(cm^2*K)",
    "precool": "2000 ms",
    "postcool": "0.03 min",
}


PROTOCOL = {
    "passes": 2,
    "pass_interval": "500 ms",
    "cooling_pause": "0.1 min",
    "overlap": "10 %",
    "anesthetic": "emla",
    "anesthetic_lead_time": "3600 s",
    "treated_area": "0.01 m^2",
    "sessions": 2,
    "session_interval": "28 day",
}


def _typed_quantities(table: dict, prefix: str = "") -> dict:
    """``{key: text}`` of every quantity typed in ``table`` (nested tables by ``outer.inner``)."""
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_typed_quantities(value, f"{prefix}{key}."))
        elif isinstance(value, str) and value[:1].isdigit() and " " in value:
            out[f"{prefix}{key}"] = value
    return out


def _get(table: dict, dotted: str):
    for part in dotted.split("."):
        table = table[part]
    return table


CASES = [(FLAT_TOP, CRYOGEN), (GAUSSIAN, CONTACT), (FRACTIONAL, COLD_AIR), (FRACTIONAL_COVERAGE, CRYOGEN)]


@pytest.mark.parametrize(("laser", "cooling"), CASES)
def test_inputs_and_provenance_echo_every_quantity_exactly(laser, cooling):
    """Each quantity is echoed as typed, or in the display unit where that is no longer (docs/cli.md
    "Inputs as typed"; "120 kJ/m^2" reads "12 J/cm^2"), and the echo reads back to the same float."""
    from laserskin.pipeline.scenario import Scenario
    from laserskin.pipeline.simulation import Simulation

    data = {"person": PERSON_TABLE, "laser": laser, "cooling": cooling, "protocol": PROTOCOL}
    scenario = Scenario.model_validate(data)
    inputs = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    provenance = Simulation.from_scenario(scenario).provenance()
    for table in ("laser", "cooling", "protocol"):
        recorded = json.loads(provenance[table])
        for key, typed in _typed_quantities(data[table]).items():
            for echo in (_get(inputs[table], key), _get(recorded, key)):
                assert echo == typed or len(echo) <= len(typed), (table, key, echo)
    # the echo reads back to the same floats: the same models, field by field
    again = Scenario.model_validate(inputs)
    assert again.laser == scenario.laser and again.cooling == scenario.cooling and again.protocol == scenario.protocol
    for table in ("laser", "cooling", "protocol"):
        before, after = getattr(scenario, table), getattr(again, table)
        for name in type(before).model_fields:
            assert repr(getattr(after, name)) == repr(getattr(before, name)), (table, name)


def test_a_number_and_text_in_the_display_unit_echo_in_the_display_unit():
    """Unchanged: a bare number is echoed in the field's unit, and text in the display unit as the display unit
    spells it (``"52 years"`` → ``"52 year"``), so the CLI, the web form and the JSON API echo alike."""
    from laserskin.planning.request import PlanRequest
    from laserskin.treatment.protocol import Protocol

    assert Protocol(overlap=0.1, cooling_pause="2 s").model_dump(by_alias=True)["overlap"] == "10 %"
    request = PlanRequest.model_validate({**PERSON_TABLE, "age": "52 years", "laxity": 2})
    assert request.model_dump(mode="json", by_alias=True)["age"] == "52 year"


def test_simulate_json_echo_reproduces_the_scenario(tmp_path):
    """The QA11 F-E reproduction through the command: ``inputs`` of ``simulate --json`` give back the same floats."""
    scenario = tmp_path / "alt.toml"
    laser = {k: v for k, v in FLAT_TOP.items() if k not in ("repetition_rate", "pulses")}
    cooling = {k: CRYOGEN[k] for k in ("kind", "spurt_duration", "delay")}
    tables = {"person": PERSON_TABLE, "laser": laser, "cooling": cooling}
    scenario.write_text(
        "\n".join(
            f"[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in t.items()) for name, t in tables.items()
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", str(scenario), "--photons", "2000", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    inputs = json.loads(result.stdout)["inputs"]
    from laserskin.pipeline.scenario import Scenario

    typed, echoed = Scenario.model_validate(tables), Scenario.model_validate(inputs)
    assert echoed.laser == typed.laser and echoed.cooling == typed.cooling
    for table in ("laser", "cooling"):
        for key, text in _typed_quantities(tables[table]).items():
            echo = _get(inputs[table], key)
            assert echo == text or len(echo) <= len(text), (table, key, echo)
