import tomllib

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.grid import RZGrid
from laserskin.thermal import (
    ColdAirCooling,
    ContactCooling,
    Cooling,
    CryogenCooling,
    NoCooling,
    Schedule,
    ThermalMedium,
    solve_bioheat,
)


def test_toml_form_and_units():
    data = tomllib.loads('[cooling]\nkind = "cryogen"\nspurt_duration = "30 ms"\ndelay = "20 ms"\n')["cooling"]
    cooling = Cooling.from_config(data)
    assert isinstance(cooling, CryogenCooling)
    assert cooling.spurt_duration_s == pytest.approx(0.030) and cooling.delay_s == pytest.approx(0.020)
    assert cooling.liquid_temperature_K == pytest.approx(247.15)  # −26 °C, Anvari 1995
    assert cooling.h_W_per_m2K == 20000.0  # Aguilar 2001
    contact = Cooling.from_config({"kind": "contact", "window_temperature": "5 degC", "h": "5000 W/(m^2*K)"})
    assert contact.window_temperature_K == pytest.approx(278.15)
    assert Cooling.from_config({"kind": "cold_air", "air_temperature": "-20 °C"}).air_temperature_K == pytest.approx(
        253.15
    )
    assert isinstance(Cooling.from_config(None), NoCooling)


def test_round_trip_serialisation():
    cooling = ContactCooling(window_temperature="2 degC", precool="0.5 s")
    again = Cooling.from_config(cooling.model_dump(by_alias=True))
    assert again == cooling


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "contact", "window_temperature": "-70 degC"}, "window_temperature"),
        ({"kind": "cryogen", "h": "-5 W/(m^2*K)"}, "h"),
        ({"kind": "cold_air", "h": "100"}, "h"),  # a unit is required
        ({"kind": "cryogen", "precool": "1 s"}, "precool"),  # not a cryogen field
        ({"kind": "ice"}, "kind"),
    ],
)
def test_bad_cooling_input_names_field(data, field):
    with pytest.raises(InputError, match=field) as info:
        Cooling.from_config(data)
    if "temperature" in field:
        assert "-60 degC" in str(info.value)
    if data.get("h") == "-5 W/(m^2*K)":
        assert "expected from 0 W/(m^2*K)" in str(info.value)


def test_parameter_ranges_contain_defaults():
    for kind in (ColdAirCooling, ContactCooling, CryogenCooling):
        model = kind()
        for name, rng in kind.parameter_ranges().items():
            assert rng.low <= rng.high
            assert rng.low - 1e-9 <= getattr(model, name) <= rng.high + 1e-9, (kind.__name__, name)
    assert CryogenCooling.parameter_ranges()["h_W_per_m2K"][:2] == (15000.0, 35000.0)


def test_cryogen_schedule_around_pulse():
    cooling = CryogenCooling(spurt_duration="30 ms", delay="20 ms", post_spurt="10 ms")
    assert cooling.lead_time_s == pytest.approx(0.050)
    h, T = cooling.surface_schedule(0.1, 0.103, 0.5, resting_h=10.0, resting_T=298.15)
    assert h.value_at(0.049) == 10.0 and h.value_at(0.05) == 20000.0 and h.value_at(0.0799) == 20000.0
    assert h.value_at(0.09) == 10.0 and T.value_at(0.09) == 298.15  # delay: resting air
    assert h.value_at(0.101) == 10.0  # no spray during the pulse by default
    assert h.value_at(0.105) == 20000.0 and h.value_at(0.114) == 10.0  # post spurt
    assert T.value_at(0.06) == pytest.approx(247.15)
    with pytest.raises(InputError, match="pulse_start_s"):
        cooling.surface_schedule(0.01, 0.013, 0.5)


def test_continuous_cooling_merges_between_close_pulses_and_film_has_lower_priority():
    air = ColdAirCooling(precool="1 s", postcool="1 s")
    h, _ = air.surface_schedule([1.0, 1.5], [1.003, 1.503], 5.0)
    assert np.all(h.value_at(np.linspace(0.0, 2.5, 50)) == 100.0)
    assert h.value_at(2.6) == 10.0
    contact = ContactCooling(parallel=False)
    h, _ = contact.surface_schedule(1.0, 1.01, 3.0)
    assert h.value_at(1.005) == 10.0 and h.value_at(0.5) == 5000.0
    film = CryogenCooling(film_residence="200 ms", film_h="1000 W/(m^2*K)")
    h, _ = film.surface_schedule(0.1, 0.103, 1.0)
    assert h.value_at(0.06) == 20000.0 and h.value_at(0.09) == 1000.0 and h.value_at(0.3) == 10.0


def test_cooling_lowers_epidermal_temperature_in_order_of_strength():
    """Same pulse, four cooling kinds: the surface before the pulse is coldest with cryogen/contact."""
    bottoms = [80e-6, 2e-3, 4e-3]
    grid = RZGrid.graded(
        r_max_m=2e-3, nr=20, z_max_m=4e-3, dz_surface_m=5e-6, dz_max_m=100e-6, growth=1.15, interfaces_m=bottoms[:-1]
    )
    medium = ThermalMedium.jiang2002(grid, bottoms)
    surface_T = {}
    for cooling in (NoCooling(), ColdAirCooling(precool="1 s"), ContactCooling(), CryogenCooling(delay="0 ms")):
        start = cooling.lead_time_s + 0.01
        surface = cooling.surface_boundary(start, start + 3e-3, start + 0.1)
        result = solve_bioheat(
            medium, None, Schedule.pulse_train(start, 3e-3, 0.0), surface, start, probes=[(0.0, 0.0)]
        )
        surface_T[cooling.kind] = result.probe_temperatures_K[0, -1] - 273.15
    assert surface_T["none"] > surface_T["cold_air"] > surface_T["contact"]
    assert surface_T["none"] > surface_T["cryogen"]
    assert -26 < surface_T["cryogen"] < 5  # Anvari 1995: 20–100 ms spurts drop the surface to +5 … −9 °C
