"""Sweep results ready for analysis (issue 12): units and long names, nested results kept
as dimensions and text, booleans as booleans, the tidy table, and figures that facet
every axis. Store-level tests use recorded plan dictionaries (no computation)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import laserskin
from laserskin.core.errors import InputError
from laserskin.plotting.sweep import sweep_figures
from laserskin.sweep import Sweep, SweepStore, sweep_from_dict, write_table
from laserskin.sweep.variables import case_variables, describe, text_fields

#: A plan's to_dict(), trimmed (recorded from laserskin.planning on main).
PLAN = json.loads(
    r"""{"eligible": true, "referral": null, "modality": "non_ablative", "device": "smoothbeam_1450", "settings": {"wavelength_nm": 1450.0, "fluence_J_per_cm2": 15.0265, "pulse_energy_mJ": 4248.6333, "pulse_duration_ms": 210.0, "spot_diameter_mm": 6.0, "repetition_rate_Hz": 1.0, "passes": 3, "profile": "flat_top", "safe_fluence_J_per_cm2": 15.0265, "target_fluence_J_per_cm2": 10.4636, "binding_constraint": "epidermal safety (basal Henriques Omega x passes > 0.5)"}, "cooling": {"kind": "cryogen", "spurt_duration": "30 ms", "delay": "10 ms", "parallel": true}, "anesthetic": "lidocaine_tetracaine_7_7", "sessions": 3, "interval_weeks": 3.0, "session_minutes": 71.5258, "laser_minutes": 26.5258, "improvement_percent": {"immediate": [0.1801, 0.2867, 0.4429], "month_1": [2.7497, 7.3409, 16.8015], "month_3": [4.3095, 11.8145, 25.0916], "month_6": [5.3045, 14.0323, 32.2823]}, "epidermal_omega": 0.4954, "pain_index": 5.1469, "simulations_run": 10, "simulation_work": {"transport_runs": 3, "heat_solves": 6, "evaluations": 219, "full_simulations": 1, "total": 10}, "wall_time_s": 25.2249, "reasons": ["goal 'tighten' requested", "smoothbeam_1450: fluence 15 J/cm^2 set by epidermal safety (basal Henriques Omega x passes > 0.5); 3 pass(es); dermal remodelling target (thermal-injury Omega >= 1 band >= 100 um) reached"], "risks": {"epidermal_omega": 0.4954, "epidermal_omega_limit": 0.5, "blister_fluence_J_per_cm2": 15.4004, "fluence_fraction_of_blister": 0.9757, "epidermal_injury": "none", "pigment_risk": "moderate", "pain_index_without_anesthetic": 9.358, "pain_index_with_anesthetic": 5.1469, "downtime_days": 0.0, "long_session": true}, "alternatives": [{"modality": "fractional_ablative", "device": "co2_fractional", "available": true, "settings": {"wavelength_nm": 10600.0, "fluence_J_per_cm2": 132.6291, "pulse_energy_mJ": 15.0, "pulse_duration_ms": 1.0, "spot_diameter_mm": 10.0, "repetition_rate_Hz": 300.0, "passes": 1, "profile": "gaussian", "safe_fluence_J_per_cm2": 132.6291, "target_fluence_J_per_cm2": null, "binding_constraint": "preset default setting (ablative: epidermis removed by design)", "microbeam_diameter_um": 120.0, "coverage_percent": 10.0, "note": "fluence and pulse energy are per micro-beam (MTZ)"}, "sessions": 3, "interval_weeks": 4.0, "improvement_percent": {"immediate": [0.0042, 0.0068, 0.0112], "month_1": [0.3819, 0.912, 1.8181], "month_3": [0.6354, 1.3615, 2.5982], "month_6": [0.7101, 1.5806, 2.9294]}, "immediate_tightening_percent": 0.0033, "epidermal_omega": 2307762.7973, "epidermal_injury": "necrosis", "downtime_days": 0.7333, "crater_depth_um": 660.3855, "pain_index": 1.4459, "session_minutes": 52.3683}], "summary": {"peak_epidermis_temperature_C": 58.1955, "dermal_injury_depth_um": [152.6734, 617.904], "denaturation_depth_um": null, "boiling": false, "epidermal_injury": "none"}, "margin_curve": {"fluence_J_per_cm2": [8.0, 8.8535, 9.798, 10.8432], "epidermal_omega": [0.0, 0.0, 0.0, 0.0002], "target_band_um": [0.0, 0.0, 0.0, 156.6214], "chosen_fluence_J_per_cm2": 15.0265}, "seed": 1, "photons": 2000, "version": "0.1.0", "inputs": {"age": "50 year", "sex": "female", "fitzpatrick": "III", "site": "cheek", "sun_exposure": 1, "laxity": 1, "goal": "tighten", "area": "150 cm^2", "devices": null, "max_sessions": null, "max_downtime_days": null, "max_session_minutes": null, "anesthetic": "auto", "cooling": "auto", "photons": 2000, "seed": 1}}"""
)
PLAN_SPEC = {
    "sweep": {"name": "plans", "seed": 1, "case": "plan"},
    "base": {"goal": "tighten", "area": "150 cm^2", "photons": 2000},
    "population": {"n": 2, "site": "cheek", "fitzpatrick": ["II", "IV"]},
    "axes": {"max_sessions": [2, 4]},
}


def plan_record(index: int) -> dict:
    data = copy.deepcopy(PLAN)
    data["eligible"] = index != 3
    data["referral"] = None if index != 3 else "refer: laxity too high for energy-based tightening"
    if index == 3:  # a referral has no cooling and no improvement
        data["cooling"] = data["improvement_percent"] = None
    data["summary"]["dermal_injury_depth_um"] = None if index == 2 else [100.0 + index, 600.0]
    data["margin_curve"]["epidermal_omega"] = data["margin_curve"]["epidermal_omega"][: 4 - (index == 1)]
    return {"status": "ok", "data": data}


@pytest.fixture
def plan_sweep(tmp_path):
    store = SweepStore(tmp_path / "out", Sweep(sweep_from_dict(PLAN_SPEC)))
    store.check_or_create()
    for case in store.sweep.cases():
        if case.index == 0:
            store.write(case, {"status": "error", "error_type": "RuntimeError", "error": "injected"})
        else:
            store.write(case, plan_record(case.index))
    return store, store.combine()


def test_every_variable_has_units_and_long_name_and_the_file_names_version_and_inputs(plan_sweep):
    store, dataset = plan_sweep
    reread = xr.load_dataset(store.root / "sweep.nc")
    for name, variable in {**reread.data_vars, **reread.coords}.items():
        assert "long_name" in variable.attrs, name
        if variable.dtype.kind in "fiub":
            assert "units" in variable.attrs, name
    for name, variable in reread.data_vars.items():
        assert "units" in variable.attrs and variable.attrs["long_name"], name
    assert reread.attrs["laserskin_version"] == laserskin.__version__
    assert json.loads(reread.attrs["spec"])["base"]["goal"] == "tighten"
    assert reread["settings_fluence_J_per_cm2"].attrs["units"] == "J/cm^2"
    assert reread["summary_peak_epidermis_temperature_C"].attrs["units"] == "degC"
    assert reread["risks_downtime_days"].attrs["units"] == "day"


def test_nested_results_are_dimensions_and_text_not_flattened_or_dropped(plan_sweep):
    _, dataset = plan_sweep
    assert dataset["improvement_percent_month_6"].dims == ("person", "max_sessions", "band")
    assert list(dataset["band"].values) == ["low", "mid", "high"]
    curve = dataset["margin_curve_epidermal_omega"]
    assert curve.dims == ("person", "max_sessions", "margin_curve_point") and curve.sizes["margin_curve_point"] == 4
    assert np.isnan(curve.values[0, 1, 3]) and np.isfinite(curve.values[1, 0, 3])  # a shorter curve is padded
    assert dataset["margin_curve_fluence_J_per_cm2"].dims[-1] == "margin_curve_point"  # one shared dimension
    depth = dataset["summary_dermal_injury_depth_um"]
    assert depth.dims[-1] == "range" and np.isnan(depth.values[1, 0]).all()  # None in case 2
    assert not any(name.endswith(("_0", "_low", "_mid")) for name in dataset.data_vars)
    # text kept: risks, device, cooling kind, referral, reasons, alternatives
    assert str(dataset["risks_pigment_risk"].values[0, 1]) == PLAN["risks"]["pigment_risk"]
    assert str(dataset["device"].values[1, 1]) == PLAN["device"]
    assert str(dataset["cooling_kind"].values[1, 0]) == PLAN["cooling"]["kind"]
    assert "laxity" in str(dataset["referral"].values[1, 1])
    assert "cooling" not in dataset and "improvement_percent" not in dataset  # None beside tables: no junk
    assert (
        str(dataset["cooling_kind"].values[1, 1]) == "" and np.isnan(dataset["improvement_percent_month_6"][1, 1]).all()
    )
    assert str(dataset["reasons"].values[0, 1]).startswith(PLAN["reasons"][0])
    assert json.loads(str(dataset["alternatives"].values[0, 1]))[0]["device"] == PLAN["alternatives"][0]["device"]
    # booleans as booleans, False where the case failed (see succeeded)
    assert dataset["eligible"].dtype == bool and dataset["risks_long_session"].dtype == bool
    assert dataset["eligible"].values.tolist() == [[False, True], [True, False]]
    assert dataset["succeeded"].dtype == bool and dataset["succeeded"].values.tolist() == [[False, True], [True, True]]
    assert dataset["settings_passes"].values[0, 1] == PLAN["settings"]["passes"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_tidy_table_has_one_row_per_case(plan_sweep, tmp_path, suffix):
    _, dataset = plan_sweep
    path = write_table(dataset, tmp_path / f"results{suffix}")
    table = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    assert len(table) == 4
    assert {
        "person",
        "max_sessions",
        "fitzpatrick",
        "succeeded",
        "eligible",
        "risks_pigment_risk",
        "improvement_percent_month_6_mid",
        "margin_curve_epidermal_omega_3",
    } <= set(table.columns)
    assert table["fitzpatrick"].tolist() == [str(v) for v in np.repeat(dataset["fitzpatrick"].values, 2)]
    row = table[(table["person"] == 1) & (table["max_sessions"] == 2)].iloc[0]
    assert row["improvement_percent_month_6_mid"] == pytest.approx(PLAN["improvement_percent"]["month_6"][1])
    if suffix == ".parquet":
        assert str(table["eligible"].dtype) == "boolean" and pd.isna(table["eligible"].iloc[0])  # failed case
        import pyarrow.parquet as pq

        units = json.loads(pq.read_schema(path).metadata[b"laserskin_units"])
        assert units["settings_fluence_J_per_cm2"]["units"] == "J/cm^2"


def test_table_suffix_is_checked_before_any_work(tmp_path):
    from laserskin.sweep import run_sweep

    with pytest.raises(InputError, match=r"\.parquet or \.csv"):
        run_sweep(sweep_from_dict(PLAN_SPEC), tmp_path / "out", table=tmp_path / "results.xlsx")
    assert not (tmp_path / "out").exists()


def test_units_come_from_the_name_suffix():
    assert describe("fluence_J_per_cm2") == ("J/cm^2", "fluence")
    assert describe("denatured_volume_mm3")[0] == "mm^3"
    nested = case_variables({"improvement_percent": {"month_6": [1.0, 2.0, 3.0]}})
    assert nested["improvement_percent_month_6"].units == "%"  # the table's unit passes to its members
    assert describe("epidermal_omega")[0] == "1" and "necrosis" in describe("epidermal_omega")[1]
    variables = case_variables({"a": {"b_curve": {"x_um": [1, 2, 3]}}, "inputs": {"age": 3}, "n": None})
    assert variables["a_b_curve_x_um"].dims == ("a_b_curve_point",) and "inputs_age" not in variables
    assert variables["n"].kind == "missing"


def test_figures_facet_every_axis_with_units(tmp_path):
    axes = {"f": [10.0, 14.0], "cooling": ["none", "contact"], "spot": [3.0, 5.0, 7.0]}
    coords = {
        name: (
            name,
            values,
            {"units": "J/cm^2" if name == "f" else ("mm" if name == "spot" else "1"), "long_name": name, "key": name},
        )
        for name, values in axes.items()
    }
    omega = np.arange(12, dtype=float).reshape(2, 2, 3) / 6
    dataset = xr.Dataset(
        {
            "epidermal_omega": (tuple(axes), omega, {"units": "1", "long_name": "Omega"}),
            "succeeded": (tuple(axes), np.ones((2, 2, 3), bool)),
        },
        coords=coords,
    )
    written = sweep_figures(dataset, tmp_path)
    margin = next(p for p in written if p.name == "epidermal_margin.svg")
    text = margin.read_text()
    for value in ("spot = 3 mm", "spot = 5 mm", "spot = 7 mm"):  # the third axis is faceted, not dropped
        assert value in text, value
    assert "[J/cm^2]" in text or "J/cm^2" in text


def _write_all_eligible(store) -> None:
    for case in store.sweep.cases():
        data = copy.deepcopy(PLAN)  # nobody referred: referral None
        data["infeasible_request"] = None
        store.write(case, {"status": "ok", "data": data})


@pytest.mark.parametrize("older_case_files", [False, True])
def test_declared_text_is_text_when_every_case_left_it_unset(tmp_path, monkeypatch, older_case_files):
    """``referral`` (``str | None``) is a string variable even when nobody was referred: ``""``, not NaN, in
    the case files and in ``sweep.nc``, and it round-trips through xarray (also from case files written
    before the fix, which stored it as a NaN number)."""
    store = SweepStore(tmp_path / "out", Sweep(sweep_from_dict(PLAN_SPEC)))
    store.check_or_create()
    if older_case_files:
        with monkeypatch.context() as patch:
            patch.setattr("laserskin.sweep.store.text_fields", lambda kind: frozenset())
            _write_all_eligible(store)
        assert store.load_case(1)["referral"].dtype.kind == "f"  # how they were stored
    else:
        _write_all_eligible(store)
        assert store.load_case(1)["referral"].dtype.kind == "U"
    store.combine()
    reread = xr.load_dataset(store.root / "sweep.nc")
    for name in ("referral", "infeasible_request"):
        assert reread[name].dtype.kind == "U", name
        assert reread[name].values.tolist() == [["", ""], ["", ""]], name
        assert reread[name].attrs["units"] == "1"
    # the declared text variables of a plan that are present in the result are all text
    for name, variable in reread.data_vars.items():
        if name in text_fields("plan"):
            assert variable.dtype.kind == "U", name


def test_text_fields_are_read_from_the_result_types():
    assert {"referral", "infeasible_request", "device", "summary_grid_note", "risks_referral_reason"} <= text_fields(
        "plan"
    )
    assert {"grid_note", "freezing_note", "dermal_injury", "cooling_kind"} <= text_fields("simulate")
    assert "epidermal_omega" not in text_fields("plan") and "referral" not in text_fields("simulate")
    variables = case_variables({"grid_note": None, "crater_depth_um": None}, text=text_fields("simulate"))
    assert (variables["grid_note"].kind, variables["grid_note"].value) == ("text", "")
    assert variables["crater_depth_um"].kind == "missing"
