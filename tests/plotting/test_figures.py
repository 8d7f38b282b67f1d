"""Figures drawn one way: overview (``Result.plot``), comparison, single panels, movies; saved atomically."""

import shutil

import numpy as np
import pytest

from laserskin.core.errors import InputError
from laserskin.plotting import (
    SIMULATION_FIGURES,
    close,
    plot_comparison,
    plot_result,
    plot_simulation,
    save_figure,
    write_temperature_movie,
)
from laserskin.plotting.movie import movie_writer_available


def labels(figure) -> str:
    return " | ".join(text for ax in figure.axes for text in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) if text)


def test_overview_has_four_panels_with_units_and_a_headline(result):
    figure = plot_result(result)
    try:
        panels = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
        assert len(panels) == 4
        text = labels(figure)
        for unit in ("(°C)", "(mm)", "(ms)", "(1)"):
            assert unit in text
        assert "71.2 °C" in figure._suptitle.get_text()
    finally:
        close(figure)


def test_overview_takes_a_dataset_too(make_dataset):
    close(plot_result(make_dataset(), title="custom"))


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_saved_by_extension_atomically(tmp_path, result, suffix, magic):
    path = tmp_path / f"overview{suffix}"
    close(plot_result(result, path))
    assert path.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left


def test_comparison_labels_every_result(tmp_path, make_result, make_dataset):
    results = {"gentle": make_result(), "strong": make_result()}
    results["strong"].dataset["peak_temperature"] += 10.0
    figure = plot_comparison(results, tmp_path / "c.png")
    try:
        legend = [t.get_text() for ax in figure.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        assert {"gentle", "strong"} <= set(legend)
        lines = figure.axes[0].get_lines()
        assert lines[1].get_ydata().max() == pytest.approx(lines[0].get_ydata().max() + 10.0)
    finally:
        close(figure)
    assert (tmp_path / "c.png").exists()
    close(plot_comparison([make_result(), make_dataset()]))  # a sequence: labelled 1, 2
    with pytest.raises(InputError, match="results"):
        plot_comparison({})


def test_simulation_figures_are_the_ones_announced(tmp_path, result):
    paths = plot_simulation(result, tmp_path, prefix="x_")
    assert [p.name for p in paths] == [f"x_{name}.png" for name in SIMULATION_FIGURES]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_gif_movie_of_stored_maps(tmp_path, result_with_maps):
    from PIL import Image

    path = write_temperature_movie(result_with_maps, tmp_path / "t.gif", fps=5)
    with Image.open(path) as movie:
        assert movie.n_frames == 5  # one frame per stored time
    assert [p.name for p in tmp_path.iterdir()] == ["t.gif"]


def test_gif_movie_on_the_axis_without_stored_maps(tmp_path, result):
    from PIL import Image

    path = write_temperature_movie(result, tmp_path / "axis.gif", max_frames=6)
    with Image.open(path) as movie:
        assert movie.n_frames == 6  # 12 solver times sub-sampled to 6


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_mp4_movie(tmp_path, result_with_maps):
    path = write_temperature_movie(result_with_maps, tmp_path / "t.mp4")
    assert path.stat().st_size > 0 and b"ftyp" in path.read_bytes()[:64]


def test_movie_errors_name_the_field(tmp_path, result):
    with pytest.raises(InputError, match="path"):
        write_temperature_movie(result, tmp_path / "t.avi")
    with pytest.raises(InputError, match="fps"):
        write_temperature_movie(result, tmp_path / "t.gif", fps=float("nan"))
    if not movie_writer_available(".mp4"):
        with pytest.raises(InputError, match="ffmpeg"):
            write_temperature_movie(result, tmp_path / "t.mp4")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_to_a_buffer_free_path(tmp_path):
    from laserskin.plotting import new_figure

    figure, ax = new_figure()
    ax.plot(np.arange(3))
    save_figure(figure, tmp_path / "sub" / "f.png")  # missing folders are created
    close(figure)
    assert (tmp_path / "sub" / "f.png").exists()


def test_figure_bytes_for_pages_and_reports(result):
    from laserskin.plotting import figure_png, figure_svg, plot_temperature_map, pyplot

    open_before = set(pyplot().get_fignums())
    assert figure_png(plot_temperature_map(result)).startswith(b"\x89PNG")
    assert b"<svg" in figure_svg(plot_temperature_map(result))[:500]
    assert set(pyplot().get_fignums()) == open_before  # both closed


def test_a_result_without_temperature_history(tmp_path, make_dataset):
    """The non-linear (ablative) model stores peak and final fields and the nociceptor trace only."""
    dataset = make_dataset().drop_vars(["axis_temperature"])
    paths = plot_simulation(dataset, tmp_path)
    assert all(p.exists() for p in paths)
    close(plot_result(dataset))
    close(plot_comparison({"ablative": dataset, "other": make_dataset()}))
    bare = dataset.drop_vars(["nociceptor_temperature"])
    close(plot_result(bare))
    with pytest.raises(InputError, match="temperature history"):
        write_temperature_movie(bare, tmp_path / "t.gif")


def test_a_one_column_result_is_drawn_as_a_depth_profile(make_dataset):
    from laserskin.plotting import plot_temperature_map

    figure = plot_temperature_map(make_dataset(nr=1))
    try:
        assert "one-dimensional" in figure.axes[0].get_title()
        assert figure.axes[0].get_xlabel() == "depth z (mm)"
    finally:
        close(figure)
