"""The 3-D stage's geometry inputs (QA11 #6 and #11).

#6: a ``[geometry]`` lattice silently replaced the laser's MTZ density: a 50 um hexagonal spacing made a periodic
cell of 44 444 zones/cm² from a laser of 400 /cm² (≈ 350 % coverage) and ran, exit 0; the zone reached the box's
floor and ``mtz_depth_um`` read the box's depth, 1000.0, as the zone's. Now a periodic cell's lattice must carry the
laser's MTZ density (one cell stands for the whole array), microbeams covering more than the skin are refused by
the laser's own rule, an escape volume's other pattern runs with a ``lattice_note``, and damage on the floor gives a
``depth_note`` that says the depth keys are lower bounds.

#11: a box too shallow for the pain probe failed after its transport with "probe depth: got 0.00015; expected a
depth within the voxels (2.4999999999999998e-05 m)"; the inclusions' checks said "a sphere needs a radius". Now
each names the scenario key in the got/expected form, with units.

Everything but four small runs (a 5 × 5 × 15-voxel cell, QA12's b5 cell in a 0.3 and a 1 mm box; 2000 packets) is
validation, before any transport.
"""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from laserskin.core.errors import InputError
from laserskin.pipeline.scenario import scenario_from_dict
from laserskin.pipeline.simulation import Simulation
from laserskin.pipeline.voxel import FLOOR_DEPTH_KEYS, ProbeTrace, _floor_note, voxel_setup
from laserskin.treatment.laser import Laser

PERSON = {"age": 45, "sex": "female", "fitzpatrick": "II", "site": "cheek"}
FRACTIONAL = {
    "wavelength": "1550 nm",
    "pulse_energy": "10 mJ",
    "pulse_duration": "3 ms",
    "spot_diameter": "15 mm",
    "fractional": {"microbeam_diameter": "100 um", "density": "400 1/cm^2"},
}


def _scenario(laser=None, inclusions=None, **geometry):
    """QA11's b4 / b5 scenario (45 F II cheek, fractional 1550 nm, 2000 packets) with ``geometry`` over b5's."""
    table = {
        "kind": "voxels",
        "size": ["0.5 mm", "0.5 mm", "1 mm"],
        "voxel": "10 um",
        "boundary": "periodic",
        "lattice": "hex",
        "spacing": "50 um",
    }
    table.update(geometry)
    data = {
        "person": PERSON,
        "laser": copy.deepcopy(laser or FRACTIONAL),
        "transport": {"photons": 2000, "seed": 1},
        "heat": {"relaxation": "0.02 s"},
        "geometry": {key: value for key, value in table.items() if value is not None},
    }
    if inclusions is not None:
        data["inclusions"] = inclusions
    return data


def _simulation(**kw):
    return Simulation.from_scenario(scenario_from_dict(_scenario(**kw)), progress=None)


# --- #11: the box's depth ------------------------------------------------------------------------------------------


def test_a_box_too_shallow_for_the_pain_probe_names_its_size_in_um(no_transport):
    """QA11 b4: 30 um deep at 10 um voxels. The probe at 150 um needs the deepest voxel centre, (n - 1/2) 10 um, at or
    below it: 16 voxels, 160 um."""
    with pytest.raises(InputError) as refused:
        _simulation(size=["0.5 mm", "0.5 mm", "30 um"], lattice=None, spacing=None).run()
    error = refused.value
    assert error.field == "geometry.size[2]" and error.value == "30 um"
    line = str(error)
    assert line.startswith("geometry.size[2]: got '30 um'; expected at least 160 um (16 voxels of 10 um)")
    assert "nociceptor probe at 150 um" in line and "epidermis" in line and "dermis" in line
    assert "e-05" not in line and "probe depth" not in line


@pytest.mark.parametrize(
    ("depth", "voxel", "refused"),
    [("150 um", "10 um", True), ("160 um", "10 um", False), ("140 um", "20 um", True), ("160 um", "20 um", False)],
)
def test_the_least_depth_is_the_first_whole_voxel_whose_centre_reaches_the_probe(depth, voxel, refused):
    """10 um voxels: 15 hold centres to 145 um (refused), 16 to 155 um; 20 um voxels: 7 to 130 um, 8 to 150 um."""
    simulation = _simulation(size=["0.1 mm", "0.1 mm", depth], voxel=voxel, lattice=None, spacing=None)
    if refused:
        with pytest.raises(InputError, match=r"geometry\.size\[2\]"):
            voxel_setup(simulation)
    else:
        assert voxel_setup(simulation).volumes[0][1].shape[2] * float(voxel.split()[0]) == float(depth.split()[0])


def test_the_probe_itself_says_its_depth_in_um():
    with pytest.raises(InputError) as refused:
        ProbeTrace((0, 0), 150e-6, (np.arange(3) + 0.5) * 10e-6)
    assert refused.value.field == "nociceptor_depth"
    assert "got '150 um'" in str(refused.value) and "25 um" in str(refused.value)


# --- #6: the lattice against the laser's MTZ density ---------------------------------------------------------------


def test_a_periodic_lattice_off_the_laser_density_is_refused_naming_both(no_transport):
    """QA11 b5: 50 um hexagonal spacing is 46 188 /cm² (2 / (√3 a²)) against the laser's 400 /cm², whose hexagonal
    spacing is √(2 / (√3 · 400 /cm²)) = 537.3 um."""
    with pytest.raises(InputError) as refused:
        _simulation().run()
    error = refused.value
    assert error.field == "geometry.spacing" and error.value == "50 um"
    line = str(error)
    assert line.startswith("geometry.spacing: got '50 um' (46188 1/cm^2 on a hex lattice); expected the laser's MTZ")
    assert "400 1/cm^2" in line and 'spacing = "537.3 um"' in line
    assert math.sqrt(2 / (math.sqrt(3) * 400e4)) == pytest.approx(537.3e-6, rel=1e-4)
    assert "no lattice and spacing" in line  # the docs' default: the square lattice at the laser's density


def test_a_periodic_lattice_density_off_the_laser_density_is_refused_under_its_key(no_transport):
    with pytest.raises(InputError) as refused:
        _simulation(spacing=None, density="44444 1/cm^2").run()
    assert refused.value.field == "geometry.density" and refused.value.value == "44444 1/cm^2"
    assert 'density = "400 1/cm^2"' in str(refused.value)


@pytest.mark.parametrize(("spacing", "accepted"), [("316 um", True), ("317.8 um", True), ("312 um", False)])
def test_a_spacing_to_three_figures_matches_the_laser_density(spacing, accepted):
    """1000 /cm² square is 316.23 um apart: 316 um is 0.15 % off in density, 317.8 um 0.99 %, 312 um 2.7 % (the rule:
    within 1 % in density, what a spacing typed to three significant figures can miss by)."""
    laser = dict(FRACTIONAL, fractional={"microbeam_diameter": "100 um", "density": "1000 1/cm^2"})
    simulation = _simulation(laser=laser, lattice="square", spacing=spacing, size=["0.4 mm", "0.4 mm", "0.2 mm"])
    if accepted:
        assert voxel_setup(simulation).lattice_note is None
    else:
        with pytest.raises(InputError, match=r'geometry\.spacing: .*spacing = "316\.2 um"'):
            voxel_setup(simulation)


def test_the_matching_lattice_runs_as_the_default_cell():
    """A periodic lattice at the laser's density is the default cell's (square at 400 /cm²: 500 um)."""
    given = voxel_setup(_simulation(lattice="square", spacing="500 um", size=["0.5 mm", "0.5 mm", "0.2 mm"]))
    default = voxel_setup(_simulation(lattice=None, spacing=None, size=["0.5 mm", "0.5 mm", "0.2 mm"]))
    assert given.volumes[0][1].shape == default.volumes[0][1].shape == (50, 50, 20)
    assert given.source.centers_m == default.source.centers_m and given.lattice_note is None


def test_microbeams_over_the_skin_are_refused_by_the_laser_rule(no_transport):
    """An escape volume's lattice of 100 um microbeams 60 um apart (27 778 /cm², 218 % coverage): the words of
    ``[laser] fractional`` at that density, under the geometry's key, with the spacing it allows."""
    with pytest.raises(InputError) as refused:
        _simulation(boundary="escape", lattice="square", spacing="60 um").run()
    with pytest.raises(ValidationError) as laser_refused:
        Laser(**dict(FRACTIONAL, fractional={"microbeam_diameter": "100 um", "density": "27777.78 1/cm^2"}))
    by_laser = laser_refused.value.errors()[0]["ctx"]["error"]
    assert refused.value.field == "geometry.spacing" and by_laser.field == "density"
    assert refused.value.allowed.startswith(by_laser.allowed)  # the same words: "at most 1.273e+04 1/cm^2 for ..."
    assert "they would cover 218% of the skin" in by_laser.allowed
    # 100 % coverage: π d² / 4 per site, square spacing √(π) d / 2 = 88.62 um
    assert refused.value.allowed.endswith("a spacing of at least 88.62 um on this lattice")


def test_an_escape_lattice_of_another_density_runs_with_a_note():
    """An escape volume fires its lattice's pattern (docs/voxel.md, "Firing order and scan overlap": three
    microbeams 200 um apart): 2500 /cm² against the laser's 400 /cm², said in ``lattice_note``."""
    setup = voxel_setup(
        _simulation(boundary="escape", lattice="square", spacing="200 um", size=["0.8 mm", "0.4 mm", "0.3 mm"])
    )
    assert len(setup.source.centers_m) == 3
    note = setup.lattice_note
    assert note.startswith("geometry.spacing '200 um' places the microbeams at 2500 1/cm^2 on a square lattice")
    assert "400 1/cm^2" in note and 'spacing = "500 um"' in note and "immediate_tightening_percent" in note


def test_a_lattice_of_full_spots_is_a_scan_not_a_density():
    """A laser that is not fractional has no MTZ density: its lattice (overlap included) is neither refused nor noted."""
    laser = {"wavelength": "1064 nm", "fluence": "20 J/cm^2", "pulse_duration": "1 ms", "spot_diameter": "200 um"}
    setup = voxel_setup(
        _simulation(
            laser=laser, boundary="escape", lattice="square", spacing="60 um", size=["0.6 mm", "0.6 mm", "0.3 mm"]
        )
    )
    assert setup.lattice_note is None and len(setup.source.centers_m) >= 1


# --- #6: damage on the box's floor ---------------------------------------------------------------------------------


def _volume(nz=10, voxel_m=20e-6):
    return SimpleNamespace(size_m=(100e-6, 100e-6, nz * voxel_m), voxel_m=voxel_m)


def test_damage_on_the_floor_makes_the_depth_keys_lower_bounds():
    omega = {key: np.zeros((5, 5, 10)) for key in ("henriques", "collagen")}
    omega["henriques"][2, 2, 3:] = 5.0
    summary = {"mtz_depth_um": 200.0, "dermal_injury_depth_um": [60.0, 200.0], "coagulation_depth_um": 120.0}
    note = _floor_note(summary, omega, _volume())
    assert note.startswith("necrosis (Henriques Omega >= 1) reaches the floor of the voxel box at 200 um (its last 2 ")
    assert "mtz_depth_um, dermal_injury_depth_um end at the floor: the depth is at least this" in note
    assert "coagulation_depth_um" not in note and "make geometry.size[2] deeper" in note


def test_damage_in_the_row_above_the_held_floor_row_is_cut_off():
    """QA12 #1: the floor row, coupled to the held floor face, stays near rest (Ω < 1) under a zone that ends only
    because of it; damage in the row above it (centre 170 um, bottom 180 um) reaches the floor."""
    omega = {key: np.zeros((5, 5, 10)) for key in ("henriques", "collagen")}
    omega["henriques"][2, 2, 3:9] = 5.0
    note = _floor_note({"mtz_depth_um": 180.0, "dermal_injury_depth_um": [60.0, 184.0]}, omega, _volume())
    assert note.startswith("necrosis (Henriques Omega >= 1) reaches the floor")
    assert "mtz_depth_um, dermal_injury_depth_um end at the floor" in note


def test_damage_ending_two_rows_above_the_floor_is_a_depth():
    omega = {key: np.zeros((5, 5, 10)) for key in ("henriques", "collagen")}
    omega["henriques"][2, 2, 3:8] = 5.0  # two voxels above the floor: its bottom at 160 um is measured
    omega["collagen"][2, 2, 3:8] = 5.0
    assert _floor_note({"mtz_depth_um": 160.0}, omega, _volume()) is None
    omega["collagen"][2, 2, 8] = 1.0
    note = _floor_note({"mtz_depth_um": 160.0}, omega, _volume())
    assert note.startswith("coagulated collagen reaches the floor") and "the damage goes deeper" in note
    assert set(FLOOR_DEPTH_KEYS) >= {"mtz_depth_um", "residual_damage_depth_um", "coagulation_depth_um"}


@pytest.fixture(scope="module")
def floor_run():
    """10 mJ into 100 um microbeams 100 um apart (10 000 /cm², the laser's) in a 0.3 mm box of 20 um voxels: the
    zone reaches the floor (necrosis to the box's depth, as QA11's b5 at 1 mm)."""
    laser = dict(FRACTIONAL, fractional={"microbeam_diameter": "100 um", "density": "10000 1/cm^2"})
    geometry = {"lattice": "square", "spacing": "100 um", "size": ["0.1 mm", "0.1 mm", "0.3 mm"], "voxel": "20 um"}
    return (
        Simulation.from_scenario(scenario_from_dict(_scenario(laser=laser, **geometry)), progress=None)
        .run(grid_warning=False)
        .summary
    )


def test_a_zone_cut_off_by_the_floor_says_so(floor_run):
    assert floor_run["array"]["zones_per_cm2"] == pytest.approx(10_000)
    assert floor_run["mtz_depth_um"] == pytest.approx(300.0)  # stays a number: the box's depth
    assert "depth_note" in floor_run and "mtz_depth_um" in floor_run["depth_note"]
    assert "at 300 um" in floor_run["depth_note"] and "lattice_note" not in floor_run


def test_a_zone_cut_off_by_the_floor_is_outside_the_model(floor_run):
    assert floor_run["within_model_validity"] is False
    assert "depth_note" in floor_run["model_validity_reason"]


def _b5(size_z, voxel):
    """QA12's b5floor: QA11's b5 without its lattice (the laser's 400 /cm², a 0.5 mm periodic cell), 2000 packets."""
    data = _scenario(lattice=None, spacing=None, size=["0.5 mm", "0.5 mm", size_z], voxel=voxel)
    data.pop("heat")
    return Simulation.from_scenario(scenario_from_dict(data), progress=None).run(grid_warning=False).summary


def test_an_ordinary_zone_cut_off_by_the_floor_says_so():
    """QA12 #1: in a 0.3 mm box of 10 um voxels the zone read 290 um, no note, within the model: Henriques Ω ≈ 4e5
    in the row above the floor row, 0.007 in the floor row (held cool by the floor). Ω falls by orders of magnitude
    within a row or two at a zone's bottom, so 2000 packets decide this far from Ω = 1."""
    summary = _b5("0.3 mm", "10 um")
    assert summary["mtz_depth_um"] == pytest.approx(290.0)
    assert "depth_note" in summary and "mtz_depth_um" in summary["depth_note"]
    assert summary["within_model_validity"] is False


def test_a_zone_well_above_the_floor_has_no_depth_note():
    """The same laser in a 1 mm box of 20 um voxels: the zone ends ≈ 0.4 mm deep (QA12: 400 um), Ω ≈ 1e-9 by the
    floor."""
    summary = _b5("1 mm", "20 um")
    assert 0 < summary["mtz_depth_um"] < 700.0
    assert "depth_note" not in summary and summary["within_model_validity"] is True


# --- #11: the inclusions' checks -----------------------------------------------------------------------------------

SPHERE = {
    "name": "vessel",
    "kind": "sphere",
    "center": ["0 mm", "0 mm", "0.3 mm"],
    "radius": "50 um",
    "tissue": "blood",
}


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            {"radius": None},
            'inclusions[0].radius: got nothing; expected the radius of a sphere, such as radius = "100 um"',
        ),
        (
            {"center": ["0 mm", "0.3 mm"]},
            "inclusions[0].center: got 2 coordinates ['0 mm', '0.3 mm']; expected 3 coordinates for a sphere: [x, y, z]",
        ),
        (
            {"kind": "cylinder", "center": ["0 mm", "0 mm", "0.3 mm"]},
            "inclusions[0].center: got 3 coordinates ['0 mm', '0 mm', '0.3 mm']; expected 2 coordinates for a cylinder",
        ),
        ({"kind": "ellipsoid", "radius": None}, "inclusions[0].radii: got nothing; expected the radii of an ellipsoid"),
        (
            {"kind": "follicle", "center": ["0 mm", "0 mm"]},
            "inclusions[0].depth: got nothing; expected the depth of a follicle",
        ),
        ({"tissue": None, "n": 1.4}, 'inclusions[0].tissue: got nothing, and only n; expected tissue = "blood"'),
        ({"n": 1.4}, "inclusions[0].tissue: got 'blood' and n; expected either tissue"),
        ({"site": "cheek"}, "inclusions[0].site: got 'cheek'; expected kind = \"follicle\""),
    ],
)
def test_an_inclusion_check_names_its_key(change, line):
    inclusion = {key: value for key, value in {**SPHERE, **change}.items() if value is not None}
    data = _scenario(inclusions=[inclusion], boundary="escape", lattice=None, spacing=None)
    with pytest.raises(InputError) as refused:
        scenario_from_dict(data)
    assert str(refused.value).startswith(line)


def test_a_follicle_site_without_that_hair_lists_the_table():
    follicle = {
        "name": "hair",
        "kind": "follicle",
        "site": "periorbital",
        "center": ["0 mm", "0 mm"],
        "tissue": "blood",
    }
    with pytest.raises(InputError) as refused:
        scenario_from_dict(_scenario(inclusions=[follicle], boundary="escape", lattice=None, spacing=None))
    line = str(refused.value)
    assert line.startswith("inclusions[0].site: got 'periorbital'; expected a region or site of the terminal follicle")
    assert "face (cheek, perioral, neck)" in line and "hair = 'vellus'" in line


def test_a_size_off_the_voxels_names_its_index():
    with pytest.raises(InputError) as refused:
        voxel_setup(_simulation(size=["0.5 mm", "0.205 mm", "0.2 mm"], boundary="escape", lattice=None, spacing=None))
    assert str(refused.value).startswith("geometry.size[1]: got '0.205 mm'; expected a multiple of the voxel 10 um")
