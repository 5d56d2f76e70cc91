"""Several entry points with one name: built-ins win, then distributions by name, warned once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ecomstrat.exceptions import PluginWarning
from ecomstrat.scoring import ScorerRegistry, ScoringContext

Install = Callable[..., Path]

RFM_SHADOWED = (
    "scorer name 'rfm' is declared by 2 entry points: built-in entry point"
    " 'rfm = ecomstrat.scoring.builtin:rfm_score'; entry point 'rfm = es_duplicate_plugin:rfm'"
    " of distribution 'ecomstrat-duplicate-plugin 0.3.0'. Using the built-in entry point"
    " 'rfm = ecomstrat.scoring.builtin:rfm_score' (built-in scorers win, then distributions in"
    " alphabetical order). Rename or uninstall the others to silence this warning."
)
SPEND_SHADOWED = (
    "scorer name 'spend_per_week' is declared by 2 entry points: entry point"
    " 'spend_per_week = es_duplicate_plugin:spend_per_week' of distribution"
    " 'ecomstrat-duplicate-plugin 0.3.0'; entry point"
    " 'spend_per_week = es_good_plugin:spend_per_week' of distribution"
    " 'ecomstrat-good-plugin 0.1.0'. Using the entry point"
    " 'spend_per_week = es_duplicate_plugin:spend_per_week' of distribution"
    " 'ecomstrat-duplicate-plugin 0.3.0' (built-in scorers win, then distributions in"
    " alphabetical order). Rename or uninstall the others to silence this warning."
)


@pytest.mark.parametrize(
    "order",
    [("duplicate_plugin", "good_plugin"), ("good_plugin", "duplicate_plugin")],
    ids=["duplicate-first", "good-first"],
)
def test_duplicates_resolve_the_same_whatever_the_path_order(
    install: Install, registry: ScorerRegistry, context: ScoringContext, order: tuple[str, str]
) -> None:
    for plugin in order:  # each in its own site directory, prepended in turn
        install(plugin)
    with pytest.warns(PluginWarning) as record:
        registry.available()
    assert [str(w.message) for w in record] == [RFM_SHADOWED, SPEND_SHADOWED]
    entries = {entry.name: entry for entry in registry.entries()}
    assert entries["rfm"].origin == "builtin"
    # "ecomstrat-duplicate-plugin" sorts before "ecomstrat-good-plugin"
    assert entries["spend_per_week"].distribution == "ecomstrat-duplicate-plugin 0.3.0"
    scores = registry.score(context, names=["rfm", "spend_per_week"])
    assert scores["rfm"].tolist() == [7.0, 8.0, 10.0, 14.0, 3.0]  # the built-in RFM score
    assert scores["spend_per_week"].tolist() == [-1.0] * 5  # the duplicate plugin's constant


def test_duplicates_in_one_site_directory(install: Install, registry: ScorerRegistry) -> None:
    install("good_plugin", "duplicate_plugin")
    with pytest.warns(PluginWarning) as record:
        registry.available()
    assert [str(w.message) for w in record] == [RFM_SHADOWED, SPEND_SHADOWED]


def test_duplicate_warning_is_issued_once_per_discovery(
    install: Install, registry: ScorerRegistry
) -> None:
    install("duplicate_plugin")
    with pytest.warns(PluginWarning, match=re.escape(RFM_SHADOWED)):
        registry.available()
    registry.available()  # cached: no second warning (filterwarnings=error would raise)
    registry.get("rfm")
    registry.refresh()
    with pytest.warns(PluginWarning, match=re.escape(RFM_SHADOWED)):
        registry.available()


def test_no_shadowing_when_plugins_are_disabled(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    install("duplicate_plugin")
    monkeypatch.setenv("ECOMSTRAT_DISABLE_PLUGINS", "1")
    assert "spend_per_week" not in ScorerRegistry().available()  # and no warning
