"""The curated top-level API: every exported name resolves; dir() lists exactly them."""

import laserskin


def test_every_exported_name_resolves():
    for name in laserskin.__all__:
        assert getattr(laserskin, name) is not None, name


def test_dir_lists_the_public_api():
    assert dir(laserskin) == sorted(laserskin.__all__)
    assert {"solve_bioheat", "ThermalMedium", "Schedule", "SurfaceBoundary", "RZGrid"} <= set(dir(laserskin))
    assert {"LayerStack", "OpticalLayer", "GridSpec", "InputError"} <= set(dir(laserskin))
