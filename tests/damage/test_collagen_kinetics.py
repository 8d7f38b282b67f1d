"""Collagen kinetic sets and the free-shrinkage plateau against published mammalian type-I collagen data.

docs/collagen.md §2 and §8. Independent references (abstracts read, tag V):

* Lin SJ et al. 2006, J Biomed Opt 11:034020 (``lin2006_shg_collagen_shrinkage``): rat tail tendon held at
  58 °C "shrinks progressively from 0 to 9 min of thermal treatment, and remains unchanged in length upon
  further thermal treatment"; shrinkage is linear in the loss of second-harmonic signal. Read as: the
  characteristic time of the shrinkage (Ω = 1 of a first-order set, 63 % of the final shrinkage) lies between
  1 min (the shrinkage is progressive, not done in the first minute) and 9 min (with Ω(9 min) < 1 more than a
  third of the final shrinkage would still come after 9 min, which "remains unchanged" excludes). The abstract
  gives no sampling times or spread, so the bounds are the widest reading of its words, not a fitted range.
* Spörl E et al. 1996, Ger J Ophthalmol 5:322 (``spoerl1996_cornea_shrinkage``): pig cornea, maximal shrinkage
  57 ± 12 % of length at 75–80 °C. Tolerance: the published SD.

Both are tissues other than dermis (tendon, cornea): the kinetic test compares the dermal (rat-skin) set with
tendon collagen across tissues, and is a same-tissue consistency check for the Maitland & Walsh tendon set.
"""

import pytest

from laserskin.core.citations import bibliography
from laserskin.damage.arrhenius import omega_constant_temperature, time_to_omega
from laserskin.damage.collagen import CollagenParameters, contraction_parameters

T_58C_K = 58.0 + 273.15
ONE_MIN_S, NINE_MIN_S = 60.0, 540.0


def test_the_sources_are_in_the_bibliography():
    assert {"lin2006_shg_collagen_shrinkage", "spoerl1996_cornea_shrinkage"} <= set(bibliography())


@pytest.mark.parametrize(
    "kinetic_set",
    [
        pytest.param(
            "pearce_2010_rat_skin_collagen",
            marks=pytest.mark.xfail(
                strict=True,
                reason="model: Pearce's rat-skin set reaches Omega = 1 at 58 degC after 1158 s (19 min; Omega(9 min) "
                "= 0.47, 37 % denatured) vs shrinkage of rat tail tendon complete by 9 min (Lin et al. 2006, V): "
                "slower by a factor >= 2.1 (skin set vs tendon data, docs/collagen.md section 2)",
            ),
        ),
        "jacques2006_dsc_dermal_collagen",  # derived (DSC peak + entropy-enthalpy compensation): 327 s
        "maitland_walsh_1997_rat_tail_tendon_collagen",  # same tissue, another measure (birefringence): 191 s
    ],
)
def test_tendon_shrinkage_time_scale_at_58C(kinetic_set):
    """Held out (V): the characteristic time at 58 °C lies between 1 and 9 minutes (Lin et al. 2006)."""
    assert omega_constant_temperature(T_58C_K, ONE_MIN_S, parameters=kinetic_set) < 1.0
    assert omega_constant_temperature(T_58C_K, NINE_MIN_S, parameters=kinetic_set) >= 1.0
    tau_s = time_to_omega(T_58C_K, 1.0, parameters=kinetic_set)
    assert ONE_MIN_S < tau_s <= NINE_MIN_S


def test_free_shrinkage_plateau_within_the_porcine_cornea_spread():
    """Held out (V): s_max within 57 ± 12 % (Spörl et al. 1996); the default comes from collagen.toml."""
    shrinkage = contraction_parameters()["shrinkage"]
    s_max = CollagenParameters().max_shrinkage
    assert s_max == shrinkage["max_shrinkage"]
    assert abs(s_max - shrinkage["measured_mean"]) <= shrinkage["measured_sd"]
    assert (shrinkage["measured_mean"], shrinkage["measured_sd"]) == (0.57, 0.12)  # the abstract's numbers
