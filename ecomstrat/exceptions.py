"""The exceptions ecomstrat raises.

Every error derives from :class:`EcomstratError` and also from the builtin a caller would
naturally catch (``ValueError``, ``TypeError``, ``RuntimeError``…), so both
``except EcomstratError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "CurrencyMismatchError",
    "EcomstratError",
    "EcomstratWarning",
    "EmptyInputError",
    "InvalidInputError",
    "MissingDependencyError",
    "UnknownCodeError",
]


class EcomstratError(Exception):
    """Base class of every error raised by ecomstrat."""


class EcomstratWarning(UserWarning):
    """Base class of every warning emitted by ecomstrat."""


class InvalidInputError(EcomstratError, ValueError):
    """An argument has a value the operation cannot accept (negative, NaN, out of order…)."""


class EmptyInputError(InvalidInputError):
    """An input that must hold at least one row or item is empty."""


class UnknownCodeError(InvalidInputError, LookupError):
    """A code or name (currency, country, time unit…) is not one of the known values."""


class CurrencyMismatchError(InvalidInputError):
    """Amounts in different currencies were combined without a conversion."""


class MissingDependencyError(EcomstratError, ImportError):
    """An optional dependency needed by the requested feature is not installed."""


class ConvergenceError(EcomstratError, RuntimeError):
    """A numerical optimisation did not converge; the message carries its diagnostics."""
