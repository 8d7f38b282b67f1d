"""Drying removes the water's share of the absorption only: μa/μa₀ = 1 − s (1 − (w/w₀) g(T)), s = min(s_w, 1 − a_d).

``s_w = W μa_water / μa`` is the water term of the Jacques (2013) mixing model over the tissue's μa at the laser
wavelength (:func:`laserskin.optics.chromophores.water_absorption_share`). References: hand-computed factors
(exact up to round-off), the previous rule ``a_d + (1 − a_d)(w/w₀) g(T)`` where water dominates (bit for bit),
and the ledger of a solve whose tissue absorbs by melanin only (deposited = the wet tally, to round-off).
"""

from __future__ import annotations

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.optics import chromophores as chrom
from laserskin.skin import Person
from laserskin.skin.anatomy import skin_layers
from laserskin.skin.tissue import mixing_mua_per_m, tissue_at
from laserskin.thermal.enthalpy import PhaseChangeParameters, phase_change_parameters, tissue_absorption_factor


def _old_rule(water, w0, temperature, p):
    """The rule before the water share: a_d + (1 − a_d)(w/w₀) max(g(T), g_min) at every wavelength."""
    wet = np.divide(water, w0, out=np.ones_like(water), where=w0 > 0)
    g = 1.0 + p.absorption_temperature_coefficient_per_K * (temperature - p.absorption_reference_temperature_K)
    a_d = p.dry_absorption_fraction
    return a_d + (1.0 - a_d) * wet * np.maximum(g, p.absorption_minimum_factor)


def test_a_melanin_dominated_cell_keeps_its_absorption_when_it_dries():
    """Hand-computed: s_w = 0.05 (a pigmented cell at 810 nm, β = 0 there), a_d = 0.1: s = 0.05 and
    μa/μa₀ = 1 − 0.05 (1 − w/w₀): 0.975 half dry, 0.95 dry (the old rule gave 0.55 and 0.1)."""
    p = phase_change_parameters(810e-9, 30e-3)
    assert p.absorption_temperature_coefficient_per_K == 0.0 and p.dry_absorption_fraction == 0.1
    w0 = np.full(3, 650.0)
    water = np.array([650.0, 325.0, 0.0])
    temperature = np.full(3, p.boiling_temperature_K)
    factor = tissue_absorption_factor(water, w0, temperature, p, 0.05)
    np.testing.assert_allclose(factor, [1.0, 0.975, 0.95], rtol=1e-12)
    np.testing.assert_allclose(_old_rule(water, w0, temperature, p), [1.0, 0.55, 0.1], rtol=1e-12)


def test_the_factor_of_a_real_pigmented_epidermis_at_810_nm_is_one_minus_its_water_share_when_dry():
    """The living epidermis of a Fitzpatrick V person at 810 nm: s_w from the mixing model (its water term
    over its μa) is below 1 %, so the dried epidermis keeps ≥ 99 % of its absorption: 1 − s_w exactly."""
    person = Person(age=40, sex="male", fitzpatrick="V", site="cheek")
    layer = next(lay for lay in skin_layers(person).layers if lay.name == "living_epidermis")
    mua = float(mixing_mua_per_m(layer, 810e-9))
    s_w = float(chrom.water_absorption_share(layer.water_fraction, mua, 810e-9))
    assert s_w == pytest.approx(layer.water_fraction * float(chrom.mua_water_per_m(810e-9)) / mua, rel=1e-12)
    assert s_w < 0.01
    p = phase_change_parameters(810e-9, 30e-3)
    dry = tissue_absorption_factor(np.zeros(1), np.full(1, 650.0), np.full(1, 400.0), p, s_w)[0]
    assert dry == pytest.approx(1.0 - s_w, rel=1e-12)


@pytest.mark.parametrize("wavelength_m", [2.94e-6, 1.94e-6, 10.6e-6, 1.45e-6, 1.55e-6])
def test_where_water_dominates_the_rule_is_the_old_one_bit_for_bit(wavelength_m):
    """For s_w ≥ 1 − a_d the dry matter keeps a_d: the factor equals a_d + (1 − a_d)(w/w₀) g(T) exactly, so the
    calibrated Er:YAG threshold and the CO2 / 1450 / 1550 nm checks do not move."""
    p = phase_change_parameters(wavelength_m, 250e-6)
    rng = np.random.default_rng(4)
    w0 = np.full(200, 650.0)
    water = rng.uniform(0.0, 650.0, 200)
    temperature = rng.uniform(300.0, 600.0, 200)
    share = rng.uniform(1.0 - p.dry_absorption_fraction, 1.0, 200)
    old = _old_rule(water, w0, temperature, p)
    assert np.array_equal(tissue_absorption_factor(water, w0, temperature, p, share), old)
    assert np.array_equal(tissue_absorption_factor(water, w0, temperature, p), old)  # default s_w = 1


@pytest.mark.parametrize("fitzpatrick", ["I", "III", "VI"])
def test_the_water_share_of_skin_is_high_at_the_ablative_bands_and_low_at_the_vascular_lines(fitzpatrick):
    """From the mixing model of the person's layers: at 2940 nm every layer is water-absorbed beyond 1 − a_d = 0.9
    (the Er:YAG identity holds); at 585 nm (haemoglobin, melanin, the bloodless baseline) below 1 % everywhere."""
    person = Person(age=40, sex="female", fitzpatrick=fitzpatrick, site="cheek")
    layers = skin_layers(person).layers
    water = np.array([lay.water_fraction for lay in layers])
    for wavelength_m, check in ((2940e-9, lambda s: s >= 0.9), (585e-9, lambda s: s < 0.01)):
        mua = np.array([lay.mua_per_m for lay in tissue_at(person, wavelength_m).layers])
        share = chrom.water_absorption_share(water, mua, wavelength_m)
        assert np.all(check(share)), (wavelength_m, share)


def test_several_wavelengths_weigh_the_water_and_the_total_by_the_energy_shares():
    wl = np.array([810e-9, 1064e-9])
    mua = np.array([[100.0, 40.0], [20.0, 400.0]])  # (wavelength, tissue)
    water = np.array([0.6, 0.7])
    q = np.array([0.25, 0.75])
    expected = water * np.dot(q, chrom.mua_water_per_m(wl)) / (q @ mua)
    np.testing.assert_allclose(chrom.water_absorption_share(water, mua, wl, q), np.minimum(expected, 1.0), rtol=1e-12)
    assert chrom.water_absorption_share(0.7, 0.0, 810e-9) == 1.0  # nothing absorbs: counted as water
    assert chrom.water_absorption_share(0.7, 1.0, 2940e-9) == 1.0  # explicit μa below the water term: capped
    with pytest.raises(InputError):
        chrom.water_absorption_share(water, np.ones(3), wl)  # not one row per wavelength


def test_rz_tissue_absorbing_by_melanin_only_deposits_its_whole_tally_when_boiled_dry():
    """solve_enthalpy with s_w = 0 (no water absorption): the factor is 1 at any water left, so the ledger's
    deposited energy is the tally × the energy delivered, to round-off, although the cells boil dry; with
    s_w = 1 the dried cells withhold most of it."""
    from laserskin.grid import RZGrid
    from laserskin.thermal import Schedule, SurfaceBoundary, ThermalMedium
    from laserskin.thermal.enthalpy import FixedSource, solve_enthalpy

    grid = RZGrid.graded(
        r_max_m=1e-3, nr=1, z_max_m=1e-3, dz_surface_m=5e-6, dz_max_m=50e-6, growth=1.1, interfaces_m=()
    )
    medium = ThermalMedium.from_layers(grid, (1e-3,), [0.45], [1100.0], [3600.0], [0.0])
    source = np.where(grid.z_centers_m < 50e-6, 1.0, 0.0)[None, :]
    source = source / float((source * grid.cell_volume_m3).sum())  # 1/m³ per J: all of it in the top 50 µm
    energy = 1.0  # J: 6.4e9 J/m³ in the top 50 µm, 4× what heating to T_b and boiling its water take
    power = Schedule.pulse_train([0.0], 10e-3, energy / 10e-3)
    p = PhaseChangeParameters(material_removal=False, pyrolysis_temperature_K=5000.0)
    runs = {
        s: solve_enthalpy(
            medium,
            650.0,
            FixedSource(source),
            power,
            SurfaceBoundary.resting_air(),
            20e-3,
            parameters=p,
            water_absorption_share=s,
        )
        for s in (0.0, 1.0)
    }
    melanin, water = runs[0.0], runs[1.0]
    assert np.any(melanin.water_fraction[0] == 0.0)  # boiled dry
    assert melanin.energy.deposited_J == pytest.approx(energy, rel=1e-9)
    assert water.energy.deposited_J < 0.7 * energy
    with pytest.raises(InputError):
        solve_enthalpy(medium, 650.0, None, power, SurfaceBoundary.resting_air(), 1e-3, water_absorption_share=1.5)
