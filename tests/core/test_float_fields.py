"""Plain (dimensionless) float fields refuse text: ``[ambient] n_above = "1.0"``, a layer's ``g = "0.9"``, a plan
request's ``max_fraction_of_blister = "0.5"`` ran without a word (pydantic's lax ``float``). One rule of
``core.models.InputModel`` refuses text in every plain number field, whole or not, naming the field, the value and its
range; quantities (text with its unit) read as before, and a command line's text (``TypedText``) is read.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from laserskin.core.errors import _MODELS, InputError, describe_field, describe_validation_error
from laserskin.core.models import InputModel, _not_numbers, typed_text
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
