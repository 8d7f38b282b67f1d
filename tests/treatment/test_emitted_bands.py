"""QA14 #9: a multi-line source is described by the bands it emits, not one continuous band around its centroid.

The Titan-type preset models a water-filtered lamp (Tanaka & Gale 2013, V: 1100-1800 nm less 1400-1500 nm) by 6 lines
1150…1750 nm, each standing for 100 nm; its energy-weighted mean 1450 nm falls in the filtered band. The plan's
table and report.html read "1100–1400, 1500–1800 nm (… mean … 1450 nm, not emitted)". One derivation for every
spectrum (:attr:`Laser.emitted_bands_m`); the numbers and texts here are built from the functions, no plan is run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from laserskin.cli.plan import _settings_text
from laserskin.pipeline.summary import wavelength_band_nm, wavelength_bands_nm
from laserskin.report import plan_report_html
from laserskin.report.labels import display_value, wavelength_text
from laserskin.treatment.laser import Laser

PLAN = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))


def _broadband(*wavelengths_nm: float, weights: tuple[float, ...] | None = None) -> Laser:
    weights = weights or (1.0,) * len(wavelengths_nm)
    return Laser.model_validate(
        {
            "spectrum": [{"wavelength": f"{w} nm", "weight": q} for w, q in zip(wavelengths_nm, weights)],
            "fluence": "30 J/cm^2",
            "pulse_duration": "5 s",
            "spot_diameter": "10 mm",
        }
    )


def _settings(laser: Laser) -> dict:
    """The wavelength keys of a plan's ``settings`` (planning.plan._settings) and the other keys the table reads."""
    out = {
        "wavelength_nm": laser.centroid_wavelength_m * 1e9,
        "fluence_J_per_cm2": laser.fluence_J_per_m2 * 1e-4,
        "pulse_energy_mJ": laser.pulse_energy_J * 1e3,
        "pulse_duration_ms": laser.pulse_duration_s * 1e3,
        "spot_diameter_mm": laser.spot_diameter_m * 1e3,
        "repetition_rate_Hz": laser.repetition_rate_Hz,
        "pulses_per_spot": laser.pulses,
        "fluence_per_spot_J_per_cm2": laser.pulses * laser.fluence_J_per_m2 * 1e-4,
        "passes": 1,
        "profile": laser.profile,
    }
    band = wavelength_band_nm(laser)
    if band[0] != band[1]:
        out["wavelength_band_nm"] = band
        out["wavelength_bands_nm"] = wavelength_bands_nm(laser)
    return out


def test_the_titan_lines_give_the_two_bands_around_the_water_filter():
    laser = Laser.from_device("titan_ir")
    assert wavelength_bands_nm(laser) == [pytest.approx([1100.0, 1400.0]), pytest.approx([1500.0, 1800.0])]
    assert wavelength_band_nm(laser) == pytest.approx([1100.0, 1800.0])  # the [min, max] key keeps its meaning
    # the centroid stays the energy-weighted mean (the acceptance keys' number) but is no emitted wavelength
    assert laser.centroid_wavelength_m == pytest.approx(1450e-9, rel=1e-12)
    assert laser.centroid_is_emitted is False
    assert laser.describe().startswith("1100-1400, 1500-1800 nm (6 lines)")


def test_a_single_wavelength_laser_is_one_line():
    laser = Laser.from_device("genesis_1064")
    assert wavelength_bands_nm(laser) == [pytest.approx([1064.0, 1064.0])]
    assert wavelength_band_nm(laser) == pytest.approx([1064.0, 1064.0])
    assert laser.centroid_is_emitted is True
    assert wavelength_text(_settings(laser)) == "1064 nm"
    assert _settings_text(_settings(laser)).startswith("1064 nm, 14 J/cm^2")


def test_contiguous_lines_merge_into_one_band_whatever_their_weights():
    # the step is the lines' own spacing (50 nm here, not the titan preset's 100 nm)
    laser = _broadband(1200.0, 1250.0, 1300.0, 1350.0, weights=(1.0, 2.0, 3.0, 4.0))
    assert wavelength_bands_nm(laser) == [pytest.approx([1175.0, 1375.0])]
    assert laser.centroid_is_emitted is True
    assert wavelength_text(_settings(laser)) == "1175–1375 nm (energy-weighted mean of the lines 1300 nm)"


def test_a_gap_of_more_than_one_step_is_a_band_not_emitted():
    laser = _broadband(1000.0, 1100.0, 1400.0)
    assert wavelength_bands_nm(laser) == [pytest.approx([950.0, 1150.0]), pytest.approx([1350.0, 1450.0])]
    assert laser.centroid_wavelength_m == pytest.approx(1166.6667e-9, rel=1e-6)
    assert laser.centroid_is_emitted is False  # 1167 nm: above the first band's 1150 nm, below the second's 1350


def test_the_plan_table_states_the_bands_and_that_the_mean_is_not_emitted():
    text = _settings_text(_settings(Laser.from_device("titan_ir")))
    assert text.startswith(
        "1100–1400, 1500–1800 nm (energy-weighted mean of the lines 1450 nm, not emitted), 36 J/cm^2"
    )
    # a plan written before wavelength_bands_nm: the one band, the mean not claimed as a gap
    old = {"wavelength_nm": 1450.0, "wavelength_band_nm": [1100.0, 1800.0]}
    assert wavelength_text(old) == "1100–1800 nm (energy-weighted mean of the lines 1450 nm)"


def test_the_report_states_the_bands_in_the_wavelength_row():
    settings = _settings(Laser.from_device("titan_ir"))
    assert display_value("wavelength_bands_nm", settings["wavelength_bands_nm"]) == "1100–1400, 1500–1800 nm"
    html = plan_report_html({**PLAN, "settings": settings})
    rows = html.split("<h3>Laser settings</h3>")[1].split("</table>")[0]
    assert (
        "<th scope='row'>Wavelength</th><td>1100–1400, 1500–1800 nm (energy-weighted mean of the lines 1450 nm, "
        "not emitted)</td>"
    ) in rows
    assert "Spectral band" not in rows  # the continuous 1100–1800 nm is not stated as what is emitted
    one_line = _settings(Laser.from_device("genesis_1064"))
    rows = plan_report_html({**PLAN, "settings": one_line}).split("<h3>Laser settings</h3>")[1].split("</table>")[0]
    assert "<th scope='row'>Wavelength</th><td>1,064 nm</td>" in rows


# ---------------------------------------------------------------- the key in the plan's settings, summaries and page
def test_the_plan_settings_and_the_summary_carry_the_bands():
    from types import SimpleNamespace

    from laserskin.cli.simulate import unlisted_keys
    from laserskin.pipeline.summary import SimulationSummary
    from laserskin.planning.plan import _settings as plan_settings

    def settings(device: str) -> dict:
        laser = Laser.from_device(device)
        return plan_settings(
            SimpleNamespace(laser=laser, passes=1, binding="test", safe_energy_J=None, target_energy_J=None)
        )

    assert settings("titan_ir")["wavelength_bands_nm"] == [pytest.approx([1100, 1400]), pytest.approx([1500, 1800])]
    assert "wavelength_bands_nm" not in settings("genesis_1064")
    assert "wavelength_bands_nm" in SimulationSummary.model_fields
    assert unlisted_keys(["wavelength_bands_nm"]) == []


def test_the_plan_page_states_the_bands():
    import jinja2

    from laserskin.report import labels

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(labels.__file__).parents[1] / "web" / "templates")), autoescape=True
    )
    env.globals.update(labels.template_globals())
    plan = {**PLAN, "settings": {**PLAN["settings"], **_settings(Laser.from_device("titan_ir"))}}
    page = env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])
    assert "1100–1400, 1500–1800 nm (energy-weighted mean of the lines 1450 nm, not emitted)" in page


def test_the_devices_table_states_the_emitted_bands():
    from laserskin.treatment.devices import load_device

    assert load_device("titan_ir").table_row()["wavelength"] == "1100-1400, 1500-1800 nm (6 lines)"
    assert load_device("genesis_1064").table_row()["wavelength"] == "1064 nm"
