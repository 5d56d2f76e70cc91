"""Input checks that word every error the same way.

Each message names the argument, the offending value, the rule it broke and, where one exists,
a fix: ``amounts[3]=-2.0 (customer 'c17') is invalid: must be >= 0. Refunds belong in ...``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError

__all__ = [
    "as_float_array",
    "check_array_finite",
    "check_array_non_negative",
    "check_choice",
    "check_count",
    "check_finite",
    "check_non_empty",
    "check_non_negative",
    "check_number",
    "check_positive",
    "check_same_length",
    "check_unit_interval",
    "check_whole_numbers",
    "invalid",
    "number_or_raw",
    "plain",
    "positive_field",
    "shown",
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


def _is_number(value: object) -> bool:
    """Whether ``value`` is a real number: int, float, Decimal, numpy number; not bool or text."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real | Decimal):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def _not_a_number(
    name: str, value: object, rule: str = "must be a number", count: str = ""
) -> InvalidInputError:
    """``name=value is invalid: must be a number, not str. Convert text ...``."""
    value = plain(value)
    kind = "None" if value is None else type(value).__name__
    fix = "Convert text to numbers first, e.g. float(value)." if isinstance(value, str) else None
    return invalid(name, shown(value), f"{rule}, not {kind}{count}", fix)


def shown(value: object) -> object:
    """``value`` itself if it is a short scalar, else ``"<its type>"`` (for messages)."""
    value = plain(value)
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, str) and len(value) <= 60:
        return value
    return f"<{type(value).__name__}>"


def check_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number, else raise.

    Text (``"1.0"``), booleans, ``None`` and containers are refused, whatever ``float()``
    would make of them; ints, floats, Decimals and numpy numbers (or 0-d arrays) are accepted.
    """
    if not _is_number(value):
        raise _not_a_number(name, value)
    try:
        return float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # 10**400, Decimal('sNaN')
        raise invalid(name, value, "must be a finite number") from None


def number_or_raw(value: Any) -> Any:
    """Convert a real number to float, and leave anything else unchanged (attrs converter).

    Pair it with a validator that calls :func:`check_number` (through :func:`check_positive`…),
    which then refuses the unchanged value naming the field: ``float`` itself would accept
    ``"1.0"`` and ``True``, and raise a bare ``TypeError`` for ``None``.
    """
    if _is_number(value):
        try:
            return float(value)
        except (OverflowError, ValueError):
            return value
    return value


def as_float_array(
    name: str, values: object, *, ndim: int | None = None, booleans: bool = False
) -> FloatArray:
    """Return ``values`` (a number or an array-like) as float64, else raise.

    No copy is made of a float64 array. Text, booleans (unless ``booleans``), ``None``,
    mappings, ragged nested lists and other non-numbers are refused, naming the first
    offending element (``amounts[3]='12' is invalid: must be a number, not str. ...``), and
    so is an array with other than ``ndim`` dimensions when ``ndim`` is given.
    """
    array = _as_float_array(name, values, booleans)
    if ndim is not None and array.ndim != ndim:
        shape = "a scalar" if array.ndim == 0 else f"an array of shape {array.shape}"
        rule = "one-dimensional (one value per row)" if ndim == 1 else f"{ndim}-dimensional"
        raise invalid(name, f"<{shape}>", f"must be {rule}")
    return array


def _as_float_array(name: str, values: object, booleans: bool) -> FloatArray:
    if values is None or isinstance(values, str | bytes | Mapping):
        raise _not_a_number(name, values, "must be numbers")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        raise invalid(
            name,
            f"<{type(values).__name__}>",
            "must be numbers in an array of regular shape (not ragged nested lists)",
        ) from None
    kind = array.dtype.kind
    if kind in "iuf" or (kind == "b" and booleans):
        converted: FloatArray = array.astype(np.float64, copy=False)
        return converted
    flat = array.reshape(-1)
    if kind in "US" and not isinstance(values, np.ndarray):  # name what the caller gave
        given = np.array(values, dtype=object)  # (numpy turned [1, "a"] into ["1", "a"])
        if given.shape == array.shape:
            flat, kind = given.reshape(-1), "O"
    if kind == "O":
        bad = [i for i, v in enumerate(flat) if not _is_number(v)]
        if not bad:
            try:
                return np.array(flat.tolist(), dtype=np.float64).reshape(array.shape)
            except OverflowError:
                raise invalid(name, "<huge numbers>", "must be finite numbers") from None
        first, count = bad[0], len(bad)
    elif flat.size and kind in "bUS":
        first, count = 0, flat.size
    else:
        raise invalid(name, f"<array of {array.dtype}>", "must hold real numbers")
    if not array.ndim:
        raise _not_a_number(name, flat[first])
    index = ", ".join(map(str, np.unravel_index(first, array.shape)))
    raise _not_a_number(f"{name}[{index}]", flat[first], count=f" ({count} such value(s))")


def check_whole_numbers(name: str, values: object, *, minimum: int = 0) -> FloatArray:
    """``values`` as float64 (any shape) after checking they are whole numbers >= ``minimum``.

    The error names the first offending element, ``name[i]`` (``name`` for a scalar).
    """
    array = as_float_array(name, values)
    flat = array.reshape(-1)
    rules = (
        (~np.isfinite(flat) | (flat != np.round(flat)), "must be a finite whole number"),
        (flat < minimum, f"must be >= {minimum}"),
    )
    for bad, rule in rules:
        if bad.any():
            i = int(np.argmax(bad))
            label = name if array.ndim == 0 else f"{name}[{i}]"
            raise invalid(label, float(flat[i]), rule)
    return array


def check_count(name: str, value: object, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is a whole number (not a bool) >= ``minimum``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise invalid(name, shown(value), f"must be a whole number >= {minimum}")
    if value < minimum:
        raise invalid(name, plain(value), f"must be >= {minimum}")
    return int(value)


def check_finite(name: str, value: float) -> float:
    """Return ``value`` as a float if it is a finite number, else raise."""
    number = check_number(name, value)
    if not math.isfinite(number):
        raise invalid(name, value, "must be a finite number")
    return number


def check_positive(name: str, value: float) -> float:
    """Return ``value`` if it is finite and > 0, else raise."""
    number = check_finite(name, value)
    if number <= 0:
        raise invalid(name, value, "must be > 0")
    return number


def positive_field(_instance: object, attribute: Any, value: float) -> None:
    """Attrs validator: the field must be a finite number > 0 (see :func:`check_positive`)."""
    check_positive(attribute.name, value)


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


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them and close matches."""
    options = sorted(choices)
    if isinstance(value, str) and value in options:
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
    lengths: dict[str, int] = {}
    for name, values in arrays.items():
        try:
            lengths[name] = len(values)
        except TypeError:  # None, a number…
            raise invalid(name, shown(values), "must be an array (one value per row)") from None
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"len({name})={n}" for name, n in lengths.items())
        raise InvalidInputError(f"arrays must have equal lengths, got {listed}.")
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


def unknown_code(
    name: str,
    value: object,
    codes: Iterable[str],
    standard: str,
    *,
    key: Callable[[str], str] = str.upper,
) -> UnknownCodeError:
    """Build (not raise) an :class:`UnknownCodeError` for a code outside a long standard list.

    Worded like :func:`check_choice`, but gives the count of valid codes and the close matches
    of ``key(value)`` (by default upper-case, as ISO country and currency codes are) instead of
    listing every code.
    """
    options = sorted(codes)
    close = difflib.get_close_matches(key(str(value).strip()), options, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    return UnknownCodeError(
        f"{name}={value!r} is not known: valid values are the {len(options)} {standard}"
        f" codes.{hint}"
    )
