"""Parameters of the healing model (:class:`HealingParameters`) and the shipped ``healing.toml``.

Nominal values, ranges, tags and sources are data (``data/parameters/healing.toml``); the
gains are fitted by :mod:`laserskin.healing.calibration`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from laserskin.core.data import load_parameters as load_parameter_file
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, to_si, unit_default

__all__ = ["HealingParameters", "healing_toml", "load_parameters"]

_TIME = {"display": "day"}


class HealingParameters(InputModel):
    """Parameters of the remodelling model (SI), with ranges for the uncertainty band.

    Nominal values, ranges, tags and sources are in ``data/parameters/healing.toml``;
    :func:`load_parameters` reads them. The gains are fitted by
    :func:`laserskin.healing.calibration.calibrate` (see :func:`laserskin.healing.calibrated_parameters`).

    Attributes
    ----------
    tau_inflammation_s : float
        Decay time of the inflammatory signal, s.
    tau_fibroblast_s : float
        Life time of the activated-fibroblast state, s (young adult).
    tau_maturation_s : float
        Maturation time of new (type III-rich) into mature collagen, s (young adult).
    tau_removal_s : float
        Resorption time of denatured collagen, s; the immediate thermal contraction held
        by denatured fibrils relaxes with the same time.
    replacement_ratio : float
        New collagen made per unit of injured collagen in the linear regime.
    saturation_fraction : float
        Injured fraction of dermal collagen at which the stimulus is half its linear value.
    immature_weight : float
        Mechanical weight of immature relative to mature new collagen, 0–1.
    collagen_loss_per_year : float
        Relative loss of dermal collagen per year without treatment (Shuster 1975: 0.01).
    sun_loss_per_grade : float
        Relative increase of that loss per photoaging grade.
    age_reference_years : float
        Age above which the response falls and slows, years.
    response_loss_per_decade : float
        Fractional loss of the wound response per decade above the reference age.
    slowing_per_decade : float
        Fractional lengthening of the fibroblast, maturation and re-epithelialisation
        times per decade above the reference age.
    reepithelialization_fractional_s, reepithelialization_bulk_s : float
        Re-epithelialisation time of fractional zones and of a bulk epidermal wound (at the
        reference wound depth), s.
    reepithelialization_fractional_ablative_s : float
        Re-epithelialisation time of ablated micro-columns (fractional ablative), s.
    reepithelialization_depth_slope_s_per_m : float
        Lengthening of the bulk re-epithelialisation time per metre of wound depth beyond
        ``reepithelialization_reference_depth_m`` (deeper wounds close later), s/m.
    reepithelialization_reference_depth_m : float
        Wound depth at which a bulk wound closes in ``reepithelialization_bulk_s``, m.
    wound_saturation_area_days : float
        Open-wound exposure (area fraction × days open) at which the wound-contracture
        stimulus is half its linear value.
    renewal_layer_depth_m : float
        Depth from the surface of the superficial (papillary and upper reticular, photodamaged)
        layer whose replacement smooths wrinkles; a renewal reaching less deep counts in proportion, m.
    epidermis_thickness_m : float
        Depth of the dermal-epidermal junction used where a session's band lies below it (a
        fractional crater's coagulated sleeve): ablation removes dermis below min(band top, this), m.
    dermis_thickness_m : float
        Default full dermal thickness, m (per-person input of :func:`simulate_course`).
    gain_neo : float
        Linear contraction per unit of new collagen (fraction of dermal collagen), %.
    gain_wound : float
        Linear contraction by open-wound contracture per unit of wound exposure
        (area fraction × days open), % per day (fitted; 0 = uncalibrated).
    laxity_per_linear : float
        Clinical laxity-score improvement per % of linear contraction (dimensionless).
    gain_renewal : float
        Rhytid (wrinkle) grade improvement, %, per unit of renewed skin area fraction (the
        epidermis and papillary dermis replaced by fractional zones or open wounds; fitted on one
        rhytid outcome, Manstein et al. 2004; 0 = uncalibrated).
    thermal_persistence : float
        Share p (0–1) of the immediate thermal collagen contraction of a session with an open wound that
        does not relax: the wound heals and is remodelled in the contracted state (Fitzpatrick, Rostan &
        Marchell 2000; Ross et al. 2000; partial recovery of heat-shrunk collagen, Chen, Wright & Humphrey
        1998). Fitted on Fitzpatrick et al.'s CO2 − Er:YAG difference (0 = all relaxes, the old model).
    ranges : dict
        ``field -> (low, high)`` in SI, sampled for the uncertainty band (Latin hypercube), except the
        fields of ``joint_names``.
    log_sampled : tuple of str
        Fields sampled log-uniformly within their range.
    joint_names : tuple of str
        Fields sampled jointly for the band (the fitted gains): a multivariate normal of their
        logarithms around the nominal values with covariance ``joint_covariance_log`` (the fit's),
        truncated at the fields' bounds; a gain set to 0 stays 0 (:func:`laserskin.healing.uncertainty.parameter_arrays`).
    joint_covariance_log : tuple of tuple of float
        Covariance of the logarithms of ``joint_names``, in their order (symmetric, n x n).
    """

    tau_inflammation_s: Annotated[float, Quantity("s", gt=0.0, **_TIME)] = Field(alias="tau_inflammation")
    tau_fibroblast_s: Annotated[float, Quantity("s", gt=0.0, **_TIME)] = Field(alias="tau_fibroblast")
    tau_maturation_s: Annotated[float, Quantity("s", gt=0.0, **_TIME)] = Field(alias="tau_maturation")
    tau_removal_s: Annotated[float, Quantity("s", gt=0.0, **_TIME)] = Field(alias="tau_removal")
    replacement_ratio: float = Field(ge=0.0)
    saturation_fraction: float = Field(gt=0.0)
    immature_weight: float = Field(ge=0.0, le=1.0)
    collagen_loss_per_year: float = Field(ge=0.0, lt=1.0)
    sun_loss_per_grade: float = Field(ge=0.0)
    age_reference_years: Annotated[float, Quantity("year", ge=0.0, bare_unit="year", display="year")] = Field(
        alias="age_reference"
    )
    response_loss_per_decade: float = Field(ge=0.0, lt=1.0)
    slowing_per_decade: float = Field(ge=0.0)
    reepithelialization_fractional_s: Annotated[float, Quantity("s", gt=0.0, display="hour")] = Field(
        alias="reepithelialization_fractional"
    )
    reepithelialization_bulk_s: Annotated[float, Quantity("s", gt=0.0, **_TIME)] = Field(
        alias="reepithelialization_bulk"
    )
    reepithelialization_fractional_ablative_s: Annotated[float, Quantity("s", gt=0.0, display="hour")] = Field(
        default=unit_default("48 hour"), alias="reepithelialization_fractional_ablative"
    )
    reepithelialization_depth_slope_s_per_m: Annotated[float, Quantity("s/m", ge=0.0, display="day/mm")] = Field(
        default=unit_default("35 day/mm"), alias="reepithelialization_depth_slope"
    )
    reepithelialization_reference_depth_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=unit_default("100 um"), alias="reepithelialization_reference_depth"
    )
    wound_saturation_area_days: float = Field(default=10.0, gt=0.0)
    renewal_layer_depth_m: Annotated[float, Quantity("m", gt=0.0, display="mm")] = Field(
        default=unit_default("0.5 mm"), alias="renewal_layer_depth"
    )
    epidermis_thickness_m: Annotated[float, Quantity("m", gt=0.0, display="um")] = Field(
        default=unit_default("75 um"), alias="epidermis_thickness"
    )
    dermis_thickness_m: Annotated[float, Quantity("m", gt=0.0, display="mm")] = Field(alias="dermis_thickness")
    gain_neo: float = Field(default=0.0, ge=0.0)
    laxity_per_linear: float = Field(default=1.0, ge=0.0)
    gain_wound: float = Field(default=0.0, ge=0.0)
    gain_renewal: float = Field(default=0.0, ge=0.0)
    thermal_persistence: float = Field(default=0.0, ge=0.0, le=1.0)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    log_sampled: tuple[str, ...] = ()
    joint_names: tuple[str, ...] = ()
    joint_covariance_log: tuple[tuple[float, ...], ...] = ()

    @model_validator(mode="after")
    def _ranges_valid(self) -> HealingParameters:
        for name, (low, high) in self.ranges.items():
            if name not in type(self).model_fields or name in _NOT_PARAMETERS:
                raise ValueError(f"ranges: unknown parameter {name!r}")
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise ValueError(f"ranges.{name}: need finite low <= high, got ({low}, {high})")
            if name in self.log_sampled and low <= 0.0:
                raise ValueError(f"ranges.{name}: log-sampled range must be positive")
        n = len(self.joint_names)
        for name in self.joint_names:
            if name not in type(self).model_fields or name in _NOT_PARAMETERS:
                raise ValueError(f"joint_names: unknown parameter {name!r}")
        cov = self.joint_covariance_log
        if len(set(self.joint_names)) != n or len(cov) != n or any(len(row) != n for row in cov):
            raise ValueError(f"joint_covariance_log: need a {n} x {n} matrix for {n} distinct joint_names")
        for i in range(n):
            if not (math.isfinite(cov[i][i]) and cov[i][i] >= 0.0):
                raise ValueError(f"joint_covariance_log[{i}][{i}]: a variance must be finite and >= 0")
            for j in range(i):
                if not (math.isfinite(cov[i][j]) and math.isclose(cov[i][j], cov[j][i], rel_tol=1e-9, abs_tol=1e-12)):
                    raise ValueError(f"joint_covariance_log: not symmetric at [{i}][{j}]")
        return self

    def with_gains(
        self,
        gain_neo: float,
        laxity_per_linear: float,
        ranges: dict[str, tuple[float, float]] | None = None,
        gain_wound: float | None = None,
        gain_renewal: float | None = None,
        thermal_persistence: float | None = None,
        joint_names: tuple[str, ...] | None = None,
        joint_covariance_log=None,
    ) -> HealingParameters:
        """Copy with new gains (and optionally their ranges added to ``ranges``, and the fit's log-covariance
        of ``joint_names`` for the joint band sample; both are kept when not given)."""
        new_ranges = dict(self.ranges)
        new_ranges.update(ranges or {})
        logs = tuple(sorted(set(self.log_sampled) | set(ranges or {})))
        copy = self.model_copy(
            update={
                "gain_neo": gain_neo,
                "laxity_per_linear": laxity_per_linear,
                "gain_wound": self.gain_wound if gain_wound is None else gain_wound,
                "gain_renewal": self.gain_renewal if gain_renewal is None else gain_renewal,
                "thermal_persistence": (
                    self.thermal_persistence if thermal_persistence is None else thermal_persistence
                ),
                "ranges": new_ranges,
                "log_sampled": logs,
                **(
                    {}
                    if joint_names is None
                    else {
                        "joint_names": tuple(joint_names),
                        "joint_covariance_log": tuple(tuple(float(v) for v in row) for row in joint_covariance_log),
                    }
                ),
            }
        )
        try:  # model_copy does not validate
            return type(self).model_validate(copy.model_dump())
        except ValidationError as error:
            raise InputError.from_validation(error, "parameters") from None


# toml key -> (field name, SI unit or None for a bare number)
_TOML_FIELDS: dict[str, tuple[str, str | None]] = {
    "tau_inflammation": ("tau_inflammation_s", "s"),
    "tau_fibroblast": ("tau_fibroblast_s", "s"),
    "tau_maturation": ("tau_maturation_s", "s"),
    "tau_removal": ("tau_removal_s", "s"),
    "replacement_ratio": ("replacement_ratio", None),
    "saturation_fraction": ("saturation_fraction", None),
    "immature_weight": ("immature_weight", None),
    "collagen_loss_per_year": ("collagen_loss_per_year", None),
    "sun_loss_per_grade": ("sun_loss_per_grade", None),
    "age_reference": ("age_reference_years", "year"),
    "response_loss_per_decade": ("response_loss_per_decade", None),
    "slowing_per_decade": ("slowing_per_decade", None),
    "reepithelialization_fractional": ("reepithelialization_fractional_s", "s"),
    "reepithelialization_bulk": ("reepithelialization_bulk_s", "s"),
    "reepithelialization_fractional_ablative": ("reepithelialization_fractional_ablative_s", "s"),
    "reepithelialization_depth_slope": ("reepithelialization_depth_slope_s_per_m", "s/m"),
    "reepithelialization_reference_depth": ("reepithelialization_reference_depth_m", "m"),
    "wound_saturation_area_days": ("wound_saturation_area_days", None),
    "renewal_layer_depth": ("renewal_layer_depth_m", "m"),
    "epidermis_thickness": ("epidermis_thickness_m", "m"),
    "dermis_thickness": ("dermis_thickness_m", "m"),
}
_NOT_PARAMETERS = ("ranges", "log_sampled", "joint_names", "joint_covariance_log")
_NOT_SAMPLED = {"age_reference_years", "dermis_thickness_m", "reepithelialization_reference_depth_m"}


@lru_cache(maxsize=1)
def healing_toml() -> dict:
    """The parsed ``data/parameters/healing.toml`` (parameters, targets, reference courses)."""
    return load_parameter_file("healing")


def load_parameters(table: dict | None = None) -> HealingParameters:
    """Build :class:`HealingParameters` from the ``[parameters]`` table of ``healing.toml``.

    Parameters
    ----------
    table : dict, optional
        A ``{key: {value, low, high, sampling, ...}}`` table; default: the shipped file.

    Returns
    -------
    HealingParameters
        Nominal values and ranges (SI); gains left at their neutral defaults (uncalibrated).
    """
    table = healing_toml()["parameters"] if table is None else table
    values: dict[str, float] = {}
    ranges: dict[str, tuple[float, float]] = {}
    logs: list[str] = []
    for key, entry in table.items():
        if key not in _TOML_FIELDS:
            raise InputError(f"parameters.{key}", key, f"one of {sorted(_TOML_FIELDS)}")
        name, unit = _TOML_FIELDS[key]

        def conv(v, k, unit=unit, key=key):
            return to_si(v, unit, field=f"parameters.{key}.{k}") if unit else float(v)

        conv(entry["value"], "value")  # checks the unit; the model parses the text itself
        values[key] = entry["value"]
        if name not in _NOT_SAMPLED and "low" in entry:
            ranges[name] = (conv(entry["low"], "low"), conv(entry["high"], "high"))
            if entry.get("sampling") == "log":
                logs.append(name)
    try:
        return HealingParameters(**values, ranges=ranges, log_sampled=tuple(logs))
    except ValidationError as error:
        raise InputError.from_validation(error, "parameters") from None
