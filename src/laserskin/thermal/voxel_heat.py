"""Pennes bioheat equation on the voxels of the 3-D light transport, with per-voxel damage observers.

Model (Pennes 1948), the same as the r–z solver's (:mod:`laserskin.thermal.solver`)::

    ρc ∂T/∂t = ∇·(k ∇T) − ω_b ρ_b c_b (T − T_a) + S(x, y, z) P(t)

with S the absorbed energy density per incident joule (1/m³) of
:func:`laserskin.transport.voxel.simulate_voxel_transport` on the same voxels and P(t) the
power (W). With tissue water and the laser's phase-change constants given, a boiling plateau
(:class:`_Boiling`) and S scaled per voxel by the absorption of the tissue left, the r–z enthalpy
model's rule (:class:`_AbsorptionRule`; the light map itself stays the Monte Carlo's, not re-transported).

Boundaries: the surface z = 0 loses heat to a medium by convection, flux = h (T_face − T_m)
with the face temperature behind half a voxel of conduction (as in the r–z solver), with h(t)
and T_m(t) the schedules of any surface cooling (:class:`~laserskin.thermal.boundary.SurfaceBoundary`,
steps restarting fine wherever they change); the run starts from the core temperature, a given
field, or the resting steady state (no laser, resting boundary: CG on ``L T = f``); the
bottom face is held at the core temperature or a given ``bottom_temperature_K`` (or insulated);
the sides are periodic when the volume is (a unit cell of a fractional array), insulated otherwise.

Discretisation: cell-centred finite volumes on the cubic voxels (7-point stencil,
conductances between voxels as harmonic means of k, so flux is continuous across media).
Time: TR-BDF2 (γ = 2 − √2; Bank et al. 1985), second order and L-stable, as in the r–z
solver; both stages solve with the same symmetric positive-definite matrix
``diag(ρc) + (γΔt/2) L``.

Linear solver: conjugate gradients, warm-started from the previous temperature (products and
updates compiled with numba). Why: the matrix is SPD; a sparse direct factorisation (the r–z
solver's SuperLU) of a 3-D 7-point matrix fills in like N^(4/3) and needs gigabytes at 10⁶
voxels; ADI splitting would be as cheap per step but is only first-order accurate with mixed
boundary conditions and heterogeneous k unless carefully corrected. Preconditioner (default
``"layers"``): the exact inverse of the laterally averaged operator (depth means of the face
conductances and of the diagonal terms), diagonalised in x–y by the FFT (periodic sides) or the
DCT-II (insulated sides) with one tridiagonal solve in z per lateral wavenumber
(:class:`_LayerPreconditioner`): exact for a layered medium (one iteration per solve), close
with local inclusions. ``"jacobi"`` (the diagonal) needs iterations growing with the condition
number ~``1 + 12 αΔt/h²`` (~170 per long relaxation step at 5 µm voxels). Steps are uniform
during pulses (``steps_per_pulse``) and grow geometrically in between (``growth``), landing on every
breakpoint of the power schedule.

Damage: any observer with ``on_step(time_s, dt_s, T_old, T_new)`` sees every step (T
linear in time across it); :class:`VoxelDamage` accumulates Ω per voxel with an increment
function such as :func:`laserskin.damage.arrhenius.omega_increment` (passed in, since
damage sits above thermal in the layering).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from laserskin.core.citations import cite
from laserskin.core.constants import CELSIUS_K, CORE_TEMPERATURE_K, ROOM_TEMPERATURE_K
from laserskin.core.errors import InputError
from laserskin.thermal.boundary import RESTING_H_W_PER_M2K, SurfaceBoundary
from laserskin.thermal.medium import BLOOD_VOLUMETRIC_HEAT_CAPACITY_J_PER_M3K, JIANG2002_LAYERS
from laserskin.thermal.schedule import Schedule

_GAMMA = 2.0 - math.sqrt(2.0)
PARALLEL_MIN_VOXELS = 250_000
"""Below this many voxels the CG runs on one thread unless told otherwise: each iteration opens
three parallel regions, whose start-up outweighs the O(N) work of a small problem (a 22 000-voxel
cell: 1.1 s on 1 thread, 6.1 s on 2 on the shared 2-core machine; results identical)."""

#: Thermal properties of whole blood: k W/m/K, ρ kg/m³, c J/kg/K, perfusion 1/s (IT'IS
#: database values; perfusion 0 inside a vessel, whose blood is the heat sink itself).
BLOOD_THERMAL = (0.52, 1050.0, 3617.0, 0.0)


@dataclass(frozen=True, eq=False)
class VoxelThermalMedium:
    """Thermal properties per medium of a labelled voxel volume.

    Parameters
    ----------
    labels : ndarray of uint8, shape (nx, ny, nz)
        Medium index per voxel (the light-transport volume's labels).
    voxel_m : float
        Voxel side in m.
    conductivity_W_per_mK, volumetric_heat_capacity_J_per_m3K, perfusion_per_s : sequence of float
        k (> 0), ρc (> 0) and ω_b (>= 0) of each medium.
    periodic : bool
        Periodic side faces (x and y).
    bottom_temperature_K : float, optional
        Temperature the bottom face is held at (``bottom="core"``), K; None (default): the core
        temperature. A volume shallower than the body's core sits on tissue cooler than the core:
        the 3-D simulation stage holds its floor at the r–z path's resting temperature at that
        depth (:func:`laserskin.pipeline.voxel.resting_temperature_at_depth_K`; QA11 F-I).
    """

    labels: np.ndarray
    voxel_m: float
    conductivity_W_per_mK: np.ndarray
    volumetric_heat_capacity_J_per_m3K: np.ndarray
    perfusion_per_s: np.ndarray
    periodic: bool = False
    blood_volumetric_heat_capacity_J_per_m3K: float = BLOOD_VOLUMETRIC_HEAT_CAPACITY_J_PER_M3K
    arterial_temperature_K: float = CORE_TEMPERATURE_K
    core_temperature_K: float = CORE_TEMPERATURE_K
    bottom_temperature_K: float | None = None

    def __post_init__(self) -> None:
        labels = np.ascontiguousarray(self.labels, dtype=np.uint8)
        if labels.ndim != 3:
            raise InputError("labels", labels.shape, "a 3-D label array")
        n = int(labels.max()) + 1
        for name, strict in (
            ("conductivity_W_per_mK", True),
            ("volumetric_heat_capacity_J_per_m3K", True),
            ("perfusion_per_s", False),
        ):
            values = np.atleast_1d(np.asarray(getattr(self, name), dtype=np.float64))
            if values.size < n:
                raise InputError(f"medium.{name}", values.size, f"one value per medium ({n})")
            if np.any(~(values > 0) if strict else ~(values >= 0)) or not np.all(np.isfinite(values)):
                raise InputError(f"medium.{name}", values.tolist(), "> 0" if strict else ">= 0")
            object.__setattr__(self, name, values)
        if not self.voxel_m > 0:
            raise InputError("voxel", self.voxel_m, "> 0 m")
        if self.bottom_temperature_K is not None and not (
            math.isfinite(self.bottom_temperature_K) and self.bottom_temperature_K > 0
        ):
            raise InputError("medium.bottom_temperature_K", self.bottom_temperature_K, "a finite temperature > 0 K")
        object.__setattr__(self, "labels", labels)

    @property
    def floor_temperature_K(self) -> float:
        """Temperature of the bottom face, K: ``bottom_temperature_K``, or the core temperature."""
        return self.core_temperature_K if self.bottom_temperature_K is None else float(self.bottom_temperature_K)

    @classmethod
    def from_volume(
        cls,
        volume: Any,
        properties: Mapping[str, tuple[float, float, float, float]] | None = None,
        default: str = "dermis",
        **kwargs: Any,
    ) -> VoxelThermalMedium:
        """Properties by region name of a :class:`~laserskin.transport.voxel.VoxelVolume`.

        ``properties`` maps a region name to (k W/m/K, ρ kg/m³, c J/kg/K, ω_b 1/s); regions
        not given take the Jiang et al. (2002) row of their name (epidermis, dermis,
        subcutis), ``blood`` for regions whose name contains "vessel" or "blood", else
        the ``default`` row.
        """
        properties = dict(properties or {})
        rows = []
        for name in volume.region_names:
            if name in properties:
                rows.append(properties[name])
            elif name in JIANG2002_LAYERS:
                rows.append(JIANG2002_LAYERS[name])
            elif "vessel" in name or "blood" in name:
                rows.append(BLOOD_THERMAL)
            else:
                rows.append(JIANG2002_LAYERS[default])
        table = np.array(rows, dtype=np.float64)
        return cls(
            volume.labels,
            volume.voxel_m,
            table[:, 0],
            table[:, 1] * table[:, 2],
            table[:, 3],
            periodic=volume.periodic,
            **kwargs,
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        nx, ny, nz = self.labels.shape  # 3-D (__post_init__)
        return int(nx), int(ny), int(nz)


def _face_conductance(k1: np.ndarray, k2: np.ndarray, h: float) -> np.ndarray:
    """Conductance per unit volume between neighbouring voxels, W m⁻³ K⁻¹ (harmonic mean of k)."""
    return 2.0 * k1 * k2 / (k1 + k2) / (h * h)


def _operator(medium: VoxelThermalMedium, bottom: str) -> tuple[sp.csr_matrix, np.ndarray]:
    """``(L, g_bottom)``: conduction + perfusion + bottom matrix (W m⁻³ K⁻¹) without the surface term.

    The surface conductance depends on h(t) and enters as a diagonal of the top voxels
    (:func:`_surface_conductance`), so one matrix serves every cooling phase.
    """
    nx, ny, nz = medium.shape
    h = medium.voxel_m
    k = medium.conductivity_W_per_mK[medium.labels]
    index = np.arange(nx * ny * nz).reshape(nx, ny, nz)
    rows, cols, vals = [], [], []
    diag = np.zeros((nx, ny, nz))

    def couple(lo: tuple, hi: tuple) -> None:
        g = _face_conductance(k[lo], k[hi], h)
        rows.extend([index[lo].ravel(), index[hi].ravel()])
        cols.extend([index[hi].ravel(), index[lo].ravel()])
        vals.extend([-g.ravel(), -g.ravel()])
        diag[lo] += g
        diag[hi] += g

    for axis, n in ((0, nx), (1, ny), (2, nz)):
        if n < 2:
            continue
        inner = [slice(None)] * 3, [slice(None)] * 3
        inner[0][axis], inner[1][axis] = slice(0, n - 1), slice(1, n)
        couple(tuple(inner[0]), tuple(inner[1]))
        if axis < 2 and medium.periodic:  # the last slab couples to the first
            wrap = [slice(None)] * 3, [slice(None)] * 3
            wrap[0][axis], wrap[1][axis] = slice(n - 1, n), slice(0, 1)
            couple(tuple(wrap[0]), tuple(wrap[1]))
    g_bottom = 2.0 * k[:, :, -1] / (h * h) if bottom == "core" else np.zeros((nx, ny))
    diag[:, :, -1] += g_bottom
    diag += medium.perfusion_per_s[medium.labels] * medium.blood_volumetric_heat_capacity_J_per_m3K
    n_all = nx * ny * nz
    rows.append(np.arange(n_all))
    cols.append(np.arange(n_all))
    vals.append(diag.ravel())
    matrix = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_all, n_all))
    return matrix, g_bottom


def _surface_conductance(medium: VoxelThermalMedium, h_surface: float) -> np.ndarray:
    """Surface conductance per unit volume of the top voxels (nx, ny), W m⁻³ K⁻¹: half a voxel
    of conduction in series with 1/h (0 for an insulated surface)."""
    h = medium.voxel_m
    k_top = medium.conductivity_W_per_mK[medium.labels[:, :, 0]]
    if h_surface <= 0:
        return np.zeros(k_top.shape)
    return 1.0 / (h * (0.5 * h / k_top + 1.0 / h_surface))


@njit(parallel=True, cache=True)
def _matvec(indptr, indices, data, a, c, v, out):
    """``out = (diag(a) + c L) v`` with L in CSR form (rows in parallel; each row's sum in a fixed order).

    The one product of the solver: ``a = ρc + c·g_surface`` in the CG solves, ``a = g_surface``
    and ``c = 1`` for ``(L + G_surface) v`` (the explicit half of TR-BDF2, the steady state)."""
    for i in prange(v.size):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += data[k] * v[indices[k]]
        out[i] = a[i] * v[i] + c * acc


@njit(cache=True)
def _dot(a, b):
    """Serial dot product: the same sum on any thread count."""
    acc = 0.0
    for i in range(a.size):
        acc += a[i] * b[i]
    return acc


@njit(parallel=True, cache=True)
def _update(x, r, z, p, ap, diag_inv, alpha):
    for i in prange(x.size):
        x[i] += alpha * p[i]
        r[i] -= alpha * ap[i]
        z[i] = diag_inv[i] * r[i]


@njit(parallel=True, cache=True)
def _direction(p, z, beta):
    for i in prange(p.size):
        p[i] = z[i] + beta * p[i]


@njit(cache=True)
def _pcg(indptr, indices, data, a, c, diag_inv, b, x, rtol, maxiter):
    """Jacobi-preconditioned conjugate gradients for ``(diag(a) + c L) x = b``, in place; returns iterations.

    Vector updates and the matrix product run in parallel, the dot products serially, so the
    iterates are the same on any number of threads.
    """
    r = np.empty(b.size)
    ap = np.empty(b.size)
    _matvec(indptr, indices, data, a, c, x, ap)
    r[:] = b - ap
    z = diag_inv * r
    p = z.copy()
    rz = _dot(r, z)
    tol2 = rtol * rtol * _dot(b, b)
    rnorm2 = _dot(r, r)
    it = 0
    while rnorm2 > tol2 and it < maxiter:
        _matvec(indptr, indices, data, a, c, p, ap)
        alpha = rz / _dot(p, ap)
        _update(x, r, z, p, ap, diag_inv, alpha)
        rnorm2 = _dot(r, r)
        rz_new = _dot(r, z)
        _direction(p, z, rz_new / rz)
        rz = rz_new
        it += 1
    return it if rnorm2 <= tol2 else -1


@njit(parallel=True, cache=True)
def _step_update(x, r, p, ap, alpha):
    for i in prange(x.size):
        x[i] += alpha * p[i]
        r[i] -= alpha * ap[i]


@njit(cache=True)
def _thomas_factor(diag, off):
    """LU of the tridiagonal systems ``diag[k]`` (nk, nz) with the shared off-diagonal ``off`` (nz − 1):
    ``(1/pivot, upper multipliers)`` per row, or a pivot <= 0 flagged by a NaN (not positive definite)."""
    nk, nz = diag.shape
    inv = np.empty((nk, nz))
    up = np.zeros((nk, nz))
    for k in range(nk):
        pivot = diag[k, 0]
        for i in range(nz):
            if i > 0:
                pivot = diag[k, i] - off[i - 1] * up[k, i - 1]
            inv[k, i] = 1.0 / pivot if pivot > 0 else np.nan
            if i < nz - 1:
                up[k, i] = off[i] * inv[k, i]
    return inv, up


@njit(parallel=True, cache=True)
def _thomas_solve(inv, up, off, rhs):
    """Solve every tridiagonal system of :func:`_thomas_factor` for the rows of ``rhs`` (nk, nz), in place."""
    nk, nz = rhs.shape
    for k in prange(nk):
        rhs[k, 0] = rhs[k, 0] * inv[k, 0]
        for i in range(1, nz):
            rhs[k, i] = (rhs[k, i] - off[i - 1] * rhs[k, i - 1]) * inv[k, i]
        for i in range(nz - 2, -1, -1):
            rhs[k, i] -= up[k, i] * rhs[k, i + 1]


class _LayerPreconditioner:
    """Exact inverse of the laterally averaged ("layered") operator, the CG preconditioner.

    For a medium whose properties vary with depth only, ``diag(a) + c L`` (7-point stencil,
    periodic or insulated sides) is diagonalised in x–y by the discrete Fourier transform
    (periodic sides) or the cosine transform DCT-II (insulated sides, cell-centred), leaving one
    tridiagonal system in z per lateral wavenumber (Thomas algorithm, batched over the
    wavenumbers). The preconditioner builds that operator from the actual one by averaging
    its coefficients over each depth (face conductances in x, y and z, the diagonal terms
    ``a + c·(perfusion + bottom)``): exact for layers (CG converges in one or two iterations),
    a spectrally close approximation where inclusions (vessels, follicles) break the lateral
    uniformity. Symmetric positive definite whenever the averaged operator is, as CG needs. A fast
    solver of a separable operator as the preconditioner of an inseparable one: Concus & Golub
    (1973), SIAM J Numer Anal 10:1103.
    """

    def __init__(
        self, lateral: tuple[np.ndarray, np.ndarray], vertical: np.ndarray, local: np.ndarray, shape, periodic
    ):
        self.shape = shape
        self.periodic = periodic
        self.lateral = lateral  # mean x- and y-face conductance per depth (nz,), W m⁻³ K⁻¹
        self.vertical = vertical  # mean z-face conductance between depths z and z+1 (nz − 1,)
        self.local = local  # mean perfusion + bottom conductance per voxel (nx, ny, nz) → per depth (nz,)
        nx, ny, _ = shape
        if periodic:
            lx = 2.0 - 2.0 * np.cos(2.0 * np.pi * np.arange(nx) / nx)
            ly = 2.0 - 2.0 * np.cos(2.0 * np.pi * np.arange(ny // 2 + 1) / ny)
        else:
            lx = 2.0 - 2.0 * np.cos(np.pi * np.arange(nx) / nx)
            ly = 2.0 - 2.0 * np.cos(np.pi * np.arange(ny) / ny)
        self.eigen = (lx, ly)
        self.factors: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}

    @classmethod
    def from_operator(cls, L: sp.csr_matrix, medium: VoxelThermalMedium, local: np.ndarray) -> _LayerPreconditioner:
        nx, ny, nz = shape = medium.shape
        index = np.arange(nx * ny * nz).reshape(shape)
        means = []
        for axis, n in ((0, nx), (1, ny)):
            if n < 2:
                means.append(np.zeros(nz))
                continue
            faces = -np.asarray(
                L[index.take(np.arange(n - 1), axis).ravel(), index.take(np.arange(1, n), axis).ravel()]
            )
            faces = faces.reshape(*([n - 1, ny] if axis == 0 else [nx, n - 1]), nz)
            if medium.periodic:  # the wrap face (its own row entry, added to the inner one when n == 2)
                wrap = -np.asarray(L[index.take([n - 1], axis).ravel(), index.take([0], axis).ravel()])
                wrap = wrap.reshape(*([1, ny] if axis == 0 else [nx, 1]), nz)
                if n == 2:
                    faces = faces / 2.0  # both couplings sit in the one matrix entry
                    wrap = wrap / 2.0
                faces = np.concatenate([faces, wrap], axis=axis)
            means.append(faces.mean(axis=(0, 1)))
        if nz > 1:
            z_faces = -np.asarray(L[index[:, :, :-1].ravel(), index[:, :, 1:].ravel()]).reshape(nx, ny, nz - 1)
            vertical = z_faces.mean(axis=(0, 1))
        else:
            vertical = np.zeros(0)
        return cls((means[0], means[1]), vertical, local.reshape(shape).mean(axis=(0, 1)), shape, medium.periodic)

    def factor(self, a: np.ndarray, c: float) -> tuple | None:
        """The batched tridiagonal factors for ``diag(a) + c L`` (cached by c and the depth means of a)."""
        nx, ny, nz = self.shape
        a_depth = a.reshape(self.shape).mean(axis=(0, 1))
        key = (c, a_depth.tobytes())
        if key not in self.factors:
            if len(self.factors) > 16:
                self.factors.clear()
            lx, ly = self.eigen
            gx, gy = self.lateral
            diag = a_depth + c * self.local
            diag = diag + c * np.concatenate([self.vertical, [0.0]]) + c * np.concatenate([[0.0], self.vertical])
            lateral = lx[:, None, None] * gx + ly[None, :, None] * gy  # (kx, ky, nz)
            diag = (diag + c * lateral).reshape(-1, nz)
            inv, up = _thomas_factor(diag, -c * self.vertical)
            self.factors[key] = None if np.isnan(inv).any() else (inv, up, -c * self.vertical)
        return self.factors[key]

    def apply(self, factors: tuple, r: np.ndarray) -> np.ndarray:
        """``z = P⁻¹ r``: transform in x–y, tridiagonal solves in z, transform back."""
        from scipy import fft

        nx, ny, nz = self.shape
        inv, up, off = factors
        r3 = r.reshape(self.shape)
        if self.periodic:
            spec = np.ascontiguousarray(fft.rfft2(r3, axes=(0, 1)))
            _thomas_solve(inv, up, off, spec.reshape(-1, nz))  # real coefficients, complex right-hand sides
            return fft.irfft2(spec, s=(nx, ny), axes=(0, 1)).ravel()
        spec = np.ascontiguousarray(fft.dctn(r3, type=2, axes=(0, 1), norm="ortho"))
        _thomas_solve(inv, up, off, spec.reshape(-1, nz))
        return fft.idctn(spec, type=2, axes=(0, 1), norm="ortho").ravel()


def _pcg_layers(indptr, indices, data, a, c, precond, factors, b, x, rtol, maxiter):
    """Conjugate gradients for ``(diag(a) + c L) x = b`` preconditioned by the layered operator, in place;
    returns iterations (−1: not converged). Products and updates are the compiled kernels of :func:`_pcg`."""
    r = np.empty(b.size)
    ap = np.empty(b.size)
    _matvec(indptr, indices, data, a, c, x, ap)
    np.subtract(b, ap, out=r)
    tol2 = rtol * rtol * _dot(b, b)
    rnorm2 = _dot(r, r)
    if rnorm2 <= tol2:
        return 0
    z = precond.apply(factors, r)
    p = z.copy()
    rz = _dot(r, z)
    it = 0
    while rnorm2 > tol2 and it < maxiter:
        _matvec(indptr, indices, data, a, c, p, ap)
        alpha = rz / _dot(p, ap)
        _step_update(x, r, p, ap, alpha)
        rnorm2 = _dot(r, r)
        it += 1
        if rnorm2 <= tol2:
            break
        z = precond.apply(factors, r)
        rz_new = _dot(r, z)
        _direction(p, z, rz_new / rz)
        rz = rz_new
    return it if rnorm2 <= tol2 else -1


@dataclass
class VoxelDamage:
    """Observer accumulating a damage integral Ω per voxel, and the peak temperature.

    ``increment(T_old_K, T_new_K, dt_s) -> ΔΩ`` on 1-D arrays, e.g.
    ``lambda a, b, dt: omega_increment(a, b, dt, "pearce_2010_rat_skin_collagen")``.
    ``mask`` (nx, ny, nz) restricts the integration (Ω is NaN elsewhere). Voxels that stay
    below ``skip_below_K`` (default 40 °C) during a step are skipped: every parameter set of
    :mod:`laserskin.damage.arrhenius` has a rate below 1e-4 s⁻¹ there (the fastest, Mehta &
    Wong's epidermis, 7.6e-5 s⁻¹), so a laser treatment's Ω changes by less than that per
    second of such heating, while most of a 10⁶-voxel cell never gets there.
    """

    increment: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    shape: tuple[int, int, int]
    mask: np.ndarray | None = None
    skip_below_K: float = CELSIUS_K + 40.0
    omega: np.ndarray = field(init=False)
    peak_temperature_K: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.mask = np.ones(self.shape, dtype=bool) if self.mask is None else np.asarray(self.mask, dtype=bool)
        self.omega = np.where(self.mask, 0.0, np.nan)
        self.peak_temperature_K = np.full(self.shape, -np.inf)

    def on_step(self, time_s: float, dt_s: float, temperature_old_K: np.ndarray, temperature_new_K: np.ndarray):
        hottest = np.maximum(temperature_old_K, temperature_new_K)
        m = self.mask & (hottest >= self.skip_below_K)
        if m.any():
            self.omega[m] += self.increment(temperature_old_K[m], temperature_new_K[m], dt_s)
        np.maximum(self.peak_temperature_K, hottest, out=self.peak_temperature_K)

    def damage_fraction(self) -> np.ndarray:
        """1 − exp(−Ω) per voxel."""
        return -np.expm1(-self.omega)


@dataclass(frozen=True, eq=False)
class VoxelHeatResult:
    """Temperatures of a 3-D bioheat run (K) and its energy bookkeeping (J)."""

    medium: VoxelThermalMedium
    temperature_K: np.ndarray
    peak_temperature_K: np.ndarray
    stored_times_s: np.ndarray
    stored_temperature_K: np.ndarray
    deposited_J: float
    stored_change_J: float
    steps: int
    cg_iterations: int
    wall_time_s: float
    initial_temperature_K: np.ndarray | None = None
    vaporised_water_kg: float = 0.0
    latent_J: float = 0.0
    reached_boiling: bool = False
    water_kg_per_m3: np.ndarray | None = None
    unabsorbed_J: float = 0.0
    """Light of the Monte Carlo map that voxels did not absorb because their absorption had fallen
    (drying, bleaching; :class:`_AbsorptionRule`), J: not heat, and not in ``deposited_J``. The 3-D
    path does not re-transport it (in tissue it would go deeper or leave); it leaves the ledger."""

    def summary(self) -> dict:
        return {
            "geometry": "voxels",
            "peak_temperature_K": float(np.max(self.peak_temperature_K)),
            "final_max_temperature_K": float(np.max(self.temperature_K)),
            "deposited_J": float(self.deposited_J),
            "stored_change_J": float(self.stored_change_J),
            "latent_J": float(self.latent_J),
            "unabsorbed_J": float(self.unabsorbed_J),
            "vaporised_water_kg": float(self.vaporised_water_kg),
            "steps": int(self.steps),
            "cg_iterations": int(self.cg_iterations),
            "wall_time_s": float(self.wall_time_s),
        }

    def to_dataset(self, damage: VoxelDamage | None = None):
        """Temperatures (and Ω) as an :class:`xarray.Dataset` with x, y, z coordinates in m."""
        import xarray as xr

        nx, ny, nz = self.medium.shape
        h = self.medium.voxel_m
        coords = {
            "x": ("x", (np.arange(nx) + 0.5 - 0.5 * nx) * h, {"units": "m"}),
            "y": ("y", (np.arange(ny) + 0.5 - 0.5 * ny) * h, {"units": "m"}),
            "z": ("z", (np.arange(nz) + 0.5) * h, {"units": "m", "long_name": "depth"}),
            "time": ("time", self.stored_times_s, {"units": "s"}),
        }
        data = {
            "temperature": (("x", "y", "z"), self.temperature_K, {"units": "K", "long_name": "final temperature"}),
            "peak_temperature": (("x", "y", "z"), self.peak_temperature_K, {"units": "K"}),
            "stored_temperature": (("time", "x", "y", "z"), self.stored_temperature_K, {"units": "K"}),
        }
        if damage is not None:
            data["omega"] = (("x", "y", "z"), damage.omega, {"units": "1", "long_name": "damage integral"})
        return xr.Dataset(data, coords=coords, attrs={"title": "laserskin 3-D bioheat (voxels)"})


def _step_plan(
    power: Schedule,
    t_end: float,
    steps_per_pulse: int,
    growth: float,
    max_step: float,
    store: Sequence[float],
    surface: SurfaceBoundary | None = None,
) -> list[float]:
    """Step end times: uniform while the power is on, growing geometrically from the pulse step
    while off, and from the pulse step again wherever the surface boundary changes (a cryogen
    spurt, a contact window lifted)."""
    inside = [float(t) for t in power.breakpoints_s if 0 < t < t_end]
    resets: set[float] = set()
    if surface is not None:
        for schedule in (surface.h_W_per_m2K, surface.medium_temperature_K):
            resets.update(float(t) for t in schedule.change_points() if 0 < t < t_end)
    marks = sorted({t_end, *inside, *resets, *(t for t in store if 0 < t < t_end)})
    on = [(a, b) for a, b, v in power.on_intervals(0.0, t_end) if v > 0]
    fine = min([(b - a) / steps_per_pulse for a, b in on], default=min(max_step, t_end / 100.0))
    times: list[float] = []
    start = 0.0
    dt = fine
    for mark in marks:
        if power.value_on(start, mark) > 0:
            n = max(1, math.ceil((mark - start) / fine - 1e-9))
            times.extend(start + (mark - start) * (np.arange(1, n + 1) / n))
            dt = fine
        else:
            if start in resets:
                dt = fine
            t = start
            while t < mark:
                nxt = t + dt
                if nxt > mark - 0.25 * dt:
                    nxt = mark
                times.append(nxt)
                t = nxt
                dt = min(dt * growth, max_step)
        times[-1] = mark
        start = mark
    return [float(t) for t in times]


def solve_voxel_bioheat(
    medium: VoxelThermalMedium,
    source_per_J: np.ndarray | None,
    power: Schedule | None,
    t_end_s: float,
    *,
    sources: Sequence[tuple[np.ndarray, Schedule]] = (),
    surface_h_W_per_m2K: float = RESTING_H_W_PER_M2K,
    surface_medium_K: float = ROOM_TEMPERATURE_K,
    surface: SurfaceBoundary | None = None,
    bottom: Literal["core", "insulated"] = "core",
    initial_temperature_K: float | np.ndarray | Literal["steady"] | None = None,
    observers: Iterable[Any] = (),
    store_times_s: Sequence[float] = (),
    steps_per_pulse: int = 10,
    growth: float = 1.5,
    max_step_s: float | None = None,
    rtol: float = 1e-8,
    threads: int | None = None,
    preconditioner: Literal["layers", "jacobi"] = "layers",
    water_kg_per_m3: np.ndarray | None = None,
    phase_change: Any = None,
    water_absorption_share: Any = 1.0,
) -> VoxelHeatResult:
    """Solve the 3-D Pennes equation on voxels from 0 to ``t_end_s`` (TR-BDF2 + preconditioned CG).

    Parameters
    ----------
    medium : VoxelThermalMedium
    source_per_J : ndarray (nx, ny, nz) or None
        Absorbed energy density per incident joule, 1/m³ (the voxel transport's tally).
    power : Schedule or None
        Power P(t) in W (None with ``source_per_J`` None).
    sources : sequence of (ndarray, Schedule)
        Further source terms ``(S_k, P_k)``: the heat source is
        ``source_per_J · power(t) + Σ_k S_k(x) P_k(t)`` W/m³ (e.g. the sites of a lattice fired in
        turn, each its absorbed map per joule with its own pulse train shifted to its firing time;
        the sum is exact by the linearity of light transport).
    t_end_s : float
        End time in s.
    surface_h_W_per_m2K, surface_medium_K : float
        Constant convective surface boundary (h = 0: insulated), when ``surface`` is None.
    surface : SurfaceBoundary, optional
        A time-dependent surface boundary h(t), T(t) (the cooling schedules of
        :meth:`laserskin.thermal.cooling.Cooling.surface_boundary`, as the r–z solver takes).
    bottom : {"core", "insulated"}
        Bottom face held at ``medium.floor_temperature_K`` (the core temperature unless the medium's
        ``bottom_temperature_K`` is set) or insulated.
    initial_temperature_K : float, ndarray or "steady", optional
        Default: the core temperature everywhere; ``"steady"``: the steady state with the
        resting surface boundary and no laser (the r–z solver's start).
    observers : iterable
        Objects with ``on_step(time_s, dt_s, T_old, T_new)`` (e.g. :class:`VoxelDamage`).
    store_times_s : sequence of float
        Times at which the temperature field is kept (steps land on them).
    steps_per_pulse, growth, max_step_s : time-step control (see module docstring).
    rtol : float
        Relative residual of the CG solves.
    threads : int, optional
        Threads of the compiled CG (default: as numba is set, or one below
        :data:`PARALLEL_MIN_VOXELS`; the iterates are the same on any number, since dot products
        are serial).
    preconditioner : {"layers", "jacobi"}
        CG preconditioner: the exact inverse of the laterally averaged operator (x–y FFT or
        DCT and tridiagonal solves in z; exact for a layered medium) or the diagonal.
    water_kg_per_m3 : ndarray (nx, ny, nz), optional
        Water per voxel, kg/m³: turns on the boiling plateau (see :func:`_boil`; the boiling
        temperature and latent heat from ``data/parameters/tissue_phase_change.toml``). None:
        the linear model (and identical results wherever no voxel reaches the boiling point).
    phase_change : laserskin.thermal.enthalpy.PhaseChangeParameters, optional
        The laser's phase-change constants (:func:`laserskin.thermal.enthalpy.phase_change_parameters`),
        with ``water_kg_per_m3``: the boiling temperature and latent heat are its, and the heat source
        follows the absorption of the tissue left in each voxel, the r–z enthalpy model's rule
        (:func:`laserskin.thermal.enthalpy.tissue_absorption_factor`, see :class:`_AbsorptionRule`).
        None: the tabulated water constants, and every voxel keeps the absorption of the fresh tissue
        (a dried voxel heats on with its wet source).
    water_absorption_share : float or ndarray (nx, ny, nz)
        Share of each voxel's fresh absorption that is its water's, in [0, 1]
        (:func:`laserskin.optics.chromophores.water_absorption_share`): only that share follows the water
        left (with ``phase_change``). 1 (default): all water, the dry matter keeping ``dry_absorption_fraction``.
    """
    from laserskin.transport.driver import numba_threads

    if preconditioner not in ("layers", "jacobi"):
        raise InputError("preconditioner", preconditioner, "'layers' or 'jacobi'")
    if threads is None and medium.labels.size < PARALLEL_MIN_VOXELS:
        threads = 1

    if surface is None:
        surface = SurfaceBoundary(Schedule.constant(surface_h_W_per_m2K), Schedule.constant(surface_medium_K))
    elif not isinstance(surface, SurfaceBoundary):
        raise InputError("surface", type(surface).__name__, "a SurfaceBoundary")
    with numba_threads(threads) as clock:
        result = _solve(
            medium,
            _source_terms(medium.shape, source_per_J, power, sources),
            _envelope([power] if source_per_J is None and isinstance(power, Schedule) else []),
            t_end_s,
            surface,
            bottom,
            initial_temperature_K,
            list(observers),
            sorted(float(t) for t in store_times_s),
            (steps_per_pulse, growth, max_step_s),
            rtol,
            preconditioner,
            water_kg_per_m3,
            phase_change,
            water_absorption_share,
        )
    object.__setattr__(result, "wall_time_s", clock.wall_time_s)
    return result


def _source_terms(shape, source_per_J, power, sources) -> list[tuple[np.ndarray, Schedule]]:
    """The source terms ``[(S_k raveled, P_k)]`` of a solve, checked (shape, schedule)."""
    terms = []
    pairs = ([(source_per_J, power)] if source_per_J is not None else []) + list(sources)
    for k, (field_, schedule) in enumerate(pairs):
        name = "source_per_J" if source_per_J is not None and k == 0 else f"sources[{k}]"
        array = np.asarray(field_, dtype=np.float64)
        if array.shape != shape:
            raise InputError(name, array.shape, f"the voxel shape {shape}")
        if not isinstance(schedule, Schedule):
            raise InputError(name, type(schedule).__name__, "a power Schedule in W")
        terms.append((array.ravel(), schedule))
    return terms


def _envelope(schedules: list[Schedule]) -> Schedule:
    """A schedule that is on (> 0) wherever any of ``schedules`` is, with all their breakpoints:
    the time-step plan of the summed source."""
    if not schedules:
        return Schedule.constant(0.0)
    times = np.unique(np.concatenate([s.breakpoints_s for s in schedules]))
    if times.size == 0:
        return Schedule.constant(sum(abs(float(s.values[0])) for s in schedules))
    probes = np.concatenate([[times[0] - 1.0], 0.5 * (times[:-1] + times[1:]), [times[-1] + 1.0]])
    values = sum(np.abs(np.asarray(s.value_at(probes), dtype=np.float64)) for s in schedules)
    assert isinstance(values, np.ndarray)  # not sum()'s start 0: schedules is not empty (above)
    return Schedule(times, values)


def _solve(
    medium,
    terms,
    plan,
    t_end_s,
    surface,
    bottom,
    initial_temperature_K,
    observers,
    store,
    stepping,
    rtol,
    preconditioner="layers",
    water_kg_per_m3=None,
    phase_change=None,
    water_absorption_share=1.0,
) -> VoxelHeatResult:
    cite("pennes1948", "bank1985trbdf2", "hestenes1952cg")
    shape = medium.shape
    if not (t_end_s > 0 and math.isfinite(t_end_s)):
        raise InputError("t_end_s", t_end_s, "a finite time > 0 s")
    if bottom not in ("core", "insulated"):
        raise InputError("bottom", bottom, "'core' or 'insulated'")
    power = _envelope([plan, *(schedule for _, schedule in terms)])
    steps_per_pulse, growth, max_step_s = stepping
    max_step = max_step_s or max(t_end_s / 20.0, 1e-6)
    L, g_bottom = _operator(medium, bottom)
    csr = (L.indptr, L.indices, L.data)  # scipy's int32 indices: half the memory traffic of int64
    l_diag = L.diagonal()
    rho_c = np.ascontiguousarray(medium.volumetric_heat_capacity_J_per_m3K[medium.labels].ravel())
    const = np.zeros(shape)
    const[:, :, -1] += g_bottom * medium.floor_temperature_K
    const += (
        medium.perfusion_per_s[medium.labels] * medium.blood_volumetric_heat_capacity_J_per_m3K
    ) * medium.arterial_temperature_K
    const = const.ravel()
    layers = None
    if preconditioner == "layers":
        cite("concus1973")
        local = np.zeros(shape)
        local[:, :, -1] += g_bottom
        local += medium.perfusion_per_s[medium.labels] * medium.blood_volumetric_heat_capacity_J_per_m3K
        layers = _LayerPreconditioner.from_operator(L, medium, local)
    top = np.zeros(shape, dtype=bool)
    top[:, :, 0] = True
    top = top.ravel()
    iterations = 0

    def boundary(h_surface: float, medium_K: float) -> tuple[np.ndarray, np.ndarray]:
        """(surface conductance per voxel, constant terms) for one surface state."""
        g = np.zeros(rho_c.size)
        g[top] = _surface_conductance(medium, h_surface).ravel()
        return g, const + g * medium_K

    def solve(a: np.ndarray, c: float, rhs: np.ndarray, x0: np.ndarray) -> np.ndarray:
        nonlocal iterations
        x = x0.copy()
        factors = layers.factor(a, c) if layers is not None else None
        if factors is not None:
            count = _pcg_layers(*csr, a, c, layers, factors, rhs, x, rtol, 20000)
        else:  # Jacobi (asked for, or an averaged operator that is not positive definite)
            count = _pcg(*csr, a, c, 1.0 / (a + c * l_diag), rhs, x, rtol, 20000)
        if count < 0:
            raise InputError("heat solver", "CG did not converge", "a smaller time step (max_step_s)")
        iterations += count
        return x

    if isinstance(initial_temperature_K, str):
        if initial_temperature_K != "steady":
            raise InputError("initial_temperature_K", initial_temperature_K, "a temperature, a field or 'steady'")
        g, f = boundary(surface.resting_h_W_per_m2K, surface.resting_temperature_K)
        temperature = solve(g, 1.0, f, np.full(rho_c.size, medium.floor_temperature_K))
    elif initial_temperature_K is None:
        temperature = np.full(rho_c.size, medium.core_temperature_K)
    else:
        temperature = np.broadcast_to(np.asarray(initial_temperature_K, dtype=np.float64), shape).ravel().copy()
    t0_field = temperature.copy()
    boil = None if water_kg_per_m3 is None else _Boiling(water_kg_per_m3, shape, medium.voxel_m**3, phase_change)
    rule = None
    if boil is not None and phase_change is not None:
        rule = _AbsorptionRule(boil, phase_change, water_absorption_share)
    peak = temperature.copy()
    stored_t, stored_T = [], []
    volume = medium.voxel_m**3
    deposited = 0.0
    unabsorbed = 0.0
    lt = np.empty_like(temperature)
    states: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}
    t = 0.0
    steps = 0
    q = 1.0 / (_GAMMA * (2.0 - _GAMMA))
    for t_next in _step_plan(power, t_end_s, steps_per_pulse, growth, max_step, store, surface):
        dt = t_next - t
        c = 0.5 * _GAMMA * dt
        key = (surface.h_W_per_m2K.value_on(t, t_next), surface.medium_temperature_K.value_on(t, t_next))
        if key not in states:
            states[key] = boundary(*key)
        g, f = states[key]
        on = [(source, p) for source, schedule in terms if (p := schedule.value_on(t, t_next)) != 0]
        factor = rule.factor(temperature) if (on and rule is not None) else None
        if factor is not None:  # the absorption changed somewhere: scale the light's heat per voxel
            light = on[0][0] * on[0][1]
            for source, p in on[1:]:
                light += source * p
            wet = float(light.sum()) * dt * volume
            light *= factor
            f = f + light
            deposited += float(light.sum()) * dt * volume
            unabsorbed += wet - float(light.sum()) * dt * volume
        elif on:
            f = f + on[0][0] * on[0][1]  # a new array: the cached boundary terms stay as they are
            for source, p in on[1:]:
                f += source * p
            deposited += sum(float(source.sum()) * p for source, p in on if p > 0) * dt * volume
        a = rho_c + c * g
        _matvec(*csr, g, 1.0, temperature, lt)  # (L + G) T
        t_gamma = solve(a, c, rho_c * temperature - c * lt + 2.0 * c * f, temperature)
        rhs = rho_c * (q * t_gamma - (1.0 - _GAMMA) ** 2 * q * temperature) + c * f
        new = solve(a, c, rhs, t_gamma)
        if boil is not None:
            boil.correct(new, rho_c)
        if observers:
            old3 = temperature.reshape(shape)
            new3 = new.reshape(shape)
            for obs in observers:
                obs.on_step(t_next, dt, old3, new3)
        np.maximum(peak, new, out=peak)
        temperature = new
        t = t_next
        steps += 1
        if store and any(abs(t - s) <= 1e-12 * max(1.0, s) for s in store):
            stored_t.append(t)
            stored_T.append(temperature.reshape(shape).copy())
    stored_change = float(np.sum(rho_c * (temperature - t0_field)) * volume)
    return VoxelHeatResult(
        medium=medium,
        temperature_K=temperature.reshape(shape),
        peak_temperature_K=peak.reshape(shape),
        stored_times_s=np.array(stored_t),
        stored_temperature_K=np.array(stored_T).reshape((len(stored_t), *shape)),
        deposited_J=deposited,
        stored_change_J=stored_change,
        unabsorbed_J=unabsorbed,
        steps=steps,
        cg_iterations=iterations,
        wall_time_s=0.0,
        initial_temperature_K=t0_field.reshape(shape),
        **({} if boil is None else boil.result(shape)),
    )


class _Boiling:
    """Boiling plateau of tissue water by temperature recovery (enthalpy correction) after each step.

    After every accepted TR-BDF2 step, each voxel above the boiling temperature ``T_b`` that
    still holds water moves its sensible excess ``ρc (T − T_b)`` into latent heat, vaporising
    water up to what it holds, and is set back to ``T_b`` (or ``T_b`` + the remainder / ρc once
    its water is gone): the splitting of Voller & Swaminathan (1991, Numer Heat Transfer B
    19:175) for an isothermal phase change; the plateau at the boiling point of tissue water as
    in Vogel & Venugopalan (2003, Chem Rev 103:577, §V) and :mod:`laserskin.thermal.enthalpy`.
    Simplifications against the r–z enthalpy model: ρc and k stay those of wet tissue (no
    dehydration), no superheating, and no material leaves (no ablation in 3-D); μa follows the
    water left only with ``phase_change`` given (:class:`_AbsorptionRule`). Below ``T_b``
    nothing changes: the step is the linear one, bit for bit.
    """

    def __init__(self, water_kg_per_m3, shape, voxel_volume_m3: float, phase_change=None):
        from laserskin.thermal.enthalpy import PhaseChangeParameters, phase_change_data

        cite("vogel_venugopalan2003", "iapws_if97", "voller1991")
        water = np.asarray(water_kg_per_m3, dtype=np.float64)
        if water.shape != shape:
            raise InputError("water_kg_per_m3", water.shape, f"the voxel shape {shape}")
        if not (np.all(np.isfinite(water)) and np.all(water >= 0)):
            raise InputError("water_kg_per_m3", float(np.nanmin(water)), ">= 0 kg/m^3 in every voxel")
        if phase_change is None:
            data = phase_change_data()["water"]
            self.boiling_K = float(data["boiling_temperature_K"])
            self.latent_J_per_kg = float(data["latent_heat_J_per_kg"])
        elif isinstance(phase_change, PhaseChangeParameters):
            self.boiling_K = float(phase_change.boiling_temperature_K)
            self.latent_J_per_kg = float(phase_change.latent_heat_J_per_kg)
        else:
            raise InputError("phase_change", type(phase_change).__name__, "a PhaseChangeParameters")
        self.initial_water = water.ravel().copy()
        self.water = water.ravel().copy()
        self.volume = voxel_volume_m3
        self.vaporised_kg = 0.0
        self.latent_J = 0.0
        self.reached = False

    def correct(self, temperature: np.ndarray, rho_c: np.ndarray) -> None:
        """Apply the plateau to ``temperature`` (raveled, K) in place."""
        hot = temperature > self.boiling_K
        if not hot.any():
            return
        self.reached = True
        hot &= self.water > 0
        if not hot.any():
            return
        idx = np.flatnonzero(hot)
        excess = rho_c[idx] * (temperature[idx] - self.boiling_K)  # J/m³
        wanted = excess / self.latent_J_per_kg  # kg/m³ the excess would vaporise
        dry = wanted >= self.water[idx]  # water gone this step: the rest heats the voxel
        mass = np.where(dry, self.water[idx], wanted)
        latent = mass * self.latent_J_per_kg
        self.water[idx] -= mass
        temperature[idx] = np.where(dry, self.boiling_K + (excess - latent) / rho_c[idx], self.boiling_K)
        self.vaporised_kg += float(mass.sum()) * self.volume
        self.latent_J += float(latent.sum()) * self.volume

    def result(self, shape) -> dict:
        return {
            "vaporised_water_kg": self.vaporised_kg,
            "latent_J": self.latent_J,
            "reached_boiling": self.reached,
            "water_kg_per_m3": self.water.reshape(shape),
        }


class _AbsorptionRule:
    """The absorption of the tissue left in each voxel, as a factor on the heat source during a pulse.

    The r–z enthalpy model's rule, by its one function
    (:func:`laserskin.thermal.enthalpy.tissue_absorption_factor`): μa/μa₀ = 1 − s (1 − (w/w₀) g(T)),
    s = min(s_w, 1 − a_d), with s_w the water's share of the voxel's fresh μa (``water_share``: small in a
    melanin- or blood-absorbing voxel, whose absorption drying does not remove), w/w₀ the voxel's water
    left (:class:`_Boiling`), g(T) the bleaching of the water band (``phase_change``), evaluated from the
    state at the start of every step while the light is on (the r–z solver's explicit lag). Where water
    dominates (s_w ≥ 1 − a_d) this is a_d + (1 − a_d)(w/w₀) g(T): a voxel dried to nothing deposits a_d
    of its wet source; one whose absorption is melanin's keeps 1 − s_w of it.

    The departure from the r–z path: the light map stays the Monte Carlo's of the fresh tissue, and each
    voxel absorbs its wet tally × the factor (fluence taken as unchanged, first order in the change of μa;
    the r–z :class:`~laserskin.thermal.enthalpy.FixedSource`). The r–z path of a fractional micro-beam
    re-runs the transport on the dried column's optics before every later sub-pulse (less absorption and
    scattering, a higher index: the light goes deeper). Here the light a dried voxel does not absorb is
    not carried on to the voxels below: it leaves the energy ledger as ``unabsorbed_J`` (not heat), so the
    3-D path lacks the deeper light of a dried column that the r–z path has.

    In the blow-off regime (pulses < 1 µs) the absorption does not follow dehydration during the pulse,
    as in the r–z model. The factor is skipped (exactly 1) while no voxel has lost water and g(T) is
    constant (β = 0): below the boiling point such a run is the linear one, bit for bit. With β ≠ 0 (the
    tabulated water bands near 2 and 3 µm) g(T) acts from the first step, as in the r–z enthalpy stage
    (which the r–z path runs only once its linear run reaches 100 °C).
    """

    def __init__(self, boil: _Boiling, phase_change, water_share: Any = 1.0):
        cite("vogel_venugopalan2003")
        self.boil = boil
        self.p = phase_change
        share = np.asarray(water_share, dtype=np.float64)
        if share.ndim:
            if share.size != boil.water.size:
                raise InputError("water_absorption_share", share.shape, "a scalar or the voxel shape")
            share = share.ravel()
        if not np.all((share >= 0) & (share <= 1)):
            raise InputError("water_absorption_share", float(np.nanmin(share)), "shares in [0, 1] in every voxel")
        self.water_share = share

    def factor(self, temperature_K: np.ndarray) -> np.ndarray | None:
        """μa/μa₀ per voxel (raveled) for the step starting at ``temperature_K``; None where it is 1 everywhere."""
        from laserskin.thermal.enthalpy import tissue_absorption_factor

        p, boil = self.p, self.boil
        water = boil.initial_water if p.regime == "blow_off" else boil.water
        if p.absorption_temperature_coefficient_per_K == 0.0 and (
            water is boil.initial_water or boil.vaporised_kg == 0
        ):
            return None
        return tissue_absorption_factor(water, boil.initial_water, temperature_K, p, self.water_share)
