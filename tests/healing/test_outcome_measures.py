"""Every outcome names its measure (issue 10 item 6: "outputs name their measure").

The laxity and rhytid outputs are % decreases of physician-graded scores (Alexiades-Armenakas 2006 scales), the
tightening index a physical linear contraction; a plan's ``outcome_measure`` and the dataset's ``long_name`` say so.
"""

from laserskin.healing import OUTCOME_MEASURES, SessionDose, load_parameters, simulate_course


def test_outcomes_name_their_measure():
    assert set(OUTCOME_MEASURES) == {"laxity", "rhytid", "tightening"}
    assert "grade" in OUTCOME_MEASURES["laxity"] and "not a physical" in OUTCOME_MEASURES["laxity"]
    assert "grade" in OUTCOME_MEASURES["rhytid"]
    assert "physical" in OUTCOME_MEASURES["tightening"]
    dose = SessionDose(
        time="0 day", denatured_fraction=0.1, depth_top="0.3 mm", depth_bottom="0.8 mm", immediate_tightening=1.0
    )
    params = load_parameters().with_gains(20.0, 2.0, {})
    ds = simulate_course([dose], 50, 1, 30, params, band_samples=0).to_dataset()
    for name, key in (
        ("laxity_improvement_pct", "laxity"),
        ("rhytid_improvement_pct", "rhytid"),
        ("tightening_pct", "tightening"),
    ):
        assert ds[name].attrs["long_name"] == OUTCOME_MEASURES[key]


def test_the_plan_names_its_measure():
    from laserskin.planning.plan import OUTCOME_MEASURE

    assert OUTCOME_MEASURES["laxity"] in OUTCOME_MEASURE and OUTCOME_MEASURES["rhytid"] in OUTCOME_MEASURE
