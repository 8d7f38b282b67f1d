"""Physical constants and fixed reference values, SI (one definition each).

Sources: CODATA 2018 (gas constant, exact since the 2019 SI redefinition); the Celsius
offset is the SI definition; 37 °C body core and 25 °C room air are the model's reference
conditions (Jiang et al. 2002 for the core; physics_data.md §3).
"""

#: Offset between kelvin and degree Celsius, K (SI definition).
CELSIUS_K = 273.15
#: Body core / arterial blood temperature, K (37 °C; Pennes 1948, Jiang et al. 2002).
CORE_TEMPERATURE_K = CELSIUS_K + 37.0
#: Boiling point of water at 1 atm, K (100 °C): the onset of vaporisation in tissue.
WATER_BOILING_K = CELSIUS_K + 100.0
#: Ceiling of the tissue models: above ~1000 °C nothing of the tissue is left but char and gas (collagen
#: pyrolysis is complete by ~600 °C) and there are no char optics or combustion in laserskin, so a setting
#: that heats tissue beyond it is outside the model (refused, never reported as a temperature).
MAX_TISSUE_TEMPERATURE_K = CELSIUS_K + 1000.0
#: Room air temperature of the model, K (25 °C).
ROOM_TEMPERATURE_K = CELSIUS_K + 25.0
#: Molar gas constant, J mol⁻¹ K⁻¹ (CODATA 2018, exact).
GAS_CONSTANT_J_PER_MOL_K = 8.314462618
#: Seconds per day and per mean Gregorian month and year.
DAY_S = 86400.0
YEAR_S = 365.25 * DAY_S
MONTH_DAYS = 365.25 / 12.0
