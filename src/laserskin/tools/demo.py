"""`make demo`: the default scenarios, side by side, with their figures and results in ``out/``.

1. Light transport in a person's skin at 1064 nm: absorbed energy map and depth profile.
2. Tightening vs resurfacing: a 1450 nm non-ablative pass with cryogen cooling and an
   Er:YAG ablative pass on the same person, how they differ, and a comparison figure.
3. A treatment plan for a default person (52-year-old woman, Fitzpatrick IV, cheek, laxity
   grade 2): modality, settings, sessions, predicted improvement, and its HTML report
   (``out/plan/report.html``).

Run it with ``make demo`` or ``python -m laserskin.tools.demo --out DIR``; it rewrites the
files it made before in ``DIR``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from laserskin.cli import app
from laserskin.cli._shell import note
from laserskin.cli.simulate import summary_table
from laserskin.pipeline.scenario import load_scenario
from laserskin.pipeline.simulation import Simulation
from laserskin.plotting.progress import RichProgress

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"  # src/laserskin/tools/demo.py -> the checkout


def light_transport(out: Path, console: Console) -> None:
    """Monte Carlo transport of ``examples/skin_1064.toml``: NetCDF and absorption figure."""
    from laserskin.core.io import write_netcdf_atomic
    from laserskin.plotting import close, plot_absorption
    from laserskin.transport import simulate_transport

    scenario = load_scenario(EXAMPLES / "skin_1064.toml")
    stack = scenario.layer_stack()
    beam = scenario.beam_model()
    grid = scenario.rz_grid(stack, beam.outer_radius_m)
    settings = scenario.transport
    result = simulate_transport(stack, grid, beam, settings.photons, settings.seed, progress=RichProgress())
    note(f"wrote {write_netcdf_atomic(result.to_dataset(), out / 'transport_demo.nc')}")
    close(plot_absorption(result, path=out / "transport_demo.png", r_max_mm=4.0))
    note(f"wrote {out / 'transport_demo.png'}")
    summary = result.summary()
    console.print(
        f"light transport at 1064 nm: Rd {summary['diffuse_reflectance']:.4f} ± {summary['diffuse_reflectance_stderr']:.4f}, "
        f"absorbed {summary['absorbed_fraction']:.4f}, {summary['photons_per_second']:,.0f} photons/s"
    )


def compare_tightening_and_resurfacing(out: Path, console: Console) -> dict[str, dict]:
    """Run the two example scenarios, write their NetCDF and figures, print the comparison."""
    from laserskin.plotting import close, plot_comparison, plot_simulation

    summaries = {}
    results = {}
    for name in ("tightening_1450", "resurfacing_er_yag"):
        scenario = load_scenario(EXAMPLES / f"{name}.toml")
        simulation = Simulation.from_scenario(scenario, progress=RichProgress())
        result = simulation.run(grid_warning=False)
        if result.summary.get("grid_note"):
            note(f"note ({name}): {result.summary['grid_note']}")
        note(f"wrote {result.save(out / f'{name}.nc')}")
        for path in plot_simulation(result, out, prefix=f"{name}_"):
            note(f"wrote {path}")
        summaries[name] = result.summary
        results[name] = result
    close(plot_comparison(results, out / "comparison.png"))
    note(f"wrote {out / 'comparison.png'}")
    console.print(summary_table(summaries, "Tightening (1450 nm, non-ablative) vs resurfacing (Er:YAG, ablative)"))
    console.print(describe_difference(summaries["tightening_1450"], summaries["resurfacing_er_yag"]))
    return summaries


#: Epidermal grades under which nothing at the surface is necrotic (damage.injury grades).
INTACT_EPIDERMIS = ("none", "erythema")


def describe_difference(tightening: dict, resurfacing: dict) -> str:
    """Plain-language comparison of depth of effect, epidermal injury and immediate change. Two damage
    integrals are named apart (QA5 #12): collagen Ω (denaturation of collagen, the tightening) and Henriques Ω
    (thermal injury of cells: the epidermis, the dermal injury band, the necrosis below a crater). The table's
    "residual thermal necrosis" is Henriques Ω ≥ 1 contiguous with the crater floor or the surface (QA4 #15): 0 for
    the tightening run, whose injured band lies below an intact epidermis and is named here."""
    depth = tightening["denaturation_depth_um"]
    heated = (
        f"denatures dermal collagen (collagen Ω ≥ 1) from {depth[0]:.0f} to {depth[1]:.0f} µm"
        if depth
        else f"heats the dermis to {tightening['peak_dermis_temperature_C']:.1f} °C without reaching collagen Ω = 1 "
        + (
            f"(partial denaturation only: {tightening['denatured_volume_mm3']:.2g} mm³ of collagen)"
            if tightening.get("denatured_volume_mm3")
            else "(no collagen denatured)"
        )
    )
    intact = tightening["epidermal_injury"] in INTACT_EPIDERMIS
    band = tightening.get("dermal_injury_depth_um")
    injury = (
        f"; its dermal thermal injury (Henriques Ω ≥ 1) spans {band[0]:.0f}–{band[1]:.0f} µm"
        + (" below the intact epidermis" if intact else "")
        if band
        else ""
    )
    surface = "no necrosis at the surface" if intact else "the surface is injured"
    return (
        f"Tightening {heated} and leaves the epidermis at Henriques Ω = {tightening['epidermal_omega']:.2g} "
        f"({tightening['epidermal_injury']}: {surface}){injury}; immediate tightening "
        f"{tightening['immediate_tightening_percent']:.3g} %.\n"
        f"Resurfacing removes {resurfacing['crater_depth_um']:.0f} µm (the epidermis: {resurfacing['epidermal_injury']}) "
        f"with {resurfacing['residual_damage_depth_um']:.0f} µm of residual thermal necrosis (Henriques Ω ≥ 1) below "
        "the crater: a visible wound that re-epithelialises"
        + (", against tightening's intact surface." if intact else ".")
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="out", help="output directory")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    console = Console()
    light_transport(out, console)
    compare_tightening_and_resurfacing(out, console)
    app(
        [
            "plan",
            "--age",
            "52",
            "--sex",
            "female",
            "--fitzpatrick",
            "IV",
            "--site",
            "cheek",
            "--laxity",
            "2",
            "--area",
            "150 cm^2",
            "--out",
            str(out / "plan"),
            "--force",
        ],
        standalone_mode=False,
    )
    console.print(f"results and figures written to {out}/; the plan's report: {out / 'plan' / 'report.html'}")


if __name__ == "__main__":
    main()
