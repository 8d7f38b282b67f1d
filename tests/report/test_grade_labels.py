"""Every grade the damage model can state has its clinician wording in the label table (report.html, the web
pages): the keys come from the damage module's own lists, so a new grade cannot go unlabelled."""

from laserskin.damage.injury import DERMAL_GRADES, GRADES
from laserskin.report.labels import CHOICES


def test_every_epidermal_grade_has_a_label():
    assert set(CHOICES["epidermal_injury"]) == set(GRADES)


def test_every_dermal_grade_has_a_label():
    assert set(CHOICES["dermal_injury"]) == set(DERMAL_GRADES)
