"""Named melanosome spectral shapes (issue 10 item 1; docs/reference/melanin_spectrum.md).

The sets are data: the model always uses Jacques 2013 (:func:`mua_melanosome_per_m`). A set is
compared shape-only, normalised to the model's melanosome absorption at 694 nm, the wavelength at
which the melanin of each Fitzpatrick type is calibrated on Norvang et al. 1997's in-vivo epidermal
absorption. ``python -m laserskin.planning.thresholds --melanin-spectrum NAME`` applies a set as the
equivalent melanosome fraction (fraction x the set's ratio to the model at the row's wavelength);
``test_fraction_equivalence_in_the_planner_optics`` checks that equivalence in the optics the
planner runs. The published shapes are exact formulas, so tolerances are floating-point rounding;
the one physical difference (the bloodless-baseline weight 1 - B - M - F) is bounded explicitly.
"""

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.optics import chromophores as chrom

NM = 1e-9
LASER_NM = (585.0, 694.0, 755.0, 800.0, 1064.0)
SHAPE_EXPONENT = {"jacques2013": 3.5, "jacques1998": 3.48, "svaasand1995": 3.46}


def test_sets_are_the_documented_ones():
    assert set(chrom.MELANIN_SPECTRA) == set(SHAPE_EXPONENT)
    assert chrom.DEFAULT_MELANIN_SPECTRUM == "jacques2013"


def test_model_spectrum_is_jacques2013_bit_for_bit():
    wl = np.array(LASER_NM) * NM
    # Jacques 2013 Eq. 8, 519 (lambda/500 nm)^-3.5 /cm, bit for bit (the transport cache keys on it)
    assert np.array_equal(chrom.mua_melanosome_per_m(wl), 519.0e2 * (wl / 500e-9) ** -3.5)
    assert chrom.CHROMOPHORES["melanosome"] is chrom.mua_melanosome_per_m
    assert np.array_equal(chrom.mua_melanin_spectrum_per_m(wl, "jacques2013"), chrom.mua_melanosome_per_m(wl))
    assert np.all(chrom.melanin_spectrum_ratio(wl, "jacques2013") == 1.0)


@pytest.mark.parametrize("name", sorted(SHAPE_EXPONENT))
def test_every_set_is_normalised_at_694_nm(name):
    ref = chrom.MELANIN_CALIBRATION_WAVELENGTH_M
    assert ref == 694 * NM
    assert chrom.mua_melanin_spectrum_per_m(ref, name) == chrom.mua_melanosome_per_m(ref)
    assert chrom.melanin_spectrum_ratio(ref, name) == 1.0


@pytest.mark.parametrize("name", sorted(SHAPE_EXPONENT))
def test_published_shapes_and_their_ratio_to_the_model(name):
    """Shape relative to 694 nm: (694/lambda)^p with p = 3.5 (Jacques 2013), 3.48 (omlc Jacques 1998),
    3.46 (Svaasand et al. 1995); so the ratio to the model is (lambda/694)^(3.5 - p) (D), e.g.
    svaasand1995 0.9932 at 585 nm and 1.0172 at 1064 nm (docs/reference/melanin_spectrum.md section 2)."""
    p = SHAPE_EXPONENT[name]
    wl = np.array(LASER_NM) * NM
    at_694 = chrom.mua_melanin_spectrum_per_m(694 * NM, name)
    relative = chrom.mua_melanin_spectrum_per_m(wl, name) / at_694
    np.testing.assert_allclose(relative, (694.0 / np.array(LASER_NM)) ** p, rtol=1e-12)
    expected_ratio = (np.array(LASER_NM) / 694.0) ** (3.5 - p)
    np.testing.assert_allclose(chrom.melanin_spectrum_ratio(wl, name), expected_ratio, rtol=1e-12)


def test_unknown_set_names_the_field_and_the_known_sets():
    calls = (
        lambda: chrom.get_melanin_spectrum("zonios"),
        lambda: chrom.mua_melanin_spectrum_per_m(694 * NM, "zonios"),
        lambda: chrom.melanin_spectrum_ratio(694 * NM, "zonios"),
    )
    for call in calls:
        with pytest.raises(InputError) as info:
            call()
        assert info.value.field == "melanin_spectrum" and info.value.value == "zonios"
        assert all(name in str(info.value) for name in chrom.MELANIN_SPECTRA)


def test_out_of_range_wavelength_raises():
    with pytest.raises(InputError, match="400 nm to 11000 nm"):
        chrom.mua_melanin_spectrum_per_m(300 * NM, "svaasand1995")


def test_every_set_cites_a_bibliography_entry():
    from laserskin.core.citations import bibliography

    for spectrum in chrom.MELANIN_SPECTRA.values():
        assert spectrum.citation in bibliography(), spectrum.name


# --- the equivalence the threshold tool relies on ------------------------------------
CASES = [("pdl585_csc300_light", "III"), ("ndyag1064_contact", "V"), ("alex755_dcd_dark", "VI")]


def _epidermis(person, wavelength_m):
    """The living epidermis's optical layer and skin layer in the optics the planner runs."""
    from laserskin.planning.optimise import planning_settings
    from laserskin.skin.anatomy import skin_layers
    from laserskin.skin.tissue import tissue_at

    scattering = planning_settings(20_000, 3).scattering
    stack = tissue_at(person, wavelength_m, scattering=scattering).optical_stack()
    (optical,) = (layer for layer in stack.layers if layer.name == "living_epidermis")
    (skin,) = (layer for layer in skin_layers(person).layers if layer.name == "living_epidermis")
    return optical, skin


@pytest.mark.parametrize("name", ["svaasand1995", "jacques1998"])
@pytest.mark.parametrize("row_id, fitz", CASES)
def test_fraction_equivalence_in_the_planner_optics(row_id, fitz, name):
    """The tool's melanosome fraction (f x ratio) gives the epidermis the absorption of the set:
    mua_epi(f) + f (mua_set - mua_model) at the row's wavelength. The only other change is the
    bloodless-baseline weight 1 - B - M - F, which moves by (1 - ratio) f (bound below, ~1e-6 of mua)."""
    from laserskin.planning.thresholds import published_thresholds, spectrum_melanin_fraction
    from laserskin.skin.person import Person

    (row,) = (r for r in published_thresholds() if r["id"] == row_id)
    wavelength_m = float(row["laser"]["wavelength"].split()[0]) * NM
    assert row["laser"]["wavelength"].endswith(" nm")
    person = Person(age_years=35.0, sex="female", fitzpatrick=fitz, site=row["site"])
    optical, skin = _epidermis(person, wavelength_m)
    f = skin.melanin_fraction
    with_set = optical.mua_per_m + f * float(
        chrom.mua_melanin_spectrum_per_m(wavelength_m, name) - chrom.mua_melanosome_per_m(wavelength_m)
    )

    fraction = spectrum_melanin_fraction(row, fitz, name)
    ratio = float(chrom.melanin_spectrum_ratio(wavelength_m, name))
    assert fraction == pytest.approx(f * ratio, rel=1e-15)
    equivalent, _ = _epidermis(person.model_copy(update={"melanin_fraction": fraction}), wavelength_m)
    baseline = abs(1.0 - ratio) * f * float(chrom.mua_baseline_per_m(wavelength_m, include_constant=False))
    assert abs(equivalent.mua_per_m - with_set) <= baseline * (1 + 1e-9) + 1e-12 * with_set
    assert abs(equivalent.mua_per_m - with_set) <= 1e-5 * with_set  # far below the 3 % Monte Carlo error
    # scattering, anisotropy and index do not depend on melanin
    assert (equivalent.mus_per_m, equivalent.g, equivalent.n) == (optical.mus_per_m, optical.g, optical.n)


def test_tool_runs_the_model_spectrum_without_an_override():
    from laserskin.planning.thresholds import published_thresholds, spectrum_melanin_fraction

    row = published_thresholds()[0]
    assert spectrum_melanin_fraction(row, "III", None) is None
    assert spectrum_melanin_fraction(row, "III", None, fraction=0.02) == 0.02
    # the model's own set is the type's fraction unchanged (the same run as no set)
    from laserskin.skin.anatomy import melanin_fraction_for

    assert spectrum_melanin_fraction(row, "III", "jacques2013") == melanin_fraction_for("III", row["site"])


def test_tool_rejects_an_unknown_set_before_running():
    """The function refuses an unknown set; the tool's one-line refusals (exit 2) are tested in
    tests/core/test_required_fields.py."""
    from laserskin.planning.thresholds import published_thresholds, spectrum_melanin_fraction

    with pytest.raises(InputError, match="melanin_spectrum.*svaasand1995"):
        spectrum_melanin_fraction(published_thresholds()[0], "III", "zonios")
