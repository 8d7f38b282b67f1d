"""The plan's pigment risk and its mitigation: the risks named for the plan's own device class and skin type, and
mitigation lines by type and device class (none for light skin at low risk).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from laserskin.planning.plan import _pigment_risk_notes


def _person(fitzpatrick):
    return SimpleNamespace(fitzpatrick=fitzpatrick)


SUMMARY = {"pigment_risk": "moderate", "epidermal_omega": 1.2e8, "peak_epidermis_temperature_C": 300.0}


def test_full_field_co2_in_light_skin_names_its_own_pigment_risks():
    """QA6 #5: a type II full-field CO2 plan read the type IV-VI test-spot and fractional-coverage lines and the basal
    Omega 1.2e8 / 300 degC as its exposure; now prolonged erythema and delayed hypopigmentation, no basal Omega."""
    notes = _pigment_risk_notes(_person("II"), SUMMARY, "ablative")
    text = notes["pigment_risk_reason"] + " ".join(notes["pigment_risk_mitigation"])
    assert "delayed hypopigmentation" in text and "prolonged erythema" in text and "Nanni & Alster 1998" in text
    for wrong in ("IV-VI", "coverage", "Omega 1.2e+08", "300 degC"):
        assert wrong not in text, wrong
    assert "removed by design" in notes["pigment_risk_reason"]


@pytest.mark.parametrize(
    "skin, device_class, present, absent",
    [
        ("III", "non_ablative", ["test spot", "titration practice"], ["IV-VI", "coverage", "Nanni"]),
        ("V", "non_ablative", ["type IV-VI", "lower energy lowers"], ["coverage", "Nanni"]),
        ("V", "fractional_non_ablative", ["type IV-VI", "caps fractional coverage at 10 %"], ["Nanni"]),
        ("II", "fractional_ablative", ["test spot"], ["IV-VI", "coverage", "Nanni"]),
    ],
)
def test_pigment_mitigation_matches_type_and_device_class(skin, device_class, present, absent):
    notes = _pigment_risk_notes(_person(skin), {**SUMMARY, "epidermal_omega": 0.003}, device_class)
    text = " ".join(notes["pigment_risk_mitigation"])
    for words in present:
        assert words in text, words
    for words in absent:
        assert words not in text, words
    if device_class == "non_ablative":  # the epidermis is spared: the basal exposure is the exposure
        assert "basal epidermal Omega 0.003" in notes["pigment_risk_reason"]


def test_light_skin_low_risk_has_no_mitigation_lines():
    notes = _pigment_risk_notes(
        _person("II"), {**SUMMARY, "pigment_risk": "low", "epidermal_omega": 0.0}, "non_ablative"
    )
    assert notes["pigment_risk_mitigation"] == []
