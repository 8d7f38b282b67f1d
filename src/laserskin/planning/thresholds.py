"""Predicted blister fluence by skin type for published settings (validation of the epidermal safety).

For each row of ``data/parameters/epidermal_thresholds.toml`` (published fluences that were
tolerated or that injured the epidermis, by skin type, with and without cooling; sources in
docs/reference/clinical_calibration_data.md §1) :func:`threshold_table` runs transport and
heat once per skin type and finds the fluence at which the basal Henriques Ω of one pulse
reaches 1 (the planner's blister criterion, :mod:`laserskin.planning.uncertainty`).

Run ``python -m laserskin.planning.thresholds`` to print the table of docs/planning.md.
"""

from __future__ import annotations

from functools import lru_cache

from laserskin.core.data import load_parameters

__all__ = ["model_blister_fluence_J_per_cm2", "published_thresholds", "threshold_table"]


@lru_cache(maxsize=1)
def published_thresholds() -> list[dict]:
    """The ``[[threshold]]`` rows of ``epidermal_thresholds.toml``."""
    return load_parameters("epidermal_thresholds")["threshold"]


def model_blister_fluence_J_per_cm2(
    row: dict,
    fitzpatrick: str,
    *,
    photons: int = 20_000,
    seed: int = 3,
    age: float = 35.0,
    melanin_fraction: float | None = None,
    cache_dir=None,
) -> float | None:
    """One-pulse blister fluence (J/cm²) of ``row``'s laser and cooling for a woman of ``fitzpatrick`` type.

    ``melanin_fraction`` overrides the type's epidermal melanosome volume fraction (e.g. to put
    a published in-vivo epidermal absorption into the model).
    """
    from laserskin.pipeline.simulation import Simulation
    from laserskin.planning.optimise import planning_settings
    from laserskin.planning.uncertainty import _one_pass_blister_J
    from laserskin.skin.person import Person
    from laserskin.treatment.laser import Laser

    laser = Laser.from_config({**row["laser"], "fluence": f"{row['fluence']} J/cm^2"})
    person = Person(age=age, sex="female", fitzpatrick=fitzpatrick, site=row["site"], melanin_fraction=melanin_fraction)
    sim = Simulation(
        person, laser, dict(row["cooling"]), settings=planning_settings(photons, seed), cache_dir=cache_dir
    )
    _, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    area = laser.beam_area_m2
    energy = _one_pass_blister_J(response, 0.1e4 * area, 500e4 * area)
    return None if energy is None else energy / area * 1e-4


def threshold_table(photons: int = 20_000, seed: int = 3, rows: list[dict] | None = None) -> list[dict]:
    """``[{id, setting, type, kind, published, model, agrees}]`` for every row and skin type."""
    out = []
    for row in rows if rows is not None else published_thresholds():
        for fitz in row["types"]:
            model = model_blister_fluence_J_per_cm2(row, fitz, photons=photons, seed=seed)
            if row["kind"] == "tolerated":
                agrees = model is None or model >= row["fluence"]
            else:
                agrees = model is not None and model <= row["fluence"]
            laser, cooling = row["laser"], row["cooling"]
            setting = (
                f"{laser['wavelength']}, {laser['pulse_duration']}, {laser['spot_diameter']}, "
                f"{cooling['kind']}" + (f" {cooling['spurt_duration']}" if "spurt_duration" in cooling else "")
            )
            out.append(
                {
                    "id": row["id"],
                    "setting": setting,
                    "type": fitz,
                    "kind": row["kind"],
                    "published": row["fluence"],
                    "model": model,
                    "agrees": agrees,
                    "source": row["source"],
                }
            )
    return out


def main() -> None:
    rows = threshold_table()
    print("| setting | skin type | published (J/cm²) | model blister (J/cm²) | agrees |")
    print("|---|---|---|---|---|")
    for r in rows:
        sign = ">=" if r["kind"] == "tolerated" else "<="
        model = "none below 500" if r["model"] is None else f"{r['model']:.1f}"
        print(
            f"| {r['setting']} | {r['type']} | {r['kind']} at {r['published']:g} (model should be {sign}) "
            f"| {model} | {'yes' if r['agrees'] else 'NO'} |"
        )


if __name__ == "__main__":
    main()
