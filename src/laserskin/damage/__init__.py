"""Tissue response to a temperature history: Arrhenius damage, collagen shrinkage,
epidermal injury and pigment risk, pain, and ablation.

Modules
-------
arrhenius  Ω = ∫ A exp(−Ea/RT) dt, parameter sets as data, heat-solver observer
collagen   denatured fraction → free shrinkage → immediate tightening, coagulated zone
injury     basal Henriques Ω → erythema / blister / necrosis; pigmentary risk by skin type
pain       heat-pain index at nociceptor depth, with and without topical anaesthetic
ablation   Er:YAG / CO₂ crater depth, residual heat profile and damage depth, fractional MTZ
"""

from laserskin.damage.ablation import (
    LASERS,
    AblationParameters,
    ablation_depth_per_pulse,
    crater_depth,
    fractional_mtz,
    post_ablation_temperature_profile,
    residual_damage_depth,
)
from laserskin.damage.arrhenius import (
    ArrheniusIntegrator,
    ArrheniusParameterSet,
    arrhenius_omega,
    arrhenius_rate,
    damage_fraction,
    get_parameter_set,
    omega_constant_temperature,
    omega_increment,
    parameter_set_names,
    time_to_omega,
)
from laserskin.damage.collagen import CollagenParameters, CollagenResponse, collagen_response, omega_depth_range
from laserskin.damage.injury import (
    EpidermalInjury,
    PigmentRiskRule,
    classify_epidermal_injury,
    epidermal_injury,
    pigment_risk,
)
from laserskin.damage.pain import ANESTHETICS, PainObserver, PainParameters, pain_from_trace, pain_index

__all__ = [
    "ANESTHETICS",
    "LASERS",
    "AblationParameters",
    "ArrheniusIntegrator",
    "ArrheniusParameterSet",
    "CollagenParameters",
    "CollagenResponse",
    "EpidermalInjury",
    "PainObserver",
    "PainParameters",
    "PigmentRiskRule",
    "ablation_depth_per_pulse",
    "arrhenius_omega",
    "arrhenius_rate",
    "classify_epidermal_injury",
    "collagen_response",
    "crater_depth",
    "damage_fraction",
    "epidermal_injury",
    "fractional_mtz",
    "get_parameter_set",
    "omega_constant_temperature",
    "omega_depth_range",
    "omega_increment",
    "pain_from_trace",
    "pain_index",
    "parameter_set_names",
    "pigment_risk",
    "post_ablation_temperature_profile",
    "residual_damage_depth",
    "time_to_omega",
]
