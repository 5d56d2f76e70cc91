"""Acquisition economics: CAC, CAC payback, LTV:CAC, ROAS and ROI per campaign or channel.

Each customer of the log is attributed to at most one :class:`~ecomstrat.Campaign`: the one
named for them explicitly, or else the campaign whose ``[start, end]`` (both days included)
contains the date of their first order, among the campaigns of their acquisition channel when
it is known. The acquired customers' orders then give revenue, gross margin and the payback
curve, month by month since acquisition (calendar months, see :doc:`/acquisition`).

Money. :attr:`Campaign.spend <ecomstrat.Campaign.spend>` is an exact Decimal; the batch
analytics here run in float64. ``float(Decimal)`` is correctly rounded (relative error at most
2**-53), and sums over campaigns and one division add at most one such error per term, so every
spend, CAC and ratio agrees with exact Decimal arithmetic to a relative :data:`FLOAT_TOLERANCE`
for fewer than a few thousand campaigns per row. Round for display, never for further sums.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_finite, invalid, plain
from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.customer import Customer
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import CurrencyMismatchError, EmptyInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.cohorts import Cohorts, assign_cohorts, cohort_sums, margins_of

__all__ = [
    "FLOAT_TOLERANCE",
    "AcquisitionTable",
    "acquisition_table",
    "break_even_roas",
    "cac_payback_months",
]

#: Relative agreement of float64 spend, CAC and ratios with exact Decimal arithmetic.
FLOAT_TOLERANCE = 1e-12

_ROW_FIELDS = (
    "labels",
    "channels",
    "starts",
    "ends",
    "spend",
    "customers",
    "cac",
    "revenue",
    "margin",
    "roas",
    "roi",
    "break_even_roas",
    "monthly_revenue_per_customer",
    "simple_payback_months",
    "payback_month",
    "payback_gap",
    "ltv",
    "ltv_cac",
)


def _ratio(numerator: AnyArray, denominator: AnyArray) -> FloatArray:
    """``numerator / denominator``, NaN where the denominator is 0 (no warning)."""
    out: FloatArray = np.divide(
        numerator,
        denominator,
        out=np.full(np.shape(numerator), np.nan),
        where=np.asarray(denominator) != 0,
    )
    return out


# ------------------------------------------------------------------------------ scalar formulas


def cac_payback_months(
    cac: float, *, monthly_revenue_per_customer: float, gross_margin_rate: float
) -> float:
    """Months of gross margin needed to earn back the CAC: ``CAC / (revenue × margin rate)``.

    The SaaS formula (Bessemer's "CAC payback period"), which assumes the same revenue every
    month; ``inf`` when the monthly margin is not positive.

    Parameters
    ----------
    cac : float
        Customer acquisition cost (>= 0).
    monthly_revenue_per_customer : float
        Average revenue per acquired customer and month (>= 0).
    gross_margin_rate : float
        Gross margin as a fraction of revenue, in [-1, 1].

    Examples
    --------
    >>> cac_payback_months(770.0, monthly_revenue_per_customer=100.0, gross_margin_rate=0.7)
    11.0
    """
    spend = check_finite("cac", cac)
    revenue = check_finite("monthly_revenue_per_customer", monthly_revenue_per_customer)
    rate = check_finite("gross_margin_rate", gross_margin_rate)
    if spend < 0:
        raise invalid("cac", cac, "must be >= 0")
    if revenue < 0:
        raise invalid("monthly_revenue_per_customer", monthly_revenue_per_customer, "must be >= 0")
    if not -1.0 <= rate <= 1.0:
        raise invalid("gross_margin_rate", gross_margin_rate, "must lie in [-1, 1]", "0.4 = 40%.")
    if spend == 0:
        return 0.0
    monthly_margin = revenue * rate
    return spend / monthly_margin if monthly_margin > 0 else math.inf


def break_even_roas(gross_margin_rate: float) -> float:
    """ROAS at which the attributed gross margin equals ad spend: ``1 / gross margin rate``.

    ``inf`` when the gross margin rate is not positive (no ROAS breaks even). With other
    variable costs per order (shipping, payment fees), pass the contribution margin rate
    instead: the rate of what is left of revenue to pay for the ads.

    Examples
    --------
    >>> round(break_even_roas(0.25), 6)
    4.0
    """
    rate = check_finite("gross_margin_rate", gross_margin_rate)
    if rate > 1.0:
        raise invalid(
            "gross_margin_rate",
            gross_margin_rate,
            "must be <= 1",
            "Give it as a fraction of revenue (0.25, not 25).",
        )
    return 1.0 / rate if rate > 0 else math.inf


# ---------------------------------------------------------------------------------- the table


@attrs.frozen(eq=False, repr=False)
class AcquisitionTable(Tabular):
    """Acquisition economics, one row per campaign (or per channel).

    Money columns are float64 in ``currency``; ratios with a zero denominator (a campaign
    without customers, zero spend) are NaN. Revenue and margin are those of the row's acquired
    customers from acquisition to the observation end (or over the first ``horizon_months``).

    Attributes
    ----------
    by : {"campaign", "channel"}
        What a row is.
    labels : ndarray of str
        Campaign id (or channel) of each row.
    channels : ndarray of str
        Channel of each row.
    starts, ends : ndarray of datetime64[D]
        First and last day of the row's campaigns.
    spend : ndarray of float64
        Spend.
    customers : ndarray of int64
        Customers attributed to the row.
    cac : ndarray of float64
        ``spend / customers``.
    revenue, margin : ndarray of float64
        Revenue and gross margin of those customers' orders.
    roas : ndarray of float64
        ``revenue / spend``.
    roi : ndarray of float64
        ``(margin - spend) / spend``, marketing ROI on gross margin.
    break_even_roas : ndarray of float64
        ``revenue / margin`` = 1 / gross margin rate (``inf`` if margin <= 0).
    monthly_revenue_per_customer : ndarray of float64
        Revenue per customer-month observed (each customer observed from the acquisition
        month to the end month, both included).
    simple_payback_months : ndarray of float64
        ``cac / (monthly revenue per customer × gross margin rate)``, see
        :func:`cac_payback_months`.
    payback_month : ndarray of float64
        First month since acquisition (0 = the acquisition month) whose cumulative margin per
        customer reaches the CAC; NaN when not (yet) reached: see ``payback_gap``.
    payback_gap : ndarray of float64
        CAC minus the cumulative margin per customer in the last fully observed month
        (0 once paid back).
    ltv : ndarray of float64
        Mean customer value: the model CLV when given, else the historical margin per customer.
    ltv_cac : ndarray of float64
        ``ltv / cac``.
    months : ndarray of int64
        Months since acquisition, the columns of ``payback_curves``.
    payback_curves : ndarray of float64, shape (rows, months)
        Cumulative gross margin per acquired customer; NaN after the last month observed for
        every customer of the row.
    currency : str
        ISO 4217 code of the money columns.
    ltv_source : {"model", "historical margin"}
        Where ``ltv`` comes from.
    n_unattributed : int
        Customers acquired by the observation end without a campaign (organic).
    n_new_in_span : int
        Customers (attributed or not) whose acquisition date lies between the first campaign
        start and the last campaign end: the denominator of :attr:`blended_cac`.
    observation_end : numpy.datetime64
        Last instant of data used.
    """

    by: str
    labels: AnyArray
    channels: AnyArray
    starts: DatetimeArray
    ends: DatetimeArray
    spend: FloatArray
    customers: IntArray
    cac: FloatArray
    revenue: FloatArray
    margin: FloatArray
    roas: FloatArray
    roi: FloatArray
    break_even_roas: FloatArray
    monthly_revenue_per_customer: FloatArray
    simple_payback_months: FloatArray
    payback_month: FloatArray
    payback_gap: FloatArray
    ltv: FloatArray
    ltv_cac: FloatArray
    months: IntArray
    payback_curves: FloatArray
    currency: str
    ltv_source: str
    n_unattributed: int
    n_new_in_span: int
    observation_end: np.datetime64

    def __attrs_post_init__(self) -> None:
        n = self.labels.shape[0]
        for field in (*_ROW_FIELDS, "months", "payback_curves"):
            value = getattr(self, field)
            if field != "months" and value.shape[0] != n:
                raise invalid(field, f"<{value.shape[0]} rows>", f"must have {n} rows")
            object.__setattr__(self, field, frozen_view(value))

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.labels.shape[0])

    @property
    def paid_back(self) -> BoolArray:
        """Whether each row's cumulative margin per customer has reached its CAC."""
        return ~np.isnan(self.payback_month)

    @property
    def payback_ratio(self) -> FloatArray:
        """``payback_curves / cac``: 1 is break-even on acquisition spend."""
        return _ratio(self.payback_curves, self.cac[:, None] * np.ones_like(self.payback_curves))

    @property
    def total_spend(self) -> float:
        """Spend over all rows."""
        return float(self.spend.sum())

    @property
    def paid_cac(self) -> float:
        """Total spend over the customers attributed to a campaign (NaN if none)."""
        n = int(self.customers.sum())
        return self.total_spend / n if n else math.nan

    @property
    def blended_cac(self) -> float:
        """Total spend over every customer acquired while the campaigns ran (NaN if none)."""
        return self.total_spend / self.n_new_in_span if self.n_new_in_span else math.nan

    def columns(self) -> dict[str, AnyArray]:
        """One entry per row: every per-row attribute, ``labels`` named after ``by``."""
        out: dict[str, AnyArray] = {self.by: self.labels}
        for field in _ROW_FIELDS[1:]:
            out[field.removesuffix("s") if field in ("channels", "starts", "ends") else field] = (
                getattr(self, field)
            )
        return out

    def _export_index(self) -> str:
        return self.by  # pandas: indexed by campaign (or channel)

    def __repr__(self) -> str:
        return (
            f"AcquisitionTable({self.n_rows} {self.by}s, spend {self.total_spend:,.2f}"
            f" {self.currency}, {int(self.customers.sum())} customers)"
        )


# -------------------------------------------------------------------------------- attribution


def _check_campaigns(log: TransactionLog, campaigns: Sequence[Campaign]) -> list[Campaign]:
    items = list(campaigns)
    if not items:
        raise EmptyInputError("campaigns is empty: at least one campaign is needed.")
    seen: dict[str, int] = {}
    for i, campaign in enumerate(items):
        if not isinstance(campaign, Campaign):
            raise invalid(f"campaigns[{i}]", campaign, "must be a Campaign")
        if campaign.campaign_id in seen:
            raise invalid(
                f"campaigns[{i}].campaign_id",
                campaign.campaign_id,
                f"is also the id of campaigns[{seen[campaign.campaign_id]}]: ids must be unique",
            )
        seen[campaign.campaign_id] = i
    currency = items[0].spend.currency
    for i, campaign in enumerate(items):
        if campaign.spend.currency != currency:
            raise CurrencyMismatchError(
                f"campaigns[{i}] ({campaign.campaign_id!r}) spends {campaign.spend.currency} but"
                f" campaigns[0] spends {currency}: convert the spend to one currency first."
            )
    if log.currency != currency:
        got = "no currency" if log.currency is None else f"currency {log.currency}"
        raise CurrencyMismatchError(
            f"the log has {got} but the campaigns spend {currency}: revenue and spend must be in"
            f" one currency. Build the log with currency={currency!r} (converting if needed)."
        )
    return items


def _check_disjoint(items: list[Campaign], members: IntArray, scope: str) -> None:
    order = members[np.argsort([items[i].start for i in members.tolist()], kind="stable")]
    for a, b in zip(order[:-1].tolist(), order[1:].tolist(), strict=True):
        first, second = items[a], items[b]
        if second.start <= first.end:
            raise invalid(
                "campaigns",
                f"{first.campaign_id} ({first.start}..{first.end}) and {second.campaign_id}"
                f" ({second.start}..{second.end})",
                f"overlap, but attribution by first-order date {scope} needs disjoint periods",
                "Make the periods disjoint, or give each customer's acquisition_channel or"
                " acquisition_campaign (customers=…) or campaign_ids=….",
            )


def _match_dates(items: list[Campaign], members: IntArray, days: IntArray) -> IntArray:
    """Campaign (index into ``items``) whose period contains each day, -1 if none."""
    if members.size == 0:
        return np.full(days.shape[0], -1, dtype=np.int64)
    starts = np.array([np.datetime64(items[i].start, "D") for i in members.tolist()])
    order = np.argsort(starts, kind="stable")
    members = members[order]
    starts = starts[order].astype(np.int64)
    ends = np.array([np.datetime64(items[i].end, "D") for i in members.tolist()]).astype(np.int64)
    at = np.searchsorted(starts, days, side="right") - 1
    hit = (at >= 0) & (days <= ends[np.maximum(at, 0)])
    return np.where(hit, members[np.maximum(at, 0)], -1)


def _explicit(
    log: TransactionLog,
    items: list[Campaign],
    customers: Iterable[Customer] | None,
    campaign_ids: Sequence[str | None] | AnyArray | None,
) -> tuple[IntArray, AnyArray]:
    """Per customer: explicit campaign index (-1 none, -2 explicitly organic) and channel."""
    n = log.n_customers
    index = {c.campaign_id: i for i, c in enumerate(items)}
    explicit = np.full(n, -1, dtype=np.int64)
    channel = np.full(n, None, dtype=object)
    if customers is not None and campaign_ids is not None:
        raise invalid(
            "campaign_ids",
            "<given>",
            "cannot be combined with customers=",
            "Give the attribution one way only.",
        )
    if campaign_ids is not None:
        ids = np.asarray(campaign_ids, dtype=object)
        if ids.shape != (n,):
            raise invalid(
                "campaign_ids",
                f"<{ids.size} values>",
                f"must hold one campaign id (or None) per customer of the log ({n}), aligned"
                " with log.customer_ids",
            )
        for value in set(ids.tolist()) - {None}:
            if value not in index:
                check_choice("campaign_ids[…]", str(value), index)
        explicit = np.fromiter(
            (-2 if v is None else index[v] for v in ids.tolist()), dtype=np.int64, count=n
        )
        return explicit, channel
    if customers is None:
        return explicit, channel
    position = {plain(cid): i for i, cid in enumerate(log.customer_ids.tolist())}
    for j, record in enumerate(customers):
        if not isinstance(record, Customer):
            raise invalid(f"customers[{j}]", record, "must be a Customer")
        i = position.get(record.customer_id)
        if i is None:
            continue  # no order in the log: not acquired as a buyer
        if record.acquisition_campaign is not None:
            check_choice(f"customers[{j}].acquisition_campaign", record.acquisition_campaign, index)
            explicit[i] = index[record.acquisition_campaign]
        channel[i] = record.acquisition_channel
    return explicit, channel


def attribute(
    log: TransactionLog,
    items: list[Campaign],
    cohorts: Cohorts,
    customers: Iterable[Customer] | None,
    campaign_ids: Sequence[str | None] | AnyArray | None,
) -> IntArray:
    """Index into ``items`` of each customer's acquiring campaign; -1 for none."""
    explicit, channel = _explicit(log, items, customers, campaign_ids)
    acquired = cohorts.row >= 0
    out = np.where(explicit >= 0, explicit, -1)
    out[~acquired] = -1
    by_date = acquired & (explicit == -1)
    if not by_date.any():
        return out
    days = cohorts.acquired_at.astype("datetime64[D]").astype(np.int64)
    channels = np.array([c.channel for c in items], dtype=object)
    unknown = by_date & np.fromiter((c is None for c in channel.tolist()), bool, len(channel))
    if unknown.any():
        everyone = np.arange(len(items), dtype=np.int64)
        _check_disjoint(items, everyone, "for customers of unknown channel")
        out[unknown] = _match_dates(items, everyone, days[unknown])
    known = by_date & ~unknown
    for name in sorted(set(channel[known].tolist())):
        who = known & (channel == name)
        members = np.flatnonzero(channels == name).astype(np.int64)
        _check_disjoint(items, members, f"within channel {name!r}")
        out[who] = _match_dates(items, members, days[who])
    return out


# ------------------------------------------------------------------------------- the function


def acquisition_table(
    log: TransactionLog,
    *,
    campaigns: Sequence[Campaign],
    by: Literal["campaign", "channel"] = "campaign",
    customers: Iterable[Customer] | None = None,
    campaign_ids: Sequence[str | None] | AnyArray | None = None,
    clv: Sequence[float] | FloatArray | None = None,
    gross_margin_rate: float | None = None,
    observation_end: object = None,
    horizon_months: int | None = None,
) -> AcquisitionTable:
    """CAC, CAC payback, LTV:CAC, ROAS and ROI of each campaign (or channel).

    Parameters
    ----------
    log : TransactionLog
        The orders, with a ``currency`` equal to the campaigns' and margins (or see
        ``gross_margin_rate``). A customer is acquired by their first order.
    campaigns : sequence of Campaign
        Unique ids, one currency. ``Campaign.customers_acquired`` is not used: the customers
        counted are those attributed in the log, so that CAC and payback refer to the same
        people.
    by : {"campaign", "channel"}
        One row per campaign, or per channel (its campaigns pooled).
    customers : iterable of Customer, optional
        Known acquisition of some customers (matched on ``customer_id``): an
        ``acquisition_campaign`` attributes the customer to it; otherwise an
        ``acquisition_channel`` restricts the first-order-date match to that channel's
        campaigns. Records of customers without orders in the log are ignored.
    campaign_ids : array-like of str or None, optional
        Instead of ``customers``: the campaign of every customer, aligned with
        ``log.customer_ids`` (None: not acquired by a campaign).
    clv : array-like of float, optional
        Model-based customer lifetime value of every customer, aligned with
        ``log.customer_ids`` (e.g. from a BTYD model). Default: the historical margin.
    gross_margin_rate : float, optional
        For a log without margins: margin = amount × rate.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last instant of data (default: the last order).
    horizon_months : int, optional
        Count revenue and margin over the first ``horizon_months`` months since acquisition
        only (the acquisition month is month 0), to compare campaigns of different ages.

    Returns
    -------
    AcquisitionTable

    Raises
    ------
    CurrencyMismatchError
        If the campaigns' currencies differ from each other or from the log's.
    InvalidInputError
        For duplicate campaign ids, overlapping periods where the first-order date must pick
        one campaign, misaligned ``campaign_ids`` or ``clv``, or missing margins.
    UnknownCodeError
        For an explicit campaign id that is not among ``campaigns``.

    Notes
    -----
    CAC = spend / customers acquired (Skok, "SaaS Metrics 2.0"). The simple payback is
    Bessemer's CAC payback period, CAC / (monthly revenue per customer × gross margin rate).
    Because e-commerce revenue is not recurring, the payback month is also read from the
    payback curve, the cumulative gross margin per acquired customer by month since acquisition:
    the first month it reaches CAC. ROAS = revenue / spend; ROI = (margin − spend) / spend
    (Farris et al., *Marketing Metrics*, 2010, "return on marketing investment" on
    contribution); break-even ROAS = 1 / gross margin rate. See :doc:`/acquisition`.

    Examples
    --------
    >>> import datetime
    >>> from ecomstrat import Money
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a", "c"], ["2024-01-03", "2024-01-10", "2024-02-05", "2024-01-20"],
    ...     [50.0, 30.0, 40.0, 20.0], margins=[20.0, 12.0, 16.0, 8.0], currency="EUR")
    >>> jan = Campaign("jan", "search", Money("60", "EUR"),
    ...                datetime.date(2024, 1, 1), datetime.date(2024, 1, 15))
    >>> t = acquisition_table(log, campaigns=[jan])
    >>> t.customers.tolist(), t.cac.tolist(), t.roas.tolist()  # a and b; 60/2; 120/60
    ([2], [30.0], [2.0])
    >>> t.payback_curves.tolist(), t.payback_month.tolist()  # 32/2 = 16, then +16/2 = 24
    ([[16.0, 24.0]], [nan])
    >>> t.payback_gap.tolist(), t.n_unattributed
    ([6.0], 1)
    """
    check_choice("by", by, ("campaign", "channel"))
    items = _check_campaigns(log, campaigns)
    margins = margins_of(log, gross_margin_rate)
    cohorts = assign_cohorts(log, TimeUnit.MONTH, observation_end)
    campaign_of = attribute(log, items, cohorts, customers, campaign_ids)
    values = _clv(log, clv)

    if by == "campaign":
        labels = np.array([c.campaign_id for c in items], dtype=object)
        row_of_campaign = np.arange(len(items), dtype=np.int64)
    else:
        labels = np.array(sorted({c.channel for c in items}), dtype=object)
        where = {name: i for i, name in enumerate(labels.tolist())}
        row_of_campaign = np.array([where[c.channel] for c in items], dtype=np.int64)
    n_rows = labels.shape[0]
    row = np.where(campaign_of >= 0, row_of_campaign[np.maximum(campaign_of, 0)], -1)

    spend = np.zeros(n_rows)
    np.add.at(spend, row_of_campaign, [float(c.spend.amount) for c in items])
    day = np.array([np.datetime64(c.start, "D") for c in items])
    last = np.array([np.datetime64(c.end, "D") for c in items])
    starts = np.full(n_rows, np.datetime64("NaT", "D"))
    ends = np.full(n_rows, np.datetime64("NaT", "D"))
    channels = np.empty(n_rows, dtype=object)
    for i, r in enumerate(row_of_campaign.tolist()):
        starts[r] = day[i] if np.isnat(starts[r]) else min(starts[r], day[i])
        ends[r] = last[i] if np.isnat(ends[r]) else max(ends[r], last[i])
        channels[r] = items[i].channel

    attributed = row >= 0
    counts = np.bincount(row[attributed], minlength=n_rows).astype(np.int64)
    span = cohorts.end_period - int(cohorts.row_period[0]) + 1
    n_months = span if horizon_months is None else min(span, _horizon(horizon_months))
    _active, revenue_cells, margin_cells = cohort_sums(
        log, cohorts, n_rows, n_months, row=row, margins=margins
    )
    revenue = revenue_cells.sum(axis=1)
    margin = margin_cells.sum(axis=1)

    # Exposure: months from acquisition to the end month, both included (capped by horizon).
    observed = np.minimum(cohorts.end_period - cohorts.acquisition + 1, n_months)
    exposure = np.bincount(
        row[attributed], weights=observed[attributed].astype(np.float64), minlength=n_rows
    )
    latest = np.full(n_rows, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, row[attributed], cohorts.acquisition[attributed])
    latest[counts == 0] = cohorts.end_period + 1  # no customer: no month is observed
    full_months = np.minimum(cohorts.end_period - latest + 1, n_months)

    nf = counts.astype(np.float64)
    cac = _ratio(spend, nf)
    curves = _ratio(np.cumsum(margin_cells, axis=1), nf[:, None] * np.ones((1, n_months)))
    k = np.arange(n_months)
    curves[k[None, :] >= full_months[:, None]] = np.nan
    payback_month, gap = _payback(curves, cac)

    monthly_revenue = _ratio(revenue, exposure)
    monthly_margin = _ratio(margin, exposure)
    with np.errstate(divide="ignore", invalid="ignore"):
        simple = np.where(cac == 0, 0.0, np.where(monthly_margin > 0, cac / monthly_margin, np.inf))
        break_even = np.where(margin > 0, revenue / np.where(margin > 0, margin, 1.0), np.inf)
    simple[np.isnan(cac) | np.isnan(monthly_margin)] = np.nan
    break_even[revenue == 0] = np.nan

    if values is None:
        ltv, source = _ratio(margin, nf), "historical margin"
    else:
        ltv = _ratio(np.bincount(row[attributed], weights=values[attributed], minlength=n_rows), nf)
        source = "model"
    in_span = (cohorts.row >= 0) & _within(cohorts.acquired_at, day.min(), last.max())
    return AcquisitionTable(
        by=by,
        labels=labels.astype(str),
        channels=channels.astype(str),
        starts=starts,
        ends=ends,
        spend=spend,
        customers=counts,
        cac=cac,
        revenue=revenue,
        margin=margin,
        roas=_ratio(revenue, spend),
        roi=_ratio(margin - spend, spend),
        break_even_roas=break_even,
        monthly_revenue_per_customer=monthly_revenue,
        simple_payback_months=simple,
        payback_month=payback_month,
        payback_gap=gap,
        ltv=ltv,
        ltv_cac=_ratio(ltv, cac),
        months=k.astype(np.int64),
        payback_curves=curves,
        currency=items[0].spend.currency,
        ltv_source=source,
        n_unattributed=int(((cohorts.row >= 0) & ~attributed).sum()),
        n_new_in_span=int(in_span.sum()),
        observation_end=cohorts.end,
    )


def _within(times: DatetimeArray, first: np.datetime64, last: np.datetime64) -> BoolArray:
    days = times.astype("datetime64[D]")
    inside: BoolArray = ~np.isnat(days) & (days >= first) & (days <= last)
    return inside


def _payback(curves: FloatArray, cac: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First month with cumulative margin >= CAC (NaN if none), and the remaining gap."""
    n_rows = curves.shape[0]
    month = np.full(n_rows, np.nan)
    gap = np.full(n_rows, np.nan)
    for r in range(n_rows):
        if np.isnan(cac[r]):
            continue
        seen = curves[r][~np.isnan(curves[r])]
        if seen.size == 0:
            gap[r] = cac[r]
            continue
        reached = np.flatnonzero(seen >= cac[r])
        if reached.size:
            month[r], gap[r] = float(reached[0]), 0.0
        else:
            gap[r] = cac[r] - seen[-1]
    return month, gap


def _horizon(horizon_months: int) -> int:
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise invalid("horizon_months", horizon_months, "must be a whole number or None")
    if horizon_months < 1:
        raise invalid("horizon_months", horizon_months, "must be >= 1")
    return int(horizon_months)


def _clv(log: TransactionLog, clv: Sequence[float] | FloatArray | None) -> FloatArray | None:
    if clv is None:
        return None
    try:
        values = np.asarray(clv, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise invalid("clv", "<non-numeric values>", "must be numbers") from error
    if values.shape != (log.n_customers,):
        raise invalid(
            "clv",
            f"<array of shape {values.shape}>",
            f"must hold one value per customer of the log ({log.n_customers}), aligned with"
            " log.customer_ids",
        )
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"clv[{i}]",
            values[i],
            "must be a finite number",
            where=f" (customer {plain(log.customer_ids[i])!r})",
        )
    return values
