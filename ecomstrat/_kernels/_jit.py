"""The one place where numba options are chosen, and how kernels run on several cores.

``cache=True`` stores compiled machine code next to the source (or in ``NUMBA_CACHE_DIR``) so the
compile cost is paid once per machine, not once per process. ``fastmath`` is never enabled: the
kernels must see NaN and inf exactly as IEEE 754 defines them.

There is no ``parallel=True``: numba's parallel compilation of a kernel costs 3–4 times its serial
compilation (on 2 cores, 0.4–2 s more per kernel, and every kernel needed both versions), which
made the first run in a fresh environment take over a minute. Instead, every kernel is compiled
once, serially, with ``nogil=True``, and takes a range of items; the parallel wrappers run
contiguous blocks of that range on a small thread pool (:func:`in_blocks`). Results do not
depend on the number of threads or blocks: every item is computed the same way wherever it
falls, and reductions go through fixed chunks whose sums are added in a fixed order.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import DTypeLike, NDArray

_F = TypeVar("_F", bound=Callable[..., Any])
_R = TypeVar("_R")

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False}


def jit(func: _F) -> _F:
    """Compile a kernel (lazily, on its first call; cached on disk)."""
    return numba.njit(**_OPTIONS)(func)  # type: ignore[no-any-return]


def threads() -> int:
    """Threads of the parallel wrappers: ``NUMBA_NUM_THREADS`` (default: the usable cores)."""
    return max(1, int(numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]


#: Blocks per thread in :func:`in_blocks` (a few, so that a busy core delays only its own).
BLOCKS_PER_THREAD = 4

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The shared pool (made again in a forked child, whose copy has no threads)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            workers = max(1, threads() - 1)  # the calling thread runs one block itself
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="ecomstrat-kernel")
            _pool_pid = os.getpid()
        return _pool


def over_range(work: Callable[[int, int], object], n: int, parallel: bool) -> None:
    """``work(0, n)``, or :func:`in_blocks` when ``parallel`` (a wrapper's two paths)."""
    if parallel:
        in_blocks(work, n)
    else:
        work(0, n)


def in_blocks(work: Callable[[int, int], _R], n: int) -> list[_R]:
    """``[work(lo, hi) for each block]`` over contiguous blocks of ``range(n)``, on threads.

    ``range(n)`` is cut into :data:`BLOCKS_PER_THREAD` blocks per thread, which the threads
    (the calling one included) take in turn until none is left: when another process holds a
    core, the other threads take over its share instead of waiting for it. ``work`` must be a
    call of a ``nogil`` kernel that writes only its own block; the results come in block order.
    """
    workers = threads()
    blocks = min(n, BLOCKS_PER_THREAD * workers)
    if workers == 1 or blocks <= 1:
        return [work(0, n)]
    bounds = [n * i // blocks for i in range(blocks + 1)]
    results: list[Any] = [None] * blocks
    turns = itertools.count()  # next() is atomic: every block is taken exactly once

    def take_turns() -> None:
        while (i := next(turns)) < blocks:
            results[i] = work(bounds[i], bounds[i + 1])

    pool = _executor()
    helpers = [pool.submit(take_turns) for _ in range(min(workers, blocks) - 1)]
    take_turns()
    for helper in helpers:
        helper.result()
    return results


def frozen(array: Any, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """``array`` as a read-only C-contiguous array of ``dtype``; no copy when it already is one.

    numba compiles one specialisation per array layout and per read-only flag. The wrappers
    pass every input array through this, so each kernel has exactly one specialisation: the
    one :func:`ecomstrat.warm_up` compiles (a read-only view of a writeable array is free;
    the frames store read-only arrays anyway).
    """
    out = np.ascontiguousarray(array, dtype=dtype)
    if out.flags.writeable:
        out = out.view()
        out.flags.writeable = False
    return out
