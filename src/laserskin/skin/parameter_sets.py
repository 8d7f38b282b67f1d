"""Named, cited parameter sets of the skin model, stored as TOML data.

Files in ``laserskin/data/parameters`` (read with :mod:`importlib.resources`):

* ``skin_scattering_<name>.toml`` — optical parameter sets selectable by name
  (:func:`available_scattering_sets`): ``jacques2013`` (mcxyz/MCmatlab skin set, Jacques 2013)
  and ``salomatina2006`` (measured ex-vivo human skin, Salomatina et al. 2006);
* ``skin_anatomy.toml`` — thicknesses by site/sex, ageing, composition, melanin by
  Fitzpatrick type, collagen;
* ``skin_thermal_jiang2002.toml`` — thermal properties (Jiang et al. 2002, Burns 28:713);
* ``skin_refractive_index.toml`` — refractive index per layer (Ding et al. 2006, Matiatou et
  al. 2021, Lister et al. 2012).

Each set carries ``source``, ``doi`` and ``confidence`` and names a ``citation`` key of the bibliography (``data/bibliography.toml``), cited when the set is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from laserskin.core.data import load_parameters
from laserskin.core.errors import InputError

LAYER_NAMES: tuple[str, ...] = (
    "stratum_corneum",
    "living_epidermis",
    "papillary_dermis",
    "reticular_dermis",
    "subcutis",
)
"""The five layers of the skin model, from the surface down."""

_SCATTERING_PREFIX = "skin_scattering_"


def _parameters_dir():
    return resources.files("laserskin").joinpath("data", "parameters")


def load_parameter_file(filename: str) -> dict[str, Any]:
    """Parse a TOML file of ``laserskin/data/parameters`` (cached; do not mutate the result).

    Parameters
    ----------
    filename : str
        File name, e.g. ``"skin_anatomy.toml"``.

    Returns
    -------
    dict
        The parsed TOML document (through :func:`laserskin.core.data.load_parameters`).
    """
    return dict(load_parameters(filename.removesuffix(".toml")))


def available_scattering_sets() -> list[str]:
    """Names of the optical (scattering) parameter sets shipped as data, sorted.

    Returns
    -------
    list of str
        e.g. ``["jacques2013", "salomatina2006"]``.
    """
    names = []
    for entry in _parameters_dir().iterdir():
        name = entry.name
        if name.startswith(_SCATTERING_PREFIX) and name.endswith(".toml"):
            names.append(name[len(_SCATTERING_PREFIX) : -len(".toml")])
    return sorted(names)


def optical_set_text(name: str) -> str:
    """The optical parameter set ``name`` in words: its TOML's ``label`` (what it sets: ``salomatina2006`` carries its
    own measured, excised-tissue absorption as well as its scattering; QA11 F-J); an unknown set by its name. The one
    source of these words for the plan JSON, the report and ``laserskin optics --help``."""
    if name not in available_scattering_sets():
        return f"the optical parameter set {name}"
    return str(load_parameter_file(f"{_SCATTERING_PREFIX}{name}.toml")["set"]["label"])


@dataclass(frozen=True)
class ScatteringSet:
    """An optical parameter set: per-layer scattering law (or measured data) and g model.

    Attributes
    ----------
    name : str
        Set name (as passed to ``tissue_at(..., scattering=name)``).
    absorption : {"mixing", "measured"}
        ``"mixing"``: μa from the chromophore mixing model; ``"measured"``: μa from the data file.
    wavelength_min_m, wavelength_max_m : float
        Valid wavelength range of the set in m.
    layers : dict
        Per-layer table from the TOML file (``a_prime_per_cm``, ``f_ray``, ``b_mie``, ``g`` or
        ``file``, ``g``).
    source, doi, confidence : str
        Provenance.
    melanin_reference_fraction : float or None
        Melanosome volume fraction assumed for measured epidermal samples.
    """

    name: str
    absorption: str
    wavelength_min_m: float
    wavelength_max_m: float
    layers: dict[str, dict[str, Any]]
    source: str
    doi: str
    confidence: str
    melanin_reference_fraction: float | None = None
    citation: str = ""


@cache
def get_scattering_set(name: str) -> ScatteringSet:
    """Load the optical parameter set ``name``.

    Parameters
    ----------
    name : str
        One of :func:`available_scattering_sets`.

    Returns
    -------
    ScatteringSet

    Raises
    ------
    InputError
        For an unknown name (the message lists the available sets).
    """
    available = available_scattering_sets()
    if name not in available:
        raise InputError("scattering", name, f"one of {', '.join(available)}")
    data = load_parameter_file(f"{_SCATTERING_PREFIX}{name}.toml")
    meta = data["set"]
    missing = [layer for layer in LAYER_NAMES if layer not in data.get("layers", {})]
    if missing:  # a data-file error, not user input
        raise ValueError(f"parameter set {name!r} lacks layers {missing}")
    if meta["absorption"] not in ("mixing", "measured"):
        raise ValueError(f"parameter set {name!r}: absorption must be 'mixing' or 'measured'")
    return ScatteringSet(
        name=name,
        absorption=meta["absorption"],
        wavelength_min_m=float(meta["wavelength_min_nm"]) * 1e-9,
        wavelength_max_m=float(meta["wavelength_max_nm"]) * 1e-9,
        layers={k: dict(v) for k, v in data["layers"].items()},
        source=meta["source"],
        doi=meta.get("doi", ""),
        confidence=meta.get("confidence", ""),
        melanin_reference_fraction=meta.get("melanin_reference_fraction"),
        citation=meta["citation"],
    )


def anatomy_data() -> dict[str, Any]:
    """The parsed ``skin_anatomy.toml`` (see that file for sources and confidence tags)."""
    return load_parameter_file("skin_anatomy.toml")


def thermal_data() -> dict[str, Any]:
    """The parsed ``skin_thermal_jiang2002.toml`` (Jiang et al. 2002, Burns 28:713-717)."""
    data = load_parameter_file("skin_thermal_jiang2002.toml")
    return data


def refractive_index_data() -> dict[str, Any]:
    """The parsed ``skin_refractive_index.toml``."""
    return load_parameter_file("skin_refractive_index.toml")
