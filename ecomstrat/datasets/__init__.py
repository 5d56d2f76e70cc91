"""Synthetic data sets: seeded transaction logs drawn from the BTYD generative processes."""

from ecomstrat.datasets.simulate import Simulation, SimulationParameters, simulate_transactions

__all__ = ["Simulation", "SimulationParameters", "simulate_transactions"]
