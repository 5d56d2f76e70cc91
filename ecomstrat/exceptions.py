"""The exceptions ecomstrat raises.

Every error derives from :class:`EcomstratError` and also from the builtin a caller would
naturally catch (``ValueError``, ``TypeError``, ``RuntimeError``…), so both
``except EcomstratError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
    "BoundaryEstimateWarning",
    "ConvergenceError",
    "CurrencyMismatchError",
    "EcomstratError",
    "EcomstratWarning",
    "EmptyInputError",
    "InvalidInputError",
    "MissingDependencyError",
    "ModelFormatError",
    "PluginLoadError",
    "PluginWarning",
    "ScorerOutputError",
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


class ModelFormatError(InvalidInputError):
    """A saved model cannot be loaded: not one, unknown model, newer format, bad or edited field.

    Raised by :func:`~ecomstrat.load_model` and ``FittedModel.from_dict``; nothing in a saved
    model is executed, so a bad file can only fail with this error. The message names the
    file (or ``"model dict"``) and the field.

    Attributes
    ----------
    path : str or None
        The file read, ``None`` for a dictionary.
    field : str
        Dotted name of the offending field (``"params.r"``, ``"fit.covariance"``), ``""`` for
        the document as a whole.
    """

    def __init__(self, message: str, *, path: str | None = None, field: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.field = field


class MissingDependencyError(EcomstratError, ImportError):
    """An optional dependency needed by the requested feature is not installed."""


class ConvergenceError(EcomstratError, RuntimeError):
    """A numerical optimisation did not converge; the message carries its diagnostics."""


class PluginLoadError(EcomstratError, ImportError):
    """A scorer's entry point failed to import, or did not give a valid :class:`Scorer`.

    The message names the scorer, its entry point (``module:attr``) and its distribution.

    Attributes
    ----------
    scorer : str
        The scorer's name (the entry point's name).
    entry_point : str or None
        The entry point's value, ``"module:attr"`` (``None`` for an in-process scorer).
    distribution : str or None
        ``"name version"`` of the distribution declaring it (``None`` when unknown).
    """

    def __init__(
        self,
        message: str,
        *,
        scorer: str = "",
        entry_point: str | None = None,
        distribution: str | None = None,
    ) -> None:
        module = entry_point.partition(":")[0] if entry_point else None
        super().__init__(message, name=module)
        self.scorer = scorer
        self.entry_point = entry_point
        self.distribution = distribution


class ScorerOutputError(EcomstratError, ValueError):
    """A scorer returned something other than one finite float per customer."""


class BoundaryEstimateWarning(EcomstratWarning):
    """A fit converged with a mixing distribution nearly collapsed to a single value.

    The heterogeneity the model allows for (in purchase rates or dropout) is absent from the
    data: the estimates of that pair of parameters are large and their standard errors
    meaningless, while predictions, which depend on the single common value, remain valid.
    """


class PluginWarning(EcomstratWarning):
    """A scorer was skipped (failed to load, raised, or returned bad scores), or shadowed."""
