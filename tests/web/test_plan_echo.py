"""The plan's echoed request reads the same from the CLI, the web form and the JSON API (no computation).

Before: a bare number typed into a field whose name states its unit was echoed as typed, so ``laserskin plan
--max-session-minutes 5 --json`` echoed ``"max_session_minutes": "5"`` (and ``--max-downtime-days 14`` ``"14"``)
while the web form (whose labels give the unit) and the JSON API echoed ``"5 min"`` and ``"14 day"``. Now a bare
number is echoed in the field's unit from every interface; text typed with its unit is kept where it is the
shorter exact text (``"1.5 h"``).
"""

from __future__ import annotations

import json

import pytest

from laserskin.cli.optics import age_value
from laserskin.core.models import typed_text
from laserskin.planning.request import PlanRequest
from laserskin.web.forms import plan_data_from_form

PERSON = {"sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": "2"}


def _cli(**options):
    """The request as ``laserskin plan`` builds it from its option texts (cli/plan.py): typed text, read as numbers
    where a field holds a whole number (``--laxity 2``; laserskin.core.models.TypedText: plain text in a
    whole-number field is refused)."""
    typed = {k: typed_text(v) for k, v in {**PERSON, **options}.items()}
    return PlanRequest.validated(**{**typed, "age": age_value(options.get("age", "52"))})


def _form(**fields):
    """The request as the web form builds it (a bare number in the unit of the field's label)."""
    return PlanRequest.model_validate(plan_data_from_form({**PERSON, "age": "52", **fields}, []))


def _api(**fields):
    """The request as ``POST /api/plan`` reads its JSON body (numbers where the name states the unit)."""
    return PlanRequest.model_validate({**PERSON, "age": 52, "laxity": 2, **fields})


def _echo(request: PlanRequest) -> str:
    return json.dumps(request.model_dump(mode="json", by_alias=True), sort_keys=True)


@pytest.mark.parametrize(
    ("typed", "api", "echoed"),
    [
        ({"max_session_minutes": "5"}, {"max_session_minutes": 5}, ("max_session_minutes", "5 min")),
        ({"max_session_minutes": "90"}, {"max_session_minutes": 90.0}, ("max_session_minutes", "90 min")),
        ({"max_downtime_days": "14"}, {"max_downtime_days": 14}, ("max_downtime_days", "14 day")),
    ],
)
def test_a_bare_number_is_echoed_in_its_unit_from_every_interface(typed, api, echoed):
    cli, form, json_api = _cli(**typed), _form(**typed), _api(**api)
    key, text = echoed
    assert cli.model_dump(mode="json", by_alias=True)[key] == text
    assert _echo(cli) == _echo(form) == _echo(json_api)


def test_text_with_its_unit_is_kept_alike_from_every_interface():
    typed = {"max_session_minutes": "1.5 h", "max_downtime_days": "2 weeks", "area": "150 cm^2"}
    cli, form = _cli(**typed), _form(**typed)
    assert cli.model_dump(mode="json", by_alias=True)["max_session_minutes"] == "1.5 h"
    assert _echo(cli) == _echo(form)
