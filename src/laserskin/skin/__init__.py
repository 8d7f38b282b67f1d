"""Who the person is -> a layered skin description with optics and thermal properties.

Pipeline: :class:`Person` -> :func:`skin_layers` -> :class:`SkinModel` ->
:func:`tissue_at` (one wavelength) -> :class:`Tissue` -> ``Tissue.optical_stack()`` for
light transport and ``Tissue.thermal_properties()`` for the heat solver.
"""

from laserskin.skin.anatomy import SkinLayer, SkinModel, melanin_fraction_for, skin_layers
from laserskin.skin.parameter_sets import LAYER_NAMES, available_scattering_sets, get_scattering_set
from laserskin.skin.person import FITZPATRICK_TYPES, LAXITY_SCALE, SITES, SUN_EXPOSURE_SCALE, Person
from laserskin.skin.tissue import Tissue, TissueLayer, layer_optics, optics_table, tissue_at

__all__ = [
    "FITZPATRICK_TYPES",
    "LAXITY_SCALE",
    "LAYER_NAMES",
    "SITES",
    "SUN_EXPOSURE_SCALE",
    "Person",
    "SkinLayer",
    "SkinModel",
    "Tissue",
    "TissueLayer",
    "available_scattering_sets",
    "get_scattering_set",
    "layer_optics",
    "melanin_fraction_for",
    "optics_table",
    "skin_layers",
    "tissue_at",
]
