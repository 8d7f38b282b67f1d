"""Layer thickness, composition, collagen and thermal properties derived from a person."""

from __future__ import annotations

import itertools

import pytest

from laserskin.core.citations import get
from laserskin.core.errors import InputError
from laserskin.skin import LAYER_NAMES, SITES, Person, skin_layers
from laserskin.skin.anatomy import melanin_fraction_for


def person(**kw):
    base = {"age": 25, "sex": "female", "fitzpatrick": "II", "site": "forearm", "sun_exposure": 0, "laxity": 0}
    return Person.model_validate(base | kw)


def test_five_layers_in_order():
    skin = skin_layers(person())
    assert skin.names == list(LAYER_NAMES)
    assert all(layer.thickness_m > 0 for layer in skin.layers)
    assert skin.arterial_temperature_K == pytest.approx(310.15)


def test_accepts_mapping_and_reports_bad_person():
    skin = skin_layers({"age": 40, "sex": "male", "fitzpatrick": 3, "site": "neck"})
    assert skin.person.fitzpatrick == "III"
    with pytest.raises(InputError, match="person.site"):
        skin_layers({"age": 40, "sex": "male", "fitzpatrick": 3, "site": "knee"})


def test_forearm_epidermis_sandby_moller_2003():
    # Sandby-Møller 2003 biopsies, forearm: SC 18.3 µm, cellular epidermis 56.6 µm (female, ref. age).
    skin = skin_layers(person())
    assert skin.layer("stratum_corneum").thickness_m == pytest.approx(18.3e-6, abs=0.05e-6)
    assert skin.layer("living_epidermis").thickness_m == pytest.approx(56.6e-6, abs=0.05e-6)


@pytest.mark.parametrize(
    "site, sex, full_mm",
    [
        ("forehead", "female", "1.86"),
        ("cheek", "female", "1.90"),
        ("periorbital", "female", "1.24"),
        ("forehead", "male", "2.45"),
        ("cheek", "male", "2.53"),
        ("periorbital", "male", "1.44"),
    ],
)
def test_facial_full_thickness_hfus(site, sex, full_mm):
    # 50 MHz HFUS, 20-29 y: full-skin thickness (epidermis + dermis), within the rounding (±0.005 mm).
    skin = skin_layers(person(site=site, sex=sex))
    assert abs((skin.epidermis_thickness_m + skin.dermis_thickness_m) * 1e3 - float(full_mm)) <= 0.005


@pytest.mark.parametrize("sex, epi_rate", [("female", 0.057), ("male", 0.072)])
def test_ageing_per_decade_branchet_1990(sex, epi_rate):
    young, older = skin_layers(person(sex=sex, age=35)), skin_layers(person(sex=sex, age=45))
    ratio_epi = older.layer("living_epidermis").thickness_m / young.layer("living_epidermis").thickness_m
    ratio_der = older.dermis_thickness_m / young.dermis_thickness_m
    assert ratio_epi == pytest.approx(1 - epi_rate, rel=1e-12)
    assert ratio_der == pytest.approx(1 - 0.06, rel=1e-12)


def test_collagen_content_falls_one_percent_per_year_shuster_1975():
    a, b = skin_layers(person(age=50)), skin_layers(person(age=51))
    assert b.dermal_collagen_per_area_m / a.dermal_collagen_per_area_m == pytest.approx(0.99, rel=1e-12)


@pytest.mark.parametrize("site, sex", list(itertools.product(SITES, ("female", "male"))))
def test_older_is_thinner_with_less_collagen(site, sex):
    ages = [18, 30, 45, 60, 75, 90, 100]
    skins = [skin_layers(person(site=site, sex=sex, age=age)) for age in ages]
    for young, old in itertools.pairwise(skins):
        assert old.layer("living_epidermis").thickness_m < young.layer("living_epidermis").thickness_m
        assert old.dermis_thickness_m < young.dermis_thickness_m
        for name in ("papillary_dermis", "reticular_dermis"):
            assert old.layer(name).collagen_fraction < young.layer(name).collagen_fraction
        assert old.dermal_collagen_per_area_m < young.dermal_collagen_per_area_m


def test_more_sun_less_collagen():
    grades = [skin_layers(person(age=60, sun_exposure=g)) for g in range(4)]
    for less, more in itertools.pairwise(grades):
        assert more.layer("reticular_dermis").collagen_fraction < less.layer("reticular_dermis").collagen_fraction
        assert more.layer("papillary_dermis").collagen_fraction < less.layer("papillary_dermis").collagen_fraction


def test_men_have_thicker_facial_dermis_but_not_neck():
    for site in ("forehead", "cheek", "periorbital", "perioral"):
        assert (
            skin_layers(person(site=site, sex="male")).dermis_thickness_m
            > skin_layers(person(site=site, sex="female")).dermis_thickness_m
        )
    # Meng et al. 2022: no sex difference of neck dermis
    assert skin_layers(person(site="neck", sex="male")).dermis_thickness_m == pytest.approx(
        skin_layers(person(site="neck", sex="female")).dermis_thickness_m
    )


def test_melanin_by_fitzpatrick_matches_in_vivo_absorption_at_694nm():
    """Norvang et al. 1997 (Lasers Med Sci 12:99), in-vivo reflectance: epidermal melanin mua at
    694 nm about 25 /cm for African skin and 3-12 /cm for Caucasian and Asian skin. Tolerance: the
    published spread (3-12 /cm for I-IV; African 25 /cm read as 20-30 /cm, +/-20 %)."""
    from laserskin.optics.chromophores import mua_melanosome_per_m
    from laserskin.skin.anatomy import melanin_range_for

    mel_694_per_cm = float(mua_melanosome_per_m(694e-9)) / 100.0
    values = []
    for fitz in ("I", "II", "III", "IV", "V", "VI"):
        m = skin_layers(person(fitzpatrick=fitz)).layer("living_epidermis").melanin_fraction
        assert m == melanin_fraction_for(fitz)
        low, high = melanin_range_for(fitz)
        assert low < m < high
        values.append(m)
        mua = m * mel_694_per_cm
        if fitz in ("I", "II", "III", "IV"):
            assert 3.0 <= mua <= 13.5  # 3-12 /cm Caucasian/Asian; IV at the dark end (+12 %)
    assert 20.0 <= values[-1] * mel_694_per_cm <= 30.0  # type VI ~ African, 25 /cm +/- 20 %
    assert values == sorted(values) and len(set(values)) == 6
    skin = skin_layers(person())
    assert all(l.melanin_fraction == 0 for l in skin.layers if l.name != "living_epidermis")


def test_melanin_override():
    skin = skin_layers(person(fitzpatrick="VI", melanin_fraction=0.05))
    assert skin.layer("living_epidermis").melanin_fraction == 0.05


def test_thermal_properties_jiang_2002():
    skin = skin_layers(person())
    expected = {
        "stratum_corneum": (0.24, 1200, 3590, 0.0),
        "living_epidermis": (0.24, 1200, 3590, 0.0),
        "papillary_dermis": (0.45, 1200, 3300, 0.00125),
        "reticular_dermis": (0.45, 1200, 3300, 0.00125),
        "subcutis": (0.19, 1000, 2500, 0.00125),
    }
    for layer in skin.layers:
        k, rho, c, w = expected[layer.name]
        assert (layer.k_W_per_mK, layer.density_kg_per_m3, layer.specific_heat_J_per_kgK, layer.perfusion_per_s) == (
            k,
            rho,
            c,
            w,
        )
    assert (skin.blood_density_kg_per_m3, skin.blood_specific_heat_J_per_kgK) == (1060.0, 3770.0)
    assert "Burns" in get("jiang2002").text


def test_composition_reticular_dermis_is_mcxyz():
    layer = skin_layers(person()).layer("reticular_dermis")
    assert (layer.blood_fraction, layer.saturation, layer.water_fraction) == (0.002, 0.67, 0.65)


def test_overrides():
    skin = skin_layers(person(), {"reticular_dermis": {"blood_fraction": 0.01}, "subcutis": {"thickness_m": 2e-3}})
    assert skin.layer("reticular_dermis").blood_fraction == 0.01
    assert skin.layer("subcutis").thickness_m == 2e-3
    with pytest.raises(InputError, match="overrides"):
        skin_layers(person(), {"bone": {"blood_fraction": 0.01}})
    with pytest.raises(InputError, match="overrides.reticular_dermis"):
        skin_layers(person(), {"reticular_dermis": {"colour": 1.0}})
    with pytest.raises(InputError, match="blood_fraction"):
        skin_layers(person(), {"reticular_dermis": {"blood_fraction": -0.1}})
    with pytest.raises(InputError, match="thickness_m"):
        skin_layers(person(), {"subcutis": {"thickness_m": 0.0}})
    with pytest.raises(InputError, match="add up"):
        skin_layers(person(), {"subcutis": {"water_fraction": 0.5}})


def test_does_not_mutate_overrides():
    overrides = {"reticular_dermis": {"blood_fraction": 0.01}}
    skin_layers(person(), overrides)
    assert overrides == {"reticular_dermis": {"blood_fraction": 0.01}}


def test_sun_protected_site_carries_less_melanin_for_types_that_tan():
    """Norvang et al. 1997 (Lasers Med Sci 12:99): ruby-laser hypopigmentation at 12 J/cm^2 on
    sun-exposed and 26 J/cm^2 on sun-protected white skin, so the epidermal melanin absorption of
    sun-protected skin is 12/26 = 0.46 of the exposed value (derived, exact by construction).
    Types V-VI are constitutively dark and keep their value."""
    from laserskin.skin.anatomy import melanin_range_for

    for fitz in ("I", "II", "III", "IV"):
        exposed = skin_layers(person(fitzpatrick=fitz, site="cheek")).layer("living_epidermis").melanin_fraction
        protected = skin_layers(person(fitzpatrick=fitz, site="abdomen")).layer("living_epidermis").melanin_fraction
        assert protected == pytest.approx(exposed * 12.0 / 26.0, rel=0.01)
        low, high = melanin_range_for(fitz, "abdomen")
        assert low < protected < high
    for fitz in ("V", "VI"):
        exposed = skin_layers(person(fitzpatrick=fitz, site="cheek")).layer("living_epidermis").melanin_fraction
        protected = skin_layers(person(fitzpatrick=fitz, site="abdomen")).layer("living_epidermis").melanin_fraction
        assert protected == exposed
