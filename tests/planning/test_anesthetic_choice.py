"""The plan's anaesthetic: one ``--anesthetic auto`` rule for every device class (the lightest topical within the pain
limit), each cream's label, lead time and source, full-field ablative resurfacing with at least the strongest topical,
the alternatives' pain on the plan's basis, and a plan without a topical saying why.
"""

from __future__ import annotations

import html
import importlib

import pytest

from laserskin.core.data import load_parameters
from laserskin.damage.pain import ANESTHETICS, cooling_analgesia_factor, pain_band
from laserskin.planning import plan
from laserskin.planning.optimise import ANESTHETIC_ORDER, Counter, lightest_anesthetic
from laserskin.planning.request import PlanRequest, planner_rules
from laserskin.report import plan_report_html
from laserskin.report.labels import readable_units
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

plan_module = importlib.import_module("laserskin.planning.plan")


PERSON = {"age": 52, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 2}


def test_auto_anesthetic_is_the_lightest_within_the_pain_limit():
    """QA5 #14: fraxel_1550 (cold air) simulated at pain 8.32/10 without a topical is within the limit 6 with the
    plan's cooling alone (x0.50 since session 12, 4.16/10): auto gives none (it gave lidocaine/tetracaine 7/7,
    +45 min). With cold air no index <= 10 exceeds the limit any more, so the "next lighter topical" case takes the
    same index under a cooling without an analgesia factor (cryogen: only its computed temperature acts): 8.32 is
    over the limit there, and auto walks the order to the lightest topical within it, neither none nor the
    strongest (emla at the factors of anesthetics.toml)."""
    limit = planner_rules()["safety"]["pain_index_limit"]
    index = 8.3187
    assert index * cooling_analgesia_factor("cold_air") <= limit  # the premise of the cold-air case
    assert plan_module._auto_anesthetic({"pain_index": index}, "cold_air") == "none"
    cryogen = cooling_analgesia_factor("cryogen")
    assert index * cryogen > limit  # the premise: without a topical this cooling leaves the pain over the limit
    chosen = plan_module._auto_anesthetic({"pain_index": index}, "cryogen")
    assert chosen == next(a for a in ANESTHETIC_ORDER if index * cryogen * ANESTHETICS[a].factor <= limit)
    assert chosen not in ("none", "lidocaine_tetracaine_7_7")
    # the shared rule: the strongest where no topical brings the pain within the limit (or none is computed)
    assert lightest_anesthetic(lambda a: limit + 1.0) == "lidocaine_tetracaine_7_7"
    assert plan_module._auto_anesthetic({"pain_index": None}, "cold_air") == "lidocaine_tetracaine_7_7"


class _FakeRun:
    def __init__(self, pain_index, cooling):
        self.summary = {
            "pain_index": pain_index,
            "pain_index_with_anesthetic": pain_index,
            "pain_index_with_plan": pain_index * cooling_analgesia_factor(cooling),
            "anesthetic": "none",
            "thermal_model": "linear",
            "fluence_J_per_cm2": 70.0,
        }


@pytest.mark.parametrize(
    ("pain_index", "cooling", "expected"),
    [(9.32, "auto", "lidocaine_4"), (7.2, "cryogen", "lidocaine_4"), (9.0, "cryogen", "emla")],
)
def test_a_preset_setting_on_auto_gets_the_lightest_topical(monkeypatch, pain_index, cooling, expected):
    """QA5 #14: the preset-setting path (fractional and ablative devices) used to set lidocaine/tetracaine
    7/7 whenever the anaesthetic was on auto; now the same rule as the fluence-optimised devices, never lighter than
    the topical of the device's published pain scores (QA16 #5). co2_fractional with its cold air: 9.32 x 0.50 =
    4.66 is within the limit without a topical, which gave none until session 16; now lidocaine 4 %, the cream of
    Tierney & Hanke 2012 (pain.toml [auto_minimum_topical]). Cryogen (no analgesia factor): 7.2 -> lidocaine 4 %
    (x0.8: 5.76), the lightest topical within the limit; 9.0 x 0.8 = 7.2 > 6 -> EMLA (x0.65: 5.85), above the
    minimum, not the strongest."""
    import laserskin.pipeline.simulation as simulation_module

    runs, coolings = [], []

    class FakeSimulation:
        def __init__(self, person, laser, cooling, protocol, settings, cache_dir=None):
            self.protocol = protocol
            runs.append(protocol.anesthetic)
            coolings.append(cooling["kind"])

        def run(self):
            return _FakeRun(pain_index, coolings[-1])

    monkeypatch.setattr(simulation_module, "Simulation", FakeSimulation)
    person = Person(**PERSON)
    preset = load_device("co2_fractional")
    kind = preset.cooling["kind"] if cooling == "auto" else cooling
    assert cooling != "auto" or kind == "cold_air"  # the device's own cooling
    request = PlanRequest(**PERSON, devices=["co2_fractional"], cooling=cooling)
    verdict = plan_module.device_verdict(person, preset)
    setting = plan_module._ablative_setting(preset, person, request, verdict, Counter(), None)
    assert runs == ["none"] and coolings == [kind]
    assert setting.anesthetic == expected == setting.summary["anesthetic"]
    assert setting.simulation.protocol.anesthetic == expected
    factor = ANESTHETICS[expected].factor
    assert setting.summary["pain_index_with_anesthetic"] == pytest.approx(pain_index * factor)
    assert setting.summary["pain_index_with_plan"] == pytest.approx(
        pain_index * factor * cooling_analgesia_factor(kind)
    )
    # a fixed anaesthetic is run and kept as asked
    runs.clear()
    fixed = PlanRequest(**PERSON, devices=["co2_fractional"], cooling=cooling, anesthetic="emla")
    assert plan_module._ablative_setting(preset, person, fixed, verdict, Counter(), None).anesthetic == "emla"
    assert runs == ["emla"]


PHOTONS = 20_000


def person(**kw):
    base = {"age": 55, "sex": "female", "fitzpatrick": "III", "site": "cheek", "laxity": 1, "sun_exposure": 3}
    base.update(kw)
    return Person(**base)


def test_full_field_ablative_gets_at_least_the_strongest_topical():
    """QA6 #14: Er:YAG 10 J/cm^2 pain 9.21 without a topical x 0.62 (cold-air factor fitted on fractional 1550 nm,
    Fisher 2005) = 5.71 < 6 chose no anaesthetic; topical alone is not sufficient for resurfacing (Yun et al. 2002),
    so full-field ablative takes the strongest topical whatever the index; the fractional classes at least the
    topical of their published pain scores (QA16 #5: fraxel_1550 at 8.32 x 0.50 gave none); the bulk non-ablative
    class keeps the lightest, none first."""
    strongest = plan_module.STRONGEST_TOPICAL
    assert plan_module._auto_anesthetic({"pain_index": 9.21}, "cold_air", "ablative") == strongest
    assert plan_module._auto_anesthetic({"pain_index": 0.5}, "cold_air", "ablative") == strongest
    for fractional in ("fractional_non_ablative", "fractional_ablative"):
        assert plan_module._auto_anesthetic({"pain_index": 8.3187}, "cold_air", fractional) == "lidocaine_4"
    assert plan_module._auto_anesthetic({"pain_index": 8.3187}, "cold_air", "non_ablative") == "none"


def test_er_yag_plan_states_topical_is_not_enough():
    p = plan(person(), goal="resurface", devices=["er_yag_2940"], photons=PHOTONS, seed=1)
    assert p.modality == "ablative"
    assert p.anesthetic == plan_module.STRONGEST_TOPICAL  # before: "none"
    note = p.risks["anaesthesia_note"]
    assert note in p.reasons and "Yun et al. 2002" in note and "nerve blocks" in note
    # QA16 #5: the band with the plan read "mild" beside that note; now no verbal band, and the pain says why
    assert p.pain["with_plan_category"] == plan_module.ABLATIVE_PAIN_CATEGORY
    assert "not validated for an ablative wound" in p.pain["with_plan_note"]
    assert p.pain["without_anaesthetic_category"] in ("none", "mild", "moderate", "severe")
    assert "yun2002" in p.citations
    from laserskin.report import plan_report_html

    assert "<th>Anaesthesia</th>" in plan_report_html(p.to_dict()).replace(" scope='row'", "")


def test_alternatives_pain_is_on_the_plans_basis_with_its_anaesthetic():
    """QA6 #9: the alternatives' "Pain (0-10)" read the pain with the topical only (fraxel_1550 8.31, co2_fractional
    9.33: no cold-air analgesia) next to the plan's pain with topical and cooling (5.3); now each alternative's pain
    with its own plan (topical x cold-air factor, band) and the topical it would use."""
    from laserskin.report import plan_report_html
    from laserskin.report.labels import ALTERNATIVE_PAIN_HEADER, alternative_pain_text

    alt = {"pain_index": 5.16, "pain_with_plan": [2.9, 5.16, 8.1], "anesthetic": "none"}
    assert alternative_pain_text(alt) == "5.2 (2.9–8.1), no topical"
    cream = {"pain_index": 5.45, "pain_with_plan": [3.0, 5.45, 8.0], "anesthetic": "lidocaine_tetracaine_7_7"}
    assert alternative_pain_text(cream).startswith("5.5 (3.0–8.0), Lidocaine/tetracaine")
    assert alternative_pain_text({"pain_index": 5.0}) == "5.0"  # a stored plan without the band
    html = plan_report_html({"eligible": True, "alternatives": [{"device": "fraxel_1550", **alt}]})
    assert ALTERNATIVE_PAIN_HEADER.replace("–", "–") in html and "5.2 (2.9–8.1), no topical" in html


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("qa9_plan")


@pytest.fixture(scope="module")
def fractional_plan(cache):
    """QA9 #4's co2_fractional command: 50 F, type III neck, laxity 2, 300 cm^2 under a 20-min limit."""
    return plan(
        Person(age=50, sex="female", fitzpatrick="III", site="neck", laxity=2),
        devices=["co2_fractional"],
        area="300 cm^2",
        max_session_minutes=20.0,
        seed=1,
        cache_dir=cache,
        progress=None,
    )


def test_a_fractional_plan_keeps_the_topical_of_its_pain_data(fractional_plan):
    """QA16 #5: QA9 #4's co2_fractional plan got "none" (pain with cold air 5.6 [3.2-8.8], within the limit 6) and a
    note on why; every published pain score of this device was measured with a topical (Tierney & Hanke 2012), so
    auto now takes lidocaine 4 %, and its 30-min lead time, which alone reaches the 20-min limit, is not dropped for
    the limit (as for full-field ablative): the limit is flagged as not met, with what to do."""
    p = fractional_plan
    assert p.eligible and p.device == "co2_fractional" and p.anesthetic == "lidocaine_4"
    assert "anaesthetic_choice_note" not in p.risks and "anaesthetic_choice_note" not in p.pain
    assert "anaesthetic_dropped_for_session_limit" not in p.risks
    note = p.risks["session_limit_not_met"]
    assert note in p.reasons
    for words in ("lidocaine_4 lead time (30 min) alone reaches it", "Tierney & Hanke 2012", "--anesthetic none"):
        assert words in note, words
    assert {"fisher2005_cold_air", "tierney2012_pain"} <= set(p.citations)
    cooling = p.cooling["kind"]
    band = pain_band(p.risks["pain_index_without_anesthetic"], "lidocaine_4", cooling)["with_plan"]
    assert p.pain["with_plan"] == pytest.approx(band)
    # the acceptance keys of issue 10 keep their shape
    for key in ("without_anaesthetic", "with_plan"):
        assert len(p.pain[key]) == 3 and p.pain[key][0] <= p.pain[key][1] <= p.pain[key][2]


def test_a_plan_without_topical_says_why():
    """QA9 #4 (now for the bulk devices only: a fractional device gets at least lidocaine 4 % on auto). A plan on auto
    without a topical gives the nominal pain and band with the plan's cooling, the limit, the band's upper end above
    it, and what the lightest topical gives (its band computed here from the plan's own pain index) with its lead
    time. Stub: cooltouch_1320 at pain index 5.5 with cold air (x0.50: 2.75 within the limit, upper end 4.2)."""
    from types import SimpleNamespace

    preset = load_device("cooltouch_1320")
    setting = SimpleNamespace(
        anesthetic="none",
        cooling={"kind": "cold_air"},
        summary={"pain_index": 5.5},
        laser=preset.laser(),
        passes=1,
        device="cooltouch_1320",
    )
    request = SimpleNamespace(anesthetic="auto", area_m2=100e-4)
    option = {"visits": 1, "session_minutes": 5.0, "limit_minutes": 60.0}
    note = plan_module._no_topical_note(setting, request, option)
    limit = planner_rules()["safety"]["pain_index_limit"]
    band = pain_band(5.5, "none", "cold_air")["with_plan"]
    lightest = next(a for a in ANESTHETIC_ORDER if a != "none")
    topical = pain_band(5.5, lightest, "cold_air")["with_plan"]
    for words in (
        "no topical anaesthetic (--anesthetic auto)",
        f"{band[1]:.1f}/10 [{band[0]:.1f}-{band[2]:.1f}]",
        f"pain limit {limit:g}/10",
        f"{lightest}, would give {topical[1]:.1f}/10 [{topical[0]:.1f}-{topical[2]:.1f}]",
        "30-min lead time",
        f"--anesthetic {lightest}",
    ):
        assert words in note, words
    assert (band[2] > limit) == ("upper end" in note)
    # no note where a topical is planned or none was asked for
    assert (
        plan_module._no_topical_note(SimpleNamespace(**{**vars(setting), "anesthetic": "emla"}), request, option)
        is None
    )
    assert plan_module._no_topical_note(setting, SimpleNamespace(anesthetic="none", area_m2=0.01), option) is None


def test_the_report_shows_why_no_topical():
    """The report row "Why no topical anaesthetic" shows the note."""
    note = "no topical anaesthetic (--anesthetic auto): the nominal pain with no cooling is 2.8/10 [1.9-3.6]"
    page = plan_report_html({"eligible": True, "risks": {"anaesthetic_choice_note": note}})
    assert "Why no topical anaesthetic" in page and html.escape(readable_units(note), quote=True) in page


def test_every_cream_has_its_label_lead_time_and_source():
    """QA6 #1: the lead time is the product label's, per cream, with its bibliography key (before: 45 min for all)."""
    from laserskin.core import citations

    table = load_parameters("anesthetics")
    assert {k: table[k]["lead_time_min"] for k in table} == {
        "none": 0,
        "lidocaine_4": 30,  # LMX 4 label
        "lidocaine_tetracaine_7_7": 30,  # Pliaglis label: 20-30 min before non-ablative laser procedures
        "emla": 60,  # EMLA label: at least 1 h under occlusion
    }
    for key, entry in table.items():
        assert entry["lead_time_tag"] in ("V", "R", "D", "U") and entry["lead_time_source"]
        if key != "none":
            assert citations.get(entry["lead_time_key"])  # a bibliography entry
