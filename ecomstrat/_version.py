"""Package version (single source, read by hatchling)."""

__version__ = "0.7.0"
