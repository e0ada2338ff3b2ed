"""Tests of tariffmodel.licence."""
