"""QA15 #8: under a crater the dermal share and grade count the dermis the crater removed as lost.

Before, the ablative path passed the crater floor as the dermis top, so ``dermis_fraction`` was the Ω ≥ 1 band over
the dermis *left* under the crater: an Er:YAG crater through 65 % of the dermis with a 44 µm band under it read 0.055
("partial thickness"), and a crater into the dermis with no band under it read 0 ("none"). Now the share is
(removed dermis + band below the floor) / the whole dermis thickness; the band and the volume stay those of the dermis
left. 10 µm cells, dermis 60-1060 µm (1000 µm), floors and bands on cell edges, so the shares are exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.damage.injury import dermal_injury
from laserskin.grid import RZGrid

GRID = RZGrid.uniform(nr=4, dr_m=1e-4, nz=120, dz_m=10e-6)
TOP, BOTTOM = 60e-6, 1060e-6


def _omega(band_um: tuple[int, int] | None, floor_um: int) -> np.ndarray:
    """Ω 5 in the band, 0 elsewhere, and 0 in the removed cells above the floor (the ablative path's nan → 0)."""
    omega = np.zeros((GRID.nr, GRID.nz))
    if band_um is not None:
        omega[:, band_um[0] // 10 : band_um[1] // 10] = 5.0
    omega[:, : floor_um // 10] = 0.0
    return omega


@pytest.mark.parametrize(
    "floor_um, band_um, share, grade",
    [
        (460, (460, 560), 0.5, "partial thickness"),  # 400 removed + 100 injured of 1000 um
        (760, (760, 860), 0.8, "full thickness"),  # the crater and its band through 80 % of the dermis
        (860, None, 0.8, "full thickness"),  # a crater alone through 80 %: before, "none" (no band under it)
        (260, None, 0.2, "partial thickness"),  # before, "none"
        (40, (60, 160), 0.1, "partial thickness"),  # floor in the epidermis: nothing removed, the band alone
    ],
)
def test_the_crater_counts_as_lost_dermis(floor_um, band_um, share, grade):
    omega = _omega(band_um, floor_um)
    injured = dermal_injury(omega, GRID, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, crater_floor_m=floor_um * 1e-6)
    assert injured.dermis_fraction == pytest.approx(share, abs=1e-9)
    assert injured.grade == grade
    # the band and the volume are the dermis left below the floor, as with the floor passed as the dermis top
    left = dermal_injury(omega, GRID, dermis_top_m=max(TOP, floor_um * 1e-6), dermis_bottom_m=BOTTOM)
    assert injured.depth_range_um == (None if band_um is None else pytest.approx(band_um))
    assert injured.depth_range_um == left.depth_range_um
    assert injured.volume_mm3 == left.volume_mm3


def test_without_a_crater_the_share_is_the_band():
    omega = _omega((160, 460), 0)
    plain = dermal_injury(omega, GRID, dermis_top_m=TOP, dermis_bottom_m=BOTTOM)
    at_surface = dermal_injury(omega, GRID, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, crater_floor_m=0.0)
    assert plain.dermis_fraction == at_surface.dermis_fraction == pytest.approx(0.3, abs=1e-9)
    assert plain == at_surface


def test_a_crater_floor_must_be_finite():
    with pytest.raises(InputError):
        dermal_injury(
            np.zeros((GRID.nr, GRID.nz)), GRID, dermis_top_m=TOP, dermis_bottom_m=BOTTOM, crater_floor_m=np.nan
        )
