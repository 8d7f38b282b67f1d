"""Near-infrared dermal optics against published dermis data (issue 10).

Sources (docs/reference/clinical_calibration_data.md section 3):
* Salomatina et al. 2006 (J Biomed Opt 11:064026): ex-vivo dermis mu_s', shipped CSV, SD ~12 %;
* Jacques 2013 (Phys Med Biol 58:R37) generic skin: mu_s' = 46.0 (lambda/500 nm)^-1.421 /cm (R);
* Jonasson et al. 2018 (J Biomed Opt 23:121608): in-vivo mu_s' 11.3 +/- 2.7 /cm at 850 nm.
"""

import numpy as np
import pytest

from laserskin.skin import tissue_at
from laserskin.skin.person import Person

NM = 1e-9
PERSON = Person(age=40, sex="female", fitzpatrick="II", site="cheek")


def dermis(nm, scattering="jacques2013"):
    return {l.name: l for l in tissue_at(PERSON, nm * NM, scattering=scattering).layers}["reticular_dermis"]


@pytest.mark.parametrize("nm", [1000, 1064, 1200, 1320, 1342, 1450, 1550, 1600])
def test_nir_dermal_scattering_within_published_band(nm):
    """Between the generic-skin fit (lower end, -15 %) and the ex-vivo dermis (upper end, +12 % = 1 SD)."""
    generic = 46.0 * (nm / 500.0) ** -1.421
    ex_vivo = dermis(nm, "salomatina2006").musp_per_m / 100
    got = dermis(nm).musp_per_m / 100
    assert 0.85 * min(generic, ex_vivo) <= got <= 1.12 * max(generic, ex_vivo), (nm, got, generic, ex_vivo)


def test_1342nm_no_longer_half_the_generic_value():
    got = dermis(1342).musp_per_m / 100
    assert got == pytest.approx(46.0 * (1342 / 500.0) ** -1.421, rel=0.15)


def test_visible_scattering_kept_and_in_vivo_850nm_within_two_sd():
    # mcxyz dermis (a' 42.4, f_Ray 0.62, b_Mie 1) at 585 nm: 27.8 /cm; keep within 5 %
    assert dermis(585).musp_per_m / 100 == pytest.approx(27.8, rel=0.05)
    assert abs(dermis(850).musp_per_m / 100 - 11.3) <= 2 * 2.7


def test_deposition_depth_order_at_treatment_wavelengths():
    """Diffusion penetration depth 1/sqrt(3 mu_a (mu_a + mu_s')) falls 1064 > 1320 > 1550 > 1450 nm
    (water absorption peaks at 1450 nm)."""
    depth = {}
    for nm in (1064, 1320, 1450, 1550):
        d = dermis(nm)
        mua, musp = d.mua_per_m, d.musp_per_m
        depth[nm] = 1.0 / np.sqrt(3 * mua * (mua + musp))
    assert depth[1064] > depth[1320] > depth[1550] > depth[1450]
    assert 1.0e-3 < depth[1320] < 1.7e-3  # ~1.4 mm (was 1.9 mm with 6.6 /cm)
