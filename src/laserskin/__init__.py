"""laserskin: simulator and treatment planner for laser skin tightening and resurfacing.

The most used names are importable from the top level::

    from laserskin import Person, Laser, Simulation
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("laserskin")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

#: The public API: name -> module that defines it (imported on first use).
_EXPORTS = {
    # people and skin
    "Person": "laserskin.skin",
    "skin_layers": "laserskin.skin",
    "tissue_at": "laserskin.skin",
    # optics and light transport
    "OpticalLayer": "laserskin.optics.layers",
    "LayerStack": "laserskin.optics.layers",
    "RZGrid": "laserskin.grid",
    "Beam": "laserskin.transport",
    "simulate_transport": "laserskin.transport",
    # heat: what solve_bioheat needs
    "solve_bioheat": "laserskin.thermal",
    "ThermalMedium": "laserskin.thermal",
    "Schedule": "laserskin.thermal",
    "SurfaceBoundary": "laserskin.thermal",
    "Cooling": "laserskin.thermal",
    "pulse_heat_source": "laserskin.thermal.source",
    # damage
    "arrhenius_omega": "laserskin.damage.arrhenius",
    # treatment
    "Laser": "laserskin.treatment.laser",
    "Protocol": "laserskin.treatment.protocol",
    "load_device": "laserskin.treatment.devices",
    # the pipeline
    "Simulation": "laserskin.pipeline.simulation",
    "SimulationSettings": "laserskin.pipeline.settings",
    "ExplicitLayer": "laserskin.pipeline.layers",
    "GridSpec": "laserskin.pipeline.settings",
    "Scenario": "laserskin.pipeline.scenario",
    "load_scenario": "laserskin.pipeline.scenario",
    "default_grid": "laserskin.pipeline.scenario",
    # planning
    "plan": "laserskin.planning",
    "PlanRequest": "laserskin.planning",
    "TreatmentPlan": "laserskin.planning",
    # errors and units at the edges
    "InputError": "laserskin.core.errors",
    "cite": "laserskin.core.citations",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    """Import on first use, so ``import laserskin`` stays fast (numba, xarray load lazily)."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'laserskin' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
