"""The 3-D examples through the pipeline: a fractional 1550 nm array and hair removal at 810 nm.

Each runs ``Simulation`` on a scenario with ``[geometry] kind = "voxels"`` (exactly what
``laserskin simulate SCENARIO --out FOLDER`` does), writes the slice figures (absorbed energy,
peak temperature, Henriques Ω) and the damage's maximum projection to examples/figures/, and
prints the key numbers.

Run: .venv/bin/python examples/voxel_examples.py [--photons N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures"


def run(name: str, photons: int | None):
    from laserskin.pipeline.scenario import load_scenario
    from laserskin.pipeline.simulation import Simulation

    spec = load_scenario(HERE / f"{name}.toml")
    result = Simulation.from_scenario(spec, photons=photons).run()
    with tempfile.TemporaryDirectory() as tmp:
        for path in result.figures(tmp):
            target = FIGURES / f"{name}_{path.name.removeprefix('voxel_')}"
            target.write_bytes(path.read_bytes())
            print(f"  wrote {target.relative_to(HERE.parent)}")
    return result.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photons", type=int, default=None)
    args = parser.parse_args()
    FIGURES.mkdir(exist_ok=True)

    s = run("fractional_array_1550", args.photons)
    a = s["array"]
    print(
        f"fractional 1550 nm, {a['zones_per_cm2']:.0f} MTZ/cm^2 ({a['spacing_um']:.0f} um apart), "
        f"{s['voxels']} voxels: zone peak {s['peak_temperature_C']:.0f} degC, between zones "
        f"{a['between_zones_peak_temperature_C']:.1f} degC (bulk rise {a['bulk_rise_K']:.2f} K at "
        f"{a['bulk_rise_depth_um']:.0f} um), zones overlap: {a['zones_overlap']}; epidermal Omega "
        f"{s['epidermal_omega']:.3g} ({s['epidermal_injury']}); pain {s['pain_index']:.1f} under a zone, "
        f"{a['between_zones_pain_index']:.1f} between; {s['wall_time_s']:.0f} s"
    )

    s = run("hair_removal_810_voxel", args.photons)
    peaks = s["peak_temperature_by_region_C"]
    absorbed = s["absorbed_fraction_by_region"]
    print(
        f"hair removal 810 nm, {s['voxels']} voxels: follicle absorbs {absorbed['follicle']:.3f} of the light "
        f"and peaks at {peaks['follicle']:.0f} degC, papillary dermis {peaks['papillary_dermis']:.0f} degC, "
        f"living epidermis {peaks['living_epidermis']:.0f} degC (boiling flagged: {s['boiling']}); "
        f"{s['wall_time_s']:.0f} s"
    )


if __name__ == "__main__":
    main()
