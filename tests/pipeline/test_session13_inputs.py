"""Session 13: inputs that still slipped past the rules of session 12.

1. Plain (dimensionless) float fields read text as numbers: ``[ambient] n_above = "1.0"``, a layer's ``g = "0.9"``,
   a plan request's ``max_fraction_of_blister = "0.5"`` ran without a word (pydantic's lax ``float``). One rule of
   ``core.models.InputModel`` now refuses text in every plain number field, whole or not, naming the field, the value
   and its range; quantities (text with its unit) read as before, and a command line's text (``TypedText``) is read.
2. A missing required field said "required" and nothing else where its type was an array (``inclusions[0].center:
   required``), and a check's "KEY: required ..." said no more; every "required" now says what is expected.
4. ``laserskin transport`` runs through the transport cache as ``laserskin simulate`` does.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.core.errors import _MODELS, InputError, describe_field, describe_validation_error
from laserskin.core.models import InputModel, _not_numbers, expected_words, typed_text
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.planning.request import PlanRequest

EXAMPLES = Path(__file__).parents[2] / "examples"
PERSON = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek"}


def _example(name: str) -> dict:
    return tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _refusal(data: dict) -> str:
    with pytest.raises(InputError) as refused:
        scenario_from_dict(data)
    return str(refused.value)


# --- 1. text in a plain float field ---------------------------------------------------------------------------------
def test_text_in_the_ambient_refractive_index_is_refused():
    data = _example("three_layer_skin.toml")
    data["ambient"] = {"n_above": "1.0"}
    assert _refusal(data) == "ambient.n_above: got '1.0'; expected a number from 1 to 4"
    data["ambient"] = {"n_above": 1.0}
    assert scenario_from_dict(data).ambient.n_above == 1.0


def test_text_in_a_layers_anisotropy_is_refused():
    data = _example("three_layer_skin.toml")
    data["layers"][1]["g"] = "0.9"
    assert _refusal(data) == "layers[1].g: got '0.9'; expected a number more than -1 and less than 1"
    data["layers"][1]["g"] = 0.9
    assert scenario_from_dict(data).layers[1].g == 0.9


def test_text_in_the_plans_safety_margin_is_refused_but_typed_text_reads():
    with pytest.raises(InputError) as refused:
        PlanRequest.validated(**PERSON, max_fraction_of_blister="0.5")
    assert str(refused.value) == (
        "plan.max_fraction_of_blister: got '0.5'; expected a number more than 0 and at most 1"
    )
    # a command line's option is text: the CLI passes it as TypedText (core.models.typed_text)
    assert PlanRequest.validated(**PERSON, max_fraction_of_blister=typed_text("0.5")).max_fraction_of_blister == 0.5
    with pytest.raises(InputError, match=r"got 'half'; expected a number more than 0 and at most 1"):
        PlanRequest.validated(**PERSON, max_fraction_of_blister=typed_text("half"))


def test_the_cli_safety_margin_option_reads_as_a_number(monkeypatch):
    """``laserskin plan --max-fraction-of-blister 0.7`` reaches the request as 0.7 (converted at the edge); the
    planner itself is replaced, the option's reading is the subject."""
    from laserskin.cli import app

    plan_module = importlib.import_module("laserskin.planning.plan")
    requests = []

    def fake_plan(request, **_):
        requests.append(request)
        return plan_module.TreatmentPlan(eligible=False, referral="recorded", seed=1, photons=1, request={})

    monkeypatch.setattr(plan_module, "plan_request", fake_plan)
    args = ["plan", "--age", "55", "--sex", "female", "--fitzpatrick", "III", "--site", "cheek"]
    result = CliRunner().invoke(app, [*args, "--max-fraction-of-blister", "0.7"])
    assert result.exit_code == 0, result.output
    assert [r.max_fraction_of_blister for r in requests] == [0.7]
    result = CliRunner().invoke(app, [*args, "--max-fraction-of-blister", "lots"])
    assert result.exit_code == 2
    assert "max_fraction_of_blister: got 'lots'; expected a number more than 0 and at most 1" in result.output


def test_every_plain_float_field_of_every_input_model_refuses_text():
    """Not a list kept by hand: every registered input model's float fields that are no quantity (optional or not),
    by the key they are typed as. A model that bypasses InputModel's rule would read "0.5" as 0.5 and fail here."""
    checked = []
    for name, model in list(_MODELS.items()):
        if not (isinstance(model, type) and issubclass(model, InputModel)):
            continue
        for field_name, field in model.model_fields.items():
            if not _not_numbers(field.annotation, "0.5", field.metadata, kinds=(float,)):
                continue
            key = field.alias or field_name
            with pytest.raises(ValidationError) as refused:
                model.model_validate({key: "0.5"})
            lines = describe_validation_error(refused.value).splitlines()
            expected = f"{key}: got '0.5'; expected {describe_field(field) or 'a number'}"
            assert expected in lines, (name, key, lines)
            checked.append(f"{name}.{key}")
    assert {"Ambient.n_above", "OpticalLayer.g", "ExplicitLayer.g", "PlanRequest.max_fraction_of_blister"} <= set(
        checked
    )
    assert "GridSpec.growth" in checked and "InclusionSpec.g" in checked


def test_quantities_still_read_text_with_units():
    """A quantity field is no plain number: ``"10 J/cm^2"`` and a dimensionless ``"50 %"`` read as before."""
    data = _example("tightening_1320.toml")
    data["laser"] = {**data["laser"], "fluence": "10 J/cm^2"}
    data["protocol"] = {**data.get("protocol", {}), "overlap": "50 %"}
    scenario = scenario_from_dict(data)
    assert scenario.laser.fluence_J_per_m2 == pytest.approx(1e5)
    assert scenario.protocol.overlap == pytest.approx(0.5)
    area = PlanRequest.model_fields["area_m2"]
    assert not _not_numbers(area.annotation, "150 cm^2", area.metadata)
    assert PlanRequest.validated(**PERSON, area="20 cm^2").area_m2 == pytest.approx(20e-4)


# --- 2. every "required" says what is expected ---------------------------------------------------------------------
def test_a_missing_inclusion_center_says_what_it_takes():
    data = _example("follicle_810_voxel.toml")
    del data["inclusions"][0]["center"]
    assert _refusal(data) == (
        "inclusions[0].center: required; expected an array of 2 or 3 items, each a length, such as "
        "['1 mm', '1 mm', '1 mm']"
    )


def test_a_checks_required_key_says_what_it_takes():
    """The laser's own checks ("spot_diameter: required (or spot_fwhm ...)") get the field's words."""
    data = _example("tightening_1320.toml")
    data["laser"] = {"wavelength": "1320 nm", "fluence": "10 J/cm^2", "pulse_duration": "3 ms"}
    message = _refusal(data)
    assert message.startswith("laser.spot_diameter: required (or spot_fwhm for a gaussian beam); expected a length ")
    assert "such as '" in message
    data["laser"] = {**data["laser"], "spot_diameter": "5 mm", "pulses": 3}
    message = _refusal(data)
    assert message.startswith("laser.repetition_rate: required when pulses > 1 (got pulses = 3); expected a frequency")


def test_every_required_field_of_every_input_model_says_what_it_takes():
    """Each registered input model validated without its required fields: every line that says "required" says
    what is expected (the words of expected_words, never the fallback)."""
    checked = 0
    for name, model in list(_MODELS.items()):
        if not (isinstance(model, type) and issubclass(model, InputModel)):
            continue
        required = [f for f in model.model_fields.values() if f.is_required()]
        if not required:
            continue
        try:
            model.model_validate({})
        except ValidationError as error:
            lines = describe_validation_error(error).splitlines()
        except (InputError, ValueError, TypeError, KeyError):  # a before-check that needs a key: not this subject
            continue
        else:
            continue
        for line in lines:
            if ": required" in line:
                assert "; expected " in line, (name, line)
                assert "as the documentation" not in line, (name, line)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("annotation_of", "words"),
    [
        (("GeometrySpec", "size_m"), "an array of 3 items, each a length more than 0 mm, such as"),
        (("PlanRequest", "devices"), "an array of items, each text"),
        (("Scenario", "inclusions"), "an array of tables"),
    ],
)
def test_array_fields_are_described(annotation_of, words):
    model, field = annotation_of
    assert expected_words(_MODELS[model].model_fields[field]).startswith(words)


# --- 4. laserskin transport goes through the transport cache --------------------------------------------------------
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
