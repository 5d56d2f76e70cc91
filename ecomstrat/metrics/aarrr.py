"""AARRR ("pirate") metrics and site KPIs from an :class:`~ecomstrat.frames.events.EventLog`.

One named KPI per question of each stage of McClure's funnel -- acquisition, activation,
retention, revenue, referral -- plus the bounce rate, each with its definition and source,
a Wilson interval for the rates, overall, by period (week or month) and by channel.

Event types are read by name (:data:`EVENT_TYPES`); map your own with ``event_names=``, e.g.
``{"pageview": "page_view", "order_completed": "purchase"}``. Other event types count only
toward the active users.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, FloatArray, IntArray
from ecomstrat._validation import (
    check_choice,
    check_non_negative,
    check_positive,
    invalid,
    shown,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, period_index, period_start
from ecomstrat.frames.events import EventLog
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.engagement import wilson_interval

__all__ = [
    "EVENT_TYPES",
    "KPI_DEFINITIONS",
    "SESSION_TIMEOUT_MINUTES",
    "STAGES",
    "AARRRReport",
    "KPIDefinition",
    "aarrr_kpis",
    "session_index",
]

#: The event types the KPIs read, by their default names.
EVENT_TYPES: tuple[str, ...] = (
    "visit",
    "page_view",
    "impression",
    "click",
    "signup",
    "activation",
    "purchase",
    "referral",
    "referral_signup",
)

#: Stages in reading order.
STAGES: tuple[str, ...] = ("acquisition", "activation", "retention", "revenue", "referral")

#: Minutes of inactivity that end a session when the log has no session ids.
SESSION_TIMEOUT_MINUTES = 30.0

_MCCLURE = 'McClure (2007), "Startup metrics for pirates: AARRR!"'
_FARRIS = "Farris, Bendle, Pfeifer & Reibstein (2010), Marketing Metrics, 2nd ed., Pearson"


@attrs.frozen
class KPIDefinition:
    """What a KPI measures: its stage, its formula in words, its source and whether a rate."""

    stage: str
    definition: str
    source: str
    rate: bool


#: Every KPI :func:`aarrr_kpis` reports, by name, in reading order.
KPI_DEFINITIONS: Mapping[str, KPIDefinition] = {
    "click_through_rate": KPIDefinition(
        "acquisition", "click events / impression events", f"{_FARRIS}, ch. 9", True
    ),
    "signup_rate": KPIDefinition(
        "acquisition", "visitors who signed up / visitors", _MCCLURE, True
    ),
    "conversion_rate": KPIDefinition(
        "acquisition",
        "visitors who purchased / visitors (visitors: actors with a visit or page view)",
        f"{_FARRIS}, ch. 9",
        True,
    ),
    "bounce_rate": KPIDefinition(
        "acquisition",
        "sessions with exactly one page view (a visit counts as the landing page view) /"
        " sessions with a page view",
        f"{_FARRIS}, ch. 9 (bounce rate)",
        True,
    ),
    "cost_per_acquisition": KPIDefinition(
        "acquisition",
        "spend / new customers (actors whose first purchase in the log falls in the group)",
        f"{_FARRIS}, ch. 9 (cost per customer acquired)",
        False,
    ),
    "activation_rate": KPIDefinition(
        "activation",
        "signed-up actors with an activation (first use) event / signed-up actors; a"
        " purchase is the first use when the log has no activation events",
        _MCCLURE,
        True,
    ),
    "active_users": KPIDefinition("retention", "distinct actors with any event", _MCCLURE, False),
    "retention_rate": KPIDefinition(
        "retention",
        "actors active in a period and in the next / actors active in the period (pooled"
        " over consecutive periods; by period: the previous period's actors)",
        f"{_FARRIS}, ch. 5 (retention rate)",
        True,
    ),
    "repurchase_rate": KPIDefinition(
        "retention",
        "purchasers with two or more purchases / purchasers",
        f"{_FARRIS}, ch. 5 (repeat rate)",
        True,
    ),
    "revisit_rate": KPIDefinition(
        "retention",
        "visitors with two or more sessions / visitors",
        _MCCLURE,
        True,
    ),
    "arpu": KPIDefinition(
        "revenue",
        "revenue / active users (average revenue per user)",
        f"{_FARRIS}, ch. 5 (ARPU)",
        False,
    ),
    "average_order_value": KPIDefinition(
        "revenue", "revenue / purchases", f"{_FARRIS}, ch. 9 (average order value)", False
    ),
    "referral_rate": KPIDefinition(
        "referral", "actors who sent a referral / active users", _MCCLURE, True
    ),
    "referral_conversion_rate": KPIDefinition(
        "referral",
        "referral signups / referrals sent",
        'Skok (2009), "Lessons learned - viral marketing", For Entrepreneurs',
        True,
    ),
    "viral_coefficient": KPIDefinition(
        "referral",
        "referral signups / active users (K = referrals per user x their conversion rate)",
        'Skok (2009), "Lessons learned - viral marketing"; Ries (2011), The Lean Startup',
        False,
    ),
}


def _strings(names: Sequence[str]) -> AnyArray:
    return np.array(list(names), dtype=str) if names else np.empty(0, dtype=str)


@attrs.frozen(eq=False)
class AARRRReport(Tabular):
    """A table of AARRR KPIs: one row per KPI (and period and/or channel when grouped).

    Attributes
    ----------
    stage, kpi, definition, source : ndarray of str
        The KPI's stage, name, formula in words and source.
    value : ndarray of float64
        The KPI (NaN when its denominator is 0).
    lower, upper : ndarray of float64
        Wilson interval at ``confidence`` for rates; NaN for counts, amounts and ratios
        that are not proportions.
    numerator, denominator : ndarray of float64
        What the value divides (the count itself, over 1, for ``active_users``).
    period : ndarray of datetime64[ns] or None
        First instant of each row's period, when grouped by period.
    channel : ndarray of str or None
        Each row's channel (``""`` for events without one), when grouped by channel.
    period_unit : str or None
        ``"week"`` or ``"month"``, the retention and grouping period.
    confidence : float
        Level of the intervals.
    """

    _KPI_COLUMNS: ClassVar[tuple[str, ...]] = (
        "stage",
        "kpi",
        "value",
        "lower",
        "upper",
        "numerator",
        "denominator",
        "definition",
        "source",
    )

    stage: AnyArray
    kpi: AnyArray
    value: FloatArray
    lower: FloatArray
    upper: FloatArray
    numerator: FloatArray
    denominator: FloatArray
    definition: AnyArray
    source: AnyArray
    period: AnyArray | None
    channel: AnyArray | None
    period_unit: str | None
    confidence: float

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.kpi.shape[0])

    def columns(self) -> dict[str, AnyArray]:
        """Period and channel (when grouped), then stage, kpi, value ... source."""
        out: dict[str, AnyArray] = {}
        if self.period is not None:
            out["period"] = self.period
        if self.channel is not None:
            out["channel"] = self.channel
        for name in self._KPI_COLUMNS:
            out[name] = getattr(self, name)
        return out

    def value_of(self, kpi: str, *, period: object = None, channel: str | None = None) -> float:
        """The value of one KPI (in one period and/or channel when the table is grouped).

        Raises
        ------
        UnknownCodeError
            If ``kpi`` is not in the table.
        InvalidInputError
            If no row matches the period or channel.
        """
        check_choice("kpi", kpi, sorted(set(self.kpi.tolist())))
        rows = self.kpi == kpi
        if period is not None and self.period is not None:
            rows &= self.period == np.datetime64(str(period)).astype(NS)
        if channel is not None and self.channel is not None:
            rows &= self.channel == channel
        if not rows.any():
            raise invalid("period/channel", f"{period}/{channel}", f"has no row for {kpi}")
        return float(self.value[int(np.argmax(rows))])


def session_index(
    events: EventLog, *, timeout_minutes: float = SESSION_TIMEOUT_MINUTES
) -> IntArray:
    """Dense session code of each event: the log's sessions, else inactivity-timeout sessions.

    Without session ids, an actor's events form one session until a gap of more than
    ``timeout_minutes`` between two consecutive events (the web-analytics convention).

    Examples
    --------
    >>> events = EventLog.from_arrays(
    ...     ["a", "a", "a", "b"], ["visit"] * 4,
    ...     ["2024-01-01T10:00", "2024-01-01T10:20", "2024-01-01T11:00", "2024-01-01T10:00"])
    >>> session_index(events).tolist()
    [0, 0, 1, 2]
    """
    if events.session_index is not None:
        return np.asarray(events.session_index)
    minutes = check_positive("timeout_minutes", timeout_minutes)
    order = np.lexsort((events.times, events.actor_index))
    actors = events.actor_index[order]
    stamps = events.times[order].astype(np.int64)
    gap = np.diff(stamps) > int(minutes * 60e9)
    new = np.ones(order.size, dtype=bool)
    new[1:] = (actors[1:] != actors[:-1]) | gap
    codes_sorted = np.cumsum(new) - 1
    codes = np.empty(order.size, dtype=np.int64)
    codes[order] = codes_sorted
    return codes


def _standard_codes(events: EventLog, event_names: Mapping[str, str] | None) -> IntArray:
    """Index into :data:`EVENT_TYPES` of each event (-1: another type)."""
    mapping = {name: name for name in EVENT_TYPES}
    if event_names is not None:
        if not isinstance(event_names, Mapping):
            raise invalid(
                "event_names", shown(event_names), "must map your event names to standard ones",
                "E.g. {'pageview': 'page_view'}.",
            )  # fmt: skip
        for yours, standard in event_names.items():
            check_choice(f"event_names[{yours!r}]", standard, EVENT_TYPES)
            mapping[str(yours)] = standard
    lookup = np.array(
        [
            EVENT_TYPES.index(mapping[n]) if n in mapping else -1
            for n in events.event_names.tolist()
        ],
        dtype=np.int64,
    )
    return lookup[events.event_codes]


@attrs.frozen(eq=False)
class _Context:
    """What every group's KPIs are computed from."""

    events: EventLog
    kinds: IntArray
    sessions: IntArray
    periods: IntArray
    first_period: int
    n_periods: int
    unit: TimeUnit
    first_purchase: FloatArray  # per actor: time (int ns as float) of first purchase, inf
    amounts: FloatArray | None
    log_actor: IntArray | None  # per order of the transactions: actor code or -1
    log: TransactionLog | None


def _kind(name: str) -> int:
    return EVENT_TYPES.index(name)


def aarrr_kpis(
    events: EventLog,
    *,
    by: str | Sequence[str] | None = None,
    period: TimeUnit | str = "month",
    event_names: Mapping[str, str] | None = None,
    spend: float | Mapping[str, float] | None = None,
    transactions: TransactionLog | None = None,
    confidence: float = 0.95,
    session_timeout_minutes: float = SESSION_TIMEOUT_MINUTES,
) -> AARRRReport:
    """The AARRR KPIs and bounce rate of an event log, overall or by period and/or channel.

    Parameters
    ----------
    events : EventLog
        The tracked events.
    by : {None, "period", "channel"} or a sequence of both
        Group the KPIs: each group's KPIs are computed on that group's events (retention by
        period compares each period's active actors with the previous period's).
    period : {"week", "month"}, default "month"
        The period of ``retention_rate`` and of ``by="period"``.
    event_names : mapping of str to str, optional
        Your event names -> the standard ones of :data:`EVENT_TYPES`.
    spend : float or mapping of str to float, optional
        Acquisition spend over the whole log: a total (for the overall row), or by channel
        (for the ``by="channel"`` rows, and their sum for the overall row). Rows by period get
        no cost per acquisition.
    transactions : TransactionLog, optional
        Orders to take revenue from when the events carry no amounts: an active actor's
        orders within the group's time span (ids must match the events' actor ids).
    confidence : float, default 0.95
        Level of the Wilson intervals.
    session_timeout_minutes : float, default 30
        Sessions for the bounce and revisit rates when the log has no session ids.

    Returns
    -------
    AARRRReport
        Rows in the order of :data:`KPI_DEFINITIONS`; the revenue rows only with amounts or
        ``transactions``, cost per acquisition only with ``spend``.

    Notes
    -----
    The stages are McClure's (2007) "Startup metrics for pirates: AARRR!"; the web metrics
    (click-through rate, conversion rate, bounce rate, cost per acquisition, AOV) follow
    Farris, Bendle, Pfeifer & Reibstein (2010), *Marketing Metrics*, 2nd ed., ch. 5 and 9; the
    viral coefficient is Skok's (2009) K = invitations per user x their conversion rate. Each
    rate's interval is the Wilson (1927) score interval of numerator out of denominator (NaN
    when the numerator counts events that could exceed it, e.g. more clicks than impressions).
    :data:`KPI_DEFINITIONS` holds every definition and source.

    Examples
    --------
    >>> events = EventLog.from_arrays(
    ...     ["a", "a", "a", "b", "b", "c"],
    ...     ["visit", "page_view", "purchase", "visit", "signup", "visit"],
    ...     ["2024-01-01T10:00", "2024-01-01T10:01", "2024-01-01T10:02",
    ...      "2024-01-02T09:00", "2024-01-02T09:01", "2024-01-03T12:00"],
    ...     amounts=[float("nan"), float("nan"), 30.0, float("nan"), float("nan"), float("nan")])
    >>> kpis = aarrr_kpis(events)
    >>> kpis.value_of("conversion_rate")  # a of a, b, c purchased
    0.3333333333333333
    >>> kpis.value_of("bounce_rate")  # b's and c's sessions have one page view
    0.6666666666666666
    >>> kpis.value_of("arpu")  # 30 / 3 active users
    10.0
    """
    if not isinstance(events, EventLog):
        raise invalid(
            "events", f"<{type(events).__name__}>", "must be an EventLog",
            "Build one with EventLog.from_arrays or ecomstrat.io.events.",
        )  # fmt: skip
    groups = _by(by)
    unit = TimeUnit.parse(period) if isinstance(period, str) else period
    if unit not in (TimeUnit.WEEK, TimeUnit.MONTH):
        raise invalid("period", shown(period), "must be 'week' or 'month'")
    if not 0 < confidence < 1:
        raise invalid("confidence", confidence, "must lie in (0, 1)", "95% is 0.95.")
    context = _context(events, event_names, unit, transactions, session_timeout_minutes)
    spends = _spend(spend)
    if "channel" in groups and events.channel_codes is None:
        raise invalid("by", "channel", "needs channels in the events", "Pass channels=...")

    keys: list[tuple[int | None, int | None]] = []
    if not groups:
        keys = [(None, None)]
    else:
        periods = list(range(context.n_periods)) if "period" in groups else [None]
        channels: list[int | None] = [None]
        if "channel" in groups and events.channel_codes is not None:
            present = np.unique(events.channel_codes)
            channels = [int(c) for c in present]
        keys = [(p, c) for p in periods for c in channels]

    rows: list[tuple[int | None, int | None, str, float, float]] = []
    for p, c in keys:
        mask = np.ones(events.n_events, dtype=bool)
        if p is not None:
            mask &= context.periods == p
        if c is not None and events.channel_codes is not None:
            mask &= events.channel_codes == c
        cost = _group_spend(spends, events, c, p is None)
        for kpi, numerator, denominator in _group_kpis(context, mask, p, c, cost):
            rows.append((p, c, kpi, numerator, denominator))
    return _table(rows, context, groups, unit, confidence)


def _by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    items = [by] if isinstance(by, str) else list(by)
    for item in items:
        check_choice("by", item, ("period", "channel"))
    return tuple(dict.fromkeys(items))


def _spend(spend: float | Mapping[str, float] | None) -> float | dict[str, float] | None:
    if spend is None:
        return None
    if isinstance(spend, Mapping):
        return {str(k): check_non_negative(f"spend[{k!r}]", v) for k, v in spend.items()}
    return check_non_negative("spend", spend)


def _group_spend(
    spend: float | dict[str, float] | None, events: EventLog, channel: int | None, whole: bool
) -> float | None:
    if spend is None or not whole:
        return None
    if isinstance(spend, dict):
        if channel is None:
            return sum(spend.values())
        if channel < 0 or events.channel_names is None:
            return None
        name = str(events.channel_names[channel])
        return spend.get(name)
    return spend if channel is None else None


def _context(
    events: EventLog,
    event_names: Mapping[str, str] | None,
    unit: TimeUnit,
    transactions: TransactionLog | None,
    timeout: float,
) -> _Context:
    kinds = _standard_codes(events, event_names)
    sessions = session_index(events, timeout_minutes=timeout)
    raw = period_index(events.times, unit)
    first = int(raw.min())
    periods = raw - first
    n_periods = int(periods.max()) + 1
    bought = kinds == _kind("purchase")
    first_purchase = np.full(events.n_actors, np.inf)
    np.minimum.at(first_purchase, events.actor_index[bought], events.times[bought].astype(np.int64))
    log_actor = None
    if transactions is not None:
        if not isinstance(transactions, TransactionLog):
            raise invalid(
                "transactions", f"<{type(transactions).__name__}>", "must be a TransactionLog"
            )
        log_actor = _match_ids(events.actor_ids, transactions)
    return _Context(
        events, kinds, sessions, periods, first, n_periods, unit, first_purchase,
        events.amounts, log_actor, transactions,
    )  # fmt: skip


def _match_ids(actor_ids: AnyArray, log: TransactionLog) -> IntArray:
    """Actor code of each order's customer (-1 when the customer has no event)."""
    ids = log.customer_ids
    if (actor_ids.dtype.kind in "iu") != (ids.dtype.kind in "iu"):
        raise invalid(
            "transactions",
            f"customer ids of dtype {ids.dtype}",
            f"must be of the same kind as the events' ids ({actor_ids.dtype})",
            "Convert one of them, e.g. ids.astype(str).",
        )
    order = np.argsort(actor_ids, kind="stable")
    ranked = actor_ids[order]
    found = np.searchsorted(ranked, ids)
    found = np.minimum(found, ranked.size - 1)
    hit = ranked[found] == ids
    per_customer = np.where(hit, order[found], -1).astype(np.int64)
    return np.asarray(per_customer[log.customer_index])


def _count_per_actor(actors: IntArray, n: int) -> IntArray:
    return np.bincount(actors, minlength=n)


def _group_kpis(
    ctx: _Context, mask: BoolArray, period: int | None, channel: int | None, spend: float | None
) -> list[tuple[str, float, float]]:
    events = ctx.events
    n = events.n_actors
    actors = events.actor_index[mask]
    kinds = ctx.kinds[mask]

    def per_actor(*names: str) -> IntArray:
        chosen = np.isin(kinds, [_kind(name) for name in names])
        return _count_per_actor(actors[chosen], n)

    def events_of(name: str) -> float:
        return float(np.count_nonzero(kinds == _kind(name)))

    active = _count_per_actor(actors, n) > 0
    pages = per_actor("visit", "page_view")
    visitors = pages > 0
    purchases = per_actor("purchase")
    purchasers = purchases > 0
    signed = per_actor("signup") > 0
    activations = per_actor("activation")
    first_use = activations if (ctx.kinds == _kind("activation")).any() else purchases
    out: list[tuple[str, float, float]] = []
    out.append(("click_through_rate", events_of("click"), events_of("impression")))
    out.append(("signup_rate", float((visitors & signed).sum()), float(visitors.sum())))
    out.append(("conversion_rate", float((visitors & purchasers).sum()), float(visitors.sum())))
    # sessions of this group's page-type events, and their page views
    paged = np.isin(kinds, [_kind("visit"), _kind("page_view")])
    session_pages = np.unique(ctx.sessions[mask][paged], return_counts=True)[1]
    out.append(("bounce_rate", float((session_pages == 1).sum()), float(session_pages.size)))
    if spend is not None:  # new customers: their first purchase is among the group's events
        bought = mask & (ctx.kinds == _kind("purchase"))
        owner = events.actor_index[bought]
        first = events.times[bought].astype(np.int64) == ctx.first_purchase[owner]
        new = float(np.unique(owner[first]).size)
        out.append(("cost_per_acquisition", spend, new))
    out.append(("activation_rate", float((signed & (first_use > 0)).sum()), float(signed.sum())))
    out.append(("active_users", float(active.sum()), 1.0))
    out.append(_retention(ctx, mask, period, channel))
    out.append(("repurchase_rate", float((purchases >= 2).sum()), float(purchasers.sum())))
    session_actor = np.full(int(ctx.sessions.max()) + 1, -1, dtype=np.int64)
    session_actor[ctx.sessions[mask][paged]] = actors[paged]
    visits = _count_per_actor(session_actor[session_actor >= 0], n)
    out.append(("revisit_rate", float((visits >= 2).sum()), float(visitors.sum())))
    revenue = _revenue(ctx, mask, active, period)
    if revenue is not None:
        total, orders = revenue
        out.append(("arpu", total, float(active.sum())))
        out.append(("average_order_value", total, orders))
    referrers = per_actor("referral") > 0
    out.append(("referral_rate", float(referrers.sum()), float(active.sum())))
    out.append(("referral_conversion_rate", events_of("referral_signup"), events_of("referral")))
    out.append(("viral_coefficient", events_of("referral_signup"), float(active.sum())))
    return out


def _retention(
    ctx: _Context, mask: BoolArray, period: int | None, channel: int | None
) -> tuple[str, float, float]:
    n_periods = ctx.n_periods
    keys = np.unique(ctx.events.actor_index[mask] * n_periods + ctx.periods[mask])
    if period is not None:  # this period's actors who were active in the previous one
        before = ctx.periods == period - 1
        if channel is not None and ctx.events.channel_codes is not None:
            before &= ctx.events.channel_codes == channel
        previous = np.unique(ctx.events.actor_index[before] * n_periods + ctx.periods[before])
        return "retention_rate", float(np.isin(keys - 1, previous).sum()), float(previous.size)
    later = keys % n_periods >= 1
    kept = float(np.isin(keys[later] - 1, keys).sum())
    base = float((keys % n_periods < n_periods - 1).sum())
    return "retention_rate", kept, base


def _revenue(
    ctx: _Context, mask: BoolArray, active: BoolArray, period: int | None
) -> tuple[float, float] | None:
    """Revenue and purchases of the group: its purchase amounts, else the joined orders."""
    bought = mask & (ctx.kinds == _kind("purchase"))
    if ctx.amounts is not None and not np.isnan(ctx.amounts[ctx.kinds == _kind("purchase")]).all():
        values = ctx.amounts[bought]
        return float(np.nansum(values)), float(values.size)
    if ctx.log is None or ctx.log_actor is None:
        return None
    if period is None:
        in_span = (ctx.log.times >= ctx.events.times.min()) & (
            ctx.log.times <= ctx.events.times.max()
        )
    else:
        bounds = period_start(
            np.array([ctx.first_period + period, ctx.first_period + period + 1]), ctx.unit
        )
        in_span = (ctx.log.times >= bounds[0]) & (ctx.log.times < bounds[1])
    owner = ctx.log_actor
    chosen = in_span & (owner >= 0)
    chosen[chosen] = active[owner[chosen]]
    return float(ctx.log.amounts[chosen].sum()), float(np.count_nonzero(chosen))


def _table(
    rows: list[tuple[int | None, int | None, str, float, float]],
    ctx: _Context,
    groups: tuple[str, ...],
    unit: TimeUnit,
    confidence: float,
) -> AARRRReport:
    order = {name: i for i, name in enumerate(KPI_DEFINITIONS)}
    rows = sorted(
        rows,
        key=lambda r: (-1 if r[0] is None else r[0], -2 if r[1] is None else r[1], order[r[2]]),
    )
    names = [r[2] for r in rows]
    numerator = np.array([r[3] for r in rows], dtype=np.float64)
    denominator = np.array([r[4] for r in rows], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )
    lower = np.full(value.size, np.nan)
    upper = np.full(value.size, np.nan)
    rate = np.array([KPI_DEFINITIONS[k].rate for k in names], dtype=bool)
    proper = rate & (denominator > 0) & (numerator <= denominator)
    if proper.any():
        low, high = wilson_interval(
            numerator[proper].astype(np.int64),
            n=denominator[proper].astype(np.int64),
            confidence=confidence,
        )
        lower[proper], upper[proper] = low, high
    period = None
    if "period" in groups:
        index = np.array([ctx.first_period + (r[0] or 0) for r in rows], dtype=np.int64)
        period = period_start(index, unit)
    channel = None
    if "channel" in groups:
        labels = ctx.events.channel_names
        channel = _strings(
            ["" if r[1] is None or r[1] < 0 or labels is None else str(labels[r[1]]) for r in rows]
        )
    return AARRRReport(
        _strings([KPI_DEFINITIONS[k].stage for k in names]),
        _strings(names),
        value,
        lower,
        upper,
        numerator,
        denominator,
        _strings([KPI_DEFINITIONS[k].definition for k in names]),
        _strings([KPI_DEFINITIONS[k].source for k in names]),
        period,
        channel,
        unit.value,
        float(confidence),
    )
