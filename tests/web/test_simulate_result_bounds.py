"""The web simulate result states the Monte Carlo bounds of the summary beside the values they bound, as the CLI
table does: the grade and the pigment level established beyond the error, the basal Ω and temperature ranges and a
possible depth where it differs from the established one (they were in summary.json only). A finished job is
written by hand (no simulation): the page is a view of its ``summary.json``."""

from __future__ import annotations

import warnings

import pytest

from laserskin.report.labels import LABELS, SIMULATION_ROWS
from laserskin.web import WebSettings, create_app

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LINEAR = {  # a linear Monte Carlo run near the blister step (smoothbeam_1450, 15.9 J/cm², 20 000 photons)
    "thermal_model": "linear",
    "peak_temperature_C": 70.4,
    "crater_depth_um": 0.0,
    "epidermal_omega": 0.232,
    "epidermal_omega_band": [0.045, 1.18],
    "epidermal_injury": "blister",
    "epidermal_injury_beyond_error": "none",
    "pigment_risk": "moderate",
    "pigment_risk_beyond_error": "low",
    "peak_basal_temperature_band_C": [56.2, 61.0],
    "dermal_injury_depth_um": None,
    "dermal_injury_possible_depth_um": [157.6, 459.2],
    "dermal_injury": "none",
    "residual_damage_depth_um": 0.0,
    "residual_damage_possible_depth_um": 0.0,
}
ABLATIVE = {  # no Monte Carlo error estimated: no bound, the possible depth equals the depth
    "thermal_model": "nonlinear",
    "crater_depth_um": 101.6,
    "epidermal_injury": "necrosis",
    "epidermal_injury_beyond_error": None,
    "epidermal_omega_band": None,
    "residual_damage_depth_um": 14.6,
    "residual_damage_possible_depth_um": 14.6,
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, write_done_job):
    data = tmp_path_factory.mktemp("web_bounds")
    write_done_job(data, "a" * 32, LINEAR)
    write_done_job(data, "b" * 32, ABLATIVE)
    with TestClient(create_app(data, WebSettings(max_photons=2000))) as client:
        yield {k: client.get(f"/jobs/{k * 32}/result").text for k in "ab"}


def _row(page: str, key: str) -> str:
    table = page.split('id="summary-table"')[1].split("</table>")[0]
    head = f'<th scope="row">{LABELS[key].text}</th><td>'
    assert head in table, key
    return table.split(head)[1].split("</td>")[0]


def test_every_row_has_a_label():
    assert all(key in LABELS for key in SIMULATION_ROWS)


def test_the_bounds_stand_beside_the_values(pages):
    page = pages["a"]
    assert _row(page, "epidermal_injury") == "Blister"
    assert _row(page, "epidermal_injury_beyond_error") == "None expected"
    assert _row(page, "epidermal_omega_band") == "0.045–1.18"
    assert _row(page, "pigment_risk_beyond_error") == "Low"
    assert _row(page, "peak_basal_temperature_band_C") == "56.2–61.0 °C"
    assert _row(page, "dermal_injury_possible_depth_um") == "158–459 µm"
    assert "possible within the Monte Carlo error</th>" not in page.split("Residual thermal damage below")[1]


def test_a_run_without_an_error_estimate_shows_no_bound_rows(pages):
    page = pages["b"]
    assert "Monte Carlo" not in page.split('id="summary-table"')[1].split("</table>")[0]
    assert _row(page, "residual_damage_depth_um") == "14.6 µm"
