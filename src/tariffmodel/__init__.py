"""tariffmodel: the Maximum Allowed Distribution Revenue of Schedule 2 of NEDC's Distribution
Licence, every term and every year, with the tools to explore and review it.

>>> import tariffmodel as tm
>>> sorted(tm.READINGS)
['call_centre', 'cpi_basis', 'loss_deadband', 'para4_excess', 'para5_substitution']
"""

__version__ = "0.1.0"

from . import engine, formulas  # noqa: E402
from .engine import MADR_COLUMNS, evaluate, project, targets  # noqa: E402
from .errors import InputError, ScenarioError  # noqa: E402
from .formulas import READINGS  # noqa: E402
from .scenario import Scenario, load_scenario, scenario_from_dict  # noqa: E402

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
]
