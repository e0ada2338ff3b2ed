"""Tests of tariffmodel.model."""
