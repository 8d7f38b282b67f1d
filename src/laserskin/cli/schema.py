"""``laserskin schema``: JSON schemas of the input files."""

from __future__ import annotations

from laserskin.cli._shell import print_json


def command() -> None:
    """Print the JSON schemas of the input files: scenario and its tables, plan request."""
    from pydantic import TypeAdapter

    from laserskin.pipeline.scenario import Scenario
    from laserskin.planning import PlanRequest
    from laserskin.skin import Person
    from laserskin.thermal.cooling import CoolingConfig
    from laserskin.transport import Beam
    from laserskin.treatment.laser import Laser
    from laserskin.treatment.protocol import Protocol

    print_json(
        {
            "scenario": Scenario.model_json_schema(by_alias=True),
            "person": Person.model_json_schema(by_alias=True),
            "laser": Laser.model_json_schema(by_alias=True),
            "beam": Beam.model_json_schema(by_alias=True),
            "cooling": TypeAdapter(CoolingConfig).json_schema(by_alias=True),
            "protocol": Protocol.model_json_schema(by_alias=True),
            "plan_request": PlanRequest.model_json_schema(by_alias=True),
        }
    )
