"""``laserskin simulate``: a treatment on one spot (every [protocol] pass), light → heat → damage, and its summary."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import typer

from laserskin.cli._shell import (
    FORCE_HELP,
    Outputs,
    check_threads,
    console,
    describe_cooling,
    note,
    print_json,
    summary_notes,
)
from laserskin.core.errors import InputError

#: Rows of the summary table: key of ``Result.summary``, label, unit (clinician units: °C, µm, mm³, mg, %).
#: Every key of ``simulate --json`` is a row here, a ``*_note`` (said as a stderr line, :func:`summary_notes`) or
#: in :data:`JSON_ONLY_KEYS` with the reason it is left out (tests/cli/test_simulate_table_rows.py).
SUMMARY_ROWS = (
    ("cooling", "cooling (settings below)", ""),
    ("thermal_model", "thermal model", ""),
    ("within_model_validity", "within what the model represents (no: see the warnings)", ""),
    ("peak_temperature_C", "peak tissue temperature", "°C"),
    ("peak_epidermis_temperature_C", "peak epidermal temperature", "°C"),
    ("peak_dermis_temperature_C", "peak dermal temperature", "°C"),
    ("peak_basal_temperature_C", "peak basal-layer temperature", "°C"),
    ("peak_basal_temperature_band_C", "peak basal-layer temperature, Monte Carlo error range", "°C"),
    ("denaturation_depth_um", "collagen Ω ≥ 1 depth range", "µm"),
    ("denatured_volume_mm3", "denatured collagen volume", "mm³"),
    ("immediate_tightening_percent", "immediate tightening", "%"),
    ("dermal_injury_depth_um", "dermal injury (Henriques Ω ≥ 1) depth range", "µm"),
    ("dermal_injury_possible_depth_um", "dermal injury depth range possible within the Monte Carlo error", "µm"),
    ("dermal_injury_volume_mm3", "dermal injury volume", "mm³"),
    ("dermal_injury_fraction", "share of the dermis thickness injured or removed", "%"),
    ("dermal_injury", "dermal injury (≥ 75 % of the dermis: full thickness)", ""),
    ("epidermal_omega", "epidermal (basal) Ω, Henriques", ""),
    ("epidermal_omega_band", "epidermal (basal) Ω, Monte Carlo error range", ""),
    ("epidermal_injury", "epidermal injury", ""),
    ("epidermal_injury_beyond_error", "epidermal injury established beyond the Monte Carlo error", ""),
    ("epidermal_necrosis_depth_um", "necrotic (or removed) epidermis, depth of its bottom", "µm"),
    ("pigment_risk", "pigmentary risk", ""),
    ("pigment_risk_beyond_error", "pigmentary risk established beyond the Monte Carlo error", ""),
    ("pain_index", "pain index, no anaesthetic", "/10"),
    ("pain_index_with_anesthetic", "pain index with anaesthetic", "/10"),
    ("pain_index_with_plan", "pain with anaesthetic and cooling", "/10"),
    ("ablation_regime", "ablation regime", ""),
    ("crater_depth_um", "crater depth", "µm"),
    ("crater_depth_per_pulse_um", "crater depth of the first pulse", "µm"),
    ("crater_depth_per_pass_um", "crater depth added by each pass", "µm"),
    ("vaporised_water_mg", "water vaporised", "mg"),
    ("residual_damage_depth_um", "residual thermal necrosis depth", "µm"),
    (
        "residual_damage_possible_depth_um",
        "residual thermal necrosis depth possible within the Monte Carlo error",
        "µm",
    ),
    ("residual_damage_wall_um", "residual thermal necrosis at the crater wall (half depth)", "µm"),
    ("coagulation_depth_um", "coagulated collagen below the crater", "µm"),
    ("mtz_width_um", "MTZ width", "µm"),
    ("mtz_depth_um", "MTZ depth", "µm"),
    ("mtz_ablation_width_um", "MTZ ablated channel width", "µm"),
    ("mtz_ablation_depth_um", "MTZ ablated channel depth", "µm"),
    ("mtz_coagulation_width_um", "MTZ coagulated-collagen width", "µm"),
    ("mtz_coagulation_depth_um", "MTZ coagulated-collagen depth", "µm"),
    ("mtz_area_fraction", "MTZ share of the area", "%"),
    ("wall_time_s", "wall time", "s"),
)

#: Summary keys that are fractions (0-1), shown × 100 in the table's "%" rows.
PERCENT_OF_FRACTION = frozenset({"dermal_injury_fraction", "mtz_area_fraction"})
#: Rows shown only where some summary has a non-zero value (an intact surface has no crater per pulse, a
#: full-field laser no micro-zone); other rows are shown wherever some summary has the key.
NONZERO_ROWS = frozenset(
    {
        "crater_depth_per_pulse_um",
        "crater_depth_per_pass_um",
        "vaporised_water_mg",
        "epidermal_necrosis_depth_um",
        *(key for key, _, _ in SUMMARY_ROWS if key.startswith("mtz_")),
    }
)
#: Rows that are a list of one value per pass (not a [low, high] range).
PER_PASS_ROWS = frozenset({"crater_depth_per_pass_um"})
#: "Possible within the Monte Carlo error" rows, shown only where they differ from the established value beside
#: them (they equal it where no Monte Carlo error is estimated: the non-linear stage, voxels).
POSSIBLE_OF = {
    "dermal_injury_possible_depth_um": "dermal_injury_depth_um",
    "residual_damage_possible_depth_um": "residual_damage_depth_um",
}

#: Keys of ``simulate --json`` deliberately not in the table, with the reason: settings (the table's title says
#: them), the inputs and version of the run, and numerical diagnostics for modellers.
JSON_ONLY_KEYS = {
    "version": "package version (JSON provenance)",
    "inputs": "the scenario that reproduces the run: as read, with --photons/--seed (JSON provenance)",
    "geometry": "input: the [geometry] kind",
    "anesthetic": "input: named in the scenario (its effect is the pain row)",
    "cooling_kind": "the cooling row and the 'cooling used' line say it",
    "thermal_model_reason": "diagnostic text for modellers (the web page shows it as a note)",
    "model_validity_reason": "the warning lines (the notes it names) say why",
    "boiling": "the thermal model row says it (non-linear when tissue water boils)",
    "pulse_energy_J": "setting: the table's title",
    "fluence_J_per_cm2": "setting: the table's title",
    "wavelength_nm": "setting: the table's title",
    "wavelength_band_nm": "setting: the table's title",
    "wavelength_bands_nm": "setting: the table's title (Laser.describe: the emitted bands)",
    "photons": "Monte Carlo run setting",
    "seed": "Monte Carlo run setting",
    "peak_cell_temperature_C": "diagnostic: the hottest single cell before pooling, moves with the seed (not an outcome)",
    "dermal_injury_mc_relative_error": "diagnostic: its effect is the 'possible within the Monte Carlo error' rows",
    "epidermal_mc_relative_error": "diagnostic: its effect is the basal Ω and temperature Monte Carlo error ranges",
    "heat_steps": "numerical diagnostic",
    "heat_factorizations": "numerical diagnostic",
    "heat_cg_iterations": "numerical diagnostic",
    "energy_balance_residual_J": "numerical diagnostic",
    "energy_balance_relative_residual": "numerical diagnostic",
    "outer_edge_rise_fraction": "numerical diagnostic (grid extent)",
    "absorbed_outside_grid_fraction": "numerical diagnostic (grid extent; grid_note says it when it matters)",
    "absorbed_outside_grid_share": "numerical diagnostic (grid extent; grid_note says it when it matters)",
    "escaped_sides_fraction": "numerical diagnostic (voxel box)",
    "absorbed_energy_J": "numerical diagnostic (voxel heat ledger)",
    "latent_heat_J": "numerical diagnostic (voxel heat ledger)",
    "unabsorbed_by_dried_tissue_J": "numerical diagnostic (voxel heat ledger)",
    "voxels": "voxel grid size",
    "voxel_um": "voxel grid size",
    "boundary": "voxel grid boundary",
    "absorbed_fraction_by_region": "per-region diagnostic (voxels)",
    "peak_temperature_by_region_C": "per-region diagnostic (voxels)",
    "array": "voxel micro-zone array: nested between-zone read-outs",
    "firing": "voxel firing schedule of a scanned array",
}


def unlisted_keys(keys: Any) -> list[str]:
    """The summary keys among ``keys`` that are neither a row of :data:`SUMMARY_ROWS`, a ``*_note`` (a stderr line)
    nor in :data:`JSON_ONLY_KEYS`: a new key of ``simulate --json`` that the table would silently leave out."""
    rows = {key for key, _, _ in SUMMARY_ROWS}
    return sorted(k for k in keys if k not in rows and k not in JSON_ONLY_KEYS and not str(k).endswith("_note"))


def format_value(value: Any) -> str:
    """A summary value as table text (``—`` for missing)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return " – ".join(format_value(v) for v in value)
    if isinstance(value, dict):  # the cooling: its kind
        return str(value.get("kind", "—"))
    return str(value)


def row_text(key: str, value: Any) -> str:
    """One table cell: the summary value of ``key`` in the row's unit (fractions as %, per-pass lists with commas)."""
    if key in PERCENT_OF_FRACTION and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = 100.0 * float(value)
    if key in PER_PASS_ROWS and isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "—"
    return format_value(value)


def _shown(key: str, summary: dict) -> bool:
    value = summary.get(key)
    if key in NONZERO_ROWS:
        return any(value) if isinstance(value, (list, tuple)) else bool(value)
    if key in POSSIBLE_OF:
        return value is not None and value != summary.get(POSSIBLE_OF[key])
    return value is not None


def summary_table(summaries: dict[str, dict], title: str) -> Any:
    """A rich table with one column per named simulation summary (rows of :data:`SUMMARY_ROWS`)."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("unit")
    for name in summaries:
        table.add_column(name, justify="right")
    for key, label, unit in SUMMARY_ROWS:
        if any(_shown(key, summary) for summary in summaries.values()):
            table.add_row(label, unit, *(row_text(key, summary.get(key)) for summary in summaries.values()))
    return table


def reproducing_scenario(spec: Any, simulation: Any) -> Any:
    """The scenario that reproduces ``simulation``: ``spec`` with the photons and seed that ran (the command's
    ``--photons``/``--seed`` where given) in its ``[transport]`` table, so that ``simulate --json``'s ``inputs``, fed
    back as a scenario, gives the same result (QA9 #2: it said 200 000 photons and seed 1 after ``--photons 2000
    --seed 3``). ``--threads`` is not recorded: the result does not depend on it (each Monte Carlo batch has its own
    random stream, ``laserskin.transport.driver``), and a thread count is the machine's, not the scenario's."""
    ran = {"photons": simulation.settings.photons, "seed": simulation.settings.seed}
    if all(getattr(spec.transport, key) == value for key, value in ran.items()):
        return spec
    return spec.model_copy(update={"transport": spec.transport.model_copy(update=ran)})


def output_names(geometry: str) -> list[str]:
    """The files ``simulate --out`` writes for a geometry (``"rz"`` or ``"voxels"``): one list per geometry."""
    figures: tuple[str, ...]
    if geometry == "voxels":
        from laserskin.pipeline.voxel import VOXEL_FIGURES as figures
    else:
        from laserskin.plotting.simulation import SIMULATION_FIGURES as figures
    return ["result.nc", *(f"{name}.png" for name in figures)]


def command(
    scenario: Path = typer.Argument(..., help="Scenario TOML file ([person], [laser], [cooling], [protocol])."),
    photons: int | None = typer.Option(None, help="Number of photon packets."),
    seed: int | None = typer.Option(None, help="Random seed (recorded in the output)."),
    threads: int | None = typer.Option(None, help="Worker threads for the Monte Carlo."),
    out: Path | None = typer.Option(
        None,
        help="Folder for result.nc and the figures (temperature_map, depth_profiles, probe_traces PNG; "
        "for voxels: x-z / y-z / x-y slices and the damage's maximum projection).",
    ),
    movie: Path | None = typer.Option(
        None,
        help="Write a temperature movie to this file: .gif (pillow) or .mp4/.m4v/.mov (ffmpeg); r-z maps "
        "at [heat] store_times when given, else the temperature on the beam axis vs depth.",
    ),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Simulate a treatment on one spot (all [protocol] passes): light → heat → damage; print the summary
    (with the cooling used)."""
    from laserskin.pipeline.ablative import AblativeSettingWarning
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.pipeline.simulation import Simulation
    from laserskin.pipeline.summary import shell_summary
    from laserskin.plotting.movie import MOVIE_SUFFIXES, movie_writer_available
    from laserskin.plotting.progress import RichProgress
    from laserskin.thermal.cooling import FreezingWarning

    spec = load_scenario(scenario)
    outputs = Outputs(force)
    out = outputs.folder(out, "--out", output_names(spec.geometry.kind))
    movie = outputs.file(movie, "--movie", suffixes=tuple(MOVIE_SUFFIXES))
    if movie is not None and not movie_writer_available(movie.suffix):
        raise InputError("--movie", str(movie), "a .gif (ffmpeg is not installed here for MP4/M4V/MOV)")
    if spec.geometry.kind == "voxels" and movie is not None:
        raise InputError("--movie", str(movie), 'an r-z simulation (no movie of [geometry] kind = "voxels")')
    check_threads(*((threads, "--threads") if threads is not None else (spec.transport.threads, "transport.threads")))
    simulation = Simulation.from_scenario(spec, photons=photons, seed=seed, threads=threads, progress=RichProgress())
    # the schedule at the spot before any run: a wait between passes longer than the session is refused now, not
    # after the transport (QA9 #1; the pass interval and pulse trains typed were refused when the file was read)
    simulation.pulse_schedule()
    spec = reproducing_scenario(spec, simulation)  # what `inputs` echoes: the run, with --photons/--seed (QA9 #2)
    if movie is not None:
        from laserskin.pipeline.ablative import resolve_ablative

        if resolve_ablative(simulation).ablative:  # refused before the run, not after it (QA4 #22)
            raise InputError(
                "--movie",
                str(movie),
                "a simulation of the linear heat model: an ablative laser runs the non-linear model, which keeps "
                "only peak and final fields (no temperature history, with or without [heat] store_times)",
            )
    with warnings.catch_warnings():  # said once below, as a warning line, not as a Python warning
        warnings.simplefilter("ignore", AblativeSettingWarning)
        warnings.simplefilter("ignore", FreezingWarning)
        try:
            result = simulation.run(grid_warning=False)  # the grid note too
        except InputError as refusal:  # a burning setting: state its real limit, found by more runs (QA4 #5)
            if not getattr(refusal, "burnt_tissue", False):
                raise
            from laserskin.pipeline.setting_limit import refusal_with_limit

            note("the setting burns the tissue: finding the limit of its field (a few more runs) ...")
            raise refusal_with_limit(simulation, refusal) from None
    # every *_note of the summary as one stderr line (the Python warnings ignored above among them); the web
    # result page shows the same list (QA6 #16)
    for _key, level, text in summary_notes(result.summary):
        note(f"{level}: {text}")
    summary = shell_summary(result, simulation, spec)  # the web's summary too (QA5 #7)
    cooling = summary["cooling"]
    if out is not None:
        from laserskin.plotting import plot_simulation

        out.mkdir(parents=True, exist_ok=True)
        outputs.wrote(result.save(out / "result.nc"))
        if spec.geometry.kind == "voxels":
            from laserskin.pipeline.voxel import VoxelResult

            assert isinstance(result, VoxelResult)  # a voxel scenario runs the voxel stage (Simulation.run)
            paths = result.figures(out)
        else:
            paths = plot_simulation(result, out)
        for path in paths:
            outputs.wrote(path)
    if movie is not None and result.summary.get("thermal_model") == "nonlinear":
        # the 100 degC rule switched a non-ablative run to the non-linear model after it started: keep the
        # result and say why there is no movie (QA5 #27); an ablative laser was refused before the run
        note(
            f"warning: no movie written to {movie}: the setting boils tissue, so the non-linear model ran "
            f"({result.summary.get('thermal_model_reason')}), and it keeps only peak and final fields"
        )
        movie = None
    if movie is not None:
        from laserskin.plotting import write_temperature_movie

        outputs.wrote(write_temperature_movie(result, movie))
    if as_json:  # with the package version and the scenario as read (QA4 #7)
        print_json(summary)
        return
    console().print(summary_table({scenario.stem: summary}, f"Simulation: {simulation.laser.describe()}"))
    settings = {key: value for key, value in cooling.items() if key != "source"}
    console().print(f"cooling used: {describe_cooling(settings)}; {cooling['source']}")
