"""The store: tables, repositories and migrations over SQLite or PostgreSQL (see README.md)."""

from splice.store.db import Database

__all__ = ["Database"]
