"""``laserskin optics``: the layer table of a person's skin at one wavelength."""

from __future__ import annotations

import typer

from laserskin.cli._shell import AGE_HELP, LAXITY_HELP, SUN_EXPOSURE_HELP, console, print_json


def _optical_set_labels() -> dict[str, str]:
    """Each shipped optical parameter set's ``label`` (``skin_scattering_<name>.toml``; the words
    :func:`laserskin.skin.parameter_sets.optical_set_text` gives), read with tomllib alone: the help is built at
    import, and importing the CLI loads no physics (numpy, pydantic; tests/cli/test_shell.py)."""
    import tomllib
    from importlib import resources

    prefix, labels = "skin_scattering_", {}
    for entry in sorted(resources.files("laserskin").joinpath("data", "parameters").iterdir(), key=lambda e: e.name):
        if entry.name.startswith(prefix) and entry.name.endswith(".toml"):
            labels[entry.name[len(prefix) : -len(".toml")]] = tomllib.loads(entry.read_text("utf-8"))["set"]["label"]
    return labels


#: ``--scattering``: the optical parameter set, each named by what it sets (QA11 F-J: salomatina2006 sets the
#: ex-vivo absorption as well as the scattering), from each set's TOML ``label``.
SCATTERING_HELP = "Optical parameter set: " + "; ".join(f"{n}: {t}" for n, t in _optical_set_labels().items()) + "."


def command(
    age: str = typer.Option(..., help=AGE_HELP),
    sex: str = typer.Option(..., help="female | male"),
    fitzpatrick: str = typer.Option(..., help="Fitzpatrick skin type I-VI."),
    site: str = typer.Option(..., help="Body site, e.g. cheek, forehead, neck."),
    wavelength: str = typer.Option(..., help='Laser wavelength with unit, e.g. "1064 nm".'),
    sun_exposure: str = typer.Option("1", metavar="<int>", help=SUN_EXPOSURE_HELP),
    laxity: str = typer.Option("1", metavar="<int>", help=LAXITY_HELP),
    scattering: str = typer.Option("jacques2013", help=SCATTERING_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the layer table as JSON."),
) -> None:
    """Print the layer table of a person's skin at one wavelength."""
    from rich.table import Table

    from laserskin.core.models import typed_text
    from laserskin.core.units import to_si
    from laserskin.skin import Person, optics_table

    person = Person.model_validate(
        {
            "age": age_value(age),
            "sex": sex,
            "fitzpatrick": fitzpatrick,
            "site": site,
            "sun_exposure": typed_text(sun_exposure),  # typed text: read as a whole number (core.models.TypedText)
            "laxity": typed_text(laxity),
        }
    )
    wavelength_m = to_si(wavelength, "m", field="wavelength", display="nm")
    rows = optics_table(person, wavelength_m, scattering=scattering)
    if as_json:
        inputs = {
            "person": person.model_dump(mode="json", by_alias=True, exclude_none=True),
            "wavelength": _echo_quantity(wavelength, "m", "nm"),
            "scattering": scattering,
        }
        print_json(with_provenance({"layers": rows}, inputs))
        return
    table = Table(title=f"Skin optics at {wavelength_m * 1e9:g} nm ({scattering})")
    for column in ("layer", "thickness (µm)", "μa (1/cm)", "μs (1/cm)", "μs' (1/cm)", "g", "n"):
        table.add_column(column, justify="right" if column != "layer" else "left", no_wrap=column == "layer")
    for row in rows:
        table.add_row(
            row["name"],
            f"{row['thickness_um']:.1f}",
            f"{row['mua_per_cm']:.4g}",
            f"{row['mus_per_cm']:.4g}",
            f"{row['musp_per_cm']:.4g}",
            f"{row['g']:.3f}",
            f"{row['n']:.3f}",
        )
    console().print(table)


def _echo_quantity(text: str, si_unit: str, display: str) -> str:
    """A quantity option echoed as the quantity fields of a scenario echo theirs (``core.units.Quantity``'s rule)."""
    from typing import Annotated

    from pydantic import TypeAdapter

    from laserskin.core.units import Quantity

    adapter = TypeAdapter(Annotated[float, Quantity(si_unit, display=display)])
    return str(adapter.dump_python(adapter.validate_python(text), mode="json"))


def with_provenance(result: dict, inputs: dict) -> dict:
    """``result`` with the provenance ``simulate --json`` carries (:func:`laserskin.pipeline.summary.shell_summary`):
    the package ``version`` and the ``inputs`` that reproduce it, each quantity echoed as typed (QA11 F-H: the
    ``optics`` and ``transport`` JSON had neither)."""
    import laserskin

    return {"version": laserskin.__version__, "inputs": inputs, **result}


def age_value(text: str | None) -> float | str | None:
    """The ``--age`` text as the Person model takes it: a bare number (years) or a quantity."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text  # let the model parse units such as "55 year" (and name the field if it cannot)
