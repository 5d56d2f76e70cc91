"""The ``ecomstrat`` command: a thin layer over the public API, and the only code that prints.

``ecomstrat report FILE`` reads a transaction file (CSV or Parquet) and prints the strategy
report of :func:`ecomstrat.report.pipeline.build_report` as text or JSON, optionally writing
it as a self-contained HTML page with plots; ``ecomstrat demo`` does the same on a simulated
customer base; ``ecomstrat --version`` prints the version. Errors raised by the library (and
a missing file) become one line on stderr and exit status 2. When stderr is a terminal, a
progress line shows the step running; otherwise only warnings go to stderr, and the one line
that says numba is compiling the kernels (a first run: :data:`COMPILE_NOTICE`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ecomstrat._version import __version__
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EcomstratError, UnknownCodeError

if TYPE_CHECKING:
    from ecomstrat.frames.transaction_log import TransactionLog
    from ecomstrat.report.pipeline import StrategyReport

__all__ = ["main"]

#: First day of the simulated acquisition window.
DEMO_START = "2024-01-01"
#: Calibration and holdout lengths in weeks, as in the CDNOW studies (Fader, Hardie & Lee 2005).
CALIBRATION_WEEKS = 39
OBSERVATION_WEEKS = 78
#: Lifecycle migrations are measured over the last quarter of the observation.
MIGRATION_WEEKS = 13
#: Gross margin assumed for the simulated orders, which carry revenue only.
DEMO_GROSS_MARGIN = 0.4
#: Exit status for a usage or input error (argparse uses the same).
EXIT_ERROR = 2
#: Said on stderr, terminal or not, when numba starts compiling kernels: on the first run in an
#: environment, or after numba, Python, the kernels or ``NUMBA_CACHE_DIR`` changed.
COMPILE_NOTICE = "ecomstrat: compiling kernels, first run only..."
#: Defaults of the market comparison of ``ecomstrat report --markets`` (as in the demo).
MARKET_ORDERS = 60.0
MARKET_WEIGHT_KG = 0.8
#: File extensions read as Parquet; anything else is read as delimited text.
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Column flags of ``ecomstrat report``: argument of read_csv -> (flag, default name).
COLUMN_FLAGS = {
    "customer_id": ("--customer-id", "customer_id"),
    "time": ("--time", "time"),
    "amount": ("--amount", "amount"),
    "margin": ("--margin", None),
}


#: Library arguments set by ``ecomstrat report`` flags: argument -> flag (for error messages).
OPTION_FLAGS = {
    "amount": "--amount",
    "annual_discount_rate": "--annual-discount-rate",
    "calibration_end": "--calibration-end",
    "currency": "--currency",
    "customer_id": "--customer-id",
    "delimiter": "--delimiter",
    "gross_margin_rate": "--gross-margin-rate",
    "holdout_weeks": "--holdout-weeks",
    "horizon": "--horizon-months",
    "margin": "--margin",
    "model": "--model",
    "observation_end": "--observation-end",
    "scorers": "--scorers",
    "time": "--time",
    "time_format": "--time-format",
    "time_unit": "--time-unit",
}
#: Parameter draws behind the CLV intervals of ``--customers`` (90 % intervals).
CLV_INTERVAL_DRAWS = 200
#: Purchase models of ``--model``.
MODEL_CHOICES = ("bgnbd", "mbgnbd", "pnbd")


class UsageError(EcomstratError, ValueError):
    """A command-line argument that argparse cannot check by itself."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with _compile_notice(sys.stderr):
            return handler(args)
    except (EcomstratError, OSError, UnicodeDecodeError) as error:
        message = " ".join(str(error).split())
        if isinstance(error, UnicodeDecodeError):
            message = f"the file is not UTF-8 text ({message})"
        elif args.command == "report" and not isinstance(error, UsageError):
            message = flag_names(message)
        print(f"ecomstrat: error: {message}", file=sys.stderr)
        return EXIT_ERROR


def flag_names(message: str) -> str:
    """``message`` with the library's argument names as the ``ecomstrat report`` flags.

    ``calibration_end=1994-08-30T00:00:00.000000000`` becomes ``--calibration-end
    1994-08-30`` (a midnight time is dropped), ``time_format='%Y'`` becomes ``--time-format
    '%Y'``, and a bare ``time_format`` becomes ``--time-format`` (only names with an
    underscore, so that words like "horizon" stay words; a quoted name, such as a column of
    the user's file, is left alone).

    Examples
    --------
    >>> flag_names("calibration_end=1994-08-30T00:00:00.000000000 is invalid. Choose a later"
    ...            " calibration_end.")
    '--calibration-end 1994-08-30 is invalid. Choose a later --calibration-end.'
    """
    for arg, flag in OPTION_FLAGS.items():

        def value(match: re.Match[str], flag: str = flag) -> str:
            shown = re.sub(r"T00:00:00(\.0+)?(?=\W|$)", "", match.group(1))
            if re.fullmatch(r"'[\w.:+-]*'", shown):  # a date or number needs no quotes
                shown = shown[1:-1]
            return f"{flag} {shown}"

        message = re.sub(rf"(?<![\w.-]){arg}=('[^']*'|\S+?)(?=[,;:).]?(?:\s|$))", value, message)
        if "_" in arg:
            message = re.sub(rf"(?<![\w.'\"-]){arg}(?![\w'\"])", flag, message)
    return message


@contextlib.contextmanager
def _compile_notice(stream: IO[str]) -> Iterator[None]:
    """Write :data:`COMPILE_NOTICE` to ``stream`` once, when numba starts compiling a kernel.

    numba compiles a kernel only when its on-disk cache has no entry for it that matches the
    numba and Python versions, the CPU, the kernel's source and the cache folder; a cache hit
    raises no ``numba:compile`` event. So the notice appears exactly when the command will
    wait for the compiler, and never on later runs.
    """
    from numba.core import event

    class Notice(event.Listener):
        said = False

        def on_start(self, _: object) -> None:
            if not self.said:  # the compiler lock serialises the events
                self.said = True
                terminal = bool(getattr(stream, "isatty", lambda: False)())
                clear = "\r" + " " * 79 + "\r" if terminal else ""  # over a progress line
                stream.write(f"{clear}{COMPILE_NOTICE}\n")
                stream.flush()

        def on_end(self, _: object) -> None:
            pass

    with event.install_listener("numba:compile", Notice()):
        yield


# ------------------------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecomstrat",
        description="Typed, fast e-commerce strategy metrics.",
    )
    parser.add_argument("--version", action="version", version=f"ecomstrat {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    _report_parser(commands)
    _demo_parser(commands)
    return parser


def _output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--time-unit",
        default="week",
        choices=[u.value for u in TimeUnit],
        help="unit of recency, T and the purchase model (default: %(default)s)",
    )
    command.add_argument("--json", action="store_true", help="print the numbers as JSON")
    command.add_argument(
        "--html",
        metavar="PATH",
        help="also write a self-contained HTML report with plots (needs ecomstrat[plot])",
    )


def _report_parser(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="the strategy report of a transaction file",
        description=(
            "Read a transaction file (CSV or other delimited text; Parquet by extension) and"
            " report: data summary, BG/NBD and Gamma-Gamma fits, CLV and value tiers,"
            " calibration vs holdout (when asked), lifecycle stages and migration, cohort"
            " retention, CAC payback (with --campaigns), scorers and market comparison"
            " (with --markets)."
        ),
    )
    report.add_argument("transactions", metavar="TRANSACTIONS", help="the transaction file")
    columns = report.add_argument_group("columns (names, or 0-based positions with --no-header)")
    for arg, (flag, default) in COLUMN_FLAGS.items():
        shown = f"default: {default}" if default else "optional: gross margin per order"
        columns.add_argument(flag, dest=arg, metavar="COLUMN", help=f"{arg} column ({shown})")
    text = report.add_argument_group("text files")
    text.add_argument(
        "--delimiter",
        default=",",
        help="field separator: one character, 'tab', or 'whitespace' (any run of spaces and"
        " tabs, as in the CDNOW files) (default: ',')",
    )
    text.add_argument(
        "--time-format",
        metavar="FORMAT",
        help="strptime format of the times, e.g. %%Y%%m%%d (default: ISO 8601)",
    )
    text.add_argument("--no-header", action="store_true", help="the file has no header line")
    report.add_argument("--currency", help="ISO 4217 code of the amounts, e.g. USD")
    dates = report.add_argument_group("dates")
    dates.add_argument(
        "--observation-end",
        metavar="DATE",
        help="report date; later orders are ignored (default: last order)",
    )
    holdout = dates.add_mutually_exclusive_group()
    holdout.add_argument(
        "--holdout-weeks",
        type=float,
        metavar="N",
        help="check the model on the last N weeks (fitted on the data before them)",
    )
    holdout.add_argument(
        "--calibration-end", metavar="DATE", help="check the model on the data after DATE"
    )
    value = report.add_argument_group("value")
    value.add_argument(
        "--horizon-months",
        type=float,
        default=12.0,
        metavar="N",
        help="CLV horizon in months (default: %(default)g)",
    )
    value.add_argument(
        "--annual-discount-rate",
        type=float,
        default=0.10,
        metavar="RATE",
        help="annual discount rate of the CLV (default: %(default)g)",
    )
    value.add_argument(
        "--gross-margin-rate",
        type=float,
        metavar="RATE",
        help="gross margin as a share of revenue, for CLV and CAC payback (default: from"
        " --margin, else revenue CLV and no payback)",
    )
    extra = report.add_argument_group("more parts")
    extra.add_argument(
        "--campaigns",
        metavar="FILE",
        help="CSV of campaigns (campaign_id, channel, spend, currency, start, end), for CAC"
        " payback",
    )
    extra.add_argument(
        "--events",
        metavar="FILE",
        help="CSV of site events (customer or session id, event type, time; optionally session,"
        " campaign, channel, amount), for the AARRR funnel KPIs",
    )
    for flag, default in EVENT_FLAGS.values():
        extra.add_argument(
            flag,
            metavar="COLUMN",
            help=f"events column ({'default: ' + default if default else 'optional'})",
        )
    extra.add_argument(
        "--event-time-format",
        metavar="FORMAT",
        help="strptime format of the event times (default: ISO 8601)",
    )
    extra.add_argument(
        "--order-lines",
        metavar="FILE",
        help="CSV of order lines (order_id, product_id; optionally customer_id, quantity,"
        " amount, time, returned_quantity), for product affinity, next-best products and"
        " product performance",
    )
    extra.add_argument(
        "--tickets",
        metavar="FILE",
        help="CSV of service tickets (opened; optionally first_response, resolved, channel,"
        " category, customer_id, ticket_id), for service levels",
    )
    extra.add_argument(
        "--reviews",
        metavar="FILE",
        help="CSV of product reviews (product_id, rating, time; optionally customer_id,"
        " answered), for ratings and reviews",
    )
    extra.add_argument(
        "--covariates",
        metavar="FILE",
        help="CSV of customer covariates (customer_id and one numeric column per covariate),"
        " for the covariate effects on purchase and dropout rates",
    )
    extra.add_argument(
        "--scorers",
        metavar="NAMES",
        help="comma-separated scorers to run (default: every available one the data allow)",
    )
    extra.add_argument(
        "--markets",
        metavar="CODES",
        help="comma-separated ISO country codes of built-in market profiles to compare,"
        " e.g. DE,GB,AU",
    )
    extra.add_argument(
        "--fx",
        metavar="RATES",
        help="exchange rates for --markets: units of each market currency per 1 unit of"
        " --currency, e.g. EUR=0.91,GBP=0.79",
    )
    extra.add_argument(
        "--market-orders",
        type=float,
        default=MARKET_ORDERS,
        metavar="N",
        help="expected orders a month in each market (default: %(default)g)",
    )
    extra.add_argument(
        "--market-weight-kg",
        type=float,
        default=MARKET_WEIGHT_KG,
        metavar="KG",
        help="weight of an average order (default: %(default)g)",
    )
    report.add_argument(
        "--model",
        default="bgnbd",
        choices=MODEL_CHOICES,
        help="purchase model: BG/NBD, MBG/NBD (one-time buyers can drop out too) or"
        " Pareto/NBD (default: %(default)s)",
    )
    report.add_argument(
        "--customers",
        dest="customers_file",
        metavar="FILE",
        help="also write one row per customer (history, P(alive), expected purchases, CLV,"
        " stage, segment, tier, action) to FILE: Parquet for .parquet/.pq (needs"
        " ecomstrat[pyarrow]), else CSV",
    )
    _output_options(report)
    report.set_defaults(handler=_report)


def _demo_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="the strategy report of a simulated customer base",
        description=(
            "Simulate a customer base (BG/NBD purchases, Gamma-Gamma spend, CDNOW parameters),"
            f" observe it for {OBSERVATION_WEEKS} weeks, and report on it as 'ecomstrat"
            f" report' does, checking the model fitted on the first {CALIBRATION_WEEKS} weeks"
            " against the rest, with simulated campaigns and three candidate markets."
        ),
    )
    demo.add_argument(
        "--customers",
        type=int,
        default=20_000,
        metavar="N",
        help="number of customers to simulate (default: %(default)s)",
    )
    demo.add_argument(
        "--seed", type=int, default=7, metavar="S", help="random seed (default: %(default)s)"
    )
    _output_options(demo)
    demo.set_defaults(handler=_demo)


# ---------------------------------------------------------------------------------- progress


class _Progress:
    """Shows the running step on one self-overwriting line of a terminal; silent otherwise."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.current: str | None = None
        self.began = self.start
        self.seconds: dict[str, float] = {}

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        if self.current is not None:
            self.seconds[self.current] = now - self.began
        self.current, self.began = step, now
        if self.enabled:
            line = f"ecomstrat: {step}... ({now - self.start:.1f} s)"
            self.stream.write("\r" + line.ljust(79)[:79])
            self.stream.flush()

    def done(self, message: str = "") -> None:
        self("done")
        if self.enabled:
            slow = sorted(self.seconds.items(), key=lambda item: -item[1])[:4]
            steps = ", ".join(f"{name} {s:.1f} s" for name, s in slow)
            total = time.perf_counter() - self.start
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.write(f"ecomstrat: done in {total:.1f} s ({steps}){message}\n")
            self.stream.flush()


# ------------------------------------------------------------------------------------ shared


def _need_matplotlib(args: argparse.Namespace) -> None:
    """Fail before the work when --html is asked without matplotlib (or Parquet without pyarrow)."""
    from ecomstrat._optional import import_optional

    if args.html:
        import_optional("matplotlib", "plot")
    customers_file = getattr(args, "customers_file", None)
    if customers_file:
        from ecomstrat.report.customers import PARQUET_SUFFIXES as WRITTEN_AS_PARQUET

        if Path(customers_file).suffix.lower() in WRITTEN_AS_PARQUET:
            import_optional("pyarrow.parquet", "pyarrow")


def _jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities as None, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _run(
    build: Callable[[Callable[[str], None]], StrategyReport], progress: _Progress
) -> tuple[StrategyReport, list[str]]:
    """Build the report, collecting the warnings it raises as one-line texts."""
    import attrs

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = build(progress)
    texts = list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    if texts:
        report = attrs.evolve(report, notes=(*report.notes, *(f"Warning: {t}" for t in texts)))
    return report, texts


def _emit(
    report: StrategyReport,
    args: argparse.Namespace,
    settings: dict[str, Any],
    warned: list[str],
    progress: _Progress,
    subtitle: str,
) -> int:
    for text in warned:
        print(f"ecomstrat: warning: {text}", file=sys.stderr)
    if args.html:
        progress("plotting")
        page = report.to_html(subtitle=subtitle, footer=f"Made with ecomstrat {__version__}.")
        Path(args.html).write_text(page, encoding="utf-8")
    written = [f"HTML report in {args.html}"] if args.html else []
    customers_file = getattr(args, "customers_file", None)
    if customers_file:
        from ecomstrat.report.customers import write_customers

        progress("writing customers")
        write_customers(report.data.customers, customers_file)
        written.append(f"{len(report.data.customers):,} customers in {customers_file}")
    if args.json:
        payload: dict[str, Any] = {"ecomstrat": __version__, "settings": settings}
        payload.update(report.to_dict())
        payload["warnings"] = warned
        print(json.dumps(_jsonable(payload), indent=2, allow_nan=False))
    else:
        print(f"{report.title}\n{'#' * len(report.title)}\n")
        if subtitle:
            print(f"{subtitle}\n")
        from ecomstrat.report import render

        print(render(report.sections()))
    progress.done("".join(f"; {text}" for text in written))
    return 0


# ------------------------------------------------------------------------------------ report


def _columns(args: argparse.Namespace) -> dict[str, str | int | None]:
    """The column of each read_csv argument: a name, or a position with --no-header."""
    out: dict[str, str | int | None] = {}
    for position, (arg, (flag, default)) in enumerate(COLUMN_FLAGS.items()):
        given: str | None = getattr(args, arg)
        if not args.no_header:
            out[arg] = given if given is not None else default
            continue
        if given is None:
            out[arg] = position if default is not None else None
            continue
        try:
            out[arg] = int(given)
        except ValueError:
            raise UsageError(
                f"{flag}={given!r} is invalid: with --no-header, columns are 0-based"
                f" positions, e.g. {flag} {position}."
            ) from None
    return out


def _read_log(args: argparse.Namespace, columns: dict[str, str | int | None]) -> TransactionLog:
    from ecomstrat.io import read_csv, read_parquet

    path = Path(args.transactions)
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            if not path.exists():
                raise FileNotFoundError(f"path={str(path)!r}: no such file.")
            names = {k: v for k, v in columns.items() if v is not None}
            if not all(isinstance(v, str) for v in names.values()):
                raise UsageError("--no-header does not apply to Parquet files.")
            return read_parquet(path, currency=args.currency, **names)  # type: ignore[arg-type]
        return read_csv(
            path,
            customer_id=columns["customer_id"],  # type: ignore[arg-type]
            time=columns["time"],  # type: ignore[arg-type]
            amount=columns["amount"],  # type: ignore[arg-type]
            margin=columns["margin"],
            currency=args.currency,
            delimiter=args.delimiter,
            time_format=args.time_format,
            header=not args.no_header,
        )
    except UnknownCodeError as error:
        message = str(error)
        for arg, (flag, _) in COLUMN_FLAGS.items():
            message = message.replace(
                f"Pass the right name as {arg}=...", f"Pass the right name with {flag}."
            )
        raise UnknownCodeError(message) from error


#: read_events_csv argument -> (--events column flag, default column; None: not read).
EVENT_FLAGS: dict[str, tuple[str, str | None]] = {
    "customer_id": ("--event-customer-id", "customer_id"),
    "event_type": ("--event-type", "event_type"),
    "time": ("--event-time", "time"),
    "session_id": ("--event-session-id", None),
    "campaign": ("--event-campaign", None),
    "channel": ("--event-channel", None),
    "amount": ("--event-amount", None),
}


def _read_order_lines(args: argparse.Namespace) -> Any:
    """The --order-lines file as OrderLines (None without --order-lines).

    The columns are read by their default names (``order_id``, ``product_id``, and
    ``customer_id``, ``quantity``, ``amount`` when the header has them).
    """
    if not args.order_lines:
        return None
    import csv

    from ecomstrat.io.order_lines import read_order_lines_csv

    with open(args.order_lines, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])

    def column(name: str) -> str | None:
        return name if name in header else None

    return read_order_lines_csv(
        args.order_lines,
        customer_id=column("customer_id"),
        quantity=column("quantity"),
        amount=column("amount"),
        time=column("time"),
        returned_quantity=column("returned_quantity"),
    )


def _header(path: str) -> list[str]:
    """The column names of a CSV file's header row."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle), [])


def _read_tickets(args: argparse.Namespace) -> Any:
    """The --tickets file (None without --tickets); optional columns read when present."""
    if not args.tickets:
        return None
    from ecomstrat.io.tickets import read_tickets_csv

    header = _header(args.tickets)

    def column(name: str) -> str | None:
        return name if name in header else None

    return read_tickets_csv(
        args.tickets,
        first_response=column("first_response"),
        resolved=column("resolved"),
        channel=column("channel"),
        category=column("category"),
        customer_id=column("customer_id"),
        ticket_id=column("ticket_id"),
    )


def _read_reviews(args: argparse.Namespace) -> Any:
    """The --reviews file (None without --reviews); optional columns read when present."""
    if not args.reviews:
        return None
    from ecomstrat.io.reviews import read_reviews_csv

    header = _header(args.reviews)
    return read_reviews_csv(
        args.reviews,
        customer_id="customer_id" if "customer_id" in header else None,
        answered="answered" if "answered" in header else None,
    )


def _read_covariates(args: argparse.Namespace) -> Any:
    """The --covariates file as CustomerCovariates (None without --covariates)."""
    if not args.covariates:
        return None
    from ecomstrat.io.covariates import read_customer_covariates

    return read_customer_covariates(args.covariates)


def _read_events(args: argparse.Namespace) -> Any:
    """The --events file as an EventLog (None without --events)."""
    if not args.events:
        return None
    from ecomstrat.io.events import read_events_csv

    columns: dict[str, Any] = {}
    for arg, (flag, default) in EVENT_FLAGS.items():
        given = getattr(args, flag.removeprefix("--").replace("-", "_"))
        if given is not None or default is not None:
            columns[arg] = given if given is not None else default
    try:
        return read_events_csv(args.events, time_format=args.event_time_format, **columns)
    except UnknownCodeError as error:
        message = str(error)
        for arg, (flag, _) in EVENT_FLAGS.items():
            message = message.replace(
                f"Pass the right name as {arg}=...", f"Pass the right name with {flag}."
            )
        raise UnknownCodeError(message) from error


def _pairs(text: str, flag: str) -> dict[str, str]:
    out = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"{flag}={text!r} is invalid: write CODE=RATE pairs, e.g. EUR=0.91.")
        out[key.strip().upper()] = value.strip()
    return out


def _markets(args: argparse.Namespace, log: TransactionLog, margin: float | None) -> Any:
    if not args.markets:
        return None
    from ecomstrat.report.markets import MarketsOverview, market_entries

    codes = [c.strip() for c in args.markets.split(",") if c.strip()]
    if log.currency is None:
        raise UsageError(
            "--markets needs the currency of the amounts: pass --currency (e.g. --currency USD)."
        )
    if margin is None:
        raise UsageError(
            "--markets needs a gross margin: pass --gross-margin-rate (e.g. 0.4) or a --margin"
            " column."
        )
    basket = f"{float(log.amounts.mean()):.2f}"
    comparison = market_entries(
        codes,
        currency=log.currency,
        average_basket=basket,
        gross_margin_rate=margin,
        monthly_orders=args.market_orders,
        weight_kg=args.market_weight_kg,
        fx=_pairs(args.fx, "--fx") if args.fx else None,
    )
    rates = f" at {args.fx.replace(',', ', ')} per {log.currency}" if args.fx else ""
    return MarketsOverview(
        comparison,
        [
            f"Assumed for each market: {args.market_orders:g} orders a month of {basket}"
            f" {log.currency} (the mean order of the data), {args.market_weight_kg:g} kg, a"
            f" {margin:.0%} gross margin, sold DDP{rates}."
        ],
    )


def _report(args: argparse.Namespace) -> int:
    from ecomstrat.report.clv import MODEL_NAMES
    from ecomstrat.report.pipeline import ReportOptions, build_report

    _need_matplotlib(args)
    progress = _Progress(sys.stderr)
    progress("reading")
    columns = _columns(args)
    scorers = [s.strip() for s in args.scorers.split(",")] if args.scorers else None
    options = ReportOptions(
        time_unit=args.time_unit,
        observation_end=args.observation_end,
        calibration_end=args.calibration_end,
        holdout_weeks=args.holdout_weeks,
        horizon=args.horizon_months,
        horizon_unit="month",
        annual_discount_rate=args.annual_discount_rate,
        gross_margin_rate=args.gross_margin_rate,
        scorers=scorers,
        migration_weeks=MIGRATION_WEEKS,
        model=args.model,
        interval_draws=CLV_INTERVAL_DRAWS if args.customers_file else 0,
    )
    log = _read_log(args, columns)
    campaigns = None
    if args.campaigns:
        from ecomstrat.report.inputs import read_campaigns

        campaigns = read_campaigns(args.campaigns)
        currencies = sorted({c.spend.currency for c in campaigns})
        if log.currency is None:
            raise UsageError(
                f"the campaigns are in {', '.join(currencies)} but the transactions have no"
                f" currency: pass --currency {currencies[0]}."
            )
        if log.margins is None and args.gross_margin_rate is None:
            raise UsageError(
                "CAC payback needs margins: pass --gross-margin-rate (e.g. 0.4) or a --margin"
                " column."
            )
    margin = args.gross_margin_rate
    if margin is None and log.margins is not None and log.amounts.sum() > 0:
        margin = float(log.margins.sum() / log.amounts.sum())
    markets = _markets(args, log, margin)
    events = _read_events(args)
    lines = _read_order_lines(args)
    tickets = _read_tickets(args)
    reviews = _read_reviews(args)
    covariates = _read_covariates(args)
    name = Path(args.transactions).name
    title = f"ecomstrat {__version__} strategy report: {name}"
    report, warned = _run(
        lambda step: build_report(
            log,
            options=options,
            campaigns=campaigns,
            markets=markets,
            events=events,
            lines=lines,
            tickets=tickets,
            reviews=reviews,
            covariates=covariates,
            title=title,
            progress=step,
        ),
        progress,
    )
    shown = {k: v for k, v in columns.items() if v is not None}
    settings = {
        "transactions": str(args.transactions),
        "columns": shown,
        "currency": log.currency,
        "time_unit": options.time_unit.value,
        "observation_end": args.observation_end,
        "calibration_end": args.calibration_end,
        "holdout_weeks": args.holdout_weeks,
        "horizon_months": args.horizon_months,
        "annual_discount_rate": args.annual_discount_rate,
        "gross_margin_rate": margin,
        "campaigns": args.campaigns,
        "events": args.events,
        "covariates": args.covariates,
        "markets": args.markets,
        "model": args.model,
        "customers": args.customers_file,
    }
    subtitle = (
        f"{name}: {log.n_transactions:,} orders of {log.n_customers:,} customers;"
        f" {options.time_unit.value}s; {MODEL_NAMES[args.model]}; CLV over"
        f" {args.horizon_months:g} months at"
        f" {args.annual_discount_rate:.0%} a year."
    )
    return _emit(report, args, settings, warned, progress, subtitle)


# -------------------------------------------------------------------------------------- demo


def _demo(args: argparse.Namespace) -> int:
    import attrs

    from ecomstrat import simulate_transactions
    from ecomstrat._warmup import warm_up_report
    from ecomstrat.datasets.baskets import simulate_baskets
    from ecomstrat.datasets.campaigns import simulate_campaigns
    from ecomstrat.datasets.covariates import simulate_customer_covariates
    from ecomstrat.datasets.events import simulate_events
    from ecomstrat.datasets.reviews import simulate_reviews
    from ecomstrat.datasets.support import simulate_tickets
    from ecomstrat.report import simulation_overview
    from ecomstrat.report.markets import demo_market_entries
    from ecomstrat.report.pipeline import ReportOptions, build_report

    _need_matplotlib(args)
    progress = _Progress(sys.stderr)
    unit = TimeUnit.parse(args.time_unit)
    progress("warm-up")
    warm_up_report()
    progress("simulating")
    simulation = simulate_transactions(
        args.customers, seed=args.seed, start=DEMO_START, observation_length=OBSERVATION_WEEKS
    )
    calibration_end = np.datetime64(DEMO_START) + np.timedelta64(7 * CALIBRATION_WEEKS, "D")
    campaigns = simulate_campaigns(simulation, seed=args.seed)
    events = simulate_events(simulation, seed=args.seed)
    lines = simulate_baskets(simulation, seed=args.seed)
    tickets = simulate_tickets(simulation, seed=args.seed)
    reviews = simulate_reviews(simulation, seed=args.seed)
    covariates = simulate_customer_covariates(simulation, seed=args.seed)
    options = ReportOptions(
        time_unit=unit,
        observation_end=simulation.observation_end,
        calibration_end=calibration_end,
        gross_margin_rate=DEMO_GROSS_MARGIN,
        migration_weeks=MIGRATION_WEEKS,
        interval_draws=0,  # the demo writes no customers file, where the intervals go
    )
    title = (
        f"ecomstrat {__version__} demo: {args.customers:,} simulated customers"
        f" (seed {args.seed}), {unit.value}s"
    )
    report, warned = _run(
        lambda step: build_report(
            simulation.log,
            options=options,
            campaigns=campaigns,
            markets=demo_market_entries(),
            events=events,
            lines=lines,
            tickets=tickets,
            reviews=reviews,
            covariates=covariates,
            title=title,
            progress=step,
        ),
        progress,
    )
    report = attrs.evolve(
        report, parts={"simulation": simulation_overview(simulation), **report.parts}
    )
    settings = {
        "customers": args.customers,
        "seed": args.seed,
        "time_unit": unit.value,
        "start": DEMO_START,
        "calibration_end": str(calibration_end),
    }
    subtitle = (
        f"Simulated with CDNOW parameters, observed {OBSERVATION_WEEKS} weeks from {DEMO_START};"
        f" model checked on the weeks after {calibration_end}; gross margin"
        f" {DEMO_GROSS_MARGIN:.0%}; illustrative campaigns, site events, customer covariates and"
        " markets."
    )
    return _emit(report, args, settings, warned, progress, subtitle)


if __name__ == "__main__":
    sys.exit(main())
