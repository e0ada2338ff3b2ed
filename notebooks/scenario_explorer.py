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
# # Scenario explorer
#
# Change a Notified Value, a forecast or a reading of the licence text and see every term of
# MADR move. Edits are scalar values on the targets of the engine (`tm.targets(sc)` lists them):
# `inputs.COL@YEAR` for one year of the year table, `notified.KEY` or `notified.KEY@YEAR` for a
# Notified Value.

# %% tags=["parameters"]
scenario = "../data/scenarios/nedc-base.yaml"  # the scenario file
edits = {"notified.X": 0.025, "inputs.CA@2027": 1_400_000}  # target -> new value
readings = {}  # readings R1-R5 to impose on the edited scenario
terms = ["DB", "LOSS", "CS", "CC", "AMR", "K", "MADR"]  # terms shown in the comparison

# %%
# %matplotlib inline
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.formatting import markdown_text as text  # input text, never markup

base = tm.load_scenario(scenario)
edited = base.with_values(edits) if edits else base
if readings:
    edited = edited.with_readings(**readings)
before, after = tm.project(base), tm.project(edited)
display(Markdown(f"**{text(base.name)}**; edits: `{edits}`; readings imposed: `{readings}`"))

# %% [markdown]
# ## What can be edited

# %%
display(Markdown(", ".join(f"`{t}`" for t in tm.targets(base) if "@" not in t)))

# %% [markdown]
# ## Every term, before and after

# %%
display(reports.styled(reports.before_after(before, after, terms), unit="RO"))

# %% [markdown]
# ## The edited scenario, DB to MADR

# %%
reports.plot_madr_waterfall(after)

# %%
display(reports.styled_terms(reports.format_term_table(reports.term_table(after))))

# %% [markdown]
# ## Compliance of the edited scenario

# %%
display(Markdown("\n\n".join(reports.compliance_in_words(after))))

# %% [markdown]
# ## The scenario against the published record
#
# Customers, units sold and losses published for NEDC's predecessors (Muscat, Majan, Mazoon), the
# Main Interconnected System and NEDC itself (`data/history/predecessors.csv`, each figure with
# its source), and where the scenario's figures stand: customer accounts of its first modelled
# year, units sold (RUD) and losses of its history row.

# %%
history = tm.load_history("../data/history/predecessors.csv")
tm.history_figure(history, base)
