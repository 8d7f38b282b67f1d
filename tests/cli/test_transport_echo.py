"""``transport --json``: the beam echoed as typed (QA12 #3) and a cache hit said as one (QA12 #4).

QA12 #3: a Gaussian ``[beam]`` typed as ``fwhm = "3 mm"`` was echoed in ``inputs`` as the stored
``radius_1e2 = "0.0025479654008640574 m"``, and ``diameter_1e2 = "100 um"`` as ``"0.049999999999999996 mm"``, against
docs/cli.md "Inputs as typed" (the typed text where it is the shorter exact text, the display unit otherwise). The
echo now keeps the key that was given, and the echo read back gives the same beam, bit for bit.

QA12 #4: after a cache hit, ``transport --json`` reported the earlier run's ``threads``, ``wall_time_s`` and
``photons_per_second`` as its own, with nothing saying the tallies were read back (``--threads 2`` printed
``threads: 1``). It now says ``from_cache`` and puts the earlier run's numbers under ``cached_run``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.cli.transport import provenance
from laserskin.pipeline.scenario import load_scenario, scenario_from_dict

# one slab of explicit optics (no skin model), so each case costs a small Monte Carlo only
SLAB = """
[ambient]
n_above = 1.0
n_below = 1.0
[[layers]]
n = 1.4
mua = "2 1/cm"
mus = "100 1/cm"
g = 0.8
thickness = "0.1 cm"
[beam]
kind = "{kind}"
{key} = "{text}"
[transport]
photons = 400
seed = 5
"""

# (kind, key typed, text typed, text echoed): the typed text where it is the shorter exact text, else the display
# unit (mm) at the fewest digits that read back to the same float (core.units.exact_quantity_text)
CASES = [
    ("gaussian", "fwhm", "3 mm", "3 mm"),  # was radius_1e2 "0.0025479654008640574 m"
    ("gaussian", "diameter_1e2", "100 um", "100 um"),  # was radius_1e2 "0.049999999999999996 mm"
    ("gaussian", "radius_1e2", "1.5 mm", "1.5 mm"),
    ("gaussian", "fwhm", "0.0030000 m", "3 mm"),  # longer than the display unit's text: the display unit
    ("gaussian", "diameter_1e2", "2000 um", "2 mm"),
    ("flat_top", "diameter", "1.4 mm", "1.4 mm"),
    ("flat_top", "diameter", "1400.0 um", "1.4 mm"),
]


def _invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _toml(inputs: dict) -> str:
    """The ``inputs`` echo as a scenario file (tables of scalars, arrays of tables)."""
    lines = []
    for table, content in inputs.items():
        for item in content if isinstance(content, list) else [content]:
            lines.append(f"[[{table}]]" if isinstance(content, list) else f"[{table}]")
            lines.extend(f"{k} = {json.dumps(v)}" for k, v in item.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("kind", "key", "typed", "echoed"), CASES)
def test_the_beam_is_echoed_under_the_key_typed_and_reads_back_bit_for_bit(tmp_path, kind, key, typed, echoed):
    """Scenario level (no Monte Carlo): every beam key of both profiles, the echo, and the beam it reads back to."""
    path = tmp_path / "slab.toml"
    path.write_text(SLAB.format(kind=kind, key=key, text=typed))
    spec = load_scenario(path)
    inputs = provenance(spec, spec.transport)["inputs"]
    assert inputs["beam"] == {"kind": kind, key: echoed}
    again = tmp_path / "inputs.toml"
    again.write_text(_toml(inputs))
    beam, reread = spec.beam_model(), load_scenario(again).beam_model()
    assert reread.kernel_parameters() == beam.kernel_parameters()  # floats compared with ==: bit for bit
    assert (reread.radius_1e2_m, reread.diameter_m) == (beam.radius_1e2_m, beam.diameter_m)
    assert scenario_from_dict(tomllib.loads(again.read_text())).beam == beam  # the typed key kept on a re-read too
    assert provenance(load_scenario(again), spec.transport)["inputs"]["beam"] == inputs["beam"]  # a fixed point


def test_the_examples_echo_their_beam_as_typed(tmp_path):
    """QA12 #3's reproduce cases, through the command: examples/skin_1064.toml (fwhm) and a Gaussian typed by its
    1/e² diameter, run again from the echo with the same tallies."""
    from pathlib import Path

    examples = Path(__file__).parents[2] / "examples"
    spec = load_scenario(examples / "skin_1064.toml")
    assert provenance(spec, spec.transport)["inputs"]["beam"] == {"kind": "gaussian", "fwhm": "3 mm"}
    path = tmp_path / "slab.toml"
    path.write_text(SLAB.format(kind="gaussian", key="diameter_1e2", text="100 um"))
    first = _invoke("transport", path, "--threads", 1, "--json")
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert payload["inputs"]["beam"] == {"kind": "gaussian", "diameter_1e2": "100 um"}
    again = tmp_path / "inputs.toml"
    again.write_text(_toml(payload["inputs"]))
    second = _invoke("transport", again, "--threads", 1, "--json")
    assert second.exit_code == 0, second.output
    rerun = json.loads(second.stdout)
    assert rerun["inputs"] == payload["inputs"]
    for key in ("diffuse_reflectance", "total_transmittance", "absorbed_fraction", "absorbed_fraction_by_region"):
        assert rerun[key] == payload[key], key


@pytest.mark.private_transport_cache
def test_a_second_identical_run_says_it_was_read_from_the_cache(tmp_path):
    """The first run computes (``from_cache`` false, its own speed and threads); the second, with another thread
    count, reads the same tallies back and says so, with the first run's speed and threads under ``cached_run``."""
    path = tmp_path / "slab.toml"
    path.write_text(SLAB.format(kind="gaussian", key="fwhm", text="1 mm"))
    first = _invoke("transport", path, "--threads", 1, "--json")
    assert first.exit_code == 0, first.output
    miss = json.loads(first.stdout)
    assert miss["from_cache"] is False and miss["cached_run"] is None
    assert miss["threads"] == 1 and miss["photons_per_second"] > 0 and miss["wall_time_s"] > 0
    second = _invoke("transport", path, "--threads", 2, "--json")
    assert second.exit_code == 0, second.output
    hit = json.loads(second.stdout)
    assert hit["from_cache"] is True
    assert hit["cached_run"] == {k: miss[k] for k in ("threads", "wall_time_s", "photons_per_second")}
    assert (hit["threads"], hit["wall_time_s"], hit["photons_per_second"]) == (None, None, None)  # no Monte Carlo ran
    speed = ("threads", "wall_time_s", "photons_per_second", "from_cache", "cached_run")
    assert {k: v for k, v in hit.items() if k not in speed} == {k: v for k, v in miss.items() if k not in speed}
    table = _invoke("transport", path, "--threads", 2)
    assert table.exit_code == 0, table.output
    assert "read from the transport cache" in table.stdout and "photons/s on 1 thread(s)" in table.stdout


EXAMPLES = Path(__file__).parents[2] / "examples"


# --- laserskin transport goes through the transport cache --------------------------------------------------------
@pytest.mark.private_transport_cache
def test_a_repeated_transport_command_is_a_cache_hit_with_the_same_output(tmp_path, monkeypatch):
    """The second identical ``laserskin transport`` reads the first run's entry in the cache of ``simulate``
    (``LASERSKIN_CACHE_DIR``): no Monte Carlo run, the same summary and the same NetCDF content."""
    import laserskin.transport.cache as cache
    from laserskin.cli import app
    from laserskin.core.io import read_netcdf

    folder = tmp_path / "cache"
    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(folder))
    runs = []
    real = cache.simulate_transport

    def counted(*args, **kwargs):
        runs.append(args[3] if len(args) > 3 else kwargs.get("photons"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "simulate_transport", counted)
    scenario = str(EXAMPLES / "three_layer_skin.toml")
    outputs = []
    for name in ("first.nc", "second.nc"):
        args = ["transport", scenario, "--photons", "2000", "--seed", "5", "--out", str(tmp_path / name), "--json"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert runs == [2000]  # one Monte Carlo run: the second command is a hit
    assert len(list(folder.glob("*.nc"))) == 1
    speed = ("threads", "wall_time_s", "photons_per_second", "from_cache", "cached_run")
    assert [{k: v for k, v in o.items() if k not in speed} for o in outputs[1:]] == [
        {k: v for k, v in outputs[0].items() if k not in speed}
    ]
    assert (
        outputs[1]["from_cache"] and outputs[1]["cached_run"]["photons_per_second"] == outputs[0]["photons_per_second"]
    )
    first, second = read_netcdf(tmp_path / "first.nc"), read_netcdf(tmp_path / "second.nc")
    assert first.identical(second)
