"""Tests of the notebooks and dashboards in JupyterLab."""
