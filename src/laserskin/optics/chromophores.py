"""Absorption spectra of the skin chromophores, in SI (1/m), from 400 nm to 11 000 nm.

Every function takes the vacuum wavelength in m (a float or an array) and returns the
Napierian absorption coefficient μa in 1/m of the *pure* chromophore (volume fraction 1),
so that a layer's absorption is the volume-weighted sum (Jacques 2013, see
:mod:`laserskin.skin.tissue`). The tables are the CSV files in
``laserskin/data/spectra`` (provenance in their ``SOURCES.md``), read with
:mod:`importlib.resources` and interpolated here.

Sources and splices (each documented in its function):

* water: Segelstein 1981 (log-log interpolation of μa);
* melanosome interior: Jacques 2013, 519·(λ/500 nm)^−3.5 /cm (named alternative shapes,
  normalised at 694 nm: :data:`MELANIN_SPECTRA`);
* oxy-/deoxy-haemoglobin as whole blood (150 g/L): Prahl (omlc) 400–1000 nm, cross-faded
  over 950–1000 nm into Bosschaart et al. 2014 whole blood (to 1995 nm), then Rowe et al.
  2017 whole blood in the mid-IR (one spectrum for both saturations);
* fat: van Veen et al. 2004/2005 (429–1098 nm), extended as documented in :func:`mua_fat_per_m`;
* bloodless skin baseline: Jacques 1998 (omlc "skin optics summary"), 350–1100 nm.

Outside 400–11 000 nm every function raises :class:`~laserskin.core.errors.InputError`
naming the wavelength and the range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from laserskin.core.citations import cite
from laserskin.core.errors import InputError

WAVELENGTH_MIN_M = 400e-9
WAVELENGTH_MAX_M = 11000e-9

HB_MOLAR_MASS_G_PER_MOL = 64500.0
"""Molar mass of haemoglobin (tetramer) used by Prahl's tabulation, g/mol."""
HB_WHOLE_BLOOD_G_PER_L = 150.0
"""Haemoglobin concentration of whole blood assumed by the Jacques mixing model, g/L."""

_PRAHL_TO_BOSSCHAART_NM = (950.0, 1000.0)  # cross-fade window
_BOSSCHAART_END_NM = 1995.0
_OLEIC_K_NOISE_FLOOR = 0.004  # SOURCES.md §7: k noise floor 0.002–0.004


# --- data loading -------------------------------------------------------------------
@cache
def load_spectrum(filename: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Read a shipped spectrum CSV (one header line) from ``laserskin/data/spectra``.

    Parameters
    ----------
    filename : str
        File name, e.g. ``"water_Segelstein1981.csv"``.

    Returns
    -------
    (tuple of str, numpy.ndarray)
        Column names and a read-only float array of shape (rows, columns); the first
        column is the wavelength in nm.
    """
    text = resources.files("laserskin").joinpath("data", "spectra", filename).read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    header = tuple(name.strip() for name in lines[0].split(","))
    data = np.array([[float(x) for x in line.split(",")] for line in lines[1:]], dtype=np.float64)
    data.setflags(write=False)
    return header, data


def _column(filename: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    header, data = load_spectrum(filename)
    return data[:, 0], data[:, header.index(name)]


def check_wavelength(
    wavelength_m, *, field: str = "wavelength", low_m: float = WAVELENGTH_MIN_M, high_m: float = WAVELENGTH_MAX_M
) -> np.ndarray:
    """Return the wavelength as a float array in m; raise if any value is outside ``[low_m, high_m]``.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength(s) in m.
    field : str
        Name used in the error message.
    low_m, high_m : float
        Valid range in m (inclusive).

    Returns
    -------
    numpy.ndarray
        ``np.asarray(wavelength_m, dtype=float)``.

    Raises
    ------
    InputError
        Naming the first offending wavelength (in nm) and the allowed range.
    """
    wl = np.asarray(wavelength_m, dtype=np.float64)
    bad = ~np.isfinite(wl) | (wl < low_m * (1 - 1e-12)) | (wl > high_m * (1 + 1e-12))
    if np.any(bad):
        value = float(wl[bad].flat[0]) if wl.ndim else float(wl)
        shown = f"{value * 1e9:g} nm" if math.isfinite(value) else value
        raise InputError(field, shown, f"a wavelength from {low_m * 1e9:g} nm to {high_m * 1e9:g} nm")
    return wl


def _loglog(x_nm: np.ndarray, xp_nm: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Interpolate a positive spectrum linearly in log(λ)–log(μa)."""
    return np.exp(np.interp(np.log(x_nm), np.log(xp_nm), np.log(fp)))


# --- water --------------------------------------------------------------------------
#: Water absorption (1/m) above which a wavelength counts as strongly water-absorbed and may
#: be used ablatively (100 /cm: optical penetration depth <= 100 µm). The one rule of
#: "ablative": in 400-11000 nm it holds for 1.91-1.96 µm and 2.52-11 µm (Tm, Er:YSGG,
#: Er:YAG, CO2).
ABLATIVE_WATER_MUA_PER_M = 1.0e4


def mua_water_per_m(wavelength_m):
    """Absorption coefficient of pure liquid water, 1/m.

    Segelstein (1981) as tabulated by S. Prahl (``water_Segelstein1981.csv``),
    interpolated linearly in log(λ)–log(μa) (the table is uneven, 3.5–70 nm steps).
    Reference values: 0.151 /cm at 1064 nm, ~31 /cm at 1450 nm, 1.2e4 /cm at 2940 nm,
    ~850 /cm at 10 600 nm.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m, same shape as the input.
    """
    cite("segelstein1981")
    wl = check_wavelength(wavelength_m)
    xp, mua_cm = _column("water_Segelstein1981.csv", "mua_per_cm")
    return 100.0 * _loglog(wl * 1e9, xp, mua_cm)


def water_absorption_share(water_volume_fraction, mua_per_m, wavelength_m, weights=None) -> np.ndarray:
    """Share of a tissue's absorption that is its water's: ``s_w = W μa_water(λ) / μa``, in [0, 1].

    The water term of the Jacques (2013) mixing model (:func:`laserskin.skin.tissue.mixing_mua_per_m`)
    over the tissue's μa at the laser wavelength, whatever made that μa (the mixing model, measured
    optics, an explicit inclusion): the rest is melanin's, haemoglobin's, fat's or the bloodless
    matrix's, which drying does not remove. A μa of 0 counts as all water (1); a μa below the water
    term alone (explicit optics) is capped at 1.

    Parameters
    ----------
    water_volume_fraction : float or array_like (n,)
        Water volume fraction W of each tissue (region, layer or cell).
    mua_per_m : float or array_like (n,), or (k, n) with ``k`` wavelengths
        μa of each tissue at each wavelength, 1/m.
    wavelength_m : float or array_like (k,)
        The laser's wavelength(s), m.
    weights : array_like (k,), optional
        The wavelengths' shares of the laser energy (default equal): the share is
        ``Σ_k q_k W μa_water(λ_k) / Σ_k q_k μa_k`` (exact for one wavelength; for several it takes the
        fluence at the wavelengths as equal).

    Returns
    -------
    numpy.ndarray (n,)
    """
    wl = np.atleast_1d(np.asarray(wavelength_m, dtype=np.float64))
    k = wl.size
    water = np.asarray(water_volume_fraction, dtype=np.float64)
    mua = np.asarray(mua_per_m, dtype=np.float64)
    if k > 1 and (mua.ndim == 0 or mua.shape[0] != k):
        raise InputError("mua_per_m", mua.shape, f"one row per wavelength ({k}, n)")
    mua = mua if k > 1 else mua[None, ...]
    q = np.ones(k) if weights is None else np.asarray(weights, dtype=np.float64)
    if q.shape != wl.shape or np.any(q < 0) or not np.all(np.isfinite(q)) or q.sum() <= 0:
        raise InputError("weights", weights, f"{k} finite weights >= 0, not all 0")
    if np.any(water < 0) or not np.all(np.isfinite(water)):
        raise InputError("water_volume_fraction", water_volume_fraction, "finite fractions >= 0")
    if np.any(mua < 0) or not np.all(np.isfinite(mua)):
        raise InputError("mua_per_m", mua_per_m, "finite absorption coefficients >= 0 1/m")
    water_term = water * float(np.dot(q, mua_water_per_m(wl)))
    total = np.tensordot(q, mua, axes=1)
    shape = np.broadcast_shapes(water_term.shape, total.shape)
    water_term, total = np.broadcast_to(water_term, shape), np.broadcast_to(total, shape)
    share = np.divide(water_term, total, out=np.ones(shape), where=total > 0)
    return np.minimum(share, 1.0)


def n_water(wavelength_m):
    """Real refractive index of liquid water (Segelstein 1981), linear interpolation.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        n (dimensionless).
    """
    cite("segelstein1981")
    wl = check_wavelength(wavelength_m)
    xp, n = _column("water_Segelstein1981.csv", "n")
    return np.interp(wl * 1e9, xp, n)


# --- melanin ------------------------------------------------------------------------
def mua_melanosome_per_m(wavelength_m):
    """Absorption coefficient of the interior of a cutaneous melanosome, 1/m.

    Jacques (2013), Phys. Med. Biol. 58:R37, Eq. 8: μa = 519·(λ/500 nm)^−3.5 /cm
    (51 900 /m at 500 nm). The power law is used over the whole 400–11 000 nm range; above
    ~2 µm melanin is irrelevant next to water (1.1 /cm at 2940 nm against 1.2e4 /cm for water).
    This is the model's melanin spectrum; the named alternative shapes of
    :data:`MELANIN_SPECTRA` are data for comparisons (:func:`melanin_spectrum_ratio`).

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    cite("jacques2013")
    wl = check_wavelength(wavelength_m)
    return 519.0e2 * (wl / 500e-9) ** -3.5


MELANIN_CALIBRATION_WAVELENGTH_M = 694e-9
"""Wavelength at which the epidermal melanin of each Fitzpatrick type is calibrated (ruby, 694 nm:
Norvang et al. 1997's in-vivo epidermal absorption; ``skin_anatomy.toml`` ``[melanin]``)."""


@dataclass(frozen=True)
class MelaninSpectrum:
    """A named spectral shape of the melanosome absorption (data only).

    A set is compared with the model's spectrum (:func:`mua_melanosome_per_m`) **shape-only**:
    :func:`mua_melanin_spectrum_per_m` scales it to the model's melanosome absorption at
    :data:`MELANIN_CALIBRATION_WAVELENGTH_M`, so the melanosome volume fraction of each Fitzpatrick
    type (calibrated at 694 nm on Norvang et al. 1997) keeps its meaning, and only the absorption at
    other wavelengths changes.

    Attributes
    ----------
    name : str
        Key of the set.
    citation : str
        Bibliography key of the shape's source.
    shape : callable
        Relative spectral shape (wavelength in m, an array -> dimensionless array), any normalisation.
    description : str
        The shape and its source, with the confidence tag (V/R/D/U).
    """

    name: str
    citation: str
    shape: Callable[[np.ndarray], np.ndarray]
    description: str


MELANIN_SPECTRA: dict[str, MelaninSpectrum] = {
    s.name: s
    for s in (
        MelaninSpectrum(
            "jacques2013",
            "jacques2013",
            lambda wl: (wl / 500e-9) ** -3.5,
            "519·(λ/500 nm)^−3.5 /cm, Jacques 2013 Phys Med Biol 58:R37 Eq. 8 (V; the model's spectrum)",
        ),
        MelaninSpectrum(
            "jacques1998",
            "jacques1998_melanosome",
            lambda wl: (wl / 1e-9) ** -3.48,
            "λ^−3.48 (1.70e12·λ[nm]^−3.48 /cm for skin), omlc 'Melanosome absorption coefficient' "
            "(Jacques 1998): the shape of an in-vivo optical fibre spectrometer measurement scaled to "
            "melanosome data (V)",
        ),
        MelaninSpectrum(
            "svaasand1995",
            "svaasand1995",
            lambda wl: (694e-9 / wl) ** 3.46,
            "μa,m(694 nm)·(694 nm/λ)^3.46, Svaasand et al. 1995 Lasers Med Sci 10:55, the in-vivo "
            "reflectance model of the Norvang 1997 group (R: as implemented by Bjorgan & Randeberg's "
            "gpudm, MIT, src/melanin.cpp 'SVAASAND'; the paper itself not read)",
        ),
    )
}
"""Named melanosome spectral shapes (data, with citations). The model always uses
:data:`DEFAULT_MELANIN_SPECTRUM` (:func:`mua_melanosome_per_m`); another set enters a run only as
the equivalent melanosome fraction (:func:`melanin_spectrum_ratio`). Sources and tags:
docs/reference/melanin_spectrum.md."""

DEFAULT_MELANIN_SPECTRUM = "jacques2013"
"""The set that :func:`mua_melanosome_per_m` implements."""


def get_melanin_spectrum(name: str) -> MelaninSpectrum:
    """The set ``name`` of :data:`MELANIN_SPECTRA`.

    Raises
    ------
    InputError
        Unknown name (field ``melanin_spectrum``; the error names the known sets).
    """
    if name not in MELANIN_SPECTRA:
        raise InputError("melanin_spectrum", name, "one of " + ", ".join(MELANIN_SPECTRA))
    return MELANIN_SPECTRA[name]


def mua_melanin_spectrum_per_m(wavelength_m, name: str):
    """Melanosome absorption of the set ``name``, normalised to the model's at 694 nm, 1/m.

    μa,name(λ) = μa,model(694 nm)·shape(λ)/shape(694 nm) with μa,model = :func:`mua_melanosome_per_m`;
    for :data:`DEFAULT_MELANIN_SPECTRUM` it *is* :func:`mua_melanosome_per_m` (bit for bit).

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.
    name : str
        A set of :data:`MELANIN_SPECTRA`.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.

    Raises
    ------
    InputError
        Wavelength out of range, or unknown set.
    """
    spectrum = get_melanin_spectrum(name)
    if spectrum.name == DEFAULT_MELANIN_SPECTRUM:
        return mua_melanosome_per_m(wavelength_m)
    wl = check_wavelength(wavelength_m)
    cite(spectrum.citation)
    ref = np.asarray(MELANIN_CALIBRATION_WAVELENGTH_M)
    return mua_melanosome_per_m(ref) * (spectrum.shape(wl) / spectrum.shape(ref))


def melanin_spectrum_ratio(wavelength_m, name: str):
    """μa of the set ``name`` over the model's at ``wavelength_m`` (both normalised at 694 nm).

    Where melanin enters only as f·μa,mel(λ) at one wavelength, using the set ``name`` is the
    model's spectrum with the melanosome volume fraction f multiplied by this ratio (up to the
    bloodless-baseline weight 1 − B − M − F of :class:`laserskin.skin.anatomy.SkinLayer`, which
    moves by (1 − ratio)·M). 1 at 694 nm for every set, exactly 1 everywhere for the default.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.
    name : str
        A set of :data:`MELANIN_SPECTRA`.

    Returns
    -------
    numpy.ndarray
        Dimensionless ratio.
    """
    return mua_melanin_spectrum_per_m(wavelength_m, name) / mua_melanosome_per_m(wavelength_m)


# --- blood --------------------------------------------------------------------------
@cache
def _blood_tables() -> dict[str, np.ndarray]:
    """Oxy/deoxy whole-blood μa (1/cm) on one merged wavelength grid (nm), 400–11000 nm."""
    # Prahl molar extinction (decadic) -> whole blood at 150 g/L
    header, prahl = load_spectrum("hemoglobin_Prahl.csv")
    factor = math.log(10.0) * HB_WHOLE_BLOOD_G_PER_L / HB_MOLAR_MASS_G_PER_MOL
    p_nm = prahl[:, 0]
    p_oxy = factor * prahl[:, header.index("eps_HbO2_per_cm_per_M")]
    p_deo = factor * prahl[:, header.index("eps_Hb_per_cm_per_M")]
    b_nm, b_oxy = _column("blood_whole_Bosschaart2014.csv", "mua_oxy_per_cm")
    _, b_deo = _column("blood_whole_Bosschaart2014.csv", "mua_deoxy_per_cm")
    r_nm, r_mua = _column("blood_whole_Rowe2017_midIR.csv", "mua_per_cm")
    # Rowe: 8 rows near 2.1-2.3 µm have slightly negative k (measurement noise, SOURCES.md §5);
    # they are set to zero there (blood is a B ~ 0.2 % fraction, so this is immaterial).
    r_mua = np.maximum(r_mua, 0.0)

    lo, hi = _PRAHL_TO_BOSSCHAART_NM
    grid_low = p_nm[(p_nm >= 398) & (p_nm <= hi)]
    w = np.clip((grid_low - lo) / (hi - lo), 0.0, 1.0)
    oxy_low = (1 - w) * np.interp(grid_low, p_nm, p_oxy) + w * np.interp(grid_low, b_nm, b_oxy)
    deo_low = (1 - w) * np.interp(grid_low, p_nm, p_deo) + w * np.interp(grid_low, b_nm, b_deo)
    mid = (b_nm > hi) & (b_nm <= _BOSSCHAART_END_NM)
    high = r_nm > _BOSSCHAART_END_NM
    nm = np.concatenate([grid_low, b_nm[mid], r_nm[high]])
    oxy = np.concatenate([oxy_low, b_oxy[mid], r_mua[high]])
    deo = np.concatenate([deo_low, b_deo[mid], r_mua[high]])
    # Rowe ends at 14 987 nm > 11 000 nm, Prahl starts at 250 nm < 400 nm: grid covers the range.
    for array in (nm, oxy, deo):
        array.setflags(write=False)
    return {"nm": nm, "oxy": oxy, "deoxy": deo}


def _mua_blood(wavelength_m, which: str):
    wl = check_wavelength(wavelength_m)
    tables = _blood_tables()
    return 100.0 * np.interp(wl * 1e9, tables["nm"], tables[which])


def mua_oxyblood_per_m(wavelength_m):
    """Absorption coefficient of fully oxygenated whole blood (150 g/L Hb), 1/m.

    * 400–950 nm: Prahl's HbO2 molar extinction ε (omlc), μa = ln(10)·ε·150/64 500 (cm⁻¹).
    * 950–1000 nm: linear cross-fade (weight of Bosschaart rising from 0 to 1) between Prahl
      and Bosschaart et al. (2014) whole blood, because the two differ by ~15 % at 1000 nm
      (5.5 vs 6.4 /cm); the splice is therefore continuous, and the 940 nm diode line stays pure Prahl.
    * 1000–1995 nm: Bosschaart et al. (2014), Lasers Med. Sci. 29:453, literature average for
      whole blood at 45 % haematocrit, SO2 > 98 %. This includes the water of blood (about 80 %
      by volume), so a layer's water term double-counts at most 0.8·B of water absorption
      (0.16 % of the water term for B = 0.2 %).
    * 1995–2000.6 nm: linear interpolation between the two tables; above: Rowe et al. (2017),
      Sci. Rep. 7:7356, whole blood (one spectrum for all saturations; negative noise
      values at 2.1–2.3 µm set to 0).

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    cite("prahl_hemoglobin", "bosschaart2014", "rowe2017")
    return _mua_blood(wavelength_m, "oxy")


def mua_deoxyblood_per_m(wavelength_m):
    """Absorption coefficient of fully deoxygenated whole blood (150 g/L Hb), 1/m.

    Same sources and splices as :func:`mua_oxyblood_per_m` (Prahl Hb; Bosschaart et al. 2014
    SO2 = 0 above 1000 nm; Rowe et al. 2017 above 1995 nm).

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    cite("prahl_hemoglobin", "bosschaart2014", "rowe2017")
    return _mua_blood(wavelength_m, "deoxy")


# --- fat ----------------------------------------------------------------------------
@cache
def _oleic_excess() -> tuple[np.ndarray, np.ndarray]:
    nm, mua_cm = _column("lipid_proxy_oleic_acid_McGinty2009_midIR.csv", "mua_per_cm")
    floor_cm = 4.0 * math.pi * _OLEIC_K_NOISE_FLOOR / (nm * 1e-7)
    excess = mua_cm - floor_cm
    excess.setflags(write=False)
    return nm, excess


def mua_fat_per_m(wavelength_m):
    """Absorption coefficient of mammalian fat (lipid), 1/m.

    * 429–1098 nm: van Veen et al. (2004/2005), purified pig lard (omlc tabulation), linear
      interpolation.
    * 400–429 nm: held at the 429 nm value (0.083 /cm), an assumption (no data).
    * above 1098 nm: no tabulated tissue-lipid spectrum is shipped (physics_data §1.7 gap; the
      1210 and 1720 nm lipid bands are therefore **missing**). The model uses the constant
      1098 nm value (0.049 /cm) as a baseline and, above 2 µm, adds the oleic-acid proxy of
      McGinty et al. (2009) only where it exceeds that data set's noise floor
      (k = 0.004, i.e. μa,floor = 4πk/λ): μa = 0.049/cm + max(μa,oleic − μa,floor, 0).
      This keeps the strong C–H (3.4 µm), C=O (5.8 µm) and 6.8–9 µm bands and discards the
      unreliable windows; the result is continuous.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    cite("vanveen2005", "mcginty2009")
    wl = check_wavelength(wavelength_m)
    nm = wl * 1e9
    f_nm, f_cm = _column("fat_vanVeen2004.csv", "mua_per_cm")
    base_cm = np.interp(nm, f_nm, f_cm)  # constant beyond both ends
    o_nm, o_excess = _oleic_excess()
    excess = np.where(nm >= o_nm[0], np.interp(nm, o_nm, o_excess, left=0.0, right=0.0), 0.0)
    return 100.0 * (base_cm + np.maximum(excess, 0.0))


# --- dry matrix (protein) at the CO2 lines --------------------------------------------
#: Water volume fraction of whole blood (R: ≈ 0.85 for 45 % haematocrit; plasma ≈ 0.92, red cells ≈ 0.65).
BLOOD_WATER_VOLUME_FRACTION = 0.85
#: Band in which :func:`mua_dry_matrix_per_m` is defined (the CO2 laser lines 9.2–10.8 µm), m.
DRY_MATRIX_BAND_M = (9.0e-6, 11.0e-6)


def mua_dry_matrix_per_m(wavelength_m, blood_water_fraction: float = BLOOD_WATER_VOLUME_FRACTION):
    """Absorption of the non-water (protein) matter of tissue per unit of its volume at 9–11 µm, 1/m (D).

    Derived from the whole-blood spectrum that ships with laserskin (Rowe et al. 2017, ``rowe2017``): blood
    is water (volume fraction ``W_b``, R ≈ 0.85) plus protein, so ``μa,matrix = (μa,blood − W_b μa,water) /
    (1 − W_b)``. At 10 600 nm: (837 − 0.85 × 847) / 0.15 ≈ 780 /cm ≈ 0.92 × water (0.90–0.93 for W_b
    0.83–0.87): the protein absorbs about as strongly as water per volume, so the dermis's matrix (≈ 35 %)
    adds ≈ 270 /cm to its water's 551 /cm (docs/tissue_physics.md, "CO2 removal enthalpy"). Only the CO2
    band (:data:`DRY_MATRIX_BAND_M`) is returned, 0 elsewhere: the subtraction of two nearly equal spectra is
    meaningful only where neither dominates by orders of magnitude, and it is sensitive to the blood's water
    fraction and to bound-water band shifts. Not part of the mixing model
    (:func:`laserskin.skin.tissue.mixing_mua_per_m`) yet: alone it lowers the CO2 ablation threshold to
    ≈ 3 J/cm²; with the removal enthalpy of :class:`laserskin.thermal.enthalpy.PhaseChangeParameters` it keeps
    ≈ 5 J/cm² (measured, see the docs).

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.
    blood_water_fraction : float
        Water volume fraction of whole blood, in (0, 1).

    Returns
    -------
    numpy.ndarray
        μa in 1/m (0 outside 9–11 µm).
    """
    cite("rowe2017", "segelstein1981")
    if not (0.0 < blood_water_fraction < 1.0):
        raise InputError("blood_water_fraction", blood_water_fraction, "a fraction in (0, 1)")
    wl = check_wavelength(wavelength_m)
    lo, hi = DRY_MATRIX_BAND_M
    band = (wl >= lo) & (wl <= hi)
    matrix = (mua_oxyblood_per_m(wl) - blood_water_fraction * mua_water_per_m(wl)) / (1.0 - blood_water_fraction)
    return np.where(band, np.maximum(matrix, 0.0), 0.0)


# --- bloodless baseline -------------------------------------------------------------
def mua_baseline_per_m(wavelength_m, *, include_constant: bool = True):
    """Bloodless skin baseline absorption (Jacques 1998), 1/m.

    μa,base = 0.244 + 85.3·exp(−(λ[nm] − 154)/66.2) cm⁻¹, fitted to bloodless rat skin over
    350–1100 nm (omlc "skin optics summary", 1998). Above 1100 nm the exponential term is below
    1e-4 /cm (5e-5 /cm at 1100 nm) and keeps falling, so the extension is immaterial; the mixing model in
    :mod:`laserskin.skin.tissue` uses only the exponential (non-water) term
    (``include_constant=False``), because water is counted explicitly there and the 0.244 /cm
    constant is of the order of the water absorption of tissue at 900–1100 nm.

    Parameters
    ----------
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400 nm to 11 000 nm.
    include_constant : bool
        Include the 0.244 /cm constant (the published form) or not.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    cite("jacques1998")
    wl = check_wavelength(wavelength_m)
    nm = wl * 1e9
    mua_cm = 85.3 * np.exp(-(nm - 154.0) / 66.2)
    if include_constant:
        mua_cm = mua_cm + 0.244
    return 100.0 * mua_cm


CHROMOPHORES = {
    "oxyblood": mua_oxyblood_per_m,
    "deoxyblood": mua_deoxyblood_per_m,
    "water": mua_water_per_m,
    "fat": mua_fat_per_m,
    "melanosome": mua_melanosome_per_m,
    "baseline": mua_baseline_per_m,
}
"""Name -> spectrum function (wavelength_m -> μa in 1/m)."""
