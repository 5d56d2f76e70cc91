"""Package version (single source, read by hatchling)."""

__version__ = "0.9.0"
