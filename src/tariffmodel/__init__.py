"""tariffmodel: the Maximum Allowed Distribution Revenue of Schedule 2 of NEDC's Distribution
Licence, every term and every year, with the tools to explore and review it.

>>> import tariffmodel as tm
>>> sorted(tm.READINGS)
['call_centre', 'cpi_basis', 'loss_deadband', 'para4_excess', 'para5_substitution']
"""

__version__ = "0.1.0"

import importlib as _importlib

from . import engine, formulas
from .engine import MADR_COLUMNS, evaluate, project, targets
from .errors import InputError, ScenarioError
from .formulas import READINGS
from .scenario import Scenario, load_scenario, scenario_from_dict

# Names of the exploration modules, imported on first use so that `import tariffmodel` (and the
# command line) does not pay for scipy.stats, SALib and matplotlib when it does not need them.
_LAZY = {
    "monte_carlo": "montecarlo",
    "load_draws": "montecarlo",
    "tornado": "sensitivity",
    "spider": "sensitivity",
    "grid": "sensitivity",
    "sobol": "sensitivity",
    "morris": "sensitivity",
    "loss_breakeven": "breakeven",
    "x_breakeven": "breakeven",
    "recovery_breakeven": "breakeven",
    "kpi_breakeven": "breakeven",
    "loss_curve": "loss_incentive",
    "value_of_loss_point": "loss_incentive",
    "amr_loss_effect": "loss_incentive",
}
_LAZY_MODULES = (
    "amr",
    "wpra",
    "indices",
    "plots",
    "sensitivity",
    "montecarlo",
    "breakeven",
    "loss_incentive",
    "readings",
    "report",
    "batch",
)


def __getattr__(name):
    if name in _LAZY:
        return getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tariffmodel' has no attribute {name!r}")


__all__ = [
    "MADR_COLUMNS",
    "READINGS",
    "InputError",
    "Scenario",
    "ScenarioError",
    "engine",
    "evaluate",
    "formulas",
    "load_scenario",
    "project",
    "scenario_from_dict",
    "targets",
    *_LAZY,
]
