"""Product affinity rules and next-best products: hand-worked cases and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.stats import fisher_exact

from ecomstrat.datasets.baskets import planted_pairs, simulate_baskets
from ecomstrat.datasets.simulate import simulate_transactions
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.lifecycle.playbook import recommend_actions
from ecomstrat.metrics.affinity import next_best_products, product_affinity

# Five orders (baskets), customers x, y, z, w, v:
#   order 1 (x): A, B        order 2 (y): A, B, B (B twice: counted once)
#   order 3 (z): A           order 4 (w): B, C        order 5 (v): C
# N = 5; n_A = 3, n_B = 3, n_C = 2; n_AB = 2, n_BC = 1, n_AC = 0.
ORDERS = [1, 1, 2, 2, 2, 3, 4, 4, 5]
PRODUCTS = ["A", "B", "A", "B", "B", "A", "B", "C", "C"]
CUSTOMERS = ["x", "x", "y", "y", "y", "z", "w", "w", "v"]


@pytest.fixture
def lines() -> OrderLines:
    return OrderLines.from_arrays(ORDERS, PRODUCTS, customer_ids=CUSTOMERS)


def test_hand_worked_rules(lines: OrderLines) -> None:
    rules = product_affinity(lines, min_support=0.0, min_count=1)
    t = rules.columns()
    # pairs AB (2 baskets) and BC (1 basket), each in both directions, by antecedent code
    # (A=0, B=1, C=2): A->B, B->A, B->C, C->B
    assert t["antecedent"].tolist() == ["A", "B", "B", "C"]
    assert t["consequent"].tolist() == ["B", "A", "C", "B"]
    assert t["count"].tolist() == [2, 2, 1, 1]
    # support AB = 2/5 = 0.4; support BC = 1/5 = 0.2
    np.testing.assert_allclose(t["support"], [0.4, 0.4, 0.2, 0.2])
    # confidence A->B = 2/3; B->A = 2/3; B->C = 1/3; C->B = 1/2
    np.testing.assert_allclose(t["confidence"], [2 / 3, 2 / 3, 1 / 3, 1 / 2])
    # lift AB = 5 * 2 / (3 * 3) = 10/9 = 1.111; lift BC = 5 * 1 / (3 * 2) = 5/6 = 0.833
    np.testing.assert_allclose(t["lift"], [10 / 9, 10 / 9, 5 / 6, 5 / 6])
    # p AB: P(X >= 2), X ~ Hypergeom(N=5, K=3, n=3): P(2) + P(3) = (C(3,2)C(2,1) + C(3,3)C(2,0))
    # / C(5,3) = (6 + 1) / 10 = 0.7; p BC: P(X >= 1), K=3, n=2: 1 - C(2,2)/C(5,2) = 0.9
    np.testing.assert_allclose(t["p_value"], [0.7, 0.7, 0.9, 0.9])
    np.testing.assert_allclose(t["antecedent_support"], [0.6, 0.6, 0.6, 0.4])


def test_p_value_is_fisher_one_sided(lines: OrderLines) -> None:
    rules = product_affinity(lines, min_support=0.0, min_count=1)
    # AB table: both 2, A only 1, B only 1, neither 1
    _, p = fisher_exact([[2, 1], [1, 1]], alternative="greater")
    assert rules.p_values[0] == pytest.approx(p)


def test_filters(lines: OrderLines) -> None:
    # min_count=2 drops BC (1 basket); min_support=0.5 drops AB too (0.4 < 0.5)
    assert product_affinity(lines, min_count=2).n_rules == 2
    assert product_affinity(lines, min_support=0.5, min_count=1).n_rules == 0
    with pytest.raises(InvalidInputError, match="min_support"):
        product_affinity(lines, min_support=1.5)
    with pytest.raises(InvalidInputError, match="min_count"):
        product_affinity(lines, min_count=0)
    with pytest.raises(InvalidInputError, match="lines"):
        product_affinity("not lines")  # type: ignore[arg-type]


def test_next_best_hand_worked(lines: OrderLines) -> None:
    rules = product_affinity(lines, min_support=0.0, min_count=1)
    best = next_best_products(lines, rules, k=3)
    # positive rules (lift > 1): A->B, B->A only (BC has lift 5/6).
    # x, y bought A and B: nothing new. z bought A -> B (conf 2/3). w bought B, C -> A (2/3).
    # v bought C: C->B has lift 5/6 < 1, so no offer.
    assert best.by_customer() == {"z": ("B",), "w": ("A",)}
    assert best.n_customers == 5
    assert best.n_covered == 2
    assert best.coverage == pytest.approx(0.4)
    np.testing.assert_allclose(best.confidences, [2 / 3, 2 / 3])
    only = next_best_products(lines, rules, customers=["w"])
    assert only.by_customer() == {"w": ("A",)}
    assert only.n_customers == 1
    with pytest.raises(InvalidInputError, match="customers"):
        next_best_products(lines, rules, customers=["nobody"])
    with pytest.raises(InvalidInputError, match="customer ids"):
        next_best_products(OrderLines.from_arrays(ORDERS, PRODUCTS), rules)


def test_next_best_ranks_by_confidence() -> None:
    # customer q bought A only; A->B in 2 of 3 A-baskets, A->C in 1 of 3 (both lift > 1)
    lines = OrderLines.from_arrays(
        [1, 1, 1, 2, 2, 3, 4, 5, 6],
        ["A", "B", "C", "A", "B", "A", "D", "D", "D"],
        customer_ids=["p", "p", "p", "r", "r", "q", "s", "s", "s"],
    )
    rules = product_affinity(lines, min_support=0.0, min_count=1)
    best = next_best_products(lines, rules, k=2)
    t = best.columns()
    q = t["customer_id"] == "q"
    assert t["product_id"][q].tolist() == ["B", "C"]
    assert t["rank"][q].tolist() == [1, 2]
    assert next_best_products(lines, rules, k=1).by_customer()["q"] == ("B",)


def test_planted_pairs_recovered() -> None:
    simulation = simulate_transactions(1_500, seed=5)
    lines = simulate_baskets(simulation, n_products=40, n_planted=4, seed=5)
    rules = product_affinity(lines, min_support=0.002)
    t = rules.columns()
    # the 8 most significant rules (smallest Fisher p-values) are the 4 planted pairs
    best = np.argsort(t["p_value"], kind="stable")[:8]
    found = {tuple(sorted((int(t["antecedent"][i]), int(t["consequent"][i])))) for i in best}
    assert found == set(planted_pairs(4))
    assert (t["p_value"][best] < 1e-6).all()
    assert (t["lift"][best] > 1.2).all()


@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 5)), min_size=1, max_size=60),
    st.floats(0.0, 0.3),
)
def test_properties(rows: list[tuple[int, int]], min_support: float) -> None:
    lines = OrderLines.from_arrays([o for o, _ in rows], [p for _, p in rows])
    rules = product_affinity(lines, min_support=min_support, min_count=1, parallel=False)
    t = rules.columns()
    for name in ("support", "confidence", "p_value"):
        assert ((t[name] >= 0) & (t[name] <= 1 + 1e-12)).all(), name
    assert (t["support"] >= min_support).all()
    # lift symmetric: the rule A->B and its reverse B->A have the same lift and p-value
    lift = {(a, b): v for a, b, v in zip(t["antecedent"], t["consequent"], t["lift"], strict=False)}
    for (a, b), value in lift.items():
        assert math.isclose(value, lift[(b, a)], rel_tol=1e-12)
    # confidence(A->B) * support(A) = support(AB)
    np.testing.assert_allclose(t["confidence"] * t["antecedent_support"], t["support"])


def test_playbook_names_products(lines: OrderLines) -> None:
    from ecomstrat import TransactionLog
    from ecomstrat.lifecycle import stage_customers

    rules = product_affinity(lines, min_support=0.0, min_count=1)
    best = next_best_products(lines, rules)
    # w buys monthly and recently (stage "growing"), z once, late ("new")
    log = TransactionLog.from_arrays(
        ["w"] * 6 + ["z"],
        [
            "2024-01-05",
            "2024-02-05",
            "2024-03-05",
            "2024-04-05",
            "2024-05-05",
            "2024-06-05",
            "2024-06-20",
        ],
        [10.0] * 7,
    )
    stages = stage_customers(log, observation_end="2024-06-30")
    r = recommend_actions(stages, next_best=best, cross_sell_stages=("growing", "mature", "new"))
    got = dict(zip(r.customer_ids.tolist(), r.cross_sell_products.tolist(), strict=True))
    assert got == {"w": "A", "z": "B"}
    default = recommend_actions(stages, next_best=best)  # growing and mature only
    assert default.cross_sell_products.tolist() == ["A", ""]
    assert default.products_of(0) == "A"
    assert "cross_sell_products" in r.columns()
    plain = recommend_actions(stages)
    assert plain.cross_sell_products is None
    assert plain.products_of(0) == ""
    only_new = recommend_actions(stages, next_best=best, cross_sell_stages=("prospect",))
    assert only_new.cross_sell_products.tolist() == ["", ""]
    with pytest.raises(InvalidInputError, match="next_best"):
        recommend_actions(stages, next_best=rules)  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 5)), min_size=1, max_size=60),
    st.integers(1, 4),
)
def test_next_best_properties(rows: list[tuple[int, int]], k: int) -> None:
    # customer of order o is o // 2: two orders per customer
    lines = OrderLines.from_arrays(
        [o for o, _ in rows], [p for _, p in rows], customer_ids=[o // 2 for o, _ in rows]
    )
    rules = product_affinity(lines, min_support=0.0, min_count=1, parallel=False)
    best = next_best_products(lines, rules, k=k)
    bought: dict[int, set[int]] = {}
    for o, p in rows:
        bought.setdefault(o // 2, set()).add(p)
    for customer, offers in best.by_customer().items():
        assert len(offers) <= k
        assert len(set(offers)) == len(offers)
        assert not set(offers) & bought[customer]  # never offers what was bought
    assert (best.lifts > 1).all()
    assert ((best.confidences > 0) & (best.confidences <= 1)).all()
