"""Named columns of pandas, polars and Arrow tables as numpy arrays, for the layers below ``io``.

A leaf of the package: a table is recognised by the module of its type, so pandas, polars and
pyarrow are never imported here; an object of theirs brings its library with it. The adapters
of :mod:`ecomstrat.io` (which check and convert every cell) build on :func:`missing_column`.

Examples
--------
>>> frame_library([1, 2]) is None
True
>>> import pytest; pd = pytest.importorskip("pandas")
>>> df = pd.DataFrame({"frequency": [2, 0]}, index=pd.Index(["a", "b"], name="customer_id"))
>>> frame_library(df), frame_column(df, "frequency").tolist(), frame_ids(df).tolist()
('pandas', [2.0, 0.0], ['a', 'b'])
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat._validation import invalid
from ecomstrat.exceptions import UnknownCodeError
from ecomstrat.frames._arrays import as_ids

__all__ = [
    "ID_COLUMN",
    "Table",
    "frame_column",
    "frame_ids",
    "frame_library",
    "frame_names",
    "missing_column",
]

#: The column of customer ids a table may carry (pandas: or its index, named so).
ID_COLUMN = "customer_id"


class Table(Protocol):
    """A pandas or polars DataFrame or a pyarrow Table: named columns (the typing of ``data``)."""

    @property
    def columns(self) -> Any:
        """The columns (names in pandas and polars, arrays in pyarrow)."""
        ...


#: Table types of each library (their one-dimensional columns are not tables).
_TABLES = {
    "pandas": frozenset({"DataFrame"}),
    "polars": frozenset({"DataFrame", "LazyFrame"}),
    "pyarrow": frozenset({"Table", "RecordBatch"}),
}
_LISTED = 40  # columns named in a missing-column message


def frame_library(data: object) -> str | None:
    """``"pandas"``, ``"polars"`` or ``"pyarrow"`` if ``data`` is one of their tables, else None."""
    library = type(data).__module__.partition(".")[0]
    return library if type(data).__name__ in _TABLES.get(library, ()) else None


def frame_names(data: Any) -> list[str]:
    """The column names of the table ``data`` (a polars LazyFrame must be collected first)."""
    library = frame_library(data)
    if library == "polars" and type(data).__name__ == "LazyFrame":
        raise invalid(
            "data", "<polars LazyFrame>", "must be a collected table", "Call .collect() first."
        )
    if library == "pyarrow":
        return [str(name) for name in data.schema.names]
    return [str(name) for name in data.columns]


def frame_column(data: Any, name: str, *, source: str = "data") -> AnyArray:
    """Column ``name`` of the table ``data`` as a numpy array (nulls become NaN where numeric).

    Raises
    ------
    UnknownCodeError
        If ``data`` has no such column; the message lists its columns.
    """
    names = frame_names(data)
    if name not in names:
        raise UnknownCodeError(
            f"{source} has no column {name!r}: its columns are {_listing(name, names)}"
            f" Name the column {name!r} (e.g. rename it), or pass arrays instead."
        )
    library = frame_library(data)
    if library == "pandas":
        series = data[name]
        if series.dtype.kind in "iufb" or str(series.dtype)[:1] in "IUF":  # nullable dtypes
            return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.asarray(series.to_numpy())
    if library == "polars":
        return np.asarray(data.get_column(name).to_numpy())
    return np.asarray(data.column(name).to_numpy(zero_copy_only=False))


def frame_ids(data: Any) -> AnyArray | None:
    """The ``customer_id`` column of ``data`` (pandas: or its index so named), or None."""
    if ID_COLUMN in frame_names(data):
        values = frame_column(data, ID_COLUMN)
    elif frame_library(data) == "pandas" and data.index.name == ID_COLUMN:
        values = np.asarray(data.index.to_numpy())
    else:
        return None
    if values.dtype == object:  # strings (or ints) held as Python objects: one native dtype
        kinds = {type(value) for value in values.tolist()}
        if kinds == {str}:
            values = values.astype(str)
        elif kinds == {int}:
            values = values.astype(np.int64)
    return as_ids(ID_COLUMN, values)


def missing_column(
    arg: str, column: object, available: Sequence[object], source: str, hint: str = ""
) -> UnknownCodeError:
    """Build the error for a column mapping that names no column of ``source``."""
    return UnknownCodeError(
        f"{arg}={column!r} is not a column of {source}: its columns are"
        f" {_listing(column, available)}{hint} Pass the right name as {arg}=..."
    )


def _listing(column: object, available: Sequence[object]) -> str:
    """The columns (at most 40), then close matches of ``column``: ``"'a', 'b'. Did you…"``."""
    shown = ", ".join(map(repr, available[:_LISTED])) or "none"
    if len(available) > _LISTED:
        shown += f", ... ({len(available)} in all)"
    by_lower = {str(name).lower(): name for name in available}
    close = difflib.get_close_matches(str(column).lower(), list(by_lower), n=3, cutoff=0.6)
    guess = f" Did you mean {', '.join(repr(by_lower[c]) for c in close)}?" if close else ""
    return f"{shown}.{guess}"
