"""The docs page listing every market rule is generated from the data and kept in step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ecomstrat.localization import load_market_profiles

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "_scripts" / "rules_page.py"


def test_rules_page_is_up_to_date() -> None:
    if not SCRIPT.is_file():
        pytest.skip("docs/ is not in this checkout")
    spec = importlib.util.spec_from_file_location("rules_page", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.PAGE.read_text(encoding="utf-8")
    assert page == module.render(), "run: python docs/_scripts/rules_page.py"


def test_every_rule_has_a_source_and_an_evidence_label() -> None:
    rules = load_market_profiles().rules()
    assert len(rules.where) == len(set(rules.where.tolist()))
    for i, where in enumerate(rules.where.tolist()):
        assert rules.source[i].strip(), where
        assert rules.evidence[i] in {"P", "S", "K", "?", "user"}, where
        if rules.evidence[i] == "?" and not rules.illustrative[i]:
            assert rules.note[i].strip(), f"{where}: a '?' rule says what is uncertain"
