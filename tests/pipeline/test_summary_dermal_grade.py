"""``laserskin simulate`` reports the dermal burn grade (QA5 finding 26): ``dermal_injury_fraction`` and
``dermal_injury`` in the JSON summary and a row of the text table.

Case: the cooltouch_1320 preset at the top of its fluence range, 20 J/cm² (three 50 ms pulses stacked at 2 Hz,
its cryogen cooling), 52 F type III cheek. Measured at 20 000 photons, seeds 1-3: Henriques Ω ≥ 1 from the
junction to the dermis bottom, [59.9, 1610] µm (the whole dermis), epidermal Ω 1.6-2.6 "blister", peak dermis
77 °C: a full-thickness dermal burn that the epidermal grade alone called "blister". The band is the whole dermis
with Ω far above 1, so 5000 photons decide it (the grade changes only if the band loses a quarter of the dermis).
"""

from __future__ import annotations

import json
import subprocess
import sys

from laserskin.damage.injury import DERMAL_GRADES

SCENARIO = """
[person]
age = 52
sex = "female"
fitzpatrick = "III"
site = "cheek"
sun_exposure = 2
laxity = 2

[laser]
device = "cooltouch_1320"
fluence = "20 J/cm^2"
"""


def test_simulate_reports_a_full_thickness_dermal_burn(tmp_path):
    from rich.console import Console

    from laserskin.cli.simulate import summary_table

    path = tmp_path / "cooltouch_top.toml"
    path.write_text(SCENARIO)
    out = subprocess.run(
        [sys.executable, "-m", "laserskin", "simulate", str(path), "--photons", "5000", "--seed", "1", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    top, bottom = summary["dermal_injury_depth_um"]
    assert summary["dermal_injury_fraction"] >= 0.75, summary["dermal_injury_depth_um"]
    assert summary["dermal_injury"] == "full thickness" and summary["dermal_injury"] in DERMAL_GRADES
    assert bottom - top >= 0.75 * (1610.1 - 59.9)  # the dermis of this person (laserskin optics)
    console = Console(record=True, width=200)
    console.print(summary_table({"run": summary}, "summary"))
    text = console.export_text()
    assert "dermal injury (≥ 75 % of the dermis: full thickness)" in text and "full thickness" in text
    assert "dermal injury (Henriques Ω ≥ 1) depth range" in text
