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


def test_the_demo_names_which_omega():
    """QA5 #12: the 1450 nm example (collagen Ω < 1 everywhere, Henriques Ω >= 1 from 158 to 477 µm below an
    intact epidermis, no crater) read "without reaching Ω = 1" above a table row of 477 µm "residual thermal
    necrosis". Now the sentence names each Ω; the table's residual necrosis is contiguous with the surface (QA4 #15:
    0 under the intact epidermis), and the injured band is in the sentence."""
    tightening = {
        "denaturation_depth_um": None,
        "dermal_injury_depth_um": [157.9, 476.6],
        "peak_dermis_temperature_C": 73.7,
        "denatured_volume_mm3": 0.02708,
        "epidermal_omega": 0.041,
        "epidermal_injury": "none",
        "immediate_tightening_percent": 0.22,
        "crater_depth_um": 0.0,
        "residual_damage_depth_um": 0.0,  # contiguous with the surface (QA4 #15)
    }
    resurfacing = {"crater_depth_um": 40.0, "epidermal_injury": "necrosis", "residual_damage_depth_um": 30.0}
    text = demo.describe_difference(tightening, resurfacing)
    assert "without reaching collagen Ω = 1 (partial denaturation only: 0.027 mm³ of collagen)" in text
    assert "(Henriques Ω ≥ 1) spans 158–477 µm below the intact epidermis" in text
    assert "epidermis at Henriques Ω = 0.041 (none: no necrosis at the surface)" in text
    assert "without reaching Ω = 1" not in text  # which Ω is named
