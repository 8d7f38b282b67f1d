"""``laserskin cite``: the sources of every model and parameter set."""

from __future__ import annotations

import typer

from laserskin.cli._shell import console, print_json


def command(as_json: bool = typer.Option(False, "--json", help="Print the citations as JSON.")) -> None:
    """Print the sources of every model and parameter set."""
    import laserskin.tools.registry  # noqa: F401  (imports every module so all citations register)
    from laserskin.core.citations import all_citations

    citations = all_citations()
    if as_json:
        print_json([{"key": c.key, "text": c.text, "doi": c.doi} for c in citations])
        return
    for citation in citations:
        console().print(f"{citation.key}: {citation}")
