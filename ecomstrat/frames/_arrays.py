"""Small array helpers shared by the frames."""

from __future__ import annotations

from typing import Any

import numpy as np

from ecomstrat._typing import AnyArray, IntArray
from ecomstrat._validation import invalid

__all__ = ["as_ids", "as_rows", "factorize", "frozen_view", "unique_ids"]

#: Integer ids whose range is at most this many times the row count are factorized by direct
#: addressing in O(n) instead of sorting.
_DIRECT_SPAN_FACTOR = 4


def frozen_view(array: AnyArray) -> AnyArray:
    """Return a read-only view of ``array`` (the caller's array keeps its own flags)."""
    view = array.view()
    view.flags.writeable = False
    return view


def as_ids(name: str, values: object) -> AnyArray:
    """``values`` as a one-dimensional array of ids, refusing missing ids, floats and booleans.

    numpy turns ``["a", nan]`` into the strings ``["a", "nan"]``: a ``"nan"`` from a sequence
    that held a float NaN is reported as missing, not kept as a customer.
    """
    if values is None or isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise invalid(
            name, values, "must be a sequence of ids (one per row)", "E.g. ['c1', 'c2', 'c1']."
        )
    try:
        ids = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        raise invalid(name, f"<{type(values).__name__}>", "must be one-dimensional") from None
    if ids.ndim != 1:
        raise invalid(name, f"<array of shape {ids.shape}>", "must be one-dimensional")
    if ids.dtype.kind == "U" and not isinstance(values, np.ndarray) and (ids == "nan").any():
        given: AnyArray = np.asarray(values, dtype=object)
        _check_id_values(name, given)
    if ids.size:  # (an empty list is float64: the caller reports it as empty)
        _check_id_values(name, ids)
    return ids


def as_rows(name: str, rows: object, n: int) -> AnyArray:
    """``rows`` as positions (``-n <= i < n``) or a boolean mask of length ``n``, else raise."""
    try:
        index = np.asarray(rows)
    except (TypeError, ValueError):  # ragged nested sequences
        index = np.asarray(None, dtype=object)
    if index.ndim != 1:
        raise invalid(
            name,
            f"<{type(rows).__name__}>" if index.ndim == 0 else f"<array of shape {index.shape}>",
            "must be a one-dimensional array of positions or a boolean mask",
            "E.g. [0, 2] or summary.frequency > 0.",
        )
    if index.dtype.kind == "b":
        if index.shape != (n,):
            raise invalid(
                name,
                f"<boolean mask of length {index.size}>",
                f"must have one entry per row ({n})",
            )
        return index
    if index.size == 0:
        return index.astype(np.int64)
    if index.dtype.kind not in "iu":
        bad = int(np.argmax([not isinstance(v, int | np.integer) for v in index.tolist()]))
        raise invalid(
            f"{name}[{bad}]",
            index[bad],
            "must be a whole-number position or a boolean",
            "Cast positions with .astype('int64').",
        )
    outside = (index < -n) | (index >= n)
    if outside.any():
        i = int(np.argmax(outside))
        raise invalid(f"{name}[{i}]", index[i], f"must lie in [-{n}, {n}) (there are {n} rows)")
    return index


def _check_id_values(name: str, ids: AnyArray) -> None:
    if ids.dtype.kind == "b":
        raise invalid(
            name,
            "<array of bool>",
            "customer ids must be integers or strings",
            "Booleans are not ids: did you pass a mask?",
        )
    if ids.dtype.kind == "f":
        raise invalid(
            name,
            f"array of dtype {ids.dtype}",
            "customer ids must be integers or strings",
            "Cast whole-number float ids with .astype('int64').",
        )
    if ids.dtype.kind == "O":
        missing = np.fromiter((v is None or v != v for v in ids), dtype=bool, count=len(ids))
        if missing.any():
            i = int(np.argmax(missing))
            raise invalid(f"{name}[{i}]", ids[i], "is missing", "Drop rows without a customer id.")


def factorize(name: str, ids: AnyArray) -> tuple[IntArray, AnyArray]:
    """Return ``(codes, uniques)`` with ``uniques`` sorted and ``uniques[codes] == ids``.

    Compact integer ids take an O(n) direct-addressing path; everything else is sorted.
    """
    _check_id_values(name, ids)
    if ids.dtype.kind in "iu" and len(ids) > 0:
        ids64 = ids.astype(np.int64, copy=False)
        low = int(ids64.min())
        span = int(ids64.max()) - low + 1
        if span <= _DIRECT_SPAN_FACTOR * len(ids) + 1024:
            offset = ids64 - low
            present = np.zeros(span, dtype=bool)
            present[offset] = True
            remap = np.cumsum(present, dtype=np.int64) - 1
            uniques = (np.flatnonzero(present) + low).astype(ids.dtype)
            return remap[offset], uniques
    try:
        uniques, codes = np.unique(ids, return_inverse=True)
    except TypeError as error:
        raise invalid(
            name, "mixed types", "ids must all be of one type (all str or all int)"
        ) from error
    return codes.astype(np.int64, copy=False).reshape(-1), uniques


def unique_ids(name: str, ids: AnyArray) -> None:
    """Raise naming the first duplicated id."""
    ordered = np.sort(ids, kind="stable")
    same = ordered[1:] == ordered[:-1]
    if np.any(same):
        dup: Any = ordered[1:][np.argmax(same)]
        raise invalid(name, dup, "is duplicated: ids must be unique")
