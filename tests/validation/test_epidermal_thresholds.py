"""Predicted one-pulse blister fluence by skin type against published tolerances and injuries.

Rows: ``data/parameters/epidermal_thresholds.toml`` (sources in
docs/reference/clinical_calibration_data.md section 1; table in docs/planning.md). A
"tolerated" fluence (no epidermal injury in the study) must not exceed the model's blister
fluence; an "injured" fluence must not be below it. The published numbers are single
observations (no spread given), so the tolerance is the planner's own Monte Carlo error at
20 000 photons (the blister band's 2 s_MC, ~6 %).

Type I under the cryogen-cooled 585 nm pulse (Tunnell et al. 2003, abdominal skin) agrees since
the epidermal melanin of sun-protected sites is scaled by Norvang et al. 1997's 12/26 (model 34.1
against tolerated 30 J/cm^2; 18.2 before).

Known gap (issue 10): for types II-IV the model is conservative by 1.5-2.5x against the
cryogen-cooled 585 nm and 755 nm studies and the uncooled 585 nm clinical series, and for types
V-VI against 1064 nm with contact cooling. At the tolerated fluences the model's epidermis would
reach 150-430 degC (docs/planning.md), and Tunnell's own rows (II-IV tolerated at 30, V injured
at 8 J/cm^2) would need a V/IV melanin ratio >= 3.75 where in-vivo data give <= 2: the residual
is the epidermal energy deposition of the published cohorts, not the cooling or the kinetics.
These rows are strict xfails so that a fix shows up.
"""

import pytest

from laserskin.planning.thresholds import model_blister_fluence_J_per_cm2, published_thresholds

ROWS = {row["id"]: row for row in published_thresholds()}
TOLERANCE = 0.06  # 2 x the ~3 % basal Monte Carlo error the planner accepts

AGREE = [
    ("pdl585_csc300_light", "I"),
    ("pdl585_csc300_dark", "V"),
    ("pdl585_csc300_dark", "VI"),
    ("ndyag1064_contact", "I"),
    ("ndyag1064_contact", "III"),
    ("diode800_contact", "I"),
]
GAP = [
    ("pdl585_csc300_light", "II"),
    ("pdl585_csc300_light", "IV"),
    ("pdl585_uncooled_asian", "III"),
    ("alex755_dcd_dark", "IV"),
    ("ndyag1064_contact", "VI"),
]


def _check(row_id, fitz):
    row = ROWS[row_id]
    model = model_blister_fluence_J_per_cm2(row, fitz)
    if row["kind"] == "tolerated":
        assert model is None or model >= row["fluence"] * (1 - TOLERANCE), (row["source"], fitz, model)
    else:
        assert model is not None and model <= row["fluence"] * (1 + TOLERANCE), (row["source"], fitz, model)


@pytest.mark.parametrize("row_id, fitz", AGREE)
def test_published_threshold_reproduced(row_id, fitz):
    _check(row_id, fitz)


@pytest.mark.parametrize("row_id, fitz", GAP)
@pytest.mark.xfail(
    strict=True,
    reason="model conservative for types II-IV (and V-VI at 1064 nm) under ms pulses with cooling (issue 10 gap)",
)
def test_published_threshold_known_gap(row_id, fitz):
    _check(row_id, fitz)


def test_blister_fluence_falls_with_skin_type():
    row = ROWS["ndyag1064_contact"]
    values = [model_blister_fluence_J_per_cm2(row, fitz) for fitz in ("I", "III", "V")]
    assert values[0] > values[1] > values[2]
