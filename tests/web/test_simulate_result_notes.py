"""The web simulate result page shows every ``*_note`` of the summary, as the CLI does (QA6 #16).

A finished job is written to the data folder by hand (no simulation): the page is a view of its ``summary.json``.
"""

from __future__ import annotations

import warnings

import pytest

from laserskin.cli._shell import summary_notes
from laserskin.web import WebSettings, create_app

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PYROLYSIS = "the peak 542 degC is above the 300 degC pyrolysis onset: charring is not modelled"
NOTES = {
    "grid_note": "4.7 % of the incident light is absorbed outside the grid",
    "pyrolysis_note": PYROLYSIS,
    "freezing_note": "the cryogen spray freezes the surface",
    "ablative_note": "this setting vaporises tissue",
    "peak_temperature_note": "the peak is the removal temperature of an ablated cell",
    "epidermis_note": "the voxel grid resolves the epidermis by 2 cells",
    "some_future_note": "a note added later reaches the page without a template change",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, write_done_job):
    data = tmp_path_factory.mktemp("web_notes")
    base = {"thermal_model": "linear", "peak_temperature_C": 542.0, "crater_depth_um": None, "mtz_depth_um": None}
    write_done_job(data, "a" * 32, {**base, **NOTES, "empty_note": "", "null_note": None})
    write_done_job(data, "b" * 32, {**base, "mtz_depth_um": 420.0, "mtz_width_um": 180.0})  # fractional
    write_done_job(data, "c" * 32, {**base, "crater_depth_um": 60.0})  # ablative
    write_done_job(data, "d" * 32, base)  # full-field non-ablative, no note
    with TestClient(create_app(data, WebSettings(max_photons=2000))) as client:
        yield {k: client.get(f"/jobs/{k * 32}/result") for k in "abcd"}


def test_every_note_of_the_summary_is_on_the_page(pages):
    page = pages["a"]
    assert page.status_code == 200
    for key, text in NOTES.items():
        assert f'id="{key.replace("_", "-")}"' in page.text, key
        assert text in page.text, key
    assert 'id="empty-note"' not in page.text and 'id="null-note"' not in page.text


def test_notes_are_styled_as_the_cli_says_them(pages):
    levels = {key: level for key, level, _ in summary_notes(NOTES)}
    assert {k for k, v in levels.items() if v == "warning"} == {"pyrolysis_note", "freezing_note", "ablative_note"}
    for key, level in levels.items():
        css = "note warning" if level == "warning" else "note"
        assert (
            f'<p class="{css}" id="{key.replace("_", "-")}" role="status"><strong>{level}:</strong>' in pages["a"].text
        )


def test_the_blister_margin_footnote_only_under_full_field_non_ablative_results(pages):
    footnote = "85 % of the lowest"
    assert footnote in pages["a"].text and footnote in pages["d"].text
    assert footnote not in pages["b"].text  # fractional
    assert footnote not in pages["c"].text  # ablative
