"""Cooling timing around the first pulse (QA11 F-D): one source of truth for the lead time.

The pipeline places the first pulse at ``Cooling.lead_time_s`` and every kind starts its earliest phase at
``pulse_start - lead_time_s``, one floating-point subtraction: a pulse at the lead has its cooling begin at exactly
t = 0, whatever the durations. Before, a cryogen spurt began at ``(start - delay) - spurt`` while the lead was
``delay + spurt``; the two round differently, and clinical timings such as spurt/delay 20/10, 10/20 or 40/20 ms
were refused with ``pulse_start_s: got 0.03; expected >= 0.03 s`` (others began their spurt an ulp after t = 0).
"""

import pytest
from typer.testing import CliRunner

from laserskin.cli import app
from laserskin.core.errors import InputError
from laserskin.pipeline.stages import pulse_schedule
from laserskin.thermal import ColdAirCooling, ContactCooling, Cooling, CryogenCooling, NoCooling
from laserskin.treatment.laser import Laser
from laserskin.treatment.protocol import Protocol

#: The QA11 scenario's laser (1450 nm, one 200 ms pulse) and a train of three 50 ms pulses at 3 Hz.
SINGLE = Laser(wavelength="1450 nm", fluence="12 J/cm^2", pulse_duration="200 ms", spot_diameter="6 mm")
TRAIN = Laser(
    wavelength="1450 nm",
    fluence="6 J/cm^2",
    pulse_duration="50 ms",
    spot_diameter="6 mm",
    pulses=3,
    repetition_rate="3 Hz",
)
#: Clinical cryogen timings and past them (Anvari et al. 1995: spurts 20-100 ms; delays 0-60 ms, DCD / CoolTouch).
SPURTS_MS = range(10, 101, 10)
DELAYS_MS = range(0, 51, 10)
#: DCD-style variants: post-pulse spurt (CoolTouch 30 ms), residual film, spray during the pulse.
CRYOGEN_VARIANTS = [
    {},
    {"post_spurt": "30 ms"},
    {"film_residence": "250 ms"},
    {"parallel": True},
]


def _schedule(laser: Laser, protocol: Protocol, cooling: Cooling):
    """The pipeline's pulse times (first at the lead) and the cooling's h(t) around them: no Monte Carlo."""
    starts, ends, _ = pulse_schedule(laser, protocol, cooling)
    h, _ = cooling.surface_schedule(starts, ends, float(ends.max()) + 1.0)
    return starts, h


@pytest.mark.parametrize("variant", CRYOGEN_VARIANTS, ids=lambda v: ",".join(v) or "spurt")
@pytest.mark.parametrize(
    "laser, protocol",
    [(SINGLE, Protocol()), (TRAIN, Protocol(passes=2, pass_interval="2 s"))],
    ids=["single pulse", "3 Hz train, 2 passes"],
)
def test_every_spurt_and_delay_runs_and_the_spurt_starts_at_zero(laser, protocol, variant):
    refused, late = [], []
    for spurt in SPURTS_MS:
        for delay in DELAYS_MS:
            cooling = CryogenCooling(spurt_duration=f"{spurt} ms", delay=f"{delay} ms", **variant)
            try:
                starts, h = _schedule(laser, protocol, cooling)
            except InputError as error:
                refused.append((spurt, delay, str(error)))
                continue
            assert starts[0] == cooling.lead_time_s
            if h.value_at(0.0) != cooling.h_W_per_m2K:  # the spurt is on from t = 0, not an ulp later
                late.append((spurt, delay))
    assert not refused, refused
    assert not late, late


@pytest.mark.parametrize("kind", [ContactCooling, ColdAirCooling])
@pytest.mark.parametrize("parallel", [True, False])
def test_contact_and_cold_air_precooling_runs_for_any_precool(kind, parallel):
    refused = []
    for precool_ms in range(50, 3001, 50):
        cooling = kind(precool=f"{precool_ms} ms", parallel=parallel)
        for laser, protocol in ((SINGLE, Protocol()), (TRAIN, Protocol(passes=2, pass_interval="5 s"))):
            try:
                _, h = _schedule(laser, protocol, cooling)
            except InputError as error:
                refused.append((precool_ms, str(error)))
                continue
            assert h.value_at(0.0) == cooling.h_W_per_m2K
    assert not refused, refused


@pytest.mark.parametrize(
    "cooling",
    [
        NoCooling(),
        ContactCooling(parallel=False, precool="0.7 s", postcool="0.3 s"),
        ColdAirCooling(precool="1.3 s"),
        *(
            CryogenCooling(spurt_duration=f"{s} ms", delay=f"{d} ms", **v)
            for s in (20, 40)
            for d in (10, 20)
            for v in CRYOGEN_VARIANTS
        ),
    ],
    ids=lambda c: c.kind,
)
def test_the_earliest_phase_starts_at_pulse_start_minus_the_lead(cooling):
    """The invariant the pipeline relies on, for every kind: at a pulse placed at the lead, cooling begins at 0."""
    lead = cooling.lead_time_s
    assert lead == max([0.0] + [-a for a, b, _, _ in cooling.phases(0.0, 0.0) if b > a])
    for start in (lead, lead + 1.0 / 3.0, lead + 7.1):
        phases = [(a, b) for a, b, _, _ in cooling.phases(start, start + 0.05) if b > a]
        assert min([a for a, _ in phases], default=start - lead) == start - lead
    assert min([a for a, b, _, _ in cooling.phases(lead, lead + 0.05) if b > a], default=0.0) == 0.0


def test_a_pulse_before_the_lead_is_refused_with_its_time_and_unit():
    """Only a direct caller of surface_schedule can do this (the pipeline starts at the lead): the message names
    the argument, its value with the unit, and the lead."""
    cooling = CryogenCooling(spurt_duration="20 ms", delay="10 ms")
    with pytest.raises(InputError, match=r"^pulse_start_s: got 0\.02 s; expected >= 0\.03 s"):
        cooling.surface_schedule(0.02, 0.22, 1.0)


def test_simulate_runs_the_qa11_cryogen_20_10_scenario(tmp_path):
    """QA11 F-D end to end: spurt 20 ms, delay 10 ms exited 2 with ``pulse_start_s: got 0.03; expected >= 0.03 s``."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[person]\nage = 52\nsex = "female"\nfitzpatrick = "III"\nsite = "cheek"\n'
        '[laser]\nwavelength = "1450 nm"\nfluence = "12 J/cm^2"\npulse_duration = "200 ms"\nspot_diameter = "6 mm"\n'
        '[cooling]\nkind = "cryogen"\nspurt_duration = "20 ms"\ndelay = "10 ms"\n'
    )
    result = CliRunner().invoke(app, ["simulate", str(path), "--photons", "1000", "--json"])
    assert result.exit_code == 0, result.output
    assert "pulse_start_s" not in result.output
