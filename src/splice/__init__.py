"""Splice: a self-hosted embedded integration platform, wire-compatible with Prismatic."""

__all__ = ["__version__"]

__version__ = "0.1.0"
