"""One customer, fast: microseconds per call of the scalar API, against lifetimes.

``python -m benchmarks.one_customer [--repeats 7] [--number 2000] [--json PATH]``

After :func:`ecomstrat.warm_up`, each call is made ``number`` times in a loop, ``repeats`` times;
the table gives the median (and the best) over the repeats of the mean µs per call — on a shared
machine the best is the cost of the call, the median adds the interference. Calls, for a CDNOW-like
customer ``x = 2, t_x = 30.43, T = 38.86`` weeks, the published CDNOW parameters, a 12-month
horizon, 10 % a year, Gamma-Gamma spend with a 30 % margin:

- ``p_alive``: ``fitted.probability_alive_one(x, t_x, T)``;
- ``conditional``: ``fitted.conditional_expected_purchases_one(39, x, t_x, T)``;
- ``clv``: ``ecomstrat.customer_lifetime_value_one(x, t_x, T, monetary, ...)``;
- ``*-array``: the vectorised method on a one-customer tuple of arrays (the 0.2 path);
- ``lifetimes``: the same quantity from lifetimes 0.11 with the same parameters, scalars in
  where it accepts them (``customer_lifetime_value`` needs one-row pandas Series; it sums
  monthly steps of a daily model, so its CLV is comparable in cost, not in value).

Progress to stderr, the table to stdout, the figures to ``--json`` (default
``benchmarks/results/one_customer.json``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import timeit
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

X, T_X, T, MONETARY = 2, 30.43, 38.86, 22.35
WINDOW = 39.0
PARAMS = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "mbgnbd": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
    "paretonbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
_LIFETIMES = {"bgnbd": "BetaGeoFitter", "mbgnbd": "ModifiedBetaGeoFitter"}
_LIFETIMES |= {"paretonbd": "ParetoNBDFitter"}


def _ecomstrat_calls(model: str) -> dict[str, Callable[[], Any]]:
    import numpy as np

    import ecomstrat as es

    estimator = {"bgnbd": es.BGNBD, "mbgnbd": es.MBGNBD, "paretonbd": es.ParetoNBD}[model]
    fitted = estimator.from_params(**PARAMS[model], time_unit="week")
    spend = es.GammaGamma.from_params(**SPEND)
    options = {"horizon": 12, "annual_discount_rate": 0.1, "gross_margin_rate": 0.3}
    history = (np.array([float(X)]), np.array([T_X]), np.array([T]))
    summary = es.CustomerSummary.from_arrays([X], [T_X], [T], [MONETARY], time_unit="week")
    return {
        "p_alive": lambda: fitted.probability_alive_one(X, T_X, T),
        "conditional": lambda: fitted.conditional_expected_purchases_one(WINDOW, X, T_X, T),
        "clv": lambda: es.customer_lifetime_value_one(
            X, T_X, T, MONETARY, purchase_model=fitted, spend=spend, **options
        ),
        "p_alive-array": lambda: fitted.probability_alive(history),
        "conditional-array": lambda: fitted.conditional_expected_purchases(WINDOW, history),
        "clv-array": lambda: es.customer_lifetime_value(
            summary, purchase_model=fitted, spend=spend, **options
        ),
    }


def _lifetimes_calls(model: str) -> dict[str, Callable[[], Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes sets deprecated pandas options on import
        import lifetimes
        import pandas as pd

    fitter = getattr(lifetimes, _LIFETIMES[model])()
    fitter.params_ = pd.Series(PARAMS[model])
    fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time  # as fit() does
    spend = lifetimes.GammaGammaFitter()
    spend.params_ = pd.Series({"p": SPEND["p"], "q": SPEND["q"], "v": SPEND["gamma"]})
    row = tuple(pd.Series([value]) for value in (X, T_X, T, MONETARY))

    def quiet(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return call()

        return run

    return {
        "p_alive": quiet(lambda: fitter.conditional_probability_alive(X, T_X, T)),
        "conditional": quiet(
            lambda: fitter.conditional_expected_number_of_purchases_up_to_time(WINDOW, X, T_X, T)
        ),
        "clv": quiet(
            lambda: spend.customer_lifetime_value(
                fitter, *row, time=12, discount_rate=0.1 / 12, freq="W"
            )
        ),
    }


def _time(call: Callable[[], Any], number: int, repeats: int) -> tuple[float, float]:
    """(median, best) over the repeats of the mean µs per call."""
    call()
    call()
    runs = timeit.repeat(call, number=number, repeat=repeats)
    return statistics.median(runs) / number * 1e6, min(runs) / number * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.one_customer")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/one_customer.json"))
    args = parser.parse_args(argv)

    import ecomstrat as es

    print(f"warm-up: {es.warm_up():.2f} s", file=sys.stderr)
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for model in PARAMS:
        row: dict[str, tuple[float, float]] = {}
        for name, call in _ecomstrat_calls(model).items():
            row[name] = _time(call, args.number, args.repeats)
        try:
            peers = _lifetimes_calls(model)
        except ImportError:
            peers = {}
        for name, call in peers.items():
            few = max(1, args.number // (200 if name == "clv" else 20))
            row[f"lifetimes-{name}"] = _time(call, few, args.repeats)
        results[model] = row
        print(f"{model}: done", file=sys.stderr)

    names = list(next(iter(results.values())))
    print("| model | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for model, row in results.items():
        cells = (f"{row[n][0]:.2f} ({row[n][1]:.2f})" if n in row else "-" for n in names)
        print(f"| {model} | " + " | ".join(cells) + " |")
    print("(µs per call after warm-up: median (best) over the repeats)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine()}
    meta |= {"repeats": args.repeats, "number": args.number}
    args.json.write_text(json.dumps({"meta": meta, "microseconds": results}, indent=2))


if __name__ == "__main__":
    main()
