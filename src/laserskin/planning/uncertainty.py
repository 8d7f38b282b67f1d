"""Uncertainty of the epidermal blister fluence: Monte Carlo noise and parameter uncertainty.

The blister fluence is the fluence at which the basal-layer Henriques Ω (Henriques & Moritz
1947), summed over the passes, reaches 1 (transepidermal necrosis, :mod:`laserskin.damage.injury`).
It depends on quantities that are known only within a range for a given person, and on the
Monte Carlo estimate of the light absorbed in the basal layer. The planner therefore reports
``[low, nominal, high]`` and sets the fluence from the *low* end with a margin.

Sources of uncertainty (each perturbation re-runs transport and heat for one pass, with the
same photons and seed as the nominal run, so Monte Carlo noise largely cancels in the ratio):

=====================  ==================================================  =====  ============================
parameter              perturbation                                        tag    source
=====================  ==================================================  =====  ============================
epidermal melanin      to the upper end of the person's Fitzpatrick band   V/D    Norvang et al. 1997 (in-vivo
                       (``skin_anatomy.toml`` ``[melanin_range]``, ×0.46        μa at 694 nm by skin type)
                       at sun-protected sites for I–IV)
living epidermis       +20 % thickness                                     R      Sandby-Møller et al. 2003
                                                                                  (inter-individual SD ~15-20 %)
dermis                 −20 % thickness                                     R      Chopra et al. 2015 (759-1969 µm)
optical set            each other shipped optical parameter set that      V      Salomatina et al. 2006
(``scattering_set``)   covers every wavelength of the laser: today the
                       ex-vivo set of Salomatina 2006, which swaps in its
                       measured absorption as well as its scattering
                       (``absorption = "measured"``; 400-1600 nm only; not
                       varied for a broadband source such as 1100-1800 nm,
                       see ``notes``)
cooling h              low end of the cooling kind's literature range      V/U    Aguilar et al. 2001 (cryogen);
                                                                                  physics_data §6 (contact, air)
=====================  ==================================================  =====  ============================

Each perturbation gives a relative change ``d_i = E_i/E_0 − 1`` of the one-pass blister energy.
A one-sided physical perturbation (melanin, thicknesses, h) stands for its mirror image too and
counts on both sides; the alternative optical set counts only on the side it moves to. The
changes are taken as independent and combined in quadrature with twice the Monte Carlo
relative standard error ``s_MC``::

    u_low  = sqrt(Σ_sym d_i² + Σ_set min(d, 0)² + (2 s_MC)²),   low  = E_0 (1 − u_low)
    u_high = sqrt(Σ_sym d_i² + Σ_set max(d, 0)² + (2 s_MC)²),   high = E_0 (1 + u_high)

(perturbations to the end of a plausible range ≈ a 90 % band; assumption U). A perturbation
that cannot be made (no other optical set covers the laser's wavelengths) is left out of
the band and said so in ``notes``. ``s_MC`` is the Monte Carlo error of the read-out that sets Ω
(the basal rise pooled over the read-out regions), measured over the transport's groups of batches
(:func:`mc_relative_error`).

The optical perturbations (melanin, the optical set) change nothing but the optics: they run on the nominal run's
r-z grid, so each differs from the nominal run in its light alone and its contribution measures the optics alone,
not the optics plus a change of the domain or its cells (a numerical change, not a parameter uncertainty). For a
person's skin the grid does not depend on the optics anyway (the subcutis is finite, and the grid ends at its
bottom: :func:`laserskin.pipeline.scenario.default_extent`); the band states it instead of relying on it. Their heat
solves then take the nominal run's medium and steps, hence its LU factors (:func:`laserskin.thermal.solver.factorise`)
and its run without the laser (:func:`laserskin.pipeline.stages.thermal_response`), provided they are solved while
the nominal factors are still cached: before the thickness cases, each of which factorises a ladder of its own.
"""

from __future__ import annotations

import contextvars
import math
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from laserskin.core.citations import cite
from laserskin.damage.arrhenius import arrhenius_omega
from laserskin.damage.injury import pool_rings, pooled_ring
from laserskin.skin.parameter_sets import optical_set_text

CITATIONS = ("henriques_moritz1947", "norvang1997", "sandbymoller2003", "chopra2015", "salomatina2006", "aguilar2001")

__all__ = [
    "DERMIS_THICKNESS_REL",
    "EPIDERMIS_THICKNESS_REL",
    "BlisterUncertainty",
    "beam_radius_m",
    "blister_uncertainty",
    "dermal_dose_uncertainty",
    "dermal_readout",
    "mc_relative_error",
]

#: Relative thickness perturbations (R: inter-individual spread of the cited studies).
EPIDERMIS_THICKNESS_REL = 0.20
DERMIS_THICKNESS_REL = 0.20
#: Largest combined relative uncertainty kept (the low end stays positive).
MAX_RELATIVE_UNCERTAINTY = 0.8

#: The optical set of the ``scattering_set`` perturbation where the nominal run takes the default ``jacques2013``
#: (every plan: :func:`alternative_scattering_sets` gives ``salomatina2006``). Its label says what it changes,
#: scattering and absorption (QA11 F-J; one label source: the set's TOML ``label``, :func:`optical_set_text`).
DEFAULT_ALTERNATIVE_SET = "salomatina2006"

#: What each perturbation of the band is, with its source (``blister_uncertainty.perturbations`` in the plan JSON,
#: the rows of the report): the names of :attr:`BlisterUncertainty.contributions`.
PERTURBATIONS = {
    "melanin": "epidermal melanin at the top of the person's Fitzpatrick band (Norvang et al. 1997)",
    "epidermis_thickness": (f"living epidermis {EPIDERMIS_THICKNESS_REL:+.0%} thickness (Sandby-Møller et al. 2003)"),
    "dermis_thickness": f"dermis {-DERMIS_THICKNESS_REL:+.0%} thickness (Chopra et al. 2015)",
    "scattering_set": f"{optical_set_text(DEFAULT_ALTERNATIVE_SET)} (counted on its own side only)",
    "cooling_h": "cooling heat-transfer coefficient at the low end of its literature range (Aguilar et al. 2001)",
}


#: Each perturbation in a few words (the report's "Not included" rows and assumptions, the outcome band's
#: ``band_includes``), by the keys of :attr:`BlisterUncertainty.contributions` (the key ``scattering_set`` is kept: it
#: is the ex-vivo optical set, scattering and absorption, QA11 F-J).
PERTURBATION_NAMES = {
    "melanin": "melanin",
    "epidermis_thickness": "epidermal thickness",
    "dermis_thickness": "dermal thickness",
    "scattering_set": optical_set_text(DEFAULT_ALTERNATIVE_SET).removeprefix("the ").split(", ")[0],
    "cooling_h": "cooling h",
}


def perturbation_text(name: str, optical_set: str | None = None) -> str:
    """What the perturbation ``name`` is (:data:`PERTURBATIONS`); ``scattering_set:<set>``, or ``scattering_set``
    with the ``optical_set`` it swapped in, is named by that set (:func:`optical_set_text`)."""
    base, _, named = name.partition(":")
    # the set named after the colon, else the one swapped in (None or "" where neither: not named by a set)
    which: str | None = named or (optical_set if base == "scattering_set" else "")
    if base == "scattering_set" and which:
        return f"{optical_set_text(which)} (counted on its own side only)"
    return PERTURBATIONS.get(base, base.replace("_", " "))


@dataclass
class BlisterUncertainty:
    """Relative uncertainty of the blister fluence and its parts.

    Attributes
    ----------
    relative : float
        Combined relative uncertainty on the low side, ``u_low`` (low = nominal·(1 − u_low)).
    relative_high : float
        Same on the high side (high = nominal·(1 + u_high)).
    mc_relative_error : float
        Monte Carlo relative standard error of the basal deposition, ``s_MC``.
    contributions : dict
        ``{parameter: d_i}`` relative change of the one-pass blister energy per perturbation.
    runs : int
        Transport + heat runs spent.
    notes : dict
        ``{parameter: reason}`` for each perturbation left out of the band (e.g. no other
        optical set covers the laser's wavelengths).
    """

    relative: float
    mc_relative_error: float
    relative_high: float = 0.0
    contributions: dict = field(default_factory=dict)
    runs: int = 0
    notes: dict = field(default_factory=dict)
    #: ``{parameter: DermalReadout}`` of each perturbed run (the dermal dose's read-out, small arrays; not in
    #: :meth:`as_dict`): :func:`dermal_dose_uncertainty` reads the dose at the planned energy from them.
    dermal_readouts: dict = field(default_factory=dict, repr=False)
    #: The optical set the ``scattering_set`` perturbation swapped in (its label, :func:`optical_set_text`).
    optical_set: str | None = None

    def band(self, nominal: float | None) -> list[float] | None:
        """``[low, nominal, high]`` of a nominal value (``None`` stays ``None``)."""
        if nominal is None:
            return None
        return [nominal * (1.0 - self.relative), nominal, nominal * (1.0 + self.relative_high)]

    def as_dict(self) -> dict:
        return {
            "relative_low": self.relative,
            "relative_high": self.relative_high,
            "mc_relative_error": self.mc_relative_error,
            "contributions": dict(self.contributions),
            "runs": self.runs,
            "notes": dict(self.notes),
            "perturbations": {name: perturbation_text(name, self.optical_set) for name in self.contributions},
        }


#: Relative error returned when the read-out has fewer than 3 regions under the flat part of the beam, or no
#: groups of batches to measure it over (U).
MC_FALLBACK = 0.05
_MC_ERRORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # response -> s_MC


def _pooled_basal_peaks(rise_per_J, response) -> np.ndarray:
    """Peak over time of the basal laser rise per joule pooled over the read-out regions, per ring (nr,)."""
    z = response.grid.z_centers_m
    basal = int(np.flatnonzero(z < response.geometry.junction_depth_m)[-1])
    rise = np.asarray(rise_per_J)[:, :, basal]
    return pool_rings(rise, response.grid, response.readout_rings, axis=1).max(axis=0)


def mc_relative_error(sim, response) -> float:
    """Monte Carlo relative standard error ``s_MC`` of the blister read-out of ``sim``'s ``response``.

    The blister verdict reads the basal laser rise pooled over the read-out regions
    (:func:`laserskin.damage.injury.readout_rings`, each ≥ 1000 launched photons; :func:`basal_omega`), so its
    noise is that of the pooled peak rise per region. Each region's relative error under the flat part of the beam
    (r < 0.7 R flat-top, r < 0.5 w Gaussian: where the verdict is read) is measured over the transport's groups of
    batches (:func:`laserskin.pipeline.readout_error.basal_readout_relative_errors`, the rule of ``laserskin
    simulate``'s threshold read-outs), and ``s_MC`` is their RMS. Fewer than 3 such regions (few photons): at least
    :data:`MC_FALLBACK` (U); no groups: :data:`MC_FALLBACK`. One estimate per response (kept while it lives).

    Before session 10 an independent replicate run (a quarter of the photons, another seed) measured it: right on
    average, but one run's estimate spanned a factor 2-5 over the seeds (7-12 regions) and it cost a transport and a
    heat solve. Over seeds 1-6 at 20 000 photons (52 F type IV cheek, planning grid) the seed-to-seed scatter of the
    flat regions was 4.58 / 1.49 / 1.54 % for genesis_1064 / smoothbeam_1450 / cooltouch_1320, this estimate
    4.65 (4.29-5.01) / 1.42 (1.30-1.49) / 1.74 (1.68-1.76) % (docs/planning.md, "Monte Carlo error").
    """
    try:
        return _MC_ERRORS[response]
    except (KeyError, TypeError):
        pass
    from laserskin.pipeline.readout_error import basal_readout_relative_errors

    error = MC_FALLBACK
    if response.readout_rings is not None:
        peaks = _pooled_basal_peaks(response.rise_per_J, response)
        flat = 0.5 if sim.beam().kind == "gaussian" else 0.7
        under = (response.grid.r_centers_m < flat * beam_radius_m(sim)) & (peaks > 0)
        regions = np.unique(response.readout_rings[under])
        errors = basal_readout_relative_errors(sim, response, regions) if regions.size else None
        if errors is not None:
            error = float(np.sqrt(np.mean(errors**2)))
            if not math.isfinite(error):
                error = MC_FALLBACK
            elif regions.size < 3:
                error = max(error, MC_FALLBACK)
    try:
        _MC_ERRORS[response] = error
    except TypeError:  # a response that takes no weak reference: not kept
        pass
    return error


def beam_radius_m(sim) -> float:
    """Radius of the simulated beam: flat-top radius, or the 1/e² radius of a Gaussian (micro-)beam, m."""
    beam = sim.beam()
    if sim.laser.is_fractional:
        return sim.laser.fractional.microbeam_diameter_m / 2.0
    if beam.kind == "flat_top":
        return beam.outer_radius_m
    return sim.laser.beam_radius_m


#: The basal Ω of :func:`basal_omega` already computed, per response (kept while it lives) and energy.
_BASAL_OMEGAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # response -> {energy J: Ω}


def basal_omega(response, energy_J: float) -> float:
    """Worst basal-layer Henriques Ω over the read-out regions of one pass at ``energy_J`` (linear response;
    :func:`laserskin.damage.injury.pool_rings`, as the pipeline's epidermal read-out).

    Computed once per response and energy (session 16): the bisections of the blister fluence
    (:func:`_one_pass_blister_J`, :meth:`~laserskin.planning.optimise.FastEvaluator.blister_energy_J` for each pass
    count, the benefit screen's bound) start from the same bracket and share their first midpoints, and the one-pass
    bisection of the nominal response is the blister band's; a kept value is the one the computation returns, bit for
    bit (it is deterministic)."""
    try:
        kept = _BASAL_OMEGAS.setdefault(response, {})
    except TypeError:  # a response that takes no weak reference: not kept
        kept = {}
    key = float(energy_J)
    if key not in kept:
        z = response.grid.z_centers_m
        basal = int(np.flatnonzero(z < response.geometry.junction_depth_m)[-1])
        history = response.base_K[:, :, basal] + energy_J * response.rise_per_J[:, :, basal]
        if response.readout_rings is not None:  # the temperature pooled over the read-out regions
            history = pool_rings(history, response.grid, response.readout_rings, axis=1)
        kept[key] = float(np.max(arrhenius_omega(response.times_s, history, parameters="henriques_moritz_1947")))
    return kept[key]


def _one_pass_blister_J(response, lo: float, hi: float) -> float | None:
    """Energy at which the worst basal Henriques Ω of one pass reaches 1 (log bisection), J."""

    def below(e):
        return basal_omega(response, e) < 1.0

    if not below(lo):
        return lo
    if below(hi):
        return None
    for _ in range(30):
        mid = math.sqrt(lo * hi)
        if below(mid):
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def _skin_overrides(sim, epidermis_factor=1.0, dermis_factor=1.0) -> dict:
    skin = sim.skin()
    out = {}
    for layer in skin.layers:
        if layer.name == "living_epidermis" and epidermis_factor != 1.0:
            out[layer.name] = {"thickness_m": layer.thickness_m * epidermis_factor}
        if layer.name in ("papillary_dermis", "reticular_dermis") and dermis_factor != 1.0:
            out[layer.name] = {"thickness_m": layer.thickness_m * dermis_factor}
    return out


def _perturbed_simulation(sim, *, person=None, overrides=None, scattering=None, cooling=None, grid=None):
    """A :class:`Simulation` like ``sim`` with a changed person, layer thicknesses, set or cooling; on ``grid`` where
    given (the nominal run's, for a change of the optics alone), else on the grid of its own optical stack."""
    from laserskin.pipeline.simulation import Simulation
    from laserskin.skin import skin_layers, tissue_at

    class _Perturbed(Simulation):
        def skin(self):
            person = self.person
            # built below with a person and no layers=: Simulation.__init__ refuses a None person then
            assert person is not None
            return skin_layers(person, overrides or {})

        def grid(self):
            return super().grid() if grid is None else grid

        def optical_stacks(self):
            skin = self.skin()
            return [
                (weight, tissue_at(skin, wavelength, scattering=self.settings.scattering).optical_stack())
                for wavelength, weight in self.laser.wavelength_weights()
            ]

    settings = sim.settings if scattering is None else sim.settings.model_copy(update={"scattering": scattering})
    return _Perturbed(
        person or sim.person,
        sim.laser,
        cooling if cooling is not None else sim.cooling,
        sim.protocol,
        settings,
        cache_dir=sim.cache_dir,
    )


def _transport_inputs(sim) -> tuple:
    """What :meth:`Simulation.transport` computes with, worked out in the caller's thread."""
    return sim.optical_stacks(), sim.grid(), sim.beam(), sim.settings, sim.cache_dir


def _quiet_transport(stacks, grid, beam, settings, cache_dir) -> tuple:
    """:meth:`Simulation.transport` without progress events (run in a background thread; a transport
    taken from the cache reports none either): ``(results, source per J, grid)``."""
    from laserskin.pipeline import stages

    results, source = stages.transport(stacks, grid, beam, settings, progress=None, cache_dir=cache_dir)
    return results, source, grid


def _melanin_high(person) -> float | None:
    from laserskin.skin.anatomy import melanin_range_for

    _low, high = melanin_range_for(person.fitzpatrick, person.site)
    nominal = person.melanin_fraction
    return None if nominal is not None else high


def _cooling_low(sim) -> dict | None:
    cooling = sim.cooling
    ranges = type(cooling).parameter_ranges()
    if "h_W_per_m2K" not in ranges:
        return None
    low = ranges["h_W_per_m2K"][0]
    if not low < cooling.h_W_per_m2K:
        return None
    data = cooling.model_dump(mode="json", by_alias=True)
    data["h"] = f"{low} W/(m^2*K)"
    return data


def alternative_scattering_sets(nominal: str, wavelengths_m) -> tuple[list[str], str | None]:
    """Scattering sets other than ``nominal`` that cover every wavelength of the laser.

    Parameters
    ----------
    nominal : str
        The set of the nominal run.
    wavelengths_m : iterable of float
        The laser's wavelengths (m): one line, or every line of a broadband spectrum.

    Returns
    -------
    (list of str, str or None)
        The usable sets, and when there is none a one-line reason naming the sets' ranges and
        the laser's (the band then leaves the optical set out and says so).
    """
    from laserskin.skin.parameter_sets import available_scattering_sets, get_scattering_set

    wavelengths = [float(w) for w in wavelengths_m]
    low, high = min(wavelengths), max(wavelengths)
    usable, skipped = [], []
    for name in available_scattering_sets():
        if name == nominal:
            continue
        pset = get_scattering_set(name)
        # the same relative tolerance as the wavelength check of the optics
        if pset.wavelength_min_m * (1 - 1e-9) <= low and high <= pset.wavelength_max_m * (1 + 1e-9):
            usable.append(name)
        else:
            skipped.append(f"{name} covers {pset.wavelength_min_m * 1e9:g}-{pset.wavelength_max_m * 1e9:g} nm")
    if usable:
        return usable, None
    span = f"{low * 1e9:g} nm" if high - low <= 1e-12 else f"{low * 1e9:g}-{high * 1e9:g} nm"
    why = "; ".join(skipped) if skipped else "no other set is shipped"
    return [], f"not varied: no optical set other than {nominal} covers the laser's {span} ({why})"


def blister_uncertainty(
    sim, response, source_per_J, energy_range_J: tuple[float, float], *, counter=None
) -> BlisterUncertainty:
    """Relative uncertainty of the one-pass blister energy of ``sim`` (see the module docstring).

    Parameters
    ----------
    sim : Simulation
        The nominal simulation (person, laser, cooling, settings).
    response : ThermalResponse
        Its thermal response (linear in pulse energy).
    source_per_J : ndarray (nr, nz)
        Its absorbed-energy density per joule, 1/m³.
    energy_range_J : (float, float)
        Device pulse-energy range; the bisection searches 1/10 of the low end to 10× the high end.
    counter : Counter, optional
        Incremented with the transports and heat solves spent.

    Returns
    -------
    BlisterUncertainty
    """
    cite(*CITATIONS)
    mc = mc_relative_error(sim, response)
    lo, hi = energy_range_J[0] / 10.0, energy_range_J[1] * 10.0
    nominal = _one_pass_blister_J(response, lo, hi)
    result = BlisterUncertainty(
        relative=min(2.0 * mc, MAX_RELATIVE_UNCERTAINTY), mc_relative_error=mc, relative_high=2.0 * mc
    )
    if nominal is None:
        return result
    cases = {}
    melanin = _melanin_high(sim.person)
    if melanin is not None:  # optics only: the nominal grid (module docstring)
        cases["melanin"] = {
            "person": sim.person.model_copy(update={"melanin_fraction": melanin}),
            "grid": response.grid,
        }
    cases["epidermis_thickness"] = {"overrides": _skin_overrides(sim, epidermis_factor=1 + EPIDERMIS_THICKNESS_REL)}
    cases["dermis_thickness"] = {"overrides": _skin_overrides(sim, dermis_factor=1 - DERMIS_THICKNESS_REL)}
    sets, why_not = alternative_scattering_sets(
        sim.settings.scattering, [wavelength for wavelength, _ in sim.laser.wavelength_weights()]
    )
    for name in sets:  # "scattering_set" when one other set is shipped (today: salomatina2006)
        cases["scattering_set" if len(sets) == 1 else f"scattering_set:{name}"] = {
            "scattering": name,
            "grid": response.grid,
        }
    if len(sets) == 1:
        result.optical_set = sets[0]
    if why_not is not None:
        result.notes["scattering_set"] = why_not
    cooling = _cooling_low(sim)
    if cooling is not None:
        cases["cooling_h"] = {"cooling": cooling}
    perturbed = {
        name: _perturbed_simulation(sim, cooling=change["cooling"])
        if name == "cooling_h"
        else _perturbed_simulation(sim, **change)
        for name, change in cases.items()
    }
    energies = {}
    # heat in this order: the cooling case (it reuses the nominal source, no transport to wait for), the optical
    # cases while the nominal LU factors are still cached, then the thicknesses (a ladder of factors each, which
    # pushes the nominal's out of the cache); sums and results keep the order of the cases
    order = sorted(cases, key=lambda n: (n != "cooling_h", "grid" not in cases[n]))
    # the perturbed optics' transports run one after another, in that order, in a background thread while this
    # thread solves heat; each result is the one a transport in this thread gives (same inputs, seed and
    # photons, bit-identical on any thread), so only the wall time changes (issue 9: a plan within 30 s)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="laserskin-blister-band") as pool:
        context = contextvars.copy_context()  # the caller's citation records
        transports = {
            name: pool.submit(context.run, _quiet_transport, *_transport_inputs(perturbed[name]))
            for name in order
            if name != "cooling_h"
        }
        try:
            for name in order:
                if name == "cooling_h":  # optics unchanged: reuse the source, heat only
                    source, grid = source_per_J, response.grid
                else:
                    _, source, grid = transports[name].result()
                    if counter is not None:
                        counter.transports += 1
                alt_response, _ = perturbed[name].thermal_response(source, grid)
                if counter is not None:
                    counter.heat_solves += 2
                result.runs += 1
                energies[name] = _one_pass_blister_J(alt_response, lo, hi)
                result.dermal_readouts[name] = dermal_readout(alt_response)
        finally:
            for future in transports.values():  # on an error: no transport left running for nothing
                future.cancel()
    for name in cases:  # summed in the order of the cases, as before
        energy = energies[name]
        result.contributions[name] = float((energy / nominal - 1.0) if energy is not None else 1.0)
    result.relative, result.relative_high = _quadrature_band({name: result.contributions[name] for name in cases}, mc)
    return result


def _quadrature_band(contributions: dict[str, float], mc_relative_error: float) -> tuple[float, float]:
    """Low and high relative half-widths of a band: 2 s_MC and every parameter's change in quadrature, in the order
    given; the other optical set is an alternative, not a spread, so its change counts on its own side only. The
    low side is capped at :data:`MAX_RELATIVE_UNCERTAINTY`."""
    low_sq = high_sq = (2.0 * mc_relative_error) ** 2
    for name, d in contributions.items():
        if name.startswith("scattering_set"):
            low_sq += min(d, 0.0) ** 2
            high_sq += max(d, 0.0) ** 2
        else:
            low_sq += d * d
            high_sq += d * d
    return float(min(math.sqrt(low_sq), MAX_RELATIVE_UNCERTAINTY)), float(math.sqrt(high_sq))


@dataclass(frozen=True)
class DermalReadout:
    """The dermal dose read-out of one run, linear in the pulse energy: the temperature of the dermal cells on the
    beam axis pooled over the axis read-out region (as :class:`laserskin.planning.optimise.FastEvaluator` reads the
    target), ``base_K + E·rise_per_J`` (nt, n_dermis), and the cells' thickness (µm)."""

    times_s: np.ndarray
    base_K: np.ndarray
    rise_per_J: np.ndarray
    dz_um: np.ndarray

    def omega_depth_um(self, energy_J: float) -> float:
        """Depth integral of the dermal Henriques Ω on the axis, ∫ Ω dz (µm), one pass at ``energy_J``: the smooth
        measure of the dermal thermal-injury dose that drives the healing model (the injured band is where Ω ≥ 1)."""
        history = self.base_K + energy_J * self.rise_per_J
        omega = np.asarray(arrhenius_omega(self.times_s, history, parameters="henriques_moritz_1947"))
        return float(np.sum(omega * self.dz_um))


def dermal_readout(response) -> DermalReadout:
    """:class:`DermalReadout` of a thermal response (the dermis of its own geometry)."""
    grid, geometry = response.grid, response.geometry
    z = grid.z_centers_m
    dermis = np.flatnonzero((z >= geometry.junction_depth_m) & (z < geometry.dermis_bottom_m))
    return DermalReadout(
        times_s=np.asarray(response.times_s),
        base_K=np.asarray(pooled_ring(response.base_K[:, :, dermis], grid, response.readout_rings, axis=1)),
        rise_per_J=np.asarray(pooled_ring(response.rise_per_J[:, :, dermis], grid, response.readout_rings, axis=1)),
        dz_um=np.diff(grid.z_edges_m)[dermis] * 1e6,
    )


#: Largest dose-equivalent relative change searched per perturbation (a factor 3 in energy either way).
_DOSE_SEARCH_FACTOR = 3.0


def _equivalent_energy_J(readout: DermalReadout, target: float, energy_J: float) -> float | None:
    """Energy at which ``readout``'s ∫Ω dz reaches ``target`` (log bisection within a factor
    :data:`_DOSE_SEARCH_FACTOR` of ``energy_J``), None where it is not reached in that range."""
    lo, hi = energy_J / _DOSE_SEARCH_FACTOR, energy_J * _DOSE_SEARCH_FACTOR
    if readout.omega_depth_um(hi) < target:
        return None
    if readout.omega_depth_um(lo) >= target:
        return lo
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if readout.omega_depth_um(mid) < target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def dermal_dose_uncertainty(uncertainty: BlisterUncertainty | None, response, energy_J: float) -> dict | None:
    """Relative uncertainty of the dermal (healing) dose delivered at the planned one-pass energy ``energy_J``,
    expressed as an equivalent fluence change, from the perturbed runs of the blister band (issue 10 item 3).

    For each perturbation i the perturbed run's axial dermal ∫Ω dz (:class:`DermalReadout`) is matched to the nominal
    run's at ``energy_J``: the perturbed skin at ``energy_J`` receives the dose the nominal skin receives at
    ``energy_J·(1 + d_i)``, with ``d_i = energy_J/E_i − 1`` and ``E_i`` the perturbed run's energy of the nominal dose
    (a perturbation that shifts the light in the dermis acts as a scaling of the energy). The ``d_i`` are combined
    exactly as the blister band combines its changes (module docstring: a one-sided physical perturbation counts on
    both sides, an alternative optical set on its own side) with twice the Monte Carlo relative error ``s_MC`` of
    the nominal run (the basal read-out's error, measured over the transport's batches, taken for the dermal
    read-out as well: the same photons reach both, U), in quadrature::

        δ_low = sqrt(Σ_sym d_i² + Σ_set min(d, 0)² + (2 s_MC)²),  δ_high likewise with max(d, 0)

    The same parameters move the blister fluence, but not in the same direction (more melanin lowers both the
    blister fluence and the light reaching the dermis; a thicker epidermis raises the first and lowers the second),
    so the dermal changes are measured, not inferred from the blister band. A perturbation whose run has no read-out
    or whose dose is not reached within a factor :data:`_DOSE_SEARCH_FACTOR` falls back to the blister band's change
    for it (``|d|``; the source is said in ``sources``). Returns None where there is no blister band (ablative and
    fractional settings) or no dermal dose at ``energy_J`` (∫Ω dz = 0): the dose then is not a smooth function to
    perturb, and the outcome band stays the healing model's.

    Returns
    -------
    dict or None
        ``relative_low``, ``relative_high`` (δ), ``mc_relative_error`` (s_MC), ``contributions`` ``{parameter:
        d_i}``, ``sources`` ``{parameter: "measured" | "blister band (proxy)"}``.
    """
    if uncertainty is None or response is None or energy_J is None or not energy_J > 0:
        return None
    nominal = dermal_readout(response)
    target = nominal.omega_depth_um(energy_J)
    if not target > 0.0 or not math.isfinite(target):
        return None
    mc = float(uncertainty.mc_relative_error)
    contributions, sources = {}, {}
    for name, blister_d in uncertainty.contributions.items():
        readout = uncertainty.dermal_readouts.get(name)
        equivalent = None if readout is None else _equivalent_energy_J(readout, target, energy_J)
        if equivalent is not None:
            d, sources[name] = energy_J / equivalent - 1.0, "measured"
        else:
            d, sources[name] = abs(float(blister_d)), "blister band (proxy)"
        contributions[name] = float(d)
    relative_low, relative_high = _quadrature_band(contributions, mc)
    return {
        "relative_low": relative_low,
        "relative_high": relative_high,
        "mc_relative_error": mc,
        "contributions": contributions,
        "sources": sources,
    }
