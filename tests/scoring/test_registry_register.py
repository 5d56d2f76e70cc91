"""In-process scorers: register, replace, unregister; and the module-level default registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import numpy as np
import pytest
from numpy.typing import NDArray

from ecomstrat import scoring
from ecomstrat.exceptions import InvalidInputError, PluginWarning, UnknownCodeError
from ecomstrat.scoring import Scorer, ScorerEntry, ScorerRegistry, ScoringContext

Install = Callable[..., Path]


@attrs.frozen
class Constant:
    value: float
    name: str = "constant"
    description: str = "The same number for everyone."
    requires: frozenset[str] = frozenset({"summary"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        return np.full(context.n_customers, self.value)


class Ragged:
    name = "ragged"
    description = "One score too few."
    requires = frozenset({"summary"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        return np.zeros(context.n_customers - 1)


def test_register_and_score(registry: ScorerRegistry, context: ScoringContext) -> None:
    scorer = Constant(2.5)
    assert registry.register(scorer) is scorer
    assert "constant" in registry.available()
    assert registry.get("constant") is scorer
    entries = {entry.name: entry for entry in registry.entries()}
    assert entries["constant"] == ScorerEntry("constant", "registered")
    assert registry.score(context, names="constant")["constant"].tolist() == [2.5] * 5


def test_register_refuses_a_taken_name_unless_replace(
    registry: ScorerRegistry, context: ScoringContext
) -> None:
    registry.register(Constant(1.0))
    with pytest.raises(
        InvalidInputError,
        match=r"^scorer.name='constant' is invalid: is already the name of a scorer \(registered"
        r" in-process\)\. Pass replace=True to replace it, or choose another name\.$",
    ):
        registry.register(Constant(2.0))
    with pytest.raises(InvalidInputError, match=r"built-in entry point 'rfm = ecomstrat\."):
        registry.register(Constant(0.0, name="rfm"))
    registry.register(Constant(9.0, name="rfm"), replace=True)
    assert registry.score(context, names=["rfm"])["rfm"].tolist() == [9.0] * 5


def test_registered_scorer_wins_over_a_plugin_silently(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    registry.register(Constant(3.0, name="orders"))
    install("good_plugin")
    registry.refresh()  # the plugin's 'orders' now exists too
    assert registry.score(context, names=["orders"])["orders"].tolist() == [3.0] * 5


def test_register_rejects_an_invalid_scorer(registry: ScorerRegistry) -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"^scorer='<function>' is invalid: is not a valid scorer: the builtins\.function"
        r" object has no str attribute 'name'",
    ):
        registry.register(lambda context: context)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"its name 'has space' is not a valid"):
        registry.register(Constant(1.0, name="has space"))
    with pytest.raises(InvalidInputError, match=r"its 'requires' must be a frozenset of str"):
        registry.register(Constant(1.0, requires={"summary"}))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"unknown input\(s\) 'engagement:'"):
        registry.register(Constant(1.0, requires=frozenset({"engagement:"})))


def test_unregister(registry: ScorerRegistry) -> None:
    scorer = registry.register(Constant(1.0))
    assert registry.unregister("constant") is scorer
    assert "constant" not in registry.available()
    with pytest.raises(
        UnknownCodeError,
        match=r"name='rfm' is not a scorer registered in-process: those are none\. Entry-point"
        r" scorers cannot be unregistered",
    ):
        registry.unregister("rfm")


def test_registered_scorer_failure_is_reported_as_in_process(
    registry: ScorerRegistry, context: ScoringContext
) -> None:
    registry.register(Ragged())
    with pytest.warns(
        PluginWarning,
        match=r"^scorer 'ragged' \(registered in-process, test_registry_register\.Ragged\)"
        r" returned an array of shape \(4,\): scores must have shape \(5,\)",
    ):
        assert registry.score_all(context).keys() == {"lead", "rfm"}


def test_refresh_keeps_registered_scorers(registry: ScorerRegistry) -> None:
    registry.register(Constant(1.0))
    registry.refresh()
    assert "constant" in registry.available()


def test_protocol_accepts_plain_classes_and_attrs_classes() -> None:
    assert isinstance(Constant(1.0), Scorer)
    assert isinstance(Ragged(), Scorer)
    assert not isinstance(object(), Scorer)


@pytest.fixture
def default_registry_snapshot() -> Iterator[None]:
    saved = dict(scoring.default_registry._registered)
    yield
    scoring.default_registry._registered.clear()
    scoring.default_registry._registered.update(saved)
    scoring.refresh()


@pytest.mark.usefixtures("default_registry_snapshot")
def test_module_level_functions_use_the_default_registry(context: ScoringContext) -> None:
    scoring.register(Constant(4.0, name="four"))
    assert "four" in scoring.available()
    assert scoring.get("four").name == "four"
    assert scoring.score(context, names=["four"])["four"].tolist() == [4.0] * 5
    assert {"four", "rfm", "lead"} <= scoring.score_all(context).keys()
    scoring.unregister("four")
    scoring.refresh()
    assert "four" not in scoring.available()


def test_bad_arguments_to_score(registry: ScorerRegistry, context: ScoringContext) -> None:
    with pytest.raises(UnknownCodeError, match=r"errors='ignore' is not known"):
        registry.score(context, names=["rfm"], errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"context='<CustomerSummary>' is invalid"):
        registry.score(context.summary, names=["rfm"])  # type: ignore[arg-type]
