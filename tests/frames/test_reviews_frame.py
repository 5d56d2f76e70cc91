"""Reviews frame: factorisation, optional columns, and typed errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.reviews import Reviews


def test_from_arrays_factorises_in_order_of_first_appearance() -> None:
    r = Reviews.from_arrays(
        ["tee", "mug", "tee"], [4, 5, 1], ["2024-01-02", "2024-01-01", "2024-01-03"],
        customer_ids=[7, 8, 7],
    )  # fmt: skip
    assert r.product_ids.tolist() == ["tee", "mug"]
    assert r.product_index.tolist() == [0, 1, 0]
    assert r.customer_ids is not None
    assert r.customer_ids.tolist() == [7, 8]
    assert r.ratings.dtype == np.int64
    assert r.ratings.tolist() == [4, 5, 1]
    assert r.answered is None
    assert r.is_answered.tolist() == [False, False, False]
    assert len(r) == r.n_reviews == 3
    assert r.n_products == 2
    assert list(r.columns()) == ["product_id", "rating", "time", "customer_id"]
    assert "3 reviews, 2 products" in repr(r)


def test_answered_accepts_missing_as_none_nat_nan_or_empty() -> None:
    r = Reviews.from_arrays(
        ["a"] * 4, [1, 2, 3, 4], ["2024-01-01"] * 4,
        answered=[None, float("nan"), "", "2024-01-02T06:00"],
    )  # fmt: skip
    assert r.is_answered.tolist() == [False, False, False, True]
    assert r.answered is not None
    assert str(r.answered[3]) == "2024-01-02T06:00:00.000000000"
    stamps = np.array(["NaT", "2024-01-03"], dtype="datetime64[s]")
    r2 = Reviews.from_arrays(["a", "b"], [5, 5], ["2024-01-01", "2024-01-01"], answered=stamps)
    assert r2.is_answered.tolist() == [False, True]


def test_arrays_are_read_only_and_input_untouched() -> None:
    ratings = np.array([5.0, 3.0])
    r = Reviews.from_arrays(["a", "b"], ratings, ["2024-01-01", "2024-01-02"])
    with pytest.raises(ValueError):
        r.ratings[0] = 1
    assert ratings.tolist() == [5.0, 3.0]


def test_other_scales() -> None:
    r = Reviews.from_arrays(["a", "a"], [0, 10], ["2024-01-01", "2024-01-01"], scale=(0, 10))
    assert r.scale == (0, 10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ratings": [5, 6]}, r"ratings\[1\]=6.0 is invalid: must be a whole number from 1 to 5"),
        ({"ratings": [4.5, 3]}, r"ratings\[0\]"),
        ({"ratings": [float("nan"), 3]}, r"ratings\[0\]"),
        ({"ratings": [5]}, "same length|length"),
        ({"times": ["2024-01-01", None]}, r"times\[1\]"),
        ({"scale": (5, 1)}, "lowest < highest"),
        ({"scale": 5}, "pair"),
        ({"answered": ["2023-12-31", None]}, r"answered\[0\].*before the review"),
        ({"answered": [None]}, "length"),
        ({"customer_ids": ["x"]}, "length"),
        ({"timezone": "CET"}, "timezone"),
    ],
)
def test_bad_input_raises_typed_error_naming_argument(
    kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {
        "product_ids": ["a", "b"],
        "ratings": [5, 3],
        "times": ["2024-01-01", "2024-01-02"],
    }
    args.update(kwargs)
    positional = [args.pop(k) for k in ("product_ids", "ratings", "times")]
    with pytest.raises(InvalidInputError, match=match):
        Reviews.from_arrays(*positional, **args)  # type: ignore[arg-type]


def test_empty_reviews_raise() -> None:
    with pytest.raises(EmptyInputError):
        Reviews.from_arrays([], [], [])


def test_constructor_checks_codes() -> None:
    times = np.array(["2024-01-01"], dtype="datetime64[ns]")
    with pytest.raises(InvalidInputError, match="product_index"):
        Reviews(np.array([1]), np.array(["a"]), np.array([5]), times)
    with pytest.raises(InvalidInputError, match="customer_index"):
        Reviews(np.array([0]), np.array(["a"]), np.array([5]), times, np.array([0]), None)
