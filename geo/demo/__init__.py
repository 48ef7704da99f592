"""Deterministic demo catalogue. Every record it makes is flagged ``is_demo``."""

from geo.demo.sites import demo_sites, demo_zis

__all__ = ["demo_sites", "demo_zis"]
