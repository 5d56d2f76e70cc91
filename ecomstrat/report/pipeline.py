"""The full strategy report of a transaction log, from the data to the figures.

:func:`build_report` runs every step (RFM summary, BG/NBD and Gamma-Gamma fits, CLV and value
tiers, calibration vs holdout, tracking, lifecycle, cohorts and CAC payback, scorers, market
comparison) and returns a :class:`StrategyReport`: JSON-able numbers
(:meth:`~StrategyReport.to_dict`), text sections (:meth:`~StrategyReport.sections`, for
:func:`~ecomstrat.report.render`), matplotlib figures (:meth:`~StrategyReport.figures`) and a
self-contained HTML page (:meth:`~StrategyReport.to_html`). ``ecomstrat report`` and
``ecomstrat demo`` are thin layers over it. Nothing here prints; pass ``progress`` to be told
which step starts.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> sim = simulate_transactions(1_000, seed=3)
>>> report = build_report(sim.log, options=ReportOptions(holdout_weeks=26))
>>> list(report.parts)  # doctest: +NORMALIZE_WHITESPACE
['data', 'summary', 'model', 'clv', 'holdout', 'model_check', 'tracking', 'lifecycle',
 'acquisition', 'business_phase', 'aarrr', 'carts', 'baskets', 'products', 'service',
 'reviews', 'covariates', 'scorers']
>>> report.to_dict()["clv"]["n_customers"]
1000
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import (
    check_choice,
    check_positive,
    check_unit_interval,
    invalid,
    number_or_raw,
    shown,
)
from ecomstrat.diagnostics.calibration import ContinuousModel
from ecomstrat.diagnostics.grids import FrequencyRecencyGrid, frequency_recency_grid
from ecomstrat.diagnostics.holdout import Tracking, tracking
from ecomstrat.diagnostics.verdict import ModelCheck, check_model
from ecomstrat.domain._fields import count_at_least
from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import EcomstratError, EmptyInputError, UnknownCodeError
from ecomstrat.frames._time import period_index, period_of, to_instant
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.frames.events import EventLog
from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.frames.reviews import Reviews
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.tickets import Tickets
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle.stages import StageMatrix
from ecomstrat.localization.market_entry import MarketComparison
from ecomstrat.metrics.acquisition import AcquisitionTable
from ecomstrat.metrics.clv import LifetimeValues, customer_lifetime_value_interval
from ecomstrat.metrics.cohorts import CohortMatrix
from ecomstrat.metrics.value_tiers import TOP_SHARES, check_top_shares, value_tiers
from ecomstrat.models._protocols import TransactionModel
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import FittedGammaGamma, GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.report.aarrr import aarrr_overview, campaign_spend, revenue_log
from ecomstrat.report.acquisition import acquisition_overview
from ecomstrat.report.baskets import baskets_overview
from ecomstrat.report.business_phase import business_phase_overview
from ecomstrat.report.carts import carts_overview
from ecomstrat.report.clv import MODEL_NAMES, clv_overview_from, purchase_model_overview
from ecomstrat.report.covariates import covariates_overview
from ecomstrat.report.customers import CustomerTable, customer_table
from ecomstrat.report.figures import FIGURE_AFTER, FIGURES, report_figures
from ecomstrat.report.html import Image, render_html
from ecomstrat.report.lifecycle import lifecycle_overview
from ecomstrat.report.markets import MarketsOverview
from ecomstrat.report.model_check import ModelCheckPart, TrackingPart
from ecomstrat.report.overview import (
    data_overview,
    holdout_overview,
    summary_overview,
)
from ecomstrat.report.products import products_overview
from ecomstrat.report.reviews import reviews_overview
from ecomstrat.report.scores import scores_overview
from ecomstrat.report.section import Reportable, Section, SkippedPart
from ecomstrat.report.service import service_overview
from ecomstrat.scoring.builtin import CLVScorer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "INTERVAL_SEED",
    "PURCHASE_MODELS",
    "Progress",
    "ReportData",
    "ReportOptions",
    "StrategyReport",
    "build_report",
]

#: Called with the name of each step as it starts (e.g. to show progress).
Progress = Callable[[str], None]

T = TypeVar("T")

#: Seed of the parameter draws behind the customers' CLV intervals.
INTERVAL_SEED = 0

#: ``ReportOptions.model`` (``--model``) -> the purchase model fitted.
PURCHASE_MODELS: Mapping[str, Callable[[], Any]] = {
    "bgnbd": BGNBD,
    "mbgnbd": MBGNBD,
    "pnbd": ParetoNBD,
}


def _optional_positive(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        check_positive(attribute.name, value)


def _scorer_names(value: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names: list[object] = [value]
    if not isinstance(value, str | Mapping) and isinstance(value, Iterable):
        names = list(value)
    if not all(isinstance(n, str) for n in names):
        raise invalid(
            "scorers", shown(value), "must be a sequence of scorer names", "E.g. ('rfm', 'clv')."
        )
    return tuple(dict.fromkeys(str(n).strip() for n in names if str(n).strip()))


def _count(value: Any) -> Any:
    """A numpy integer as an int (for the validator), anything else unchanged."""
    return int(value) if isinstance(value, np.integer) else value


@attrs.frozen
class ReportOptions:
    """What :func:`build_report` computes, and over which dates.

    Parameters
    ----------
    time_unit : TimeUnit or str, default "week"
        Unit of recency, ``T`` and the purchase model.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Report date: later orders are ignored (default: the last order).
    calibration_end : datetime, date, str or numpy.datetime64, optional
        End of the calibration period of the holdout check.
    holdout_weeks : float, optional
        Instead of ``calibration_end``: the holdout is the last ``holdout_weeks`` weeks to
        ``observation_end`` (> 0). Without either, there is no holdout check.
    horizon : float, default 12
        CLV horizon, in ``horizon_unit`` (> 0).
    horizon_unit : TimeUnit or str, default "month"
        Unit of ``horizon``.
    annual_discount_rate : float, default 0.10
        Discount rate of the CLV, a fraction in [0, 1].
    gross_margin_rate : float, optional
        Margin as a share of revenue, for the CLV and the CAC payback. Default: the log's
        margins over its revenue when it has margins, else 1 for the CLV (revenue CLV) and no
        payback.
    scorers : sequence of str, optional
        Scorers to run (default: every available scorer the inputs allow).
    migration_weeks : int, default 13
        Lifecycle migration is measured from this many weeks before ``observation_end`` (>= 1).
    max_offset : int, default 12
        Last month since acquisition of the retention table and figure (>= 0).
    top_shares : sequence of float, default (0.01, 0.10)
        Value tiers (see :func:`~ecomstrat.value_tiers`).
    model : {"bgnbd", "mbgnbd", "pnbd"}, default "bgnbd"
        The purchase model: BG/NBD, MBG/NBD or Pareto/NBD (see :data:`PURCHASE_MODELS`).
    interval_level : float, default 0.9
        Probability content of each customer's CLV interval, in (0, 1).
    interval_draws : int, default 200
        Parameter draws behind the CLV intervals of the customers table (0: no intervals).
        They cost about as much as the rest of the report on CDNOW; the seed is fixed
        (:data:`INTERVAL_SEED`), so a report is reproducible.
    """

    time_unit: TimeUnit = attrs.field(default=TimeUnit.WEEK, converter=to_time_unit)
    observation_end: object = None
    calibration_end: object = None
    holdout_weeks: float | None = attrs.field(default=None, validator=_optional_positive)
    horizon: float = attrs.field(default=12.0, converter=number_or_raw)
    horizon_unit: TimeUnit = attrs.field(default=TimeUnit.MONTH, converter=to_time_unit)
    annual_discount_rate: float = attrs.field(default=0.10, converter=number_or_raw)
    gross_margin_rate: float | None = attrs.field(default=None, validator=_optional_positive)
    scorers: tuple[str, ...] | None = attrs.field(default=None, converter=_scorer_names)
    migration_weeks: int = attrs.field(default=13, converter=_count, validator=count_at_least(1))
    max_offset: int = attrs.field(default=12, converter=_count, validator=count_at_least(0))
    top_shares: tuple[float, ...] = attrs.field(default=TOP_SHARES, converter=check_top_shares)
    model: str = "bgnbd"
    interval_level: float = attrs.field(default=0.9, converter=number_or_raw)
    interval_draws: int = attrs.field(default=200, converter=_count, validator=count_at_least(0))

    def __attrs_post_init__(self) -> None:
        check_choice("model", self.model, tuple(PURCHASE_MODELS))
        if not 0 < self.interval_level < 1:
            raise invalid(
                "interval_level", self.interval_level, "must lie in (0, 1)", "90% is 0.9."
            )
        if self.calibration_end is not None and self.holdout_weeks is not None:
            raise invalid(
                "holdout_weeks",
                self.holdout_weeks,
                "cannot be combined with calibration_end",
                "Give one of them.",
            )
        check_positive("horizon", self.horizon)
        check_unit_interval("annual_discount_rate", self.annual_discount_rate)
        if self.gross_margin_rate is not None and self.gross_margin_rate > 1:
            raise invalid(
                "gross_margin_rate", self.gross_margin_rate, "must lie in (0, 1]", "40% is 0.4."
            )


@attrs.frozen(eq=False)
class ReportData:
    """The per-customer arrays and tables behind the figures of a report (None: skipped).

    ``lifetime_values`` is the CLV result behind ``clv``; ``alive_grid`` the purchase
    model's P(alive) over frequency and recency at the customers' median age; ``check`` the
    model check on the holdout; ``migration`` the lifecycle stage-migration shares;
    ``max_offset`` the last month since acquisition shown by the retention table and figure
    alike.
    """

    clv: FloatArray | None
    lifetime_values: LifetimeValues | None
    tier_cutoffs: dict[str, float] | None
    currency: str | None
    horizon: str
    summary: CustomerSummary
    p_alive: FloatArray | None
    alive_grid: FrequencyRecencyGrid | None
    check: ModelCheck | None
    retention: CohortMatrix | None
    max_offset: int
    tracking: Tracking | None
    migration: StageMatrix | None
    acquisition: AcquisitionTable | None
    customers: CustomerTable


@attrs.frozen(eq=False)
class StrategyReport:
    """The parts of a strategy report, in reading order, and the data of its figures.

    Attributes
    ----------
    title : str
        One line naming the report.
    parts : mapping of str to Reportable
        ``data``, ``summary``, ``model``, ``clv``, [``holdout``, ``model_check``],
        ``tracking``, ``lifecycle``, ``acquisition``, [``aarrr``], ``scorers``, [``markets``]
        (``aarrr`` when events are given); a part that
        could not be computed is a :class:`~ecomstrat.report.section.SkippedPart`.
    data : ReportData
        What the figures are drawn from.
    notes : tuple of str
        Remarks on the whole report (e.g. warnings raised while computing it).
    """

    title: str
    parts: Mapping[str, Reportable]
    data: ReportData
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Every part's numbers, by part name."""
        return {name: part.to_dict() for name, part in self.parts.items()}

    def sections(self) -> list[Section]:
        """Every part's sections in order, then a section of notes if there are any."""
        out = [section for part in self.parts.values() for section in part.sections()]
        if self.notes:
            out.append(Section("Notes", [], notes=self.notes))
        return out

    def figures(self) -> dict[str, Figure]:
        """The report's figures by key (see :data:`~ecomstrat.report.figures.FIGURES`).

        Needs matplotlib. A figure whose part was skipped is left out, and so is ``payback``
        when the report has no campaigns.
        """
        return report_figures(self.data)

    def images(self) -> dict[str, Image]:
        """The figures as PNG :class:`~ecomstrat.report.html.Image` objects, by key."""
        from ecomstrat.plot._axes import figure_png

        return {
            key: Image(FIGURES[key][1], figure_png(figure), FIGURES[key][2])
            for key, figure in self.figures().items()
        }

    def to_html(self, *, subtitle: str = "", footer: str = "") -> str:
        """A self-contained HTML page: the sections, each figure after the section it shows.

        A figure follows the first section of its part whose title starts like the figure's
        (see :data:`~ecomstrat.report.figures.FIGURE_AFTER`), else the part's last section.
        """
        images = self.images()
        blocks: list[Section | Image] = []
        for name, part in self.parts.items():
            waiting = {key: image for key, image in images.items() if FIGURES[key][0] == name}
            for section in part.sections():
                blocks.append(section)
                due = [k for k in waiting if section.title.startswith(FIGURE_AFTER[k])]
                blocks.extend(waiting.pop(key) for key in due)
            blocks.extend(waiting.values())
        if self.notes:
            blocks.append(Section("Notes", [], notes=self.notes))
        return render_html(blocks, title=self.title, subtitle=subtitle, footer=footer)


# ------------------------------------------------------------------------------------ building


def _quiet(_step: str) -> None:
    return None


def _truncate(log: TransactionLog, observation_end: np.datetime64) -> TransactionLog:
    """The orders on or before the day of ``observation_end``."""
    days = period_index(log.times, TimeUnit.DAY)
    last = period_of(observation_end, TimeUnit.DAY)
    kept = days <= last
    if kept.all():
        return log
    if not kept.any():
        raise EmptyInputError(
            f"observation_end={str(observation_end)[:10]!r} is before the first order"
            f" ({str(log.times.min())[:10]}): no order is left to report on. Choose a later date."
        )
    return TransactionLog.from_arrays(
        log.customer_ids[log.customer_index[kept]],
        log.times[kept],
        log.amounts[kept],
        margins=None if log.margins is None else log.margins[kept],
        currency=log.currency,
        timezone=log.timezone,
    )


def _margin_rate(log: TransactionLog, options: ReportOptions) -> float | None:
    if options.gross_margin_rate is not None:
        return float(options.gross_margin_rate)
    if log.margins is None:
        return None
    revenue = float(log.amounts.sum())
    if revenue <= 0:
        return None
    return min(max(float(log.margins.sum()) / revenue, 1e-6), 1.0)


#: Age given to customers whose first purchase is on the report date (T = 0), in the model's
#: time unit: the BTYD models need T > 0, and as T -> 0 their predictions tend to those for a
#: new customer.
MIN_AGE = 1e-6


def _positive_ages(summary: CustomerSummary) -> tuple[CustomerSummary, int]:
    """``summary`` with ``T`` raised to :data:`MIN_AGE`, and how many customers that changed."""
    young = summary.T < MIN_AGE
    if not young.any():
        return summary, 0
    return attrs.evolve(summary, T=np.maximum(summary.T, MIN_AGE)), int(young.sum())


def _fit_spend(summary: CustomerSummary) -> tuple[FittedGammaGamma, int]:
    """Gamma-Gamma on the repeat buyers, and how many of them spent <= 0 on average.

    Those are left out of the fit and valued at the population mean spend, like one-time
    buyers (``non_positive="exclude"``, with a
    :class:`~ecomstrat.models.gamma_gamma.NonPositiveSpendWarning`).
    """
    excluded = int(((summary.frequency > 0) & ~(summary.monetary > 0)).sum())
    return GammaGamma().fit(summary), excluded


def _tier_cutoffs(clv: FloatArray, top_shares: Sequence[float]) -> dict[str, float]:
    tiers = value_tiers(np.maximum(clv, 0.0), top_shares=top_shares)
    out = {}
    for code, name in enumerate(tiers.names[:-1]):
        members = tiers.codes <= code
        if members.any():
            out[name] = float(tiers.values[members].min())
    return out


def _scores(
    summary: CustomerSummary,
    log: TransactionLog,
    model: TransactionModel | None,
    names: tuple[str, ...] | None,
    clv: tuple[FloatArray, str] | None,
) -> tuple[Mapping[str, FloatArray], dict[str, str], dict[str, str]]:
    """Run the scorers; ``clv`` (values, description) replaces the ``clv`` scorer's output.

    The report's CLV section and its ``clv`` score are one computation: the scorer configured
    with the report's horizon, discount rate, gross margin and fitted spend model.
    """
    from ecomstrat import scoring
    from ecomstrat.exceptions import PluginLoadError

    context = scoring.ScoringContext(summary, log=log, model=model)
    skipped: dict[str, str] = {}
    if names is None:
        runnable = []
        for name in scoring.available():
            try:
                scorer = scoring.get(name)
            except PluginLoadError as error:
                skipped[name] = f"failed to load: {error}"
                continue
            missing = context.missing(scorer.requires)
            if missing:
                skipped[name] = "needs " + ", ".join(sorted(missing))
            else:
                runnable.append(name)
    else:
        runnable = list(names)
    if "clv" in runnable and clv is None and model is not None:
        runnable.remove("clv")
        skipped["clv"] = "needs the CLV, which could not be computed (see the CLV section)"
    scores = dict(scoring.score(context, names=[n for n in runnable if n != "clv" or not clv]))
    descriptions = {name: scoring.get(name).description for name in scores}
    if clv is not None and "clv" in runnable:
        scores["clv"], descriptions["clv"] = clv
    scores = {name: scores[name] for name in runnable if name in scores}
    for name in runnable:
        if name not in scores:
            skipped[name] = "failed: see the warnings"
    return scores, descriptions, skipped


def _attempt(what: Callable[[], T], reasons: list[str]) -> T | None:
    """``what()``, or None with the library's error message appended to ``reasons``.

    Errors about the data (too short, no repeat buyer, no spend, no convergence…) skip one
    part; an unknown name (:class:`~ecomstrat.exceptions.UnknownCodeError`) is the caller's
    mistake and is raised.
    """
    try:
        return what()
    except UnknownCodeError:
        raise
    except EcomstratError as error:
        reasons.append(" ".join(str(error).split()))
        return None


def _migration_start(
    log: TransactionLog, observation_end: np.datetime64, weeks: int
) -> tuple[np.datetime64, str | None]:
    """``weeks`` before ``observation_end``, or the first order's day if the log is shorter."""
    previous = observation_end - np.timedelta64(7 * weeks, "D")
    first = np.datetime64(log.times.min(), "D").astype("datetime64[ns]")
    if previous >= first:
        return previous, None
    return first, (
        f"The log covers less than {weeks} weeks: stage migration is measured from the first"
        f" order ({str(first)[:10]})."
    )


def build_report(
    log: TransactionLog,
    *,
    options: ReportOptions | None = None,
    campaigns: Sequence[Campaign] | None = None,
    markets: MarketComparison | MarketsOverview | None = None,
    events: EventLog | None = None,
    lines: OrderLines | None = None,
    tickets: Tickets | None = None,
    reviews: Reviews | None = None,
    covariates: CustomerCovariates | None = None,
    title: str = "Strategy report",
    progress: Progress | None = None,
) -> StrategyReport:
    """Compute the strategy report of ``log``.

    Every part that can be computed on the data is: a part that cannot (a model that does not
    converge on a short log, a spend model without a repeat buyer who spent anything…) is
    replaced by a :class:`~ecomstrat.report.section.SkippedPart` saying why.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    options : ReportOptions, optional
        Dates, horizons, purchase model and what to include (default ``ReportOptions()``).
    campaigns : sequence of Campaign, optional
        Marketing campaigns, for CAC payback (in the log's currency).
    markets : MarketComparison or MarketsOverview, optional
        Candidate markets to compare (e.g. from
        :func:`~ecomstrat.report.markets.market_entries`; a
        :class:`~ecomstrat.report.markets.MarketsOverview` to add the assumptions as notes).
    events : EventLog, optional
        Site events, for the ``aarrr`` part (AARRR funnel KPIs, after ``acquisition``):
        revenue from their amounts, else from ``log``; cost per acquisition from the
        campaigns' spend by channel.
    lines : OrderLines, optional
        Order lines (order, product, optionally customer, time, returns), for the ``baskets``
        part (product affinity and each customer's next-best products) and the ``products``
        part (product performance, ABC and product classes, first-product cohorts).
    tickets : Tickets, optional
        Service tickets, for the ``service`` part (service levels against a 24-hour SLA).
    reviews : Reviews, optional
        Product reviews, for the ``reviews`` part (shrunk ratings, velocity, answers).
    covariates : CustomerCovariates, optional
        Customer covariates (one row per customer), for the ``covariates`` part: the
        Pareto/NBD with every covariate in both processes, each effect as a rate multiplier,
        and the likelihood-ratio test against the model without them.

    Every report has a ``business_phase`` part (start-up, growth, maturity or decline, and the
    remaining potential from a diffusion fit); the parts of an input not given are skipped
    parts saying which input is missing.
    title : str
        The report's title.
    progress : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    StrategyReport

    Raises
    ------
    InvalidInputError
        For dates out of order (``observation_end`` before the first order, a calibration end
        not between the first order and ``observation_end``…).
    UnknownCodeError
        For an unknown scorer.
    """
    opts = options or ReportOptions()
    step = progress or _quiet
    unit = opts.time_unit

    step("summarising")
    last = np.datetime64(log.times.max(), "ns")
    observation_end = (
        last
        if opts.observation_end is None
        else to_instant("observation_end", opts.observation_end, log.timezone)
    )
    log = _truncate(log, observation_end)
    calibration_end = _calibration_end(log, opts, observation_end)
    summary = _summary(log, observation_end, unit)
    parts: dict[str, Reportable] = {
        "data": data_overview(log),
        "summary": summary_overview(summary),
    }

    notes: list[str] = []
    summary, n_young = _positive_ages(summary)
    if n_young:
        notes.append(
            f"{n_young:,} customers first bought on the report date (age T = 0); the models"
            " treat them as new customers."
        )

    name = MODEL_NAMES[opts.model]
    step(f"fitting {name}")
    why: list[str] = []
    model = _attempt(lambda: PURCHASE_MODELS[opts.model]().fit(summary), why)
    p_alive: FloatArray | None = None
    alive_grid: FrequencyRecencyGrid | None = None
    if model is None:
        parts["model"] = SkippedPart(f"{name} purchase model", why[-1])
    else:
        parts["model"], p_alive = purchase_model_overview(summary, model, key=opts.model)
        fitted = model
        alive_grid = _attempt(lambda: _alive_grid(summary, fitted), why)

    step("fitting Gamma-Gamma")
    spend_fit = _attempt(lambda: _fit_spend(summary), why)
    step("computing CLV")
    margin = _margin_rate(log, opts)
    clv_margin = 1.0 if margin is None else margin
    values: LifetimeValues | None = None
    interval: tuple[FloatArray, FloatArray] | None = None
    clv_score: tuple[FloatArray, str] | None = None
    horizon = f"{opts.horizon:g} {opts.horizon_unit.value}s"
    if model is None or spend_fit is None:
        reason = why[-1]
        if spend_fit is not None:
            reason = f"needs the {name} purchase model, which could not be fitted (see above)."
        parts["clv"] = SkippedPart(f"Predicted CLV ({horizon})", reason)
    else:
        gamma_gamma, zero_spend = spend_fit
        parts["clv"], values = clv_overview_from(
            summary,
            model,
            gamma_gamma,
            horizon=opts.horizon,
            horizon_unit=opts.horizon_unit.value,
            annual_discount_rate=opts.annual_discount_rate,
            margin=clv_margin,
            margin_given=margin is not None,
            purchase_model=name,
            excluded_from_spend_fit=zero_spend,
        )
        scorer = CLVScorer(
            horizon=opts.horizon,
            horizon_unit=opts.horizon_unit,
            annual_discount_rate=opts.annual_discount_rate,
            gross_margin_rate=clv_margin,
            spend_model=gamma_gamma,
        )
        clv_score = (values.clv, scorer.description)
        if opts.interval_draws:
            step("CLV intervals")
            fitted_model, fitted_spend = model, gamma_gamma
            interval = _attempt(
                lambda: _clv_interval(summary, fitted_model, fitted_spend, opts, clv_margin), why
            )
            if interval is None:
                notes.append(f"The customers' CLV intervals were not computed: {why[-1]}")
    clv = None if values is None else np.asarray(values.clv, dtype=np.float64)

    tracking_model, tracking_customers = model, summary
    check: ModelCheck | None = None
    if calibration_end is not None:
        step("calibration vs holdout")
        from ecomstrat.metrics.summary import calibration_holdout_summary

        split = calibration_holdout_summary(
            log, calibration_end=calibration_end, observation_end=observation_end, time_unit=unit
        )
        split = attrs.evolve(split, calibration=_positive_ages(split.calibration)[0])
        parts["holdout"] = holdout_overview(split)
        calibrated = _attempt(lambda: PURCHASE_MODELS[opts.model]().fit(split.calibration), why)
        if calibrated is not None:
            chosen = calibrated
            check = _attempt(lambda: check_model(chosen, split, log=log), why)
        parts["model_check"] = (
            SkippedPart("Model check on the holdout", why[-1])
            if check is None
            else ModelCheckPart(check)
        )
        tracking_model, tracking_customers = calibrated, split.calibration

    step("tracking")
    weekly: Tracking | None = None if check is None else check.tracking
    untracked = f"needs the {name} purchase model, which could not be fitted (see above)."
    if weekly is None and tracking_model is not None:
        chosen = tracking_model
        weekly = _attempt(
            lambda: tracking(
                chosen,
                log,
                customers=tracking_customers,
                calibration_end=calibration_end,
                observation_end=observation_end,
            ),
            why,
        )
    if weekly is None and tracking_model is not None:
        untracked = why[-1]
    parts["tracking"] = (
        SkippedPart("Tracking", untracked) if weekly is None else TrackingPart(weekly)
    )

    step("lifecycle")
    previous, shorter = _migration_start(log, observation_end, opts.migration_weeks)
    if shorter:
        notes.append(shorter)
    lifecycle = _attempt(
        lambda: lifecycle_overview(
            log,
            observation_end=observation_end,
            previous=previous,
            values=clv,
            top_shares=opts.top_shares,
        ),
        why,
    )
    if lifecycle is None:
        parts["lifecycle"] = SkippedPart("Lifecycle stages", why[-1])
    elif clv is not None:
        parts["lifecycle"] = attrs.evolve(lifecycle, value_basis=f"predicted CLV over {horizon}")
    else:
        parts["lifecycle"] = lifecycle

    step("cohorts and CAC payback")
    acquisition = _attempt(
        lambda: acquisition_overview(
            log,
            campaigns=list(campaigns or []),
            gross_margin_rate=margin if log.margins is None else None,
            observation_end=observation_end,
            max_offset=opts.max_offset,
        ),
        why,
    )
    parts["acquisition"] = acquisition or SkippedPart("Cohort retention", why[-1])

    step("business phase")
    phase = _attempt(lambda: business_phase_overview(log, observation_end=observation_end), why)
    parts["business_phase"] = phase or SkippedPart("Business lifecycle phase", why[-1])

    def optional(
        key: str, title: str, given: object, flag: str, build: Callable[[], Reportable]
    ) -> None:
        """``parts[key]`` from ``build()`` when its input was given, else why it is absent."""
        if given is None:
            parts[key] = SkippedPart(title, f"no {flag.removeprefix('--')} given ({flag} FILE).")
            return
        step(title)
        built = _attempt(build, why)
        parts[key] = built or SkippedPart(title, why[-1])

    optional(
        "aarrr",
        "AARRR funnel KPIs",
        events,
        "--events",
        lambda: aarrr_overview(
            cast(EventLog, events),
            transactions=revenue_log(cast(EventLog, events), log),
            spend=campaign_spend(campaigns),
            observation_end=observation_end,
        ),
    )
    optional(
        "carts",
        "Cart abandonment",
        events,
        "--events",
        lambda: carts_overview(cast(EventLog, events), observation_end=observation_end),
    )
    optional(
        "baskets",
        "Product affinity",
        lines,
        "--order-lines",
        lambda: baskets_overview(cast(OrderLines, lines)),
    )
    optional(
        "products",
        "Product performance",
        lines,
        "--order-lines",
        lambda: products_overview(cast(OrderLines, lines), log=log, gross_margin_rate=margin),
    )
    optional(
        "service",
        "Service levels",
        tickets,
        "--tickets",
        lambda: service_overview(cast(Tickets, tickets), observation_end=observation_end),
    )
    optional(
        "reviews",
        "Ratings and reviews",
        reviews,
        "--reviews",
        lambda: reviews_overview(cast(Reviews, reviews)),
    )
    optional(
        "covariates",
        "Covariate effects",
        covariates,
        "--covariates",
        lambda: covariates_overview(summary, cast(CustomerCovariates, covariates)),
    )

    step("scorers")
    scored = _attempt(lambda: _scores(summary, log, model, opts.scorers, clv_score), why)
    if scored is None:
        parts["scorers"] = SkippedPart("Scores", why[-1])
    else:
        scores, descriptions, skipped = scored
        if opts.model == "bgnbd":
            for alive in ("p_alive", "churn_risk"):
                if alive in descriptions:
                    descriptions[alive] += (
                        " Under BG/NBD every one-time buyer has P(alive) = 1 (see the P(alive)"
                        " section; MBG/NBD, --model mbgnbd, lets them drop out too)."
                    )
        parts["scorers"] = scores_overview(scores, descriptions=descriptions, skipped=skipped)

    if markets is not None:
        step("markets")
        parts["markets"] = (
            markets if isinstance(markets, MarketsOverview) else MarketsOverview(markets)
        )

    step("customers")
    customers = customer_table(
        summary,
        log,
        observation_end=observation_end,
        p_alive=p_alive,
        expected_purchases=None if values is None else values.expected_purchases,
        clv=clv,
        clv_interval=interval,
        top_shares=opts.top_shares,
    )
    data = ReportData(
        clv=clv,
        lifetime_values=values,
        tier_cutoffs=None if clv is None else _tier_cutoffs(clv, opts.top_shares),
        currency=log.currency,
        horizon=horizon,
        summary=summary,
        p_alive=p_alive,
        alive_grid=alive_grid,
        check=check,
        retention=None if acquisition is None else acquisition.retention,
        max_offset=opts.max_offset,
        tracking=weekly,
        migration=None if lifecycle is None else _migration_matrix(lifecycle.migration_shares),
        acquisition=None if acquisition is None else acquisition.table,
        customers=customers,
    )
    return StrategyReport(title, parts, data, tuple(notes))


#: Largest frequency of the report's P(alive) grid.
GRID_MAX_FREQUENCY = 20


def _alive_grid(summary: CustomerSummary, model: ContinuousModel) -> FrequencyRecencyGrid:
    """P(alive) over frequency and recency at the customers' median age.

    The frequencies run to the 99th percentile of the customers' (at least 5, at most
    :data:`GRID_MAX_FREQUENCY`).
    """
    age = summary.time_unit.convert(float(np.median(summary.T)), to=model.time_unit)
    top = float(np.quantile(summary.frequency, 0.99))
    highest = int(min(GRID_MAX_FREQUENCY, max(5, math.ceil(top))))
    return frequency_recency_grid(model, age=age, horizon=0.0, max_frequency=highest)


def _migration_matrix(shares: Sequence[Sequence[float | None]]) -> StageMatrix:
    """The lifecycle part's migration shares as a :class:`StageMatrix` (NaN: empty stage)."""
    return StageMatrix(np.array([[np.nan if v is None else v for v in row] for row in shares]))


def _clv_interval(
    summary: CustomerSummary,
    model: TransactionModel,
    spend: FittedGammaGamma,
    opts: ReportOptions,
    margin: float,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds of each customer's CLV, for the parameter uncertainty."""
    interval = customer_lifetime_value_interval(
        summary,
        purchase_model=model,
        spend=spend,
        horizon=opts.horizon,
        horizon_unit=opts.horizon_unit,
        annual_discount_rate=opts.annual_discount_rate,
        gross_margin_rate=margin,
        level=opts.interval_level,
        n_draws=opts.interval_draws,
        seed=INTERVAL_SEED,
    )
    return interval.lower, interval.upper


def _calibration_end(
    log: TransactionLog, opts: ReportOptions, observation_end: np.datetime64
) -> np.datetime64 | None:
    """The end of the calibration period, checked to lie between the first order and the end."""
    if opts.holdout_weeks is not None:
        seconds = round(float(opts.holdout_weeks) * 7 * 86_400)
        end = observation_end - np.timedelta64(seconds, "s")
        arg, value = "holdout_weeks", f"{opts.holdout_weeks:g}"
    elif opts.calibration_end is not None:
        end = to_instant("calibration_end", opts.calibration_end, log.timezone)
        arg, value = "calibration_end", str(end)[:10]
    else:
        return None
    first = np.datetime64(log.times.min(), "ns")
    if end >= observation_end:
        raise invalid(
            arg,
            value,
            f"puts the calibration end after the report date ({str(observation_end)[:10]})",
            "Leave a holdout period after it.",
        )
    if end <= first:
        raise invalid(
            arg,
            value,
            f"puts the calibration end ({str(end)[:10]}) on or before the first order"
            f" ({str(first)[:10]})",
            "Choose a later calibration end (or fewer holdout weeks).",
        )
    return end


def _summary(
    log: TransactionLog, observation_end: np.datetime64, unit: TimeUnit
) -> CustomerSummary:
    from ecomstrat.metrics.summary import rfm_summary

    return rfm_summary(log, observation_end=observation_end, time_unit=unit)
