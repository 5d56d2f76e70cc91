"""The one place where numba options are chosen.

``cache=True`` stores compiled machine code next to the source (or in ``NUMBA_CACHE_DIR``) so the
compile cost is paid once per machine, not once per process. ``fastmath`` is never enabled: the
kernels must see NaN and inf exactly as IEEE 754 defines them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

_F = TypeVar("_F", bound=Callable[..., Any])

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False}


def jit(func: _F) -> _F:
    """Compile a serial kernel."""
    return numba.njit(**_OPTIONS)(func)  # type: ignore[no-any-return]


def jit_parallel(func: _F) -> _F:
    """Compile a kernel whose outer loop is a ``numba.prange`` over independent items."""
    return numba.njit(parallel=True, **_OPTIONS)(func)  # type: ignore[no-any-return]
