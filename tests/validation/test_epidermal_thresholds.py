"""Predicted one-pulse blister fluence by skin type against published tolerances and injuries.

Rows: ``data/parameters/epidermal_thresholds.toml`` (sources in
docs/reference/clinical_calibration_data.md section 1; table in docs/planning.md). A
"tolerated" fluence (no epidermal injury in the study) must not exceed the model's blister
fluence; an "injured" fluence must not be below it. The published numbers are single
observations (no spread given), so the tolerance is the planner's own Monte Carlo error at
20 000 photons (the blister band's 2 s_MC, ~6 %).

Type I under the cryogen-cooled 585 nm pulse (Tunnell et al. 2003, abdominal skin) agrees since
the epidermal melanin of sun-protected sites is scaled by Norvang et al. 1997's 12/26 (model 34.8 with the pooled read-out, 34.1 per cell
against tolerated 30 J/cm^2; 18.2 before).

Known gap (issue 10): for types II-IV the model is conservative by 1.5-2.5x against the
cryogen-cooled 585 nm and 755 nm studies and the uncooled 585 nm clinical series, and for types
V-VI against 755 nm with cryogen (Garcia et al. 2000) and 1064 nm with contact cooling (Tanzi & Alster 2004 at 30 ms; Alster et al. 2001 at
50 ms, where type IV agrees). What was measured (docs/planning.md, "What the residual is"):

* the damage criterion: necrosis through the whole living epidermis instead of the basal cell
  moves the blister fluences by 0-13 % (585 nm II 20.0 -> 22.6), any epidermal cell by -22 to -43 %;
* melanin concentrated in a thinner layer at the same optical density lowers them
  (585 nm III, half the thickness: 16.4 -> 8.5 J/cm^2); a thicker layer raises them;
* the melanosome fraction each tolerated row needs (model blister = published) corresponds to an
  epidermal absorption at 694 nm of <= 1.6 /cm (Tunnell I-IV, abdomen), <= 5.1 (Chang, cheek),
  <= 5.5 (Garcia 755 nm IV-VI), <= 5.0 (Campos 800 nm), <= 16.4 (Tanzi 1064 nm V-VI) and
  <= 14.0 /cm (Alster 1064 nm 50 ms IV-VI),
  while Tunnell's injured V-VI need >= 11.8 /cm; in vivo (Norvang et al. 1997) Caucasian and Asian
  skin has 3-12 /cm (sun-protected x0.46) and African skin ~25 /cm. With the same chain, the
  model reproduces Norvang's own pair (in-vivo absorption, ruby threshold): see
  ``test_norvang_ruby_threshold_bracketed``.

Nor does the melanin spectral shape: the sourced in-vivo shapes (Jacques 1998 lambda^-3.48,
Svaasand 1995 (694/lambda)^3.46; docs/reference/melanin_spectrum.md) differ from the model's by at
most 1.7 % at the laser lines, and the failing rows would need 0.2-0.9x its absorption there.

So the residual lies in the published rows (type labels versus pigmentation of the cohorts,
endpoints that allowed pigment change, device settings tagged U), not in a model parameter that
the in-vivo data would let us move. These rows are strict xfails so that a fix shows up.
"""

import pytest

from laserskin.optics.chromophores import mua_melanosome_per_m
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
    ("ndyag1064_50ms_contact_dark", "IV"),
    ("diode800_contact", "II"),
    ("ndyag1064_contact", "V"),
]
GAP = [
    ("pdl585_csc300_light", "II"),
    ("pdl585_csc300_light", "III"),
    ("pdl585_csc300_light", "IV"),
    ("pdl585_uncooled_asian", "III"),
    ("pdl585_uncooled_asian", "IV"),
    ("alex755_dcd_dark", "IV"),
    ("alex755_dcd_dark", "V"),
    ("alex755_dcd_dark", "VI"),
    ("diode800_contact", "III"),
    ("ndyag1064_contact", "VI"),
    ("ndyag1064_50ms_contact_dark", "V"),
    ("ndyag1064_50ms_contact_dark", "VI"),
]


#: Blister fluences of :func:`_model`, by (row, type).
_MODELS: dict[tuple[str, str], float | None] = {}


def _model(row_id: str, fitz: str) -> float | None:
    """``model_blister_fluence_J_per_cm2(ROWS[row_id], fitz)`` at its defaults (20 000 photons, seed 3), once per
    module: the skin-type trend test reads the three ndyag1064_contact types that the reproduced rows check. The
    computation is deterministic in these inputs (same transport, same heat solve), so a second call would read the
    same number."""
    if (row_id, fitz) not in _MODELS:
        _MODELS[row_id, fitz] = model_blister_fluence_J_per_cm2(ROWS[row_id], fitz)
    return _MODELS[row_id, fitz]


def _check(row_id, fitz):
    row = ROWS[row_id]
    model = _model(row_id, fitz)
    if row["kind"] == "tolerated":
        assert model is None or model >= row["fluence"] * (1 - TOLERANCE), (row["source"], fitz, model)
    else:
        assert model is not None and model <= row["fluence"] * (1 + TOLERANCE), (row["source"], fitz, model)


def test_every_published_pair_is_checked():
    """Each (row, type) pair of the data file is either reproduced or a strict xfail (QA6 #4: 8 of 21 were neither)."""
    pairs = {(row_id, fitz) for row_id, row in ROWS.items() for fitz in row["types"]}
    assert set(AGREE) | set(GAP) == pairs
    assert not set(AGREE) & set(GAP)


@pytest.mark.parametrize("row_id, fitz", AGREE)
def test_published_threshold_reproduced(row_id, fitz):
    _check(row_id, fitz)


@pytest.mark.parametrize("row_id, fitz", GAP)
@pytest.mark.xfail(
    strict=True,
    reason="published tolerances for types II-IV (and V-VI at 755 and 1064 nm) need less epidermal melanin than in-vivo data give (issue 10 gap)",
)
def test_published_threshold_known_gap(row_id, fitz):
    _check(row_id, fitz)


def test_blister_fluence_falls_with_skin_type():
    values = [_model("ndyag1064_contact", fitz) for fitz in ("I", "III", "V")]
    assert values[0] > values[1] > values[2]


NORVANG_RUBY = {
    "laser": {"wavelength": "694 nm", "pulse_duration": "3 ms", "spot_diameter": "7 mm", "profile": "flat_top"},
    "cooling": {"kind": "none"},
    "site": "forearm",
    "fluence": 12.0,
}


def test_norvang_ruby_threshold_bracketed():
    """Norvang et al. 1997 (Lasers Med Sci 12:99): ruby hypopigmentation at 12 J/cm^2 on average on
    sun-exposed white skin, whose in-vivo epidermal absorption at 694 nm they measured as 3-12 /cm.

    With melanin set to the two ends of that range the model's threshold must bracket 12 J/cm^2
    (model 17.5 at 3 /cm and 5.65 at 12 /cm with the pooled read-out, 15.6 and 5.4 per cell;
    13.3 and 4.3 per cell for a 0.5 ms pulse). The ruby pulse
    duration and spot are not in the abstract (U); tolerance as above (2 s_MC).
    """
    per_cm = mua_melanosome_per_m(694e-9) / 100.0
    light = model_blister_fluence_J_per_cm2(NORVANG_RUBY, "II", melanin_fraction=3.0 / per_cm)
    dark = model_blister_fluence_J_per_cm2(NORVANG_RUBY, "II", melanin_fraction=12.0 / per_cm)
    assert light >= 12.0 * (1 - TOLERANCE), light
    assert dark <= 12.0 * (1 + TOLERANCE), dark
