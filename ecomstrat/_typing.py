"""Array type aliases shared across the package."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
BoolArray: TypeAlias = NDArray[np.bool_]
DatetimeArray: TypeAlias = NDArray[np.datetime64]
AnyArray: TypeAlias = NDArray[Any]

__all__ = ["AnyArray", "BoolArray", "DatetimeArray", "FloatArray", "IntArray"]
