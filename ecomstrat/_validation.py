"""Input checks that word every error the same way.

Each message names the argument, the offending value, the rule it broke and, where one exists,
a fix: ``amounts[3]=-2.0 (customer 'c17') is invalid: must be >= 0. Refunds belong in ...``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError

__all__ = [
    "check_array_finite",
    "check_array_non_negative",
    "check_choice",
    "check_finite",
    "check_non_empty",
    "check_non_negative",
    "check_positive",
    "check_same_length",
    "check_unit_interval",
    "invalid",
    "plain",
    "unknown_code",
]

_T = TypeVar("_T")


def plain(value: object) -> object:
    """Return numpy scalars as Python scalars (messages read ``-2.0``, not ``np.float64(-2.0)``)."""
    return value.item() if isinstance(value, np.generic) else value


def invalid(
    name: str, value: object, rule: str, fix: str | None = None, *, where: str = ""
) -> InvalidInputError:
    """Build (not raise) an :class:`InvalidInputError` with the standard wording.

    ``where`` locates the value, e.g. ``" (customer 'c17')"``.
    """
    message = f"{name}={plain(value)!r}{where} is invalid: {rule}."
    if fix:
        message += f" {fix}"
    return InvalidInputError(message)


def check_finite(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite, else raise."""
    number = float(value)
    if not math.isfinite(number):
        raise invalid(name, value, "must be a finite number")
    return number


def check_positive(name: str, value: float) -> float:
    """Return ``value`` if it is finite and > 0, else raise."""
    number = check_finite(name, value)
    if number <= 0:
        raise invalid(name, value, "must be > 0")
    return number


def check_non_negative(name: str, value: float) -> float:
    """Return ``value`` if it is finite and >= 0, else raise."""
    number = check_finite(name, value)
    if number < 0:
        raise invalid(name, value, "must be >= 0")
    return number


def check_unit_interval(name: str, value: float) -> float:
    """Return ``value`` if it lies in [0, 1], else raise."""
    number = check_finite(name, value)
    if not 0.0 <= number <= 1.0:
        raise invalid(name, value, "must lie in [0, 1]", "Give rates as fractions (0.2, not 20).")
    return number


def check_choice(name: str, value: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them and close matches."""
    options = sorted(choices)
    if value in options:
        return value
    close = difflib.get_close_matches(str(value), options, n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise UnknownCodeError(
        f"{name}={value!r} is not known: valid values are {', '.join(map(repr, options))}.{hint}"
    )


def check_non_empty(name: str, values: Sequence[_T] | AnyArray) -> None:
    """Raise :class:`EmptyInputError` if ``values`` has no element."""
    if len(values) == 0:
        raise EmptyInputError(f"{name} is empty: at least one row is needed.")


def check_same_length(**arrays: Sequence[Any] | AnyArray) -> int:
    """Return the common length of the arrays, or raise naming the ones that differ."""
    lengths = {name: len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"len({name})={n}" for name, n in lengths.items())
        raise InvalidInputError(f"arrays must have equal lengths, got {shown}.")
    return next(iter(lengths.values()), 0)


def _where(index: int, labels: AnyArray | None) -> str:
    return f" (customer {plain(labels[index])!r})" if labels is not None else ""


def check_array_finite(name: str, values: AnyArray, labels: AnyArray | None = None) -> None:
    """Raise naming the first NaN or infinite element of a float array."""
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(
            f"{name}[{i}]={plain(values[i])!r}{_where(i, labels)} is invalid: must be a finite"
            f" number ({int(bad.sum())} such value(s) in all). Drop or impute missing values first."
        )


def check_array_non_negative(
    name: str, values: AnyArray, labels: AnyArray | None = None, fix: str | None = None
) -> None:
    """Raise naming the first negative element of a numeric array."""
    bad = values < 0
    if bad.any():
        i = int(np.argmax(bad))
        message = (
            f"{name}[{i}]={plain(values[i])!r}{_where(i, labels)} is invalid: must be >= 0"
            f" ({int(bad.sum())} such value(s) in all)."
        )
        raise InvalidInputError(f"{message} {fix}" if fix else message)


def unknown_code(name: str, value: object, codes: Iterable[str], standard: str) -> UnknownCodeError:
    """Build (not raise) an :class:`UnknownCodeError` for a code outside a long standard list.

    Worded like :func:`check_choice`, but gives the count of valid codes and the close matches
    (compared upper-case, as ISO codes are) instead of listing every code.
    """
    options = sorted(codes)
    close = difflib.get_close_matches(str(value).strip().upper(), options, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    return UnknownCodeError(
        f"{name}={value!r} is not known: valid values are the {len(options)} {standard}"
        f" codes.{hint}"
    )
