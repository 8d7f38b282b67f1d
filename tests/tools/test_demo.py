"""`make demo` finds its example scenarios (the full demo runs in `make demo`, not here)."""

from laserskin.pipeline.scenario import load_scenario
from laserskin.tools import demo


def test_demo_examples_exist_and_load():
    for name in ("skin_1064", "tightening_1450", "resurfacing_er_yag"):
        load_scenario(demo.EXAMPLES / f"{name}.toml")


def test_describe_difference_reads_like_a_sentence():
    tightening = {
        "denaturation_depth_um": [300.0, 700.0],
        "peak_dermis_temperature_C": 70.0,
        "epidermal_omega": 0.02,
        "epidermal_injury": "none",
        "immediate_tightening_percent": 1.5,
    }
    resurfacing = {"crater_depth_um": 40.0, "epidermal_injury": "necrosis", "residual_damage_depth_um": 30.0}
    text = demo.describe_difference(tightening, resurfacing)
    assert "from 300 to 700 µm" in text and "removes 40 µm" in text
