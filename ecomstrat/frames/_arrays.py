"""Small array helpers shared by the frames."""

from __future__ import annotations

from typing import Any

import numpy as np

from ecomstrat._typing import AnyArray, IntArray
from ecomstrat._validation import invalid

__all__ = ["factorize", "frozen_view", "unique_ids"]

#: Integer ids whose range is at most this many times the row count are factorized by direct
#: addressing in O(n) instead of sorting.
_DIRECT_SPAN_FACTOR = 4


def frozen_view(array: AnyArray) -> AnyArray:
    """Return a read-only view of ``array`` (the caller's array keeps its own flags)."""
    view = array.view()
    view.flags.writeable = False
    return view


def _check_id_values(name: str, ids: AnyArray) -> None:
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
