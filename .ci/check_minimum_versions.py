"""Check the minimum-versions lane: the pins match pyproject's floors and are what is installed.

Run with the lane's interpreter from the repository root::

    .venv-min/bin/python .ci/check_minimum_versions.py

Prints, for every pinned distribution, its floor, its pin and the installed version, and exits 1
when a floor has no pin (or a pin no floor), a pin is not the release of its floor, or the
installed version differs from the pin (pip ignores constraints on packages nothing requires,
so a pin that is not installed would otherwise pass unnoticed).
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / ".ci" / "minimum-versions.txt"
# The extras a user installs; test, docs and dev tools are not part of the supported floors.
USER_EXTRAS = ("pandas", "polars", "pyarrow", "plot", "dask")
# Reported (not checked) so that the log shows the rest of the numerics stack as well.
ALSO_SHOW = ("llvmlite", "pytest", "hypothesis", "lifetimes", "mpmath")


def floors() -> dict[str, Requirement]:
    """The requirements of the dependencies and user extras, by canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in USER_EXTRAS:
        lines += project["optional-dependencies"][extra]
    out: dict[str, Requirement] = {}
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            out[canonicalize_name(requirement.name)] = requirement
    return out


def pins() -> dict[str, tuple[str, Version]]:
    """The ``name==version`` pins of the constraints file, by canonical name."""
    out: dict[str, tuple[str, Version]] = {}
    for raw in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            sys.exit(f"{CONSTRAINTS.name}: {raw!r} is not a name==version pin")
        out[canonicalize_name(name)] = (name.strip(), Version(version.strip()))
    return out


def installed(name: str) -> Version | None:
    """The installed version of a distribution (``None`` if absent)."""
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


def main() -> int:
    """Print the table; 1 if anything is off, else 0."""
    declared, pinned = floors(), pins()
    problems = [
        f"{name}: pyproject.toml declares a floor ({declared[name]}) that {CONSTRAINTS.name}"
        " does not pin"
        for name in sorted(declared.keys() - pinned.keys())
    ]
    problems += [
        f"{name}: pinned in {CONSTRAINTS.name} but no floor in pyproject.toml"
        for name in sorted(pinned.keys() - declared.keys())
    ]
    print(f"{'package':<20} {'floor':<12} {'pinned':<16} installed")
    for key, (name, pin) in sorted(pinned.items()):
        requirement = declared.get(key)
        specifiers = requirement.specifier if requirement else []
        floor = next((s.version for s in specifiers if s.operator == ">="), None)
        have = installed(name)
        print(f"{name:<20} {floor or '-':<12} {pin!s:<16} {have or 'NOT INSTALLED'}")
        if requirement is None:
            continue
        if floor is None:
            problems.append(f"{name}: {requirement} has no >= floor to pin")
        elif pin not in requirement.specifier or (
            pin.release[: len(Version(floor).release)] != Version(floor).release
        ):
            problems.append(f"{name}: pin {pin} is not a release of the floor {requirement}")
        if have != pin:
            problems.append(f"{name}: {have or 'nothing'} is installed, not the pinned {pin}")
    print("also:", ", ".join(f"{name} {installed(name) or '-'}" for name in ALSO_SHOW))
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
