"""The r–z kernel gives the tallies of the reference kernel: speed work must not change a result.

Values recorded with the kernel as of KERNEL_VERSION "1" before the speed work of issue 9 (plan
within 30 s: dynamic batch scheduling, background prefetch of the blister-band transports, no
zero-division checks). Every photon draws the same random numbers in the same order and the
tallies add in the same order, so the results agree to rounding: the tolerance (rel 1e-9) is far
below the Monte Carlo noise of 3000 photons (~1e-2 relative), so any change of the random stream,
the physics or the order of the tallies fails here, while a compiler's last-bit rounding does not.
Two cases: a 1320 nm-like skin (albedo 0.999, flat top, many steps per photon: the planner's
slowest transport) and a strongly absorbing skin (1450 nm-like, Gaussian beam, Russian roulette).
"""

import numba
import numpy as np
import pytest

from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, simulate_transport

GRID = RZGrid.graded(
    r_max_m=3e-3,
    nr=30,
    z_max_m=7.61e-3,
    dz_surface_m=5e-6,
    dz_max_m=100e-6,
    interfaces_m=[13e-6, 60e-6, 260e-6, 1.61e-3],
    fine_depth_m=1e-4,
)


def _skin(mua_scale: float) -> LayerStack:
    def layer(name, n, mua_per_cm, mus_per_cm, thickness):
        return OpticalLayer(
            name=name, n=n, mua=f"{mua_per_cm * mua_scale} 1/cm", mus=f"{mus_per_cm} 1/cm", g=0.9, thickness=thickness
        )

    return LayerStack(
        layers=(
            layer("stratum_corneum", 1.5, 0.053, 188, "13 um"),
            layer("living_epidermis", 1.42, 3.07, 188, "47 um"),
            layer("papillary_dermis", 1.373, 0.113, 141.7, "200 um"),
            layer("reticular_dermis", 1.373, 0.106, 141.7, "1.35 mm"),
            layer("subcutis", 1.45, 0.073, 185, "6 mm"),
        )
    )


# Rd, Tt, A, roulette balance, A outside the grid, Σ absorbed density, Σ (cell index × absorbed density),
# Σ fluence, Σ Rd(r), A per layer (5)
REFERENCE = {
    "low_absorption_flat_top": (
        _skin(1.0),
        Beam(kind="flat_top", diameter="4 mm"),
        [
            0.591350420590868,
            0.09305673224336469,
            0.2755928471657672,
            0.0,
            0.1285106818360573,
            24259849844.449333,
            60276056307867.66,
            784139573.6169324,
            505488.1020343118,
            0.00039939495308124795,
            0.07821580037133093,
            0.01208638218463517,
            0.07379002375369938,
            0.11110124590302052,
        ],
    ),
    "high_absorption_gaussian": (
        _skin(100.0),
        Beam(kind="gaussian", radius_1e2="0.4 mm"),
        [
            0.005730085363037439,
            0.0,
            0.954267537830517,
            -2.3768064451912116e-06,
            0.00019257454317849132,
            1728166371076.4126,
            474288587917707.4,
            192593406.38155302,
            47896.033787482265,
            0.007375515134128528,
            0.7583288278369619,
            0.059954168753304865,
            0.12425189251045567,
            0.004357133595665987,
        ],
    ),
}


def _readout(result) -> list[float]:
    absorbed = result.absorbed_energy_density_per_J
    index = np.arange(absorbed.size, dtype=float).reshape(absorbed.shape)
    return [
        result.diffuse_reflectance,
        result.total_transmittance,
        result.absorbed_fraction,
        result.roulette_balance,
        result.absorbed_outside_grid_fraction,
        float(absorbed.sum()),
        float((absorbed * index).sum()),
        float(result.fluence_per_J.sum()),
        float(result.diffuse_reflectance_per_area.sum()),
        *result.absorbed_fraction_by_layer.tolist(),
    ]


@pytest.mark.parametrize("case", sorted(REFERENCE))
@pytest.mark.parametrize("threads", [1, None])
def test_kernel_reproduces_reference_tallies(case, threads):
    stack, beam, expected = REFERENCE[case]
    if threads is None and numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one numba thread only")
    result = simulate_transport(stack, GRID, beam, 3000, seed=11, threads=threads)
    assert _readout(result) == pytest.approx(expected, rel=1e-9, abs=1e-300)
