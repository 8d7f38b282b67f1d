"""Monte Carlo light transport in a multilayer slab, MCML-equivalent, compiled with numba.

The physics follows MCML (Wang, Jacques & Zheng, "MCML — Monte Carlo modeling of
light transport in multi-layered tissues", Comput Methods Programs Biomed 47:131–146,
1995) step for step:

* photon packets enter at normal incidence; the specular reflection
  ``((n_above − n₁)/(n_above + n₁))²`` is removed from the launch weight;
* dimensionless step ``−ln ξ`` spent across layers (the unspent part ``sleft`` is
  carried over an interface, as in MCML's ``StepSizeInTissue``/``HitBoundary``);
* at every interface the packet is reflected or transmitted as a whole with the
  unpolarised Fresnel probability (MCML's default, ``PARTIALREFLECTION 0``), with
  Snell refraction and total internal reflection;
* at an interaction the fraction ``μa/μt`` of the weight is absorbed and tallied
  ("implicit capture"), then the packet scatters with the Henyey–Greenstein phase
  function (Henyey & Greenstein 1941) and a uniform azimuth;
* Russian roulette below weight ``1e-4`` with survival chance ``0.1`` (survivors'
  weight divided by 0.1), after every step.

Differences from MCML, none of which changes expectations:

* random numbers come from xoshiro256** (Blackman & Vigna 2021), one independent
  stream per batch seeded from ``numpy.random.SeedSequence(seed, spawn_key=(batch,))``;
* absorption beyond the grid (``r ≥ r_max`` or ``z ≥ z_max``) and reflectance or
  transmittance beyond ``r_max`` are tallied separately instead of being added to
  the outermost cells; absorption per layer is tallied exactly, independent of the grid;
* the depth grid may be non-uniform (bins found through an integer look-up table);
* fluence is tallied with the collision estimator ``Σ w/μt`` (weight before the
  absorption step), which equals MCML's ``A/μa`` in every cell inside one layer and
  stays correct in cells that straddle an interface or in layers with ``μa = 0``;
* the azimuth's cosine and sine come from a point drawn uniformly in the unit disc
  (von Neumann 1951 rejection), not from ``cos``/``sin`` of a drawn angle: the same
  distribution, cheaper, and it consumes on average 2.55 random numbers instead of one;
* a random number for the Fresnel test is drawn only when ``0 < R < 1``;
* a transparent first layer (``μa = μs = 0``) is not special-cased: reflections at
  its lower face are counted in the diffuse reflectance, not in the specular one;
* Russian roulette does not conserve energy packet by packet (only on average): the
  weight it adds or removes is tallied as ``roulette_balance`` so that
  ``specular + Rd + Tt + A − roulette_balance = 1`` holds to rounding.

Results are bit-identical for a given ``seed`` and photon count, whatever the number
of threads: the photons are split into a fixed number of batches, each with its own
random stream and its own tally arrays, reduced in batch order.
"""

from __future__ import annotations

from laserskin.transport.driver import (  # noqa: F401
    KERNEL_VERSION,
    MAX_PHOTONS,
    MAX_WAVE,
    WAVE_MEMORY_BYTES,
    _check_inputs,
    _kernel_inputs,
    _run,
    _warm_up,
    _wave_size,
    simulate_transport,
)
from laserskin.transport.kernel import (  # noqa: F401
    ROULETTE_CHANCE,
    WEIGHT_THRESHOLD,
    _fresnel,
    _launch_radius,
    _reduce_wave,
    _run_batch,
    _run_wave,
    _z_bin,
    sample_launch_radii,
)
from laserskin.transport.rng import batch_state, xoshiro_uniforms  # noqa: F401
from laserskin.transport.statistics import MIN_BATCHES, PHOTONS_PER_BATCH, _ratio_stderr, batch_sizes  # noqa: F401
