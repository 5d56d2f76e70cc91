"""IdIndex numbers ids by first appearance, incrementally, for every id form it accepts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._arrays import factorize, frozen_view, unique_ids
from ecomstrat.frames._ids import IdIndex
from tests.reference.hashing import encode_python

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

IDS = st.one_of(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=200),
    st.lists(st.integers(0, 40), min_size=1, max_size=200),  # compact: direct addressing
    st.lists(st.integers(10**15, 10**15 + 5), min_size=1, max_size=200),
    st.lists(st.text(max_size=12).filter(lambda s: not s.endswith("\0")), min_size=1, max_size=200),
)
FORMS = ["numpy", "object", "arrow", "large_arrow", "chunked", "polars"]


def as_form(ids: list, form: str) -> object:
    if form == "numpy":
        return np.array(ids)
    if form == "object":
        return np.array(ids, dtype=object)
    if form == "arrow":
        return pa.array(ids)
    if form == "large_arrow":
        return pa.array(ids, pa.large_string() if isinstance(ids[0], str) else pa.int64())
    if form == "chunked":
        whole = pa.array(ids)
        return pa.chunked_array([whole.slice(0, len(ids) // 2), whole.slice(len(ids) // 2)])
    return pl.Series(ids)


@pytest.mark.parametrize("form", FORMS)
@given(ids=IDS)
def test_codes_are_first_appearance(form: str, ids: list) -> None:
    codes = IdIndex().encode(as_form(ids, form))
    want, uniques = encode_python(ids)
    np.testing.assert_array_equal(codes, want)
    index = IdIndex()
    index.encode(as_form(ids, form))
    assert index.uniques().tolist() == uniques
    assert len(index) == len(uniques)
    assert index.uniques()[codes].tolist() == ids


@given(ids=IDS, cuts=st.lists(st.integers(0, 200), max_size=6), data=st.data())
def test_incremental_equals_one_shot(ids: list, cuts: list[int], data: st.DataObject) -> None:
    """Chunks in any forms give the codes and uniques of one call over all the ids."""
    bounds = [0, *sorted(min(c, len(ids)) for c in cuts), len(ids)]
    index = IdIndex()
    parts = []
    for lo, hi in itertools.pairwise(bounds):
        form = data.draw(st.sampled_from(["numpy", "arrow", "polars"]))
        chunk = ids[lo:hi]
        parts.append(index.encode(as_form(chunk, form) if chunk else np.array([], np.int64)))
    codes, uniques = factorize("customer_ids", np.array(ids))
    np.testing.assert_array_equal(np.concatenate(parts), codes)
    np.testing.assert_array_equal(index.uniques(), uniques)


def test_integer_dtypes_are_kept() -> None:
    codes, uniques = factorize("ids", np.array([7, 3, 7], dtype=np.int32))
    assert codes.dtype == np.int64
    assert uniques.dtype == np.int32
    assert uniques.tolist() == [7, 3]
    big = np.array([2**64 - 1, 5, 2**64 - 1], dtype=np.uint64)
    codes, uniques = factorize("ids", big)
    assert codes.tolist() == [0, 1, 0]
    assert uniques.dtype == np.uint64
    assert uniques.tolist() == [2**64 - 1, 5]


def test_dictionary_and_categorical_ids_are_decoded() -> None:
    dictionary = pa.array(["b", "a", "b"]).dictionary_encode()
    assert IdIndex().encode(dictionary).tolist() == [0, 1, 0]
    categorical = pl.Series(["b", "a", "b"], dtype=pl.Categorical)
    index = IdIndex()
    assert index.encode(categorical).tolist() == [0, 1, 0]
    assert index.uniques().tolist() == ["b", "a"]


def test_sliced_arrow_array_reads_its_own_rows() -> None:
    sliced = pa.array(["x", "y", "z", "y", "w"]).slice(1, 3)
    index = IdIndex()
    assert index.encode(sliced).tolist() == [0, 1, 0]
    assert index.uniques().tolist() == ["y", "z"]


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (np.array([1.0, 2.0]), "ids='array of dtype float64' is invalid: customer ids must be"),
        (np.array([True, False]), "ids='<array of bool>' is invalid"),
        (np.array(["a", None], dtype=object), "ids[1]=None is invalid: is missing"),
        (np.array(["a", float("nan")], dtype=object), "ids[1]=nan is invalid: is missing"),
        (np.array(["a", 1], dtype=object), "ids='mixed types' is invalid"),
        (pa.array(["a", None]), "ids[1]=None is invalid: is missing"),
        (pa.array([1.5]), "ids='<double>' is invalid: customer ids must be integers or strings"),
        (pl.Series([1, None]), "ids[1]=None is invalid: is missing"),
        (pl.Series([1.5]), "ids='<Float64>' is invalid"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "customer ids must be integers"),
    ],
)
def test_invalid_ids_raise(ids: object, message: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        IdIndex("ids").encode(ids)
    assert message in str(error.value)


def test_int_then_str_is_refused() -> None:
    index = IdIndex("ids")
    index.encode(np.array([1, 2]))
    with pytest.raises(InvalidInputError, match="mixed types"):
        index.encode(pa.array(["a"]))
    assert index.uniques().tolist() == [1, 2]


def test_uint64_with_signed_ids_is_refused() -> None:
    index = IdIndex("ids")
    index.encode(np.array([2**63], dtype=np.uint64))
    with pytest.raises(InvalidInputError, match="share one dtype"):
        index.encode(np.array([-1]))


def test_unique_ids_trusts_only_elements_of_factorized_ids() -> None:
    """factorize's uniques (and slices of them) are distinct; copies and broadcasts are checked."""
    _, uniques = factorize("ids", np.array(["b", "a", "b", "c"]))
    unique_ids("ids", uniques)
    unique_ids("ids", frozen_view(uniques)[::-1])
    with pytest.raises(InvalidInputError, match=r"ids='b' is invalid: is duplicated"):
        unique_ids("ids", uniques[[0, 2, 0]])
    with pytest.raises(InvalidInputError, match="is duplicated"):
        unique_ids("ids", np.broadcast_to(uniques[1:2], 2))
    with pytest.raises(InvalidInputError, match=r"ids=7 is invalid: is duplicated"):
        unique_ids("ids", np.array([3, 7, 5, 7]))
