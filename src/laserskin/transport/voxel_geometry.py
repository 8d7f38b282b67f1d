"""Voxel geometry from a scenario: layers by depth plus inclusions (vessels, follicles, spheres, ellipsoids).

TOML form (the ``[geometry]`` table and ``[[inclusions]]`` of a scenario)::

    [geometry]
    kind = "voxels"                      # "rz" (default) or "voxels"
    size = ["1 mm", "1 mm", "1 mm"]      # x, y, z extent; x = y = 0 at the centre, z = 0 at the surface
    voxel = "10 um"
    boundary = "escape"                  # or "periodic" (x, y)

    [[inclusions]]
    name = "vessel"
    kind = "cylinder"                    # cylinder | sphere | ellipsoid | follicle
    axis = "y"
    center = ["0 mm", "0.4 mm"]          # the axis position in the other two coordinates (x, z here)
    radius = "100 um"
    tissue = "blood"                     # or explicit n, mua, mus, g

The layers fill the volume by depth (a voxel belongs to the layer that holds its centre;
the last layer continues to the bottom face); inclusions are painted over them in the
order given (a voxel whose centre lies inside the shape takes the inclusion's medium).
Each layer and each inclusion is one region of the absorption tally, so their names are
distinct (an inclusion named like a layer or an earlier one is refused, never renamed). An
inclusion must hold voxels: one wholly outside the volume, below one voxel across, between
the voxel centres or wholly painted over by later ones is refused; one partly inside keeps
the voxels inside.

Named tissues (optics from the chromophore library at the laser's wavelength):

* ``blood``: whole blood, oxygen saturation ``saturation`` (default 0.75), μa from
  :mod:`laserskin.optics.chromophores` (plus 95 % water below 950 nm, where the
  haemoglobin tables hold no water, cross-faded to none at 1000 nm as the tables are),
  μs' = 10 /cm · (λ/500 nm)⁻¹ with g = 0.9 and n = 1.4: the blood of Jacques' mcxyz /
  MCmatlab skin-vessel example (makeTissueList.m), so that case is reproduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from laserskin.core.citations import cite
from laserskin.core.errors import InputError
from laserskin.core.models import InputModel
from laserskin.core.units import Quantity, typed_text
from laserskin.optics.layers import LayerStack
from laserskin.transport.beam import Beam
from laserskin.transport.result import region_names

if TYPE_CHECKING:
    from laserskin.transport.voxel import Medium, VoxelSource, VoxelVolume

MAX_VOXELS = 60_000_000
"""Largest voxel count a scenario may ask for (memory: tallies are float64 per voxel and thread)."""

#: The coordinates of an inclusion's ``center`` by shape (a cylinder's are the two across its axis).
CENTER_COORDINATES = {
    "cylinder": (2, "the axis position across it ([x, z] for axis y, [y, z] for x, [x, y] for z)"),
    "sphere": (3, "[x, y, z]"),
    "ellipsoid": (3, "[x, y, z]"),
    "follicle": (2, "[x, y] of the shaft"),
}


#: three lengths, each more than 0 (x, y, z): a box's size, an ellipsoid's radii
_Length = Annotated[float, Quantity("m", gt=0.0)]
_Lengths3 = tuple[_Length, _Length, _Length]


@dataclass(frozen=True)
class FollicleSize:
    """An anagen hair follicle of a body site (SI): shaft and bulb radius, bulb depth, density."""

    region: str
    hair: str
    shaft_radius_m: float
    bulb_radius_m: float
    bulb_depth_m: float
    density_per_m2: float
    tag: str


def follicle_size(site: str, hair: str = "terminal") -> FollicleSize:
    """The follicle of a body site (``data/parameters/hair_follicles.toml``).

    ``site`` is a region of the table (face, forehead, back, legs, forearm, axilla) or a
    :class:`~laserskin.skin.Person` site mapped to one (cheek, perioral, neck → face; …);
    ``hair`` terminal or vellus. Sources (Otberg et al. 2004; Vogt et al. 2008; Richards &
    Meharg 1997) and the confidence of each value are in the data file: the depths and
    densities are reported, most shaft and bulb sizes are estimates from the sources' ranges.
    """
    from laserskin.core.data import load_parameters
    from laserskin.core.units import to_si

    cite("otberg2004", "vogt2008", "richards_meharg1997")
    table = load_parameters("hair_follicles")["follicle"]
    for row in table:
        if row["hair"] == hair and (site == row["region"] or site in row["sites"]):
            return FollicleSize(
                region=row["region"],
                hair=hair,
                shaft_radius_m=0.5 * to_si(row["shaft_diameter"], "m", field="shaft_diameter"),
                bulb_radius_m=0.5 * to_si(row["bulb_diameter"], "m", field="bulb_diameter"),
                bulb_depth_m=to_si(row["bulb_depth"], "m", field="bulb_depth"),
                density_per_m2=to_si(row["density"], "1/m^2", field="density"),
                tag=row["tag"],
            )
    known = []
    for row in table:
        sites = [name for name in row["sites"] if name != row["region"]]
        if row["hair"] == hair:
            known.append(row["region"] + (f" ({', '.join(sites)})" if sites else ""))
    other = [row["hair"] for row in table if row["hair"] != hair and (site == row["region"] or site in row["sites"])]
    also = f" ({site} has {other[0]} hair: hair = {other[0]!r})" if other else ""
    raise InputError("site", site, f"a region or site of the {hair} follicle table: one of {'; '.join(known)}{also}")


def lattice_spacing_m(density_per_m2: float, lattice: str = "square") -> float:
    """Spacing of a square or hexagonal lattice with ``density_per_m2`` sites per m²."""
    if not density_per_m2 > 0:
        raise InputError("density", density_per_m2, "> 0 per m²")
    if lattice == "square":
        return 1.0 / math.sqrt(density_per_m2)
    if lattice == "hex":
        return math.sqrt(2.0 / (math.sqrt(3.0) * density_per_m2))
    raise InputError("lattice", lattice, "'square' or 'hex'")


def lattice_unit_cell(
    spacing_m: float, lattice: str = "square"
) -> tuple[tuple[float, float], tuple[tuple[float, float], ...]]:
    """Periodic unit cell of a microbeam lattice: ``((Lx, Ly), centres)`` in m.

    Square: an ``a × a`` cell with one microbeam at its centre. Hexagonal (nearest
    neighbours ``a`` apart): an ``a × a√3`` rectangle holding two microbeams, at
    ``(0, −a√3/4)`` and ``(a/2, +a√3/4)`` relative to the centre (the second sits on the
    cell's side, shared with the neighbour through the periodic boundary).
    """
    if not spacing_m > 0:
        raise InputError("spacing", spacing_m, "> 0 m")
    if lattice == "square":
        return (spacing_m, spacing_m), ((0.0, 0.0),)
    if lattice == "hex":
        height = spacing_m * math.sqrt(3.0)
        return (spacing_m, height), ((0.0, -0.25 * height), (0.5 * spacing_m, 0.25 * height))
    raise InputError("lattice", lattice, "'square' or 'hex'")


class GeometrySpec(InputModel):
    """The ``[geometry]`` table: which engine, and for voxels the volume and its boundary.

    With ``lattice`` set, the light is a fractional array of microbeams (the ``[beam]``
    profile at every lattice site) on a ``square`` or ``hex`` lattice of ``spacing`` (or
    ``density`` sites per area); with periodic sides the x–y size is the lattice's unit cell
    (the ``size`` x and y are then replaced by the cell's, rounded to whole voxels, the
    sites scaled with it: a hexagonal cell ``a × a√3`` is never a whole number of voxels).

    ``order`` (with a lattice in an ``escape`` volume): ``simultaneous`` (default: every site at
    once), ``raster`` (row by row) or ``random`` (seeded by ``order_seed``), successive sites
    ``site_interval`` apart (each site fires the whole pulse train); the heat of a simulation
    follows it (:mod:`laserskin.transport.voxel_sites`). Light does not depend on it.
    """

    kind: Literal["rz", "voxels"] = "rz"
    size_m: _Lengths3 | None = Field(default=None, alias="size")
    voxel_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(default=None, alias="voxel")
    boundary: Literal["escape", "periodic"] = "escape"
    fresnel_between_media: bool = True
    illumination: Literal["beam", "uniform"] = "beam"
    lattice: Literal["square", "hex"] | None = None
    spacing_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(default=None, alias="spacing")
    density_per_m2: Annotated[float, Quantity("1/m^2", gt=0.0, display="1/cm^2")] | None = Field(
        default=None, alias="density"
    )
    order: Literal["simultaneous", "raster", "random"] = "simultaneous"
    site_interval_s: Annotated[float, Quantity("s", ge=0.0, display="ms")] | None = Field(
        default=None, alias="site_interval"
    )
    order_seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _firing_order(self) -> GeometrySpec:
        if self.order == "simultaneous":
            if self.site_interval_s is not None:
                raise ValueError('site_interval needs order = "raster" or "random"')
            return self
        if self.lattice is None or self.boundary != "escape" or self.illumination != "beam":
            raise ValueError(
                'a firing order needs a lattice of beams (lattice, spacing or density) in an "escape" volume '
                "(a periodic unit cell fires at once)"
            )
        if self.site_interval_s is None:
            raise ValueError('a firing order needs site_interval, e.g. site_interval = "10 ms"')
        return self

    @model_validator(mode="after")
    def _voxels_complete(self) -> GeometrySpec:
        if self.kind == "voxels":
            if self.voxel_m is None:
                raise ValueError('a voxel geometry needs voxel, e.g. voxel = "10 um"')
            if self.size_m is None:
                raise ValueError('a voxel geometry needs size = [x, y, z], e.g. ["1 mm", "1 mm", "1 mm"]')
        if self.lattice is not None and (self.spacing_m is None) == (self.density_per_m2 is None):
            raise ValueError("a lattice needs exactly one of spacing or density")
        if self.lattice is None and (self.spacing_m is not None or self.density_per_m2 is not None):
            raise ValueError('spacing / density need a lattice ("square" or "hex")')
        return self

    def lattice_cell(self) -> tuple[tuple[float, float], tuple[tuple[float, float], ...]] | None:
        """``((Lx, Ly), centres)`` of the microbeam lattice's unit cell in m, or None."""
        if self.lattice is None:
            return None
        if self.spacing_m is None:  # (spacing is > 0: the `or` of a given spacing)
            assert self.density_per_m2 is not None  # _voxels_complete: a lattice has spacing or density
            spacing = lattice_spacing_m(self.density_per_m2, self.lattice)
        else:
            spacing = self.spacing_m
        return lattice_unit_cell(spacing, self.lattice)


class InclusionSpec(InputModel):
    """One ``[[inclusions]]`` entry: a shape filled with one medium.

    Shapes (all lengths in m; x = y = 0 at the volume's centre, z = depth):

    * ``cylinder``: ``axis`` x, y or z, ``center`` = the axis position in the other two
      coordinates (for ``axis = "y"``: (x, z)), ``radius``; it runs through the volume.
    * ``sphere``: ``center`` = (x, y, z), ``radius``.
    * ``ellipsoid``: ``center`` = (x, y, z), ``radii`` = (a, b, c) along x, y, z.
    * ``follicle``: a hair follicle: ``center`` = (x, y) of the shaft, ``radius`` of the
      shaft (from the surface down to the bulb), ``depth`` of the bulb's centre and
      ``bulb_radius`` (default 2 × radius); one medium for shaft and bulb. With ``site``
      (a body site or region: face, forehead, back, legs, forearm, axilla) and ``hair``
      (terminal or vellus) the sizes not given come from :func:`follicle_size`.

    Optics: ``tissue`` (``blood``) or all of ``n``, ``mua``, ``mus``, ``g``.
    """

    name: str | None = None
    kind: Literal["cylinder", "sphere", "ellipsoid", "follicle"]
    axis: Literal["x", "y", "z"] = "y"
    center_m: tuple[Annotated[float, Quantity("m")], ...] = Field(alias="center", min_length=2, max_length=3)
    radius_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(default=None, alias="radius")
    radii_m: _Lengths3 | None = Field(default=None, alias="radii")
    depth_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(default=None, alias="depth")
    bulb_radius_m: Annotated[float, Quantity("m", gt=0.0, display="um")] | None = Field(
        default=None, alias="bulb_radius"
    )
    site: str | None = None
    hair: Literal["terminal", "vellus"] = "terminal"
    tissue: Literal["blood"] | None = None
    saturation: float = Field(default=0.75, ge=0.0, le=1.0)
    n: float | None = Field(default=None, ge=1.0, le=4.0)
    mua_per_m: Annotated[float, Quantity("1/m", ge=0.0)] | None = Field(default=None, alias="mua")
    mus_per_m: Annotated[float, Quantity("1/m", ge=0.0)] | None = Field(default=None, alias="mus")
    g: float | None = Field(default=None, gt=-1.0, lt=1.0)

    @model_validator(mode="before")
    @classmethod
    def _follicle_of_site(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("site") is None:
            return data
        if data.get("kind") != "follicle":
            raise InputError(
                "site", data["site"], f'kind = "follicle" (site sizes a follicle only; this is {data.get("kind")!r})'
            )
        size = follicle_size(data["site"], data.get("hair", "terminal"))
        data = dict(data)
        for alias, value in (
            ("radius", size.shaft_radius_m),
            ("bulb_radius", size.bulb_radius_m),
            ("depth", size.bulb_depth_m),
        ):
            if alias not in data and f"{alias}_m" not in data:
                data[alias] = f"{value} m"
        return data

    @model_validator(mode="after")
    def _shape_and_optics(self) -> InclusionSpec:
        # each message names the key of the inclusion (the scenario reader puts inclusions[i] before it) in the
        # got/expected form (QA11 #11: "a sphere needs a radius" named neither the key nor what it takes)
        count, coordinates = CENTER_COORDINATES[self.kind]
        shape = f"{'an' if self.kind[0] in 'aeiou' else 'a'} {self.kind}"
        if len(self.center_m) != count:
            typed = ", ".join(repr(_typed_um(c)) for c in self.center_m)
            raise InputError(
                "center",
                None,
                f"{count} coordinates for {shape}: {coordinates}",
                given=f"{len(self.center_m)} coordinates [{typed}]",
            )
        for key, field, kinds, example in (
            ("radius", "radius_m", ("cylinder", "sphere", "follicle"), 'radius = "100 um"'),
            ("radii", "radii_m", ("ellipsoid",), 'radii = ["100 um", "50 um", "50 um"] (along x, y, z)'),
            ("depth", "depth_m", ("follicle",), 'depth = "2.5 mm" (of the bulb\'s centre), or site = "cheek"'),
        ):
            if self.kind in kinds and getattr(self, field) is None:
                raise InputError(key, None, f"the {key} of {shape}, such as {example}", given="nothing")
        explicit = dict(zip(("n", "mua", "mus", "g"), (self.n, self.mua_per_m, self.mus_per_m, self.g)))
        given = [key for key, value in explicit.items() if value is not None]
        if self.tissue is None and len(given) < len(explicit):
            missing = ", ".join(key for key in explicit if key not in given)
            raise InputError(
                "tissue",
                None,
                f'tissue = "blood", or all of n, mua, mus, g (missing: {missing})',
                given="nothing" if not given else f"nothing, and only {', '.join(given)}",
            )
        if self.tissue is not None and given:
            raise InputError(
                "tissue",
                None,
                "either tissue (its optics from the chromophore library) or explicit n, mua, mus, g, not both",
                given=f"{self.tissue!r} and {', '.join(given)}",
            )
        return self

    def medium(self, name: str, wavelength_m: float | None) -> Medium:
        """The inclusion's optical medium (named tissues at ``wavelength_m``)."""
        from laserskin.transport.voxel import Medium

        if self.tissue is None:
            n, mua, mus, g = self.n, self.mua_per_m, self.mus_per_m, self.g
            # _shape_and_optics: without a tissue all four optics are given
            assert n is not None and mua is not None and mus is not None and g is not None
            return Medium(name, n, mua, mus, g)
        if wavelength_m is None:
            raise InputError(f"inclusions.{name}.tissue", self.tissue, "a scenario with a laser wavelength")
        return blood_medium(name, wavelength_m, self.saturation)

    def diameters_m(self) -> tuple[tuple[str, float], ...]:
        """The shape's diameters that voxels must resolve: ``(field, diameter in m)`` pairs."""
        if self.kind == "ellipsoid":
            assert self.radii_m is not None  # _shape_and_optics: an ellipsoid has its radii
            return tuple(("radii", 2.0 * r) for r in self.radii_m)
        assert self.radius_m is not None  # _shape_and_optics: a cylinder, sphere or follicle has its radius
        if self.kind == "follicle":
            return (("radius", 2.0 * self.radius_m), ("bulb_radius", 2.0 * (self.bulb_radius_m or 2.0 * self.radius_m)))
        return (("radius", 2.0 * self.radius_m),)

    def extent_m(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """The shape's bounding box ``((x0, x1), (y0, y1), (z0, z1))`` in m (a cylinder is unbounded along its axis)."""
        c = self.center_m
        if self.kind == "cylinder":
            r, inf = self.radius_m, math.inf
            assert r is not None  # _shape_and_optics: a cylinder has its radius
            a, b = (c[0] - r, c[0] + r), (c[1] - r, c[1] + r)
            return {"x": ((-inf, inf), a, b), "y": (a, (-inf, inf), b), "z": (a, b, (-inf, inf))}[self.axis]
        if self.kind == "follicle":
            assert self.radius_m is not None and self.depth_m is not None  # _shape_and_optics: a follicle has both
            bulb = self.bulb_radius_m or 2.0 * self.radius_m
            r = max(self.radius_m, bulb)
            return (c[0] - r, c[0] + r), (c[1] - r, c[1] + r), (min(0.0, self.depth_m - bulb), self.depth_m + bulb)
        # _shape_and_optics: a sphere has its radius, an ellipsoid its radii; both have 3 centre coordinates
        radius = self.radius_m
        radii = (radius, radius, radius) if radius is not None and self.kind == "sphere" else self.radii_m
        assert radii is not None and len(c) == 3
        (cx, cy, cz), (rx, ry, rz) = c, radii
        return (cx - rx, cx + rx), (cy - ry, cy + ry), (cz - rz, cz + rz)

    def mask(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Boolean (nx, ny, nz) mask of the voxel centres inside the shape (x, y, z centre vectors in m)."""
        parts = self.mask_parts(x, y, z)
        return parts[0][1] if len(parts) == 1 else parts[0][1] | parts[1][1]

    def mask_parts(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[tuple[str, np.ndarray], ...]:
        """The masks of the shape's parts, each with the field that sizes it (a follicle: shaft and bulb)."""
        X = x[:, None, None]
        Y = y[None, :, None]
        Z = z[None, None, :]
        c = self.center_m
        if self.kind == "cylinder":
            a, b = c
            if self.axis == "x":
                d2 = (Y - a) ** 2 + (Z - b) ** 2 + 0.0 * X
            elif self.axis == "y":
                d2 = (X - a) ** 2 + (Z - b) ** 2 + 0.0 * Y
            else:
                d2 = (X - a) ** 2 + (Y - b) ** 2 + 0.0 * Z
            assert self.radius_m is not None  # _shape_and_optics: a cylinder has its radius
            return (("radius", d2 <= self.radius_m**2),)
        if self.kind == "sphere":
            assert self.radius_m is not None  # _shape_and_optics: a sphere has its radius
            return (("radius", (X - c[0]) ** 2 + (Y - c[1]) ** 2 + (Z - c[2]) ** 2 <= self.radius_m**2),)
        if self.kind == "ellipsoid":
            assert self.radii_m is not None  # _shape_and_optics: an ellipsoid has its radii
            a, b, cc = self.radii_m
            return (("radii", ((X - c[0]) / a) ** 2 + ((Y - c[1]) / b) ** 2 + ((Z - c[2]) / cc) ** 2 <= 1.0),)
        # follicle: shaft from the surface to the bulb, spherical bulb
        assert self.radius_m is not None and self.depth_m is not None  # _shape_and_optics: a follicle has both
        bulb = self.bulb_radius_m or 2.0 * self.radius_m
        r2 = (X - c[0]) ** 2 + (Y - c[1]) ** 2
        shaft = (r2 <= self.radius_m**2) & (Z <= self.depth_m)
        return (("radius", shaft), ("bulb_radius", r2 + (Z - self.depth_m) ** 2 <= bulb**2))


def blood_medium(name: str, wavelength_m: float, saturation: float = 0.75) -> Medium:
    """Whole blood at ``wavelength_m`` (see the module docstring for the recipe and sources)."""
    from laserskin.optics import chromophores as ch
    from laserskin.transport.voxel import Medium

    cite("jacques2013", "jacques2017mcxyz")
    nm = wavelength_m * 1e9
    mua = saturation * float(ch.mua_oxyblood_per_m(wavelength_m)) + (1.0 - saturation) * float(
        ch.mua_deoxyblood_per_m(wavelength_m)
    )
    water_weight = min(1.0, max(0.0, (1000.0 - nm) / 50.0))
    mua += 0.95 * water_weight * float(ch.mua_water_per_m(wavelength_m))
    musp = 1000.0 * (nm / 500.0) ** -1.0  # 10 /cm at 500 nm, Mie power 1
    return Medium(name, 1.4, mua, musp / (1.0 - 0.9), 0.9)


def voxel_volume(
    stack: LayerStack,
    geometry: GeometrySpec,
    inclusions: tuple[InclusionSpec, ...] = (),
    wavelength_m: float | None = None,
) -> VoxelVolume:
    """Label the voxels: layers of ``stack`` by depth, then the inclusions in order.

    Parameters
    ----------
    stack : LayerStack
        Optical layers from the surface down (the ambient n above and below are the
        volume's top and bottom media).
    geometry : GeometrySpec
        ``kind = "voxels"`` with size and voxel (or a periodic lattice's unit cell).
    inclusions : tuple of InclusionSpec
        Shapes painted over the layers.
    wavelength_m : float, optional
        The laser's wavelength (needed by named tissues).

    Returns
    -------
    VoxelVolume
    """
    from laserskin.transport.voxel import Medium, VoxelVolume

    h, size = geometry.voxel_m, geometry.size_m
    assert h is not None and size is not None  # a voxel geometry (kind = "voxels") has both: _voxels_complete
    cell = geometry.lattice_cell()
    lx, ly, lz = size
    lattice_cell = cell is not None and geometry.boundary == "periodic"
    if lattice_cell:
        assert cell is not None  # (lattice_cell says so)
        lx, ly = cell[0]
    counts = []
    for axis, (length, typed) in enumerate(zip((lx, ly, lz), size)):
        k = max(1, round(length / h))
        if not (lattice_cell and axis != 2) and abs(k * h - length) > 0.01 * h:
            raise InputError(
                f"geometry.size[{axis}]",
                _typed_um(typed),
                f"a multiple of the voxel {_typed_um(h)} ({'xyz'[axis]}: {k * h * 1e6:.6g} um is {k} voxels)",
            )
        counts.append(int(k))
    if math.prod(counts) > MAX_VOXELS:
        raise InputError(
            "geometry", f"{counts[0]} × {counts[1]} × {counts[2]} voxels", f"at most {MAX_VOXELS:,} voxels"
        )
    nx, ny, nz = counts
    x = (np.arange(nx) + 0.5 - 0.5 * nx) * h
    y = (np.arange(ny) + 0.5 - 0.5 * ny) * h
    z = (np.arange(nz) + 0.5) * h
    bottoms = stack.boundaries_m
    layer_of_z = np.minimum(np.searchsorted(bottoms, z, side="right"), len(stack.layers) - 1)
    labels = np.empty((nx, ny, nz), dtype=np.uint8)
    labels[:] = layer_of_z.astype(np.uint8)[None, None, :]
    names = _region_names(stack, inclusions)
    media = [Medium(nm, l.n, l.mua_per_m, l.mus_per_m, l.g) for nm, l in zip(names, stack.layers)]
    box = ((-0.5 * nx * h, 0.5 * nx * h), (-0.5 * ny * h, 0.5 * ny * h), (0.0, nz * h))
    for i, inc in enumerate(inclusions):
        k = len(media)
        media.append(inc.medium(names[k], wavelength_m))
        labels[_inclusion_mask(i, inc, h, box, x, y, z)] = k
    for i in range(len(inclusions)):
        k = len(stack.layers) + i
        if not np.any(labels == k):
            raise InputError(
                f"inclusions[{i}]",
                names[k],
                "an inclusion not wholly painted over by the inclusions after it (they are painted in order)",
            )
    return VoxelVolume(
        labels,
        h,
        tuple(media),
        n_above=stack.n_above,
        n_below=stack.n_below,
        periodic=geometry.boundary == "periodic",
        fresnel_between_media=geometry.fresnel_between_media,
        layer_count=len(stack.layers),
    )


def _region_names(stack: LayerStack, inclusions: tuple[InclusionSpec, ...]) -> list[str]:
    """Layer names (repeats numbered ``_2``, ``_3``) then the inclusions' names, which must be new."""
    names = region_names([layer.name for layer in stack.layers])
    for i, inc in enumerate(inclusions):
        name = inc.name or f"{inc.kind}{i + 1}"
        if name in names:
            unnamed = "" if inc.name else f" (an unnamed inclusion is called {name}: give it a name)"
            raise InputError(
                f"inclusions[{i}].name",
                name,
                f"a region name not taken by a layer or an earlier inclusion (taken: {', '.join(names)}){unnamed}",
            )
        names.append(name)
    return names


def _um(length_m: float) -> str:
    return f"{length_m * 1e6:.6g} um"


def _typed_um(length_m: float) -> str:
    """A length as typed (its text), else in um."""
    return typed_text(length_m, "m", "um")


def _inclusion_mask(
    i: int,
    inc: InclusionSpec,
    h: float,
    box: tuple[tuple[float, float], ...],
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
) -> np.ndarray:
    """The voxels of inclusion ``i``; refuses one the voxels cannot hold.

    Refused: a shape wholly outside the volume ``box`` (it would absorb nothing), a diameter
    below one voxel (it would vanish, or become one voxel many times its volume), and a shape
    or follicle part holding no voxel centre (a sliver at the volume's edge, or a thin shape
    between the centres). A shape partly inside keeps the voxels inside.
    """
    field = f"inclusions[{i}]"
    center = "[" + ", ".join(_um(c) for c in inc.center_m) + "]"
    extent = inc.extent_m()
    if any(hi <= b0 or lo >= b1 for (lo, hi), (b0, b1) in zip(extent, box)):
        inside = ", ".join(f"{a} {_um(b0)} to {_um(b1)}" for a, (b0, b1) in zip("xyz", box))
        raise InputError(
            f"{field}.center", center, f"a shape overlapping the volume ({inside}); it lies wholly outside"
        )
    for name, diameter in inc.diameters_m():
        if diameter < h:
            raise InputError(
                f"{field}.{name}",
                _um(0.5 * diameter),
                f"a diameter of at least one voxel ({_um(h)}): smaller shapes vanish on voxelisation "
                "(give a finer voxel or a larger size)",
            )
    parts = inc.mask_parts(x, y, z)
    for name, part in parts:
        if not part.any():
            raise InputError(
                f"{field}.{name}",
                f"{inc.kind} at {center}",
                f"a shape holding at least one voxel centre (voxel {_um(h)}): this one falls between the "
                "centres or only grazes the volume",
            )
    return parts[0][1] if len(parts) == 1 else parts[0][1] | parts[1][1]


def voxel_source(geometry: GeometrySpec, beam: Beam) -> VoxelSource:
    """The light of a voxel scenario: the beam at the centre, a lattice of microbeams, or uniform."""
    from laserskin.transport.voxel import VoxelSource

    if geometry.illumination == "uniform":
        return VoxelSource.uniform()
    cell = geometry.lattice_cell()
    if cell is None:
        return VoxelSource.spot(beam)
    if geometry.boundary == "periodic":  # the cell is rounded to whole voxels: scale the sites with it
        h = geometry.voxel_m
        assert h is not None  # a voxel geometry (kind = "voxels") has its voxel: _voxels_complete
        (cx, cy), centres = cell
        fx = max(1, round(cx / h)) * h / cx
        fy = max(1, round(cy / h)) * h / cy
        return VoxelSource(beam=beam, centers_m=tuple((x * fx, y * fy) for x, y in centres))
    # escape boundary: tile the lattice over the top face
    (cx, cy), centres = cell
    assert geometry.size_m is not None  # a voxel geometry (kind = "voxels") has its size: _voxels_complete
    lx, ly, _ = geometry.size_m
    spots = []
    for i in range(-int(lx / cx) - 1, int(lx / cx) + 2):
        for j in range(-int(ly / cy) - 1, int(ly / cy) + 2):
            for x0, y0 in centres:
                x, y = x0 + i * cx, y0 + j * cy
                if abs(x) + beam.outer_radius_m <= 0.5 * lx and abs(y) + beam.outer_radius_m <= 0.5 * ly:
                    spots.append((x, y))
    if not spots:
        raise InputError(
            "geometry.lattice", geometry.lattice, "a lattice with at least one microbeam inside the volume"
        )
    return VoxelSource(beam=beam, centers_m=tuple(spots))


def run_voxel_scenario(
    stack: LayerStack,
    beam: Beam,
    geometry: GeometrySpec,
    inclusions: tuple[InclusionSpec, ...],
    wavelength_m: float | None,
    *,
    photons: int,
    seed: int,
    threads: int | None = None,
    progress=None,
):
    """Build the volume and the light of a voxel scenario and run the voxel Monte Carlo."""
    from laserskin.transport.voxel import simulate_voxel_transport

    volume = voxel_volume(stack, geometry, inclusions, wavelength_m)
    source = voxel_source(geometry, beam)
    return simulate_voxel_transport(volume, source, photons, seed, threads=threads, progress=progress)
