"""What the command line needs of the dashboards without loading their widgets: the settings the
server passes to the dashboards' kernels, and the vendored plotly.js as the module it serves.

Importing ipywidgets and anywidget costs about half a second; every command of the command line
would pay it if the ``dashboard`` command imported the dashboards' pages for these names.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

#: Set by ``tariffmodel dashboard``: the folder of scenarios of the MADR dashboard.
SCENARIOS_ENV = "TARIFFMODEL_SCENARIOS"
#: Set by ``tariffmodel dashboard``: the folder of AMR plans of the AMR dashboard.
PLANS_ENV = "TARIFFMODEL_AMR_PLANS"

#: Set by ``tariffmodel dashboard`` for its server: the access token every request must carry
#: (kept off the command line, which other users of the machine can read).
TOKEN_ENV = "TARIFFMODEL_DASHBOARD_TOKEN"

#: Set by ``tariffmodel dashboard``: the path, under the server's base URL, of
#: :func:`plotly_module` served as a file.
PLOTLY_URL_ENV = "TARIFFMODEL_PLOTLY_URL"

#: Seconds after the last websocket of a page closed before its kernel is shut down (a reload
#: or a short network break reconnects within that): the server's and the command's default.
PAGE_GONE = 15.0

#: The vendored plotly.js: npm package, version and the SHA-256 of the file (checked by a test).
PLOTLY_JS_PACKAGE = "plotly.js-finance-dist-min"
PLOTLY_JS_VERSION = "4.1.0"
PLOTLY_JS_FILE = "plotly-finance.min.js"
PLOTLY_JS_SHA256 = "9993f6d57ffd52d7417a9e89b666679ff69078e7c2816b43ab9ecdea9fa4709d"

# The UMD bundle run as a module: it finds `module` and exports plotly there; the global
# `Plotly` it also sets is put back as it was (JupyterLab may hold plotly's own).
_MODULE_HEAD = """\
const module = { exports: {} };
const hadPlotly = Object.prototype.hasOwnProperty.call(globalThis, "Plotly");
const oldPlotly = globalThis.Plotly;
(function (module) {
"""
_MODULE_TAIL = """
}).call(globalThis, module);
if (hadPlotly) { globalThis.Plotly = oldPlotly; } else { delete globalThis.Plotly; }
const PLOTLY = module.exports;
"""


@functools.cache
def plotly_js() -> str:
    """The vendored plotly.js bundle (see the module's text)."""
    code = resources.files("tariffmodel.dashboards").joinpath("static", PLOTLY_JS_FILE).read_bytes()
    return code.decode("utf-8")


@functools.cache
def plotly_run() -> str:
    """Module code running the vendored plotly.js, leaving it in the constant ``PLOTLY``."""
    return _MODULE_HEAD + plotly_js() + _MODULE_TAIL


def plotly_module() -> str:
    """The vendored plotly.js as an ES module whose default export is ``Plotly``."""
    return plotly_run() + "export default PLOTLY;\n"


def plotly_module_digest() -> str:
    """A digest of :func:`plotly_module` (16 hex digits), for a path that names its content."""
    return hashlib.sha256(plotly_module().encode("utf-8")).hexdigest()[:16]
