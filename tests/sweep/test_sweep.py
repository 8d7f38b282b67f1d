"""Sweep files: validation, case expansion and seeding (no cluster needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.sweep import Sweep, flatten_numbers, load_sweep, run_sweep, sweep_from_dict

BASE = {
    "person": {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
    "laser": {"device": "genesis_1064"},
    "transport": {"photons": 1000},
    "grid": {"nr": 12, "dz_surface": "20 um", "dz_max": "200 um"},
    "heat": {"relaxation": "0.05 s"},
}


def spec_dict(**overrides):
    data = {
        "sweep": {"name": "t", "seed": 11},
        "base": BASE,
        "axes": {"laser.fluence": ["10 J/cm^2", "14 J/cm^2"], "cooling": [{"kind": "none"}, {"kind": "contact"}]},
    }
    data.update(overrides)
    return data


def test_examples_load():
    spec = load_sweep("examples/sweep_fluence_cooling.toml")
    assert spec.n_cases == 9 and spec.dims == ("laser__fluence", "cooling")


def test_cases_are_the_cartesian_product_in_row_major_order():
    sweep = Sweep(sweep_from_dict(spec_dict()))
    cases = list(sweep.cases())
    assert [c.position for c in cases] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert cases[1].inputs["laser"] == {"device": "genesis_1064", "fluence": "10 J/cm^2"}
    assert cases[1].inputs["cooling"] == {"kind": "contact"}
    assert cases[3].inputs["laser"]["fluence"] == "14 J/cm^2"
    # the base is never mutated
    assert "fluence" not in BASE["laser"]


def test_seeds_come_from_seedsequence_spawn_and_are_distinct():
    sweep = Sweep(sweep_from_dict(spec_dict()))
    children = np.random.SeedSequence(11).spawn(2)[1].spawn(4)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
    assert [sweep.case(i).seed for i in range(4)] == expected
    assert [sweep.case(i).inputs["transport"]["seed"] for i in range(4)] == expected
    assert len(set(expected)) == 4


def test_seed_per_person_shares_a_seed_across_axes():
    data = spec_dict(population={"n": 3, "site": "cheek"})
    data["sweep"] = {"seed": 5, "seed_per": "person"}
    sweep = Sweep(sweep_from_dict(data))
    seeds = np.array([sweep.case(i).seed for i in range(12)]).reshape(3, 4)
    assert (seeds == seeds[:, :1]).all() and len(set(seeds[:, 0])) == 3


def test_population_is_reproducible_and_follows_its_distributions():
    data = spec_dict(
        axes={},
        population={
            "n": 4000,
            "age": {"uniform": [30, 60]},
            "sex": {"choices": ["female", "male"], "weights": [0.8, 0.2]},
            "fitzpatrick": ["I", "II"],
            "site": "neck",
        },
    )
    a, b = Sweep(sweep_from_dict(data)), Sweep(sweep_from_dict(data))
    assert a.people == b.people
    ages = np.array([p["age"] for p in a.people])
    assert ages.min() >= 30 and ages.max() <= 60
    female = np.mean([p["sex"] == "female" for p in a.people])
    # binomial standard error sqrt(0.8*0.2/4000) = 0.0063; 5 sigma
    assert abs(female - 0.8) < 5 * 0.0063
    # uniform(30, 60): mean 45, sd 30/sqrt(12) = 8.66, standard error 0.137; 5 sigma
    assert abs(ages.mean() - 45) < 5 * 8.66 / np.sqrt(4000)
    assert {p["site"] for p in a.people} == {"neck"}
    case = a.case(7)
    assert case.inputs["person"]["sex"] == a.people[7]["sex"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"axes": {"laser.fluence": []}}, "empty"),
        ({"axes": {}}, "needs [axes]"),
        ({"population": {"n": 0}}, "population.n"),
        ({"population": {"n": -3}}, "population.n"),
        ({"population": {"n": 2, "site": "elbow"}}, "site"),
        ({"population": {"n": 2, "age": {"uniform": [60, 30]}}}, "population.age.uniform"),
        ({"axes": {"laser.fluence": ["ten J/cm^2"]}}, "fluence"),
        ({"axes": {"cooling": [{"kind": "ice"}]}}, "cooling"),
        ({"bogus": 1}, "bogus"),
        ({"cluster": {"address": "localhost:8786"}}, "tcp://"),
        ({"sweep": {"case": "dance"}}, "case"),
    ],
)
def test_bad_sweep_files_are_refused_with_a_clear_message(change, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace(".", r"\.")):
        sweep_from_dict(spec_dict(**change))


def test_malformed_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[sweep\nname = 1")
    with pytest.raises(InputError, match="valid TOML"):
        load_sweep(bad)
    with pytest.raises(InputError, match="readable"):
        load_sweep(tmp_path / "missing.toml")


def test_unreachable_scheduler_is_reported_and_nothing_is_written(tmp_path):
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = sweep_from_dict(spec_dict(cluster={"connect_timeout_s": 1.0}))
    out = tmp_path / "out"
    with pytest.raises(InputError, match="reachable dask scheduler"):
        run_sweep(spec, out, scheduler=f"tcp://127.0.0.1:{port}")
    assert not out.exists()


def test_output_folder_of_another_sweep_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.json").write_text(json.dumps({"fingerprint": "other"}))
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(sweep_from_dict(spec_dict()), out)


def test_flatten_numbers():
    flat = flatten_numbers({"a": 1, "b": [1.0, 2.0], "c": {"d": [1, 2, 3]}, "e": "x", "f": None, "g": True})
    assert flat["a"] == 1.0 and flat["b_low"] == 1.0 and flat["b_high"] == 2.0
    assert flat["c_d_mid"] == 2.0 and flat["g"] == 1.0 and np.isnan(flat["f"]) and "e" not in flat


@pytest.mark.parametrize(
    ("change", "field", "limit"),
    [
        ({"axes": {"laser.fluence": ["10 J/cm^2"] * 1001}}, "axes.laser.fluence", "at most 1000 values"),
        ({"axes": {f"heat.a{i}": [1] for i in range(17)}}, "axes", "at most 16 axes"),
        ({"population": {"n": 60_000}}, "sweep size", "at most 100000 cases"),
    ],
)
def test_sweep_size_is_bounded_before_any_work_with_field_value_and_limit(change, field, limit):
    with pytest.raises(InputError, match=limit) as caught:
        sweep_from_dict(spec_dict(**change))
    assert caught.value.field == field
    assert str(caught.value.value).split()[0].isdigit()  # the offending size is named


# --- a case that fails validation is that case's error record, not the sweep's (QA6 #12) ------------------
#: Plans for a population of cheek and forehead people at a fixed 150 cm^2: over the forehead's 120 cm^2 cap
#: (contraindications.toml site_max_area_cm2), within the cheek's. Laxity 4 makes every cheek plan a referral
#: (no simulation), so a whole run costs no Monte Carlo.
MIXED_SITES = {
    "sweep": {"name": "mixed_sites", "seed": 3, "case": "plan"},
    "base": {"goal": "tighten", "area": "150 cm^2", "photons": 1000},
    "population": {"n": 4, "site": ["cheek", "forehead"], "laxity": 4, "age": 50, "fitzpatrick": "II"},
}


def test_a_person_the_base_does_not_fit_is_not_a_bad_file():
    sweep = Sweep(sweep_from_dict(MIXED_SITES))  # accepted: the base holds for the cheek people
    sites = [person["site"] for person in sweep.people]
    assert set(sites) == {"cheek", "forehead"}, sites  # the seed draws both sites
    failures = sweep.validate_cases()
    assert sorted(failures) == [i for i, site in enumerate(sites) if site == "forehead"]
    for index, error in failures.items():
        assert str(error).startswith(f"case c{index:06d}.area: got '150 cm^2'; expected at most 120 cm^2")


def test_a_case_that_fails_validation_becomes_its_error_record_without_computing():
    from laserskin.sweep import run_case

    sweep = Sweep(sweep_from_dict(MIXED_SITES))
    forehead = next(i for i, person in enumerate(sweep.people) if person["site"] == "forehead")
    record = run_case(sweep.case(forehead))
    assert record["status"] == "error" and record["error_type"] == "InputError"
    assert record["error"].startswith(f"case c{forehead:06d}.area: got '150 cm^2'")
    assert "\n" not in record["error"]  # one line, not pydantic's text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # the base fails for every person: a bad file, refused before any work
        ({"population": {"n": 3, "site": "forehead", "laxity": 4}}, r"base\.area: got '150 cm\^2'"),
        ({"base": {**MIXED_SITES["base"], "bogus": 1}}, r"bogus: unknown key"),
        # an axis value that fails with every person
        ({"axes": {"max_sessions": [2, 99]}}, r"max_sessions: got 99"),
    ],
)
def test_what_fails_for_everyone_is_still_refused_up_front(change, message):
    with pytest.raises(InputError, match=message):
        sweep_from_dict({**MIXED_SITES, **change})


def test_an_axis_value_that_holds_for_some_people_is_not_refused():
    """100 cm^2 holds everywhere, 150 cm^2 only on the cheek: the value is checked against each person in
    turn until one holds, so the forehead people's 150 cm^2 cases become error records."""
    data = {**MIXED_SITES, "base": {"goal": "tighten", "photons": 1000}, "axes": {"area": ["100 cm^2", "150 cm^2"]}}
    data["population"] = {**MIXED_SITES["population"], "site": "forehead"}
    with pytest.raises(InputError, match=r"area: got '150 cm\^2'"):  # forehead only: 150 fails for everyone
        sweep_from_dict(data)
    data["population"] = MIXED_SITES["population"]
    assert sweep_from_dict(data).n_cases == 8


def test_a_sweep_runs_the_cases_that_validate_and_records_the_others(tmp_path):
    """The whole run: the forehead people's cases are error records, the cheek people's plans are stored,
    and the report counts both."""
    import logging

    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0", silence_logs=logging.CRITICAL
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        spec = sweep_from_dict(MIXED_SITES)
        report = run_sweep(spec, tmp_path / "out", client=client, figures=False, cache_dir=str(tmp_path / "cache"))
    sites = [person["site"] for person in Sweep(spec).people]
    assert report.cases == 4 and report.failed == sites.count("forehead") and report.succeeded == sites.count("cheek")
    assert all("area: got '150 cm^2'" in error["error"] for error in report.errors)
    assert sorted(p.name for p in (tmp_path / "out" / "cases").glob("*.error.json")) == [
        f"c{i:06d}.error.json" for i, site in enumerate(sites) if site == "forehead"
    ]
    assert (tmp_path / "out" / "sweep.nc").exists()
