"""Plain-Python references for ``ecomstrat._kernels.hashing``: a dict numbers the keys."""

from __future__ import annotations

import numpy as np

from ecomstrat._kernels import hashing


def encode_python(keys):
    """``(codes, uniques)``: each key's position among the distinct keys by first appearance."""
    seen: dict[object, int] = {}
    codes = [seen.setdefault(key, len(seen)) for key in keys]
    return np.array(codes, dtype=np.int64), list(seen)


def encode_ints_numba(keys):
    """``hashing.encode_ints`` from an empty table, as ``(codes, uniques)``."""
    keys = _readonly(np.asarray(keys, dtype=np.int64))
    codes, _, uniques, n = hashing.encode_ints(keys, hashing.new_table(0), np.empty(0, np.int64), 0)
    return codes, uniques[:n].tolist()


def encode_dense_numba(keys):
    """``hashing.encode_dense`` over the keys' span, as ``(codes, uniques)``."""
    keys = _readonly(np.asarray(keys, dtype=np.int64))
    if keys.size == 0:
        return np.empty(0, np.int64), []
    low = int(keys.min())
    codes, uniques = hashing.encode_dense(keys, low, int(keys.max()) - low + 1)
    return codes, uniques.tolist()


def encode_strings_numba(keys):
    """``hashing.encode_strings`` on the UTF-8 of ``keys`` (str), as ``(codes, uniques)``."""
    data, offsets = utf8(keys)
    codes, _, unique_data, unique_offsets, n = hashing.encode_strings(
        data, offsets, hashing.new_table(0), np.empty(0, np.uint8), np.zeros(1, np.int64), 0
    )
    raw = unique_data.tobytes()
    uniques = [raw[unique_offsets[i] : unique_offsets[i + 1]].decode() for i in range(n)]
    return codes, uniques


def utf8(strings):
    """Arrow layout of ``strings``: ``(data uint8, offsets int64)``, both read-only."""
    encoded = [s.encode() for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return _readonly(np.frombuffer(b"".join(encoded), np.uint8)), _readonly(offsets)


def _readonly(array):
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


for _wrapper in (encode_ints_numba, encode_dense_numba, encode_strings_numba):
    _wrapper.kernel_module = "ecomstrat._kernels.hashing"  # type: ignore[attr-defined]

#: kernel -> implementation name -> callable (keys in, ``(codes, uniques)`` out).
COMPARISONS = {
    "encode_ints": {"numba": encode_ints_numba, "python": encode_python},
    "encode_dense": {"numba": encode_dense_numba, "python": encode_python},
    "encode_strings": {"numba": encode_strings_numba, "python": encode_python},
}
