"""Explicit layers: optics plus thermal properties, so a stack of your own runs the whole chain.

A scenario's ``[[layers]]`` (or ``Simulation(layers=..., laser=...)``) describes the tissue
directly instead of through a :class:`~laserskin.skin.Person`. Light transport needs only the
optics (``n``, ``mua``, ``mus``, ``g``, ``thickness``); heat needs the thermal conductivity
``k``, the ``density`` and the ``specific_heat`` of every layer (with units:
``"0.37 W/m/K"``, ``"1100 kg/m^3"``, ``"3.4 J/g/K"``); ``perfusion`` (Pennes blood perfusion
rate, default none) and ``water_fraction`` (tissue water by volume, needed only where the
non-linear model runs, i.e. where a cell reaches 100 °C) are optional::

    [[layers]]
    name = "epidermis"
    n = 1.4
    mua = "4 1/cm"
    mus = "120 1/cm"
    g = 0.8
    thickness = "100 um"
    k = "0.21 W/m/K"
    density = "1200 kg/m^3"
    specific_heat = "3.6 J/g/K"

The damage read-outs need to know where the epidermis and the dermis are: layers named
``epidermis``, ``stratum_corneum`` or ``living_epidermis`` are epidermal, layers named
``dermis``, ``papillary_dermis`` or ``reticular_dermis`` dermal. Without such names the first
layer is read as the epidermis and the second as the dermis (so at least two layers).

Every layer must be at least as thick as the grid's smallest cell (``[grid] dz_surface``, default 5 µm; the
``[geometry] voxel`` of a voxel scenario): a thinner one is refused (:func:`require_resolved_on`, the one check
for a scenario and for ``Simulation(layers=...)`` from Python), since its read-outs would come from the next
layer's cells. Problems are named ``layers[1].k``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

import numpy as np
from pydantic import Field

from laserskin.core.errors import InputError
from laserskin.core.units import Quantity
from laserskin.optics.layers import LayerStack, OpticalLayer

__all__ = [
    "DERMAL_NAMES",
    "EPIDERMAL_NAMES",
    "THERMAL_FIELDS",
    "ExplicitLayer",
    "explicit_skin",
    "explicit_stack",
    "layer_roles",
    "require_resolved",
    "require_resolved_on",
    "validate_layers",
]

#: Layer names read as epidermis / dermis by the damage read-outs.
EPIDERMAL_NAMES = ("stratum_corneum", "living_epidermis", "epidermis")
DERMAL_NAMES = ("papillary_dermis", "reticular_dermis", "dermis")

#: Thermal properties every explicit layer needs for heat: (field, TOML key, example).
THERMAL_FIELDS = (
    ("k_W_per_mK", "k", '"0.37 W/m/K"'),
    ("density_kg_per_m3", "density", '"1100 kg/m^3"'),
    ("specific_heat_J_per_kgK", "specific_heat", '"3.4 J/g/K"'),
)


class ExplicitLayer(OpticalLayer):
    """One layer of an explicit stack: optics (see :class:`OpticalLayer`) and thermal properties.

    Thermal fields are optional for light transport alone and required for heat
    (:func:`explicit_skin` names the first one missing).

    Attributes
    ----------
    k_W_per_mK : float or None
        Thermal conductivity, W m⁻¹ K⁻¹ (TOML ``k``).
    density_kg_per_m3 : float or None
        Density, kg m⁻³ (``density``).
    specific_heat_J_per_kgK : float or None
        Specific heat capacity, J kg⁻¹ K⁻¹ (``specific_heat``).
    perfusion_per_s : float or None
        Blood perfusion rate, (m³ blood/s)/m³ tissue = 1/s (``perfusion``; none = 0).
    water_fraction : float or None
        Tissue water volume fraction 0–1 (needed only by the non-linear model above 100 °C).
    """

    k_W_per_mK: Annotated[float, Quantity("W/(m*K)", display="W/(m*K)", gt=0.0, le=1000.0)] | None = Field(
        default=None, alias="k", description="thermal conductivity"
    )
    density_kg_per_m3: Annotated[float, Quantity("kg/m^3", display="kg/m^3", gt=0.0, le=1e5)] | None = Field(
        default=None, alias="density", description="density"
    )
    specific_heat_J_per_kgK: Annotated[float, Quantity("J/(kg*K)", display="J/(kg*K)", gt=0.0, le=1e5)] | None = Field(
        default=None, alias="specific_heat", description="specific heat capacity"
    )
    perfusion_per_s: Annotated[float, Quantity("1/s", display="1/s", ge=0.0, le=1.0)] | None = Field(
        default=None, alias="perfusion", description="blood perfusion rate (none = 0)"
    )
    water_fraction: float | None = Field(default=None, ge=0.0, le=1.0, description="tissue water volume fraction")


def _as_layer(layer, index: int) -> ExplicitLayer:
    if isinstance(layer, ExplicitLayer):
        return layer
    if isinstance(layer, OpticalLayer):  # optics only: no thermal properties
        return ExplicitLayer.from_si(layer.model_dump())
    if isinstance(layer, dict):
        from pydantic import ValidationError

        try:
            return ExplicitLayer.model_validate(layer)
        except ValidationError as error:
            raise InputError.from_validation(error, prefix=f"layers[{index}]") from None
    raise InputError(f"layers[{index}]", type(layer).__name__, "a dict of layer fields or an ExplicitLayer")


def validate_layers(layers) -> tuple[ExplicitLayer, ...]:
    """Explicit layers validated one by one, each problem named ``layers[i].key`` (README's style).

    Every layer's problems are reported (one line each); only the last layer may be semi-infinite.

    Raises
    ------
    InputError
        Its field is the first problem's (``layers[0].g``), its message one line per problem.
    """
    if isinstance(layers, (str, bytes, dict)) or not isinstance(layers, Sequence):
        raise InputError("layers", type(layers).__name__, "a non-empty list of layers")
    if not layers:
        raise InputError("layers", [], "at least 1 item", given="an empty array")
    converted: list[ExplicitLayer] = []
    problems: list[InputError] = []
    for index, layer in enumerate(layers):
        try:
            converted.append(_as_layer(layer, index))
        except InputError as error:
            problems.append(error)
    for index, layer in enumerate(converted[:-1] if not problems else []):
        if math.isinf(layer.thickness_m):
            problems.append(
                InputError(
                    f"layers[{index}].thickness",
                    layer.thickness_m,
                    "a finite thickness: only the last layer may be semi-infinite",
                    given="'inf'",
                )
            )
    if problems:
        first = problems[0]
        raise InputError(first.field, first.value, first.allowed, message="\n".join(str(p) for p in problems))
    return tuple(converted)


def require_resolved(layers: Sequence[OpticalLayer], cell_m: float, cell_name: str) -> None:
    """Refuse a layer thinner than the grid's smallest cell (QA6 #13: a 1 nm epidermis was graded).

    A thinner layer is not resolved: its read-outs (the epidermis' basal layer) would come from a cell of
    the next layer. The line names the layer, its thickness and the cell (``cell_name``: where it is set).
    """
    for index, layer in enumerate(layers):
        if layer.thickness_m < cell_m * (1.0 - 1e-9):
            raise InputError(
                f"layers[{index}].thickness",
                layer.thickness_m,
                f"at least the grid's smallest cell, {cell_m * 1e6:g} um ({cell_name}): a thinner layer is not "
                f"resolved (its read-outs would come from the next layer's cells); a thicker layer, or {cell_name} "
                f"at most {layer.thickness_m * 1e6:.3g} um",
                given=f"'{layer.thickness_m * 1e6:.3g} um' (layer {layer.name!r})",
            )


def require_resolved_on(layers: Sequence[OpticalLayer], grid, geometry=None) -> None:
    """:func:`require_resolved` against the smallest cell of the run: the ``[geometry] voxel`` of a voxel run that
    sets one, else the r–z grid's ``[grid] dz_surface``. The one check of explicit layers against the grid, for a
    scenario (the CLI, config files, the web) and for ``Simulation(layers=...)`` from Python alike.

    Parameters
    ----------
    layers : sequence of OpticalLayer
        The explicit layers (a :class:`LayerStack`'s ``layers``).
    grid : laserskin.pipeline.settings.GridSpec
        The r–z grid (``dz_surface_m``, m).
    geometry : laserskin.transport.voxel_geometry.GeometrySpec, optional
        The ``[geometry]`` table (``kind``, ``voxel_m``, m); ``None`` = r–z.
    """
    voxel_m = getattr(geometry, "voxel_m", None)
    if getattr(geometry, "kind", "rz") == "voxels" and voxel_m is not None:
        require_resolved(layers, voxel_m, "[geometry] voxel")
    else:
        require_resolved(layers, grid.dz_surface_m, "[grid] dz_surface")


def explicit_stack(layers, n_above: float = 1.0, n_below: float = 1.0) -> LayerStack:
    """A :class:`LayerStack` of :class:`ExplicitLayer` from a stack, layers or dicts (TOML keys).

    Parameters
    ----------
    layers : LayerStack or sequence of (ExplicitLayer, OpticalLayer or dict)
        The layers from the surface down; a :class:`LayerStack` keeps its ambient indices.
    n_above, n_below : float
        Refractive indices above and below the stack (ignored for a LayerStack).
    """
    if isinstance(layers, LayerStack):
        n_above, n_below, layers = layers.n_above, layers.n_below, layers.layers
    return LayerStack(layers=validate_layers(layers), n_above=n_above, n_below=n_below)


def _thermal(stack: LayerStack) -> list[ExplicitLayer]:
    layers = [_as_layer(layer, i) for i, layer in enumerate(stack.layers)]
    for i, layer in enumerate(layers):
        for name, key, example in THERMAL_FIELDS:
            if getattr(layer, name) is None:
                raise InputError(
                    f"layers[{i}].{key}",
                    None,
                    f"a value with units such as {example}: explicit layers need k, density and "
                    "specific_heat to simulate heat",
                )
    return layers


def explicit_skin(stack: LayerStack):
    """The :class:`~laserskin.skin.SkinModel` that the heat stage reads, from explicit layers.

    Chromophore fractions are not used by heat and are zero; ``water_fraction`` is 0 when not
    given (:func:`require_water` checks it before the non-linear model runs).

    Raises
    ------
    InputError
        ``layers[i].k`` (``density``, ``specific_heat``) when a thermal property is missing.
    """
    from laserskin.skin import SkinLayer, SkinModel

    layers = _thermal(stack)
    skin_layers = tuple(
        SkinLayer(
            name=layer.name,
            thickness_m=layer.thickness_m,
            blood_fraction=0.0,
            saturation=0.0,
            water_fraction=layer.water_fraction or 0.0,
            fat_fraction=0.0,
            melanin_fraction=0.0,
            collagen_fraction=0.0,
            k_W_per_mK=layer.k_W_per_mK,
            density_kg_per_m3=layer.density_kg_per_m3,
            specific_heat_J_per_kgK=layer.specific_heat_J_per_kgK,
            perfusion_per_s=layer.perfusion_per_s or 0.0,
        )
        for layer in layers
    )
    return SkinModel(layers=skin_layers)


def require_water(stack: LayerStack, reason: str) -> None:
    """Raise ``InputError("layers[i].water_fraction")`` if a layer lacks its water fraction."""
    for i, layer in enumerate(stack.layers):
        if getattr(layer, "water_fraction", None) is None:
            raise InputError(
                f"layers[{i}].water_fraction",
                None,
                f"a tissue water fraction 0-1 (e.g. 0.65): {reason}, and the non-linear model follows the tissue water",
            )


def layer_roles(stack: LayerStack, grid_depth_m: float) -> tuple[float, float]:
    """``(junction_depth_m, dermis_bottom_m)`` of an explicit stack (see the module docstring).

    A semi-infinite dermis ends at ``grid_depth_m`` (the dermis below the grid is untreated).
    """
    names = [layer.name.lower() for layer in stack.layers]
    bottoms = np.cumsum([layer.thickness_m for layer in stack.layers])
    epidermal = [i for i, name in enumerate(names) if name in EPIDERMAL_NAMES]
    dermal = [i for i, name in enumerate(names) if name in DERMAL_NAMES]
    if not epidermal and not dermal:
        if len(names) < 2:
            raise InputError(
                "layers",
                f"{len(names)} layer",
                "at least two layers (the first read as epidermis, the second as dermis), or layers "
                f"named by their role ({', '.join(EPIDERMAL_NAMES + DERMAL_NAMES)})",
            )
        epidermal, dermal = [0], [1]
    elif not epidermal or not dermal:
        missing = "epidermal" if not epidermal else "dermal"
        raise InputError(
            "layers.name",
            names,
            f"an {missing} layer too ({', '.join(EPIDERMAL_NAMES if not epidermal else DERMAL_NAMES)})",
        )
    if epidermal != list(range(len(epidermal))) or dermal[0] != epidermal[-1] + 1:
        raise InputError("layers.name", names, "the epidermal layers on top, the dermal layers right below them")
    junction = float(bottoms[epidermal[-1]])
    bottom = float(bottoms[dermal[-1]])
    if not math.isfinite(bottom):
        bottom = float(grid_depth_m)
    return junction, bottom
