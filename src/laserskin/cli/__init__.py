"""Command-line interface: a thin shell over the library, one module per command.

Every command validates its inputs and checks its output paths first; bad input prints
one line naming the field, the value and what is allowed and exits with status 2 without
writing anything (see :mod:`laserskin.cli._shell`). Progress bars go to stderr so
``--json`` output on stdout stays clean. Only typer and the standard library load at
start-up; each command imports the physics it needs when it runs, so ``laserskin --help``
answers in a fraction of a second.
"""

from __future__ import annotations

import typer

from laserskin.cli import cite, devices, optics, plan, schema, serve, simulate, sweep, transport
from laserskin.cli._shell import ShellGroup, handles_errors

__all__ = ["app", "main"]

EPILOG = (
    "Bad input: one line on stderr, exit status 2, nothing written. "
    "Outputs that exist are kept unless --force is given (sweep --out resumes instead). "
    "Every file written is reported as 'wrote PATH' on stderr."
)

app = typer.Typer(
    cls=ShellGroup,
    help="laserskin: laser skin tightening and resurfacing simulator and planner.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help and errors print as typed: "[person]" stays "[person]"
)


def _version(value: bool) -> None:
    if value:
        from laserskin import __version__

        typer.echo(f"laserskin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool | None = typer.Option(
        None, "--version", is_eager=True, callback=_version, help="Print the version and exit."
    ),
) -> None:
    """laserskin: laser skin tightening and resurfacing simulator and planner."""


for _name, _module in (
    ("optics", optics),
    ("transport", transport),
    ("simulate", simulate),
    ("devices", devices),
    ("plan", plan),
    ("sweep", sweep),
    ("serve", serve),
    ("cite", cite),
    ("schema", schema),
):
    app.command(_name, help=_module.command.__doc__)(handles_errors(_module.command))


def main() -> None:  # pragma: no cover - console entry
    """Entry point of the ``laserskin`` script and ``python -m laserskin``."""
    app(prog_name="laserskin")
