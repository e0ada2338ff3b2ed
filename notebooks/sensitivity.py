# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (tariffmodel)
#     language: python
#     name: python3
# ---

# %%
# ruff: noqa: E402

# %% [markdown]
# # Sensitivity of MADR
#
# What drives MADR: one-way ranges (tornado), a two-way grid, Monte Carlo over uncertain
# inputs, and global sensitivity (Sobol indices, Morris screening). Every method evaluates all
# of its variants in one call of the vectorised engine.

# %% tags=["parameters"]
scenario = "../data/scenarios/nedc-base.yaml"  # the scenario file
# Uncertain inputs (the draws-file syntax of tariffmodel.analysis.montecarlo, or the path of a draws
# file). ILLUSTRATIVE ranges chosen for this notebook, not published figures.
draws = {
    "draws": {
        "inputs.CPI": {"dist": "norm", "loc": 0.012, "scale": 0.004},
        "notified.X": {"dist": "uniform", "loc": 0.010, "scale": 0.010},
        "inputs.recovery": {"dist": "uniform", "loc": 0.95, "scale": 0.10},
        "notified.TL": {"dist": "uniform", "loc": 0.070, "scale": 0.010},
    }
}
n_draws = 2000  # Monte Carlo draws
sobol_samples = 256  # Sobol base samples (a power of 2)
morris_trajectories = 20
grid_x = ("notified.X", [0.0, 0.01, 0.02, 0.03])  # two-way grid: target and values
grid_y = ("inputs.CPI", [0.0, 0.01, 0.02, 0.03])
seed = 20260101

# %%
# %matplotlib inline
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.analysis import montecarlo, sensitivity
from tariffmodel.reporting import plots
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.formatting import markdown_text as text  # input text, never markup

sc = tm.load_scenario(scenario)
# a mapping or the path of a draws file, read and checked against the scenario once
spec = montecarlo.as_spec(draws, sc)
display(Markdown(f"**{text(sc.name)}**; uncertain inputs: {text(', '.join(spec.targets))}"))

# %% [markdown]
# ## One way: tornado over the 5th-95th percentile of each input

# %%
ranges = sensitivity.ranges_from_draws(spec, scenario=sc)
torn = sensitivity.tornado(sc, ranges)
plots.tornado_figure(torn)

# %% [markdown]
# ## Two ways: a grid

# %%
g = sensitivity.grid(sc, grid_x[0], grid_x[1], grid_y[0], grid_y[1])
plots.heatmap_figure(g)

# %% [markdown]
# ## Monte Carlo

# %%
mc = montecarlo.monte_carlo(sc, spec, n=n_draws, seed=seed)
display(reports.styled(reports.uncertainty_view(mc)))
plots.fan_chart(mc.summary)

# %% [markdown]
# ## Global sensitivity: Sobol indices and Morris screening

# %%
sob = sensitivity.sobol(sc, spec, base_samples=sobol_samples, seed=seed)
plots.sobol_figure(sob)

# %%
mor = sensitivity.morris(sc, spec, trajectories=morris_trajectories, seed=seed)
plots.morris_figure(mor)
