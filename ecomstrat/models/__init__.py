"""Probabilistic customer-base models: fit() returns a frozen fitted object."""
