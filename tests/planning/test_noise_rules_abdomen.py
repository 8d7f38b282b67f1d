"""QA6 #23 (issue 10 item 4) end to end on the planner: the device, the pigment level and the eligibility of the type VI
abdomen do not follow the Monte Carlo seed. Its own file (split by person from test_noise_rules.py): it is the
longest planner test (five three-device plans, ~50 CPU s each), and under ``make test``'s ``--dist loadfile`` a file
runs on one worker, so on its own it is started first (tests/conftest.py ``LONG_FILES_S``) while the other worker
takes the rest of test_noise_rules.py."""

import pytest


@pytest.mark.slow
def test_type_vi_abdomen_same_device_pigment_level_and_eligibility_for_five_seeds(tmp_path):
    """QA6 #23 end to end: 20 M, type VI, abdomen, laxity 1, photoaging 0, plan defaults (20 000 photons). Before,
    seeds 1-4 gave month-6 nominals 6.07-9.73 % (seed 1 1.07 % above the 5 % cut) and basal peaks 48.9-49.9 degC
    (1 K under the 50 degC pigment step): the device, the pigment level and the eligibility must not follow the seed."""
    from laserskin.planning import plan
    from laserskin.skin.person import Person

    person = Person(age=20, sex="male", fitzpatrick="VI", site="abdomen", laxity=1, sun_exposure=0)
    # the devices that compete for this person (genesis_1064 is refused at every seed and costs most: its
    # 1064 nm transports climb to 160 000 photons); co2_fractional is a resurfacing device
    devices = ["smoothbeam_1450", "cooltouch_1320", "fraxel_1550"]
    plans = [plan(person, photons=20_000, seed=seed, cache_dir=tmp_path, devices=devices) for seed in (1, 2, 3, 4, 5)]
    for seed, p in zip((1, 2, 3, 4, 5), plans):
        month6 = (p.improvement_percent or {}).get("month_6")
        print(seed, p.eligible, p.device, month6, p.risks.get("pigment_risk"), p.settings, p.reasons, sep=" | ")
    assert len({p.eligible for p in plans}) == 1
    assert len({p.device for p in plans}) == 1
    assert len({p.risks.get("pigment_risk") for p in plans}) == 1
