"""Simulated order lines for a simulated transaction log, with planted product affinities."""

from __future__ import annotations

import numpy as np

from ecomstrat._validation import check_count, check_unit_interval, invalid
from ecomstrat.datasets.simulate import Simulation
from ecomstrat.frames.order_lines import OrderLines

__all__ = ["planted_pairs", "simulate_baskets"]


def planted_pairs(n_planted: int) -> list[tuple[int, int]]:
    """The product pairs :func:`simulate_baskets` plants: ``(0, 1), (2, 3), ...``."""
    return [(2 * i, 2 * i + 1) for i in range(n_planted)]


def simulate_baskets(
    simulation: Simulation,
    *,
    n_products: int = 200,
    mean_basket_size: float = 2.5,
    n_planted: int = 5,
    planted_strength: float = 0.5,
    popularity_exponent: float = 0.8,
    unit_return_rate: float = 0.05,
    seed: int | None = 0,
) -> OrderLines:
    """Order lines for every order of ``simulation.log``, with planted pairs that go together.

    Each order gets ``1 + Poisson(mean_basket_size - 1)`` lines whose products are drawn
    independently with Zipf-like popularity (product ``p`` has weight
    ``(p + 1) ** -popularity_exponent``). Then every line of a planted *anchor* product
    ``2i`` (``i < n_planted``) brings, with probability ``planted_strength``, one more line
    of its *partner* ``2i + 1``: those pairs have lift well above 1 and are what
    :func:`~ecomstrat.metrics.affinity.product_affinity` should find (see
    :func:`planted_pairs`); every other pair is independent (lift about 1). An order may
    repeat a product (counted once in its basket). Quantities are ``1 + Poisson(0.3)``;
    each order's amount is split evenly over its lines. Each line carries its order's time
    and ``Binomial(quantity, unit_return_rate)`` returned units.

    Parameters
    ----------
    simulation : Simulation
        From :func:`~ecomstrat.datasets.simulate_transactions`; order ``j`` (its log's row
        ``j``) gets order id ``j`` and the log's customer.
    n_products : int, default 200
        Products, with ids ``0..n_products-1`` (>= ``2 * n_planted`` and >= 2).
    mean_basket_size : float, default 2.5
        Mean independent lines per order (>= 1), before the planted partners.
    n_planted : int, default 5
        Planted pairs.
    planted_strength : float, default 0.5
        Probability that an anchor line brings its partner, in [0, 1].
    popularity_exponent : float, default 0.8
        Zipf exponent of the product popularity (>= 0; 0: uniform).
    unit_return_rate : float, default 0.05
        Probability that a unit sold is returned, in [0, 1].
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    OrderLines
        With customer ids, amounts, order times and returned units.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> lines = simulate_baskets(simulate_transactions(200, seed=1), n_products=20, seed=1)
    >>> lines.n_orders == simulate_transactions(200, seed=1).log.n_transactions
    True
    >>> lines.n_products <= 20, lines.n_lines > lines.n_orders
    (True, True)
    """
    if not isinstance(simulation, Simulation):
        raise invalid(
            "simulation",
            f"<{type(simulation).__name__}>",
            "must be a Simulation",
            "Use ecomstrat.datasets.simulate_transactions.",
        )
    n_products = check_count("n_products", n_products, minimum=2)
    n_planted = check_count("n_planted", n_planted)
    if 2 * n_planted > n_products:
        raise invalid("n_planted", n_planted, f"must be <= n_products / 2 ({n_products // 2})")
    if not mean_basket_size >= 1 or not np.isfinite(mean_basket_size):
        raise invalid("mean_basket_size", mean_basket_size, "must be a finite number >= 1")
    if not popularity_exponent >= 0 or not np.isfinite(popularity_exponent):
        raise invalid("popularity_exponent", popularity_exponent, "must be finite and >= 0")
    strength = check_unit_interval("planted_strength", planted_strength)
    return_rate = check_unit_interval("unit_return_rate", unit_return_rate)
    rng = np.random.default_rng(seed)
    log = simulation.log
    n_orders = log.n_transactions
    sizes = 1 + rng.poisson(mean_basket_size - 1.0, n_orders)
    weights = (np.arange(n_products) + 1.0) ** -popularity_exponent
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    orders = np.repeat(np.arange(n_orders, dtype=np.int64), sizes)
    products = np.searchsorted(cdf, rng.random(orders.size), side="right").astype(np.int64)
    anchor = (products < 2 * n_planted) & (products % 2 == 0)
    brings = anchor & (rng.random(orders.size) < strength)
    orders = np.concatenate([orders, orders[brings]])
    products = np.concatenate([products, products[brings] + 1])
    per_order = np.bincount(orders, minlength=n_orders)
    amounts = log.amounts[orders] / per_order[orders]
    quantities = 1.0 + rng.poisson(0.3, orders.size)
    returned = rng.binomial(quantities.astype(np.int64), return_rate).astype(np.float64)
    return OrderLines.from_arrays(
        orders,
        products,
        quantities=quantities,
        amounts=amounts,
        customer_ids=log.customer_ids[log.customer_index[orders]],
        times=log.times[orders],
        returned_quantities=returned,
    )
