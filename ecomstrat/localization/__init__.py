"""Localization: market profiles, dated rules, landed cost (exact and batch), market entry."""
