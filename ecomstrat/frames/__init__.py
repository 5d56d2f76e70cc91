"""Columnar containers: typed numpy arrays of equal length with checked invariants."""
