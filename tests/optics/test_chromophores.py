"""Chromophore spectra: range checks, vectorisation, splices, sanity of shapes."""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.citations import get
from laserskin.core.errors import InputError
from laserskin.optics import chromophores as chrom

NM = 1e-9
FUNCS = list(chrom.CHROMOPHORES.items())


@pytest.mark.parametrize("name, func", FUNCS)
@pytest.mark.parametrize("bad_nm", [399.0, 11001.0, 300.0, 20000.0])
def test_out_of_range_raises_naming_wavelength_and_range(name, func, bad_nm):
    with pytest.raises(InputError) as info:
        func(bad_nm * NM)
    message = str(info.value)
    assert f"{bad_nm:g} nm" in message and "400 nm to 11000 nm" in message


@pytest.mark.parametrize("name, func", FUNCS)
def test_range_ends_and_nan(name, func):
    assert np.all(np.isfinite(func(np.array([400.0, 11000.0]) * NM)))
    with pytest.raises(InputError):
        func(float("nan"))
    with pytest.raises(InputError):
        func(np.array([500.0, 12000.0]) * NM)  # one bad element in an array


@pytest.mark.parametrize("name, func", FUNCS)
def test_vectorised_and_non_negative(name, func):
    wl = np.geomspace(400, 11000, 400) * NM
    values = func(wl)
    assert values.shape == wl.shape
    assert np.all(values >= 0) and np.all(np.isfinite(values))
    for i in (0, 123, 399):
        assert func(wl[i]) == pytest.approx(values[i], rel=1e-12)
    grid = func(wl.reshape(20, 20))
    assert grid.shape == (20, 20)


@pytest.mark.parametrize("func", [chrom.mua_oxyblood_per_m, chrom.mua_deoxyblood_per_m, chrom.mua_fat_per_m])
@pytest.mark.parametrize("edge_nm", [950.0, 1000.0, 1098.0, 1995.0, 2000.6])
def test_splices_continuous(func, edge_nm):
    # At the splices the jump over ±0.01 nm must be no larger than the local slope allows:
    # compare with the change over ±1 nm (a jump would not shrink with the step).
    small = abs(func((edge_nm + 0.01) * NM) - func((edge_nm - 0.01) * NM))
    large = abs(func((edge_nm + 1.0) * NM) - func((edge_nm - 1.0) * NM))
    assert small <= 0.02 * large + 1e-9 * abs(func(edge_nm * NM))


def test_blood_cross_fade_limits():
    # Pure Prahl below 950 nm; pure Bosschaart (table row 6.4 /cm oxy, 2.2 /cm deoxy) at 1000 nm.
    eps_oxy_940 = 1214.0  # Prahl table row at 940 nm (decadic, /cm/M)
    header, data = chrom.load_spectrum("hemoglobin_Prahl.csv")
    row = data[data[:, 0] == 940][0]
    assert row[header.index("eps_HbO2_per_cm_per_M")] == eps_oxy_940
    assert chrom.mua_oxyblood_per_m(940 * NM) / 100 == pytest.approx(np.log(10) * eps_oxy_940 * 150 / 64500)
    assert chrom.mua_oxyblood_per_m(1000 * NM) / 100 == pytest.approx(6.4)
    assert chrom.mua_deoxyblood_per_m(1000 * NM) / 100 == pytest.approx(2.2)


def test_oxy_deoxy_isosbestic_near_800nm():
    # Hb and HbO2 absorption cross near 800 nm (isosbestic point, ~797-805 nm in Prahl's table).
    wl = np.arange(780, 830, 1.0) * NM
    diff = chrom.mua_oxyblood_per_m(wl) - chrom.mua_deoxyblood_per_m(wl)
    crossings = wl[:-1][np.sign(diff[:-1]) != np.sign(diff[1:])]
    assert len(crossings) == 1 and 790 * NM < crossings[0] < 810 * NM


def test_water_bands_peaks():
    # Water absorption maxima near 1450, 1940 and 2940 nm dominate their neighbourhoods.
    for peak, lo, hi in ((1450, 1300, 1600), (1940, 1800, 2100), (2940, 2700, 3200)):
        wl = np.arange(lo, hi, 5.0) * NM
        values = chrom.mua_water_per_m(wl)
        assert abs(wl[np.argmax(values)] / NM - peak) <= 30


def test_melanosome_power_law_exponent():
    ratio = chrom.mua_melanosome_per_m(1000 * NM) / chrom.mua_melanosome_per_m(500 * NM)
    assert ratio == pytest.approx(2.0**-3.5, rel=1e-12)


def test_fat_proxy_only_in_strong_bands():
    # Below 3 µm the oleic-acid proxy is noise: fat stays at the van Veen 1098 nm value.
    wl = np.array([1200, 1700, 2100, 2500]) * NM
    assert np.allclose(chrom.mua_fat_per_m(wl), chrom.mua_fat_per_m(1098 * NM))
    # the C-H stretch band near 3.4 µm and C=O near 5.8 µm are kept (> 1000 /cm)
    assert chrom.mua_fat_per_m(3420 * NM) / 100 > 1000
    assert chrom.mua_fat_per_m(5800 * NM) / 100 > 1000


def test_citations_registered():
    for key in (
        "segelstein1981",
        "jacques2013",
        "prahl_hemoglobin",
        "bosschaart2014",
        "rowe2017",
        "vanveen2005",
        "mcginty2009",
        "jacques1998",
    ):
        assert get(key).text
