"""Product affinity (association rules of pairs) and per-customer next-best products.

:func:`product_affinity` counts, over the baskets of :class:`~ecomstrat.OrderLines` (each
order's distinct products), how many orders hold each product and each pair, with the numba
kernels of :mod:`ecomstrat._kernels.affinity`, and turns every frequent pair into two rules
``A -> B`` and ``B -> A``. :func:`next_best_products` offers each customer the products with
the strongest rules from what they bought, among those they have not bought.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_count, check_unit_interval, invalid
from ecomstrat.frames._arrays import as_ids, freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.order_lines import OrderLines

__all__ = ["NextBestProducts", "ProductAffinity", "next_best_products", "product_affinity"]


@attrs.frozen(eq=False, repr=False)
class ProductAffinity(Tabular):
    """Association rules ``antecedent -> consequent`` between pairs of products.

    One row per rule; both directions of every pair that passed the filters, sorted by
    antecedent then consequent code. With ``N`` baskets (orders), ``n_A`` of them holding A,
    ``n_B`` holding B and ``n_AB`` holding both:

    - ``support = n_AB / N``; ``confidence = n_AB / n_A`` (estimated P(B | A));
    - ``lift = N n_AB / (n_A n_B)`` (symmetric: the same for ``A -> B`` and ``B -> A``);
    - ``p_value``: one-sided Fisher exact test of lift > 1, ``P(X >= n_AB)`` for
      ``X ~ Hypergeometric(N, n_A, n_B)`` (symmetric too).

    Parameters
    ----------
    antecedents, consequents : ndarray of int64
        Product codes (positions in ``product_ids``).
    counts : ndarray of int64
        ``n_AB``: orders holding both.
    antecedent_counts, consequent_counts : ndarray of int64
        ``n_A`` and ``n_B``.
    p_values : ndarray of float64
    product_ids : ndarray
        The distinct products of the order lines.
    item_counts : ndarray of int64
        Orders holding each product.
    n_baskets : int
        ``N``.
    min_support : float
    min_count : int
        The filters applied.
    """

    antecedents: IntArray
    consequents: IntArray
    counts: IntArray
    antecedent_counts: IntArray
    consequent_counts: IntArray
    p_values: FloatArray
    product_ids: AnyArray
    item_counts: IntArray
    n_baskets: int
    min_support: float
    min_count: int

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def n_rules(self) -> int:
        """Number of rules (two per pair)."""
        return int(self.antecedents.shape[0])

    def __len__(self) -> int:
        return self.n_rules

    def __repr__(self) -> str:
        return (
            f"ProductAffinity({self.n_rules} rules, {self.n_baskets} baskets,"
            f" {len(self.product_ids)} products, min_support={self.min_support})"
        )

    @property
    def support(self) -> FloatArray:
        """Share of baskets holding both products."""
        return self.counts / float(self.n_baskets)

    @property
    def confidence(self) -> FloatArray:
        """Share of the antecedent's baskets that also hold the consequent."""
        return self.counts / self.antecedent_counts.astype(np.float64)

    @property
    def lift(self) -> FloatArray:
        """Confidence over the consequent's support: > 1 when they go together more than chance."""
        expected = self.antecedent_counts * (self.consequent_counts / float(self.n_baskets))
        return self.counts / expected

    def columns(self) -> dict[str, AnyArray]:
        """One row per rule, with the original product ids.

        Columns ``antecedent``, ``consequent``, ``support``, ``confidence``, ``lift``,
        ``count``, ``p_value``, ``antecedent_support``, ``consequent_support``.
        """
        n = float(self.n_baskets)
        return {
            "antecedent": self.product_ids[self.antecedents],
            "consequent": self.product_ids[self.consequents],
            "support": self.support,
            "confidence": self.confidence,
            "lift": self.lift,
            "count": self.counts,
            "p_value": self.p_values,
            "antecedent_support": self.antecedent_counts / n,
            "consequent_support": self.consequent_counts / n,
        }

    def top(self, k: int = 10, *, by: str = "lift") -> dict[str, AnyArray]:
        """The ``k`` rules with the largest ``by`` column (ties: more baskets first), as columns."""
        table = self.columns()
        if by not in table or table[by].dtype.kind != "f":
            raise invalid("by", by, "must be one of 'support', 'confidence', 'lift'")
        order = np.lexsort((-self.counts, -table[by]))[: check_count("k", k)]
        return {name: values[order] for name, values in table.items()}


def product_affinity(
    lines: OrderLines,
    *,
    min_support: float = 0.001,
    min_count: int = 2,
    parallel: bool = True,
) -> ProductAffinity:
    """Pairwise association rules (support, confidence, lift, Fisher p-value) of the baskets.

    Each order is one basket: the set of its distinct products (a product on two lines of an
    order counts once). Pairs are kept when ``n_AB / N >= min_support`` and
    ``n_AB >= min_count``; each kept pair gives the rules ``A -> B`` and ``B -> A``.

    Parameters
    ----------
    lines : OrderLines
        The order lines.
    min_support : float, default 0.001
        Smallest pair support kept, in [0, 1].
    min_count : int, default 2
        Smallest number of baskets holding the pair (>= 1).
    parallel : bool, default True
        Count pairs over blocks of orders on several threads.

    Returns
    -------
    ProductAffinity

    Notes
    -----
    Support, confidence and lift as defined by Agrawal, Imieliński & Swami (1993), "Mining
    association rules between sets of items in large databases", and Brin, Motwani, Ullman &
    Tsur (1997), "Dynamic itemset counting and implication rules for market basket data"
    (lift, there called interest). The significance of a lift above 1 is the one-sided
    Fisher exact test of the 2×2 table of baskets (with/without A × with/without B): under
    independence ``n_AB`` is hypergeometric with population ``N``, ``n_A`` successes and
    ``n_B`` draws, so ``p = P(X >= n_AB)`` (equal to ``scipy.stats.hypergeom.sf(n_AB - 1, N,
    n_A, n_B)``, summed by :func:`ecomstrat._kernels.affinity.fisher_greater`), as in
    Hahsler et al.'s *arules* (``interestMeasure(..., "fishersExactTest")``). With thousands
    of rules, correct for multiple testing (e.g. keep ``p < 0.05 / n_rules``).

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 1, 2, 2, 3, 4, 4, 5], ["A", "B", "A", "B", "A", "B", "C", "C"]
    ... )
    >>> rules = product_affinity(lines, min_support=0.2, min_count=2)
    >>> t = rules.columns()
    >>> t["antecedent"].tolist(), t["consequent"].tolist()
    (['A', 'B'], ['B', 'A'])
    >>> t["confidence"].round(4).tolist(), t["lift"].round(4).tolist()
    ([0.6667, 0.6667], [1.1111, 1.1111])
    """
    from ecomstrat._kernels import affinity as kernel
    from ecomstrat._kernels._jit import frozen

    if not isinstance(lines, OrderLines):
        raise invalid(
            "lines",
            f"<{type(lines).__name__}>",
            "must be OrderLines",
            "Build them with OrderLines.from_arrays or ecomstrat.io.",
        )
    min_support = check_unit_interval("min_support", min_support)
    min_count = check_count("min_count", min_count, minimum=1)
    offsets, items = kernel.baskets(
        frozen(lines.order_index, np.int64), frozen(lines.product_index, np.int64), lines.n_orders
    )
    n_products = lines.n_products
    item_counts = kernel.item_supports(frozen(items, np.int64), n_products)
    first, second, counts = kernel.pair_supports(offsets, items, n_products, parallel=parallel)
    n = lines.n_orders
    keep = (counts >= min_count) & (counts >= min_support * n)
    first, second, counts = first[keep], second[keep], counts[keep]
    antecedents = np.concatenate([first, second])
    consequents = np.concatenate([second, first])
    both = np.concatenate([counts, counts])
    order = np.lexsort((consequents, antecedents))
    antecedents, consequents, both = antecedents[order], consequents[order], both[order]
    n_a = item_counts[antecedents]
    n_b = item_counts[consequents]
    p_values = kernel.fisher_greater(
        frozen(both, np.int64), frozen(n_a, np.int64), frozen(n_b, np.int64), n
    )
    return ProductAffinity(
        antecedents,
        consequents,
        both,
        n_a,
        n_b,
        np.clip(p_values, 0.0, 1.0),
        lines.product_ids,
        item_counts,
        n,
        min_support,
        min_count,
    )


@attrs.frozen(eq=False, repr=False)
class NextBestProducts(Tabular):
    """Each customer's top products to offer next, one row per (customer, rank).

    Parameters
    ----------
    customer_ids : ndarray
        The customer of each row (customers without any offer have no row).
    ranks : ndarray of int64
        1 for the best offer of the customer, 2 for the next…
    products : ndarray of int64
        Product codes (positions in ``product_ids``).
    confidences, lifts : ndarray of float64
        Of the strongest rule ``A -> product`` from a product A the customer bought.
    product_ids : ndarray
    n_customers : int
        Customers considered (with or without an offer).
    k : int
        Offers asked per customer.
    """

    _pandas_index: ClassVar[str | None] = None

    customer_ids: AnyArray
    ranks: IntArray
    products: IntArray
    confidences: FloatArray
    lifts: FloatArray
    product_ids: AnyArray
    n_customers: int
    k: int

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.ranks.shape[0])

    def __repr__(self) -> str:
        return (
            f"NextBestProducts({len(self)} offers to {self.n_covered} of"
            f" {self.n_customers} customers, k={self.k})"
        )

    @property
    def n_covered(self) -> int:
        """Customers with at least one offer."""
        return int((self.ranks == 1).sum())

    @property
    def coverage(self) -> float:
        """Share of the customers considered who got at least one offer."""
        return self.n_covered / self.n_customers if self.n_customers else float("nan")

    def by_customer(self) -> dict[Any, tuple[Any, ...]]:
        """``{customer id: (product ids, best first)}`` for the customers with an offer."""
        out: dict[Any, list[Any]] = {}
        products = self.product_ids[self.products].tolist()
        for customer, product in zip(self.customer_ids.tolist(), products, strict=True):
            out.setdefault(customer, []).append(product)
        return {c: tuple(p) for c, p in out.items()}

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, ``rank``, ``product_id``, ``confidence``, ``lift``."""
        return {
            "customer_id": self.customer_ids,
            "rank": self.ranks,
            "product_id": self.product_ids[self.products],
            "confidence": self.confidences,
            "lift": self.lifts,
        }


def next_best_products(
    lines: OrderLines,
    affinity: ProductAffinity,
    *,
    customers: Sequence[Any] | AnyArray | None = None,
    k: int = 3,
) -> NextBestProducts:
    """Each customer's ``k`` highest-affinity products among those they have not bought.

    A candidate ``B`` scores the strongest rule ``A -> B`` whose antecedent ``A`` the customer
    bought, among rules with lift > 1 (positive association): by confidence (the estimated
    chance that a basket with ``A`` holds ``B``), ties broken by lift, then by product code.

    Parameters
    ----------
    lines : OrderLines
        Order lines with customer ids (what each customer bought).
    affinity : ProductAffinity
        Rules from :func:`product_affinity` (of these lines or of another period's).
    customers : array-like, optional
        The customers to offer to (default: every customer of ``lines``); unknown ids raise.
    k : int, default 3
        Offers per customer (>= 1).

    Returns
    -------
    NextBestProducts

    Notes
    -----
    Item-to-item recommendation from association rules of previous purchases (Linden, Smith
    & York 2003, "Amazon.com recommendations: item-to-item collaborative filtering";
    Sarwar et al. 2000 for rule-based recommenders): the customer's history is the set of
    products on any of their orders.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 1, 2, 2, 3, 4, 4, 5], ["A", "B", "A", "B", "A", "B", "C", "C"],
    ...     customer_ids=["x", "x", "y", "y", "z", "w", "w", "v"],
    ... )
    >>> rules = product_affinity(lines, min_support=0.2, min_count=2)
    >>> best = next_best_products(lines, rules, k=2)
    >>> best.by_customer()
    {'z': ('B',), 'w': ('A',)}
    """
    if lines.customer_index is None or lines.customer_ids is None:
        raise invalid(
            "lines",
            repr(lines),
            "must have customer ids",
            "Pass customer_ids to OrderLines.from_arrays.",
        )
    if not isinstance(affinity, ProductAffinity):
        raise invalid("affinity", f"<{type(affinity).__name__}>", "must be a ProductAffinity")
    k = check_count("k", k, minimum=1)
    n_products = lines.n_products
    # rule products in the lines' product codes (the rules may come from other lines)
    rule_a, rule_b = _recode(affinity, lines)
    positive = (affinity.lift > 1.0) & (rule_a >= 0) & (rule_b >= 0)
    rule_a, rule_b = rule_a[positive], rule_b[positive]
    conf, lift = affinity.confidence[positive], affinity.lift[positive]
    n_customers = lines.n_customers
    chosen = np.ones(n_customers, dtype=bool)
    if customers is not None:
        wanted = as_ids("customers", customers)
        lookup = {c: i for i, c in enumerate(lines.customer_ids.tolist())}
        positions = []
        for j, c in enumerate(wanted.tolist()):
            if c not in lookup:
                raise invalid(f"customers[{j}]", c, "is not a customer of lines")
            positions.append(lookup[c])
        chosen[:] = False
        chosen[np.asarray(positions, dtype=np.int64)] = True
    bought = np.unique(lines.customer_index * n_products + lines.product_index)
    bought = bought[chosen[bought // n_products]]
    # expand: (customer, A) bought x rules A -> B
    by_a = np.argsort(rule_a, kind="stable")
    rule_a, rule_b, conf, lift = rule_a[by_a], rule_b[by_a], conf[by_a], lift[by_a]
    starts = np.searchsorted(rule_a, np.arange(n_products + 1))
    owner, product = bought // n_products, bought % n_products
    sizes = starts[product + 1] - starts[product]
    rows = np.repeat(np.arange(bought.size), sizes)
    within = np.arange(rows.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rule = starts[product][rows] + within
    cand_customer, cand = owner[rows], rule_b[rule]
    key = cand_customer * n_products + cand
    fresh = ~np.isin(key, bought)
    key, c_conf, c_lift = key[fresh], conf[rule][fresh], lift[rule][fresh]
    # best rule per (customer, candidate), then the k best candidates per customer
    order = np.lexsort((-c_lift, -c_conf, key))
    key, c_conf, c_lift = key[order], c_conf[order], c_lift[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, c_conf, c_lift = key[first], c_conf[first], c_lift[first]
    cust, cand = key // n_products, key % n_products
    order = np.lexsort((cand, -c_lift, -c_conf, cust))
    cust, cand, c_conf, c_lift = cust[order], cand[order], c_conf[order], c_lift[order]
    new = np.ones(cust.size, dtype=bool)
    new[1:] = cust[1:] != cust[:-1]
    start_of = np.maximum.accumulate(np.where(new, np.arange(cust.size), 0))
    rank = np.arange(cust.size) - start_of + 1
    top = rank <= k
    return NextBestProducts(
        lines.customer_ids[cust[top]],
        rank[top].astype(np.int64),
        cand[top].astype(np.int64),
        c_conf[top],
        c_lift[top],
        lines.product_ids,
        int(chosen.sum()),
        k,
    )


def _recode(affinity: ProductAffinity, lines: OrderLines) -> tuple[IntArray, IntArray]:
    """The rules' antecedent and consequent as codes of ``lines`` (-1 where not among them)."""
    if affinity.product_ids is lines.product_ids or np.array_equal(
        affinity.product_ids, lines.product_ids
    ):
        return affinity.antecedents, affinity.consequents
    lookup = {p: i for i, p in enumerate(lines.product_ids.tolist())}
    mapping = np.array([lookup.get(p, -1) for p in affinity.product_ids.tolist()], np.int64)
    return mapping[affinity.antecedents], mapping[affinity.consequents]
