"""The ends of the plan's dose band read the setting with the damage read-out only (session 19).

:func:`laserskin.planning.plan._setting_at_dose` re-reads a setting on its response with the laser rise scaled. Until
session 18 that was a full :func:`laserskin.planning.optimise.finalise` (every Arrhenius set, pain, anaesthetic,
margin curve); :func:`laserskin.planning.plan.outcome_dose_band` reads only the healing dose
(:func:`laserskin.planning.sessions.session_dose_from_summary`) and ``EPIDERMAL_AT_DOSE_END_KEYS`` from it. Now the end
is :func:`laserskin.planning.optimise.damage_readout` of the sets it reads. The checks here: what the dose band reads
from the reduced read-out is, to the last bit, what it read from the full one.
"""

import dataclasses

import pytest

from laserskin.pipeline.settings import SimulationSettings
from laserskin.pipeline.simulation import Simulation
from laserskin.planning.optimise import READOUT_DAMAGE_SETS, Counter, SettingResult, finalise
from laserskin.planning.plan import EPIDERMAL_AT_DOSE_END_KEYS, _setting_at_dose
from laserskin.planning.sessions import session_dose_from_summary
from laserskin.skin.person import Person
from laserskin.treatment.devices import load_device

#: The dose band's ends of these checks: the rise scaled by 0.82 and 1.1 (the cooltouch band of QA9 #11 is -18 %).
FACTORS = (0.82, 1.1)


class _ReadKeys(dict):
    """A summary that records the keys read from it (``[]``, ``get``, ``in``)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


@pytest.fixture(scope="module")
def planned_setting(tmp_path_factory):
    """cooltouch_1320 (a full-field non-ablative laser: a dose band applies) at 4000 photons on a 20-ring grid, its
    default fluence in three passes (a dermal injury band), finalised as a plan finalises its setting."""
    preset = load_device("cooltouch_1320")
    settings = SimulationSettings(photons=4000, seed=3, grid={"nr": 20})
    person = Person(age=52, sex="female", fitzpatrick="IV", site="cheek", laxity=2)
    cache = tmp_path_factory.mktemp("transport")
    sim = Simulation(person, preset.laser(), dict(preset.cooling), settings=settings, cache_dir=cache)
    _, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    energy = sim.pulse_energy_J()
    setting = SettingResult(
        device=preset.name,
        device_class=preset.device_class,
        laser=sim.laser,
        cooling=dict(preset.cooling),
        passes=3,
        energy_range_J=(0.5 * energy, 1.5 * energy),
        safe_energy_J=energy,
        target_energy_J=None,
        blister_energy_J=None,
        binding="test",
        feasible=True,
        response=response,
        simulation=sim,
    )
    return finalise(setting, "none", Counter(), thermal_model_rule=False)


@pytest.mark.parametrize("factor", FACTORS)
def test_the_dose_end_reads_what_the_full_read_out_gives(planned_setting, factor):
    setting = planned_setting
    full = finalise(
        dataclasses.replace(setting, response=setting.response.scaled(factor), summary={}, curve={}, reasons=[]),
        setting.anesthetic,
        Counter(),
        thermal_model_rule=False,
    )
    counter = Counter()
    end = _setting_at_dose(setting, factor, counter)
    # the read-outs the checks compare carry their Monte Carlo bounds and a dermal dose (not the fallbacks)
    assert full.summary["epidermal_mc_relative_error"] is not None
    assert full.summary["dermal_injury_band_um"] is not None
    # the keys the healing dose reads from the full read-out, each in the reduced one with the same value
    recorded = _ReadKeys(full.summary)
    dose = session_dose_from_summary(recorded, full.laser)
    assert {"dermal_injury_volume_mm3", "dermal_injury_band_um", "immediate_tightening_percent"} <= recorded.read
    for key in recorded.read | set(EPIDERMAL_AT_DOSE_END_KEYS):
        assert (key in end.summary) == (key in full.summary), key
        if key in full.summary:
            assert end.summary[key] == full.summary[key], key
    assert session_dose_from_summary(end.summary, end.laser) == dose
    # every key it computes is the full read-out's (the same functions), only the Arrhenius sets it reads are
    # integrated, one damage evaluation is counted
    assert end.summary == {key: full.summary[key] for key in end.summary}
    assert set(end.outcome.omega) == set(READOUT_DAMAGE_SETS)
    assert counter.evaluations == 1 and end.curve == {}
