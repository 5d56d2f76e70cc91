"""The one place where numba options are chosen.

``cache=True`` stores compiled machine code next to the source (or in ``NUMBA_CACHE_DIR``) so the
compile cost is paid once per machine, not once per process. ``fastmath`` is never enabled: the
kernels must see NaN and inf exactly as IEEE 754 defines them.
"""

from __future__ import annotations

import types
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


def jit_serial_and_parallel(func: _F) -> tuple[_F, _F]:
    """Compile ``func`` twice: serially (``prange`` runs as ``range``) and in parallel.

    Thread start-up costs more than it saves on small inputs, so wrappers pick the serial
    version below a size threshold. The serial copy gets its own name so that the two
    compilations have separate on-disk cache entries.
    """
    name = f"{func.__name__}_serial"
    copy = types.FunctionType(
        func.__code__, func.__globals__, name, func.__defaults__, func.__closure__
    )
    copy.__qualname__ = f"{func.__qualname__}_serial"
    copy.__doc__ = func.__doc__
    return jit(copy), jit_parallel(func)  # type: ignore[return-value]
