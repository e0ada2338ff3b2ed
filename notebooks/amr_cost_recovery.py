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
# # AMR cost recovery
#
# The smart-metering (AMR) building block of AMR_t: capex by asset class, the Regulatory Asset
# Value rolled forward, depreciation, return and allowed opex, the allowance under each
# convention the model offers, the summary figures (NPVs, levelised cost per meter, payback),
# and what the allowance is in the cap of a scenario.

# %% tags=["parameters"]
plan = "../data/amr/nedc-amr-plan.yaml"  # the AMR plan file
convention = None  # None: the plan's own convention
scenario = "../data/scenarios/nedc-base.yaml"  # a scenario whose AMR_t is shown in the cap

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.model import amr
from tariffmodel.reporting import plots
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.formatting import markdown_text as text  # input text, never markup

p = amr.load_plan(plan)
block = amr.table(p, convention=convention)
meters, wacc = tm.format_value(p.total_meters, "meters"), tm.format_value(p.wacc, "fraction")
display(Markdown(f"**{text(p.name)}**: {meters}, WACC {wacc}"))

# %% [markdown]
# ## Where the roll-out stands at the start (opening position)
#
# Meters installed before the plan's first year, by vintage, each with its status and source,
# and where their capital is recovered (`recovered_in`): `elsewhere` adds none of it to AMR_t,
# `amr` recovers each vintage's opening RAV once, over the rest of its life (docs/amr.md).

# %%
if p.opening is None:
    display(Markdown("The plan has no opening position: every meter is installed by the plan."))
else:
    opening = pd.DataFrame(
        [
            {"vintage": v.year, "meters": v.meters, "rav [RO]": v.rav, "status": v.status,
             "source": v.source}
            for v in p.opening.vintages
        ]
    ).set_index("vintage")
    display(opening)
    display(Markdown(
        f"Opening meters: {tm.format_value(p.opening_meters, 'meters')}; installed by the plan: "
        f"{meters}. Capital recovered: **{p.opening.recovered_in}**"
        + (f" ({text(p.opening.why)})" if p.opening.why else "") + "."
    ))

# %% [markdown]
# ## The building block by year

# %%
cols = ["year", "capex", "opening_rav", "depreciation", "return", "closing_rav", "opex", "AMR"]
display(reports.styled(block[cols].set_index("year"), unit="RO"))

# %% [markdown]
# ## Summary figures

# %%
display(reports.amr_summary_table(amr.summary(p, convention=convention)))

# %% [markdown]
# ## The allowance under each convention

# %%
by_convention = pd.DataFrame({c: amr.allowance(p, convention=c) for c in amr.CONVENTIONS})
display(reports.styled(by_convention, unit="RO"))
plots.amr_allowance_figure(by_convention)

# %% [markdown]
# ## AMR_t in the cap of the scenario

# %%
sc = tm.load_scenario(scenario)
view = reports.amr_view(sc, tm.project(sc))
display(Markdown(f"AMR_t of the scenario comes from {text(view['source'])}."))
display(reports.styled(view["by_year"]))
