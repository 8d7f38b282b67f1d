"""Hostile sweep files (issue 11): whatever the tables hold, loading a sweep either succeeds or
raises one InputError; never another exception, never a hang on an absurd size."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laserskin.core.errors import InputError
from laserskin.sweep import sweep_from_dict

BASE = {
    "person": {"age": 50, "sex": "female", "fitzpatrick": "III", "site": "cheek"},
    "laser": {"device": "genesis_1064"},
}
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["10 J/cm^2", "1e400 J/cm^2", "nan J/cm^2", "-3 J/cm^2", "II", "cheek", "1 ns"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
keys = st.sampled_from(
    ["laser.fluence", "cooling", "person.age", "heat.relaxation", "transport.photons", "x..y", "", "laser", "grid.nr"]
)
tables = st.fixed_dictionaries(
    {},
    optional={
        "sweep": st.dictionaries(
            st.sampled_from(["name", "seed", "case", "seed_per", "save_fields", "bogus"]), values, max_size=3
        ),
        "axes": st.dictionaries(keys, st.one_of(st.lists(values, max_size=4), values), max_size=3),
        "population": st.dictionaries(
            st.sampled_from(["n", "seed", "age", "sex", "fitzpatrick", "site", "laxity"]),
            st.one_of(values, st.integers(min_value=-5, max_value=10**9)),
            max_size=4,
        ),
        "cluster": st.dictionaries(
            st.sampled_from(["address", "workers", "connect_timeout_s", "kind"]), values, max_size=2
        ),
    },
)


# Dask's threads left by the cluster tests of this process touch the global `random` state while
# hypothesis draws, which hypothesis reports as if this strategy used `random`: not this test's doing.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_any_sweep_table_is_accepted_or_refused_with_one_input_error(data):
    data = {**data, "base": BASE}
    try:
        spec = sweep_from_dict(data)
    except InputError as error:
        assert str(error).strip()
        return
    assert spec.n_cases >= 1 and math.prod(spec.shape or (1,)) == spec.n_cases
