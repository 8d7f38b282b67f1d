"""Monte Carlo kernel: RNG, seeding, thread independence, conservation, tallies, input checks."""

import math

import numba
import numpy as np
import pytest

from laserskin.core.callbacks import Callback, CallbackList
from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.transport import Beam, LayerStack, OpticalLayer, driver, kernel, rng, simulate_transport, statistics

SLAB = LayerStack(layers=(OpticalLayer(n=1.0, mua="10 1/cm", mus="90 1/cm", g=0.75, thickness="0.02 cm"),))
SKIN = LayerStack(
    layers=(
        OpticalLayer(name="epidermis", n=1.40, mua="4.0 1/cm", mus="300 1/cm", g=0.80, thickness="0.01 cm"),
        OpticalLayer(name="dermis", n=1.40, mua="0.3 1/cm", mus="200 1/cm", g=0.80, thickness="0.05 cm"),
        OpticalLayer(name="subcutis", n=1.44, mua="1 1/cm", mus="100 1/cm", g=0.75, thickness="inf cm"),
    )
)
GRID = RZGrid.graded(
    r_max_m=1e-3, nr=20, z_max_m=1e-3, dz_surface_m=5e-6, dz_max_m=50e-6, interfaces_m=[1e-4, 6e-4], fine_depth_m=5e-5
)
PENCIL = Beam(kind="pencil")


def _xoshiro_reference(state, n):
    """Pure-Python xoshiro256** (Blackman & Vigna reference C code) for comparison."""
    mask = (1 << 64) - 1
    s = [int(v) for v in state]

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & mask

    out = []
    for _ in range(n):
        result = (rotl((s[1] * 5) & mask, 7) * 9) & mask
        t = (s[1] << 17) & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(((result >> 11) + 1) * 2.0**-53)
    return np.array(out)


def test_xoshiro_matches_reference_implementation():
    state = rng.batch_state(42, 3)
    assert np.array_equal(rng.xoshiro_uniforms(state, 1000), _xoshiro_reference(state, 1000))


def test_uniforms_are_uniform_and_streams_independent():
    from scipy import stats

    a = rng.xoshiro_uniforms(rng.batch_state(1, 0), 100_000)
    b = rng.xoshiro_uniforms(rng.batch_state(1, 1), 100_000)
    assert a.min() > 0 and a.max() <= 1
    assert stats.kstest(a, "uniform").pvalue > 1e-3
    # correlation between streams: |rho| < 4 / sqrt(n) (4 sigma)
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / math.sqrt(a.size)


def test_batches_depend_on_photons_only():
    assert statistics.batch_sizes(5).tolist() == [1] * 5
    assert statistics.batch_sizes(100).sum() == 100 and statistics.batch_sizes(100).size == statistics.MIN_BATCHES
    sizes = statistics.batch_sizes(10_000_001)
    assert sizes.sum() == 10_000_001 and sizes.max() <= statistics.PHOTONS_PER_BATCH and sizes.max() - sizes.min() <= 1


def test_same_seed_identical_any_threads_and_different_seeds_differ():
    threads = numba.config.NUMBA_NUM_THREADS
    beam = Beam(kind="flat_top", diameter="0.5 mm")
    a = simulate_transport(SKIN, GRID, beam, 20_000, seed=7, threads=1)
    b = simulate_transport(SKIN, GRID, beam, 20_000, seed=7, threads=threads)
    c = simulate_transport(SKIN, GRID, beam, 20_000, seed=8, threads=1)
    for name in (
        "absorbed_energy_density_per_J",
        "fluence_per_J",
        "diffuse_reflectance_per_area",
        "absorbed_fraction_by_layer",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert not np.array_equal(getattr(a, name), getattr(c, name)), name
    assert a.diffuse_reflectance == b.diffuse_reflectance
    assert a.diffuse_reflectance != c.diffuse_reflectance


def test_energy_conservation_and_tally_consistency():
    result = simulate_transport(SKIN, GRID, Beam(kind="gaussian", radius_1e2="0.2 mm"), 30_000, seed=3)
    # every packet weight ends in exactly one tally; roulette's gains/losses are tallied too
    assert abs(result.energy_balance()) < 1e-12
    # the roulette balance is zero on average: within 4 standard errors
    assert abs(result.roulette_balance) <= 4 * result.roulette_balance_stderr + 1e-15
    assert result.absorbed_fraction == pytest.approx(result.absorbed_fraction_by_layer.sum(), rel=1e-12)
    grid = result.grid
    in_grid = (result.absorbed_energy_density_per_J * grid.cell_volume_m3).sum()
    assert in_grid + result.absorbed_outside_grid_fraction == pytest.approx(result.absorbed_fraction, rel=1e-12)
    assert result.absorbed_outside_grid_fraction > 0  # semi-infinite layer below the grid
    rd_in_grid = (result.diffuse_reflectance_per_area * grid.ring_area_m2).sum()
    assert rd_in_grid <= result.diffuse_reflectance * (1 + 1e-12)
    assert result.total_transmittance == 0.0  # semi-infinite: nothing leaves the bottom
    assert result.specular_reflectance == pytest.approx((0.4 / 2.4) ** 2, rel=1e-14)


def test_fluence_is_absorption_over_mua_in_single_layer_cells():
    result = simulate_transport(SKIN, GRID, PENCIL, 10_000, seed=1)
    layer = GRID.layer_index(SKIN.boundaries_m)
    mua = np.array([l.mua_per_m for l in SKIN.layers])[layer]
    expected = result.absorbed_energy_density_per_J / mua[None, :]
    np.testing.assert_allclose(result.fluence_per_J, expected, rtol=1e-12, atol=0)


def test_z_bin_lookup_matches_searchsorted_on_graded_grid():
    k = driver._kernel_inputs(SKIN, GRID, PENCIL)
    inv_dr, nr, r_max, z_max, inv_h, lut, z_edges = k.grid

    @numba.njit
    def bins(z):
        out = np.empty(z.size, np.int64)
        for i in range(z.size):
            out[i] = kernel._z_bin(z[i], inv_h, lut, z_edges)
        return out

    rng = np.random.default_rng(0)
    z = np.concatenate([rng.uniform(0, GRID.z_max_m * (1 - 1e-12), 100_000), GRID.z_edges_m[:-1]])
    assert np.array_equal(bins(z), np.searchsorted(GRID.z_edges_m, z, side="right") - 1)


def test_fresnel_matches_textbook_values():
    # normal incidence and Brewster-angle p-polarisation: R = (Rs + Rp)/2 with Rp = 0
    assert kernel._fresnel(1.0, 1.5, 1.0)[0] == pytest.approx(0.04)
    brewster = math.atan(1.5)
    ct = math.cos(math.asin(math.sin(brewster) / 1.5))
    ci = math.cos(brewster)
    rs = ((ci - 1.5 * ct) / (ci + 1.5 * ct)) ** 2
    r, ca2 = kernel._fresnel(1.0, 1.5, ci)
    assert r == pytest.approx(rs / 2, rel=1e-12) and ca2 == pytest.approx(ct, rel=1e-12)
    assert kernel._fresnel(1.5, 1.0, math.cos(math.radians(50)))[0] == 1.0  # beyond the critical angle 41.8°


def test_progress_callbacks():
    class Recorder(Callback):
        def __init__(self):
            self.events = []

        def on_start(self, stage, total, unit):
            self.events.append(("start", stage, total, unit))

        def on_progress(self, stage, done, elapsed_s):
            self.events.append(("progress", stage, done))

        def on_end(self, stage, elapsed_s):
            self.events.append(("end", stage))

    a, b = Recorder(), Recorder()
    simulate_transport(SLAB, GRID, PENCIL, 5000, seed=1, progress=CallbackList([a, b]))
    assert a.events == b.events
    assert a.events[0] == ("start", "transport", 5000.0, "photons")
    assert a.events[-2] == ("progress", "transport", 5000)
    assert a.events[-1] == ("end", "transport")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"photons": 0}, "photons"),
        ({"photons": driver.MAX_PHOTONS + 1}, "photons"),
        ({"photons": 10.5}, "photons"),
        ({"photons": True}, "photons"),
        ({"seed": -1}, "seed"),
        ({"threads": 0}, "threads"),
        ({"threads": numba.config.NUMBA_NUM_THREADS + 1}, "threads"),
        ({"beam": Beam(kind="flat_top", diameter="2.1 mm")}, "beam"),
        ({"beam": Beam(kind="gaussian", radius_1e2="0.34 mm")}, "beam"),
        (
            {
                "stack": LayerStack(
                    layers=(OpticalLayer(n=1.3, mua="0 1/cm", mus="10 1/cm", g=0.9, thickness="inf cm"),)
                )
            },
            "layers[-1].mua",
        ),
    ],
)
def test_bad_input_raises_input_error(kwargs, field):
    args = {"stack": SLAB, "grid": GRID, "beam": PENCIL, "photons": 10, "seed": 1} | kwargs
    with pytest.raises(InputError) as error:
        simulate_transport(**args)
    assert error.value.field == field


def test_beam_just_inside_grid_accepted():
    simulate_transport(SLAB, GRID, Beam(kind="flat_top", diameter="2 mm"), 10, seed=1)
    simulate_transport(SLAB, GRID, Beam(kind="gaussian", radius_1e2=f"{1e-3 / 3} m"), 10, seed=1)


def test_flat_top_totals_equal_pencil_totals():
    """Laterally infinite slab: Rd, Tt and A do not depend on where photons enter (within 4 sigma)."""
    grid = RZGrid.uniform(nr=10, dr_m=2e-4, nz=10, dz_m=2e-5)
    p = simulate_transport(SLAB, grid, PENCIL, 100_000, seed=2)
    f = simulate_transport(SLAB, grid, Beam(kind="flat_top", diameter="3 mm"), 100_000, seed=3)
    for name in ("diffuse_reflectance", "total_transmittance", "absorbed_fraction"):
        sigma = math.hypot(getattr(p, name + "_stderr"), getattr(f, name + "_stderr"))
        assert abs(getattr(p, name) - getattr(f, name)) <= 4 * sigma, name
