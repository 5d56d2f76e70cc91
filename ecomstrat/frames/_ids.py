"""The distinct customer ids of a log, numbered in order of first appearance, in O(rows).

:class:`IdIndex` turns ids into dense int64 codes through the hash tables of
:mod:`ecomstrat._kernels.hashing`, one chunk at a time: a later chunk gives an id the code it
got in an earlier one, and an unseen id the next code. Integers of any span (compact counters,
random 63-bit hashes) are keyed as int64; strings by their UTF-8 bytes, read in place from
Arrow's buffers (pyarrow string arrays, polars String series), while numpy ``str_`` arrays are
converted to UTF-8 first (one pass over the characters, 0.2 s for 5 million 17-character ids,
so that every string form shares one table and a stream may mix them) and Python strings are
encoded. Only the distinct ids ever become a numpy array (:meth:`IdIndex.uniques`).

The kernels are imported on first use: the frames load without numba (``import ecomstrat``
and a :class:`~ecomstrat.CustomerSummary` stay light).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecomstrat._typing import AnyArray, IntArray
from ecomstrat._validation import invalid

__all__ = ["IdIndex", "check_id_values"]

#: Integer ids of a first chunk whose span is at most this many times its row count are
#: numbered through a direct-address array (one int64 per value of the span) instead of the
#: hash table: 6-7 times faster for compact ids (benchmarks/README.md, "RFM for every id").
_DIRECT_SPAN_FACTOR = 2
#: A first table holds ids for one in this many rows before it grows (doubling, each time
#: inserting the ids seen so far again): room for 8 orders per customer, 8 bytes per row.
_GUESS = 8


def check_id_values(name: str, ids: AnyArray) -> None:
    """Refuse boolean, float and missing (``None`` or NaN in an object array) ids."""
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
            raise _missing(f"{name}[{i}]", ids[i])


def _missing(name: str, value: object) -> Exception:
    return invalid(name, value, "is missing", "Drop rows without a customer id.")


def _mixed(name: str) -> Exception:
    return invalid(name, "mixed types", "ids must all be of one type (all str or all int)")


class IdIndex:
    """Distinct ids in order of first appearance, with an incremental encoder.

    Parameters
    ----------
    name : str
        How errors name the ids, e.g. ``"customer_ids"``.
    expected : int
        How many distinct ids to make room for at once (else one per eight rows of the first
        chunk; the table doubles as needed, inserting the ids seen so far again).

    Examples
    --------
    >>> index = IdIndex()
    >>> index.encode(np.array(["b", "a", "b"])).tolist()
    [0, 1, 0]
    >>> index.encode(np.array(["c", "a"])).tolist()
    [2, 1]
    >>> index.uniques().tolist(), len(index)
    (['b', 'a', 'c'], 3)
    """

    def __init__(self, name: str = "customer_ids", *, expected: int = 0) -> None:
        self._name = name
        self._expected = expected
        self._kind: str | None = None  # "int" or "str" after the first non-empty chunk
        self._dtype: np.dtype[Any] = np.dtype(np.int64)
        self._n = 0
        self._table: IntArray | None = None
        self._keys: IntArray = np.empty(0, dtype=np.int64)
        self._data: AnyArray = np.empty(0, dtype=np.uint8)
        self._offsets: IntArray = np.zeros(1, dtype=np.int64)

    def __len__(self) -> int:
        return self._n

    def encode(self, ids: object) -> IntArray:
        """Code of each id (int64), giving unseen ids the next codes in order of appearance.

        Parameters
        ----------
        ids : array-like
            A numpy array of integers, of ``str_`` or of Python ``str`` objects; a pyarrow
            integer, (large) string or dictionary Array or ChunkedArray; a polars integer,
            String or Categorical Series.

        Returns
        -------
        ndarray of int64
            ``uniques()[codes]`` equals ``ids``.

        Raises
        ------
        InvalidInputError
            For missing, boolean or float ids, or ids of another kind (int or str) than
            those encoded before.
        """
        module = type(ids).__module__.partition(".")[0]
        if module == "pyarrow":
            return self._encode_arrow(ids)
        if module == "polars":
            return self._encode_polars(ids)
        values = np.asarray(ids)
        if values.ndim != 1:
            raise invalid(self._name, f"<array of shape {values.shape}>", "must be one-dimensional")
        check_id_values(self._name, values)
        kind = values.dtype.kind
        if kind in "iu":
            return self._encode_ints(values)
        if kind == "U":
            from ecomstrat._kernels.hashing import utf8_from_utf32

            units = np.ascontiguousarray(values, dtype=f"<U{max(1, values.dtype.itemsize // 4)}")
            width = units.dtype.itemsize // 4
            data, offsets = utf8_from_utf32(_readonly(units.view(np.uint32)), width)
            return self._encode_bytes(data, offsets)
        if kind == "O":
            return self._encode_objects(values)
        raise invalid(
            self._name, f"<array of {values.dtype}>", "customer ids must be integers or strings"
        )

    def uniques(self) -> AnyArray:
        """The distinct ids in code order: integers in their input dtype, or ``str_``."""
        if self._kind == "str":
            from ecomstrat._kernels.hashing import utf32_from_utf8

            units, width = utf32_from_utf8(_readonly(self._data), _readonly(self._offsets), self._n)
            return units.view(f"<U{width}")
        keys = self._keys[: self._n]  # one copy: the index may still be alive beside it
        return keys.view(np.uint64).copy() if self._dtype == np.uint64 else keys.astype(self._dtype)

    def _claim(self, kind: str) -> None:
        if self._kind is None:
            self._kind = kind
        elif self._kind != kind:
            raise _mixed(self._name)

    def _new_table(self, guess: int) -> IntArray:
        from ecomstrat._kernels.hashing import new_table

        return new_table(max(guess, self._expected))

    def _encode_ints(self, values: AnyArray) -> IntArray:
        from ecomstrat._kernels.hashing import encode_dense, encode_ints

        if values.size == 0:
            return np.empty(0, dtype=np.int64)
        self._claim("int")
        dtype = np.promote_types(self._dtype, values.dtype) if self._n else values.dtype
        if dtype.kind not in "iu":  # uint64 with a signed type
            raise invalid(
                self._name,
                f"ids of dtypes {self._dtype} and {values.dtype}",
                "integer ids must share one dtype that holds them all",
                "Cast them all to int64 first.",
            )
        self._dtype = dtype
        keys = _readonly(values.view(np.int64) if values.dtype == np.uint64 else values)
        if keys.dtype != np.int64:
            keys = _readonly(keys.astype(np.int64))
        if self._n == 0:
            low, high = int(keys.min()), int(keys.max())
            span = high - low + 1
            if span <= _DIRECT_SPAN_FACTOR * keys.size + 1024 and values.dtype != np.uint64:
                codes, self._keys = encode_dense(keys, low, span)
                self._n = self._keys.size
                return codes
        if self._table is None:  # after a direct-address first chunk (or none yet)
            seen = _readonly(self._keys[: self._n])
            _, self._table, self._keys, _ = encode_ints(
                seen, self._new_table(self._n + keys.size // _GUESS), np.empty(self._n, np.int64), 0
            )
        codes, self._table, self._keys, self._n = encode_ints(
            keys, self._table, self._keys, self._n
        )
        return codes

    def _encode_bytes(self, data: AnyArray, offsets: AnyArray) -> IntArray:
        from ecomstrat._kernels.hashing import encode_strings

        if offsets.size <= 1:
            return np.empty(0, dtype=np.int64)
        self._claim("str")
        if self._table is None:  # the first chunk: room for its guessed distinct ids at once
            guess = max(offsets.size // _GUESS, self._expected)
            mean_bytes = int(offsets[-1] - offsets[0]) // (offsets.size - 1) + 1
            self._table = self._new_table(guess)
            self._offsets = np.zeros(guess + 2, dtype=np.int64)
            self._data = np.empty(guess * mean_bytes, dtype=np.uint8)
        codes, self._table, self._data, self._offsets, self._n = encode_strings(
            _readonly(data), _readonly(offsets), self._table, self._data, self._offsets, self._n
        )
        return codes

    def _encode_objects(self, values: AnyArray) -> IntArray:
        items = values.tolist()
        if all(isinstance(v, str) for v in items):
            encoded = [v.encode("utf-8", "surrogatepass") for v in items]
            offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
            np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=offsets[1:])
            return self._encode_bytes(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)
        if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in items):
            try:
                return self._encode_ints(np.array(items, dtype=np.int64))
            except OverflowError:
                return self._encode_ints(np.array(items, dtype=np.uint64))
        if any(isinstance(v, bool | float | np.floating) for v in items):
            bad = next(i for i, v in enumerate(items) if isinstance(v, bool | float | np.floating))
            raise invalid(
                f"{self._name}[{bad}]", items[bad], "customer ids must be integers or strings"
            )
        raise _mixed(self._name)

    def _encode_arrow(self, ids: Any) -> IntArray:
        import pyarrow as pa

        if isinstance(ids, pa.ChunkedArray):
            parts = [self._encode_arrow(chunk) for chunk in ids.chunks]
            return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        if ids.null_count:
            i = int(np.argmax(np.asarray(ids.is_null().to_numpy(zero_copy_only=False))))
            raise _missing(f"{self._name}[{i}]", None)
        dtype = ids.type
        if pa.types.is_dictionary(dtype):
            return self._encode_arrow(ids.cast(dtype.value_type))
        if pa.types.is_string_view(dtype):
            return self._encode_arrow(ids.cast(pa.large_string()))
        if pa.types.is_integer(dtype):
            return self._encode_ints(np.asarray(ids.to_numpy()))
        if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
            width = np.int32 if pa.types.is_string(dtype) else np.int64
            buffers = ids.buffers()
            offsets = np.frombuffer(buffers[1], dtype=width)[ids.offset : ids.offset + len(ids) + 1]
            data = (
                np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] else np.empty(0, np.uint8)
            )
            return self._encode_bytes(data, offsets)
        fix = "Cast whole-number ids to int64." if pa.types.is_floating(dtype) else None
        raise invalid(self._name, f"<{dtype}>", "customer ids must be integers or strings", fix)

    def _encode_polars(self, ids: Any) -> IntArray:
        import polars as pl

        series = ids
        if isinstance(series.dtype, pl.Categorical | pl.Enum):
            series = series.cast(pl.String)
        if series.null_count():
            i = int(np.argmax(series.is_null().to_numpy()))
            raise _missing(f"{self._name}[{i}]", None)
        if series.dtype.is_integer():
            return self._encode_ints(np.asarray(series.to_numpy()))
        if series.dtype == pl.String:
            return self._encode_arrow(series.to_arrow())
        fix = "Cast whole-number ids with .cast(pl.Int64)." if series.dtype.is_float() else None
        raise invalid(
            self._name, f"<{series.dtype}>", "customer ids must be integers or strings", fix
        )


def _readonly(array: AnyArray) -> AnyArray:
    """``array`` as a read-only C-contiguous view (the kernels are compiled for those)."""
    out = np.ascontiguousarray(array)
    if out.flags.writeable:
        out = out.view()
        out.flags.writeable = False
    return out
