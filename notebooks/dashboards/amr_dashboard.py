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

# %% tags=["parameters"]
# The folder of AMR plan files offered (None: $TARIFFMODEL_AMR_PLANS, else data/amr) and the
# plan to start from (the first of the folder when it is not there).
plans_dir = None
plan = "nedc-amr-plan.yaml"

# %%
from tariffmodel.dashboards.amr import AmrDashboard  # noqa: E402

AmrDashboard(plans_dir, plan).show()
