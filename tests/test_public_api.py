"""The public surface is deliberate: the root exports agree, and signatures change only on purpose.

``tests/public_api.txt`` records the signature of every public callable. A change to the public
API fails here until the snapshot is regenerated and reviewed::

    ECOMSTRAT_UPDATE_API_SNAPSHOT=1 python -m pytest tests/test_public_api.py

and the rename gets its CHANGELOG.md line (a name of 0.1 that is gone must be in the CHANGELOG).
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import os
import re
from pathlib import Path
from typing import Any

import ecomstrat

HERE = Path(__file__).parent
SNAPSHOT = HERE / "public_api.txt"
ROOT = HERE.parent
#: Packages whose ``__all__`` is public API besides the root.
PACKAGES = (
    "ecomstrat",
    "ecomstrat.domain",
    "ecomstrat.io",
    "ecomstrat.lifecycle",
    "ecomstrat.localization",
    "ecomstrat.scoring",
)


def _type_checking_names() -> dict[str, str]:
    """``name -> module`` from the ``if TYPE_CHECKING:`` imports of ``ecomstrat/__init__.py``."""
    tree = ast.parse((ROOT / "ecomstrat" / "__init__.py").read_text())
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for item in node.body:
                assert isinstance(item, ast.ImportFrom)
                assert item.module
                for alias in item.names:
                    assert alias.asname == alias.name, f"re-export {alias.name} as itself"
                    names[alias.name] = item.module
    return names


def test_root_exports_agree() -> None:
    lazy = dict(ecomstrat._LOCATIONS)
    assert _type_checking_names() == lazy
    assert ecomstrat.__all__ == ["__version__", *sorted(lazy)]
    for name, module in lazy.items():
        value = getattr(importlib.import_module(module), name)
        assert getattr(ecomstrat, name) is value


def test_package_exports_resolve() -> None:
    for package in PACKAGES:
        module = importlib.import_module(package)
        exported = list(module.__all__)  # ruff (RUF022) keeps it sorted
        assert len(set(exported)) == len(exported), package
        for name in exported:
            assert hasattr(module, name), f"{package}.{name}"


def _signature(obj: Any) -> str:
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def _members(cls: type) -> list[str]:
    lines = []
    for name in sorted(dir(cls)):
        if name.startswith("_") and name != "__init__":
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.startswith("ecomstrat"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, property):
            lines.append(f"    .{name} [property]")
        elif isinstance(raw, staticmethod | classmethod):
            kind = "staticmethod" if isinstance(raw, staticmethod) else "classmethod"
            lines.append(f"    .{name}{_signature(getattr(cls, name))} [{kind}]")
        elif inspect.isfunction(raw):
            lines.append(f"    .{name}{_signature(raw)}")
        elif isinstance(raw, enum.Enum):
            lines.append(f"    .{name} = {raw.value!r}")
    fields = getattr(cls, "__attrs_attrs__", None)
    if fields is not None:
        lines.append(f"    fields: {', '.join(field.name for field in fields)}")
    return lines


def describe(name: str, obj: Any) -> list[str]:
    """The snapshot lines of one public object."""
    if inspect.isclass(obj):
        bases = ", ".join(base.__name__ for base in obj.__bases__)
        return [f"class {name}({bases})", *_members(obj)]
    if callable(obj):
        return [f"def {name}{_signature(obj)}"]
    return [f"{name}: {type(obj).__name__}"]


def surface() -> str:
    """The whole public surface as text, one package after another."""
    lines: list[str] = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        lines.append(f"## {package}")
        for name in module.__all__:
            if package != "ecomstrat" and name in ecomstrat.__all__:
                value = getattr(module, name)
                if getattr(ecomstrat, name) is value:
                    lines.append(f"{name} -> ecomstrat.{name}")
                    continue
            lines.extend(describe(name, getattr(module, name)))
        lines.append("")
    return "\n".join(lines)


def test_signatures_match_the_reviewed_snapshot() -> None:
    current = surface()
    if os.environ.get("ECOMSTRAT_UPDATE_API_SNAPSHOT"):
        SNAPSHOT.write_text(current)
    recorded = SNAPSHOT.read_text()
    if current != recorded:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                recorded.splitlines(), current.splitlines(), "snapshot", "code", lineterm=""
            )
        )
        raise AssertionError(
            "The public API differs from tests/public_api.txt. If intended, regenerate it with"
            " ECOMSTRAT_UPDATE_API_SNAPSHOT=1, review the diff and add CHANGELOG.md lines:\n" + diff
        )


def test_names_of_0_1_are_kept_or_in_the_changelog() -> None:
    old = [
        line.strip()
        for line in (HERE / "public_names_0.1.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    lost = [
        name
        for name in old
        if name not in ecomstrat.__all__ and not re.search(rf"\b{name}\b", changelog)
    ]
    assert not lost, f"public names of 0.1 gone without a CHANGELOG.md line: {lost}"
