"""The planner's target band has an upper bound (QA5 finding 26).

A dermal band of thermal injury (Henriques Ω ≥ 1 on the beam axis) through ≥ 75 % of the dermis is a
full-thickness dermal burn (physics_data §4.1: third degree = necrosis of the epidermis and ≥ 75 % of the
dermis), not a remodelling target: a fluence that makes one is a safety violation, so the highest safe
fluence stops below it and the target verdict cannot count it as "reached". The rule is data
(contraindications.toml ``[target] max_dermis_fraction``) and equals the "full thickness" grade of
:func:`laserskin.damage.injury.classify_dermal_injury`.

Measured with the rule (20 000 photons, seed 1, the planner's defaults): the default plan (52 F, type IV
cheek, laxity 2) and ``--device cooltouch_1320`` / ``smoothbeam_1450`` plans, and cooltouch_1320 for types II
and III, are unchanged: epidermal safety binds first (1320 nm 14.1-14.2 J/cm², band 29-37 % of the dermis,
"partial thickness"; 1450 nm 13.4 J/cm², [197, 425] µm). The bound is the backstop for settings whose
epidermis is protected better than its dermis (the fakes below).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from laserskin.damage.injury import FULL_THICKNESS_DERMIS_FRACTION
from laserskin.planning.optimise import FastEvaluator, _optimise_fluence, dermal_burn_text
from laserskin.planning.request import planner_rules


class _Fast(FastEvaluator):
    """A FastEvaluator whose read-outs are simple laws of the energy (J): the real ``violations`` and
    ``full_thickness`` rules on a 1000 µm dermis, a band of ``band_per_J`` µm per joule and per pass, no pain, no
    blister in the device range."""

    def __init__(self, band_per_J: float = 100.0):
        self.dermis_um = 1000.0
        self.band_per_J = band_per_J
        self.response = None

    def band_um(self, energy_J, passes):
        return min(self.band_per_J * energy_J * passes, self.dermis_um)

    def pain(self, energy_J, anesthetic):
        return 0.0

    def blister_energy_J(self, passes, lo, hi):
        return None

    def axis_dermal_omega(self, energy_J, parameter_set=None):
        return np.array([energy_J])


def test_the_bound_is_data_and_equals_the_full_thickness_grade():
    target = planner_rules()["target"]
    assert target["max_dermis_fraction"] == FULL_THICKNESS_DERMIS_FRACTION == 0.75
    assert "4.1" in target["max_source"]  # physics_data.md section 4.1, the third-degree definition


def test_a_band_through_three_quarters_of_the_dermis_is_a_violation():
    fast = _Fast()
    assert fast.violations(7.49, 1, "none") == []  # 749 µm of a 1000 µm dermis: partial thickness, a target
    assert fast.violations(7.5, 1, "none") == [dermal_burn_text()]  # 750 µm: full thickness
    assert fast.violations(3.75, 2, "none") == [dermal_burn_text()]  # passes add (Ω = n·Ω₁)
    assert "75%" in dermal_burn_text()


def test_the_safe_fluence_stops_below_a_full_thickness_band():
    """Device range 1-20 J; the band reaches 100 µm (the target) at 1 J and 750 µm (75 % of the dermis) at 7.5 J.
    Before the bound the safe fluence was the device maximum, 20 J, with the band through the whole dermis and the
    target "reached"; now 7.5 J within the bisection's resolution (10 halvings of ln 20: 0.3 %), bound by the burn."""
    fast = _Fast()
    setting = _optimise_fluence(
        fast,
        None,
        SimpleNamespace(name="fake", device_class="non_ablative"),
        SimpleNamespace(beam_area_m2=1e-4),
        {},
        1,
        1.0,
        20.0,
        "none",
        SimpleNamespace(band=lambda e: None),
        0.85,
    )
    assert setting.safe_energy_J == pytest.approx(7.5, rel=0.005) and setting.safe_energy_J < 7.5
    assert "dermal burn" in setting.binding
    assert setting.band_um < 0.75 * fast.dermis_um
    assert setting.target_verdict == "reached"


def test_no_safe_fluence_where_the_device_minimum_burns_the_dermis():
    fast = _Fast(band_per_J=1000.0)  # the whole dermis at 1 J
    setting = _optimise_fluence(
        fast,
        None,
        SimpleNamespace(name="fake", device_class="non_ablative"),
        SimpleNamespace(beam_area_m2=1e-4),
        {},
        1,
        1.0,
        20.0,
        "none",
        SimpleNamespace(band=lambda e: None),
        0.85,
    )
    assert setting.safe_energy_J is None and not setting.feasible
    assert "dermal burn" in setting.binding and setting.target_verdict == "NOT reached"
