"""A worker plugin that compiles (or loads) the numba kernels once, when a worker starts."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ecomstrat._optional import import_optional
from ecomstrat._warmup import warm_up

import_optional("distributed", "dask")  # names the extra to install when it is absent

from distributed.diagnostics.plugin import WorkerPlugin  # noqa: E402

if TYPE_CHECKING:
    from distributed import Worker

__all__ = ["WarmUp"]


class WarmUp(WorkerPlugin):
    """Run :func:`ecomstrat.warm_up` on every worker, once, as it joins the cluster.

    A worker process otherwise compiles each kernel on the first task that needs it (about
    18 s for all of them in a fresh environment, or loads them from numba's on-disk cache in
    about 1 s): register the plugin before submitting work and no task pays that cost.
    Workers started later (adaptive scaling, restarts) warm up as they join. The warm-up
    runs in a thread, so the worker keeps answering the scheduler meanwhile.

    Examples
    --------
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
    >>> client.register_plugin(WarmUp())  # doctest: +SKIP
    """

    name = "ecomstrat-warm-up"

    async def setup(self, worker: Worker) -> None:
        """Warm the kernels up in a thread of the worker's process."""
        await asyncio.to_thread(warm_up)
