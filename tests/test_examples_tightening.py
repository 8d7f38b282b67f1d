"""The shipped tightening examples show tightening, not a burn (QA5 #26).

``examples/tightening_1320.toml`` once set its own cryogen table without the preset's 30 ms post-spurt
while the cooltouch_1320 preset stacks three pulses at 2 Hz: the example then blistered (Ω 23.8, the
whole living epidermis necrotic at 200 000 photons). The examples are the first thing a user runs, so each
non-ablative tightening example must leave the epidermis uninjured and heat a dermal band. Photons: 20 000
(the pooled epidermal read-out, ≥ 1000 photons per ring, decides the grade; the example's own 200 000 are
for its figures). Measured: 1320 nm Ω 0.004, band [328, 1397] µm; 1450 nm Ω 0.06.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["tightening_1320.toml", "tightening_1450.toml"])
def test_tightening_example_spares_the_epidermis(name):
    out = subprocess.run(
        [sys.executable, "-m", "laserskin", "simulate", str(EXAMPLES / name), "--photons", "20000", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["epidermal_injury"] == "none", (name, summary["epidermal_omega"])
    assert summary["epidermal_omega"] < 1.0
    assert summary["peak_dermis_temperature_C"] > 55.0  # the dermis is heated: a tightening, not a sham
