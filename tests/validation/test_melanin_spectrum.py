"""Named melanosome spectral shapes (issue 10 item 1; docs/reference/melanin_spectrum.md).

Every alternative set is applied shape-only: it shares the default's (Jacques 2013) melanosome
absorption at 694 nm, the wavelength at which the melanin of each Fitzpatrick type is calibrated
on Norvang et al. 1997's in-vivo epidermal absorption, so a type's melanosome fraction keeps its
meaning. The published shapes checked here are exact formulas, so the tolerance is rounding only.
"""

import math

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.optics import chromophores as chrom

NM = 1e-9
LASER_NM = (585.0, 694.0, 755.0, 800.0, 1064.0)


def test_default_is_jacques2013_unchanged():
    wl = np.array(LASER_NM) * NM
    assert chrom.active_melanin_spectrum() == chrom.DEFAULT_MELANIN_SPECTRUM == "jacques2013"
    # Jacques 2013 Eq. 8, 519 (lambda/500 nm)^-3.5 /cm, bit for bit (the transport cache keys on it)
    assert np.array_equal(chrom.mua_melanosome_per_m(wl), 519.0e2 * (wl / 500e-9) ** -3.5)
    assert np.array_equal(chrom.mua_melanosome_per_m(wl, "jacques2013"), chrom.mua_melanosome_per_m(wl))


@pytest.mark.parametrize("name", sorted(chrom.MELANIN_SPECTRA))
def test_every_set_shares_the_694_nm_calibration(name):
    at_694 = chrom.mua_melanosome_per_m(chrom.MELANIN_CALIBRATION_WAVELENGTH_M, name)
    assert at_694 == pytest.approx(chrom.mua_melanosome_per_m(694 * NM), rel=1e-12)


def test_published_shapes():
    """Ratios to 694 nm: Svaasand et al. 1995 (694/lambda)^3.46; omlc Jacques 1998 lambda^-3.48."""
    for nm in LASER_NM:
        wl, ref = nm * NM, 694 * NM
        svaasand = chrom.mua_melanosome_per_m(wl, "svaasand1995") / chrom.mua_melanosome_per_m(ref, "svaasand1995")
        jacques98 = chrom.mua_melanosome_per_m(wl, "jacques1998") / chrom.mua_melanosome_per_m(ref, "jacques1998")
        assert svaasand == pytest.approx((694.0 / nm) ** 3.46, rel=1e-12)
        assert jacques98 == pytest.approx((694.0 / nm) ** 3.48, rel=1e-12)


def test_selection_is_scoped_and_restored():
    wl = 1064 * NM
    default = chrom.mua_melanosome_per_m(wl)
    with chrom.use_melanin_spectrum("svaasand1995") as spectrum:
        assert spectrum.name == chrom.active_melanin_spectrum() == "svaasand1995"
        # (1064/694)^(3.5 - 3.46): the in-vivo Svaasand shape is 1.7 % above Jacques 2013 at 1064 nm
        assert chrom.mua_melanosome_per_m(wl) / default == pytest.approx((1064 / 694) ** 0.04, rel=1e-12)
    assert chrom.active_melanin_spectrum() == "jacques2013"
    assert chrom.mua_melanosome_per_m(wl) == default


def test_selection_restored_after_an_error():
    with pytest.raises(RuntimeError), chrom.use_melanin_spectrum("jacques1998"):
        raise RuntimeError("inside")
    assert chrom.active_melanin_spectrum() == "jacques2013"


def test_unknown_set_names_the_known_ones():
    with pytest.raises(InputError, match="svaasand1995"):
        chrom.mua_melanosome_per_m(694 * NM, "zonios")
    with pytest.raises(InputError, match="melanin_spectrum"), chrom.use_melanin_spectrum("zonios"):
        pass


def test_every_set_cites_a_bibliography_entry():
    from laserskin.core.citations import bibliography

    for spectrum in chrom.MELANIN_SPECTRA.values():
        assert spectrum.citation in bibliography(), spectrum.name
        assert math.isfinite(float(chrom.mua_melanosome_per_m(1000 * NM, spectrum.name)))


def test_switch_reaches_the_cached_optical_stacks():
    """pipeline.stages caches a person's optical stack per wavelength; a set selected later in the
    same process must still reach it (the epidermal mua at 1064 nm moves by the set's ratio)."""
    from laserskin.pipeline.stages import optical_stack
    from laserskin.skin.person import Person

    person = Person(age=35, sex="female", fitzpatrick="VI", site="forearm")
    wl = 1064 * NM

    def epidermal_melanin_mua():
        stack = optical_stack(person, wl, "jacques2013")
        return max(layer.mua_per_m for layer in stack.layers)

    before = epidermal_melanin_mua()
    with chrom.use_melanin_spectrum("svaasand1995"):
        during = epidermal_melanin_mua()
    after = epidermal_melanin_mua()
    assert during > before * 1.005  # melanin is most of the type VI epidermal mua at 1064 nm; set ratio 1.017
    assert after == before
