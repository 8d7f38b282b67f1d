"""Predicted blister fluence by skin type for published settings (validation of the epidermal safety).

For each row of ``data/parameters/epidermal_thresholds.toml`` (published fluences that were
tolerated or that injured the epidermis, by skin type, with and without cooling; sources in
docs/reference/clinical_calibration_data.md §1) :func:`threshold_table` runs transport and
heat once per skin type and finds the fluence at which the basal Henriques Ω of one pulse
reaches 1 (the planner's blister criterion, :mod:`laserskin.planning.uncertainty`).

Run ``python -m laserskin.planning.thresholds`` to print the table of docs/planning.md
(``--melanin-spectrum NAME`` runs it with another melanosome spectral shape of
:data:`laserskin.optics.chromophores.MELANIN_SPECTRA`, normalised at 694 nm, applied as the
equivalent melanosome fraction: :func:`spectrum_melanin_fraction`; ``--row``/``--type`` run a
subset).
"""

from __future__ import annotations

import argparse
import sys
from functools import lru_cache

from laserskin.core.constants import CELSIUS_K
from laserskin.core.data import load_parameters

__all__ = [
    "MELANIN_SWEEP",
    "melanin_at_published",
    "model_blister_fluence_J_per_cm2",
    "published_thresholds",
    "spectrum_melanin_fraction",
    "threshold_table",
]


@lru_cache(maxsize=1)
def published_thresholds() -> list[dict]:
    """The ``[[threshold]]`` rows of ``epidermal_thresholds.toml``."""
    return load_parameters("epidermal_thresholds")["threshold"]


def _response(row: dict, fitzpatrick: str, *, photons, seed, age, melanin_fraction, cache_dir):
    """Linear thermal response of one pulse of ``row``'s laser and cooling, and the laser."""
    from laserskin.pipeline.simulation import Simulation
    from laserskin.planning.optimise import planning_settings
    from laserskin.skin.person import Person
    from laserskin.treatment.laser import Laser

    laser = Laser.from_config({**row["laser"], "fluence": f"{row['fluence']} J/cm^2"})
    person = Person(
        age_years=age, sex="female", fitzpatrick=fitzpatrick, site=row["site"], melanin_fraction=melanin_fraction
    )
    sim = Simulation(
        person, laser, dict(row["cooling"]), settings=planning_settings(photons, seed), cache_dir=cache_dir
    )
    _, source, grid = sim.transport()
    response, _ = sim.thermal_response(source, grid)
    return response, laser


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
    return _blister_and_peak(row, fitzpatrick, photons, seed, age, melanin_fraction, cache_dir)[0]


def _blister_and_peak(row, fitzpatrick, photons=20_000, seed=3, age=35.0, melanin_fraction=None, cache_dir=None):
    """(blister fluence J/cm² or None, basal-cell peak temperature °C at the published fluence)."""
    import numpy as np

    from laserskin.planning.uncertainty import _one_pass_blister_J

    response, laser = _response(
        row,
        fitzpatrick,
        photons=photons,
        seed=seed,
        age=age,
        melanin_fraction=melanin_fraction,
        cache_dir=cache_dir,
    )
    area = laser.beam_area_m2
    energy = _one_pass_blister_J(response, 0.1e4 * area, 500e4 * area)
    z = response.grid.z_centers_m
    basal = int(np.flatnonzero(z < response.geometry.junction_depth_m)[-1])
    history = response.base_K[:, :, basal] + row["fluence"] * 1e4 * area * response.rise_per_J[:, :, basal]
    peak_C = float(np.max(history)) - CELSIUS_K
    return (None if energy is None else energy / area * 1e-4), peak_C


def spectrum_melanin_fraction(
    row: dict,
    fitzpatrick: str,
    melanin_spectrum: str | None,
    *,
    fraction: float | None = None,
    age: float = 35.0,
) -> float | None:
    """Melanosome fraction that puts the set ``melanin_spectrum``'s melanin absorption into ``row``'s run.

    In a threshold run melanin enters only as f·μa,mel(λ) at the row's one wavelength, so the set
    (normalised to the model's spectrum at 694 nm, where each type is calibrated) is the model's
    spectrum with f multiplied by :func:`laserskin.optics.chromophores.melanin_spectrum_ratio` at
    λ (up to the bloodless-baseline weight 1 − B − M − F, which moves by (1 − ratio)·f). The
    result goes through the same ``melanin_fraction`` override as :func:`melanin_at_published`.

    Parameters
    ----------
    row : dict
        A row of :func:`published_thresholds` (its laser must have one wavelength).
    fitzpatrick : str
        Skin type of the person ("I".."VI").
    melanin_spectrum : str or None
        A set of :data:`~laserskin.optics.chromophores.MELANIN_SPECTRA`; None: the model's own.
    fraction : float, optional
        The 694 nm-calibrated melanosome fraction; None: the type's at the row's site, as the
        skin model resolves it.
    age : float
        Age of the person in years.

    Returns
    -------
    float or None
        The fraction to run with; ``fraction`` itself when ``melanin_spectrum`` is None.

    Raises
    ------
    InputError
        Unknown set, or a row whose laser has more than one wavelength.
    """
    if melanin_spectrum is None:
        return fraction
    from laserskin.core.errors import InputError
    from laserskin.optics.chromophores import melanin_spectrum_ratio
    from laserskin.skin.anatomy import skin_layers
    from laserskin.skin.person import Person
    from laserskin.treatment.laser import Laser

    lines = Laser.from_config({**row["laser"], "fluence": f"{row['fluence']} J/cm^2"}).wavelength_weights()
    if len(lines) != 1:
        raise InputError(
            "melanin_spectrum",
            melanin_spectrum,
            f"a row with a single-wavelength laser (row {row['id']!r} has {len(lines)})",
        )
    ratio = float(melanin_spectrum_ratio(lines[0][0], melanin_spectrum))
    if fraction is None:
        person = Person(age_years=age, sex="female", fitzpatrick=fitzpatrick, site=row["site"])
        fraction = next(
            layer.melanin_fraction for layer in skin_layers(person).layers if layer.name == "living_epidermis"
        )
    return fraction * ratio


#: Melanosome volume fractions swept by :func:`melanin_at_published` (0.2–20 %).
MELANIN_SWEEP = (0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08, 0.11, 0.15, 0.2)


def melanin_at_published(
    row: dict, *, photons: int = 20_000, seed: int = 3, melanin_spectrum: str | None = None
) -> dict:
    """Epidermal melanin at which the model's blister fluence equals ``row``'s published fluence.

    Sweeps the melanosome volume fraction over :data:`MELANIN_SWEEP` at ``row``'s site (type
    only labels the person; the fraction overrides it) and interpolates log-linearly inside the
    first bracket where the blister fluence crosses the published value. A "tolerated" row is
    possible only below that fraction, an "injured" row only above it. The fraction is also
    given as the epidermal melanin absorption at 694 nm (Jacques 2013 melanosome spectrum), the
    quantity Norvang et al. 1997 measured in vivo (3–12 cm⁻¹ Caucasian/Asian, ~25 cm⁻¹ African).
    With ``melanin_spectrum`` each swept (694 nm-calibrated) fraction runs as
    :func:`spectrum_melanin_fraction`; the 694 nm absorption is the same for every set.

    Returns
    -------
    dict
        ``{"fraction", "mua_694_per_cm", "sweep": [(fraction, blister J/cm² or None), ...]}``;
        ``fraction`` is None when the sweep does not cross the published value.
    """
    import math

    from laserskin.optics.chromophores import mua_melanosome_per_m

    sweep = [
        (
            f,
            model_blister_fluence_J_per_cm2(
                row,
                "III",
                photons=photons,
                seed=seed,
                melanin_fraction=spectrum_melanin_fraction(row, "III", melanin_spectrum, fraction=f),
            ),
        )
        for f in MELANIN_SWEEP
    ]
    target = row["fluence"]
    fraction = None
    for (f0, v0), (f1, v1) in zip(sweep, sweep[1:], strict=False):
        v0 = math.inf if v0 is None else v0
        v1 = math.inf if v1 is None else v1
        if v0 >= target >= v1 and v0 != v1:
            if math.isinf(v0):
                fraction = f1
            else:
                t = math.log(v0 / target) / math.log(v0 / v1)
                fraction = math.exp(math.log(f0) + t * math.log(f1 / f0))
            break
    per_cm = float(mua_melanosome_per_m(694e-9)) / 100.0
    return {
        "fraction": fraction,
        "mua_694_per_cm": None if fraction is None else fraction * per_cm,
        "sweep": sweep,
    }


def threshold_table(
    photons: int = 20_000,
    seed: int = 3,
    rows: list[dict] | None = None,
    melanin_spectrum: str | None = None,
    types: list[str] | None = None,
) -> list[dict]:
    """``[{id, setting, type, kind, published, model, agrees, basal_peak_at_published_C, source}]`` per row and type.

    ``basal_peak_at_published_C`` is the peak temperature of the deepest epidermal cell (worst
    column) at the published fluence, °C. ``melanin_spectrum`` (a set of
    :data:`~laserskin.optics.chromophores.MELANIN_SPECTRA`) runs each type with the equivalent
    melanosome fraction (:func:`spectrum_melanin_fraction`); ``types`` keeps only those types.
    """
    out = []
    for row in rows if rows is not None else published_thresholds():
        for fitz in row["types"]:
            if types is not None and fitz not in types:
                continue
            fraction = spectrum_melanin_fraction(row, fitz, melanin_spectrum)
            model, peak_C = _blister_and_peak(row, fitz, photons=photons, seed=seed, melanin_fraction=fraction)
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
                    "basal_peak_at_published_C": peak_C,
                    "source": row["source"],
                }
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--melanin", action="store_true", help="also print the melanin each published row needs (11 runs per row)"
    )
    parser.add_argument(
        "--melanin-spectrum",
        default=None,
        help="melanosome spectral shape (a set of laserskin.optics.chromophores.MELANIN_SPECTRA; "
        "default: the model's, jacques2013), normalised at 694 nm and applied as the equivalent "
        "melanosome fraction at each row's wavelength",
    )
    parser.add_argument("--row", action="append", default=None, help="run only this row id (repeatable)")
    parser.add_argument("--type", action="append", default=None, help="run only this skin type (repeatable)")
    args = parser.parse_args(argv)
    from laserskin.core.errors import InputError

    try:
        _run(args)
    except InputError as error:  # bad input: one line and status 2, as the laserskin CLI (no traceback; QA12 nit)
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _run(args: argparse.Namespace) -> None:
    """The tables :func:`main` prints for its parsed ``args``; :class:`InputError` for an unknown row, type or
    melanin spectrum, before anything runs."""
    from laserskin.core.errors import InputError

    rows = published_thresholds()
    for wanted in args.type or []:
        if wanted not in ("I", "II", "III", "IV", "V", "VI"):
            raise InputError("type", wanted, "a Fitzpatrick type I, II, III, IV, V or VI")
    if args.row is not None:
        known = [row["id"] for row in rows]
        for wanted in args.row:
            if wanted not in known:
                raise InputError("row", wanted, "one of " + ", ".join(known))
        rows = [row for row in rows if row["id"] in args.row]
    if args.melanin_spectrum is not None:
        from laserskin.optics.chromophores import get_melanin_spectrum

        spectrum = get_melanin_spectrum(args.melanin_spectrum)
        print(f"melanin spectrum: {spectrum.name} ({spectrum.description}), as the equivalent melanosome fraction")
        print()
    _print_tables(rows, args.melanin, args.melanin_spectrum, args.type)


def _print_tables(rows: list[dict], melanin: bool, melanin_spectrum: str | None, types: list[str] | None) -> None:
    table = threshold_table(rows=rows, melanin_spectrum=melanin_spectrum, types=types)
    print("| setting | skin type | published (J/cm²) | model blister (J/cm²) | agrees | basal peak at published (°C) |")
    print("|---|---|---|---|---|---|")
    for r in table:
        sign = ">=" if r["kind"] == "tolerated" else "<="
        model = "none below 500" if r["model"] is None else f"{r['model']:.1f}"
        print(
            f"| {r['setting']} | {r['type']} | {r['kind']} at {r['published']:g} (model should be {sign}) "
            f"| {model} | {'yes' if r['agrees'] else 'NO'} | {r['basal_peak_at_published_C']:.0f} |"
        )

    if melanin:
        print()
        print(
            "| row | kind | published (J/cm²) | melanosome fraction where model = published | μa,epi(694 nm) (1/cm) |"
        )
        print("|---|---|---|---|---|")
        for row in rows:
            need = melanin_at_published(row, melanin_spectrum=melanin_spectrum)
            sign = "<=" if row["kind"] == "tolerated" else ">="
            if need["fraction"] is None:
                frac, mua = "outside the sweep", "-"
            else:
                frac, mua = f"{sign} {need['fraction']:.4f}", f"{sign} {need['mua_694_per_cm']:.1f}"
            print(f"| {row['id']} | {row['kind']} | {row['fluence']:g} | {frac} | {mua} |")


if __name__ == "__main__":
    main()
