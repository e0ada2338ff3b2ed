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
# # The loss incentive
#
# LOSS_t of paragraph 1(b) on its own: against actual losses AL_{t-1}, its band and its cap,
# under both readings of R1; the value of one percentage point of losses; the losses at which
# the cap is reached; and what the AMR programme's loss reduction does to it.

# %% tags=["parameters"]
scenario = "../data/scenarios/nedc-base.yaml"  # the scenario file
year = None  # year t of the curve (None: the first modelled year)
readings = {}  # readings R1-R5 to impose

# %%
# %matplotlib inline
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.analysis import breakeven, loss_incentive
from tariffmodel.model import amr
from tariffmodel.reporting import plots
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.formatting import markdown_text as text  # input text, never markup

sc = tm.load_scenario(scenario)
if readings:
    sc = sc.with_readings(**readings)
table = tm.project(sc)
year = sc.years[0] if year is None else int(year)
display(Markdown(f"**{text(sc.name)}**; reading R1: `{sc.readings['loss_deadband']}`"))

# %% [markdown]
# ## Each year against its band and cap

# %%
display(reports.styled(reports.loss_incentive_view(table)))

# %% [markdown]
# ## The incentive curve

# %%
curve = loss_incentive.scenario_curve(sc, year)
plots.loss_curve_figure(curve)

# %% [markdown]
# ## The value of one percentage point of losses

# %%
points = loss_incentive.value_of_loss_point(sc).set_index("year")
display(reports.styled(points, {"value_per_point": "RO", "uncapped_per_point": "RO"}))

# %% [markdown]
# ## Losses at which LOSS_t reaches its cap

# %%
display(reports.styled(breakeven.loss_breakeven(sc).set_index("year"), {"cap": "RO"}))

# %% [markdown]
# ## The AMR programme's loss reduction

# %%
plan_path = reports.amr_plan_path(sc)
if plan_path is not None:
    reduction = amr.loss_reduction(amr.load_plan(plan_path))
    effect = loss_incentive.amr_loss_effect(sc, reduction).set_index("year")
    display(reports.styled(effect, {"reduction": "fraction"}))
else:
    display(Markdown("The scenario names no AMR plan (`amr:`), so there is no loss reduction."))
