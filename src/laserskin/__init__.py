"""laserskin: simulator and treatment planner for laser skin tightening and resurfacing.

The most used names are importable from the top level::

    from laserskin import Person, Laser, Simulation
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("laserskin")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

_EXPORTS = {
    "Person": "laserskin.skin",
    "skin_layers": "laserskin.skin",
    "tissue_at": "laserskin.skin",
    "Laser": "laserskin.treatment.laser",
    "Protocol": "laserskin.treatment.protocol",
    "Cooling": "laserskin.thermal.cooling",
    "Simulation": "laserskin.pipeline.simulation",
    "SimulationSettings": "laserskin.pipeline.simulation",
    "Beam": "laserskin.transport",
    "simulate_transport": "laserskin.transport",
    "RZGrid": "laserskin.grid",
    "default_grid": "laserskin.pipeline.scenario",
    "load_scenario": "laserskin.pipeline.scenario",
    "solve_bioheat": "laserskin.thermal",
    "arrhenius_omega": "laserskin.damage.arrhenius",
    "plan": "laserskin.planning",
    "PlanRequest": "laserskin.planning",
    "TreatmentPlan": "laserskin.planning",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    """Import on first use, so ``import laserskin`` stays fast (numba, xarray load lazily)."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'laserskin' has no attribute {name!r}")
