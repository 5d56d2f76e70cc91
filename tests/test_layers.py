"""Dependencies point one way: a layer imports only from the layers below it.

``domain ← frames ← models/metrics ← lifecycle/localization ← scoring ← io/report/cli``, with the
private helpers (``_validation``, ``_typing``, ``exceptions``) at the bottom and ``_kernels``
importing nothing from the package but itself. Imports inside functions count too: a lazy import
is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ecomstrat"

#: Layer of each top-level part of the package; a module may import its own layer and below.
LAYERS: dict[str, int] = {
    "_typing": 0,
    "_version": 0,
    "exceptions": 0,
    "_validation": 1,
    "_optional": 1,
    "domain": 2,
    "frames": 3,
    "models": 4,
    "metrics": 4,
    "datasets": 4,
    "lifecycle": 5,
    "diagnostics": 5,
    "localization": 5,
    "scoring": 6,
    "_warmup": 7,
    "io": 7,
    "dask": 7,
    "plot": 7,
    "report": 8,
    "cli": 9,
    "__main__": 9,
    "__init__": 9,
}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``ecomstrat`` import in ``path`` (relative ones resolved)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("ecomstrat")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "ecomstrat":  # a submodule, or a name re-exported by the root
                found += [(node.lineno, _root_import(a.name)) for a in node.names]
            elif node.module.startswith("ecomstrat."):
                found.append((node.lineno, node.module))
    return found


def _root_import(name: str) -> str:
    is_module = (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()
    return f"ecomstrat.{name}" if is_module else "ecomstrat"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    own = path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
    own_part = _part(own)
    upward = []
    for line, module in _imports(path):
        target = _part(module)
        if own_part == "_kernels":
            if target != "_kernels":
                upward.append(f"line {line}: {module} (kernels import only numpy/numba/math)")
        elif target == "_kernels" or target == own_part:
            continue
        elif LAYERS[target] > LAYERS[own_part]:
            upward.append(f"line {line}: {module}")
    assert not upward, f"{own} imports from a higher layer: {upward}"
