"""The hash-table encoders agree with a dict that numbers keys by first appearance."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, strategies as st

from ecomstrat._kernels import hashing
from tests.reference.hashing import COMPARISONS, encode_python, utf8

#: Keys drawn from few values (repeats, collisions of the low bits) or from all of int64.
INT_KEYS = st.lists(
    st.one_of(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1), st.sampled_from([2**40, -7])),
    max_size=300,
)
STRING_KEYS = st.lists(
    st.one_of(st.sampled_from(["", "a", "ab", "abcdefgh", "abcdefghi", "é", "😀x"]), st.text()),
    max_size=200,
)


@given(keys=INT_KEYS)
def test_encode_ints_agrees_with_dict(keys: list[int]) -> None:
    want_codes, want_uniques = encode_python(keys)
    codes, uniques = COMPARISONS["encode_ints"]["numba"](keys)
    np.testing.assert_array_equal(codes, want_codes)
    assert uniques == want_uniques


@given(keys=st.lists(st.integers(-50, 50), max_size=300))
def test_encode_dense_agrees_with_dict(keys: list[int]) -> None:
    want_codes, want_uniques = encode_python(keys)
    codes, uniques = COMPARISONS["encode_dense"]["numba"](keys)
    np.testing.assert_array_equal(codes, want_codes)
    assert uniques == want_uniques


@given(keys=STRING_KEYS)
def test_encode_strings_agrees_with_dict(keys: list[str]) -> None:
    want_codes, want_uniques = encode_python(keys)
    codes, uniques = COMPARISONS["encode_strings"]["numba"](keys)
    np.testing.assert_array_equal(codes, want_codes)
    assert uniques == want_uniques


@given(keys=STRING_KEYS, cuts=st.lists(st.integers(0, 200), max_size=5))
def test_strings_grow_across_calls(keys: list[str], cuts: list[int]) -> None:
    """Encoding in chunks, through growth of every array, equals encoding at once."""
    bounds = [0, *sorted(min(c, len(keys)) for c in cuts), len(keys)]
    table = hashing.new_table(0)
    data, offsets, n = np.empty(0, np.uint8), np.zeros(1, np.int64), 0
    parts = []
    for lo, hi in itertools.pairwise(bounds):
        chunk_data, chunk_offsets = utf8(keys[lo:hi])
        codes, table, data, offsets, n = hashing.encode_strings(
            chunk_data, chunk_offsets, table, data, offsets, n
        )
        parts.append(codes)
    want_codes, want_uniques = encode_python(keys)
    np.testing.assert_array_equal(np.concatenate([np.empty(0, np.int64), *parts]), want_codes)
    assert n == len(want_uniques)


def test_int32_offsets_read_in_place() -> None:
    data, offsets = utf8(["x", "yy", "x", "zzz", "yy"])
    narrow = offsets.astype(np.int32)
    narrow.flags.writeable = False
    codes, *_ = hashing.encode_strings(
        data, narrow, hashing.new_table(0), np.empty(0, np.uint8), np.zeros(1, np.int64), 0
    )
    assert codes.tolist() == [0, 1, 0, 2, 1]


@given(strings=st.lists(st.text(), min_size=1, max_size=50))
def test_utf8_round_trip(strings: list[str]) -> None:
    """numpy ``str_`` -> UTF-8 -> fixed-width code points is the identity (NULs trail off)."""
    array = np.array(strings, dtype=str)
    width = array.dtype.itemsize // 4
    units = np.ascontiguousarray(array).view(np.uint32)
    units.flags.writeable = False
    data, offsets = hashing.utf8_from_utf32(units, width)
    assert data.tobytes() == "".join(array.tolist()).encode()
    back, back_width = hashing.utf32_from_utf8(data, offsets, len(strings))
    np.testing.assert_array_equal(back.view(f"<U{back_width}"), array)
