"""End-to-end daily RFM summary for every kind of customer id, against polars and duckdb.

``python -m benchmarks.rfm_ids [--sizes 1e6,1e7,1e8] [--ids compact,hashed,string]
[--layouts 10,2] [--only ecomstrat,polars,duckdb,lifetimes] [--json PATH]``

Input: an Arrow table of unsorted orders (``customer_id``, ``time`` as ``timestamp[ns]`` with
intra-day times over two years, ``amount`` float64), read into memory from Arrow IPC files in
``--data`` (default ``$TMPDIR/ecomstrat-benchmarks/rfm_ids``, written on first use). Three id
forms share the customers, times and amounts of a size and layout: ``compact`` int64 (a shuffled
block from 5e9, as a database hands out), ``hashed`` int64 (splitmix64 of the customer number:
random-looking 63-bit ids of any span) and ``string`` (``'c'`` + 16 hex digits of the hashed id,
17 bytes). Two layouts: ``10`` orders per customer on average (1 + Poisson(9)), and ``2`` (a
geometric count per customer, p = 1/2: half the customers buy once).

Implementations, each from the same in-memory Arrow table to a per-customer result:

- ``ecomstrat``: ``log_from_arrow(table)`` then ``rfm_summary(log, observation_end=end)``
  (a :class:`~ecomstrat.CustomerSummary`);
- ``polars``: ``pl.from_arrow(table)`` (zero copy, untimed), then one lazy query, one group by
  customer (:func:`polars_query`; grouping by (customer, day) first, then by customer, measured
  within noise of it at 10^6, 0.3-0.45 s either way);
- ``duckdb``: SQL over the registered Arrow table, grouped by (customer, day) then by customer
  (:data:`DUCKDB_SQL`), fetched as an Arrow table;
- ``lifetimes`` (10^6 only, slow): ``summary_data_from_transaction_data(..., freq="D")`` on a
  pandas DataFrame (made untimed).

Before any timing, every implementation's result on the 10^6-order log of each id form and
layout is joined on the id with ecomstrat's: frequency, recency and T must be equal, monetary
value and total value within 1e-9 (relative; the sums run in different orders).

Each (implementation, data set) runs in a fresh process: load the table, then a *cold* first
call (imports already done; numba loads its cached machine code, polars and duckdb start their
thread pools), then one *warm* call. The baseline RSS is recorded once, before the cold call;
the peak is reset before each call. Extra peak = peak RSS during the warm call - baseline: what
the call needs, including what the cold call left allocated (numba's compiled code, the pools
polars' and duckdb's allocators keep: without it their warm calls would look free); the cold
call's own figure is in the JSON. Input = the table's bytes.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.data import SCRATCH
from benchmarks.harness import current_rss, peak_rss, reset_peak_rss, run_child

DATA = SCRATCH / "rfm_ids"
IDS = ("compact", "hashed", "string")
LAYOUTS = (10, 2)
IMPLEMENTATIONS = ("ecomstrat", "polars", "duckdb", "lifetimes")
LIFETIMES_MAX = 10**6
#: Sizes verified before timing (every implementation's result held at once: 10^6 only).
VERIFY_MAX = 10**6
NS_PER_DAY = 86_400 * 10**9
START_NS = 1_640_995_200 * 10**9  # 2022-01-01
DAYS = 730
END_DAY = START_NS // NS_PER_DAY + DAYS - 1

DUCKDB_SQL = f"""
WITH days AS (
    SELECT customer_id, epoch_ns(time) // {NS_PER_DAY} AS day, sum(amount) AS value
    FROM orders GROUP BY ALL
)
SELECT customer_id,
       count(*) - 1 AS frequency,
       max(day) - min(day) AS recency,
       {END_DAY} - min(day) AS T,
       CASE WHEN count(*) > 1 THEN (sum(value) - arg_min(value, day)) / (count(*) - 1)
            ELSE 0.0 END AS monetary,
       sum(value) AS total_value
FROM days GROUP BY customer_id
"""


# --- data -------------------------------------------------------------------------------------


def _folder(data: Path, size: int, layout: int) -> Path:
    return data / f"per{layout}-{size}"


def make_data(data: Path, size: int, layout: int, seed: int = 0) -> None:
    """Write the base columns and the three id columns of one size and layout (once)."""
    import numpy as np
    import pyarrow as pa

    folder = _folder(data, size, layout)
    if (folder / "done").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    if layout == 2:
        counts = rng.geometric(0.5, size // 2)
        owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)[:size]
        extra = rng.integers(0, counts.size, size - owner.size)  # top up to exactly `size`
        owner = rng.permutation(np.concatenate([owner, extra]))
        del counts, extra
    else:
        m = max(1, size // layout)
        owner = np.concatenate([np.arange(m, dtype=np.int64), rng.integers(0, m, size - m)])
        owner = rng.permutation(owner)
    m = int(owner.max()) + 1
    times = (START_NS + rng.integers(0, DAYS * NS_PER_DAY, size, dtype=np.int64)).view("M8[ns]")
    amounts = np.round(rng.gamma(2.0, 25.0, size), 2)
    _write(folder / "base.arrow", {"time": pa.array(times), "amount": pa.array(amounts)})
    del times, amounts
    compact = 5_000_000_000 + rng.permutation(m).astype(np.int64)
    _write(folder / "compact.arrow", {"customer_id": pa.array(compact[owner])})
    del compact
    hashed = _splitmix(np.arange(m, dtype=np.uint64)) >> np.uint64(1)  # distinct, 63 bits
    _write(folder / "hashed.arrow", {"customer_id": pa.array(hashed.view(np.int64)[owner])})
    strings = _hex_strings(hashed)
    del hashed
    _write(folder / "string.arrow", {"customer_id": strings.take(pa.array(owner))})
    (folder / "done").write_text(json.dumps({"orders": size, "customers": m}))


def _splitmix(x: Any) -> Any:
    import numpy as np

    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _hex_strings(values: Any) -> Any:
    """``'c'`` + 16 lower-case hex digits of each uint64, as a pyarrow string array."""
    import numpy as np
    import pyarrow as pa

    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = np.empty((values.size, 17), dtype=np.uint8)
    chars[:, 0] = ord("c")
    for k in range(16):
        chars[:, 16 - k] = digits[(values >> np.uint64(4 * k)) & np.uint64(15)]
    offsets = np.arange(0, 17 * values.size + 1, 17, dtype=np.int64)
    return pa.Array.from_buffers(
        pa.large_string(), values.size, [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    ).cast(pa.string())


def _write(path: Path, columns: dict[str, Any]) -> None:
    import pyarrow as pa

    table = pa.table(columns)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def load(data: Path, size: int, layout: int, ids: str) -> Any:
    """The orders as one in-memory Arrow table (read, not memory-mapped)."""
    import pyarrow as pa

    folder = _folder(data, size, layout)
    columns = {}
    for name in (ids, "base"):
        with pa.OSFile(str(folder / f"{name}.arrow")) as source:
            table = pa.ipc.open_file(source).read_all()
        columns.update({c: table.column(c).combine_chunks() for c in table.column_names})
    return pa.table(columns)


# --- the implementations ----------------------------------------------------------------------


def polars_query(frame: Any) -> Any:
    """Daily RFM of a polars frame (lazy; one group by customer), collected."""
    import polars as pl

    day = pl.col("time").dt.epoch("d").cast(pl.Int64)
    n = pl.col("n")
    return (
        frame.lazy()
        .with_columns(day=day)
        .group_by("customer_id")
        .agg(
            n=pl.col("day").n_unique(),
            first=pl.col("day").min(),
            last=pl.col("day").max(),
            first_value=pl.col("amount").filter(pl.col("day") == pl.col("day").min()).sum(),
            total_value=pl.col("amount").sum(),
        )
        .select(
            "customer_id",
            frequency=n - 1,
            recency=pl.col("last") - pl.col("first"),
            T=END_DAY - pl.col("first"),
            monetary=pl.when(n > 1)
            .then((pl.col("total_value") - pl.col("first_value")) / (n - 1))
            .otherwise(0.0),
            total_value="total_value",
        )
        .collect()
    )


def _prepare(name: str, table: Any) -> tuple[Any, Any]:
    """``(call, argument)``: what is timed, on inputs made before the clock starts."""
    import numpy as np

    end = np.datetime64(END_DAY, "D")
    if name == "ecomstrat":
        from ecomstrat import rfm_summary
        from ecomstrat.io import log_from_arrow

        return (lambda t: rfm_summary(log_from_arrow(t), observation_end=end)), table
    if name == "polars":
        import polars as pl

        return polars_query, pl.from_arrow(table)
    if name == "duckdb":
        import duckdb

        connection = duckdb.connect()
        connection.register("orders", table)
        return (lambda c: c.sql(DUCKDB_SQL).to_arrow_table()), connection
    from lifetimes.utils import summary_data_from_transaction_data

    def lifetimes_rfm(frame: Any) -> Any:
        return summary_data_from_transaction_data(
            frame,
            "customer_id",
            "time",
            monetary_value_col="amount",
            observation_period_end=str(end),
            freq="D",
        )

    return lifetimes_rfm, table.to_pandas()


def canonical(name: str, result: Any) -> dict[str, Any]:
    """``{column: numpy array}`` sorted by customer id, one definition for every implementation."""
    import numpy as np

    if name == "ecomstrat":
        columns = {
            "customer_id": result.customer_ids,
            "frequency": result.frequency,
            "recency": result.recency,
            "T": result.T,
            "monetary": result.monetary,
            "total_value": result.total_value,
        }
    elif name == "lifetimes":
        frame = result.reset_index()
        columns = {c: frame[c].to_numpy() for c in ("customer_id", "frequency", "recency", "T")}
        columns["monetary"] = frame["monetary_value"].to_numpy()
    else:
        table = result if name == "duckdb" else result.to_arrow()
        columns = {c: table.column(c).to_numpy() for c in table.column_names}
    order = np.argsort(columns["customer_id"], kind="stable")
    return {c: np.asarray(v)[order] for c, v in columns.items()}


def verify(data: Path, size: int, layout: int, ids: str, names: list[str]) -> dict[str, Any]:
    """Every implementation's result joined on the id with ecomstrat's; raises on a mismatch."""
    import numpy as np

    table = load(data, size, layout, ids)
    want = canonical("ecomstrat", _prepare("ecomstrat", table)[0](table))
    checked = []
    for name in names:
        if name == "ecomstrat" or (name == "lifetimes" and size > LIFETIMES_MAX):
            continue
        call, argument = _prepare(name, table)
        got = canonical(name, call(argument))
        np.testing.assert_array_equal(got["customer_id"], want["customer_id"], err_msg=name)
        for column in ("frequency", "recency", "T"):
            np.testing.assert_array_equal(got[column], want[column], err_msg=f"{name} {column}")
        for column in ("monetary", "total_value"):
            if column in got:
                np.testing.assert_allclose(got[column], want[column], rtol=1e-9, err_msg=name)
        checked.append(name)
    return {"verified": checked, "customers": int(want["customer_id"].size)}


def measure(data: Path, size: int, layout: int, ids: str, name: str) -> dict[str, Any]:
    """Cold then warm call in this fresh process; seconds and extra peak RSS."""
    table = load(data, size, layout, ids)
    call, argument = _prepare(name, table)
    timings, extras = [], []
    gc.collect()
    baseline = current_rss()
    for _ in range(1 if name == "lifetimes" else 2):
        reset_peak_rss()
        start = time.perf_counter()
        result = call(argument)
        timings.append(time.perf_counter() - start)
        extras.append(peak_rss() - baseline)
        del result
        gc.collect()
    return {
        "implementation": name,
        "orders": size,
        "layout": layout,
        "ids": ids,
        "cold_s": timings[0],
        "warm_s": timings[-1],
        "input_bytes": int(table.nbytes),
        "cold_extra_peak_bytes": extras[0],
        "extra_peak_bytes": extras[-1],
        "extra_over_input": extras[-1] / table.nbytes,
    }


# --- the runner -------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",")]


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    names = args.only.split(",")
    rows: list[dict[str, Any]] = []
    for size in _sizes(args.sizes):
        for layout in [int(x) for x in args.layouts.split(",")]:
            _log(f"data {size} x{layout}")
            made = run_child([*_me(args), "data", str(size), str(layout)])
            if "error" in made:
                _log(f"  data failed: {made['error']}")
                continue
            for ids in args.ids.split(","):
                if size <= VERIFY_MAX:
                    checked = run_child([*_me(args), "verify", str(size), str(layout), ids])
                    _log(f"  verify {ids} x{layout}: {checked}")
                    if "error" in checked:
                        continue
                for name in names:
                    if name == "lifetimes" and size > LIFETIMES_MAX:
                        continue
                    row = run_child([*_me(args), "measure", str(size), str(layout), ids, name])
                    row.update(implementation=name, orders=size, layout=layout, ids=ids)
                    _log(f"  {json.dumps(row)}")
                    rows.append(row)
    return rows


def _me(args: argparse.Namespace) -> list[str]:
    return ["-m", "benchmarks.rfm_ids", "--data", str(args.data)]


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one line per (size, layout, ids), ecomstrat's figures and the peers' ratios."""
    key = ("orders", "layout", "ids")
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in key), {})[row["implementation"]] = row
    lines = [
        "| orders | per customer | ids | ecomstrat warm (cold) | ns/order | extra/input"
        " | polars warm (x) | duckdb warm (x) | lifetimes (x) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (orders, layout, ids), found in sorted(groups.items()):
        ours = found.get("ecomstrat", {})
        if "warm_s" not in ours:
            continue
        warm = ours["warm_s"]
        cells = [
            f"{orders:.0e}",
            f"~{layout}",
            ids,
            f"{warm:.2f} s ({ours['cold_s']:.2f} s)",
            f"{warm / orders * 1e9:.0f}",
            f"{ours['extra_over_input']:.2f}",
        ]
        for peer in ("polars", "duckdb", "lifetimes"):
            theirs = found.get(peer, {})
            if "warm_s" in theirs:
                cells.append(f"{theirs['warm_s']:.2f} s ({theirs['warm_s'] / warm:.1f}x)")
            else:
                cells.append("—" if not theirs else "failed")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rfm_ids")
    parser.add_argument("--data", type=Path, default=DATA)
    commands = parser.add_subparsers(dest="command")
    for command in ("data", "verify", "measure"):
        child = commands.add_parser(command)
        child.add_argument("size", type=int)
        child.add_argument("layout", type=int)
        if command != "data":
            child.add_argument("ids", choices=IDS)
        if command == "measure":
            child.add_argument("implementation", choices=IMPLEMENTATIONS)
    parser.add_argument("--sizes", default="1e6,1e7")
    parser.add_argument("--ids", default=",".join(IDS))
    parser.add_argument("--layouts", default="10,2")
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/rfm_ids.json"))
    args = parser.parse_args(argv)
    if args.command == "data":
        make_data(args.data, args.size, args.layout)
        print(json.dumps({"written": str(_folder(args.data, args.size, args.layout))}))
    elif args.command == "verify":
        names = list(IMPLEMENTATIONS)
        print(json.dumps(verify(args.data, args.size, args.layout, args.ids, names)))
    elif args.command == "measure":
        result = measure(args.data, args.size, args.layout, args.ids, args.implementation)
        print(json.dumps(result))
    else:
        rows = run(args)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(args.json.read_text()) if args.json.exists() else []
        args.json.write_text(json.dumps(previous + rows, indent=1))
        print(table(previous + rows))


if __name__ == "__main__":
    main()
