"""Pure functions over frames: summaries and strategy metrics."""
