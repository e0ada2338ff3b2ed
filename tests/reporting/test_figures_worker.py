"""The helper process that draws the Monte Carlo figures while the main process computes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffmodel.reporting import figures_worker as _figures
from tariffmodel.reporting import plots

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def summary():
    years = [2026, 2027]
    return pd.DataFrame(
        {
            "year": years,
            "MADR_mean": [190e6, 200e6],
            "MADR_p5": [185e6, 192e6],
            "MADR_p50": [190e6, 200e6],
            "MADR_p95": [195e6, 208e6],
        }
    )


def test_the_helper_draws_the_figures(summary, tmp_path, monkeypatch):
    def not_here(jobs):
        raise AssertionError("drawn in the main process, not by the helper")

    densities = plots.histogram_densities(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]]), 4)
    with _figures.FigureWorker() as worker:
        monkeypatch.setattr(_figures, "_draw_here", not_here)
        worker.draw(
            {
                tmp_path / "fan.png": ("fan_chart", (summary,), {}),
                tmp_path / "hist.png": ("density_figure", (densities, [2026, 2027]), {}),
            }
        )
    for name in ("fan.png", "hist.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG)


def test_a_helper_that_died_leaves_the_drawing_to_the_main_process(summary, tmp_path):
    with _figures.FigureWorker() as worker:
        worker._proc.kill()
        worker._proc.wait()
        worker.draw({tmp_path / "fan.png": ("fan_chart", (summary,), {})})
    assert (tmp_path / "fan.png").read_bytes().startswith(PNG)


def test_a_helper_that_cannot_start_leaves_the_drawing_to_the_main_process(
    summary, tmp_path, monkeypatch
):
    monkeypatch.setattr(_figures.sys, "executable", str(tmp_path / "no-such-python"))
    with _figures.FigureWorker() as worker:
        assert worker._proc is None
        worker.draw({tmp_path / "fan.png": ("fan_chart", (summary,), {})})
    assert (tmp_path / "fan.png").read_bytes().startswith(PNG)


def test_a_figure_error_is_the_plotting_functions_own(tmp_path):
    with _figures.FigureWorker() as worker, pytest.raises(KeyError, match="MADR_p5"):
        worker.draw({tmp_path / "fan.png": ("fan_chart", (pd.DataFrame({"year": [2026]}),), {})})


def test_a_helper_with_nothing_to_draw_exits_cleanly():
    worker = _figures.FigureWorker()
    proc = worker._proc
    worker.close()
    assert proc.returncode == 0 and worker._proc is None


def test_histogram_densities_are_numpys():
    x = np.random.default_rng(1).normal(size=(1000, 2))
    for j, (density, edges) in enumerate(plots.histogram_densities(x, 30)):
        want, want_edges = np.histogram(x[:, j], bins=30, density=True)
        assert np.array_equal(density, want) and np.array_equal(edges, want_edges)
