"""From a person to a layered skin: thickness, composition and thermal properties per layer.

Five layers from the surface down: stratum corneum, living epidermis, papillary dermis,
reticular dermis and a finite subcutis. All numbers live in
``laserskin/data/parameters/skin_anatomy.toml`` and ``skin_thermal_jiang2002.toml`` with
their sources and confidence tags; the rules that combine them are here.

Thickness model
---------------
``d(site, sex, age) = d_ref(site, sex) · (1 − r)^((age − 25 y)/10 y)``

* ``d_ref``: young-adult (reference age 25 y) values per site. Facial dermis is the full-skin
  thickness of a 50 MHz high-frequency-ultrasound study of 20–29-year-olds (F/M forehead
  1.86/2.45 mm, cheek 1.90/2.53 mm, eyelid 1.24/1.44 mm) minus the epidermis; forearm
  stratum corneum (18.3 µm) and cellular epidermis (56.6 µm) from Sandby-Møller et al.
  (2003, Acta Derm Venereol 83:410); facial epidermis within Chopra et al. (2015, Aesthet
  Surg J 35:1007, 29.6–62.6 µm); other values within the ranges of the Selçuk histology
  study, Meng et al. (2022, BMC Med Imaging 22:113) and the Meglinski & Matcher (2002,
  Physiol Meas 23:741) template. Men's living epidermis is ×1.10 (Sandby-Møller 2003:
  thicker in men; magnitude assumed).
* ageing ``r``: Branchet et al. (1990, Gerontology 36:28): epidermis −7.2 %/decade (men),
  −5.7 %/decade (women), dermis −6 %/decade; compounded per decade (an assumption that
  keeps thickness positive up to 100 y). Gambichler et al. (2006) found epidermal thinning
  with age at all sites; Sandby-Møller (2003) found none — the Branchet rates are used.
  The stratum corneum is not aged.
* papillary dermis = 13 % of the dermis (Meglinski & Matcher 2002 template), reticular the rest.
* subcutis: a finite, site-dependent thickness (1.5–10 mm; 6 mm cheek as Meglinski &
  Matcher 2002, 10 mm abdomen as Jiang et al. 2002; otherwise assumed).

Collagen model
--------------
Dermal collagen content per unit area falls ≈1 %/yr through adult life (Shuster, Black &
McVitie 1975, Br J Dermatol 93:639), compounded from age 25; the collagen *volume fraction*
is that content divided by the (also thinning) dermal thickness, then reduced by 10 % per
photoaging grade (direction: Fisher et al. 2002, Arch Dermatol 138:1462; magnitude assumed).

Melanin
-------
Epidermal melanosome volume fraction by Fitzpatrick type, calibrated to the in-vivo
epidermal melanin absorption at 694 nm (Norvang et al. 1997, Lasers Med Sci 12:99: ~25 cm⁻¹
for African skin, 3–12 cm⁻¹ for Caucasian and Asian skin) with the Jacques (2013) melanosome
spectrum (164.6 cm⁻¹ at 694 nm): I 2.0 %, II 3.5 %, III 5.5 %, IV 8.0 %, V 11 %, VI 15 %
(24.7 cm⁻¹ at 694 nm). The earlier convention (geometric midpoints of physics_data.md §1.4,
V 20 %, VI 32.8 %) gave 33 and 54 cm⁻¹, 1.3–2.2× the in-vivo values. Overridable with
``Person.melanin_fraction``; :func:`melanin_range_for` gives the plausible range within a
type. Only the living epidermis carries melanin; the stratum corneum is taken melanin-free.
These values are for sun-exposed skin (face, neck, forearm). At sun-protected sites (the
abdomen) types I–IV carry less melanin (facultative pigmentation): Norvang et al. (1997) found
ruby-laser hypopigmentation at 12 J/cm² on sun-exposed and 26 J/cm² on sun-protected white
skin, i.e. μa,epi(protected)/μa,epi(exposed) = 12/26 = 0.46 (``skin_anatomy.toml``
``[sun_protected]``; D). Types V–VI are constitutively dark and keep their value (U).

Thermal properties (Jiang et al. 2002, Burns 28:713): epidermis values for both epidermal
layers, dermis for both dermal layers, subcutaneous fat for the subcutis; blood
ρ = 1060 kg/m³, c = 3770 J/(kg K); arterial temperature 37 °C.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError, model_validator

from laserskin.core.citations import cite
from laserskin.core.constants import CORE_TEMPERATURE_K
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.skin.parameter_sets import LAYER_NAMES, anatomy_data, thermal_data
from laserskin.skin.person import Person


class SkinLayer(InputModel):
    """One skin layer: geometry, chromophore volume fractions, collagen and thermal properties.

    All fractions are volume fractions (0–1); SI units as named.
    ``baseline_fraction`` weights the bloodless-tissue baseline absorption (Jacques 1998);
    by default it is ``1 − blood − melanin − fat``.
    """

    name: str
    thickness_m: float = Field(gt=0.0, description="layer thickness, m")
    blood_fraction: float = Field(ge=0.0, le=1.0)
    saturation: float = Field(ge=0.0, le=1.0, description="blood O2 saturation")
    water_fraction: float = Field(ge=0.0, le=1.0)
    fat_fraction: float = Field(ge=0.0, le=1.0)
    melanin_fraction: float = Field(ge=0.0, le=1.0, description="melanosome volume fraction")
    collagen_fraction: float = Field(ge=0.0, le=1.0)
    baseline_fraction: float | None = Field(default=None, ge=0.0, le=1.0)
    k_W_per_mK: float = Field(gt=0.0, description="thermal conductivity, W/(m K)")
    density_kg_per_m3: float = Field(gt=0.0)
    specific_heat_J_per_kgK: float = Field(gt=0.0)
    perfusion_per_s: float = Field(ge=0.0, description="blood perfusion rate, (m^3/s)/m^3 = 1/s")

    @model_validator(mode="after")
    def _fractions_fit(self) -> SkinLayer:
        # Melanosomes are hydrated and overlap the water fraction (the mcxyz set combines
        # W = 0.75 with M up to 0.43), so melanin is not part of this sum.
        total = self.blood_fraction + self.water_fraction + self.fat_fraction
        if total > 1.0 + 1e-9:
            raise ValueError(f"blood + water + fat fractions of layer {self.name!r} add up to {total:.3f} > 1")
        return self

    @property
    def baseline_weight(self) -> float:
        """Weight of the bloodless baseline absorption: ``baseline_fraction`` or 1 − B − M − F."""
        if self.baseline_fraction is not None:
            return self.baseline_fraction
        return max(0.0, 1.0 - self.blood_fraction - self.melanin_fraction - self.fat_fraction)

    @property
    def thermal_diffusivity_m2_per_s(self) -> float:
        """α = k / (ρ c) in m²/s."""
        return self.k_W_per_mK / (self.density_kg_per_m3 * self.specific_heat_J_per_kgK)


class SkinModel(InputModel):
    """A person's skin as layers from the surface down, plus blood and core properties.

    Attributes
    ----------
    layers : tuple of SkinLayer
        stratum_corneum, living_epidermis, papillary_dermis, reticular_dermis, subcutis.
    blood_density_kg_per_m3, blood_specific_heat_J_per_kgK : float
        Blood properties for the perfusion term (Jiang et al. 2002).
    arterial_temperature_K : float
        Arterial / core temperature (37 °C).
    person : Person or None
        The person it was derived from.
    """

    layers: tuple[SkinLayer, ...] = Field(min_length=1)
    blood_density_kg_per_m3: float = Field(default=1060.0, gt=0.0)
    blood_specific_heat_J_per_kgK: float = Field(default=3770.0, gt=0.0)
    arterial_temperature_K: float = Field(default=CORE_TEMPERATURE_K, gt=0.0)
    person: Person | None = None

    @property
    def names(self) -> list[str]:
        """Layer names from the surface down."""
        return [layer.name for layer in self.layers]

    def layer(self, name: str) -> SkinLayer:
        """The layer called ``name`` (raises InputError if there is none)."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise InputError("layer", name, f"one of {', '.join(self.names)}")

    @property
    def epidermis_thickness_m(self) -> float:
        """Stratum corneum + living epidermis, m."""
        return sum(l.thickness_m for l in self.layers if l.name in ("stratum_corneum", "living_epidermis"))

    @property
    def dermis_thickness_m(self) -> float:
        """Papillary + reticular dermis, m."""
        return sum(l.thickness_m for l in self.layers if l.name in ("papillary_dermis", "reticular_dermis"))

    @property
    def dermal_collagen_per_area_m(self) -> float:
        """Dermal collagen volume per unit skin area (Σ fraction × thickness), m³/m² = m."""
        return sum(
            l.collagen_fraction * l.thickness_m
            for l in self.layers
            if l.name in ("papillary_dermis", "reticular_dermis")
        )


# --- the rules ---------------------------------------------------------------------------
def sun_protection_factor(fitzpatrick: str, site: str | None) -> float:
    """Epidermal melanin at ``site`` relative to sun-exposed skin of the same type (1 if exposed).

    ``skin_anatomy.toml`` ``[sun_protected]``: 0.46 at sun-protected sites for types I–IV
    (Norvang et al. 1997 hypopigmentation thresholds 12 vs 26 J/cm², D), 1 otherwise.
    """
    table = anatomy_data()["sun_protected"]
    if site in table["sites"] and fitzpatrick in table["types"]:
        return float(table["factor"])
    return 1.0


def melanin_fraction_for(fitzpatrick: str, site: str | None = None) -> float:
    """Default epidermal melanosome volume fraction for a Fitzpatrick type ("I".."VI") at ``site``.

    Calibrated to the in-vivo 694 nm epidermal melanin absorption of Norvang et al. (1997) for
    sun-exposed skin; scaled by :func:`sun_protection_factor` at sun-protected sites. See the
    module docstring and ``skin_anatomy.toml`` ``[melanin]``, ``[sun_protected]``.
    """
    return float(anatomy_data()["melanin"][fitzpatrick]) * sun_protection_factor(fitzpatrick, site)


def melanin_range_for(fitzpatrick: str, site: str | None = None) -> tuple[float, float]:
    """Plausible ``(low, high)`` epidermal melanosome volume fraction within a Fitzpatrick type.

    From ``skin_anatomy.toml`` ``[melanin_range]`` (see its source and tag), scaled like
    :func:`melanin_fraction_for` at sun-protected sites.
    """
    low, high = anatomy_data()["melanin_range"][fitzpatrick]
    factor = sun_protection_factor(fitzpatrick, site)
    return float(low) * factor, float(high) * factor


def _age_factor(age_years: float, rate_per_decade: float, reference_age: float) -> float:
    return (1.0 - rate_per_decade) ** ((age_years - reference_age) / 10.0)


def layer_thicknesses_m(person: Person) -> dict[str, float]:
    """Thickness of each layer in m for ``person`` (the rules in the module docstring).

    Parameters
    ----------
    person : Person

    Returns
    -------
    dict
        Layer name -> thickness in m.
    """
    data = anatomy_data()
    site = data["sites"][person.site]
    ageing = data["ageing"]
    reference_age = float(data["meta"]["reference_age_years"])
    male = person.sex == "male"
    epi_rate = ageing["epidermis_rate_per_decade_male" if male else "epidermis_rate_per_decade_female"]
    epidermis_um = site["living_epidermis_um"] * (data["sex"]["epidermis_male_factor"] if male else 1.0)
    epidermis_um *= _age_factor(person.age_years, epi_rate, reference_age)
    dermis_um = site["dermis_um_male" if male else "dermis_um_female"]
    dermis_um *= _age_factor(person.age_years, ageing["dermis_rate_per_decade"], reference_age)
    papillary = data["papillary"]["fraction_of_dermis"]
    return {
        "stratum_corneum": site["stratum_corneum_um"] * 1e-6,
        "living_epidermis": epidermis_um * 1e-6,
        "papillary_dermis": papillary * dermis_um * 1e-6,
        "reticular_dermis": (1.0 - papillary) * dermis_um * 1e-6,
        "subcutis": site["subcutis_mm"] * 1e-3,
    }


def collagen_fractions(person: Person) -> dict[str, float]:
    """Collagen volume fraction of each layer for ``person`` (module docstring: Shuster 1975 rule).

    Returns
    -------
    dict
        Layer name -> collagen volume fraction (0–1).
    """
    data = anatomy_data()
    ageing = data["ageing"]
    collagen = data["collagen"]
    reference_age = float(data["meta"]["reference_age_years"])
    delta = person.age_years - reference_age
    content_factor = (1.0 - ageing["collagen_content_rate_per_year"]) ** delta
    thickness_factor = _age_factor(person.age_years, ageing["dermis_rate_per_decade"], reference_age)
    sun_factor = 1.0 - collagen["sun_exposure_loss_per_grade"] * person.sun_exposure
    out = {}
    for name in LAYER_NAMES:
        fraction = float(collagen[name])
        if name in ("papillary_dermis", "reticular_dermis"):
            fraction *= content_factor / thickness_factor * sun_factor
        out[name] = fraction
    return out


_THERMAL_CLASS = {
    "stratum_corneum": "epidermis",
    "living_epidermis": "epidermis",
    "papillary_dermis": "dermis",
    "reticular_dermis": "dermis",
    "subcutis": "subcutis",
}

_OVERRIDABLE = frozenset(SkinLayer.model_fields) - {"name"}


def skin_layers(
    person: Person | Mapping[str, Any], overrides: Mapping[str, Mapping[str, float]] | None = None
) -> SkinModel:
    """Derive the layered skin of ``person``.

    Parameters
    ----------
    person : Person or mapping
        The person (a mapping is validated as :class:`Person`, TOML keys allowed).
    overrides : mapping, optional
        Per-layer field overrides, e.g. ``{"reticular_dermis": {"blood_fraction": 0.01},
        "subcutis": {"thickness_m": 4e-3}}`` (SI values; any :class:`SkinLayer` field but name).

    Returns
    -------
    SkinModel
        Five layers (stratum_corneum, living_epidermis, papillary_dermis, reticular_dermis,
        subcutis) with thickness_m (m), blood/water/fat/melanin/collagen volume fractions,
        saturation, and thermal properties (k in W/(m K), ρ in kg/m³, c in J/(kg K),
        perfusion in 1/s); blood ρc and the 37 °C arterial temperature.

    Raises
    ------
    InputError
        For an invalid person, an unknown layer or field in ``overrides`` or an invalid value.
    """
    cite(
        "sandbymoller2003",
        "gambichler2006",
        "chopra2015",
        "branchet1990",
        "shuster1975",
        "meglinski2002",
        "meng2022",
        "fisher2002",
        "fitzpatrick1988",
        "glogau1996",
        "alexiades2006",
        "jiang2002",
        "norvang1997",
    )
    if not isinstance(person, Person):
        try:
            person = Person.model_validate(dict(person))
        except ValidationError as error:
            raise InputError.from_validation(error, "person") from None
    overrides = dict(overrides or {})
    for layer_name, fields in overrides.items():
        if layer_name not in LAYER_NAMES:
            raise InputError("overrides", layer_name, f"a layer name: one of {', '.join(LAYER_NAMES)}")
        for field in fields:
            if field not in _OVERRIDABLE:
                raise InputError(f"overrides.{layer_name}", field, f"one of {', '.join(sorted(_OVERRIDABLE))}")

    data = anatomy_data()
    thermal = thermal_data()
    thickness = layer_thicknesses_m(person)
    collagen = collagen_fractions(person)
    melanin = (
        person.melanin_fraction
        if person.melanin_fraction is not None
        else melanin_fraction_for(person.fitzpatrick, person.site)
    )
    layers = []
    for name in LAYER_NAMES:
        composition = data["composition"][name]
        props = thermal["layers"][_THERMAL_CLASS[name]]
        values: dict[str, Any] = {
            "name": name,
            "thickness_m": thickness[name],
            "blood_fraction": composition["blood_fraction"],
            "saturation": composition["saturation"],
            "water_fraction": composition["water_fraction"],
            "fat_fraction": composition["fat_fraction"],
            "melanin_fraction": melanin if name == "living_epidermis" else 0.0,
            "collagen_fraction": collagen[name],
            "k_W_per_mK": props["k_W_per_mK"],
            "density_kg_per_m3": props["density_kg_per_m3"],
            "specific_heat_J_per_kgK": props["specific_heat_J_per_kgK"],
            "perfusion_per_s": props["perfusion_per_s"],
        }
        values.update(overrides.get(name, {}))
        try:
            layers.append(SkinLayer.model_validate(values))
        except ValidationError as error:
            raise InputError.from_validation(error, f"overrides.{name}") from None
    return SkinModel(
        layers=tuple(layers),
        blood_density_kg_per_m3=thermal["blood"]["density_kg_per_m3"],
        blood_specific_heat_J_per_kgK=thermal["blood"]["specific_heat_J_per_kgK"],
        arterial_temperature_K=thermal["set"]["arterial_temperature_K"],
        person=person,
    )
