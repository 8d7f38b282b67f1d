"""QA5 planner findings, round 3: one ``--anesthetic auto`` rule for every device class (#14), an infeasible
device/cooling request is not a referral of the person (#19), and the plan table and report of
fractional/ablative options state what the clinician sets and sees (#20, #22)."""

import importlib

import pytest

from laserskin.damage.pain import ANESTHETICS, cooling_analgesia_factor
from laserskin.planning.optimise import ANESTHETIC_ORDER, Counter, lightest_anesthetic
from laserskin.planning.plan import RISK_KEYS
from laserskin.planning.request import PlanRequest, planner_rules
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
    ("pain_index", "cooling", "expected"), [(9.32, "auto", "none"), (7.2, "cryogen", "lidocaine_4")]
)
def test_a_preset_setting_on_auto_gets_the_lightest_topical(monkeypatch, pain_index, cooling, expected):
    """QA5 #14: the preset-setting path (fractional and ablative devices) used to set lidocaine/tetracaine
    7/7 whenever the anaesthetic was on auto; now the same rule as the fluence-optimised devices.
    co2_fractional with its cold air: 9.32 x 0.50 = 4.66 -> none. With cold air no index <= 10 is over the
    limit 6 since session 12, so the topical case asks for cryogen (no analgesia factor): 7.2 -> lidocaine 4 %
    (x0.8: 5.76), the lightest topical, not the strongest."""
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


def test_an_infeasible_device_cooling_request_is_not_a_referral(monkeypatch):
    """QA5 #19: cooltouch_1320 with cold air (instead of its cryogen) has no safe fluence >= the device minimum;
    the plan said "no tighten treatment is offered for this person" (eligible false, a specialist referral).
    Now the person is eligible and the request is infeasible, with the device's own cooling's result. The
    device runs are stubbed (a full run: blister 10.2-12.2 J/cm^2 with cold air, 14.4 J/cm^2 with cryogen)."""
    from types import SimpleNamespace

    from laserskin.report import plan_report_html

    def stub(preset, person, request, counter, cache_dir, goal=None):
        if request.cooling == "cold_air":
            return [], [f"{preset.name}: with cold_air cooling: no safe fluence (blister fluence 10.2-12.2 J/cm^2)"]
        return [{"setting": SimpleNamespace(summary={"fluence_J_per_cm2": 14.4})}], []

    monkeypatch.setattr(plan_module, "_plan_device", stub)
    result = plan_module.plan(Person(**PERSON), devices=["cooltouch_1320"], cooling="cold_air", photons=1000)
    assert result.eligible is True and result.referral is None and result.device is None
    text = result.infeasible_request
    for words in ("device/cooling combination is infeasible", "blister fluence 10.2-12.2", "cryogen", "14.4 J/cm^2"):
        assert words in text, words
    assert "for this person" not in text and "specialist" not in text
    data = result.to_dict()
    assert data["infeasible_request"] == text and data["risks"]["infeasible_request"] == text
    # QA8 #6: the acceptance keys stay, null without a treatment
    assert set(RISK_KEYS) <= set(data["risks"]) and data["risks"]["pigment_risk"] is None
    html = plan_report_html(result, {})
    assert "Request not feasible" in html and "Referral" not in html
    # contraindicated: still the person's referral
    monkeypatch.setattr(plan_module, "_plan_device", lambda p, *a: ([], [f"{p.name}: contraindicated: stub"]))
    referred = plan_module.plan(Person(**PERSON), devices=["cooltouch_1320"], cooling="cold_air", photons=1000)
    assert referred.eligible is False and referred.infeasible_request is None and "specialist" in referred.referral


def test_the_infeasible_reason_states_the_blister_fluence_and_the_device_minimum():
    """QA5 #19: the rejection named the binding constraint but not the blister fluence it found."""
    from types import SimpleNamespace

    preset = load_device("cooltouch_1320")
    laser = preset.laser()
    per_cm2 = laser.beam_area_m2 * 1e4
    setting = SimpleNamespace(
        reasons=["no safe fluence in the device range: epidermal safety at the device minimum"],
        laser=laser,
        blister_band_J=[10.2 * per_cm2, 12.2 * per_cm2],
        blister_energy_J=11.0 * per_cm2,
        energy_range_J=(10.0 * per_cm2, 20.0 * per_cm2),
        cooling={"kind": "none"},
    )
    text = plan_module._infeasible_reason(preset, setting)
    assert text.startswith("cooltouch_1320: with no cooling: no safe fluence")
    assert "blister fluence 10.2-12.2 J/cm^2" in text and "device minimum 10 J/cm^2" in text


class _Geometry:
    junction_depth_m = 71e-6


def _wound_setting(device_class, **summary):
    from types import SimpleNamespace

    simulation = SimpleNamespace(geometry=lambda: _Geometry())
    return SimpleNamespace(device_class=device_class, summary=summary, simulation=simulation)


def test_ablative_and_fractional_options_state_the_wound_against_the_epidermis():
    """QA5 #20: an Er:YAG plan showed "epidermal Omega 8.97e-08 (blisters at 1)" next to "Epidermis destroyed";
    fraxel_1550 "1.88e+08 (blisters at 1)". Now the crater and the necrosis depth against the epidermal
    thickness (the QA4 #16 person: crater 49 um, necrosis to 60.9 um of a 71 um epidermis)."""
    wound = plan_module._epidermal_wound(
        _wound_setting(
            "ablative", crater_depth_um=49.0, epidermal_necrosis_depth_um=60.9, residual_damage_depth_um=12.1
        )
    )
    text = wound["epidermal_wound"]
    for words in ("crater 49 um", "the 71 um epidermis necrotic to 61 um", "12 um below the crater floor", "by design"):
        assert words in text, words
    assert wound["epidermis_thickness_um"] == pytest.approx(71.0)
    assert "blister" not in text and "Omega" not in text
    fractional = plan_module._epidermal_wound(
        _wound_setting("fractional_non_ablative", crater_depth_um=0.0, epidermal_necrosis_depth_um=70.5)
    )["epidermal_wound"]
    assert fractional.startswith("no crater") and "(its full thickness)" in fractional and "micro-zones" in fractional
    assert plan_module._epidermal_wound(_wound_setting("non_ablative", epidermal_necrosis_depth_um=0.0)) == {}


def _fake_plan(**changes):
    from types import SimpleNamespace

    plan = dict(
        eligible=True,
        referral=None,
        infeasible_request=None,
        modality="fractional_non_ablative",
        device="fraxel_1550",
        settings={
            "wavelength_nm": 1550.0,
            "fluence_J_per_cm2": 254.6,
            "pulse_energy_mJ": 20.0,
            "pulse_duration_ms": 3.0,
            "spot_diameter_mm": 15.0,
            "passes": 1,
            "microbeam_diameter_um": 100.0,
            "coverage_percent": 5.0,
        },
        cooling={"kind": "cold_air"},
        anesthetic="none",
        sessions=5,
        interval_weeks=4.0,
        visits_per_session=4,
        area_per_visit_cm2=125.0,
        session_minutes=49.0,
        laser_minutes=4.0,
        epidermal_omega=1.88e8,
        pain_index=5.2,
        improvement_percent={},
        rhytid_improvement_percent=None,
        risks={"epidermal_wound": "no crater, the 60 um epidermis necrotic to 60 um: in the micro-zones, by design"},
        reasons=[],
    )
    plan.update(changes)
    return SimpleNamespace(**plan)


def _printed(monkeypatch, plan) -> str:
    import io

    from rich.console import Console

    import laserskin.cli.plan as cli_plan

    out = io.StringIO()
    console = Console(file=out, width=400, markup=False, highlight=False)
    monkeypatch.setattr(cli_plan, "console", lambda: console)
    cli_plan.print_plan(plan)
    return out.getvalue()


def test_the_plan_table_shows_a_fractional_plan_as_the_clinician_sets_it(monkeypatch):
    """QA5 #22: "settings | 1550 nm, 255 J/cm^2, 3 ms, 15 mm, 1 pass(es)" and "epidermal Omega | 1.88e+08
    (blisters at 1)", no mJ, coverage, micro-beam or visit count; now the energy per micro-beam, micro-beam
    diameter, coverage, the scan pattern named as such, the visits and the wound by design."""
    text = _printed(monkeypatch, _fake_plan())
    for words in ("20 mJ per micro-beam", "100 µm micro-beams", "5 % coverage", "15 mm scan pattern", "4 of 125 cm^2"):
        assert words in text, words
    assert "blisters at 1" not in text and "epidermal Ω" not in text and "in the micro-zones, by design" in text
    # a non-ablative plan keeps its fluence, spot and the blister criterion
    plain = _fake_plan(modality="non_ablative", risks={}, visits_per_session=1, epidermal_omega=0.05)
    plain.settings = {k: v for k, v in plain.settings.items() if k not in ("microbeam_diameter_um", "coverage_percent")}
    text = _printed(monkeypatch, plain)
    assert "255 J/cm^2, 3 ms, 15 mm, 1 pass(es)" in text and "0.05 (blisters at 1)" in text
    # an infeasible request: the person is eligible
    text = _printed(
        monkeypatch, _fake_plan(infeasible_request="the requested device/cooling combination is infeasible")
    )
    assert "request not feasible" in text and "referral" not in text


def test_the_report_of_an_ablative_plan_shows_the_wound_not_the_blister_criterion():
    """QA5 #20: report.html said "Epidermis destroyed" and, on the next line, "Epidermal damage integral Omega
    8.97e-08" with the footnote "Omega = 1 is the onset of epidermal necrosis (a blister)"."""
    from laserskin.report import plan_report_html

    data = {
        "eligible": True,
        "referral": None,
        "modality": "ablative",
        "device": "er_yag_2940",
        "settings": {"fluence_J_per_cm2": 5.0, "passes": 1},
        "visits_per_session": 2,
        "area_per_visit_cm2": 75.0,
        "risks": {
            "epidermal_injury": "necrosis",
            "epidermal_wound": "crater 49 um, the 71 um epidermis necrotic to 61 um: removed by design",
            "epidermal_omega": 8.97e-08,
            "blister_fluence_J_per_cm2": None,
        },
        "reasons": [],
        "inputs": {},
    }
    html = plan_report_html(data, {})
    assert "crater 49 um, the 71 um epidermis necrotic to 61 um" in html and "Visits per session" in html
    assert "8.97e-08" not in html and "onset of epidermal necrosis (a blister)" not in html
    data["risks"] = {"epidermal_injury": "none", "epidermal_omega": 0.05}  # non-ablative: the criterion stays
    assert "onset of epidermal necrosis (a blister)" in plan_report_html({**data, "modality": "non_ablative"}, {})


def test_the_plan_page_shows_the_wound_visits_and_an_infeasible_request():
    """QA5 #19, #20, #22 on the web plan page (the stored plan of tests/web, changed to a fractional plan)."""
    import copy
    import json
    from pathlib import Path

    import jinja2

    from laserskin.report import labels

    root = Path(__file__).parents[1]
    stored = json.loads((root / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(labels.__file__).parents[1] / "web" / "templates")), autoescape=True
    )
    env.globals.update(labels.template_globals())

    def page(plan):
        return env.get_template("plan_result.html").render(plan=plan, job={"id": "x"}, figures=[])

    assert "onset of epidermal necrosis (a blister)" in page(stored)  # non-ablative: the criterion stays
    fractional = copy.deepcopy(stored)
    fractional.update(modality="fractional_non_ablative", visits_per_session=3, area_per_visit_cm2=50.0)
    fractional["risks"]["epidermal_wound"] = "no crater, the 60 um epidermis necrotic to 60 um: in the micro-zones"
    html = page(fractional)
    assert "in the micro-zones" in html and "3 of 50" in html
    assert "onset of epidermal necrosis (a blister)" not in html and "Fluence that would blister" not in html
    infeasible = copy.deepcopy(stored)
    infeasible.update(infeasible_request="the requested device/cooling combination is infeasible")
    html = page(infeasible)
    assert "Request not feasible" in html and "combination is infeasible" in html and "Referral" not in html


def test_the_simulation_page_words_necrosis_by_what_the_run_made():
    """The simulate page passed no context to the label function, so "necrosis" read the same for a crater and a
    burn; now the summary is the context (report/labels.py display_value)."""
    from pathlib import Path

    import jinja2

    from laserskin.report import labels

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(labels.__file__).parents[1] / "web" / "templates")), autoescape=True
    )
    env.globals.update(labels.template_globals())  # the names the templates call (SIMULATION_ROWS since session 10)
    template = env.get_template("simulate_result.html")

    def page(**summary):
        return template.render(
            summary={"epidermal_injury": "necrosis", **summary}, inputs={}, job={"id": "x"}, figures=[]
        )

    assert "Epidermis removed" in page(crater_depth_um=49.0)
    assert "a burn (overdose)" in page(crater_depth_um=0.0)
