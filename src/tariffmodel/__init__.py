"""tariffmodel: the Maximum Allowed Distribution Revenue of Schedule 2 of NEDC's Distribution
Licence, every term and every year, with the tools to explore and review it.

>>> import tariffmodel as tm
>>> list(tm.READINGS)  # doctest: +NORMALIZE_WHITESPACE
['loss_deadband', 'call_centre', 'para4_excess', 'para5_substitution', 'cpi_basis',
 'specified_rate_months', 'licence_fee_true_up', 'call_centre_cap']
"""

__version__ = "0.1.0"

import importlib as _importlib

from tariffmodel.inputs.errors import InputError, ScenarioError

# Every other name is imported on first use, so that `import tariffmodel` is quick: the command
# line starts (and answers Ctrl-C) before numpy and pandas load, and does not pay for
# scipy.stats, SALib and matplotlib when it does not need them.
_LAZY = {
    "READINGS": "tariffmodel.licence.schedule2",
    "MADR_COLUMNS": "tariffmodel.model.engine",
    "evaluate": "tariffmodel.model.engine",
    "project": "tariffmodel.model.engine",
    "targets": "tariffmodel.model.engine",
    "Scenario": "tariffmodel.model.scenario",
    "load_scenario": "tariffmodel.model.scenario",
    "scenario_from_dict": "tariffmodel.model.scenario",
    "monte_carlo": "tariffmodel.analysis.montecarlo",
    "load_draws": "tariffmodel.analysis.montecarlo",
    "tornado": "tariffmodel.analysis.sensitivity",
    "spider": "tariffmodel.analysis.sensitivity",
    "grid": "tariffmodel.analysis.sensitivity",
    "sobol": "tariffmodel.analysis.sensitivity",
    "morris": "tariffmodel.analysis.sensitivity",
    "loss_breakeven": "tariffmodel.analysis.breakeven",
    "x_breakeven": "tariffmodel.analysis.breakeven",
    "recovery_breakeven": "tariffmodel.analysis.breakeven",
    "kpi_breakeven": "tariffmodel.analysis.breakeven",
    "loss_curve": "tariffmodel.analysis.loss_incentive",
    "value_of_loss_point": "tariffmodel.analysis.loss_incentive",
    "amr_loss_effect": "tariffmodel.analysis.loss_incentive",
    "workbook": "tariffmodel.reporting.workbook",
    "compare": "tariffmodel.analysis.compare",
    "explain": "tariffmodel.analysis.explain",
    "Explanation": "tariffmodel.analysis.explain",
    "render_explanation": "tariffmodel.reporting.explain",
    "calendar": "tariffmodel.reporting.calendar",
    "format_value": "tariffmodel.reporting.formatting",
    "format_frame": "tariffmodel.reporting.formatting",
    "styler": "tariffmodel.reporting.formatting",
    "load_history": "tariffmodel.inputs.history",
    "history_figure": "tariffmodel.reporting.history",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tariffmodel' has no attribute {name!r}")


def __dir__():
    # the names imported on first use are listed too (tab completion in a notebook)
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["InputError", "ScenarioError", *_LAZY]
