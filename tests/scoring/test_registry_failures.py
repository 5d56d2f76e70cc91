"""Strict get(), forgiving score()/score_all(): broken imports, non-scorers, bad outputs."""

from __future__ import annotations

import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ecomstrat.exceptions import (
    EcomstratError,
    EcomstratWarning,
    PluginLoadError,
    PluginWarning,
    ScorerOutputError,
)
from ecomstrat.scoring import ScorerRegistry, ScoringContext

Install = Callable[..., Path]

BROKEN = (
    "scorer 'broken' (entry point 'broken = es_broken_plugin:broken' of distribution"
    " 'ecomstrat-broken-plugin 0.2.0') could not be loaded: importing it raised"
    " ModuleNotFoundError: No module named 'no_such_dependency_for_ecomstrat_tests'."
    " Fix or uninstall the distribution 'ecomstrat-broken-plugin 0.2.0', or set"
    " ECOMSTRAT_DISABLE_PLUGINS=1 to use only the built-in scorers."
)


def test_get_raises_plugin_load_error_naming_entry_point_and_distribution(
    install: Install, registry: ScorerRegistry
) -> None:
    install("broken_plugin")
    with pytest.raises(PluginLoadError) as caught:
        registry.get("broken")
    error = caught.value
    assert str(error) == BROKEN
    assert (error.scorer, error.entry_point, error.distribution) == (
        "broken",
        "es_broken_plugin:broken",
        "ecomstrat-broken-plugin 0.2.0",
    )
    assert isinstance(error, ImportError)
    assert isinstance(error, EcomstratError)
    assert error.name == "es_broken_plugin"  # ImportError's module name
    assert isinstance(error.__cause__, ModuleNotFoundError)
    copy = pickle.loads(pickle.dumps(error))  # e.g. across multiprocessing workers
    assert (str(copy), copy.scorer, copy.entry_point, copy.distribution, copy.name) == (
        BROKEN,
        "broken",
        "es_broken_plugin:broken",
        "ecomstrat-broken-plugin 0.2.0",
        "es_broken_plugin",
    )


def test_a_failed_load_is_cached_until_refresh(install: Install, registry: ScorerRegistry) -> None:
    install("broken_plugin")
    with pytest.raises(PluginLoadError):
        registry.get("broken")
    with pytest.raises(PluginLoadError, match=re.escape(BROKEN)) as again:
        registry.get("broken")
    assert isinstance(again.value.__cause__, ModuleNotFoundError)
    registry.refresh()
    with pytest.raises(PluginLoadError, match="could not be loaded"):
        registry.get("broken")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "not_a_scorer",
            "it is not a valid scorer: the builtins.function object has no str attribute 'name'."
            " A scorer needs name, description, requires and score(context)",
        ),
        (
            "a_class",
            "it is not a valid scorer: it is the class AClass, not an instance. Point the entry"
            " point at an instance, e.g. `my_scorer = AClass()`.",
        ),
        (
            "misnamed",
            "it is not a valid scorer: its name is 'another_name' but the entry point is named"
            " 'misnamed': they must match.",
        ),
        (
            "bad_requires",
            "it is not a valid scorer: its 'requires' holds unknown input(s) 'weather': valid"
            " are 'summary', 'summary:total_value', 'log', 'model' and 'engagement:<column>'.",
        ),
        (
            "missing_attr",
            "importing it raised AttributeError: module 'es_faulty_plugin' has no attribute"
            " 'does_not_exist'.",
        ),
    ],
)
def test_get_rejects_what_is_not_a_scorer(
    install: Install, registry: ScorerRegistry, name: str, problem: str
) -> None:
    install("faulty_plugin")
    with pytest.raises(PluginLoadError) as caught:
        registry.get(name)
    message = str(caught.value)
    assert message.startswith(f"scorer {name!r} (entry point '{name} = es_faulty_plugin:")
    assert "of distribution 'ecomstrat-faulty-plugin 1.0.0') could not be loaded: " in message
    assert problem in message


def test_score_all_warns_about_a_broken_plugin_and_scores_the_others(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin", "broken_plugin")
    with pytest.warns(PluginWarning) as record:
        scores = registry.score_all(context)
    assert [str(w.message) for w in record] == [f"{BROKEN} The scorer was skipped."]
    assert issubclass(record[0].category, EcomstratWarning)
    assert record[0].filename == __file__  # points at the caller, not at the registry
    assert list(scores) == ["lead", "orders", "rfm", "spend_per_week"]  # no model: no clv…


def test_score_by_name_skips_the_broken_one(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin", "broken_plugin")
    with pytest.warns(PluginWarning, match=r"^scorer 'broken' \(entry point 'broken = "):
        scores = registry.score(context, names=["broken", "orders"])
    assert list(scores) == ["orders"]


def test_errors_raise_makes_scoring_strict(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("broken_plugin")
    with pytest.raises(PluginLoadError, match=re.escape(BROKEN)):
        registry.score(context, names=["rfm", "broken"], errors="raise")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "wrong_shape",
            "returned an array of shape (5, 2): scores must have shape (5,), one per customer of"
            " the context.",
        ),
        (
            "nan_scores",
            "returned nan for customer 'e' (row 4; 1 non-finite score(s) in all): scores must be"
            " finite.",
        ),
        ("object_scores", "returned an array of dtype object, which does not cast safely to"),
        ("list_scores", "returned a list, not a numpy array: scores must be a float64 array"),
    ],
)
def test_bad_scores_are_reported_and_skipped(
    install: Install, registry: ScorerRegistry, context: ScoringContext, name: str, problem: str
) -> None:
    install("faulty_plugin")
    expected = (
        f"scorer {name!r} (entry point '{name} = es_faulty_plugin:{name}' of distribution"
        f" 'ecomstrat-faulty-plugin 1.0.0') {problem}"
    )
    with pytest.warns(PluginWarning) as record:
        scores = registry.score(context, names=[name, "rfm"])
    assert len(record) == 1
    assert str(record[0].message).startswith(expected)
    assert str(record[0].message).endswith("The scorer was skipped.")
    assert list(scores) == ["rfm"]
    with pytest.raises(ScorerOutputError, match=re.escape(expected)):
        registry.score(context, names=[name], errors="raise")


def test_a_scorer_that_raises_is_reported_and_skipped(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("faulty_plugin")
    with pytest.warns(
        PluginWarning,
        match=re.escape(
            "scorer 'raises' (entry point 'raises = es_faulty_plugin:raises' of distribution"
            " 'ecomstrat-faulty-plugin 1.0.0') raised RuntimeError: scoring 5 customers went"
            " wrong. The scorer was skipped."
        ),
    ):
        assert registry.score(context, names=["raises"]) == {}
    with pytest.raises(RuntimeError, match="scoring 5 customers went wrong"):
        registry.score(context, names=["raises"], errors="raise")


def test_safely_castable_scores_are_returned_as_float64(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("faulty_plugin")
    values = registry.score(context, names=["int_scores"])["int_scores"]
    assert values.dtype == np.float64
    assert values.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_score_all_with_every_faulty_plugin_still_scores_the_rest(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin", "broken_plugin", "faulty_plugin")
    with pytest.warns(PluginWarning) as record:
        scores = registry.score_all(context)
    skipped = sorted(re.match(r"scorer '(\w+)'", str(w.message)).group(1) for w in record)  # type: ignore[union-attr]
    assert skipped == [
        "a_class",
        "bad_requires",
        "broken",
        "list_scores",
        "misnamed",
        "missing_attr",
        "nan_scores",
        "not_a_scorer",
        "object_scores",
        "raises",
        "wrong_shape",
    ]
    assert list(scores) == ["int_scores", "lead", "orders", "rfm", "spend_per_week"]


def test_unknown_name_is_the_callers_error_even_when_forgiving(
    registry: ScorerRegistry, context: ScoringContext
) -> None:
    with pytest.raises(LookupError, match=r"name='rfn' is not a known scorer: .* 'rfm'\?"):
        registry.score(context, names=["rfm", "rfn"])


def test_a_failure_does_not_poison_later_calls(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin", "faulty_plugin")
    with pytest.warns(PluginWarning):
        registry.score(context, names=["wrong_shape", "orders"])
    assert "es_faulty_plugin" in sys.modules
    assert registry.score(context, names=["orders"])["orders"].tolist() == [1, 2, 3, 5, 1]


EXITS_ON_IMPORT = (
    "scorer 'exits_on_import' (entry point 'exits_on_import = es_exiting_plugin:exits_on_import'"
    " of distribution 'ecomstrat-exiting-plugin 0.3.0') could not be loaded: importing it raised"
    " SystemExit: es_exiting_plugin is a command-line tool. Fix or uninstall the distribution"
    " 'ecomstrat-exiting-plugin 0.3.0', or set ECOMSTRAT_DISABLE_PLUGINS=1 to use only the"
    " built-in scorers."
)


def test_a_plugin_that_exits_on_import_is_a_load_error(
    install: Install, registry: ScorerRegistry
) -> None:
    install("exiting_plugin")
    with pytest.raises(PluginLoadError) as caught:
        registry.get("exits_on_import")
    assert str(caught.value) == EXITS_ON_IMPORT
    assert isinstance(caught.value.__cause__, SystemExit)


def test_score_all_survives_plugins_that_exit(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin", "exiting_plugin")
    with pytest.warns(PluginWarning) as record:
        scores = registry.score_all(context)
    assert [str(w.message) for w in record] == [
        f"{EXITS_ON_IMPORT} The scorer was skipped.",
        "scorer 'exits_on_score' (entry point 'exits_on_score = es_exiting_scorer:exits_on_score'"
        " of distribution 'ecomstrat-exiting-plugin 0.3.0') raised SystemExit: 3. The scorer was"
        " skipped.",
    ]
    assert list(scores) == ["lead", "orders", "rfm", "spend_per_week"]
    with pytest.raises(SystemExit):  # asked to be strict, the scorer's own exception
        registry.score(context, names=["exits_on_score"], errors="raise")


def test_keyboard_interrupt_is_never_swallowed(
    registry: ScorerRegistry, context: ScoringContext
) -> None:
    class Interrupted:
        name = "interrupted"
        description = "Stands for a user pressing Ctrl-C while it scores."
        requires = frozenset({"summary"})

        def score(self, context: ScoringContext, /) -> np.ndarray:
            raise KeyboardInterrupt

    registry.register(Interrupted())
    with pytest.raises(KeyboardInterrupt):
        registry.score(context, names=["interrupted"])
