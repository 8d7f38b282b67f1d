"""The real limit of a setting refused because the tissue would burn (QA4 #5).

:meth:`laserskin.pipeline.simulation.Simulation.run` refuses a fluence (a fractional laser's micro-beam pulse
energy) that heats tissue past the models' ceiling (1000 °C) and names a lower bound measured by the refused run:
the share of its energy delivered when the tissue reached the ceiling, times the refused value. That bound is one
to two orders of magnitude below what runs (1450 nm 6 mm 100 ms, 900 J/cm² → "10.9 J/cm^2" while 150 J/cm² runs at
263 °C; a fractional 10 J → "3.55 mJ" while 70 mJ runs), so a user reading it would under-dose 30×.

:func:`refusal_with_limit` finds the limit itself: it re-runs the simulation with the refused field scaled,
bisecting in log scale between a value that runs and one that is refused (the refused value), until the two are
within :data:`LIMIT_RATIO` of each other or :data:`MAX_RUNS` runs are spent, and returns the refusal restated with
the largest value that ran and the smallest refused. The light transport is cached, so each run is a heat solve
(runs past the ceiling stop there). It assumes the peak rises with the energy (one pulse shape, one spot): a larger
value of the same setting never heats less. Called by the edges (``laserskin simulate``, the web's simulate job);
the library's own refusal keeps the bound, measured without further runs (the planner and sweeps never pay for
the search).

The restated refusal is worded by the library's own helper
(:func:`laserskin.pipeline.simulation.burnt_tissue_refusal`), the limit found in place of the bound: where the burn
is an explicit ``ablative = false``'s doing, at a setting the model runs as ablative with the flag unset
(:func:`laserskin.pipeline.ablative.ablates_when_unset`), both name ``laser.ablative`` and its fix first, and the
limit of the energy with the flag kept after it (QA15 #5). The limit says how it depends on the photon count:
approximate at a Monte Carlo source's count and seed, none for a Beer–Lambert source.
"""

from __future__ import annotations

import copy
import math
import warnings

from laserskin.core.errors import InputError
from laserskin.core.units import format_quantity
from laserskin.pipeline.progress import resolve_progress
from laserskin.pipeline.simulation import BURN_LIMIT, MAX_TISSUE_TEMPERATURE_C, burnt_tissue_refusal

__all__ = ["LIMIT_RATIO", "MAX_RUNS", "refusal_with_limit"]

#: The search stops when the largest value that ran and the smallest refused are within this ratio.
LIMIT_RATIO = 1.15
#: At most this many extra runs (the lower bound's check included).
MAX_RUNS = 8
#: Tenfold steps down from the bound when even it burns (then the bound is kept).
MAX_DOWN_STEPS = 3


def _by_energy(laser) -> bool:
    """Whether the refused field is a pulse energy: a fractional laser's micro-beam, or a full-field laser whose
    pulse energy was given (QA8 #3; :func:`laserskin.pipeline.ablative.refused_setting` names the same field)."""
    return bool(laser.is_fractional) or laser.energy_setting == "pulse_energy"


def _value(laser) -> float:
    """The refused field's value in SI: the (micro-beam's) pulse energy (J) or the fluence (J/m²)."""
    return float(laser.pulse_energy_J if _by_energy(laser) else laser.fluence_J_per_m2)


def _text(laser, value_si: float) -> str:
    """``value_si`` of the refused field with a unit chosen by its size (``10 J``, ``70.5 mJ``, ``420 J/cm^2``)."""
    if _by_energy(laser):
        return format_quantity(value_si, "J", "J" if value_si >= 1.0 else "mJ", digits=3)
    return format_quantity(value_si, "J/m^2", "J/cm^2", digits=3)


def _with_value(laser, value_si: float):
    """The laser with the refused field set to ``value_si`` (everything else as it was)."""
    from laserskin.treatment.laser import Laser

    table = laser.model_dump(by_alias=True, exclude_none=True)
    table.pop("fluence", None)
    table.pop("pulse_energy", None)
    if _by_energy(laser):
        table["pulse_energy"] = f"{value_si!r} J"
    else:
        table["fluence"] = f"{value_si!r} J/m^2"
    return Laser.model_validate(table)


def _decided_peak(summary: dict) -> tuple[float, bool]:
    """The peak temperature (°C) the burn limit is decided on, and whether it is the hottest cell (QA9 #9): a
    non-linear run is refused when its hottest cell passes the ceiling (the heat solver stops there), so that is
    its read-out (``peak_cell_temperature_C`` of a Monte Carlo source; a Beer–Lambert run's peak is per cell
    already); a linear run (below boiling) is decided on ``peak_temperature_C``."""
    cell = summary.get("peak_cell_temperature_C")
    if summary.get("thermal_model") == "nonlinear":
        return float(summary["peak_temperature_C"] if cell is None else cell), True
    return float(summary["peak_temperature_C"]), False


def refusal_with_limit(simulation, refusal: InputError) -> InputError:
    """``refusal`` restated with the real limit of its field, found by re-running ``simulation``; ``refusal``
    itself when it is not a burnt-tissue refusal or the search cannot run (a scaled value outside a device's
    range, say).

    Parameters
    ----------
    simulation : Simulation
        The refused simulation (not changed; copies run with the field scaled, silently).
    refusal : InputError
        What its ``run()`` raised.

    Returns
    -------
    InputError
        The library's refusal (:func:`~laserskin.pipeline.simulation.burnt_tissue_refusal`: same field and value)
        whose limit names the largest value that ran (with its peak temperature), the smallest refused and the
        number of runs it took.
    """
    if not getattr(refusal, "burnt_tissue", False):
        return refusal
    laser = simulation.laser
    refused = _value(laser)
    share = getattr(refusal, "delivered_share", None)
    runs = 0

    sources: set[bool] = set()  # per run that ran: whether its source was a Monte Carlo one (photons > 0)

    def peak_if_it_runs(value_si: float) -> tuple[float, bool] | None:
        """The decided peak (°C, :func:`_decided_peak`) of the setting at ``value_si``, None when it is refused as
        burning."""
        nonlocal runs
        runs += 1
        trial = copy.copy(simulation)
        trial.laser = _with_value(laser, value_si)
        trial.progress = resolve_progress(None)
        try:
            with warnings.catch_warnings():  # a trial's notes (pyrolysis, grid) are not the user's run's
                warnings.simplefilter("ignore")
                summary = trial.run(grid_warning=False).summary
        except InputError as error:
            if getattr(error, "burnt_tissue", False):
                return None
            raise
        if summary.get("photons") is not None:  # 0: a Beer-Lambert source (the ablation stage), no Monte Carlo
            sources.add(bool(summary["photons"]))
        return _decided_peak(summary)

    try:
        # a value that runs: the refused run's bound, else tenfold steps down
        low = refused * share if share else refused / 10.0
        low_peak = peak_if_it_runs(low)
        while low_peak is None and runs < MAX_DOWN_STEPS + 1:
            low /= 10.0
            low_peak = peak_if_it_runs(low)
        if low_peak is None:
            return refusal
        high = refused
        while high / low > LIMIT_RATIO and runs < MAX_RUNS:
            middle = math.sqrt(low * high)
            peak = peak_if_it_runs(middle)
            if peak is None:
                high = middle
            else:
                low, low_peak = middle, peak
    except ValueError:  # a scaled value the laser or the device does not take (InputError too): keep the bound
        return refusal
    per_pulse = " per pulse" if laser.pulses > 1 else ""
    peak_C, by_cell = low_peak
    if by_cell:  # QA9 #9: the read-out the limit is decided on, on both sides
        runs_at = f"whose hottest cell peaks at {peak_C:.0f} degC"
        burns = f"which burns (its hottest cell passes {MAX_TISSUE_TEMPERATURE_C:g} degC)"
    else:
        runs_at, burns = f"which runs at a peak of {peak_C:.0f} degC", "which burns"
    settings = getattr(simulation, "settings", None)
    found_by = f"found by {runs} more runs of this setting"
    if True in sources and settings is not None:  # a Monte Carlo source: the limit moves with its noise
        found_by += (
            f" at its {settings.photons} photons and seed {settings.seed}: the hottest cell moves with the Monte "
            "Carlo noise, so the limit is approximate at this photon count (more photons settle it)"
        )
    elif sources == {False}:  # QA15 #5: no Monte Carlo, so no photon count or seed to name
        found_by += " (a Beer-Lambert source, no Monte Carlo: the limit does not depend on the photon count or seed)"
    found = (
        f"{BURN_LIMIT}, i.e. {_text(laser, low)}{per_pulse} or less (the limit lies between {_text(laser, low)}, "
        f"{runs_at}, and {_text(laser, high)}, {burns}; {found_by})"
    )
    # the library's wording, the limit found in place of its bound (an ablative = false at an ablating setting
    # names laser.ablative and its fix first, QA15 #5)
    return burnt_tissue_refusal(simulation, found, getattr(refusal, "heats", None))
