"""Report part on products: the top products with their ABC class, classes, first-product cohorts.

:func:`products_overview` computes :func:`~ecomstrat.metrics.products.product_performance`,
:func:`~ecomstrat.metrics.products.abc_classes` and, when the order lines allow,
:func:`~ecomstrat.metrics.products.product_classes` (times and a margin) and
:func:`~ecomstrat.metrics.products.first_product_cohorts` (times and customer ids);
:class:`ProductsOverview` formats them as :class:`~ecomstrat.report.Section` objects and says
why a piece is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from ecomstrat._validation import check_count
from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.products import (
    AbcClasses,
    FirstProductCohorts,
    ProductClasses,
    ProductPerformance,
    abc_classes,
    first_product_cohorts,
    product_classes,
    product_performance,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["ProductsOverview", "products_overview"]


@attrs.frozen(eq=False)
class ProductsOverview:
    """Product performance, ABC classes, growth classes and first-product cohorts.

    ``classes`` and ``cohorts`` are None when the order lines cannot give them; ``absent``
    says why, per piece.
    """

    performance: ProductPerformance
    abc: AbcClasses
    classes: ProductClasses | None
    cohorts: FirstProductCohorts | None
    absent: dict[str, str] = attrs.field(factory=dict)
    n_top: int = 10
    min_customers: int = 20

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        top = {k: v[: self.n_top] for k, v in self.performance.columns().items()}
        top["abc_class"] = self._abc_of(self.performance.product_ids[: self.n_top])
        return {
            "products": len(self.performance),
            "revenue": self.performance.total_revenue,
            "abc_thresholds": list(self.abc.thresholds),
            "abc_counts": {
                k: {"products": n, "revenue_share": s} for k, (n, s) in self.abc.counts().items()
            },
            "top_products": fmt.json_columns(top),
            "product_classes": None if self.classes is None else self.classes.counts(),
            "first_product_cohorts": None
            if self.cohorts is None
            else fmt.json_columns(self.cohorts.columns()),
            "absent": dict(self.absent),
        }

    def _abc_of(self, product_ids: Any) -> Any:
        where = dict(zip(self.abc.product_ids.tolist(), self.abc.abc_class, strict=True))
        return np.array([where[pid] for pid in product_ids.tolist()])

    def sections(self) -> list[Section]:
        """Top products, ABC classes, then growth classes and cohorts (or why absent)."""
        out = [self._top_section(), self._abc_section()]
        out.append(self._classes_section())
        out.append(self._cohorts_section())
        return out

    def _top_section(self) -> Section:
        perf = self.performance
        k = min(self.n_top, len(perf))
        abc = self._abc_of(perf.product_ids[:k])
        rows = []
        for i in range(k):
            repeat = fmt.MISSING if perf.repeat_rate is None else _rate(perf.repeat_rate[i])
            rows.append(
                [
                    str(perf.product_ids[i]),
                    fmt.number(float(perf.revenue[i])),
                    fmt.share(float(perf.revenue_share[i])),
                    fmt.MISSING if perf.margin is None else fmt.number(float(perf.margin[i])),
                    fmt.number(float(perf.units[i]), 0),
                    _rate(perf.return_rate[i]),
                    fmt.MISSING if perf.customers is None else fmt.count(int(perf.customers[i])),
                    repeat,
                    str(abc[i]),
                ]
            )
        span = ""
        if perf.period_start is not None or perf.period_end is not None:
            span = f" from {fmt.date(perf.period_start)} to {fmt.date(perf.period_end)}"
        notes = [
            f"{fmt.count(len(perf))} {perf.by}s, revenue {fmt.number(perf.total_revenue)}{span}"
            " (net of returns).",
            "Return rate = returned units / units; repeat = share of the product's customers"
            " who bought it in 2 or more orders.",
        ]
        if perf.margin is None:
            notes.append("No margin: give gross_margin_rate or unit_costs.")
        return Section(
            f"Top {perf.by}s by revenue",
            rows,
            header=[
                perf.by,
                "revenue",
                "share",
                "margin",
                "units",
                "returns",
                "customers",
                "repeat",
                "ABC",
            ],
            notes=notes,
        )

    def _abc_section(self) -> Section:
        a, b = self.abc.thresholds
        rows = [[k, fmt.count(n), fmt.share(s)] for k, (n, s) in self.abc.counts().items()]
        notes = [
            f"A: the top products making the first {a:.0%} of revenue; B: up to {b:.0%};"
            " C: the rest (the product crossing a line belongs to the class it completes)."
        ]
        return Section("ABC classes", rows, header=["class", "products", "revenue"], notes=notes)

    def _classes_section(self) -> Section:
        if self.classes is None:
            return Section(
                "Product classes", [], notes=[self.absent.get("classes", "Not computed.")]
            )
        c = self.classes
        rows = [[k, fmt.count(n)] for k, n in c.counts().items()]
        notes = [
            f"declining: revenue growth <= -{c.growth_threshold:.0%}; underperformer: margin"
            f" < {c.margin_threshold:.0%} of revenue; star: growth >= {c.growth_threshold:.0%};"
            " steady: the rest (rules tried in this order).",
            self.absent.get("classes_periods", ""),
        ]
        return Section(
            "Product classes", rows, header=["class", "products"], notes=[n for n in notes if n]
        )

    def _cohorts_section(self) -> Section:
        if self.cohorts is None:
            return Section(
                "First-product cohorts", [], notes=[self.absent.get("cohorts", "Not computed.")]
            )
        c = self.cohorts
        best = c.ranked(min_customers=self.min_customers, best=True)[:5]
        worst = c.ranked(min_customers=self.min_customers, best=False)[:5]
        rows: list[list[str]] = []
        for label, picks in (("top", best), ("bottom", worst)):
            rows.extend(
                [
                    label,
                    str(c.product_ids[i]),
                    fmt.count(int(c.first_customers[i])),
                    _rate(c.came_back_rate[i]),
                    f"{_rate(c.came_back_low[i])} - {_rate(c.came_back_high[i])}",
                ]
                for i in picks
            )
        notes = [
            "Customers whose first purchase held the product, and the share who ordered again"
            f" (95% Wilson interval); products with >= {self.min_customers} such customers."
        ]
        return Section(
            "First-product cohorts",
            rows,
            header=["", "product", "first buyers", "came back", "interval"],
            notes=notes,
        )


def _rate(value: float) -> str:
    v = float(value)
    return fmt.MISSING if np.isnan(v) else fmt.share(v)


def products_overview(
    lines: OrderLines,
    *,
    log: TransactionLog | None = None,
    gross_margin_rate: float | None = None,
    unit_costs: Mapping[Any, float] | None = None,
    by: str | Mapping[Any, Any] = "product",
    comparison_days: int = 90,
    n_top: int = 10,
    min_customers: int = 20,
) -> ProductsOverview:
    """Compute the products part of the report.

    Parameters
    ----------
    lines : OrderLines
        With amounts (needed); times for the growth classes and cohorts; customer ids for
        repeat rates and cohorts.
    log : TransactionLog, optional
        Full purchase history for the cohorts' "came back" (see
        :func:`~ecomstrat.metrics.products.first_product_cohorts`).
    gross_margin_rate, unit_costs : optional
        The margin (one of them); the growth classes need it.
    by : "product" or mapping product id -> category
    comparison_days : int, default 90
        Length of the two periods compared for the growth classes: the last
        ``comparison_days`` up to the latest order, and the ones before.
    n_top : int, default 10
        Products in the top table.
    min_customers : int, default 20
        Smallest first-product cohort shown.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 2, 3, 4], ["A", "B", "A", "C"], amounts=[10.0, 5.0, 10.0, 1.0],
    ...     customer_ids=["x", "y", "x", "z"],
    ...     times=["2024-01-01", "2024-01-02", "2024-03-01", "2024-01-03"],
    ... )
    >>> part = products_overview(lines, gross_margin_rate=0.3, min_customers=1)
    >>> [s.title for s in part.sections()]
    ['Top products by revenue', 'ABC classes', 'Product classes', 'First-product cohorts']
    >>> part.to_dict()["abc_counts"]["A"]
    {'products': 2, 'revenue_share': 0.9615384615384616}
    """
    n_top = check_count("n_top", n_top, minimum=1)
    min_customers = check_count("min_customers", min_customers, minimum=1)
    days = check_count("comparison_days", comparison_days, minimum=1)
    perf = product_performance(
        lines, gross_margin_rate=gross_margin_rate, unit_costs=unit_costs, by=by
    )
    abc = abc_classes(perf)
    absent: dict[str, str] = {}
    classes = None
    if lines.times is None:
        absent["classes"] = "No order times in the order lines: growth needs two periods."
    elif gross_margin_rate is None and unit_costs is None:
        absent["classes"] = "No margin given (gross_margin_rate or unit_costs)."
    else:
        end = lines.times.max() + np.timedelta64(1, "s")
        span = np.timedelta64(days, "D")
        current = (end - span, end)
        previous = (end - 2 * span, end - span)
        classes = product_classes(
            lines,
            current=current,
            previous=previous,
            gross_margin_rate=gross_margin_rate,
            unit_costs=unit_costs,
            by=by,
        )
        absent["classes_periods"] = (
            f"Growth: revenue of the last {days} days to {fmt.date(end)} against the"
            f" {days} days before."
        )
    cohorts = None
    if lines.times is None or lines.customer_ids is None:
        absent["cohorts"] = "Needs order times and customer ids in the order lines."
    else:
        cohorts = first_product_cohorts(lines, log=log, by=by)
    return ProductsOverview(perf, abc, classes, cohorts, absent, n_top, min_customers)
