"""Each bibliography entry is a findable reference that ends as a sentence (QA11 #12).

The report and ``laserskin cite`` print the entries one after another; an entry that stops mid-sentence runs into
the next one. The calibration anchors named by QA11 #12 (the fractional CO2 MTZ depth the channel model is fitted
on, the Er:YAG ablation-rate bound, the CO2 threshold and the presets' settings) must at least carry the year of
the work they rest on.
"""

import re

import pytest

from laserskin.core import citations

# QA11 #12: entries a reader could not find (no year, no authors, or text cut off).
CALIBRATION_ANCHORS = (
    "bailey_mtz_depth",
    "yuan_deepfx",
    "prs1999",
    "erbium_lasers_med_sci",
    "jclt2009_fractional_co2_histology",
    "co2_threshold_chapter",
    "stepshealth_1320_1450",
    "prahl_hemoglobin",
)

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def test_every_entry_ends_with_a_full_stop():
    unfinished = [entry.key for entry in citations.all_citations() if not entry.text.rstrip().endswith(".")]
    assert unfinished == [], f"entries that do not end with a full stop: {unfinished}"


@pytest.mark.parametrize("key", CALIBRATION_ANCHORS)
def test_calibration_anchor_carries_a_year(key):
    text = citations.get(key).text
    assert _YEAR.search(text), f"{key}: no year in {text!r}"


def test_the_fractional_co2_calibration_point_names_its_paper():
    """The channel model's calibration point (15 mJ: face 415 µm, abdomen 582 µm) is Bailey et al. 2011,
    Lasers Surg Med 43:99-107 (V: the abstract with these numbers and a library record)."""
    text = citations.get("bailey_mtz_depth").text
    assert "Bailey SH" in text and "2011" in text and "Lasers Surg Med 43:99-107" in text
    assert "415" in text and "582" in text
