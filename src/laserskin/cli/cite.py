"""``laserskin cite``: the sources of every model and parameter set."""

from __future__ import annotations

import typer

from laserskin.cli._shell import console, print_json


def command(as_json: bool = typer.Option(False, "--json", help="Print the citations as JSON.")) -> None:
    """Print the bibliography: the source of every model and parameter set."""
    from laserskin.core.citations import all_citations

    citations = all_citations()
    if as_json:
        print_json([{"key": c.key, "text": c.text, "doi": c.doi} for c in citations])
        return
    for citation in citations:
        console().print(f"{citation.key}: {citation}")
