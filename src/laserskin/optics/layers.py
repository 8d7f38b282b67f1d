"""Optical description of a multilayer slab: what the transport stage needs to know."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from laserskin.core.models import InputModel
from laserskin.core.units import Quantity


class OpticalLayer(InputModel):
    """One homogeneous layer: absorption, scattering, anisotropy, refractive index, thickness.

    The last layer of a stack may be semi-infinite (``thickness = "inf cm"``).
    """

    name: str = "layer"
    n: float = Field(ge=1.0, le=4.0, description="refractive index")
    mua_per_m: Annotated[float, Quantity("1/m", ge=0.0)] = Field(alias="mua", description="absorption coefficient")
    mus_per_m: Annotated[float, Quantity("1/m", ge=0.0)] = Field(alias="mus", description="scattering coefficient")
    g: float = Field(gt=-1.0, lt=1.0, description="Henyey-Greenstein anisotropy")
    thickness_m: Annotated[float, Quantity("m", gt=0.0, display="um", allow_inf=True)] = Field(alias="thickness")

    @property
    def musp_per_m(self) -> float:
        """Reduced scattering coefficient μs' = μs (1 − g) in 1/m."""
        return self.mus_per_m * (1.0 - self.g)


class LayerStack(InputModel):
    """Layers from the surface down, between two ambient media (refractive indices)."""

    layers: tuple[OpticalLayer, ...] = Field(min_length=1)
    n_above: float = Field(default=1.0, ge=1.0, le=4.0)
    n_below: float = Field(default=1.0, ge=1.0, le=4.0)

    @model_validator(mode="after")
    def _only_last_infinite(self) -> LayerStack:
        for i, layer in enumerate(self.layers[:-1]):
            if math.isinf(layer.thickness_m):
                raise ValueError(f"layers[{i}].thickness: only the last layer may be semi-infinite")
        return self

    @property
    def boundaries_m(self) -> np.ndarray:
        """Depth of the bottom of each layer in m (cumulative thickness)."""
        return np.cumsum([layer.thickness_m for layer in self.layers])

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def arrays(self) -> dict[str, np.ndarray]:
        """Per-layer property arrays (SI) for numerical kernels."""
        return {
            "n": np.array([l.n for l in self.layers]),
            "mua_per_m": np.array([l.mua_per_m for l in self.layers]),
            "mus_per_m": np.array([l.mus_per_m for l in self.layers]),
            "g": np.array([l.g for l in self.layers]),
            "thickness_m": np.array([l.thickness_m for l in self.layers]),
        }

    def digest(self) -> str:
        """Hash of the optical inputs (not the names), for cache keys."""
        payload = json.dumps(
            {
                "n_above": self.n_above,
                "n_below": self.n_below,
                "layers": [[l.n, l.mua_per_m, l.mus_per_m, l.g, l.thickness_m] for l in self.layers],
            }
        )
        return hashlib.sha256(payload.encode()).hexdigest()
