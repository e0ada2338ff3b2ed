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
# The folder of scenario files offered (None: $TARIFFMODEL_SCENARIOS, else data/scenarios)
# and the file to start from (the first of the folder when it is not there).
scenarios_dir = None
scenario = "nedc-base.yaml"

# %%
from tariffmodel.dashboards.madr import MadrDashboard  # noqa: E402

MadrDashboard(scenarios_dir, scenario).show()
