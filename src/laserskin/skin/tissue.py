"""Layer optics (μa, μs, g, n) and thermal properties of a person's skin at one wavelength.

Absorption — mixing model of Jacques (2013, Phys. Med. Biol. 58:R37, §"generic tissue"):

    μa = B·S·μa,oxy + B·(1−S)·μa,deoxy + W·μa,water + F·μa,fat + M·μa,mel + β·μa,base

with blood fraction B, saturation S, water W, fat F and melanosome fraction M of the layer
(:mod:`laserskin.skin.anatomy`), spectra from :mod:`laserskin.optics.chromophores`, and the
bloodless-tissue baseline of Jacques (1998) weighted by β = 1 − B − M − F (its
wavelength-dependent term only; see :func:`~laserskin.optics.chromophores.mua_baseline_per_m`).
Parameter sets with ``absorption = "measured"`` (Salomatina et al. 2006) use measured μa instead.

Scattering — the reduced scattering law of Jacques (2013):

    μs' = a'·[f_Ray·(λ/500 nm)^−4 + (1 − f_Ray)·(λ/500 nm)^−b_Mie],   μs = μs'/(1 − g)

with a', f_Ray, b_Mie from a named parameter set (:func:`available_scattering_sets`), or
measured μs' (Salomatina 2006).

Anisotropy — ``"vangemert1989"``: g = 0.62 + 0.29×10⁻³·λ[nm] (van Gemert et al. 1989, IEEE
TBME 36:1146; measured 302–633 nm), continued linearly until it reaches 0.90 at 966 nm and
held at 0.90 above (the NIR value of the mcxyz skin set). So g = 0.74 at 400 nm, 0.80 at
633 nm, 0.84 at 755 nm, 0.90 from 966 nm on. A number in the set fixes g.

Refractive index — Ding et al. (2006) Cauchy fits for epidermis and dermis (325–1557 nm),
Matiatou et al. (2021) for the subcutis (450–1551 nm), 1.50 for the stratum corneum
(Lister et al. 2012). Above the fits' ranges (mid-IR: 2940, 10 600 nm) the layer index
follows the dispersion of the water it contains,
``n(λ) = n(λ_max) + W·(n_water(λ) − n_water(λ_max))`` (Segelstein 1981 water; an assumption):
e.g. dermis (W = 0.65) 1.349 at 2940 nm and 1.272 at 10 600 nm.

Every optical and thermal value can be overridden per layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, ValidationError

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import to_si, ureg
from laserskin.optics import chromophores as chrom
from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.skin.anatomy import SkinLayer, SkinModel, skin_layers
from laserskin.skin.parameter_sets import (
    LAYER_NAMES,
    ScatteringSet,
    get_scattering_set,
    refractive_index_data,
)
from laserskin.skin.person import Person

G_NIR = 0.90
"""Anisotropy held constant above 966 nm (mcxyz NIR value)."""


# --- optical sub-models (vectorised over wavelength) ------------------------------------
def mixing_mua_per_m(layer: SkinLayer, wavelength_m):
    """Absorption coefficient of a layer by the Jacques (2013) mixing model, 1/m.

    At the CO2 lines (9–11 µm) the non-water volume ``1 − W − B − F`` (the protein matrix) adds its own absorption,
    ≈ 0.92 × water per volume (:func:`laserskin.optics.chromophores.mua_dry_matrix_per_m`, derived from the Rowe 2017
    blood spectrum): dermis ≈ 820 /cm instead of the water-only 551 /cm (docs/tissue_physics.md, "CO2 removal
    enthalpy").

    Parameters
    ----------
    layer : SkinLayer
        Composition (volume fractions B, S, W, F, M and the baseline weight).
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400–11 000 nm.

    Returns
    -------
    numpy.ndarray
        μa in 1/m.
    """
    wl = chrom.check_wavelength(wavelength_m)
    B, S = layer.blood_fraction, layer.saturation
    mua = (
        B * S * chrom.mua_oxyblood_per_m(wl)
        + B * (1.0 - S) * chrom.mua_deoxyblood_per_m(wl)
        + layer.water_fraction * chrom.mua_water_per_m(wl)
        + layer.fat_fraction * chrom.mua_fat_per_m(wl)
        + layer.melanin_fraction * chrom.mua_melanosome_per_m(wl)
        + layer.baseline_weight * chrom.mua_baseline_per_m(wl, include_constant=False)
        + max(0.0, 1.0 - layer.water_fraction - layer.blood_fraction - layer.fat_fraction)
        * chrom.mua_dry_matrix_per_m(wl)
    )
    return mua


def reduced_scattering_per_m(a_prime_per_cm: float, f_ray: float, b_mie: float, wavelength_m):
    """Reduced scattering coefficient μs' by the Jacques (2013) Rayleigh + Mie power law, 1/m.

    Parameters
    ----------
    a_prime_per_cm : float
        μs' at 500 nm in 1/cm (field convention of the sets).
    f_ray : float
        Rayleigh fraction at 500 nm (0–1).
    b_mie : float
        Mie scattering power (dimensionless).
    wavelength_m : float or array_like
        Vacuum wavelength in m.

    Returns
    -------
    numpy.ndarray
        μs' in 1/m.
    """
    x = np.asarray(wavelength_m, dtype=np.float64) / 500e-9
    return 100.0 * a_prime_per_cm * (f_ray * x**-4.0 + (1.0 - f_ray) * x ** (-b_mie))


def anisotropy(spec: float | str, wavelength_m):
    """Scattering anisotropy g.

    Parameters
    ----------
    spec : float or "vangemert1989"
        A constant g, or the van Gemert et al. (1989) law continued to 0.90 (module docstring).
    wavelength_m : float or array_like
        Vacuum wavelength in m.

    Returns
    -------
    numpy.ndarray
        g (dimensionless).
    """
    cite("vangemert1989")
    wl_nm = np.asarray(wavelength_m, dtype=np.float64) * 1e9
    if isinstance(spec, str):
        if spec != "vangemert1989":
            raise ValueError(f"unknown anisotropy model {spec!r}")
        return np.minimum(0.62 + 0.29e-3 * wl_nm, G_NIR)
    return np.full_like(wl_nm, float(spec))


def refractive_index(layer_name: str, wavelength_m, water_fraction: float):
    """Refractive index of a skin layer (Ding 2006, Matiatou 2021, Lister 2012; water-like in the mid-IR).

    Parameters
    ----------
    layer_name : str
        One of the five layer names.
    wavelength_m : float or array_like
        Vacuum wavelength in m, 400–11 000 nm.
    water_fraction : float
        Water volume fraction of the layer (weights the water dispersion above the fit's range).

    Returns
    -------
    numpy.ndarray
        n (dimensionless).
    """
    wl = chrom.check_wavelength(wavelength_m)
    spec = refractive_index_data()["layers"][layer_name]
    max_nm = float(spec["max_nm"])

    def fit(nm):
        if spec["model"] == "constant":
            return np.full_like(nm, float(spec["n"]))
        return spec["A0"] + spec["A1"] / nm**2 + spec["A2"] / nm**4

    nm = wl * 1e9
    inside = fit(np.minimum(nm, max_nm))
    water_shift = chrom.n_water(np.maximum(wl, max_nm * 1e-9)) - chrom.n_water(max_nm * 1e-9)
    return np.where(nm <= max_nm, inside, inside + water_fraction * water_shift)


def _measured(filename: str, wavelength_m) -> tuple[np.ndarray, np.ndarray]:
    header, data = chrom.load_spectrum(filename)
    nm = np.asarray(wavelength_m, dtype=np.float64) * 1e9
    mua = np.interp(nm, data[:, 0], data[:, header.index("mua_per_cm")]) * 100.0
    musp = np.interp(nm, data[:, 0], data[:, header.index("musp_per_cm")]) * 100.0
    return mua, musp


def layer_optics(
    layer: SkinLayer, wavelength_m, scattering: str | ScatteringSet = "jacques2013"
) -> dict[str, np.ndarray]:
    """μa, μs, μs', g and n of one layer (vectorised over wavelength).

    Parameters
    ----------
    layer : SkinLayer
        The layer (its ``name`` selects the set's entry and refractive index model).
    wavelength_m : float or array_like
        Vacuum wavelength in m.
    scattering : str or ScatteringSet
        Parameter set name (see :func:`available_scattering_sets`).

    Returns
    -------
    dict
        ``mua_per_m``, ``mus_per_m``, ``musp_per_m`` (1/m), ``g``, ``n`` (dimensionless) arrays.

    Raises
    ------
    InputError
        Wavelength outside 400–11 000 nm or outside the set's range; unknown set.
    """
    pset = scattering if isinstance(scattering, ScatteringSet) else get_scattering_set(scattering)
    cite(pset.citation, "ding2006", "matiatou2021", "lister2012")
    wl = chrom.check_wavelength(wavelength_m)
    chrom.check_wavelength(
        wl, field=f"wavelength (scattering set {pset.name})", low_m=pset.wavelength_min_m, high_m=pset.wavelength_max_m
    )
    entry = pset.layers[layer.name]
    g = anisotropy(entry.get("g", "vangemert1989"), wl)
    if pset.absorption == "measured":
        mua, musp = _measured(entry["file"], wl)
        if layer.name == "living_epidermis" and pset.melanin_reference_fraction is not None:
            excess = max(layer.melanin_fraction - pset.melanin_reference_fraction, 0.0)
            mua = mua + excess * chrom.mua_melanosome_per_m(wl)
    else:
        mua = mixing_mua_per_m(layer, wl)
        musp = reduced_scattering_per_m(entry["a_prime_per_cm"], entry["f_ray"], entry["b_mie"], wl)
    n = refractive_index(layer.name, wl, layer.water_fraction)
    return {"mua_per_m": mua, "mus_per_m": musp / (1.0 - g), "musp_per_m": musp, "g": g, "n": n}


# --- the Tissue ------------------------------------------------------------------------
class TissueLayer(InputModel):
    """One layer at one wavelength: optics (SI) and thermal properties."""

    name: str
    thickness_m: float = Field(gt=0.0)
    mua_per_m: float = Field(ge=0.0)
    mus_per_m: float = Field(ge=0.0)
    g: float = Field(gt=-1.0, lt=1.0)
    n: float = Field(ge=1.0, le=4.0)
    k_W_per_mK: float = Field(gt=0.0)
    density_kg_per_m3: float = Field(gt=0.0)
    specific_heat_J_per_kgK: float = Field(gt=0.0)
    perfusion_per_s: float = Field(ge=0.0)

    @property
    def musp_per_m(self) -> float:
        """Reduced scattering coefficient μs(1 − g), 1/m."""
        return self.mus_per_m * (1.0 - self.g)


class Tissue(InputModel):
    """A person's skin at one wavelength: per-layer optics and thermal properties.

    Attributes
    ----------
    wavelength_m : float
        Vacuum wavelength, m.
    scattering : str
        Name of the optical parameter set used.
    layers : tuple of TissueLayer
        From the surface down.
    skin : SkinModel
        The layered skin it was computed from (composition, blood and core properties).
    """

    wavelength_m: float = Field(gt=0.0)
    scattering: str
    layers: tuple[TissueLayer, ...] = Field(min_length=1)
    skin: SkinModel

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def optical_stack(self, n_above: float = 1.0) -> LayerStack:
        """The layers as a :class:`~laserskin.optics.layers.LayerStack` for light transport.

        Parameters
        ----------
        n_above : float
            Refractive index of the medium above the skin (1.0 air; ~1.76 a sapphire window).

        Returns
        -------
        LayerStack
            Named finite layers; ``n_below`` equals the subcutis index, so light leaving the
            bottom continues into (index-matched) deeper tissue instead of reflecting.
        """
        layers = tuple(
            OpticalLayer(
                name=l.name,
                n=l.n,
                mua_per_m=ureg.Quantity(l.mua_per_m, "1/m"),
                mus_per_m=ureg.Quantity(l.mus_per_m, "1/m"),
                g=l.g,
                thickness_m=ureg.Quantity(l.thickness_m, "m"),
            )
            for l in self.layers
        )
        return LayerStack(layers=layers, n_above=n_above, n_below=self.layers[-1].n)

    def thermal_properties(self) -> dict[str, np.ndarray]:
        """Per-layer thermal property arrays (SI), surface first.

        Returns
        -------
        dict
            ``k_W_per_mK``, ``density_kg_per_m3``, ``specific_heat_J_per_kgK``, ``perfusion_per_s``
            and ``thickness_m`` arrays of length n_layers.
        """
        keys = ("k_W_per_mK", "density_kg_per_m3", "specific_heat_J_per_kgK", "perfusion_per_s", "thickness_m")
        return {key: np.array([getattr(l, key) for l in self.layers], dtype=np.float64) for key in keys}


_OPTICAL_OVERRIDES = frozenset({"mua_per_m", "mus_per_m", "g", "n"})


def tissue_at(
    person_or_skin: Person | SkinModel | Mapping[str, Any],
    wavelength_m: float,
    scattering: str = "jacques2013",
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> Tissue:
    """Optical and thermal properties of every layer at one wavelength.

    Parameters
    ----------
    person_or_skin : Person, SkinModel or mapping
        A person (its skin is derived with :func:`~laserskin.skin.anatomy.skin_layers`), a
        ready :class:`SkinModel`, or a ``[person]`` mapping.
    wavelength_m : float
        Vacuum wavelength in m (400–11 000 nm; the set may be narrower).
    scattering : str
        Optical parameter set name (:func:`available_scattering_sets`).
    overrides : mapping, optional
        Per-layer overrides of the computed ``mua_per_m``, ``mus_per_m`` (1/m), ``g`` or ``n``,
        e.g. ``{"living_epidermis": {"g": 0.8}}``.

    Returns
    -------
    Tissue

    Raises
    ------
    InputError
        Bad wavelength, unknown set, unknown layer/field in ``overrides`` or an invalid value.
    """
    skin = person_or_skin if isinstance(person_or_skin, SkinModel) else skin_layers(person_or_skin)
    if isinstance(wavelength_m, str) or hasattr(wavelength_m, "units"):  # "1064 nm" or a pint quantity
        wavelength_m = to_si(wavelength_m, "m", field="wavelength", display="nm")
    wavelength_array = np.asarray(wavelength_m, dtype=np.float64)
    if wavelength_array.ndim != 0:
        raise InputError("wavelength", wavelength_m, "a single wavelength (use layer_optics for spectra)")
    wavelength = float(wavelength_array)
    pset = get_scattering_set(scattering)
    overrides = dict(overrides or {})
    for layer_name, fields in overrides.items():
        if layer_name not in skin.names:
            raise InputError("overrides", layer_name, f"a layer name: one of {', '.join(skin.names)}")
        for field in fields:
            if field not in _OPTICAL_OVERRIDES:
                raise InputError(f"overrides.{layer_name}", field, f"one of {', '.join(sorted(_OPTICAL_OVERRIDES))}")
    layers = []
    for layer in skin.layers:
        optics = layer_optics(layer, wavelength, pset)
        values = {
            "name": layer.name,
            "thickness_m": layer.thickness_m,
            "mua_per_m": float(optics["mua_per_m"]),
            "mus_per_m": float(optics["mus_per_m"]),
            "g": float(optics["g"]),
            "n": float(optics["n"]),
            "k_W_per_mK": layer.k_W_per_mK,
            "density_kg_per_m3": layer.density_kg_per_m3,
            "specific_heat_J_per_kgK": layer.specific_heat_J_per_kgK,
            "perfusion_per_s": layer.perfusion_per_s,
        }
        values.update(overrides.get(layer.name, {}))
        try:
            layers.append(TissueLayer.model_validate(values))
        except ValidationError as error:
            raise InputError.from_validation(error, f"overrides.{layer.name}") from None
    return Tissue(wavelength_m=wavelength, scattering=pset.name, layers=tuple(layers), skin=skin)


def optics_table(
    person: Person | SkinModel | Mapping[str, Any], wavelength_m: float, scattering: str = "jacques2013"
) -> list[dict[str, Any]]:
    """The layer table printed by ``laserskin optics`` (field units: µm and 1/cm).

    Parameters
    ----------
    person : Person, SkinModel or mapping
    wavelength_m : float
        Vacuum wavelength in m.
    scattering : str
        Optical parameter set name.

    Returns
    -------
    list of dict
        One row per layer, surface first, with keys ``name``, ``thickness_um``, ``mua_per_cm``,
        ``mus_per_cm``, ``musp_per_cm``, ``g``, ``n`` (plain floats).
    """
    tissue = tissue_at(person, wavelength_m, scattering=scattering)
    return [
        {
            "name": l.name,
            "thickness_um": l.thickness_m * 1e6,
            "mua_per_cm": l.mua_per_m / 100.0,
            "mus_per_cm": l.mus_per_m / 100.0,
            "musp_per_cm": l.musp_per_m / 100.0,
            "g": l.g,
            "n": l.n,
        }
        for l in tissue.layers
    ]


__all__ = [
    "LAYER_NAMES",
    "Tissue",
    "TissueLayer",
    "anisotropy",
    "layer_optics",
    "mixing_mua_per_m",
    "optics_table",
    "reduced_scattering_per_m",
    "refractive_index",
    "tissue_at",
]
