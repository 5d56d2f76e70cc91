"""Report part on baskets: the strongest product affinities and next-best-product coverage.

:func:`baskets_overview` computes :func:`~ecomstrat.metrics.affinity.product_affinity` and
:func:`~ecomstrat.metrics.affinity.next_best_products` of order lines;
:class:`BasketsOverview` formats them as two :class:`~ecomstrat.report.Section` objects (the
report pipeline adds it as a part when order lines are given).
"""

from __future__ import annotations

from typing import Any

import attrs

from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.metrics.affinity import (
    NextBestProducts,
    ProductAffinity,
    next_best_products,
    product_affinity,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["BasketsOverview", "baskets_overview", "coverage_section", "top_rules_section"]


@attrs.frozen(eq=False)
class BasketsOverview:
    """Product affinity rules of the baskets and each customer's next-best products.

    ``next_best`` is None when the order lines have no customer ids.
    """

    affinity: ProductAffinity
    next_best: NextBestProducts | None
    n_lines: int
    n_top: int = 10

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        nb = self.next_best
        return {
            "lines": self.n_lines,
            "baskets": self.affinity.n_baskets,
            "products": len(self.affinity.product_ids),
            "rules": self.affinity.n_rules,
            "min_support": self.affinity.min_support,
            "min_count": self.affinity.min_count,
            "top_rules": fmt.json_columns(self.affinity.top(self.n_top)),
            "next_best": None
            if nb is None
            else {"customers": nb.n_customers, "covered": nb.n_covered, "k": nb.k},
        }

    def sections(self) -> list[Section]:
        """The top rules by lift, then the next-best coverage (when there are customers)."""
        out = [top_rules_section(self.affinity, k=self.n_top)]
        if self.next_best is not None:
            out.append(coverage_section(self.next_best))
        return out


def baskets_overview(
    lines: OrderLines,
    *,
    min_support: float = 0.001,
    min_count: int = 2,
    k: int = 3,
    n_top: int = 10,
) -> BasketsOverview:
    """Compute the baskets part of the report (arguments as in the affinity metrics).

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 1, 2, 2, 3, 4, 4, 5], ["A", "B", "A", "B", "A", "B", "C", "C"],
    ...     customer_ids=["x", "x", "y", "y", "z", "w", "w", "v"],
    ... )
    >>> part = baskets_overview(lines, min_support=0.2)
    >>> part.to_dict()["rules"], part.to_dict()["next_best"]
    (2, {'customers': 5, 'covered': 2, 'k': 3})
    >>> [s.title for s in part.sections()]
    ['Product affinity (top rules by lift)', 'Next-best products']
    """
    affinity = product_affinity(lines, min_support=min_support, min_count=min_count)
    nb = None
    if lines.customer_ids is not None:
        nb = next_best_products(lines, affinity, k=k)
    return BasketsOverview(affinity, nb, lines.n_lines, n_top)


def top_rules_section(affinity: ProductAffinity, *, k: int = 10) -> Section:
    """The ``k`` rules of highest lift: support, confidence, lift, baskets and p-value."""
    top = affinity.top(k)
    rows = [
        [
            str(top["antecedent"][i]),
            str(top["consequent"][i]),
            fmt.share(float(top["support"][i])),
            fmt.share(float(top["confidence"][i])),
            fmt.number(float(top["lift"][i])),
            fmt.count(int(top["count"][i])),
            fmt.p_value(float(top["p_value"][i])),
        ]
        for i in range(len(top["count"]))
    ]
    notes = [
        f"{fmt.count(affinity.n_baskets)} baskets, {fmt.count(affinity.n_rules)} rules with"
        f" support >= {affinity.min_support:g} and >= {affinity.min_count} baskets.",
        "Lift = support(A and B) / (support(A) x support(B)); p-value: one-sided Fisher"
        " exact test of lift > 1.",
    ]
    return Section(
        "Product affinity (top rules by lift)",
        rows,
        header=["if bought", "then", "support", "confidence", "lift", "baskets", "p-value"],
        notes=notes,
    )


def coverage_section(next_best: NextBestProducts) -> Section:
    """How many customers got a next-best offer, and how many offers by rank."""
    rows = [
        ["customers", fmt.count(next_best.n_customers)],
        ["with at least one offer", fmt.count(next_best.n_covered)],
        ["coverage", fmt.MISSING if next_best.n_customers == 0 else fmt.share(next_best.coverage)],
    ]
    rows.extend(
        [f"offers of rank {rank}", fmt.count(int((next_best.ranks == rank).sum()))]
        for rank in range(1, next_best.k + 1)
    )
    notes = [
        "Each customer's highest-confidence products among positive rules (lift > 1) from"
        " what they bought, excluding products already bought."
    ]
    return Section("Next-best products", rows, notes=notes)
