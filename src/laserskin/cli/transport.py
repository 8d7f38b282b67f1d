"""``laserskin transport``: Monte Carlo light transport for a scenario."""

from __future__ import annotations

from pathlib import Path

import typer

from laserskin.cli._shell import FIGURE_SUFFIXES, FORCE_HELP, Outputs, check_threads, console, note, print_json


def command(
    scenario: Path = typer.Argument(..., help="Scenario TOML file ([person] + [laser] + [beam], or [[layers]])."),
    photons: int | None = typer.Option(None, help="Number of photon packets."),
    seed: int | None = typer.Option(None, help="Random seed (recorded in the output)."),
    threads: int | None = typer.Option(None, help="Worker threads (default: all cores)."),
    out: Path | None = typer.Option(None, help="Write the result as NetCDF to this file."),
    figure: Path | None = typer.Option(
        None, help="Write the absorption figure to this file (" + ", ".join(FIGURE_SUFFIXES) + ")."
    ),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Run Monte Carlo light transport for a scenario and print Rd, Tt and absorption per layer.

    An r-z run goes through the transport cache that ``laserskin simulate`` uses (``$LASERSKIN_CACHE_DIR``, else
    ~/.cache/laserskin/transport; the same key: optics, beam, grid, photons, seed): a repeated run is read back,
    bit for bit, and says so (``from_cache``; the speed and threads of the run that made it under ``cached_run``).
    A voxel geometry is not cached (as in simulate)."""
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.plotting.progress import RichProgress
    from laserskin.transport.cache import transport_cached_or_run

    outputs = Outputs(force)
    out = outputs.file(out, "--out")
    figure = outputs.file(figure, "--figure", suffixes=FIGURE_SUFFIXES)
    if out is not None and figure is not None and out.resolve() == figure.resolve():
        from laserskin.core.errors import InputError

        raise InputError("--figure", str(figure), "a path other than --out")
    spec = load_scenario(scenario)
    check_threads(*((threads, "--threads") if threads is not None else (spec.transport.threads, "transport.threads")))
    settings = spec.transport.model_copy(
        update={k: v for k, v in {"photons": photons, "seed": seed, "threads": threads}.items() if v is not None}
    )
    settings = type(settings).model_validate(settings.model_dump())  # re-check the CLI overrides
    stack = spec.layer_stack()
    beam = spec.beam_model()
    voxels = spec.geometry.kind == "voxels"
    lattice_note = _scenario_lattice_note(spec) if voxels else None  # before the transport, as simulate
    from_cache = False  # a voxel geometry is not cached
    if voxels:
        from laserskin.transport.voxel_geometry import run_voxel_scenario

        result = run_voxel_scenario(
            stack,
            beam,
            spec.geometry,
            spec.inclusions,
            spec.wavelength_m() if spec.laser else None,
            photons=settings.photons,
            seed=settings.seed,
            threads=settings.threads,
            progress=RichProgress(),
        )
    else:
        grid = spec.rz_grid(stack, beam.outer_radius_m)
        result, from_cache = transport_cached_or_run(  # the cache of simulate (and its folder, LASERSKIN_CACHE_DIR)
            stack,
            grid,
            beam,
            photons=settings.photons,
            seed=settings.seed,
            threads=settings.threads,
            progress=RichProgress(),
        )
    if out is not None:
        from laserskin.core.io import write_netcdf_atomic

        outputs.wrote(write_netcdf_atomic(result.to_dataset(), out))
    if figure is not None:
        from laserskin.plotting import close, plot_absorption

        if voxels:
            from laserskin.plotting.voxel import plot_voxel_absorption

            close(plot_voxel_absorption(result, path=figure))
        else:
            close(plot_absorption(result, path=figure))
        outputs.wrote(figure)
    summary = result.summary()
    _note_grid_capture(summary)
    _say_cache_hit(summary, from_cache)
    summary.update(provenance(spec, settings))
    if voxels:
        summary["lattice_note"] = lattice_note
    for key in ("grid_note", "lattice_note"):
        if summary.get(key):
            note(f"note: {summary[key]}")
    if as_json:
        print_json(summary)
        return
    print_summary(summary)


def _scenario_lattice_note(spec) -> str | None:
    """A voxel scenario's ``[geometry]`` lattice of a fractional laser's microbeams checked against the laser's MTZ
    density by the rule and words of ``laserskin simulate`` (:func:`laserskin.pipeline.voxel.check_lattice`, one
    function): a periodic cell off the density by more than 1 %, or microbeams covering more than the skin, are
    refused; an escape volume off the density runs, with its ``lattice_note`` (session 14: ``transport`` ran what
    ``simulate`` of the same file refused). ``None`` without a fractional laser (a wavelength only: nothing to
    check against)."""
    from laserskin.pipeline.voxel import check_lattice
    from laserskin.treatment.laser import Laser

    if not isinstance(spec.laser, Laser):
        return None
    return check_lattice(spec.laser, spec.geometry)


def provenance(spec, settings) -> dict:
    """``version`` and ``inputs`` of the JSON, as ``laserskin simulate --json`` records them (QA11 #10): the package
    version and the scenario that reproduces the run (person or layers, laser, beam, the scattering set in
    ``[transport]``, geometry, quantities echoed as typed), with the photons and seed that ran in its ``[transport]``
    table by simulate's own rule (:func:`laserskin.cli.simulate.reproducing_scenario`: ``--photons``/``--seed``
    recorded, ``--threads`` not, since the tallies do not depend on it), so ``inputs`` saved as a scenario file
    runs the same transport again."""
    from types import SimpleNamespace

    import laserskin
    from laserskin.cli.simulate import reproducing_scenario

    ran = reproducing_scenario(spec, SimpleNamespace(settings=settings))
    return {"version": laserskin.__version__, "inputs": ran.model_dump(mode="json", by_alias=True, exclude_none=True)}


def _say_cache_hit(summary: dict, from_cache: bool) -> None:
    """``from_cache`` (whether the tallies were read back from the transport cache) and ``cached_run``: on a hit,
    the ``threads``, ``wall_time_s`` and ``photons_per_second`` of the earlier run that computed them, which the
    top-level keys then leave null, since this command ran no Monte Carlo (QA12 #4: ``--threads 2`` reported the
    earlier run's ``threads: 1`` and its speed as this run's); null on a miss."""
    summary["from_cache"] = from_cache
    summary["cached_run"] = None
    if from_cache:
        keys = ("threads", "wall_time_s", "photons_per_second")
        summary["cached_run"] = {key: summary[key] for key in keys}
        summary.update(dict.fromkeys(keys))


def _note_grid_capture(summary: dict) -> None:
    """The share of the absorbed light that falls outside the grid (``absorbed_outside_grid_share``) and, above
    the simulation's 1 % (MAX_ABSORBED_OUTSIDE_GRID), its ``grid_note``: the same key, rule and words as
    ``laserskin simulate`` (QA6 #18; one rule, pipeline.simulation.note_grid_capture). The share is the result's own
    (r–z and voxel results alike: transport.result.outside_grid_share, session 14)."""
    from laserskin.pipeline.simulation import note_grid_capture

    if summary.get("absorbed_outside_grid_share") is None:
        return
    summary.setdefault("grid_note", None)
    note_grid_capture(summary, warn=False)


def print_summary(summary: dict) -> None:
    """The transport summary as a table on stdout."""
    from rich.table import Table

    table = Table(title=f"Light transport: {summary['photons']:,} photons, seed {summary['seed']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("± std. error", justify="right")
    for key, label in (
        ("specular_reflectance", "specular reflectance"),
        ("diffuse_reflectance", "diffuse reflectance Rd"),
        ("total_transmittance", "total transmittance Tt"),
        ("absorbed_fraction", "absorbed (total)"),
    ):
        table.add_row(label, f"{summary[key]:.5f}", f"{summary.get(key + '_stderr', 0.0):.5f}")
    regions = summary["absorbed_fraction_by_region"]  # layers, or the tissues of a voxel geometry
    errors = summary["absorbed_fraction_by_region_stderr"]
    for name, value in regions.items():
        table.add_row(f"  absorbed in {name}", f"{value:.5f}", f"{errors.get(name, 0.0):.5f}")
    outside = summary.get("absorbed_outside_grid_fraction")
    if outside:
        table.add_row("  absorbed outside the maps", f"{outside:.5f}", "")
    console().print(table)
    ran = summary.get("cached_run")
    if summary.get("from_cache") and ran:
        console().print(
            "read from the transport cache (LASERSKIN_CACHE_DIR): no Monte Carlo ran; the run that made it: "
            f"{ran['photons_per_second']:,.0f} photons/s on {ran['threads']} thread(s)"
        )
    else:
        console().print(f"{summary['photons_per_second']:,.0f} photons/s on {summary['threads']} thread(s)")
