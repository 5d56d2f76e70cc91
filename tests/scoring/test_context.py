"""ScoringContext: a frozen columnar container whose inputs are aligned with the summary."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from ecomstrat import CustomerSummary, TransactionLog
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.models._protocols import TransactionModel
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.scoring import ScoringContext


def test_inputs_and_missing(context: ScoringContext) -> None:
    assert context.inputs == {
        "summary",
        "summary:total_value",
        "log",
        "engagement:visits",
        "engagement:carts",
        "engagement:email_clicks",
    }
    assert context.missing({"summary", "model", "engagement:visits"}) == {"model"}
    assert context.n_customers == 5
    assert context.customer_ids.tolist() == ["a", "b", "c", "d", "e"]


def test_context_is_frozen_and_its_arrays_read_only(context: ScoringContext) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        context.log = None  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        context.engagement["visits"][0] = 1.0
    with pytest.raises(TypeError):
        context.engagement["new"] = np.zeros(5)  # type: ignore[index]


def test_engagement_counts_are_copied_as_float64(summary: CustomerSummary) -> None:
    visits = np.array([1, 2, 3, 4, 5])
    context = ScoringContext(summary, engagement={"visits": visits})
    assert context.engagement["visits"].dtype == np.float64
    assert context.engagement_counts("visits").tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    ("engagement", "message"),
    [
        (
            {"visits": [1, 2, 3]},
            "engagement['visits']='<3 values>' is invalid: must hold one value per summary"
            " customer (5). Align the counts with summary.customer_ids.",
        ),
        (
            {"visits": [1, 2, np.nan, 4, 5]},
            "engagement['visits'][2]=nan (customer 'c') is invalid: must be a finite number",
        ),
        (
            {"carts": [1, 2, 3, -1, 5]},
            "engagement['carts'][3]=-1.0 (customer 'd') is invalid: must be >= 0 (1 such"
            " value(s) in all). Engagement counts cannot be negative.",
        ),
        ({"2nd": [0] * 5}, "engagement key='2nd' is invalid: must be an identifier"),
        ({"visits": [["a"]] * 5}, "engagement['visits']='<non-numeric values>' is invalid"),
        ({"visits": np.zeros((5, 2))}, "engagement['visits']='<array of shape (5, 2)>'"),
        ([1, 2], "engagement='<list>' is invalid: must be a mapping of column name to counts"),
    ],
)
def test_engagement_is_validated(
    summary: CustomerSummary, engagement: object, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        ScoringContext(summary, engagement=engagement)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_engagement_counts_names_the_columns_there_are(context: ScoringContext) -> None:
    with pytest.raises(
        UnknownCodeError, match=r"valid values are 'carts', .* Did you mean 'visits'"
    ):
        context.engagement_counts("visit")


def test_log_rows_map_log_customers_to_summary_rows(
    summary: CustomerSummary, log: TransactionLog
) -> None:
    # a summary of some of the log's customers, in another order (as a calibration split gives)
    partial = ScoringContext(summary.take(np.array([4, 3, 2, 1])), log=log)
    # summary rows in the order e, d, c, b; 'a' is absent
    assert partial.customer_ids.tolist() == ["e", "d", "c", "b"]
    assert partial.log_rows.tolist() == [-1, 3, 2, 1, 0]


def test_log_must_hold_every_summary_customer(summary: CustomerSummary) -> None:
    other = TransactionLog.from_arrays(["a", "b", "x"], ["2024-01-01"] * 3, [1.0, 1.0, 1.0])
    with pytest.raises(
        InvalidInputError,
        match=r"^log='<TransactionLog of 3 customers>' is invalid: has no order of customer 'c'"
        r" \(summary row 2; 3 summary customer\(s\) missing\)\. Pass the log the summary was"
        r" made from\.$",
    ):
        ScoringContext(summary, log=other)


def test_log_ids_must_be_of_the_summarys_kind(summary: CustomerSummary) -> None:
    numbered = TransactionLog.from_arrays([1, 2], ["2024-01-01"] * 2, [1.0, 1.0])
    with pytest.raises(InvalidInputError, match=r"must identify customers like the summary does"):
        ScoringContext(summary, log=numbered)


def test_wrong_types_are_named(summary: CustomerSummary) -> None:
    with pytest.raises(InvalidInputError, match=r"^summary='<dict>' is invalid: must be a"):
        ScoringContext({})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^log='<CustomerSummary>' is invalid"):
        ScoringContext(summary, log=summary)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInputError,
        match=r"^model='<ParetoNBD>' is invalid: must be a fitted transaction model: it lacks"
        r" probability_alive, conditional_expected_purchases, time_unit\. Fit one",
    ):
        ScoringContext(summary, model=ParetoNBD())  # type: ignore[arg-type]


def test_fitted_pareto_nbd_is_a_transaction_model(summary: CustomerSummary) -> None:
    model = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
    assert isinstance(model, TransactionModel)
    context = ScoringContext(summary, model=model)
    assert context.require_model() is model
    assert "model" in context.inputs


def test_require_helpers_say_how_to_give_the_input(summary: CustomerSummary) -> None:
    bare = ScoringContext(summary)
    with pytest.raises(InvalidInputError, match=r"Pass ScoringContext\(summary, log=log\)"):
        bare.require_log()
    with pytest.raises(InvalidInputError, match=r"Pass ScoringContext\(summary, log=log\)"):
        bare.log_rows  # noqa: B018
    with pytest.raises(InvalidInputError, match=r"model=BGNBD\(\)\.fit\(summary\)"):
        bare.require_model()
    with pytest.raises(InvalidInputError, match=r"engagement=\{'carts': counts\}"):
        bare.engagement_counts("carts")


def test_repr_lists_the_inputs(summary: CustomerSummary) -> None:
    assert repr(ScoringContext(summary)) == (
        "ScoringContext(5 customers; inputs: summary, summary:total_value)"
    )
