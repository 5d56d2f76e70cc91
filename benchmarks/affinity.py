"""Pairwise product affinity of simulated baskets: ecomstrat's numba kernel against its peers.

``python -m benchmarks.affinity [--sizes 1e5,1e6,1e7] [--only ecomstrat,kernel,polars,pandas,
mlxtend] [--json PATH]``

Input: the order lines of :func:`ecomstrat.datasets.baskets.simulate_baskets` (200 products,
Zipf popularity, 5 planted pairs, about 2.9 lines per order) for the orders of
``simulate_transactions(size / 7.6 customers, seed=0)``, written once as an ``.npz`` of int64
order and product ids (``--data``, default ``$TMPDIR/ecomstrat-benchmarks/affinity``); the
nominal size is the number of lines rounded (the exact count is in the JSON). Every
implementation starts from those two in-memory arrays and ends with the rules of every pair
with support >= :data:`MIN_SUPPORT` (both directions): count, support, confidence, lift.

- ``ecomstrat``: ``OrderLines.from_arrays`` (id factorisation) + ``product_affinity`` (also
  computes the Fisher p-values, which the peers do not);
- ``kernel``: the numba kernels alone on the factorised codes (``baskets``,
  ``item_supports``, ``pair_supports``);
- ``polars``: a tuned lazy self-join: distinct (order, product), join on order with
  ``product < product_right``, group by pair; item counts joined back (:func:`polars_rules`);
- ``pandas``: the same self-join with ``drop_duplicates`` / ``merge`` / ``groupby``
  (:func:`pandas_rules`);
- ``mlxtend`` (up to :data:`MLXTEND_MAX` lines): a one-hot boolean DataFrame (orders x
  products, built with numpy), ``fpgrowth(min_support, max_len=2)`` then
  ``association_rules(metric="support", min_threshold=MIN_SUPPORT)``. (fpgrowth is
  mlxtend's fastest frequent-itemset miner; ``apriori`` materialises an orders x candidate
  pairs matrix, 6 GB at 10^6 lines.)

Before timing, at each size up to :data:`VERIFY_MAX`, every implementation's rules are
checked equal to ecomstrat's: the same (antecedent, consequent) set, equal counts, support,
confidence and lift within 1e-12 (relative). Each (implementation, size) then runs in a fresh
process: a *cold* first call (numba loads its cached machine code; polars starts its pool) and
warm calls (median of ``--repeats``; one at 10^7, for the 2-core machine). Extra peak = peak
RSS during the warm call minus the RSS before the cold call.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.data import SCRATCH
from benchmarks.harness import current_rss, peak_rss, reset_peak_rss, run_child

DATA = SCRATCH / "affinity"
IMPLEMENTATIONS = ("ecomstrat", "kernel", "polars", "pandas", "mlxtend")
MIN_SUPPORT = 0.001
MLXTEND_MAX = 10**6
VERIFY_MAX = 10**7
LINES_PER_CUSTOMER = 7.6


def _path(data: Path, size: int) -> Path:
    return data / f"lines_{size}.npz"


def make_data(data: Path, size: int) -> dict[str, Any]:
    import numpy as np

    from ecomstrat.datasets.baskets import simulate_baskets
    from ecomstrat.datasets.simulate import simulate_transactions

    path = _path(data, size)
    if not path.exists():
        simulation = simulate_transactions(max(1, round(size / LINES_PER_CUSTOMER)), seed=0)
        lines = simulate_baskets(simulation, seed=0)
        data.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            orders=lines.order_ids[lines.order_index].astype(np.int64),
            products=lines.product_ids[lines.product_index].astype(np.int64),
        )
    with np.load(path) as saved:
        return {"written": str(path), "lines": int(saved["orders"].size)}


def load(data: Path, size: int) -> tuple[Any, Any]:
    import numpy as np

    with np.load(_path(data, size)) as saved:
        return saved["orders"], saved["products"]


# --- the implementations: (orders, products) -> rules as columns -----------------------------


def ecomstrat_rules(orders: Any, products: Any) -> dict[str, Any]:
    from ecomstrat.frames.order_lines import OrderLines
    from ecomstrat.metrics.affinity import product_affinity

    rules = product_affinity(
        OrderLines.from_arrays(orders, products), min_support=MIN_SUPPORT, min_count=1
    )
    t = rules.columns()
    return {k: t[k] for k in ("antecedent", "consequent", "count", "support", "confidence", "lift")}


def kernel_rules(orders: Any, products: Any) -> dict[str, Any]:
    """The kernels on codes (factorised untimed: products are 0..199, orders 0..n-1)."""
    import numpy as np

    from ecomstrat._kernels.affinity import baskets, item_supports, pair_supports

    n_orders = int(orders.max()) + 1
    n_products = int(products.max()) + 1
    offsets, items = baskets(orders, products, n_orders)
    n_items = item_supports(items, n_products)
    first, second, counts = pair_supports(offsets, items, n_products)
    keep = counts >= MIN_SUPPORT * n_orders
    a = np.concatenate([first[keep], second[keep]])
    b = np.concatenate([second[keep], first[keep]])
    c = np.concatenate([counts[keep], counts[keep]])
    return _derived(a, b, c, n_items[a], n_items[b], n_orders)


def _derived(a: Any, b: Any, c: Any, n_a: Any, n_b: Any, n: int) -> dict[str, Any]:
    """The rule measures from pair and item counts (int64: polars counts are uint32)."""
    import numpy as np

    c, n_a, n_b = (np.asarray(x, dtype=np.int64) for x in (c, n_a, n_b))
    return {
        "antecedent": a,
        "consequent": b,
        "count": c,
        "support": c / n,
        "confidence": c / n_a,
        "lift": c * n / (n_a * n_b.astype(float)),
    }


def polars_rules(orders: Any, products: Any) -> dict[str, Any]:
    import polars as pl

    lines = pl.LazyFrame({"o": orders, "p": products}).unique()
    n = lines.select(pl.col("o").n_unique()).collect().item()
    items = lines.group_by("p").agg(pl.len().alias("n_p"))
    pairs = (
        lines.join(lines, on="o", suffix="_b")
        .filter(pl.col("p") < pl.col("p_b"))
        .group_by("p", "p_b")
        .agg(pl.len().alias("c"))
        .filter(pl.col("c") >= MIN_SUPPORT * n)
    )
    both = pl.concat(
        [
            pairs.select(pl.col("p").alias("a"), pl.col("p_b").alias("b"), "c"),
            pairs.select(pl.col("p_b").alias("a"), pl.col("p").alias("b"), "c"),
        ]
    )
    rules = (
        both.join(items.rename({"p": "a", "n_p": "n_a"}), on="a")
        .join(items.rename({"p": "b", "n_p": "n_b"}), on="b")
        .collect()
    )
    return _derived(*(rules[k].to_numpy() for k in ("a", "b", "c", "n_a", "n_b")), n)


def pandas_rules(orders: Any, products: Any) -> dict[str, Any]:
    import pandas as pd

    lines = pd.DataFrame({"o": orders, "p": products}).drop_duplicates()
    n = lines["o"].nunique()
    items = lines["p"].value_counts()
    joined = lines.merge(lines, on="o", suffixes=("", "_b"))
    joined = joined[joined["p"].to_numpy() < joined["p_b"].to_numpy()]
    pairs = joined.groupby(["p", "p_b"], sort=False).size()
    pairs = pairs[pairs.to_numpy() >= MIN_SUPPORT * n]
    first = pairs.index.get_level_values(0).to_numpy()
    second = pairs.index.get_level_values(1).to_numpy()
    import numpy as np

    a, b = np.concatenate([first, second]), np.concatenate([second, first])
    c = np.concatenate([pairs.to_numpy(), pairs.to_numpy()])
    return _derived(a, b, c, items.loc[a].to_numpy(), items.loc[b].to_numpy(), n)


def mlxtend_rules(orders: Any, products: Any) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    order_codes, order_index = np.unique(orders, return_inverse=True)
    product_codes, product_index = np.unique(products, return_inverse=True)
    onehot = np.zeros((order_codes.size, product_codes.size), dtype=bool)
    onehot[order_index, product_index] = True
    frame = pd.DataFrame(onehot, columns=product_codes)
    itemsets = fpgrowth(frame, min_support=MIN_SUPPORT, use_colnames=True, max_len=2)
    rules = association_rules(itemsets, metric="support", min_threshold=MIN_SUPPORT)
    a = np.array([next(iter(x)) for x in rules["antecedents"]], dtype=np.int64)
    b = np.array([next(iter(x)) for x in rules["consequents"]], dtype=np.int64)
    n = order_codes.size
    count = np.rint(rules["support"].to_numpy() * n).astype(np.int64)
    return {
        "antecedent": a,
        "consequent": b,
        "count": count,
        "support": rules["support"].to_numpy(),
        "confidence": rules["confidence"].to_numpy(),
        "lift": rules["lift"].to_numpy(),
    }


CALLS = {
    "ecomstrat": ecomstrat_rules,
    "kernel": kernel_rules,
    "polars": polars_rules,
    "pandas": pandas_rules,
    "mlxtend": mlxtend_rules,
}


def canonical(rules: dict[str, Any]) -> dict[str, Any]:
    """Rules sorted by (antecedent, consequent), ids as int64."""
    import numpy as np

    a = np.asarray(rules["antecedent"]).astype(np.int64)
    b = np.asarray(rules["consequent"]).astype(np.int64)
    order = np.lexsort((b, a))
    out = {k: np.asarray(v)[order] for k, v in rules.items()}
    out["antecedent"], out["consequent"] = a[order], b[order]
    return out


def verify(data: Path, size: int, names: list[str]) -> dict[str, Any]:
    """Every implementation's rules against ecomstrat's; raises on a mismatch."""
    import numpy as np

    orders, products = load(data, size)
    want = canonical(ecomstrat_rules(orders, products))
    checked = []
    for name in names:
        if name == "ecomstrat" or (name == "mlxtend" and size > MLXTEND_MAX):
            continue
        got = canonical(CALLS[name](orders, products))
        for column in ("antecedent", "consequent", "count"):
            np.testing.assert_array_equal(got[column], want[column], err_msg=f"{name} {column}")
        for column in ("support", "confidence", "lift"):
            np.testing.assert_allclose(got[column], want[column], rtol=1e-12, err_msg=name)
        checked.append(name)
    return {"verified": checked, "rules": int(want["count"].size)}


def measure(data: Path, size: int, name: str, repeats: int) -> dict[str, Any]:
    """Cold, then ``repeats`` warm calls in this fresh process; seconds and extra peak RSS."""
    orders, products = load(data, size)
    call = CALLS[name]
    gc.collect()
    baseline = current_rss()
    timings, extras = [], []
    for _ in range(1 + repeats):
        reset_peak_rss()
        start = time.perf_counter()
        result = call(orders, products)
        timings.append(time.perf_counter() - start)
        extras.append(peak_rss() - baseline)
        del result
        gc.collect()
    input_bytes = int(orders.nbytes + products.nbytes)
    return {
        "implementation": name,
        "size": size,
        "lines": int(orders.size),
        "cold_s": timings[0],
        "warm_s": statistics.median(timings[1:]),
        "warm_all_s": timings[1:],
        "input_bytes": input_bytes,
        "cold_extra_peak_bytes": extras[0],
        "extra_peak_bytes": max(extras[1:]),
    }


def _sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",")]


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    names = args.only.split(",")
    me = ["-m", "benchmarks.affinity", "--data", str(args.data)]
    rows: list[dict[str, Any]] = []
    for size in _sizes(args.sizes):
        _log(f"data {size}: {run_child([*me, 'data', str(size)])}")
        if size <= VERIFY_MAX:
            checked = run_child([*me, "verify", str(size)])
            _log(f"  verify: {checked}")
            if "error" in checked:
                continue
        repeats = 1 if size >= 10**7 else args.repeats
        for name in names:
            if name == "mlxtend" and size > MLXTEND_MAX:
                continue
            row = run_child([*me, "measure", str(size), name, "--repeats", str(repeats)])
            row.update(implementation=name, size=size)
            _log(f"  {json.dumps(row)}")
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one line per (size, implementation), with the ratio to ecomstrat's warm time."""
    lines = [
        "| lines | implementation | warm | cold | extra peak RSS | warm x ecomstrat |",
        "|---|---|---|---|---|---|",
    ]
    ours = {r["size"]: r.get("warm_s") for r in rows if r["implementation"] == "ecomstrat"}
    for row in rows:
        if "warm_s" not in row:
            lines.append(f"| {row['size']:.0e} | {row['implementation']} | failed | | | |")
            continue
        base = ours.get(row["size"])
        ratio = f"{row['warm_s'] / base:.1f}x" if base else "—"
        lines.append(
            f"| {row['size']:.0e} | {row['implementation']} | {row['warm_s']:.3f} s"
            f" | {row['cold_s']:.3f} s | {row['extra_peak_bytes'] / 2**20:.0f} MiB | {ratio} |"
        )
    return "\n".join(lines)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.affinity")
    parser.add_argument("--data", type=Path, default=DATA)
    commands = parser.add_subparsers(dest="command")
    for command in ("data", "verify", "measure"):
        child = commands.add_parser(command)
        child.add_argument("size", type=int)
        if command == "measure":
            child.add_argument("implementation", choices=IMPLEMENTATIONS)
            child.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="1e5,1e6,1e7")
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/affinity.json"))
    args = parser.parse_args(argv)
    if args.command == "data":
        print(json.dumps(make_data(args.data, args.size)))
    elif args.command == "verify":
        print(json.dumps(verify(args.data, args.size, list(IMPLEMENTATIONS))))
    elif args.command == "measure":
        print(json.dumps(measure(args.data, args.size, args.implementation, args.repeats)))
    else:
        rows = run(args)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
        print(table(rows))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
