"""What the plan table, report.html and the web pages show of fractional and ablative options: what the clinician sets
(energy per micro-beam, coverage, visits) and sees (the wound against the epidermis, not the blister criterion), and
necrosis worded by what the run made.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

plan_module = importlib.import_module("laserskin.planning.plan")


class _Geometry:
    junction_depth_m = 71e-6


def _wound_setting(device_class, **summary):

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
        outcome_evidence=None,
        session_total_minutes=None,
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


def test_ablative_options_that_make_a_crater_grade_the_epidermis_as_removed():
    """QA4 #16: an Er:YAG plan (49 um crater in a 71 um epidermis) read 'None expected' next to a 5.6-day open
    wound, while a shallower CO2 crater read 'blister'. Every ablative option with a crater is graded "necrosis"
    (removed by design) with a note; non-ablative options keep the simulation's grade."""

    from laserskin.planning.plan import _epidermal_grade, _epidermal_grade_note

    def setting(device_class, crater, read):
        summary = {"crater_depth_um": crater, "residual_damage_depth_um": 11.9, "epidermal_injury": read}
        return SimpleNamespace(device_class=device_class, summary=summary)

    er_yag = setting("ablative", 49.0, "none")
    assert _epidermal_grade(er_yag) == "necrosis"
    assert "49 um crater" in _epidermal_grade_note(er_yag)["epidermal_injury_note"]
    assert _epidermal_grade(setting("ablative", 21.0, "blister")) == "necrosis"
    assert _epidermal_grade(setting("fractional_ablative", 300.0, "necrosis")) == "necrosis"
    assert _epidermal_grade_note(setting("fractional_ablative", 300.0, "necrosis")) == {}
    assert _epidermal_grade(setting("ablative", 0.0, "erythema")) == "erythema"  # below threshold: no crater
    assert _epidermal_grade(setting("non_ablative", None, "none")) == "none"


def test_web_plan_page_shows_a_fractional_plan_by_its_energy_per_micro_beam():
    """QA6 #17: the page read "255 J/cm^2" in the headline and "Spot diameter 15.0 mm" for fraxel_1550; now the
    CLI's wording (QA5 #22): energy per micro-beam, the fluence in it, the scan pattern."""
    import copy
    import json
    from pathlib import Path

    import jinja2

    from laserskin.report import labels

    stored = json.loads((Path(__file__).parents[1] / "web" / "data" / "plan.json").read_text(encoding="utf-8"))
    templates = Path(labels.__file__).parents[1] / "web" / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True)
    env.globals.update(labels.template_globals())
    fractional = copy.deepcopy(stored)
    fractional["settings"].update(
        {
            "fluence_J_per_cm2": 255.0,
            "pulse_energy_mJ": 20.0,
            "spot_diameter_mm": 15.0,
            "microbeam_diameter_um": 100.0,
            "coverage_percent": 5.0,
        }
    )
    page = env.get_template("plan_result.html").render(plan=fractional, job={"id": "x"}, figures=[])
    assert "Energy per micro-beam" in page and "Scan pattern" in page and "Fluence in a micro-beam (MTZ)" in page
    assert "per micro-beam (255" in page and "Spot diameter" not in page
    plain = env.get_template("plan_result.html").render(plan=stored, job={"id": "x"}, figures=[])
    assert "Spot diameter" in plain and "micro-beam" not in plain and "referral-note" not in plain
    # QA6 #10: an eligible plan with a referral beside it shows the referral
    referred = env.get_template("plan_result.html").render(
        plan={**stored, "referral": "severe laxity: refer for surgical consultation"}, job={"id": "x"}, figures=[]
    )
    assert 'id="referral-note">Referral: severe laxity: refer for surgical consultation' in referred
