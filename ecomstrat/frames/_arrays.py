"""Small array helpers shared by the frames."""

from __future__ import annotations

import weakref
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.frames._ids import IdIndex, check_id_values

__all__ = ["as_ids", "as_rows", "factorize", "freeze_arrays", "frozen_view", "unique_ids"]


def freeze_arrays(instance: Any) -> None:
    """Replace every ndarray field of a frozen attrs ``instance`` by a read-only view of it."""
    for field in attrs.fields(type(instance)):
        value = getattr(instance, field.name)
        if isinstance(value, np.ndarray):
            object.__setattr__(instance, field.name, frozen_view(value))


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
        check_id_values(name, given)
    if ids.size:  # (an empty list is float64: the caller reports it as empty)
        check_id_values(name, ids)
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


def factorize(name: str, ids: object) -> tuple[IntArray, AnyArray]:
    """Return ``(codes, uniques)``: distinct ids by first appearance, ``uniques[codes] == ids``.

    One pass through :class:`~ecomstrat.frames._ids.IdIndex` (a hash table, or a direct-address
    array for compact integers): O(n) for every id form, no sort. ``ids`` is any input
    :meth:`IdIndex.encode <ecomstrat.frames._ids.IdIndex.encode>` accepts.
    """
    index = IdIndex(name)
    codes = index.encode(ids)
    uniques = index.uniques()
    _remember_distinct(uniques)
    return codes, uniques


#: For each memory owner of a :func:`factorize` ``uniques`` (by ``id``, dropped when it is
#: freed): that array's dtype, address and length. Distinct by construction, those ids (or any
#: slice of them, e.g. the log's read-only view) are not hashed again by :func:`unique_ids`:
#: for 5 million string ids, a log's summary would otherwise spend 1.4 s checking its own ids.
_DISTINCT: dict[int, tuple[weakref.ref[AnyArray], np.dtype[Any], int, int]] = {}


def _owner(array: AnyArray) -> AnyArray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _remember_distinct(uniques: AnyArray) -> None:
    owner = _owner(uniques)
    key = id(owner)
    forget = weakref.ref(owner, lambda _: _DISTINCT.pop(key, None))
    _DISTINCT[key] = (forget, uniques.dtype, uniques.ctypes.data, uniques.size)


def _known_distinct(ids: AnyArray) -> bool:
    """Whether every element of ``ids`` is a different element of a remembered ``uniques``."""
    owner = _owner(ids)
    entry = _DISTINCT.get(id(owner))
    if entry is None or entry[0]() is not owner or ids.dtype != entry[1] or ids.ndim != 1:
        return False
    if ids.size == 0:
        return True
    size = ids.dtype.itemsize
    step = ids.strides[0]
    first = ids.ctypes.data - entry[2]
    last = first + step * (ids.size - 1)
    whole = (first % size, step % size, last % size) == (0, 0, 0)
    inside = min(first, last) >= 0 and max(first, last) < entry[3] * size
    return whole and inside and (step != 0 or ids.size == 1)


def unique_ids(name: str, ids: AnyArray) -> None:
    """Raise naming the first repeated id (O(n): numbered by a hash table, not sorted)."""
    if _known_distinct(ids):
        return
    codes = IdIndex(name, expected=len(ids)).encode(ids)
    repeated = codes != np.arange(codes.size)  # distinct ids are numbered 0, 1, 2, ...
    if repeated.any():
        dup: Any = ids[int(np.argmax(repeated))]
        raise invalid(name, dup, "is duplicated: ids must be unique")
