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
# # Price-control review of one scenario
#
# The Maximum Allowed Distribution Revenue (MADR) of Schedule 2 of NEDC's Distribution Licence
# for one scenario: its inputs, the build-up of MADR from DB each year, every term, the loss
# incentive against its band and cap, AMR cost recovery, the correction K and the compliance tests
# of paragraphs 3-5, the readings R1-R5 side by side and, when draws are asked for, the
# uncertainty. Every figure comes from the `tariffmodel` package; this notebook only shows them.
#
# Run it for many scenarios at once with `tariffmodel batch SCENARIO... --out DIR`.

# %% tags=["parameters"]
scenario = "../data/scenarios/nedc-base.yaml"  # the scenario file
output_dir = None  # a folder for madr.csv and results.json; None writes nothing
readings = {}  # readings R1-R5 to impose, e.g. {"loss_deadband": "every_year"}
draws = None  # a draws file of uncertain inputs (tariffmodel.analysis.montecarlo); None: no uncertainty
n_draws = 1000  # number of Monte Carlo draws
seed = 20260101  # random seed of the draws
explain_year = None  # a year to explain number by number; None: the first modelled year
explain_term = None  # one term to explain, e.g. "LOSS" or "K"; None: MADR and all its terms
calendar_effective_date = None  # cyber regulation's Effective Date, e.g. "2026-07-01"; None: left out

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import Markdown, display

import tariffmodel as tm
from tariffmodel.analysis import loss_incentive, montecarlo
from tariffmodel.analysis import readings as readings_compare
from tariffmodel.reporting import plots
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.formatting import markdown_text as text  # input text, never markup

pd.options.display.max_columns = 40
sc = tm.load_scenario(scenario)
if readings:
    sc = sc.with_readings(**readings)
table = reports.write_scenario_outputs(sc, output_dir) if output_dir else tm.project(sc)
display(Markdown(f"**{text(sc.name)}**, {sc.years[0]}-{sc.years[-1]}"))

# %% [markdown]
# ## Inputs at a glance

# %%
glance = reports.inputs_at_a_glance(sc)
display(glance["overview"].to_frame())
display(Markdown("Notified Values"), reports.styled_values(glance["notified"]))
display(
    Markdown("Year table: fields down, years across (the first year is history)"),
    reports.styled_values(reports.year_table(glance["inputs"])),
)

# %% [markdown]
# ## MADR build-up, from DB to MADR
#
# Green adds to the cap, red takes away; K (the correction for the year before) enters with a
# minus sign. Terms that are zero in a year are left out of its chart.

# %%
reports.plot_madr_waterfall(table)

# %%
display(reports.styled(reports.buildup_table(table), unit="RO"))

# %% [markdown]
# ## The terms, year by year

# %%
display(reports.styled_terms(reports.format_term_table(reports.term_table(table))))

# %% [markdown]
# ## Loss incentive against its band and cap
#
# LOSS_t rewards actual losses below target and penalises losses above it, by the base loss
# BL_t, held within plus or minus the cap (a share of DB_t). D_t says whether the dead band
# applies (reading R1).

# %%
display(reports.styled(reports.loss_incentive_view(table)))
plots.loss_curve_figure(loss_incentive.scenario_curve(sc, sc.years[0]))

# %% [markdown]
# ## AMR cost recovery

# %%
amr = reports.amr_view(sc, table)
display(Markdown(f"AMR_t comes from {text(amr['source'])}."), reports.styled(amr["by_year"]))
if "plan" in amr:
    display(Markdown("The AMR plan's building block"), reports.styled(amr["plan"]))
    display(amr["summary_text"])

# %% [markdown]
# ## K and the compliance tests of paragraphs 3-5

# %%
display(Markdown("\n\n".join(reports.compliance_in_words(table))))

# %% [markdown]
# ## Readings R1-R8 side by side
#
# MADR under the readings of unclear licence text: every combination of switches that changes
# anything, against the readings this scenario uses.

# %%
compared = readings_compare.compare(sc)
display(
    Markdown("MADR [m RO]"),
    reports.styled(readings_compare.pivot(compared, "MADR"), unit="RO"),
)
display(
    Markdown("Change of MADR against this scenario's readings [m RO]"),
    reports.styled(readings_compare.pivot(compared, "MADR_change"), unit="RO"),
)

# %% [markdown]
# ## Uncertainty

# %%
if draws:
    display(Markdown(f"{n_draws} draws of the inputs in {text(draws)}, seed {seed}"))
    mc = montecarlo.monte_carlo(sc, draws, n=n_draws, seed=seed)
    display(reports.styled(reports.uncertainty_view(mc)))
    display(plots.fan_chart(mc.summary))
else:
    display(Markdown("No draws file given (parameter `draws`): uncertainty left out."))

# %% [markdown]
# ## Calendar of obligations
#
# What the licence asks the Licensee to send, and when, over the scenario's years and up to the
# statements of its last year, with the model output that feeds each; the obligations of the
# draft metering cyber security regulation count from the Effective Date chosen in the parameter
# `calendar_effective_date` (the Authority has not fixed it). Obligations that follow an event
# (a change of charges, the fee notice, an audit report) are listed "on event" with their rule.

# %%
calendar = tm.calendar(
    sc,
    start=f"{sc.years[0]}-01-01",
    end=f"{sc.years[-1] + 1}-06-30",
    effective_date=calendar_effective_date,
)
columns = ["date", "obligation", "period", "source", "model_output", "status"]
display(
    calendar.table[columns]
    .fillna("on event")
    .style.format(escape="html")  # text as text, never markup
    .hide(axis="index")
    .set_properties(**{"text-align": "left"})
    .set_properties(subset=["date"], **{"white-space": "nowrap"})
    .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
)
display(Markdown("\n".join(f"- {text(note)}" for note in calendar.notes)))
if calendar.agreement is not None:
    display(calendar.agreement[["line", "obligation", "agree"]].style.hide(axis="index"))

# %% [markdown]
# ## Every number explained
#
# The hand calculation of one year (parameters `explain_year`, `explain_term`): for each term of
# MADR, the licence paragraph, the formula as the licence writes it, the same formula with this
# scenario's numbers in and the result, down to the inputs, each with where its value comes from
# and the reading that decided it. The numbers are those of the tables above (the same engine
# run); `tariffmodel explain` prints the same from the command line.

# %%
from tariffmodel.reporting.explain import to_markdown

explained = tm.explain(sc, year=explain_year or sc.years[0], term=explain_term)
display(Markdown(to_markdown(explained, level=3)))
