"""The ablative stage of the pipeline: crater, then the heat left below it relaxes.

Used by :class:`laserskin.pipeline.simulation.Simulation` for ablative lasers (Er:YAG, CO2),
whose light is absorbed within microns (μa ≫ μs', Beer–Lambert, no Monte Carlo needed).
"""

from __future__ import annotations

import numpy as np

from laserskin.core.constants import CELSIUS_K
from laserskin.core.errors import InputError
from laserskin.damage.injury import dermal_injury
from laserskin.grid import RZGrid
from laserskin.pipeline.result import Result, pair
from laserskin.pipeline.summary import SimulationSummary

__all__ = ["run_ablative"]


def run_ablative(simulation) -> Result:
    """Crater by the steady-state ablation model, then the heat left below it relaxes.

    The crater depth per pulse and pass comes from :func:`laserskin.damage.ablation.crater_depth`
    (steady-state heat of ablation, Walsh & Deutsch 1988); fractional lasers give the
    micro-column of :func:`~laserskin.damage.ablation.fractional_mtz`. Below the crater
    floor the tissue starts at T_b + (T_abl − T_b)·exp(−μa z) (Walsh & Deutsch 1988) and
    is held at the ablation temperature while each stacked pulse lasts (the ablation
    front, so heat conducted during the pulse — the reason longer pulses leave more
    damage, Walsh, Flotte & Deutsch 1989 — is included), then relaxes with the Pennes
    solver on a grid that begins at the final floor. The residual thermal necrosis
    depth is where the Henriques Ω falls below 1. The front is treated as laterally
    uniform (1-D below the floor) and at its final depth throughout, and passes
    after the first are not followed thermally.
    """
    from laserskin.damage import ablation
    from laserskin.damage.arrhenius import arrhenius_omega
    from laserskin.damage.collagen import collagen_response, omega_depth_range
    from laserskin.damage.injury import classify_epidermal_injury, pigment_risk
    from laserskin.damage.pain import PainParameters, pain_from_trace
    from laserskin.pipeline.response import DAMAGE_SETS, HistoryRecorder
    from laserskin.skin import tissue_at
    from laserskin.thermal import ThermalMedium, solve_bioheat, steady_state_temperature
    from laserskin.thermal.schedule import Schedule

    laser = simulation.laser
    geometry = simulation.geometry()
    skin = simulation.skin()
    wavelength = laser.centroid_wavelength_m
    preset = "er_yag_2940" if wavelength < 5e-6 else "co2_10600"
    tissue = tissue_at(simulation.person, wavelength, scattering=simulation.settings.scattering)
    surface_mua = max(layer.mua_per_m for layer in tissue.layers[:2])
    parameters = ablation.get_laser(preset).model_copy(update={"mua_per_m": surface_mua})
    pulses = simulation.protocol.effective_pulses_per_spot(laser)
    if laser.is_fractional:
        zone = ablation.fractional_mtz(simulation.pulse_energy_J(), laser.fractional.microbeam_diameter_m, parameters)
        crater_m = zone.ablation_depth_m
        per_pulse_m = crater_m
        column_radius_m = zone.ablation_radius_m
    else:
        crater = ablation.crater_depth(
            laser.peak_fluence_J_per_m2, parameters, pulses_per_pass=pulses, passes=simulation.protocol.passes
        )
        crater_m, per_pulse_m, column_radius_m = crater.total_depth_m, crater.depth_per_pulse_m[0], None
    bottoms = np.asarray(geometry.layer_bottoms_m)
    if crater_m >= bottoms[-2]:
        raise InputError("laser.fluence", f"{laser.fluence_J_per_m2 * 1e-4:g} J/cm^2",
                         "settings whose crater stays within the dermis")
    floor_bottoms = bottoms[bottoms > crater_m] - crater_m
    kept = len(bottoms) - len(floor_bottoms)
    layers = skin.layers[kept:]
    grid = RZGrid.graded(
        r_max_m=1e-3, nr=4, z_max_m=float(floor_bottoms[-1]),
        dz_surface_m=min(0.25 / surface_mua, 5e-6), dz_max_m=100e-6, growth=1.08,
        interfaces_m=floor_bottoms[:-1], fine_depth_m=min(40.0 / surface_mua, 100e-6),
    )
    medium = ThermalMedium.from_layers(
        grid, floor_bottoms, [l.k_W_per_mK for l in layers], [l.density_kg_per_m3 for l in layers],
        [l.specific_heat_J_per_kgK for l in layers], [l.perfusion_per_s for l in layers],
    )
    resting = steady_state_temperature(medium)
    floor_temperature = float(resting[0, 0])
    initial = resting + (parameters.ablation_temperature_K - floor_temperature) * np.exp(
        -surface_mua * grid.z_centers_m
    )[None, :]
    period = 1.0 / laser.repetition_rate_Hz if laser.repetition_rate_Hz else laser.pulse_duration_s
    pulse_starts = np.arange(1 if laser.is_fractional else pulses) * period
    t_end = float(pulse_starts[-1]) + laser.pulse_duration_s + simulation.settings.relaxation_s
    surface = _ablation_front_boundary(
        simulation.cooling, pulse_starts, laser.pulse_duration_s, parameters.ablation_temperature_K, t_end
    )
    nociceptor = max(PainParameters().nociceptor_depth_m - crater_m, float(grid.z_centers_m[0]))
    recorder = HistoryRecorder()
    heat = solve_bioheat(
        medium, None, Schedule.constant(0.0), surface, t_end, initial_temperature_K=initial,
        probes=[(0.0, nociceptor)], observers=[recorder], first_step_s=1e-6, progress=simulation.progress,
    )
    times, history = recorder.history()
    omega = {key: arrhenius_omega(times, history, name, method="linear_T") for key, name in DAMAGE_SETS.items()}
    peak = history.max(axis=0)
    # residual thermal necrosis (Kaufmann & Hibst 1996; Walsh et al. 1989): cell death, Henriques Ω ≥ 1
    residual_m = ablation.residual_damage_depth(omega["henriques"], grid, 0.0)
    junction_below_floor = geometry.junction_depth_m - crater_m
    dermis_top = max(junction_below_floor, 0.0)
    collagen = collagen_response(
        omega["collagen"], grid, dermis_top_m=dermis_top, dermis_bottom_m=geometry.dermis_bottom_m - crater_m,
        spot_radius_m=grid.r_max_m,
    )
    if junction_below_floor > grid.z_centers_m[0]:
        basal = int(np.flatnonzero(grid.z_centers_m < junction_below_floor)[-1])
        epidermal_omega = float(omega["henriques"][0, basal])
        basal_peak = float(peak[0, basal])
        grade = classify_epidermal_injury(epidermal_omega)
    else:
        # the whole epidermis was vaporised: its Ω is that of the crater floor, at least
        epidermal_omega = float(omega["henriques"][0, 0])
        basal_peak = parameters.ablation_temperature_K
        grade = "necrosis"
    risk = pigment_risk(simulation.person.fitzpatrick, epidermal_omega, basal_peak)
    pain = pain_from_trace(times, heat.probe_temperatures_K[0], None, simulation.protocol.anesthetic)
    coverage = laser.coverage_fraction if laser.is_fractional else 1.0
    depth = omega_depth_range(np.where(
        (grid.z_centers_m > dermis_top)[None, :], omega["collagen"], np.nan), grid, 1.0, column=0)
    injured = dermal_injury(omega["henriques"], grid, dermis_top_m=dermis_top,
                            dermis_bottom_m=geometry.dermis_bottom_m - crater_m)
    summary = {
        "thermal_model": "nonlinear",
        "thermal_model_reason": "ablative laser: tissue is vaporised, so the steady-state ablation front "
        "sets the crater and the heat left below it relaxes",
        "peak_temperature_C": float(max(parameters.ablation_temperature_K, peak.max()) - CELSIUS_K),
        "cooling_kind": simulation.cooling.kind,
        "peak_epidermis_temperature_C": float(parameters.ablation_temperature_K - CELSIUS_K),
        "peak_dermis_temperature_C": float(peak[:, grid.z_centers_m >= dermis_top].max() - CELSIUS_K),
        "denaturation_depth_um": None if depth is None else [(d + crater_m) * 1e6 for d in depth],
        "denatured_volume_mm3": float(collagen.denatured_volume_mm3),
        "dermal_injury_depth_um": pair(None if injured.depth_range_um is None else
                                        [d + crater_m * 1e6 for d in injured.depth_range_um]),
        "dermal_injury_volume_mm3": injured.volume_mm3,
        "immediate_tightening_percent": float(collagen.tightening_percent) * coverage,
        "epidermal_omega": epidermal_omega,
        "epidermal_injury": grade,
        "pigment_risk": risk.level,
        "pain_index": float(pain.index_without_anesthetic),
        "pain_index_with_anesthetic": float(pain.index_with_anesthetic),
        "anesthetic": simulation.protocol.anesthetic,
        "crater_depth_um": crater_m * 1e6,
        "crater_depth_per_pulse_um": per_pulse_m * 1e6,
        "residual_damage_depth_um": residual_m * 1e6,
        "mtz_width_um": None if column_radius_m is None else 2e6 * (column_radius_m + residual_m),
        "mtz_depth_um": None if column_radius_m is None else (crater_m + residual_m) * 1e6,
        "boiling": True,
        "pulse_energy_J": simulation.pulse_energy_J(),
        "fluence_J_per_cm2": laser.fluence_J_per_m2 * 1e-4,
        "wavelength_nm": wavelength * 1e9,
        "photons": 0,
        "seed": simulation.settings.seed,
        "heat_steps": int(heat.n_steps),
        "energy_balance_residual_J": float(heat.energy.residual_J),
    }
    summary = SimulationSummary(**summary).to_dict()
    import xarray as xr

    dataset = xr.Dataset(
        {
            "peak_temperature": (("r", "z"), peak, {"units": "K", "long_name": "peak temperature below the crater floor"}),
            "denatured_fraction": (("r", "z"), collagen.denatured_fraction, {"units": "1"}),
            "axis_temperature": (("time", "z"), history[:, 0, :], {"units": "K"}),
            **{f"omega_{k}": (("r", "z"), v, {"units": "1"}) for k, v in omega.items()},
            "r_edges": (("r_edge",), grid.r_edges_m, {"units": "m"}),
            "z_edges": (("z_edge",), grid.z_edges_m + crater_m, {"units": "m"}),
        },
        coords={"r": ("r", grid.r_centers_m, {"units": "m"}),
                "z": ("z", grid.z_centers_m + crater_m, {"units": "m", "long_name": "depth below the original surface"}),
                "time": ("time", times, {"units": "s"})},
    )
    dataset.attrs.update(simulation.provenance(summary))
    return Result(summary=summary, dataset=dataset, grid=grid, layer_names=list(geometry.layer_names),
                  layer_bottoms_m=bottoms, transport=[])


#: Heat-transfer coefficient that pins the crater floor to the ablation temperature, W/(m² K)
#: (large enough that the floor acts as a fixed-temperature boundary on µm cells).
_FRONT_H_W_PER_M2K = 1e9


def _ablation_front_boundary(cooling, pulse_starts_s, pulse_duration_s, front_temperature_K, t_end_s):
    """Surface boundary below an ablation crater: the floor sits at the ablation temperature
    while a pulse lasts (the ablation front), the cooling device's schedule otherwise.
    """
    from laserskin.thermal import SurfaceBoundary
    from laserskin.thermal.schedule import Schedule

    lead = cooling.lead_time_s
    starts = np.asarray(pulse_starts_s, dtype=float)
    full = cooling.surface_boundary(starts + lead, starts + lead + pulse_duration_s, t_end_s + lead)

    def pieces(schedule, front_value):
        cooled = [(a - lead, b - lead, v) for a, b, v in schedule.on_intervals(lead, t_end_s + lead)]
        front = [(t, t + pulse_duration_s, front_value) for t in starts]
        return Schedule.from_intervals(cooled + front, default=float(schedule.value_at(t_end_s + lead)))

    return SurfaceBoundary(
        pieces(full.h_W_per_m2K, _FRONT_H_W_PER_M2K),
        pieces(full.medium_temperature_K, front_temperature_K),
        resting_h_W_per_m2K=full.resting_h_W_per_m2K, resting_temperature_K=full.resting_temperature_K,
    )
