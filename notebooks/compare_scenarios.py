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
# # Why is this cap different from that one?
#
# Two scenarios of the same years side by side: MADR and every term of each, and the
# difference of MADR split among the things in which the two files differ (a Notified Value,
# a column of the year table, a reading of unclear licence text, a linked file such as the AMR
# plan) by the Shapley value: each driver gets its average effect over every order in which
# the drivers could be changed from the base to the other scenario, so that interactions are
# shared fairly and the parts add up to the whole difference.

# %% tags=["parameters"]
base = "../data/scenarios/nedc-base.yaml"  # the base scenario file
other = "../data/scenarios/nedc-alt-readings.yaml"  # the scenario compared with it
by = "key"  # "key": one driver per input; "cell": one per input and year
discount_rate = None  # e.g. 0.08 for present values at 8 % a year; None for none
readings = {}  # readings R1-R5 for both scenarios, e.g. {"loss_deadband": "every_year"}

# %%
# %matplotlib inline
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.analysis.readings import check_readings
from tariffmodel.reporting import comparison as reports

chosen = check_readings(readings, key="readings")
sc_base = tm.load_scenario(base).with_readings(**chosen)
sc_other = tm.load_scenario(other).with_readings(**chosen)
result = tm.compare(sc_base, sc_other, by=by, discount_rate=discount_rate)
display(Markdown("\n\n".join(reports.summary_lines(result))))

# %% [markdown]
# ## MADR and the terms that differ [million RO]

# %%
reports.difference_view(result).style.format("{:,.2f}")

# %% [markdown]
# ## The difference of MADR by driver [million RO]
#
# Each row is one thing that differs between the two files; the columns add up to the change
# of MADR above.

# %%
reports.attribution_view(result).style.format("{:,.2f}")

# %% [markdown]
# ## From the base to the other scenario

# %%
reports.waterfall_figure(result)
