"""Simulated product reviews for a simulated transaction log, with known product qualities."""

from __future__ import annotations

import numpy as np

from ecomstrat._validation import check_count, check_positive, check_unit_interval, invalid
from ecomstrat.datasets.simulate import Simulation
from ecomstrat.frames.reviews import Reviews

__all__ = ["product_qualities", "simulate_reviews"]


def product_qualities(n_products: int, *, seed: int | None = 0) -> np.ndarray:
    """The latent mean rating of each product that :func:`simulate_reviews` draws with ``seed``.

    ``Normal(3.9, 0.6)`` clipped to [1.5, 4.9], product ``p`` at position ``p``.

    Examples
    --------
    >>> q = product_qualities(4, seed=1)
    >>> q.shape, bool(((q >= 1.5) & (q <= 4.9)).all())
    ((4,), True)
    """
    n = check_count("n_products", n_products, minimum=1)
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(3.9, 0.6, n), 1.5, 4.9)


def simulate_reviews(
    simulation: Simulation,
    *,
    n_products: int = 50,
    review_probability: float = 0.2,
    popularity_exponent: float = 0.8,
    answer_negative_probability: float = 0.7,
    answer_positive_probability: float = 0.2,
    mean_answer_hours: float = 36.0,
    seed: int | None = 0,
) -> Reviews:
    """Reviews of the orders of ``simulation.log``: who, which product, how many stars, answers.

    Each order is reviewed with probability ``review_probability``, by its customer, about one
    product drawn with Zipf-like popularity (product ``p`` has weight
    ``(p + 1) ** -popularity_exponent``), an exponential time after the order (mean 7 days).
    Its stars are the product's latent quality (:func:`product_qualities`) plus
    ``Normal(0, 1)`` noise, rounded and clipped to 1..5. The merchant answers a negative
    (1–2 star) review with probability ``answer_negative_probability`` and any other with
    ``answer_positive_probability``, an exponential time later (mean ``mean_answer_hours``).
    The same arguments give the same reviews.

    Parameters
    ----------
    simulation : Simulation
        From :func:`~ecomstrat.datasets.simulate_transactions`; its customer ids are used.
    n_products : int, default 50
        Products, with ids ``0..n_products-1`` (>= 1).
    review_probability : float, default 0.2
        Share of orders reviewed, in [0, 1].
    popularity_exponent : float, default 0.8
        Zipf exponent of product popularity (>= 0; 0: uniform).
    answer_negative_probability, answer_positive_probability : float
        Probabilities that the merchant answers a negative / other review, in [0, 1].
    mean_answer_hours : float, default 36
        Mean time to an answer (> 0).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (qualities use the same seed).

    Returns
    -------
    Reviews
        With customer ids and answer times, on the 1–5 scale.

    Raises
    ------
    InvalidInputError
        If an argument is out of range, or no order gets a review (raise
        ``review_probability``).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sim = simulate_transactions(300, seed=2)
    >>> reviews = simulate_reviews(sim, n_products=10, seed=2)
    >>> reviews.n_products <= 10, reviews.scale, reviews.customer_ids is not None
    (True, (1, 5), True)
    >>> reviews.n_reviews == simulate_reviews(sim, n_products=10, seed=2).n_reviews
    True
    """
    if not isinstance(simulation, Simulation):
        raise invalid("simulation", f"<{type(simulation).__name__}>", "must be a Simulation",
                      "Use ecomstrat.datasets.simulate_transactions.")  # fmt: skip
    n_products = check_count("n_products", n_products, minimum=1)
    share = check_unit_interval("review_probability", review_probability)
    answer_bad = check_unit_interval("answer_negative_probability", answer_negative_probability)
    answer_good = check_unit_interval("answer_positive_probability", answer_positive_probability)
    mean_hours = check_positive("mean_answer_hours", mean_answer_hours)
    if not popularity_exponent >= 0 or not np.isfinite(popularity_exponent):
        raise invalid("popularity_exponent", popularity_exponent, "must be finite and >= 0")
    quality = product_qualities(n_products, seed=seed)
    rng = np.random.default_rng(None if seed is None else [seed, 17])
    log = simulation.log
    reviewed = np.flatnonzero(rng.random(log.n_transactions) < share)
    if reviewed.size == 0:
        raise invalid("review_probability", share, "left no order reviewed",
                      "Raise it, or simulate more customers.")  # fmt: skip
    weights = (np.arange(n_products) + 1.0) ** -popularity_exponent
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    products = np.searchsorted(cdf, rng.random(reviewed.size), side="right").astype(np.int64)
    hour = np.timedelta64(3_600 * 10**9, "ns")
    delay_hours = np.round(rng.exponential(7 * 24.0, reviewed.size)).astype(np.int64)
    times = log.times[reviewed] + delay_hours * hour
    stars = np.clip(np.round(quality[products] + rng.normal(0.0, 1.0, reviewed.size)), 1, 5)
    negative = stars <= 2
    answers = rng.random(reviewed.size) < np.where(negative, answer_bad, answer_good)
    answer_hours = np.round(rng.exponential(mean_hours, reviewed.size)).astype(np.int64)
    answered = np.where(answers, times + answer_hours * hour, np.datetime64("NaT", "ns"))
    return Reviews.from_arrays(
        products,
        stars.astype(np.int64),
        times,
        customer_ids=log.customer_ids[log.customer_index[reviewed]],
        answered=answered,
        timezone=log.timezone,
    )
