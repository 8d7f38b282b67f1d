"""QA16 #10: the simulate table's title (``Simulation: {laser.describe()}``) gives a fractional laser's coverage in
%, as it is typed and planned (it read ``0.1 coverage``)."""

from laserskin.treatment.laser import Laser


def test_the_title_gives_the_coverage_in_percent():
    laser = Laser.from_config(
        {"device": "fraxel_1550", "fractional": {"microbeam_diameter": "100 um", "coverage": "10 %"}}
    )
    title = laser.describe()
    assert "10 % coverage" in title
    assert "0.1 coverage" not in title
