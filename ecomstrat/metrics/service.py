"""Service levels of customer-service tickets: SLA attainment, resolution times, backlog, costs.

All functions read a :class:`~ecomstrat.frames.tickets.Tickets` frame. Times are measured in
hours. The observation window ends at ``observation_end`` (default: the latest time recorded in
the frame); a response or resolution after it counts as "not yet", and tickets opened after it
are left out. See :doc:`/service-levels` for the definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_count, check_positive, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._arrays import freeze_arrays, frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, period_index, period_start, to_instant
from ecomstrat.frames.tickets import Tickets
from ecomstrat.metrics.engagement import ServiceCost, service_cost, wilson_interval

__all__ = [
    "Backlog",
    "ServiceLevels",
    "TopCategories",
    "service_cost_by_channel",
    "service_levels",
    "ticket_backlog",
    "top_categories",
]

_NS_PER_HOUR = 3_600 * 10**9
#: Label of the tickets without a channel (or category) when grouping.
UNLABELLED = "(none)"


def _check_tickets(tickets: object) -> Tickets:
    if not isinstance(tickets, Tickets):
        raise invalid(
            "tickets", f"<{type(tickets).__name__}>", "must be a Tickets frame",
            "Build it with Tickets.from_arrays or ecomstrat.io.read_tickets_csv.",
        )  # fmt: skip
    return tickets


def _end(tickets: Tickets, observation_end: object) -> np.datetime64:
    """``observation_end`` as datetime64[ns]; by default the latest time in the frame."""
    if observation_end is not None:
        return to_instant("observation_end", observation_end, tickets.timezone)
    latest = tickets.opened.max()
    for times in (tickets.first_response, tickets.resolved):
        if times is not None and not np.isnat(times).all():
            latest = max(latest, times[~np.isnat(times)].max())
    end: np.datetime64 = np.datetime64(latest, "ns")
    return end


def _known(times: DatetimeArray | None, n: int, end: np.datetime64) -> DatetimeArray:
    """Times as seen at ``end``: later ones (and an unrecorded column) become NaT."""
    if times is None:
        return np.full(n, np.datetime64("NaT"), dtype=NS)
    return np.where(~np.isnat(times) & (times <= end), times, np.datetime64("NaT", "ns"))


def _hours(start: DatetimeArray, stop: DatetimeArray) -> FloatArray:
    """Hours from start to stop, NaN where stop is NaT."""
    delta = (stop - start).astype(np.int64).astype(np.float64) / _NS_PER_HOUR
    return np.where(np.isnat(stop), np.nan, delta)


def _quantile(values: FloatArray, q: float) -> float:
    kept = values[~np.isnan(values)]
    return float(np.quantile(kept, q)) if kept.size else float("nan")


def _groups(tickets: Tickets, by: str | None) -> tuple[list[str], IntArray]:
    """Group names and each ticket's group code (all one group when ``by`` is None)."""
    if by is None:
        return ["all"], np.zeros(tickets.n_tickets, dtype=np.int64)
    check_choice("by", by, ["channel", "category"])
    codes = tickets.channel_codes if by == "channel" else tickets.category_codes
    names = tickets.channel_names if by == "channel" else tickets.category_names
    if codes is None or names is None:
        raise invalid("by", by, f"needs tickets with a {by} column",
                      f"Pass {by}= to Tickets.from_arrays.")  # fmt: skip
    labels = [str(v) for v in names.tolist()]
    if (codes < 0).any():
        return [*labels, UNLABELLED], np.where(codes < 0, len(labels), codes)
    return labels, codes.astype(np.int64, copy=False)


@attrs.frozen(eq=False)
class ServiceLevels(Tabular):
    """Service levels per group (see :func:`service_levels`); one row per group.

    Attributes
    ----------
    groups : ndarray of str
        ``["all"]``, or the channels / categories (``"(none)"`` for unlabelled tickets).
    tickets : ndarray of int64
        Tickets opened by ``observation_end``.
    resolved : ndarray of int64
        Of those, resolved by ``observation_end``.
    eligible : ndarray of int64
        Tickets opened at least ``sla_hours`` before ``observation_end``: the denominator of
        the SLA share (their SLA window is over, so the outcome is known).
    within_sla : ndarray of int64
        Eligible tickets resolved within ``sla_hours`` of opening.
    share_within_sla, share_low, share_high : ndarray of float64
        ``within_sla / eligible`` and its Wilson interval (NaN when nothing is eligible).
    median_resolution_hours, p90_resolution_hours : ndarray of float64
        Median and 90th percentile of opening-to-resolution hours of the resolved tickets.
    median_first_response_hours : ndarray of float64
        Median opening-to-first-response hours of the answered tickets.
    sla_hours, confidence : float
    observation_end : numpy.datetime64
    """

    groups: AnyArray
    tickets: IntArray
    resolved: IntArray
    eligible: IntArray
    within_sla: IntArray
    share_within_sla: FloatArray
    share_low: FloatArray
    share_high: FloatArray
    median_resolution_hours: FloatArray
    p90_resolution_hours: FloatArray
    median_first_response_hours: FloatArray
    sla_hours: float
    observation_end: np.datetime64
    confidence: float

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def columns(self) -> dict[str, AnyArray]:
        """One row per group, named ``group``, then the counts, shares and hours."""
        out: dict[str, AnyArray] = {"group": self.groups}
        for name in ("tickets", "resolved", "eligible", "within_sla", "share_within_sla",
                     "share_low", "share_high", "median_resolution_hours",
                     "p90_resolution_hours", "median_first_response_hours"):  # fmt: skip
            out[name] = getattr(self, name)
        return out


def service_levels(
    tickets: Tickets,
    *,
    sla_hours: float = 24.0,
    observation_end: object = None,
    by: Literal["channel", "category"] | None = None,
    confidence: float = 0.95,
) -> ServiceLevels:
    """Share of tickets resolved within an SLA (with interval) and resolution/response times.

    Parameters
    ----------
    tickets : Tickets
        Needs resolution times (``resolved``); first responses are optional.
    sla_hours : float, default 24
        The agreed resolution time, in hours (> 0).
    observation_end : datetime, date or ISO str, optional
        When the data were extracted; default the latest time recorded in ``tickets``.
    by : {None, "channel", "category"}
        One row for all tickets, or one per channel / category (plus ``"(none)"`` for
        unlabelled tickets, when there are any).
    confidence : float, default 0.95
        Level of the Wilson interval.

    Returns
    -------
    ServiceLevels

    Raises
    ------
    InvalidInputError
        If ``tickets`` has no resolution times, ``by`` names a column it lacks, or an
        argument is out of range.

    Notes
    -----
    The SLA share is ``within_sla / eligible``, where *eligible* tickets are those opened at
    least ``sla_hours`` before ``observation_end`` (the others may still meet the SLA, so
    counting them would bias the share down), and *within_sla* those of them resolved at most
    ``sla_hours`` after opening. The interval is Wilson's (1927) score interval, see
    :func:`~ecomstrat.metrics.engagement.wilson_interval`. Resolution and first-response times
    are over the tickets resolved (answered) by ``observation_end``; quantiles use numpy's
    default linear interpolation (Hyndman & Fan 1996, definition 7). Open tickets are left out
    of the time quantiles, which therefore understate waiting times while a backlog builds
    (see :func:`backlog`).

    Examples
    --------
    >>> t = Tickets.from_arrays(
    ...     ["2024-01-01T00:00", "2024-01-01T00:00", "2024-01-02T00:00", "2024-01-04T00:00"],
    ...     resolved=["2024-01-01T10:00", "2024-01-02T06:00", None, None],
    ... )
    >>> levels = service_levels(t, observation_end="2024-01-04T12:00")
    >>> levels.eligible.tolist(), levels.within_sla.tolist()  # the last one is too recent
    ([3], [1])
    >>> levels.median_resolution_hours.tolist()  # (10 + 30) / 2
    [20.0]
    """
    tickets = _check_tickets(tickets)
    sla = check_positive("sla_hours", sla_hours)
    if tickets.resolved is None:
        raise invalid("tickets", "<Tickets without resolved>", "must record resolution times",
                      "Pass resolved= (NaT for open tickets).")  # fmt: skip
    end = _end(tickets, observation_end)
    names, codes = _groups(tickets, by)
    n = tickets.n_tickets
    seen = tickets.opened <= end
    resolution = _hours(tickets.opened, _known(tickets.resolved, n, end))
    response = _hours(tickets.opened, _known(tickets.first_response, n, end))
    sla_ns = np.timedelta64(round(sla * _NS_PER_HOUR), "ns")
    eligible = seen & (tickets.opened + sla_ns <= end)
    within = eligible & (resolution <= sla)  # NaN (open) compares False
    m = len(names)

    def count(mask: BoolArray) -> IntArray:
        return np.bincount(codes[mask], minlength=m).astype(np.int64)

    n_eligible, n_within = count(eligible), count(within)
    low, high = wilson_interval(n_within, n=n_eligible, confidence=confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_eligible > 0, n_within / np.maximum(n_eligible, 1), np.nan)
    stats = np.full((3, m), np.nan)
    for g in range(m):
        mine = seen & (codes == g)
        stats[0, g] = _quantile(resolution[mine], 0.5)
        stats[1, g] = _quantile(resolution[mine], 0.9)
        stats[2, g] = _quantile(response[mine], 0.5)
    return ServiceLevels(
        np.array(names, dtype=str),
        count(seen),
        count(seen & ~np.isnan(resolution)),
        n_eligible,
        n_within,
        share,
        np.asarray(low, dtype=np.float64),
        np.asarray(high, dtype=np.float64),
        stats[0],
        stats[1],
        stats[2],
        sla,
        end,
        float(confidence),
    )


@attrs.frozen(eq=False)
class Backlog(Tabular):
    """Open tickets at the end of each period (see :func:`backlog`)."""

    period_start: DatetimeArray
    as_of: DatetimeArray
    opened: IntArray
    resolved: IntArray
    open: IntArray
    unit: TimeUnit

    def __attrs_post_init__(self) -> None:
        for field in ("period_start", "as_of", "opened", "resolved", "open"):
            object.__setattr__(self, field, frozen_view(getattr(self, field)))

    def columns(self) -> dict[str, AnyArray]:
        """One row per period: start, instant counted, tickets opened, resolved, open."""
        return {"period_start": self.period_start, "as_of": self.as_of, "opened": self.opened,
                "resolved": self.resolved, "open": self.open}  # fmt: skip


def ticket_backlog(
    tickets: Tickets,
    *,
    freq: TimeUnit | Literal["day", "week", "month"] = "week",
    observation_end: object = None,
) -> Backlog:
    """Tickets still open at the end of each period, from the first opening to ``observation_end``.

    Parameters
    ----------
    tickets : Tickets
        Needs resolution times.
    freq : {"day", "week", "month"} or TimeUnit, default "week"
        Period length (weeks start on Monday, months are calendar months).
    observation_end : datetime, date or ISO str, optional
        Default: the latest time recorded in ``tickets``.

    Returns
    -------
    Backlog
        ``open`` counts the tickets opened before ``as_of`` and not resolved before it, where
        ``as_of`` is the period's end (the next period's start), or ``observation_end`` for
        the last, partial period.

    Notes
    -----
    ``open(t) = #{opened < t} − #{resolved < t}`` (a ticket resolved before ``t`` was opened
    before it), counted with two sorted searches: Little's-law style stock of work in
    progress, as in queueing texts (e.g. Hopp & Spearman, *Factory Physics*, 3rd ed., ch. 8).

    Examples
    --------
    >>> t = Tickets.from_arrays(
    ...     ["2024-01-01", "2024-01-02", "2024-01-09"],  # Monday, Tuesday, next Tuesday
    ...     resolved=["2024-01-03", "2024-01-10", None],
    ... )
    >>> b = ticket_backlog(t, observation_end="2024-01-12")
    >>> b.open.tolist()  # on Jan 8 only the second is open; on Jan 12 the third
    [1, 1]
    """
    tickets = _check_tickets(tickets)
    if tickets.resolved is None:
        raise invalid("tickets", "<Tickets without resolved>", "must record resolution times",
                      "Pass resolved= (NaT for open tickets).")  # fmt: skip
    unit = TimeUnit.parse(freq) if isinstance(freq, str) else freq
    if unit not in (TimeUnit.DAY, TimeUnit.WEEK, TimeUnit.MONTH):
        raise invalid("freq", freq, "must be 'day', 'week' or 'month'")
    end = _end(tickets, observation_end)
    seen = tickets.opened <= end
    if not seen.any():
        raise invalid("observation_end", str(end), "is before every ticket was opened")
    opened = np.sort(tickets.opened[seen])
    resolved_all = _known(tickets.resolved, tickets.n_tickets, end)[seen]
    resolved = np.sort(resolved_all[~np.isnat(resolved_all)])
    first = int(period_index(opened[:1], unit)[0])
    last = int(period_index(np.array([end], dtype=NS), unit)[0])
    index = np.arange(first, last + 1, dtype=np.int64)
    starts = period_start(index, unit)
    bounds = np.minimum(period_start(index + 1, unit), end)
    # A ticket opened exactly at observation_end is counted as open at it.
    at_end = bounds == end
    opened_before = np.searchsorted(opened, bounds, side="left")
    opened_before = np.where(at_end, np.searchsorted(opened, bounds, side="right"), opened_before)
    resolved_before = np.searchsorted(resolved, bounds, side="left")
    resolved_before = np.where(
        at_end, np.searchsorted(resolved, bounds, side="right"), resolved_before
    )
    opened_in = np.diff(np.concatenate([[0], opened_before]))
    resolved_in = np.diff(np.concatenate([[0], resolved_before]))
    return Backlog(
        starts,
        bounds,
        opened_in.astype(np.int64),
        resolved_in.astype(np.int64),
        (opened_before - resolved_before).astype(np.int64),
        unit,
    )


@attrs.frozen(eq=False)
class TopCategories(Tabular):
    """The most frequent ticket categories (see :func:`top_categories`)."""

    categories: AnyArray
    tickets: IntArray
    share: FloatArray
    median_resolution_hours: FloatArray
    n_tickets: int

    def __attrs_post_init__(self) -> None:
        for field in ("categories", "tickets", "share", "median_resolution_hours"):
            object.__setattr__(self, field, frozen_view(getattr(self, field)))

    def columns(self) -> dict[str, AnyArray]:
        """One row per category, most frequent first."""
        return {"category": self.categories, "tickets": self.tickets, "share": self.share,
                "median_resolution_hours": self.median_resolution_hours}  # fmt: skip


def top_categories(tickets: Tickets, *, k: int = 5) -> TopCategories:
    """The ``k`` most frequent categories, their share of all tickets and resolution time.

    Parameters
    ----------
    tickets : Tickets
        Needs categories.
    k : int, default 5
        How many categories to list (>= 1); fewer when there are fewer.

    Returns
    -------
    TopCategories
        Most frequent first, ties by name. ``share`` is over all tickets, including those
        without a category (which are never listed); the median resolution time is NaN
        where no ticket of the category is resolved (or resolutions are not recorded).

    Notes
    -----
    Pareto analysis of complaint categories, one of the seven basic quality tools (Ishikawa,
    *Guide to Quality Control*, 1976).

    Examples
    --------
    >>> t = Tickets.from_arrays(["2024-01-01"] * 4, category=["late", "damaged", "late", None])
    >>> top = top_categories(t, k=1)
    >>> top.categories.tolist(), top.tickets.tolist(), top.share.tolist()  # 2 / 4
    (['late'], [2], [0.5])
    """
    tickets = _check_tickets(tickets)
    k = check_count("k", k, minimum=1)
    if tickets.category_codes is None or tickets.category_names is None:
        raise invalid("tickets", "<Tickets without category>", "must record categories",
                      "Pass category= to Tickets.from_arrays.")  # fmt: skip
    codes = tickets.category_codes
    names = tickets.category_names
    labelled = codes >= 0
    counts = np.bincount(codes[labelled], minlength=len(names)).astype(np.int64)
    order = sorted(range(len(names)), key=lambda i: (-counts[i], str(names[i])))
    order = [i for i in order if counts[i] > 0][:k]
    hours = (
        np.full(tickets.n_tickets, np.nan)
        if tickets.resolved is None
        else _hours(tickets.opened, tickets.resolved)
    )
    medians = np.array([_quantile(hours[codes == i], 0.5) for i in order], dtype=np.float64)
    picked = counts[order] if order else np.empty(0, dtype=np.int64)
    return TopCategories(
        np.array([str(names[i]) for i in order], dtype=str),
        picked,
        picked / tickets.n_tickets,
        medians,
        tickets.n_tickets,
    )


def service_cost_by_channel(
    tickets: Tickets, *, cost_per_contact: Mapping[str, float]
) -> ServiceCost:
    """Service cost per channel: tickets per channel × cost per contact.

    Each ticket counts as one contact in its channel; unlabelled tickets are left out. The
    result is the :class:`~ecomstrat.metrics.engagement.ServiceCost` of
    :func:`~ecomstrat.metrics.engagement.service_cost`, so the self-service comparison is
    :func:`~ecomstrat.metrics.engagement.self_service_saving` applied to it.

    Parameters
    ----------
    tickets : Tickets
        Needs channels.
    cost_per_contact : mapping of str to float
        Fully loaded cost of one contact in each channel (>= 0), one per channel present.

    Notes
    -----
    See :func:`~ecomstrat.metrics.engagement.service_cost` for per-contact cost sources
    (Gartner 2019: about $8.01 per live contact against $0.10 for self-service).

    Examples
    --------
    >>> from ecomstrat.metrics.engagement import self_service_saving
    >>> t = Tickets.from_arrays(["2024-01-01"] * 3, channel=["phone", "chat", "phone"])
    >>> cost = service_cost_by_channel(t, cost_per_contact={"phone": 8.0, "chat": 4.0})
    >>> cost.cost.tolist(), cost.total  # 2 × 8, 1 × 4
    ([16.0, 4.0], 20.0)
    >>> self_service_saving(cost, shift_share=0.5, self_service_cost_per_contact=0.1).total_saving
    9.85
    """
    tickets = _check_tickets(tickets)
    if tickets.channel_codes is None or tickets.channel_names is None:
        raise invalid("tickets", "<Tickets without channel>", "must record channels",
                      "Pass channel= to Tickets.from_arrays.")  # fmt: skip
    codes = tickets.channel_codes
    counts = np.bincount(codes[codes >= 0], minlength=len(tickets.channel_names))
    contacts = {
        str(name): float(counts[i])
        for i, name in enumerate(tickets.channel_names.tolist())
        if counts[i] > 0
    }
    if not contacts:
        raise invalid("tickets", "<no ticket with a channel>", "must have labelled channels")
    return service_cost(contacts, cost_per_contact=cost_per_contact)
