"""Time course of a treatment course (:class:`HealingResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from laserskin.core.constants import MONTH_DAYS
from laserskin.core.errors import InputError
from laserskin.healing.dose import _is_number
from laserskin.healing.parameters import HealingParameters
from laserskin.healing.uncertainty import BAND

__all__ = ["OUTCOME_MEASURES", "HealingResult"]

#: What each outcome of :meth:`HealingResult.improvement_at` measures (plans and reports name it with these).
#: The grades are physician-graded scores, the tightening index a physical strain: they are different measures
#: (docs/healing.md, calibration table: what each study measured and which of these it is compared with).
OUTCOME_MEASURES = {
    "laxity": "laxity grade improvement: % decrease of the physician-graded Alexiades-Armenakas laxity grade "
    "(0-4, Alexiades-Armenakas 2006), at most 100 %; a graded score, not a physical shrinkage",
    "rhytid": "rhytid grade improvement: % decrease of the physician-graded wrinkle/texture grade "
    "(Alexiades-Armenakas 2006 rhytid scale): the laxity grade's dermal part plus superficial renewal by "
    "fractional zones and open wounds",
    "tightening": "tightening index: physical linear contraction of the treated skin versus untreated skin, % "
    "(what the shrinkage of tattoo marks measures)",
}


@dataclass(frozen=True)
class HealingResult:
    """Time course of a treatment course.

    Banded arrays have shape ``(3, nt)``: rows ``low, mid, high`` (see :data:`BAND`). ``mid``
    is the nominal (calibrated) parameter set; ``low``/``high`` are the 5th/95th
    percentiles of a parameter sample (the fitted gains jointly from the fit's covariance, the
    other parameter ranges by Latin hypercube; :mod:`laserskin.healing.uncertainty`), widened if
    needed so that ``low <= mid <= high`` (the band always contains the central curve).

    Attributes
    ----------
    time_days : ndarray (nt,)
        Time from the start of the course, days.
    collagen_content : ndarray (3, nt)
        Functional dermal collagen (native + new), relative to the start of the course.
    new_collagen : ndarray (3, nt)
        New collagen (immature + mature), same units.
    denatured_collagen : ndarray (3, nt)
        Denatured collagen not yet resorbed, same units.
    tightening_pct : ndarray (3, nt)
        Tightening index: linear contraction of the treated skin, %, versus no treatment.
    laxity_improvement_pct : ndarray (3, nt)
        Clinical laxity-score improvement, % (``laxity_per_linear × tightening``).
    rhytid_improvement_pct : ndarray (3, nt)
        Clinical rhytid (wrinkle) score improvement, %: the dermal part of the laxity grade plus
        ``gain_renewal ×`` the renewed (resurfaced) area fraction.
    states : dict of str -> ndarray (nt,)
        All compartments and the mass-balance ledger of the nominal run (:data:`STATE_NAMES`).
    session_time_days, reepithelialization_days : ndarray (n_sessions,)
        Session times and re-epithelialisation times, days.
    age_years, sun_exposure, baseline_collagen_relative, dermis_thickness_m : float
        Person inputs (baseline relative to a 20-year-old).
    parameters : HealingParameters
        The parameters used.
    """

    time_days: np.ndarray
    collagen_content: np.ndarray
    new_collagen: np.ndarray
    denatured_collagen: np.ndarray
    tightening_pct: np.ndarray
    laxity_improvement_pct: np.ndarray
    rhytid_improvement_pct: np.ndarray
    states: dict[str, np.ndarray]
    session_time_days: np.ndarray
    reepithelialization_days: np.ndarray
    age_years: float
    sun_exposure: float
    baseline_collagen_relative: float
    dermis_thickness_m: float
    parameters: HealingParameters = field(repr=False)

    @property
    def last_session_days(self) -> float:
        """Time of the last session, days (0 without sessions)."""
        return float(self.session_time_days.max()) if self.session_time_days.size else 0.0

    def improvement_at(
        self, months: float, measure: str = "laxity", after_last_session: bool = True
    ) -> tuple[float, float, float]:
        """Improvement at a follow-up time, as ``(low, mid, high)`` in %.

        Parameters
        ----------
        months : float
            Follow-up time in mean calendar months (30.44 days).
        measure : {"laxity", "rhytid", "tightening"}
            % decrease of the laxity grade, % decrease of the rhytid (wrinkle/texture) grade, or the
            tightening index (physical linear contraction); :data:`OUTCOME_MEASURES` says what each is.
        after_last_session : bool
            Count from the last session (clinical convention, default) or from the start.

        Returns
        -------
        tuple of float
            Low, mid and high values, %.
        """
        series = {
            "laxity": self.laxity_improvement_pct,
            "rhytid": self.rhytid_improvement_pct,
            "tightening": self.tightening_pct,
        }
        if measure not in series:
            raise InputError("measure", measure, "'laxity', 'rhytid' or 'tightening'")
        if not (_is_number(months) and months >= 0):
            raise InputError("months", months, "a follow-up time >= 0 months")
        t = months * MONTH_DAYS + (self.last_session_days if after_last_session else 0.0)
        if not t <= self.time_days[-1] + 1e-9:
            raise InputError(
                "months",
                months,
                f"a follow-up within the simulated {self.time_days[-1]:g} days",
            )
        low, mid, high = (float(np.interp(t, self.time_days, row)) for row in series[measure])
        return low, mid, high

    def to_dataset(self):
        """xarray.Dataset with ``time`` (days) and ``band`` coordinates and units attributes."""
        import xarray as xr

        frac = "1 (fraction of dermal collagen at course start)"
        banded = {
            "collagen_content": (
                self.collagen_content,
                frac,
                "functional dermal collagen (native + new)",
            ),
            "new_collagen": (
                self.new_collagen,
                frac,
                "new collagen (immature + mature)",
            ),
            "denatured_collagen": (
                self.denatured_collagen,
                frac,
                "denatured collagen not yet resorbed",
            ),
            "tightening_pct": (
                self.tightening_pct,
                "percent",
                OUTCOME_MEASURES["tightening"],
            ),
            "laxity_improvement_pct": (
                self.laxity_improvement_pct,
                "percent",
                OUTCOME_MEASURES["laxity"],
            ),
            "rhytid_improvement_pct": (
                self.rhytid_improvement_pct,
                "percent",
                OUTCOME_MEASURES["rhytid"],
            ),
        }
        data: dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]] = {
            name: (("band", "time"), values, {"units": units, "long_name": long})
            for name, (values, units, long) in banded.items()
        }
        for name, values in self.states.items():
            units = "percent" if name.endswith("_pct") else ("1" if name in ("inflammation", "fibroblasts") else frac)
            if name.startswith("renew"):
                units = "1 (area fraction of the skin)"
            data[f"state_{name}"] = (
                ("time",),
                values,
                {"units": units, "long_name": f"nominal run: {name}"},
            )
        data["session_time"] = (("session",), self.session_time_days, {"units": "day"})
        data["reepithelialization_time"] = (
            ("session",),
            self.reepithelialization_days,
            {"units": "day"},
        )
        return xr.Dataset(
            data,
            coords={
                "time": (
                    "time",
                    self.time_days,
                    {"units": "day", "long_name": "time from course start"},
                ),
                "band": ("band", list(BAND)),
            },
            attrs={
                "model": "laserskin.healing.model (reduced Segal et al. 2012 compartment model)",
                "age_years": self.age_years,
                "sun_exposure_grade": self.sun_exposure,
                "baseline_collagen_relative_to_age_20": self.baseline_collagen_relative,
                "dermis_thickness_m": self.dermis_thickness_m,
                "gain_neo_pct": self.parameters.gain_neo,
                "laxity_per_linear": self.parameters.laxity_per_linear,
                "gain_renewal_pct": self.parameters.gain_renewal,
                "band": "low/high = 5th/95th percentile of a parameter sample: fitted gains jointly (log-normal with the "
                "fit's covariance), other parameter ranges by Latin hypercube",
            },
        )
