"""Tissue at a wavelength: optics per layer, LayerStack, thermal arrays, table, sets, errors."""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.citations import get
from laserskin.core.errors import InputError
from laserskin.optics.layers import LayerStack
from laserskin.skin import (
    LAYER_NAMES,
    Person,
    available_scattering_sets,
    get_scattering_set,
    optics_table,
    skin_layers,
    tissue_at,
)
from laserskin.skin.tissue import anisotropy, layer_optics, refractive_index

NM = 1e-9
PERSON = Person(age=55, sex="female", fitzpatrick="IV", site="cheek", sun_exposure=2, laxity=2)


def test_available_sets():
    sets = available_scattering_sets()
    assert {"jacques2013", "salomatina2006"} <= set(sets)
    for name in sets:
        assert get(get_scattering_set(name).citation).text


@pytest.mark.parametrize("scattering", ["jacques2013", "salomatina2006"])
@pytest.mark.parametrize("nm", [532, 755, 1064, 1320, 1450, 1550])
def test_tissue_layers_valid(scattering, nm):
    tissue = tissue_at(PERSON, nm * NM, scattering=scattering)
    assert tissue.names == list(LAYER_NAMES)
    assert tissue.scattering == scattering and tissue.wavelength_m == nm * NM
    for layer in tissue.layers:
        assert layer.mua_per_m > 0 and layer.mus_per_m > 0 and 0 < layer.g < 1 and layer.n >= 1


@pytest.mark.parametrize("nm", [1940, 2940, 10600])
def test_mid_ir_water_dominated(nm):
    tissue = tissue_at(PERSON, nm * NM)
    dermis = {l.name: l for l in tissue.layers}["reticular_dermis"]
    assert dermis.mua_per_m > dermis.musp_per_m  # absorption-dominated
    # index below the NIR value, following water's anomalous dispersion near its bands
    assert dermis.n < float(refractive_index("reticular_dermis", 1550 * NM, 0.65))


def test_optical_stack():
    tissue = tissue_at(PERSON, 1064 * NM)
    stack = tissue.optical_stack(n_above=1.76)
    assert isinstance(stack, LayerStack)
    assert stack.names == list(LAYER_NAMES)
    assert stack.n_above == 1.76
    assert stack.n_below == tissue.layers[-1].n
    arrays = stack.arrays()
    assert np.allclose(arrays["thickness_m"], [l.thickness_m for l in tissue.layers], rtol=1e-12)
    assert np.allclose(arrays["mua_per_m"], [l.mua_per_m for l in tissue.layers], rtol=1e-12)
    assert np.all(np.isfinite(stack.boundaries_m))
    assert stack.boundaries_m[-1] == pytest.approx(sum(l.thickness_m for l in skin_layers(PERSON).layers))


def test_thermal_properties_arrays():
    props = tissue_at(PERSON, 1064 * NM).thermal_properties()
    assert set(props) >= {"k_W_per_mK", "density_kg_per_m3", "specific_heat_J_per_kgK", "perfusion_per_s"}
    assert all(len(v) == 5 for v in props.values())
    assert props["k_W_per_mK"].tolist() == [0.24, 0.24, 0.45, 0.45, 0.19]


def test_optics_table_units_consistent():
    tissue = tissue_at(PERSON, 755 * NM, scattering="jacques2013")
    rows = optics_table(PERSON, 755 * NM, scattering="jacques2013")
    assert [r["name"] for r in rows] == list(LAYER_NAMES)
    for row, layer in zip(rows, tissue.layers):
        assert set(row) == {"name", "thickness_um", "mua_per_cm", "mus_per_cm", "musp_per_cm", "g", "n"}
        assert row["thickness_um"] == pytest.approx(layer.thickness_m * 1e6)
        assert row["mua_per_cm"] == pytest.approx(layer.mua_per_m / 100)
        assert row["musp_per_cm"] == pytest.approx(row["mus_per_cm"] * (1 - row["g"]))
        assert all(isinstance(v, (str, float)) for v in row.values())


@pytest.mark.parametrize("nm", [755, 1064])
@pytest.mark.parametrize("scattering", ["jacques2013", "salomatina2006"])
def test_darker_skin_more_epidermal_absorption(nm, scattering):
    mua = []
    for fitz in ("I", "II", "III", "IV", "V", "VI"):
        person = PERSON.model_copy(update={"fitzpatrick": fitz})
        mua.append({l.name: l for l in tissue_at(person, nm * NM, scattering).layers}["living_epidermis"].mua_per_m)
    if scattering == "salomatina2006":  # measured value kept up to the samples' melanin (type II)
        assert mua[0] == mua[1]
        mua = mua[1:]
    assert all(b > a for a, b in zip(mua, mua[1:]))


def test_anisotropy_model():
    assert float(anisotropy("vangemert1989", 400 * NM)) == pytest.approx(0.62 + 0.29e-3 * 400)
    assert float(anisotropy("vangemert1989", 966 * NM)) == pytest.approx(0.90, abs=2e-4)
    assert float(anisotropy("vangemert1989", 1064 * NM)) == 0.90
    assert float(anisotropy(0.8, 1064 * NM)) == 0.8


def test_refractive_index_continuous_at_fit_end():
    for name in LAYER_NAMES:
        below = float(refractive_index(name, 1556.99 * NM, 0.65))
        above = float(refractive_index(name, 1557.01 * NM, 0.65))
        assert abs(above - below) < 1e-4


def test_layer_optics_vectorised():
    layer = skin_layers(PERSON).layer("reticular_dermis")
    wl = np.array([500, 755, 1064, 2940]) * NM
    optics = layer_optics(layer, wl)
    single = layer_optics(layer, 755 * NM)
    assert optics["mua_per_m"].shape == (4,)
    assert optics["mua_per_m"][1] == pytest.approx(float(single["mua_per_m"]))


def test_overrides_and_errors():
    tissue = tissue_at(PERSON, 1064 * NM, overrides={"living_epidermis": {"g": 0.8, "n": 1.4}})
    epi = {l.name: l for l in tissue.layers}["living_epidermis"]
    assert (epi.g, epi.n) == (0.8, 1.4)
    with pytest.raises(InputError, match="overrides"):
        tissue_at(PERSON, 1064 * NM, overrides={"muscle": {"g": 0.8}})
    with pytest.raises(InputError, match="overrides.subcutis"):
        tissue_at(PERSON, 1064 * NM, overrides={"subcutis": {"k": 0.8}})
    with pytest.raises(InputError, match="mua_per_m"):
        tissue_at(PERSON, 1064 * NM, overrides={"subcutis": {"mua_per_m": -1.0}})


@pytest.mark.parametrize("nm", [399, 11001, 250])
def test_wavelength_out_of_range(nm):
    with pytest.raises(InputError, match="400 nm to 11000 nm"):
        tissue_at(PERSON, nm * NM)


def test_salomatina_range_only():
    with pytest.raises(InputError, match="1600 nm") as info:
        tissue_at(PERSON, 2940 * NM, scattering="salomatina2006")
    assert "2940 nm" in str(info.value)


def test_unknown_scattering_set_lists_available():
    with pytest.raises(InputError) as info:
        tissue_at(PERSON, 1064 * NM, scattering="mie")
    assert "jacques2013" in str(info.value) and "salomatina2006" in str(info.value)


def test_accepts_skin_model_and_mapping():
    skin = skin_layers(PERSON, {"reticular_dermis": {"blood_fraction": 0.02}})
    more_blood = tissue_at(skin, 585 * NM)
    normal = tissue_at(PERSON.model_dump(by_alias=True), 585 * NM)
    get_rd = lambda t: {l.name: l for l in t.layers}["reticular_dermis"].mua_per_m  # noqa: E731
    assert get_rd(more_blood) > get_rd(normal)


def test_negative_melanin_override_rejected():
    with pytest.raises(Exception) as info:
        tissue_at({"age": 40, "sex": "male", "fitzpatrick": "II", "site": "neck", "melanin_fraction": -0.1}, 755 * NM)
    assert isinstance(info.value, InputError) and "melanin_fraction" in str(info.value)


def test_tissue_at_takes_a_wavelength_with_units():
    person = {"age": 40, "sex": "female", "fitzpatrick": "II", "site": "cheek"}
    assert tissue_at(person, "1064 nm").wavelength_m == pytest.approx(tissue_at(person, 1064e-9).wavelength_m)
    with pytest.raises(InputError, match="wavelength"):
        tissue_at(person, "1064 kg")
